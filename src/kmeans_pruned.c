/* kmeans_pruned.c - the iteration driver of the bounded kernels (Elkan,
 * Yinyang): everything but the row search, done as kseg_km_hamerly does it
 * so the results are Lloyd's bit for bit. */
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "kmeans_pruned.h"
#include "kseg/kseg_error.h"

/* Rows per slice of the split sums: +-1 row each, so 2^30 rows keep them
 * exact (as Hamerly). */
#define SLICE ((int64_t)1 << 30)

typedef struct pruned_ws {
  int nt;
  double *cold;      /* k x d */
  void *cx;          /* k x d in the data's type */
  double *shift;     /* k, widened */
  kseg_i128 *packed; /* k x d sums, k counts, inertia slot, changed: one allreduce */
  kseg_i128 *sums;   /* running k x d sums and k counts */
  kseg_i128 *tsums;  /* nt x (k x d) */
  int64_t *thi;      /* nt x (k x d) */
  uint64_t *tlo;     /* nt x (k x d) */
  int64_t *tcounts;  /* nt x k */
  int64_t *tchanged; /* nt */
} pruned_ws;

static void ws_free(pruned_ws *w)
{
  free(w->cold);
  free(w->cx);
  free(w->shift);
  free(w->packed);
  free(w->sums);
  free(w->tsums);
  free(w->thi);
  free(w->tlo);
  free(w->tcounts);
  free(w->tchanged);
  memset(w, 0, sizeof *w);
}

static int ws_alloc(pruned_ws *w, const kseg_matrix *x, int64_t k)
{
  memset(w, 0, sizeof *w);
  w->nt = omp_get_max_threads();
  const int64_t kd = k * x->d, nt = w->nt;
  const size_t tsize = x->dtype == KSEG_F32 ? sizeof(float) : sizeof(double);
  if (!(w->cold = kseg_malloc((size_t)kd * sizeof(double), "k-means centroids")) ||
      !(w->cx = kseg_malloc((size_t)kd * tsize, "k-means centroid table")) ||
      !(w->shift = kseg_calloc((size_t)k, sizeof(double), "k-means shifts")) ||
      !(w->packed = kseg_malloc((size_t)(kd + k + 2) * sizeof(kseg_i128), "k-means sums")) ||
      !(w->sums = kseg_calloc((size_t)(kd + k), sizeof(kseg_i128), "k-means sums")) ||
      !(w->tsums = kseg_malloc((size_t)(nt * kd) * sizeof(kseg_i128), "k-means thread sums")) ||
      !(w->thi = kseg_malloc((size_t)(nt * kd) * sizeof(int64_t), "k-means thread sums")) ||
      !(w->tlo = kseg_malloc((size_t)(nt * kd) * sizeof(uint64_t), "k-means thread sums")) ||
      !(w->tcounts = kseg_malloc((size_t)(nt * k) * sizeof(int64_t), "k-means thread counts")) ||
      !(w->tchanged = kseg_malloc((size_t)nt * sizeof(int64_t), "k-means thread counts"))) {
    ws_free(w);
    return KSEG_ERR_IO;
  }
  return KSEG_OK;
}

static double max_abs_of(const double *v, int64_t n)
{
  double m = 0;
  for (int64_t i = 0; i < n; i++) m = fmax(m, fabs(v[i]));
  return m;
}

void kseg_km_pruned_table(const kseg_km_pruned_ctx *ctx, void *ct, int64_t kp)
{
  const int64_t k = ctx->k, d = ctx->d;
  if (ctx->data->x->dtype == KSEG_F32)
    for (int64_t c = 0; c < k; c++)
      for (int64_t j = 0; j < d; j++) ((float *)ct)[j * kp + c] = ((const float *)ctx->cx)[c * d + j];
  else
    for (int64_t c = 0; c < k; c++)
      for (int64_t j = 0; j < d; j++) ((double *)ct)[j * kp + c] = ((const double *)ctx->cx)[c * d + j];
}

int kseg_km_pruned_run(MPI_Comm comm, const kseg_km_data *data, int64_t k, int max_iter, double *centroids,
                       int32_t *labels, kseg_km_run *run, const kseg_km_pruned_ops *ops)
{
  const kseg_matrix *x = data->x;
  const int64_t d = x->d, kd = k * d, nl = x->n_local;
  pruned_ws w;
  int st = kseg_comm_agree(comm, ws_alloc(&w, x, k));
  if (st != KSEG_OK) return st;
  memset(run, 0, sizeof *run);
  for (int64_t i = 0; i < nl; i++) labels[i] = -1;
  const double eps = x->dtype == KSEG_F32 ? ldexp(1.0, -24) : ldexp(1.0, -53);
  const double rel = 4.0 * (double)(d + 8) * eps;
  kseg_km_pruned_ctx ctx = {.data = data, .k = k, .d = d, .cold = w.cold, .cx = w.cx, .shift = w.shift,
                            .rel = rel};
  const double t0 = kseg_now();
  bool strict = false, converged = false;
  for (int it = 0; it < max_iter; it++) {
    memcpy(w.cold, centroids, (size_t)kd * sizeof(double));
    if (x->dtype == KSEG_F32)
      for (int64_t i = 0; i < kd; i++) ((float *)w.cx)[i] = (float)w.cold[i];
    else
      memcpy(w.cx, w.cold, (size_t)kd * sizeof(double));
    const double cmax = max_abs_of(w.cold, kd);
    ctx.iter = it;
    ctx.abs_margin = 4.0 * sqrt((double)d) * (data->max_abs + cmax) * eps;
    if (ops->prepare) ops->prepare(ops->self, &ctx);
    memset(w.tcounts, 0, (size_t)(w.nt * k) * sizeof(int64_t));
    memset(w.tsums, 0, (size_t)(w.nt * kd) * sizeof(kseg_i128));
    for (int t = 0; t < w.nt; t++) w.tchanged[t] = 0;
#pragma omp parallel num_threads(w.nt)
    {
      const int t = omp_get_thread_num();
      int64_t i0, n;
      kseg_partition(nl, omp_get_num_threads(), t, &i0, &n);
      int64_t *hi = w.thi + t * kd, *counts = w.tcounts + t * k;
      uint64_t *lo = w.tlo + t * kd;
      kseg_i128 *tsum = w.tsums + t * kd;
      for (int64_t a = i0, b; a < i0 + n; a = b) {
        b = i0 + n - a < SLICE ? i0 + n : a + SLICE;
        memset(hi, 0, (size_t)kd * sizeof *hi);
        memset(lo, 0, (size_t)kd * sizeof *lo);
        ops->rows(ops->self, &ctx, t, labels, a, b, hi, lo, counts, &w.tchanged[t]);
        /* lo may have wrapped below zero through subtractions: read it signed. */
        for (int64_t i = 0; i < kd; i++) tsum[i] += (kseg_i128)hi[i] * ((kseg_i128)1 << 32) + (kseg_i128)(int64_t)lo[i];
      }
    }
    kseg_i128 *p = w.packed;
    memset(p, 0, (size_t)(kd + k + 2) * sizeof(kseg_i128));
    for (int t = 0; t < w.nt; t++) {
      for (int64_t i = 0; i < kd; i++) p[i] += w.tsums[t * kd + i];
      for (int64_t c = 0; c < k; c++) p[kd + c] += w.tcounts[t * k + c];
      p[kd + k + 1] += w.tchanged[t];
    }
    /* The iteration's only collective when no cluster is empty. */
    const double ta = kseg_now();
    st = kseg_comm_sum_i128(comm, p, kd + k + 2);
    run->allreduce_seconds += kseg_now() - ta;
    if (st != KSEG_OK) {
      st = kseg_comm_agree(comm, st);
      goto done;
    }
    const int64_t changed = (int64_t)p[kd + k + 1];
    for (int64_t i = 0; i < kd + k; i++) w.sums[i] += p[i];
    /* From here on p holds what Lloyd's reduce would have produced; the
     * relocation works on this copy, as Lloyd recomputes its sums each
     * iteration. */
    memcpy(p, w.sums, (size_t)(kd + k) * sizeof(kseg_i128));
    bool any_empty = false;
    for (int64_t c = 0; c < k; c++) any_empty |= p[kd + c] == 0;
    if (any_empty) {
      st = kseg_km_relocate_empty(comm, data, k, w.cold, labels, p);
      if (st != KSEG_OK) goto done;
    }
    const double shift = kseg_km_update_centroids(data, k, p, w.cold, centroids, w.shift);
    /* Widen each shift to bound the move of the rounded centroids: the
     * double computation (rel) and the rounding of old and new centroids to
     * the data's type (sqrt(d) |c| eps each). */
    const double cmax2 = fmax(cmax, max_abs_of(centroids, kd));
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
