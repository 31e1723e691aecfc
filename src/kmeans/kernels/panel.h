/* panel.h - kernel template: the E-step's micro-kernel and the two searches
 * built on it, Lloyd's dot_rows over consecutive rows and Hamerly's
 * search_rows over gathered rows, with its centroid tables and the exact
 * inertia of progress reports. Compiled once per type by panel_f64.c and
 * panel_f32.c; see kernels.h.
 *
 * The BLIS way, with rows and centroids swapped into the roles of A and B:
 * a panel of KP_PW rows (24 doubles or 48 floats) is packed transposed
 * (column j of every row is one run of KP_PW values: KP_MR vectors), the
 * centroids are packed in blocks of KP_NR = 8 (within a block, value j of
 * each centroid side by side), and a register block of KP_MR x KP_NR
 * accumulators (24) takes one vector load per row vector and one broadcast
 * per centroid for KP_MR x KP_NR fused multiply-adds. A vector lane is a
 * row, so
 *   - no lane is wasted whatever k is (the centroid-vectorized kernel padded
 *     k to 16: 8 of 16 lanes idle at k = 8, 14 at k = 2);
 *   - the argmin needs no transpose: lane r of every accumulator is row r.
 * What it computes is the dot form (see dot_rows): each accumulator starts
 * at h_c = -||c||^2 / 2 and adds x.c, so v_c = x.c - ||c||^2 / 2 and the
 * nearest centroid is the largest v_c (||x - c||^2 = ||x||^2 - 2 v_c). The
 * argmax keeps, per lane, the largest v, its first index (strict >: ties keep
 * the lowest) and the second largest (duplicates count twice), in four
 * vector operations per row vector and centroid and one masked move.
 *
 * Lanes never mix: lane r's arithmetic depends only on row r and the
 * centroids, whatever panel, thread or rank holds the row (a short panel
 * repeats its last row). So the register block's shape is free: from a
 * packed copy, k <= KP_TWO_K searches two panels at once (kp_two_settle),
 * with the gap test in registers. */
#include "kmeans/kernels/row.h"

#include <float.h>

/* Row vectors per panel and centroids per register block. */
#define KP_MR 3
#define KP_NR 8
/* Rows per panel. */
#define KP_PW (KP_MR * KM_VL)
/* Up to this k, the packed copy's panels are searched two at a time
 * (kp_two_settle): one block of k centroids gives a register block of only
 * KP_MR x k accumulators, too few chains to hide the FMA latency. */
#define KP_TWO_K 4
_Static_assert(KP_PW <= KSEG_KM_PANEL_ROWS, "the panel buffers hold KSEG_KM_PANEL_ROWS rows");
_Static_assert(KP_PW * sizeof(KM_T) == KSEG_KM_PANEL_BYTES, "a packed copy's panels are KSEG_KM_PANEL_BYTES wide");

/* Reading ahead while the kernel computes: the rows of a later panel
 * (n runs of `bytes` bytes from start[0 .. n)), a few cache lines to the L2
 * cache per column step of the register blocks. A burst of prefetches at
 * the start of each panel had left the pass waiting on memory for about a
 * third of its time at 1M rows (the requests queue behind each other, then
 * the kernel computes with none in flight); spread over the arithmetic, the
 * reads overlap it. per_step is set so that the panel's blocks cover all
 * the lines. */
typedef struct kp_ahead {
  const char *const *start;
  int n, r, per_step;
  int64_t bytes;
  const char *p, *e; /* the run being read: its next line, its end */
} kp_ahead;

/* Prefetch the next per_step lines of a, if any are left. Returns false
 * when none are. */
static inline bool kp_ahead_step(kp_ahead *restrict a)
{
  for (int q = 0; q < a->per_step; q++) {
    while (a->p >= a->e) {
      if (a->r >= a->n) return false;
      a->p = (const char *)((uintptr_t)a->start[a->r] & ~(uintptr_t)63);
      a->e = a->start[a->r++] + a->bytes;
    }
    __builtin_prefetch(a->p, 0, 2);
    a->p += 64;
  }
  return true;
}

/* How many panels ahead to read: 4, or more to be 16 KiB ahead. */
static inline int64_t kp_ahead_panels(int64_t d)
{
  const int64_t bytes = KP_PW * d * (int64_t)sizeof(KM_T);
  return bytes >= 4096 ? 4 : (16384 + bytes - 1) / bytes;
}

/* a set up for the runs start[0 .. n) of `bytes` bytes each, read over the
 * `steps` column steps of one panel's search. */
static inline void kp_ahead_init(kp_ahead *a, const char *const *start, int n, int64_t bytes, int64_t steps)
{
  const int64_t lines = n * (bytes / 64 + 2);
  *a = (kp_ahead){.start = start, .n = n, .r = 0, .bytes = bytes, .p = NULL, .e = NULL,
                  .per_step = (int)((lines + steps - 1) / steps)};
}

/* The most columns the difference form takes (its tables live on the
 * stack). */
#define KP_DIFF_MAX_D 128

/* The difference form's tables for one run (kp_diff_build; the form is
 * described above kp_two_diff2): with W = k - 1,
 * df[j W + c] = c_{c+1}j - c_0j and g[c] = h_{c+1} - h_0, each rounded to
 * KM_T once; on is false where the dot form runs instead. */
typedef struct kp_diff_tab {
  bool on;
  KM_T g[KP_TWO_K - 1];
  KM_T df[KP_DIFF_MAX_D * (KP_TWO_K - 1)];
} kp_diff_tab;

#if defined(__AVX512F__)
#if KM_IS_F64
typedef __m512d kp_vec;
typedef __m256i kp_lab; /* 8 int32 labels */
typedef __mmask8 kp_mask;
#define KP_LOAD(p) _mm512_load_pd(p)
#define KP_SET1(v) _mm512_set1_pd(v)
#define KP_FMA(a, b, c) _mm512_fmadd_pd(a, b, c)
#define KP_GT(a, b) _mm512_cmp_pd_mask(a, b, _CMP_GT_OQ)
#define KP_MAX(a, b) _mm512_max_pd(a, b)
#define KP_MIN(a, b) _mm512_min_pd(a, b)
#define KP_ABS(a) _mm512_abs_pd(a)
#define KP_STORE(p, v) _mm512_storeu_pd(p, v)
#define KP_LAB_SET1(c) _mm256_set1_epi32(c)
#define KP_LAB_MOVE(l, m, c) _mm256_mask_mov_epi32(l, m, c)
#define KP_LAB_STORE(p, l) _mm256_storeu_si256((__m256i *)(p), l)
#define KP_LAB_LOAD_IN(m, p) _mm256_maskz_loadu_epi32(m, p)
#define KP_LAB_STORE_IN(p, m, l) _mm256_mask_storeu_epi32(p, m, l)
#define KP_LAB_NE_IN(m, a, b) _mm256_mask_cmpneq_epi32_mask(m, a, b)
#else
typedef __m512 kp_vec;
typedef __m512i kp_lab; /* 16 int32 labels */
typedef __mmask16 kp_mask;
#define KP_LOAD(p) _mm512_load_ps(p)
#define KP_SET1(v) _mm512_set1_ps(v)
#define KP_FMA(a, b, c) _mm512_fmadd_ps(a, b, c)
#define KP_GT(a, b) _mm512_cmp_ps_mask(a, b, _CMP_GT_OQ)
#define KP_MAX(a, b) _mm512_max_ps(a, b)
#define KP_MIN(a, b) _mm512_min_ps(a, b)
#define KP_ABS(a) _mm512_abs_ps(a)
#define KP_STORE(p, v) _mm512_storeu_ps(p, v)
#define KP_LAB_SET1(c) _mm512_set1_epi32(c)
#define KP_LAB_MOVE(l, m, c) _mm512_mask_mov_epi32(l, m, c)
#define KP_LAB_STORE(p, l) _mm512_storeu_si512((void *)(p), l)
#define KP_LAB_LOAD_IN(m, p) _mm512_maskz_loadu_epi32(m, p)
#define KP_LAB_STORE_IN(p, m, l) _mm512_mask_storeu_epi32(p, m, l)
#define KP_LAB_NE_IN(m, a, b) _mm512_mask_cmpneq_epi32_mask(m, a, b)
#endif

/* The running argmax of one panel: per row vector, the largest v, the
 * second largest and the first index of the largest. */
typedef struct kp_state {
  kp_vec best[KP_MR], second[KP_MR];
  kp_lab lab[KP_MR];
} kp_state;

/* Fold the values v[0 .. nr) of centroids c0 .. c0 + nr into one row
 * vector's running argmax: per lane the largest (bm), its first index (lm;
 * strict >, so ties keep the lowest) and the second largest (sm, duplicates
 * counting twice). NaN (an overflowing row) reaches sm and fails every gap
 * test. With first (c0 = 0, nothing folded yet) the argmax is set from v[0]
 * instead of folded into -inf: bm = v0, sm = min(-inf, v0), lm = 0, the
 * same lanes as the fold (max(-inf, v) = v, max(-inf, min(-inf, v)) =
 * min(-inf, v): the vector min and max return their second operand when
 * one is NaN); and then v1's sm is min(v0, v1), which equals
 * max(min(-inf, v0), min(v0, v1)) for every v0, v1, NaN included. nr is a
 * constant where it is inlined. */
static inline __attribute__((always_inline)) void kp_fold(const kp_vec *v, int nr, int32_t c0, bool first,
                                                          kp_vec *bm, kp_vec *sm, kp_lab *lm)
{
  if (first) {
    *bm = v[0], *lm = KP_LAB_SET1(0);
    *sm = nr == 1 ? KP_MIN(KP_SET1(-(KM_T)INFINITY), v[0]) : v[0]; /* (set at c = 1) */
  }
  for (int c = first ? 1 : 0; c < nr; c++) {
    const kp_mask gt = KP_GT(v[c], *bm);
    *sm = first && c == 1 ? KP_MIN(*bm, v[c]) : KP_MAX(*sm, KP_MIN(*bm, v[c]));
    *bm = KP_MAX(*bm, v[c]);
    *lm = KP_LAB_MOVE(*lm, gt, KP_LAB_SET1(c0 + c));
  }
}

/* One register block: centroids c0 .. c0 + NR of the panel xt against the
 * block cb (d x NR) with starting values h, folded into the running argmax.
 * NR is a constant in each instance, so the accumulators stay in
 * registers. The first block (c0 = 0) sets the argmax rather than
 * folding into s (kp_fold), so s need not be initialized. */
#define KP_BLOCK(NR)                                                                                        \
  static inline __attribute__((always_inline)) void kp_block_body##NR(                                      \
      const KM_T *restrict xt, int64_t d, const KM_T *restrict cb, const KM_T *restrict h, int32_t c0,       \
      kp_state *restrict s, kp_ahead *restrict a, const bool first)                                         \
  {                                                                                                         \
    kp_vec acc[KP_MR][NR];                                                                                  \
    kp_ahead ra = a ? *a : (kp_ahead){0}; /* a copy in registers */                                         \
    _Pragma("GCC unroll 8") for (int c = 0; c < NR; c++) {                                                  \
      const kp_vec hc = KP_SET1(h[c]);                                                                      \
      _Pragma("GCC unroll 4") for (int m = 0; m < KP_MR; m++) acc[m][c] = hc;                               \
    }                                                                                                       \
    _Pragma("GCC unroll 4") for (int64_t j = 0; j < d; j++) {                                               \
      kp_vec xv[KP_MR];                                                                                     \
      _Pragma("GCC unroll 4") for (int m = 0; m < KP_MR; m++) xv[m] = KP_LOAD(xt + j * KP_PW + m * KM_VL); \
      _Pragma("GCC unroll 8") for (int c = 0; c < NR; c++) {                                                \
        const kp_vec b = KP_SET1(cb[j * NR + c]);                                                           \
        _Pragma("GCC unroll 4") for (int m = 0; m < KP_MR; m++) acc[m][c] = KP_FMA(xv[m], b, acc[m][c]);    \
      }                                                                                                     \
      if (a) kp_ahead_step(&ra);                                                                            \
    }                                                                                                       \
    if (a) *a = ra;                                                                                         \
    _Pragma("GCC unroll 4") for (int m = 0; m < KP_MR; m++) {                                               \
      kp_fold(acc[m], NR, c0, first, &s->best[m], &s->second[m], &s->lab[m]);                               \
    }                                                                                                       \
  }                                                                                                         \
  static __attribute__((noinline)) void kp_block##NR(const KM_T *restrict xt, int64_t d,                  \
                                                     const KM_T *restrict cb, const KM_T *restrict h,     \
                                                     int32_t c0, kp_state *restrict s, kp_ahead *restrict a) \
  {                                                                                                         \
    if (c0 == 0) kp_block_body##NR(xt, d, cb, h, 0, s, a, true);                                            \
    else kp_block_body##NR(xt, d, cb, h, c0, s, a, false);                                                  \
  }
KP_BLOCK(1) KP_BLOCK(2) KP_BLOCK(3) KP_BLOCK(4) KP_BLOCK(5) KP_BLOCK(6) KP_BLOCK(7) KP_BLOCK(8)
#undef KP_BLOCK

/* The running argmax s of the packed panel xt against all k centroids, block
 * by block, reading ahead a (or not, if NULL). */
static inline __attribute__((always_inline)) void kp_blocks(const KM_T *restrict xt, int64_t d,
                                                             const KM_T *restrict cb, const KM_T *restrict h,
                                                             int64_t k, kp_state *restrict s, kp_ahead *a)
{
  for (int64_t c0 = 0; c0 < k; c0 += KP_NR) {
    const KM_T *b = cb + c0 * d, *hb = h + c0;
    switch (k - c0 < KP_NR ? (int)(k - c0) : KP_NR) {
    case 1: kp_block1(xt, d, b, hb, (int32_t)c0, s, a); break;
    case 2: kp_block2(xt, d, b, hb, (int32_t)c0, s, a); break;
    case 3: kp_block3(xt, d, b, hb, (int32_t)c0, s, a); break;
    case 4: kp_block4(xt, d, b, hb, (int32_t)c0, s, a); break;
    case 5: kp_block5(xt, d, b, hb, (int32_t)c0, s, a); break;
    case 6: kp_block6(xt, d, b, hb, (int32_t)c0, s, a); break;
    case 7: kp_block7(xt, d, b, hb, (int32_t)c0, s, a); break;
    default: kp_block8(xt, d, b, hb, (int32_t)c0, s, a); break;
    }
  }
}

/* The packed panel xt against all k centroids: best[r], second[r], lab[r]
 * for its KP_PW rows, reading ahead a (or not, if NULL). */
static void kp_search(const KM_T *restrict xt, int64_t d, const KM_T *restrict cb, const KM_T *restrict h, int64_t k,
                      KM_T best[KP_PW], KM_T second[KP_PW], int32_t lab[KP_PW], kp_ahead *a)
{
  kp_state s;
  kp_blocks(xt, d, cb, h, k, &s, a);
  for (int m = 0; m < KP_MR; m++) {
    KP_STORE(best + m * KM_VL, s.best[m]);
    KP_STORE(second + m * KM_VL, s.second[m]);
    KP_LAB_STORE(lab + m * KM_VL, s.lab[m]);
  }
}

/* The verdict on one row vector of a packed panel, from its largest and
 * second largest v (b, s) and its rows' norms nx (rounded up, so each
 * bound is at least kp_sure's): the lanes whose gap beats m1 or
 * gam (||x|| + cn)^2 + tiny, in double (NaN beats neither). The second test is computed only
 * when the first leaves a lane out. In float32, a first shortcut in float:
 * fl(b - s) > m1h, the least float above m1 / 2, implies b - s > m1h
 * exactly, hence 2 (b - s) > m1 in double; lanes it leaves out get the
 * double tests, so no lane passes that the double tests would fail. */
static inline kp_mask kp_sure_vec(kp_vec b, kp_vec s, const KM_T *restrict nx, const kseg_km_tables *t, KM_T m1h)
{
  const __m512d m1 = _mm512_set1_pd(t->m1), two = _mm512_set1_pd(2.0);
#if KM_IS_F64
  (void)m1h;
  const __m512d gap = _mm512_mul_pd(_mm512_sub_pd(b, s), two);
  const kp_mask k1 = _mm512_cmp_pd_mask(gap, m1, _CMP_GT_OQ);
  if (k1 == 0xff) return k1;
  const __m512d reach = _mm512_add_pd(_mm512_load_pd(nx), _mm512_set1_pd(t->cn));
  const __m512d lim = _mm512_add_pd(_mm512_mul_pd(_mm512_mul_pd(_mm512_set1_pd(t->gam), reach), reach),
                                    _mm512_set1_pd(t->tiny));
  return k1 | _mm512_cmp_pd_mask(gap, lim, _CMP_GT_OQ);
#else
  kp_mask k = _mm512_cmp_ps_mask(_mm512_sub_ps(b, s), _mm512_set1_ps(m1h), _CMP_GT_OQ);
  if (k == 0xffff) return k;
  for (int q = 0; q < 2; q++) {
    const __m512d bd = _mm512_cvtps_pd(q ? _mm512_extractf32x8_ps(b, 1) : _mm512_castps512_ps256(b));
    const __m512d sd = _mm512_cvtps_pd(q ? _mm512_extractf32x8_ps(s, 1) : _mm512_castps512_ps256(s));
    const __m512d n = _mm512_cvtps_pd(_mm256_load_ps(nx + 8 * q));
    const __m512d gap = _mm512_mul_pd(_mm512_sub_pd(bd, sd), two), reach = _mm512_add_pd(n, _mm512_set1_pd(t->cn));
    const __m512d lim = _mm512_add_pd(_mm512_mul_pd(_mm512_mul_pd(_mm512_set1_pd(t->gam), reach), reach),
                                      _mm512_set1_pd(t->tiny));
    k |= (kp_mask)((unsigned)(_mm512_cmp_pd_mask(gap, m1, _CMP_GT_OQ) | _mm512_cmp_pd_mask(gap, lim, _CMP_GT_OQ))
                   << (8 * q));
  }
  return k;
#endif
}

/* One row vector's labels settled from registers: of the lanes `in`, those
 * whose gap proves the label lm (kp_sure_vec, with the rows' norms nx) get
 * it in labels; those whose label changed are added to *chg at bit `sh` on,
 * with their old labels in was; the others go to *rest. Returns the rows
 * whose label changed. Comparing the labels still in registers matters at
 * small k, where a panel has little FMA work to hide a store and a reload
 * of each vector behind. */
static inline __attribute__((always_inline)) int kp_settle_vec(kp_vec bm, kp_vec sm, kp_lab lm, const KM_T *nx,
                                                                const kseg_km_tables *t, KM_T m1h, kp_mask in,
                                                                int32_t *restrict labels, int32_t *restrict was,
                                                                int sh, uint64_t *rest, uint64_t *chg)
{
  const kp_mask sure = in & kp_sure_vec(bm, sm, nx, t, m1h);
  *rest |= (uint64_t)(kp_mask)(in & ~sure) << sh;
  const kp_lab old = KP_LAB_LOAD_IN(sure, labels);
  const kp_mask ch = KP_LAB_NE_IN(sure, old, lm);
  KP_LAB_STORE_IN(labels, ch, lm);
  if (!ch) return 0;
  *chg |= (uint64_t)ch << sh;
  KP_LAB_STORE(was, old);
  return __builtin_popcount(ch);
}

/* The end of one pair's search in kp_two_settle's kernels: each of its
 * 2 KP_MR row vectors (xt0's first) takes its argmax from its accumulators
 * acc[m][0 .. nr) and is settled into labels by kp_settle_vec, one after
 * the other. The argmax is kp_fold's, or with sign (k = 2 in the
 * difference form, one accumulator w) label 1 where w > 0 and gap |w|.
 * Returns true when the caller must stop at this pair: a lane left for
 * nearest(), or with stop_chg a changed label (rest, chg and was then say
 * which). */
static inline __attribute__((always_inline)) bool kp_pair_stop(
    const kp_vec acc[2 * KP_MR][KP_TWO_K], int nr, bool sign, const KM_T *xt0, const KM_T *xt1, int64_t d,
    const kseg_km_tables *t, KM_T m1h, int32_t *restrict labels, const uint64_t lanes[2], bool stop_chg,
    uint64_t rest[2], uint64_t chg[2], int32_t *restrict was, int64_t *moved)
{
  uint64_t rs[2] = {0, 0}, cg[2] = {0, 0};
  _Pragma("GCC unroll 6") for (int m = 0; m < 2 * KP_MR; m++) {
    kp_vec bm, sm;
    kp_lab lm;
    if (sign) {
      bm = KP_ABS(acc[m][0]), sm = KP_SET1(0);
      lm = KP_LAB_MOVE(KP_LAB_SET1(0), KP_GT(acc[m][0], sm), KP_LAB_SET1(1));
    } else {
      kp_fold(acc[m], nr, 0, true, &bm, &sm, &lm);
    }
    const int p = m / KP_MR, sh = (m % KP_MR) * KM_VL;
    *moved += kp_settle_vec(bm, sm, lm, (p ? xt1 : xt0) + d * KP_PW + sh, t, m1h, (kp_mask)(lanes[p] >> sh),
                            labels + m * KM_VL, was + m * KM_VL, sh, &rs[p], &cg[p]);
  }
  if (!(rs[0] | rs[1]) && !(stop_chg && (cg[0] | cg[1]))) return false;
  rest[0] = rs[0], rest[1] = rs[1], chg[0] = cg[0], chg[1] = cg[1];
  return true;
}

/* Two panels xt0 and xt1 of a packed copy (their norms after their d
 * columns; rows i .. i + 2 KP_PW, xt0's first) against k = NR <= KP_TWO_K
 * centroids (one block), `pairs` pairs of them one after another, settled
 * without leaving registers: the lanes in lanes[p] of panel p whose gap
 * proves the label (kp_sure_vec) get it in labels (the run's labels from
 * row i on), those whose label changed go to chg[p], with their old labels
 * in was; the rest, near ties and NaN, go to rest[p] for nearest(). Each
 * row vector takes W = NR - Z accumulators, which start at hv[c] and add
 * x_j tb[j W + c]:
 *   - Z = 0, the dot form: tb = cb, hv = h, so the argmax of v_c;
 *   - Z = 1, the difference form (below): tb = df, hv = g, so w_c for
 *     c >= 1, with w_0 = 0 in front.
 * The register block is 2 KP_MR row vectors x W, and the argmax is
 * kp_search's (kp_fold), lane for lane. Keeping the labels in registers up
 * to the compare matters at small k, where the pass is short on FMA work
 * to hide a store and a reload of each vector behind. Returns the pairs
 * searched: all, or up to the first that stops (kp_pair_stop). */
#define KP_TWO(NAME, NR, Z)                                                                                 \
  static __attribute__((noinline)) int64_t NAME(                                                            \
      const KM_T *restrict xt, int64_t stride, int64_t pairs, int64_t d, const KM_T *restrict tb,           \
      const KM_T *restrict hv, const kseg_km_tables *t, KM_T m1h, int32_t *restrict labels,                \
      const uint64_t lanes[2], bool stop_chg, uint64_t rest[2], uint64_t chg[2], int32_t *restrict was,    \
      int64_t *moved)                                                                                       \
  {                                                                                                         \
    enum { W = NR - Z };                                                                                    \
    for (int64_t pr = 0; pr < pairs; pr++, xt += 2 * stride, labels += 2 * KP_PW) {                        \
      const KM_T *restrict xt0 = xt, *restrict xt1 = xt + stride;                                           \
      kp_vec acc[2 * KP_MR][KP_TWO_K];                                                                      \
      _Pragma("GCC unroll 6") for (int m = 0; m < 2 * KP_MR; m++) {                                         \
        if (Z) acc[m][0] = KP_SET1(0);                                                                      \
        _Pragma("GCC unroll 4") for (int c = 0; c < W; c++) acc[m][Z + c] = KP_SET1(hv[c]);                 \
      }                                                                                                     \
      _Pragma("GCC unroll 2") for (int64_t j = 0; j < d; j++) {                                             \
        kp_vec b[W];                                                                                        \
        _Pragma("GCC unroll 4") for (int c = 0; c < W; c++) b[c] = KP_SET1(tb[j * W + c]);                  \
        _Pragma("GCC unroll 6") for (int m = 0; m < 2 * KP_MR; m++) {                                       \
          const kp_vec xv = KP_LOAD((m < KP_MR ? xt0 : xt1) + j * KP_PW + (m % KP_MR) * KM_VL);             \
          _Pragma("GCC unroll 4") for (int c = 0; c < W; c++) acc[m][Z + c] = KP_FMA(xv, b[c], acc[m][Z + c]); \
        }                                                                                                   \
      }                                                                                                     \
      if (kp_pair_stop(acc, NR, false, xt0, xt1, d, t, m1h, labels, lanes, stop_chg, rest, chg, was, moved)) \
        return pr + 1;                                                                                      \
    }                                                                                                       \
    rest[0] = rest[1] = chg[0] = chg[1] = 0;                                                                \
    return pairs;                                                                                           \
  }
KP_TWO(kp_two1, 1, 0) KP_TWO(kp_two2, 2, 0) KP_TWO(kp_two3, 3, 0) KP_TWO(kp_two4, 4, 0)
KP_TWO(kp_two_diff3, 3, 1) KP_TWO(kp_two_diff4, 4, 1)
#undef KP_TWO

/* The difference form (kp_two_diff3, kp_two_diff4, kp_two_diff2): the
 * argmax of v_c is that of w_c = v_c - v_0, so each row vector takes
 * w_c = x.(c_c - c_0) + (h_c - h_0) for c = 1 .. k - 1 (w_0 = 0 exactly):
 * k - 1 fused multiply-adds per element instead of k, half at k = 2. The
 * argmax is kp_fold's over (0, w_1, ..., w_{k-1}): the same first index and
 * gap (best - second) as the dot form's, up to rounding; at k = 2 label 1
 * where w_1 > 0 (ties keep 0) and gap |w_1|. NaN fails every gap test, as
 * there.
 *
 * Its rounding error stays within the margin (t->gam = 8 (d + 2) u, u the
 * unit roundoff; see dot_rows_of). In squared distance, with R = ||x|| +
 * max||c||, a gap between two centroids errs by at most
 *   - nearest(), for the two distances: 2 (d + 2) u R^2;
 *   - the dot form: 2 d u R^2 in its two chains (d roundings each, and
 *     sum_j |x_j| (|c_aj| + |c_bj|) + |h_a| + |h_b| <= R^2) and up to
 *     2 d u R^2 from the h's own rounding (in float64 each ||c||^2 is a
 *     sum of d rounded terms): 4 d u R^2;
 *   - this form: each w_c errs by (d + 1) u S_c (the differences rounded
 *     once, d roundings in the chain), S_c = sum_j |x_j| (|c_cj| + |c_0j|) +
 *     |h_c| + |h_0| <= 2 ||x|| max||c|| + max||c||^2 <= R^2, and a gap
 *     w_a - w_b by both (one at k = 2, where w_0 = 0 exactly), plus the h's
 *     rounding as in the dot form: (6 d + 4) u R^2, (4 d + 2) u R^2 at k = 2.
 * With nearest()'s share that is at most (8 d + 8) u R^2 < gam R^2, so the
 * labels it keeps are nearest()'s, as the dot form's are (whose sum is
 * (6 d + 4) u R^2); at k = 3 and 4 in float64 it uses most of the margin's
 * slack, at k = 2 and in float32 (h rounded once) less. kp_diff_build
 * checks that no sum can overflow. At k = 2 a pass is bound by reading the
 * packed copy, so half the arithmetic leaves the reads more of the time;
 * at k = 3 and 4 it is bound by the multiply-adds, a third and a quarter
 * fewer.
 *
 * k = 2 is written out: label 1 where w_1 > 0, gap |w_1|, in two vector
 * operations where kp_fold takes more (through kp_fold it measured 72 ->
 * 52 % of the FMA peak). */
static __attribute__((noinline)) int64_t kp_two_diff2(const KM_T *restrict xt, int64_t stride, int64_t pairs,
                                                     int64_t d, const KM_T *restrict df, const KM_T *restrict g1,
                                                     const kseg_km_tables *t, KM_T m1h, int32_t *restrict labels,
                                                     const uint64_t lanes[2], bool stop_chg, uint64_t rest[2],
                                                     uint64_t chg[2], int32_t *restrict was, int64_t *moved)
{
  const kp_vec g = KP_SET1(g1[0]);
  for (int64_t pr = 0; pr < pairs; pr++, xt += 2 * stride, labels += 2 * KP_PW) {
    const KM_T *restrict xt0 = xt, *restrict xt1 = xt + stride;
    kp_vec acc[2 * KP_MR][KP_TWO_K]; /* acc[m][0]: w_1 */
    _Pragma("GCC unroll 6") for (int m = 0; m < 2 * KP_MR; m++) acc[m][0] = g;
    _Pragma("GCC unroll 4") for (int64_t j = 0; j < d; j++) {
      const kp_vec b = KP_SET1(df[j]);
      _Pragma("GCC unroll 6") for (int m = 0; m < 2 * KP_MR; m++) acc[m][0] =
          KP_FMA(KP_LOAD((m < KP_MR ? xt0 : xt1) + j * KP_PW + (m % KP_MR) * KM_VL), b, acc[m][0]);
    }
    if (kp_pair_stop(acc, 1, true, xt0, xt1, d, t, m1h, labels, lanes, stop_chg, rest, chg, was, moved)) return pr + 1;
  }
  rest[0] = rest[1] = chg[0] = chg[1] = 0;
  return pairs;
}

/* The difference form's tables of run t into dt, where it can take t:
 * 2 <= k <= KP_TWO_K, at most KP_DIFF_MAX_D columns, and no partial sum can
 * overflow KM_T. Every |partial sum| is at most sum_j |x_j| |c_cj - c_0j| +
 * |h_c - h_0| <= 2 R^2 (1 + eps), with R = sqrt(d) max|x| + max||c|| (from
 * m1 = gam R^2 + tiny, see kseg_km_estep_tables); in float32 that needs R
 * below about 2^62. Elsewhere dt->on is false. */
static void kp_diff_build(const kseg_km_tables *t, kp_diff_tab *dt)
{
  const double r2 = (t->m1 - t->tiny) / t->gam;
  dt->on = t->k >= 2 && t->k <= KP_TWO_K && t->d <= KP_DIFF_MAX_D && r2 < 0x1p-4 * (KM_IS_F64 ? DBL_MAX : FLT_MAX);
  if (!dt->on) return;
  const KM_T *restrict cb = t->cb, *restrict h = t->h;
  const int64_t k = t->k, w = k - 1;
  for (int64_t c = 0; c < w; c++) dt->g[c] = h[c + 1] - h[0];
  for (int64_t j = 0; j < t->d; j++)
    for (int64_t c = 0; c < w; c++) dt->df[j * w + c] = cb[j * k + c + 1] - cb[j * k];
}

/* kp_two_settle's kernels for run t: the difference form where dt is on,
 * the dot form otherwise. */
static int64_t kp_two_settle(const KM_T *restrict xt, int64_t stride, int64_t pairs, int64_t d,
                             const kseg_km_tables *t, const kp_diff_tab *dt, KM_T m1h, int32_t *restrict labels,
                             const uint64_t lanes[2], bool stop_chg, uint64_t rest[2], uint64_t chg[2],
                             int32_t was[2 * KP_PW], int64_t *moved)
{
  const KM_T *cb = t->cb, *h = t->h;
  if (dt->on) switch (t->k) {
    case 2:
      return kp_two_diff2(xt, stride, pairs, d, dt->df, dt->g, t, m1h, labels, lanes, stop_chg, rest, chg, was, moved);
    case 3:
      return kp_two_diff3(xt, stride, pairs, d, dt->df, dt->g, t, m1h, labels, lanes, stop_chg, rest, chg, was, moved);
    default:
      return kp_two_diff4(xt, stride, pairs, d, dt->df, dt->g, t, m1h, labels, lanes, stop_chg, rest, chg, was, moved);
    }
  switch (t->k) {
  case 1: return kp_two1(xt, stride, pairs, d, cb, h, t, m1h, labels, lanes, stop_chg, rest, chg, was, moved);
  case 2: return kp_two2(xt, stride, pairs, d, cb, h, t, m1h, labels, lanes, stop_chg, rest, chg, was, moved);
  case 3: return kp_two3(xt, stride, pairs, d, cb, h, t, m1h, labels, lanes, stop_chg, rest, chg, was, moved);
  default: return kp_two4(xt, stride, pairs, d, cb, h, t, m1h, labels, lanes, stop_chg, rest, chg, was, moved);
  }
}
_Static_assert(KP_TWO_K == 4, "kp_two_settle has one kernel per k up to KP_TWO_K");

/* One panel xt of a packed copy (its norms after its d columns; rows i ..
 * i + KP_PW) against all k centroids, settled as kp_two_settle settles
 * two. */
static int64_t kp_one_settle(const KM_T *restrict xt, int64_t d, const kseg_km_tables *t, KM_T m1h,
                             int32_t *restrict labels, uint64_t lanes, uint64_t *rest, uint64_t *chg,
                             int32_t was[KP_PW])
{
  kp_state s;
  kp_blocks(xt, d, t->cb, t->h, t->k, &s, NULL);
  int64_t moved = 0;
  *rest = *chg = 0;
  for (int m = 0; m < KP_MR; m++)
    moved += kp_settle_vec(s.best[m], s.second[m], s.lab[m], xt + d * KP_PW + m * KM_VL, t, m1h,
                           (kp_mask)(lanes >> (m * KM_VL)), labels + m * KM_VL, was + m * KM_VL, m * KM_VL, rest,
                           chg);
  return moved;
}

#if KM_IS_F64
/* out[c] lane r = r_r lane c: an 8 x 8 transpose of doubles (24 shuffles). */
static inline void kp_transpose8(__m512d r0, __m512d r1, __m512d r2, __m512d r3, __m512d r4, __m512d r5, __m512d r6,
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

/* Pack rows xr[0 .. KP_PW) into xt (xt[j * KP_PW + r] = xr[r][j]): 8 rows
 * x 8 columns at a time, loaded whole and transposed in registers. */
static void kp_pack(const KM_T *const xr[KP_PW], int64_t d, KM_T *restrict xt)
{
  for (int m = 0; m < KP_PW; m += 8) {
    const KM_T *const *p = xr + m;
    int64_t j = 0;
    __m512d o[8];
    for (; j + 8 <= d; j += 8) {
      kp_transpose8(_mm512_loadu_pd(p[0] + j), _mm512_loadu_pd(p[1] + j), _mm512_loadu_pd(p[2] + j),
                    _mm512_loadu_pd(p[3] + j), _mm512_loadu_pd(p[4] + j), _mm512_loadu_pd(p[5] + j),
                    _mm512_loadu_pd(p[6] + j), _mm512_loadu_pd(p[7] + j), o);
      for (int q = 0; q < 8; q++) _mm512_store_pd(xt + (j + q) * KP_PW + m, o[q]);
    }
    if (j < d) {
      const __mmask8 in = (__mmask8)((1u << (d - j)) - 1u);
      kp_transpose8(_mm512_maskz_loadu_pd(in, p[0] + j), _mm512_maskz_loadu_pd(in, p[1] + j),
                    _mm512_maskz_loadu_pd(in, p[2] + j), _mm512_maskz_loadu_pd(in, p[3] + j),
                    _mm512_maskz_loadu_pd(in, p[4] + j), _mm512_maskz_loadu_pd(in, p[5] + j),
                    _mm512_maskz_loadu_pd(in, p[6] + j), _mm512_maskz_loadu_pd(in, p[7] + j), o);
      for (int q = 0; j + q < d; q++) _mm512_store_pd(xt + (j + q) * KP_PW + m, o[q]);
    }
  }
}
#else
/* r[c] lane i = r_i lane c on return: a 16 x 16 transpose of floats (64
 * shuffles: pairs, then pairs of pairs, then 128-bit lanes twice). */
static inline void kp_transpose16(__m512 r[16])
{
  __m512 t[16];
  for (int a = 0; a < 8; a++) {
    t[2 * a] = _mm512_unpacklo_ps(r[2 * a], r[2 * a + 1]);
    t[2 * a + 1] = _mm512_unpackhi_ps(r[2 * a], r[2 * a + 1]);
  }
  /* u[4b + q], 128-bit lane L: column 4L + q of rows 4b .. 4b + 3 */
  __m512 u[16];
  for (int b = 0; b < 4; b++) {
    const __m512d p0 = _mm512_castps_pd(t[4 * b]), p1 = _mm512_castps_pd(t[4 * b + 1]);
    const __m512d p2 = _mm512_castps_pd(t[4 * b + 2]), p3 = _mm512_castps_pd(t[4 * b + 3]);
    u[4 * b] = _mm512_castpd_ps(_mm512_unpacklo_pd(p0, p2));
    u[4 * b + 1] = _mm512_castpd_ps(_mm512_unpackhi_pd(p0, p2));
    u[4 * b + 2] = _mm512_castpd_ps(_mm512_unpacklo_pd(p1, p3));
    u[4 * b + 3] = _mm512_castpd_ps(_mm512_unpackhi_pd(p1, p3));
  }
  /* a 4 x 4 transpose of 128-bit lanes for each q */
  for (int q = 0; q < 4; q++) {
    const __m512 v0 = _mm512_shuffle_f32x4(u[q], u[4 + q], 0x44), v1 = _mm512_shuffle_f32x4(u[q], u[4 + q], 0xee);
    const __m512 v2 = _mm512_shuffle_f32x4(u[8 + q], u[12 + q], 0x44);
    const __m512 v3 = _mm512_shuffle_f32x4(u[8 + q], u[12 + q], 0xee);
    r[q] = _mm512_shuffle_f32x4(v0, v2, 0x88);
    r[4 + q] = _mm512_shuffle_f32x4(v0, v2, 0xdd);
    r[8 + q] = _mm512_shuffle_f32x4(v1, v3, 0x88);
    r[12 + q] = _mm512_shuffle_f32x4(v1, v3, 0xdd);
  }
}

/* Pack rows xr[0 .. KP_PW) into xt: 16 rows x 16 columns at a time. */
static void kp_pack(const KM_T *const xr[KP_PW], int64_t d, KM_T *restrict xt)
{
  for (int m = 0; m < KP_PW; m += 16) {
    const KM_T *const *p = xr + m;
    for (int64_t j = 0; j < d; j += 16) {
      const __mmask16 in = d - j >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << (d - j)) - 1u);
      __m512 r[16];
      for (int q = 0; q < 16; q++) r[q] = _mm512_maskz_loadu_ps(in, p[q] + j);
      kp_transpose16(r);
      for (int q = 0; q < 16 && j + q < d; q++) _mm512_store_ps(xt + (j + q) * KP_PW + m, r[q]);
    }
  }
}
#endif

/* Squared norms of the panel's rows, in double: xx[r] = sum_j x_rj^2. */
static void kp_norms(const KM_T *restrict xt, int64_t d, double xx[KP_PW])
{
  __m512d a[KP_PW / 8];
  for (int q = 0; q < KP_PW / 8; q++) a[q] = _mm512_setzero_pd();
  for (int64_t j = 0; j < d; j++)
    for (int q = 0; q < KP_PW / 8; q++) {
#if KM_IS_F64
      const __m512d v = _mm512_load_pd(xt + j * KP_PW + q * 8);
#else
      const __m512d v = _mm512_cvtps_pd(_mm256_load_ps(xt + j * KP_PW + q * 8));
#endif
      a[q] = _mm512_fmadd_pd(v, v, a[q]);
    }
  for (int q = 0; q < KP_PW / 8; q++) _mm512_storeu_pd(xx + q * 8, a[q]);
}

#else /* without AVX-512: the same arithmetic per lane, one lane at a time */

static void kp_search(const KM_T *restrict xt, int64_t d, const KM_T *restrict cb, const KM_T *restrict h, int64_t k,
                      KM_T best[KP_PW], KM_T second[KP_PW], int32_t lab[KP_PW], kp_ahead *a)
{
  if (a) /* all at once: this path is not tuned */
    while (kp_ahead_step(a)) {}
  for (int r = 0; r < KP_PW; r++) {
    KM_T b = -(KM_T)INFINITY, s = b;
    int32_t l = 0;
    for (int64_t c0 = 0; c0 < k; c0 += KP_NR) {
      const int nr = k - c0 < KP_NR ? (int)(k - c0) : KP_NR;
      for (int c = 0; c < nr; c++) {
        KM_T v = h[c0 + c];
        for (int64_t j = 0; j < d; j++) v = _Generic(v, float: fmaf, default: fma)(xt[j * KP_PW + r], cb[c0 * d + j * nr + c], v);
        if (!(v == v)) s = v; /* NaN reaches second, as in the vector kernel */
        else {
          s = v > b ? b : (v > s ? v : s);
          if (v > b) b = v, l = (int32_t)(c0 + c);
        }
      }
    }
    best[r] = b;
    second[r] = s;
    lab[r] = l;
  }
}

static void kp_pack(const KM_T *const xr[KP_PW], int64_t d, KM_T *restrict xt)
{
  for (int r = 0; r < KP_PW; r++)
    for (int64_t j = 0; j < d; j++) xt[j * KP_PW + r] = xr[r][j];
}

static void kp_norms(const KM_T *restrict xt, int64_t d, double xx[KP_PW])
{
  for (int r = 0; r < KP_PW; r++) {
    double s = 0;
    for (int64_t j = 0; j < d; j++) s = fma((double)xt[j * KP_PW + r], (double)xt[j * KP_PW + r], s);
    xx[r] = s;
  }
}
#endif

/* The dot form's verdict on one row: true when the gap between the largest
 * and second largest v (in squared-distance units, 2 (v1 - v2)) proves
 * nearest() picks the same centroid. The bound is first tried with
 * ||x|| <= sqrt(d) max|x| (m1, no work per row), then with the row's own norm
 * (xx < 0: computed here). NaN fails both. */
static inline bool kp_sure(double gap, const KM_T *restrict xi, int64_t d, double xx, const kseg_km_tables *t)
{
  if (gap > t->m1) return true;
  if (xx < 0) {
    /* Any rounding of ||x||^2 will do: the margin gam is twice the forms'
     * worst errors, and a row the test turns away only goes to nearest(),
     * which gives it the same label. So eight columns at a time in two
     * chains (one chain waited on the add latency at every column: a
     * tenth of the float32 kernel's time where the rows' norms vary). */
#if defined(__AVX512F__)
    __m512d a0 = _mm512_setzero_pd(), a1 = _mm512_setzero_pd();
    for (int64_t j = 0; j < d; j += 8) {
      const __mmask8 in = d - j >= 8 ? (__mmask8)0xff : (__mmask8)((1u << (d - j)) - 1u);
#if KM_IS_F64
      const __m512d v = _mm512_maskz_loadu_pd(in, xi + j);
#else
      const __m512d v = _mm512_cvtps_pd(_mm256_maskz_loadu_ps(in, xi + j));
#endif
      if ((j / 8) % 2) a1 = _mm512_fmadd_pd(v, v, a1);
      else a0 = _mm512_fmadd_pd(v, v, a0);
    }
    xx = _mm512_reduce_add_pd(_mm512_add_pd(a0, a1));
#else
    xx = 0;
    for (int64_t j = 0; j < d; j++) xx += (double)xi[j] * (double)xi[j];
#endif
  }
  const double reach = sqrt(xx) + t->cn;
  return gap > t->gam * reach * reach + t->tiny;
}

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

/* Bit r set for the rows r in the bit set `lanes` of a panel whose gap,
 * 2 (best - second) in double, exceeds m1 (NaN does not). */
static inline uint64_t kp_sure_rows(const KM_T best[KP_PW], const KM_T second[KP_PW], double m1, uint64_t lanes)
{
  uint64_t sure = 0;
#if defined(__AVX512F__)
  const __m512d lim = _mm512_set1_pd(m1);
  for (int r = 0; r < KP_PW; r += 8) {
#if KM_IS_F64
    const __m512d b = _mm512_loadu_pd(best + r), s2 = _mm512_loadu_pd(second + r);
#else
    const __m512d b = _mm512_cvtps_pd(_mm256_loadu_ps(best + r)), s2 = _mm512_cvtps_pd(_mm256_loadu_ps(second + r));
#endif
    const __m512d gap = _mm512_mul_pd(_mm512_sub_pd(b, s2), _mm512_set1_pd(2.0));
    sure |= (uint64_t)_mm512_cmp_pd_mask(gap, lim, _CMP_GT_OQ) << r;
  }
#else
  for (int r = 0; r < KP_PW; r++) sure |= (uint64_t)(2.0 * ((double)best[r] - (double)second[r]) > m1) << r;
#endif
  return sure & lanes;
}

#if !defined(__AVX512F__)
/* kp_sure for the rows in the bit set `lanes` of a packed panel, with their
 * norms nx (rounded up, so each bound is at least kp_sure's): bit r set
 * when the gap beats m1 or gam (||x|| + cn)^2 + tiny. NaN beats neither.
 * (With AVX-512, kp_sure_vec, a row vector at a time.) */
static inline uint64_t kp_sure_norms(const KM_T best[KP_PW], const KM_T second[KP_PW], const KM_T nx[KP_PW],
                                     const kseg_km_tables *t, uint64_t lanes)
{
  uint64_t sure = 0;
  for (int r = 0; r < KP_PW; r++) {
    const double gap = 2.0 * ((double)best[r] - (double)second[r]), reach = (double)nx[r] + t->cn;
    sure |= (uint64_t)(gap > t->m1 || gap > t->gam * reach * reach + t->tiny) << r;
  }
  return sure & lanes;
}

/* kp_one_settle without AVX-512: the panel searched, tested and settled
 * row by row. */
static int64_t kp_one_settle(const KM_T *restrict xt, int64_t d, const kseg_km_tables *t, KM_T m1h,
                             int32_t *restrict labels, uint64_t lanes, uint64_t *rest, uint64_t *chg,
                             int32_t was[KP_PW])
{
  (void)m1h;
  KM_T best[KP_PW], second[KP_PW];
  int32_t lab[KP_PW];
  kp_search(xt, d, t->cb, t->h, t->k, best, second, lab, NULL);
  uint64_t sure = kp_sure_norms(best, second, xt + d * KP_PW, t, lanes);
  int64_t moved = 0;
  *rest = lanes & ~sure;
  *chg = 0;
  for (; sure; sure &= sure - 1) {
    const int r = __builtin_ctzll(sure);
    if (labels[r] == lab[r]) continue;
    *chg |= (uint64_t)1 << r;
    was[r] = labels[r];
    labels[r] = lab[r];
    moved++;
  }
  return moved;
}

/* Without AVX-512 the dot form runs for every k. */
static void kp_diff_build(const kseg_km_tables *t, kp_diff_tab *dt)
{
  (void)t;
  dt->on = false;
}

/* kp_two_settle without AVX-512: each panel settled alone. */
static int64_t kp_two_settle(const KM_T *restrict xt, int64_t stride, int64_t pairs, int64_t d,
                             const kseg_km_tables *t, const kp_diff_tab *dt, KM_T m1h, int32_t *restrict labels,
                             const uint64_t lanes[2], bool stop_chg, uint64_t rest[2], uint64_t chg[2],
                             int32_t was[2 * KP_PW], int64_t *moved)
{
  (void)dt;
  for (int64_t pr = 0; pr < pairs; pr++, xt += 2 * stride, labels += 2 * KP_PW) {
    for (int p = 0; p < 2; p++)
      *moved += kp_one_settle(xt + p * stride, d, t, m1h, labels + p * KP_PW, lanes[p], &rest[p], &chg[p],
                              was + p * KP_PW);
    if ((rest[0] | rest[1]) || (stop_chg && (chg[0] | chg[1]))) return pr + 1;
  }
  rest[0] = rest[1] = chg[0] = chg[1] = 0;
  return pairs;
}
#endif

/* settle_row for the rows of the panel at row i in the bit set `rows`, with
 * the labels lab: compared and stored a row vector's KM_VL at a time, only the rows that
 * changed (or, in KSEG_KM_ALL_ROWS, every row) moved one by one. Returns the
 * rows whose label changed. */
static inline int64_t kp_settle_sure(const KM_T *restrict x, int64_t i, uint64_t rows, const int32_t lab[KP_PW],
                                     int64_t d, int32_t *restrict labels, int mode, double xscale,
                                     int64_t *restrict hi, uint64_t *restrict lo, int64_t *restrict counts)
{
  int64_t moved = 0;
#if defined(__AVX512F__)
  /* a row vector's labels at a time, as the kernels store them: a load
   * spanning two stores would wait for both to reach the cache */
  for (int g = 0; g < KP_PW; g += KM_VL) {
    const kp_mask in = (kp_mask)(rows >> g);
    if (!in) continue;
    const kp_lab old = KP_LAB_LOAD_IN(in, labels + i + g), nw = KP_LAB_LOAD_IN(in, lab + g);
    const kp_mask ch = KP_LAB_NE_IN(in, old, nw);
    KP_LAB_STORE_IN(labels + i + g, in, nw);
    moved += __builtin_popcount(ch);
    if (mode == KSEG_KM_LABELS_ONLY) continue;
    int32_t was[KM_VL];
    KP_LAB_STORE(was, old);
    for (unsigned m = mode == KSEG_KM_ALL_ROWS ? in : ch; m; m &= m - 1) {
      const int q = __builtin_ctz(m);
      move_row(x + (i + g + q) * d, d, xscale, hi, lo, counts, mode == KSEG_KM_ALL_ROWS ? -1 : was[q], lab[g + q]);
    }
  }
#else
  for (; rows; rows &= rows - 1) {
    const int r = __builtin_ctzll(rows);
    moved += settle_row(x, i + r, lab[r], d, labels, mode, xscale, hi, lo, counts);
  }
#endif
  return moved;
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

/* One run's rows of the panel at row i in the bit set `rest` queued in
 * pending[0 .. *np) for nearest() (settled KM_RB at a time). Returns the
 * rows whose label changed. */
static int64_t kp_queue_ties(const KM_T *restrict x, int64_t i, uint64_t rest, const kseg_km_dot_run *run, int mode,
                             double xscale, int64_t pending[KM_RB], int *np)
{
  const kseg_km_tables *t = run->t;
  int64_t moved = 0;
  for (; rest; rest &= rest - 1) {
    pending[(*np)++] = i + __builtin_ctzll(rest);
    if (*np == KM_RB) {
      moved += settle_exact(x, pending, *np, t->d, t->ct, t->kp, t->k, run->labels, mode, xscale, run->hi, run->lo,
                            run->counts);
      *np = 0;
    }
  }
  return moved;
}

/* What kp_one_settle or kp_two_settle leave to the n panels from row i:
 * with mode, the sums of the rows they settled (KSEG_KM_MOVED_ROWS: those
 * in chg, from their old labels was; KSEG_KM_ALL_ROWS: every settled row),
 * and the rows in rest queued for nearest(). Returns the rows whose label
 * changed. */
static __attribute__((noinline)) int64_t kp_panels_rest(const KM_T *restrict x, int64_t i, int n,
                                                        const uint64_t *lanes, const uint64_t *rest,
                                                        const uint64_t *chg, const int32_t *was,
                                                        const kseg_km_dot_run *run, int mode, double xscale,
                                                        int64_t pending[KM_RB], int *np)
{
  const int64_t d = run->t->d;
  int64_t moved = 0;
  for (int p = 0; p < n; p++) {
    const int64_t i0 = i + p * KP_PW;
    if (mode != KSEG_KM_LABELS_ONLY)
      for (uint64_t m = mode == KSEG_KM_ALL_ROWS ? lanes[p] & ~rest[p] : chg[p]; m; m &= m - 1) {
        const int r = __builtin_ctzll(m);
        move_row(x + (i0 + r) * d, d, xscale, run->hi, run->lo, run->counts,
                 mode == KSEG_KM_ALL_ROWS ? -1 : was[p * KP_PW + r], run->labels[i0 + r]);
      }
    if (rest[p]) moved += kp_queue_ties(x, i0, rest[p], run, mode, xscale, pending, np);
  }
  return moved;
}

/* Whether kp_panels_rest has work for n panels. */
static inline bool kp_rest_due(int n, const uint64_t *rest, const uint64_t *chg, int mode)
{
  uint64_t r = 0, c = 0;
  for (int p = 0; p < n; p++) r |= rest[p], c |= chg[p];
  return r || mode == KSEG_KM_ALL_ROWS || (mode == KSEG_KM_MOVED_ROWS && c);
}

/* One run's search of the panel xt of rows i .. i + KP_PW, packed in the
 * pass from the rows xr and reading ahead a (or not, if NULL), of which the
 * lanes in the bit set `lanes` are settled: the rows whose gap proves the
 * label (the first test a vector at a time, the second, with the row's own
 * norm, one by one), the near ties queued for nearest() (kp_queue_ties).
 * Returns the rows whose label changed. */
static inline __attribute__((always_inline)) int64_t
kp_settle_panel(const KM_T *restrict x, int64_t i, uint64_t lanes, const KM_T *const *xr, const KM_T *restrict xt,
                const kseg_km_dot_run *run, int mode, double xscale, kp_ahead *a, int64_t pending[KM_RB], int *np)
{
  const kseg_km_tables *t = run->t;
  KM_T best[KP_PW], second[KP_PW];
  int32_t lab[KP_PW];
  kp_search(xt, t->d, t->cb, t->h, t->k, best, second, lab, a);
  uint64_t sure = kp_sure_rows(best, second, t->m1, lanes);
  for (uint64_t rest = lanes & ~sure; rest; rest &= rest - 1) {
    const int r = __builtin_ctzll(rest);
    if (kp_sure(2.0 * ((double)best[r] - (double)second[r]), xr[r], t->d, -1, t)) sure |= (uint64_t)1 << r;
  }
  int64_t moved = kp_settle_sure(x, i, sure, lab, t->d, run->labels, mode, xscale, run->hi, run->lo, run->counts);
  if (lanes & ~sure) moved += kp_queue_ties(x, i, lanes & ~sure, run, mode, xscale, pending, np);
  return moved;
}

/* Lloyd's E-step in the dot form, with the canonical labels, for R runs
 * (R <= KSEG_KM_DOT_RUNS: restarts side by side, each with its own
 * centroids) over the same rows: each panel is read and packed once and
 * searched by every run in turn, so the rows cost one read and one pack for
 * all, and each run's arithmetic on a row is what it would be alone.
 *
 * Each row's v_c = x.c - ||c||^2 / 2 come from the micro-kernel; the
 * largest is the nearest centroid of the dot form, whose rounding error (of
 * ||x - c||^2 = ||x||^2 - 2 v_c) is up to about (d + 2) eps (||x|| + ||c||)^2
 * against nearest()'s (d + 2) eps ||x - c||^2, so on its own it could order
 * two nearly equidistant centroids differently from nearest(). Hence: when
 * the runner-up is more than the sum of both forms' worst errors (taken
 * twice over: t->gam = 8 (d + 2) eps) below the winner, nearest() must pick
 * the same centroid and the label is kept; otherwise the row is searched
 * again with nearest() itself (kp_sure). So the labels are nearest()'s, bit
 * for bit.
 *
 * mode: KSEG_KM_LABELS_ONLY sets labels; KSEG_KM_MOVED_ROWS also moves
 * the fixed-point value of every row whose label changed between the
 * thread's split sums (deltas for a running total); KSEG_KM_ALL_ROWS adds
 * every row to its new label's sums (a fresh total). A run's changed counts
 * rows whose label changed. panel: this thread's buffer of
 * KSEG_KM_PANEL_ROWS x d values, 64-byte aligned. */
static inline __attribute__((always_inline)) void dot_rows_of(const KM_T *restrict x, const KM_T *restrict packed,
                                                                int64_t i0, int64_t i1, const int R,
                                                                const kseg_km_dot_run *runs, int mode, double xscale,
                                                                void *panel)
{
  const int64_t d = runs[0].t->d;
  int64_t moved[KSEG_KM_DOT_RUNS] = {0}, pending[KSEG_KM_DOT_RUNS][KM_RB];
  int np[KSEG_KM_DOT_RUNS] = {0};
  if (packed) {
    /* the panels of [i0, i1), the first and last perhaps partly outside,
     * two at a time for small k (for one run, a call settles whole pairs
     * until one leaves work to kp_panels_rest); no read-ahead: a copy is
     * made only of rows that stay in cache */
    int64_t kmax = 0;
    KM_T m1h[KSEG_KM_DOT_RUNS]; /* the least value of KM_T above m1 / 2 (kp_sure_vec) */
    for (int q = 0; q < R; q++) {
      kmax = runs[q].t->k > kmax ? runs[q].t->k : kmax;
      const double half = 0.5 * runs[q].t->m1;
      m1h[q] = (KM_T)half;
      if (!((double)m1h[q] > half)) m1h[q] = _Generic(m1h[q], float: nextafterf, default: nextafter)(m1h[q], (KM_T)INFINITY);
    }
    const int64_t stride = (d + 1) * KP_PW; /* one panel of the copy */
    kp_diff_tab dtab[KSEG_KM_DOT_RUNS];
    if (kmax <= KP_TWO_K)
      for (int q = 0; q < R; q++) kp_diff_build(runs[q].t, &dtab[q]);
    for (int64_t i = i0 - i0 % KP_PW; i < i1;) {
      const int r0 = i < i0 ? (int)(i0 - i) : 0, r1 = i1 - i < KP_PW ? (int)(i1 - i) : KP_PW;
      const uint64_t lanes = (r1 >= 64 ? ~(uint64_t)0 : ((uint64_t)1 << r1) - 1) & ~(((uint64_t)1 << r0) - 1);
      const KM_T *xt = packed + i / KP_PW * stride;
      if (kmax <= KP_TWO_K && i + KP_PW < i1) {
        const int64_t i2 = i + KP_PW;
        const int r2 = i1 - i2 < KP_PW ? (int)(i1 - i2) : KP_PW;
        const uint64_t lanes2 = r2 >= 64 ? ~(uint64_t)0 : ((uint64_t)1 << r2) - 1;
        const uint64_t ln[2] = {lanes, lanes2};
        const bool whole = r0 == 0 && i1 - i >= 2 * KP_PW;
        const int64_t pairs = R == 1 && whole && mode != KSEG_KM_ALL_ROWS ? (i1 - i) / (2 * KP_PW) : 1;
        int64_t done = 0;
        for (int q = 0; q < R; q++)
          for (int64_t p = 0; p < pairs; p += done) {
            uint64_t rest[2], chg[2];
            int32_t was[2 * KP_PW];
            const int64_t at = i + p * 2 * KP_PW;
            done = kp_two_settle(xt + 2 * p * stride, stride, pairs - p, d, runs[q].t, &dtab[q], m1h[q],
                                 runs[q].labels + at, ln, mode != KSEG_KM_LABELS_ONLY, rest, chg, was, &moved[q]);
            const int64_t last = at + (done - 1) * 2 * KP_PW;
            if (kp_rest_due(2, rest, chg, mode))
              moved[q] += kp_panels_rest(x, last, 2, ln, rest, chg, was, &runs[q], mode, xscale, pending[q], &np[q]);
          }
        i += 2 * KP_PW * pairs;
        continue;
      }
      for (int q = 0; q < R; q++) {
        uint64_t rest, chg;
        int32_t was[KP_PW];
        moved[q] += kp_one_settle(xt, d, runs[q].t, m1h[q], runs[q].labels + i, lanes, &rest, &chg, was);
        if (kp_rest_due(1, &rest, &chg, mode))
          moved[q] += kp_panels_rest(x, i, 1, &lanes, &rest, &chg, was, &runs[q], mode, xscale, pending[q], &np[q]);
      }
      i += KP_PW;
    }
    goto finish;
  }
  KM_T *xt = panel;
  int64_t steps = 0; /* column steps of a panel's searches */
  for (int q = 0; q < R; q++) steps += d * ((runs[q].t->k + KP_NR - 1) / KP_NR);
  const int64_t ahead_panels = kp_ahead_panels(d);
  for (int64_t i = i0; i < i1; i += KP_PW) {
    const int nr = i1 - i < KP_PW ? (int)(i1 - i) : KP_PW;
    const KM_T *xr[KP_PW];
    for (int r = 0; r < KP_PW; r++) xr[r] = x + (i + (r < nr ? r : nr - 1)) * d;
    /* a panel ahead is read while this one is searched: the hardware
     * prefetcher alone left a thread waiting on memory for part of each
     * pass */
    const int64_t far = i + ahead_panels * KP_PW;
    const char *run = NULL;
    kp_ahead ahead, *a = NULL;
    if (far + KP_PW <= i1) {
      run = (const char *)(x + far * d);
      kp_ahead_init(&ahead, &run, 1, KP_PW * d * (int64_t)sizeof(KM_T), steps);
      a = &ahead;
    }
    kp_pack(xr, d, xt);
    const uint64_t lanes = nr >= 64 ? ~(uint64_t)0 : ((uint64_t)1 << nr) - 1;
    for (int q = 0; q < R; q++)
      moved[q] += kp_settle_panel(x, i, lanes, xr, xt, &runs[q], mode, xscale, a, pending[q], &np[q]);
  }
finish:
  for (int q = 0; q < R; q++) {
    const kseg_km_tables *t = runs[q].t;
    if (np[q] > 0)
      moved[q] += settle_exact(x, pending[q], np[q], d, t->ct, t->kp, t->k, runs[q].labels, mode, xscale,
                               runs[q].hi, runs[q].lo, runs[q].counts);
    *runs[q].changed += moved[q];
  }
}

void KM_FN(dot_rows)(const void *xv, const void *packed, int64_t i0, int64_t i1, int R, const kseg_km_dot_run *runs,
                     int mode, double xscale, void *panel)
{
  /* one run (Lloyd alone, the final labels) compiled on its own */
  if (R == 1) dot_rows_of(xv, packed, i0, i1, 1, runs, mode, xscale, panel);
  else dot_rows_of(xv, packed, i0, i1, R, runs, mode, xscale, panel);
}

/* The panels p0 .. p1 of the n x d rows x in panel order into out (the
 * whole copy: panel p at out + p (d + 1) KP_PW, its d columns and then the
 * rows' norms ||x||, computed in double and rounded up); the last panel
 * repeats row n - 1. */
void KM_FN(pack_panels)(const void *xv, int64_t p0, int64_t p1, int64_t n, int64_t d, void *out)
{
  const KM_T *x = xv;
  KM_T *o = out;
  for (int64_t p = p0; p < p1; p++) {
    const KM_T *xr[KP_PW];
    for (int r = 0; r < KP_PW; r++) xr[r] = x + (p * KP_PW + r < n ? p * KP_PW + r : n - 1) * d;
    KM_T *xt = o + p * (d + 1) * KP_PW;
    kp_pack(xr, d, xt);
    double xx[KP_PW];
    kp_norms(xt, d, xx);
    for (int r = 0; r < KP_PW; r++) {
      /* xx is kp_sure's own sum up to rounding (any rounding will do:
       * see kp_sure); one ulp up covers sqrt's rounding, and the
       * conversion to KM_T rounds up too */
      const double up = nextafter(sqrt(xx[r]), INFINITY);
      KM_T v = (KM_T)up;
      if ((double)v < up) v = _Generic(v, float: nextafterf, default: nextafter)(v, (KM_T)INFINITY);
      xt[d * KP_PW + r] = v;
    }
  }
}

/* Hamerly's near ties rows[0..m) (m <= KM_RB) searched with nearest() and
 * its second nearest: Lloyd's labels, and bounds from the canonical
 * distances widened by rel and abs_margin. Returns the rows that moved. */
static int64_t search_exact(const KM_T *restrict x, const int64_t *rows, int m, int64_t d, const KM_T *restrict ct,
                            int64_t kp, int64_t k, int32_t *restrict labels, double *restrict u, double *restrict l,
                            double rel, double abs_margin, double xscale, int64_t *restrict hi,
                            uint64_t *restrict lo, int64_t *restrict counts)
{
  const KM_T *xr[KM_RB];
  for (int r = 0; r < KM_RB; r++) xr[r] = x + rows[r < m ? r : m - 1] * d;
  int32_t lab[KM_RB];
  KM_T best[KM_RB], second[KM_RB];
  nearest(xr, d, ct, kp, k, lab, best, second);
  int64_t moved = 0;
  for (int r = 0; r < m; r++) {
    const int64_t row = rows[r];
    u[row] = sqrt((double)best[r]) * (1 + rel) + abs_margin;
    l[row] = sqrt((double)second[r]) * (1 - rel) - abs_margin;
    const int32_t old = labels[row];
    if (old == lab[r]) continue;
    moved++;
    labels[row] = lab[r];
    move_row(xr[r], d, xscale, hi, lo, counts, old, lab[r]);
  }
  return moved;
}

#if defined(__AVX512F__)
/* search_rows' verdict on n <= 8 searched rows idx[0..n) of a panel, from
 * their largest and second largest v (v1, v2), labels lab and squared norms
 * xx, eight lanes at a time with the scalar rule's arithmetic: a row whose
 * gap proves the label (kp_sure) gets its bounds
 *   u = sqrt(xx - 2 v1 + E + (|xx| + 2|v1|) wide) (1 + 2^-50),
 *   l = sqrt(xx - 2 v2 - E - (|xx| + 2|v2|) wide) (1 - 2^-50) (0 if not > 0),
 * E = gam/2 (sqrt(xx) (1 + 2^-50) + cn)^2 + tiny, and its label; a row whose
 * label changed is moved between the split sums. The others (near ties,
 * NaN) are added to *tie as bit `bit + lane` for nearest(). Returns the rows
 * that moved. */
static inline int64_t kp_settle_bounds(const KM_T *restrict x, int64_t d, const int64_t *restrict idx, int n,
                                       const KM_T *v1p, const KM_T *v2p, const int32_t *lab, const double *xxp,
                                       const kseg_km_tables *t, double wide, int32_t *restrict labels,
                                       double *restrict u, double *restrict l, double xscale, int64_t *restrict hi,
                                       uint64_t *restrict lo, int64_t *restrict counts, uint64_t *tie, int bit)
{
  const __mmask8 in = (__mmask8)((1u << n) - 1);
#if KM_IS_F64
  const __m512d v1 = _mm512_maskz_loadu_pd(in, v1p), v2 = _mm512_maskz_loadu_pd(in, v2p);
#else
  const __m512d v1 = _mm512_cvtps_pd(_mm256_maskz_loadu_ps(in, v1p));
  const __m512d v2 = _mm512_cvtps_pd(_mm256_maskz_loadu_ps(in, v2p));
#endif
  const __m512d xx = _mm512_maskz_loadu_pd(in, xxp), two = _mm512_set1_pd(2.0);
  const __m512d gap = _mm512_mul_pd(two, _mm512_sub_pd(v1, v2));
  const __m512d rx = _mm512_sqrt_pd(xx), cn = _mm512_set1_pd(t->cn), tiny = _mm512_set1_pd(t->tiny);
  const __m512d gam = _mm512_set1_pd(t->gam);
  /* kp_sure: the gap beyond m1, or beyond gam (||x|| + cn)^2 + tiny */
  const __m512d r0 = _mm512_add_pd(rx, cn);
  const __mmask8 sure = in & (_mm512_cmp_pd_mask(gap, _mm512_set1_pd(t->m1), _CMP_GT_OQ) |
                              _mm512_cmp_pd_mask(gap, _mm512_add_pd(_mm512_mul_pd(_mm512_mul_pd(gam, r0), r0), tiny),
                                                 _CMP_GT_OQ));
  *tie |= (uint64_t)(uint8_t)(in & ~sure) << bit;
  if (!sure) return 0;
  const __m512d reach = _mm512_add_pd(_mm512_mul_pd(rx, _mm512_set1_pd(1 + 0x1p-50)), cn);
  const __m512d e = _mm512_add_pd(_mm512_mul_pd(_mm512_mul_pd(_mm512_set1_pd(0.5), gam), _mm512_mul_pd(reach, reach)),
                                  tiny);
  const __m512d ax = _mm512_abs_pd(xx), wv = _mm512_set1_pd(wide);
  const __m512d up = _mm512_add_pd(_mm512_add_pd(_mm512_sub_pd(xx, _mm512_mul_pd(two, v1)), e),
                                   _mm512_mul_pd(_mm512_add_pd(ax, _mm512_mul_pd(two, _mm512_abs_pd(v1))), wv));
  const __m512d down = _mm512_sub_pd(_mm512_sub_pd(_mm512_sub_pd(xx, _mm512_mul_pd(two, v2)), e),
                                     _mm512_mul_pd(_mm512_add_pd(ax, _mm512_mul_pd(two, _mm512_abs_pd(v2))), wv));
  const __m512d zero = _mm512_setzero_pd();
  const __m512d uu = _mm512_mul_pd(_mm512_sqrt_pd(_mm512_max_pd(up, zero)), _mm512_set1_pd(1 + 0x1p-50));
  const __m512d ll = _mm512_maskz_mul_pd(_mm512_cmp_pd_mask(down, zero, _CMP_GT_OQ), _mm512_sqrt_pd(down),
                                         _mm512_set1_pd(1 - 0x1p-50));
  const __m512i rows = _mm512_maskz_loadu_epi64(sure, idx);
  _mm512_mask_i64scatter_pd(u, sure, rows, uu, 8);
  _mm512_mask_i64scatter_pd(l, sure, rows, ll, 8);
  const __m256i old = _mm512_mask_i64gather_epi32(_mm256_setzero_si256(), sure, rows, labels, 4);
  const __m256i nw = _mm256_maskz_loadu_epi32(sure, lab);
  const __mmask8 ch = _mm256_mask_cmpneq_epi32_mask(sure, old, nw);
  if (!ch) return 0;
  _mm512_mask_i64scatter_epi32(labels, ch, rows, nw, 4);
  int32_t was[8];
  _mm256_storeu_si256((__m256i *)was, old);
  for (unsigned m = ch; m; m &= m - 1) {
    const int q = __builtin_ctz(m);
    move_row(x + idx[q] * d, d, xscale, hi, lo, counts, was[q], lab[q]);
  }
  return __builtin_popcount(ch);
}
#endif

/* Hamerly: a full search of the rows idx[0..m) whose bounds could not rule
 * out a label change, through the same micro-kernel as Lloyd (gathered rows
 * are packed the same way), so the same labels. Sets the label, the bounds
 * u >= |x - c_label| and l <= |x - c| for every other c on the exact
 * distances, and for a row whose label changed moves its fixed-point value
 * between the split sums (old label -1: only added) and counts.
 *
 * The bounds of a row the dot form settles come from its values: with
 * E = 0.5 gam (||x|| + max||c||)^2 + tiny, at least the dot form's error in
 * a squared distance, ||x - c_label||^2 <= ||x||^2 - 2 v1 + E and
 * ||x - c||^2 >= ||x||^2 - 2 v2 - E, each widened again for the rounding of
 * ||x||^2 and of the subtraction. A near tie goes to nearest(), whose
 * computed distances give u and l widened by rel and abs_margin as
 * before. */
void KM_FN(search_rows)(const void *xv, const int64_t *restrict idx, int64_t m, const kseg_km_tables *t,
                        int32_t *restrict labels, double *restrict u, double *restrict l, double rel,
                        double abs_margin, double xscale, int64_t *restrict hi, uint64_t *restrict lo,
                        int64_t *restrict counts, int64_t *changed, void *panel)
{
  const KM_T *restrict x = xv, *restrict ct = t->ct, *restrict cb = t->cb, *restrict h = t->h;
  const int64_t d = t->d, k = t->k, kp = t->kp;
  const double wide = (double)(d + 4) * 0x1p-52;
  const int64_t steps = d * ((k + KP_NR - 1) / KP_NR); /* column steps of a panel's search */
  const int64_t ahead_panels = kp_ahead_panels(d);
  KM_T *xt = panel;
  int64_t moved = 0, pending[KM_RB];
  int np = 0;
  for (int64_t p = 0; p < m; p += KP_PW) {
    const int nr = m - p < KP_PW ? (int)(m - p) : KP_PW;
    const KM_T *xr[KP_PW];
    for (int r = 0; r < KP_PW; r++) xr[r] = x + idx[p + (r < nr ? r : nr - 1)] * d;
    /* the rows of a panel ahead are read while this one is searched:
     * scattered rows defeat the hardware prefetcher, and packing them would
     * wait on memory */
    const char *far[KP_PW];
    int nf = 0;
    for (int64_t q = p + ahead_panels * KP_PW; q < p + (ahead_panels + 1) * KP_PW && q < m; q++)
      far[nf++] = (const char *)(x + idx[q] * d);
    kp_ahead ahead;
    kp_ahead_init(&ahead, far, nf, d * (int64_t)sizeof(KM_T), steps);
    kp_pack(xr, d, xt);
    KM_T best[KP_PW], second[KP_PW];
    int32_t lab[KP_PW];
    double xx[KP_PW];
    kp_search(xt, d, cb, h, k, best, second, lab, nf ? &ahead : NULL);
    kp_norms(xt, d, xx);
#if defined(__AVX512F__)
    /* the rows the dot form settles, eight at a time; the near ties after */
    uint64_t tie = 0;
    for (int r = 0; r < nr; r += 8)
      moved += kp_settle_bounds(x, d, idx + p + r, nr - r < 8 ? nr - r : 8, best + r, second + r, lab + r, xx + r,
                                t, wide, labels, u, l, xscale, hi, lo, counts, &tie, r);
    for (; tie; tie &= tie - 1) {
      pending[np++] = idx[p + __builtin_ctzll(tie)];
      if (np == KM_RB) {
        moved += search_exact(x, pending, np, d, ct, kp, k, labels, u, l, rel, abs_margin, xscale, hi, lo, counts);
        np = 0;
      }
    }
#else
    for (int r = 0; r < nr; r++) {
      const int64_t row = idx[p + r];
      const double v1 = (double)best[r], v2 = (double)second[r];
      if (!kp_sure(2.0 * (v1 - v2), xr[r], d, xx[r], t)) {
        pending[np++] = row;
        if (np == KM_RB) {
          moved += search_exact(x, pending, np, d, ct, kp, k, labels, u, l, rel, abs_margin, xscale, hi, lo, counts);
          np = 0;
        }
        continue;
      }
      const double reach = sqrt(xx[r]) * (1 + 0x1p-50) + t->cn;
      const double e = 0.5 * t->gam * reach * reach + t->tiny;
      const double up = (xx[r] - 2.0 * v1) + e + (fabs(xx[r]) + 2.0 * fabs(v1)) * wide;
      const double down = (xx[r] - 2.0 * v2) - e - (fabs(xx[r]) + 2.0 * fabs(v2)) * wide;
      u[row] = sqrt(up > 0 ? up : 0) * (1 + 0x1p-50);
      l[row] = down > 0 ? sqrt(down) * (1 - 0x1p-50) : 0; /* v2 = -inf (k = 1): +inf */
      const int32_t old = labels[row];
      if (old == lab[r]) continue;
      moved++;
      labels[row] = lab[r];
      move_row(xr[r], d, xscale, hi, lo, counts, old, lab[r]);
    }
#endif
  }
  if (np > 0) moved += search_exact(x, pending, np, d, ct, kp, k, labels, u, l, rel, abs_margin, xscale, hi, lo, counts);
  *changed += moved;
}

/* The micro-kernel's tables of the k x d centroids: cb, the centroids
 * rounded to KM_T in blocks of KP_NR (block b holds centroids c0 = 8 b ..
 * c0 + nr, nr = min(8, k - c0), at cb + c0 d, value j of centroid c0 + c at
 * [j nr + c]), and h[c] = -||c||^2 / 2 (the squared norm computed in double
 * from the rounded values, then rounded to KM_T). Returns the largest norm,
 * rounded up, for the dot form's error bound. */
double KM_FN(panel_tables)(const double *centers, int64_t k, int64_t d, void *cbv, void *hv)
{
  KM_T *cb = cbv, *h = hv;
  double cn2 = 0;
  for (int64_t c0 = 0; c0 < k; c0 += KP_NR) {
    const int nr = k - c0 < KP_NR ? (int)(k - c0) : KP_NR;
    for (int c = 0; c < nr; c++) {
      double s = 0;
      for (int64_t j = 0; j < d; j++) {
        const double v = cb[c0 * d + j * nr + c] = (KM_T)centers[(c0 + c) * d + j];
        s += v * v;
      }
      cn2 = fmax(cn2, s);
      h[c0 + c] = (KM_T)(-0.5 * s);
    }
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
