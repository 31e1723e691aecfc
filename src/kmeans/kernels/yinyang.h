/* yinyang.h - kernel template: Yinyang's row search and its group tables.
 * Compiled once per type by yinyang_f64.c and yinyang_f32.c; see kernels.h,
 * and yinyang.c for the filters. */
#include "kmeans/kernels/row.h"

/* Squared distances of row xi to the w centroids of one group table (d x w,
 * transposed, w a multiple of the vector width) into out[w]: each lane is
 * nearest()'s arithmetic for that centroid (sequential over the columns,
 * t = x - c, acc += t * t), so each value equals pair_dist2's bit for bit;
 * four vectors at a time keep four independent FMA chains. */
static void group_dists(const KM_T *restrict xi, const KM_T *restrict gt, int64_t w, int64_t d, KM_T *restrict out)
{
  typedef km_vec vec;
  const int64_t vl = (int64_t)(64 / sizeof(KM_T));
  int64_t b = 0;
  for (; b + 4 * vl <= w; b += 4 * vl) {
    vec a0 = {0}, a1 = {0}, a2 = {0}, a3 = {0};
    for (int64_t j = 0; j < d; j++) {
      vec c0, c1, c2, c3, t;
      memcpy(&c0, gt + j * w + b, sizeof c0);
      memcpy(&c1, gt + j * w + b + vl, sizeof c1);
      memcpy(&c2, gt + j * w + b + 2 * vl, sizeof c2);
      memcpy(&c3, gt + j * w + b + 3 * vl, sizeof c3);
      t = xi[j] - c0, a0 += t * t;
      t = xi[j] - c1, a1 += t * t;
      t = xi[j] - c2, a2 += t * t;
      t = xi[j] - c3, a3 += t * t;
    }
    memcpy(out + b, &a0, sizeof a0);
    memcpy(out + b + vl, &a1, sizeof a1);
    memcpy(out + b + 2 * vl, &a2, sizeof a2);
    memcpy(out + b + 3 * vl, &a3, sizeof a3);
  }
  for (; b < w; b += vl) {
    vec a0 = {0};
    for (int64_t j = 0; j < d; j++) {
      vec c0, t;
      memcpy(&c0, gt + j * w + b, sizeof c0);
      t = xi[j] - c0, a0 += t * t;
    }
    memcpy(out + b, &a0, sizeof a0);
  }
}

/* Rows [i0, i1) with the thread's scratch newlb[t] (this row's group
 * bounds being rebuilt) and dist[k + 16] (a group's distances, in KM_T).
 * See yinyang.c for the filters. A group is searched
 * unless its bound proves all its members' computed distances strictly
 * greater than the current best's; the best keeps the lowest index among
 * equal distances, whatever order the groups visit centroids in, so the
 * label is Lloyd's. */
void KM_FN(yinyang_rows)(const kseg_km_yinyang_state *y, const kseg_km_pruned_ctx *ctx, const void *xv,
                         double *restrict newlb, void *distv, int32_t *restrict labels, int64_t i0, int64_t i1,
                         int64_t *restrict hi, uint64_t *restrict lo, int64_t *restrict counts, int64_t *changed)
{
  const KM_T *restrict x = xv;
  KM_T *restrict dist = distv;
  const int64_t d = ctx->d, t = y->t;
  const KM_T *restrict cx = ctx->cx;
  const double rel = ctx->rel, am = ctx->abs_margin, xscale = ctx->xscale;
  const double *restrict gshift = y->gshift, *restrict shift = ctx->shift;
  const int32_t *restrict order = y->order, *restrict gstart = y->gstart, *restrict group = y->group;
  if (ctx->iter == 0) { /* every row unlabelled: Lloyd's kernel, bounds from the second nearest */
    for (int64_t i = i0; i < i1; i += KM_RB) {
      const int nr = i1 - i < KM_RB ? (int)(i1 - i) : KM_RB;
      double second[KM_RB];
      first_block(x, i, nr, d, y->ct, y->kp, ctx->k, rel, am, xscale, labels, y->upper, second, hi, lo, counts,
                  changed);
      for (int r = 0; r < nr; r++)
        for (int64_t g = 0; g < t; g++) y->lb[(i + r) * t + g] = second[r];
    }
    return;
  }
  int64_t moved = 0;
  for (int64_t i = i0; i < i1; i++) {
    const KM_T *restrict xi = x + i * d;
    double *restrict lb = y->lb + i * t;
    const int32_t a = labels[i];
    int32_t best = a;
    KM_T bestd = (KM_T)INFINITY;
    double uex = INFINITY, ucmp = INFINITY, glob = INFINITY;
    /* Updated group bounds (a row without a label has none: -inf). */
    for (int64_t g = 0; g < t; g++) {
      newlb[g] = a < 0 ? -INFINITY : kseg_km_down_sub(lb[g], gshift[g]);
      glob = kseg_km_min(glob, newlb[g]);
    }
    if (a >= 0) {
      uex = kseg_km_up_add(y->upper[i], shift[a]);
      ucmp = kseg_km_computed_upper_of(uex, rel, am);
    }
    /* Global filter, then again with the label's distance computed. */
    bool search = a < 0 || !kseg_km_beyond(glob, ucmp, rel, am);
    if (search && a >= 0) {
      bestd = pair_dist2(xi, cx + (int64_t)a * d, d);
      uex = kseg_km_exact_upper((double)bestd, rel, am);
      ucmp = kseg_km_computed_upper((double)bestd);
      search = !kseg_km_beyond(glob, ucmp, rel, am);
    }
    const double la = search && a >= 0 ? kseg_km_exact_lower((double)bestd, rel, am) : 0;
    for (int64_t g = 0; search && g < t; g++) {
      /* Group filter: every centroid of g but the label is beyond. */
      if (kseg_km_beyond(newlb[g], ucmp, rel, am)) continue;
      /* A searched group computes all its members and so rebuilds its bound
       * exactly. The paper's local filter (skip c when the old group bound
       * minus c's own shift is beyond) was measured here to pin group
       * bounds just above u, so the same rows were searched every
       * iteration (2-3x slower to convergence on 200k x 32, k = 64). */
      double m1 = INFINITY, m2 = INFINITY;
      int32_t arg1 = -1;
      if (a >= 0 && group[a] == g) m1 = la, arg1 = a; /* the label's own distance, computed above */
      group_dists(xi, (const KM_T *)y->gt + y->goff[g], y->gw[g], d, dist);
      for (int32_t q = gstart[g]; q < gstart[g + 1]; q++) {
        const int32_t c = order[q];
        if (c == a) continue;
        const KM_T dc = dist[q - gstart[g]];
        const double lc = kseg_km_exact_lower((double)dc, rel, am);
        if (dc < bestd || (dc == bestd && c < best)) {
          /* The old best stops being the label: the bound of its group must
           * now cover it (group g tracks its own members below). */
          if (best >= 0 && group[best] != g)
            newlb[group[best]] = kseg_km_min(newlb[group[best]], kseg_km_exact_lower((double)bestd, rel, am));
          best = c;
          bestd = dc;
          uex = kseg_km_exact_upper((double)dc, rel, am);
          ucmp = kseg_km_computed_upper((double)dc);
        }
        if (lc < m1) m2 = m1, m1 = lc, arg1 = c;
        else if (lc < m2) m2 = lc;
      }
      newlb[g] = arg1 == best ? m2 : m1;
    }
    for (int64_t g = 0; g < t; g++) lb[g] = newlb[g];
    y->upper[i] = uex;
    if (best != a) {
      moved++;
      labels[i] = best;
      move_row(xi, d, xscale, hi, lo, counts, a, best);
    }
  }
  *changed += moved;
}

/* Each group's table (gt) from this iteration's centroids rounded to KM_T
 * (ctx->cx). */
void KM_FN(yinyang_tables)(kseg_km_yinyang_state *y, const kseg_km_pruned_ctx *ctx)
{
  const int64_t d = ctx->d;
  const KM_T *cx = ctx->cx;
  KM_T *gt = y->gt;
  for (int64_t g = 0; g < y->t; g++) {
    const int64_t w = y->gw[g], o = y->goff[g];
    for (int32_t q = y->gstart[g]; q < y->gstart[g + 1]; q++) {
      const int64_t c = y->order[q], lane = q - y->gstart[g];
      for (int64_t j = 0; j < d; j++) gt[o + j * w + lane] = cx[c * d + j];
    }
  }
}
