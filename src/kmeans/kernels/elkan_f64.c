/* elkan_f64.c - Elkan's row search (elkan.h) for float64 rows. */
#define KM_F64
#include "kmeans/kernels/elkan.h"
