/* pairsum.c - the silhouette's sums of distances per cluster (pairsum.h).
 *
 * A pair's squared distance is the sum over the columns, in order, of
 * t = a_j - b_j squared, and every square is rounded before it is added
 * except, where the target has FMA, the last of an odd number of columns,
 * which is fused; then sqrt and (int64_t)(dist * scale + 0.5), fused where
 * the target has FMA. Those are exactly the operations GCC -O3 compiled the
 * earlier scalar loop (s += t * t) into (an in-order reduction of vector
 * products, its odd remainder contracted), so the fixed-point sums, and the
 * silhouettes, keep their bits; they are spelled out here so that no
 * compiler choice can change them again.
 *
 * The vector kernel: B is sorted by label (stably) into panels of 8 rows,
 * transposed (a lane is a row of B, so no horizontal sum), each panel holding
 * one label (the last panel of a label padded, its extra lanes masked);
 * 4 rows of A go against each panel at once (4 independent chains of adds).
 * Within a label the fixed-point values are summed per lane in two int64
 * halves (value >> 32 and its low 32 bits: exact for 2^31 rows), folded into
 * acc when the label ends. */
#include "evaluate/pairsum.h"

#if defined(__AVX512F__) && defined(__AVX512DQ__)
#include <immintrin.h>
#endif
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "kseg/kseg_error.h"

/* Keeps the compiler from fusing a product into the add that follows. */
#define PS_ROUNDED(v) __asm__("" : "+v"(v))

#if defined(__AVX512F__) && defined(__AVX512DQ__) && defined(__FMA__)
enum { PS_LANES = 8, PS_ROWS = 4 };

/* B by label in panels (see the file comment). */
typedef struct ps_panels {
  int64_t n;        /* panels */
  double *bt;       /* n x d x 8, 64-byte aligned */
  int64_t *start;   /* k + 1: label c's panels are [start[c], start[c + 1]) */
  uint8_t *valid;   /* n: lane mask */
} ps_panels;

static void ps_free(ps_panels *p)
{
  free(p->bt);
  free(p->start);
  free(p->valid);
}

static int ps_build(const double *b, const int32_t *lb, int64_t nb, int64_t d, int k, ps_panels *p)
{
  memset(p, 0, sizeof *p);
  int64_t *count = kseg_calloc((size_t)k + 1, sizeof *count, "silhouette panels");
  p->start = kseg_calloc((size_t)k + 1, sizeof *p->start, "silhouette panels");
  if (!count || !p->start) {
    free(count);
    ps_free(p);
    return KSEG_ERR_IO;
  }
  for (int64_t j = 0; j < nb; j++) count[lb[j]]++;
  for (int c = 0; c < k; c++) p->start[c + 1] = p->start[c] + (count[c] + PS_LANES - 1) / PS_LANES;
  p->n = p->start[k];
  const size_t bytes = (size_t)(p->n > 0 ? p->n : 1) * (size_t)d * PS_LANES * sizeof(double);
  if (posix_memalign((void **)&p->bt, 64, bytes) != 0) {
    p->bt = NULL;
    kseg_error_nomem("silhouette panels", bytes);
  }
  p->valid = kseg_calloc((size_t)(p->n > 0 ? p->n : 1), 1, "silhouette panels");
  if (!p->bt || !p->valid) {
    free(count);
    ps_free(p);
    return KSEG_ERR_IO;
  }
  /* fill, label by label in row order; a padding lane repeats the label's
   * last row (masked out of the sums) */
  memset(count, 0, ((size_t)k + 1) * sizeof *count);
  for (int64_t j = 0; j < nb; j++) {
    const int c = lb[j];
    const int64_t slot = p->start[c] * PS_LANES + count[c]++;
    const int64_t pn = slot / PS_LANES, lane = slot % PS_LANES;
    for (int64_t q = 0; q < d; q++) p->bt[(pn * d + q) * PS_LANES + lane] = b[j * d + q];
    p->valid[pn] |= (uint8_t)(1u << lane);
  }
  for (int64_t pn = 0; pn < p->n; pn++) {
    const int full = __builtin_popcount(p->valid[pn]);
    for (int lane = full; lane < PS_LANES; lane++)
      for (int64_t q = 0; q < d; q++)
        p->bt[(pn * d + q) * PS_LANES + lane] = p->bt[(pn * d + q) * PS_LANES + full - 1];
  }
  free(count);
  return KSEG_OK;
}

/* Rows a_r (r < PS_ROWS) against panel bt: the fixed-point distances of
 * their pairs, lanes masked by `valid`, into the split sums hi[r], lo[r]. */
static inline void ps_panel(const double *const ar[PS_ROWS], const double *restrict bt, int64_t d, __mmask8 valid,
                            __m512d scale, __m512i hi[PS_ROWS], __m512i lo[PS_ROWS])
{
  __m512d s[PS_ROWS];
  for (int r = 0; r < PS_ROWS; r++) s[r] = _mm512_setzero_pd();
  const int64_t fused = (d & 1) ? d - 1 : d; /* the odd last column is fused */
  for (int64_t j = 0; j < fused; j++) {
    const __m512d bv = _mm512_load_pd(bt + j * PS_LANES);
    for (int r = 0; r < PS_ROWS; r++) {
      const __m512d t = _mm512_sub_pd(_mm512_set1_pd(ar[r][j]), bv);
      __m512d p = _mm512_mul_pd(t, t);
      PS_ROUNDED(p);
      s[r] = _mm512_add_pd(s[r], p);
    }
  }
  if (fused < d) {
    const __m512d bv = _mm512_load_pd(bt + fused * PS_LANES);
    for (int r = 0; r < PS_ROWS; r++) {
      const __m512d t = _mm512_sub_pd(_mm512_set1_pd(ar[r][fused]), bv);
      s[r] = _mm512_fmadd_pd(t, t, s[r]);
    }
  }
  const __m512d half = _mm512_set1_pd(0.5);
  const __m512i low = _mm512_set1_epi64(0xffffffff);
  for (int r = 0; r < PS_ROWS; r++) {
    const __m512i v = _mm512_maskz_mov_epi64(valid, _mm512_cvttpd_epi64(_mm512_fmadd_pd(_mm512_sqrt_pd(s[r]), scale, half)));
    hi[r] = _mm512_add_epi64(hi[r], _mm512_srai_epi64(v, 32));
    lo[r] = _mm512_add_epi64(lo[r], _mm512_and_si512(v, low));
  }
}

int kseg_pairsum_accumulate(const double *a, int64_t na, const double *b, const int32_t *lb, int64_t nb, int64_t d,
                            int k, const kseg_fixed *fe, kseg_i128 *acc)
{
  if (na <= 0 || nb <= 0) return KSEG_OK;
  ps_panels p;
  KSEG_CHECK(ps_build(b, lb, nb, d, k, &p));
  const __m512d scale = _mm512_set1_pd(fe->scale);
#pragma omp parallel for schedule(static)
  for (int64_t i = 0; i < na; i += PS_ROWS) {
    const int nr = na - i < PS_ROWS ? (int)(na - i) : PS_ROWS;
    const double *ar[PS_ROWS];
    for (int r = 0; r < PS_ROWS; r++) ar[r] = a + (i + (r < nr ? r : nr - 1)) * d;
    for (int c = 0; c < k; c++) {
      if (p.start[c] == p.start[c + 1]) continue;
      __m512i hi[PS_ROWS], lo[PS_ROWS];
      for (int r = 0; r < PS_ROWS; r++) hi[r] = lo[r] = _mm512_setzero_si512();
      for (int64_t pn = p.start[c]; pn < p.start[c + 1]; pn++)
        ps_panel(ar, p.bt + pn * d * PS_LANES, d, (__mmask8)p.valid[pn], scale, hi, lo);
      for (int r = 0; r < nr; r++) {
        int64_t h[PS_LANES];
        uint64_t l[PS_LANES];
        _mm512_storeu_si512(h, hi[r]);
        _mm512_storeu_si512(l, lo[r]);
        kseg_i128 sum = 0;
        for (int q = 0; q < PS_LANES; q++) sum += kseg_fixed_join(h[q], l[q]);
        acc[(i + r) * k + c] += sum;
      }
    }
  }
  ps_free(&p);
  return KSEG_OK;
}

#else

/* One pair's fixed-point distance, the operations of the vector kernel
 * above, one pair at a time. */
static inline int64_t pair_fixed(const double *a, const double *b, int64_t d, double scale)
{
  double s = 0;
  for (int64_t j = 0; j < d; j++) {
    const double t = a[j] - b[j];
#if defined(__FMA__)
    if ((d & 1) && j == d - 1) {
      s = fma(t, t, s);
      break;
    }
#endif
    double p = t * t;
    PS_ROUNDED(p);
    s += p;
  }
  const double dist = sqrt(s);
#if defined(__FMA__)
  return (int64_t)fma(dist, scale, 0.5);
#else
  double p = dist * scale;
  PS_ROUNDED(p);
  return (int64_t)(p + 0.5);
#endif
}

int kseg_pairsum_accumulate(const double *a, int64_t na, const double *b, const int32_t *lb, int64_t nb, int64_t d,
                            int k, const kseg_fixed *fe, kseg_i128 *acc)
{
#pragma omp parallel for schedule(static)
  for (int64_t i = 0; i < na; i++)
    for (int64_t j = 0; j < nb; j++) acc[i * k + lb[j]] += pair_fixed(a + i * d, b + j * d, d, fe->scale);
  return KSEG_OK;
}

#endif
