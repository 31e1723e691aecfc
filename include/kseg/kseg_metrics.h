/* kseg_metrics.h - cluster validation metrics, distributed and bit-identical
 * for any rank/thread count (every global sum is exact fixed point).
 *
 * All functions take this rank's row block of the data (`x`, see kseg_h5io.h)
 * and the labels of those rows (n_local int32 in [0, k)); clusters with no
 * rows are ignored, as scikit-learn ignores labels that do not occur.
 * All are Collective and agree on their status. A label outside [0, k) is
 * KSEG_ERR_INPUT naming the global row.
 */
#ifndef KSEG_METRICS_H
#define KSEG_METRICS_H

#include <mpi.h>
#include <stdint.h>

#include "kseg/kseg_types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The number of segments a labelling names: one more than its largest
 * label over all ranks (0 without rows). labels[n_local] are global rows
 * row0.. of this rank. A negative label is KSEG_ERR_INPUT "label L of row R
 * is negative". Collective; status agreed. */
int kseg_metrics_label_k(MPI_Comm comm, const int32_t *labels, int64_t n_local, int64_t row0, int64_t *k);

/* Segment sizes: count[s] = rows labelled s over all ranks, s < k (labels
 * in [0, k)). Exact integer sums. Collective; status agreed. */
int kseg_metrics_label_counts(MPI_Comm comm, const int32_t *labels, int64_t n_local, int k, int64_t *count);

typedef struct kseg_cluster_stats {
  int k;            /* clusters asked for */
  int k_present;    /* clusters with at least one row */
  int64_t d;
  int64_t n;        /* rows */
  int64_t *counts;  /* k */
  double *centroids;/* k x d, mean of each cluster's rows (0 for empty) */
  double *mean;     /* d, mean of all rows */
} kseg_cluster_stats;

/* Counts, centroids and overall mean from labels. Free with
 * kseg_cluster_stats_clear. Collective. */
int kseg_cluster_stats_compute(MPI_Comm comm, const kseg_matrix *x, const int32_t *labels, int k,
                               kseg_cluster_stats *out);
void kseg_cluster_stats_clear(kseg_cluster_stats *s);

/* Rows made a block at a time, for callers that need not hold them all:
 * rows(ctx, i0, i1, out) writes local rows [i0, i1) (at most `block` of
 * them) as float64, row-major, into out[(i1 - i0) x d]. */
typedef struct kseg_row_source {
  int64_t row0, n_local, d, block;
  void (*rows)(const void *ctx, int64_t i0, int64_t i1, double *out);
  const void *ctx;
} kseg_row_source;

/* kseg_cluster_stats_compute of the rows src makes (twice each: once for
 * the bound of the exact sums, once for the sums), holding one block of
 * them: the same bits. Collective. */
int kseg_cluster_stats_by_blocks(MPI_Comm comm, const kseg_row_source *src, const int32_t *labels, int k,
                                 kseg_cluster_stats *out);

/* Inertia (sum of squared distances to the own centroid), Calinski-Harabasz
 * and Davies-Bouldin exactly as scikit-learn defines them
 * (calinski_harabasz_score, davies_bouldin_score). Needs 2 <= clusters
 * present <= n - 1, else KSEG_ERR_INPUT. Any output pointer may be NULL. */
int kseg_metrics_internal(MPI_Comm comm, const kseg_matrix *x, const int32_t *labels, int k, double *inertia,
                          double *calinski_harabasz, double *davies_bouldin);

/* Mean silhouette with Euclidean distances, equal to scikit-learn's
 * silhouette_score: row blocks are passed around the ranks in a ring
 * (O(N^2 D / P) time, O(rows per rank x (D + k)) memory). */
int kseg_metrics_silhouette_exact(MPI_Comm comm, const kseg_matrix *x, const int32_t *labels, int k,
                                  double *silhouette);

/* The same on a seeded uniform sample of `sample` rows drawn without
 * replacement, rank-invariantly (each row keyed by its global index), as
 * scikit-learn's sample_size does. O(sample^2 D / P) time, O(sample x D)
 * memory per rank. sample >= n gives the exact value. */
int kseg_metrics_silhouette_sampled(MPI_Comm comm, const kseg_matrix *x, const int32_t *labels, int k,
                                    int64_t sample, uint64_t seed, double *silhouette);

/* Spark ClusteringEvaluator's silhouette with squared Euclidean distances, in
 * O(N k D): a different quantity from the Euclidean silhouette, never to be
 * mixed up with it. */
int kseg_metrics_silhouette_sqeuclidean(MPI_Comm comm, const kseg_matrix *x, const int32_t *labels, int k,
                                        double *silhouette);

#ifdef __cplusplus
}
#endif

#endif
