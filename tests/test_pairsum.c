/* kseg_pairsum_sample (each pair once, added to both rows' sums) against
 * kseg_pairsum_accumulate (every row against every row), bit for bit: its
 * parts (1, 2, 3 and 5, as ranks) summed give the same exact sums for
 * n = 1 .. 203 rows, d = 1 .. 21 (odd d fuses the last column), k = 1 .. 9
 * with empty clusters and clusters of one row, on 1 and 2 threads. Built
 * twice: against the library (the symmetric sums) and with pairsum.c
 * compiled in with its memory cap at 0 (PAIRSUM_CAP_ZERO: each part's rows
 * against all, the way taken past the cap). Serial. */
#include "test.h"

#include <omp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#ifdef PAIRSUM_CAP_ZERO
#define PS_SYMMETRIC_BYTES 0
#include "evaluate/pairsum.c"
#else
#include "evaluate/pairsum.h"
#endif

static double uniform(uint64_t *s)
{
  *s = *s * 6364136223846793005u + 1442695040888963407u;
  return (double)(*s >> 11) * 0x1p-53;
}

static void check(int64_t n, int64_t d, int k, uint64_t seed)
{
  double *x = malloc((size_t)(n * d) * sizeof *x);
  int32_t *lx = malloc((size_t)n * sizeof *lx);
  kseg_i128 *want = calloc((size_t)(n * k), sizeof *want), *got = calloc((size_t)(n * k), sizeof *got);
  ASSERT(x && lx && want && got);
  uint64_t s = seed;
  double m = 0;
  for (int64_t i = 0; i < n * d; i++) {
    x[i] = (uniform(&s) - 0.5) * 8.0 + (double)(i % 3);
    m = fmax(m, fabs(x[i]));
  }
  /* cluster 0 never used when k > 2; the last cluster holds one row */
  for (int64_t i = 0; i < n; i++) lx[i] = k <= 2 ? (int32_t)(uniform(&s) * k) : 1 + (int32_t)(uniform(&s) * (k - 2));
  if (k > 2) lx[n / 2] = k - 1;
  const kseg_fixed fe = kseg_fixed_for_bound(2.0 * m * sqrt((double)d) + 1e-300);
  ASSERT_OK(kseg_pairsum_accumulate(x, n, x, lx, n, d, k, &fe, want));
  const int parts_list[] = {1, 2, 3, 5};
  for (int t = 1; t <= 2; t++) {
    omp_set_num_threads(t);
    for (size_t q = 0; q < sizeof parts_list / sizeof parts_list[0]; q++) {
      const int parts = parts_list[q];
      memset(got, 0, (size_t)(n * k) * sizeof *got);
      for (int part = 0; part < parts; part++) ASSERT_OK(kseg_pairsum_sample(x, lx, n, d, k, &fe, part, parts, got));
      for (int64_t i = 0; i < n * k; i++)
        if (got[i] != want[i]) {
          fprintf(stderr, "n %lld d %lld k %d parts %d threads %d: row %lld cluster %lld differs\n", (long long)n,
                  (long long)d, k, parts, t, (long long)(i / k), (long long)(i % k));
          ASSERT(got[i] == want[i]);
        }
    }
  }
  free(x);
  free(lx);
  free(want);
  free(got);
}

int main(void)
{
  const int64_t ns[] = {1, 2, 5, 8, 9, 31, 64, 203};
  const int64_t ds[] = {1, 2, 7, 8, 21};
  const int ks[] = {1, 2, 3, 9};
  uint64_t seed = 1;
  for (size_t a = 0; a < sizeof ns / sizeof ns[0]; a++)
    for (size_t b = 0; b < sizeof ds / sizeof ds[0]; b++)
      for (size_t c = 0; c < sizeof ks / sizeof ks[0]; c++) check(ns[a], ds[b], ks[c], seed++);
  printf("pairsum: ok\n");
  return 0;
}
