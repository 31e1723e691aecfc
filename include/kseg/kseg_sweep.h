/* kseg_sweep.h - the k sweep: k-means for every k of a range, validation
 * metrics per k, and a recommended number of segments.
 *
 * The root rank walks the k range and takes the decisions (which k next,
 * when to stop, the recommendation) and broadcasts them; every rank computes.
 * Results are bit-identical for any number of ranks and threads: the fits,
 * metrics, gap reference sets and stability subsamples are all keyed by global
 * row index and reduced exactly (kseg_kmeans.h, kseg_metrics.h).
 *
 * The recommendation rule is documented in docs/sweep.md and implemented in
 * evaluate/sweep/select.c (kseg_sweep_recommend).
 */
#ifndef KSEG_SWEEP_H
#define KSEG_SWEEP_H

#include <mpi.h>
#include <stdbool.h>
#include <stdint.h>

#include "kseg/kseg_types.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum kseg_sweep_silhouette {
  KSEG_SWEEP_SIL_EXACT = 0,  /* exact ring silhouette */
  KSEG_SWEEP_SIL_SAMPLE = 1, /* seeded sample of silhouette_sample rows */
  KSEG_SWEEP_SIL_NONE = 2
} kseg_sweep_silhouette;

/* What the sweep reports while it runs (every rank gets the same calls). */
typedef struct kseg_sweep_event {
  int64_t k;
  int restart;       /* restart just finished (0-based), -1 for a finished k */
  int n_restarts;
  int n_iter;        /* iterations of that restart / of the best one */
  const char *phase; /* "fit", "metrics", "gap", "stability", "done" */
  double elapsed;    /* seconds since the sweep started (this rank) */
  double remaining;  /* estimate in seconds, < 0 when unknown */
  int64_t k_done, k_total;
} kseg_sweep_event;

typedef void (*kseg_sweep_progress_fn)(void *ctx, const kseg_sweep_event *ev);

typedef struct kseg_sweep_options {
  int64_t k_min, k_max;          /* 2 <= k_min <= k_max < N */
  int n_init;                    /* restarts per k (default 4) */
  int max_iter;                  /* default 300 */
  double tol;                    /* default 1e-4 */
  uint64_t seed;                 /* default 0 */
  kseg_sweep_silhouette silhouette;
  int64_t silhouette_sample;     /* rows for KSEG_SWEEP_SIL_SAMPLE (>= 2) */
  int gap_b;                     /* reference sets for the gap statistic, 0 = off */
  int stability_b;               /* subsamples for stability, 0 = off */
  int64_t max_segments;          /* only k <= max_segments can be recommended (default 8) */
  const char *checkpoint;        /* file rewritten after each k; NULL = none */
  bool resume;                   /* start from `checkpoint` (must exist and match) */
  const char *input;             /* names the input in the output (e.g. "file.h5:/features"); the
                                    fingerprint identifies the data by a hash instead, so a moved
                                    file still resumes */
  kseg_sweep_progress_fn progress; /* may be NULL */
  void *progress_ctx;
} kseg_sweep_options;

/* One k of the sweep. NaN where a metric was not computed. */
typedef struct kseg_sweep_row {
  int64_t k;
  double inertia, silhouette, calinski_harabasz, davies_bouldin;
  double gap, gap_se, stability; /* gap_se = s_k = sd_k sqrt(1 + 1/B) */
  int64_t n_iter;
  int32_t converged;
  double seconds;                /* wall time of this k (max over ranks) */
  double *centroids;             /* k x d of the best restart; owned */
} kseg_sweep_row;

/* A per-k column a caller adds to the sweep before writing it, e.g. kseg
 * run's cross-validated campaign profit (docs/plan.md): written as
 * /sweep/<name>. */
#define KSEG_SWEEP_MAX_EXTRA 8
typedef struct kseg_sweep_extra {
  char name[64];
  double *values; /* n_k values in row order, NaN where undefined; owned */
} kseg_sweep_extra;

typedef struct kseg_sweep_result {
  int64_t n, d;
  int64_t n_k;                   /* rows[] in increasing k */
  kseg_sweep_row *rows;
  int64_t recommended_k;
  int64_t elbow_k;               /* Kneedle knee of the inertia curve */
  int64_t gap_k;                 /* 1-SE rule among candidates, -1 without gap */
  char recommendation[1024];     /* the sentence: which metrics voted for what */
  /* A caller that chooses k by its own rule (kseg run: the k that pays)
   * sets k_business (-1: none) and business_rule, and replaces
   * recommended_k and recommendation; k_internal and internal_recommendation
   * keep the vote. All are written when k_internal > 0. */
  int64_t k_internal, k_business;
  char internal_recommendation[1024];
  char business_rule[1024];
  int n_extra;
  kseg_sweep_extra extra[KSEG_SWEEP_MAX_EXTRA];
  int64_t k_resumed;             /* ks taken from the checkpoint */
  double seconds;                /* whole sweep, max over ranks */
} kseg_sweep_result;

/* Defaults: k 2..12, n_init 4, max_iter 300, tol 1e-4, seed 0, exact
 * silhouette, no gap, no stability, max_segments 8, no checkpoint. Local. */
void kseg_sweep_options_default(kseg_sweep_options *opt);

/* Run the sweep on the rows of x (each rank its block). On success *out is
 * filled (free with kseg_sweep_result_clear) and, when opt->checkpoint is set,
 * the checkpoint is left in place for the caller to remove once the output is
 * written. Errors, agreed: KSEG_ERR_INPUT for a bad range (k_min < 2,
 * k_min > k_max, k_max >= N), bad options, non-finite data, a checkpoint that
 * does not match the options or the input (message names what differs);
 * KSEG_ERR_IO for MPI, memory or checkpoint write failures. Collective. */
int kseg_sweep_run(MPI_Comm comm, const kseg_matrix *x, const kseg_sweep_options *opt, kseg_sweep_result *out);

void kseg_sweep_result_clear(kseg_sweep_result *r);

/* A new extra column `name` of r->n_k NaNs; returns its values (owned by r)
 * or NULL (KSEG_ERR_IO recorded: out of memory or KSEG_SWEEP_MAX_EXTRA
 * reached). Local. */
double *kseg_sweep_add_extra(kseg_sweep_result *r, const char *name);

/* Write the sweep to `path` (group /sweep, layout in docs/sweep.md) under a
 * temporary name, renamed when complete. `final` adds the recommendation
 * attributes (and the extra columns and the business choice when set); a
 * checkpoint (final = false) adds the fingerprint. Collective. */
int kseg_sweep_write(MPI_Comm comm, const char *path, const kseg_sweep_result *r, const kseg_sweep_options *opt,
                     const char *fingerprint, bool final);

/* The options fingerprint: every option that changes a result (not
 * max_segments, which only changes the choice made at the end), and N, D,
 * the dtype and a rank-invariant hash of the data. Caller frees. Collective. */
int kseg_sweep_fingerprint(MPI_Comm comm, const kseg_matrix *x, const kseg_sweep_options *opt, char **fingerprint);

/* Read the finished ks of checkpoint `path` into r (r->rows, r->n_k, with
 * centroids); KSEG_ERR_INPUT when it is missing, unreadable or its
 * fingerprint differs from `fingerprint`. Collective. */
int kseg_sweep_checkpoint_read(MPI_Comm comm, const char *path, const char *fingerprint, int64_t d,
                               kseg_sweep_result *r);

/* ---- selection (evaluate/sweep/select.c); pure functions, Local ---- */

/* Kneedle (Satopaa et al. 2011) on a decreasing convex curve y(k): with k and
 * y normalized to [0, 1], the index of the largest (1 - y_n) - x_n (ties: the
 * smaller k). 0 when n < 3 or the curve is flat. */
int64_t kseg_sweep_kneedle(const int64_t *k, const double *y, int64_t n);

/* Tibshirani's 1-SE rule over rows[0..n): the smallest k with
 * gap(k) >= gap(k+1) - s(k+1), looking only at k <= max_k (k+1 may exceed
 * it) and consecutive ks; -1 when no gap was computed or no k qualifies. */
int64_t kseg_sweep_gap_rule(const kseg_sweep_row *rows, int64_t n, int64_t max_k);

/* Fill r->recommended_k, r->elbow_k, r->gap_k and r->recommendation from
 * r->rows (see docs/sweep.md). KSEG_ERR_INPUT when no k <= max_segments was
 * swept. */
int kseg_sweep_recommend(kseg_sweep_result *r, int64_t max_segments);

/* ---- gap statistic and stability (evaluate/sweep/gap.c, evaluate/sweep/stability.c) ---- */

/* The PCA-aligned bounding box of the data, found once per sweep. */
typedef struct kseg_sweep_box {
  int64_t d;
  double *mean; /* d */
  double *rot;  /* d x d, column j = j-th eigenvector of the covariance */
  double *lo, *hi; /* d, range of the rotated, centred data */
} kseg_sweep_box;

/* Column means and covariance (exact fixed-point sums), eigenvectors
 * (LAPACKE_dsyevd on the root, broadcast), min/max of the rotated rows.
 * Free with kseg_sweep_box_clear. Collective. */
int kseg_sweep_box_compute(MPI_Comm comm, const kseg_matrix *x, kseg_sweep_box *box);
void kseg_sweep_box_clear(kseg_sweep_box *box);

/* Gap statistic at k: B uniform reference sets in the box (row i of set b
 * keyed by (seed, b, i), so rank-invariant), each clustered with k-means
 * (n_init 1, max_iter and tol of opt); gap = mean_b log W*_kb - log(inertia),
 * se = sd_b(log W*_kb) sqrt(1 + 1/B). Collective. */
int kseg_sweep_gap(MPI_Comm comm, const kseg_matrix *x, const kseg_sweep_box *box, int64_t k, double inertia,
                   const kseg_sweep_options *opt, double *gap, double *se);

/* Stability at k: B subsamples of about 80 % of the rows (row i of
 * subsample b kept when a hash of (seed, b, i) says so), each refit with k
 * and the options of opt; the mean over b of the adjusted Rand index between
 * the subsample's labels and `labels` (the full fit's, this rank's rows) on
 * the same rows, clipped to [0, 1]. Collective. */
int kseg_sweep_stability(MPI_Comm comm, const kseg_matrix *x, const int32_t *labels, int64_t k,
                         const kseg_sweep_options *opt, double *stability);

#ifdef __cplusplus
}
#endif

#endif
