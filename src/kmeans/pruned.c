/* pruned.c - the iteration driver of the bounded kernels (Elkan, Yinyang):
 * everything but the row search, done as kseg_km_hamerly does it so the
 * results are Lloyd's bit for bit. */
#include "kmeans/pruned.h"

#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "kmeans/mstep.h"
#include "kmeans/partials.h"
#include "kmeans/rows.h"
#include "kseg/kseg_error.h"

typedef struct pruned_ws {
  double *cold;      /* k x d */
  void *cx;          /* k x d in the data's type */
  double *shift;     /* k, widened */
  kseg_km_partials acc; /* the exact sums */
} pruned_ws;

static void ws_free(pruned_ws *w)
{
  free(w->cold);
  free(w->cx);
  free(w->shift);
  kseg_km_partials_clear(&w->acc);
  memset(w, 0, sizeof *w);
}

static int ws_alloc(pruned_ws *w, const kseg_km_data *data, int64_t k)
{
  const kseg_matrix *x = data->x;
  memset(w, 0, sizeof *w);
  const int64_t kd = k * x->d;
  const size_t tsize = data->ops->size;
  if (!(w->cold = kseg_malloc((size_t)kd * sizeof(double), "k-means centroids")) ||
      !(w->cx = kseg_malloc((size_t)kd * tsize, "k-means centroid table")) ||
      !(w->shift = kseg_calloc((size_t)k, sizeof(double), "k-means shifts")) ||
      kseg_km_partials_alloc(&w->acc, k, x->d) != KSEG_OK) {
    ws_free(w);
    return KSEG_ERR_IO;
  }
  return KSEG_OK;
}

int kseg_km_pruned_run(MPI_Comm comm, const kseg_km_data *data, int64_t k, int max_iter, double *centroids,
                       int32_t *labels, kseg_km_run *run, const kseg_km_pruned_ops *ops)
{
  const kseg_matrix *x = data->x;
  const int64_t d = x->d, kd = k * d, nl = x->n_local;
  pruned_ws w;
  int st = kseg_comm_agree(comm, ws_alloc(&w, data, k));
  if (st != KSEG_OK) return st;
  memset(run, 0, sizeof *run);
  for (int64_t i = 0; i < nl; i++) labels[i] = -1;
  const double eps = data->ops->eps;
  const double rel = 4.0 * (double)(d + 8) * eps;
  kseg_km_pruned_ctx ctx = {.data = data, .ops = data->ops, .k = k, .d = d, .cold = w.cold, .cx = w.cx,
                            .shift = w.shift, .rel = rel, .xscale = data->fx.scale};
  const double t0 = kseg_now();
  bool strict = false, converged = false;
  for (int it = 0; it < max_iter; it++) {
    memcpy(w.cold, centroids, (size_t)kd * sizeof(double));
    data->ops->centroid_rows(w.cold, kd, w.cx);
    const double cmax = kseg_km_max_abs_of(w.cold, kd);
    ctx.iter = it;
    ctx.abs_margin = 4.0 * sqrt((double)d) * (data->max_abs + cmax) * eps;
    if (ops->prepare) ops->prepare(ops->self, &ctx);
    kseg_km_partials *acc = &w.acc;
    kseg_km_partials_zero(acc);
#pragma omp parallel num_threads(w.acc.nt)
    {
      const int t = omp_get_thread_num();
      int64_t i0, n;
      kseg_partition(nl, omp_get_num_threads(), t, &i0, &n);
      for (int64_t a = i0, b; a < i0 + n; a = b) {
        b = i0 + n - a < KSEG_KM_SLICE ? i0 + n : a + KSEG_KM_SLICE;
        kseg_km_partials_slice_begin(acc, t);
        ops->rows(ops->self, &ctx, t, labels, a, b, acc->thi + t * kd, acc->tlo + t * kd, acc->tcounts + t * k,
                  &acc->tchanged[t]);
        kseg_km_partials_slice_end(acc, t);
      }
    }
    int64_t changed;
    st = kseg_km_partials_reduce(comm, data, acc, w.cold, labels, &changed, &run->allreduce_seconds);
    if (st != KSEG_OK) goto done;
    const double shift = kseg_km_update_centroids(data, k, acc->packed, w.cold, centroids, w.shift);
    /* Widen each shift to bound the move of the rounded centroids: the
     * double computation (rel) and the rounding of old and new centroids to
     * the data's type (sqrt(d) |c| eps each). */
    const double cmax2 = fmax(cmax, kseg_km_max_abs_of(centroids, kd));
    for (int64_t c = 0; c < k; c++) w.shift[c] = w.shift[c] * (1 + rel) + 4.0 * sqrt((double)d) * cmax2 * eps;
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
  /* Labels must match the final centroids (scikit-learn reruns the E-step):
   * Lloyd's own kernel, so Lloyd's labels. */
  if (!strict) {
    st = kseg_comm_agree(comm, kseg_kmeans_assign(x, centroids, k, labels, NULL));
    if (st != KSEG_OK) goto done;
  }
  run->iter_seconds = kseg_now() - t0;
  run->converged = converged;
  st = kseg_km_inertia(comm, x, data->max_abs, centroids, k, labels, &run->inertia);
done:
  ws_free(&w);
  return kseg_comm_agree(comm, st);
}
