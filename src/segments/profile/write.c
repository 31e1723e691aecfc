/* segments/profile/write.c - the profile as CSV, JSON and HDF5 (one table, three
 * shapes), and a short text table for people. The three files are written
 * under temporary names and renamed only once all three are complete. */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kseg/kseg_comm.h"
#include "kseg/kseg_error.h"
#include "kseg/kseg_h5io.h"
#include "kseg/kseg_json.h"
#include "kseg/kseg_strings.h"
#include "segments/profile/internal.h"

/* One output column: K + 1 values (segments, then the base). */
typedef struct outcol {
  char header[320];
  const double *v;   /* v[s * stride], or NULL when integer or text */
  int64_t stride;
  const int64_t *iv; /* integer column (size) */
  const char *const *sv; /* text column (decision, economics_source) */
} outcol;

/* The plan's per-segment columns as flat arrays (K + 1 each), for the
 * column list; owned by the caller of list_columns. */
typedef struct plan_columns {
  double *low, *high, *break_even, *profit;
  const char **decision, **source;
} plan_columns;

static void plan_columns_clear(plan_columns *c)
{
  free(c->low);
  free(c->high);
  free(c->break_even);
  free(c->profit);
  free(c->decision);
  free(c->source);
  memset(c, 0, sizeof *c);
}

static bool has_economics(const kseg_profile *p)
{
  return p->target && p->plan && p->plan->setup.source != KSEG_PLAN_ECON_NONE;
}

static int fill_plan_columns(const kseg_profile *p, plan_columns *c)
{
  memset(c, 0, sizeof *c);
  if (!p->target || !p->plan || !p->plan->segments) return KSEG_OK;
  const size_t R = (size_t)p->n_segments + 1;
  c->low = kseg_malloc(sizeof(double) * R, "profile plan columns");
  c->high = kseg_malloc(sizeof(double) * R, "profile plan columns");
  c->break_even = kseg_malloc(sizeof(double) * R, "profile plan columns");
  c->profit = kseg_malloc(sizeof(double) * R, "profile plan columns");
  c->decision = kseg_malloc(sizeof(char *) * R, "profile plan columns");
  c->source = kseg_malloc(sizeof(char *) * R, "profile plan columns");
  if (!c->low || !c->high || !c->break_even || !c->profit || !c->decision || !c->source) {
    plan_columns_clear(c);
    return KSEG_ERR_IO;
  }
  const kseg_plan *pl = p->plan;
  for (size_t s = 0; s < R; s++) {
    const kseg_plan_segment *g = &pl->segments[s];
    c->low[s] = g->rate_low;
    c->high[s] = g->rate_high;
    c->break_even[s] = pl->break_even_rate;
    c->profit[s] = g->expected_profit;
    c->decision[s] = kseg_plan_decision_name(g->decision);
    c->source[s] = kseg_plan_source_name(pl->setup.source);
  }
  return KSEG_OK;
}

/* The flat column list shared by the CSV and the HDF5 file. */
static int list_columns(const kseg_profile *p, const plan_columns *pc, outcol **out, int *n_out)
{
  int cap = 16 + 3 * p->n_metrics;
  for (int c = 0; c < p->n_categorical; c++) cap += p->categorical[c].n_levels;
  outcol *o = kseg_calloc((size_t)cap, sizeof *o, "profile columns");
  if (!o) return KSEG_ERR_IO;
  int n = 0;
#define COL(h, vals, st) (snprintf(o[n].header, sizeof o[n].header, "%s", h), o[n].v = (vals), o[n].stride = (st), n++)
#define TEXT(h, vals) (snprintf(o[n].header, sizeof o[n].header, "%s", h), o[n].sv = (vals), n++)
  snprintf(o[n].header, sizeof o[n].header, "size");
  o[n++].iv = p->size;
  COL("share", p->share, 1);
  if (p->spend_share) COL("spend_share", p->spend_share, 1);
  if (p->target) {
    COL("response_rate", p->target_rate, 1);
    if (pc->low) {
      COL("response_rate_low", pc->low, 1);
      COL("response_rate_high", pc->high, 1);
    }
    COL("lift", p->lift, 1);
    if (pc->low && has_economics(p)) {
      COL("break_even_rate", pc->break_even, 1);
      if (p->plan->money) {
        /* money columns only when a profit can be claimed (docs/plan.md) */
        COL("expected_profit", pc->profit, 1);
        TEXT("decision", pc->decision);
      }
    }
    if (pc->low) TEXT("economics_source", pc->source); /* flags, table, or none: never left unsaid */
  }
#undef COL
#undef TEXT
  for (int j = 0; j < p->n_metrics; j++) {
    const kseg_profile_metric *m = &p->metrics[j];
    const char *a = m->kind == KSEG_PROFILE_VALUE ? "mean" : m->kind == KSEG_PROFILE_RATE ? "rate" : "mix";
    snprintf(o[n].header, sizeof o[n].header, "%s_%s", a, m->name);
    o[n].v = m->mean, o[n].stride = 1, n++;
    if (m->median) {
      snprintf(o[n].header, sizeof o[n].header, "median_%s", m->name);
      o[n].v = m->median, o[n].stride = 1, n++;
    }
    snprintf(o[n].header, sizeof o[n].header, "%s_%s", m->kind == KSEG_PROFILE_MIX ? "mix_index" : "index", m->name);
    o[n].v = m->index, o[n].stride = 1, n++;
  }
  for (int c = 0; c < p->n_categorical; c++) {
    const kseg_profile_levels *l = &p->categorical[c];
    for (int i = 0; i < l->n_levels; i++) {
      snprintf(o[n].header, sizeof o[n].header, "share_%s_%s", l->name, l->levels[i]);
      o[n].v = l->share + i, o[n].stride = l->n_levels, n++;
    }
  }
  *out = o;
  *n_out = n;
  return KSEG_OK;
}

static void csv_num(FILE *f, double v)
{
  if (isfinite(v)) fprintf(f, ",%.10g", v); /* 10 digits: readable, far below the data's own precision */
  else fputc(',', f);                       /* NaN: empty, as pandas reads a missing value */
}

/* The CSV's rows: the profile and its flat column list. */
typedef struct csv_table {
  const kseg_profile *p;
  const outcol *o;
  int n;
} csv_table;

static void write_csv(const void *ctx, FILE *f)
{
  const csv_table *t = ctx;
  const kseg_profile *p = t->p;
  const outcol *o = t->o;
  const int n = t->n;
  fputs("segment,name,action", f);
  for (int c = 0; c < n; c++) {
    fputc(',', f);
    kseg_strings_write_csv_field(f, o[c].header);
  }
  fputc('\n', f);
  for (int s = 0; s <= p->n_segments; s++) {
    if (s < p->n_segments) fprintf(f, "%d,", s);
    else fputs("all,", f);
    kseg_strings_write_csv_field(f, p->names[s]);
    fputc(',', f);
    kseg_strings_write_csv_field(f, p->actions[s]);
    for (int c = 0; c < n; c++) {
      if (o[c].iv) {
        fprintf(f, ",%lld", (long long)o[c].iv[s]);
      } else if (o[c].sv) {
        fputc(',', f);
        kseg_strings_write_csv_field(f, o[c].sv[s]);
      } else {
        csv_num(f, o[c].v[s * o[c].stride]);
      }
    }
    fputc('\n', f);
  }
}

/* ---- JSON ---- */

/* profiles.json: one line per segment, its sections on lines of their own. */
static int build_json(const kseg_profile *p, kseg_json *j)
{
  const int K = p->n_segments;
  kseg_json_begin(j, KSEG_JSON_SPACED);
  kseg_json_int(j, "rows", p->n_rows);
  kseg_json_int(j, "k", K);
  if (p->target) kseg_json_str(j, "target", p->target);
  else kseg_json_null(j, "target");
  if (p->spend_column) kseg_json_str(j, "spend_column", p->spend_column);
  else kseg_json_null(j, "spend_column");
  const kseg_plan *pl = p->target ? p->plan : NULL;
  if (pl) {
    /* where the money comes from, and how sure the plan is (docs/plan.md) */
    const kseg_plan_setup *ps = &pl->setup;
    kseg_json_newline(j, 2);
    kseg_json_open_object(j, "economics");
    kseg_json_str(j, "source", kseg_plan_source_name(ps->source));
    kseg_json_str(j, "economics", kseg_plan_source_text(ps->source));
    kseg_json_num(j, "contact_cost", ps->contact_cost);
    kseg_json_num(j, "response_revenue", ps->response_revenue);
    kseg_json_num(j, "break_even_rate", pl->break_even_rate);
    kseg_json_bool(j, "profit_claims", pl->money);
    kseg_json_int(j, "cv_folds", pl->cv.folds);
    kseg_json_num(j, "cv_profit", pl->cv.kind == KSEG_PLAN_SCORE_PROFIT ? pl->cv.total : NAN);
    kseg_json_num(j, "cv_profit_sd", pl->cv.kind == KSEG_PLAN_SCORE_PROFIT ? pl->cv.sd : NAN);
    kseg_json_str(j, "note", ps->note);
    kseg_json_close_object(j);
  }
  kseg_json_open_array(j, "segments");
  for (int s = 0; s <= K; s++) {
    kseg_json_newline(j, 2);
    kseg_json_open_object(j, NULL);
    if (s < K) kseg_json_int(j, "segment", s);
    else kseg_json_str(j, "segment", "all");
    kseg_json_str(j, "name", p->names[s]);
    kseg_json_str(j, "action", p->actions[s]);
    kseg_json_int(j, "size", p->size[s]);
    kseg_json_num(j, "share", p->share[s]);
    if (p->spend_share) kseg_json_num(j, "spend_share", p->spend_share[s]);
    if (p->target) {
      kseg_json_num(j, "response_rate", p->target_rate[s]);
      if (pl) {
        kseg_json_num(j, "response_rate_low", pl->segments[s].rate_low);
        kseg_json_num(j, "response_rate_high", pl->segments[s].rate_high);
      }
      kseg_json_num(j, "lift", p->lift[s]);
      if (pl && pl->setup.source != KSEG_PLAN_ECON_NONE) kseg_json_num(j, "break_even_rate", pl->break_even_rate);
      if (pl && pl->money) {
        kseg_json_num(j, "expected_profit", pl->segments[s].expected_profit);
        kseg_json_str(j, "decision", kseg_plan_decision_name(pl->segments[s].decision));
      }
    }
    static const char *const section[] = {"metrics", "rates", "mix"};
    for (int kind = 0; kind < 3; kind++) {
      kseg_json_newline(j, 3);
      kseg_json_open_object(j, section[kind]);
      for (int m = 0; m < p->n_metrics; m++) {
        const kseg_profile_metric *mt = &p->metrics[m];
        if ((int)mt->kind != kind) continue;
        kseg_json_open_object(j, mt->name);
        kseg_json_num(j, kind == KSEG_PROFILE_VALUE ? "mean" : kind == KSEG_PROFILE_RATE ? "rate" : "share", mt->mean[s]);
        if (mt->median) kseg_json_num(j, "median", mt->median[s]);
        kseg_json_num(j, "index", mt->index[s]);
        if (kind != KSEG_PROFILE_MIX) kseg_json_int(j, "count", mt->count[s]);
        kseg_json_close_object(j);
      }
      kseg_json_close_object(j);
    }
    kseg_json_newline(j, 3);
    kseg_json_open_object(j, "levels");
    for (int c = 0; c < p->n_categorical; c++) {
      const kseg_profile_levels *l = &p->categorical[c];
      kseg_json_open_object(j, l->name);
      for (int i = 0; i < l->n_levels; i++) kseg_json_num(j, l->levels[i], l->share[(int64_t)s * l->n_levels + i]);
      kseg_json_close_object(j);
    }
    kseg_json_close_object(j);
    kseg_json_close_object(j);
  }
  kseg_json_newline(j, 0);
  kseg_json_close_array(j);
  return kseg_json_end(j);
}

int kseg_profile_json(const kseg_profile *p, char **text)
{
  kseg_json j;
  *text = NULL;
  const int st = build_json(p, &j);
  if (st == KSEG_OK) *text = j.buf; /* handed over: not cleared */
  else kseg_json_clear(&j);
  return st;
}

/* ---- files ---- */

/* Write with `fn` into `tmp`; KSEG_ERR_IO naming the file on any failure. */
static int write_text(const char *tmp, const char *final, void (*fn)(const void *ctx, FILE *f), const void *ctx)
{
  FILE *f = fopen(tmp, "w");
  if (!f) return kseg_error_set(KSEG_ERR_IO, "cannot create %s: %s", final, strerror(errno));
  fn(ctx, f);
  int bad = ferror(f);
  if (fclose(f) != 0 || bad) {
    unlink(tmp);
    return kseg_error_set(KSEG_ERR_IO, "cannot write %s", final);
  }
  return KSEG_OK;
}

static void put_text(const void *text, FILE *f) { fputs(text, f); }

static int write_h5(MPI_Comm comm, const kseg_profile *p, const outcol *o, int n, const char *path)
{
  kseg_h5_writer *w = NULL;
  KSEG_CHECK(kseg_h5_create(comm, path, &w));
  const int K = p->n_segments;
  int64_t dims[1] = {K + 1};
  double *buf = kseg_malloc(sizeof(double) * (size_t)(K + 1), "profile column");
  int st = kseg_comm_agree(comm, buf ? KSEG_OK : KSEG_ERR_IO);
  if (!st) st = kseg_h5_group(w, "/profile");
  char name[400];
  for (int c = 0; !st && c < n; c++) {
    snprintf(name, sizeof name, "/profile/%s", o[c].header);
    for (char *q = name + 9; *q; q++)
      if (*q == '/') *q = '_'; /* a level name must not open a group */
    if (o[c].iv) {
      st = kseg_h5_write_small(w, name, KSEG_I64, 1, dims, o[c].iv);
      continue;
    }
    if (o[c].sv) continue; /* text: attributes below */
    for (int s = 0; s <= K; s++) buf[s] = o[c].v[s * o[c].stride];
    st = kseg_h5_write_small(w, name, KSEG_F64, 1, dims, buf);
  }
  char **seg = kseg_calloc((size_t)K + 1, sizeof *seg, "segment ids");
  if (!st) st = kseg_comm_agree(comm, seg ? KSEG_OK : KSEG_ERR_IO);
  for (int s = 0; !st && s <= K; s++) {
    char id[32];
    snprintf(id, sizeof id, s < K ? "%d" : "all", s);
    if (!(seg[s] = kseg_strings_dup(id))) st = KSEG_ERR_IO;
  }
  if (seg) st = kseg_comm_agree(comm, st);
  if (!st) st = kseg_h5_attr_strings(w, "/profile", "segments", (const char *const *)seg, K + 1);
  if (!st) st = kseg_h5_attr_strings(w, "/profile", "names", (const char *const *)p->names, K + 1);
  if (!st) st = kseg_h5_attr_strings(w, "/profile", "actions", (const char *const *)p->actions, K + 1);
  if (!st) st = kseg_h5_attr_i64(w, "/profile", "k", K);
  if (!st) st = kseg_h5_attr_str(w, "/profile", "target", p->target ? p->target : "");
  if (!st) st = kseg_h5_attr_str(w, "/profile", "spend_column", p->spend_column ? p->spend_column : "");
  const kseg_plan *pl = p->target ? p->plan : NULL;
  if (!st && pl) st = kseg_h5_attr_str(w, "/profile", "economics_source", kseg_plan_source_name(pl->setup.source));
  if (!st && pl) st = kseg_h5_attr_str(w, "/profile", "economics", kseg_plan_source_text(pl->setup.source));
  if (!st && pl && pl->setup.source != KSEG_PLAN_ECON_NONE) {
    st = kseg_h5_attr_f64(w, "/profile", "contact_cost", pl->setup.contact_cost);
    if (!st) st = kseg_h5_attr_f64(w, "/profile", "response_revenue", pl->setup.response_revenue);
  }
  for (int c = 0; !st && c < n; c++)
    if (o[c].sv && strcmp(o[c].header, "decision") == 0)
      st = kseg_h5_attr_strings(w, "/profile", "decisions", o[c].sv, K + 1);
  kseg_strings_free(&seg, K + 1);
  free(buf);
  return kseg_h5_finish(&w, st);
}

/* "x.csv" -> "x" + ext; a path without ".csv" keeps its whole name. */
static char *beside(const char *csv_path, const char *ext)
{
  size_t n = strlen(csv_path);
  if (n > 4 && strcmp(csv_path + n - 4, ".csv") == 0) n -= 4;
  char *s = kseg_malloc(n + strlen(ext) + 1, "path");
  if (s) {
    memcpy(s, csv_path, n);
    strcpy(s + n, ext);
  }
  return s;
}

int kseg_profile_write(MPI_Comm comm, const kseg_profile *p, const char *csv_path)
{
  int root = kseg_comm_rank(comm) == 0, st = KSEG_OK;
  struct stat sb;
  if (!csv_path || !csv_path[0]) st = kseg_error_set(KSEG_ERR_INPUT, "empty profile output path");
  else if (stat(csv_path, &sb) == 0 && S_ISDIR(sb.st_mode))
    st = kseg_error_set(KSEG_ERR_INPUT, "profile output %s is a directory", csv_path);
  KSEG_CHECK(kseg_comm_agree(comm, st));
  char *json_path = beside(csv_path, ".json"), *h5_path = beside(csv_path, ".h5");
  size_t tl = strlen(csv_path) + strlen(".json") + 32;
  char *csv_tmp = kseg_malloc(tl, "path"), *json_tmp = kseg_malloc(tl + 8, "path");
  outcol *o = NULL;
  int n = 0;
  plan_columns pc = {0};
  st = json_path && h5_path && csv_tmp && json_tmp ? KSEG_OK : KSEG_ERR_IO;
  if (!st) st = fill_plan_columns(p, &pc);
  if (!st) st = list_columns(p, &pc, &o, &n);
  int wrote_csv = 0, wrote_json = 0;
  if (!st && root) {
    /* temporary names beside the outputs: rename is atomic within a directory */
    snprintf(csv_tmp, tl, "%s.tmp.%ld", csv_path, (long)getpid());
    snprintf(json_tmp, tl + 8, "%s.tmp.%ld", json_path, (long)getpid());
    const csv_table table = {p, o, n};
    st = write_text(csv_tmp, csv_path, write_csv, &table);
    wrote_csv = !st;
    char *json = NULL;
    if (!st) st = kseg_profile_json(p, &json);
    if (!st) st = write_text(json_tmp, json_path, put_text, json);
    wrote_json = !st;
    free(json);
  }
  st = kseg_comm_agree(comm, st);
  if (!st) st = kseg_comm_agree(comm, kseg_comm_fault(comm, "profile:write"));
  if (!st) st = write_h5(comm, p, o, n, h5_path); /* renamed inside when every rank succeeded */
  if (root) {
    if (!st && rename(csv_tmp, csv_path) != 0)
      st = kseg_error_set(KSEG_ERR_IO, "cannot rename %s to %s: %s", csv_tmp, csv_path, strerror(errno));
    if (!st && rename(json_tmp, json_path) != 0)
      st = kseg_error_set(KSEG_ERR_IO, "cannot rename %s to %s: %s", json_tmp, json_path, strerror(errno));
    if (st && wrote_csv) unlink(csv_tmp);
    if (st && wrote_json) unlink(json_tmp);
  }
  st = kseg_comm_agree(comm, st);
  free(o);
  plan_columns_clear(&pc);
  free(json_path);
  free(h5_path);
  free(csv_tmp);
  free(json_tmp);
  return st;
}

/* ---- text table ---- */

int kseg_profile_print(const kseg_profile *p, FILE *f)
{
  const int K = p->n_segments;
  const kseg_profile_metric *key[2] = {NULL, NULL};
  const kseg_plan *pl = p->target && p->plan && p->plan->segments ? p->plan : NULL;
  if (p->marketing) {
    key[0] = kseg_profile_find(p, "Income", KSEG_PROFILE_VALUE);
    key[1] = kseg_profile_find(p, "Total_Spent", KSEG_PROFILE_VALUE);
  }
  for (int j = 0, n = 0; j < p->n_metrics && n < 2 && !p->marketing; j++)
    if (p->metrics[j].kind == KSEG_PROFILE_VALUE) key[n++] = &p->metrics[j];
  fprintf(f, "%-7s %9s %6s", "segment", "size", "share");
  for (int i = 0; i < 2; i++)
    if (key[i]) fprintf(f, " %14.14s", key[i]->name);
  if (p->target) fprintf(f, " %9.9s %5s", p->target, "lift");
  if (pl) fprintf(f, " %13s", "95% interval");
  if (pl && pl->money) fprintf(f, " %-8s", "decision");
  fprintf(f, "  name\n");
  for (int s = 0; s <= K; s++) {
    char id[16];
    snprintf(id, sizeof id, s < K ? "%d" : "all", s);
    fprintf(f, "%-7s %9lld %5.1f%%", id, (long long)p->size[s], 100.0 * p->share[s]);
    for (int i = 0; i < 2; i++) {
      if (!key[i]) continue;
      if (p->currency && kseg_profile_is_money(key[i]->name)) {
        char m[48];
        kseg_profile_money(key[i]->mean[s], 0, p->currency, m, sizeof m);
        fprintf(f, " %14s", m);
      } else {
        fprintf(f, " %14.6g", key[i]->mean[s]);
      }
    }
    if (p->target) fprintf(f, " %8.1f%% %5.2f", 100.0 * p->target_rate[s], p->lift[s]);
    if (pl) {
      char iv[32];
      snprintf(iv, sizeof iv, "%.1f-%.1f%%", 100.0 * pl->segments[s].rate_low, 100.0 * pl->segments[s].rate_high);
      fprintf(f, " %13s", iv);
    }
    if (pl && pl->money) fprintf(f, " %-8s", kseg_plan_decision_name(pl->segments[s].decision));
    fprintf(f, "  %s\n", s < K ? p->names[s] : "(whole base)");
  }
  for (int s = 0; s < K; s++) fprintf(f, "%d: %s\n", s, p->actions[s]);
  if (pl && pl->setup.source != KSEG_PLAN_ECON_NONE) {
    char cost[48], revenue[48];
    snprintf(cost, sizeof cost, "%g", pl->setup.contact_cost);
    snprintf(revenue, sizeof revenue, "%g", pl->setup.response_revenue);
    char cost_m[64], revenue_m[64];
    kseg_profile_money_text(cost, p->currency, cost_m, sizeof cost_m);
    kseg_profile_money_text(revenue, p->currency, revenue_m, sizeof revenue_m);
    fprintf(f, "economics: contact cost %s, revenue %s per response (%s): break-even %s rate %.1f%%\n", cost_m,
            revenue_m, kseg_plan_source_text(pl->setup.source), p->target, 100.0 * pl->break_even_rate);
  }
  if (pl) fprintf(f, "plan: %s\n", pl->summary);
  return ferror(f) ? kseg_error_set(KSEG_ERR_IO, "cannot print the profile table") : KSEG_OK;
}
