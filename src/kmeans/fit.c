/* fit.c - the k-means driver: option checks, input validation, the kernel
 * chosen from the registry, restarts and the best of them. */
#include "kseg/kseg_kmeans.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kmeans/estep.h"
#include "kmeans/facts.h"
#include "kmeans/init.h"
#include "kmeans/internal.h"
#include "kmeans/registry.h"
#include "kseg/kseg_error.h"

void kseg_kmeans_options_default(kseg_kmeans_options *opt)
{
  memset(opt, 0, sizeof *opt);
  opt->k = 8;
  opt->init = KSEG_INIT_KMEANSPP;
  opt->n_init = 1;
  opt->max_iter = 300;
  opt->tol = 1e-4;
  opt->seed = 0;
  opt->algorithm = KSEG_ALGO_AUTO;
}

const char *kseg_kmeans_init_name(kseg_kmeans_init init)
{
  switch (init) {
  case KSEG_INIT_KMEANSPP: return "k-means++";
  case KSEG_INIT_KMEANS_PAR: return "kmeans-par";
  case KSEG_INIT_RANDOM: return "random";
  case KSEG_INIT_GIVEN: return "given";
  }
  return "unknown";
}

const char *kseg_kmeans_algorithm_name(kseg_kmeans_algorithm algo)
{
  switch (algo) {
  case KSEG_ALGO_AUTO: return "auto";
  case KSEG_ALGO_LLOYD: return "lloyd";
  case KSEG_ALGO_HAMERLY: return "hamerly";
  case KSEG_ALGO_ELKAN: return "elkan";
  case KSEG_ALGO_YINYANG: return "yinyang";
  }
  return "unknown";
}

void kseg_kmeans_result_clear(kseg_kmeans_result *r)
{
  if (!r) return;
  free(r->centroids);
  free(r->labels);
  memset(r, 0, sizeof *r);
}


static int check_options(const kseg_matrix *x, const kseg_kmeans_options *opt)
{
  if (x->dtype != KSEG_F64 && x->dtype != KSEG_F32)
    return kseg_error_set(KSEG_ERR_INPUT, "k-means needs a float64 or float32 matrix");
  if (x->d < 1) return kseg_error_set(KSEG_ERR_INPUT, "the matrix has no columns");
  if (opt->k < 1) return kseg_error_set(KSEG_ERR_INPUT, "k must be at least 1 (got %lld)", (long long)opt->k);
  if (opt->k > x->n_global)
    return kseg_error_set(KSEG_ERR_INPUT, "k = %lld exceeds the number of rows (%lld)", (long long)opt->k,
                          (long long)x->n_global);
  if (opt->k > INT32_MAX) return kseg_error_set(KSEG_ERR_INPUT, "k = %lld is too large", (long long)opt->k);
  if (opt->n_init < 1) return kseg_error_set(KSEG_ERR_INPUT, "n-init must be at least 1 (got %d)", opt->n_init);
  if (opt->max_iter < 1)
    return kseg_error_set(KSEG_ERR_INPUT, "max-iter must be at least 1 (got %d)", opt->max_iter);
  if (!(opt->tol >= 0) || !isfinite(opt->tol))
    return kseg_error_set(KSEG_ERR_INPUT, "tol must be a finite number >= 0 (got %g)", opt->tol);
  if (!kseg_km_kernel_find(opt->algorithm, x->dtype))
    return kseg_error_set(KSEG_ERR_INPUT, "unknown k-means algorithm %d", (int)opt->algorithm);
  if (opt->init == KSEG_INIT_GIVEN) {
    if (!opt->init_centroids) return kseg_error_set(KSEG_ERR_INPUT, "initial centroids are missing");
    for (int64_t i = 0; i < opt->k * x->d; i++)
      if (!isfinite(opt->init_centroids[i]))
        return kseg_error_set(KSEG_ERR_INPUT, "initial centroid %lld, column %lld is not finite",
                              (long long)(i / x->d), (long long)(i % x->d));
  } else if (opt->init != KSEG_INIT_KMEANSPP && opt->init != KSEG_INIT_KMEANS_PAR && opt->init != KSEG_INIT_RANDOM) {
    return kseg_error_set(KSEG_ERR_INPUT, "unknown k-means init %d", (int)opt->init);
  }
  return KSEG_OK;
}

static void free_runs(double **cur, int32_t **labels, double **assigned)
{
  for (int r = 0; r < KSEG_KM_RUNS; r++) {
    free(cur[r]);
    free(labels[r]);
    free(assigned[r]);
  }
}

int kseg_kmeans_fit(MPI_Comm comm, const kseg_matrix *x, const kseg_kmeans_options *opt, kseg_kmeans_result *out)
{
  const double t0 = kseg_now();
  memset(out, 0, sizeof *out);
  /* Options and N are the same on every rank, so this status already is. */
  KSEG_CHECK(kseg_comm_agree(comm, check_options(x, opt)));
  kseg_kmeans_facts facts;
  if (opt->facts) facts = *opt->facts;
  else KSEG_CHECK(kseg_km_facts(comm, x, opt->tol != 0, &facts)); /* tol 0 needs no variance */

  const int64_t k = opt->k, d = x->d, kd = k * d;
  kseg_km_data data = {.x = x, .progress = opt->progress, .progress_ctx = opt->progress_ctx};
  data.max_abs = facts.max_abs;
  /* Exact sums need every squared distance to fit the fixed-point range. */
  const double cmax = opt->init == KSEG_INIT_GIVEN ? kseg_km_max_abs_of(opt->init_centroids, kd) : 0;
  const double reach = 2 * fmax(data.max_abs, cmax);
  if (!isfinite((double)d * reach * reach) || (double)d * reach * reach > 1e300)
    return kseg_comm_agree(comm, kseg_error_set(KSEG_ERR_INPUT,
                                                "values up to %g are too large for exact k-means sums; scale the "
                                                "features first", fmax(data.max_abs, cmax)));
  data.fx = kseg_fixed_for_bound(data.max_abs);
  /* scikit-learn's _tolerance */
  data.tol_scaled = opt->tol == 0 ? 0 : opt->tol * facts.mean_var;
  int st;

  /* Checkpoints hold the Lloyd state (centroids and the labels' centroids);
   * the accelerated kernels give Lloyd's results bit for bit, so a fit that
   * checkpoints or resumes runs Lloyd's kernel and ends with the same bits. */
  const bool lloyd_state = (opt->checkpoint && opt->checkpoint_every > 0) || opt->resume;
  const kseg_km_kernel *kernel = kseg_km_kernel_find(lloyd_state ? KSEG_ALGO_LLOYD : opt->algorithm, x->dtype);
  data.ops = kernel->ops;
  /* Lloyd's pass (and auto's and Hamerly's restarts switched to it, and
   * their final labels) reads rows in panels; rows that stay in cache are
   * packed into panels once for the fit (kseg_km_estep_pack). The other
   * kernels search scattered rows and pack those as they go. */
  const kseg_kmeans_algorithm algo = kernel->algorithm;
  void *packed = algo == KSEG_ALGO_LLOYD || algo == KSEG_ALGO_HAMERLY || algo == KSEG_ALGO_AUTO
                     ? kseg_km_estep_pack(&data)
                     : NULL;
  data.packed = packed;
  const size_t nl = (size_t)(x->n_local > 0 ? x->n_local : 1);
  /* Every restart from given centroids would repeat the same run. */
  const int restarts = opt->init == KSEG_INIT_GIVEN ? 1 : opt->n_init;
  /* Lloyd and Hamerly run up to KSEG_KM_RUNS restarts side by side (one
   * read of the rows for all), each with the bits it has alone: the same
   * best one. */
  const int width = kernel->runs && !lloyd_state ? (restarts < KSEG_KM_RUNS ? restarts : KSEG_KM_RUNS) : 1;
  /* Per restart of a group: its centroids, labels and the centroids its
   * labels were assigned against (what a checkpoint needs to recompute the
   * best restart's labels); the best so far is swapped in, not copied. */
  double *cur[KSEG_KM_RUNS] = {0}, *assigned[KSEG_KM_RUNS] = {0};
  int32_t *labels[KSEG_KM_RUNS] = {0};
  double *best = kseg_malloc((size_t)kd * sizeof(double), "centroids");
  int32_t *best_labels = kseg_malloc(nl * sizeof(int32_t), "labels");
  double *best_assigned = kseg_malloc((size_t)kd * sizeof(double), "centroids");
  st = (best && best_labels && best_assigned) ? KSEG_OK : KSEG_ERR_IO;
  for (int r = 0; r < width; r++) {
    cur[r] = kseg_malloc((size_t)kd * sizeof(double), "centroids");
    labels[r] = kseg_malloc(nl * sizeof(int32_t), "labels");
    assigned[r] = kseg_malloc((size_t)kd * sizeof(double), "centroids");
    if (!cur[r] || !labels[r] || !assigned[r]) st = KSEG_ERR_IO;
  }
  KSEG_CHECK_GOTO(kseg_comm_agree(comm, st), st, fail);

  double iter_seconds = 0, allreduce_seconds = 0;
  int64_t searched[2] = {0, 0}; /* Hamerly's rows searched, rows visited */
  int switched = 0;               /* auto's restarts that went on with Lloyd's pass */
  kseg_km_run best_run = {0};
  bool have_best = false;
  const kseg_kmeans_checkpoint *rs = opt->resume;
  kseg_kmeans_checkpoint cp = {0};
  data.opt = opt;
  data.cp = opt->checkpoint ? &cp : NULL;
  if (rs) {
    /* Options are the same on every rank, so this status already is. */
    if (rs->restart < 0 || rs->restart >= restarts || rs->iter < 1 || rs->iter >= opt->max_iter ||
        (rs->best_restart >= 0) != (rs->restart > 0) || rs->best_restart >= rs->restart)
      st = kseg_error_set(KSEG_ERR_INPUT, "the checkpoint (restart %d, iteration %d) does not fit %d restart(s) of "
                          "%d iterations", rs->restart, rs->iter, restarts, opt->max_iter);
    KSEG_CHECK_GOTO(kseg_comm_agree(comm, st), st, fail);
    if (rs->best_restart >= 0) {
      memcpy(best, rs->best_centroids, (size_t)kd * sizeof(double));
      memcpy(best_assigned, rs->best_assigned, (size_t)kd * sizeof(double));
      KSEG_CHECK_GOTO(kseg_comm_agree(comm, kseg_kmeans_assign(x, best_assigned, k, best_labels, NULL)), st, fail);
      best_run = (kseg_km_run){.n_iter = rs->best_n_iter, .converged = rs->best_converged,
                               .inertia = rs->best_inertia};
      out->best_restart = rs->best_restart;
      have_best = true;
    }
  }
  for (int r0 = rs ? rs->restart : 0, R; r0 < restarts; r0 += R) {
    R = restarts - r0 < width ? restarts - r0 : width;
    if (rs && r0 == rs->restart) { /* resuming: one restart at a time */
      memcpy(cur[0], rs->centroids, (size_t)kd * sizeof(double));
      data.cp_start = rs;
    } else {
      kseg_kmeans_options with_facts = *opt;
      with_facts.facts = &facts;
      KSEG_CHECK_GOTO(kseg_km_init_restarts(comm, x, &with_facts, r0, R, cur), st, fail);
      data.cp_start = NULL;
    }
    for (int q = 0; q < R; q++)
      KSEG_CHECK_GOTO(kseg_comm_agree(comm, kseg_comm_fault(comm, "kmeans")), st, fail); /* test builds */
    cp = (kseg_kmeans_checkpoint){.restart = r0, .best_restart = have_best ? out->best_restart : -1,
                                  .best_inertia = best_run.inertia, .best_n_iter = best_run.n_iter,
                                  .best_converged = best_run.converged,
                                  .best_centroids = have_best ? best : NULL,
                                  .best_assigned = have_best ? best_assigned : NULL};
    data.restart = r0;
    kseg_km_run run[KSEG_KM_RUNS];
    if (R == 1) {
      data.assigned = assigned[0];
      st = kernel->run(comm, &data, k, opt->max_iter, cur[0], labels[0], &run[0]);
    } else {
      data.assigned = NULL;
      st = kernel->runs(comm, &data, k, opt->max_iter, R, cur, labels, assigned, run);
    }
    KSEG_CHECK_GOTO(st, st, fail);
    for (int q = 0; q < R; q++) {
      iter_seconds += run[q].iter_seconds;
      allreduce_seconds += run[q].allreduce_seconds;
      searched[0] += run[q].rows_searched;
      searched[1] += run[q].rows_visited;
      switched += run[q].switched_to_lloyd;
      /* Inertia is identical on every rank, so all keep the same restart;
       * ties keep the earlier one. */
      if (have_best && !(run[q].inertia < best_run.inertia)) continue;
      have_best = true;
      best_run = run[q];
      out->best_restart = r0 + q;
      double *tc = best;
      best = cur[q];
      cur[q] = tc;
      int32_t *tl = best_labels;
      best_labels = labels[q];
      labels[q] = tl;
      tc = best_assigned;
      best_assigned = assigned[q];
      assigned[q] = tc;
    }
  }
  double times[3] = {iter_seconds, kseg_now() - t0, allreduce_seconds};
  KSEG_CHECK_GOTO(kseg_comm_agree(comm, kseg_comm_max_f64(comm, times, 3)), st, fail);
  KSEG_CHECK_GOTO(kseg_comm_agree(comm, kseg_comm_sum_i64(comm, searched, 2)), st, fail);
  out->k = k;
  out->d = d;
  out->centroids = best;
  out->row0 = x->row0;
  out->n_local = x->n_local;
  out->labels = best_labels;
  out->inertia = best_run.inertia;
  out->n_iter = best_run.n_iter;
  out->converged = best_run.converged;
  out->algorithm = kernel->algorithm;
  out->iter_seconds = times[0];
  out->seconds = times[1];
  out->allreduce_seconds = times[2];
  out->lloyd_restarts = switched;
  out->searched_share = searched[1] > 0 ? (double)searched[0] / (double)searched[1] : NAN;
  free(best_assigned);
  free_runs(cur, labels, assigned);
  free(packed);
  return KSEG_OK;
fail:
  free(packed);
  free(best);
  free(best_labels);
  free(best_assigned);
  free_runs(cur, labels, assigned);
  memset(out, 0, sizeof *out);
  return st;
}
