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
 * finite. Each thread scans its share whole (no early exit: the rows are
 * almost always all finite) and the lowest index wins. */
int64_t KM_FN(first_nonfinite)(const void *xv, int64_t n, int64_t d, double *value)
{
  const KM_T *x = xv;
  const int64_t nd = n * d;
  int64_t first = INT64_MAX;
#pragma omp parallel for reduction(min : first) schedule(static)
  for (int64_t i = 0; i < nd; i++) {
    const double v = (double)x[i];
    if (v - v != 0 && i < first) first = i; /* v - v is NaN for NaN and +-Inf, else 0 */
  }
  if (first == INT64_MAX) return -1;
  *value = (double)x[first];
  return first;
}

/* Columns per pass of column_sums: their running sums stay on the stack. */
enum { CS_COLS = 64 };

/* Exact column sums of the n x d rows added to s[d]: the fixed-point value
 * v (scale) of each x[i][j], or with mean != NULL of (x[i][j] - mean[j])^2.
 * Each thread splits v (|v| <= 2^62) into v >> 32 and its low 32 bits and
 * sums both in int64 lanes, which vectorizes and cannot overflow within
 * 2^30 rows; the halves are folded into 128 bits every 2^30 rows and at the
 * end. Integer sums: the same bits for any thread count. */
void KM_FN(column_sums)(const void *xv, int64_t n, int64_t d, double scale, const double *mean, kseg_i128 *s)
{
  const KM_T *x = xv;
  for (int64_t j0 = 0; j0 < d; j0 += CS_COLS) {
    const int w = d - j0 < CS_COLS ? (int)(d - j0) : CS_COLS;
#pragma omp parallel
    {
      int64_t hi[CS_COLS] = {0};
      uint64_t lo[CS_COLS] = {0};
      kseg_i128 part[CS_COLS] = {0};
      double mu[CS_COLS] = {0};
      if (mean)
        for (int j = 0; j < w; j++) mu[j] = mean[j0 + j];
      int64_t rows = 0;
#pragma omp for schedule(static)
      for (int64_t i = 0; i < n; i++) {
        const KM_T *row = x + i * d + j0;
        if (mean)
          for (int j = 0; j < w; j++) {
            const double t = (double)row[j] - mu[j];
            const int64_t v = (int64_t)rint(t * t * scale);
            hi[j] += v >> 32;
            lo[j] += (uint64_t)v & 0xffffffffu;
          }
        else
          for (int j = 0; j < w; j++) {
            const int64_t v = (int64_t)rint((double)row[j] * scale);
            hi[j] += v >> 32;
            lo[j] += (uint64_t)v & 0xffffffffu;
          }
        if (++rows == (int64_t)1 << 30) {
          for (int j = 0; j < w; j++) {
            part[j] += kseg_fixed_join(hi[j], lo[j]);
            hi[j] = 0;
            lo[j] = 0;
          }
          rows = 0;
        }
      }
      for (int j = 0; j < w; j++) part[j] += kseg_fixed_join(hi[j], lo[j]);
#pragma omp critical(kseg_column_sums)
      for (int j = 0; j < w; j++) s[j0 + j] += part[j];
    }
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
