/* seed_f32.c - the distances of k-means++ and k-means|| (seed.h) for float32 rows. */
#define KM_F32
#include "kmeans/kernels/seed.h"
