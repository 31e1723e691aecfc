/* kseg_csv_import end to end through the library: the table read back with
 * kseg_h5_read_table holds each rank's rows as written in the CSV, for any
 * rank count; bad input fails the same way on every rank and writes nothing. */
#include <unistd.h>

#include "kseg/kseg_comm.h"
#include "kseg/kseg_csv.h"
#include "kseg/kseg_error.h"
#include "kseg/kseg_h5io.h"
#include "test.h"

enum { ROWS = 500 };

static const char *const segs[] = {"gold", "silver", "bronze"};

/* Row i of the test file: id string, amount (missing every 9th), a segment,
 * a DD-MM-YYYY date and a quoted comment with a delimiter and a newline. */
static void write_csv(const char *path)
{
  FILE *f = fopen(path, "w");
  ASSERT(f != NULL);
  fprintf(f, "cust;amount;segment;since;comment\r\n");
  for (int i = 0; i < ROWS; i++) {
    if (i % 9 == 0) fprintf(f, "K%05d;NA;%s;%02d-%02d-20%02d;\"c%d; \"\"x\"\"\nend\"\r\n", i, segs[i % 3],
                            1 + i % 28, 1 + i % 12, 10 + i % 10, i % 7);
    else fprintf(f, "K%05d;%d.25;%s;%02d-%02d-20%02d;\"c%d; \"\"x\"\"\nend\"\r\n", i, i, segs[i % 3], 1 + i % 28,
                 1 + i % 12, 10 + i % 10, i % 7);
  }
  ASSERT_EQ(fclose(f), 0);
}

int main(int argc, char **argv)
{
  MPI_Comm comm;
  kseg_test_init(&argc, &argv, &comm, NULL);
  int rank = kseg_comm_rank(comm), size = kseg_comm_size(comm);
  char csv[128], h5[128], bad[128];
  /* Names per rank count: ctest may run np1..np3 at the same time. */
  snprintf(csv, sizeof csv, "csv_import_np%d.csv", size);
  snprintf(h5, sizeof h5, "csv_import_np%d.h5", size);
  snprintf(bad, sizeof bad, "csv_import_bad_np%d.csv", size);
  if (rank == 0) {
    write_csv(csv);
    FILE *f = fopen(bad, "w");
    ASSERT(f != NULL);
    fprintf(f, "a,b\n");
    for (int i = 0; i < 300; i++) fprintf(f, i == 290 ? "%d\n" : "%d,%d\n", i, i);
    ASSERT_EQ(fclose(f), 0);
    unlink(h5);
  }
  MPI_Barrier(comm);

  kseg_csv_options opt = {.block_bytes = 1024};
  kseg_csv_summary s;
  ASSERT_OK(kseg_csv_import(comm, csv, h5, &opt, &s));
  ASSERT_EQ(s.rows, ROWS);
  ASSERT_EQ(s.n_cols, 5);
  ASSERT_EQ(s.delimiter, ';');
  ASSERT_EQ(s.cols[0].kind, KSEG_COL_STRING);
  ASSERT_EQ(s.cols[0].str_width, 6);
  ASSERT_EQ(s.cols[1].kind, KSEG_COL_NUMERIC);
  ASSERT_EQ(s.cols[1].missing, (ROWS + 8) / 9);
  ASSERT_EQ(s.cols[2].kind, KSEG_COL_CATEGORICAL);
  ASSERT_EQ(s.cols[2].n_levels, 3);
  ASSERT_EQ(s.cols[3].kind, KSEG_COL_DATE);
  ASSERT_EQ(s.cols[3].month_first, 0);
  ASSERT_EQ(s.cols[4].kind, KSEG_COL_CATEGORICAL);
  ASSERT_EQ(s.cols[4].n_levels, 7);
  kseg_csv_summary_clear(&s);

  kseg_table t;
  ASSERT_OK(kseg_h5_read_table(comm, h5, NULL, 0, &t));
  ASSERT_EQ(t.n_global, ROWS);
  int64_t row0, n_local;
  kseg_partition(ROWS, size, rank, &row0, &n_local);
  ASSERT_EQ(t.row0, row0);
  ASSERT_EQ(t.n_local, n_local);
  ASSERT_STREQ(t.cols[0].name, "cust");
  ASSERT_STREQ(t.cols[4].name, "comment");
  const kseg_column *seg = &t.cols[2], *com = &t.cols[4];
  /* Levels in byte order: bronze, gold, silver. */
  ASSERT_STREQ(seg->levels[0], "bronze");
  ASSERT_STREQ(seg->levels[1], "gold");
  ASSERT_STREQ(seg->levels[2], "silver");
  ASSERT_STREQ(com->levels[3], "c3; \"x\"\nend");
  for (int64_t k = 0; k < n_local; k++) {
    int64_t i = row0 + k;
    char id[8];
    snprintf(id, sizeof id, "K%05d", (int)i);
    ASSERT(memcmp(t.cols[0].str + k * t.cols[0].str_width, id, 6) == 0);
    if (i % 9 == 0) ASSERT(isnan(t.cols[1].num[k]));
    else ASSERT(t.cols[1].num[k] == (double)i + 0.25);
    ASSERT_STREQ(seg->levels[seg->codes[k]], segs[i % 3]);
    int d = 1 + (int)(i % 28), m = 1 + (int)(i % 12), y = 2010 + (int)(i % 10);
    ASSERT(t.cols[3].num[k] == (double)kseg_csv_days_from_civil(y, m, d));
    char want[32];
    snprintf(want, sizeof want, "c%d; \"x\"\nend", (int)(i % 7));
    ASSERT_STREQ(com->levels[com->codes[k]], want);
  }
  kseg_table_clear(&t);

  /* Only the last rank reads line 292; every rank returns the same error. */
  kseg_error_clear();
  ASSERT_STATUS(kseg_csv_import(comm, bad, h5, &opt, &s), KSEG_ERR_INPUT);
  ASSERT_CONTAINS(kseg_error_message(), "line 292 has 1 field, the header has 2");
  ASSERT_CONTAINS(kseg_error_message(), bad);
  /* The earlier output is still there and still whole. */
  ASSERT_OK(kseg_h5_read_table(comm, h5, NULL, 0, &t));
  ASSERT_EQ(t.n_global, ROWS);
  kseg_table_clear(&t);

  MPI_Barrier(comm);
  if (rank == 0) {
    unlink(csv);
    unlink(bad);
    unlink(h5);
  }
  kseg_test_finalize(&comm, NULL);
  return 0;
}
