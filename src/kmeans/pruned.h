/* pruned.h - the iteration driver shared by the kernels that keep per-row
 * distance bounds (Elkan, Yinyang); not part of the public API.
 *
 * The driver owns what every such kernel does the same way as Hamerly: the
 * centroids rounded to the data's type, the exact fixed-point sums updated
 * only by rows that change label, the one allreduce per iteration, empty
 * clusters, the M-step, the widened centroid shifts, convergence, the final
 * E-step and the inertia. A kernel supplies the bounds and the row search,
 * under the error model of bounds.h. */
#ifndef KSEG_KMEANS_PRUNED_H
#define KSEG_KMEANS_PRUNED_H

#include <stdint.h>

#include "kmeans/internal.h"
#include "kmeans/kernels/kernels.h"

/* A bounded kernel: `prepare` runs once per iteration on every rank before
 * the rows (serial, may be NULL); `rows` searches local rows [i0, i1) on
 * OpenMP thread `thread`, sets their labels and bounds and moves each row
 * whose label changed (old label -1: only added) in the thread's split sums
 * with move_row, counting it in *changed. */
typedef struct kseg_km_pruned_ops {
  void *self;
  void (*prepare)(void *self, const kseg_km_pruned_ctx *ctx);
  void (*rows)(void *self, const kseg_km_pruned_ctx *ctx, int thread, int32_t *labels, int64_t i0, int64_t i1,
               int64_t *hi, uint64_t *lo, int64_t *counts, int64_t *changed);
} kseg_km_pruned_ops;

/* Runs the kernel with the kseg_km_kernel_fn contract (Lloyd's results bit
 * for bit). Collective, result agreed. */
int kseg_km_pruned_run(MPI_Comm comm, const kseg_km_data *data, int64_t k, int max_iter, double *centroids,
                       int32_t *labels, kseg_km_run *run, const kseg_km_pruned_ops *ops);

#endif
