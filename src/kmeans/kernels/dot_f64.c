/* dot_f64.c - Lloyd's dot-product E-step (dot.h) for float64 rows. */
#define KM_F64
#include "kmeans/kernels/dot.h"
