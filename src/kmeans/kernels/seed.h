/* seed.h - kernel template: the distances of the initializations, in
 * double: k-means++'s candidates eight to a vector, and k-means||'s nearest
 * candidate. Compiled once per type by seed_f64.c and seed_f32.c; see
 * kernels.h, and init.c for the algorithms. */
#include "kmeans/kernels/row.h"

/* k-means++'s distances, vectorized across candidates: ct holds up to 8
 * candidate rows transposed (d x 8 doubles, unused lanes anything finite),
 * and lane t of the result is the squared distance of row xi to candidate t,
 * summed over the columns in order (t = x - c; acc += t * t) in double. The
 * arithmetic of a lane does not depend on the lane, so the distance of a row
 * to a candidate is the same whichever lane, run, rank or thread computes
 * it: the potentials the sampler sums must agree exactly. */
typedef double pp_vec __attribute__((vector_size(64)));
enum { PP_LANES = 8 };

/* The distances of PP_ROWS rows at once, one accumulator chain per row, so
 * the adds of different rows overlap (one row at a time waited on the add
 * latency at every column); a row's arithmetic is the same as alone. (Vectors go through pointers: passing 64-byte vectors by value is
 * an ABI that depends on whether AVX-512 is enabled, which GCC warns
 * about.) */
enum { PP_ROWS = 4, PP_AHEAD = 8 };
static inline void pp_dist_rows(const KM_T *const xr[PP_ROWS], int64_t d, const double *ct, pp_vec out[PP_ROWS])
{
  pp_vec acc0 = {0}, acc1 = {0}, acc2 = {0}, acc3 = {0};
  for (int64_t j = 0; j < d; j++) {
    pp_vec c;
    memcpy(&c, ct + j * PP_LANES, sizeof c);
    const pp_vec t0 = (double)xr[0][j] - c, t1 = (double)xr[1][j] - c;
    const pp_vec t2 = (double)xr[2][j] - c, t3 = (double)xr[3][j] - c;
    acc0 += t0 * t0;
    acc1 += t1 * t1;
    acc2 += t2 * t2;
    acc3 += t3 * t3;
  }
  out[0] = acc0;
  out[1] = acc1;
  out[2] = acc2;
  out[3] = acc3;
}

/* The distances of rows i .. i + PP_ROWS (those past i1 repeat row i1 - 1)
 * to the table ct. */
static inline void pp_dist_at(const KM_T *x, int64_t i, int64_t i1, int64_t d, const double *ct,
                              pp_vec out[PP_ROWS])
{
  const KM_T *xr[PP_ROWS];
  for (int r = 0; r < PP_ROWS; r++) xr[r] = x + (i + r < i1 ? i + r : i1 - 1) * d;
  /* the rows PP_AHEAD blocks on: the hardware prefetcher alone left the
   * pass waiting on memory (the distances are a few operations per byte) */
  if (i + (PP_AHEAD + 1) * PP_ROWS <= i1) {
    const char *p = (const char *)(x + (i + PP_AHEAD * PP_ROWS) * d);
    const char *e = (const char *)(x + (i + (PP_AHEAD + 1) * PP_ROWS) * d);
    for (p = (const char *)((uintptr_t)p & ~(uintptr_t)63); p < e; p += 64) __builtin_prefetch(p, 0, 3);
  }
  pp_dist_rows(xr, d, ct, out);
}

/* Each lane's fixed-point value v = rint(dist x scale) (|v| <= 2^62) added
 * to the split sums of 8 lanes: v >> 32 to hi, its low 32 bits to lo (as
 * kseg_km_fix, whose rint rounds to nearest-even like the conversion). */
static inline void pp_split_add(const pp_vec *dist, double scale, int64_t *hi, uint64_t *lo)
{
#if defined(__AVX512DQ__)
  const __m512i v = _mm512_cvtpd_epi64(_mm512_mul_pd((__m512d)*dist, _mm512_set1_pd(scale)));
  __m512i h = _mm512_loadu_si512(hi), l = _mm512_loadu_si512(lo);
  h = _mm512_add_epi64(h, _mm512_srai_epi64(v, 32));
  l = _mm512_add_epi64(l, _mm512_and_si512(v, _mm512_set1_epi64(0xffffffff)));
  _mm512_storeu_si512(hi, h);
  _mm512_storeu_si512(lo, l);
#else
  for (int q = 0; q < PP_LANES; q++) {
    const int64_t v = (int64_t)rint((*dist)[q] * scale);
    hi[q] += v >> 32;
    lo[q] += (uint64_t)v & 0xffffffffu;
  }
#endif
}

/* Lane-wise min(dist, c) with each lane's own c (no NaNs here, so the
 * order is immaterial). */
static inline void pp_min_lanes(pp_vec *dist, const pp_vec *c)
{
#if defined(__AVX512F__)
  *dist = (pp_vec)_mm512_min_pd((__m512d)*dist, (__m512d)*c);
#else
  for (int q = 0; q < PP_LANES; q++) (*dist)[q] = kseg_km_min((*c)[q], (*dist)[q]);
#endif
}

/* k-means++'s trials over rows [i0, i1), for one run or several side by
 * side (restarts, each with its own distances): for each of the `trials`
 * candidates (ct: (trials + 7) / 8 tables of 8 lanes; candidate t belongs
 * to run t / per_run, whose rows' distances to their nearest centre are
 * closest[t / per_run]; closest NULL: no run has a centre yet, each
 * candidate is its run's first), the row's potential were it added,
 * min(distance, closest) in fixed point (scale), summed per candidate: into
 * the split sums hi[t], lo[t] when `split` (unweighted; see init.c), else
 * times the row's weight into part[t]. Each array holds 64 entries (8 lanes
 * per table). Each row's min(distance, closest) for candidate t is kept in
 * the column tc[t][i]: the chosen candidate's column then becomes its run's
 * closest[] as it is (init.c swaps the two), so nothing after the choice
 * reads the rows or their distances again. A lane's arithmetic does not
 * depend on the others, so a run's candidates get the same bits side by
 * side as alone, and the rows are read once for all runs. */
void KM_FN(pp_trials)(const void *xv, int64_t i0, int64_t i1, int64_t d, const double *ct, int trials, int per_run,
                      const double *const *closest, const int64_t *weight, bool split, double scale,
                      kseg_i128 *part, int64_t *hi, uint64_t *lo, double *const *tc)
{
  const KM_T *x = xv;
  const int blocks = (trials + PP_LANES - 1) / PP_LANES;
  for (int64_t i = i0; i < i1; i += PP_ROWS)
    for (int b = 0; b < blocks; b++) {
      pp_vec dist[PP_ROWS];
      pp_dist_at(x, i, i1, d, ct + b * PP_LANES * d, dist);
      const int m = trials - b * PP_LANES < PP_LANES ? trials - b * PP_LANES : PP_LANES;
      /* the block's lanes in one run (always, for one run) or several */
      const int run0 = b * PP_LANES / per_run, run1 = (b * PP_LANES + m - 1) / per_run;
      for (int r = 0; r < PP_ROWS && i + r < i1; r++) {
        const int64_t row = i + r;
        if (!closest) {
          /* no centre yet (each run's first): the distances as they are */
        } else {
          pp_vec c;
          if (run0 == run1) c = (pp_vec){0} + closest[run0][row];
          else
            for (int q = 0; q < PP_LANES; q++) c[q] = closest[(b * PP_LANES + (q < m ? q : m - 1)) / per_run][row];
          pp_min_lanes(&dist[r], &c);
        }
        for (int q = 0; q < m; q++) tc[b * PP_LANES + q][row] = dist[r][q];
        if (split) {
          pp_split_add(&dist[r], scale, hi + b * PP_LANES, lo + b * PP_LANES);
          continue;
        }
        for (int q = 0; q < m; q++)
          part[b * PP_LANES + q] += (kseg_i128)(int64_t)rint(dist[r][q] * scale) * (weight ? weight[row] : 1);
      }
    }
}

/* k-means|| over rows [i0, i1): the candidates cands[m0 .. m) (m x d,
 * double) against each row's closest so far (the first candidate, c = 0,
 * sets it); closest[i] and near[i] (its index) updated, ties to the lowest
 * candidate. Returns the sum of the rows' fixed-point closest (scale). */
kseg_i128 KM_FN(par_nearest)(const void *xv, int64_t i0, int64_t i1, int64_t d, const double *cands, int64_t m0,
                             int64_t m, double *closest, int64_t *near, double scale)
{
  const KM_T *x = xv;
  kseg_i128 part = 0;
  for (int64_t i = i0; i < i1; i++) {
    for (int64_t c = m0; c < m; c++) {
      const double dc = row_dist2(x + i * d, cands + c * d, d);
      if (c == 0 || dc < closest[i]) {
        closest[i] = dc;
        near[i] = c;
      }
    }
    part += (int64_t)rint(closest[i] * scale);
  }
  return part;
}
