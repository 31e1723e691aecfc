/* segments/rules/describe.c - each prepared feature read back in the raw
 * columns: whether rules may split on it (and why not), its definition for
 * people, and the SQL that computes its imputed value from the raw export.
 * The SQL follows kseg_prep_transform's stages 1-2 operation by operation
 * (offset, then each term times its coefficient, in term order; a missing or
 * implausible term makes the value missing; missing takes the fill), so a
 * database computes the same doubles kseg does. Local. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kseg/kseg_error.h"
#include "kseg/kseg_strings.h"
#include "segments/rules/internal.h"

static void exact(double v, char *buf, size_t len) { kseg_rules_exact(v, buf, len); }

/* A quoted SQL identifier ("Income"; a quote inside is doubled). */
static void ident(kseg_rules_buf *t, const char *name)
{
  kseg_rules_buf_add(t, "\"");
  for (const char *c = name; *c; c++) kseg_rules_buf_add(t, "%s%c", *c == '"' ? "\"" : "", *c);
  kseg_rules_buf_add(t, "\"");
}

static void sql_string(kseg_rules_buf *t, const char *s)
{
  kseg_rules_buf_add(t, "'");
  for (const char *c = s; *c; c++) kseg_rules_buf_add(t, "%s%c", *c == '\'' ? "'" : "", *c);
  kseg_rules_buf_add(t, "'");
}

/* SQL of one term's value (NULL when missing), before its coefficient. */
static void term_sql(kseg_rules_buf *t, const kseg_prep_term *tm)
{
  char lo[40], hi[40];
  if (tm->n_map == 0) {
    if (isinf(tm->lo) && isinf(tm->hi)) {
      ident(t, tm->column);
      return;
    }
    kseg_rules_buf_add(t, "CASE WHEN ");
    if (!isinf(tm->lo)) {
      exact(tm->lo, lo, sizeof lo);
      ident(t, tm->column);
      kseg_rules_buf_add(t, " >= %s%s", lo, isinf(tm->hi) ? "" : " AND ");
    }
    if (!isinf(tm->hi)) {
      exact(tm->hi, hi, sizeof hi);
      ident(t, tm->column);
      kseg_rules_buf_add(t, " <= %s", hi);
    }
    kseg_rules_buf_add(t, " THEN ");
    ident(t, tm->column);
    kseg_rules_buf_add(t, " END");
    return;
  }
  /* a level map: the levels with the same value in one IN list */
  kseg_rules_buf_add(t, "CASE");
  if (!isnan(tm->other)) {
    kseg_rules_buf_add(t, " WHEN ");
    ident(t, tm->column);
    kseg_rules_buf_add(t, " IS NULL THEN NULL");
  }
  int8_t *done = calloc((size_t)tm->n_map + 1, 1);
  if (!done) {
    t->failed = 1;
    kseg_error_nomem("rules text", (size_t)tm->n_map);
    return;
  }
  for (int i = 0; i < tm->n_map; i++) {
    if (done[i]) continue;
    kseg_rules_buf_add(t, " WHEN ");
    ident(t, tm->column);
    kseg_rules_buf_add(t, " IN (");
    for (int j = i, first = 1; j < tm->n_map; j++) {
      const double a = tm->map_values[i], b = tm->map_values[j];
      if (done[j] || !(a == b || (isnan(a) && isnan(b)))) continue;
      done[j] = 1;
      if (!first) kseg_rules_buf_add(t, ", ");
      sql_string(t, tm->map_levels[j]);
      first = 0;
    }
    if (isnan(tm->map_values[i])) {
      kseg_rules_buf_add(t, ") THEN NULL");
    } else {
      exact(tm->map_values[i], lo, sizeof lo);
      kseg_rules_buf_add(t, ") THEN %s", lo);
    }
  }
  free(done);
  if (!isnan(tm->other)) {
    exact(tm->other, lo, sizeof lo);
    kseg_rules_buf_add(t, " ELSE %s", lo);
  }
  kseg_rules_buf_add(t, " END");
}

/* People's reading of one level map: "Basic 0, 2n Cycle 1, ..." */
static void levels_text(kseg_rules_buf *t, const kseg_prep_term *tm)
{
  char v[40];
  for (int i = 0; i < tm->n_map; i++) {
    exact(tm->map_values[i], v, sizeof v);
    kseg_rules_buf_add(t, "%s%s = %s", i ? ", " : "", tm->map_levels[i], isnan(tm->map_values[i]) ? "missing" : v);
  }
  if (!isnan(tm->other)) {
    exact(tm->other, v, sizeof v);
    kseg_rules_buf_add(t, ", any other level = %s", v);
  }
}

static int describe_one(const kseg_prep_model *prep, const kseg_table *raw, int f, kseg_rules_feature *out)
{
  const char *why = NULL;
  char whybuf[512];
  int n_terms = 0;
  const kseg_prep_term *only = NULL;
  for (int i = 0; i < prep->n_terms; i++) {
    const kseg_prep_term *tm = &prep->terms[i];
    if (tm->feature != f) continue;
    n_terms++;
    only = tm;
    const int c = kseg_table_find(raw, tm->column);
    if (why) continue;
    if (c < 0) {
      snprintf(whybuf, sizeof whybuf, "its column %s is not in the table", tm->column);
      why = whybuf;
    } else if (raw->cols[c].kind == KSEG_COL_DATE) {
      snprintf(whybuf, sizeof whybuf, "built on the date column %s, whose text form differs between exports",
               tm->column);
      why = whybuf;
    } else if ((tm->n_map > 0) != (raw->cols[c].kind == KSEG_COL_CATEGORICAL) ||
               raw->cols[c].kind == KSEG_COL_STRING) {
      snprintf(whybuf, sizeof whybuf, "its column %s is %s", tm->column, kseg_col_kind_name(raw->cols[c].kind));
      why = whybuf;
    } else if (!isfinite(tm->coef) || tm->coef == 0.0) {
      why = "a coefficient that is zero or not finite";
    }
  }
  if (!why && n_terms == 0) why = "a constant";
  if (!why && !isfinite(prep->fill[f])) why = "no imputation value";
  if (!why && (prep->n_components > 0 || prep->autoencoder))
    why = prep->autoencoder ? "the model clusters autoencoder codes of the features, not the features"
                            : "the model clusters PCA components of the features, not the features";
  out->usable = why == NULL;
  out->fill = prep->fill[f];
  out->other = NAN;
  if (!(out->name = kseg_strings_dup(prep->features[f]))) return KSEG_ERR_IO;
  if (why && !(out->why_not = kseg_strings_dup(why))) return KSEG_ERR_IO;

  /* the definition (people) and the SQL (databases), term by term */
  kseg_rules_buf def = {0}, sql = {0}, bounds = {0};
  char num[40];
  const double off = prep->offset[f];
  /* the raw column itself (perhaps with implausible values out): no definition */
  const int plain = n_terms == 1 && only->n_map == 0 && only->coef == 1.0 && off == 0.0 &&
                    strcmp(only->column, prep->features[f]) == 0;
  const int levelmap = n_terms == 1 && only->n_map > 0 && only->coef == 1.0 && off == 0.0;
  if (off != 0.0) {
    exact(off, num, sizeof num);
    kseg_rules_buf_add(&def, "%s", num);
    kseg_rules_buf_add(&sql, "%s", num);
  }
  int first = off == 0.0;
  for (int i = 0; i < prep->n_terms; i++) {
    const kseg_prep_term *tm = &prep->terms[i];
    if (tm->feature != f) continue;
    const double c = tm->coef;
    exact(fabs(c), num, sizeof num);
    if (first) {
      if (c == 1.0) {
      } else if (c == -1.0) {
        kseg_rules_buf_add(&def, "-");
        kseg_rules_buf_add(&sql, "-1 * ");
      } else {
        exact(c, num, sizeof num);
        kseg_rules_buf_add(&def, "%s * ", num);
        kseg_rules_buf_add(&sql, "%s * ", num);
      }
    } else if (c == 1.0 || c == -1.0) {
      kseg_rules_buf_add(&def, " %s ", c > 0 ? "+" : "-");
      kseg_rules_buf_add(&sql, " %s ", c > 0 ? "+" : "-");
    } else {
      kseg_rules_buf_add(&def, " %s %s * ", c > 0 ? "+" : "-", num);
      kseg_rules_buf_add(&sql, " %s %s * ", c > 0 ? "+" : "-", num);
    }
    first = 0;
    term_sql(&sql, tm);
    if (tm->n_map > 0) {
      if (levelmap) {
        kseg_rules_buf_add(&def, "%s as a number (", tm->column);
        levels_text(&def, tm);
        kseg_rules_buf_add(&def, ")");
      } else {
        kseg_rules_buf_add(&def, "%s (", tm->column);
        levels_text(&def, tm);
        kseg_rules_buf_add(&def, ")");
      }
    } else {
      kseg_rules_buf_add(&def, "%s", tm->column);
      if (!isinf(tm->lo) || !isinf(tm->hi)) {
        char lo[40] = "", hi[40] = "";
        kseg_rules_format_number(tm->lo, 0, lo, sizeof lo);
        kseg_rules_format_number(tm->hi, 0, hi, sizeof hi);
        const char *sep = bounds.len ? "; " : "";
        if (!isinf(tm->lo) && !isinf(tm->hi))
          kseg_rules_buf_add(&bounds, "%s%s outside %s..%s", sep, tm->column, lo, hi);
        else if (!isinf(tm->lo)) kseg_rules_buf_add(&bounds, "%s%s below %s", sep, tm->column, lo);
        else kseg_rules_buf_add(&bounds, "%s%s above %s", sep, tm->column, hi);
      }
    }
  }
  char fill[40];
  exact(prep->fill[f], fill, sizeof fill);
  kseg_rules_buf wrapped = {0};
  kseg_rules_buf_add(&wrapped, "COALESCE(%s, %s)", sql.p ? sql.p : "NULL", fill);
  int st = def.failed || sql.failed || bounds.failed || wrapped.failed ? KSEG_ERR_IO : KSEG_OK;
  if (!st) {
    out->sql = wrapped.p;
    wrapped.p = NULL;
    if (!plain) {
      out->definition = def.p;
      def.p = NULL;
    }
    out->bounds = bounds.p;
    bounds.p = NULL;
  }
  free(def.p);
  free(sql.p);
  free(bounds.p);
  free(wrapped.p);
  if (st || !levelmap) return st;
  /* a level map read as a set of levels */
  out->categorical = 1;
  out->other = only->other;
  out->n_levels = only->n_map;
  if (!(out->column = kseg_strings_dup(only->column))) return KSEG_ERR_IO;
  out->levels = kseg_calloc((size_t)only->n_map + 1, sizeof *out->levels, "rules levels");
  out->level_value = kseg_calloc((size_t)only->n_map + 1, sizeof *out->level_value, "rules levels");
  if (!out->levels || !out->level_value) return KSEG_ERR_IO;
  for (int i = 0; i < only->n_map; i++) {
    if (!(out->levels[i] = kseg_strings_dup(only->map_levels[i]))) return KSEG_ERR_IO;
    out->level_value[i] = only->map_values[i];
  }
  return KSEG_OK;
}

int kseg_rules_describe(const kseg_prep_model *prep, const kseg_table *raw, kseg_rules *r)
{
  r->features = kseg_calloc((size_t)prep->n_features + 1, sizeof *r->features, "rules features");
  if (!r->features) return KSEG_ERR_IO;
  r->n_features = prep->n_features;
  for (int f = 0; f < prep->n_features; f++) KSEG_CHECK(describe_one(prep, raw, f, &r->features[f]));
  return KSEG_OK;
}
