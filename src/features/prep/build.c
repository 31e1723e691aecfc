/* features/prep/build.c - building a preparation model: features, their terms
 * over raw columns, the dropped-column notes, and freeing it. The recipes
 * (features/recipes/) build their candidate features with these; prep.c then
 * fits the stages. Kept apart from prep.c so the recipes depend on the model's
 * builders only, and prep.c (which picks a recipe) on the recipes. */
#include "kseg/kseg_prep.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kseg/kseg_error.h"
#include "kseg/kseg_strings.h"
#include "features/recipes/recipes.h"

/* ---- model construction ---- */

void kseg_prep_term_clear(kseg_prep_term *t)
{
  free(t->column);
  kseg_strings_free(&t->map_levels, t->n_map);
  free(t->map_values);
  memset(t, 0, sizeof *t);
}

void kseg_prep_free(kseg_prep_model **mp)
{
  if (!mp || !*mp) return;
  kseg_prep_model *m = *mp;
  free(m->recipe);
  free(m->impute);
  free(m->outliers);
  free(m->scale);
  kseg_strings_free(&m->features, m->n_features);
  free(m->offset);
  free(m->fill);
  free(m->log1p);
  free(m->clip_lo);
  free(m->clip_hi);
  free(m->center);
  free(m->scale_by);
  for (int t = 0; t < m->n_terms; t++) kseg_prep_term_clear(&m->terms[t]);
  free(m->terms);
  free(m->pca_mean);
  free(m->components);
  free(m->explained_variance);
  free(m->explained_variance_ratio);
  kseg_ae_clear(m->autoencoder);
  free(m->autoencoder);
  free(m->input_stats);
  free(m->input_quartiles);
  kseg_strings_free(&m->dropped, m->n_dropped);
  kseg_strings_free(&m->dropped_reason, m->n_dropped);
  free(m);
  *mp = NULL;
}

/* The per-stage arrays are made by alloc_stages once the list is final. */
int kseg_prep_add_feature(kseg_prep_model *m, const char *name, double offset)
{
  int f = m->n_features;
  char **names = realloc(m->features, sizeof *names * (size_t)(f + 1));
  if (!names) return kseg_error_nomem("feature names", sizeof *names * (size_t)(f + 1)), -1;
  m->features = names;
  double *off = realloc(m->offset, sizeof *off * (size_t)(f + 1));
  if (!off) return kseg_error_nomem("feature offsets", sizeof *off * (size_t)(f + 1)), -1;
  m->offset = off;
  if (!(names[f] = kseg_strings_dup(name))) return -1;
  off[f] = offset;
  m->n_features = f + 1;
  return f;
}

kseg_prep_term *kseg_prep_add_term(kseg_prep_model *m, int f, const char *column, double coef)
{
  kseg_prep_term *t = realloc(m->terms, sizeof *t * (size_t)(m->n_terms + 1));
  if (!t) return kseg_error_nomem("feature terms", sizeof *t * (size_t)(m->n_terms + 1)), NULL;
  m->terms = t;
  t = &m->terms[m->n_terms];
  memset(t, 0, sizeof *t);
  t->feature = f;
  t->coef = coef;
  t->lo = -INFINITY;
  t->hi = INFINITY;
  t->other = NAN;
  if (!(t->column = kseg_strings_dup(column))) return NULL;
  m->n_terms++;
  return t;
}

int kseg_prep_add_copy(kseg_prep_model *m, const char *name, const char *column, double lo, double hi)
{
  int f = kseg_prep_add_feature(m, name, 0.0);
  if (f < 0) return KSEG_ERR_IO;
  kseg_prep_term *t = kseg_prep_add_term(m, f, column, 1.0);
  if (!t) return KSEG_ERR_IO;
  t->lo = lo;
  t->hi = hi;
  return KSEG_OK;
}

int kseg_prep_add_sum(kseg_prep_model *m, const char *name, const char *const *columns, int n)
{
  int f = kseg_prep_add_feature(m, name, 0.0);
  if (f < 0) return KSEG_ERR_IO;
  for (int i = 0; i < n; i++)
    if (!kseg_prep_add_term(m, f, columns[i], 1.0)) return KSEG_ERR_IO;
  return KSEG_OK;
}

int kseg_prep_add_levelmap(kseg_prep_model *m, const char *name, const char *column, const char *const *levels,
                           const double *values, int n, double other)
{
  int f = kseg_prep_add_feature(m, name, 0.0);
  if (f < 0) return KSEG_ERR_IO;
  kseg_prep_term *t = kseg_prep_add_term(m, f, column, 1.0);
  if (!t) return KSEG_ERR_IO;
  t->map_levels = kseg_calloc((size_t)n, sizeof *t->map_levels, "level map");
  t->map_values = kseg_calloc((size_t)n, sizeof *t->map_values, "level map");
  if (!t->map_levels || !t->map_values) return KSEG_ERR_IO;
  t->n_map = n;
  for (int i = 0; i < n; i++) {
    if (!(t->map_levels[i] = kseg_strings_dup(levels[i]))) return KSEG_ERR_IO;
    t->map_values[i] = values[i];
  }
  t->other = other;
  return KSEG_OK;
}

int kseg_prep_note_dropped(kseg_prep_model *m, const char *name, const char *reason)
{
  char **d = realloc(m->dropped, sizeof *d * (size_t)(m->n_dropped + 1));
  if (!d) return kseg_error_nomem("dropped list", 0);
  m->dropped = d;
  char **r = realloc(m->dropped_reason, sizeof *r * (size_t)(m->n_dropped + 1));
  if (!r) return kseg_error_nomem("dropped list", 0);
  m->dropped_reason = r;
  d[m->n_dropped] = kseg_strings_dup(name);
  r[m->n_dropped] = kseg_strings_dup(reason);
  m->n_dropped++;
  return d[m->n_dropped - 1] && r[m->n_dropped - 1] ? KSEG_OK : KSEG_ERR_IO;
}

/* ---- what the recipes share ---- */

int kseg_prep_has_columns(const kseg_table *raw, const char *const *names, int n, const char **missing)
{
  for (int i = 0; i < n; i++)
    if (kseg_table_find(raw, names[i]) < 0) {
      if (missing) *missing = names[i];
      return 0;
    }
  return 1;
}

int kseg_prep_add_columns(const kseg_table *raw, kseg_prep_model *m, char **names, int n)
{
  for (int i = 0; i < n; i++) {
    int c = kseg_table_find(raw, names[i]);
    if (c < 0) return kseg_error_set(KSEG_ERR_INPUT, "unknown column '%s' in --columns", names[i]);
    kseg_col_kind k = raw->cols[c].kind;
    if (k != KSEG_COL_NUMERIC && k != KSEG_COL_DATE)
      return kseg_error_set(KSEG_ERR_INPUT, "column '%s' is %s, not numeric (--columns)", names[i],
                            kseg_col_kind_name(k));
    KSEG_CHECK(kseg_prep_add_copy(m, names[i], names[i], -INFINITY, INFINITY));
  }
  return KSEG_OK;
}
