/* pair_dist2 (the single-pair distance of the Elkan and Yinyang kernels)
 * equals the distance the Lloyd kernel (kseg_kmeans_assign) returns for the
 * assigned centroid, bit for bit: both dtypes, d from 1 to 67 (multiples of
 * 8 and not), random data with rounding in every operation. This is what
 * lets the bounded kernels reproduce Lloyd's labels exactly. Each type's
 * pair_dist2 is reached through the kernel table, as the kernels are.
 * Serial. */
#include "test.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kmeans/kernels/kernels.h"
#include "kseg/kseg_error.h"
#include "kseg/kseg_kmeans.h"

static double uniform(uint64_t *s)
{
  *s = *s * 6364136223846793005u + 1442695040888963407u;
  return (double)(*s >> 11) * 0x1p-53;
}

static void check(kseg_dtype dtype, int64_t n, int64_t d, int64_t k, uint64_t seed)
{
  double *xd = malloc((size_t)(n * d) * sizeof *xd), *c = malloc((size_t)(k * d) * sizeof *c);
  float *xf = malloc((size_t)(n * d) * sizeof *xf), *cf = malloc((size_t)(k * d) * sizeof *cf);
  int32_t *lab = malloc((size_t)n * sizeof *lab);
  double *dist = malloc((size_t)n * sizeof *dist);
  ASSERT(xd && c && xf && cf && lab && dist);
  uint64_t s = seed;
  /* An offset and a small spread: large cancellation, rounding everywhere. */
  for (int64_t i = 0; i < n * d; i++) {
    xd[i] = 100.0 + uniform(&s) * 3.0;
    xf[i] = (float)xd[i];
  }
  for (int64_t i = 0; i < k * d; i++) {
    c[i] = 100.0 + uniform(&s) * 3.0;
    cf[i] = (float)c[i];
  }
  kseg_matrix x = {.n_global = n, .row0 = 0, .n_local = n, .d = d, .dtype = dtype,
                   .data = dtype == KSEG_F32 ? (void *)xf : (void *)xd};
  ASSERT_OK(kseg_kmeans_assign(&x, c, k, lab, dist));
  const kseg_km_ops *ops = kseg_km_ops_of(dtype);
  ASSERT(ops);
  for (int64_t i = 0; i < n; i++) {
    ASSERT(lab[i] >= 0 && lab[i] < k);
    const double p = dtype == KSEG_F32 ? ops->pair_dist2(xf + i * d, cf + (int64_t)lab[i] * d, d)
                                       : ops->pair_dist2(xd + i * d, c + (int64_t)lab[i] * d, d);
    ASSERT_SAME_BITS(&p, &dist[i], 1);
  }
  free(xd);
  free(c);
  free(xf);
  free(cf);
  free(lab);
  free(dist);
}

int main(void)
{
  const int64_t ds[] = {1, 3, 7, 8, 9, 16, 31, 32, 33, 67};
  const int64_t ks[] = {1, 5, 16, 17, 40};
  for (size_t a = 0; a < sizeof ds / sizeof ds[0]; a++)
    for (size_t b = 0; b < sizeof ks / sizeof ks[0]; b++) {
      check(KSEG_F64, 101, ds[a], ks[b], 7 + 31 * a + b);
      check(KSEG_F32, 101, ds[a], ks[b], 1001 + 31 * a + b);
    }
  printf("kmeans_pairdist: ok\n");
  return 0;
}
