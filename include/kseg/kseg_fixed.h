/* kseg_fixed.h - exact fixed-point sums, the reason results do not depend on
 * the rank or thread count.
 *
 * A value x is represented as round(x * 2^e) in an int64, with one global
 * exponent e chosen from a bound on |x| so that |x| * 2^e <= 2^62. Sums of
 * these integers in int128 are exact, hence independent of summation order:
 * any partition of the rows over ranks and threads gives the same bits.
 * Quantization error per value is at most 2^-(e+1), i.e. about bound * 2^-63.
 */
#ifndef KSEG_FIXED_H
#define KSEG_FIXED_H

#include <math.h>
#include <stdint.h>

#include "kseg/kseg_comm.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct kseg_fixed {
  int exponent;     /* e */
  double scale;     /* 2^e */
  double inv_scale; /* 2^-e */
} kseg_fixed;

/* Scale for values with |x| <= bound (bound <= 0 or not finite: e = 0). */
kseg_fixed kseg_fixed_for_bound(double bound);

static inline int64_t kseg_fixed_from(const kseg_fixed *f, double x)
{
  return (int64_t)llrint(x * f->scale);
}

/* The double nearest to v * 2^-e. */
static inline double kseg_fixed_to_double(const kseg_fixed *f, kseg_i128 v)
{
  return (double)v * f->inv_scale;
}

/* The sum of values v kept as two int64 halves (vectorizable, exact while
 * neither overflows): hi, the sum of v >> 32, and lo, the sum of v's low 32
 * bits taken unsigned. Its value is hi 2^32 + lo. */
static inline kseg_i128 kseg_fixed_join(int64_t hi, uint64_t lo)
{
  return (kseg_i128)hi * ((kseg_i128)1 << 32) + (kseg_i128)lo;
}

#ifdef __cplusplus
}
#endif

#endif
