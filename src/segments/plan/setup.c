/* setup.c - what a plan stands on (kseg_plan.h): the target column, the
 * campaign economics and the folds, resolved and checked once per table; a
 * row's fold; and the per-(segment, fold) counts of a labelling, the only
 * numbers that cross ranks. */
#include "kseg/kseg_plan.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kseg/kseg_comm.h"
#include "kseg/kseg_error.h"
#include "kseg/kseg_hash.h"
#include "kseg/kseg_strings.h"

static const char *const cost_column = "Z_CostContact", *const revenue_column = "Z_Revenue";

const char *kseg_plan_source_name(kseg_plan_source source)
{
  switch (source) {
  case KSEG_PLAN_ECON_FLAGS: return "flags";
  case KSEG_PLAN_ECON_TABLE: return "table";
  case KSEG_PLAN_ECON_NONE: break;
  }
  return "none";
}

const char *kseg_plan_source_text(kseg_plan_source source)
{
  switch (source) {
  case KSEG_PLAN_ECON_FLAGS: return "from --contact-cost / --response-revenue";
  case KSEG_PLAN_ECON_TABLE: return "from the table's Z_CostContact / Z_Revenue";
  case KSEG_PLAN_ECON_NONE: break;
  }
  return "no economics: no contact cost or response revenue was given, so no money is claimed "
         "(--contact-cost and --response-revenue)";
}

int kseg_plan_fold(int64_t row, int folds)
{
  return (int)(kseg_hash_mix64((uint64_t)row) % (uint64_t)folds);
}

bool kseg_plan_has_money(const kseg_plan_setup *s)
{
  return s->target && s->source != KSEG_PLAN_ECON_NONE && s->responders > 0 && s->responders < s->known;
}

void kseg_plan_setup_clear(kseg_plan_setup *s)
{
  if (!s) return;
  free(s->target);
  memset(s, 0, sizeof *s);
  s->target_col = -1;
}

int kseg_plan_setup_copy(const kseg_plan_setup *from, kseg_plan_setup *to)
{
  *to = *from;
  to->target = NULL;
  if (from->target && !(to->target = kseg_strings_dup(from->target))) return KSEG_ERR_IO;
  return KSEG_OK;
}

static void add_note(kseg_plan_setup *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add_note(kseg_plan_setup *s, const char *fmt, ...)
{
  size_t used = strlen(s->note);
  if (used && used + 2 < sizeof s->note) {
    memcpy(s->note + used, "; ", 3);
    used += 2;
  }
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(s->note + used, sizeof s->note - used, fmt, ap);
  va_end(ap);
}

static int check_money_flag(bool given, double v, const char *flag)
{
  if (given && !(isfinite(v) && v > 0))
    return kseg_error_set(KSEG_ERR_INPUT, "%s must be a positive finite number (got %g)", flag, v);
  return KSEG_OK;
}

/* The checks that need no data; the same verdict on every rank. */
static int check_options(const kseg_plan_options *o)
{
  KSEG_CHECK(check_money_flag(o->cost_given, o->contact_cost, "--contact-cost"));
  KSEG_CHECK(check_money_flag(o->revenue_given, o->response_revenue, "--response-revenue"));
  if (o->cost_given != o->revenue_given)
    return kseg_error_set(KSEG_ERR_INPUT, "%s needs %s too (give both, or neither to take them from the table's "
                                          "Z_CostContact / Z_Revenue)",
                          o->cost_given ? "--contact-cost" : "--response-revenue",
                          o->cost_given ? "--response-revenue" : "--contact-cost");
  if (o->cv_folds != 0 && (o->cv_folds < 2 || o->cv_folds > KSEG_PLAN_MAX_FOLDS))
    return kseg_error_set(KSEG_ERR_INPUT, "--cv-folds must be in 2..%d (got %d)", KSEG_PLAN_MAX_FOLDS, o->cv_folds);
  return KSEG_OK;
}

/* The target: named (must exist and be numeric), else Response when the
 * table has a numeric column of that name; names are found without ASCII
 * case when none matches exactly (exports write "RESPONSE", "response").
 * Local. */
static int find_target(const kseg_table *raw, const char *target, int *col)
{
  *col = -1;
  if (target) {
    int c = kseg_table_find_nocase(raw, target);
    if (c < 0) return kseg_error_set(KSEG_ERR_INPUT, "--target column '%s' is not in the table", target);
    if (raw->cols[c].kind != KSEG_COL_NUMERIC)
      return kseg_error_set(KSEG_ERR_INPUT, "--target column '%s' is %s, not a 0/1 column", target,
                            kseg_col_kind_name(raw->cols[c].kind));
    *col = c;
  } else {
    int c = kseg_table_find_nocase(raw, "Response");
    if (c >= 0 && raw->cols[c].kind == KSEG_COL_NUMERIC) *col = c;
  }
  return KSEG_OK;
}

/* Known values, responders and values other than 0/1 of the target, summed
 * over ranks. Collective. */
static int count_target(MPI_Comm comm, const kseg_table *raw, int col, int64_t counts[3])
{
  int64_t known = 0, ones = 0, other = 0;
  const double *v = raw->cols[col].num;
#pragma omp parallel for schedule(static) reduction(+ : known, ones, other)
  for (int64_t i = 0; i < raw->n_local; i++) {
    if (isnan(v[i])) continue;
    known++;
    ones += v[i] == 1.0;
    other += v[i] != 0.0 && v[i] != 1.0;
  }
  counts[0] = known;
  counts[1] = ones;
  counts[2] = other;
  return kseg_comm_agree(comm, kseg_comm_sum_i64(comm, counts, 3));
}

/* The table's economics: Z_CostContact and Z_Revenue, both numeric, each
 * one constant positive finite value over every rank's non-missing rows.
 * Sets s->source and the values, or a note saying why not. Collective. */
static int table_economics(MPI_Comm comm, const kseg_table *raw, kseg_plan_setup *s)
{
  const int cc = kseg_table_find(raw, cost_column), cr = kseg_table_find(raw, revenue_column);
  const bool num_c = cc >= 0 && raw->cols[cc].kind == KSEG_COL_NUMERIC;
  const bool num_r = cr >= 0 && raw->cols[cr].kind == KSEG_COL_NUMERIC;
  if (!num_c && !num_r) return KSEG_OK; /* not the Customer Personality export: nothing to say */
  if (!num_c || !num_r) {
    add_note(s, "the table has %s but no numeric %s: no economics taken from it", num_c ? cost_column : revenue_column,
             num_c ? revenue_column : cost_column);
    return KSEG_OK;
  }
  double lo[2] = {INFINITY, INFINITY}, hi[2] = {-INFINITY, -INFINITY};
  int64_t n[2] = {0, 0};
  const int cols[2] = {cc, cr};
  for (int j = 0; j < 2; j++) {
    const double *v = raw->cols[cols[j]].num;
    for (int64_t i = 0; i < raw->n_local; i++) {
      if (isnan(v[i])) continue;
      lo[j] = fmin(lo[j], v[i]);
      hi[j] = fmax(hi[j], v[i]);
      n[j]++;
    }
  }
  int st = kseg_comm_min_f64(comm, lo, 2);
  if (!st) st = kseg_comm_max_f64(comm, hi, 2);
  if (!st) st = kseg_comm_sum_i64(comm, n, 2);
  KSEG_CHECK(kseg_comm_agree(comm, st));
  for (int j = 0; j < 2; j++) {
    const char *name = j ? revenue_column : cost_column;
    if (n[j] == 0) {
      add_note(s, "the table's %s has no values: no economics taken from it", name);
      return KSEG_OK;
    }
    if (lo[j] != hi[j]) {
      add_note(s, "the table's %s is not constant (%g to %g): no economics taken from it; give --contact-cost and "
                  "--response-revenue", name, lo[j], hi[j]);
      return KSEG_OK;
    }
    if (!(isfinite(lo[j]) && lo[j] > 0)) {
      add_note(s, "the table's %s is %g, not a positive finite number: no economics taken from it", name, lo[j]);
      return KSEG_OK;
    }
  }
  s->source = KSEG_PLAN_ECON_TABLE;
  s->contact_cost = lo[0];
  s->response_revenue = lo[1];
  return KSEG_OK;
}

int kseg_plan_prepare(MPI_Comm comm, const kseg_table *raw, const char *target, const kseg_plan_options *opt,
                      kseg_plan_setup *s)
{
  static const kseg_plan_options defaults = {0};
  if (!opt) opt = &defaults;
  memset(s, 0, sizeof *s);
  s->target_col = -1;
  s->rows = raw->n_global;
  s->contact_cost = s->response_revenue = NAN;
  if (opt->currency) snprintf(s->currency, sizeof s->currency, "%s", opt->currency);
  int st = check_options(opt);
  int col = -1;
  if (!st) st = find_target(raw, target, &col);
  KSEG_CHECK(kseg_comm_agree(comm, st));

  int64_t counts[3] = {0, 0, 0};
  if (col >= 0) {
    KSEG_CHECK(count_target(comm, raw, col, counts));
    if (counts[0] == 0 || counts[2] > 0)
      st = kseg_error_set(KSEG_ERR_INPUT, "target column '%s' is not a 0/1 column (%s)", raw->cols[col].name,
                          counts[0] == 0 ? "no values" : "values other than 0 and 1");
    if (!st && !(s->target = kseg_strings_dup(raw->cols[col].name))) st = KSEG_ERR_IO;
    KSEG_CHECK(kseg_comm_agree(comm, st));
  }
  s->target_col = col;
  s->known = counts[0];
  s->responders = counts[1];

  if (opt->cost_given) {
    s->source = KSEG_PLAN_ECON_FLAGS;
    s->contact_cost = opt->contact_cost;
    s->response_revenue = opt->response_revenue;
  } else {
    st = table_economics(comm, raw, s);
    if (st) {
      kseg_plan_setup_clear(s);
      return st;
    }
  }

  /* Folds: an explicit count above the responders is refused (a fold with no
   * responder to hold out tests nothing); the default shrinks to them. */
  s->folds = opt->cv_folds ? opt->cv_folds : KSEG_PLAN_DEFAULT_FOLDS;
  if (s->target && s->responders > 0 && s->folds > s->responders) {
    if (opt->cv_folds)
      st = kseg_error_set(KSEG_ERR_INPUT, "--cv-folds %d is above the number of responders in '%s' (%lld)", s->folds,
                          s->target, (long long)s->responders);
    else
      s->folds = (int)s->responders;
  }
  if (!st && s->target) {
    if (s->responders == 0 || s->responders == s->known)
      add_note(s, "target '%s' has %s: the plan gives rates only and claims no profit", s->target,
               s->responders == 0 ? "no responders" : "only responders");
    else if (s->folds < 2)
      add_note(s, "target '%s' has a single responder: no cross-validation", s->target);
  } else if (!st && s->source != KSEG_PLAN_ECON_NONE) {
    add_note(s, "no target column: the economics are not used (--target names one)");
  }
  if (s->folds < 1) s->folds = 1;
  st = kseg_comm_agree(comm, st);
  if (st) kseg_plan_setup_clear(s);
  return st;
}

int kseg_plan_tally(const kseg_plan_setup *s, const kseg_table *raw, const int32_t *labels, int k, int64_t *cells)
{
  if (!s->target || s->target_col < 0) return KSEG_OK;
  const int F = s->folds;
  const int64_t nc = kseg_plan_cells(k, F), n = raw->n_local, row0 = raw->row0;
  const double *y = raw->cols[s->target_col].num;
  int64_t bad = INT64_MAX;
  /* integer cells: the threads' partial sums combine exactly in any order */
#pragma omp parallel for schedule(static) reduction(+ : cells[:nc]) reduction(min : bad)
  for (int64_t i = 0; i < n; i++) {
    const int32_t l = labels[i];
    if (l < 0 || l >= k) {
      bad = i < bad ? i : bad;
      continue;
    }
    if (isnan(y[i])) continue;
    const int64_t at = 2 * ((int64_t)l * F + kseg_plan_fold(row0 + i, F));
    cells[at]++;
    cells[at + 1] += y[i] == 1.0;
  }
  if (bad != INT64_MAX)
    return kseg_error_set(KSEG_ERR_INPUT, "label %d of row %lld is outside [0, %d)", labels[bad],
                          (long long)(row0 + bad), k);
  return KSEG_OK;
}

int kseg_plan_count(MPI_Comm comm, const kseg_plan_setup *s, const kseg_table *raw, const int32_t *labels, int k,
                    int64_t *cells)
{
  const int64_t nc = kseg_plan_cells(k, s->folds);
  memset(cells, 0, sizeof *cells * (size_t)nc);
  KSEG_CHECK(kseg_comm_agree(comm, kseg_plan_tally(s, raw, labels, k, cells)));
  if (!s->target) return KSEG_OK;
  return kseg_comm_agree(comm, kseg_comm_sum_i64(comm, cells, nc));
}
