/* block_f64.c - nearest() in blocks (block.h) for float64 rows: kseg_kmeans_assign,
 * Hamerly's search, the centroid tables. */
#define KM_F64
#include "kmeans/kernels/block.h"
