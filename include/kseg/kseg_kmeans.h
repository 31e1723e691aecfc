/* kseg_kmeans.h - distributed k-means: initialization (k-means++, k-means||,
 * random rows, given centroids), Lloyd iterations with scikit-learn's
 * semantics, restarts, and the pieces later modules reuse (assignment of rows
 * to given centroids, inertia of given labels).
 *
 * Every rank passes its row block of the same N x D matrix (kseg_matrix from
 * kseg_types.h, float64 or float32). Results are bit-identical for any number
 * of ranks and threads: per-cluster sums, potentials and inertia are exact
 * fixed-point integers (kseg_fixed.h), random draws are keyed by global row
 * index or step (kseg_rng.h), and the distance of a row is computed by the
 * same code whatever rank or thread holds it.
 *
 * Empty clusters follow scikit-learn's _relocate_empty_clusters_dense, in one
 * place (src/kmeans/relocate.c): each empty cluster, in index order, takes
 * the row farthest from the centroid it was assigned to (ties: lowest global
 * row), removed from its old cluster's sum; that row's label is left
 * unchanged.
 */
#ifndef KSEG_KMEANS_H
#define KSEG_KMEANS_H

#include <mpi.h>
#include <stdbool.h>
#include <stdint.h>

#include "kseg/kseg_types.h"
#include "kseg/kseg_rng.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum kseg_kmeans_init {
  KSEG_INIT_KMEANSPP = 0, /* greedy k-means++ (scikit-learn's variant), the default */
  KSEG_INIT_KMEANS_PAR = 1, /* k-means|| (Bahmani et al. 2012), then weighted k-means++ */
  KSEG_INIT_RANDOM = 2,   /* k distinct rows, uniform over global row indices */
  KSEG_INIT_GIVEN = 3     /* opt->init_centroids */
} kseg_kmeans_init;

typedef enum kseg_kmeans_algorithm {
  KSEG_ALGO_AUTO = 0,   /* the default: picked by k and d (Hamerly, the fastest measured; docs/speed.md) */
  KSEG_ALGO_LLOYD = 1,
  KSEG_ALGO_HAMERLY = 2, /* Hamerly's bounds skip rows that cannot move; same results as Lloyd */
  KSEG_ALGO_ELKAN = 3,   /* Elkan's bounds per (row, centroid) skip distances; same results as Lloyd */
  KSEG_ALGO_YINYANG = 4  /* Yinyang's bounds per (row, centroid group); same results as Lloyd */
} kseg_kmeans_algorithm;

/* Called on every rank after each Lloyd iteration with identical arguments:
 * the restart, the iteration (from 1), the inertia of that iteration's
 * assignment (against the centroids it started from; NaN for kernels that
 * do not compute every distance) and the number of rows whose label changed. For progress reports; it must not communicate. */
typedef void (*kseg_kmeans_progress_fn)(void *ctx, int restart, int iter, double inertia, int64_t changed);
/* Where a fit stands after some iteration, enough to continue it
 * bit-identically: the exact fixed-point sums make an iteration a function of
 * the centroids alone, and the "rows changed" test of the next iteration needs
 * only the labels, which are the assignment against `prev`. The best earlier
 * restart is kept as its final centroids plus the centroids its labels were
 * assigned against (`best_assigned`), so its labels can be recomputed
 * exactly. Arrays are k x d, identical on every rank. */
typedef struct kseg_kmeans_checkpoint {
  int restart;            /* the restart in progress */
  int iter;               /* iterations it has completed (>= 1) */
  const double *centroids; /* after those iterations */
  const double *prev;     /* before the last one: the labels' centroids */
  int best_restart;       /* -1 when restart == 0 (no earlier restart) */
  double best_inertia;
  int best_n_iter;
  bool best_converged;
  const double *best_centroids, *best_assigned; /* NULL when best_restart < 0 */
} kseg_kmeans_checkpoint;

/* Called after every checkpoint_every-th iteration with the state above;
 * returns a status (agreed by the caller). Collective. */
typedef int (*kseg_kmeans_checkpoint_fn)(MPI_Comm comm, const kseg_kmeans_checkpoint *cp, void *ctx);

/* What a fit needs to know about the matrix alone, whatever k: computed by
 * kseg_kmeans_facts_compute once and handed to every fit of a sweep through
 * kseg_kmeans_options.facts, instead of four passes over the rows per fit
 * (finite check, max |x| twice, the column variances for tol). */
typedef struct kseg_kmeans_facts {
  double max_abs;  /* global max |x| */
  double mean_var; /* mean over columns of the population variance (scikit-learn's _tolerance / tol) */
} kseg_kmeans_facts;

typedef struct kseg_kmeans_options {
  int64_t k;
  kseg_kmeans_init init;
  const double *init_centroids; /* KSEG_INIT_GIVEN: k x d, identical on every rank; borrowed */
  int n_init;                   /* restarts (>= 1); with KSEG_INIT_GIVEN every restart
                                   would be the same, so one is run */
  int max_iter;                 /* >= 1, default 300 */
  double tol;                   /* >= 0, default 1e-4, relative to the mean feature variance */
  uint64_t seed;                /* default 0 */
  kseg_kmeans_algorithm algorithm;
  kseg_kmeans_progress_fn progress; /* NULL: none */
  void *progress_ctx;
  int checkpoint_every;         /* 0: never; else call `checkpoint` every this many iterations */
  kseg_kmeans_checkpoint_fn checkpoint;
  void *checkpoint_ctx;
  const kseg_kmeans_checkpoint *resume; /* continue from this state (from a checkpoint of the same
                                           data and options); NULL: start afresh; borrowed */
  const kseg_kmeans_facts *facts; /* of this very matrix, from kseg_kmeans_facts_compute; NULL: the fit
                                     computes them; borrowed */
} kseg_kmeans_options;

typedef struct kseg_kmeans_result {
  int64_t k, d;
  double *centroids;   /* k x d, identical on every rank; owned */
  int64_t row0, n_local;
  int32_t *labels;     /* n_local labels of this rank's rows; owned */
  double inertia;      /* sum of squared distances of all rows to their centroid */
  int n_iter;          /* iterations of the best restart */
  bool converged;      /* labels stopped changing or the shift fell within tol */
  int best_restart;    /* lowest inertia, ties to the lowest restart */
  kseg_kmeans_algorithm algorithm; /* the kernel that ran (AUTO resolved) */
  double iter_seconds; /* time inside the Lloyd iterations (all restarts), max over ranks */
  double allreduce_seconds; /* part of iter_seconds spent in the per-iteration allreduce
                               (waiting for the slowest rank included), max over ranks */
  double seconds;      /* whole kseg_kmeans_fit call, max over ranks */
  double searched_share; /* Hamerly (and auto): rows searched per row and iteration over all
                            restarts, 1 once a restart searches every row; NaN for other kernels */
  int lloyd_restarts;  /* auto: restarts whose bounds spared too few rows, switched to Lloyd's pass */
} kseg_kmeans_result;

/* Defaults: k-means++, n_init 1, max_iter 300, tol 1e-4, seed 0, auto. Local. */
void kseg_kmeans_options_default(kseg_kmeans_options *opt);

/* Name of an init kind / algorithm ("k-means++", "lloyd", ...). Local. */
const char *kseg_kmeans_init_name(kseg_kmeans_init init);
const char *kseg_kmeans_algorithm_name(kseg_kmeans_algorithm algo);

/* Fit k-means on the rows of x (each rank its block). On success *out holds
 * the best restart (caller frees with kseg_kmeans_result_clear); on failure
 * *out is empty. Errors, agreed on every rank: KSEG_ERR_INPUT for k < 1,
 * k > N, bad options, a NaN or Inf in x (the message names the first bad
 * global row and column, and the column name when x->columns is set), given
 * centroids not finite, values so large (~1e150) that squared distances
 * overflow; KSEG_ERR_IO for MPI or memory failures. Collective. */
int kseg_kmeans_fit(MPI_Comm comm, const kseg_matrix *x, const kseg_kmeans_options *opt,
                    kseg_kmeans_result *out);

/* Free a result's arrays and zero it; NULL-safe. Local. */
void kseg_kmeans_result_clear(kseg_kmeans_result *r);

/* KSEG_ERR_INPUT naming the first (lowest global row, then column) NaN or
 * Inf of x; KSEG_OK when every value is finite. Collective. */
int kseg_kmeans_check_finite(MPI_Comm comm, const kseg_matrix *x);

/* Check that x is finite (error as kseg_kmeans_check_finite) and compute its
 * facts (identical on every rank). Collective, result agreed. */
int kseg_kmeans_facts_compute(MPI_Comm comm, const kseg_matrix *x, kseg_kmeans_facts *facts);

/* Initial centroids for restart `restart` of opt (k x d written to
 * `centroids`, identical on every rank). Draws are keyed by (opt->seed,
 * opt->k, restart), never by rank. Collective. */
int kseg_kmeans_init_centroids(MPI_Comm comm, const kseg_matrix *x, const kseg_kmeans_options *opt,
                               int restart, double *centroids);

/* Greedy k-means++ (scikit-learn's _kmeans_plusplus: 2 + floor(ln k) trials
 * per step, the candidate that lowers the total potential most wins) over the
 * rows of x, with draws from `key` (index = step, draw = trial). Writes k x d
 * centroids, identical on every rank. Collective. */
int kseg_kmeans_plusplus(MPI_Comm comm, const kseg_matrix *x, int64_t k, kseg_rng_key key,
                         double *centroids);

/* Assign each local row of x to its nearest of the k centroids (k x d,
 * squared Euclidean, ties to the lowest index): labels[n_local] and, when
 * dist2 != NULL, the squared distance dist2[n_local]. The same kernel as the
 * Lloyd iterations, so labels match fit's. OpenMP-parallel. Local. */
int kseg_kmeans_assign(const kseg_matrix *x, const double *centroids, int64_t k, int32_t *labels,
                       double *dist2);

/* Sum over all rows of the squared distance to centroids[labels[i]], exact
 * and order-independent (the same bits for any ranks/threads). Labels must be
 * in [0, k). Collective. */
int kseg_kmeans_inertia(MPI_Comm comm, const kseg_matrix *x, const double *centroids, int64_t k,
                        const int32_t *labels, double *inertia);

#ifdef __cplusplus
}
#endif

#endif
