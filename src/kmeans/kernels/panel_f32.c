/* panel_f32.c - the E-step micro-kernel and its searches (panel.h) for float32 rows. */
#define KM_F32
#include "kmeans/kernels/panel.h"
