/* The assignment kernel's argmin (vectorized block minimum, first equal lane,
 * padding lanes past k) against a brute force on small integers, where every
 * squared distance is exact in float32 and float64 so the kernel must find
 * exactly the same minimum and, on ties (duplicated centroids, rows halfway
 * between), the same lowest index. k covers one partial block, an exact
 * block and several blocks with padding; rows are not a multiple of the
 * register block, so the tail path runs too. Serial (kseg_kmeans_assign is
 * local; OpenMP threads split the rows). */
#include "test.h"

#include <stdint.h>
#include <stdlib.h>

#include "kseg/kseg_error.h"
#include "kseg/kseg_kmeans.h"

static void check(kseg_dtype dtype, int64_t n, int64_t d, int64_t k, uint64_t seed)
{
  double *xd = malloc((size_t)(n * d) * sizeof *xd);
  float *xf = malloc((size_t)(n * d) * sizeof *xf);
  double *c = malloc((size_t)(k * d) * sizeof *c);
  int32_t *lab = malloc((size_t)n * sizeof *lab);
  double *dist = malloc((size_t)n * sizeof *dist);
  ASSERT(xd && xf && c && lab && dist);
  uint64_t s = seed;
  /* Values in {0..3}: many exact ties between distinct centroids too. */
  for (int64_t i = 0; i < n * d; i++) {
    s = s * 6364136223846793005u + 1442695040888963407u;
    xd[i] = (double)(s >> 62);
    xf[i] = (float)xd[i];
  }
  for (int64_t c0 = 0; c0 < k; c0++)
    for (int64_t j = 0; j < d; j++) {
      s = s * 6364136223846793005u + 1442695040888963407u;
      /* every third centroid repeats the one before it: exact ties */
      c[c0 * d + j] = (c0 % 3 == 2) ? c[(c0 - 1) * d + j] : (double)(s >> 62);
    }
  kseg_matrix x = {.n_global = n, .row0 = 0, .n_local = n, .d = d, .dtype = dtype,
                   .data = dtype == KSEG_F32 ? (void *)xf : (void *)xd};
  ASSERT_OK(kseg_kmeans_assign(&x, c, k, lab, dist));
  for (int64_t i = 0; i < n; i++) {
    int64_t best = INT64_MAX, arg = -1;
    for (int64_t c0 = 0; c0 < k; c0++) {
      int64_t dd = 0;
      for (int64_t j = 0; j < d; j++) {
        const int64_t t = (int64_t)xd[i * d + j] - (int64_t)c[c0 * d + j];
        dd += t * t;
      }
      if (dd < best) best = dd, arg = c0;
    }
    ASSERT_EQ((int64_t)lab[i], arg);
    ASSERT_EQ((int64_t)dist[i], best);
  }
  free(xd);
  free(xf);
  free(c);
  free(lab);
  free(dist);
}

int main(void)
{
  const int64_t ks[] = {1, 2, 7, 15, 16, 17, 33, 48, 50};
  for (size_t a = 0; a < sizeof ks / sizeof ks[0]; a++)
    for (int64_t d = 1; d <= 9; d += 4) {
      check(KSEG_F64, 203, d, ks[a], 11 + (uint64_t)a);
      check(KSEG_F32, 203, d, ks[a], 97 + (uint64_t)a);
    }
  printf("kmeans_kernel: ok\n");
  return 0;
}
