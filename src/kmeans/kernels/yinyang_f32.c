/* yinyang_f32.c - Yinyang's row search (yinyang.h) for float32 rows. */
#define KM_F32
#include "kmeans/kernels/yinyang.h"
