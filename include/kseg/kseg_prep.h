/* kseg_prep.h - from the raw customer table to a feature matrix, with every
 * fitted parameter kept so the same transformation can be replayed on new
 * customers (kseg_prep_apply).
 *
 * Per output row, in this order (docs/prep.md gives the reasons):
 *   1. derive   feature f = offset[f] + sum of coef * term over its terms; a
 *               term is a raw numeric/date value (NaN outside [lo, hi]: an
 *               implausible value counts as missing) or a categorical code
 *               mapped through a level -> value table (`other` for levels not
 *               in the table); any missing term makes the feature missing;
 *   2. impute   NaN -> fill[f] (median or mean of the fitted rows);
 *   3. log1p    where log1p[f]: log1p(max(x, 0));
 *   4. clip     winsorize to [clip_lo[f], clip_hi[f]] (+-inf: no clipping);
 *   5. scale    (x - center[f]) / scale[f];
 *   6. project  optional, one of: (x - pca_mean) . components[c] for each
 *               component (PCA), or the encoder of a trained autoencoder
 *               (kseg_autoencoder.h; docs/autoencoder.md).
 * Fitting computes each stage's parameters from distributed statistics of the
 * previous stage's output (kseg_stats), so fit and replay share one code path
 * and one rank count or another gives the same bits.
 */
#ifndef KSEG_PREP_H
#define KSEG_PREP_H

#include <mpi.h>
#include <stdint.h>

#include "kseg/kseg_autoencoder.h"
#include "kseg/kseg_h5io.h"
#include "kseg/kseg_stats.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum kseg_prep_recipe {
  KSEG_RECIPE_AUTO = 0, /* marketing or ccgeneral when their columns are present, else generic */
  KSEG_RECIPE_GENERIC,
  KSEG_RECIPE_MARKETING,
  KSEG_RECIPE_CCGENERAL,
  KSEG_RECIPE_RFM /* a kseg rfm table (src/features/recipes/rfm.c) */
} kseg_prep_recipe;

typedef enum kseg_prep_impute { KSEG_IMPUTE_DEFAULT = 0, KSEG_IMPUTE_MEDIAN, KSEG_IMPUTE_MEAN, KSEG_IMPUTE_DROP } kseg_prep_impute;
typedef enum kseg_prep_outliers { KSEG_OUTLIERS_DEFAULT = 0, KSEG_OUTLIERS_NONE, KSEG_OUTLIERS_IQR, KSEG_OUTLIERS_CLIP } kseg_prep_outliers;
typedef enum kseg_prep_scale { KSEG_SCALE_DEFAULT = 0, KSEG_SCALE_STANDARD, KSEG_SCALE_ROBUST, KSEG_SCALE_MINMAX, KSEG_SCALE_NONE } kseg_prep_scale;

/* What the caller asks for; DEFAULT / NULL fields take the recipe's choice. */
typedef struct kseg_prep_options {
  kseg_prep_recipe recipe;
  kseg_prep_impute impute;
  kseg_prep_outliers outliers;
  double outlier_param; /* IQR: fence factor F (default 1.5); CLIP: percentile P in (0, 50) */
  const char *log1p;    /* NULL (recipe default), "none", "auto" or "A,B,..." */
  kseg_prep_scale scale;
  const char *columns;  /* NULL or "A,B,..": exactly these features, in this order */
  const char *exclude;  /* NULL or "A,B,..": drop these features, and every feature built on a raw
                           column of these names */
  const char *target;   /* the outcome column (NULL: "Response"), found without ASCII case: never a
                           feature, nor any feature built on it, in any recipe */
} kseg_prep_options;

/* One term of a derived feature. */
typedef struct kseg_prep_term {
  int feature;     /* index of the feature it adds to */
  char *column;    /* raw column name */
  double coef;     /* multiplier */
  double lo, hi;   /* numeric/date terms: values outside are missing */
  int n_map;       /* categorical terms: level -> value table (0: numeric term) */
  char **map_levels;
  double *map_values;
  double other;    /* categorical: value of a level not in the table (NaN: missing) */
} kseg_prep_term;

/* A fitted preparation. All arrays are owned and identical on every rank. */
typedef struct kseg_prep_model {
  char *recipe, *impute, *outliers, *scale; /* names, for the record */
  int n_features;    /* F: features before any projection */
  char **features;   /* F names */
  double *offset;    /* F */
  double *fill;      /* F; NaN: missing values stay missing (not yet fitted) */
  int8_t *log1p;     /* F */
  double *clip_lo, *clip_hi, *center, *scale_by; /* F each */
  int n_terms;
  kseg_prep_term *terms;
  /* Optional projection (kseg_pca): n_components == 0 means none. */
  int n_components;
  double *pca_mean;      /* F */
  double *components;    /* n_components x F, row-major */
  double *explained_variance, *explained_variance_ratio; /* n_components */
  /* Or a nonlinear projection: the encoder of an autoencoder trained on the
   * scaled features (NULL: none; never together with PCA). Owned. */
  kseg_ae *autoencoder;
  /* Fit report (not saved): statistics of each derived feature before
   * imputation, and the features dropped with the reason. */
  kseg_colstats *input_stats; /* F */
  double *input_quartiles;    /* F x 3: Q1, median, Q3 */
  int n_dropped;
  char **dropped, **dropped_reason;
  int64_t fit_rows;           /* rows the statistics were fitted on */
} kseg_prep_model;

/* Output width: n_components (PCA) or the embedding width (autoencoder) when
 * projected, else n_features. */
int kseg_prep_width(const kseg_prep_model *m);
/* Output column names (width of them): features, or "PC1", "PC2", ..., or
 * "ae1", "ae2", ... */
const char *kseg_prep_output_name(const kseg_prep_model *m, int j, char *buf, size_t len);

/* Fit a preparation on this rank's block of the raw table. When the options
 * ask for --impute drop, *fit_mask (n_local entries, 1 = row used for fitting,
 * owned by the caller) marks the rows with every feature present; otherwise it
 * is NULL. In every recipe, before anything is fitted: the target and the
 * --exclude columns, and every feature built on one of them, are left out;
 * degenerate raw columns (no value at all, or one value) are noted in
 * m->dropped ("all missing", "constant (3)"), a feature that is a copy of
 * one, or is built on a column without values, is left out. Errors
 * (KSEG_ERR_INPUT, naming the column): unknown column, a non-numeric column
 * asked for, an all-missing or constant column asked for by --columns (zero
 * variance under standard scaling), infinite values, no feature left.
 * Collective; status agreed. *out freed with kseg_prep_free. */
int kseg_prep_fit(MPI_Comm comm, const kseg_table *raw, const kseg_prep_options *opt, kseg_prep_model **out,
                  int8_t **fit_mask);

/* Apply a fitted preparation to a table's row block: out[n_local x width]
 * row-major. Columns are found by name (the table may hold others, in any
 * order; categorical codes are matched through their level names). A needed
 * column that is absent or of the wrong kind is KSEG_ERR_INPUT naming it.
 * Local (no communication); OpenMP over rows. */
int kseg_prep_apply(const kseg_prep_model *m, const kseg_table *raw, double *out);

/* kseg_prep_apply into a new matrix: out->data n_local x width float64,
 * out->columns the output names (kseg_prep_output_name); the caller frees
 * it with kseg_matrix_clear (nothing to free on failure). Collective; status
 * agreed. */
int kseg_prep_apply_matrix(MPI_Comm comm, const kseg_prep_model *m, const kseg_table *raw, kseg_matrix *out);

/* The same without the projection, stopping after stage `upto` (1..5 above):
 * out[n_local x n_features]. Used to fit each stage and to fit a projection.
 * Local. */
int kseg_prep_transform(const kseg_prep_model *m, const kseg_table *raw, int upto, double *out);

/* A preparation bound to a table: each term's column found and each
 * categorical level map translated to the table's codes, once, for callers
 * that go through the rows a block at a time. Valid while both live. */
typedef struct kseg_prep_bound kseg_prep_bound;

/* Bind m to raw's columns. A needed column that is absent or of the wrong
 * kind is KSEG_ERR_INPUT naming it (as kseg_prep_apply). *out freed with
 * kseg_prep_unbind. Local. */
int kseg_prep_bind(const kseg_prep_model *m, const kseg_table *raw, kseg_prep_bound **out);

/* kseg_prep_transform of the local rows [i0, i1) only, through a binding:
 * out[(i1 - i0) x n_features]. Cannot fail. Local; OpenMP over rows. */
void kseg_prep_transform_bound(const kseg_prep_bound *b, int upto, int64_t i0, int64_t i1, double *out);

void kseg_prep_unbind(kseg_prep_bound *b);

/* Install a projection (copies the arrays): mean[F], components[n x F],
 * explained variance and ratio [n]. Local. */
int kseg_prep_set_projection(kseg_prep_model *m, int n, const double *mean, const double *components,
                             const double *explained_variance, const double *explained_variance_ratio);

/* Install a trained autoencoder as the projection, taking ownership of
 * *ae's arrays (*ae is left zeroed). Any PCA projection is removed.
 * KSEG_ERR_IO when out of memory (*ae untouched). Local. */
int kseg_prep_set_autoencoder(kseg_prep_model *m, kseg_ae *ae);

/* Save under group `group` (e.g. "/prep") of an open writer on `comm`. Collective. */
int kseg_prep_save(MPI_Comm comm, kseg_h5_writer *w, const char *group, const kseg_prep_model *m);

/* Load a saved preparation from group `group` of `path` onto every rank.
 * Collective; status agreed. */
int kseg_prep_load(MPI_Comm comm, const char *path, const char *group, kseg_prep_model **out);

/* The marketing recipe's derived features without any fitted stage, for
 * callers that need them in original units (profiles): *out holds only the
 * derivation (Age, Education, Living_With_Partner, Children, Income, Recency,
 * Tenure_Days, Total_Spent, Mnt*, Total_Purchases, Num*, Total_Accepted), to
 * be evaluated with kseg_prep_transform(m, raw, 1, X): NaN where an input is
 * missing or implausible. *out = NULL (KSEG_OK) when the table lacks the
 * Customer Personality columns. Collective (the reference date); status
 * agreed. */
int kseg_prep_derive_marketing(MPI_Comm comm, const kseg_table *raw, kseg_prep_model **out);

/* Remove feature f (0-based) and its terms from a preparation, for callers
 * that need only some of a recipe's features (the later ones move down one
 * place). Local. */
void kseg_prep_drop_feature(kseg_prep_model *m, int f);

/* The identifier rule of the generic recipe: a string column, a column named
 * ID or *_ID (any case), or a numeric column of distinct integers with none
 * missing. Collective (the distinct check); status agreed. */
int kseg_prep_is_identifier(MPI_Comm comm, const kseg_table *raw, int c, int *is_id);

/* 1 when people should be told why m->dropped[i] is not a feature (a column
 * without values or with one value, the target, a feature built on one of
 * them or on an --exclude column), 0 for the expected ones (identifiers,
 * text, dates). Local. */
int kseg_prep_dropped_notable(const kseg_prep_model *m, int i);

/* The columns with data that the recipe did not use and that no note names
 * (the generic recipe's categorical and date columns; identifiers are
 * expected and left out), as one line grouped by reason into buf, e.g.
 * "'Education', 'Marital_Status' (categorical); 'Dt_Customer' (date (...))";
 * cut with "..." when longer than size. Returns how many columns it names
 * (0: buf is empty). Local. */
size_t kseg_prep_unused_data(const kseg_prep_model *m, char *buf, size_t size);

/* NULL-safe; sets *m = NULL. */
void kseg_prep_free(kseg_prep_model **m);

/* Names of the enum values ("median", "iqr", "standard", "marketing", ...). */
const char *kseg_prep_recipe_name(kseg_prep_recipe r);

#ifdef __cplusplus
}
#endif

#endif
