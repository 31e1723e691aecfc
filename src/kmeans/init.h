/* init.h - initial centroids for several restarts at once; not part of the
 * public API (one restart: kseg_kmeans_init_centroids in kseg_kmeans.h). */
#ifndef KSEG_KMEANS_INIT_H
#define KSEG_KMEANS_INIT_H

#include "kmeans/internal.h"

/* The initial centroids of restarts restart0 .. restart0 + R (R <=
 * KSEG_KM_RUNS) into centroids[q], each the same as
 * kseg_kmeans_init_centroids gives it alone. k-means++ seeds up to four
 * side by side (one read of the rows per step for all), as many as fit
 * KSEG_KM_SEED_BYTES per rank (init.c); other inits one by one.
 * Collective, result agreed. */
int kseg_km_init_restarts(MPI_Comm comm, const kseg_matrix *x, const kseg_kmeans_options *opt, int restart0, int R,
                          double *const *centroids);

#endif
