/* prep_replay RAW.h5 FEATURES.h5 [FIRST_ROW]: load the /prep saved by
 * `kseg prep`, apply it to the raw table RAW.h5 and compare, bit for bit, with
 * rows FIRST_ROW.. of /features in FEATURES.h5 (RAW.h5 may be the training
 * table or new customers cut from it, its categorical levels reordered).
 * Run by tests/cli/prep_replay.sh at any rank count. */
#include <stdlib.h>

#include "kseg/kseg_comm.h"
#include "kseg/kseg_error.h"
#include "kseg/kseg_h5io.h"
#include "kseg/kseg_prep.h"
#include "test.h"

int main(int argc, char **argv)
{
  MPI_Comm comm;
  kseg_test_init(&argc, &argv, &comm, NULL);
  ASSERT(argc >= 3);
  int64_t first = argc > 3 ? atoll(argv[3]) : 0;
  kseg_prep_model *m = NULL;
  kseg_table raw;
  ASSERT_OK(kseg_prep_load(comm, argv[2], "/prep", &m));
  ASSERT_OK(kseg_h5_read_table(comm, argv[1], NULL, 0, &raw));
  int W = kseg_prep_width(m);
  double *x = malloc(sizeof(double) * (size_t)(raw.n_local + 1) * (size_t)W);
  ASSERT_OK(kseg_prep_apply(m, &raw, x));

  /* the matching rows of /features, read whole (the test tables are small) */
  MPI_Comm self;
  ASSERT_OK(kseg_comm_dup(MPI_COMM_SELF, &self));
  kseg_matrix f;
  ASSERT_OK(kseg_h5_read_matrix(self, argv[2], "/features", &f));
  ASSERT_EQ(f.d, W);
  ASSERT(first + raw.n_global <= f.n_global);
  const double *want = (const double *)f.data + (first + raw.row0) * W;
  for (int64_t i = 0; i < raw.n_local * W; i++)
    if (memcmp(&x[i], &want[i], sizeof(double)) != 0)
      ASSERT_NEAR(x[i], want[i], 0.0); /* prints the row's values */
  if (kseg_comm_rank(comm) == 0)
    printf("replay: %lld rows x %d columns identical\n", (long long)raw.n_global, W);
  kseg_matrix_clear(&f);
  kseg_table_clear(&raw);
  kseg_prep_free(&m);
  free(x);
  kseg_test_finalize(&comm, &self);
  return 0;
}
