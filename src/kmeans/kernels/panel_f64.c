/* panel_f64.c - the E-step micro-kernel and its searches (panel.h) for float64 rows. */
#define KM_F64
#include "kmeans/kernels/panel.h"
