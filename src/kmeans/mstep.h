/* mstep.h - the M-step every k-means kernel shares; not part of the public
 * API. */
#ifndef KSEG_KMEANS_MSTEP_H
#define KSEG_KMEANS_MSTEP_H

#include <stdint.h>

#include "kmeans/internal.h"

/* Centroids from the reduced packed sums and counts (k x d sums, then k
 * counts); returns the total squared shift from cold and, if moved is not
 * NULL, each centroid's shift |new - old| (not widened). Local. */
double kseg_km_update_centroids(const kseg_km_data *data, int64_t k, const kseg_i128 *packed, const double *cold,
                                double *centroids, double *moved);

#endif
