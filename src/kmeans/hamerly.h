/* hamerly.h - Hamerly's k-means; not part of the public API. */
#ifndef KSEG_KMEANS_HAMERLY_H
#define KSEG_KMEANS_HAMERLY_H

#include <stdint.h>

#include "kmeans/internal.h"

/* Hamerly's k-means: one upper and one lower bound per row skip the rows that
 * cannot change label; Lloyd's results bit for bit. A kseg_km_kernel_fn
 * (internal.h). Collective, result agreed. */
int kseg_km_hamerly(MPI_Comm comm, const kseg_km_data *data, int64_t k, int max_iter, double *centroids,
                    int32_t *labels, kseg_km_run *run);

#endif
