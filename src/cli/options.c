/* options.c - flags that several subcommands share: how a CSV export is
 * read (import, run, assign) and how features are prepared (prep, run). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli.h"
#include "kseg/kseg_error.h"

int kseg_cli_csv_options(kseg_cli_csv_flags *f, kseg_opt *opts)
{
  const kseg_opt list[KSEG_CLI_CSV_FLAGS] = {
      {"delimiter", KSEG_OPT_STRING, &f->delimiter, "tab|comma|semicolon|pipe",
       "field delimiter (default: a sep=X first line, else detected from the header)", false, false},
      {"decimal", KSEG_OPT_STRING, &f->decimal, ".|,",
       "decimal mark of every numeric column (default: decided per column from its values)", false, false},
      {"encoding", KSEG_OPT_STRING, &f->encoding, "utf-8|latin1|cp1252", "text encoding of the file (default utf-8)",
       false, false},
      {"date-order", KSEG_OPT_STRING, &f->date_order, "DMY|MDY|YMD",
       "order of day and month for date columns whose values cannot tell (default: refuse them)", false, false},
      {"na", KSEG_OPT_STRING, &f->na, "A,B,..",
       "missing-value markers instead of NA,N/A,#N/A,NaN,NULL,None,-,? (the empty field is always missing)", false,
       false},
      {"id", KSEG_OPT_STRING, &f->id, "COL", "the customer id column, kept verbatim (default: the first named ID or *_ID)",
       false, false},
      {"strict", KSEG_OPT_FLAG, &f->strict, NULL,
       "values that do not read as their column's numbers or dates are errors, not warnings", false, false},
  };
  memcpy(opts, list, sizeof list);
  return KSEG_CLI_CSV_FLAGS;
}

const char *kseg_cli_delimiter_name(char d)
{
  return d == '\t' ? "tab" : d == ';' ? "semicolon" : d == '|' ? "pipe" : d == ',' ? "comma" : "other";
}

int kseg_cli_csv_resolve(const kseg_cli_csv_flags *f, kseg_csv_options *o)
{
  const char *t = f->delimiter;
  if (t) {
    if (strcmp(t, "tab") == 0 || strcmp(t, "\\t") == 0 || strcmp(t, "\t") == 0) o->delimiter = '\t';
    else if (strcmp(t, "comma") == 0 || strcmp(t, ",") == 0) o->delimiter = ',';
    else if (strcmp(t, "semicolon") == 0 || strcmp(t, ";") == 0) o->delimiter = ';';
    else if (strcmp(t, "pipe") == 0 || strcmp(t, "|") == 0) o->delimiter = '|';
    else return kseg_error_set(KSEG_ERR_INPUT, "--delimiter expects tab, comma, semicolon or pipe, got '%s'", t);
  }
  if ((t = f->decimal)) {
    if (strcmp(t, ".") == 0 || strcmp(t, "point") == 0) o->decimal = '.';
    else if (strcmp(t, ",") == 0 || strcmp(t, "comma") == 0) o->decimal = ',';
    else return kseg_error_set(KSEG_ERR_INPUT, "--decimal expects . or , (point or comma), got '%s'", t);
  }
  if (f->encoding && !kseg_csv_encoding_parse(f->encoding, &o->encoding))
    return kseg_error_set(KSEG_ERR_INPUT, "--encoding expects utf-8, latin1 or cp1252, got '%s'", f->encoding);
  if ((t = f->date_order)) {
    if (strcasecmp(t, "DMY") == 0) o->date_order = KSEG_CSV_ORDER_DMY;
    else if (strcasecmp(t, "MDY") == 0) o->date_order = KSEG_CSV_ORDER_MDY;
    else if (strcasecmp(t, "YMD") == 0) o->date_order = KSEG_CSV_ORDER_YMD;
    else return kseg_error_set(KSEG_ERR_INPUT, "--date-order expects DMY, MDY or YMD, got '%s'", t);
  }
  o->na = f->na;
  if (f->id && !f->id[0]) return kseg_error_set(KSEG_ERR_INPUT, "--id needs a column name");
  o->id_column = f->id;
  o->strict = f->strict;
  return KSEG_OK;
}

void kseg_cli_prep_notes(const kseg_cli *cli, const kseg_prep_model *m)
{
  for (int i = 0; i < m->n_dropped; i++) {
    if (kseg_prep_dropped_notable(m, i)) kseg_cli_warn(cli, "not a feature: '%s' (%s)", m->dropped[i], m->dropped_reason[i]);
    else if (cli->verbose) kseg_cli_info(cli, "not used: '%s' (%s)", m->dropped[i], m->dropped_reason[i]);
  }
  char unused[1024];
  if (!cli->verbose && kseg_prep_unused_data(m, unused, sizeof unused))
    kseg_cli_warn(cli, "columns with data that are not features: %s", unused);
}

/* ---- how features are prepared: prep and run ---- */

int kseg_cli_parse_choice(const char *text, const char *flag, const char *const *names, int n, int *out)
{
  for (int i = 0; i < n; i++)
    if (strcmp(text, names[i]) == 0) {
      *out = i + 1; /* 0 is "recipe default" in every kseg_prep enum */
      return KSEG_OK;
    }
  char list[256] = "";
  for (int i = 0; i < n; i++) {
    strncat(list, i ? "|" : "", sizeof list - strlen(list) - 1);
    strncat(list, names[i], sizeof list - strlen(list) - 1);
  }
  return kseg_error_set(KSEG_ERR_INPUT, "--%s must be %s, got '%s'", flag, list, text);
}

int kseg_cli_parse_outliers(const char *text, kseg_prep_options *o)
{
  char *end = NULL;
  if (strcmp(text, "none") == 0) { o->outliers = KSEG_OUTLIERS_NONE; return KSEG_OK; }
  if (strcmp(text, "iqr") == 0) { o->outliers = KSEG_OUTLIERS_IQR; o->outlier_param = 1.5; return KSEG_OK; }
  if (strncmp(text, "iqr:", 4) == 0) {
    o->outliers = KSEG_OUTLIERS_IQR;
    o->outlier_param = strtod(text + 4, &end);
    if (end != text + 4 && *end == '\0' && o->outlier_param > 0 && isfinite(o->outlier_param)) return KSEG_OK;
  } else if (strncmp(text, "clip:", 5) == 0) {
    o->outliers = KSEG_OUTLIERS_CLIP;
    o->outlier_param = strtod(text + 5, &end);
    if (end != text + 5 && *end == '\0' && o->outlier_param > 0 && o->outlier_param < 50) return KSEG_OK;
  }
  return kseg_error_set(KSEG_ERR_INPUT, "--outliers must be none, iqr, iqr:F (F > 0) or clip:P (0 < P < 50), got '%s'",
                        text);
}

int kseg_cli_parse_pca(const char *text, double *want)
{
  char *end = NULL;
  *want = strtod(text, &end);
  if (end == text || *end != '\0' || !(*want > 0) || (*want >= 1 && *want != floor(*want)))
    return kseg_error_set(KSEG_ERR_INPUT, "--pca expects a component count N >= 1 or a fraction in (0, 1), got '%s'",
                          text);
  return KSEG_OK;
}

int kseg_cli_prep_options(kseg_cli_prep_flags *f, kseg_opt *opts)
{
  const kseg_opt list[KSEG_CLI_PREP_FLAGS] = {
      {"impute", KSEG_OPT_STRING, &f->impute, "HOW", "median (default), mean, or drop (fit on complete rows only)",
       false, false},
      {"outliers", KSEG_OPT_STRING, &f->outliers, "HOW", "none (default), iqr[:F] (Tukey fences) or clip:P (percentiles)",
       false, false},
      {"log1p", KSEG_OPT_STRING, &f->log1p, "COLS", "log1p of these features, auto (skew > 1, >= 0) or none", false,
       false},
      {"scale", KSEG_OPT_STRING, &f->scale, "HOW", "standard (default), robust, minmax or none", false, false},
      {"columns", KSEG_OPT_STRING, &f->columns, "A,B,..", "use exactly these features, in this order", false, false},
      {"exclude", KSEG_OPT_STRING, &f->exclude, "A,B,..",
       "leave these features out, and every feature built on raw columns of these names", false, false},
      {"pca", KSEG_OPT_STRING, &f->pca, "N|FRACTION",
       "project on N principal components, or the fewest explaining FRACTION", false, false},
      {"autoencoder", KSEG_OPT_STRING, &f->autoencoder, "W1,W2,..",
       "project with the encoder of an autoencoder (D -> W1 -> .. -> Wk -> .. -> D); not with --pca", false, false},
  };
  memcpy(opts, list, sizeof list);
  return KSEG_CLI_PREP_FLAGS;
}

int kseg_cli_prep_resolve(const kseg_cli_prep_flags *f, kseg_prep_options *o, double *pca, kseg_ae_options *ae,
                          bool *use_ae)
{
  static const char *const imputes[] = {"median", "mean", "drop"};
  static const char *const scales[] = {"standard", "robust", "minmax", "none"};
  int v = 0;
  *pca = 0;
  *use_ae = false;
  if (f->impute) {
    KSEG_CHECK(kseg_cli_parse_choice(f->impute, "impute", imputes, 3, &v));
    o->impute = (kseg_prep_impute)v;
  }
  if (f->scale) {
    KSEG_CHECK(kseg_cli_parse_choice(f->scale, "scale", scales, 4, &v));
    o->scale = (kseg_prep_scale)v;
  }
  if (f->outliers) KSEG_CHECK(kseg_cli_parse_outliers(f->outliers, o));
  o->log1p = f->log1p;
  o->columns = f->columns;
  o->exclude = f->exclude;
  if (f->pca && f->autoencoder)
    return kseg_error_set(KSEG_ERR_INPUT, "--autoencoder and --pca are alternative projections; give one");
  if (f->pca) KSEG_CHECK(kseg_cli_parse_pca(f->pca, pca));
  if (f->autoencoder) {
    kseg_ae_default_options(ae);
    KSEG_CHECK(kseg_ae_parse_layers(f->autoencoder, ae));
    KSEG_CHECK(kseg_ae_check_options(ae));
    *use_ae = true;
  }
  return KSEG_OK;
}

int kseg_cli_rfm_as_of(const char *as_of, kseg_rfm_options *o)
{
  o->has_as_of = 1;
  if (!kseg_rfm_parse_day(as_of, strlen(as_of), 0, &o->as_of))
    return kseg_error_set(KSEG_ERR_INPUT, "--as-of expects a date (YYYY-MM-DD, YYYYMMDD or DD-MM-YYYY), got '%s'",
                          as_of);
  return KSEG_OK;
}
