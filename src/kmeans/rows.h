/* rows.h - the helpers the rest of k-means builds on: max |x|, rows fetched
 * across ranks, the exact inertia, the fixed-point scale of distances; not
 * part of the public API. Each takes the matrix and reaches the kernels of
 * its dtype itself, so it serves any matrix (the candidates of k-means||
 * are one). */
#ifndef KSEG_KMEANS_ROWS_H
#define KSEG_KMEANS_ROWS_H

#include <stdint.h>

#include "kmeans/internal.h"

/* Global max |x| (0 for an empty matrix). Collective. */
int kseg_km_max_abs(MPI_Comm comm, const kseg_matrix *x, double *max_abs);

/* Copy global rows idx[0..m) (as double) into out[m x d] on every rank. The
 * owner contributes the bytes and the others zeros, combined with a bitwise
 * OR, so the rows arrive bit-exact in one collective. Collective. */
int kseg_km_fetch_rows(MPI_Comm comm, const kseg_matrix *x, const int64_t *idx, int64_t m, double *out);

/* kseg_kmeans_inertia with the matrix's max |x| already known. Collective. */
int kseg_km_inertia(MPI_Comm comm, const kseg_matrix *x, double max_abs, const double *centroids, int64_t k,
                    const int32_t *labels, double *inertia);
/* kseg_km_inertia of R runs (restarts) over the same rows in one pass:
 * run r's centroids[r] and labels[r] give inertia[r], bit for bit what
 * kseg_km_inertia gives it (each block of rows, read once, is summed for
 * every run in turn). Collective. */
int kseg_km_inertia_runs(MPI_Comm comm, const kseg_matrix *x, double max_abs, int R, const double *const *centroids,
                         int64_t k, const int32_t *const *labels, double *inertia);

/* Fixed-point scale for squared distances between points whose coordinates
 * are bounded by `max_abs`: d x (2 max_abs)^2 bounds every such distance.
 * Local. */
kseg_fixed kseg_km_dist_fixed(int64_t d, double max_abs);

/* The kernels of x's dtype, or KSEG_ERR_INPUT (with a message) when it is
 * neither float64 nor float32. Local, but every rank holds the same dtype,
 * so the status is already agreed. */
int kseg_km_ops_for(const kseg_matrix *x, const kseg_km_ops **ops);

#endif
