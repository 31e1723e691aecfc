/* kmeans_elkan.c - Elkan's k-means (Elkan 2003, "Using the triangle
 * inequality to accelerate k-means") with Lloyd's results bit for bit.
 *
 * Each row keeps an upper bound on the exact distance to its centroid and a
 * lower bound on the exact distance to every centroid (float32, rounded
 * down: 4 k bytes per row), both moved by the widened centroid shifts (the
 * lower bounds lazily, through each centroid's cumulative drift). The centroid-centroid distances cc(c, c') (computed in
 * double from the rounded centroids, then narrowed by their rounding) give
 * two more lower bounds: 2 s(a) - u for every centroid (s(a) = half the
 * distance from the label a to its nearest other centroid) and
 * cc(a, c) - u for c. Distances are the canonical ones (pair_dist2), so a
 * computed distance equals Lloyd's; the rest (sums, reduce, empty clusters,
 * convergence) is the shared driver in kmeans_pruned.c. */
#if defined(__AVX512F__)
#include <immintrin.h>
#endif
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "kmeans/pruned.h"
#include "kseg/kseg_error.h"

typedef struct elkan_state {
  void *ct;      /* d x kp centroid table of the first iteration (Lloyd's layout) */
  int64_t kp;
  /* n_local x k lower bounds on exact distances, stored plus the drift of
   * their centroid at the time (rounded down): the bound now is the stored
   * value minus the drift now, so moving the centroids does not rewrite
   * n_local x k values each iteration. */
  float *lower;
  double *drift; /* k: sum of each centroid's widened shifts so far (rounded up) */
  double *upper; /* n_local upper bounds on the exact distance to the label */
  double *cc;    /* k x k lower bounds on centroid-centroid distances */
  double *half;  /* k: half the smallest cc to another centroid */
  uint8_t *keep; /* threads x k: candidates of a row */
  int32_t *idx;  /* threads x k */
  int64_t stride; /* k rounded up to whole cache lines: threads write these per row */
} elkan_state;

/* The Lloyd kernel is included for its first-iteration pass only. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#define KM_T double
#define KM_FN(name) km_##name##_f64
#define KM_RB 4
#include "kmeans/kernels/elkan.inc"
#undef KM_T
#undef KM_FN
#undef KM_RB

#define KM_T float
#define KM_FN(name) km_##name##_f32
#define KM_RB 8
#include "kmeans/kernels/elkan.inc"
#undef KM_T
#undef KM_FN
#undef KM_RB
#pragma GCC diagnostic pop

/* The centroid value the canonical distance uses, as double (exact). */
static inline double rounded(const kseg_km_pruned_ctx *ctx, int64_t i)
{
  return ctx->data->x->dtype == KSEG_F32 ? (double)((const float *)ctx->cx)[i] : ((const double *)ctx->cx)[i];
}

/* cc and s for this iteration's centroids. The double sum of squares of
 * exact (rounded) coordinates errs by less than (d + 8) 4 2^-53 relative;
 * narrowing by that keeps cc a lower bound on the exact distance. */
static void elkan_prepare(void *self, const kseg_km_pruned_ctx *ctx)
{
  elkan_state *e = self;
  const int64_t k = ctx->k, d = ctx->d;
  if (ctx->iter == 0) kseg_km_centroid_table(ctx->cold, ctx->k, ctx->d, e->kp, ctx->data->x->dtype, e->ct);
  for (int64_t c = 0; c < k; c++) e->drift[c] = kseg_km_up_add(e->drift[c], ctx->shift[c]);
  const double narrow = 1 - 4.0 * (double)(d + 8) * 0x1p-53;
  for (int64_t c = 0; c < k; c++) {
    e->cc[c * k + c] = 0;
    for (int64_t c2 = c + 1; c2 < k; c2++) {
      double s = 0;
      for (int64_t j = 0; j < d; j++) {
        const double t = rounded(ctx, c * d + j) - rounded(ctx, c2 * d + j);
        s += t * t;
      }
      e->cc[c * k + c2] = e->cc[c2 * k + c] = sqrt(s) * narrow;
    }
  }
  for (int64_t c = 0; c < k; c++) {
    double m = INFINITY;
    for (int64_t c2 = 0; c2 < k; c2++)
      if (c2 != c) m = kseg_km_min(m, e->cc[c * k + c2]);
    e->half[c] = 0.5 * m;
  }
}

static void elkan_rows(void *self, const kseg_km_pruned_ctx *ctx, int thread, int32_t *labels, int64_t i0,
                       int64_t i1, int64_t *hi, uint64_t *lo, int64_t *counts, int64_t *changed)
{
  elkan_state *e = self;
  const kseg_matrix *x = ctx->data->x;
  uint8_t *keep = e->keep + (int64_t)thread * e->stride;
  int32_t *idx = e->idx + (int64_t)thread * e->stride;
  if (x->dtype == KSEG_F32)
    km_elkan_rows_f32(e, ctx, x->data, keep, idx, labels, i0, i1, hi, lo, counts, changed);
  else
    km_elkan_rows_f64(e, ctx, x->data, keep, idx, labels, i0, i1, hi, lo, counts, changed);
}

int kseg_km_elkan(MPI_Comm comm, const kseg_km_data *data, int64_t k, int max_iter, double *centroids,
                  int32_t *labels, kseg_km_run *run)
{
  const int64_t nl = data->x->n_local > 0 ? data->x->n_local : 1, nt = omp_get_max_threads();
  elkan_state e = {.stride = (k + 63) / 64 * 64, .kp = (k + KSEG_KM_KB - 1) / KSEG_KM_KB * KSEG_KM_KB};
  const size_t tsize = data->x->dtype == KSEG_F32 ? sizeof(float) : sizeof(double);
  int st = KSEG_OK;
  if ((double)nl * (double)k * sizeof(float) > (double)SIZE_MAX / 2)
    st = kseg_error_set(KSEG_ERR_INPUT, "Elkan's bounds for %lld rows x k = %lld do not fit in memory; use "
                        "--algorithm yinyang or hamerly", (long long)nl, (long long)k);
  else if (!(e.lower = kseg_malloc((size_t)nl * (size_t)k * sizeof(float), "Elkan lower bounds (4 k bytes per row)")) ||
           !(e.upper = kseg_malloc((size_t)nl * sizeof(double), "Elkan upper bounds")) ||
           !(e.cc = kseg_malloc((size_t)(k * k) * sizeof(double), "Elkan centroid distances")) ||
           !(e.half = kseg_malloc((size_t)k * sizeof(double), "Elkan centroid distances")) ||
           !(e.drift = kseg_calloc((size_t)k, sizeof(double), "Elkan centroid drift")) ||
           !(e.keep = kseg_malloc((size_t)(nt * e.stride), "Elkan candidates")) ||
           !(e.idx = kseg_malloc((size_t)(nt * e.stride) * sizeof(int32_t), "Elkan candidates")) ||
           !(e.ct = kseg_calloc((size_t)(data->x->d * e.kp), tsize, "k-means centroid table")))
    st = KSEG_ERR_IO;
  st = kseg_comm_agree(comm, st);
  if (st == KSEG_OK) {
    const kseg_km_pruned_ops ops = {.self = &e, .prepare = elkan_prepare, .rows = elkan_rows};
    st = kseg_km_pruned_run(comm, data, k, max_iter, centroids, labels, run, &ops);
  }
  free(e.lower);
  free(e.upper);
  free(e.cc);
  free(e.half);
  free(e.drift);
  free(e.keep);
  free(e.idx);
  free(e.ct);
  return st;
}
