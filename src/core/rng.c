#include "kseg/kseg_rng.h"

#if defined(__AVX512F__) && defined(__AVX512DQ__)
#define KSEG_RNG_SIMD 1
#include <immintrin.h>
#else
#define KSEG_RNG_SIMD 0
#endif
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

/* The draw of a block in half `odd`: words 0, 1 for an even draw, 2, 3
 * for an odd one. */
static inline uint64_t block_draw(const uint32_t w[4], uint64_t odd)
{
  return odd ? ((uint64_t)w[2] << 32 | w[3]) : ((uint64_t)w[0] << 32 | w[1]);
}

/* 64 random bits as a uniform in [0, 1) from their top 53. */
static inline double unit_of(uint64_t u)
{
  return (double)(u >> 11) * 0x1.0p-53;
}

uint64_t kseg_rng_u64(kseg_rng_key key, uint64_t index, uint64_t draw)
{
  uint32_t w[4];
  kseg_rng_block(key, index, draw >> 1, w);
  return block_draw(w, draw & 1);
}

double kseg_rng_uniform(kseg_rng_key key, uint64_t index, uint64_t draw)
{
  return unit_of(kseg_rng_u64(key, index, draw));
}

/* Blocks block0 .. block0 + 8 of item index (lanes past nb anything): w[q]
 * lane b is word q of block block0 + b, as kseg_rng_block computes it,
 * eight blocks side by side (the 32 x 32 -> 64-bit products of a round are
 * one vector multiply per word pair). */
#if KSEG_RNG_SIMD
static void rng_block8(kseg_rng_key key, uint64_t index, uint64_t block0, __m512i w[4])
{
  const uint64_t k64 = key.seed ^ (key.stream * 0x9E3779B97F4A7C15ull);
  uint32_t k0 = (uint32_t)k64, k1 = (uint32_t)(k64 >> 32);
  const __m512i lo32 = _mm512_set1_epi64(0xffffffffll), step = _mm512_set_epi64(7, 6, 5, 4, 3, 2, 1, 0);
  const __m512i blocks = _mm512_add_epi64(_mm512_set1_epi64((long long)block0), step);
  const __m512i m0 = _mm512_set1_epi64(PHILOX_M0), m1 = _mm512_set1_epi64(PHILOX_M1);
  const uint32_t s = (uint32_t)(key.stream >> 32) ^ (uint32_t)key.stream;
  __m512i c0 = _mm512_set1_epi64((uint32_t)index), c1 = _mm512_set1_epi64((uint32_t)(index >> 32));
  __m512i c2 = _mm512_and_si512(blocks, lo32);
  __m512i c3 = _mm512_xor_si512(_mm512_srli_epi64(blocks, 32), _mm512_set1_epi64(s));
  for (int round = 0; round < 10; round++) {
    const __m512i p0 = _mm512_mul_epu32(c0, m0), p1 = _mm512_mul_epu32(c2, m1);
    const __m512i n0 = _mm512_xor_si512(_mm512_xor_si512(_mm512_srli_epi64(p1, 32), c1), _mm512_set1_epi64(k0));
    const __m512i n2 = _mm512_xor_si512(_mm512_xor_si512(_mm512_srli_epi64(p0, 32), c3), _mm512_set1_epi64(k1));
    c1 = _mm512_and_si512(p1, lo32);
    c3 = _mm512_and_si512(p0, lo32);
    c0 = n0;
    c2 = n2;
    k0 += PHILOX_W0;
    k1 += PHILOX_W1;
  }
  w[0] = c0, w[1] = c1, w[2] = c2, w[3] = c3;
}
#endif

void kseg_rng_uniform_run(kseg_rng_key key, uint64_t index, int64_t n, double *out)
{
  int64_t j = 0;
#if KSEG_RNG_SIMD
  /* 16 draws (8 blocks) at a time: draw 2b is words 0, 1 of block b, draw
   * 2b + 1 words 2, 3 */
  const __m512d unit = _mm512_set1_pd(0x1.0p-53);
  for (; j + 16 <= n; j += 16) {
    __m512i w[4];
    rng_block8(key, index, (uint64_t)j >> 1, w);
    const __m512i even = _mm512_srli_epi64(_mm512_or_si512(_mm512_slli_epi64(w[0], 32), w[1]), 11);
    const __m512i odd = _mm512_srli_epi64(_mm512_or_si512(_mm512_slli_epi64(w[2], 32), w[3]), 11);
    /* exact: 53-bit integers convert without rounding */
    const __m512d e = _mm512_mul_pd(_mm512_cvtepu64_pd(even), unit), o = _mm512_mul_pd(_mm512_cvtepu64_pd(odd), unit);
    /* interleave: out[j + 2b] = e[b], out[j + 2b + 1] = o[b] */
    const __m512i lo_idx = _mm512_set_epi64(11, 3, 10, 2, 9, 1, 8, 0), hi_idx = _mm512_set_epi64(15, 7, 14, 6, 13, 5, 12, 4);
    _mm512_storeu_pd(out + j, _mm512_permutex2var_pd(e, lo_idx, o));
    _mm512_storeu_pd(out + j + 8, _mm512_permutex2var_pd(e, hi_idx, o));
  }
#endif
  for (; j < n; j += 2) {
    uint32_t w[4];
    kseg_rng_block(key, index, (uint64_t)j >> 1, w);
    out[j] = unit_of(block_draw(w, 0));
    if (j + 1 < n) out[j + 1] = unit_of(block_draw(w, 1));
  }
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
