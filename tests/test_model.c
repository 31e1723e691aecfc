/* test_model.c - the model and warm-start pieces at 1-3 ranks: Hungarian
 * matching against brute force, segment-id matching, fingerprint and keys
 * independent of the partition, save/load/assign round trip, and the drift
 * join against a serial count. */
#include <math.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kseg/kseg_ari.h"
#include "kseg/kseg_comm.h"
#include "kseg/kseg_error.h"
#include "kseg/kseg_kmeans.h"
#include "kseg/kseg_model.h"
#include "kseg/kseg_rng.h"
#include "kseg/kseg_warmstart.h"
#include "test.h"

/* Brute-force minimum over injective maps of the smaller side. */
static double brute(int rows, int cols, const double *c, int r, unsigned used)
{
  if (r == rows) return 0;
  double best = INFINITY;
  int skip_ok = rows > cols; /* with more rows than columns, a row may go unmatched */
  for (int j = 0; j < cols; j++)
    if (!(used & (1u << j))) best = fmin(best, c[r * cols + j] + brute(rows, cols, c, r + 1, used | (1u << j)));
  if (skip_ok) {
    int left = 0;
    for (int j = 0; j < cols; j++) left += !(used & (1u << j));
    if (rows - r - 1 >= left) best = fmin(best, brute(rows, cols, c, r + 1, used));
  }
  return best;
}

static void test_hungarian(void)
{
  kseg_rng_key key = {.seed = 11, .stream = 99};
  for (int t = 0; t < 200; t++) {
    const int rows = 1 + t % 6, cols = 1 + (t / 6) % 6;
    double c[36];
    int a[6];
    for (int i = 0; i < rows * cols; i++) /* small integers: many ties */
      c[i] = t % 3 == 0 ? floor(4 * kseg_rng_uniform(key, (uint64_t)t, (uint64_t)i)) : kseg_rng_uniform(key, t, i);
    ASSERT_OK(kseg_warmstart_hungarian(rows, cols, c, a));
    double sum = 0;
    int used[6] = {0}, n_assigned = 0;
    for (int r = 0; r < rows; r++) {
      if (a[r] < 0) continue;
      ASSERT(a[r] < cols);
      ASSERT(!used[a[r]]);
      used[a[r]] = 1;
      sum += c[r * cols + a[r]];
      n_assigned++;
    }
    ASSERT_EQ(n_assigned, rows < cols ? rows : cols);
    ASSERT_NEAR(sum, brute(rows, cols, c, 0, 0), 1e-12);
  }
}

static void test_match(void)
{
  /* four well separated old centroids; the fit finds them in another order,
   * slightly moved */
  const double old[4 * 2] = {0, 0, 10, 0, 0, 10, 10, 10};
  const double fit[4 * 2] = {10.2, 9.9, 0.1, 0.2, 9.7, 0.3, -0.2, 10.1};
  int new_id[5], o2n[4];
  ASSERT_OK(kseg_warmstart_match(old, 4, fit, 4, 2, new_id, o2n));
  ASSERT_EQ(new_id[0], 3);
  ASSERT_EQ(new_id[1], 0);
  ASSERT_EQ(new_id[2], 1);
  ASSERT_EQ(new_id[3], 2);
  static const int expect_new[4] = {1, 2, 3, 0};
  for (int i = 0; i < 4; i++) ASSERT_EQ(new_id[expect_new[i]], i);
  /* a fifth segment appears: it takes id 4 */
  const double fit5[5 * 2] = {10.2, 9.9, 0.1, 0.2, 5, 5, 9.7, 0.3, -0.2, 10.1};
  ASSERT_OK(kseg_warmstart_match(old, 4, fit5, 5, 2, new_id, o2n));
  ASSERT_EQ(new_id[2], 4);
  ASSERT_EQ(new_id[0], 3);
  /* one vanishes: the survivors are numbered in old-id order */
  const double fit3[3 * 2] = {10.2, 9.9, 0.1, 0.2, -0.2, 10.1}; /* old 3, 0, 2 */
  ASSERT_OK(kseg_warmstart_match(old, 4, fit3, 3, 2, new_id, o2n));
  ASSERT_EQ(new_id[1], 0);
  ASSERT_EQ(new_id[2], 1);
  ASSERT_EQ(new_id[0], 2);
  ASSERT_EQ(o2n[1], -1);
  ASSERT_EQ(o2n[3], 2);
  /* relabel moves centroids and labels together */
  double c[3 * 2];
  memcpy(c, fit3, sizeof c);
  int32_t lab[3] = {0, 1, 2};
  ASSERT_OK(kseg_warmstart_relabel(lab, 3, c, 3, 2, new_id));
  ASSERT_EQ(lab[0], 2);
  ASSERT_NEAR(c[2 * 2], 10.2, 0);
  ASSERT_NEAR(c[0], 0.1, 0);
}

enum { N = 257, NC = 4 };

static double value(int64_t i, int c)
{
  if (c == 0) return (double)(1000 + 3 * i); /* ID */
  if (c == 1 && i % 17 == 5) return NAN;     /* a missing value to impute */
  const double blob = (double)(i % 3) * 6.0;
  kseg_rng_key key = {.seed = 5, .stream = 1};
  return blob * (c == 2 ? -1 : 1) + kseg_rng_normal(key, (uint64_t)i, (uint64_t)c);
}

/* Rows [row0, row0 + n) of the test table. */
static void make_table(int64_t row0, int64_t n, kseg_table *t)
{
  static const char *const names[NC] = {"ID", "a", "b", "c"};
  memset(t, 0, sizeof *t);
  t->n_global = N;
  t->row0 = row0;
  t->n_local = n;
  t->n_cols = NC;
  t->cols = calloc(NC, sizeof *t->cols);
  for (int c = 0; c < NC; c++) {
    t->cols[c].name = strdup(names[c]);
    t->cols[c].kind = KSEG_COL_NUMERIC;
    t->cols[c].num = malloc(sizeof(double) * (size_t)(n + 1));
    for (int64_t i = 0; i < n; i++) t->cols[c].num[i] = value(row0 + i, c);
  }
}

int main(int argc, char **argv)
{
  MPI_Comm comm;
  kseg_test_init(&argc, &argv, &comm, NULL);
  const int rank = kseg_comm_rank(comm), size = kseg_comm_size(comm);
  test_hungarian();
  test_match();

  int64_t row0, n_local;
  kseg_partition(N, size, rank, &row0, &n_local);
  kseg_table part, whole;
  make_table(row0, n_local, &part);
  make_table(0, N, &whole);

  /* fingerprint and keys do not depend on the partition */
  int64_t n1 = 0, n2 = 0;
  uint64_t h1 = 0, h2 = 0;
  ASSERT_OK(kseg_model_fingerprint(comm, &part, &n1, &h1));
  ASSERT_OK(kseg_model_fingerprint(MPI_COMM_SELF, &whole, &n2, &h2));
  ASSERT_EQ(n1, (int64_t)N);
  ASSERT(h1 == h2);
  whole.cols[3].num[7] += 1e-9; /* any value changes it */
  ASSERT_OK(kseg_model_fingerprint(MPI_COMM_SELF, &whole, &n2, &h2));
  ASSERT(h1 != h2);
  ASSERT_EQ(kseg_model_id_column(&part), 0);
  uint64_t *keys = malloc(sizeof(uint64_t) * (size_t)(n_local + 1)), *wkeys = malloc(sizeof(uint64_t) * N);
  kseg_model_row_keys(&part, 0, keys);
  kseg_model_row_keys(&whole, 0, wkeys);
  for (int64_t i = 0; i < n_local; i++) ASSERT(keys[i] == wkeys[row0 + i]);

  /* fit, save, load, assign: the training rows get their labels back */
  kseg_prep_options po = {.recipe = KSEG_RECIPE_GENERIC};
  kseg_prep_model *prep = NULL;
  int8_t *mask = NULL;
  ASSERT_OK(kseg_prep_fit(comm, &part, &po, &prep, &mask));
  const int W = kseg_prep_width(prep);
  ASSERT_EQ(W, 3); /* ID is an identifier, not a feature */
  double *x = malloc(sizeof(double) * (size_t)(n_local + 1) * W);
  ASSERT_OK(kseg_prep_apply(prep, &part, x));
  kseg_matrix xm = {.n_global = N, .row0 = row0, .n_local = n_local, .d = W, .dtype = KSEG_F64, .data = x};
  kseg_kmeans_options ko;
  kseg_kmeans_options_default(&ko);
  ko.k = 3;
  ko.n_init = 2;
  kseg_kmeans_result fr = {0};
  ASSERT_OK(kseg_kmeans_fit(comm, &xm, &ko, &fr));
  int32_t *lab = malloc(sizeof(int32_t) * (size_t)(n_local + 1));
  ASSERT_OK(kseg_kmeans_assign(&xm, fr.centroids, 3, lab, NULL));

  char *names[3] = {"first", "second, with a comma", "third"};
  kseg_model m = {.prep = prep, .k = 3, .d = W, .centroids = fr.centroids, .segment_names = names,
                  .segment_actions = names, .id_column = "ID", .n_original = prep->n_features};
  m.original = malloc(sizeof(double) * 3 * (size_t)prep->n_features);
  ASSERT_OK(kseg_model_original_means(comm, prep, &part, lab, 3, m.original));
  ASSERT_OK(kseg_model_fingerprint(comm, &part, &m.train_rows, &m.train_hash));
  char path[64];
  snprintf(path, sizeof path, "test_model_np%d.h5", size);
  kseg_model_train tr = {N, row0, n_local, keys, lab};
  ASSERT_OK(kseg_model_save(comm, path, &m, &tr));

  kseg_model *back = NULL;
  ASSERT_OK(kseg_model_load(comm, path, &back));
  ASSERT_EQ(back->k, 3);
  ASSERT_EQ(back->d, (int64_t)W);
  ASSERT_STREQ(back->id_column, "ID");
  ASSERT_STREQ(back->segment_names[1], "second, with a comma");
  ASSERT(back->train_hash == m.train_hash);
  ASSERT_EQ(back->train_rows, (int64_t)N);
  for (int i = 0; i < 3 * W; i++) ASSERT(back->centroids[i] == fr.centroids[i]);
  for (int i = 0; i < 3 * prep->n_features; i++)
    ASSERT(back->original[i] == m.original[i] || (isnan(back->original[i]) && isnan(m.original[i])));
  int32_t *lab2 = malloc(sizeof(int32_t) * (size_t)(n_local + 1));
  double *dist = malloc(sizeof(double) * (size_t)(n_local + 1));
  ASSERT_OK(kseg_model_assign(comm, back, &part, lab2, dist, NULL));
  for (int64_t i = 0; i < n_local; i++) {
    ASSERT_EQ(lab2[i], lab[i]);
    ASSERT(dist[i] >= 0 && isfinite(dist[i]));
  }

  /* a table without column `b` cannot be scored: the column is named */
  kseg_table nob = part;
  nob.cols = malloc(sizeof *nob.cols * NC);
  memcpy(nob.cols, part.cols, sizeof *nob.cols * NC);
  nob.cols[2] = nob.cols[3];
  nob.n_cols = NC - 1;
  ASSERT_STATUS(kseg_model_assign(comm, back, &nob, lab2, dist, NULL), KSEG_ERR_INPUT);
  ASSERT_CONTAINS(kseg_error_message(), "'b'");
  free(nob.cols);
  kseg_error_clear();

  /* drift: the new base is the odd rows only (by ID), with segment ids
   * rotated; old_to_new says so, so nobody moved; with the identity map,
   * everybody moved. Counted serially for comparison. */
  int64_t n_new = 0;
  uint64_t *nk = malloc(sizeof(uint64_t) * (size_t)(n_local + 1));
  int32_t *nl = malloc(sizeof(int32_t) * (size_t)(n_local + 1));
  for (int64_t i = 0; i < n_local; i++)
    if ((row0 + i) % 2 == 1) {
      nk[n_new] = keys[i];
      nl[n_new++] = (lab[i] + 1) % 3;
    }
  const int rot[3] = {1, 2, 0}, ident[3] = {0, 1, 2};
  kseg_drift d;
  ASSERT_OK(kseg_warmstart_drift(comm, path, back, rot, nk, nl, n_new, 3, &d));
  ASSERT_EQ(d.old_rows, (int64_t)N);
  ASSERT_EQ(d.matched, (int64_t)(N / 2));
  ASSERT_EQ(d.moved, (int64_t)0);
  ASSERT_NEAR(d.ari, 1.0, 1e-15);
  ASSERT_OK(kseg_warmstart_drift(comm, path, back, ident, nk, nl, n_new, 3, &d));
  ASSERT_EQ(d.moved, (int64_t)(N / 2));
  /* move every 5th new customer to segment 0 and compare with a serial count */
  int64_t moved_local = 0;
  for (int64_t i = 0, j = 0; i < n_local; i++)
    if ((row0 + i) % 2 == 1) {
      if ((row0 + i) % 5 == 0) nl[j] = 0;
      moved_local += nl[j] != rot[lab[i]];
      j++;
    }
  int64_t moved = moved_local;
  ASSERT_OK(kseg_comm_sum_i64(comm, &moved, 1));
  ASSERT_OK(kseg_warmstart_drift(comm, path, back, rot, nk, nl, n_new, 3, &d));
  ASSERT_EQ(d.moved, moved);
  ASSERT(moved > 0);
  ASSERT_NEAR(d.moved_share, (double)moved / (double)(N / 2), 1e-15);
  ASSERT(d.ari < 1.0 && d.ari > 0.0);

  if (rank == 0) remove(path);
  kseg_model_free(&back);
  free(m.original);
  free(nk);
  free(nl);
  free(lab);
  free(lab2);
  free(dist);
  free(x);
  free(mask);
  free(keys);
  free(wkeys);
  kseg_kmeans_result_clear(&fr);
  kseg_prep_free(&prep);
  kseg_table_clear(&part);
  kseg_table_clear(&whole);
  if (rank == 0) printf("model: ok on %d ranks\n", size);
  kseg_test_finalize(&comm, NULL);
  return 0;
}
