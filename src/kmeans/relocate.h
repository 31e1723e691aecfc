/* relocate.h - empty clusters, in one place; not part of the public API. */
#ifndef KSEG_KMEANS_RELOCATE_H
#define KSEG_KMEANS_RELOCATE_H

#include <stdint.h>

#include "kmeans/internal.h"

/* Empty clusters after a reduce: scikit-learn's relocation rule applied to
 * the reduced sums and counts in packed (k x d sums, then k counts), with the
 * distances to `assigned` (the centroids the labels were assigned against)
 * from one canonical pass. Labels are not changed. Every kernel calls it
 * (through kseg_km_partials_reduce), so all relocate identically.
 * Collective, result agreed. */
int kseg_km_relocate_empty(MPI_Comm comm, const kseg_km_data *data, int64_t k, const double *assigned,
                           const int32_t *labels, kseg_i128 *packed);

#endif
