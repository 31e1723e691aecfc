/* Every kernel of the registry honours kseg_km_kernel_fn's contract
 * (src/kmeans/internal.h), called directly as the fit calls it: for each
 * algorithm and both dtypes, the same labels, centroids, n_iter, converged
 * flag and inertia as Lloyd, bit for bit, and data->assigned filled with the
 * centroids the labels were assigned against (the same bits as Lloyd's, and
 * kseg_kmeans_assign against them gives the labels back). Fits that converge
 * with no label changing, that stop at max_iter and that stop on tol, from
 * k-means++ and from given centroids with two empty clusters; k over one
 * and over two blocks of 16. The fit runs Lloyd whenever it checkpoints, so
 * `assigned` of the other kernels is checked here, not through the CLI.
 * Restarts side by side (a kernel's runs, as the fit calls them): each run
 * what Lloyd gives it alone; k-means++ seeding restarts side by side: each
 * the centroids it gets alone.
 * Run at 1, 2 and 3 ranks x 2 threads. */
#include "test.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kmeans/init.h"
#include "kmeans/internal.h"
#include "kmeans/registry.h"
#include "kseg/kseg_comm.h"
#include "kseg/kseg_error.h"
#include "kseg/kseg_kmeans.h"
#include "kseg/kseg_rng.h"

enum { N = 2001, D = 5, BLOBS = 6 };

static double blob_center(int b, int j) { return 12.0 * (double)((b * 5 + j * 3) % 7) - 30.0 + (double)b; }

static void make_matrix(MPI_Comm comm, kseg_dtype dtype, kseg_matrix *x)
{
  int64_t row0, n;
  kseg_partition(N, kseg_comm_size(comm), kseg_comm_rank(comm), &row0, &n);
  *x = (kseg_matrix){.n_global = N, .row0 = row0, .n_local = n, .d = D, .dtype = dtype};
  x->data = malloc((size_t)((n > 0 ? n : 1) * D) * (dtype == KSEG_F32 ? sizeof(float) : sizeof(double)));
  ASSERT(x->data);
  const kseg_rng_key key = {17, KSEG_STREAM_GENERATE};
  for (int64_t i = 0; i < n; i++)
    for (int j = 0; j < D; j++) {
      const int64_t row = row0 + i;
      const double v = blob_center((int)(row % BLOBS), j) + 2.0 * kseg_rng_normal(key, (uint64_t)row, (uint64_t)j);
      if (dtype == KSEG_F32) ((float *)x->data)[i * D + j] = (float)v;
      else ((double *)x->data)[i * D + j] = v;
    }
}

typedef struct outcome {
  double *centroids, *assigned;
  int32_t *labels;
  kseg_km_run run;
} outcome;

/* One kernel run from `init` (k x D) with the fit's data. */
static outcome run_kernel(MPI_Comm comm, const kseg_matrix *x, kseg_kmeans_algorithm algo, int64_t k,
                          const double *init, int max_iter, double tol)
{
  const kseg_km_kernel *kernel = kseg_km_kernel_find(algo, x->dtype);
  /* auto runs Hamerly (with its switch to Lloyd's pass) and says so */
  ASSERT(kernel && kernel->algorithm == (algo == KSEG_ALGO_AUTO ? KSEG_ALGO_HAMERLY : algo) && kernel->ops);
  kseg_kmeans_facts facts;
  ASSERT_OK(kseg_kmeans_facts_compute(comm, x, &facts));
  outcome o = {.centroids = malloc((size_t)(k * D) * sizeof(double)),
               .assigned = malloc((size_t)(k * D) * sizeof(double)),
               .labels = malloc((size_t)(x->n_local > 0 ? x->n_local : 1) * sizeof(int32_t))};
  ASSERT(o.centroids && o.assigned && o.labels);
  memcpy(o.centroids, init, (size_t)(k * D) * sizeof(double));
  for (int64_t i = 0; i < k * D; i++) o.assigned[i] = NAN; /* must be overwritten */
  kseg_km_data data = {.x = x, .ops = kernel->ops, .max_abs = facts.max_abs,
                       .fx = kseg_fixed_for_bound(facts.max_abs), .tol_scaled = tol * facts.mean_var,
                       .assigned = o.assigned};
  ASSERT_OK(kernel->run(comm, &data, k, max_iter, o.centroids, o.labels, &o.run));
  return o;
}

static void outcome_clear(outcome *o)
{
  free(o->centroids);
  free(o->assigned);
  free(o->labels);
}

static void check_case(MPI_Comm comm, const kseg_matrix *x, int64_t k, const double *init, int max_iter, double tol,
                       const char *what)
{
  outcome ref = run_kernel(comm, x, KSEG_ALGO_LLOYD, k, init, max_iter, tol);
  const size_t kd = (size_t)(k * D) * sizeof(double);
  const kseg_kmeans_algorithm algos[] = {KSEG_ALGO_LLOYD, KSEG_ALGO_HAMERLY, KSEG_ALGO_ELKAN, KSEG_ALGO_YINYANG,
                                         KSEG_ALGO_AUTO};
  int32_t *again = malloc((size_t)(x->n_local > 0 ? x->n_local : 1) * sizeof(int32_t));
  ASSERT(again);
  for (size_t a = 0; a < sizeof algos / sizeof algos[0]; a++) {
    outcome o = run_kernel(comm, x, algos[a], k, init, max_iter, tol);
    const char *name = kseg_kmeans_algorithm_name(algos[a]);
    if (memcmp(o.assigned, ref.assigned, kd) != 0)
      KSEG_TEST_FAIL_("%s, %s: data->assigned differs from Lloyd's (first value %g vs %g)", what, name,
                      o.assigned[0], ref.assigned[0]);
    ASSERT(memcmp(o.centroids, ref.centroids, kd) == 0);
    ASSERT(memcmp(o.labels, ref.labels, (size_t)x->n_local * sizeof(int32_t)) == 0);
    ASSERT_EQ(o.run.n_iter, ref.run.n_iter);
    ASSERT_EQ(o.run.converged, ref.run.converged);
    ASSERT_SAME_BITS(&o.run.inertia, &ref.run.inertia, 1);
    /* The labels are the canonical assignment to `assigned`. */
    ASSERT_OK(kseg_kmeans_assign(x, o.assigned, k, again, NULL));
    for (int64_t i = 0; i < x->n_local; i++)
      if (again[i] != o.labels[i])
        KSEG_TEST_FAIL_("%s, %s: row %lld has label %d but assigned gives %d", what, name,
                        (long long)(x->row0 + i), (int)o.labels[i], (int)again[i]);
    outcome_clear(&o);
  }
  if (kseg_comm_rank(comm) == 0)
    printf("  %s: n_iter %d, converged %d, inertia %.17g\n", what, ref.run.n_iter, (int)ref.run.converged,
           ref.run.inertia);
  free(again);
  outcome_clear(&ref);
}

/* Every algorithm that runs restarts side by side (its kseg_km_runs_fn)
 * gives each of R runs, started from inits[r] in one call, what Lloyd
 * gives it alone: centroids, assigned, labels, n_iter, converged and
 * inertia, bit for bit, whichever iteration each run stops at. */
static void check_side_by_side(MPI_Comm comm, const kseg_matrix *x, int64_t k, double *const *inits, int R,
                               int max_iter, double tol, const char *what)
{
  const size_t kd = (size_t)(k * D) * sizeof(double), nl = (size_t)(x->n_local > 0 ? x->n_local : 1);
  const kseg_kmeans_algorithm algos[] = {KSEG_ALGO_LLOYD, KSEG_ALGO_HAMERLY, KSEG_ALGO_ELKAN, KSEG_ALGO_YINYANG,
                                         KSEG_ALGO_AUTO};
  outcome ref[KSEG_KM_RUNS];
  for (int r = 0; r < R; r++) ref[r] = run_kernel(comm, x, KSEG_ALGO_LLOYD, k, inits[r], max_iter, tol);
  int sides = 0;
  for (size_t a = 0; a < sizeof algos / sizeof algos[0]; a++) {
    const kseg_km_kernel *kernel = kseg_km_kernel_find(algos[a], x->dtype);
    if (!kernel->runs) continue;
    sides++;
    kseg_kmeans_facts facts;
    ASSERT_OK(kseg_kmeans_facts_compute(comm, x, &facts));
    double *cen[KSEG_KM_RUNS], *asg[KSEG_KM_RUNS];
    int32_t *lab[KSEG_KM_RUNS];
    kseg_km_run run[KSEG_KM_RUNS];
    for (int r = 0; r < R; r++) {
      cen[r] = malloc(kd), asg[r] = malloc(kd), lab[r] = malloc(nl * sizeof(int32_t));
      ASSERT(cen[r] && asg[r] && lab[r]);
      memcpy(cen[r], inits[r], kd);
    }
    kseg_km_data data = {.x = x, .ops = kernel->ops, .max_abs = facts.max_abs,
                         .fx = kseg_fixed_for_bound(facts.max_abs), .tol_scaled = tol * facts.mean_var};
    ASSERT_OK(kernel->runs(comm, &data, k, max_iter, R, cen, lab, asg, run));
    for (int r = 0; r < R; r++) {
      if (memcmp(cen[r], ref[r].centroids, kd) != 0 || memcmp(asg[r], ref[r].assigned, kd) != 0 ||
          memcmp(lab[r], ref[r].labels, (size_t)x->n_local * sizeof(int32_t)) != 0 ||
          run[r].n_iter != ref[r].run.n_iter || run[r].converged != ref[r].run.converged ||
          memcmp(&run[r].inertia, &ref[r].run.inertia, sizeof(double)) != 0)
        KSEG_TEST_FAIL_("%s, %s side by side: run %d of %d differs from Lloyd alone (n_iter %d vs %d)", what,
                        kseg_kmeans_algorithm_name(algos[a]), r, R, run[r].n_iter, ref[r].run.n_iter);
      free(cen[r]);
      free(asg[r]);
      free(lab[r]);
    }
  }
  ASSERT(sides >= 3); /* Lloyd, Hamerly, auto */
  if (kseg_comm_rank(comm) == 0) {
    printf("  %s, %d runs side by side: n_iter", what, R);
    for (int r = 0; r < R; r++) printf(" %d", ref[r].run.n_iter);
    printf("\n");
  }
  for (int r = 0; r < R; r++) outcome_clear(&ref[r]);
}

/* Restarts seeded side by side (k-means++ sharing each step's pass over
 * the rows) get the centroids each gets alone. */
static void check_seeding(MPI_Comm comm, const kseg_matrix *x, const kseg_kmeans_options *opt, int restart0, int R)
{
  const size_t kd = (size_t)(opt->k * D) * sizeof(double);
  double *side[KSEG_KM_RUNS], *alone = malloc(kd);
  ASSERT(alone);
  for (int q = 0; q < R; q++) ASSERT((side[q] = malloc(kd)) != NULL);
  ASSERT_OK(kseg_km_init_restarts(comm, x, opt, restart0, R, side));
  for (int q = 0; q < R; q++) {
    ASSERT_OK(kseg_kmeans_init_centroids(comm, x, opt, restart0 + q, alone));
    if (memcmp(side[q], alone, kd) != 0)
      KSEG_TEST_FAIL_("k %lld: restart %d seeded side by side differs from alone", (long long)opt->k, restart0 + q);
    free(side[q]);
  }
  free(alone);
}

int main(int argc, char **argv)
{
  MPI_Comm comm;
  kseg_test_init(&argc, &argv, &comm, NULL);
  for (int dt = 0; dt < 2; dt++) {
    const kseg_dtype dtype = dt ? KSEG_F32 : KSEG_F64;
    kseg_matrix x;
    make_matrix(comm, dtype, &x);
    const int64_t ks[] = {9, 21};
    for (int q = 0; q < 2; q++) {
      const int64_t k = ks[q];
      kseg_kmeans_options opt;
      kseg_kmeans_options_default(&opt);
      opt.k = k;
      opt.seed = 7;
      double *init = malloc((size_t)(k * D) * sizeof(double));
      ASSERT(init);
      ASSERT_OK(kseg_kmeans_init_centroids(comm, &x, &opt, 0, init));
      check_seeding(comm, &x, &opt, 0, KSEG_KM_RUNS);
      check_seeding(comm, &x, &opt, 5, 3);
      char what[96];
      /* restarts side by side: three k-means++ starts and one with two
       * centroids far from every row, stopping at different iterations */
      double *starts[KSEG_KM_RUNS];
      for (int r = 0; r < KSEG_KM_RUNS; r++) {
        starts[r] = malloc((size_t)(k * D) * sizeof(double));
        ASSERT(starts[r]);
        ASSERT_OK(kseg_kmeans_init_centroids(comm, &x, &opt, r, starts[r]));
      }
      for (int j = 0; j < D; j++) starts[2][0 * D + j] = 1e3, starts[2][(k - 1) * D + j] = -1e3;
      snprintf(what, sizeof what, "%s k %lld", dt ? "float32" : "float64", (long long)k);
      check_side_by_side(comm, &x, k, starts, KSEG_KM_RUNS, 300, 0, what);
      check_side_by_side(comm, &x, k, starts + 1, 3, 4, 0, what);
      check_side_by_side(comm, &x, k, starts, 2, 300, 1e-3, what);
      for (int r = 0; r < KSEG_KM_RUNS; r++) free(starts[r]);
      snprintf(what, sizeof what, "%s k %lld converged", dt ? "float32" : "float64", (long long)k);
      check_case(comm, &x, k, init, 300, 0, what);
      snprintf(what, sizeof what, "%s k %lld max-iter 3", dt ? "float32" : "float64", (long long)k);
      check_case(comm, &x, k, init, 3, 0, what);
      snprintf(what, sizeof what, "%s k %lld tol", dt ? "float32" : "float64", (long long)k);
      check_case(comm, &x, k, init, 300, 1e-3, what);
      /* Two centroids far from every row: empty after the first assignment. */
      for (int j = 0; j < D; j++) init[0 * D + j] = 1e3, init[(k - 1) * D + j] = -1e3;
      snprintf(what, sizeof what, "%s k %lld empty clusters", dt ? "float32" : "float64", (long long)k);
      check_case(comm, &x, k, init, 300, 0, what);
      free(init);
    }
    free(x.data);
  }
  if (kseg_comm_rank(comm) == 0) printf("kmeans_contract: ok\n");
  kseg_test_finalize(&comm, NULL);
  return 0;
}
