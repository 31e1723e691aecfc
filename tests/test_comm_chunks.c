/* comm chunking: with the MPI count limit forced tiny, the reductions, the
 * broadcast, the all-to-all exchange and the ring send-receive give exactly
 * what one call gives. */
#include "kseg/kseg_comm.h"
#include "kseg/kseg_error.h"
#include "test.h"

typedef struct rec {
  int32_t from, to;
  int64_t index;
  char tag[5]; /* an odd size: records are bytes to the exchange */
} rec;

/* Records rank `from` sends to rank `to`: a count that varies by pair (zero for some). */
static int64_t pair_count(int from, int to) { return (int64_t)((from * 7 + to * 3) % 5) * 3 + (from == to ? 0 : 1); }

static void check_exchange(MPI_Comm comm)
{
  int rank = kseg_comm_rank(comm), size = kseg_comm_size(comm);
  int64_t *counts = calloc((size_t)size, sizeof *counts), total = 0;
  for (int r = 0; r < size; r++) total += counts[r] = pair_count(rank, r);
  rec *send = calloc((size_t)total + 1, sizeof *send);
  int64_t k = 0;
  for (int r = 0; r < size; r++)
    for (int64_t i = 0; i < counts[r]; i++, k++) {
      send[k] = (rec){rank, r, i, "abcd"};
      send[k].tag[4] = (char)('A' + (i % 26));
    }
  rec *recv = NULL;
  int64_t n = -1, *from = calloc((size_t)size, sizeof *from);
  ASSERT_OK(kseg_comm_exchange(comm, send, counts, sizeof *send, (void **)&recv, &n, from));
  k = 0;
  for (int r = 0; r < size; r++) {
    ASSERT_EQ(from[r], pair_count(r, rank));
    for (int64_t i = 0; i < from[r]; i++, k++) {
      ASSERT_EQ(recv[k].from, r);
      ASSERT_EQ(recv[k].to, rank);
      ASSERT_EQ(recv[k].index, i);
      ASSERT_EQ(recv[k].tag[4], 'A' + (i % 26));
    }
  }
  ASSERT_EQ(n, k);
  free(recv);
  free(send);
  free(counts);
  free(from);
}

/* A ring: each rank sends 10 * rank + 3 values to the next one. */
static void check_sendrecv(MPI_Comm comm)
{
  int rank = kseg_comm_rank(comm), size = kseg_comm_size(comm);
  int next = (rank + 1) % size, prev = (rank - 1 + size) % size;
  int64_t ns = 10 * rank + 3, nr = 10 * prev + 3;
  double *out = malloc(sizeof *out * (size_t)ns), *in = calloc((size_t)nr, sizeof *in);
  for (int64_t i = 0; i < ns; i++) out[i] = rank * 1000.0 + (double)i;
  ASSERT_OK(kseg_comm_sendrecv(comm, out, ns, next, in, nr, prev, MPI_DOUBLE, sizeof(double), 5));
  for (int64_t i = 0; i < nr; i++) ASSERT_EQ(in[i], prev * 1000 + i);
  free(out);
  free(in);
}

int main(int argc, char **argv)
{
  MPI_Comm comm;
  kseg_test_init(&argc, &argv, &comm, NULL);
  int rank = kseg_comm_rank(comm), size = kseg_comm_size(comm);
  ASSERT_EQ(kseg_comm_set_chunk_limit(0), (int64_t)1 << 30);

  const int64_t limits[] = {0, 1, 2, 3, 7, 1000};
  for (int l = 0; l < 6; l++) {
    kseg_comm_set_chunk_limit(limits[l]);
    enum { N = 1001 };
    int64_t sums[N];
    double highs[N];
    for (int64_t i = 0; i < N; i++) {
      sums[i] = i * (rank + 1);
      highs[i] = (double)(i * 31 % 97) + rank;
    }
    ASSERT_OK(kseg_comm_sum_i64(comm, sums, N));
    ASSERT_OK(kseg_comm_max_f64(comm, highs, N));
    for (int64_t i = 0; i < N; i++) {
      ASSERT_EQ(sums[i], i * size * (size + 1) / 2);
      ASSERT_EQ((int64_t)highs[i], i * 31 % 97 + size - 1);
    }
    char text[N];
    for (int i = 0; i < N; i++) text[i] = rank == size - 1 ? (char)(i % 251) : 0;
    ASSERT_OK(kseg_comm_bcast(comm, text, N, size - 1));
    for (int i = 0; i < N; i++) ASSERT_EQ(text[i], (char)(i % 251));
    check_exchange(comm);
    check_sendrecv(comm);
  }
  kseg_comm_set_chunk_limit(0);
  if (rank == 0) printf("comm chunks ok on %d ranks\n", size);
  kseg_test_finalize(&comm, NULL);
  return 0;
}
