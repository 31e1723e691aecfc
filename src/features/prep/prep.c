/* features/prep/prep.c - fitting and applying a preparation (see kseg_prep.h). A recipe
 * (features/recipes/) builds the candidate features with the builders of
 * features/prep/build.c; the stages are fitted one after the other on the output of the previous
 * ones, through the same transform that replays them later. */
#include "kseg/kseg_prep.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kseg/kseg_comm.h"
#include "kseg/kseg_error.h"
#include "kseg/kseg_strings.h"
#include "features/recipes/recipes.h"

/* ---- names ---- */

const char *kseg_prep_recipe_name(kseg_prep_recipe r)
{
  switch (r) {
  case KSEG_RECIPE_GENERIC: return "generic";
  case KSEG_RECIPE_MARKETING: return "marketing";
  case KSEG_RECIPE_CCGENERAL: return "ccgeneral";
  case KSEG_RECIPE_RFM: return "rfm";
  default: return "auto";
  }
}

static const char *impute_name(kseg_prep_impute v)
{
  return v == KSEG_IMPUTE_MEAN ? "mean" : v == KSEG_IMPUTE_DROP ? "drop" : "median";
}

static const char *scale_name(kseg_prep_scale v)
{
  switch (v) {
  case KSEG_SCALE_ROBUST: return "robust";
  case KSEG_SCALE_MINMAX: return "minmax";
  case KSEG_SCALE_NONE: return "none";
  default: return "standard";
  }
}

int kseg_prep_width(const kseg_prep_model *m)
{
  if (m->autoencoder) return kseg_ae_width(m->autoencoder);
  return m->n_components > 0 ? m->n_components : m->n_features;
}

const char *kseg_prep_output_name(const kseg_prep_model *m, int j, char *buf, size_t len)
{
  if (m->autoencoder) {
    snprintf(buf, len, "ae%d", j + 1);
    return buf;
  }
  if (m->n_components > 0) {
    snprintf(buf, len, "PC%d", j + 1);
    return buf;
  }
  return m->features[j];
}

/* Per-feature stage parameters, identity until fitted. */
static int alloc_stages(kseg_prep_model *m)
{
  size_t F = (size_t)m->n_features + 1;
  m->fill = kseg_malloc(F * sizeof(double), "prep fill");
  m->log1p = kseg_calloc(F, 1, "prep log1p");
  m->clip_lo = kseg_malloc(F * sizeof(double), "prep clip");
  m->clip_hi = kseg_malloc(F * sizeof(double), "prep clip");
  m->center = kseg_malloc(F * sizeof(double), "prep center");
  m->scale_by = kseg_malloc(F * sizeof(double), "prep scale");
  m->input_stats = kseg_calloc(F, sizeof *m->input_stats, "prep stats");
  m->input_quartiles = kseg_calloc(F * 3, sizeof(double), "prep stats");
  if (!m->fill || !m->log1p || !m->clip_lo || !m->clip_hi || !m->center || !m->scale_by || !m->input_stats ||
      !m->input_quartiles)
    return KSEG_ERR_IO;
  for (int f = 0; f < m->n_features; f++) {
    m->fill[f] = NAN;
    m->clip_lo[f] = -INFINITY;
    m->clip_hi[f] = INFINITY;
    m->center[f] = 0.0;
    m->scale_by[f] = 1.0;
  }
  return KSEG_OK;
}

/* Remove feature f (and its terms); `extra` is a caller's per-feature array
 * compacted alongside. */
static void drop_feature(kseg_prep_model *m, int f, int8_t *extra)
{
  int F = m->n_features;
  free(m->features[f]);
#define KSEG_SHIFT(a)                                                                       \
  if (a) memmove(&(a)[f], &(a)[f + 1], sizeof *(a) * (size_t)(F - f - 1))
  KSEG_SHIFT(m->features);
  KSEG_SHIFT(m->offset);
  KSEG_SHIFT(m->fill);
  KSEG_SHIFT(m->log1p);
  KSEG_SHIFT(m->clip_lo);
  KSEG_SHIFT(m->clip_hi);
  KSEG_SHIFT(m->center);
  KSEG_SHIFT(m->scale_by);
  KSEG_SHIFT(m->input_stats);
  KSEG_SHIFT(extra);
  if (m->input_quartiles)
    memmove(&m->input_quartiles[3 * f], &m->input_quartiles[3 * (f + 1)], sizeof(double) * 3 * (size_t)(F - f - 1));
#undef KSEG_SHIFT
  m->n_features = F - 1;
  int k = 0;
  for (int t = 0; t < m->n_terms; t++) {
    if (m->terms[t].feature == f) { kseg_prep_term_clear(&m->terms[t]); continue; }
    m->terms[k] = m->terms[t];
    if (m->terms[k].feature > f) m->terms[k].feature--;
    k++;
  }
  m->n_terms = k;
}

void kseg_prep_drop_feature(kseg_prep_model *m, int f)
{
  if (f >= 0 && f < m->n_features) drop_feature(m, f, NULL);
}

/* ---- the transform ---- */

typedef struct bound_term {
  const double *num;     /* numeric/date column, or NULL */
  const int32_t *codes;  /* categorical column, or NULL */
  double *code_value;    /* value of each code of this table's levels */
  int32_t n_codes;
} bound_term;

struct kseg_prep_bound {
  const kseg_prep_model *m;
  bound_term *terms; /* [n_terms] */
  int n_terms;
};

void kseg_prep_unbind(kseg_prep_bound *b)
{
  if (!b) return;
  for (int i = 0; b->terms && i < b->n_terms; i++) free(b->terms[i].code_value);
  free(b->terms);
  free(b);
}

/* Term tm's column in raw, checked for the kind it needs, into *out; a
 * categorical one with its level map translated to the table's codes. */
static int bind_term(const kseg_prep_model *m, const kseg_prep_term *tm, const kseg_table *raw, bound_term *out)
{
  const char *feat = m->features[tm->feature];
  int c = kseg_table_find(raw, tm->column);
  if (c < 0)
    return kseg_error_set(KSEG_ERR_INPUT, "column '%s' (needed by feature '%s') is not in the table", tm->column,
                          feat);
  const kseg_column *col = &raw->cols[c];
  if (tm->n_map == 0) {
    if (col->kind != KSEG_COL_NUMERIC && col->kind != KSEG_COL_DATE)
      return kseg_error_set(KSEG_ERR_INPUT, "column '%s' is %s, not numeric (needed by feature '%s')", tm->column,
                            kseg_col_kind_name(col->kind), feat);
    out->num = col->num;
    return KSEG_OK;
  }
  if (col->kind != KSEG_COL_CATEGORICAL)
    return kseg_error_set(KSEG_ERR_INPUT, "column '%s' is %s, not categorical (needed by feature '%s')", tm->column,
                          kseg_col_kind_name(col->kind), feat);
  out->codes = col->codes;
  out->n_codes = col->n_levels;
  out->code_value = kseg_malloc(sizeof(double) * (size_t)(col->n_levels + 1), "level map");
  if (!out->code_value) return KSEG_ERR_IO;
  for (int32_t k = 0; k < col->n_levels; k++) {
    double v = tm->other;
    for (int i = 0; i < tm->n_map; i++)
      if (strcmp(col->levels[k], tm->map_levels[i]) == 0) v = tm->map_values[i];
    out->code_value[k] = v;
  }
  return KSEG_OK;
}

int kseg_prep_bind(const kseg_prep_model *m, const kseg_table *raw, kseg_prep_bound **out)
{
  *out = NULL;
  kseg_prep_bound *b = kseg_calloc(1, sizeof *b, "prep terms");
  if (!b) return KSEG_ERR_IO;
  b->m = m;
  b->n_terms = m->n_terms;
  b->terms = kseg_calloc((size_t)m->n_terms + 1, sizeof *b->terms, "prep terms");
  int st = b->terms ? KSEG_OK : KSEG_ERR_IO;
  for (int t = 0; !st && t < m->n_terms; t++) st = bind_term(m, &m->terms[t], raw, &b->terms[t]);
  if (st) {
    kseg_prep_unbind(b);
    return st;
  }
  *out = b;
  return KSEG_OK;
}

void kseg_prep_transform_bound(const kseg_prep_bound *bd, int upto, int64_t i0, int64_t i1, double *out)
{
  const kseg_prep_model *m = bd->m;
  const bound_term *b = bd->terms;
  const int F = m->n_features, T = bd->n_terms;
#pragma omp parallel for schedule(static)
  for (int64_t i = i0; i < i1; i++) {
    double *v = out + (i - i0) * F;
    for (int f = 0; f < F; f++) v[f] = m->offset[f];
    for (int t = 0; t < T; t++) {
      const kseg_prep_term *tm = &m->terms[t];
      double x;
      if (b[t].num) {
        x = b[t].num[i];
        if (x < tm->lo || x > tm->hi) x = NAN; /* implausible: missing */
      } else {
        int32_t c = b[t].codes[i];
        x = c >= 0 && c < b[t].n_codes ? b[t].code_value[c] : NAN;
      }
      v[tm->feature] += tm->coef * x;
    }
    if (upto < 2) continue;
    for (int f = 0; f < F; f++) {
      double x = v[f];
      if (isnan(x)) x = m->fill[f];
      if (upto >= 3 && m->log1p[f]) x = log1p(x > 0.0 ? x : 0.0);
      if (upto >= 4) x = x < m->clip_lo[f] ? m->clip_lo[f] : (x > m->clip_hi[f] ? m->clip_hi[f] : x);
      if (upto >= 5) x = (x - m->center[f]) / m->scale_by[f];
      v[f] = x;
    }
  }
}

int kseg_prep_transform(const kseg_prep_model *m, const kseg_table *raw, int upto, double *out)
{
  kseg_prep_bound *b = NULL;
  KSEG_CHECK(kseg_prep_bind(m, raw, &b));
  kseg_prep_transform_bound(b, upto, 0, raw->n_local, out);
  kseg_prep_unbind(b);
  return KSEG_OK;
}

int kseg_prep_apply(const kseg_prep_model *m, const kseg_table *raw, double *out)
{
  if (m->n_components == 0 && !m->autoencoder) return kseg_prep_transform(m, raw, 5, out);
  const int F = m->n_features, C = m->n_components;
  size_t bytes = sizeof(double) * (size_t)(raw->n_local > 0 ? raw->n_local : 1) * (size_t)F;
  double *x = kseg_malloc(bytes, "prep apply buffer");
  if (!x) return KSEG_ERR_IO;
  int st = kseg_prep_transform(m, raw, 5, x);
  if (st == KSEG_OK && m->autoencoder) {
    st = kseg_ae_encode(m->autoencoder, x, raw->n_local, out);
  } else if (st == KSEG_OK) {
#pragma omp parallel for schedule(static)
    for (int64_t i = 0; i < raw->n_local; i++) {
      const double *v = x + i * F;
      for (int c = 0; c < C; c++) {
        const double *w = m->components + (int64_t)c * F;
        double s = 0.0; /* fixed order per row: the same bits on any rank */
        for (int f = 0; f < F; f++) s += (v[f] - m->pca_mean[f]) * w[f];
        out[i * C + c] = s;
      }
    }
  }
  free(x);
  return st;
}

int kseg_prep_set_projection(kseg_prep_model *m, int n, const double *mean, const double *components,
                             const double *explained_variance, const double *explained_variance_ratio)
{
  size_t F = (size_t)m->n_features;
  double *pm = kseg_malloc(sizeof(double) * F, "projection");
  double *pc = kseg_malloc(sizeof(double) * F * (size_t)n + 1, "projection");
  double *ev = kseg_malloc(sizeof(double) * (size_t)n + 1, "projection");
  double *er = kseg_malloc(sizeof(double) * (size_t)n + 1, "projection");
  if (!pm || !pc || !ev || !er) {
    free(pm);
    free(pc);
    free(ev);
    free(er);
    return KSEG_ERR_IO;
  }
  memcpy(pm, mean, sizeof(double) * F);
  memcpy(pc, components, sizeof(double) * F * (size_t)n);
  memcpy(ev, explained_variance, sizeof(double) * (size_t)n);
  memcpy(er, explained_variance_ratio, sizeof(double) * (size_t)n);
  free(m->pca_mean);
  free(m->components);
  free(m->explained_variance);
  free(m->explained_variance_ratio);
  m->pca_mean = pm;
  m->components = pc;
  m->explained_variance = ev;
  m->explained_variance_ratio = er;
  m->n_components = n;
  return KSEG_OK;
}

int kseg_prep_set_autoencoder(kseg_prep_model *m, kseg_ae *ae)
{
  if (!m->autoencoder) m->autoencoder = kseg_calloc(1, sizeof *m->autoencoder, "autoencoder");
  if (!m->autoencoder) return KSEG_ERR_IO;
  kseg_ae_clear(m->autoencoder);
  *m->autoencoder = *ae;
  memset(ae, 0, sizeof *ae);
  free(m->pca_mean);
  free(m->components);
  free(m->explained_variance);
  free(m->explained_variance_ratio);
  m->pca_mean = m->components = m->explained_variance = m->explained_variance_ratio = NULL;
  m->n_components = 0;
  return KSEG_OK;
}

/* ---- name lists ---- */

/* Split "A,B,C" into a NULL-terminated array of trimmed names (owned). */
static int split_list(const char *text, const char *flag, char ***out, int *count)
{
  KSEG_CHECK(kseg_strings_split(text, ',', out, count));
  for (int i = 0; i < *count; i++)
    if ((*out)[i][0] == '\0') {
      kseg_strings_free(out, *count);
      *count = 0;
      return kseg_error_set(KSEG_ERR_INPUT, "--%s: empty name in '%s'", flag, text);
    }
  return KSEG_OK;
}

static int find_feature(const kseg_prep_model *m, const char *name)
{
  for (int f = 0; f < m->n_features; f++)
    if (strcmp(m->features[f], name) == 0) return f;
  return -1;
}

/* Comma-separated names of the features, for messages. */
static void feature_names(const kseg_prep_model *m, char *buf, size_t len)
{
  size_t used = 0;
  buf[0] = '\0';
  for (int f = 0; f < m->n_features && used + 8 < len; f++) {
    int w = snprintf(buf + used, len - used, "%s%s", f ? ", " : "", m->features[f]);
    if (w < 0 || (size_t)w >= len - used) {
      snprintf(buf + (len > 5 ? len - 5 : 0), 5, "...");
      break;
    }
    used += (size_t)w;
  }
}

static kseg_prep_recipe detect_recipe(const kseg_table *raw)
{
  if (kseg_recipe_marketing_fits(raw)) return KSEG_RECIPE_MARKETING;
  if (kseg_recipe_ccgeneral_fits(raw)) return KSEG_RECIPE_CCGENERAL;
  if (kseg_table_find(raw, "recency_days") >= 0 && kseg_table_find(raw, "RFM_cell") >= 0) return KSEG_RECIPE_RFM;
  return KSEG_RECIPE_GENERIC;
}

/* Keep exactly `names` (in that order) among the recipe's features. */
static int select_features(kseg_prep_model *m, char **names, int n, const char *recipe)
{
  char avail[2048];
  for (int i = 0; i < n; i++)
    if (find_feature(m, names[i]) < 0) {
      feature_names(m, avail, sizeof avail);
      return kseg_error_set(KSEG_ERR_INPUT, "unknown column '%s' in --columns (recipe %s has: %s)", names[i], recipe,
                            avail);
    }
  for (int f = m->n_features - 1; f >= 0; f--) {
    int keep = 0;
    for (int i = 0; i < n; i++) keep |= strcmp(m->features[f], names[i]) == 0;
    if (!keep) drop_feature(m, f, NULL);
  }
  /* reorder to the requested order: permute names, offsets and terms */
  for (int i = 0; i < n; i++) {
    int f = find_feature(m, names[i]);
    if (f == i) continue;
    char *tn = m->features[i];
    m->features[i] = m->features[f];
    m->features[f] = tn;
    double to = m->offset[i];
    m->offset[i] = m->offset[f];
    m->offset[f] = to;
    for (int t = 0; t < m->n_terms; t++) {
      if (m->terms[t].feature == i) m->terms[t].feature = f;
      else if (m->terms[t].feature == f) m->terms[t].feature = i;
    }
  }
  return KSEG_OK;
}

/* ---- columns no feature may use ---- */

enum { RAW_OK = 0, RAW_EMPTY = 1, RAW_CONSTANT = 2 };

/* Per raw column: RAW_EMPTY when no row has a value, RAW_CONSTANT when
 * every value is the same (numeric and date columns: *value is it;
 * categorical: one level), else RAW_OK; strings (identifiers, free text)
 * are not judged. One reduction. Collective; status agreed. */
static int raw_degenerate(MPI_Comm comm, const kseg_table *raw, int8_t *state, double *value)
{
  const int C = raw->n_cols;
  int64_t *count = kseg_calloc((size_t)C + 1, sizeof *count, "column counts");
  double *lo = kseg_malloc(sizeof *lo * (size_t)(C + 1), "column bounds");
  double *hi = kseg_malloc(sizeof *hi * (size_t)(C + 1), "column bounds");
  int st = kseg_comm_agree(comm, count && lo && hi ? KSEG_OK : KSEG_ERR_IO);
  for (int c = 0; !st && c < C; c++) {
    const kseg_column *col = &raw->cols[c];
    double a = INFINITY, b = -INFINITY;
    int64_t n = 0;
    for (int64_t i = 0; i < raw->n_local; i++) {
      double v;
      if (col->kind == KSEG_COL_CATEGORICAL) v = col->codes[i] >= 0 ? (double)col->codes[i] : NAN;
      else if (col->kind == KSEG_COL_STRING) v = NAN;
      else v = col->num[i];
      if (isnan(v)) continue;
      n++;
      a = v < a ? v : a;
      b = v > b ? v : b;
    }
    count[c] = n;
    lo[c] = a;
    hi[c] = b;
  }
  if (!st) st = kseg_comm_sum_i64(comm, count, C);
  if (!st) st = kseg_comm_min_f64(comm, lo, C);
  if (!st) st = kseg_comm_max_f64(comm, hi, C);
  st = kseg_comm_agree(comm, st);
  for (int c = 0; !st && c < C; c++) {
    const kseg_col_kind k = raw->cols[c].kind;
    state[c] = RAW_OK;
    value[c] = NAN;
    if (k == KSEG_COL_STRING) continue;
    if (count[c] == 0) state[c] = RAW_EMPTY;
    else if (lo[c] == hi[c]) {
      state[c] = RAW_CONSTANT;
      value[c] = lo[c];
    }
  }
  free(count);
  free(lo);
  free(hi);
  return st;
}

static int listed(char *const *names, int n, const char *name)
{
  for (int i = 0; i < n; i++)
    if (strcmp(names[i], name) == 0) return 1;
  return 0;
}

/* 1 when some feature of m has a term on raw column `name`. */
static int column_read(const kseg_prep_model *m, const char *name)
{
  for (int t = 0; t < m->n_terms; t++)
    if (strcmp(m->terms[t].column, name) == 0) return 1;
  return 0;
}

/* Leave out, in any recipe, every feature with a term on the target or on
 * an --exclude column, on a column without values, and the plain copies of
 * a constant column; note the degenerate raw columns once each (one line
 * for people, in m->dropped). Features named in --columns are left for the
 * fit's own checks to refuse, except the target, which is refused here. */
static int keep_out(MPI_Comm comm, const kseg_table *raw, kseg_prep_model *m, const char *target, char **excl,
                    int n_excl, char **cols, int n_cols)
{
  const int C = raw->n_cols;
  int8_t *state = kseg_calloc((size_t)C + 1, sizeof *state, "column states");
  double *value = kseg_malloc(sizeof *value * (size_t)(C + 1), "column values");
  int st = kseg_comm_agree(comm, state && value ? KSEG_OK : KSEG_ERR_IO);
  if (!st) st = raw_degenerate(comm, raw, state, value);
  const int tcol = st ? -1 : kseg_table_find_nocase(raw, target);
  int target_used = 0;
  for (int c = 0; !st && c < C; c++) {
    char why[96];
    if (state[c] == RAW_EMPTY) snprintf(why, sizeof why, "all %lld values missing", (long long)raw->n_global);
    else if (state[c] == RAW_CONSTANT && raw->cols[c].kind == KSEG_COL_CATEGORICAL)
      snprintf(why, sizeof why, "constant (one level: %s)", raw->cols[c].levels[(int)value[c]]);
    else if (state[c] == RAW_CONSTANT) snprintf(why, sizeof why, "constant (%g)", value[c]);
    else continue;
    /* a constant column that no feature of the recipe reads changes nothing: said only when a
     * feature is lost (the marketing table's Z_CostContact and Z_Revenue are constants by design,
     * the plan's economics); a column without any value is always said (an export gone wrong) */
    if (state[c] == RAW_CONSTANT && !column_read(m, raw->cols[c].name)) continue;
    st = kseg_prep_note_dropped(m, raw->cols[c].name, why);
  }
  for (int f = m->n_features - 1; !st && f >= 0; f--) {
    const char *reason = NULL, *on = NULL;
    int terms = 0, copy_of = -1;
    for (int t = 0; t < m->n_terms && !reason; t++) {
      const kseg_prep_term *tm = &m->terms[t];
      if (tm->feature != f) continue;
      terms++;
      const int c = kseg_table_find(raw, tm->column);
      if (c >= 0 && c == tcol) reason = "the target (--target): a feature on it would make the response lift circular";
      else if (listed(excl, n_excl, tm->column)) reason = "--exclude";
      else if (c >= 0 && state[c] == RAW_EMPTY && !listed(cols, n_cols, m->features[f])) reason = "no value";
      if (reason) on = tm->column;
      if (c >= 0 && tm->n_map == 0) copy_of = c;
    }
    const int plain_copy = terms == 1 && copy_of >= 0 && !listed(cols, n_cols, m->features[f]);
    const int empty_copy = reason && strcmp(reason, "no value") == 0 && strcmp(m->features[f], on) == 0;
    if ((!reason && plain_copy && state[copy_of] == RAW_CONSTANT) || empty_copy) {
      drop_feature(m, f, NULL); /* noted with its raw column above */
      continue;
    }
    if (!reason) continue;
    if (strncmp(reason, "the target", 10) == 0) {
      if (listed(cols, n_cols, m->features[f])) {
        st = kseg_error_set(KSEG_ERR_INPUT, "column '%s' is the target (--target %s): it cannot be a feature",
                            m->features[f], raw->cols[tcol].name);
        break;
      }
      target_used = 1;
    }
    char why[200];
    if (strcmp(m->features[f], on) == 0) snprintf(why, sizeof why, "%s", reason);
    else snprintf(why, sizeof why, "built on '%s': %s", on, reason);
    if (!(strcmp(reason, "--exclude") == 0 && strcmp(m->features[f], on) == 0)) /* an excluded feature says nothing new */
      st = kseg_prep_note_dropped(m, m->features[f], why);
    if (!st) drop_feature(m, f, NULL);
  }
  (void)target_used;
  free(state);
  free(value);
  return kseg_comm_agree(comm, st);
}

int kseg_prep_dropped_notable(const kseg_prep_model *m, int i)
{
  static const char *const said[] = {"constant", "zero", "all ", "no row", "no value", "the target", "built on"};
  for (size_t k = 0; k < sizeof said / sizeof *said; k++)
    if (strncmp(m->dropped_reason[i], said[k], strlen(said[k])) == 0) return 1;
  return 0;
}

/* 1 when a note already names this column (a constant categorical column is
 * also one the generic recipe does not use). */
static int noted(const kseg_prep_model *m, const char *name)
{
  for (int i = 0; i < m->n_dropped; i++)
    if (kseg_prep_dropped_notable(m, i) && strcmp(m->dropped[i], name) == 0) return 1;
  return 0;
}

size_t kseg_prep_unused_data(const kseg_prep_model *m, char *buf, size_t size)
{
  size_t len = 0;
  int n = 0;
  if (size) buf[0] = '\0';
  /* grouped by reason, in the order of their first column */
  for (int i = 0; i < m->n_dropped; i++) {
    const char *why = m->dropped_reason[i];
    if (kseg_prep_dropped_notable(m, i) || strncmp(why, "identifier", 10) == 0 || noted(m, m->dropped[i])) continue;
    int seen = 0;
    for (int j = 0; j < i && !seen; j++)
      seen = strcmp(m->dropped_reason[j], why) == 0 && !kseg_prep_dropped_notable(m, j);
    if (seen) continue;
    for (int j = i; j < m->n_dropped; j++) {
      if (strcmp(m->dropped_reason[j], why) != 0 || noted(m, m->dropped[j])) continue;
      const int first = j == i;
      int w = snprintf(buf + len, len < size ? size - len : 0, "%s'%s'", first ? (n ? "; " : "") : ", ",
                       m->dropped[j]);
      if (w > 0) len += (size_t)w;
      n++;
    }
    int w = snprintf(buf + len, len < size ? size - len : 0, " (%s)", why);
    if (w > 0) len += (size_t)w;
  }
  if (len >= size && size > 4) memcpy(buf + size - 4, "...", 4);
  return (size_t)n;
}

/* ---- fitting ---- */

/* Statistics of every feature of X (n_local x F row-major). */
static int feature_stats(MPI_Comm comm, const double *X, int F, int64_t n_local, const int8_t *mask,
                         kseg_colstats *mom, const double *q, int nq, double *quant)
{
  kseg_stats_col *cols = kseg_malloc(sizeof *cols * (size_t)(F + 1), "stats columns");
  KSEG_CHECK(kseg_comm_agree(comm, cols ? KSEG_OK : KSEG_ERR_IO));
  for (int f = 0; f < F; f++) cols[f] = (kseg_stats_col){X + f, F};
  int st = KSEG_OK;
  if (mom) st = kseg_stats_moments(comm, cols, F, n_local, mask, mom);
  if (!st && nq > 0) st = kseg_stats_quantiles(comm, cols, F, n_local, mask, q, nq, quant);
  free(cols);
  return st;
}

int kseg_prep_fit(MPI_Comm comm, const kseg_table *raw, const kseg_prep_options *opt, kseg_prep_model **out,
                  int8_t **fit_mask)
{
  *out = NULL;
  *fit_mask = NULL;
  int st = KSEG_OK;
  char **cols = NULL, **excl = NULL, **logs = NULL;
  int n_cols = 0, n_excl = 0, n_logs = 0;
  int8_t *expl = NULL, *mask = NULL;
  double *X = NULL, *quant = NULL;
  kseg_colstats *mom = NULL;
  kseg_prep_model *m = kseg_calloc(1, sizeof *m, "prep model");
  if (!m) st = KSEG_ERR_IO;
  if (!st && opt->columns) st = split_list(opt->columns, "columns", &cols, &n_cols);
  if (!st && opt->exclude) st = split_list(opt->exclude, "exclude", &excl, &n_excl);
  for (int i = 0; !st && i < n_cols; i++)
    for (int k = 0; !st && k < i; k++)
      if (strcmp(cols[i], cols[k]) == 0) st = kseg_error_set(KSEG_ERR_INPUT, "column '%s' is listed twice in --columns", cols[i]);
  const char *log_spec = opt->log1p;
  KSEG_CHECK_GOTO(kseg_comm_agree(comm, st), st, fail);

  kseg_prep_recipe recipe = opt->recipe == KSEG_RECIPE_AUTO ? detect_recipe(raw) : opt->recipe;
  const char *rname = kseg_prep_recipe_name(recipe);
  kseg_prep_impute impute = opt->impute ? opt->impute : KSEG_IMPUTE_MEDIAN;
  kseg_prep_outliers outl = opt->outliers ? opt->outliers : KSEG_OUTLIERS_NONE;
  kseg_prep_scale scale = opt->scale ? opt->scale : KSEG_SCALE_STANDARD;
  double oparam = opt->outlier_param;
  if (outl == KSEG_OUTLIERS_IQR && !(oparam > 0)) oparam = 1.5;
  if (outl == KSEG_OUTLIERS_CLIP && !(oparam > 0 && oparam < 50))
    st = kseg_error_set(KSEG_ERR_INPUT, "--outliers clip:P needs 0 < P < 50, got %g", oparam);
  KSEG_CHECK_GOTO(kseg_comm_agree(comm, st), st, fail);

  /* 1. candidate features, from the recipe; its log1p list, if any, applies
   * when --log1p is not given (rfm's sets log_spec as if it were) */
  kseg_recipe_names recipe_log1p = {NULL, 0};
  switch (recipe) {
  case KSEG_RECIPE_MARKETING: st = kseg_recipe_marketing(comm, raw, m, &recipe_log1p); break;
  case KSEG_RECIPE_CCGENERAL: st = kseg_recipe_ccgeneral(comm, raw, m, &recipe_log1p); break;
  case KSEG_RECIPE_RFM: st = kseg_recipe_rfm(comm, raw, m, &log_spec); break;
  default: st = kseg_recipe_generic(comm, raw, m, cols, n_cols); break;
  }
  if (st) goto fail; /* agreed by the recipe */
  if (!st && cols && recipe != KSEG_RECIPE_GENERIC) st = select_features(m, cols, n_cols, rname);
  for (int i = 0; !st && i < n_excl; i++) {
    int f = find_feature(m, excl[i]);
    if (f >= 0) drop_feature(m, f, NULL);
    else if (kseg_table_find(raw, excl[i]) < 0)
      st = kseg_error_set(KSEG_ERR_INPUT, "unknown column '%s' in --exclude", excl[i]);
  }
  /* the target, excluded raw columns and columns without information: in every recipe */
  st = kseg_comm_agree(comm, st);
  if (!st) st = keep_out(comm, raw, m, opt->target ? opt->target : "Response", excl, n_excl, cols, n_cols);
  if (!st && m->n_features == 0)
    st = kseg_error_set(KSEG_ERR_INPUT, "no numeric feature to prepare (recipe %s; see --columns)", rname);
  if (!st) st = alloc_stages(m);
  if (!st) {
    expl = kseg_calloc((size_t)m->n_features + 1, 1, "prep flags");
    if (!expl) st = KSEG_ERR_IO;
    for (int f = 0; expl && f < m->n_features; f++) expl[f] = cols != NULL;
  }
  KSEG_CHECK_GOTO(kseg_comm_agree(comm, st), st, fail);
  if (!(m->recipe = kseg_strings_dup(rname)) || !(m->impute = kseg_strings_dup(impute_name(impute))) ||
      !(m->scale = kseg_strings_dup(scale_name(scale))))
    st = KSEG_ERR_IO;
  char otext[64];
  if (outl == KSEG_OUTLIERS_IQR) snprintf(otext, sizeof otext, "iqr:%g", oparam);
  else if (outl == KSEG_OUTLIERS_CLIP) snprintf(otext, sizeof otext, "clip:%g", oparam);
  else snprintf(otext, sizeof otext, "none");
  if (!st && !(m->outliers = kseg_strings_dup(otext))) st = KSEG_ERR_IO;

  int F = m->n_features;
  size_t xbytes = sizeof(double) * (size_t)(raw->n_local > 0 ? raw->n_local : 1) * (size_t)F;
  if (!st) {
    X = kseg_malloc(xbytes, "prep work matrix");
    mom = kseg_calloc((size_t)F, sizeof *mom, "prep stats");
    quant = kseg_calloc((size_t)F * 3, sizeof *quant, "prep stats");
    if (!X || !mom || !quant) st = KSEG_ERR_IO;
  }
  KSEG_CHECK_GOTO(kseg_comm_agree(comm, st), st, fail);

  /* 2. derived values: infinities are refused, all-missing and constant
   * features are found, from statistics over every row */
  KSEG_CHECK_GOTO(kseg_comm_agree(comm, kseg_prep_transform(m, raw, 1, X)), st, fail);
  {
    int64_t *inf = kseg_calloc((size_t)F, sizeof *inf, "prep flags");
    KSEG_CHECK_GOTO(kseg_comm_agree(comm, inf ? KSEG_OK : KSEG_ERR_IO), st, fail);
    for (int64_t i = 0; i < raw->n_local; i++)
      for (int f = 0; f < F; f++)
        if (isinf(X[i * F + f]) && !inf[f]) inf[f] = raw->row0 + i + 1;
    for (int f = 0; f < F; f++) inf[f] = inf[f] ? inf[f] : INT64_MAX;
    st = kseg_comm_min_i64(comm, inf, F);
    for (int f = 0; !st && f < F; f++)
      if (inf[f] != INT64_MAX)
        st = kseg_error_set(KSEG_ERR_INPUT, "column '%s' has an infinite value (row %lld)", m->features[f],
                            (long long)inf[f]);
    free(inf);
    KSEG_CHECK_GOTO(kseg_comm_agree(comm, st), st, fail);
  }
  static const double quartiles[3] = {0.25, 0.5, 0.75};
  KSEG_CHECK_GOTO(feature_stats(comm, X, F, raw->n_local, NULL, mom, quartiles, 3, quant), st, fail);
  for (int f = 0; f < F; f++) {
    m->input_stats[f] = mom[f];
    memcpy(&m->input_quartiles[3 * f], &quant[3 * f], sizeof(double) * 3);
    if (mom[f].count == 0 && expl[f])
      st = kseg_error_set(KSEG_ERR_INPUT, "column '%s' has no values (all %lld missing)", m->features[f],
                          (long long)mom[f].missing);
  }
  KSEG_CHECK_GOTO(kseg_comm_agree(comm, st), st, fail);
  /* a derived feature that no row has (its inputs are never present together) says nothing */
  for (int f = F - 1; f >= 0 && !st; f--) {
    if (mom[f].count > 0) continue;
    if ((st = kseg_prep_note_dropped(m, m->features[f], "no row has all its inputs")) != KSEG_OK) break;
    drop_feature(m, f, expl);
    memmove(&mom[f], &mom[f + 1], sizeof *mom * (size_t)(F - f - 1));
    memmove(&quant[3 * f], &quant[3 * (f + 1)], sizeof *quant * 3 * (size_t)(F - f - 1));
    F--;
  }
  if (!st && F == 0) st = kseg_error_set(KSEG_ERR_INPUT, "no candidate feature has a value");
  KSEG_CHECK_GOTO(kseg_comm_agree(comm, st), st, fail);
  /* Constant features carry no information and break standard scaling:
   * dropped unless asked for by name (then only standard scaling refuses). */
  for (int f = F - 1; f >= 0; f--) {
    if (mom[f].min != mom[f].max) continue;
    if (expl[f]) {
      if (scale != KSEG_SCALE_STANDARD) continue;
      st = kseg_error_set(KSEG_ERR_INPUT, "column '%s' is constant (%g): zero variance cannot be standard-scaled",
                          m->features[f], mom[f].min);
      break;
    }
    if ((st = kseg_prep_note_dropped(m, m->features[f], "constant")) != KSEG_OK) break;
    drop_feature(m, f, expl);
    memmove(&mom[f], &mom[f + 1], sizeof *mom * (size_t)(F - f - 1));
    memmove(&quant[3 * f], &quant[3 * (f + 1)], sizeof *quant * 3 * (size_t)(F - f - 1));
    F--;
  }
  if (!st && F == 0) st = kseg_error_set(KSEG_ERR_INPUT, "every candidate feature is constant");
  KSEG_CHECK_GOTO(kseg_comm_agree(comm, st), st, fail);
  /* the matrix is rebuilt without the dropped features */
  KSEG_CHECK_GOTO(kseg_comm_agree(comm, kseg_prep_transform(m, raw, 1, X)), st, fail);

  /* --impute drop: the statistics use only complete rows */
  if (impute == KSEG_IMPUTE_DROP) {
    mask = kseg_malloc((size_t)(raw->n_local > 0 ? raw->n_local : 1), "fit mask");
    KSEG_CHECK_GOTO(kseg_comm_agree(comm, mask ? KSEG_OK : KSEG_ERR_IO), st, fail);
    int64_t complete = 0;
    for (int64_t i = 0; i < raw->n_local; i++) {
      int ok = 1;
      for (int f = 0; f < F; f++) ok &= !isnan(X[i * F + f]);
      mask[i] = (int8_t)ok;
      complete += ok;
    }
    KSEG_CHECK_GOTO(kseg_comm_agree(comm, kseg_comm_sum_i64(comm, &complete, 1)), st, fail);
    if (complete == 0) st = kseg_error_set(KSEG_ERR_INPUT, "--impute drop: no row has every feature present");
    KSEG_CHECK_GOTO(kseg_comm_agree(comm, st), st, fail);
    m->fit_rows = complete;
    KSEG_CHECK_GOTO(feature_stats(comm, X, F, raw->n_local, mask, mom, quartiles, 3, quant), st, fail);
  } else {
    m->fit_rows = raw->n_global;
  }

  /* 3. imputation values and log1p flags */
  for (int f = 0; f < F; f++) m->fill[f] = impute == KSEG_IMPUTE_MEAN ? mom[f].mean : quant[3 * f + 1];
  if (!log_spec) {
    for (int i = 0; i < recipe_log1p.n; i++) {
      int f = find_feature(m, recipe_log1p.names[i]);
      if (f >= 0) m->log1p[f] = 1;
    }
  } else if (strcmp(log_spec, "none") != 0) {
    if (strcmp(log_spec, "auto") == 0) {
      for (int f = 0; f < F; f++) m->log1p[f] = (int8_t)(mom[f].min >= 0.0 && mom[f].skew > 1.0);
    } else {
      st = split_list(log_spec, "log1p", &logs, &n_logs);
      for (int i = 0; !st && i < n_logs; i++) {
        int f = find_feature(m, logs[i]);
        if (f < 0) st = kseg_error_set(KSEG_ERR_INPUT, "unknown column '%s' in --log1p (not a feature)", logs[i]);
        else if (mom[f].min < 0.0)
          st = kseg_error_set(KSEG_ERR_INPUT, "--log1p: column '%s' has negative values (min %g)", logs[i],
                              mom[f].min);
        else m->log1p[f] = 1;
      }
    }
  }
  KSEG_CHECK_GOTO(kseg_comm_agree(comm, st), st, fail);

  /* 4. outlier bounds, on imputed (and logged) values */
  if (outl != KSEG_OUTLIERS_NONE) {
    KSEG_CHECK_GOTO(kseg_comm_agree(comm, kseg_prep_transform(m, raw, 3, X)), st, fail);
    double q[2] = {0.25, 0.75};
    if (outl == KSEG_OUTLIERS_CLIP) {
      q[0] = oparam / 100.0;
      q[1] = 1.0 - oparam / 100.0;
    }
    KSEG_CHECK_GOTO(feature_stats(comm, X, F, raw->n_local, mask, NULL, q, 2, quant), st, fail);
    for (int f = 0; f < F; f++) {
      double a = quant[2 * f], b = quant[2 * f + 1];
      if (outl == KSEG_OUTLIERS_IQR) {
        m->clip_lo[f] = a - oparam * (b - a);
        m->clip_hi[f] = b + oparam * (b - a);
      } else {
        m->clip_lo[f] = a;
        m->clip_hi[f] = b;
      }
    }
  }

  /* 5. scaler, on clipped values */
  KSEG_CHECK_GOTO(kseg_comm_agree(comm, kseg_prep_transform(m, raw, 4, X)), st, fail);
  if (scale == KSEG_SCALE_ROBUST) {
    KSEG_CHECK_GOTO(feature_stats(comm, X, F, raw->n_local, mask, NULL, quartiles, 3, quant), st, fail);
    for (int f = 0; f < F; f++) {
      double iqr = quant[3 * f + 2] - quant[3 * f];
      m->center[f] = quant[3 * f + 1];
      m->scale_by[f] = iqr > 0 ? iqr : 1.0; /* as sklearn: a zero scale becomes 1 */
    }
  } else if (scale != KSEG_SCALE_NONE) {
    KSEG_CHECK_GOTO(feature_stats(comm, X, F, raw->n_local, mask, mom, NULL, 0, NULL), st, fail);
    for (int f = F - 1; f >= 0; f--) {
      if (scale == KSEG_SCALE_MINMAX) {
        double range = mom[f].max - mom[f].min;
        m->center[f] = mom[f].min;
        m->scale_by[f] = range > 0 ? range : 1.0;
        continue;
      }
      double sd = sqrt(mom[f].var);
      if (sd > 0) {
        m->center[f] = mom[f].mean;
        m->scale_by[f] = sd;
        continue;
      }
      /* zero variance left after clipping: nothing to scale by */
      if (expl[f]) {
        st = kseg_error_set(KSEG_ERR_INPUT, "column '%s' has zero variance after --outliers; standard scaling "
                            "cannot use it", m->features[f]);
        break;
      }
      if ((st = kseg_prep_note_dropped(m, m->features[f], "zero variance after outlier clipping")) != KSEG_OK) break;
      drop_feature(m, f, expl);
      memmove(&mom[f], &mom[f + 1], sizeof *mom * (size_t)(F - f - 1));
      F--;
    }
    if (!st && F == 0) st = kseg_error_set(KSEG_ERR_INPUT, "no feature with non-zero variance is left");
  }
  KSEG_CHECK_GOTO(kseg_comm_agree(comm, st), st, fail);

  *fit_mask = mask;
  mask = NULL;
  *out = m;
  m = NULL;
fail:
  kseg_strings_free(&cols, n_cols);
  kseg_strings_free(&excl, n_excl);
  kseg_strings_free(&logs, n_logs);
  free(expl);
  free(mask);
  free(X);
  free(mom);
  free(quant);
  kseg_prep_free(&m);
  return st; /* every way here passed an agreement */
}
