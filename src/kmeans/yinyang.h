/* yinyang.h - Yinyang k-means; not part of the public API. */
#ifndef KSEG_KMEANS_YINYANG_H
#define KSEG_KMEANS_YINYANG_H

#include <stdint.h>

#include "kmeans/internal.h"

/* Yinyang k-means: bounds per (row, group of centroids) skip whole groups (8
 * k/10 bytes per row); Lloyd's results bit for bit. A kseg_km_kernel_fn
 * (internal.h). Collective, result agreed. */
int kseg_km_yinyang(MPI_Comm comm, const kseg_km_data *data, int64_t k, int max_iter, double *centroids,
                    int32_t *labels, kseg_km_run *run);

#endif
