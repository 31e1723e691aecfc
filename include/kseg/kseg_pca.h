/* kseg_pca.h - principal components of a row-distributed matrix.
 *
 * Column means and the centred cross-product (X - mean)^T (X - mean) are
 * reduced as exact fixed-point integer sums (kseg_fixed.h), so the covariance
 * has the same bits for any rank or thread count; the root eigendecomposes it
 * (LAPACKE_dsyevd) and broadcasts the result. Memory: O(D^2) per thread, no
 * rows move. Conventions follow scikit-learn's PCA: explained_variance uses
 * ddof = 1, explained_variance_ratio divides by the total variance, and a
 * fraction picks the fewest components whose cumulative ratio exceeds it.
 * Each component's sign is fixed so that its largest absolute loading (the
 * first, on ties) is positive.
 */
#ifndef KSEG_PCA_H
#define KSEG_PCA_H

#include <mpi.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct kseg_pca {
  int d;                     /* input columns */
  int n_components;
  double *mean;              /* d */
  double *components;        /* n_components x d, row-major, unit rows */
  double *explained_variance;       /* n_components, descending */
  double *explained_variance_ratio; /* n_components */
  double total_variance;     /* sum of the column variances (ddof = 1) */
  int64_t n_rows;            /* rows fitted on */
} kseg_pca;

/* Fit on this rank's rows X[n_local x d] (row-major, finite values), using
 * the rows whose mask entry is non-zero (mask NULL: all). `want` >= 1: that
 * many components (an integer, at most d); 0 < want < 1: the fewest whose
 * cumulative explained-variance ratio exceeds `want`. Errors: bad `want`
 * (KSEG_ERR_INPUT), fewer than 2 rows (KSEG_ERR_INPUT), LAPACK failure
 * (KSEG_ERR_IO). Collective; status agreed. Free with kseg_pca_clear. */
int kseg_pca_fit(MPI_Comm comm, const double *X, int64_t n_local, int d, const int8_t *mask, double want,
                 kseg_pca *out);

/* Project rows: out[i x n_components] = (X[i] - mean) . components^T, in a
 * fixed order per row. Local. */
void kseg_pca_project(const kseg_pca *p, const double *X, int64_t n_local, double *out);

/* NULL-safe; leaves *p zeroed. */
void kseg_pca_clear(kseg_pca *p);

#ifdef __cplusplus
}
#endif

#endif
