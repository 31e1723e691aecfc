/* segments/profile/profile.c - the distributed part of segment profiles (kseg_profile.h).
 *
 * One pass for the base's extrema (which columns are constant, binary, and
 * the fixed-point scale of each), one pass of exact per-segment sums, then one
 * exact median selection per segment with a row mask. Segment rows are never
 * gathered: only (K + 1) x columns numbers travel. */
#include "kseg/kseg_profile.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kseg/kseg_comm.h"
#include "kseg/kseg_error.h"
#include "kseg/kseg_fixed.h"
#include "kseg/kseg_plan.h"
#include "kseg/kseg_prep.h"
#include "kseg/kseg_stats.h"
#include "kseg/kseg_strings.h"
#include "segments/profile/internal.h"

/* A column being profiled: this rank's values and what the base pass found. */
typedef struct candidate {
  const char *name;
  kseg_stats_col col;
  int derived, is_target;
  double lo, hi;           /* base extrema of the non-missing values */
  int64_t count, nonbinary;/* non-missing values; values other than 0 and 1 */
  kseg_fixed fx;
} candidate;

/* The derived marketing columns worth a profile line, in original units.
 * Income and the Mnt and Num columns are profiled from /raw directly;
 * Education is profiled as level shares of the raw column. */
static const char *const derived_names[] = {"Age", "Children", "Living_With_Partner", "Tenure_Days",
                                            "Total_Spent", "Total_Purchases", "Total_Accepted"};
#define N_DERIVED ((int)(sizeof derived_names / sizeof derived_names[0]))

static bool is_derived_name(const char *name)
{
  for (int i = 0; i < N_DERIVED; i++)
    if (strcmp(name, derived_names[i]) == 0) return true;
  return false;
}

static const char *const channel_names[] = {"NumWebPurchases", "NumCatalogPurchases", "NumStorePurchases"};

static double *new_f64(int64_t n)
{
  double *a = kseg_malloc(sizeof(double) * (size_t)(n > 0 ? n : 1), "profile");
  for (int64_t i = 0; a && i < n; i++) a[i] = NAN;
  return a;
}

static double index_of(double v, double base) { return base > 0 && isfinite(v) ? v / base * 100.0 : NAN; }

/* Append a metric with arrays for K + 1 rows. */
static kseg_profile_metric *add_metric(kseg_profile *p, const char *name, kseg_profile_metric_kind kind, int derived)
{
  kseg_profile_metric *m = realloc(p->metrics, sizeof *m * (size_t)(p->n_metrics + 1));
  if (!m) return kseg_error_nomem("profile metrics", sizeof *m * (size_t)(p->n_metrics + 1)), NULL;
  p->metrics = m;
  m = &p->metrics[p->n_metrics++];
  memset(m, 0, sizeof *m);
  int64_t R = p->n_segments + 1;
  m->name = kseg_strings_dup(name);
  m->kind = kind;
  m->derived = derived;
  m->mean = new_f64(R);
  m->index = new_f64(R);
  m->count = kseg_calloc((size_t)R, sizeof *m->count, "profile");
  if (kind == KSEG_PROFILE_VALUE) m->median = new_f64(R);
  if (!m->name || !m->mean || !m->index || !m->count || (kind == KSEG_PROFILE_VALUE && !m->median)) return NULL;
  return m;
}

/* Find the candidates: numeric /raw columns that are not identifiers (prep's
 * rule), the target, and the derived marketing columns. Collective (the
 * identifier check). */
static int list_candidates(MPI_Comm comm, const kseg_table *raw, const kseg_prep_model *dm, const double *X,
                           const char *target, candidate *cand, int *n_cand)
{
  int n = 0;
  for (int c = 0; c < raw->n_cols; c++) {
    const kseg_column *col = &raw->cols[c];
    if (col->kind != KSEG_COL_NUMERIC) continue; /* dates: Tenure_Days says it in days */
    int is_target = target && strcmp(col->name, target) == 0, is_id = 0;
    if (!is_target) KSEG_CHECK(kseg_prep_is_identifier(comm, raw, c, &is_id));
    if (is_id) continue;
    cand[n++] = (candidate){.name = col->name, .col = {col->num, 1}, .is_target = is_target};
  }
  for (int i = 0; dm && i < N_DERIVED; i++)
    for (int f = 0; f < dm->n_features; f++)
      if (strcmp(dm->features[f], derived_names[i]) == 0) /* dm holds only those the table lacks */
        cand[n++] = (candidate){.name = derived_names[i], .col = {X + f, dm->n_features}, .derived = 1};
  *n_cand = n;
  return KSEG_OK;
}

/* Base extrema, counts and binary check of every candidate. Collective. */
static int base_pass(MPI_Comm comm, candidate *cand, int J, int64_t n_local)
{
  double *lo = new_f64(J), *hi = new_f64(J);
  int64_t *cnt = kseg_calloc((size_t)(2 * J + 1), sizeof *cnt, "profile");
  int st = kseg_comm_agree(comm, lo && hi && cnt ? KSEG_OK : KSEG_ERR_IO);
  if (!st) {
    for (int j = 0; j < J; j++) {
      double a = INFINITY, b = -INFINITY;
      int64_t c = 0, nb = 0;
      const double *x = cand[j].col.base;
      const int64_t sd = cand[j].col.stride;
#pragma omp parallel for schedule(static) reduction(min : a) reduction(max : b) reduction(+ : c, nb)
      for (int64_t i = 0; i < n_local; i++) {
        double v = x[i * sd];
        if (isnan(v)) continue;
        a = v < a ? v : a;
        b = v > b ? v : b;
        c++;
        nb += v != 0.0 && v != 1.0;
      }
      lo[j] = a;
      hi[j] = b;
      cnt[j] = c;
      cnt[J + j] = nb;
    }
    st = kseg_comm_min_f64(comm, lo, J);
    if (!st) st = kseg_comm_max_f64(comm, hi, J);
    if (!st) st = kseg_comm_sum_i64(comm, cnt, 2 * J);
    st = kseg_comm_agree(comm, st);
  }
  for (int j = 0; !st && j < J; j++) {
    cand[j].lo = lo[j];
    cand[j].hi = hi[j];
    cand[j].count = cnt[j];
    cand[j].nonbinary = cnt[J + j];
    /* a column without any value is left out of the metrics below, not an infinity */
    double bound = cnt[j] > 0 ? fmax(fabs(lo[j]), fabs(hi[j])) : 0.0;
    if (!isfinite(bound)) st = kseg_error_set(KSEG_ERR_INPUT, "column '%s' has an infinite value", cand[j].name);
    cand[j].fx = kseg_fixed_for_bound(bound);
  }
  free(lo);
  free(hi);
  free(cnt);
  return st; /* the same on every rank: derived from reduced values */
}

/* Exact per-segment sums and counts: sums[s * J + j], counts likewise, for
 * s < K; row K (the base) is the sum of the segments. Collective. */
static int segment_sums(MPI_Comm comm, const candidate *cand, int J, const int32_t *labels, int64_t n_local, int K,
                        kseg_i128 *sums, int64_t *counts)
{
  size_t cells = (size_t)K * (size_t)J;
  memset(sums, 0, sizeof *sums * (cells + (size_t)J));
  memset(counts, 0, sizeof *counts * (cells + (size_t)J));
  int st = KSEG_OK;
#pragma omp parallel
  {
    /* per-thread partials, merged in any order: integer sums are exact */
    kseg_i128 *ls = calloc(cells + 1, sizeof *ls);
    int64_t *lc = calloc(cells + 1, sizeof *lc);
    if (ls && lc) {
#pragma omp for schedule(static)
      for (int64_t i = 0; i < n_local; i++) {
        size_t at = (size_t)labels[i] * (size_t)J;
        for (int j = 0; j < J; j++) {
          double v = cand[j].col.base[i * cand[j].col.stride];
          if (isnan(v)) continue;
          ls[at + (size_t)j] += kseg_fixed_from(&cand[j].fx, v);
          lc[at + (size_t)j]++;
        }
      }
    }
#pragma omp critical(kseg_profile_merge)
    {
      if (!ls || !lc) st = KSEG_ERR_IO;
      else
        for (size_t c = 0; c < cells; c++) {
          sums[c] += ls[c];
          counts[c] += lc[c];
        }
    }
    free(ls);
    free(lc);
  }
  /* messages are per thread: record it on the calling one */
  if (st) kseg_error_nomem("profile partial sums", (cells + 1) * sizeof *sums);
  KSEG_CHECK(kseg_comm_agree(comm, st));
  st = kseg_comm_sum_i128(comm, sums, (int64_t)cells);
  if (!st) st = kseg_comm_sum_i64(comm, counts, (int64_t)cells);
  KSEG_CHECK(kseg_comm_agree(comm, st));
  for (int s = 0; s < K; s++)
    for (int j = 0; j < J; j++) {
      sums[cells + (size_t)j] += sums[(size_t)s * J + j];
      counts[cells + (size_t)j] += counts[(size_t)s * J + j];
    }
  return KSEG_OK;
}

/* Level shares of every categorical column. Collective. */
static int level_shares(MPI_Comm comm, const kseg_table *raw, const int32_t *labels, kseg_profile *p)
{
  const int K = p->n_segments;
  int n_cat = 0;
  for (int c = 0; c < raw->n_cols; c++) n_cat += raw->cols[c].kind == KSEG_COL_CATEGORICAL;
  p->categorical = kseg_calloc((size_t)n_cat + 1, sizeof *p->categorical, "profile levels");
  KSEG_CHECK(kseg_comm_agree(comm, p->categorical ? KSEG_OK : KSEG_ERR_IO));
  for (int c = 0; c < raw->n_cols; c++) {
    const kseg_column *col = &raw->cols[c];
    if (col->kind != KSEG_COL_CATEGORICAL) continue;
    const int L = col->n_levels;
    kseg_profile_levels *lv = &p->categorical[p->n_categorical++];
    lv->name = kseg_strings_dup(col->name);
    lv->levels = kseg_calloc((size_t)L + 1, sizeof *lv->levels, "profile levels");
    lv->share = new_f64((int64_t)(K + 1) * L);
    int64_t *cnt = kseg_calloc((size_t)(K + 1) * (size_t)L + 1, sizeof *cnt, "profile levels");
    int st = lv->name && lv->levels && lv->share && cnt ? KSEG_OK : KSEG_ERR_IO;
    if (!st) {
      lv->n_levels = L;
      for (int l = 0; l < L && !st; l++)
        if (!(lv->levels[l] = kseg_strings_dup(col->levels[l]))) st = KSEG_ERR_IO;
      for (int64_t i = 0; i < raw->n_local; i++) {
        int32_t code = col->codes[i];
        if (code >= 0 && code < L) cnt[(int64_t)labels[i] * L + code]++;
      }
    }
    st = kseg_comm_agree(comm, st);
    if (!st) st = kseg_comm_agree(comm, kseg_comm_sum_i64(comm, cnt, (int64_t)K * L));
    if (!st) {
      for (int s = 0; s < K; s++)
        for (int l = 0; l < L; l++) cnt[(int64_t)K * L + l] += cnt[(int64_t)s * L + l];
      for (int s = 0; s <= K; s++)
        for (int l = 0; l < L; l++)
          if (p->size[s] > 0) lv->share[(int64_t)s * L + l] = (double)cnt[(int64_t)s * L + l] / (double)p->size[s];
    }
    free(cnt);
    KSEG_CHECK(st);
  }
  return KSEG_OK;
}

/* Medians of the VALUE metrics, one exact selection per segment. Collective. */
static int segment_medians(MPI_Comm comm, const candidate *cand, const int *metric_of, int J, const int32_t *labels,
                           int64_t n_local, kseg_profile *p)
{
  const int K = p->n_segments;
  int nv = 0;
  for (int j = 0; j < J; j++) nv += metric_of[j] >= 0 && p->metrics[metric_of[j]].kind == KSEG_PROFILE_VALUE;
  if (nv == 0) return KSEG_OK;
  kseg_stats_col *cols = kseg_malloc(sizeof *cols * (size_t)nv, "profile columns");
  int *which = kseg_malloc(sizeof *which * (size_t)nv, "profile columns");
  double *med = new_f64(nv);
  int8_t *mask = kseg_malloc((size_t)(n_local > 0 ? n_local : 1), "segment mask");
  int st = kseg_comm_agree(comm, cols && which && med && mask ? KSEG_OK : KSEG_ERR_IO);
  int v = 0;
  for (int j = 0; !st && j < J; j++)
    if (metric_of[j] >= 0 && p->metrics[metric_of[j]].kind == KSEG_PROFILE_VALUE) {
      cols[v] = cand[j].col;
      which[v++] = metric_of[j];
    }
  static const double half = 0.5;
  for (int s = 0; !st && s <= K; s++) {
    if (s < K)
      for (int64_t i = 0; i < n_local; i++) mask[i] = labels[i] == s;
    st = kseg_stats_quantiles(comm, cols, nv, n_local, s < K ? mask : NULL, &half, 1, med);
    for (int i = 0; !st && i < nv; i++) p->metrics[which[i]].median[s] = med[i];
  }
  free(cols);
  free(which);
  free(med);
  free(mask);
  return st; /* agreed inside kseg_stats_quantiles */
}

/* A MIX metric: share of `total` (sums per segment) held by column j. */
static int add_mix(kseg_profile *p, const char *name, const double *part, const double *total)
{
  kseg_profile_metric *m = add_metric(p, name, KSEG_PROFILE_MIX, 0);
  if (!m) return KSEG_ERR_IO;
  const int K = p->n_segments;
  for (int s = 0; s <= K; s++) m->mean[s] = total[s] > 0 ? part[s] / total[s] : NAN;
  for (int s = 0; s <= K; s++) m->index[s] = index_of(m->mean[s], m->mean[K]);
  for (int s = 0; s <= K; s++) m->count[s] = p->size[s];
  return KSEG_OK;
}

static int starts_with(const char *s, const char *prefix) { return strncmp(s, prefix, strlen(prefix)) == 0; }

int kseg_profile_compute(MPI_Comm comm, const kseg_table *raw, const int32_t *labels, int k,
                         const kseg_profile_options *opt, kseg_profile **out)
{
  *out = NULL;
  int st = KSEG_OK;
  if (k < 1) st = kseg_error_set(KSEG_ERR_INPUT, "profile needs at least one segment (k = %d)", k);
  for (int64_t i = 0; !st && i < raw->n_local; i++)
    if (labels[i] < 0 || labels[i] >= k)
      st = kseg_error_set(KSEG_ERR_INPUT, "label %d of row %lld is outside [0, %d)", labels[i],
                          (long long)(raw->row0 + i), k);
  if (!st) st = kseg_comm_fault(comm, "profile:compute");
  KSEG_CHECK(kseg_comm_agree(comm, st));
  /* the target (named, else Response when present), the economics and the
   * folds of the campaign plan: checked before any work */
  kseg_plan_setup setup;
  KSEG_CHECK(kseg_plan_prepare(comm, raw, opt ? opt->target : NULL, opt ? &opt->plan : NULL, &setup));
  const char *target = setup.target;

  const int K = k;
  kseg_profile *p = NULL;
  kseg_prep_model *dm = NULL;
  double *X = NULL, *part = NULL, *total = NULL;
  candidate *cand = NULL;
  kseg_i128 *sums = NULL;
  int64_t *counts = NULL;
  int *metric_of = NULL;
  int J = 0;

  p = kseg_calloc(1, sizeof *p, "profile");
  KSEG_CHECK_GOTO(kseg_comm_agree(comm, p ? KSEG_OK : KSEG_ERR_IO), st, fail);
  p->n_segments = K;
  p->n_rows = raw->n_global;
  if (opt && opt->currency && opt->currency[0] && !(p->currency = kseg_strings_dup(opt->currency))) st = KSEG_ERR_IO;
  p->size = kseg_calloc((size_t)K + 1, sizeof *p->size, "profile");
  p->share = new_f64(K + 1);
  if (!p->size || !p->share) st = KSEG_ERR_IO;
  for (int64_t i = 0; !st && i < raw->n_local; i++) p->size[labels[i]]++;
  KSEG_CHECK_GOTO(kseg_comm_agree(comm, st), st, fail);
  KSEG_CHECK_GOTO(kseg_comm_agree(comm, kseg_comm_sum_i64(comm, p->size, K)), st, fail);
  for (int s = 0; s < K; s++) p->size[K] += p->size[s];
  for (int s = 0; s <= K; s++) p->share[s] = p->n_rows > 0 ? (double)p->size[s] / (double)p->n_rows : NAN;

  /* the marketing recipe's derived columns, in original units: only those
   * the table lacks (the others, copies of its columns, are not computed) */
  KSEG_CHECK_GOTO(kseg_prep_derive_marketing(comm, raw, &dm), st, fail);
  p->marketing = dm != NULL;
  for (int f = dm ? dm->n_features - 1 : -1; f >= 0; f--)
    if (!is_derived_name(dm->features[f]) || kseg_table_find(raw, dm->features[f]) >= 0) kseg_prep_drop_feature(dm, f);
  if (dm && dm->n_features > 0) {
    X = kseg_malloc(sizeof(double) * (size_t)(raw->n_local > 0 ? raw->n_local : 1) * (size_t)dm->n_features,
                    "derived columns");
    st = X ? kseg_prep_transform(dm, raw, 1, X) : KSEG_ERR_IO;
    KSEG_CHECK_GOTO(kseg_comm_agree(comm, st), st, fail);
  }

  cand = kseg_calloc((size_t)raw->n_cols + N_DERIVED + 1, sizeof *cand, "profile columns");
  KSEG_CHECK_GOTO(kseg_comm_agree(comm, cand ? KSEG_OK : KSEG_ERR_IO), st, fail);
  KSEG_CHECK_GOTO(kseg_comm_agree(comm, list_candidates(comm, raw, dm, X, target, cand, &J)), st, fail);
  KSEG_CHECK_GOTO(base_pass(comm, cand, J, raw->n_local), st, fail);
  for (int j = 0; j < J; j++)
    if (cand[j].is_target && (cand[j].count == 0 || cand[j].nonbinary > 0))
      st = kseg_error_set(KSEG_ERR_INPUT, "target column '%s' is not a 0/1 column (%s)", cand[j].name,
                          cand[j].count == 0 ? "no values" : "values other than 0 and 1");
  KSEG_CHECK_GOTO(kseg_comm_agree(comm, st), st, fail);

  size_t cells = (size_t)(K + 1) * (size_t)J;
  sums = kseg_malloc(sizeof *sums * (cells + 1), "profile sums");
  counts = kseg_malloc(sizeof *counts * (cells + 1), "profile sums");
  metric_of = kseg_malloc(sizeof *metric_of * (size_t)(J + 1), "profile columns");
  part = new_f64(K + 1);
  total = new_f64(K + 1);
  KSEG_CHECK_GOTO(kseg_comm_agree(comm, sums && counts && metric_of && part && total ? KSEG_OK : KSEG_ERR_IO), st,
                  fail);
  KSEG_CHECK_GOTO(segment_sums(comm, cand, J, labels, raw->n_local, K, sums, counts), st, fail);
#define SUM(s, j) kseg_fixed_to_double(&cand[j].fx, sums[(size_t)(s) * J + (j)])
#define CNT(s, j) counts[(size_t)(s) * J + (j)]

  /* metrics: constant and empty columns say nothing about segments */
  for (int j = 0; j < J && !st; j++) {
    metric_of[j] = -1;
    if (cand[j].is_target) {
      if (!(p->target = kseg_strings_dup(cand[j].name)) || !(p->target_rate = new_f64(K + 1)) ||
          !(p->lift = new_f64(K + 1))) {
        st = KSEG_ERR_IO;
        break;
      }
      for (int s = 0; s <= K; s++) p->target_rate[s] = CNT(s, j) > 0 ? SUM(s, j) / (double)CNT(s, j) : NAN;
      for (int s = 0; s <= K; s++)
        p->lift[s] = p->target_rate[K] > 0 ? p->target_rate[s] / p->target_rate[K] : NAN;
      continue;
    }
    if (cand[j].count == 0 || cand[j].lo == cand[j].hi) continue;
    kseg_profile_metric *m = add_metric(p, cand[j].name, cand[j].nonbinary ? KSEG_PROFILE_VALUE : KSEG_PROFILE_RATE,
                                        cand[j].derived);
    if (!m) {
      st = KSEG_ERR_IO;
      break;
    }
    metric_of[j] = p->n_metrics - 1;
    for (int s = 0; s <= K; s++) {
      m->count[s] = CNT(s, j);
      m->mean[s] = CNT(s, j) > 0 ? SUM(s, j) / (double)CNT(s, j) : NAN;
    }
    for (int s = 0; s <= K; s++) m->index[s] = index_of(m->mean[s], m->mean[K]);
  }
  KSEG_CHECK_GOTO(kseg_comm_agree(comm, st), st, fail);

  /* spend: Total_Spent when derived, else the sum of the Mnt* columns; the
   * product mix is each Mnt* column's share of it. */
  int j_spent = -1, n_mnt = 0;
  for (int j = 0; j < J; j++) {
    if (cand[j].derived && strcmp(cand[j].name, "Total_Spent") == 0) j_spent = j;
    n_mnt += !cand[j].derived && starts_with(cand[j].name, "Mnt") && metric_of[j] >= 0;
  }
  if (j_spent >= 0 || n_mnt > 0) {
    for (int s = 0; s <= K; s++) {
      total[s] = 0.0;
      if (j_spent >= 0) total[s] = SUM(s, j_spent);
      else
        for (int j = 0; j < J; j++)
          if (!cand[j].derived && starts_with(cand[j].name, "Mnt") && metric_of[j] >= 0) total[s] += SUM(s, j);
    }
    p->spend_column = kseg_strings_dup(j_spent >= 0 ? "Total_Spent" : "Mnt* (sum)");
    p->spend_share = new_f64(K + 1);
    if (!p->spend_column || !p->spend_share) st = KSEG_ERR_IO;
    for (int s = 0; !st && s <= K; s++) p->spend_share[s] = total[K] > 0 ? total[s] / total[K] : NAN;
    for (int j = 0; !st && j < J; j++) {
      if (cand[j].derived || !starts_with(cand[j].name, "Mnt") || metric_of[j] < 0) continue;
      for (int s = 0; s <= K; s++) part[s] = SUM(s, j);
      st = add_mix(p, cand[j].name, part, total);
    }
  }
  /* channel mix: each channel's share of Total_Purchases (deal purchases are
   * counted in a channel already, so they are not a channel here) */
  int j_purch = -1;
  for (int j = 0; j < J; j++)
    if (cand[j].derived && strcmp(cand[j].name, "Total_Purchases") == 0) j_purch = j;
  for (int c = 0; !st && j_purch >= 0 && c < 3; c++)
    for (int j = 0; !st && j < J; j++) {
      if (cand[j].derived || strcmp(cand[j].name, channel_names[c]) != 0 || metric_of[j] < 0) continue;
      for (int s = 0; s <= K; s++) {
        part[s] = SUM(s, j);
        total[s] = SUM(s, j_purch);
      }
      st = add_mix(p, cand[j].name, part, total);
    }
#undef SUM
#undef CNT
  KSEG_CHECK_GOTO(kseg_comm_agree(comm, st), st, fail);

  KSEG_CHECK_GOTO(segment_medians(comm, cand, metric_of, J, labels, raw->n_local, p), st, fail);
  KSEG_CHECK_GOTO(level_shares(comm, raw, labels, p), st, fail);
  /* the campaign plan's per-segment columns; before naming, whose actions follow its decisions */
  KSEG_CHECK_GOTO(kseg_plan_compute(comm, &setup, raw, labels, K, &p->plan), st, fail);
  KSEG_CHECK_GOTO(kseg_comm_agree(comm, kseg_profile_name_segments(p)), st, fail);
  *out = p;
  p = NULL;
fail:
  kseg_plan_setup_clear(&setup);
  kseg_profile_free(&p);
  kseg_prep_free(&dm);
  free(X);
  free(cand);
  free(sums);
  free(counts);
  free(metric_of);
  free(part);
  free(total);
  return st; /* every way here passed an agreement */
}
