/* kseg_warmstart.h - retraining a grown customer base from an old model:
 * carry the old segments into the new feature space, fit from there, keep
 * the old segment ids (Hungarian matching on centroid distance), and measure
 * what changed (drift). Rules and reasons: docs/run.md, "Retraining".
 */
#ifndef KSEG_WARMSTART_H
#define KSEG_WARMSTART_H

#include <mpi.h>
#include <stdint.h>

#include "kseg/kseg_kmeans.h"
#include "kseg/kseg_model.h"
#include "kseg/kseg_types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Minimum-cost assignment (Hungarian algorithm with potentials,
 * O(n^2 m) for n = min(rows, cols), m = max): cost is rows x cols row-major,
 * finite. assign[r] = the column given to row r, or -1 when rows > cols and
 * row r got none. Ties resolve deterministically. KSEG_ERR_IO on memory.
 * Local. */
int kseg_warmstart_hungarian(int rows, int cols, const double *cost, int *assign);

/* The old segments carried into the new feature space: the old model scores
 * the new base (its own preprocessing and centroids), and segment s's carried
 * centroid is the mean of the new features x of the customers it puts in s
 * (exact sums). carried[k_old x d]. A segment that gets nobody takes centroid
 * s of a k-means++ draw over x (keyed by seed), and *n_empty counts them.
 * Collective. */
int kseg_warmstart_carry(MPI_Comm comm, const kseg_model *old, const kseg_table *raw, const kseg_matrix *x,
                         uint64_t seed, double *carried, int *n_empty);

/* Initial centroids for k segments from the carried ones: k == k_old: all of
 * them; k < k_old: the k largest old segments (most customers, ties to the
 * lower id), in id order; k > k_old: all, then centroids k_old..k-1 of a
 * k-means++ draw over x. init[k x d]. Collective. */
int kseg_warmstart_init(MPI_Comm comm, const kseg_model *old, const kseg_table *raw, const kseg_matrix *x, int k,
                        uint64_t seed, double *init, int *n_empty);

/* Segment ids for the fitted segments: Hungarian matching of the fitted
 * centroids (k_new x d) to the carried old ones (k_old x d) on squared
 * distance. A matched segment keeps its old id when every old id fits below
 * k_new; otherwise (fewer segments) matched segments are numbered in the
 * order of their old ids; unmatched new segments take the next ids.
 * new_id[k_new]: the id of fitted segment j; old_to_new[k_old]: the new id
 * of old segment i, -1 when it vanished. Local. */
int kseg_warmstart_match(const double *carried, int k_old, const double *fitted, int k_new, int64_t d, int *new_id,
                         int *old_to_new);

/* Renumber labels (n entries) and centroids (k x d) by new_id. Local. */
int kseg_warmstart_relabel(int32_t *labels, int64_t n, double *centroids, int k, int64_t d, const int *new_id);

/* After a fit from kseg_warmstart_init's centroids: give the fitted
 * segments of r the old ids. Carries the old segments into x again
 * (kseg_warmstart_carry), matches r's centroids to them
 * (kseg_warmstart_match) and renumbers r's labels and centroids in place
 * (kseg_warmstart_relabel). old_to_new[k_old] receives the new id of each
 * old segment, -1 when it vanished (NULL: not wanted). Collective; status
 * agreed. */
int kseg_warmstart_keep_ids(MPI_Comm comm, const kseg_model *old, const kseg_table *raw, const kseg_matrix *x,
                            uint64_t seed, kseg_kmeans_result *r, int *old_to_new);

typedef struct kseg_drift {
  int k_old, k_new;
  int64_t old_rows;     /* customers in the old training set */
  int64_t matched;      /* of them, found in the new base */
  int64_t moved;        /* matched customers whose segment id changed */
  double moved_share;   /* moved / matched (NaN when none matched) */
  double ari;           /* adjusted Rand index, old vs new labels, on the matched customers */
  int by_position;      /* 1: customers matched by row position (no ID column) */
} kseg_drift;

/* Join the old training customers (keys and labels stored in `old_path`)
 * with the new base (keys[n_local], labels[n_local] in the new ids, this
 * rank's rows) by key: every record goes to the rank key % P
 * (MPI_Alltoallv), which joins its share in a hash table, so no rank holds
 * more than its share of either set. old_to_new as from kseg_warmstart_match.
 * Collective; status agreed. */
int kseg_warmstart_drift(MPI_Comm comm, const char *old_path, const kseg_model *old, const int *old_to_new,
                         const uint64_t *keys, const int32_t *labels, int64_t n_local, int k_new, kseg_drift *out);

/* Each new customer's segment in the old model's training set: the old
 * training keys and labels stored in `old_path` joined with this rank's
 * keys[n_local] (as kseg_warmstart_drift joins them: by key, every record to
 * the rank key % P), the answers sent back to the row's rank.
 * previous[n_local]: the old segment id, -1 when the customer was not in the
 * old training set (an id repeated there: its first training row).
 * Collective; status agreed. */
int kseg_warmstart_previous(MPI_Comm comm, const char *old_path, const uint64_t *keys, int64_t n_local,
                            int32_t *previous);

/* Write drift.json (root; temporary name then rename): the numbers of d,
 * per old segment its new id and the shift of its mean in original units
 * (old->original vs new_original, features by name), and the segments that
 * appeared or vanished. Collective; status agreed. */
int kseg_warmstart_write_json(MPI_Comm comm, const char *path, const kseg_drift *d, const kseg_model *old,
                              const kseg_model *fresh, const int *old_to_new);

#ifdef __cplusplus
}
#endif

#endif
