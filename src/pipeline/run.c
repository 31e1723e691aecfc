/* run.c - the main job: import -> prep -> sweep -> fit -> profile -> model,
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
#include "kseg/kseg_run.h"
#include "kseg/kseg_rfm.h"
#include "kseg/kseg_sweep.h"

/* Files a run produces, in the order they are moved into DIR. */
static const char *const run_outputs[] = {"raw.h5",       "features.h5",   "sweep.h5",     "model.h5",
                                          "result.h5",    "segments.csv",  "profiles.csv", "profiles.json",
                                          "profiles.h5",  "drift.json"};
#define N_RUN_OUTPUTS ((int)(sizeof run_outputs / sizeof run_outputs[0]))

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
}

void kseg_run_result_clear(kseg_run_result *r)
{
  if (!r) return;
  free(r->id_column);
  free(r->recipe);
  kseg_profile_free(&r->profile);
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

/* Root removes the staging directory and whatever is in it (temporary files
 * of a failed writer included). */
static void drop_stage(MPI_Comm comm, const char *stage)
{
  if (kseg_comm_rank(comm) != 0 || !stage[0]) return;
  DIR *d = opendir(stage);
  if (d) {
    struct dirent *e;
    while ((e = readdir(d))) {
      if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
      char *p = path_join(stage, e->d_name);
      if (p) remove(p);
      free(p);
    }
    closedir(d);
  }
  rmdir(stage);
}

/* Move the finished outputs into DIR (root; each rename is atomic). A
 * drift.json from an earlier warm-started run is removed when this run has
 * none, so DIR never mixes two runs. */
static int commit_stage(MPI_Comm comm, const char *stage, const char *dir)
{
  int st = KSEG_OK;
  if (kseg_comm_rank(comm) == 0) {
    for (int i = 0; !st && i < N_RUN_OUTPUTS; i++) {
      char *from = path_join(stage, run_outputs[i]), *to = path_join(dir, run_outputs[i]);
      if (!from || !to) st = KSEG_ERR_IO;
      else if (access(from, F_OK) == 0) {
        if (rename(from, to) != 0) st = kseg_error_set(KSEG_ERR_IO, "cannot move %s to %s: %s", from, to, strerror(errno));
      } else if (strcmp(run_outputs[i], "drift.json") == 0) {
        remove(to);
      }
      free(from);
      free(to);
    }
  }
  return kseg_comm_agree(comm, st);
}

/* The whole pipeline inside the staging directory `stage`. */
static int run_steps(MPI_Comm comm, const kseg_run_options *opt, const char *stage, kseg_run_result *out)
{
  const double t0 = kseg_now();
  double t = t0;
  int st = KSEG_OK;
  kseg_table raw = {0};
  kseg_prep_model *prep = NULL;
  int8_t *mask = NULL;
  kseg_matrix x = {0};
  kseg_sweep_result sw = {0};
  kseg_kmeans_result fr = {0};
  kseg_model *old = NULL;
  double *init = NULL, *dist2 = NULL, *distance = NULL;
  int32_t *labels = NULL;
  uint64_t *keys = NULL;
  kseg_model model = {0};
  int *old_to_new = NULL;
  char *p_raw = path_join(stage, "raw.h5"), *p_feat = path_join(stage, "features.h5");
  char *p_sweep = path_join(stage, "sweep.h5"), *p_model = path_join(stage, "model.h5");
  char *p_result = path_join(stage, "result.h5"), *p_seg = path_join(stage, "segments.csv");
  char *p_prof = path_join(stage, "profiles.csv"), *p_drift = path_join(stage, "drift.json");
  st = p_raw && p_feat && p_sweep && p_model && p_result && p_seg && p_prof && p_drift ? KSEG_OK : KSEG_ERR_IO;
  KSEG_CHECK_GOTO(name_step(kseg_comm_agree(comm, st), "setup"), st, done);

  /* ---- input ---- */
  if (opt->warm_start) {
    progress(opt, "loading the old model %s", opt->warm_start);
    KSEG_CHECK_GOTO(name_step(kseg_model_load(comm, opt->warm_start, &old), "warm start"), st, done);
  }
  int is_h5 = 0;
  if (!opt->transactions) KSEG_CHECK_GOTO(name_step(input_is_hdf5(comm, opt->in, &is_h5), "input"), st, done);
  if (opt->transactions) {
    progress(opt, "aggregating the transaction log %s per customer (RFM)", opt->in);
    kseg_rfm_options ropt = {0};
    kseg_rfm_summary rsum = {0};
    st = kseg_rfm_run(comm, opt->in, p_raw, &ropt, &rsum);
    kseg_rfm_summary_clear(&rsum);
    if (!st) st = kseg_h5_read_table(comm, p_raw, NULL, 0, &raw);
    KSEG_CHECK_GOTO(name_step(st, "rfm"), st, done);
  } else if (is_h5) {
    progress(opt, "reading the raw table %s", opt->in);
    st = kseg_h5_read_table(comm, opt->in, NULL, 0, &raw);
    if (!st) st = kseg_outputs_write_raw(comm, p_raw, &raw, opt->in);
    KSEG_CHECK_GOTO(name_step(st, "input"), st, done);
  } else {
    progress(opt, "importing %s", opt->in);
    kseg_csv_summary sum = {0};
    st = kseg_csv_import(comm, opt->in, p_raw, NULL, &sum);
    kseg_csv_summary_clear(&sum);
    if (!st) st = kseg_h5_read_table(comm, p_raw, NULL, 0, &raw);
    KSEG_CHECK_GOTO(name_step(st, "import"), st, done);
  }
  KSEG_CHECK_GOTO(name_step(kseg_comm_agree(comm, kseg_comm_fault(comm, "run:input")), "input"), st, done);
  out->rows = raw.n_global;
  const int id_col = kseg_model_id_column(&raw);
  if (id_col >= 0 && !(out->id_column = strdup(raw.cols[id_col].name))) st = kseg_error_nomem("name", 64);
  KSEG_CHECK_GOTO(name_step(kseg_comm_agree(comm, st), "input"), st, done);
  out->step_seconds[0] = kseg_now() - t;
  t = kseg_now();

  /* ---- prep ---- */
  progress(opt, "preparing features of %lld customers", (long long)raw.n_global);
  kseg_prep_options popt = {.recipe = opt->recipe};
  KSEG_CHECK_GOTO(name_step(kseg_prep_fit(comm, &raw, &popt, &prep, &mask), "prep"), st, done);
  const int W = kseg_prep_width(prep);
  st = kseg_prep_apply_matrix(comm, prep, &raw, &x);
  if (!st && !(out->recipe = strdup(prep->recipe ? prep->recipe : ""))) st = kseg_error_nomem("name", 16);
  st = kseg_comm_agree(comm, st);
  if (!st) st = kseg_outputs_write_features(comm, p_feat, "/features", &x, prep, NULL);
  KSEG_CHECK_GOTO(name_step(st, "prep"), st, done);
  out->features = W;
  out->step_seconds[1] = kseg_now() - t;
  t = kseg_now();

  /* ---- sweep ---- */
  kseg_sweep_options so;
  kseg_sweep_options_default(&so);
  /* --min-segments narrows the range itself: ks below the business floor
   * are neither candidates nor worth computing */
  so.k_min = opt->k_min > opt->min_segments ? opt->k_min : opt->min_segments;
  so.k_max = opt->k_max;
  if (so.k_max > raw.n_global - 1) so.k_max = raw.n_global - 1;
  if (so.k_min < 2) so.k_min = 2;
  if (so.k_min > so.k_max)
    st = kseg_error_set(KSEG_ERR_INPUT, "no k to sweep: k %lld..%lld with --min-segments %lld and %lld customers",
                        (long long)opt->k_min, (long long)opt->k_max, (long long)opt->min_segments,
                        (long long)raw.n_global);
  KSEG_CHECK_GOTO(name_step(kseg_comm_agree(comm, st), "sweep"), st, done);
  so.n_init = opt->n_init;
  so.gap_b = opt->gap_b;
  so.stability_b = opt->stability_b;
  so.seed = opt->seed;
  so.max_segments = opt->max_segments;
  /* the exact silhouette is O(N^2 D): above 10000 customers a seeded
   * sample of 10000 rows (rank-invariant) keeps the sweep's cost bounded */
  if (raw.n_global > 10000) {
    so.silhouette = KSEG_SWEEP_SIL_SAMPLE;
    so.silhouette_sample = 10000;
  }
  so.input = opt->in;
  progress(opt, "sweeping k = %lld..%lld (%d restarts each)", (long long)so.k_min, (long long)so.k_max, so.n_init);
  st = kseg_sweep_run(comm, &x, &so, &sw);
  if (!st) st = kseg_sweep_write(comm, p_sweep, &sw, &so, NULL, true);
  KSEG_CHECK_GOTO(name_step(st, "sweep"), st, done);
  out->recommended_k = sw.recommended_k;
  snprintf(out->recommendation, sizeof out->recommendation, "%s", sw.recommendation);
  out->step_seconds[2] = kseg_now() - t;
  t = kseg_now();

  /* ---- fit ---- */
  int64_t k = sw.recommended_k;
  if (old && !opt->k_fixed) k = old->k; /* retraining keeps the CRM's segments unless asked otherwise */
  if (k > raw.n_global)
    st = kseg_error_set(KSEG_ERR_INPUT, "k = %lld is more than the %lld customers", (long long)k, (long long)raw.n_global);
  KSEG_CHECK_GOTO(name_step(kseg_comm_agree(comm, st), "fit"), st, done);
  kseg_kmeans_options ko;
  kseg_kmeans_options_default(&ko);
  ko.k = k;
  ko.n_init = opt->n_init;
  ko.seed = opt->seed;
  if (old) {
    init = kseg_malloc(sizeof(double) * (size_t)k * (size_t)W, "initial centroids");
    st = kseg_comm_agree(comm, init ? KSEG_OK : KSEG_ERR_IO);
    if (!st) {
      progress(opt, "carrying the %d old segments into the new features", old->k);
      st = kseg_warmstart_init(comm, old, &raw, &x, (int)k, opt->seed, init, &out->warm_empty);
    }
    char step[4200];
    snprintf(step, sizeof step, "warm start from %s", opt->warm_start);
    KSEG_CHECK_GOTO(name_step(st, step), st, done);
    ko.init = KSEG_INIT_GIVEN;
    ko.init_centroids = init;
    ko.n_init = 1;
    out->warm = true;
  }
  progress(opt, "fitting k = %lld", (long long)k);
  KSEG_CHECK_GOTO(name_step(kseg_kmeans_fit(comm, &x, &ko, &fr), "fit"), st, done);
  /* labels come from the scoring kernel itself, so `kseg assign` with the
   * saved model gives every training customer exactly this label */
  labels = kseg_malloc(sizeof(int32_t) * (size_t)(raw.n_local + 1), "labels");
  dist2 = kseg_malloc(sizeof(double) * (size_t)(raw.n_local + 1), "distances");
  distance = kseg_malloc(sizeof(double) * (size_t)(raw.n_local + 1), "distances");
  if (old) old_to_new = kseg_malloc(sizeof(int) * (size_t)old->k, "segment ids");
  /* agreed before the collective warm-start step, which a failing rank would skip */
  st = kseg_comm_agree(comm, labels && dist2 && distance && (old_to_new || !old) ? KSEG_OK : KSEG_ERR_IO);
  /* ids of the old segments: match the fitted centroids to the carried ones
   * (the warm start's own starting points for k == old k) */
  if (!st && old) st = kseg_warmstart_keep_ids(comm, old, &raw, &x, opt->seed, &fr, old_to_new);
  if (!st) st = kseg_kmeans_assign(&x, fr.centroids, k, labels, dist2);
  for (int64_t i = 0; !st && i < raw.n_local; i++) distance[i] = sqrt(dist2[i]);
  KSEG_CHECK_GOTO(name_step(kseg_comm_agree(comm, st), "fit"), st, done);
  out->k = (int)k;
  out->inertia = fr.inertia;
  out->n_iter = fr.n_iter;
  out->converged = fr.converged;
  out->silhouette = NAN;
  for (int64_t i = 0; i < sw.n_k; i++)
    if (sw.rows[i].k == k && !old) out->silhouette = sw.rows[i].silhouette;
  out->step_seconds[3] = kseg_now() - t;
  t = kseg_now();

  /* ---- profile ---- */
  progress(opt, "profiling %lld segments", (long long)k);
  kseg_profile_options pro = {.target = opt->target};
  st = kseg_profile_compute(comm, &raw, labels, (int)k, &pro, &out->profile);
  if (!st) st = kseg_profile_write(comm, out->profile, p_prof);
  KSEG_CHECK_GOTO(name_step(st, "profile"), st, done);
  out->step_seconds[4] = kseg_now() - t;
  t = kseg_now();

  /* ---- model, result, segments, drift ---- */
  progress(opt, "writing the model, labels and segments.csv");
  model.prep = prep;
  model.k = (int)k;
  model.d = W;
  model.centroids = fr.centroids;
  model.n_original = prep->n_features;
  model.original = kseg_malloc(sizeof(double) * (size_t)k * (size_t)prep->n_features + 1, "original means");
  model.segment_names = kseg_calloc((size_t)k, sizeof(char *), "segment names");
  model.segment_actions = kseg_calloc((size_t)k, sizeof(char *), "segment actions");
  keys = kseg_malloc(sizeof(uint64_t) * (size_t)(raw.n_local + 1), "customer keys");
  model.id_column = out->id_column;
  st = model.original && model.segment_names && model.segment_actions && keys ? KSEG_OK : KSEG_ERR_IO;
  for (int s = 0; !st && s < k; s++) {
    model.segment_names[s] = (char *)kseg_profile_segment_name(out->profile, s);
    model.segment_actions[s] = (char *)kseg_profile_segment_action(out->profile, s);
  }
  st = kseg_comm_agree(comm, st);
  if (!st) st = kseg_model_original_means(comm, prep, &raw, labels, (int)k, model.original);
  if (!st) st = kseg_model_fingerprint(comm, &raw, &model.train_rows, &model.train_hash);
  if (!st) {
    kseg_model_row_keys(&raw, id_col, keys);
    kseg_model_train tr = {raw.n_global, raw.row0, raw.n_local, keys, labels};
    st = kseg_model_save(comm, p_model, &model, &tr);
  }
  KSEG_CHECK_GOTO(name_step(st, "model"), st, done);
  if (old) {
    progress(opt, "measuring drift against %s", opt->warm_start);
    st = kseg_warmstart_drift(comm, opt->warm_start, old, old_to_new, keys, labels, raw.n_local, (int)k, &out->drift);
    if (!st) st = kseg_warmstart_write_json(comm, p_drift, &out->drift, old, &model, old_to_new);
    KSEG_CHECK_GOTO(name_step(st, "drift"), st, done);
  }
  const kseg_result_file rf = {.n_global = x.n_global, .row0 = x.row0, .n_local = x.n_local, .labels = labels,
                                .distance = distance, .k = k, .segment_names = (const char *const *)model.segment_names,
                                .fit = &fr, .columns = (const char *const *)x.columns,
                                .recommended_k = sw.recommended_k};
  st = kseg_outputs_write_result(comm, p_result, &rf);
  KSEG_CHECK_GOTO(name_step(st, "result"), st, done);
  st = kseg_outputs_write_segments(comm, p_seg, &raw, id_col, labels, distance, out->profile);
  if (!st) st = kseg_comm_agree(comm, kseg_comm_fault(comm, "run:write"));
  KSEG_CHECK_GOTO(name_step(st, "segments"), st, done);
  out->step_seconds[5] = kseg_now() - t;
  out->seconds = kseg_now() - t0;

done:
  /* the model borrowed these */
  free(model.original);
  free(model.segment_names);
  free(model.segment_actions);
  free(keys);
  free(old_to_new);
  free(init);
  free(dist2);
  free(distance);
  free(labels);
  kseg_kmeans_result_clear(&fr);
  kseg_sweep_result_clear(&sw);
  kseg_model_free(&old);
  kseg_matrix_clear(&x);
  free(mask);
  kseg_prep_free(&prep);
  kseg_table_clear(&raw);
  free(p_raw);
  free(p_feat);
  free(p_sweep);
  free(p_model);
  free(p_result);
  free(p_seg);
  free(p_prof);
  free(p_drift);
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
    out->step_seconds[6] = kseg_now() - t;
  }
  drop_stage(comm, stage);
  if (st && created) rmdir(opt->out_dir); /* a failed first run leaves no empty DIR behind */
  st = kseg_comm_agree(comm, st);
  out->seconds = kseg_now() - t0;
  if (!st) st = kseg_comm_agree(comm, kseg_comm_max_f64(comm, &out->seconds, 1));
  if (st) kseg_run_result_clear(out);
  return st;
}
