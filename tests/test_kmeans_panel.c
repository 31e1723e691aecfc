/* The E-step micro-kernel (kernels/panel.h) against the brute-force argmin:
 * Lloyd's dot_rows over consecutive rows and Hamerly's search_rows over
 * gathered rows must give every row the label of the smallest canonical
 * distance (pair_dist2, nearest()'s arithmetic; ties to the lowest index),
 * for float64 and float32, k = 1..300 (every tail of the blocks of 8),
 * d = 1..41, row counts that leave short panels, and data built to tie:
 * an integer grid with duplicated centroids (exact ties), rows far from the
 * origin with a tiny spread (the dot form's error exceeds the gaps, so the
 * near ties go back to nearest()), such rows between rows whose gaps are
 * sure (both kinds in one vector of lanes), plain blobs. search_rows' bounds must
 * hold on the exact distances: u >= |x - c_label|, l <= |x - c| for every
 * other c (checked in long double with a relative slack of 1e-12). Several
 * runs in one dot_rows pass (restarts side by side, one of another k, one
 * with the centroids in reverse order) must each get their own brute-force
 * labels, and the split sums of one alone. The same from a packed copy of the
 * rows (pack_panels, what a fit of rows that stay in cache reads), over
 * ranges that cut panels as threads' shares do. k = 2 to 4 over many panels
 * with 1 to 129 columns: their difference form (at most 128) and the dot
 * form.
 * Serial, through each dtype's kernel table as the drivers reach them. */
#include "test.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kmeans/kernels/kernels.h"
#include "kseg/kseg_kmeans.h"

typedef enum { GRID, OFFSET, PLAIN, MIXED } shape;

static double uniform(uint64_t *s)
{
  *s = *s * 6364136223846793005u + 1442695040888963407u;
  return (double)(*s >> 11) * 0x1p-53;
}

/* MIXED: odd rows in OFFSET's regime (far out, spread too small for the dot
 * form) between even rows spread wide, whose gaps are sure: a row vector
 * then holds lanes the gap test settles beside lanes it must send to
 * nearest(), so a test that settled a whole vector on some of its lanes
 * would give wrong labels. Its scale suits the data's type. */
static double value(shape sh, uint64_t *s, int64_t row, bool f32)
{
  switch (sh) {
  case GRID: return floor(4 * uniform(s));
  case OFFSET: return 1e4 + 1e-3 * uniform(s);
  case PLAIN: return uniform(s) * 2 - 1 + (double)(row % 5);
  case MIXED: return (f32 ? 1e2 : 1e4) + (row % 2 ? (f32 ? 1e-2 : 1e-3) : (f32 ? 30 : 100)) * uniform(s);
  }
  return 0;
}

/* The kernel tables of estep.c for centroids c. */
typedef struct tables {
  kseg_km_tables t;
  void *ct, *cb, *h, *panel;
} tables;

static void make_tables(const kseg_km_ops *ops, const double *c, int64_t k, int64_t d, double max_abs, tables *tb)
{
  const int64_t kp = (k + KSEG_KM_KB - 1) / KSEG_KM_KB * KSEG_KM_KB;
  tb->ct = calloc((size_t)(d * kp), ops->size);
  tb->cb = calloc((size_t)(k * d), ops->size);
  tb->h = calloc((size_t)k, ops->size);
  ASSERT(posix_memalign(&tb->panel, 64, (size_t)KSEG_KM_PANEL_ROWS * (size_t)d * ops->size + 64) == 0);
  ASSERT(tb->ct && tb->cb && tb->h);
  ops->centroid_table(c, k, d, kp, tb->ct);
  const double cn = ops->panel_tables(c, k, d, tb->cb, tb->h);
  const double gam = 8.0 * (double)(d + 2) * ops->eps, tiny = (double)(4 * d + 16) * ops->min_normal;
  const double reach = sqrt((double)d) * max_abs + cn;
  tb->t = (kseg_km_tables){.k = k, .d = d, .kp = kp, .ct = tb->ct, .cb = tb->cb, .h = tb->h, .cn = cn,
                           .m1 = gam * reach * reach + tiny, .gam = gam, .tiny = tiny};
}

static void free_tables(tables *tb)
{
  free(tb->ct);
  free(tb->cb);
  free(tb->h);
  free(tb->panel);
}

/* The smallest canonical distance among the first k centroids of cx, ties
 * to the lowest index. */
static void brute_force(const kseg_km_ops *ops, const void *xt, int64_t n, int64_t d, const void *cx, int64_t k,
                        int32_t *want)
{
  const size_t es = ops->size;
  for (int64_t i = 0; i < n; i++) {
    double best = INFINITY;
    for (int64_t q = 0; q < k; q++) {
      const double v = ops->pair_dist2((const char *)xt + (size_t)(i * d) * es, (const char *)cx + (size_t)(q * d) * es, d);
      if (v < best) best = v, want[i] = (int32_t)q;
    }
  }
}

/* Runs side by side in one dot_rows pass (restarts): the centroids c, the
 * same in reverse order, their first k / 2 + 1 (another k in the same pass)
 * and c again, each run's labels the brute force's of its own centroids
 * (want: of c), each counting every row as changed from -1. Runs with
 * different centroids of the same k side by side catch a pass that mixes up
 * their tables. */
static void check_runs(const kseg_km_ops *ops, const void *xt, const void *packed, int64_t n, int64_t d,
                       const double *c, const void *cx, int64_t k, double max_abs, const int32_t *want)
{
  enum { R = 4 };
  const int64_t kk[R] = {k, k, k / 2 + 1, k};
  const size_t es = ops->size;
  double *rc = malloc((size_t)(k * d) * sizeof *rc);
  char *rcx = malloc((size_t)(k * d) * es);
  ASSERT(rc && rcx);
  for (int64_t q = 0; q < k; q++) {
    memcpy(rc + q * d, c + (k - 1 - q) * d, (size_t)d * sizeof *rc);
    memcpy(rcx + (size_t)(q * d) * es, (const char *)cx + (size_t)((k - 1 - q) * d) * es, (size_t)d * es);
  }
  tables tb[R];
  int32_t *lab[R], *wants[R];
  int64_t changed[R] = {0};
  kseg_km_dot_run run[R];
  for (int q = 0; q < R; q++) {
    make_tables(ops, q == 1 ? rc : c, kk[q], d, max_abs, &tb[q]);
    lab[q] = malloc((size_t)n * sizeof *lab[q]);
    wants[q] = malloc((size_t)n * sizeof *wants[q]);
    ASSERT(lab[q] && wants[q]);
    for (int64_t i = 0; i < n; i++) lab[q][i] = -1;
    if (q == 0 || q == 3) memcpy(wants[q], want, (size_t)n * sizeof *want);
    else brute_force(ops, xt, n, d, q == 1 ? rcx : cx, kk[q], wants[q]);
    run[q] = (kseg_km_dot_run){.t = &tb[q].t, .labels = lab[q], .changed = &changed[q]};
  }
  ops->dot_rows(xt, packed, 0, n, R, run, KSEG_KM_LABELS_ONLY, 1.0, tb[R - 1].panel);
  for (int q = 0; q < R; q++) {
    for (int64_t i = 0; i < n; i++) {
      if (lab[q][i] != wants[q][i]) {
        fprintf(stderr, "dot_rows, run %d of %d: n=%lld d=%lld k=%lld: row %lld got %d, want %d\n", q, R,
                (long long)n, (long long)d, (long long)kk[q], (long long)i, lab[q][i], wants[q][i]);
        ASSERT(false);
      }
    }
    ASSERT_EQ(changed[q], n);
    free_tables(&tb[q]);
    free(lab[q]);
    free(wants[q]);
  }
  free(rc);
  free(rcx);
}

/* The split sums dot_rows keeps beside the labels, from the packed copy (in
 * three ranges cutting panels) and from the rows: the same labels, changed
 * counts, counts and sums in both, and the counts the modes promise. Moved
 * rows: each row whose label changed, taken from its old label's sums (a
 * running total's deltas); all rows: each row added to its new label's (a
 * fresh total). The labels start changed in most rows, then in a few far
 * apart (which a pass over whole pairs of panels must find mid-run). From
 * the packed copy also as three runs side by side, each with the results
 * of one alone (the sums of runs side by side were checked nowhere else). */
static void check_sums(const kseg_km_ops *ops, const void *xt, const void *packed, int64_t n, int64_t d, int64_t k,
                       const tables *tb, const int32_t *want)
{
  enum { P = 5 }; /* 0: the rows; 1: the packed copy; 2-4: the packed copy, three runs in one pass */
  int32_t *start = malloc((size_t)n * sizeof *start);
  ASSERT(start);
  for (int sparse = 0; sparse < 2; sparse++)
    for (int mode = KSEG_KM_MOVED_ROWS; mode <= KSEG_KM_ALL_ROWS; mode++) {
      for (int64_t i = 0; i < n; i++)
        start[i] = sparse ? (i % 61 == 7 ? (int32_t)((want[i] + 1) % k) : want[i])
                          : (i % 3 == 0 ? want[i] : (int32_t)((i * 5 + 1) % k));
      int64_t *hi[P], *counts[P], changed[P] = {0};
      uint64_t *lo[P];
      int32_t *lab[P];
      kseg_km_dot_run run[P];
      for (int p = 0; p < P; p++) {
        hi[p] = calloc((size_t)(k * d), sizeof *hi[p]), lo[p] = calloc((size_t)(k * d), sizeof *lo[p]);
        counts[p] = calloc((size_t)k, sizeof *counts[p]), lab[p] = malloc((size_t)n * sizeof *lab[p]);
        ASSERT(hi[p] && lo[p] && counts[p] && lab[p]);
        memcpy(lab[p], start, (size_t)n * sizeof *start);
        run[p] = (kseg_km_dot_run){
            .t = &tb->t, .labels = lab[p], .hi = hi[p], .lo = lo[p], .counts = counts[p], .changed = &changed[p]};
      }
      const int64_t cut[4] = {0, n / 3 + (n > 2), 2 * n / 3 + (n > 6 ? 5 : 0), n};
      for (int r = 0; r < 3; r++)
        if (cut[r] < cut[r + 1]) {
          ops->dot_rows(xt, NULL, cut[r], cut[r + 1], 1, &run[0], mode, 1.0, tb->panel);
          ops->dot_rows(xt, packed, cut[r], cut[r + 1], 1, &run[1], mode, 1.0, tb->panel);
          ops->dot_rows(xt, packed, cut[r], cut[r + 1], 3, &run[2], mode, 1.0, tb->panel);
        }
      int64_t moved = 0, *want_counts = calloc((size_t)k, sizeof *want_counts);
      ASSERT(want_counts);
      for (int64_t i = 0; i < n; i++) {
        for (int p = 0; p < P; p++) ASSERT_EQ(lab[p][i], want[i]);
        moved += start[i] != want[i];
        if (mode == KSEG_KM_ALL_ROWS) want_counts[want[i]]++;
        else if (start[i] != want[i]) want_counts[want[i]]++, want_counts[start[i]]--;
      }
      for (int p = 0; p < P; p++) {
        ASSERT_EQ(changed[p], moved);
        for (int64_t c = 0; c < k; c++) ASSERT_EQ(counts[p][c], want_counts[c]);
        if (p == 0) continue;
        ASSERT(memcmp(hi[0], hi[p], (size_t)(k * d) * sizeof *hi[0]) == 0);
        ASSERT(memcmp(lo[0], lo[p], (size_t)(k * d) * sizeof *lo[0]) == 0);
      }
      for (int p = 0; p < P; p++) free(hi[p]), free(lo[p]), free(counts[p]), free(lab[p]);
      free(want_counts);
    }
  free(start);
}

/* got[0..n) must be want's labels; the first row that is not is named. */
static void expect_labels(const char *what, kseg_dtype dtype, shape sh, int64_t n, int64_t d, int64_t k,
                          const int32_t *got, const int32_t *want)
{
  for (int64_t i = 0; i < n; i++) {
    if (got[i] != want[i]) {
      fprintf(stderr, "%s: %s n=%lld d=%lld k=%lld shape %d: row %lld got %d, want %d\n", what,
              dtype == KSEG_F32 ? "float32" : "float64", (long long)n, (long long)d, (long long)k, (int)sh,
              (long long)i, got[i], want[i]);
      ASSERT(false);
    }
  }
}

static void check(kseg_dtype dtype, shape sh, int64_t n, int64_t d, int64_t k, uint64_t seed)
{
  const kseg_km_ops *ops = kseg_km_ops_of(dtype);
  const size_t es = ops->size;
  double *x = malloc((size_t)(n * d) * sizeof *x), *c = malloc((size_t)(k * d) * sizeof *c);
  void *xt = malloc((size_t)(n * d) * es), *cx = malloc((size_t)(k * d) * es);
  int32_t *want = malloc((size_t)n * sizeof *want), *got = malloc((size_t)n * sizeof *got);
  int32_t *hlab = malloc((size_t)n * sizeof *hlab);
  double *u = malloc((size_t)n * sizeof *u), *l = malloc((size_t)n * sizeof *l);
  int64_t *idx = malloc((size_t)n * sizeof *idx);
  ASSERT(x && c && xt && cx && want && got && hlab && u && l && idx);
  uint64_t s = seed;
  double max_abs = 0;
  for (int64_t i = 0; i < n * d; i++) {
    x[i] = value(sh, &s, i / d, dtype == KSEG_F32);
    if (dtype == KSEG_F32) x[i] = (float)x[i];
    max_abs = fmax(max_abs, fabs(x[i]));
  }
  /* centroids: rows of the data (exact ties on the grid), half of them
   * duplicated in pairs so equal distances must go to the lower index */
  for (int64_t c0 = 0; c0 < k; c0++) {
    const int64_t src = c0 % 2 == 1 && sh == GRID ? c0 - 1 : c0;
    for (int64_t j = 0; j < d; j++) c[c0 * d + j] = x[((src * 7919) % n) * d + j];
  }
  ops->centroid_rows(x, n * d, xt);
  ops->centroid_rows(c, k * d, cx);
  brute_force(ops, xt, n, d, cx, k, want);
  tables tb;
  make_tables(ops, c, k, d, max_abs, &tb);
  int64_t changed = 0;
  for (int64_t i = 0; i < n; i++) got[i] = -1;
  const kseg_km_dot_run one = {.t = &tb.t, .labels = got, .changed = &changed};
  ops->dot_rows(xt, NULL, 0, n, 1, &one, KSEG_KM_LABELS_ONLY, 1.0, tb.panel);
  check_runs(ops, xt, NULL, n, d, c, cx, k, max_abs, want);
  /* from the packed copy, in three ranges cutting panels */
  const int64_t pw = KSEG_KM_PANEL_BYTES / (int64_t)es, np = (n + pw - 1) / pw;
  void *packed = NULL;
  ASSERT(posix_memalign(&packed, 64, (size_t)np * (size_t)(d + 1) * KSEG_KM_PANEL_BYTES) == 0);
  ops->pack_panels(xt, 0, np / 2, n, d, packed);
  ops->pack_panels(xt, np / 2, np, n, d, packed);
  /* the layout: value j of row i, then the norm (rounded up from a sum in
   * double: any rounding will do, see kp_sure) */
  for (int64_t i = 0; i < n; i++) {
    long double xx = 0;
    for (int64_t j = 0; j < d; j++) {
      const int64_t at = i / pw * (d + 1) * pw + j * pw + i % pw, from = i * d + j;
      const double v = es == 4 ? (double)((const float *)packed)[at] : ((const double *)packed)[at];
      const double want_v = es == 4 ? (double)((const float *)xt)[from] : ((const double *)xt)[from];
      ASSERT(v == want_v);
      xx += (long double)v * v;
    }
    const int64_t at = i / pw * (d + 1) * pw + d * pw + i % pw;
    const double nx = es == 4 ? (double)((const float *)packed)[at] : ((const double *)packed)[at];
    ASSERT(fabs(nx - (double)sqrtl(xx)) <= 1e-6 * (double)sqrtl(xx) + 1e-30);
  }
  int32_t *gotp = malloc((size_t)n * sizeof *gotp);
  ASSERT(gotp);
  for (int64_t i = 0; i < n; i++) gotp[i] = -1;
  int64_t changed_p = 0;
  const kseg_km_dot_run onep = {.t = &tb.t, .labels = gotp, .changed = &changed_p};
  const int64_t cut[4] = {0, n / 3 + (n > 2), 2 * n / 3 + (n > 6 ? 5 : 0), n};
  /* the middle range first: the rows outside it untouched */
  const int order[3] = {1, 0, 2};
  for (int o = 0; o < 3; o++) {
    const int r = order[o];
    if (cut[r] < cut[r + 1]) ops->dot_rows(xt, packed, cut[r], cut[r + 1], 1, &onep, KSEG_KM_LABELS_ONLY, 1.0, tb.panel);
    if (o == 0)
      for (int64_t i = 0; i < n; i++) ASSERT(i >= cut[1] && i < cut[2] ? gotp[i] == want[i] : gotp[i] == -1);
  }
  expect_labels("dot_rows packed", dtype, sh, n, d, k, gotp, want);
  ASSERT_EQ(changed_p, n);
  check_runs(ops, xt, packed, n, d, c, cx, k, max_abs, want);
  check_sums(ops, xt, packed, n, d, k, &tb, want);
  free(gotp);
  free(packed);
  /* Hamerly: every third row and the last, gathered */
  int64_t m = 0;
  for (int64_t i = 0; i < n; i++)
    if (i % 3 == 0 || i == n - 1) idx[m++] = i;
  int64_t *hi = calloc((size_t)(k * d), sizeof *hi), *counts = calloc((size_t)k, sizeof *counts);
  uint64_t *lo = calloc((size_t)(k * d), sizeof *lo);
  ASSERT(hi && lo && counts);
  for (int64_t i = 0; i < n; i++) hlab[i] = -1;
  const double rel = 4.0 * (double)(d + 8) * ops->eps;
  const double am = 4.0 * sqrt((double)d) * (max_abs + max_abs) * ops->eps;
  int64_t hchanged = 0;
  ops->search_rows(xt, idx, m, &tb.t, hlab, u, l, rel, am, 1.0, hi, lo, counts, &hchanged, tb.panel);
  expect_labels("dot_rows", dtype, sh, n, d, k, got, want);
  ASSERT_EQ(changed, n);
  ASSERT_EQ(hchanged, m);
  for (int64_t t = 0; t < m; t++) {
    const int64_t i = idx[t];
    ASSERT_EQ(hlab[i], want[i]);
    /* the bounds hold on the exact distances (long double has 11 more bits) */
    for (int64_t q = 0; q < k; q++) {
      long double e = 0;
      for (int64_t j = 0; j < d; j++) {
        const long double dv = (long double)(dtype == KSEG_F32 ? (double)((const float *)xt)[i * d + j]
                                                                 : ((const double *)xt)[i * d + j]) -
                               (long double)(dtype == KSEG_F32 ? (double)((const float *)cx)[q * d + j]
                                                                 : ((const double *)cx)[q * d + j]);
        e += dv * dv;
      }
      const double dist = (double)sqrtl(e);
      if (q == hlab[i] && !(u[i] >= dist * (1 - 1e-12))) {
        fprintf(stderr, "search_rows: u %.17g below the exact distance %.17g (row %lld)\n", u[i], dist, (long long)i);
        ASSERT(false);
      }
      if (q != hlab[i] && !(l[i] <= dist * (1 + 1e-12))) {
        fprintf(stderr, "search_rows: l %.17g above the exact distance %.17g to %lld (row %lld)\n", l[i], dist,
                (long long)q, (long long)i);
        ASSERT(false);
      }
    }
  }
  free_tables(&tb);
  free(hi);
  free(lo);
  free(counts);
  free(x);
  free(c);
  free(xt);
  free(cx);
  free(want);
  free(got);
  free(hlab);
  free(u);
  free(l);
  free(idx);
}

int main(void)
{
  int cases = 0;
  for (int dt = 0; dt < 2; dt++) {
    const kseg_dtype dtype = dt ? KSEG_F32 : KSEG_F64;
    /* every k from 1 to 40 (all block tails), then larger ones up to 300 */
    for (int64_t k = 1; k <= 300; k += k < 40 ? 1 : 37) {
      const int64_t d = 1 + (k * 7) % 41, n = 97 + (k * 13) % 64;
      for (int sh = 0; sh < 4; sh++, cases++) check(dtype, (shape)sh, n > k ? n : k + 3, d, k, 1000 + (uint64_t)k);
    }
    for (int64_t d = 1; d <= 41; d += 4, cases++) check(dtype, PLAIN, 150, d, 13, 77 + (uint64_t)d);
    /* small k over many panels: long runs of whole pairs of panels, cut by
     * near ties and changed labels */
    for (int64_t k = 1; k <= 5; k++)
      for (int sh = 0; sh < 4; sh++, cases++) check(dtype, (shape)sh, 1000 + 37 * k, 21, k, 500 + (uint64_t)k);
    /* k = 2 to 4 take the difference form up to 128 columns, the dot
     * form beyond */
    for (int64_t k = 2; k <= 4; k++)
      for (int64_t d = 1; d <= 129; d += d < 8 ? 1 : d < 120 ? 40 : 1)
        for (int sh = 0; sh < 4; sh++, cases++) check(dtype, (shape)sh, 480 + d, d, k, 900 + (uint64_t)(d * k));
  }
  printf("kmeans_panel: %d cases ok\n", cases);
  return 0;
}
