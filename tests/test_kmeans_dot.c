/* Lloyd's dot-product E-step (dot_rows: ||c||^2 - 2 x.c, with near ties
 * searched again by the difference-form kernel) must give the canonical
 * labels: those of kseg_kmeans_assign, bit for bit, and the same fit as
 * Hamerly (which uses the difference form throughout). The data are built to
 * defeat the dot form: rows far from the origin with tiny spread (its
 * rounding error then exceeds the gaps between centroids, so nearly every
 * row is searched again), exact ties on an integer grid, heavy tails (a few
 * rows with huge norms), d not a multiple of the vector width and k over
 * several blocks of 16, in float64 and float32. max_iter stops the fits
 * early, so their labels are the final E-step against the final centroids.
 * Run at 1, 2 and 3 ranks x 2 threads. */
#include "test.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kseg/kseg_comm.h"
#include "kseg/kseg_error.h"
#include "kseg/kseg_kmeans.h"
#include "kseg/kseg_rng.h"

enum { N = 3001 };

typedef enum { OFFSET, GRID, HEAVY, PLAIN } shape;

static double value(shape s, int64_t row, int64_t j)
{
  const kseg_rng_key key = {91, KSEG_STREAM_GENERATE};
  const double z = kseg_rng_normal(key, (uint64_t)row, (uint64_t)j);
  const double u = kseg_rng_uniform(key, (uint64_t)row, (uint64_t)(j + 1000));
  switch (s) {
  case OFFSET: return 1e6 + 1e-3 * z + 1e-2 * (double)(row % 3);
  case GRID: return floor(4 * u);
  case HEAVY: return exp(2.5 * z) * (row % 97 == 0 ? 1e4 : 1.0);
  case PLAIN: return z + 3.0 * (double)(row % 5);
  }
  return 0;
}

static void check(MPI_Comm comm, shape s, kseg_dtype dtype, int64_t d, int64_t k, int max_iter, const char *what)
{
  int64_t row0, n;
  kseg_partition(N, kseg_comm_size(comm), kseg_comm_rank(comm), &row0, &n);
  kseg_matrix x = {.n_global = N, .row0 = row0, .n_local = n, .d = d, .dtype = dtype};
  x.data = malloc((size_t)((n > 0 ? n : 1) * d) * (dtype == KSEG_F32 ? 4 : 8));
  ASSERT(x.data);
  for (int64_t i = 0; i < n; i++)
    for (int64_t j = 0; j < d; j++) {
      double v = value(s, row0 + i, j);
      if (s == OFFSET && dtype == KSEG_F32) v = 1e3 + (v - 1e6) * 50; /* float32 keeps ~7 digits */
      if (dtype == KSEG_F32) ((float *)x.data)[i * d + j] = (float)v;
      else ((double *)x.data)[i * d + j] = v;
    }
  kseg_kmeans_options opt;
  kseg_kmeans_options_default(&opt);
  opt.k = k;
  opt.init = KSEG_INIT_RANDOM;
  opt.seed = 5;
  opt.tol = 0;
  opt.max_iter = max_iter;
  opt.algorithm = KSEG_ALGO_LLOYD;
  kseg_kmeans_result lloyd, hamerly;
  ASSERT_OK(kseg_kmeans_fit(comm, &x, &opt, &lloyd));
  opt.algorithm = KSEG_ALGO_HAMERLY;
  ASSERT_OK(kseg_kmeans_fit(comm, &x, &opt, &hamerly));
  int32_t *canon = malloc((size_t)(n > 0 ? n : 1) * sizeof *canon);
  ASSERT(canon);
  ASSERT_OK(kseg_kmeans_assign(&x, lloyd.centroids, k, canon, NULL));
  int64_t bad = 0, differ = 0;
  for (int64_t i = 0; i < n; i++) {
    bad += lloyd.labels[i] != canon[i];
    differ += lloyd.labels[i] != hamerly.labels[i];
  }
  ASSERT_OK(kseg_comm_sum_i64(comm, &bad, 1));
  ASSERT_OK(kseg_comm_sum_i64(comm, &differ, 1));
  if (bad || differ) {
    fprintf(stderr, "%s: %lld labels differ from the canonical assignment, %lld from Hamerly\n", what,
            (long long)bad, (long long)differ);
    ASSERT(false);
  }
  ASSERT_SAME_BITS(lloyd.centroids, hamerly.centroids, k * d);
  ASSERT_EQ(lloyd.n_iter, hamerly.n_iter);
  ASSERT(lloyd.inertia == hamerly.inertia);
  kseg_kmeans_result_clear(&lloyd);
  kseg_kmeans_result_clear(&hamerly);
  free(canon);
  free(x.data);
}

int main(int argc, char **argv)
{
  MPI_Comm comm;
  kseg_test_init(&argc, &argv, &comm, NULL);
  const struct {
    shape s;
    int64_t d, k;
    const char *name;
  } cases[] = {
      {OFFSET, 5, 6, "offset"}, {OFFSET, 33, 40, "offset wide"}, {GRID, 3, 9, "grid"},
      {GRID, 17, 33, "grid wide"}, {HEAVY, 8, 16, "heavy tail"}, {HEAVY, 40, 50, "heavy tail wide"},
      {PLAIN, 17, 33, "plain"}, {PLAIN, 1, 2, "one column"}, {PLAIN, 9, 1, "one cluster"},
  };
  for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++)
    for (int dt = 0; dt < 2; dt++)
      for (int it = 1; it <= 4; it += 3) {
        char what[96];
        snprintf(what, sizeof what, "%s %s max_iter %d", cases[c].name, dt ? "float32" : "float64", it);
        check(comm, cases[c].s, dt ? KSEG_F32 : KSEG_F64, cases[c].d, cases[c].k, it, what);
      }
  if (kseg_comm_rank(comm) == 0) printf("kmeans_dot: ok\n");
  kseg_test_finalize(&comm, NULL);
  return 0;
}
