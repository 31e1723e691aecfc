/* scan_f64.c - the double passes of the facts and helpers (scan.h) for float64 rows. */
#define KM_F64
#include "kmeans/kernels/scan.h"
