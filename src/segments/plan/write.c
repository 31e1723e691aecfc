/* write.c - plan.json and plan.csv (kseg_plan.h; layout in docs/plan.md).
 * The root writes both under temporary names and renames them once both are
 * complete. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kseg/kseg_comm.h"
#include "kseg/kseg_error.h"
#include "kseg/kseg_json.h"
#include "kseg/kseg_plan.h"
#include "kseg/kseg_strings.h"
#include "segments/plan/internal.h"

/* Cumulative column c of the ranked plan after rank i (0-based). */
typedef struct cumulative {
  int64_t customers, responders;
  double cost, revenue, profit;
} cumulative;

static cumulative cumulate(const kseg_plan *p, int upto)
{
  cumulative c = {0};
  for (int i = 0; i <= upto; i++) {
    const kseg_plan_segment *g = &p->segments[p->order[i]];
    c.customers += g->customers;
    c.responders += g->responders;
  }
  if (p->money) {
    c.cost = (double)c.customers * p->setup.contact_cost;
    c.revenue = (double)c.responders * p->setup.response_revenue;
    c.profit = c.revenue - c.cost;
  } else {
    c.cost = c.revenue = c.profit = NAN;
  }
  return c;
}

static const char *name_of(const char *const *names, int s) { return names && names[s] ? names[s] : ""; }

static double share(int64_t part, int64_t whole) { return whole > 0 ? (double)part / (double)whole : NAN; }

static void json_cv(kseg_json *j, const kseg_plan_cv *cv, const char *name, bool active)
{
  char key[64];
  kseg_json_num(j, name, active ? cv->total : NAN);
  snprintf(key, sizeof key, "%s_sd", name);
  kseg_json_num(j, key, active ? cv->sd : NAN);
  snprintf(key, sizeof key, "%s_se", name);
  kseg_json_num(j, key, active ? cv->se : NAN);
}

static int build_json(const kseg_plan *p, const char *const *names, kseg_json *j)
{
  const kseg_plan_setup *s = &p->setup;
  const int K = p->k;
  const bool target = s->target != NULL;
  const bool profit = p->cv.kind == KSEG_PLAN_SCORE_PROFIT, captured = p->cv.kind == KSEG_PLAN_SCORE_CAPTURED;
  kseg_json_begin(j, KSEG_JSON_SPACED);
  kseg_json_newline(j, 2);
  if (target) kseg_json_str(j, "target", s->target);
  else kseg_json_null(j, "target");
  kseg_json_int(j, "rows", s->rows);
  kseg_json_int(j, "customers", s->known);
  kseg_json_int(j, "responders", s->responders);
  kseg_json_num(j, "response_rate", target && s->known > 0 ? (double)s->responders / (double)s->known : NAN);
  kseg_json_newline(j, 2);
  kseg_json_str(j, "economics_source", kseg_plan_source_name(s->source));
  kseg_json_str(j, "economics", kseg_plan_source_text(s->source));
  kseg_json_num(j, "contact_cost", s->contact_cost);
  kseg_json_num(j, "response_revenue", s->response_revenue);
  if (s->currency[0]) kseg_json_str(j, "currency", s->currency);
  else kseg_json_null(j, "currency");
  kseg_json_num(j, "break_even_rate", p->break_even_rate);
  kseg_json_bool(j, "profit_claims", p->money);
  kseg_json_newline(j, 2);
  kseg_json_int(j, "k", K);
  if (p->has_choice) {
    kseg_json_int(j, "k_internal", p->choice.k_internal);
    if (p->choice.k_business >= 0) kseg_json_int(j, "k_business", p->choice.k_business);
    else kseg_json_null(j, "k_business");
    kseg_json_str(j, "k_rule", p->choice.rule);
  } else {
    kseg_json_null(j, "k_internal");
    kseg_json_null(j, "k_business");
    kseg_json_null(j, "k_rule");
  }
  kseg_json_newline(j, 2);
  if (p->money) {
    kseg_json_open_array(j, "segments_contacted");
    for (int i = 0; i < p->n_contacted; i++) kseg_json_array_int(j, p->order[i]);
    kseg_json_close_array(j);
    kseg_json_int(j, "customers_contacted", p->customers_contacted);
    kseg_json_int(j, "responders_contacted", p->responders_contacted);
  } else {
    kseg_json_null(j, "segments_contacted");
    kseg_json_null(j, "customers_contacted");
    kseg_json_null(j, "responders_contacted");
  }
  kseg_json_num(j, "expected_profit", p->expected_profit);
  kseg_json_num(j, "profit_contact_all", p->profit_contact_all);
  kseg_json_newline(j, 2);
  kseg_json_int(j, "cv_folds", p->cv.folds);
  kseg_json_str(j, "cv_score", kseg_plan_score_name(p->cv.kind));
  json_cv(j, &p->cv, "cv_profit", profit);
  kseg_json_num(j, "cv_customers_contacted", profit ? p->cv.contacted : NAN);
  kseg_json_newline(j, 2);
  kseg_json_num(j, "top_share", KSEG_PLAN_TOP_SHARE);
  kseg_json_num(j, "top_captured", target ? p->top_captured : NAN);
  json_cv(j, &p->cv, "cv_captured", captured);
  kseg_json_num(j, "cv_capture_rate",
                captured && s->responders > 0 ? p->cv.total / (double)s->responders : NAN);
  kseg_json_newline(j, 2);
  kseg_json_open_array(j, "cv_fold_values");
  for (int f = 0; p->cv_fold && p->cv.kind != KSEG_PLAN_SCORE_NONE && f < p->cv.folds; f++)
    kseg_json_array_num(j, p->cv_fold[f]);
  kseg_json_close_array(j);
  kseg_json_newline(j, 2);
  kseg_json_str(j, "summary", p->summary);
  kseg_json_str(j, "note", s->note);
  kseg_json_newline(j, 2);
  kseg_json_open_array(j, "segments");
  for (int i = 0; target && i < K; i++) {
    const int g = p->order[i];
    const kseg_plan_segment *seg = &p->segments[g];
    const cumulative c = cumulate(p, i);
    kseg_json_newline(j, 4);
    kseg_json_open_object(j, NULL);
    kseg_json_int(j, "rank", i + 1);
    kseg_json_int(j, "segment", g);
    kseg_json_str(j, "name", name_of(names, g));
    kseg_json_int(j, "customers", seg->customers);
    kseg_json_int(j, "responders", seg->responders);
    kseg_json_num(j, "response_rate", seg->rate);
    kseg_json_num(j, "response_rate_low", seg->rate_low);
    kseg_json_num(j, "response_rate_high", seg->rate_high);
    kseg_json_num(j, "lift", seg->lift);
    if (p->money) {
      kseg_json_str(j, "decision", kseg_plan_decision_name(seg->decision));
      kseg_json_bool(j, "contact", seg->contact);
      kseg_json_num(j, "expected_profit", seg->expected_profit);
    }
    kseg_json_int(j, "cum_customers", c.customers);
    kseg_json_num(j, "cum_share_customers", share(c.customers, s->known));
    kseg_json_int(j, "cum_responders", c.responders);
    kseg_json_num(j, "cum_share_responders", share(c.responders, s->responders));
    if (p->money) {
      kseg_json_num(j, "cum_cost", c.cost);
      kseg_json_num(j, "cum_revenue", c.revenue);
      kseg_json_num(j, "cum_profit", c.profit);
    }
    kseg_json_close_object(j);
  }
  if (target) kseg_json_newline(j, 2);
  kseg_json_close_array(j);
  kseg_json_newline(j, 2);
  kseg_json_open_array(j, "by_k");
  for (int64_t i = 0; target && i < p->n_by_k; i++) {
    const kseg_plan_k_row *r = &p->by_k[i];
    kseg_json_newline(j, 4);
    kseg_json_open_object(j, NULL);
    kseg_json_int(j, "k", r->k);
    if (r->cv.kind != KSEG_PLAN_SCORE_NONE) json_cv(j, &r->cv, kseg_plan_score_name(r->cv.kind), true);
    if (p->money) {
      kseg_json_int(j, "segments_contacted", r->segments_contacted);
      kseg_json_int(j, "customers_contacted", r->customers_contacted);
      kseg_json_num(j, "expected_profit", r->expected_profit);
    }
    kseg_json_close_object(j);
  }
  if (target && p->n_by_k) kseg_json_newline(j, 2);
  kseg_json_close_array(j);
  kseg_json_newline(j, 0);
  return kseg_json_end(j);
}

int kseg_plan_json(const kseg_plan *p, const char *const *names, char **text)
{
  kseg_json j;
  *text = NULL;
  const int st = build_json(p, names, &j);
  if (st == KSEG_OK) *text = j.buf; /* handed over: not cleared */
  else kseg_json_clear(&j);
  return st;
}

static void csv_num(FILE *f, double v)
{
  if (isfinite(v)) fprintf(f, ",%.10g", v); /* as profiles.csv */
  else fputc(',', f);
}

static void write_csv(FILE *f, const kseg_plan *p, const char *const *names)
{
  const kseg_plan_setup *s = &p->setup;
  fputs("rank,segment,name,customers,responders,response_rate,response_rate_low,response_rate_high,lift", f);
  if (p->money) fputs(",decision,contact,expected_profit", f);
  fputs(",cum_customers,cum_share_customers,cum_responders,cum_share_responders", f);
  if (p->money) fputs(",cum_cost,cum_revenue,cum_profit", f);
  fputs(",economics_source", f); /* every output says where the money comes from, or that there is none */
  fputc('\n', f);
  for (int i = 0; i < p->k; i++) {
    const int g = p->order[i];
    const kseg_plan_segment *seg = &p->segments[g];
    const cumulative c = cumulate(p, i);
    fprintf(f, "%d,%d,", i + 1, g);
    kseg_strings_write_csv_field(f, name_of(names, g));
    fprintf(f, ",%lld,%lld", (long long)seg->customers, (long long)seg->responders);
    csv_num(f, seg->rate);
    csv_num(f, seg->rate_low);
    csv_num(f, seg->rate_high);
    csv_num(f, seg->lift);
    if (p->money) {
      fprintf(f, ",%s,%s", kseg_plan_decision_name(seg->decision), seg->contact ? "yes" : "no");
      csv_num(f, seg->expected_profit);
    }
    fprintf(f, ",%lld", (long long)c.customers);
    csv_num(f, share(c.customers, s->known));
    fprintf(f, ",%lld", (long long)c.responders);
    csv_num(f, share(c.responders, s->responders));
    if (p->money) {
      csv_num(f, c.cost);
      csv_num(f, c.revenue);
      csv_num(f, c.profit);
    }
    fprintf(f, ",%s\n", kseg_plan_source_name(s->source));
  }
}

static int write_file(const char *tmp, const char *final, const kseg_plan *p, const char *const *names,
                      const char *text)
{
  FILE *f = fopen(tmp, "w");
  if (!f) return kseg_error_set(KSEG_ERR_IO, "cannot create %s: %s", final, strerror(errno));
  if (text) fputs(text, f);
  else write_csv(f, p, names);
  const int bad = ferror(f);
  if (fclose(f) != 0 || bad) {
    unlink(tmp);
    return kseg_error_set(KSEG_ERR_IO, "cannot write %s", final);
  }
  return KSEG_OK;
}

int kseg_plan_write(MPI_Comm comm, const kseg_plan *p, const char *const *names, const char *csv_path,
                    const char *json_path)
{
  int st = KSEG_OK;
  if (kseg_comm_rank(comm) == 0) {
    const bool csv = csv_path && p->setup.target;
    const size_t tl = (csv_path ? strlen(csv_path) : 0) + strlen(json_path) + 64;
    char *csv_tmp = kseg_malloc(tl, "path"), *json_tmp = kseg_malloc(tl, "path");
    char *text = NULL;
    st = csv_tmp && json_tmp ? KSEG_OK : KSEG_ERR_IO;
    if (!st) {
      /* temporary names beside the outputs: rename is atomic within a directory */
      snprintf(csv_tmp, tl, "%s.tmp.%ld", csv ? csv_path : "", (long)getpid());
      snprintf(json_tmp, tl, "%s.tmp.%ld", json_path, (long)getpid());
      st = kseg_plan_json(p, names, &text);
    }
    int wrote_csv = 0, wrote_json = 0;
    if (!st && csv) wrote_csv = !(st = write_file(csv_tmp, csv_path, p, names, NULL));
    if (!st) wrote_json = !(st = write_file(json_tmp, json_path, p, names, text));
    if (!st && csv && rename(csv_tmp, csv_path) != 0)
      st = kseg_error_set(KSEG_ERR_IO, "cannot rename %s to %s: %s", csv_tmp, csv_path, strerror(errno));
    else if (!st) wrote_csv = 0;
    if (!st && rename(json_tmp, json_path) != 0)
      st = kseg_error_set(KSEG_ERR_IO, "cannot rename %s to %s: %s", json_tmp, json_path, strerror(errno));
    else if (!st) wrote_json = 0;
    if (wrote_csv) unlink(csv_tmp);
    if (wrote_json) unlink(json_tmp);
    free(text);
    free(csv_tmp);
    free(json_tmp);
  }
  return kseg_comm_agree(comm, st);
}
