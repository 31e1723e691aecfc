/* Counter-based RNG: deterministic, keyed, roughly uniform and normal. */
#include "kseg/kseg_rng.h"
#include "test.h"

int main(void)
{
  kseg_rng_key a = {42, KSEG_STREAM_GENERATE}, b = {43, KSEG_STREAM_GENERATE};
  ASSERT(kseg_rng_u64(a, 7, 0) == kseg_rng_u64(a, 7, 0));
  ASSERT(kseg_rng_u64(a, 7, 0) != kseg_rng_u64(a, 8, 0));
  ASSERT(kseg_rng_u64(a, 7, 0) != kseg_rng_u64(a, 7, 1));
  ASSERT(kseg_rng_u64(a, 7, 0) != kseg_rng_u64(b, 7, 0));
  kseg_rng_key s = {42, kseg_rng_substream(KSEG_STREAM_INIT, 3, 1)};
  ASSERT(kseg_rng_u64(a, 7, 0) != kseg_rng_u64(s, 7, 0));
  double sum = 0, sum2 = 0, nsum = 0, nsum2 = 0;
  const int n = 200000;
  for (int i = 0; i < n; i++) {
    double u = kseg_rng_uniform(a, (uint64_t)i, 3);
    ASSERT(u >= 0.0 && u < 1.0);
    sum += u;
    sum2 += u * u;
    double z = kseg_rng_normal(a, (uint64_t)i, 1);
    nsum += z;
    nsum2 += z * z;
  }
  ASSERT_NEAR(sum / n, 0.5, 0.005);
  ASSERT_NEAR(sum2 / n - (sum / n) * (sum / n), 1.0 / 12, 0.002);
  ASSERT_NEAR(nsum / n, 0.0, 0.01);
  ASSERT_NEAR(nsum2 / n, 1.0, 0.02);
  /* kseg_rng_uniform_run: each draw bit for bit kseg_rng_uniform's, for
   * every length through the vector path's 16 draws and its tail, keys with
   * 64-bit seeds and substreams, indexes beyond 32 bits */
  const kseg_rng_key keys[] = {a, s, {0xFEDCBA9876543210ull, kseg_rng_substream(KSEG_STREAM_REFERENCE, 9, 0)}};
  const uint64_t idx[] = {0, 1, 12345, 0xFFFFFFFFull, 0x100000001ull, 0xFFFFFFFFFFFFFFFFull};
  for (size_t q = 0; q < sizeof keys / sizeof keys[0]; q++)
    for (size_t r = 0; r < sizeof idx / sizeof idx[0]; r++)
      for (int64_t len = 0; len <= 70; len++) {
        double run[72];
        run[len] = -1; /* nothing written past len */
        kseg_rng_uniform_run(keys[q], idx[r], len, run);
        for (int64_t j = 0; j < len; j++) ASSERT(run[j] == kseg_rng_uniform(keys[q], idx[r], (uint64_t)j));
        ASSERT(run[len] == -1);
      }
  printf("rng ok\n");
  return 0;
}
