/* row.h - the inline pieces the typed kernels share: the scalar type, the
 * block search nearest() and its argmin, the canonical single distances, the
 * move of a row between the exact split sums, and the double distance of the
 * scans. Included by each kernel template (block.h, dot.h, elkan.h,
 * yinyang.h, scan.h, seed.h), so once per translation unit, which chooses
 * its type by defining KM_F64 or KM_F32 first. All static inline.
 *
 * nearest()'s layout: the centroid table ct is d x kp (transposed, kp = k
 * rounded up to KSEG_KM_KB = 16, padding ignored), so the innermost loop runs
 * over 16 centroids with unit stride and vectorizes: two 64-byte vectors of
 * doubles, or one of floats with twice the rows, so both types keep eight
 * independent accumulator chains and k = 16 wastes no lane. Each row's
 * accumulators see exactly the same sequence of operations whatever block
 * the row falls in: a short tail block repeats its last row instead of
 * taking a different code path, so a row's distances (and hence its label)
 * do not depend on which rank or thread holds it. */
#ifndef KSEG_KMEANS_KERNELS_ROW_H
#define KSEG_KMEANS_KERNELS_ROW_H

#if defined(KM_F64) == defined(KM_F32)
#error "a kernel translation unit defines exactly one of KM_F64 and KM_F32 before its template"
#endif

#if defined(__AVX512F__)
#include <immintrin.h>
#endif
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "kmeans/bounds.h"
#include "kmeans/kernels/kernels.h"

/* KM_T the scalar type, KM_FN(name) a kernel's exported name for it, KM_RB
 * the rows per block of nearest() (4 for double, 8 for float). */
#if defined(KM_F64)
#define KM_T double
#define KM_FN(name) kseg_km_##name##_f64
#define KM_RB 4
#define KM_IS_F64 1
#else
#define KM_T float
#define KM_FN(name) kseg_km_##name##_f32
#define KM_RB 8
#define KM_IS_F64 0
#endif

typedef KM_T km_vec __attribute__((vector_size(64)));
#define KM_VL ((int)(64 / sizeof(KM_T)))
_Static_assert(KSEG_KM_KB == 16, "the kernel shapes below cover 16 centroids per block");

/* Fold one block of 16 values v (lanes >= qmax are padding) of one row
 * into its running minimum *best, its index *lab (ties to the lowest index,
 * as scikit-learn; block kb's lane q is index kb + q) and, when second is not
 * NULL, the running second smallest (duplicates count twice). */
static inline void row_argmin(const km_vec v[KSEG_KM_KB / KM_VL], int qmax, int64_t kb, int32_t *lab, KM_T *best,
                              KM_T *second)
{
#if defined(__AVX512F__)
  /* The scalar scan below cost as much as the distances (profiled: 41 % of
   * a k = 16 iteration, its compare a mispredicted branch). Here: the
   * block's minimum m (min is exact, so the reduction order is free), its
   * first lane (ties to the lowest index, as the scan), and for Hamerly
   * the smallest of the other lanes; the same labels and bounds bit for bit.
   * Padding lanes (>= qmax) read as +inf. */
  const unsigned keep = qmax >= KSEG_KM_KB ? 0xffffu : (1u << qmax) - 1u;
#if KM_IS_F64
  const __m512d inf = _mm512_set1_pd(INFINITY);
  const __m512d v0 = _mm512_mask_mov_pd(inf, (__mmask8)(keep & 0xffu), v[0]);
  const __m512d v1 = _mm512_mask_mov_pd(inf, (__mmask8)(keep >> 8), v[1]);
  const KM_T m = _mm512_reduce_min_pd(_mm512_min_pd(v0, v1));
  const __m512d mm = _mm512_set1_pd(m);
  const unsigned eq = (unsigned)_mm512_cmp_pd_mask(v0, mm, _CMP_EQ_OQ) |
                      (unsigned)_mm512_cmp_pd_mask(v1, mm, _CMP_EQ_OQ) << 8;
  const int q = __builtin_ctz(eq);
#else
  const __m512 inf = _mm512_set1_ps(INFINITY);
  const __m512 v0 = _mm512_mask_mov_ps(inf, (__mmask16)keep, v[0]);
  const KM_T m = _mm512_reduce_min_ps(v0);
  const int q = __builtin_ctz((unsigned)_mm512_cmp_ps_mask(v0, _mm512_set1_ps(m), _CMP_EQ_OQ));
#endif
  const bool lt = m < *best;
  if (second) {
    /* The block's second smallest: its minimum with lane q taken out. */
#if KM_IS_F64
    const unsigned out = 1u << q;
    const KM_T m2 = _mm512_reduce_min_pd(_mm512_min_pd(_mm512_mask_mov_pd(v0, (__mmask8)(out & 0xffu), inf),
                                                       _mm512_mask_mov_pd(v1, (__mmask8)(out >> 8), inf)));
#else
    const KM_T m2 = _mm512_reduce_min_ps(_mm512_mask_mov_ps(v0, (__mmask16)(1u << q), inf));
#endif
    const KM_T a = lt ? *best : *second, b = lt ? m2 : m;
    *second = b < a ? b : a;
  }
  *lab = lt ? (int32_t)(kb + q) : *lab;
  *best = lt ? m : *best;
#else
  /* Branch-free scan (strict <: ties keep the lowest index); branches on
   * near-random comparisons cost more than the distances of small k. */
  KM_T b = *best, b2 = second ? *second : 0;
  int32_t l = *lab;
  for (int q = 0; q < qmax; q++) {
    const KM_T x = v[q / KM_VL][q % KM_VL];
    const bool lt = x < b;
    if (second) b2 = lt ? b : (x < b2 ? x : b2);
    b = lt ? x : b;
    l = lt ? (int32_t)(kb + q) : l;
  }
  *best = b;
  *lab = l;
  if (second) *second = b2;
#endif
}

/* Nearest centroid of KM_RB rows (ties to the lowest index). Accumulators
 * are named variables, not an array: an array whose lanes are read back
 * through memory gets spilled to the stack inside the hot loop. */
static inline void nearest(const KM_T *const xr[KM_RB], int64_t d, const KM_T *restrict ct, int64_t kp, int64_t k,
                           int32_t lab[KM_RB], KM_T best[KM_RB], KM_T *second)
{
  typedef km_vec vec;
  for (int r = 0; r < KM_RB; r++) {
    best[r] = (KM_T)INFINITY;
    lab[r] = 0;
    if (second) second[r] = (KM_T)INFINITY;
  }
  /* Vector-typed so the stores after the loop are register stores; byte
   * copies into a scalar array made GCC keep some accumulators in that
   * memory through the whole j loop (a store-load chain per FMA). */
  vec dist[KM_RB][KSEG_KM_KB / KM_VL];
  for (int64_t kb = 0; kb < kp; kb += KSEG_KM_KB) {
#if KM_RB == 4 /* double: 4 rows x 2 vectors of 8 */
    _Static_assert(KM_VL == 8, "4-row shape is for double");
    const KM_T *restrict x0 = xr[0], *restrict x1 = xr[1], *restrict x2 = xr[2], *restrict x3 = xr[3];
    vec a00 = {0}, a01 = {0}, a10 = {0}, a11 = {0}, a20 = {0}, a21 = {0}, a30 = {0}, a31 = {0};
    for (int64_t j = 0; j < d; j++) {
      vec c0, c1, t;
      memcpy(&c0, ct + j * kp + kb, sizeof c0);
      memcpy(&c1, ct + j * kp + kb + KM_VL, sizeof c1);
      t = x0[j] - c0, a00 += t * t;
      t = x0[j] - c1, a01 += t * t;
      t = x1[j] - c0, a10 += t * t;
      t = x1[j] - c1, a11 += t * t;
      t = x2[j] - c0, a20 += t * t;
      t = x2[j] - c1, a21 += t * t;
      t = x3[j] - c0, a30 += t * t;
      t = x3[j] - c1, a31 += t * t;
    }
    dist[0][0] = a00, dist[0][1] = a01, dist[1][0] = a10, dist[1][1] = a11;
    dist[2][0] = a20, dist[2][1] = a21, dist[3][0] = a30, dist[3][1] = a31;
#elif KM_RB == 8 /* float: 8 rows x 1 vector of 16 */
    _Static_assert(KM_VL == 16, "8-row shape is for float");
    const KM_T *restrict x0 = xr[0], *restrict x1 = xr[1], *restrict x2 = xr[2], *restrict x3 = xr[3];
    const KM_T *restrict x4 = xr[4], *restrict x5 = xr[5], *restrict x6 = xr[6], *restrict x7 = xr[7];
    vec a0 = {0}, a1 = {0}, a2 = {0}, a3 = {0}, a4 = {0}, a5 = {0}, a6 = {0}, a7 = {0};
    for (int64_t j = 0; j < d; j++) {
      vec c0, t;
      memcpy(&c0, ct + j * kp + kb, sizeof c0);
      t = x0[j] - c0, a0 += t * t;
      t = x1[j] - c0, a1 += t * t;
      t = x2[j] - c0, a2 += t * t;
      t = x3[j] - c0, a3 += t * t;
      t = x4[j] - c0, a4 += t * t;
      t = x5[j] - c0, a5 += t * t;
      t = x6[j] - c0, a6 += t * t;
      t = x7[j] - c0, a7 += t * t;
    }
    dist[0][0] = a0, dist[1][0] = a1, dist[2][0] = a2, dist[3][0] = a3;
    dist[4][0] = a4, dist[5][0] = a5, dist[6][0] = a6, dist[7][0] = a7;
#else
#error "KM_RB must be 4 (double) or 8 (float)"
#endif
    const int qmax = k - kb < KSEG_KM_KB ? (int)(k - kb) : KSEG_KM_KB;
    for (int r = 0; r < KM_RB; r++) row_argmin(dist[r], qmax, kb, &lab[r], &best[r], second ? &second[r] : NULL);
  }
}

/* The canonical squared distance of one row to one centroid (both of d
 * values of KM_T, contiguous): one lane of nearest()'s arithmetic, the same
 * operations in the same order (t = x - c; acc += t * t), so equal to it bit
 * for bit. For kernels that need single distances (Elkan, Yinyang).
 * nearest()'s vector accumulation is contracted to an FMA when the target
 * has one (gnu11 contracts), so the FMA is spelled out here: written as
 * acc += t * t, GCC -O3 vectorized this loop as an in-order reduction of
 * vector products, which rounds t * t separately and differed in the last
 * bit for d >= 7 (tests/test_kmeans_pairdist.c checks the equality). */
static inline KM_T pair_dist2(const KM_T *restrict xi, const KM_T *restrict c, int64_t d)
{
  KM_T acc = 0;
  for (int64_t j = 0; j < d; j++) {
    const KM_T t = xi[j] - c[j];
#if defined(__FMA__)
    acc = _Generic(acc, float: fmaf, default: fma)(t, t, acc);
#else
    acc += t * t;
#endif
  }
  return acc;
}

/* pair_dist2 of one row to four centroids at once: four independent
 * accumulators (the latency of one dependent FMA chain, not its
 * throughput, bounds a single pair_dist2), each the same operations in the
 * same order as pair_dist2, so each result equals it bit for bit. */
static inline void pair_dist2_x4(const KM_T *restrict xi, const KM_T *restrict c0, const KM_T *restrict c1,
                                 const KM_T *restrict c2, const KM_T *restrict c3, int64_t d, KM_T out[4])
{
  KM_T a0 = 0, a1 = 0, a2 = 0, a3 = 0;
  for (int64_t j = 0; j < d; j++) {
    const KM_T x = xi[j], t0 = x - c0[j], t1 = x - c1[j], t2 = x - c2[j], t3 = x - c3[j];
#if defined(__FMA__)
    a0 = _Generic(a0, float: fmaf, default: fma)(t0, t0, a0);
    a1 = _Generic(a1, float: fmaf, default: fma)(t1, t1, a1);
    a2 = _Generic(a2, float: fmaf, default: fma)(t2, t2, a2);
    a3 = _Generic(a3, float: fmaf, default: fma)(t3, t3, a3);
#else
    a0 += t0 * t0;
    a1 += t1 * t1;
    a2 += t2 * t2;
    a3 += t3 * t3;
#endif
  }
  out[0] = a0, out[1] = a1, out[2] = a2, out[3] = a3;
}

/* Distances of row xi to the centroids idx[0..m) of cx (k x d row-major)
 * into out[0..m), four at a time (a short tail repeats its last centroid). */
static inline void dist2_list(const KM_T *restrict xi, const KM_T *restrict cx, int64_t d,
                              const int32_t *restrict idx, int m, KM_T *restrict out)
{
  for (int q = 0; q < m; q += 4) {
    const KM_T *c[4];
    for (int r = 0; r < 4; r++) c[r] = cx + (int64_t)idx[q + r < m ? q + r : m - 1] * d;
    KM_T v[4];
    pair_dist2_x4(xi, c[0], c[1], c[2], c[3], d, v);
    for (int r = 0; r < 4 && q + r < m; r++) out[q + r] = v[r];
  }
}

/* Move row xi's exact fixed-point value from cluster `from` (-1: none) to
 * cluster `to` (-1: none) in a thread's split sums (hi: v >> 32, lo: low 32
 * bits, read signed when folded: subtractions may wrap it) and counts. */
static inline void move_row(const KM_T *restrict xi, int64_t d, double xscale, int64_t *restrict hi,
                            uint64_t *restrict lo, int64_t *restrict counts, int32_t from, int32_t to)
{
  int64_t *restrict hf = from >= 0 ? hi + (int64_t)from * d : NULL, *restrict ht = to >= 0 ? hi + (int64_t)to * d : NULL;
  uint64_t *restrict lf = from >= 0 ? lo + (int64_t)from * d : NULL, *restrict lt = to >= 0 ? lo + (int64_t)to * d : NULL;
  if (from >= 0) counts[from]--;
  if (to >= 0) counts[to]++;
  int64_t j = 0;
#if defined(__AVX512F__) && defined(__AVX512DQ__)
  /* 8 values at a time: the conversion rounds to nearest-even like rint
   * (the default rounding mode), so the same integers; GCC left the scalar
   * loop unvectorized, and every row that changes label passes here. */
  const __m512d scale = _mm512_set1_pd(xscale);
  const __m512i low = _mm512_set1_epi64(0xffffffff);
  for (; j + 8 <= d; j += 8) {
    const __m512d x = sizeof(KM_T) == 8 ? _mm512_loadu_pd((const double *)xi + j)
                                        : _mm512_cvtps_pd(_mm256_loadu_ps((const float *)xi + j));
    const __m512i v = _mm512_cvtpd_epi64(_mm512_mul_pd(x, scale));
    const __m512i vh = _mm512_srai_epi64(v, 32), vl = _mm512_and_si512(v, low);
    if (hf) {
      _mm512_storeu_si512(hf + j, _mm512_sub_epi64(_mm512_loadu_si512(hf + j), vh));
      _mm512_storeu_si512(lf + j, _mm512_sub_epi64(_mm512_loadu_si512(lf + j), vl));
    }
    if (ht) {
      _mm512_storeu_si512(ht + j, _mm512_add_epi64(_mm512_loadu_si512(ht + j), vh));
      _mm512_storeu_si512(lt + j, _mm512_add_epi64(_mm512_loadu_si512(lt + j), vl));
    }
  }
#endif
  for (; j < d; j++) {
    const int64_t v = (int64_t)rint((double)xi[j] * xscale);
    if (hf) {
      hf[j] -= v >> 32;
      lf[j] -= (uint64_t)v & 0xffffffffu;
    }
    if (ht) {
      ht[j] += v >> 32;
      lt[j] += (uint64_t)v & 0xffffffffu;
    }
  }
}

/* The first iteration of the bounded kernels (every row unlabelled) by
 * Lloyd's block kernel: nearest() gives each row its label (Lloyd's), the
 * nearest and the second-nearest computed distances, at the block kernel's
 * speed rather than one distance at a time; the kernels then bound every
 * other centroid below by the second nearest, as Hamerly starts.
 *
 * Rows [i, i + nr), nr <= KM_RB: labels (counted as changed), their
 * fixed-point values added to the thread's split sums, upper[row] (the
 * exact distance to the label, widened) and second[r] (a lower bound on the
 * exact distance to every other centroid; +inf when k = 1). */
static inline void first_block(const KM_T *restrict x, int64_t i, int nr, int64_t d, const KM_T *restrict ct,
                               int64_t kp, int64_t k, double rel, double am, double xscale,
                               int32_t *restrict labels, double *restrict upper, double second[KM_RB],
                               int64_t *restrict hi, uint64_t *restrict lo, int64_t *restrict counts,
                               int64_t *changed)
{
  const KM_T *xr[KM_RB];
  for (int r = 0; r < KM_RB; r++) xr[r] = x + (i + (r < nr ? r : nr - 1)) * d;
  int32_t lab[KM_RB];
  KM_T best[KM_RB], sec[KM_RB];
  nearest(xr, d, ct, kp, k, lab, best, sec);
  for (int r = 0; r < nr; r++) {
    labels[i + r] = lab[r];
    upper[i + r] = kseg_km_exact_upper((double)best[r], rel, am);
    second[r] = kseg_km_exact_lower((double)sec[r], rel, am);
    move_row(xr[r], d, xscale, hi, lo, counts, -1, lab[r]);
  }
  *changed += nr;
}

/* Squared distance of row xi to c[d], in double whatever the type: the one
 * scalar distance used outside the iterations (initialization, inertia).
 * Eight interleaved partial sums combined in a fixed tree vectorize, and a
 * row's distance still depends only on the row and the centroid. */
static inline double row_dist2(const KM_T *xi, const double *c, int64_t d)
{
  double s[8] = {0};
  int64_t j = 0;
  for (; j + 8 <= d; j += 8)
    for (int q = 0; q < 8; q++) {
      const double t = (double)xi[j + q] - c[j + q];
      s[q] += t * t;
    }
  for (int q = 0; j < d; j++, q++) {
    const double t = (double)xi[j] - c[j];
    s[q] += t * t;
  }
  return ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
}

#endif
