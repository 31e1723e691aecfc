/* test_pipeline.c - the library's pipeline pieces at 1-3 ranks: a fit that
 * saves checkpoints ends as one that does not, a resume from the last
 * checkpoint ends bit-identical to the uninterrupted fit, a checkpoint of
 * other options is refused, and result.h5 reads back. */
#include <math.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kseg/kseg_checkpoint.h"
#include "kseg/kseg_comm.h"
#include "kseg/kseg_error.h"
#include "kseg/kseg_h5io.h"
#include "kseg/kseg_kmeans.h"
#include "kseg/kseg_outputs.h"
#include "kseg/kseg_rng.h"
#include "test.h"

enum { N = 301, D = 4, K = 4 };

/* Four blobs, each row a function of its global index only. */
static void make_matrix(int64_t row0, int64_t n_local, kseg_matrix *x)
{
  *x = (kseg_matrix){.n_global = N, .row0 = row0, .n_local = n_local, .d = D, .dtype = KSEG_F64};
  double *v = malloc(sizeof(double) * (size_t)(n_local + 1) * D);
  ASSERT(v != NULL);
  kseg_rng_key key = {.seed = 3, .stream = 99};
  for (int64_t i = 0; i < n_local; i++)
    for (int j = 0; j < D; j++)
      v[i * D + j] = 5.0 * (double)((row0 + i) % 4 == j) + kseg_rng_uniform(key, (uint64_t)(row0 + i), (uint64_t)j);
  x->data = v;
}

static void same_fit(const kseg_kmeans_result *a, const kseg_kmeans_result *b)
{
  ASSERT(memcmp(a->centroids, b->centroids, sizeof(double) * K * D) == 0);
  ASSERT(memcmp(a->labels, b->labels, sizeof(int32_t) * (size_t)a->n_local) == 0);
  ASSERT_SAME_BITS(&a->inertia, &b->inertia, 1);
  ASSERT_EQ(a->n_iter, b->n_iter);
  ASSERT_EQ(a->best_restart, b->best_restart);
}

static void options(kseg_kmeans_options *o, uint64_t seed)
{
  kseg_kmeans_options_default(o);
  o->k = K;
  o->n_init = 3;
  o->seed = seed;
  o->tol = 0;
  o->algorithm = KSEG_ALGO_LLOYD;
}

int main(int argc, char **argv)
{
  MPI_Comm comm;
  kseg_test_init(&argc, &argv, &comm, NULL);
  const int rank = kseg_comm_rank(comm), size = kseg_comm_size(comm);
  int64_t row0, n_local;
  kseg_partition(N, size, rank, &row0, &n_local);
  kseg_matrix x;
  make_matrix(row0, n_local, &x);
  char path[64], result_path[64];
  snprintf(path, sizeof path, "pipeline_ckpt_np%d.h5", size);
  snprintf(result_path, sizeof result_path, "pipeline_result_np%d.h5", size);

  kseg_kmeans_options o;
  kseg_kmeans_result full = {0}, saved = {0}, resumed = {0};
  options(&o, 5);
  ASSERT_OK(kseg_kmeans_fit(comm, &x, &o, &full));

  /* saving every iteration changes nothing; the last save stays on disk */
  kseg_checkpoint c = {0};
  options(&o, 5);
  ASSERT_OK(kseg_checkpoint_attach(comm, &c, path, 1, &x, &o));
  ASSERT_OK(kseg_kmeans_fit(comm, &x, &o, &saved));
  same_fit(&full, &saved);
  ASSERT(access(path, F_OK) == 0);

  /* continuing from it ends where the uninterrupted fit ended */
  kseg_checkpoint r = {0};
  options(&o, 5);
  ASSERT_OK(kseg_checkpoint_attach(comm, &r, path, 1, &x, &o));
  ASSERT_STREQ(r.fingerprint, c.fingerprint);
  ASSERT_OK(kseg_checkpoint_resume(comm, &r, &o));
  ASSERT(o.resume == &r.resumed);
  ASSERT_EQ(r.resumed.restart, 2);
  ASSERT_OK(kseg_kmeans_fit(comm, &x, &o, &resumed));
  same_fit(&full, &resumed);

  /* another seed is another run: refused, the file kept */
  kseg_checkpoint other = {0};
  options(&o, 6);
  ASSERT_OK(kseg_checkpoint_attach(comm, &other, path, 1, &x, &o));
  ASSERT(strcmp(other.fingerprint, c.fingerprint) != 0);
  ASSERT_STATUS(kseg_checkpoint_resume(comm, &other, &o), KSEG_ERR_INPUT);
  ASSERT_CONTAINS(kseg_error_message(), "other data or options");
  ASSERT(o.resume == NULL);
  kseg_error_clear();

  /* discarded: gone, and a resume says so */
  kseg_checkpoint_discard(comm, &c);
  ASSERT_OK(kseg_comm_agree(comm, KSEG_OK));
  options(&o, 5);
  ASSERT_OK(kseg_checkpoint_attach(comm, &c, path, 1, &x, &o));
  ASSERT_STATUS(kseg_checkpoint_resume(comm, &c, &o), KSEG_ERR_INPUT);
  ASSERT_CONTAINS(kseg_error_message(), "does not exist");
  kseg_error_clear();

  /* result.h5 reads back */
  options(&o, 5);
  const kseg_result_file rf = {.n_global = N, .row0 = full.row0, .n_local = full.n_local, .labels = full.labels,
                               .k = K, .fit = &full, .options = &o, .input = "memory"};
  ASSERT_OK(kseg_outputs_write_result(comm, result_path, &rf));
  int64_t n_lab = 0, lab0 = 0, lab_n = 0;
  int32_t *labels = NULL;
  ASSERT_OK(kseg_h5_read_labels(comm, result_path, "/labels", &n_lab, &lab0, &lab_n, &labels));
  ASSERT_EQ(n_lab, N);
  ASSERT_EQ(lab_n, full.n_local);
  ASSERT(memcmp(labels, full.labels, sizeof(int32_t) * (size_t)lab_n) == 0);
  double inertia = 0, k = 0;
  ASSERT_OK(kseg_h5_read_attr_f64(comm, result_path, "/", "inertia", &inertia));
  ASSERT_OK(kseg_h5_read_attr_f64(comm, result_path, "/", "k", &k));
  ASSERT_SAME_BITS(&inertia, &full.inertia, 1);
  ASSERT_EQ(k, K);
  const kseg_result_file bad = {.n_global = N, .row0 = full.row0, .n_local = full.n_local, .labels = full.labels,
                                .k = K, .options = &o};
  ASSERT_STATUS(kseg_outputs_write_result(comm, result_path, &bad), KSEG_ERR_INPUT);
  kseg_error_clear();
  if (rank == 0) remove(result_path);

  free(labels);
  kseg_checkpoint_clear(&c);
  kseg_checkpoint_clear(&r);
  kseg_checkpoint_clear(&other);
  kseg_kmeans_result_clear(&full);
  kseg_kmeans_result_clear(&saved);
  kseg_kmeans_result_clear(&resumed);
  kseg_matrix_clear(&x);
  if (rank == 0) printf("pipeline: ok on %d rank(s)\n", size);
  kseg_test_finalize(&comm, NULL);
  return 0;
}
