/* plan.c - the plan of one labelling from its (segment, fold) counts: rates
 * with Wilson intervals, decisions, the ranked cumulative plan, the
 * cross-validated score, and the sentence that sums it up (kseg_plan.h,
 * docs/plan.md). All but kseg_plan_compute (count, then build) is Local and
 * runs in a fixed order on integer counts, so every rank computes the same
 * bits. */
#include "kseg/kseg_plan.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kseg/kseg_comm.h"
#include "kseg/kseg_error.h"
#include "segments/plan/internal.h"

const char *kseg_plan_decision_name(kseg_plan_decision d)
{
  switch (d) {
  case KSEG_PLAN_CONTACT: return "contact";
  case KSEG_PLAN_TEST: return "test";
  case KSEG_PLAN_SKIP: return "skip";
  case KSEG_PLAN_NO_DECISION: break;
  }
  return "";
}

const char *kseg_plan_score_name(kseg_plan_score_kind kind)
{
  switch (kind) {
  case KSEG_PLAN_SCORE_PROFIT: return "cv_profit";
  case KSEG_PLAN_SCORE_CAPTURED: return "cv_captured";
  case KSEG_PLAN_SCORE_NONE: break;
  }
  return "";
}

void kseg_plan_wilson(int64_t responders, int64_t n, double *low, double *high)
{
  if (n <= 0) {
    *low = *high = NAN;
    return;
  }
  const double z = KSEG_PLAN_Z95, z2 = z * z, nn = (double)n, p = (double)responders / nn;
  const double centre = p + z2 / (2.0 * nn);
  const double half = z * sqrt(p * (1.0 - p) / nn + z2 / (4.0 * nn * nn));
  const double denom = 1.0 + z2 / nn;
  /* at r = 0 (r = n) the lower (upper) end is 0 (1) exactly; the formula
   * gives it up to rounding */
  *low = responders == 0 ? 0.0 : fmax(0.0, (centre - half) / denom);
  *high = responders == n ? 1.0 : fmin(1.0, (centre + half) / denom);
}

/* Does segment a (r_a of n_a) rank before b: a higher rate, exactly
 * (r_a n_b > r_b n_a in 128-bit integers); equal rates keep the smaller id;
 * a segment without known customers ranks last. */
static bool ranks_before(int64_t ra, int64_t na, int a, int64_t rb, int64_t nb, int b)
{
  if ((na > 0) != (nb > 0)) return na > 0;
  if (na > 0) {
    const __int128 x = (__int128)ra * nb, y = (__int128)rb * na;
    if (x != y) return x > y;
  }
  return a < b;
}

void kseg_plan_rank(const int64_t *resp, const int64_t *n, int k, int *order, int *scratch)
{
  /* a bottom-up merge sort: O(k log k) and stable, without qsort's context problem */
  for (int i = 0; i < k; i++) order[i] = i;
  for (int width = 1; width < k; width *= 2) {
    for (int lo = 0; lo < k; lo += 2 * width) {
      int mid = lo + width < k ? lo + width : k, hi = lo + 2 * width < k ? lo + 2 * width : k;
      int i = lo, j = mid, o = lo;
      while (i < mid && j < hi) {
        const int a = order[i], b = order[j];
        scratch[o++] = ranks_before(resp[b], n[b], b, resp[a], n[a], a) ? order[j++] : order[i++];
      }
      while (i < mid) scratch[o++] = order[i++];
      while (j < hi) scratch[o++] = order[j++];
    }
    memcpy(order, scratch, sizeof *order * (size_t)k);
  }
}

double kseg_plan_top_capture(const int64_t *resp, const int64_t *n, const int *order, int k, double budget,
                             double *contacted)
{
  double captured = 0.0, left = budget;
  *contacted = 0.0;
  for (int i = 0; i < k && left > 0.0; i++) {
    const int s = order[i];
    if (n[s] <= 0) continue;
    const double take = (double)n[s] <= left ? (double)n[s] : left;
    captured += (double)resp[s] * (take / (double)n[s]);
    *contacted += take;
    left -= take;
  }
  return captured;
}

/* Score a labelling: the held-out value of each fold into fold_values. */
static int cross_validate(const kseg_plan_setup *s, int k, const int64_t *cells, kseg_plan_cv *cv,
                          double *fold_values)
{
  const int F = s->folds;
  memset(cv, 0, sizeof *cv);
  cv->folds = F;
  cv->total = cv->sd = cv->se = cv->baseline = NAN;
  for (int f = 0; fold_values && f < F; f++) fold_values[f] = NAN;
  const bool degenerate = !s->target || s->responders == 0 || s->responders == s->known || F < 2;
  if (degenerate) return KSEG_OK;
  const bool money = s->source != KSEG_PLAN_ECON_NONE;
  cv->kind = money ? KSEG_PLAN_SCORE_PROFIT : KSEG_PLAN_SCORE_CAPTURED;
  const double C = s->contact_cost, R = s->response_revenue;
  /* totals per segment, then per fold: train = total - held out */
  int64_t *buf = kseg_malloc(sizeof(int64_t) * (size_t)(6 * k + 1), "plan folds");
  int *order = kseg_malloc(sizeof(int) * (size_t)(2 * k + 1), "plan folds");
  double *value = kseg_malloc(sizeof(double) * (size_t)F, "plan folds");
  if (!buf || !order || !value) {
    free(buf);
    free(order);
    free(value);
    return KSEG_ERR_IO;
  }
  int64_t *n_all = buf, *r_all = buf + k, *n_train = buf + 2 * k, *r_train = buf + 3 * k;
  int64_t *n_held = buf + 4 * k, *r_held = buf + 5 * k;
  for (int g = 0; g < k; g++) {
    n_all[g] = r_all[g] = 0;
    for (int f = 0; f < F; f++) {
      n_all[g] += cells[2 * ((int64_t)g * F + f)];
      r_all[g] += cells[2 * ((int64_t)g * F + f) + 1];
    }
  }
  double total = 0.0, contacted = 0.0;
  for (int f = 0; f < F; f++) {
    double v = 0.0;
    int64_t n_fold = 0;
    for (int g = 0; g < k; g++) {
      n_held[g] = cells[2 * ((int64_t)g * F + f)];
      r_held[g] = cells[2 * ((int64_t)g * F + f) + 1];
      n_train[g] = n_all[g] - n_held[g];
      r_train[g] = r_all[g] - r_held[g];
      n_fold += n_held[g];
    }
    if (money) {
      /* contact where the training rate is above break-even: r R > n C */
      for (int g = 0; g < k; g++)
        if (n_train[g] > 0 && (double)r_train[g] * R > (double)n_train[g] * C) {
          v += (double)r_held[g] * R - (double)n_held[g] * C;
          contacted += (double)n_held[g];
        }
    } else {
      /* the held-out fold's top 20 % by training rate; the segment at the
       * edge counts in proportion (docs/plan.md) */
      double took = 0.0;
      kseg_plan_rank(r_train, n_train, k, order, order + k);
      v = kseg_plan_top_capture(r_held, n_held, order, k, KSEG_PLAN_TOP_SHARE * (double)n_fold, &took);
      contacted += took;
    }
    value[f] = v;
    total += v;
  }
  const double mean = total / F;
  double ss = 0.0;
  for (int f = 0; f < F; f++) ss += (value[f] - mean) * (value[f] - mean);
  cv->total = total;
  cv->sd = sqrt(ss / (F - 1));
  cv->se = sqrt((double)F) * cv->sd;
  cv->baseline = money ? 0.0 : KSEG_PLAN_TOP_SHARE * (double)s->responders;
  cv->contacted = contacted;
  for (int f = 0; fold_values && f < F; f++) fold_values[f] = value[f];
  free(buf);
  free(order);
  free(value);
  return KSEG_OK;
}

void kseg_plan_cross_validate(const kseg_plan_setup *s, int k, const int64_t *cells, kseg_plan_cv *cv,
                              double *fold_values)
{
  if (cross_validate(s, k, cells, cv, fold_values) != KSEG_OK) {
    cv->kind = KSEG_PLAN_SCORE_NONE; /* out of memory: no score rather than a wrong one */
    cv->total = cv->sd = cv->se = NAN;
  }
}

void kseg_plan_free(kseg_plan **pp)
{
  if (!pp || !*pp) return;
  kseg_plan *p = *pp;
  kseg_plan_setup_clear(&p->setup);
  free(p->segments);
  free(p->order);
  free(p->cv_fold);
  free(p->by_k);
  free(p);
  *pp = NULL;
}

/* Append to a fixed buffer, never past its end. */
void kseg_plan_put(char *buf, size_t size, const char *fmt, ...)
{
  size_t used = strlen(buf);
  if (used + 1 >= size) return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf + used, size - used, fmt, ap);
  va_end(ap);
}

/* Money as people write it: "-3,046", "528", "12,345.5". */
void kseg_plan_format_money(double v, char *out, size_t size)
{
  if (!isfinite(v)) {
    snprintf(out, size, "n/a");
    return;
  }
  const double r = round(v);
  char digits[64];
  if (fabs(v - r) < 0.05 || fabs(v) >= 1e6) snprintf(digits, sizeof digits, "%.0f", fabs(r));
  else snprintf(digits, sizeof digits, "%.1f", fabs(v));
  const char *dot = strchr(digits, '.');
  const int int_len = dot ? (int)(dot - digits) : (int)strlen(digits);
  size_t o = 0;
  if (v < 0 && r != 0 && o + 1 < size) out[o++] = '-';
  for (int i = 0; digits[i] && o + 1 < size; i++) {
    if (i > 0 && i < int_len && (int_len - i) % 3 == 0 && o + 1 < size) out[o++] = ',';
    out[o++] = digits[i];
  }
  out[o] = '\0';
}

void kseg_plan_format_amount(const kseg_plan_setup *s, double v, char *out, size_t size)
{
  char num[64];
  kseg_plan_format_money(v, num, sizeof num);
  if (!s->currency[0] || !isfinite(v)) {
    snprintf(out, size, "%s", num);
    return;
  }
  /* letter codes (EUR) stand apart; symbols ($) touch the number, after its sign */
  if (isalpha((unsigned char)s->currency[0])) snprintf(out, size, "%s %s", s->currency, num);
  else if (num[0] == '-') snprintf(out, size, "-%s%s", s->currency, num + 1);
  else snprintf(out, size, "%s%s", s->currency, num);
}

static void write_summary(kseg_plan *p)
{
  const kseg_plan_setup *s = &p->setup;
  char *b = p->summary;
  const size_t n = sizeof p->summary;
  b[0] = '\0';
  if (!s->target) {
    kseg_plan_put(b, n, "No target column: no campaign plan, segments only (--target names a 0/1 response column).");
    return;
  }
  const kseg_plan_segment *base = &p->segments[p->k];
  char m1[48], m2[48], m3[48], m4[48];
  if (s->responders == 0 || s->responders == s->known) {
    kseg_plan_format_money((double)s->known, m1, sizeof m1);
    kseg_plan_put(b, n, "%s has %s among %s customers: response rates only, no profit claims and no contact decisions.",
        s->target, s->responders == 0 ? "no responders" : "only responders", m1);
    return;
  }
  if (p->money) {
    if (p->n_contacted == 0) {
      kseg_plan_format_amount(s, p->profit_contact_all, m1, sizeof m1);
      kseg_plan_format_money((double)base->customers, m2, sizeof m2);
      kseg_plan_put(b, n, "Contact no one: no segment responds above the break-even rate of %.1f%% (%s rate %.1f%% "
                          "overall); "
                "contacting all %s customers would return %s",
          100.0 * p->break_even_rate, s->target, 100.0 * base->rate, m2, m1);
    } else {
      kseg_plan_put(b, n, "Contact segment%s ", p->n_contacted > 1 ? "s" : "");
      for (int i = 0; i < p->n_contacted; i++) kseg_plan_put(b, n, "%s%d", i ? ", " : "", p->order[i]);
      kseg_plan_format_amount(s, p->expected_profit, m1, sizeof m1);
      kseg_plan_format_amount(s, p->profit_contact_all, m2, sizeof m2);
      kseg_plan_format_money((double)p->customers_contacted, m3, sizeof m3);
      kseg_plan_format_money((double)base->customers, m4, sizeof m4);
      kseg_plan_put(b, n, " (%s of %s customers, %.1f%%, responding %.1f%% against a break-even rate of %.1f%%): "
                "expected profit %s, against %s for contacting everyone",
          m3, m4,
          100.0 * (double)p->customers_contacted / (double)base->customers,
          100.0 * (double)p->responders_contacted / (double)p->customers_contacted, 100.0 * p->break_even_rate, m1, m2);
    }
    if (p->cv.kind == KSEG_PLAN_SCORE_PROFIT) {
      kseg_plan_format_amount(s, p->cv.total, m3, sizeof m3);
      kseg_plan_format_amount(s, p->cv.se, m4, sizeof m4);
      kseg_plan_put(b, n, "; cross-validated over %d folds (decisions made without the customers they are tested "
                          "on) the "
                "plan returns %s (standard error %s)",
          p->cv.folds, m3, m4);
    }
    kseg_plan_put(b, n, ".");
    return;
  }
  kseg_plan_put(b, n, "Without a contact cost and response revenue no profit is claimed: the top %.0f%% of "
                      "customers by segment "
            "%s rate hold %.1f%% of the responders",
      100.0 * KSEG_PLAN_TOP_SHARE, s->target, 100.0 * p->top_captured / (double)s->responders);
  if (p->cv.kind == KSEG_PLAN_SCORE_CAPTURED)
    kseg_plan_put(b, n, " in sample and %.1f%% cross-validated over %d folds (random targeting: %.0f%%)",
        100.0 * p->cv.total / (double)s->responders, p->cv.folds, 100.0 * KSEG_PLAN_TOP_SHARE);
  kseg_plan_put(b, n, ".");
}

int kseg_plan_build(const kseg_plan_setup *s, int k, const int64_t *cells, kseg_plan **out)
{
  *out = NULL;
  kseg_plan *p = kseg_calloc(1, sizeof *p, "plan");
  if (!p) return KSEG_ERR_IO;
  int st = kseg_plan_setup_copy(s, &p->setup);
  p->k = k;
  p->money = kseg_plan_has_money(s);
  p->break_even_rate = s->source != KSEG_PLAN_ECON_NONE ? s->contact_cost / s->response_revenue : NAN;
  p->expected_profit = p->profit_contact_all = p->top_captured = NAN;
  p->cv.kind = KSEG_PLAN_SCORE_NONE;
  p->cv.folds = s->folds;
  p->cv.total = p->cv.sd = p->cv.se = p->cv.baseline = NAN;
  if (st || !s->target) goto done;

  const int F = s->folds;
  p->segments = kseg_calloc((size_t)k + 1, sizeof *p->segments, "plan segments");
  p->order = kseg_malloc(sizeof *p->order * (size_t)(k + 1), "plan order");
  p->cv_fold = kseg_malloc(sizeof *p->cv_fold * (size_t)F, "plan folds");
  int64_t *tmp = kseg_malloc(sizeof(int64_t) * (size_t)(2 * k + 2), "plan counts");
  int *scratch = kseg_malloc(sizeof(int) * (size_t)(k + 1), "plan order");
  if (!p->segments || !p->order || !p->cv_fold || !tmp || !scratch) {
    free(tmp);
    free(scratch);
    st = KSEG_ERR_IO;
    goto done;
  }
  int64_t *n = tmp, *r = tmp + k + 1;
  n[k] = r[k] = 0;
  for (int g = 0; g < k; g++) {
    n[g] = r[g] = 0;
    for (int f = 0; f < F; f++) {
      n[g] += cells[2 * ((int64_t)g * F + f)];
      r[g] += cells[2 * ((int64_t)g * F + f) + 1];
    }
    n[k] += n[g];
    r[k] += r[g];
  }
  const double C = s->contact_cost, R = s->response_revenue, be = p->break_even_rate;
  for (int g = 0; g <= k; g++) {
    kseg_plan_segment *seg = &p->segments[g];
    seg->customers = n[g];
    seg->responders = r[g];
    seg->rate = n[g] > 0 ? (double)r[g] / (double)n[g] : NAN;
    kseg_plan_wilson(r[g], n[g], &seg->rate_low, &seg->rate_high);
    seg->expected_profit = p->money ? (double)r[g] * R - (double)n[g] * C : NAN;
    seg->decision = KSEG_PLAN_NO_DECISION;
    if (p->money && g < k) {
      if (n[g] > 0 && seg->rate_low > be) seg->decision = KSEG_PLAN_CONTACT;
      else if (n[g] > 0 && seg->rate_high < be) seg->decision = KSEG_PLAN_SKIP;
      else seg->decision = KSEG_PLAN_TEST; /* straddles, or no customer with a known target: unknown */
    }
  }
  const double base_rate = p->segments[k].rate;
  for (int g = 0; g <= k; g++) p->segments[g].lift = base_rate > 0 ? p->segments[g].rate / base_rate : NAN;

  kseg_plan_rank(r, n, k, p->order, scratch);
  /* the plan: the leading segments whose rate is above break-even (r R > n C) */
  p->customers_contacted = p->responders_contacted = 0;
  if (p->money) {
    p->expected_profit = 0.0;
    while (p->n_contacted < k) {
      const int g = p->order[p->n_contacted];
      if (!(n[g] > 0 && (double)r[g] * R > (double)n[g] * C)) break;
      p->segments[g].contact = true;
      p->customers_contacted += n[g];
      p->responders_contacted += r[g];
      p->expected_profit += p->segments[g].expected_profit;
      p->n_contacted++;
    }
    p->profit_contact_all = (double)r[k] * R - (double)n[k] * C;
  }
  double took = 0.0;
  p->top_captured = kseg_plan_top_capture(r, n, p->order, k, KSEG_PLAN_TOP_SHARE * (double)n[k], &took);
  free(tmp);
  free(scratch);
  st = cross_validate(s, k, cells, &p->cv, p->cv_fold);
done:
  if (!st) write_summary(p);
  if (st) kseg_plan_free(&p);
  *out = p;
  return st;
}

int kseg_plan_compute(MPI_Comm comm, const kseg_plan_setup *s, const kseg_table *raw, const int32_t *labels, int k,
                      kseg_plan **out)
{
  *out = NULL;
  const int64_t nc = kseg_plan_cells(k, s->folds);
  int64_t *cells = kseg_malloc(sizeof *cells * (size_t)(nc > 0 ? nc : 1), "plan counts");
  int st = kseg_comm_agree(comm, cells ? KSEG_OK : KSEG_ERR_IO);
  if (!st) st = kseg_plan_count(comm, s, raw, labels, k, cells);
  if (!st) st = kseg_comm_agree(comm, kseg_plan_build(s, k, cells, out));
  if (st) kseg_plan_free(out);
  free(cells);
  return st;
}

void kseg_plan_k_row_fill(const kseg_plan *p, int64_t k, kseg_plan_k_row *row)
{
  memset(row, 0, sizeof *row);
  row->k = k;
  row->cv = p->cv;
  row->segments_contacted = p->n_contacted;
  row->customers_contacted = p->customers_contacted;
  row->expected_profit = p->expected_profit;
}

int kseg_plan_attach_sweep(kseg_plan *p, const kseg_plan_k_row *rows, int64_t n, const kseg_plan_k_choice *choice)
{
  free(p->by_k);
  p->by_k = NULL;
  p->n_by_k = 0;
  if (n > 0) {
    p->by_k = kseg_malloc(sizeof *p->by_k * (size_t)n, "plan by k");
    if (!p->by_k) return KSEG_ERR_IO;
    memcpy(p->by_k, rows, sizeof *rows * (size_t)n);
    p->n_by_k = n;
  }
  p->has_choice = choice != NULL;
  if (choice) p->choice = *choice;
  return KSEG_OK;
}
