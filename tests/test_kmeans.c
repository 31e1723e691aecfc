/* kmeans: the distributed fit gives the same bits as a one-rank, one-thread
 * fit of the whole matrix (every init, float64 and float32, with and without
 * tol, with an empty cluster forced); errors are agreed on by every rank;
 * assignment and inertia helpers agree with the fit; k-means++ recovers
 * well-separated blobs. */
#include <omp.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kseg/kseg_comm.h"
#include "kseg/kseg_error.h"
#include "kseg/kseg_kmeans.h"
#include "kseg/kseg_rng.h"
#include "test.h"

enum { N = 2003, D = 6, BLOBS = 5 };

/* Blob b's centre, coordinate j: well apart (spacing 20, noise sd 1). */
static double blob_center(int b, int j) { return 20.0 * (double)((b * 7 + j * 3) % 5) - 40.0 + (double)b; }

static int truth(int64_t row) { return (int)(row % BLOBS); }

/* The synthetic matrix (kseg_test_matrix): row's blob centre plus unit
 * normal noise keyed by global row. */
static double blob_value(int64_t row, int64_t j, const void *ctx)
{
  (void)ctx;
  const kseg_rng_key key = {42, KSEG_STREAM_GENERATE};
  return blob_center(truth(row), (int)j) + kseg_rng_normal(key, (uint64_t)row, (uint64_t)j);
}

/* All labels on rank 0 (NULL elsewhere). */
static int32_t *gather_labels(MPI_Comm comm, const kseg_kmeans_result *r)
{
  const int size = kseg_comm_size(comm), rank = kseg_comm_rank(comm);
  int *counts = malloc((size_t)size * sizeof(int)), *displs = malloc((size_t)size * sizeof(int));
  int mine = (int)r->n_local;
  MPI_Gather(&mine, 1, MPI_INT, counts, 1, MPI_INT, 0, comm);
  int32_t *all = NULL;
  if (rank == 0) {
    int off = 0;
    for (int q = 0; q < size; q++) {
      displs[q] = off;
      off += counts[q];
    }
    ASSERT_EQ(off, N);
    all = malloc(N * sizeof(int32_t));
  }
  MPI_Gatherv(r->labels, mine, MPI_INT32_T, all, counts, displs, MPI_INT32_T, 0, comm);
  free(counts);
  free(displs);
  return all;
}

/* Barrier that sleeps while waiting: the other ranks must not spin on the
 * shared cores while rank 0 computes the one-rank reference. */
static void lazy_barrier(MPI_Comm comm)
{
  MPI_Request req;
  MPI_Ibarrier(comm, &req);
  for (int done = 0;;) {
    MPI_Test(&req, &done, MPI_STATUS_IGNORE);
    if (done) break;
    nanosleep(&(struct timespec){0, 1000000}, NULL);
  }
}

/* Fit with Lloyd and with Hamerly on comm (threads as the environment says),
 * and with the default (auto) on rank 0 alone with one thread; every output
 * must be bit-identical. */
static void check_invariant(MPI_Comm comm, kseg_dtype dtype, const kseg_kmeans_options *opt, const char *what)
{
  const int rank = kseg_comm_rank(comm), size = kseg_comm_size(comm);
  int64_t row0, n;
  kseg_partition(N, size, rank, &row0, &n);
  kseg_matrix x;
  kseg_test_matrix(&x, N, row0, n, D, dtype, blob_value, NULL);
  kseg_kmeans_options lopt = *opt;
  lopt.algorithm = KSEG_ALGO_LLOYD;
  kseg_kmeans_result r;
  ASSERT_OK(kseg_kmeans_fit(comm, &x, &lopt, &r));
  ASSERT_EQ(r.k, opt->k);
  ASSERT(r.n_iter >= 1 && r.n_iter <= opt->max_iter);
  ASSERT(r.inertia > 0);

  /* Helpers agree with the fit: exact inertia of its labels, and the
   * assignment kernel reproduces its labels from its centroids. */
  double inertia = 0;
  ASSERT_OK(kseg_kmeans_inertia(comm, &x, r.centroids, r.k, r.labels, &inertia));
  ASSERT_SAME_BITS(&inertia, &r.inertia, 1);
  int32_t *lab = malloc((size_t)(n > 0 ? n : 1) * sizeof(int32_t));
  double *dist = malloc((size_t)(n > 0 ? n : 1) * sizeof(double));
  ASSERT_OK(kseg_kmeans_assign(&x, r.centroids, r.k, lab, dist));
  for (int64_t i = 0; i < n; i++) {
    ASSERT_EQ(lab[i], r.labels[i]);
    ASSERT(dist[i] >= 0);
  }
  free(lab);
  free(dist);

  /* Hamerly's bounds must never change a result: the same bits as Lloyd. */
  kseg_kmeans_options hopt = *opt;
  hopt.algorithm = KSEG_ALGO_HAMERLY;
  kseg_kmeans_result h;
  ASSERT_OK(kseg_kmeans_fit(comm, &x, &hopt, &h));
  if (memcmp(h.centroids, r.centroids, (size_t)(r.k * D) * sizeof(double)) != 0 ||
      memcmp(&h.inertia, &r.inertia, sizeof(double)) != 0) {
    fprintf(stderr, "%s: Hamerly differs from Lloyd: inertia %.17g vs %.17g\n", what, h.inertia, r.inertia);
    ASSERT(0);
  }
  ASSERT_EQ(h.n_iter, r.n_iter);
  ASSERT_EQ(h.converged, r.converged);
  for (int64_t i = 0; i < n; i++) ASSERT_EQ(h.labels[i], r.labels[i]);
  kseg_kmeans_result_clear(&h);

  int32_t *all = gather_labels(comm, &r);
  if (rank == 0) {
    const int threads = omp_get_max_threads();
    omp_set_num_threads(1);
    kseg_matrix whole;
    kseg_test_matrix(&whole, N, 0, N, D, dtype, blob_value, NULL);
    kseg_kmeans_result one;
    ASSERT_OK(kseg_kmeans_fit(MPI_COMM_SELF, &whole, opt, &one));
    omp_set_num_threads(threads);
    if (memcmp(one.centroids, r.centroids, (size_t)(r.k * D) * sizeof(double)) != 0 ||
        memcmp(&one.inertia, &r.inertia, sizeof(double)) != 0) {
      fprintf(stderr, "%s: %d ranks x %d threads differ from 1 x 1: inertia %.17g vs %.17g\n", what, size, threads,
              r.inertia, one.inertia);
      ASSERT(0);
    }
    ASSERT_EQ(one.n_iter, r.n_iter);
    ASSERT_EQ(one.converged, r.converged);
    ASSERT_EQ(one.best_restart, r.best_restart);
    for (int64_t i = 0; i < N; i++) ASSERT_EQ(all[i], one.labels[i]);
    kseg_kmeans_result_clear(&one);
    free(whole.data);
    free(all);
  }
  lazy_barrier(comm);
  kseg_kmeans_result_clear(&r);
  free(x.data);
}

typedef struct progress_log {
  int calls, last_iter, nan;
  double inertia_sum;
} progress_log;

static void log_progress(void *ctx, int restart, int iter, double inertia, int64_t changed)
{
  progress_log *p = ctx;
  ASSERT_EQ(restart, 0);
  ASSERT_EQ(iter, p->last_iter + 1);
  ASSERT(changed >= 0 && changed <= N);
  p->calls++;
  p->last_iter = iter;
  p->inertia_sum += isnan(inertia) ? 0 : inertia; /* Hamerly does not compute it */
  p->nan += isnan(inertia);
}

/* Adjusted-for-nothing purity check: each true blob lands in one cluster and
 * each cluster holds one blob. */
static void check_recovers_blobs(MPI_Comm comm, kseg_kmeans_init init)
{
  const int rank = kseg_comm_rank(comm), size = kseg_comm_size(comm);
  int64_t row0, n;
  kseg_partition(N, size, rank, &row0, &n);
  kseg_matrix x;
  kseg_test_matrix(&x, N, row0, n, D, KSEG_F64, blob_value, NULL);
  kseg_kmeans_options opt;
  kseg_kmeans_options_default(&opt);
  opt.k = BLOBS;
  opt.init = init;
  opt.seed = 7;
  opt.algorithm = init == KSEG_INIT_KMEANSPP ? KSEG_ALGO_LLOYD : KSEG_ALGO_HAMERLY;
  progress_log log = {0};
  opt.progress = log_progress;
  opt.progress_ctx = &log;
  kseg_kmeans_result r;
  ASSERT_OK(kseg_kmeans_fit(comm, &x, &opt, &r));
  /* One report per iteration, with the same values on every rank. */
  ASSERT_EQ(log.calls, r.n_iter);
  double lo = log.inertia_sum, hi = log.inertia_sum;
  ASSERT_OK(kseg_comm_min_f64(comm, &lo, 1));
  ASSERT_OK(kseg_comm_max_f64(comm, &hi, 1));
  ASSERT(lo == hi);
  ASSERT_EQ(log.nan, opt.algorithm == KSEG_ALGO_LLOYD ? 0 : log.calls);
  int64_t table[BLOBS][BLOBS] = {{0}};
  for (int64_t i = 0; i < n; i++) table[truth(row0 + i)][r.labels[i]]++;
  ASSERT_OK(kseg_comm_sum_i64(comm, &table[0][0], BLOBS * BLOBS));
  for (int b = 0; b < BLOBS; b++) {
    int nonzero = 0, nonzero_col = 0;
    for (int c = 0; c < BLOBS; c++) {
      nonzero += table[b][c] > 0;
      nonzero_col += table[c][b] > 0;
    }
    ASSERT_EQ(nonzero, 1);
    ASSERT_EQ(nonzero_col, 1);
  }
  ASSERT(r.converged);
  kseg_kmeans_result_clear(&r);
  free(x.data);
}

static void check_errors(MPI_Comm comm)
{
  const int rank = kseg_comm_rank(comm), size = kseg_comm_size(comm);
  int64_t row0, n;
  kseg_partition(N, size, rank, &row0, &n);
  kseg_matrix x;
  kseg_test_matrix(&x, N, row0, n, D, KSEG_F64, blob_value, NULL);
  kseg_kmeans_options opt;
  kseg_kmeans_options_default(&opt);
  kseg_kmeans_result r;

  opt.k = 0;
  kseg_error_clear();
  ASSERT_STATUS(kseg_kmeans_fit(comm, &x, &opt, &r), KSEG_ERR_INPUT);
  ASSERT_CONTAINS(kseg_error_message(), "k must be at least 1");
  opt.k = N + 1;
  kseg_error_clear();
  ASSERT_STATUS(kseg_kmeans_fit(comm, &x, &opt, &r), KSEG_ERR_INPUT);
  ASSERT_CONTAINS(kseg_error_message(), "exceeds the number of rows");
  ASSERT(r.centroids == NULL && r.labels == NULL);

  /* Non-finite values only in the last rank's block: everyone fails, the
   * message names the first bad global row and column. */
  opt.k = 3;
  if (rank == size - 1) {
    ((double *)x.data)[(n - 2) * D + 4] = NAN;
    ((double *)x.data)[(n - 1) * D + 1] = INFINITY;
  }
  char expect[96];
  snprintf(expect, sizeof expect, "NaN at row %d, column 4", N - 2);
  kseg_error_clear();
  ASSERT_STATUS(kseg_kmeans_fit(comm, &x, &opt, &r), KSEG_ERR_INPUT);
  ASSERT_CONTAINS(kseg_error_message(), expect);
  kseg_error_clear();
  ASSERT_STATUS(kseg_kmeans_check_finite(comm, &x), KSEG_ERR_INPUT);
  ASSERT_CONTAINS(kseg_error_message(), expect);
  kseg_error_clear();

  /* Finite but so large that squared distances overflow: refused, not wrong. */
  if (rank == size - 1) {
    ((double *)x.data)[(n - 2) * D + 4] = 1e200;
    ((double *)x.data)[(n - 1) * D + 1] = 0;
  }
  ASSERT_STATUS(kseg_kmeans_fit(comm, &x, &opt, &r), KSEG_ERR_INPUT);
  ASSERT_CONTAINS(kseg_error_message(), "too large");
  kseg_error_clear();
  free(x.data);
}

int main(int argc, char **argv)
{
  MPI_Comm comm;
  kseg_test_init(&argc, &argv, &comm, NULL);

  kseg_kmeans_options opt;
  const kseg_kmeans_init inits[] = {KSEG_INIT_KMEANSPP, KSEG_INIT_KMEANS_PAR, KSEG_INIT_RANDOM};
  for (int dt = 0; dt < 2; dt++)
    for (int i = 0; i < 3; i++) {
      kseg_kmeans_options_default(&opt);
      opt.k = 7; /* more clusters than blobs: clusters split blobs, several iterations */
      opt.init = inits[i];
      opt.n_init = 2;
      opt.seed = 3;
      opt.tol = i == 0 ? 0 : 1e-4;
      char what[64];
      snprintf(what, sizeof what, "%s %s", dt ? "float32" : "float64", kseg_kmeans_init_name(inits[i]));
      check_invariant(comm, dt ? KSEG_F32 : KSEG_F64, &opt, what);
    }

  /* Given centroids with a duplicate and a far-away one: two clusters are
   * empty after the first assignment and take the farthest rows. */
  double init[6 * D];
  for (int c = 0; c < 6; c++)
    for (int j = 0; j < D; j++) init[c * D + j] = c < 4 ? blob_center(c, j) + 0.5 : (c == 4 ? blob_center(0, j) + 0.5 : 1e3);
  kseg_kmeans_options_default(&opt);
  opt.k = 6;
  opt.init = KSEG_INIT_GIVEN;
  opt.init_centroids = init;
  opt.tol = 0;
  check_invariant(comm, KSEG_F64, &opt, "empty clusters");
  check_invariant(comm, KSEG_F32, &opt, "empty clusters float32");
  opt.max_iter = 2; /* stops before convergence: labels re-assigned to the final centroids */
  check_invariant(comm, KSEG_F64, &opt, "max-iter 2");

  check_recovers_blobs(comm, KSEG_INIT_KMEANSPP);
  check_recovers_blobs(comm, KSEG_INIT_KMEANS_PAR);
  check_errors(comm);

  kseg_test_finalize(&comm, NULL);
  return 0;
}
