/* lloyd.h - Lloyd's k-means; not part of the public API. */
#ifndef KSEG_KMEANS_LLOYD_H
#define KSEG_KMEANS_LLOYD_H

#include <stdint.h>

#include "kmeans/internal.h"

/* Lloyd's k-means (scikit-learn's _kmeans_single_lloyd), the reference every
 * other kernel reproduces bit for bit; the only one that checkpoints. A
 * kseg_km_kernel_fn (internal.h). Collective, result agreed. */
int kseg_km_lloyd(MPI_Comm comm, const kseg_km_data *data, int64_t k, int max_iter, double *centroids,
                  int32_t *labels, kseg_km_run *run);

/* R Lloyd runs side by side: a kseg_km_runs_fn (internal.h), each panel of
 * rows read and packed once for all runs. */
int kseg_km_lloyd_runs(MPI_Comm comm, const kseg_km_data *data, int64_t k, int max_iter, int R,
                       double *const *centroids, int32_t *const *labels, double *const *assigned,
                       kseg_km_run *runs);

#endif
