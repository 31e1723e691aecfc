/* relocate.c - empty clusters, in one place: scikit-learn's relocation rule
 * on the reduced sums, identical on every rank. */
#include "kmeans/relocate.h"

#include <math.h>
#include <stdlib.h>

#include "kmeans/rows.h"
#include "kseg/kseg_error.h"

/* scikit-learn's _relocate_empty_clusters_dense, the one place kseg handles
 * empty clusters: each empty cluster, in index order, takes the row farthest
 * from the centroid it was just assigned against (next farthest for the next
 * empty cluster; ties to the lowest global row). The row leaves its old
 * cluster's sum and count and becomes the empty cluster's sum with count 1;
 * its label is left unchanged, as in scikit-learn. scikit-learn takes the
 * farthest rows from an argpartition, unordered beyond the first; kseg takes
 * them in decreasing distance. Works on the reduced sums, so it is exact and
 * identical on every rank. The distances come from one pass of the
 * canonical kernel (kseg_kmeans_assign), whatever kernel ran the iteration:
 * empty clusters are rare, and every kernel's labels equal that pass's.
 * Collective. */
int kseg_km_relocate_empty(MPI_Comm comm, const kseg_km_data *data, int64_t k, const double *assigned,
                           const int32_t *labels, kseg_i128 *packed)
{
  const kseg_matrix *x = data->x;
  const int64_t d = x->d, kd = k * d, nl = x->n_local;
  kseg_i128 *sums = packed, *counts = packed + kd;
  const size_t nls = (size_t)(nl > 0 ? nl : 1);
  double *mind = kseg_malloc(nls * sizeof(double), "k-means distances");
  int32_t *scratch = kseg_malloc(nls * sizeof(int32_t), "k-means labels");
  int64_t *empty = kseg_malloc((size_t)k * sizeof(int64_t), "k-means empty clusters");
  int64_t *taken = kseg_malloc((size_t)k * sizeof(int64_t), "k-means empty clusters");
  double *row = kseg_malloc((size_t)d * sizeof(double), "k-means row");
  int st = (mind && scratch && empty && taken && row) ? KSEG_OK : KSEG_ERR_IO;
  if (st == KSEG_OK) st = kseg_kmeans_assign(x, assigned, k, scratch, mind);
  st = kseg_comm_agree(comm, st);
  int64_t n_empty = 0;
  if (st == KSEG_OK)
    for (int64_t c = 0; c < k; c++)
      if (counts[c] == 0) empty[n_empty++] = c;
  for (int64_t e = 0; e < n_empty && st == KSEG_OK; e++) {
    double best = -INFINITY;
    int64_t best_row = INT64_MAX;
    for (int64_t i = 0; i < nl; i++) {
      if (!(mind[i] > best)) continue;
      bool is_taken = false;
      for (int64_t t = 0; t < e; t++) is_taken |= taken[t] == x->row0 + i;
      if (is_taken) continue;
      best = mind[i];
      best_row = x->row0 + i;
    }
    double global_best = best;
    KSEG_CHECK_GOTO(kseg_comm_max_f64(comm, &global_best, 1), st, out);
    int64_t r = best == global_best ? best_row : INT64_MAX;
    KSEG_CHECK_GOTO(kseg_comm_min_i64(comm, &r, 1), st, out);
    if (r == INT64_MAX) {
      st = kseg_error_set(KSEG_ERR_INPUT, "fewer rows than clusters to relocate");
      goto out;
    }
    int64_t old = r >= x->row0 && r < x->row0 + nl ? labels[r - x->row0] : -1;
    KSEG_CHECK_GOTO(kseg_comm_max_i64(comm, &old, 1), st, out);
    KSEG_CHECK_GOTO(kseg_km_fetch_rows(comm, x, &r, 1, row), st, out);
    const int64_t c = empty[e];
    for (int64_t j = 0; j < d; j++) {
      const int64_t v = kseg_km_fix(&data->fx, row[j]);
      sums[old * d + j] -= v;
      sums[c * d + j] = v;
    }
    counts[old] -= 1;
    counts[c] = 1;
    taken[e] = r;
  }
out:
  free(mind);
  free(scratch);
  free(empty);
  free(taken);
  free(row);
  return kseg_comm_agree(comm, st);
}
