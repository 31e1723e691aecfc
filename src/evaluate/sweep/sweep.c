/* evaluate/sweep/sweep.c - the k sweep driver (see kseg_sweep.h): the root picks the next k
 * and broadcasts it, every rank fits it (restart by restart, so progress can
 * be reported), computes its metrics, and the checkpoint is rewritten after
 * each finished k. */
#include "kseg/kseg_sweep.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kseg/kseg_comm.h"
#include "kseg/kseg_error.h"
#include "kseg/kseg_kmeans.h"
#include "kseg/kseg_metrics.h"
#include "kseg/kseg_sample.h"

void kseg_sweep_options_default(kseg_sweep_options *opt)
{
  memset(opt, 0, sizeof *opt);
  opt->k_min = 2;
  opt->k_max = 12;
  opt->n_init = 4;
  opt->max_iter = 300;
  opt->tol = 1e-4;
  opt->seed = 0;
  opt->silhouette = KSEG_SWEEP_SIL_EXACT;
  opt->silhouette_sample = 0;
  opt->max_segments = 8;
}

static int check_options(const kseg_matrix *x, const kseg_sweep_options *o)
{
  if (o->k_min < 2)
    return kseg_error_set(KSEG_ERR_INPUT, "the sweep needs k >= 2 (got the range %lld:%lld); the metrics compare "
                                          "at least two segments", (long long)o->k_min, (long long)o->k_max);
  if (o->k_max < o->k_min)
    return kseg_error_set(KSEG_ERR_INPUT, "empty k range %lld:%lld (the first k must not exceed the last)",
                          (long long)o->k_min, (long long)o->k_max);
  if (o->k_max >= x->n_global)
    return kseg_error_set(KSEG_ERR_INPUT, "k = %lld needs more rows than the %lld the input has (the metrics need k "
                                          "<= rows - 1)", (long long)o->k_max, (long long)x->n_global);
  if (o->k_max > INT32_MAX) return kseg_error_set(KSEG_ERR_INPUT, "k = %lld is too large", (long long)o->k_max);
  if (o->n_init < 1) return kseg_error_set(KSEG_ERR_INPUT, "--n-init must be at least 1 (got %d)", o->n_init);
  if (o->max_iter < 1) return kseg_error_set(KSEG_ERR_INPUT, "--max-iter must be at least 1 (got %d)", o->max_iter);
  if (!(o->tol >= 0) || !isfinite(o->tol))
    return kseg_error_set(KSEG_ERR_INPUT, "--tol must be a finite number >= 0 (got %g)", o->tol);
  if (o->silhouette == KSEG_SWEEP_SIL_SAMPLE && o->silhouette_sample < 2)
    return kseg_error_set(KSEG_ERR_INPUT, "--silhouette sample:N needs N >= 2 (got %lld)",
                          (long long)o->silhouette_sample);
  if (o->gap_b < 0) return kseg_error_set(KSEG_ERR_INPUT, "--gap must be >= 0 (got %d)", o->gap_b);
  if (o->stability_b < 0) return kseg_error_set(KSEG_ERR_INPUT, "--stability must be >= 0 (got %d)", o->stability_b);
  if (o->max_segments < o->k_min)
    return kseg_error_set(KSEG_ERR_INPUT, "--max-segments %lld is below the smallest k swept (%lld)",
                          (long long)o->max_segments, (long long)o->k_min);
  if (o->resume && !o->checkpoint) return kseg_error_set(KSEG_ERR_INPUT, "--resume needs a checkpoint file");
  return KSEG_OK;
}

/* Work of one k, for the time estimate: Lloyd costs grow about linearly in k. */
static double work_of(int64_t k, const kseg_sweep_options *o)
{
  return (double)k * (o->n_init * (1.0 + o->stability_b) + o->gap_b);
}

typedef struct sweep_clock {
  double t0, t_run0; /* sweep start; start of the ks computed in this run */
  double work_done, work_left;
} sweep_clock;

static void report(const kseg_sweep_options *o, const sweep_clock *c, int64_t k, int restart, int n_iter,
                   const char *phase, double frac_of_k, int64_t k_done)
{
  if (!o->progress) return;
  const double now = kseg_now(), w = c->work_done + frac_of_k * work_of(k, o);
  kseg_sweep_event ev = {.k = k, .restart = restart, .n_restarts = o->n_init, .n_iter = n_iter, .phase = phase,
                         .elapsed = now - c->t0, .remaining = -1, .k_done = k_done,
                         .k_total = o->k_max - o->k_min + 1};
  if (w > 0) ev.remaining = (now - c->t_run0) / w * (c->work_left - w);
  o->progress(o->progress_ctx, &ev);
}

/* Iterations per restart, from kseg_kmeans_fit's progress reports. */
typedef struct restart_iters {
  int n_init;
  int *iters;
} restart_iters;

static void count_iteration(void *ctx, int restart, int iter, double inertia, int64_t changed)
{
  (void)inertia;
  (void)changed;
  restart_iters *ri = ctx;
  if (restart >= 0 && restart < ri->n_init && iter > ri->iters[restart]) ri->iters[restart] = iter;
}

/* Fit k with n_init restarts (kseg_kmeans_fit: the seeds of
 * kseg_kmeans_init_centroids, Hamerly's restarts side by side), then report
 * each restart with its iterations. */
static int fit_k(MPI_Comm comm, const kseg_matrix *x, const kseg_kmeans_facts *facts, const kseg_sweep_options *o,
                 int64_t k, sweep_clock *clock, int64_t k_done, kseg_kmeans_result *best)
{
  kseg_kmeans_options ko;
  kseg_kmeans_options_default(&ko);
  ko.k = k;
  ko.n_init = o->n_init;
  ko.max_iter = o->max_iter;
  ko.tol = o->tol;
  ko.seed = o->seed;
  ko.facts = facts;
  restart_iters ri = {.n_init = o->n_init, .iters = kseg_calloc((size_t)o->n_init, sizeof(int), "restart counts")};
  KSEG_CHECK(kseg_comm_agree(comm, ri.iters ? KSEG_OK : KSEG_ERR_IO));
  if (o->progress) {
    ko.progress = count_iteration;
    ko.progress_ctx = &ri;
  }
  const int st = kseg_kmeans_fit(comm, x, &ko, best);
  for (int r = 0; st == KSEG_OK && r < o->n_init; r++)
    report(o, clock, k, r, ri.iters[r], "fit", (r + 1.0) / (o->n_init * (1.0 + o->stability_b) + o->gap_b), k_done);
  free(ri.iters);
  return st;
}

/* Everything the table holds for one k. */
static int sweep_k(MPI_Comm comm, const kseg_matrix *x, const kseg_kmeans_facts *facts, const kseg_sweep_options *o,
                   const kseg_sweep_box *box,
                   int64_t k, sweep_clock *clock, int64_t k_done, kseg_sweep_row *row)
{
  const double t = kseg_now();
  kseg_kmeans_result fit;
  KSEG_CHECK(fit_k(comm, x, facts, o, k, clock, k_done, &fit));
  row->k = k;
  row->inertia = fit.inertia;
  row->n_iter = fit.n_iter;
  row->converged = fit.converged;
  row->algorithm = (int32_t)fit.algorithm;
  row->best_restart = fit.best_restart;
  row->silhouette = row->calinski_harabasz = row->davies_bouldin = NAN;
  row->gap = row->gap_se = row->stability = NAN;
  int st = kseg_metrics_internal(comm, x, fit.labels, (int)k, NULL, &row->calinski_harabasz, &row->davies_bouldin);
  if (!st && o->silhouette == KSEG_SWEEP_SIL_EXACT)
    st = kseg_metrics_silhouette_exact(comm, x, fit.labels, (int)k, &row->silhouette);
  else if (!st && o->silhouette == KSEG_SWEEP_SIL_SAMPLE)
    st = kseg_metrics_silhouette_sampled(comm, x, fit.labels, (int)k, o->silhouette_sample, o->seed,
                                         &row->silhouette);
  const double per_fit = 1.0 / (o->n_init * (1.0 + o->stability_b) + o->gap_b);
  if (!st && o->gap_b > 0) {
    report(o, clock, k, -1, fit.n_iter, "gap", o->n_init * per_fit, k_done);
    st = kseg_sweep_gap(comm, x, box, k, fit.inertia, o, &row->gap, &row->gap_se);
  }
  if (!st && o->stability_b > 0) {
    report(o, clock, k, -1, fit.n_iter, "stability", (o->n_init + o->gap_b) * per_fit, k_done);
    st = kseg_sweep_stability(comm, x, fit.labels, k, o, &row->stability);
  }
  if (!st) {
    row->centroids = fit.centroids; /* ownership moves to the row */
    fit.centroids = NULL;
    row->seconds = kseg_now() - t;
    st = kseg_comm_agree(comm, kseg_comm_max_f64(comm, &row->seconds, 1));
  }
  kseg_kmeans_result_clear(&fit);
  return st;
}

/* The finished rows, in k order, as a result to write (rows borrowed). */
static kseg_sweep_result view_done(const kseg_matrix *x, kseg_sweep_row *all, const bool *done, int64_t n_all,
                                   kseg_sweep_row *scratch)
{
  kseg_sweep_result v = {.n = x->n_global, .n_all = x->n_global, .d = x->d, .rows = scratch};
  for (int64_t i = 0; i < n_all; i++)
    if (done[i]) scratch[v.n_k++] = all[i];
  return v;
}

/* The sweep over the rows of x; `input` is the matrix the options name (x
 * itself, or the matrix x samples), whose fingerprint guards the
 * checkpoint. */
static int sweep_rows(MPI_Comm comm, const kseg_matrix *x, const kseg_matrix *input, const kseg_sweep_options *opt,
                      kseg_sweep_result *out)
{
  sweep_clock clock = {.t0 = kseg_now()};
  memset(out, 0, sizeof *out);
  KSEG_CHECK(kseg_comm_agree(comm, check_options(x, opt)));
  /* Once for every fit of the sweep (the finite check included). */
  kseg_kmeans_facts facts;
  KSEG_CHECK(kseg_kmeans_facts_compute(comm, x, &facts));
  const int64_t n_all = opt->k_max - opt->k_min + 1;
  const int rank = kseg_comm_rank(comm);
  kseg_sweep_row *rows = kseg_calloc((size_t)n_all, sizeof *rows, "sweep table");
  kseg_sweep_row *scratch = kseg_calloc((size_t)n_all, sizeof *scratch, "sweep table");
  bool *done = kseg_calloc((size_t)n_all, sizeof *done, "sweep table");
  char *fingerprint = NULL;
  kseg_sweep_box box = {0};
  int st = (rows && scratch && done) ? KSEG_OK : KSEG_ERR_IO;
  KSEG_CHECK_GOTO(kseg_comm_agree(comm, st), st, fail);
  if (opt->checkpoint) KSEG_CHECK_GOTO(kseg_sweep_fingerprint(comm, input, opt, &fingerprint), st, fail);

  if (opt->resume) {
    kseg_sweep_result prev;
    KSEG_CHECK_GOTO(kseg_sweep_checkpoint_read(comm, opt->checkpoint, fingerprint, x->d, &prev), st, fail);
    for (int64_t i = 0; i < prev.n_k; i++) {
      const int64_t slot = prev.rows[i].k - opt->k_min;
      if (slot < 0 || slot >= n_all || done[slot]) continue; /* the fingerprint fixes the range: not expected */
      rows[slot] = prev.rows[i];
      prev.rows[i].centroids = NULL;
      done[slot] = true;
      out->k_resumed++;
    }
    kseg_sweep_result_clear(&prev);
  }
  for (int64_t i = 0; i < n_all; i++)
    if (!done[i]) clock.work_left += work_of(opt->k_min + i, opt);
  if (opt->gap_b > 0) KSEG_CHECK_GOTO(kseg_sweep_box_compute(comm, x, &box), st, fail);

  clock.t_run0 = kseg_now();
  int64_t k_done = out->k_resumed;
  for (;;) {
    /* The root decides the next k (the smallest not finished) or the end. */
    int64_t next = -1;
    if (rank == 0)
      for (int64_t i = 0; i < n_all && next < 0; i++)
        if (!done[i]) next = opt->k_min + i;
    KSEG_CHECK_GOTO(kseg_comm_agree(comm, kseg_comm_bcast(comm, &next, sizeof next, 0)), st, fail);
    if (next < 0) break;
    const int64_t slot = next - opt->k_min;
    KSEG_CHECK_GOTO(sweep_k(comm, x, &facts, opt, &box, next, &clock, k_done, &rows[slot]), st, fail);
    done[slot] = true;
    clock.work_done += work_of(next, opt);
    k_done++;
    if (opt->checkpoint) {
      kseg_sweep_result v = view_done(x, rows, done, n_all, scratch);
      KSEG_CHECK_GOTO(kseg_sweep_write(comm, opt->checkpoint, &v, opt, fingerprint, false), st, fail);
      KSEG_CHECK_GOTO(kseg_comm_agree(comm, kseg_comm_fault(comm, "sweep_checkpoint")), st, fail);
    }
    report(opt, &clock, next, -1, (int)rows[slot].n_iter, "done", 0, k_done);
  }

  out->n = x->n_global;
  out->n_all = input->n_global;
  out->d = x->d;
  out->n_k = n_all;
  out->rows = rows;
  rows = NULL;
  /* The root decides; the others receive its choice and its sentence. */
  if (rank == 0) st = kseg_sweep_recommend(out, opt->max_segments);
  KSEG_CHECK_GOTO(kseg_comm_agree(comm, st), st, fail);
  int64_t choice[3] = {out->recommended_k, out->elbow_k, out->gap_k};
  st = kseg_comm_bcast(comm, choice, sizeof choice, 0);
  if (!st) st = kseg_comm_bcast(comm, out->recommendation, sizeof out->recommendation, 0);
  KSEG_CHECK_GOTO(kseg_comm_agree(comm, st), st, fail);
  out->recommended_k = choice[0];
  out->elbow_k = choice[1];
  out->gap_k = choice[2];
  out->seconds = kseg_now() - clock.t0;
  KSEG_CHECK_GOTO(kseg_comm_agree(comm, kseg_comm_max_f64(comm, &out->seconds, 1)), st, fail);
  free(scratch);
  free(done);
  free(fingerprint);
  kseg_sweep_box_clear(&box);
  return KSEG_OK;
fail:
  if (rows)
    for (int64_t i = 0; i < n_all; i++) free(rows[i].centroids);
  free(rows);
  free(scratch);
  free(done);
  free(fingerprint);
  kseg_sweep_box_clear(&box);
  kseg_sweep_result_clear(out);
  return st;
}

/* The recommended k fitted on every row of x from the sample's centroids of
 * that k: one restart, the sweep's iteration limit and tolerance. */
static int refit(MPI_Comm comm, const kseg_matrix *x, const kseg_sweep_options *opt, kseg_sweep_result *r)
{
  const double t0 = kseg_now();
  const int64_t k = r->recommended_k;
  const double *start = NULL;
  for (int64_t i = 0; i < r->n_k; i++)
    if (r->rows[i].k == k) start = r->rows[i].centroids;
  if (!start) return KSEG_OK; /* a k the sweep did not fit: nothing to start from (not expected) */
  kseg_kmeans_options ko;
  kseg_kmeans_options_default(&ko);
  ko.k = k;
  ko.init = KSEG_INIT_GIVEN;
  ko.init_centroids = start;
  ko.n_init = 1;
  ko.max_iter = opt->max_iter;
  ko.tol = opt->tol;
  ko.seed = opt->seed;
  kseg_kmeans_result fit;
  KSEG_CHECK(kseg_kmeans_fit(comm, x, &ko, &fit));
  r->refit = (kseg_sweep_refit){.k = k, .inertia = fit.inertia, .n_iter = fit.n_iter,
                                .converged = fit.converged ? 1 : 0, .centroids = fit.centroids};
  fit.centroids = NULL;
  kseg_kmeans_result_clear(&fit);
  r->refit.seconds = kseg_now() - t0;
  return kseg_comm_agree(comm, kseg_comm_max_f64(comm, &r->refit.seconds, 1));
}

int kseg_sweep_run(MPI_Comm comm, const kseg_matrix *x, const kseg_sweep_options *opt, kseg_sweep_result *out)
{
  if (opt->sample < 0) {
    memset(out, 0, sizeof *out);
    return kseg_comm_agree(comm, kseg_error_set(KSEG_ERR_INPUT, "the sweep's sample must be >= 0 rows (got %lld)",
                                                (long long)opt->sample));
  }
  if (opt->sample == 0 || opt->sample >= x->n_global) return sweep_rows(comm, x, x, opt, out);
  const double t0 = kseg_now();
  kseg_matrix xs;
  memset(out, 0, sizeof *out);
  KSEG_CHECK(kseg_matrix_sample(comm, x, opt->sample, opt->seed, &xs));
  int st = sweep_rows(comm, &xs, x, opt, out);
  kseg_matrix_clear(&xs);
  if (!st && opt->refit) st = refit(comm, x, opt, out);
  if (!st) {
    out->seconds = kseg_now() - t0;
    st = kseg_comm_agree(comm, kseg_comm_max_f64(comm, &out->seconds, 1));
  }
  if (st) kseg_sweep_result_clear(out);
  return st;
}
