/* choose.c - the k that pays (kseg_plan.h, docs/plan.md): the largest
 * cross-validated score among the allowed ks, then the smallest k within
 * one standard error of it; the internal metrics' vote when the score says
 * nothing. Local and deterministic. */
#include "kseg/kseg_plan.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "segments/plan/internal.h"

/* "528" (profit) or "57.2 responses, 17.1% of the 334 responders" (captured). */
static void score_text(const kseg_plan_setup *s, kseg_plan_score_kind kind, double v, char *out, size_t size)
{
  char m[48];
  if (kind == KSEG_PLAN_SCORE_PROFIT) {
    kseg_plan_format_amount(s, v, out, size);
    return;
  }
  snprintf(m, sizeof m, "%.1f", v);
  snprintf(out, size, "%s responses, %.1f%% of the %lld responders", m,
           s->responders > 0 ? 100.0 * v / (double)s->responders : NAN, (long long)s->responders);
}

static const kseg_plan_k_row *row_of(const kseg_plan_k_row *rows, int64_t n, int64_t k)
{
  for (int64_t i = 0; i < n; i++)
    if (rows[i].k == k) return &rows[i];
  return NULL;
}

void kseg_plan_choose_k(const kseg_plan_setup *s, const kseg_plan_k_row *rows, int64_t n, int64_t min_k,
                        int64_t max_k, int64_t k_internal, kseg_plan_k_choice *out)
{
  memset(out, 0, sizeof *out);
  out->k = out->k_internal = k_internal;
  out->k_business = out->k_best = -1;
  char *b = out->rule;
  const size_t len = sizeof out->rule;
  const kseg_plan_k_row *best = NULL;
  int64_t lo = -1, hi = -1; /* the candidates actually swept, for the sentences */
  for (int64_t i = 0; i < n; i++) {
    const kseg_plan_k_row *r = &rows[i];
    if (r->k < min_k || r->k > max_k) continue;
    if (lo < 0 || r->k < lo) lo = r->k;
    if (r->k > hi) hi = r->k;
    if (r->cv.kind == KSEG_PLAN_SCORE_NONE || !isfinite(r->cv.total)) continue;
    if (!best || r->cv.total > best->cv.total) best = r; /* rows in increasing k: ties keep the smaller */
  }
  if (!best) {
    kseg_plan_put(b, len, "k=%lld from the internal metrics alone: ", (long long)k_internal);
    if (!s->target) kseg_plan_put(b, len, "no target column, so no campaign score per k");
    else if (s->responders == 0 || s->responders == s->known)
      kseg_plan_put(b, len, "'%s' has %s, so no campaign score per k", s->target,
          s->responders == 0 ? "no responders" : "only responders");
    else if (s->folds < 2) kseg_plan_put(b, len, "'%s' has too few responders to cross-validate", s->target);
    else kseg_plan_put(b, len, "no k in %lld..%lld was scored", (long long)min_k, (long long)max_k);
    return;
  }
  out->kind = best->cv.kind;
  out->k_best = best->k;
  const bool profit = best->cv.kind == KSEG_PLAN_SCORE_PROFIT;
  char t1[160], t2[160], t3[48];
  score_text(s, best->cv.kind, best->cv.total, t1, sizeof t1);
  if (!(best->cv.total > best->cv.baseline)) {
    kseg_plan_put(b, len, "k=%lld from the internal metrics alone: no k in %lld..%lld %s out of sample (the best, "
                          "k=%lld, ",
        (long long)k_internal, (long long)lo, (long long)hi,
        profit ? "earns anything" : "captures more responses than random targeting", (long long)best->k);
    kseg_plan_put(b, len, profit ? "cross-validates to %s)" : "captures %s)", t1);
    return;
  }
  const double floor_ = best->cv.total - best->cv.se;
  const kseg_plan_k_row *pick = best;
  for (int64_t i = 0; i < n; i++) {
    const kseg_plan_k_row *r = &rows[i];
    if (r->k < min_k || r->k > max_k || r->cv.kind != best->cv.kind || !isfinite(r->cv.total)) continue;
    if (r->cv.total >= floor_) {
      pick = r;
      break;
    }
  }
  out->k = out->k_business = pick->k;
  kseg_plan_format_amount(s, best->cv.se, t3, sizeof t3);
  if (profit)
    kseg_plan_put(b, len, "k=%lld pays: the cross-validated campaign profit is highest at k=%lld (%s, standard "
                          "error %s) among "
                "k=%lld..%lld",
        (long long)pick->k, (long long)best->k, t1, t3, (long long)lo, (long long)hi);
  else
    kseg_plan_put(b, len, "k=%lld pays: contacting the top %.0f%% of customers by segment rate captures the most "
                          "responses out "
                "of sample at k=%lld (%s; random targeting %.0f%%) among k=%lld..%lld",
        (long long)pick->k, 100.0 * KSEG_PLAN_TOP_SHARE, (long long)best->k, t1, 100.0 * KSEG_PLAN_TOP_SHARE,
        (long long)lo, (long long)hi);
  if (pick != best) {
    score_text(s, pick->cv.kind, pick->cv.total, t2, sizeof t2);
    kseg_plan_put(b, len, "; k=%lld (%s) is the smallest k within one standard error of it", (long long)pick->k, t2);
  }
  if (pick->k == k_internal) {
    kseg_plan_put(b, len, "; the internal metrics pick the same k");
  } else {
    const kseg_plan_k_row *ri = row_of(rows, n, k_internal);
    kseg_plan_put(b, len, "; the internal metrics alone pick k=%lld (the most compact, best separated segments)",
        (long long)k_internal);
    if (ri && isfinite(ri->cv.total)) {
      score_text(s, ri->cv.kind, ri->cv.total, t2, sizeof t2);
      kseg_plan_put(b, len, profit ? ", where the plan cross-validates to %s" : ", which captures %s", t2);
    }
  }
}
