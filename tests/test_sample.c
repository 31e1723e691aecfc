/* kseg_matrix_sample: the m rows with the smallest keys (ties to the lowest
 * row), in global row order, partitioned like any matrix, the same rows for
 * any rank count (checked against the selection made from every key), for
 * float64 and float32, m from 1 to above N; and kseg_cores_plan: a thread
 * count of at least 1, the same verdict on every rank, and a node that runs
 * more threads than its cores when told to. Run at 1, 2 and 3 ranks. */
#include "test.h"

#include <stdlib.h>
#include <string.h>

#include "kseg/kseg_comm.h"
#include "kseg/kseg_cores.h"
#include "kseg/kseg_error.h"
#include "kseg/kseg_rng.h"
#include "kseg/kseg_sample.h"

enum { N = 1003, D = 3 };

typedef struct pick {
  uint64_t key;
  int64_t row;
} pick;

static int by_key(const void *a, const void *b)
{
  const pick *p = a, *q = b;
  if (p->key != q->key) return p->key < q->key ? -1 : 1;
  return p->row < q->row ? -1 : p->row > q->row;
}

static int by_row(const void *a, const void *b)
{
  const pick *p = a, *q = b;
  return p->row < q->row ? -1 : p->row > q->row;
}

static void check(MPI_Comm comm, kseg_dtype dtype, int64_t m, uint64_t seed)
{
  const int P = kseg_comm_size(comm), rank = kseg_comm_rank(comm);
  kseg_matrix x = {.n_global = N, .d = D, .dtype = dtype};
  kseg_partition(N, P, rank, &x.row0, &x.n_local);
  x.data = malloc((size_t)(x.n_local * D + 1) * 8);
  ASSERT(x.data);
  for (int64_t i = 0; i < x.n_local; i++)
    for (int64_t j = 0; j < D; j++) {
      const double v = (double)(x.row0 + i) + 0.25 * (double)j; /* the row and column, exactly */
      if (dtype == KSEG_F32) ((float *)x.data)[i * D + j] = (float)v;
      else ((double *)x.data)[i * D + j] = v;
    }
  kseg_matrix s;
  ASSERT_OK(kseg_matrix_sample(comm, &x, m, seed, &s));
  const int64_t want_n = m < N ? m : N;
  ASSERT_EQ(s.n_global, want_n);
  int64_t row0, nl;
  kseg_partition(want_n, P, rank, &row0, &nl);
  ASSERT_EQ(s.row0, row0);
  ASSERT_EQ(s.n_local, nl);
  /* the selection from every key */
  pick *all = malloc(N * sizeof *all);
  ASSERT(all);
  const kseg_rng_key key = {seed, kseg_rng_substream(KSEG_STREAM_SAMPLE, 1, 0)};
  for (int64_t r = 0; r < N; r++) all[r] = (pick){kseg_rng_u64(key, (uint64_t)r, 0), r};
  qsort(all, N, sizeof *all, by_key);
  qsort(all, (size_t)want_n, sizeof *all, by_row);
  for (int64_t i = 0; i < s.n_local; i++)
    for (int64_t j = 0; j < D; j++) {
      const double got = dtype == KSEG_F32 ? (double)((float *)s.data)[i * D + j] : ((double *)s.data)[i * D + j];
      ASSERT_EQ(got * 4, ((double)all[s.row0 + i].row + 0.25 * (double)j) * 4);
    }
  free(all);
  kseg_matrix_clear(&s);
  free(x.data);
}

int main(int argc, char **argv)
{
  MPI_Comm comm;
  kseg_test_init(&argc, &argv, &comm, NULL);
  const int64_t ms[] = {1, 2, 7, 100, 500, N - 1, N, N + 50};
  for (size_t i = 0; i < sizeof ms / sizeof ms[0]; i++)
    for (int dt = 0; dt < 2; dt++) check(comm, dt ? KSEG_F32 : KSEG_F64, ms[i], 11 + i);
  kseg_matrix empty = {.n_global = N, .d = D, .dtype = KSEG_F64};
  kseg_matrix s;
  ASSERT_STATUS(kseg_matrix_sample(comm, &empty, 0, 1, &s), KSEG_ERR_INPUT);

  kseg_cores c;
  ASSERT_OK(kseg_cores_plan(comm, 0, &c));
  ASSERT(c.threads >= 1 && c.mask_cores >= 1 && c.node_cores >= c.mask_cores);
  ASSERT(c.sharers >= 1 && c.sharers <= c.node_ranks);
  int over = c.oversubscribed, any = 0;
  MPI_Allreduce(&over, &any, 1, MPI_INT, MPI_LOR, comm);
  ASSERT_EQ(over, any); /* every rank says the same */
  /* asked for more threads than any machine has cores: oversubscribed */
  ASSERT_OK(kseg_cores_plan(comm, 1 << 20, &c));
  ASSERT(c.oversubscribed && c.worst_threads == 1 << 20 && c.worst_cores >= 1);
  if (kseg_comm_rank(comm) == 0) printf("sample: ok\n");
  kseg_test_finalize(&comm, NULL);
  return 0;
}
