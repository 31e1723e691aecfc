/* scan.h - kernel template: passes over the rows in double, for the facts
 * of a matrix and the shared helpers (max |x|, rows fetched as double, the
 * first non-finite value, column sums, exact inertia). Compiled once per
 * type by scan_f64.c and scan_f32.c; see kernels.h. */
#include <omp.h>

#include "kmeans/kernels/row.h"

/* max |v| over the n values of x (0 for none). Opens its own OpenMP
 * region; max is exact, so the thread order does not matter. */
double KM_FN(max_abs)(const void *xv, int64_t n)
{
  const KM_T *v = xv;
  double m = 0;
#pragma omp parallel for reduction(max : m) schedule(static)
  for (int64_t i = 0; i < n; i++) {
    const double a = fabs((double)v[i]);
    m = a > m ? a : m; /* not fmax: a libm call per value */
  }
  return m;
}

/* Row i of x (d values) widened to double (exact) into out[d]. */
void KM_FN(row_double)(const void *xv, int64_t i, int64_t d, double *out)
{
  const KM_T *x = xv;
  for (int64_t j = 0; j < d; j++) out[j] = (double)x[i * d + j];
}

/* The first (lowest row, then column) NaN or Inf of the n x d rows: its
 * flattened index i * d + j, with the value in *value; -1 when all are
 * finite. */
int64_t KM_FN(first_nonfinite)(const void *xv, int64_t n, int64_t d, double *value)
{
  const KM_T *x = xv;
  for (int64_t i = 0; i < n; i++)
    for (int64_t j = 0; j < d; j++) {
      const double v = (double)x[i * d + j];
      if (!isfinite(v)) {
        *value = v;
        return i * d + j;
      }
    }
  return -1;
}

/* Exact column sums of the n x d rows added to s[d]: the fixed-point value
 * (scale) of each x[i][j], or with mean != NULL of (x[i][j] - mean[j])^2. */
void KM_FN(column_sums)(const void *xv, int64_t n, int64_t d, double scale, const double *mean, kseg_i128 *s)
{
  const KM_T *x = xv;
  if (!mean) {
    for (int64_t i = 0; i < n; i++)
      for (int64_t j = 0; j < d; j++) s[j] += (int64_t)rint((double)x[i * d + j] * scale);
    return;
  }
  for (int64_t i = 0; i < n; i++)
    for (int64_t j = 0; j < d; j++) {
      const double t = (double)x[i * d + j] - mean[j];
      s[j] += (int64_t)rint(t * t * scale);
    }
}

/* The fixed-point sum (scale) of row_dist2 of rows [i0, i1) to their labels'
 * centroids (k x d, double): the exact inertia's share of these rows. */
kseg_i128 KM_FN(inertia_rows)(const void *xv, int64_t i0, int64_t i1, int64_t d, const double *centroids,
                              const int32_t *labels, double scale)
{
  const KM_T *x = xv;
  kseg_i128 part = 0;
  for (int64_t i = i0; i < i1; i++)
    part += (int64_t)rint(row_dist2(x + i * d, centroids + (int64_t)labels[i] * d, d) * scale);
  return part;
}
