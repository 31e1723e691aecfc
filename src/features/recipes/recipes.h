/* recipes.h - the recipes of kseg prep (not installed): each adds its
 * candidate features to a new model, and what they build with, from features/prep/build.c.
 * features/prep/prep.c picks one recipe (kseg_prep_fit's dispatch) and fits the stages. */
#ifndef KSEG_FEATURES_RECIPES_H
#define KSEG_FEATURES_RECIPES_H

#include <mpi.h>

#include "kseg/kseg_prep.h"
#include "kseg/kseg_types.h"

/* ---- building a model (features/prep/build.c; Local) ---- */

/* Append a feature named `name` with a constant offset; its value is the
 * offset plus the terms added for it. Its index, or -1 (recorded) when out of
 * memory. */
int kseg_prep_add_feature(kseg_prep_model *m, const char *name, double offset);
/* Add coef x raw column `column` to feature f; the term (its lo/hi clamp and
 * level map may then be set), or NULL (recorded) when out of memory. */
kseg_prep_term *kseg_prep_add_term(kseg_prep_model *m, int f, const char *column, double coef);
/* A feature that copies one raw column, clamped to [lo, hi]. */
int kseg_prep_add_copy(kseg_prep_model *m, const char *name, const char *column, double lo, double hi);
/* A feature that sums n raw columns. */
int kseg_prep_add_sum(kseg_prep_model *m, const char *name, const char *const *columns, int n);
/* A feature that maps the levels of a categorical column to values (levels
 * not listed: `other`). */
int kseg_prep_add_levelmap(kseg_prep_model *m, const char *name, const char *column, const char *const *levels,
                           const double *values, int n, double other);
/* Release what a term holds (its column name, level map) and zero it. */
void kseg_prep_term_clear(kseg_prep_term *t);
/* Record that raw column `name` is not a feature, and why (for the report). */
int kseg_prep_note_dropped(kseg_prep_model *m, const char *name, const char *reason);
/* Copies of the named raw columns, which must exist and be numeric or dates
 * (KSEG_ERR_INPUT naming the column and --columns). */
int kseg_prep_add_columns(const kseg_table *raw, kseg_prep_model *m, char **names, int n);
/* 1 when the table has every one of the n columns, else 0 with *missing (if
 * not NULL) the first absent name. */
int kseg_prep_has_columns(const kseg_table *raw, const char *const *names, int n, const char **missing);

/* ---- the recipes (Collective; status agreed) ---- */

/* Features a recipe takes the log1p of when --log1p is not given, where they
 * are features (--columns or --exclude may have removed some). */
typedef struct kseg_recipe_names {
  const char *const *names;
  int n;
} kseg_recipe_names;

/* Customer Personality (marketing_campaign.csv): engineered features
 * (docs/prep.md), checked present and of the right kind. *log1p (when not
 * NULL) gets the spend columns. recipes/marketing.c */
int kseg_recipe_marketing(MPI_Comm comm, const kseg_table *raw, kseg_prep_model *m, kseg_recipe_names *log1p);
/* 1 when the table has every column the marketing recipe needs. Local. */
int kseg_recipe_marketing_fits(const kseg_table *raw);

/* Credit card customers (CC GENERAL.csv): the generic numeric columns, with
 * the money columns required and logged by default. recipes/ccgeneral.c */
int kseg_recipe_ccgeneral(MPI_Comm comm, const kseg_table *raw, kseg_prep_model *m, kseg_recipe_names *log1p);
/* 1 when the table looks like CC GENERAL (CUST_ID and the money columns). Local. */
int kseg_recipe_ccgeneral_fits(const kseg_table *raw);

/* Any table: the named columns (--columns, when not NULL), else every numeric column
 * that is not an identifier (kseg_prep_is_identifier's rule), the others
 * noted as dropped. No default log1p. recipes/generic.c */
int kseg_recipe_generic(MPI_Comm comm, const kseg_table *raw, kseg_prep_model *m, char **columns, int n);

/* Features of a kseg rfm table for clustering: recency_days, frequency,
 * purchase_days, monetary_total, monetary_mean, tenure_days (checked present
 * and numeric: KSEG_ERR_INPUT naming the column). When *log1p is NULL (no
 * --log1p) it is set to the recipe's list, as if given: frequency,
 * purchase_days and, when no customer's net total is negative,
 * monetary_total and monetary_mean. recipes/rfm.c */
int kseg_recipe_rfm(MPI_Comm comm, const kseg_table *raw, kseg_prep_model *m, const char **log1p);

#endif
