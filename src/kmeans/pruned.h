/* kmeans_pruned.h - the iteration driver shared by the kernels that keep
 * per-row distance bounds (Elkan, Yinyang), and the bound arithmetic they
 * share; not part of the public API.
 *
 * The driver owns what every such kernel does the same way as Hamerly: the
 * centroids rounded to the data's type, the exact fixed-point sums updated
 * only by rows that change label, the one allreduce per iteration, empty
 * clusters, the M-step, the widened centroid shifts, convergence, the final
 * E-step and the inertia. A kernel supplies the bounds and the row search.
 *
 * Error model (the one kseg_km_hamerly documents): for a row x and a
 * centroid c (already rounded to the data's type), the canonical squared
 * distance D computed by nearest() / pair_dist2 and the exact distance
 * e = |x - c| satisfy |sqrt(D) - e| <= rel e + abs_margin. Bounds are kept
 * on exact distances; a candidate may be skipped only when its bounds prove
 * its computed distance STRICTLY greater than the current label's computed
 * distance, so ties are always computed and resolved to the lowest index,
 * as Lloyd does. */
#ifndef KSEG_KMEANS_PRUNED_H
#define KSEG_KMEANS_PRUNED_H

#include <math.h>
#include <stdbool.h>
#include <stdint.h>

#include "kmeans/internal.h"

/* What a kernel sees of one iteration. */
typedef struct kseg_km_pruned_ctx {
  const kseg_km_data *data;
  int64_t k, d;
  int iter;               /* 0-based */
  const double *cold;     /* k x d centroids this iteration assigns against */
  const void *cx;         /* the same rounded to the data's type, k x d row-major */
  const double *shift;    /* k: upper bounds on how far each rounded centroid moved
                             into this iteration (0 in the first) */
  double rel, abs_margin; /* the canonical distance's rounding margins */
} kseg_km_pruned_ctx;

/* A bounded kernel: `prepare` runs once per iteration on every rank before
 * the rows (serial, may be NULL); `rows` searches local rows [i0, i1) on
 * OpenMP thread `thread`, sets their labels and bounds and moves each row
 * whose label changed (old label -1: only added) in the thread's split sums
 * with move_row, counting it in *changed. */
typedef struct kseg_km_pruned_ops {
  void *self;
  void (*prepare)(void *self, const kseg_km_pruned_ctx *ctx);
  void (*rows)(void *self, const kseg_km_pruned_ctx *ctx, int thread, int32_t *labels, int64_t i0, int64_t i1,
               int64_t *hi, uint64_t *lo, int64_t *counts, int64_t *changed);
} kseg_km_pruned_ops;

/* Runs the kernel with the kseg_km_kernel_fn contract (Lloyd's results bit
 * for bit). Collective, result agreed. */
int kseg_km_pruned_run(MPI_Comm comm, const kseg_km_data *data, int64_t k, int max_iter, double *centroids,
                       int32_t *labels, kseg_km_run *run, const kseg_km_pruned_ops *ops);

int kseg_km_elkan(MPI_Comm comm, const kseg_km_data *data, int64_t k, int max_iter, double *centroids,
                  int32_t *labels, kseg_km_run *run);
int kseg_km_yinyang(MPI_Comm comm, const kseg_km_data *data, int64_t k, int max_iter, double *centroids,
                    int32_t *labels, kseg_km_run *run);

/* Bound arithmetic. Each result is rounded the safe way: the double
 * operations below err by at most 2^-53 relative, so a 2^-51 widening
 * covers them. */

/* max without fmax's libm call (the values are never NaN). */
static inline double kseg_km_max(double a, double b) { return b > a ? b : a; }

/* An upper bound on an exact distance after its centroid moved by <= s. */
static inline double kseg_km_up_add(double u, double s) { return (u + s) * (1 + 0x1p-51); }

/* A lower bound on an exact distance after its centroid moved by <= s. */
static inline double kseg_km_down_sub(double l, double s)
{
  const double v = l - s;
  return v - fabs(v) * 0x1p-51;
}

/* Bounds on the exact distance from a computed squared distance. */
static inline double kseg_km_exact_upper(double dist2, double rel, double abs_margin)
{
  return sqrt(dist2) * (1 + rel) + abs_margin;
}
static inline double kseg_km_exact_lower(double dist2, double rel, double abs_margin)
{
  return sqrt(dist2) * (1 - rel) - abs_margin;
}

/* An upper bound on sqrt of a computed squared distance (sqrt rounds). */
static inline double kseg_km_computed_upper(double dist2) { return sqrt(dist2) * (1 + 0x1p-50); }

/* An upper bound on sqrt of the computed distance whose exact distance is
 * at most u. */
static inline double kseg_km_computed_upper_of(double u, double rel, double abs_margin)
{
  return u * (1 + rel) + abs_margin;
}

/* True when a lower bound `lower` on a candidate's exact distance proves its
 * computed distance strictly greater than a computed distance whose square
 * root is at most `ucmp`. NaN-free inputs; -inf lower never proves. */
static inline bool kseg_km_beyond(double lower, double ucmp, double rel, double abs_margin)
{
  return lower * (1 - rel) - abs_margin > ucmp;
}

/* A lower bound stored as float32, rounded down (to 0 below 2^-100, capped
 * at 2^127 so it never overflows to +inf). */
static inline float kseg_km_lower_f32(double v)
{
  if (!(v > 0x1p-100)) return 0.0f;
  if (v > 0x1p127) v = 0x1p127;
  return (float)(v * (1 - 0x1p-22));
}

#endif
