/* cmd_fit.c - `kseg fit`: k-means at one k on a feature matrix. */
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "kseg/kseg_checkpoint.h"
#include "kseg/kseg_comm.h"
#include "kseg/kseg_error.h"
#include "kseg/kseg_h5io.h"
#include "kseg/kseg_kmeans.h"
#include "kseg/kseg_outputs.h"
#include "kseg/kseg_warmstart.h"

/* "k-means++", "kmeans-par", "random" or FILE.h5:/DATASET (split at the last
 * ":/", so the file name itself may hold colons). */
static int parse_init(const char *text, kseg_kmeans_init *init, char **file, const char **dataset)
{
  *file = NULL;
  *dataset = NULL;
  if (strcmp(text, "k-means++") == 0 || strcmp(text, "kmeans++") == 0) *init = KSEG_INIT_KMEANSPP;
  else if (strcmp(text, "kmeans-par") == 0 || strcmp(text, "k-means||") == 0) *init = KSEG_INIT_KMEANS_PAR;
  else if (strcmp(text, "random") == 0) *init = KSEG_INIT_RANDOM;
  else {
    const char *sep = NULL;
    for (const char *p = strstr(text, ":/"); p; p = strstr(p + 1, ":/")) sep = p;
    if (!sep || sep == text)
      return kseg_error_set(KSEG_ERR_INPUT,
                            "--init expects k-means++, kmeans-par, random or FILE.h5:/DATASET, got '%s'", text);
    *init = KSEG_INIT_GIVEN;
    *file = strndup(text, (size_t)(sep - text));
    if (!*file) return kseg_error_nomem("init path", strlen(text));
    *dataset = sep + 1;
  }
  return KSEG_OK;
}

static int parse_algorithm(const char *text, kseg_kmeans_algorithm *algo)
{
  if (strcmp(text, "auto") == 0) *algo = KSEG_ALGO_AUTO;
  else if (strcmp(text, "lloyd") == 0) *algo = KSEG_ALGO_LLOYD;
  else if (strcmp(text, "hamerly") == 0) *algo = KSEG_ALGO_HAMERLY;
  else if (strcmp(text, "elkan") == 0) *algo = KSEG_ALGO_ELKAN;
  else if (strcmp(text, "yinyang") == 0) *algo = KSEG_ALGO_YINYANG;
  else
    return kseg_error_set(KSEG_ERR_INPUT, "--algorithm expects lloyd, hamerly, elkan, yinyang or auto, got '%s'",
                          text);
  return KSEG_OK;
}

/* Per-iteration progress, at most one line a second (root, terminal or
 * --verbose). */
typedef struct fit_progress {
  const kseg_cli *cli;
  double last;
} fit_progress;

static void report_iteration(void *ctx, int restart, int iter, double inertia, int64_t changed)
{
  fit_progress *p = ctx;
  const double now = kseg_now();
  if (now - p->last < 1.0) return;
  p->last = now;
  if (isnan(inertia)) /* kernels that skip rows do not know it */
    kseg_cli_progress(p->cli, "fit: restart %d, iteration %d: %lld labels changed", restart + 1, iter,
                      (long long)changed);
  else
    kseg_cli_progress(p->cli, "fit: restart %d, iteration %d: inertia %.10g, %lld labels changed", restart + 1,
                      iter, inertia, (long long)changed);
}

/* What the command reports besides the fit itself. */
typedef struct fit_report {
  const char *in, *dataset, *out, *init, *algorithm;
  double seconds; /* the whole command, slowest rank */
} fit_report;

static void print_json(const kseg_cli *cli, const fit_report *rep, const kseg_matrix *x,
                       const kseg_kmeans_options *opt, const kseg_kmeans_result *r)
{
  kseg_json j;
  kseg_json_begin(&j, KSEG_JSON_COMPACT);
  kseg_json_str(&j, "command", "fit");
  kseg_json_str(&j, "input", rep->in);
  kseg_json_str(&j, "dataset", rep->dataset);
  kseg_json_str(&j, "output", rep->out);
  kseg_json_int(&j, "rows", x->n_global);
  kseg_json_int(&j, "columns", x->d);
  kseg_json_str(&j, "dtype", x->dtype == KSEG_F32 ? "float32" : "float64");
  kseg_json_int(&j, "k", r->k);
  kseg_json_num(&j, "inertia", r->inertia);
  kseg_json_int(&j, "n_iter", r->n_iter);
  kseg_json_bool(&j, "converged", r->converged);
  kseg_json_str(&j, "init", rep->init);
  kseg_json_int(&j, "n_init", opt->init == KSEG_INIT_GIVEN ? 1 : opt->n_init);
  kseg_json_int(&j, "best_restart", r->best_restart);
  kseg_json_int(&j, "max_iter", opt->max_iter);
  kseg_json_num(&j, "tol", opt->tol);
  kseg_json_int(&j, "seed", (int64_t)opt->seed);
  kseg_json_str(&j, "algorithm", rep->algorithm);
  kseg_json_str(&j, "kernel", kseg_kmeans_algorithm_name(r->algorithm));
  kseg_json_num(&j, "seconds", rep->seconds);
  kseg_json_num(&j, "fit_seconds", r->seconds);
  kseg_json_num(&j, "iter_seconds", r->iter_seconds);
  kseg_json_num(&j, "allreduce_seconds", r->allreduce_seconds);
  kseg_json_num(&j, "rows_searched_share", r->searched_share);
  kseg_json_int(&j, "restarts_switched_to_lloyd", r->lloyd_restarts);
  kseg_json_int(&j, "ranks", cli->size);
  kseg_json_int(&j, "threads", omp_get_max_threads());
  kseg_cli_json_print(cli, &j);
}

/* Progress after each checkpoint (root, terminal or --verbose). */
static void report_checkpoint(void *ctx, const char *path, int restart, int iter)
{
  kseg_cli_progress(ctx, "fit: checkpoint at restart %d, iteration %d -> %s", restart, iter, path);
}

int kseg_cmd_fit(kseg_cli *cli, int argc, char **argv)
{
  const double t0 = kseg_now();
  const char *in = NULL, *out = NULL, *dataset = "/features", *init_text = "k-means++", *algo_text = "auto";
  const char *checkpoint = NULL;
  int64_t k = 0, n_init = 1, max_iter = 300, seed = 0, checkpoint_every = 10;
  bool resume = false;
  double tol = 1e-4;
  const char *warm = NULL, *raw_path = NULL;
  kseg_opt opts[] = {
      {"in", KSEG_OPT_STRING, &in, "FILE", "feature matrix (HDF5)", true, false},
      {"dataset", KSEG_OPT_STRING, &dataset, "PATH", "matrix dataset in --in (default /features)", false, false},
      {"k", KSEG_OPT_INT, &k, "K", "number of clusters (with --warm-start: default the old model's k)", false, false},
      {"out", KSEG_OPT_STRING, &out, "FILE", "result: /labels, /centroids and attributes (HDF5)", true, false},
      {"init", KSEG_OPT_STRING, &init_text, "INIT",
       "k-means++ (default), kmeans-par (k-means||), random, or FILE.h5:/DATASET with K x D centroids", false,
       false},
      {"n-init", KSEG_OPT_INT, &n_init, "R",
       "restarts, the lowest inertia is kept (default 1; always 1 with an init file)", false, false},
      {"max-iter", KSEG_OPT_INT, &max_iter, "M", "iterations per restart (default 300)", false, false},
      {"tol", KSEG_OPT_DOUBLE, &tol, "T",
       "stop when the summed squared centroid shift is within T x mean feature variance, or no label changes "
       "(default 1e-4)",
       false, false},
      {"algorithm", KSEG_OPT_STRING, &algo_text, "ALGO",
       "lloyd, hamerly (skips rows that cannot move), elkan (skips single distances; 4 k bytes per row), "
       "yinyang (skips groups of centroids; 8 k/10 bytes per row) or auto "
       "(default: hamerly, the fastest measured, with a restart switched to Lloyd's pass when its bounds leave over "
       "99% of the rows to search; docs/speed.md); all give the same results", false, false},
      {"seed", KSEG_OPT_INT, &seed, "S", "random seed (default 0)", false, false},
      {"warm-start", KSEG_OPT_STRING, &warm, "MODEL.h5",
       "start from an old model's segments carried into these features, keep their ids (needs --raw)", false, false},
      {"raw", KSEG_OPT_STRING, &raw_path, "RAW.h5", "with --warm-start: the raw table the rows of --in come from",
       false, false},
      {"checkpoint", KSEG_OPT_STRING, &checkpoint, "FILE",
       "write the iteration state to FILE (HDF5, replaced atomically) for --resume; removed on success", false,
       false},
      {"checkpoint-every", KSEG_OPT_INT, &checkpoint_every, "N", "iterations between checkpoints (default 10)",
       false, false},
      {"resume", KSEG_OPT_FLAG, &resume, NULL,
       "continue from --checkpoint FILE (bit-identical to an uninterrupted run, on any number of ranks)",
       false, false},
  };
  const int n_opts = (int)(sizeof opts / sizeof opts[0]);
  int st = kseg_args_parse(cli, argc, argv, opts, n_opts);
  if (st == KSEG_ARGS_HELP) {
    kseg_args_usage(cli, "fit --in features.h5 --k K --out result.h5 [options]",
                    "Cluster the rows of a feature matrix into K segments with k-means (scikit-learn's Lloyd "
                    "iteration, exactly);\nresults are bit-identical for any number of ranks and threads.",
                    opts, n_opts);
    return KSEG_ARGS_HELP;
  }
  kseg_kmeans_options opt;
  kseg_kmeans_options_default(&opt);
  char *init_file = NULL;
  const char *init_dataset = NULL;
  if (!st) st = parse_init(init_text, &opt.init, &init_file, &init_dataset);
  if (!st) st = parse_algorithm(algo_text, &opt.algorithm);
  if (!st && (n_init < 1 || n_init > 1000000))
    st = kseg_error_set(KSEG_ERR_INPUT, "--n-init must be between 1 and 1000000 (got %lld)", (long long)n_init);
  if (!st && (max_iter < 1 || max_iter > 1000000000))
    st = kseg_error_set(KSEG_ERR_INPUT, "--max-iter must be between 1 and 1e9 (got %lld)", (long long)max_iter);
  if (!st && tol < 0) st = kseg_error_set(KSEG_ERR_INPUT, "--tol must be >= 0 (got %g)", tol);
  if (!st && seed < 0) st = kseg_error_set(KSEG_ERR_INPUT, "--seed must be >= 0 (got %lld)", (long long)seed);
  if (!st && warm && !raw_path)
    st = kseg_error_set(KSEG_ERR_INPUT, "--warm-start needs --raw RAW.h5 (the old model scores the raw customers)");
  if (!st && warm && strcmp(init_text, "k-means++") != 0)
    st = kseg_error_set(KSEG_ERR_INPUT, "--warm-start and --init exclude each other");
  const bool k_seen = opts[2].seen; /* without --k, a warm start takes the old model's k */
  if (!st && !warm && !k_seen) st = kseg_error_set(KSEG_ERR_INPUT, "missing required option --k (or --warm-start MODEL.h5)");
  if (!st && k_seen && k < 1) st = kseg_error_set(KSEG_ERR_INPUT, "--k must be at least 1 (got %lld)", (long long)k);
  if (!st && (checkpoint_every < 1 || checkpoint_every > 1000000000))
    st = kseg_error_set(KSEG_ERR_INPUT, "--checkpoint-every must be between 1 and 1e9 (got %lld)",
                        (long long)checkpoint_every);
  if (!st && resume && !checkpoint) st = kseg_error_set(KSEG_ERR_INPUT, "--resume needs --checkpoint FILE");
  if (!st && checkpoint && out && strcmp(checkpoint, out) == 0)
    st = kseg_error_set(KSEG_ERR_INPUT, "--checkpoint and --out must be different files");
  st = kseg_comm_agree(cli->comm, st);
  opt.k = k;
  opt.n_init = (int)n_init;
  opt.max_iter = (int)max_iter;
  opt.tol = tol;
  opt.seed = (uint64_t)seed;

  fit_progress progress = {cli, kseg_now()};
  if (cli->progress) {
    opt.progress = report_iteration;
    opt.progress_ctx = &progress;
  }
  kseg_matrix x = {0};
  double *given = NULL;
  kseg_kmeans_result r = {0};
  if (!st) {
    kseg_cli_progress(cli, "fit: reading %s:%s", in, dataset);
    st = kseg_h5_read_matrix(cli->comm, in, dataset, &x);
  }
  kseg_model *old = NULL;
  kseg_table raw = {0};
  if (!st && warm) {
    /* the old segments, carried into these features, are the start */
    st = kseg_model_load(cli->comm, warm, &old);
    if (!st) st = kseg_h5_read_table(cli->comm, raw_path, NULL, 0, &raw);
    if (!st && raw.n_global != x.n_global)
      st = kseg_comm_agree(cli->comm, kseg_error_set(KSEG_ERR_INPUT, "--raw %s has %lld rows, %s:%s has %lld", raw_path,
                                                     (long long)raw.n_global, in, dataset, (long long)x.n_global));
    if (!st && k == 0) k = opt.k = old->k;
    if (!st && k >= 1 && k <= x.n_global) {
      given = kseg_malloc(sizeof(double) * (size_t)k * (size_t)x.d, "initial centroids");
      int empty = 0;
      st = kseg_comm_agree(cli->comm, given ? KSEG_OK : KSEG_ERR_IO);
      if (!st) st = kseg_warmstart_init(cli->comm, old, &raw, &x, (int)k, opt.seed, given, &empty);
      if (!st && empty)
        kseg_cli_warn(cli, "%d old segment(s) got no customer here; they start from a k-means++ draw", empty);
      opt.init = KSEG_INIT_GIVEN;
      opt.init_centroids = given;
    }
  }
  if (!st && k > x.n_global)
    st = kseg_comm_agree(cli->comm, kseg_error_set(KSEG_ERR_INPUT, "--k %lld exceeds the number of rows (%lld) of %s:%s",
                                                   (long long)k, (long long)x.n_global, in, dataset));
  if (!st && opt.init == KSEG_INIT_GIVEN && !warm) {
    int64_t dims[2] = {0, 0};
    st = kseg_h5_read_small_f64(cli->comm, init_file, init_dataset, dims, &given);
    if (!st && (dims[0] != k || dims[1] != x.d))
      st = kseg_comm_agree(cli->comm,
                           kseg_error_set(KSEG_ERR_INPUT,
                                          "--init %s:%s is %lld x %lld; expected %lld x %lld (k x the %lld columns of %s:%s)",
                                          init_file, init_dataset, (long long)dims[0], (long long)dims[1],
                                          (long long)k, (long long)x.d, (long long)x.d, in, dataset));
    opt.init_centroids = given;
  }
  kseg_checkpoint ckpt = {.saved = report_checkpoint, .saved_ctx = cli};
  if (!st && checkpoint) st = kseg_checkpoint_attach(cli->comm, &ckpt, checkpoint, (int)checkpoint_every, &x, &opt);
  if (!st && resume) {
    st = kseg_checkpoint_resume(cli->comm, &ckpt, &opt);
    if (!st)
      kseg_cli_progress(cli, "fit: resuming from %s (restart %d, iteration %d)", checkpoint, ckpt.resumed.restart,
                        ckpt.resumed.iter);
  }
  if (!st) {
    kseg_cli_progress(cli, "fit: %lld rows x %lld columns (%s), k = %lld, init %s, %d restart(s), %d ranks x %d threads",
                      (long long)x.n_global, (long long)x.d, x.dtype == KSEG_F32 ? "float32" : "float64", (long long)k,
                      init_text, opt.init == KSEG_INIT_GIVEN ? 1 : opt.n_init, cli->size, omp_get_max_threads());
    char matrix[1100];
    snprintf(matrix, sizeof matrix, "%s:%s", in, dataset);
    st = kseg_cli_name_input(kseg_kmeans_fit(cli->comm, &x, &opt, &r), matrix);
  }
  if (!st && warm) /* keep the old ids: Hungarian matching to the carried centroids */
    st = kseg_warmstart_keep_ids(cli->comm, old, &raw, &x, opt.seed, &r, NULL);
  if (!st) {
    kseg_cli_progress(cli, "fit: inertia %.10g after %d iterations (%s), writing %s", r.inertia, r.n_iter,
                      r.converged ? "converged" : "not converged", out);
    const kseg_result_file rf = {.n_global = x.n_global, .row0 = r.row0, .n_local = r.n_local, .labels = r.labels,
                                  .k = r.k, .fit = &r, .columns = (const char *const *)x.columns, .options = &opt,
                                  .init = warm ? "warm-start" : init_text, .algorithm = algo_text, .input = in,
                                  .dataset = dataset};
    st = kseg_outputs_write_result(cli->comm, out, &rf);
  }
  /* The result is whole on disk; a later --resume must not reuse the state. */
  if (!st && checkpoint) kseg_checkpoint_discard(cli->comm, &ckpt);
  double seconds = kseg_now() - t0;
  if (!st) st = kseg_comm_agree(cli->comm, kseg_comm_max_f64(cli->comm, &seconds, 1));
  if (!st) {
    if (cli->json) {
      const fit_report rep = {in, dataset, out, init_text, algo_text, seconds};
      print_json(cli, &rep, &x, &opt, &r);
    } else {
      kseg_cli_info(cli, "fit: k = %lld, inertia %.10g, %d iterations (%s), %.3f s; wrote %s", (long long)r.k,
                    r.inertia, r.n_iter, r.converged ? "converged" : "not converged", seconds, out);
    }
  }
  kseg_kmeans_result_clear(&r);
  kseg_model_free(&old);
  kseg_table_clear(&raw);
  kseg_matrix_clear(&x);
  free(given);
  free(init_file);
  kseg_checkpoint_clear(&ckpt);
  return kseg_comm_agree(cli->comm, st);
}
