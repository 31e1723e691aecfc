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

#include "kseg/kseg_comm.h"
#include "kseg/kseg_error.h"

/* Keeps the compiler from fusing a product into the add that follows. */
#define PS_ROUNDED(v) __asm__("" : "+v"(v))

/* kseg_pairsum_sample the long way: the part's block of rows against all
 * rows, every pair taken from both ends. */
static int part_against_all(const double *x, const int32_t *lx, int64_t n, int64_t d, int k, const kseg_fixed *fe,
                            int part, int parts, kseg_i128 *acc)
{
  int64_t s0, sn;
  kseg_partition(n, parts, part, &s0, &sn);
  return kseg_pairsum_accumulate(x + s0 * d, sn, x, lx, n, d, k, fe, acc + s0 * k);
}

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
 * their pairs, q[r] lane l for the pair (a_r, lane l). Every caller uses
 * these operations, so a pair's value is the same wherever it is taken. */
static inline void ps_panel_q(const double *const ar[PS_ROWS], const double *restrict bt, int64_t d, __m512d scale,
                              __m512i q[PS_ROWS])
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
  for (int r = 0; r < PS_ROWS; r++) q[r] = _mm512_cvttpd_epi64(_mm512_fmadd_pd(_mm512_sqrt_pd(s[r]), scale, half));
}

/* v (lanes not in m zero) added to the split sums hi, lo. */
static inline void ps_add(__m512i v, __mmask8 m, __m512i *hi, __m512i *lo)
{
  v = _mm512_maskz_mov_epi64(m, v);
  *hi = _mm512_add_epi64(*hi, _mm512_srai_epi64(v, 32));
  *lo = _mm512_add_epi64(*lo, _mm512_and_si512(v, _mm512_set1_epi64(0xffffffff)));
}

/* The lanes of the split sums hi, lo joined and summed. */
static inline kseg_i128 ps_join(__m512i hi, __m512i lo)
{
  int64_t h[PS_LANES];
  uint64_t l[PS_LANES];
  _mm512_storeu_si512(h, hi);
  _mm512_storeu_si512(l, lo);
  kseg_i128 sum = 0;
  for (int q = 0; q < PS_LANES; q++) sum += kseg_fixed_join(h[q], l[q]);
  return sum;
}

/* ps_panel_q folded into the split sums hi[r], lo[r], lanes masked by
 * `valid`. */
static inline void ps_panel(const double *const ar[PS_ROWS], const double *restrict bt, int64_t d, __mmask8 valid,
                            __m512d scale, __m512i hi[PS_ROWS], __m512i lo[PS_ROWS])
{
  __m512i q[PS_ROWS];
  ps_panel_q(ar, bt, d, scale, q);
  for (int r = 0; r < PS_ROWS; r++) ps_add(q[r], valid, &hi[r], &lo[r]);
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
      for (int r = 0; r < nr; r++) acc[(i + r) * k + c] += ps_join(hi[r], lo[r]);
    }
  }
  ps_free(&p);
  return KSEG_OK;
}

/* The sample rows of the panels' slots (slot 8 pn + lane; padding lanes
 * -1) and the label of each panel, as ps_build placed them. */
static int ps_index(const int32_t *lb, int64_t nb, int k, const ps_panels *p, int64_t **row_of, int32_t **label_of)
{
  *row_of = kseg_malloc((size_t)(p->n > 0 ? p->n : 1) * PS_LANES * sizeof **row_of, "silhouette panels");
  *label_of = kseg_malloc((size_t)(p->n > 0 ? p->n : 1) * sizeof **label_of, "silhouette panels");
  int64_t *count = kseg_calloc((size_t)k + 1, sizeof *count, "silhouette panels");
  if (!*row_of || !*label_of || !count) {
    free(count);
    return KSEG_ERR_IO;
  }
  for (int64_t s = 0; s < p->n * PS_LANES; s++) (*row_of)[s] = -1;
  for (int c = 0; c < k; c++)
    for (int64_t pn = p->start[c]; pn < p->start[c + 1]; pn++) (*label_of)[pn] = c;
  for (int64_t j = 0; j < nb; j++) (*row_of)[p->start[lb[j]] * PS_LANES + count[lb[j]]++] = j;
  free(count);
  return KSEG_OK;
}

/* Memory the symmetric sums may take (every thread's column sums): above it,
 * kseg_pairsum_sample takes the pairs both ways with less. */
#ifndef PS_SYMMETRIC_BYTES /* a test sets 0 to reach the other way */
#define PS_SYMMETRIC_BYTES ((size_t)256 << 20)
#endif

/* kseg_pairsum_sample for the rows x in panels p: each pair once (see the
 * header). A tile is 4 slots of one panel (same label); its rows go against
 * the later slots only, adding to their own sums by lane as before and to
 * the other rows' sums through per-thread column sums (split halves per
 * panel lane and label), joined into acc at the end. */
static int ps_symmetric(const double *x, int64_t d, int k, const ps_panels *p, const int64_t *row_of,
                        const int32_t *label_of, __m512d scale, int part, int parts, kseg_i128 *acc)
{
  const int nt = omp_get_max_threads();
  const size_t per = (size_t)p->n * (size_t)k * 2; /* vectors per thread */
  __m512i *col = NULL;
  if (posix_memalign((void **)&col, 64, (size_t)nt * per * sizeof *col + 64) != 0) {
    kseg_error_nomem("silhouette column sums", (size_t)nt * per * sizeof *col);
    return KSEG_ERR_IO;
  }
  memset(col, 0, (size_t)nt * per * sizeof *col);
  const int64_t tiles = p->n * (PS_LANES / PS_ROWS);
  const int64_t mine = tiles > part ? (tiles - part + parts - 1) / parts : 0;
#pragma omp parallel num_threads(nt)
  {
    __m512i *cs = col + (size_t)omp_get_thread_num() * per;
    /* cyclic: the tiles' work shrinks along the triangle */
#pragma omp for schedule(static, 1)
    for (int64_t q = 0; q < mine; q++) {
      const int64_t t = part + q * parts, pa = t / (PS_LANES / PS_ROWS);
      const int h0 = (int)(t % (PS_LANES / PS_ROWS)) * PS_ROWS;
      const unsigned rows = ((unsigned)p->valid[pa] >> h0) & ((1u << PS_ROWS) - 1);
      if (!rows) continue;
      const int ca = label_of[pa];
      const double *ar[PS_ROWS];
      int64_t ai[PS_ROWS];
      for (int r = 0; r < PS_ROWS; r++) { /* a padding slot repeats the tile's first row, unused */
        ai[r] = row_of[pa * PS_LANES + h0 + ((rows >> r) & 1 ? r : 0)];
        ar[r] = x + ai[r] * d;
      }
      for (int c = ca; c < k; c++) {
        if (p->start[c] == p->start[c + 1]) continue;
        __m512i hi[PS_ROWS], lo[PS_ROWS];
        for (int r = 0; r < PS_ROWS; r++) hi[r] = lo[r] = _mm512_setzero_si512();
        for (int64_t pn = c == ca ? pa : p->start[c]; pn < p->start[c + 1]; pn++) {
          __m512i qv[PS_ROWS];
          ps_panel_q(ar, p->bt + pn * d * PS_LANES, d, scale, qv);
          __m512i chi = _mm512_setzero_si512(), clo = _mm512_setzero_si512();
          for (int r = 0; r < PS_ROWS; r++) {
            if (!((rows >> r) & 1)) continue;
            __mmask8 m = (__mmask8)p->valid[pn];
            if (pn == pa) m &= (__mmask8)(0xffu << (h0 + r + 1)); /* the slots after a_r's own */
            ps_add(qv[r], m, &hi[r], &lo[r]);
            ps_add(qv[r], m, &chi, &clo);
          }
          __m512i *cv = cs + ((size_t)pn * (size_t)k + (size_t)ca) * 2;
          cv[0] = _mm512_add_epi64(cv[0], chi);
          cv[1] = _mm512_add_epi64(cv[1], clo);
        }
        for (int r = 0; r < PS_ROWS; r++)
          if ((rows >> r) & 1) acc[ai[r] * k + c] += ps_join(hi[r], lo[r]);
      }
    }
  }
  /* each lane of the column sums is one row's sum at the tile's label */
#pragma omp parallel for schedule(static) num_threads(nt)
  for (int64_t pn = 0; pn < p->n; pn++)
    for (int c = 0; c <= label_of[pn]; c++) {
      __m512i hi = _mm512_setzero_si512(), lo = _mm512_setzero_si512();
      for (int th = 0; th < nt; th++) {
        const __m512i *cv = col + (size_t)th * per + ((size_t)pn * (size_t)k + (size_t)c) * 2;
        hi = _mm512_add_epi64(hi, cv[0]);
        lo = _mm512_add_epi64(lo, cv[1]);
      }
      int64_t h[PS_LANES];
      uint64_t l[PS_LANES];
      _mm512_storeu_si512(h, hi);
      _mm512_storeu_si512(l, lo);
      for (int lane = 0; lane < PS_LANES; lane++)
        if ((p->valid[pn] >> lane) & 1) acc[row_of[pn * PS_LANES + lane] * k + c] += kseg_fixed_join(h[lane], l[lane]);
    }
  free(col);
  return KSEG_OK;
}

int kseg_pairsum_sample(const double *x, const int32_t *lx, int64_t n, int64_t d, int k, const kseg_fixed *fe,
                        int part, int parts, kseg_i128 *acc)
{
  if (n <= 0) return KSEG_OK;
  const size_t need = (size_t)omp_get_max_threads() * (size_t)(n / PS_LANES + k) * (size_t)k * 128;
  if (need > PS_SYMMETRIC_BYTES) return part_against_all(x, lx, n, d, k, fe, part, parts, acc);
  ps_panels p;
  KSEG_CHECK(ps_build(x, lx, n, d, k, &p));
  int64_t *row_of = NULL;
  int32_t *label_of = NULL;
  int st = ps_index(lx, n, k, &p, &row_of, &label_of);
  if (!st) st = ps_symmetric(x, d, k, &p, row_of, label_of, _mm512_set1_pd(fe->scale), part, parts, acc);
  free(row_of);
  free(label_of);
  ps_free(&p);
  return st;
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

int kseg_pairsum_sample(const double *x, const int32_t *lx, int64_t n, int64_t d, int k, const kseg_fixed *fe,
                        int part, int parts, kseg_i128 *acc)
{
  return part_against_all(x, lx, n, d, k, fe, part, parts, acc);
}

#endif
