/* kseg_ari.h - adjusted Rand index of two labellings of the same rows,
 * distributed: a k_a x k_b contingency table of int64 counts reduced across
 * ranks, then scikit-learn's adjusted_rand_score formula (pair confusion
 * matrix) in exact integer arithmetic. */
#ifndef KSEG_ARI_H
#define KSEG_ARI_H

#include <mpi.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ARI from a contingency table (row-major k_a x k_b, table[i * k_b + j] =
 * rows with label i in a and j in b), equal to sklearn's
 * adjusted_rand_score to the last bit while the pair counts fit in 128 bits
 * (N below about 3e9). 1.0 when the labellings agree (and for N < 2). Local. */
double kseg_ari_from_table(const int64_t *table, int k_a, int k_b);

/* ARI of labels a[n_local] in [0, k_a) and b[n_local] in [0, k_b), the rows
 * of this rank (every rank passes its own). KSEG_ERR_INPUT naming the first
 * local row whose label is out of range. Collective; result agreed. */
int kseg_ari_compute(MPI_Comm comm, const int32_t *a, int k_a, const int32_t *b, int k_b, int64_t n_local,
                     double *ari);

#ifdef __cplusplus
}
#endif

#endif
