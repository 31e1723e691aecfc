/* yinyang.c - Yinyang k-means (Ding et al. 2015, "Yinyang K-Means:
 * A Drop-In Replacement of the Classic K-Means with Consistent Speedup")
 * with Lloyd's results bit for bit.
 *
 * The k centroids are split once into t ~ k / 10 groups by a few k-means
 * iterations on the initial centroids themselves (serial double code on the
 * same input, so every rank gets the same groups). Each row keeps an upper
 * bound u on the exact distance to its label a and, per group, a lower
 * bound on the exact distance to every centroid of the group except a
 * (8 (t + 1) bytes per row). Each iteration moves them by the widened
 * shifts (a group by its largest member shift) and filters:
 *   global: min over groups of the bounds beyond u: the row keeps its label;
 *   group: the group's bound beyond u: none of its centroids can win;
 * A group that passes neither is searched whole (no local filter: see
 * kernels/yinyang.h), which rebuilds its bound exactly.
 * "Beyond" proves the computed distance strictly greater (see bounds.h);
 * a filter is retried once with u replaced by the label's computed
 * distance. The row search and the group tables are the typed kernels of
 * kernels/yinyang.h; the rest (sums, reduce, empty clusters, convergence)
 * is the shared driver in pruned.c. */
#include "kmeans/yinyang.h"

#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "kmeans/pruned.h"
#include "kseg/kseg_error.h"

/* Iterations of the k-means that groups the centroids: the grouping only
 * affects speed, so a few are enough. */
#define GROUP_ITERS 5

/* Groups of the k x d centroids c: Lloyd on the centroids, started from
 * centroids 0, k/t, 2k/t, ... (ties to the lowest group; an empty group
 * keeps its center). Deterministic: the same on every rank. work holds
 * t x d doubles and t counts. */
static void group_centroids(const double *c, int64_t k, int64_t d, int64_t t, int32_t *group, double *center,
                            int64_t *count)
{
  for (int64_t g = 0; g < t; g++) memcpy(center + g * d, c + (g * k / t) * d, (size_t)d * sizeof(double));
  for (int it = 0; it < GROUP_ITERS; it++) {
    for (int64_t i = 0; i < k; i++) {
      double best = INFINITY;
      int32_t arg = 0;
      for (int64_t g = 0; g < t; g++) {
        double s = 0;
        for (int64_t j = 0; j < d; j++) {
          const double v = c[i * d + j] - center[g * d + j];
          s += v * v;
        }
        if (s < best) best = s, arg = (int32_t)g;
      }
      group[i] = arg;
    }
    memset(count, 0, (size_t)t * sizeof(int64_t));
    for (int64_t i = 0; i < k; i++) count[group[i]]++;
    for (int64_t g = 0; g < t; g++)
      if (count[g] > 0) memset(center + g * d, 0, (size_t)d * sizeof(double));
    for (int64_t i = 0; i < k; i++)
      for (int64_t j = 0; j < d; j++) center[group[i] * d + j] += c[i * d + j];
    for (int64_t g = 0; g < t; g++)
      if (count[g] > 0)
        for (int64_t j = 0; j < d; j++) center[g * d + j] /= (double)count[g];
  }
}

static void yinyang_prepare(void *self, const kseg_km_pruned_ctx *ctx)
{
  kseg_km_yinyang_state *y = self;
  if (ctx->iter == 0) ctx->ops->centroid_table(ctx->cold, ctx->k, ctx->d, y->kp, y->ct);
  ctx->ops->yinyang_tables(y, ctx);
  for (int64_t g = 0; g < y->t; g++) {
    double m = 0;
    for (int32_t q = y->gstart[g]; q < y->gstart[g + 1]; q++) m = fmax(m, ctx->shift[y->order[q]]);
    y->gshift[g] = m;
  }
}

static void yinyang_rows(void *self, const kseg_km_pruned_ctx *ctx, int thread, int32_t *labels, int64_t i0,
                         int64_t i1, int64_t *hi, uint64_t *lo, int64_t *counts, int64_t *changed)
{
  kseg_km_yinyang_state *y = self;
  double *newlb = y->scratch + (int64_t)thread * y->scratch_stride, *dist = newlb + y->t;
  ctx->ops->yinyang_rows(y, ctx, ctx->data->x->data, newlb, dist, labels, i0, i1, hi, lo, counts, changed);
}

int kseg_km_yinyang(MPI_Comm comm, const kseg_km_data *data, int64_t k, int max_iter, double *centroids,
                    int32_t *labels, kseg_km_run *run)
{
  const int64_t nl = data->x->n_local > 0 ? data->x->n_local : 1, d = data->x->d;
  kseg_km_yinyang_state y = {0};
  y.t = k / 10 > 1 ? k / 10 : 1;
  y.kp = (k + KSEG_KM_KB - 1) / KSEG_KM_KB * KSEG_KM_KB;
  const size_t tsize = data->ops->size;
  const int nt = omp_get_max_threads();
  /* whole cache lines per thread: each writes its scratch once per row */
  y.scratch_stride = (y.t + k + 16 + 7) / 8 * 8;
  double *center = NULL;
  int64_t *count = NULL;
  int st = KSEG_OK;
  if (!(y.group = kseg_malloc((size_t)k * sizeof(int32_t), "Yinyang groups")) ||
      !(y.order = kseg_malloc((size_t)k * sizeof(int32_t), "Yinyang groups")) ||
      !(y.gstart = kseg_malloc((size_t)(y.t + 1) * sizeof(int32_t), "Yinyang groups")) ||
      !(y.gshift = kseg_malloc((size_t)y.t * sizeof(double), "Yinyang groups")) ||
      !(y.lb = kseg_malloc((size_t)nl * (size_t)y.t * sizeof(double), "Yinyang bounds (8 k/10 bytes per row)")) ||
      !(y.upper = kseg_malloc((size_t)nl * sizeof(double), "Yinyang bounds")) ||
      !(y.scratch = kseg_malloc((size_t)nt * (size_t)y.scratch_stride * sizeof(double), "Yinyang bounds")) ||
      !(center = kseg_malloc((size_t)(y.t * d) * sizeof(double), "Yinyang groups")) ||
      !(count = kseg_malloc((size_t)y.t * sizeof(int64_t), "Yinyang groups")) ||
      !(y.ct = kseg_calloc((size_t)(d * y.kp), tsize, "k-means centroid table")) ||
      !(y.goff = kseg_malloc((size_t)y.t * sizeof(int64_t), "Yinyang groups")) ||
      !(y.gw = kseg_malloc((size_t)y.t * sizeof(int64_t), "Yinyang groups")) ||
      /* at most k + t (vl - 1) columns of d values */
      !(y.gt = kseg_calloc((size_t)(d * (k + y.t * 15)), tsize, "Yinyang group tables")))
    st = KSEG_ERR_IO;
  st = kseg_comm_agree(comm, st);
  if (st == KSEG_OK) {
    group_centroids(centroids, k, d, y.t, y.group, center, count);
    /* order: a counting sort by group keeps indices ascending within one */
    y.gstart[0] = 0;
    for (int64_t g = 0; g < y.t; g++) y.gstart[g + 1] = y.gstart[g] + (int32_t)count[g];
    for (int64_t g = 0; g < y.t; g++) count[g] = y.gstart[g];
    for (int64_t c = 0; c < k; c++) y.order[count[y.group[c]]++] = (int32_t)c;
    const int64_t vl = (int64_t)(64 / tsize);
    for (int64_t g = 0, o = 0; g < y.t; g++) {
      y.gw[g] = (y.gstart[g + 1] - y.gstart[g] + vl - 1) / vl * vl;
      y.goff[g] = o;
      o += d * y.gw[g];
    }
    const kseg_km_pruned_ops ops = {.self = &y, .prepare = yinyang_prepare, .rows = yinyang_rows};
    st = kseg_km_pruned_run(comm, data, k, max_iter, centroids, labels, run, &ops);
  }
  free(y.group);
  free(y.order);
  free(y.gstart);
  free(y.gshift);
  free(y.lb);
  free(y.upper);
  free(y.scratch);
  free(center);
  free(count);
  free(y.ct);
  free(y.gt);
  free(y.goff);
  free(y.gw);
  return st;
}
