/* seed_f64.c - the distances of k-means++ and k-means|| (seed.h) for float64 rows. */
#define KM_F64
#include "kmeans/kernels/seed.h"
