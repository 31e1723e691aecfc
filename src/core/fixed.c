#include "kseg/kseg_fixed.h"

kseg_fixed kseg_fixed_for_bound(double bound)
{
  kseg_fixed f = {0, 1.0, 1.0};
  if (!(bound > 0.0) || !isfinite(bound)) return f;
  int exp2;
  frexp(bound, &exp2); /* bound < 2^exp2 */
  f.exponent = 62 - exp2;
  if (f.exponent > 1000) f.exponent = 1000; /* keep 2^e finite */
  f.scale = ldexp(1.0, f.exponent);
  f.inv_scale = ldexp(1.0, -f.exponent);
  return f;
}
