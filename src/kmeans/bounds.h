/* bounds.h - the distance-bound arithmetic of the kernels that skip work
 * (Hamerly, Elkan, Yinyang); not part of the public API.
 *
 * Error model (the one kseg_km_hamerly documents): for a row x and a
 * centroid c (already rounded to the data's type), the canonical squared
 * distance D computed by nearest() / pair_dist2 and the exact distance
 * e = |x - c| satisfy |sqrt(D) - e| <= rel e + abs_margin. Bounds are kept
 * on exact distances; a candidate may be skipped only when its bounds prove
 * its computed distance STRICTLY greater than the current label's computed
 * distance, so ties are always computed and resolved to the lowest index,
 * as Lloyd does.
 *
 * Each result below is rounded the safe way: the double operations err by
 * at most 2^-53 relative, so a 2^-51 widening covers them. */
#ifndef KSEG_KMEANS_BOUNDS_H
#define KSEG_KMEANS_BOUNDS_H

#include <math.h>
#include <stdbool.h>

/* min and max without fmin's and fmax's libm calls (the values are never
 * NaN). */
static inline double kseg_km_min(double a, double b) { return b < a ? b : a; }
static inline double kseg_km_max(double a, double b) { return b > a ? b : a; }

/* An upper bound on an exact distance after its centroid moved by <= s. */
static inline double kseg_km_up_add(double u, double s) { return (u + s) * (1 + 0x1p-51); }

/* A lower bound on an exact distance after its centroid moved by <= s. */
static inline double kseg_km_down_sub(double l, double s)
{
  const double v = l - s;
  return v - fabs(v) * 0x1p-51;
}

/* Bounds on the exact distance from a computed squared distance. */
static inline double kseg_km_exact_upper(double dist2, double rel, double abs_margin)
{
  return sqrt(dist2) * (1 + rel) + abs_margin;
}
static inline double kseg_km_exact_lower(double dist2, double rel, double abs_margin)
{
  return sqrt(dist2) * (1 - rel) - abs_margin;
}

/* An upper bound on sqrt of a computed squared distance (sqrt rounds). */
static inline double kseg_km_computed_upper(double dist2) { return sqrt(dist2) * (1 + 0x1p-50); }

/* An upper bound on sqrt of the computed distance whose exact distance is
 * at most u. */
static inline double kseg_km_computed_upper_of(double u, double rel, double abs_margin)
{
  return u * (1 + rel) + abs_margin;
}

/* True when a lower bound `lower` on a candidate's exact distance proves its
 * computed distance strictly greater than a computed distance whose square
 * root is at most `ucmp`. NaN-free inputs; -inf lower never proves. */
static inline bool kseg_km_beyond(double lower, double ucmp, double rel, double abs_margin)
{
  return lower * (1 - rel) - abs_margin > ucmp;
}

/* A lower bound stored as float32, rounded down (to 0 below 2^-100, capped
 * at 2^127 so it never overflows to +inf). */
static inline float kseg_km_lower_f32(double v)
{
  if (!(v > 0x1p-100)) return 0.0f;
  if (v > 0x1p127) v = 0x1p127;
  return (float)(v * (1 - 0x1p-22));
}

#endif
