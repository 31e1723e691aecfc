/* internal.h - what the k-means drivers share: the facts of one fit, the
 * contract every algorithm's kernel honours, and small inline helpers; not
 * part of the public API. */
#ifndef KSEG_KMEANS_INTERNAL_H
#define KSEG_KMEANS_INTERNAL_H

#include <math.h>
#include <stdbool.h>
#include <stdint.h>

#include "kseg/kseg_comm.h"
#include "kseg/kseg_fixed.h"
#include "kseg/kseg_kmeans.h"

/* The typed kernels of one data type (kmeans/kernels/kernels.h). */
typedef struct kseg_km_ops kseg_km_ops;

/* Facts about the whole matrix, found once per fit and identical on every
 * rank. */
typedef struct kseg_km_data {
  const kseg_matrix *x;
  const kseg_km_ops *ops; /* the kernels of x's dtype */
  /* x's local rows in the micro-kernel's panel order (kseg_km_estep_pack),
   * or NULL: Lloyd's pass then packs each panel as it goes. */
  const void *packed;
  double max_abs;    /* global max |x| */
  kseg_fixed fx;     /* fixed-point scale of row values (bound max_abs) */
  double tol_scaled; /* tol x mean feature variance (scikit-learn's _tolerance) */
  kseg_kmeans_progress_fn progress; /* per-iteration report, or NULL */
  void *progress_ctx;
  int restart;
  /* Checkpoint/resume (kseg_kmeans_options): the kernel fills cp's restart-
   * local fields and calls opt->checkpoint; it starts from cp_start when that
   * is set. assigned (k x d) receives the centroids the final labels were
   * assigned against. All NULL when unused. */
  const kseg_kmeans_options *opt;
  kseg_kmeans_checkpoint *cp;
  const kseg_kmeans_checkpoint *cp_start;
  double *assigned;
} kseg_km_data;

/* What one single k-means run reports. */
typedef struct kseg_km_run {
  int n_iter;
  bool converged;
  double inertia;
  double iter_seconds; /* local */
  double allreduce_seconds; /* local: inside the per-iteration sum of the partials */
  int64_t rows_searched, rows_visited; /* local, Hamerly: rows searched / rows, summed over iterations */
  bool switched_to_lloyd; /* auto: Hamerly's bounds spared too few rows (hamerly.h) */
} kseg_km_run;

/* One k-means algorithm, the contract every kernel of the registry
 * (registry.h) honours, so any may run any fit with the same results:
 * from the k x d centroids in `centroids` (replaced by the final ones), run
 * at most max_iter iterations with scikit-learn's Lloyd semantics (stop when
 * no label changed or the total squared shift is within data->tol_scaled)
 * and leave
 *   - labels[n_local]: each row's nearest final centroid by the canonical
 *     distance (nearest() in kernels/row.h, ties to the lowest index), or,
 *     when the last iteration changed no label, its nearest centroid before
 *     that iteration's M-step (the same partition);
 *   - data->assigned (when not NULL, k x d): the centroids those labels were
 *     assigned against, so kseg_kmeans_assign(assigned) gives them again;
 *   - *run: n_iter, converged, the exact inertia of labels against the final
 *     centroids, and the local seconds.
 * Every kernel gives Lloyd's (kseg_km_lloyd's) bits for all of these. Only
 * Lloyd honours data->cp / data->cp_start (checkpoints); the fit runs Lloyd
 * when they are set. Collective, result agreed. */
typedef int (*kseg_km_kernel_fn)(MPI_Comm comm, const kseg_km_data *data, int64_t k, int max_iter,
                                 double *centroids, int32_t *labels, kseg_km_run *run);

/* Runs of one fit side by side in one pass over the rows: at most this
 * many. */
#define KSEG_KM_RUNS 4

/* R <= KSEG_KM_RUNS runs of one algorithm side by side (restarts of one
 * fit): run r from centroids[r] with the contract of kseg_km_kernel_fn into
 * labels[r], assigned[r] (NULL array or entry: not wanted) and runs[r], each
 * one's bits what it gives alone; the rows are read once per pass for all.
 * data->restart is the first run's restart (progress reports count from
 * it); runs[r].iter_seconds is the shared time divided evenly. No
 * checkpoints (data->cp, data->cp_start) unless R is 1. Collective, result
 * agreed. */
typedef int (*kseg_km_runs_fn)(MPI_Comm comm, const kseg_km_data *data, int64_t k, int max_iter, int R,
                               double *const *centroids, int32_t *const *labels, double *const *assigned,
                               kseg_km_run *runs);

/* kseg_fixed_from without the libm call: rint rounds to nearest-even like
 * llrint, so both give the same integer (|v| <= 2^62 by the choice of scale),
 * and rint inlines to one instruction. */
static inline int64_t kseg_km_fix(const kseg_fixed *f, double v) { return (int64_t)rint(v * f->scale); }

/* max |v[i]| over n values (0 for none). */
static inline double kseg_km_max_abs_of(const double *v, int64_t n)
{
  double m = 0;
  for (int64_t i = 0; i < n; i++) m = fmax(m, fabs(v[i]));
  return m;
}

/* Rows per slice of the kernels' split sums: each row adds or moves +-1 in
 * the int64 halves, so 2^30 rows keep them exact before a fold. */
#define KSEG_KM_SLICE ((int64_t)1 << 30)

#endif
