/* block_f32.c - nearest() in blocks (block.h) for float32 rows: kseg_kmeans_assign,
 * Hamerly's search, the centroid tables. */
#define KM_F32
#include "kmeans/kernels/block.h"
