/* elkan.h - kernel template: Elkan's row search and its centroid-centroid
 * bounds. Compiled once per type by elkan_f64.c and elkan_f32.c; see
 * kernels.h, and elkan.c for the bounds. */
#include "kmeans/kernels/row.h"

/* The lower bound on the exact distance to centroid c now, from the stored
 * bound (see kseg_km_elkan_state.lower). */
static inline double lower_now(const kseg_km_elkan_state *e, const float *l, int64_t c)
{
  return kseg_km_down_sub((double)l[c], e->drift[c]);
}

/* Store a new lower bound v on the exact distance to c. */
static inline void store_lower(const kseg_km_elkan_state *e, float *l, int64_t c, double v)
{
  const double s = v + e->drift[c];
  l[c] = kseg_km_lower_f32(s - fabs(s) * 0x1p-51);
}

/* Rows [i0, i1) with the thread's scratch keep[k] and idx[k]: see
 * elkan.c for the bounds. Candidates are visited in index order,
 * computed four at a time (a candidate computed although the best found
 * earlier in its batch would have ruled it out costs time, not
 * exactness); one is computed unless its bounds prove its computed
 * distance strictly greater than the current best's, and the best keeps
 * the lowest index among equal distances, so the label is Lloyd's. */
void KM_FN(elkan_rows)(const kseg_km_elkan_state *e, const kseg_km_pruned_ctx *ctx, const void *xv,
                       uint8_t *restrict keep, int32_t *restrict idx, int32_t *restrict labels, int64_t i0, int64_t i1,
                       int64_t *restrict hi, uint64_t *restrict lo, int64_t *restrict counts, int64_t *changed)
{
  const KM_T *restrict x = xv;
  const int64_t k = ctx->k, d = ctx->d;
  const KM_T *restrict cx = ctx->cx;
  const double rel = ctx->rel, am = ctx->abs_margin, xscale = ctx->xscale;
  const double *restrict shift = ctx->shift, *restrict cc = e->cc, *restrict half = e->half;
  if (ctx->iter == 0) { /* every row unlabelled: Lloyd's kernel, bounds from the second nearest */
    for (int64_t i = i0; i < i1; i += KM_RB) {
      const int nr = i1 - i < KM_RB ? (int)(i1 - i) : KM_RB;
      double second[KM_RB];
      first_block(x, i, nr, d, e->ct, e->kp, k, rel, am, xscale, labels, e->upper, second, hi, lo, counts, changed);
      for (int r = 0; r < nr; r++) {
        float *restrict l = e->lower + (i + r) * k;
        for (int64_t c = 0; c < k; c++) store_lower(e, l, c, second[r]);
      }
    }
    return;
  }
  int64_t moved = 0;
  for (int64_t i = i0; i < i1; i++) {
    const KM_T *restrict xi = x + i * d;
    float *restrict l = e->lower + i * k;
    const int32_t a = labels[i];
    int32_t best = a;
    KM_T bestd = (KM_T)INFINITY;
    double uex = INFINITY, ucmp = INFINITY;
    bool tight = a < 0;
    if (a >= 0) {
      uex = kseg_km_up_add(e->upper[i], shift[a]);
      ucmp = kseg_km_computed_upper_of(uex, rel, am);
    }
    /* Elkan's row filter: every other centroid is at least 2 s(a) - u away. */
    if (a >= 0 && kseg_km_beyond(2 * half[a] - uex, ucmp, rel, am)) goto done;
    int m = 0;
    if (a < 0) { /* first iteration: no bounds yet (0 is one) */
      for (int64_t c = 0; c < k; c++) l[c] = 0.0f, idx[m++] = (int32_t)c;
    } else {
      /* The candidates the bounds cannot rule out, in one pass over all k
       * that vectorizes; with u loose, the label's own distance first and
       * then the pass again. */
      for (int pass = 0; pass < 2; pass++) {
        const double *restrict ccb = cc + (int64_t)a * k;
        for (int64_t c = 0; c < k; c++) {
          const double v = (double)l[c] - e->drift[c];
          const double lower = kseg_km_max(v - fabs(v) * 0x1p-51, ccb[c] - uex);
          keep[c] = !(lower * (1 - rel) - am > ucmp);
        }
        keep[a] = 0;
        m = 0;
        for (int64_t c = 0; c < k; c++)
          if (keep[c]) idx[m++] = (int32_t)c;
        if (m == 0 || tight) break;
        tight = true;
        bestd = pair_dist2(xi, cx + (int64_t)a * d, d);
        store_lower(e, l, a, kseg_km_exact_lower((double)bestd, rel, am));
        uex = kseg_km_exact_upper((double)bestd, rel, am);
        ucmp = kseg_km_computed_upper((double)bestd);
      }
    }
    /* The candidates in index order, four distances at a time; one that the
     * best found so far now rules out is dropped before it is computed. */
    for (int q = 0; q < m;) {
      int32_t batch[4];
      int nb = 0;
      for (; q < m && nb < 4; q++) {
        const int32_t c = idx[q];
        if (best >= 0 && best != a) {
          const double lower = kseg_km_max(lower_now(e, l, c), cc[(int64_t)best * k + c] - uex);
          if (kseg_km_beyond(lower, ucmp, rel, am)) {
            store_lower(e, l, c, lower);
            continue;
          }
        }
        batch[nb++] = c;
      }
      if (nb == 0) continue;
      KM_T dv[4];
      dist2_list(xi, cx, d, batch, nb, dv);
      for (int r = 0; r < nb; r++) {
        const int32_t cr = batch[r];
        store_lower(e, l, cr, kseg_km_exact_lower((double)dv[r], rel, am));
        if (dv[r] < bestd || (dv[r] == bestd && cr < best)) {
          best = cr;
          bestd = dv[r];
          uex = kseg_km_exact_upper((double)dv[r], rel, am);
          ucmp = kseg_km_computed_upper((double)dv[r]);
        }
      }
    }
  done:
    e->upper[i] = uex;
    if (best != a) {
      moved++;
      labels[i] = best;
      move_row(xi, d, xscale, hi, lo, counts, a, best);
    }
  }
  *changed += moved;
}

/* cc and s for this iteration's centroids (ctx->cx, rounded to KM_T). The
 * double sum of squares of exact (rounded) coordinates errs by less than
 * (d + 8) 4 2^-53 relative; narrowing by that keeps cc a lower bound on the
 * exact distance. */
void KM_FN(elkan_gaps)(kseg_km_elkan_state *e, const kseg_km_pruned_ctx *ctx)
{
  const int64_t k = ctx->k, d = ctx->d;
  const KM_T *cx = ctx->cx;
  const double narrow = 1 - 4.0 * (double)(d + 8) * 0x1p-53;
  for (int64_t c = 0; c < k; c++) {
    e->cc[c * k + c] = 0;
    for (int64_t c2 = c + 1; c2 < k; c2++) {
      double s = 0;
      for (int64_t j = 0; j < d; j++) {
        const double t = (double)cx[c * d + j] - (double)cx[c2 * d + j];
        s += t * t;
      }
      e->cc[c * k + c2] = e->cc[c2 * k + c] = sqrt(s) * narrow;
    }
  }
  for (int64_t c = 0; c < k; c++) {
    double m = INFINITY;
    for (int64_t c2 = 0; c2 < k; c2++)
      if (c2 != c) m = kseg_km_min(m, e->cc[c * k + c2]);
    e->half[c] = 0.5 * m;
  }
}
