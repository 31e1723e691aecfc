/* registry.h - the table of k-means kernels, [algorithm][dtype]; not part of
 * the public API. */
#ifndef KSEG_KMEANS_REGISTRY_H
#define KSEG_KMEANS_REGISTRY_H

#include <stdint.h>

#include "kmeans/internal.h"

/* One cell: an algorithm's driver (the kseg_km_kernel_fn contract) and the
 * typed kernels of one data type it runs on (data->ops). */
typedef struct kseg_km_kernel {
  kseg_kmeans_algorithm algorithm;
  const char *name;
  kseg_km_kernel_fn run;
  kseg_km_runs_fn runs; /* restarts side by side, or NULL: one at a time */
  const kseg_km_ops *ops;
} kseg_km_kernel;

/* The kernel for an algorithm and a data type (AUTO: kseg_km_auto, Hamerly
 * with its switch to Lloyd's pass). NULL if either is unknown. Local. */
const kseg_km_kernel *kseg_km_kernel_find(kseg_kmeans_algorithm algorithm, kseg_dtype dtype);

#endif
