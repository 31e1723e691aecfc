/* evaluate/sweep/select.c - from the sweep table to a recommended k: Kneedle elbow,
 * Tibshirani's 1-SE gap rule, and the vote documented in docs/sweep.md. */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kseg/kseg_error.h"
#include "kseg/kseg_sweep.h"

int64_t kseg_sweep_kneedle(const int64_t *k, const double *y, int64_t n)
{
  if (n < 3) return 0;
  double ymin = y[0], ymax = y[0];
  for (int64_t i = 1; i < n; i++) {
    ymin = fmin(ymin, y[i]);
    ymax = fmax(ymax, y[i]);
  }
  const double xr = (double)(k[n - 1] - k[0]), yr = ymax - ymin;
  if (!(yr > 0) || !(xr > 0)) return 0;
  int64_t best = 0;
  double best_v = -INFINITY;
  for (int64_t i = 0; i < n; i++) {
    const double xn = (double)(k[i] - k[0]) / xr, yn = (y[i] - ymin) / yr;
    const double v = (1.0 - yn) - xn;
    if (v > best_v) { /* strict: ties keep the smaller k */
      best_v = v;
      best = i;
    }
  }
  return best;
}

int64_t kseg_sweep_gap_rule(const kseg_sweep_row *rows, int64_t n, int64_t max_k)
{
  for (int64_t i = 0; i + 1 < n; i++) {
    if (rows[i].k > max_k) break;
    if (rows[i + 1].k != rows[i].k + 1) continue;
    if (isnan(rows[i].gap) || isnan(rows[i + 1].gap)) continue;
    if (rows[i].gap >= rows[i + 1].gap - rows[i + 1].gap_se) return rows[i].k;
  }
  return -1;
}

/* Index among rows[0..n) of the best finite value (max when `larger`),
 * ties to the smaller k; -1 when none is finite. */
static int64_t best_index(const kseg_sweep_row *rows, int64_t n, size_t offset, bool larger)
{
  int64_t best = -1;
  double bv = 0;
  for (int64_t i = 0; i < n; i++) {
    const double v = *(const double *)((const char *)&rows[i] + offset);
    if (!isfinite(v)) continue;
    if (best < 0 || (larger ? v > bv : v < bv)) {
      best = i;
      bv = v;
    }
  }
  return best;
}

int kseg_sweep_recommend(kseg_sweep_result *r, int64_t max_segments)
{
  const int64_t n = r->n_k;
  int64_t n_cand = 0; /* rows are in increasing k: candidates are a prefix */
  while (n_cand < n && r->rows[n_cand].k <= max_segments) n_cand++;
  if (n_cand == 0)
    return kseg_error_set(KSEG_ERR_INPUT, "no swept k is within --max-segments %lld (smallest k swept: %lld)",
                          (long long)max_segments, n ? (long long)r->rows[0].k : -1LL);
  int64_t ks[n > 0 ? n : 1];
  double in[n > 0 ? n : 1];
  for (int64_t i = 0; i < n; i++) {
    ks[i] = r->rows[i].k;
    in[i] = r->rows[i].inertia;
  }
  r->elbow_k = ks[kseg_sweep_kneedle(ks, in, n)];
  r->gap_k = kseg_sweep_gap_rule(r->rows, n, max_segments);

  typedef struct voter {
    const char *name;
    int64_t k;
  } voter;
  voter voters[4];
  int n_voters = 0;
  const int64_t i_sil = best_index(r->rows, n_cand, offsetof(kseg_sweep_row, silhouette), true);
  const int64_t i_ch = best_index(r->rows, n_cand, offsetof(kseg_sweep_row, calinski_harabasz), true);
  const int64_t i_db = best_index(r->rows, n_cand, offsetof(kseg_sweep_row, davies_bouldin), false);
  if (i_sil >= 0) voters[n_voters++] = (voter){"silhouette (max)", ks[i_sil]};
  if (i_ch >= 0) voters[n_voters++] = (voter){"Calinski-Harabasz (max)", ks[i_ch]};
  if (i_db >= 0) voters[n_voters++] = (voter){"Davies-Bouldin (min)", ks[i_db]};
  if (r->gap_k >= 0) voters[n_voters++] = (voter){"gap (1-SE rule)", r->gap_k};

  int64_t best = -1, best_votes = 0;
  bool tie = false;
  for (int64_t i = 0; i < n_cand; i++) {
    int64_t votes = 0;
    for (int v = 0; v < n_voters; v++) votes += voters[v].k == ks[i];
    if (votes == 0) continue;
    if (best < 0 || votes > best_votes) {
      best = ks[i];
      best_votes = votes;
      tie = false;
    } else if (votes == best_votes) {
      tie = true;
      /* Ties: closest to the elbow, then the smaller k (already held). */
      if (llabs(ks[i] - r->elbow_k) < llabs(best - r->elbow_k)) best = ks[i];
    }
  }
  if (best < 0) { /* no metric could vote (all undefined): fall back to the elbow */
    best = r->elbow_k <= max_segments ? r->elbow_k : ks[n_cand - 1];
    snprintf(r->recommendation, sizeof r->recommendation,
             "k=%lld: no metric could vote; the elbow of the inertia curve (k=%lld) within --max-segments %lld",
             (long long)best, (long long)r->elbow_k, (long long)max_segments);
    r->recommended_k = best;
    return KSEG_OK;
  }
  r->recommended_k = best;
  char *p = r->recommendation;
  size_t left = sizeof r->recommendation;
  int w = snprintf(p, left, "k=%lld with %lld of %d votes among k=%lld..%lld (", (long long)best,
                   (long long)best_votes, n_voters, (long long)ks[0], (long long)ks[n_cand - 1]);
  for (int v = 0; v < n_voters && w > 0 && (size_t)w < left; v++) {
    p += w;
    left -= (size_t)w;
    w = snprintf(p, left, "%s%s -> %lld", v ? ", " : "", voters[v].name, (long long)voters[v].k);
  }
  if (w > 0 && (size_t)w < left) {
    p += w;
    left -= (size_t)w;
    w = snprintf(p, left, "); elbow of the inertia curve at k=%lld%s", (long long)r->elbow_k,
                 tie ? "; a tie in votes, broken by closeness to the elbow, then the smaller k" : "");
  }
  return KSEG_OK;
}
