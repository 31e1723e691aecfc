/* fp_contract: the floating-point contraction the library is compiled with
 * is the one its kernels were validated with (-ffp-contract=fast, pinned in
 * CMakeLists.txt): a*b + c becomes one fused multiply-add wherever the target
 * has FMA. This file is compiled with kseg_lib's own compile options
 * (tests/house.cmake), so it fuses exactly when the library does.
 * Exit 77 (skipped) where nothing can fuse: no hardware FMA in the target
 * (KSEG_NATIVE=OFF on x86-64) or no optimisation (-O0 never contracts). */
#include <math.h>
#include <stdio.h>
#include <string.h>

int main(void)
{
#if !defined(__FP_FAST_FMA) || !defined(__OPTIMIZE__)
  printf("SKIPPED: this target or optimisation level never fuses a*b+c (no hardware FMA, or -O0)\n");
  return 77;
#else
  /* a*b = 1 - 2^-60 exactly: rounded alone it is 1 and the sum 0; fused, the
   * sum is -2^-60. volatile keeps the compiler from folding the constants. */
  volatile double a = 1.0 + 0x1p-30, b = 1.0 - 0x1p-30, c = -1.0;
  const double contracted = a * b + c;
  const double fused = fma(a, b, c);
  if (memcmp(&contracted, &fused, sizeof fused) != 0) {
    fprintf(stderr, "fp_contract: a*b+c = %a, fma(a,b,c) = %a: the library's compile options do not contract "
                    "into FMA; the kernels were validated with -ffp-contract=fast\n", contracted, fused);
    return 1;
  }
  printf("fp_contract: a*b+c is fused (%a), as in the library\n", contracted);
  return 0;
#endif
}
