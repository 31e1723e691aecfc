/* hamerly.h - Hamerly's k-means; not part of the public API. */
#ifndef KSEG_KMEANS_HAMERLY_H
#define KSEG_KMEANS_HAMERLY_H

#include <stdbool.h>
#include <stdint.h>

#include "kmeans/internal.h"

/* Hamerly's k-means: one upper and one lower bound per row skip the rows that
 * cannot change label; Lloyd's results bit for bit. A kseg_km_kernel_fn
 * (internal.h). Collective, result agreed. */
int kseg_km_hamerly(MPI_Comm comm, const kseg_km_data *data, int64_t k, int max_iter, double *centroids,
                    int32_t *labels, kseg_km_run *run);

/* auto's switch to Lloyd: a run whose bounds left more than this share of
 * the rows to search in each of its iterations 1 .. KSEG_KM_PROBE_ITERS
 * (0-based; iteration 0 has no bounds) searches every row with Lloyd's pass
 * from then on. Measured (docs/speed.md, "auto"): Hamerly searching all rows
 * costs about 1.5x Lloyd's pass, but at 94 % searched it is still 1.18x
 * faster; on noise at d = 128, k = 64 the share reaches 99 % around
 * iteration 5 (one restart of two switched there), at d = 1024 it stays
 * above it. */
#define KSEG_KM_LLOYD_SHARE 0.99
#define KSEG_KM_PROBE_ITERS 5

/* R <= KSEG_KM_RUNS Hamerly runs of one fit side by side, run r from
 * centroids[r] with the contract of kseg_km_kernel_fn into labels[r],
 * assigned[r] (NULL array or entry: not wanted) and runs[r]: each one's
 * bits are what it gives alone. data->restart is the first run's restart
 * (progress reports count from it); runs[r].iter_seconds is the shared
 * time divided evenly. may_switch (auto): a run whose bounds spare too few
 * rows goes on with Lloyd's pass (KSEG_KM_LLOYD_SHARE), the same bits.
 * Collective, result agreed. */
int kseg_km_hamerly_runs(MPI_Comm comm, const kseg_km_data *data, int64_t k, int max_iter, int R,
                         double *const *centroids, int32_t *const *labels, double *const *assigned,
                         kseg_km_run *runs, bool may_switch);

/* Hamerly's k-means that switches a run to Lloyd's pass when its bounds
 * spare too few rows (see kseg_km_hamerly_runs): the registry's auto. */
int kseg_km_auto(MPI_Comm comm, const kseg_km_data *data, int64_t k, int max_iter, double *centroids,
                 int32_t *labels, kseg_km_run *run);

/* kseg_km_hamerly_runs as a kseg_km_runs_fn (internal.h), without and with
 * auto's switch to Lloyd's pass. */
int kseg_km_hamerly_side(MPI_Comm comm, const kseg_km_data *data, int64_t k, int max_iter, int R,
                         double *const *centroids, int32_t *const *labels, double *const *assigned,
                         kseg_km_run *runs);
int kseg_km_auto_side(MPI_Comm comm, const kseg_km_data *data, int64_t k, int max_iter, int R,
                      double *const *centroids, int32_t *const *labels, double *const *assigned, kseg_km_run *runs);

#endif
