/* registry.c - the table of k-means kernels: each algorithm's driver, for
 * each data type, with the typed kernels it runs on; looked up once per fit,
 * as BLIS looks up its kernels by operation and datatype. */
#include "kmeans/registry.h"

#include <stddef.h>

#include "kmeans/elkan.h"
#include "kmeans/hamerly.h"
#include "kmeans/kernels/kernels.h"
#include "kmeans/lloyd.h"
#include "kmeans/yinyang.h"

/* An algorithm's cells: one driver, written once in double, over each data
 * type's kernels. */
#define KSEG_KM_CELLS(algo, name, run, runs)                                                                \
  {                                                                                                         \
    [KSEG_F64] = {algo, name, run, runs, &kseg_km_ops_f64},                                                 \
    [KSEG_F32] = {algo, name, run, runs, &kseg_km_ops_f32},                                                 \
  }

static const kseg_km_kernel kernels[][2] = {
    /* auto: Hamerly, switching a restart to Lloyd's pass when its bounds
     * spare too few rows (hamerly.h); it reports itself as hamerly. Why not
     * by k and d: over the measured grid (docs/speed.md, "auto", d 8-1024,
     * k 2-256, customers, blobs and noise) Hamerly was the fastest kernel
     * at every point, Elkan and Yinyang 1.2-16x slower per iteration; only
     * the share of rows its bounds spare told Lloyd's pass apart. */
    [KSEG_ALGO_AUTO] = KSEG_KM_CELLS(KSEG_ALGO_HAMERLY, "hamerly", kseg_km_auto, kseg_km_auto_side),
    [KSEG_ALGO_LLOYD] = KSEG_KM_CELLS(KSEG_ALGO_LLOYD, "lloyd", kseg_km_lloyd, kseg_km_lloyd_runs),
    [KSEG_ALGO_HAMERLY] = KSEG_KM_CELLS(KSEG_ALGO_HAMERLY, "hamerly", kseg_km_hamerly, kseg_km_hamerly_side),
    [KSEG_ALGO_ELKAN] = KSEG_KM_CELLS(KSEG_ALGO_ELKAN, "elkan", kseg_km_elkan, NULL),
    [KSEG_ALGO_YINYANG] = KSEG_KM_CELLS(KSEG_ALGO_YINYANG, "yinyang", kseg_km_yinyang, NULL),
};

const kseg_km_kernel *kseg_km_kernel_find(kseg_kmeans_algorithm algorithm, kseg_dtype dtype)
{
  const size_t n_algo = sizeof kernels / sizeof kernels[0];
  if ((size_t)algorithm >= n_algo || !kernels[algorithm][0].run) return NULL;
  if (dtype != KSEG_F64 && dtype != KSEG_F32) return NULL;
  return &kernels[algorithm][dtype];
}
