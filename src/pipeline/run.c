/* pipeline/run.c - the main job: import -> prep -> sweep -> fit -> profile -> model,
 * labels and segments.csv, with an optional warm start from an old model.
 * Outputs go to a staging directory inside DIR and are moved into DIR only
 * when all of them are complete (docs/run.md). */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kseg/kseg_comm.h"
#include "kseg/kseg_csv.h"
#include "kseg/kseg_error.h"
#include "kseg/kseg_h5io.h"
#include "kseg/kseg_kmeans.h"
#include "kseg/kseg_model.h"
#include "kseg/kseg_outputs.h"
#include "kseg/kseg_projection.h"
#include "kseg/kseg_run.h"
#include "kseg/kseg_rfm.h"
#include "kseg/kseg_stats.h"
#include "kseg/kseg_strings.h"
#include "kseg/kseg_sweep.h"

/* Files a run produces, in the order they are moved into DIR. */
enum {
  OUT_RAW, OUT_FEATURES, OUT_SWEEP, OUT_MODEL, OUT_RESULT, OUT_SEGMENTS, OUT_PROFILES, OUT_PROFILES_JSON,
  OUT_PROFILES_H5, OUT_PLAN_CSV, OUT_PLAN_JSON, OUT_RULES_JSON, OUT_RULES_TXT, OUT_RULES_SQL, OUT_DRIFT,
  N_RUN_OUTPUTS
};
static const char *const run_outputs[N_RUN_OUTPUTS] = {
    [OUT_RAW] = "raw.h5",           [OUT_FEATURES] = "features.h5",     [OUT_SWEEP] = "sweep.h5",
    [OUT_MODEL] = "model.h5",       [OUT_RESULT] = "result.h5",         [OUT_SEGMENTS] = "segments.csv",
    [OUT_PROFILES] = "profiles.csv", [OUT_PROFILES_JSON] = "profiles.json", [OUT_PROFILES_H5] = "profiles.h5",
    [OUT_PLAN_CSV] = "plan.csv",    [OUT_PLAN_JSON] = "plan.json",      [OUT_RULES_JSON] = "rules.json",
    [OUT_RULES_TXT] = "rules.txt",  [OUT_RULES_SQL] = "rules.sql",      [OUT_DRIFT] = "drift.json"};

void kseg_run_options_default(kseg_run_options *opt)
{
  memset(opt, 0, sizeof *opt);
  opt->k_min = 2;
  opt->k_max = 10;
  opt->min_segments = 3;
  opt->max_segments = 8;
  opt->recipe = KSEG_RECIPE_AUTO;
  opt->n_init = 10;
  opt->gap_b = 5;
  opt->sweep_sample = -1;
}

void kseg_run_result_clear(kseg_run_result *r)
{
  if (!r) return;
  kseg_strings_free(&r->notes, r->n_notes);
  free(r->id_column);
  free(r->recipe);
  kseg_profile_free(&r->profile);
  kseg_rules_free(&r->rules);
  memset(r, 0, sizeof *r);
}

static void progress(const kseg_run_options *opt, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void progress(const kseg_run_options *opt, const char *fmt, ...)
{
  if (!opt->progress) return;
  char line[1200];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(line, sizeof line, fmt, ap);
  va_end(ap);
  opt->progress(opt->progress_ctx, line);
}

/* A warning for people, in out->notes (the same on every rank). */
static int run_note(kseg_run_result *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int run_note(kseg_run_result *out, const char *fmt, ...)
{
  char text[1400];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(text, sizeof text, fmt, ap);
  va_end(ap);
  char **n = realloc(out->notes, sizeof *n * (size_t)(out->n_notes + 2));
  if (!n) return kseg_error_nomem("run notes", 0);
  out->notes = n;
  if (!(n[out->n_notes] = kseg_strings_dup(text))) return KSEG_ERR_IO;
  n[++out->n_notes] = NULL;
  return KSEG_OK;
}

/* After agreement every rank holds the failing rank's message: prefix it
 * with the step so the user knows where the run stopped. */
static int name_step(int st, const char *step)
{
  if (st != KSEG_OK) {
    const char *msg = kseg_error_message();
    if (strncmp(msg, "run: ", 5) != 0) {
      char buf[1400];
      snprintf(buf, sizeof buf, "run: %.300s: %.1080s", step, msg);
      kseg_error_replace(buf);
    }
  }
  return st;
}

static char *path_join(const char *dir, const char *name)
{
  size_t n = strlen(dir) + strlen(name) + 2;
  char *p = kseg_malloc(n, "path");
  if (p) snprintf(p, n, "%s/%s", dir, name);
  return p;
}

/* Root: 1 when `path` starts with the HDF5 signature, 0 otherwise; a file
 * that cannot be opened is KSEG_ERR_INPUT naming it. */
static int input_is_hdf5(MPI_Comm comm, const char *path, int *is_h5)
{
  int v[2] = {KSEG_OK, 0};
  if (kseg_comm_rank(comm) == 0) {
    FILE *f = fopen(path, "rb");
    struct stat sb;
    if (!f || (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode))) {
      v[0] = kseg_error_set(KSEG_ERR_INPUT, "cannot read %s: %s", path, f ? "is a directory" : strerror(errno));
    } else {
      unsigned char sig[8] = {0};
      size_t n = fread(sig, 1, 8, f);
      v[1] = n == 8 && memcmp(sig, "\211HDF\r\n\032\n", 8) == 0;
    }
    if (f) fclose(f);
  }
  int st = kseg_comm_agree(comm, v[0]);
  if (st) return st;
  KSEG_CHECK(kseg_comm_agree(comm, kseg_comm_bcast(comm, v, sizeof v, 0)));
  *is_h5 = v[1];
  return KSEG_OK;
}

/* Root creates DIR when missing and a fresh staging directory inside it;
 * every rank gets its name. */
static int make_stage(MPI_Comm comm, const char *dir, char *stage, size_t len, int *created)
{
  int st = KSEG_OK;
  memset(stage, 0, len);
  *created = 0;
  if (kseg_comm_rank(comm) == 0) {
    struct stat sb;
    if (stat(dir, &sb) != 0 && !(*created = mkdir(dir, 0777) == 0))
      st = kseg_error_set(KSEG_ERR_IO, "cannot create the output directory %s: %s", dir, strerror(errno));
    else if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode))
      st = kseg_error_set(KSEG_ERR_INPUT, "--out %s is not a directory", dir);
    if (!st) {
      snprintf(stage, len, "%s/.kseg-run.XXXXXX", dir);
      if (!mkdtemp(stage)) st = kseg_error_set(KSEG_ERR_IO, "cannot write in %s: %s", dir, strerror(errno));
    }
  }
  KSEG_CHECK(kseg_comm_agree(comm, st));
  return kseg_comm_agree(comm, kseg_comm_bcast(comm, stage, (int64_t)len, 0));
}

/* Outputs an earlier run may have left in DIR that this one writes only
 * later (the caller renders the report after the commit), or not at all. */
static const char *const stale_outputs[] = {"report.html", "plots"};

/* Root: remove `path`, a file or a directory of files (plots/). */
static void remove_tree(const char *path)
{
  DIR *d = opendir(path);
  if (d) {
    struct dirent *e;
    while ((e = readdir(d))) {
      if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
      char *p = path_join(path, e->d_name);
      if (p) remove(p);
      free(p);
    }
    closedir(d);
    rmdir(path);
  } else {
    remove(path);
  }
}

/* Root removes the staging directory and whatever is in it (temporary files
 * of a failed writer, an earlier run's plots/ moved out of DIR). */
static void drop_stage(MPI_Comm comm, const char *stage)
{
  if (kseg_comm_rank(comm) != 0 || !stage[0]) return;
  DIR *d = opendir(stage);
  if (d) {
    struct dirent *e;
    while ((e = readdir(d))) {
      if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
      char *p = path_join(stage, e->d_name);
      if (p) remove_tree(p);
      free(p);
    }
    closedir(d);
  }
  rmdir(stage);
}

/* Move the finished outputs into DIR (root; each rename is atomic). A
 * drift.json from an earlier warm-started run, a plan.csv from an earlier
 * run with a target, or rules from a run that had them, is removed when this
 * run has none, and an earlier report (report.html, plots/) is moved out
 * first, so DIR never mixes two runs: it holds the new outputs and, once the
 * caller has rendered it, the new report or none. */
static int commit_stage(MPI_Comm comm, const char *stage, const char *dir)
{
  int st = KSEG_OK;
  if (kseg_comm_rank(comm) == 0) {
    for (size_t i = 0; !st && i < sizeof stale_outputs / sizeof *stale_outputs; i++) {
      /* renamed into the staging directory (one atomic step each), removed with it */
      char *from = path_join(dir, stale_outputs[i]), *to = path_join(stage, stale_outputs[i]);
      if (!from || !to) st = KSEG_ERR_IO;
      else if (access(from, F_OK) == 0 && rename(from, to) != 0)
        st = kseg_error_set(KSEG_ERR_IO, "cannot move the earlier %s out of %s: %s", stale_outputs[i], dir,
                            strerror(errno));
      free(from);
      free(to);
    }
    for (int i = 0; !st && i < N_RUN_OUTPUTS; i++) {
      char *from = path_join(stage, run_outputs[i]), *to = path_join(dir, run_outputs[i]);
      if (!from || !to) st = KSEG_ERR_IO;
      else if (access(from, F_OK) == 0) {
        if (rename(from, to) != 0) st = kseg_error_set(KSEG_ERR_IO, "cannot move %s to %s: %s", from, to, strerror(errno));
      } else if (i == OUT_DRIFT || i == OUT_PLAN_CSV || i == OUT_RULES_JSON || i == OUT_RULES_TXT ||
                 i == OUT_RULES_SQL) {
        remove(to);
      }
      free(from);
      free(to);
    }
  }
  return kseg_comm_agree(comm, st);
}

/* What the steps hand each other; released by run_state_clear. */
typedef struct run_state {
  MPI_Comm comm;
  const kseg_run_options *opt;
  kseg_run_result *out;
  char *path[N_RUN_OUTPUTS];  /* run_outputs inside the staging directory */
  kseg_model *old;            /* the model retrained from, or NULL */
  kseg_table raw;
  int id_col;                 /* the customer id column, -1: none */
  kseg_prep_model *prep;
  int8_t *mask;
  kseg_matrix x;              /* the features */
  kseg_sweep_result sweep;
  int64_t k;
  double *init;               /* warm start: the carried old segments */
  kseg_kmeans_result fit;
  int32_t *labels;            /* from the scoring kernel, as `kseg assign` gives them */
  double *distance, *dist2;
  int32_t *rule_segment;      /* the segment the rules give each row, or NULL without rules */
  int *old_to_new;            /* warm start: new id of each old segment */
  kseg_model model;           /* borrows prep, the centroids and the profile's names; owns its schema */
  uint64_t *keys;
  int32_t *previous;          /* warm start: each customer's old segment, -1: new customer */
  kseg_plan_setup plan;       /* target, economics, folds */
  kseg_plan_k_row *by_k;      /* the sweep's ks scored by the plan (sweep.n_k rows) */
} run_state;

static void run_state_clear(run_state *s)
{
  /* the model borrowed the rest */
  free(s->model.original);
  free(s->model.segment_names);
  free(s->model.segment_actions);
  free(s->model.segment_decisions); /* the strings are static */
  kseg_table_clear(&s->model.schema);
  free(s->keys);
  free(s->previous);
  free(s->by_k);
  kseg_plan_setup_clear(&s->plan);
  free(s->old_to_new);
  free(s->init);
  free(s->dist2);
  free(s->distance);
  free(s->labels);
  free(s->rule_segment);
  kseg_kmeans_result_clear(&s->fit);
  kseg_sweep_result_clear(&s->sweep);
  kseg_model_free(&s->old);
  kseg_matrix_clear(&s->x);
  free(s->mask);
  kseg_prep_free(&s->prep);
  kseg_table_clear(&s->raw);
  for (int i = 0; i < N_RUN_OUTPUTS; i++) free(s->path[i]);
  memset(s, 0, sizeof *s);
}

/* The old model, and the customers as a raw table (raw.h5 staged). */
static int step_input(run_state *s)
{
  const kseg_run_options *opt = s->opt;
  MPI_Comm comm = s->comm;
  int st = KSEG_OK;
  if (opt->warm_start) {
    progress(opt, "loading the old model %s", opt->warm_start);
    KSEG_CHECK(name_step(kseg_model_load(comm, opt->warm_start, &s->old), "warm start"));
  }
  int is_h5 = 0;
  if (!opt->transactions) KSEG_CHECK(name_step(input_is_hdf5(comm, opt->in, &is_h5), "input"));
  if (opt->transactions) {
    progress(opt, "aggregating the transaction log %s per customer (RFM)", opt->in);
    kseg_rfm_options ropt = opt->rfm;
    ropt.columns[0] = opt->csv.id_column; /* --id, --decimal, --date-order, --encoding: the log's too */
    ropt.decimal = opt->csv.decimal;
    ropt.encoding = opt->csv.encoding;
    ropt.date_order = opt->csv.date_order == KSEG_CSV_ORDER_YMD ? 0 : (int)opt->csv.date_order;
    kseg_rfm_summary rsum = {0};
    st = kseg_rfm_run(comm, opt->in, s->path[OUT_RAW], &ropt, &rsum);
    kseg_rfm_summary_clear(&rsum);
    if (!st) st = kseg_h5_read_table(comm, s->path[OUT_RAW], NULL, 0, &s->raw);
    KSEG_CHECK(name_step(st, "rfm"));
  } else if (is_h5) {
    progress(opt, "reading the raw table %s", opt->in);
    st = kseg_h5_read_table(comm, opt->in, NULL, 0, &s->raw);
    /* --id names the id column of a table too; it must be there */
    if (!st && opt->csv.id_column) {
      int c = kseg_table_find(&s->raw, opt->csv.id_column);
      if (c < 0) st = kseg_error_set(KSEG_ERR_INPUT, "%s: --id column '%s' is not in /raw", opt->in, opt->csv.id_column);
      free(s->raw.id_column);
      s->raw.id_column = NULL;
      if (!st && !(s->raw.id_column = kseg_strings_dup(opt->csv.id_column))) st = KSEG_ERR_IO;
      st = kseg_comm_agree(comm, st);
    }
    if (!st) st = kseg_outputs_write_raw(comm, s->path[OUT_RAW], &s->raw, opt->in);
    KSEG_CHECK(name_step(st, "input"));
  } else {
    progress(opt, "importing %s", opt->in);
    kseg_csv_summary sum = {0};
    st = kseg_csv_import(comm, opt->in, s->path[OUT_RAW], &opt->csv, &sum);
    for (int i = 0; !st && i < sum.n_notes; i++) st = run_note(s->out, "%s", sum.notes[i]);
    kseg_csv_summary_clear(&sum);
    st = kseg_comm_agree(comm, st);
    if (!st) st = kseg_h5_read_table(comm, s->path[OUT_RAW], NULL, 0, &s->raw);
    KSEG_CHECK(name_step(st, "import"));
  }
  KSEG_CHECK(name_step(kseg_comm_agree(comm, kseg_comm_fault(comm, "run:input")), "input"));
  s->out->rows = s->raw.n_global;
  s->id_col = kseg_model_id_column(&s->raw);
  if (s->id_col >= 0 && !(s->out->id_column = kseg_strings_dup(s->raw.cols[s->id_col].name))) st = KSEG_ERR_IO;
  st = kseg_comm_agree(comm, st);
  if (!st && s->id_col >= 0 && (is_h5 || opt->transactions)) {
    /* a CSV import reported repeated ids already; a table read as it is is checked here */
    int64_t repeats = 0, missing = 0;
    kseg_csv_offending ex;
    st = kseg_csv_id_repeats(comm, &s->raw.cols[s->id_col], s->raw.row0, s->raw.n_local, NULL, &repeats, &missing, &ex);
    char list[600];
    kseg_csv_offending_text(&ex, list, sizeof list);
    if (!st && repeats)
      st = run_note(s->out, "%s: id column '%s': %lld row%s repeat%s the id of an earlier row (row + 2 as line): %s",
                    opt->in, s->out->id_column, (long long)repeats, repeats == 1 ? "" : "s", repeats == 1 ? "s" : "",
                    list);
    st = kseg_comm_agree(comm, st);
  }
  if (!st && s->id_col < 0 && !opt->transactions) {
    /* say which column looks like one: the first of distinct integers, none missing */
    int guess = -1;
    for (int c = 0; !st && guess < 0 && c < s->raw.n_cols; c++) {
      if (s->raw.cols[c].kind != KSEG_COL_NUMERIC) continue;
      int distinct = 0;
      st = kseg_stats_distinct_integers(comm, (kseg_stats_col){s->raw.cols[c].num, 1}, s->raw.n_local, &distinct);
      if (!st && distinct) guess = c;
    }
    char hint[300] = "";
    if (guess >= 0)
      snprintf(hint, sizeof hint, " ('%.200s' looks like one: distinct integers)", s->raw.cols[guess].name);
    if (!st)
      st = run_note(s->out, "%s: no id column (none named ID or *_ID, no text column): segments.csv numbers the rows "
                            "from 0; name the id column with --id COL%s",
                    opt->in, hint);
  }
  KSEG_CHECK(name_step(kseg_comm_agree(comm, st), "input"));
  /* the target, economics and folds are checked now: bad ones stop the run
   * before any work, with nothing written */
  return name_step(kseg_plan_prepare(comm, &s->raw, opt->target, &opt->plan, &s->plan), "plan");
}

/* The fitted preparation and the feature matrix (features.h5 staged). */
static int step_prep(run_state *s)
{
  const kseg_run_options *opt = s->opt;
  progress(opt, "preparing features of %lld customers", (long long)s->raw.n_global);
  kseg_prep_options popt = opt->prep;
  popt.recipe = opt->recipe;
  /* the target never enters the features, nor any feature built on it (the
   * marketing recipe's Total_Accepted sums AcceptedCmp1-5): the plan would be circular */
  popt.target = s->plan.target ? s->plan.target : opt->target;
  KSEG_CHECK(name_step(kseg_prep_fit(s->comm, &s->raw, &popt, &s->prep, &s->mask), "prep"));
  int st = KSEG_OK;
  for (int i = 0; !st && i < s->prep->n_dropped; i++)
    if (kseg_prep_dropped_notable(s->prep, i))
      st = run_note(s->out, "not a feature: '%s' (%s)", s->prep->dropped[i], s->prep->dropped_reason[i]);
  char unused[1024];
  if (!st && kseg_prep_unused_data(s->prep, unused, sizeof unused))
    st = run_note(s->out, "columns with data that are not features: %s", unused);
  KSEG_CHECK(name_step(kseg_comm_agree(s->comm, st), "prep"));
  if (opt->autoencoder) {
    progress(opt, "training the autoencoder (%d features)", s->prep->n_features);
    st = kseg_projection_fit_autoencoder(s->comm, s->prep, &s->raw, s->mask, opt->autoencoder, NULL, NULL, NULL);
  } else if (opt->pca > 0) {
    progress(opt, "fitting PCA on %d features", s->prep->n_features);
    st = kseg_projection_fit_pca(s->comm, s->prep, &s->raw, s->mask, opt->pca);
  }
  KSEG_CHECK(name_step(st, "prep"));
  st = kseg_prep_apply_matrix(s->comm, s->prep, &s->raw, &s->x);
  if (!st && !(s->out->recipe = kseg_strings_dup(s->prep->recipe ? s->prep->recipe : ""))) st = KSEG_ERR_IO;
  st = kseg_comm_agree(s->comm, st);
  if (!st) st = kseg_outputs_write_features(s->comm, s->path[OUT_FEATURES], "/features", &s->x, s->prep, s->mask);
  KSEG_CHECK(name_step(st, "prep"));
  s->out->features = s->x.d;
  return KSEG_OK;
}

/* The campaign plan of every swept k: labels from the sweep's centroids
 * through the fit's own kernel, counts per (segment, fold) tallied for all
 * ks into one buffer and reduced once, then each k's plan and
 * cross-validated score from its counts (identical on every rank). */
static int score_sweep(run_state *s)
{
  MPI_Comm comm = s->comm;
  const kseg_sweep_result *sw = &s->sweep;
  const int F = s->plan.folds;
  const int64_t n_local = s->raw.n_local;
  int64_t total = 0;
  for (int64_t i = 0; i < sw->n_k; i++) total += kseg_plan_cells((int)sw->rows[i].k, F);
  int64_t *cells = kseg_calloc((size_t)(total > 0 ? total : 1), sizeof *cells, "plan counts");
  int32_t *labels = kseg_malloc(sizeof *labels * (size_t)(n_local + 1), "sweep labels");
  s->by_k = kseg_calloc((size_t)(sw->n_k > 0 ? sw->n_k : 1), sizeof *s->by_k, "plan by k");
  int st = kseg_comm_agree(comm, cells && labels && s->by_k ? KSEG_OK : KSEG_ERR_IO);
  for (int64_t i = 0, at = 0; !st && s->plan.target && i < sw->n_k; i++) {
    const kseg_sweep_row *row = &sw->rows[i];
    st = kseg_kmeans_assign(&s->x, row->centroids, row->k, labels, NULL);
    if (!st) st = kseg_plan_tally(&s->plan, &s->raw, labels, (int)row->k, cells + at);
    at += kseg_plan_cells((int)row->k, F);
  }
  st = kseg_comm_agree(comm, st);
  if (!st && s->plan.target) st = kseg_comm_agree(comm, kseg_comm_sum_i64(comm, cells, total));
  for (int64_t i = 0, at = 0; !st && i < sw->n_k; i++) {
    const int k = (int)sw->rows[i].k;
    kseg_plan *p = NULL;
    st = kseg_plan_build(&s->plan, k, cells + at, &p);
    if (!st) kseg_plan_k_row_fill(p, k, &s->by_k[i]);
    kseg_plan_free(&p);
    at += kseg_plan_cells(k, F);
  }
  free(cells);
  free(labels);
  return kseg_comm_agree(comm, st);
}

/* The per-k business columns of sweep.h5 (docs/plan.md). Local. */
static int add_business_columns(kseg_sweep_result *sw, const kseg_plan_k_row *by_k, kseg_plan_score_kind kind)
{
  const char *name = kseg_plan_score_name(kind);
  char key[64];
  double *v[5] = {NULL};
  v[0] = kseg_sweep_add_extra(sw, name);
  snprintf(key, sizeof key, "%s_sd", name);
  if (v[0]) v[1] = kseg_sweep_add_extra(sw, key);
  snprintf(key, sizeof key, "%s_se", name);
  if (v[1]) v[2] = kseg_sweep_add_extra(sw, key);
  if (!v[2]) return KSEG_ERR_IO;
  if (kind == KSEG_PLAN_SCORE_PROFIT) {
    if (!(v[3] = kseg_sweep_add_extra(sw, "plan_segments")) || !(v[4] = kseg_sweep_add_extra(sw, "plan_customers")))
      return KSEG_ERR_IO;
  }
  for (int64_t i = 0; i < sw->n_k; i++) {
    if (by_k[i].cv.kind != kind) continue;
    v[0][i] = by_k[i].cv.total;
    v[1][i] = by_k[i].cv.sd;
    v[2][i] = by_k[i].cv.se;
    if (v[3]) v[3][i] = by_k[i].segments_contacted;
    if (v[4]) v[4][i] = (double)by_k[i].customers_contacted;
  }
  return KSEG_OK;
}

/* The k sweep and its recommendation (sweep.h5 staged). */
static int step_sweep(run_state *s)
{
  const kseg_run_options *opt = s->opt;
  const int64_t n = s->raw.n_global;
  int st = KSEG_OK;
  kseg_sweep_options so;
  kseg_sweep_options_default(&so);
  /* --min-segments narrows the range itself: ks below the business floor
   * are neither candidates nor worth computing */
  so.k_min = opt->k_min > opt->min_segments ? opt->k_min : opt->min_segments;
  so.k_max = opt->k_max;
  if (so.k_max > n - 1) so.k_max = n - 1;
  if (so.k_min < 2) so.k_min = 2;
  /* at least 10 customers per segment: fewer make segments of a handful of people that no
   * campaign can use, and a profile of noise */
  enum { PER_SEGMENT = 10 };
  const int64_t k_floor = opt->k_min > opt->min_segments ? opt->k_min : opt->min_segments;
  if (!opt->force && n < PER_SEGMENT * k_floor)
    st = kseg_error_set(KSEG_ERR_INPUT,
                        "%lld customers are too few for %lld segments: kseg wants at least %d customers per segment "
                        "(%lld); lower --min-segments (or --k), or pass --force",
                        (long long)n, (long long)k_floor, PER_SEGMENT, (long long)(PER_SEGMENT * k_floor));
  if (!st && !opt->force && so.k_max > n / PER_SEGMENT) {
    st = run_note(s->out, "%lld customers: k above %lld (fewer than %d customers per segment) left out of the sweep",
                  (long long)n, (long long)(n / PER_SEGMENT), PER_SEGMENT);
    so.k_max = n / PER_SEGMENT;
  }
  if (!st && so.k_min > so.k_max)
    st = kseg_error_set(KSEG_ERR_INPUT, "no k to sweep: k %lld..%lld with --min-segments %lld and %lld customers",
                        (long long)opt->k_min, (long long)opt->k_max, (long long)opt->min_segments, (long long)n);
  KSEG_CHECK(name_step(kseg_comm_agree(s->comm, st), "sweep"));
  so.n_init = opt->n_init;
  so.gap_b = opt->gap_b;
  so.stability_b = opt->stability_b;
  so.seed = opt->seed;
  so.max_segments = opt->max_segments;
  /* the exact silhouette is O(N^2 D): above 10000 customers a seeded
   * sample of 10000 rows (rank-invariant) keeps the sweep's cost bounded */
  if (n > 10000) {
    so.silhouette = KSEG_SWEEP_SIL_SAMPLE;
    so.silhouette_sample = 10000;
  }
  so.input = opt->in;
  /* Big inputs: the sweep on a seeded sample (the same for any rank count),
   * the chosen k fitted on every customer afterwards (step_fit). */
  const int64_t sample = opt->sweep_sample >= 0 ? opt->sweep_sample
                         : (n > KSEG_RUN_SAMPLE_ABOVE ? KSEG_RUN_SAMPLE_ROWS : 0);
  s->out->sweep_rows = n;
  if (sample > 0 && sample < n) {
    so.sample = sample;
    s->out->sweep_rows = sample;
    s->out->sweep_sampled_by_default = opt->sweep_sample < 0;
    progress(opt, "the sweep runs on a seeded sample of %lld of the %lld customers%s", (long long)sample,
             (long long)n, s->out->sweep_sampled_by_default ? " (the default above 2,000,000; --sweep-sample 0 sweeps "
                                                              "them all)" : "");
  }
  progress(opt, "sweeping k = %lld..%lld (%d restarts each)", (long long)so.k_min, (long long)so.k_max, so.n_init);
  KSEG_CHECK(name_step(kseg_sweep_run(s->comm, &s->x, &so, &s->sweep), "sweep"));

  /* the k that pays: each k's cross-validated campaign score, the business
   * rule within --min-segments..--max-segments, the vote as the fallback */
  kseg_sweep_result *sw = &s->sweep;
  kseg_plan_k_choice *choice = &s->out->choice;
  if (s->plan.target) progress(opt, "scoring k = %lld..%lld by the campaign plan (%d folds)", (long long)so.k_min,
                               (long long)so.k_max, s->plan.folds);
  KSEG_CHECK(name_step(score_sweep(s), "plan"));
  kseg_plan_choose_k(&s->plan, s->by_k, sw->n_k, opt->min_segments, opt->max_segments, sw->recommended_k, choice);
  kseg_plan_score_kind kind = KSEG_PLAN_SCORE_NONE;
  for (int64_t i = 0; i < sw->n_k && !kind; i++) kind = s->by_k[i].cv.kind;
  st = kind ? add_business_columns(sw, s->by_k, kind) : KSEG_OK;
  sw->k_internal = sw->recommended_k;
  sw->k_business = choice->k_business;
  snprintf(sw->internal_recommendation, sizeof sw->internal_recommendation, "%s", sw->recommendation);
  snprintf(sw->business_rule, sizeof sw->business_rule, "%s", choice->rule);
  sw->recommended_k = choice->k;
  if (choice->k_business >= 0) snprintf(sw->recommendation, sizeof sw->recommendation, "%s", choice->rule);
  st = kseg_comm_agree(s->comm, st);
  if (!st) st = kseg_sweep_write(s->comm, s->path[OUT_SWEEP], sw, &so, NULL, true);
  KSEG_CHECK(name_step(st, "sweep"));
  s->out->recommended_k = sw->recommended_k;
  snprintf(s->out->recommendation, sizeof s->out->recommendation, "%s", sw->recommendation);
  snprintf(s->out->internal_recommendation, sizeof s->out->internal_recommendation, "%s",
           sw->internal_recommendation);
  return KSEG_OK;
}

/* The sweep's best restart of one k as a fit result: centroids (copied),
 * inertia, iterations, convergence and kernel; no labels (step_fit takes
 * them from the scoring kernel). Local. */
static int sweep_fit(const kseg_sweep_row *row, int64_t d, const kseg_matrix *x, kseg_kmeans_result *fit)
{
  memset(fit, 0, sizeof *fit);
  fit->centroids = kseg_malloc(sizeof(double) * (size_t)(row->k * d), "centroids");
  if (!fit->centroids) return KSEG_ERR_IO;
  memcpy(fit->centroids, row->centroids, sizeof(double) * (size_t)(row->k * d));
  fit->k = row->k;
  fit->d = d;
  fit->row0 = x->row0;
  fit->n_local = x->n_local;
  fit->inertia = row->inertia;
  fit->n_iter = (int)row->n_iter;
  fit->converged = row->converged != 0;
  fit->algorithm = (kseg_kmeans_algorithm)row->algorithm;
  fit->best_restart = row->best_restart;
  return KSEG_OK;
}

/* k-means at the chosen k (from the old segments when retraining), then
 * every customer's label and distance from the scoring kernel. */
static int step_fit(run_state *s)
{
  const kseg_run_options *opt = s->opt;
  MPI_Comm comm = s->comm;
  const kseg_model *old = s->old;
  int64_t k = s->sweep.recommended_k;
  int st = KSEG_OK;
  if (old && !opt->k_fixed) k = old->k; /* retraining keeps the CRM's segments unless asked otherwise */
  if (old && !opt->force && s->raw.n_global < 10 * k)
    st = kseg_error_set(KSEG_ERR_INPUT,
                        "%lld customers are too few for the old model's %lld segments (at least 10 per segment); "
                        "give --k, or pass --force",
                        (long long)s->raw.n_global, (long long)k);
  else if (k > s->raw.n_global)
    st = kseg_error_set(KSEG_ERR_INPUT, "k = %lld is more than the %lld customers", (long long)k,
                        (long long)s->raw.n_global);
  KSEG_CHECK(name_step(kseg_comm_agree(comm, st), "fit"));
  s->k = k;
  kseg_kmeans_options ko;
  kseg_kmeans_options_default(&ko);
  ko.k = k;
  ko.n_init = opt->n_init;
  ko.seed = opt->seed;
  if (old) {
    s->init = kseg_malloc(sizeof(double) * (size_t)k * (size_t)s->x.d, "initial centroids");
    st = kseg_comm_agree(comm, s->init ? KSEG_OK : KSEG_ERR_IO);
    if (!st) {
      progress(opt, "carrying the %d old segments into the new features", old->k);
      st = kseg_warmstart_init(comm, old, &s->raw, &s->x, (int)k, opt->seed, s->init, &s->out->warm_empty);
    }
    char step[4200];
    snprintf(step, sizeof step, "warm start from %s", opt->warm_start);
    KSEG_CHECK(name_step(st, step));
    ko.init = KSEG_INIT_GIVEN;
    ko.init_centroids = s->init;
    ko.n_init = 1;
    s->out->warm = true;
  }
  /* The sweep's fit of this k: on a sample, the start of the fit on every
   * customer; on every customer, already the fit itself (the same restarts
   * from the same seed: kseg_kmeans_fit would give the same bits). */
  const kseg_sweep_row *swept = NULL;
  for (int64_t i = 0; !old && i < s->sweep.n_k; i++)
    if (s->sweep.rows[i].k == k) swept = &s->sweep.rows[i];
  if (swept && s->sweep.n < s->raw.n_global) {
    ko.init = KSEG_INIT_GIVEN;
    ko.init_centroids = swept->centroids;
    ko.n_init = 1;
    progress(opt, "fitting k = %lld on all %lld customers, from the sample's centroids", (long long)k,
             (long long)s->raw.n_global);
  } else if (swept) {
    progress(opt, "k = %lld: the sweep's fit (its %d restarts ran on every customer)", (long long)k, opt->n_init);
  } else {
    progress(opt, "fitting k = %lld", (long long)k);
  }
  if (swept && s->sweep.n == s->raw.n_global) st = sweep_fit(swept, s->x.d, &s->x, &s->fit);
  else st = kseg_kmeans_fit(comm, &s->x, &ko, &s->fit);
  KSEG_CHECK(name_step(kseg_comm_agree(comm, st), "fit"));
  const int64_t n_local = s->raw.n_local;
  s->labels = kseg_malloc(sizeof(int32_t) * (size_t)(n_local + 1), "labels");
  s->dist2 = kseg_malloc(sizeof(double) * (size_t)(n_local + 1), "distances");
  s->distance = kseg_malloc(sizeof(double) * (size_t)(n_local + 1), "distances");
  if (old) s->old_to_new = kseg_malloc(sizeof(int) * (size_t)old->k, "segment ids");
  /* agreed before the collective warm-start step, which a failing rank would skip */
  st = kseg_comm_agree(comm, s->labels && s->dist2 && s->distance && (s->old_to_new || !old) ? KSEG_OK : KSEG_ERR_IO);
  /* ids of the old segments: match the fitted centroids to the carried ones
   * (the warm start's own starting points for k == old k) */
  if (!st && old) st = kseg_warmstart_keep_ids(comm, old, &s->raw, &s->x, opt->seed, &s->fit, s->old_to_new);
  if (!st) st = kseg_kmeans_assign(&s->x, s->fit.centroids, k, s->labels, s->dist2);
  for (int64_t i = 0; !st && i < n_local; i++) s->distance[i] = sqrt(s->dist2[i]);
  KSEG_CHECK(name_step(kseg_comm_agree(comm, st), "fit"));
  kseg_run_result *out = s->out;
  out->k = (int)k;
  out->inertia = s->fit.inertia;
  out->n_iter = s->fit.n_iter;
  out->converged = s->fit.converged;
  out->silhouette = NAN;
  for (int64_t i = 0; i < s->sweep.n_k; i++)
    if (s->sweep.rows[i].k == k && !old) out->silhouette = s->sweep.rows[i].silhouette;
  return KSEG_OK;
}

/* Segment profiles in original units (profiles.csv/.json/.h5 staged). */
static int step_profile(run_state *s)
{
  progress(s->opt, "profiling %lld segments and planning the campaign", (long long)s->k);
  kseg_profile_options pro = {.target = s->opt->target, .plan = s->opt->plan, .currency = s->opt->currency};
  int st = kseg_profile_compute(s->comm, &s->raw, s->labels, (int)s->k, &pro, &s->out->profile);
  if (!st) st = kseg_profile_write(s->comm, s->out->profile, s->path[OUT_PROFILES]);
  KSEG_CHECK(name_step(st, "profile"));
  kseg_plan *plan = s->out->profile->plan;
  st = kseg_comm_agree(s->comm, kseg_plan_attach_sweep(plan, s->by_k, s->sweep.n_k, &s->out->choice));
  if (!st) st = kseg_plan_write(s->comm, plan, (const char *const *)s->out->profile->names, s->path[OUT_PLAN_CSV],
                                s->path[OUT_PLAN_JSON]);
  return name_step(kseg_comm_agree(s->comm, st), "plan");
}

/* The segment rules (rules.json/.txt/.sql staged) and each customer's rule
 * segment. A --rule-leaves outside k..4k stops the run; a preparation whose
 * features cannot be written in raw units gives no rules and a note. */
static int step_rules(run_state *s)
{
  const kseg_run_options *opt = s->opt;
  const int k = (int)s->k;
  int st = KSEG_OK;
  if (opt->rule_leaves && (opt->rule_leaves < k || opt->rule_leaves > 4 * k))
    st = kseg_error_set(KSEG_ERR_INPUT, "--rule-leaves %d is outside %d..%d: the tree needs a leaf per segment "
                        "(k = %d) and at most 4k leaves to stay readable", opt->rule_leaves, k, 4 * k, k);
  KSEG_CHECK(name_step(kseg_comm_agree(s->comm, st), "rules"));
  progress(opt, "explaining the %d segments with rules (a tree of up to %d leaves)", k,
           opt->rule_leaves ? opt->rule_leaves : 2 * k);
  const kseg_rules_options ro = {.max_leaves = opt->rule_leaves};
  st = kseg_rules_build(s->comm, s->prep, &s->raw, &s->x, s->fit.centroids, k, s->labels, &ro, &s->out->rules);
  if (st == KSEG_ERR_INPUT) {
    /* agreed: every rank has the message */
    snprintf(s->out->rules_note, sizeof s->out->rules_note, "no segment rules: %s", kseg_error_message());
    kseg_error_clear();
    return KSEG_OK;
  }
  KSEG_CHECK(name_step(st, "rules"));
  s->rule_segment = kseg_malloc(sizeof(int32_t) * (size_t)(s->raw.n_local + 1), "rule segments");
  st = s->rule_segment ? kseg_rules_assign(s->out->rules, s->prep, &s->raw, s->rule_segment) : KSEG_ERR_IO;
  st = kseg_comm_agree(s->comm, st);
  const char **names = kseg_calloc((size_t)k + 1, sizeof *names, "segment names");
  if (!st && !names) st = KSEG_ERR_IO;
  st = kseg_comm_agree(s->comm, st);
  if (!st) {
    for (int i = 0; i < k; i++) names[i] = kseg_profile_segment_name(s->out->profile, i);
    const kseg_rules_labels lb = {.names = names, .id_column = s->out->id_column, .currency = opt->currency};
    st = kseg_rules_write(s->comm, s->out->rules, &lb, s->path[OUT_RULES_JSON]);
  }
  free(names);
  return name_step(st, "rules");
}

/* model.h5, drift.json when retraining, result.h5 and segments.csv. */
static int step_write(run_state *s)
{
  const kseg_run_options *opt = s->opt;
  MPI_Comm comm = s->comm;
  const int k = (int)s->k;
  kseg_model *model = &s->model;
  progress(opt, "writing the model, labels and segments.csv");
  model->prep = s->prep;
  model->k = k;
  model->d = s->x.d;
  model->centroids = s->fit.centroids;
  model->n_original = s->prep->n_features;
  model->original = kseg_malloc(sizeof(double) * (size_t)k * (size_t)s->prep->n_features + 1, "original means");
  model->segment_names = kseg_calloc((size_t)k, sizeof(char *), "segment names");
  model->segment_actions = kseg_calloc((size_t)k, sizeof(char *), "segment actions");
  s->keys = kseg_malloc(sizeof(uint64_t) * (size_t)(s->raw.n_local + 1), "customer keys");
  model->id_column = s->out->id_column;
  /* how the training table was read, so new customers of the same export are read alike */
  int st = kseg_model_schema_of(&s->raw, &model->schema);
  if (!st && !(model->original && model->segment_names && model->segment_actions && s->keys)) st = KSEG_ERR_IO;
  for (int i = 0; !st && i < k; i++) {
    model->segment_names[i] = (char *)kseg_profile_segment_name(s->out->profile, i);
    model->segment_actions[i] = (char *)kseg_profile_segment_action(s->out->profile, i);
  }
  /* the campaign decisions travel with the model to the scored CSVs of kseg assign */
  const kseg_plan *plan = s->out->profile->plan;
  if (!st && plan && plan->money) {
    model->segment_decisions = kseg_calloc((size_t)k + 1, sizeof(char *), "segment decisions");
    if (!model->segment_decisions) st = KSEG_ERR_IO;
    for (int i = 0; !st && i < k; i++)
      model->segment_decisions[i] = (char *)kseg_plan_decision_name(plan->segments[i].decision);
  }
  st = kseg_comm_agree(comm, st);
  if (!st) st = kseg_model_original_means(comm, s->prep, &s->raw, s->labels, k, model->original);
  if (!st) st = kseg_model_fingerprint(comm, &s->raw, &model->train_rows, &model->train_hash);
  if (!st) {
    kseg_model_row_keys(&s->raw, s->id_col, s->keys);
    kseg_model_train tr = {s->raw.n_global, s->raw.row0, s->raw.n_local, s->keys, s->labels};
    st = kseg_model_save(comm, s->path[OUT_MODEL], model, &tr);
  }
  KSEG_CHECK(name_step(st, "model"));
  if (s->old) {
    progress(opt, "measuring drift against %s", opt->warm_start);
    st = kseg_warmstart_drift(comm, opt->warm_start, s->old, s->old_to_new, s->keys, s->labels, s->raw.n_local, k,
                              &s->out->drift);
    if (!st) st = kseg_warmstart_write_json(comm, s->path[OUT_DRIFT], &s->out->drift, s->old, model, s->old_to_new);
    KSEG_CHECK(name_step(st, "drift"));
  }
  const kseg_result_file rf = {.n_global = s->x.n_global, .row0 = s->x.row0, .n_local = s->x.n_local,
                                .labels = s->labels, .distance = s->distance, .k = k,
                                .segment_names = (const char *const *)model->segment_names, .fit = &s->fit,
                                .columns = (const char *const *)s->x.columns,
                                .recommended_k = s->sweep.recommended_k};
  KSEG_CHECK(name_step(kseg_outputs_write_result(comm, s->path[OUT_RESULT], &rf), "result"));
  if (s->old) {
    /* each customer's segment in the old model, for the CRM's history */
    s->previous = kseg_malloc(sizeof *s->previous * (size_t)(s->raw.n_local + 1), "previous segments");
    st = kseg_comm_agree(comm, s->previous ? KSEG_OK : KSEG_ERR_IO);
    if (!st) st = kseg_warmstart_previous(comm, opt->warm_start, s->keys, s->raw.n_local, s->previous);
    KSEG_CHECK(name_step(st, "previous segments"));
  }
  const kseg_segments_file sf = {.raw = &s->raw, .id_col = s->id_col, .labels = s->labels, .distance = s->distance,
                                 .k = k, .names = (const char *const *)model->segment_names,
                                 .previous = s->previous, .rule_column = true,
                                 .rule_segment = s->rule_segment}; /* the decisions are in plan.csv and the model */
  st = kseg_outputs_write_segments(comm, s->path[OUT_SEGMENTS], &sf);
  if (!st) st = kseg_comm_agree(comm, kseg_comm_fault(comm, "run:write"));
  return name_step(st, "segments");
}

/* The whole pipeline inside the staging directory `stage`: each step is
 * collective, returns an agreed status naming itself, and is timed into
 * out->step_seconds. */
static int run_steps(MPI_Comm comm, const kseg_run_options *opt, const char *stage, kseg_run_result *out)
{
  static int (*const steps[])(run_state *) = {step_input, step_prep,  step_sweep, step_fit,
                                              step_profile, step_rules, step_write};
  const double t0 = kseg_now();
  run_state s = {.comm = comm, .opt = opt, .out = out, .id_col = -1};
  int st = KSEG_OK;
  for (int i = 0; i < N_RUN_OUTPUTS; i++)
    if (!(s.path[i] = path_join(stage, run_outputs[i]))) st = KSEG_ERR_IO;
  st = name_step(kseg_comm_agree(comm, st), "setup");
  for (int i = 0; !st && i < (int)(sizeof steps / sizeof steps[0]); i++) {
    const double t = kseg_now();
    st = steps[i](&s);
    out->step_seconds[i] = kseg_now() - t;
  }
  if (!st) out->seconds = kseg_now() - t0;
  run_state_clear(&s);
  return kseg_comm_agree(comm, st);
}

int kseg_run_pipeline(MPI_Comm comm, const kseg_run_options *opt, kseg_run_result *out)
{
  memset(out, 0, sizeof *out);
  int st = KSEG_OK;
  if (!opt->in || !opt->out_dir || !opt->out_dir[0])
    st = kseg_error_set(KSEG_ERR_INPUT, "run needs an input file and an output directory");
  else if (opt->n_init < 1 || opt->k_min < 1 || opt->k_min > opt->k_max || opt->min_segments < 1 ||
           opt->max_segments < opt->min_segments)
    st = kseg_error_set(KSEG_ERR_INPUT, "bad options: n_init %d, k %lld..%lld, segments %lld..%lld", opt->n_init,
                        (long long)opt->k_min, (long long)opt->k_max, (long long)opt->min_segments,
                        (long long)opt->max_segments);
  KSEG_CHECK(kseg_comm_agree(comm, st));
  const double t0 = kseg_now();
  char stage[4096];
  int created = 0;
  KSEG_CHECK(name_step(make_stage(comm, opt->out_dir, stage, sizeof stage, &created), "output"));
  st = run_steps(comm, opt, stage, out);
  if (!st) {
    const double t = kseg_now();
    st = name_step(commit_stage(comm, stage, opt->out_dir), "commit");
    out->step_seconds[7] = kseg_now() - t;
  }
  drop_stage(comm, stage);
  if (st && created) rmdir(opt->out_dir); /* a failed first run leaves no empty DIR behind */
  st = kseg_comm_agree(comm, st);
  out->seconds = kseg_now() - t0;
  if (!st) st = kseg_comm_agree(comm, kseg_comm_max_f64(comm, &out->seconds, 1));
  if (st) kseg_run_result_clear(out);
  return st;
}
