/* elkan_f32.c - Elkan's row search (elkan.h) for float32 rows. */
#define KM_F32
#include "kmeans/kernels/elkan.h"
