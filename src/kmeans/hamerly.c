/* hamerly.c - Hamerly's k-means (Hamerly 2010, "Making k-means even faster")
 * with Lloyd's results bit for bit. */
#include "kmeans/hamerly.h"

#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "kmeans/estep.h"
#include "kmeans/kernels/kernels.h"
#include "kmeans/mstep.h"
#include "kmeans/rows.h"
#include "kseg/kseg_error.h"

/* Hamerly (2010) with the same results as kseg_km_lloyd, bit for bit: each
 * row keeps an upper bound u on the distance to its centroid and a lower
 * bound l on the distance to every other one, moved by how far the
 * centroids moved; only rows with u >= l are searched, with Lloyd's kernel.
 * The bounds are widened by the kernel's worst rounding error (relative
 * (d + 8) 4 eps, absolute 4 sqrt(d) (max|x| + max|c|) eps, eps of the data's
 * type), so a skipped row is one whose computed distances Lloyd would have
 * ordered the same way. The exact fixed-point sums are kept per cluster and
 * updated only by rows that moved; one allreduce of the changes per
 * iteration. Empty clusters (rare) take a full Lloyd E-step for the
 * distances the relocation rule needs, and relocate on a copy of the sums,
 * as Lloyd recomputes them from the labels each iteration. */
int kseg_km_hamerly(MPI_Comm comm, const kseg_km_data *data, int64_t k, int max_iter, double *centroids,
                    int32_t *labels, kseg_km_run *run)
{
  const kseg_matrix *x = data->x;
  const int64_t d = x->d, kd = k * d, nl = x->n_local;
  kseg_km_estep w;
  int st = kseg_comm_agree(comm, kseg_km_estep_alloc(&w, data, k));
  if (st != KSEG_OK) return st;
  const size_t nls = (size_t)(nl > 0 ? nl : 1);
  double *u = kseg_malloc(nls * sizeof(double), "Hamerly bounds");
  double *l = kseg_malloc(nls * sizeof(double), "Hamerly bounds");
  int64_t *idx = kseg_malloc(nls * sizeof(int64_t), "Hamerly rows");
  double *delta = kseg_malloc((size_t)k * sizeof(double), "Hamerly shifts");
  st = kseg_comm_agree(comm, (u && l && idx && delta) ? KSEG_OK : KSEG_ERR_IO);
  if (st != KSEG_OK) goto done;
  memset(run, 0, sizeof *run);
  for (int64_t i = 0; i < nl; i++) labels[i] = -1;
  const kseg_km_ops *ops = data->ops;
  const double eps = ops->eps;
  const double rel = 4.0 * (double)(d + 8) * eps;
  int64_t far1 = -1; /* cluster that moved most; its shift and the runner-up's */
  double dmax1 = 0, dmax2 = 0;
  const double t0 = kseg_now();
  bool strict = false, converged = false;
  for (int it = 0; it < max_iter; it++) {
    memcpy(w.cold, centroids, (size_t)kd * sizeof(double));
    kseg_km_estep_tables(&w, w.cold);
    const double cmax = kseg_km_max_abs_of(w.cold, kd);
    const double abs_margin = 4.0 * sqrt((double)d) * (data->max_abs + cmax) * eps;
    kseg_km_partials *acc = &w.acc;
    kseg_km_partials_zero(acc);
#pragma omp parallel num_threads(w.acc.nt)
    {
      const int t = omp_get_thread_num();
      int64_t i0, n;
      kseg_partition(nl, omp_get_num_threads(), t, &i0, &n);
      int64_t *hi = acc->thi + t * kd, *counts = acc->tcounts + t * k;
      uint64_t *lo = acc->tlo + t * kd;
      for (int64_t a = i0, b; a < i0 + n; a = b) {
        b = i0 + n - a < KSEG_KM_SLICE ? i0 + n : a + KSEG_KM_SLICE;
        int64_t m = 0;
        for (int64_t i = a; i < b; i++) {
          const int32_t c = labels[i];
          if (c < 0) {
            idx[a + m++] = i;
            continue;
          }
          u[i] = (u[i] + delta[c]) * (1 + rel) + abs_margin;
          l[i] = (l[i] - (c == far1 ? dmax2 : dmax1)) * (1 - rel) - abs_margin;
          if (u[i] * (1 + rel) + abs_margin < l[i] * (1 - rel) - abs_margin) continue;
          idx[a + m++] = i;
        }
        kseg_km_partials_slice_begin(acc, t);
        ops->search_rows(x->data, idx + a, m, d, w.ct, w.kp, k, labels, u, l, rel, abs_margin, data->fx.scale, hi,
                         lo, counts, &acc->tchanged[t]);
        kseg_km_partials_slice_end(acc, t);
      }
    }
    int64_t changed;
    st = kseg_km_partials_reduce(comm, data, acc, w.cold, labels, &changed, &run->allreduce_seconds);
    if (st != KSEG_OK) goto done;
    const double shift = kseg_km_update_centroids(data, k, acc->packed, w.cold, centroids, delta);
    far1 = -1;
    dmax1 = dmax2 = 0;
    for (int64_t c = 0; c < k; c++) {
      delta[c] = delta[c] * (1 + rel) + 4.0 * sqrt((double)d) * cmax * eps;
      if (delta[c] > dmax1) {
        dmax2 = dmax1;
        dmax1 = delta[c];
        far1 = c;
      } else if (delta[c] > dmax2) {
        dmax2 = delta[c];
      }
    }
    run->n_iter = it + 1;
    if (data->progress) data->progress(data->progress_ctx, data->restart, it + 1, NAN, changed);
    if (changed == 0) {
      strict = converged = true;
      break;
    }
    if (shift <= data->tol_scaled) {
      converged = true;
      break;
    }
  }
  if (data->assigned) memcpy(data->assigned, strict ? w.cold : centroids, (size_t)kd * sizeof(double));
  /* Labels must match the final centroids (scikit-learn reruns the E-step). */
  if (!strict) kseg_km_estep_run(&w, data, centroids, labels, KSEG_KM_LABELS_ONLY);
  run->iter_seconds = kseg_now() - t0;
  run->converged = converged;
  st = kseg_km_inertia(comm, x, data->max_abs, centroids, k, labels, &run->inertia);
done:
  free(u);
  free(l);
  free(idx);
  free(delta);
  kseg_km_estep_clear(&w);
  return kseg_comm_agree(comm, st);
}
