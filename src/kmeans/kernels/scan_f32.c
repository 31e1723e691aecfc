/* scan_f32.c - the double passes of the facts and helpers (scan.h) for float32 rows. */
#define KM_F32
#include "kmeans/kernels/scan.h"
