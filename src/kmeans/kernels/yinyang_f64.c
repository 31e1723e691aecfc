/* yinyang_f64.c - Yinyang's row search (yinyang.h) for float64 rows. */
#define KM_F64
#include "kmeans/kernels/yinyang.h"
