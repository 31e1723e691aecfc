#include "kseg/kseg_rng.h"

#include <math.h>

#define PHILOX_M0 0xD2511F53u
#define PHILOX_M1 0xCD9E8D57u
#define PHILOX_W0 0x9E3779B9u
#define PHILOX_W1 0xBB67AE85u

static inline void mulhilo(uint32_t a, uint32_t b, uint32_t *hi, uint32_t *lo)
{
  uint64_t p = (uint64_t)a * b;
  *hi = (uint32_t)(p >> 32);
  *lo = (uint32_t)p;
}

/* The seed and stream are folded into the 64-bit Philox key; index and block
 * form the 128-bit counter. */
void kseg_rng_block(kseg_rng_key key, uint64_t index, uint64_t block, uint32_t out[4])
{
  uint64_t k64 = key.seed ^ (key.stream * 0x9E3779B97F4A7C15ull);
  uint32_t k0 = (uint32_t)k64, k1 = (uint32_t)(k64 >> 32);
  uint32_t c0 = (uint32_t)index, c1 = (uint32_t)(index >> 32);
  uint32_t c2 = (uint32_t)block, c3 = (uint32_t)(block >> 32) ^ (uint32_t)(key.stream >> 32) ^ (uint32_t)key.stream;
  for (int round = 0; round < 10; round++) {
    uint32_t hi0, lo0, hi1, lo1;
    mulhilo(PHILOX_M0, c0, &hi0, &lo0);
    mulhilo(PHILOX_M1, c2, &hi1, &lo1);
    uint32_t n0 = hi1 ^ c1 ^ k0, n1 = lo1, n2 = hi0 ^ c3 ^ k1, n3 = lo0;
    c0 = n0; c1 = n1; c2 = n2; c3 = n3;
    k0 += PHILOX_W0;
    k1 += PHILOX_W1;
  }
  out[0] = c0; out[1] = c1; out[2] = c2; out[3] = c3;
}

uint64_t kseg_rng_u64(kseg_rng_key key, uint64_t index, uint64_t draw)
{
  uint32_t w[4];
  kseg_rng_block(key, index, draw >> 1, w);
  return (draw & 1) ? ((uint64_t)w[2] << 32 | w[3]) : ((uint64_t)w[0] << 32 | w[1]);
}

double kseg_rng_uniform(kseg_rng_key key, uint64_t index, uint64_t draw)
{
  return (double)(kseg_rng_u64(key, index, draw) >> 11) * 0x1.0p-53;
}

double kseg_rng_normal(kseg_rng_key key, uint64_t index, uint64_t draw)
{
  double u1 = kseg_rng_uniform(key, index, 2 * draw);
  double u2 = kseg_rng_uniform(key, index, 2 * draw + 1);
  /* 1 - u1 lies in (0, 1], so the log is finite. */
  return sqrt(-2.0 * log(1.0 - u1)) * cos(2.0 * M_PI * u2);
}

uint64_t kseg_rng_substream(uint64_t stream, uint64_t a, uint64_t b)
{
  uint64_t x = stream * 0x9E3779B97F4A7C15ull ^ (a + 0x632BE59BD9B4E019ull) * 0xBF58476D1CE4E5B9ull;
  x ^= (b + 0x8CB92BA72F3D8DD7ull) * 0x94D049BB133111EBull;
  x ^= x >> 31;
  return x | ((uint64_t)1 << 63); /* never equal to a plain base stream */
}
