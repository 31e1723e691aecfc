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

/* Runs side by side in one pass over the rows: at most this many. */
#define KSEG_KM_RUNS 4

/* R <= KSEG_KM_RUNS Hamerly runs of one fit side by side, run r from
 * centroids[r] with the contract of kseg_km_kernel_fn into labels[r],
 * assigned[r] (NULL array or entry: not wanted) and runs[r]: each one's
 * bits are what it gives alone. data->restart is the first run's restart
 * (progress reports count from it); runs[r].iter_seconds is the shared
 * time divided evenly. Collective, result agreed. */
int kseg_km_hamerly_runs(MPI_Comm comm, const kseg_km_data *data, int64_t k, int max_iter, int R,
                         double *const *centroids, int32_t *const *labels, double *const *assigned,
                         kseg_km_run *runs);

#endif
