/* elkan.c - Elkan's k-means (Elkan 2003, "Using the triangle inequality to
 * accelerate k-means") with Lloyd's results bit for bit.
 *
 * Each row keeps an upper bound on the exact distance to its centroid and a
 * lower bound on the exact distance to every centroid (float32, rounded
 * down: 4 k bytes per row), both moved by the widened centroid shifts (the
 * lower bounds lazily, through each centroid's cumulative drift). The
 * centroid-centroid distances cc(c, c') (computed in double from the
 * rounded centroids, then narrowed by their rounding) give two more lower
 * bounds: 2 s(a) - u for every centroid (s(a) = half the distance from the
 * label a to its nearest other centroid) and cc(a, c) - u for c. Distances
 * are the canonical ones (pair_dist2), so a computed distance equals
 * Lloyd's. The row search and cc are the typed kernels of kernels/elkan.h;
 * the rest (sums, reduce, empty clusters, convergence) is the shared driver
 * in pruned.c. */
#include "kmeans/elkan.h"

#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "kmeans/bounds.h"
#include "kmeans/pruned.h"
#include "kseg/kseg_error.h"

/* The first iteration's table for Lloyd's kernel, the centroids' drift, and
 * cc and s for this iteration's centroids. */
static void elkan_prepare(void *self, const kseg_km_pruned_ctx *ctx)
{
  kseg_km_elkan_state *e = self;
  if (ctx->iter == 0) ctx->ops->centroid_table(ctx->cold, ctx->k, ctx->d, e->kp, e->ct);
  for (int64_t c = 0; c < ctx->k; c++) e->drift[c] = kseg_km_up_add(e->drift[c], ctx->shift[c]);
  ctx->ops->elkan_gaps(e, ctx);
}

static void elkan_rows(void *self, const kseg_km_pruned_ctx *ctx, int thread, int32_t *labels, int64_t i0,
                       int64_t i1, int64_t *hi, uint64_t *lo, int64_t *counts, int64_t *changed)
{
  kseg_km_elkan_state *e = self;
  uint8_t *keep = e->keep + (int64_t)thread * e->stride;
  int32_t *idx = e->idx + (int64_t)thread * e->stride;
  ctx->ops->elkan_rows(e, ctx, ctx->data->x->data, keep, idx, labels, i0, i1, hi, lo, counts, changed);
}

int kseg_km_elkan(MPI_Comm comm, const kseg_km_data *data, int64_t k, int max_iter, double *centroids,
                  int32_t *labels, kseg_km_run *run)
{
  const int64_t nl = data->x->n_local > 0 ? data->x->n_local : 1, nt = omp_get_max_threads();
  kseg_km_elkan_state e = {.stride = (k + 63) / 64 * 64, .kp = (k + KSEG_KM_KB - 1) / KSEG_KM_KB * KSEG_KM_KB};
  const size_t tsize = data->ops->size;
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
