/* dot_f32.c - Lloyd's dot-product E-step (dot.h) for float32 rows. */
#define KM_F32
#include "kmeans/kernels/dot.h"
