/* cmd_sweep.c - `kseg sweep`: k-means over a range of k with validation
 * metrics and a recommended number of segments (the library does the work:
 * kseg_sweep.h). */
#include <errno.h>
#include <inttypes.h>
#include <libgen.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "kseg/kseg_comm.h"
#include "kseg/kseg_error.h"
#include "kseg/kseg_h5io.h"
#include "kseg/kseg_sweep.h"

static void progress(void *ctx, const kseg_sweep_event *ev)
{
  const kseg_cli *cli = ctx;
  char left[48] = "";
  if (ev->remaining >= 0) snprintf(left, sizeof left, ", about %.0f s left", ev->remaining);
  if (ev->restart >= 0)
    kseg_cli_progress(cli, "k=%lld restart %d/%d: %d iterations (%lld of %lld k done, %.1f s elapsed%s)",
                      (long long)ev->k, ev->restart + 1, ev->n_restarts, ev->n_iter, (long long)ev->k_done,
                      (long long)ev->k_total, ev->elapsed, left);
  else
    kseg_cli_progress(cli, "k=%lld %s (%lld of %lld k done, %.1f s elapsed%s)", (long long)ev->k, ev->phase,
                      (long long)ev->k_done, (long long)ev->k_total, ev->elapsed, left);
}

/* KSEG_ERR_INPUT when the directory that would hold `path` is missing or not
 * writable: better said before the sweep than after it. Root decides. */
static int check_writable(const kseg_cli *cli, const char *flag, const char *path)
{
  int st = KSEG_OK;
  if (cli->rank == 0) {
    char *copy = strdup(path);
    if (!copy) return kseg_comm_agree(cli->comm, kseg_error_nomem("path", strlen(path) + 1));
    const char *dir = dirname(copy);
    if (access(dir, W_OK | X_OK) != 0)
      st = kseg_error_set(KSEG_ERR_INPUT, "cannot write %s %s: directory %s %s", flag, path, dir,
                          errno == ENOENT ? "does not exist" : "is not writable");
    free(copy);
  }
  return kseg_comm_agree(cli->comm, st);
}

static void print_json(const kseg_cli *cli, const kseg_sweep_result *r, const kseg_sweep_options *o,
                       const char *sil_kind)
{
  kseg_json j;
  kseg_json_begin(&j, KSEG_JSON_COMPACT);
  kseg_json_int(&j, "n", r->n);
  kseg_json_int(&j, "d", r->d);
  kseg_json_int(&j, "recommended_k", r->recommended_k);
  kseg_json_str(&j, "recommendation", r->recommendation);
  kseg_json_int(&j, "elbow_k", r->elbow_k);
  if (r->gap_k >= 0) kseg_json_int(&j, "gap_k", r->gap_k);
  kseg_json_int(&j, "max_segments", o->max_segments);
  kseg_json_str(&j, "silhouette_kind", sil_kind);
  kseg_json_int(&j, "k_resumed", r->k_resumed);
  kseg_json_open_array(&j, "table");
  for (int64_t i = 0; i < r->n_k; i++) {
    const kseg_sweep_row *w = &r->rows[i];
    kseg_json_open_object(&j, NULL);
    kseg_json_int(&j, "k", w->k);
    kseg_json_num(&j, "inertia", w->inertia);
    kseg_json_num(&j, "silhouette", w->silhouette);
    kseg_json_num(&j, "calinski_harabasz", w->calinski_harabasz);
    kseg_json_num(&j, "davies_bouldin", w->davies_bouldin);
    kseg_json_num(&j, "gap", w->gap);
    kseg_json_num(&j, "gap_se", w->gap_se);
    kseg_json_num(&j, "stability", w->stability);
    kseg_json_int(&j, "n_iter", w->n_iter);
    kseg_json_bool(&j, "converged", w->converged != 0);
    kseg_json_num(&j, "seconds", w->seconds);
    kseg_json_close_object(&j);
  }
  kseg_json_close_array(&j);
  kseg_json_num(&j, "seconds", r->seconds);
  kseg_json_int(&j, "ranks", cli->size);
  kseg_cli_json_print(cli, &j);
}

static void print_table(const kseg_cli *cli, const kseg_sweep_result *r)
{
  kseg_cli_info(cli, "%4s %14s %10s %12s %10s %9s %8s %9s %6s %8s", "k", "inertia", "silhouette", "calinski_h",
                "davies_b", "gap", "gap_se", "stability", "iter", "seconds");
  for (int64_t i = 0; i < r->n_k; i++) {
    const kseg_sweep_row *w = &r->rows[i];
    kseg_cli_info(cli, "%4lld %14.6g %10.4f %12.4f %10.4f %9.4f %8.4f %9.4f %6lld %8.2f%s", (long long)w->k,
                  w->inertia, w->silhouette, w->calinski_harabasz, w->davies_bouldin, w->gap, w->gap_se,
                  w->stability, (long long)w->n_iter, w->seconds, w->k == r->recommended_k ? "  <- recommended" : "");
  }
  kseg_cli_info(cli, "recommended k = %lld: %s", (long long)r->recommended_k, r->recommendation);
}

int kseg_cmd_sweep(kseg_cli *cli, int argc, char **argv)
{
  const char *in = NULL, *out = NULL, *range = "2:12", *dataset = "/features", *silhouette = "exact";
  const char *checkpoint = NULL;
  int64_t n_init = 4, max_iter = 300, seed = 0, exact_max = 20000, gap = 0, stability = 0, max_segments = 8;
  double tol = 1e-4;
  bool resume = false;
  kseg_opt opts[] = {
      {"in", KSEG_OPT_STRING, &in, "FILE.h5", "feature matrix (e.g. kseg prep output)", true, false},
      {"k", KSEG_OPT_STRING, &range, "A:B", "range of k to sweep, A >= 2 (default 2:12)", false, false},
      {"out", KSEG_OPT_STRING, &out, "FILE.h5", "sweep table, centroids per k and the recommendation", true, false},
      {"dataset", KSEG_OPT_STRING, &dataset, "PATH", "matrix dataset in --in (default /features)", false, false},
      {"n-init", KSEG_OPT_INT, &n_init, "R", "k-means restarts per k, the best kept (default 4)", false, false},
      {"max-iter", KSEG_OPT_INT, &max_iter, "M", "Lloyd iterations per restart (default 300)", false, false},
      {"tol", KSEG_OPT_DOUBLE, &tol, "T", "convergence tolerance, relative to the mean variance (default 1e-4)",
       false, false},
      {"seed", KSEG_OPT_INT, &seed, "S", "seed of every random draw (default 0)", false, false},
      {"silhouette", KSEG_OPT_STRING, &silhouette, "KIND", "exact | sample:N | none (default exact)", false, false},
      {"silhouette-exact-max", KSEG_OPT_INT, &exact_max, "N",
       "above N rows, exact falls back to a sample of N rows, with a warning (default 20000)", false, false},
      {"gap", KSEG_OPT_INT, &gap, "B", "gap statistic with B reference sets (default 0: off)", false, false},
      {"stability", KSEG_OPT_INT, &stability, "B", "stability (ARI) over B 80 % subsamples (default 0: off)", false,
       false},
      {"max-segments", KSEG_OPT_INT, &max_segments, "M", "largest k that may be recommended (default 8)", false,
       false},
      {"checkpoint", KSEG_OPT_STRING, &checkpoint, "FILE", "rewritten after each k (default <out>.ckpt.h5)", false,
       false},
      {"resume", KSEG_OPT_FLAG, &resume, NULL, "continue from the checkpoint (same options and input)", false, false},
  };
  const int n_opts = (int)(sizeof opts / sizeof opts[0]);
  int st = kseg_comm_agree(cli->comm, kseg_args_parse(cli, argc, argv, opts, n_opts));
  if (st == KSEG_ARGS_HELP) {
    kseg_args_usage(cli, "sweep --in features.h5 --k 2:12 --out sweep.h5 [options]",
                    "k-means for every k of a range, validation metrics per k (inertia, silhouette, "
                    "Calinski-Harabasz, Davies-Bouldin, gap, stability) and a recommended k (docs/sweep.md).",
                    opts, n_opts);
    return KSEG_ARGS_HELP;
  }
  if (st) return st;

  kseg_sweep_options o;
  kseg_sweep_options_default(&o);
  st = kseg_args_range(range, "k", &o.k_min, &o.k_max);
  if (!st && strchr(range, ':') == NULL)
    st = kseg_error_set(KSEG_ERR_INPUT, "--k expects a range A:B (for example 2:12), got '%s'", range);
  if (!st && strncmp(silhouette, "sample:", 7) == 0) {
    char *end;
    errno = 0;
    o.silhouette = KSEG_SWEEP_SIL_SAMPLE;
    o.silhouette_sample = strtoll(silhouette + 7, &end, 10);
    if (errno || end == silhouette + 7 || *end || o.silhouette_sample < 2)
      st = kseg_error_set(KSEG_ERR_INPUT, "--silhouette sample:N needs a number N >= 2, got '%s'", silhouette);
  } else if (!st && strcmp(silhouette, "none") == 0) {
    o.silhouette = KSEG_SWEEP_SIL_NONE;
  } else if (!st && strcmp(silhouette, "exact") != 0) {
    st = kseg_error_set(KSEG_ERR_INPUT, "--silhouette must be exact, sample:N or none, got '%s'", silhouette);
  }
  if (!st && (n_init < 1 || n_init > 1000000))
    st = kseg_error_set(KSEG_ERR_INPUT, "--n-init must be in 1..1000000 (got %lld)", (long long)n_init);
  if (!st && (max_iter < 1 || max_iter > INT32_MAX))
    st = kseg_error_set(KSEG_ERR_INPUT, "--max-iter must be at least 1 (got %lld)", (long long)max_iter);
  if (!st && (gap < 0 || gap > 100000 || stability < 0 || stability > 100000))
    st = kseg_error_set(KSEG_ERR_INPUT, "--gap and --stability take 0..100000 (got %lld and %lld)", (long long)gap,
                        (long long)stability);
  if (!st && exact_max < 2)
    st = kseg_error_set(KSEG_ERR_INPUT, "--silhouette-exact-max must be at least 2 (got %lld)", (long long)exact_max);
  KSEG_CHECK(kseg_comm_agree(cli->comm, st));

  char *ckpt = NULL;
  if (!checkpoint) {
    ckpt = malloc(strlen(out) + 10);
    if (ckpt) sprintf(ckpt, "%s.ckpt.h5", out);
    KSEG_CHECK(kseg_comm_agree(cli->comm, ckpt ? KSEG_OK : kseg_error_nomem("checkpoint name", strlen(out) + 10)));
    checkpoint = ckpt;
  }
  char *input_id = NULL;
  kseg_matrix x = {0};
  kseg_sweep_result r = {0};
  st = check_writable(cli, "--out", out);
  if (!st) st = check_writable(cli, "--checkpoint", checkpoint);
  if (!st) st = kseg_h5_read_matrix(cli->comm, in, dataset, &x);
  if (st) goto done;

  o.n_init = (int)n_init;
  o.max_iter = (int)max_iter;
  o.tol = tol;
  o.seed = (uint64_t)seed;
  o.gap_b = (int)gap;
  o.stability_b = (int)stability;
  o.max_segments = max_segments;
  o.checkpoint = checkpoint;
  o.resume = resume;
  o.progress = progress;
  o.progress_ctx = cli;
  if (o.silhouette == KSEG_SWEEP_SIL_EXACT && x.n_global > exact_max) {
    kseg_cli_warn(cli, "%lld rows is above --silhouette-exact-max %lld: the silhouette uses a sample of %lld rows",
                  (long long)x.n_global, (long long)exact_max, (long long)exact_max);
    o.silhouette = KSEG_SWEEP_SIL_SAMPLE;
    o.silhouette_sample = exact_max;
  }
  input_id = malloc(strlen(in) + strlen(dataset) + 2);
  st = kseg_comm_agree(cli->comm, input_id ? KSEG_OK : kseg_error_nomem("input name", strlen(in) + strlen(dataset) + 2));
  if (st) goto done;
  sprintf(input_id, "%s:%s", in, dataset);
  o.input = input_id;

  st = kseg_sweep_run(cli->comm, &x, &o, &r);
  if (!st) st = kseg_sweep_write(cli->comm, out, &r, &o, NULL, true);
  if (!st) {
    /* The output is complete: the checkpoint has served its purpose. */
    if (cli->rank == 0 && remove(checkpoint) != 0 && errno != ENOENT)
      kseg_cli_warn(cli, "could not remove the checkpoint %s: %s", checkpoint, strerror(errno));
    char sil_kind[64];
    if (o.silhouette == KSEG_SWEEP_SIL_SAMPLE)
      snprintf(sil_kind, sizeof sil_kind, "euclidean, sample of %lld rows",
               (long long)(o.silhouette_sample < x.n_global ? o.silhouette_sample : x.n_global));
    else
      snprintf(sil_kind, sizeof sil_kind, "%s", o.silhouette == KSEG_SWEEP_SIL_NONE ? "none" : "euclidean, exact");
    if (cli->json) print_json(cli, &r, &o, sil_kind);
    else print_table(cli, &r);
  }
done:
  st = kseg_comm_agree(cli->comm, st);
  kseg_sweep_result_clear(&r);
  kseg_matrix_clear(&x);
  free(input_id);
  free(ckpt);
  return st;
}
