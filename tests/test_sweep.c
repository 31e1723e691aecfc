/* sweep: the selection rules (Kneedle, 1-SE gap rule, the vote) on tables
 * with known answers; the distributed ARI equals scikit-learn's
 * adjusted_rand_score bit for bit on label pairs it wrote; the sweep's best
 * restart per k is the fit kseg_kmeans_fit gives with the same options; bad
 * ranges are refused on every rank. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kseg/kseg_ari.h"
#include "kseg/kseg_comm.h"
#include "kseg/kseg_error.h"
#include "kseg/kseg_h5io.h"
#include "kseg/kseg_kmeans.h"
#include "kseg/kseg_rng.h"
#include "kseg/kseg_sweep.h"
#include "test.h"

enum { N = 701, D = 3 };

static void test_kneedle(void)
{
  const int64_t k[] = {2, 3, 4, 5, 6, 7, 8};
  const double y[] = {100, 40, 30, 25, 22, 20, 19};
  /* (1 - y_n) - x_n: k=3 gives 60/81 - 1/6 = 0.574, k=4 70/81 - 2/6 = 0.531 */
  ASSERT_EQ(k[kseg_sweep_kneedle(k, y, 7)], 3);
  const double flat[] = {5, 5, 5, 5, 5, 5, 5};
  ASSERT_EQ(kseg_sweep_kneedle(k, flat, 7), 0);
  ASSERT_EQ(kseg_sweep_kneedle(k, y, 2), 0);
}

static kseg_sweep_row row_of(int64_t k, double inertia, double sil, double ch, double db, double gap, double se)
{
  kseg_sweep_row r = {.k = k, .inertia = inertia, .silhouette = sil, .calinski_harabasz = ch,
                      .davies_bouldin = db, .gap = gap, .gap_se = se, .stability = NAN};
  return r;
}

static void test_gap_rule(void)
{
  kseg_sweep_row rows[] = {row_of(2, 0, 0, 0, 0, 0.5, 0.1), row_of(3, 0, 0, 0, 0, 0.9, 0.1),
                           row_of(4, 0, 0, 0, 0, 0.95, 0.1), row_of(5, 0, 0, 0, 0, 0.96, 0.1)};
  /* k=2: 0.5 < 0.9 - 0.1; k=3: 0.9 >= 0.95 - 0.1 */
  ASSERT_EQ(kseg_sweep_gap_rule(rows, 4, 8), 3);
  ASSERT_EQ(kseg_sweep_gap_rule(rows, 4, 2), -1); /* only k=2 may qualify, and does not */
  rows[2].gap = NAN;
  ASSERT_EQ(kseg_sweep_gap_rule(rows, 4, 8), -1); /* no consecutive pair with k+1 qualifies */
  kseg_sweep_row none[] = {row_of(2, 0, 0, 0, 0, NAN, NAN), row_of(3, 0, 0, 0, 0, NAN, NAN)};
  ASSERT_EQ(kseg_sweep_gap_rule(none, 2, 8), -1);
}

static void test_recommend(void)
{
  /* Silhouette -> 4, CH -> 3, DB -> 3: k=3 wins 2 votes to 1. */
  kseg_sweep_row rows[] = {
      row_of(2, 100, 0.30, 50, 1.5, NAN, NAN), row_of(3, 40, 0.40, 80, 1.0, NAN, NAN),
      row_of(4, 30, 0.45, 70, 1.2, NAN, NAN), row_of(5, 25, 0.20, 60, 1.4, NAN, NAN),
      row_of(6, 22, 0.10, 90, 0.9, NAN, NAN),
  };
  kseg_sweep_result r = {.n_k = 5, .rows = rows};
  ASSERT_OK(kseg_sweep_recommend(&r, 5)); /* k=6 (CH 90, DB 0.9) is beyond the limit */
  ASSERT_EQ(r.recommended_k, 3);
  ASSERT_EQ(r.elbow_k, 3);
  ASSERT_EQ(r.gap_k, -1);
  ASSERT_CONTAINS(r.recommendation, "k=3 with 2 of 3 votes");
  ASSERT_CONTAINS(r.recommendation, "silhouette (max) -> 4");
  ASSERT_OK(kseg_sweep_recommend(&r, 8)); /* now k=6 takes CH and DB */
  ASSERT_EQ(r.recommended_k, 6);

  /* One vote each for 2 and 5 (DB undefined): the tie goes to the k closer
   * to the elbow (4), i.e. 5. */
  kseg_sweep_row tie[] = {
      row_of(2, 100, 0.50, 10, NAN, NAN, NAN), row_of(3, 90, 0.40, 20, NAN, NAN, NAN),
      row_of(4, 20, 0.30, 30, NAN, NAN, NAN), row_of(5, 15, 0.20, 40, NAN, NAN, NAN),
      row_of(6, 12, 0.10, 35, NAN, NAN, NAN),
  };
  kseg_sweep_result t = {.n_k = 5, .rows = tie};
  ASSERT_OK(kseg_sweep_recommend(&t, 8));
  ASSERT_EQ(t.elbow_k, 4);
  ASSERT_EQ(t.recommended_k, 5);
  ASSERT_CONTAINS(t.recommendation, "tie");
  /* The gap vote breaks it instead when computed: 1-SE picks 2. */
  tie[0].gap = 1.0, tie[1].gap = 1.0, tie[0].gap_se = tie[1].gap_se = 0.1;
  ASSERT_OK(kseg_sweep_recommend(&t, 8));
  ASSERT_EQ(t.gap_k, 2);
  ASSERT_EQ(t.recommended_k, 2);

  kseg_sweep_result none = {.n_k = 1, .rows = rows + 4};
  ASSERT_STATUS(kseg_sweep_recommend(&none, 5), KSEG_ERR_INPUT);
}

static void test_ari(MPI_Comm comm)
{
  const int64_t t1[] = {2, 0, 0, 0, 1, 1}; /* a=[0,0,1,1], b=[0,0,1,2] as a 2 x 3 table */
  ASSERT_NEAR(kseg_ari_from_table(t1, 2, 3), 0.5714285714285714, 1e-16);
  const int64_t t2[] = {1, 1, 1, 1}; /* a=[0,0,1,1], b=[0,1,0,1] */
  ASSERT(kseg_ari_from_table(t2, 2, 2) == -0.5);
  const int64_t t3[] = {5};
  ASSERT(kseg_ari_from_table(t3, 1, 1) == 1.0);

  const int rank = kseg_comm_rank(comm), size = kseg_comm_size(comm);
  char path[64];
  snprintf(path, sizeof path, "sweep_ari_np%d.h5", size);
  int rc = 0;
  if (rank == 0) {
    const char *py = getenv("KSEG_PYTHON"), *tests = getenv("KSEG_TESTS");
    ASSERT(py && tests);
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "%s %s/oracle/sweep_ari.py %s", py, tests, path);
    rc = system(cmd);
  }
  MPI_Bcast(&rc, 1, MPI_INT, 0, comm);
  ASSERT_EQ(rc, 0);
  double pairs = 0;
  ASSERT_OK(kseg_h5_read_attr_f64(comm, path, "/", "pairs", &pairs));
  ASSERT(pairs >= 8);
  for (int p = 0; p < (int)pairs; p++) {
    char an[16], bn[16];
    snprintf(an, sizeof an, "/a%d", p);
    snprintf(bn, sizeof bn, "/b%d", p);
    int64_t n, r0, nl, n2, r02, nl2;
    int32_t *a = NULL, *b = NULL;
    ASSERT_OK(kseg_h5_read_labels(comm, path, an, &n, &r0, &nl, &a));
    ASSERT_OK(kseg_h5_read_labels(comm, path, bn, &n2, &r02, &nl2, &b));
    ASSERT_EQ(nl, nl2);
    int64_t ka = 0, kb = 0;
    for (int64_t i = 0; i < nl; i++) {
      if (a[i] + 1 > ka) ka = a[i] + 1;
      if (b[i] + 1 > kb) kb = b[i] + 1;
    }
    MPI_Allreduce(MPI_IN_PLACE, &ka, 1, MPI_INT64_T, MPI_MAX, comm);
    MPI_Allreduce(MPI_IN_PLACE, &kb, 1, MPI_INT64_T, MPI_MAX, comm);
    double got = 0, want = 0;
    ASSERT_OK(kseg_ari_compute(comm, a, (int)ka, b, (int)kb, nl, &got));
    ASSERT_OK(kseg_h5_read_attr_f64(comm, path, an, "ari", &want));
    if (got != want) KSEG_TEST_FAIL_("pair %d: ARI %.17g, scikit-learn %.17g", p, got, want);
    free(a);
    free(b);
  }
  /* a label out of range on one rank is refused on all */
  int32_t bad[2] = {0, rank == size - 1 ? 7 : 1}, ok[2] = {0, 1};
  double v;
  ASSERT_STATUS(kseg_ari_compute(comm, bad, 2, ok, 2, 2, &v), KSEG_ERR_INPUT);
  if (rank == 0) remove(path);
}

/* Three blobs in 3-D (kseg_test_matrix), keyed by global row g. */
static double three_blobs(int64_t g, int64_t j, const void *ctx)
{
  (void)ctx;
  const kseg_rng_key key = {3, KSEG_STREAM_GENERATE};
  return 6.0 * (double)((g % 3) == j) + kseg_rng_normal(key, (uint64_t)g, (uint64_t)j);
}

static void test_sweep_matches_fit(MPI_Comm comm)
{
  int64_t row0, n_local;
  kseg_partition(N, kseg_comm_size(comm), kseg_comm_rank(comm), &row0, &n_local);
  kseg_matrix x;
  kseg_test_matrix(&x, N, row0, n_local, D, KSEG_F64, three_blobs, NULL);
  kseg_sweep_options o;
  kseg_sweep_options_default(&o);
  o.k_min = 2;
  o.k_max = 4;
  o.n_init = 2;
  o.seed = 17;
  o.silhouette = KSEG_SWEEP_SIL_SAMPLE;
  o.silhouette_sample = 200;
  o.gap_b = 1;
  o.stability_b = 1;
  kseg_sweep_result r;
  ASSERT_OK(kseg_sweep_run(comm, &x, &o, &r));
  ASSERT_EQ(r.n_k, 3);
  ASSERT_EQ(r.recommended_k, 3);
  for (int64_t i = 0; i < r.n_k; i++) {
    const kseg_sweep_row *w = &r.rows[i];
    kseg_kmeans_options ko;
    kseg_kmeans_options_default(&ko);
    ko.k = w->k;
    ko.n_init = 2;
    ko.seed = 17;
    kseg_kmeans_result f;
    ASSERT_OK(kseg_kmeans_fit(comm, &x, &ko, &f));
    ASSERT(f.inertia == w->inertia);
    ASSERT_EQ(f.n_iter, w->n_iter);
    ASSERT_SAME_BITS(f.centroids, w->centroids, w->k * D);
    kseg_kmeans_result_clear(&f);
    ASSERT(w->stability >= 0 && w->stability <= 1);
    ASSERT(isfinite(w->gap) && w->gap_se >= 0);
    ASSERT(w->silhouette > -1 && w->silhouette < 1);
  }
  ASSERT(r.rows[1].stability == 1.0); /* three clean blobs at k=3 */
  kseg_sweep_result_clear(&r);

  /* bad ranges, agreed on every rank */
  const int64_t bad[][2] = {{1, 3}, {0, 3}, {5, 4}, {2, N}, {2, N + 5}};
  for (size_t b = 0; b < sizeof bad / sizeof bad[0]; b++) {
    o.k_min = bad[b][0];
    o.k_max = bad[b][1];
    ASSERT_STATUS(kseg_sweep_run(comm, &x, &o, &r), KSEG_ERR_INPUT);
    ASSERT(r.rows == NULL);
  }
  o.k_min = 2;
  o.k_max = 3;
  o.resume = true; /* no checkpoint named */
  ASSERT_STATUS(kseg_sweep_run(comm, &x, &o, &r), KSEG_ERR_INPUT);
  kseg_matrix_clear(&x);
}

int main(int argc, char **argv)
{
  MPI_Comm comm;
  kseg_test_init(&argc, &argv, &comm, NULL);
  test_kneedle();
  test_gap_rule();
  test_recommend();
  test_ari(comm);
  test_sweep_matches_fit(comm);
  if (kseg_comm_rank(comm) == 0) printf("sweep tests passed\n");
  kseg_test_finalize(&comm, NULL);
  return 0;
}
