/* elkan.h - Elkan's k-means; not part of the public API. */
#ifndef KSEG_KMEANS_ELKAN_H
#define KSEG_KMEANS_ELKAN_H

#include <stdint.h>

#include "kmeans/internal.h"

/* Elkan's k-means: bounds per (row, centroid) skip single distances (4 k
 * bytes per row); Lloyd's results bit for bit. A kseg_km_kernel_fn
 * (internal.h). Collective, result agreed. */
int kseg_km_elkan(MPI_Comm comm, const kseg_km_data *data, int64_t k, int max_iter, double *centroids,
                  int32_t *labels, kseg_km_run *run);

#endif
