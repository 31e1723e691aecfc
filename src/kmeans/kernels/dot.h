/* dot.h - kernel template: Lloyd's E-step in the dot-product form (dot_rows)
 * with its tables, and the exact inertia of the labels for progress
 * reports. Compiled once per type by dot_f64.c and dot_f32.c; see
 * kernels.h. */
#include "kmeans/kernels/row.h"

/* Rows per block of the dot form. */
#define KM_DB 8

#if defined(__AVX512F__)
/* out[c] lane r = r_r lane c: an 8 x 8 transpose of doubles (24 shuffles). */
static inline void transpose8(__m512d r0, __m512d r1, __m512d r2, __m512d r3, __m512d r4, __m512d r5, __m512d r6,
                              __m512d r7, __m512d out[8])
{
  const __m512d t0 = _mm512_unpacklo_pd(r0, r1), t1 = _mm512_unpackhi_pd(r0, r1);
  const __m512d t2 = _mm512_unpacklo_pd(r2, r3), t3 = _mm512_unpackhi_pd(r2, r3);
  const __m512d t4 = _mm512_unpacklo_pd(r4, r5), t5 = _mm512_unpackhi_pd(r4, r5);
  const __m512d t6 = _mm512_unpacklo_pd(r6, r7), t7 = _mm512_unpackhi_pd(r6, r7);
  const __m512d u0 = _mm512_shuffle_f64x2(t0, t2, 0x88), u1 = _mm512_shuffle_f64x2(t1, t3, 0x88);
  const __m512d u2 = _mm512_shuffle_f64x2(t0, t2, 0xdd), u3 = _mm512_shuffle_f64x2(t1, t3, 0xdd);
  const __m512d u4 = _mm512_shuffle_f64x2(t4, t6, 0x88), u5 = _mm512_shuffle_f64x2(t5, t7, 0x88);
  const __m512d u6 = _mm512_shuffle_f64x2(t4, t6, 0xdd), u7 = _mm512_shuffle_f64x2(t5, t7, 0xdd);
  out[0] = _mm512_shuffle_f64x2(u0, u4, 0x88), out[4] = _mm512_shuffle_f64x2(u0, u4, 0xdd);
  out[1] = _mm512_shuffle_f64x2(u1, u5, 0x88), out[5] = _mm512_shuffle_f64x2(u1, u5, 0xdd);
  out[2] = _mm512_shuffle_f64x2(u2, u6, 0x88), out[6] = _mm512_shuffle_f64x2(u2, u6, 0xdd);
  out[3] = _mm512_shuffle_f64x2(u3, u7, 0x88), out[7] = _mm512_shuffle_f64x2(u3, u7, 0xdd);
}
#endif

/* Give row `row` label l; with mode, move its fixed-point value in the
 * thread's split sums. Returns 1 if the label changed. */
static inline int64_t settle_row(const KM_T *restrict x, int64_t row, int32_t l, int64_t d, int32_t *restrict labels,
                                 int mode, double xscale, int64_t *restrict hi, uint64_t *restrict lo,
                                 int64_t *restrict counts)
{
  const int32_t old = labels[row];
  labels[row] = l;
  if (mode == KSEG_KM_ALL_ROWS) move_row(x + row * d, d, xscale, hi, lo, counts, -1, l);
  else if (mode == KSEG_KM_MOVED_ROWS && old != l) move_row(x + row * d, d, xscale, hi, lo, counts, old, l);
  return old != l;
}

/* The near ties rows[0..m) (m <= KM_RB) searched with nearest() and settled. */
static int64_t settle_exact(const KM_T *restrict x, const int64_t *rows, int m, int64_t d, const KM_T *restrict ct,
                            int64_t kp, int64_t k, int32_t *restrict labels, int mode, double xscale,
                            int64_t *restrict hi, uint64_t *restrict lo, int64_t *restrict counts)
{
  const KM_T *xr[KM_RB];
  for (int r = 0; r < KM_RB; r++) xr[r] = x + rows[r < m ? r : m - 1] * d;
  int32_t lab[KM_RB];
  KM_T best[KM_RB];
  nearest(xr, d, ct, kp, k, lab, best, NULL);
  int64_t moved = 0;
  for (int r = 0; r < m; r++) moved += settle_row(x, rows[r], lab[r], d, labels, mode, xscale, hi, lo, counts);
  return moved;
}

/* Lloyd's E-step in the dot-product form, with the canonical labels.
 *
 * For each row it computes e_c = ||c||^2 - 2 x.c for every centroid (one FMA
 * per row, centroid and column: half the arithmetic of nearest()'s
 * difference form), and keeps the smallest two. e_c + ||x||^2 is the squared
 * distance, but with a rounding error of up to about (d + 2) eps
 * (||x|| + ||c||)^2 instead of nearest()'s (d + 2) eps |x - c|^2, so it may
 * order two nearly equidistant centroids differently from nearest(). Hence:
 * when the runner-up is more than the sum of both forms' worst errors
 * (4 (d + 2) eps (||x|| + max ||c||)^2, taken twice over) above the winner,
 * nearest() must pick the same centroid and the label is kept; otherwise the
 * row is searched again with nearest() itself. The bound is first tried with
 * ||x|| <= sqrt(d) max|x| (m1, no work per row), then with the row's own
 * norm. So the labels are nearest()'s, bit for bit, rows that
 * need the exact search are rare (a near tie), and no distance is kept.
 *
 * mode: KSEG_KM_LABELS_ONLY sets labels; KSEG_KM_MOVED_ROWS also moves
 * the fixed-point value of every row whose label changed between the
 * thread's split sums (deltas for a running total); KSEG_KM_ALL_ROWS adds
 * every row to its new label's sums (a fresh total). changed counts rows
 * whose label changed. ct is the centroid table, cc the squared norms of its
 * columns (padding +inf), cn their largest norm; m1, gam and tiny the
 * margins (the E-step in estep.c derives them). */
void KM_FN(dot_rows)(const void *xv, int64_t i0, int64_t i1, int64_t d, const void *ctv, const void *ccv, int64_t kp,
                     int64_t k, int32_t *restrict labels, double m1, double gam, double cn, double tiny, int mode,
                     double xscale, int64_t *restrict hi, uint64_t *restrict lo, int64_t *restrict counts,
                     int64_t *changed)
{
  const KM_T *restrict x = xv, *restrict ct = ctv, *restrict cc = ccv;
  typedef km_vec vec;
  int64_t moved = 0, pending[KM_RB];
  int np = 0;
  for (int64_t i = i0; i < i1; i += KM_DB) {
    const int nr = i1 - i < KM_DB ? (int)(i1 - i) : KM_DB;
    const KM_T *xr[KM_DB];
    for (int r = 0; r < KM_DB; r++) xr[r] = x + (i + (r < nr ? r : nr - 1)) * d;
    int32_t lab[KM_DB];
    KM_T best[KM_DB], second[KM_DB];
#if defined(__AVX512F__)
    _Static_assert(KM_DB == 8, "the transposed argmin takes 8 rows");
    __m512d vbest = _mm512_set1_pd(INFINITY), vsecond = vbest;
    __m512i vlab = _mm512_setzero_si512();
#else
    for (int r = 0; r < KM_DB; r++) {
      best[r] = second[r] = (KM_T)INFINITY;
      lab[r] = 0;
    }
#endif
    /* Software prefetch two blocks ahead: the hardware prefetcher alone left
     * a thread waiting on memory for half of each pass. */
    if (i + 3 * KM_DB <= i1) {
      const char *p = (const char *)(x + (i + 2 * KM_DB) * d), *e = (const char *)(x + (i + 3 * KM_DB) * d);
      for (; p < e; p += 64) __builtin_prefetch(p, 0, 3);
    }
    vec e[KM_DB][KSEG_KM_KB / KM_VL];
    for (int64_t kb = 0; kb < kp; kb += KSEG_KM_KB) {
      /* 8 rows x 2 vectors of doubles (16 accumulator chains) or 8 rows x 1
       * vector of 16 floats; the centroid vectors are loaded once per column
       * for all rows. */
#define KM_X(r) const KM_T *restrict x##r = xr[r];
#if KM_IS_F64
      _Static_assert(KM_DB == 8, "8-row dot shape is for double");
      KM_X(0) KM_X(1) KM_X(2) KM_X(3) KM_X(4) KM_X(5) KM_X(6) KM_X(7)
#define KM_A(r) vec a##r##0 = {0}, a##r##1 = {0};
      KM_A(0) KM_A(1) KM_A(2) KM_A(3) KM_A(4) KM_A(5) KM_A(6) KM_A(7)
#undef KM_A
#pragma GCC unroll 4
      for (int64_t j = 0; j < d; j++) {
        vec c0, c1;
        memcpy(&c0, ct + j * kp + kb, sizeof c0);
        memcpy(&c1, ct + j * kp + kb + KM_VL, sizeof c1);
#define KM_F(r) a##r##0 += x##r[j] * c0, a##r##1 += x##r[j] * c1;
        KM_F(0) KM_F(1) KM_F(2) KM_F(3) KM_F(4) KM_F(5) KM_F(6) KM_F(7)
#undef KM_F
      }
      vec q0, q1;
      memcpy(&q0, cc + kb, sizeof q0);
      memcpy(&q1, cc + kb + KM_VL, sizeof q1);
#define KM_E(r) e[r][0] = q0 - (a##r##0 + a##r##0), e[r][1] = q1 - (a##r##1 + a##r##1);
      KM_E(0) KM_E(1) KM_E(2) KM_E(3) KM_E(4) KM_E(5) KM_E(6) KM_E(7)
#undef KM_E
#else /* float: 8 rows x 1 vector of 16 */
      _Static_assert(KM_DB == 8, "8-row dot shape");
      KM_X(0) KM_X(1) KM_X(2) KM_X(3) KM_X(4) KM_X(5) KM_X(6) KM_X(7)
#define KM_A(r) vec a##r = {0};
      KM_A(0) KM_A(1) KM_A(2) KM_A(3) KM_A(4) KM_A(5) KM_A(6) KM_A(7)
#undef KM_A
#pragma GCC unroll 4
      for (int64_t j = 0; j < d; j++) {
        vec c0;
        memcpy(&c0, ct + j * kp + kb, sizeof c0);
#define KM_F(r) a##r += x##r[j] * c0;
        KM_F(0) KM_F(1) KM_F(2) KM_F(3) KM_F(4) KM_F(5) KM_F(6) KM_F(7)
#undef KM_F
      }
      vec q0;
      memcpy(&q0, cc + kb, sizeof q0);
#define KM_E(r) e[r][0] = q0 - (a##r + a##r);
      KM_E(0) KM_E(1) KM_E(2) KM_E(3) KM_E(4) KM_E(5) KM_E(6) KM_E(7)
#undef KM_E
#endif
#undef KM_X
      const int qmax = k - kb < KSEG_KM_KB ? (int)(k - kb) : KSEG_KM_KB;
#if defined(__AVX512F__)
      /* The 8 rows at once: transpose the block so lane r of column c holds
       * row r's value for centroid kb + c, then one pass over the columns in
       * index order keeps each row's minimum, its first index (strict <:
       * ties keep the lowest) and the second smallest (duplicates count
       * twice): the same values and labels as row_argmin, in about half the
       * instructions. */
      {
        __m512d col[KSEG_KM_KB];
#if KM_IS_F64
        transpose8(e[0][0], e[1][0], e[2][0], e[3][0], e[4][0], e[5][0], e[6][0], e[7][0], col);
        transpose8(e[0][1], e[1][1], e[2][1], e[3][1], e[4][1], e[5][1], e[6][1], e[7][1], col + 8);
#else
        /* floats widened to double (exact, so the same order and gaps) */
        __m512d lo[8], hi[8];
        for (int r = 0; r < 8; r++) {
          const __m512 v = (__m512)e[r][0];
          lo[r] = _mm512_cvtps_pd(_mm512_castps512_ps256(v));
          hi[r] = _mm512_cvtps_pd(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1)));
        }
        transpose8(lo[0], lo[1], lo[2], lo[3], lo[4], lo[5], lo[6], lo[7], col);
        transpose8(hi[0], hi[1], hi[2], hi[3], hi[4], hi[5], hi[6], hi[7], col + 8);
#endif
        for (int c = 0; c < qmax; c++) {
          const __m512d v = col[c];
          const __mmask8 lt = _mm512_cmp_pd_mask(v, vbest, _CMP_LT_OQ);
          vsecond = _mm512_min_pd(vsecond, _mm512_max_pd(vbest, v));
          vbest = _mm512_mask_mov_pd(vbest, lt, v);
          vlab = _mm512_mask_mov_epi64(vlab, lt, _mm512_set1_epi64(kb + c));
        }
      }
#else
      for (int r = 0; r < KM_DB; r++) row_argmin(e[r], qmax, kb, &lab[r], &best[r], &second[r]);
#endif
    }
#if defined(__AVX512F__)
#if KM_IS_F64
    _mm512_storeu_pd(best, vbest);
    _mm512_storeu_pd(second, vsecond);
#else /* exact: the values are floats */
    _mm256_storeu_ps(best, _mm512_cvtpd_ps(vbest));
    _mm256_storeu_ps(second, _mm512_cvtpd_ps(vsecond));
#endif
    _mm256_storeu_si256((__m256i *)lab, _mm512_cvtepi64_epi32(vlab));
#endif
    for (int r = 0; r < nr; r++) {
      /* NaN (overflowing rows) fails both tests and goes to nearest(). */
      const double gap = (double)second[r] - (double)best[r];
      bool sure = gap > m1;
      if (!sure) {
        double xx = 0;
        for (int64_t j = 0; j < d; j++) xx += (double)xr[r][j] * (double)xr[r][j];
        const double reach = sqrt(xx) + cn;
        sure = gap > gam * reach * reach + tiny;
      }
      if (sure) {
        moved += settle_row(x, i + r, lab[r], d, labels, mode, xscale, hi, lo, counts);
        continue;
      }
      pending[np++] = i + r;
      if (np == KM_RB) {
        moved += settle_exact(x, pending, np, d, ct, kp, k, labels, mode, xscale, hi, lo, counts);
        np = 0;
      }
    }
  }
  if (np > 0) moved += settle_exact(x, pending, np, d, ct, kp, k, labels, mode, xscale, hi, lo, counts);
  *changed += moved;
}

/* dot_rows' other tables: the k x d centroids rounded to KM_T, row-major
 * (cr, for the progress inertia), and the squared norms cc of the table's
 * columns (kp, computed in double from the rounded values; padding +inf).
 * Returns their largest norm, rounded up, for dot_rows' error bound. */
double KM_FN(dot_tables)(const double *centers, int64_t k, int64_t d, int64_t kp, void *crv, void *ccv)
{
  KM_T *cr = crv, *cc = ccv;
  double cn2 = 0;
  for (int64_t c = 0; c < kp; c++) {
    double s = 0;
    for (int64_t j = 0; j < d && c < k; j++) {
      const double v = cr[c * d + j] = (KM_T)centers[c * d + j];
      s += v * v;
    }
    if (c >= k) s = INFINITY;
    else cn2 = fmax(cn2, s);
    cc[c] = (KM_T)s;
  }
  return sqrt(cn2) * (1 + 1e-12);
}

/* The fixed-point inertia (scale) of rows [i0, i1) against their labels'
 * centroids cr (k x d in KM_T), with pair_dist2: for progress reports. */
kseg_i128 KM_FN(label_fixed)(const void *xv, int64_t i0, int64_t i1, int64_t d, const void *crv,
                             const int32_t *labels, double scale)
{
  const KM_T *x = xv, *cr = crv;
  kseg_i128 in = 0;
  for (int64_t i = i0; i < i1; i++) {
    const double d2 = (double)pair_dist2(x + i * d, cr + labels[i] * d, d);
    in += (int64_t)rint(d2 * scale);
  }
  return in;
}
