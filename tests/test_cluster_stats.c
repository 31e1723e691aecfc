/* cluster_stats: kseg_cluster_stats_by_blocks gives the bits of
 * kseg_cluster_stats_compute on the same rows, for blocks of 1 row, of an
 * odd size, of more rows than a rank holds, at any rank count, and both
 * equal one rank holding every row alone (MPI_COMM_SELF). The source is
 * called for rows inside the rank's range, at most a block at a time. A bad
 * label on one rank is an error on every rank. */
#include <stdlib.h>

#include "kseg/kseg_comm.h"
#include "kseg/kseg_error.h"
#include "kseg/kseg_metrics.h"
#include "test.h"

#define N 5003
#define D 5
#define K 6

/* Values of very different sizes, so the exact sums' scale matters. */
static double value(int64_t i, int64_t j, const void *ctx)
{
  (void)ctx;
  const double base = (double)((i * 7919 + j * 104729) % 1000) / 7.0 - 60.0;
  return j == 3 ? base * 1e6 : j == 4 ? base * 1e-9 : base;
}
static int32_t label_of(int64_t i) { return (int32_t)((i * 3 + i / 17) % (K - 1)); } /* segment K-1 empty */

typedef struct source_ctx {
  const kseg_matrix *x;
  int64_t block;
  int calls;
} source_ctx;

static void rows_of(const void *ctx, int64_t i0, int64_t i1, double *out)
{
  source_ctx *c = (source_ctx *)ctx;
  ASSERT(0 <= i0 && i0 < i1 && i1 <= c->x->n_local && i1 - i0 <= c->block);
  memcpy(out, (const double *)c->x->data + i0 * D, sizeof(double) * (size_t)((i1 - i0) * D));
  c->calls++;
}

static void assert_same_stats(const kseg_cluster_stats *a, const kseg_cluster_stats *b)
{
  ASSERT_EQ(a->k, b->k);
  ASSERT_EQ(a->k_present, b->k_present);
  ASSERT_EQ(a->n, b->n);
  for (int s = 0; s < K; s++) ASSERT_EQ(a->counts[s], b->counts[s]);
  ASSERT_SAME_BITS(a->centroids, b->centroids, K * D);
  ASSERT_SAME_BITS(a->mean, b->mean, D);
}

int main(int argc, char **argv)
{
  MPI_Comm comm, self;
  kseg_test_init(&argc, &argv, &comm, &self);
  const int rank = kseg_comm_rank(comm), size = kseg_comm_size(comm);
  int64_t row0, n_local;
  kseg_partition(N, size, rank, &row0, &n_local);
  kseg_matrix x, all;
  kseg_test_matrix(&x, N, row0, n_local, D, KSEG_F64, value, NULL);
  kseg_test_matrix(&all, N, 0, N, D, KSEG_F64, value, NULL);
  int32_t *labels = malloc(sizeof(int32_t) * N);
  for (int64_t i = 0; i < N; i++) labels[i] = label_of(i);

  kseg_cluster_stats whole, here;
  ASSERT_OK(kseg_cluster_stats_compute(self, &all, labels, K, &whole));
  ASSERT_EQ(whole.k_present, K - 1);
  ASSERT_EQ(whole.n, N);
  ASSERT_OK(kseg_cluster_stats_compute(comm, &x, labels + row0, K, &here));
  assert_same_stats(&here, &whole);

  const int64_t blocks[] = {1, 7, 1000, n_local + 5};
  for (int b = 0; b < 4; b++) {
    source_ctx c = {&x, blocks[b], 0};
    const kseg_row_source src = {.row0 = row0, .n_local = n_local, .d = D, .block = blocks[b], .rows = rows_of,
                                 .ctx = &c};
    kseg_cluster_stats by;
    ASSERT_OK(kseg_cluster_stats_by_blocks(comm, &src, labels + row0, K, &by));
    assert_same_stats(&by, &whole);
    ASSERT_EQ(c.calls, 2 * ((n_local + blocks[b] - 1) / blocks[b])); /* once for the bound, once for the sums */
    kseg_cluster_stats_clear(&by);
  }

  /* a bad label on the last rank only */
  if (rank == size - 1) labels[row0 + n_local - 1] = K;
  source_ctx c = {&x, 64, 0};
  const kseg_row_source src = {.row0 = row0, .n_local = n_local, .d = D, .block = 64, .rows = rows_of, .ctx = &c};
  kseg_cluster_stats bad;
  ASSERT_STATUS(kseg_cluster_stats_by_blocks(comm, &src, labels + row0, K, &bad), KSEG_ERR_INPUT);
  if (rank == size - 1) ASSERT_CONTAINS(kseg_error_message(), "row 5002");
  ASSERT(bad.counts == NULL && bad.centroids == NULL);

  kseg_cluster_stats_clear(&whole);
  kseg_cluster_stats_clear(&here);
  kseg_matrix_clear(&x);
  kseg_matrix_clear(&all);
  free(labels);
  kseg_test_finalize(&comm, &self);
  return 0;
}
