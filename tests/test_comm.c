/* comm: partitions, error agreement from one failing rank, exact sums. */
#include "kseg/kseg_comm.h"
#include "kseg/kseg_error.h"
#include "kseg/kseg_fixed.h"
#include "test.h"

static void check_partition(int64_t n, int p)
{
  int64_t expect_row0 = 0;
  for (int r = 0; r < p; r++) {
    int64_t row0, cnt;
    kseg_partition(n, p, r, &row0, &cnt);
    ASSERT_EQ(row0, expect_row0);
    ASSERT(cnt == n / p || cnt == n / p + 1);
    ASSERT_EQ(cnt, n / p + (r < n % p ? 1 : 0));
    if (n < 1000) {
      for (int64_t i = row0; i < row0 + cnt; i++) ASSERT_EQ(kseg_partition_owner(n, p, i), r);
    } else if (cnt > 0) { /* large n: the block edges */
      ASSERT_EQ(kseg_partition_owner(n, p, row0), r);
      ASSERT_EQ(kseg_partition_owner(n, p, row0 + cnt - 1), r);
    }
    expect_row0 += cnt;
  }
  ASSERT_EQ(expect_row0, n);
}

int main(int argc, char **argv)
{
  MPI_Comm comm;
  kseg_test_init(&argc, &argv, &comm, NULL);
  int rank = kseg_comm_rank(comm), size = kseg_comm_size(comm);

  for (int64_t n = 0; n < 12; n++)
    for (int p = 1; p <= 5; p++) check_partition(n, p);
  check_partition((int64_t)5000000000, 3); /* beyond 32 bits */

  /* Only the last rank fails: every rank learns its status and message. */
  kseg_error_clear();
  int st = rank == size - 1 ? kseg_error_set(KSEG_ERR_INPUT, "bad row 17 on rank %d", rank) : KSEG_OK;
  ASSERT_EQ(kseg_comm_agree(comm, st), KSEG_ERR_INPUT);
  char expect[64];
  snprintf(expect, sizeof expect, "bad row 17 on rank %d", size - 1);
  ASSERT_STREQ(kseg_error_message(), expect);
  kseg_error_clear();

  /* The worst status wins over a milder one elsewhere. */
  st = rank == 0 ? kseg_error_set(KSEG_ERR_INPUT, "mild") : kseg_error_set(KSEG_ERR_IO, "worse on %d", rank);
  ASSERT_EQ(kseg_comm_agree(comm, st), size > 1 ? KSEG_ERR_IO : KSEG_ERR_INPUT);
  if (size > 1) ASSERT_STREQ(kseg_error_message(), "worse on 1");
  kseg_error_clear();
  ASSERT_EQ(kseg_comm_agree(comm, KSEG_OK), KSEG_OK);

  /* Exact fixed-point sums: the same bits whatever the partition. */
  const int64_t n = 10007;
  double bound = 0;
  for (int64_t i = 0; i < n; i++) bound = fmax(bound, fabs(sin((double)i) * 1e3));
  kseg_fixed fx = kseg_fixed_for_bound(bound);
  int64_t row0, cnt;
  kseg_partition(n, size, rank, &row0, &cnt);
  kseg_i128 local = 0, serial = 0;
  for (int64_t i = row0; i < row0 + cnt; i++) local += kseg_fixed_from(&fx, sin((double)i) * 1e3);
  for (int64_t i = 0; i < n; i++) serial += kseg_fixed_from(&fx, sin((double)i) * 1e3);
  kseg_i128 total = local;
  ASSERT_OK(kseg_comm_sum_i128(comm, &total, 1));
  ASSERT(total == serial);
  kseg_i128 prefix;
  ASSERT_OK(kseg_comm_exscan_i128(comm, local, &prefix));
  kseg_i128 check = 0;
  for (int64_t i = 0; i < row0; i++) check += kseg_fixed_from(&fx, sin((double)i) * 1e3);
  ASSERT(prefix == check);
  double plain = 0;
  for (int64_t i = 0; i < n; i++) plain += sin((double)i) * 1e3;
  ASSERT_NEAR(kseg_fixed_to_double(&fx, total), plain, 1e-9);

  int64_t counts[2] = {cnt, 1};
  ASSERT_OK(kseg_comm_sum_i64(comm, counts, 2));
  ASSERT_EQ(counts[0], n);
  ASSERT_EQ(counts[1], size);

  if (rank == 0) printf("comm ok on %d ranks\n", size);
  kseg_test_finalize(&comm, NULL);
  return 0;
}
