/* h5io: partitioned matrix and table round trips at any rank count (N < P,
 * N % P != 0), bad inputs named, failed writes leave nothing behind. */
#include <unistd.h>

#include "kseg/kseg_comm.h"
#include "kseg/kseg_error.h"
#include "kseg/kseg_h5io.h"
#include "test.h"

static double value(int64_t row, int64_t col) { return (double)row * 10.0 + (double)col + 0.25; }

static void roundtrip_matrix(MPI_Comm comm, int64_t n, int64_t d, kseg_dtype type)
{
  int rank = kseg_comm_rank(comm), size = kseg_comm_size(comm);
  int64_t row0, cnt;
  kseg_partition(n, size, rank, &row0, &cnt);
  size_t es = kseg_dtype_size(type);
  char *buf = malloc((size_t)(cnt * d) * es + 1);
  for (int64_t i = 0; i < cnt; i++)
    for (int64_t j = 0; j < d; j++) {
      double v = value(row0 + i, j);
      if (type == KSEG_F64) ((double *)buf)[i * d + j] = v;
      else ((float *)buf)[i * d + j] = (float)v;
    }
  kseg_h5_writer *w;
  ASSERT_OK(kseg_h5_create(comm, "m.h5", &w));
  ASSERT_OK(kseg_h5_write_rows(w, "/group/features", type, n, d, row0, cnt, buf));
  const char *names[] = {"a", "b", "c", "d"};
  ASSERT_OK(kseg_h5_attr_strings(w, "/group/features", "columns", names, d));
  ASSERT_OK(kseg_h5_attr_i64(w, "/", "k", 7));
  ASSERT_OK(kseg_h5_attr_f64(w, "/", "inertia", 1.5));
  ASSERT_OK(kseg_h5_attr_str(w, "/", "note", "hello"));
  int64_t sdims[2] = {2, 2};
  double small[4] = {1, 2, 3, 4};
  ASSERT_OK(kseg_h5_write_small(w, "/centroids", KSEG_F64, 2, sdims, small));
  ASSERT_OK(kseg_h5_finish(&w, KSEG_OK));
  ASSERT(w == NULL);
  free(buf);

  kseg_matrix m;
  ASSERT_OK(kseg_h5_read_matrix(comm, "m.h5", "/group/features", &m));
  ASSERT_EQ(m.n_global, n);
  ASSERT_EQ(m.d, d);
  ASSERT_EQ(m.row0, row0);
  ASSERT_EQ(m.n_local, cnt);
  ASSERT_EQ(m.dtype, type);
  ASSERT(m.columns != NULL);
  ASSERT_STREQ(m.columns[d - 1], names[d - 1]);
  for (int64_t i = 0; i < cnt; i++)
    for (int64_t j = 0; j < d; j++) {
      double got = type == KSEG_F64 ? ((double *)m.data)[i * d + j] : ((float *)m.data)[i * d + j];
      ASSERT_NEAR(got, value(row0 + i, j), 0.0);
    }
  kseg_matrix_clear(&m);

  double attr;
  ASSERT_OK(kseg_h5_read_attr_f64(comm, "m.h5", "/", "k", &attr));
  ASSERT_NEAR(attr, 7.0, 0.0);
  char *note = NULL;
  ASSERT_OK(kseg_h5_read_attr_str(comm, "m.h5", "/", "note", &note));
  ASSERT_STREQ(note, "hello");
  free(note);
  int64_t dims[2];
  double *c = NULL;
  ASSERT_OK(kseg_h5_read_small_f64(comm, "m.h5", "/centroids", dims, &c));
  ASSERT_EQ(dims[0], 2);
  ASSERT_EQ(dims[1], 2);
  ASSERT_NEAR(c[3], 4.0, 0.0);
  free(c);
}

static void roundtrip_table(MPI_Comm comm, int64_t n)
{
  int rank = kseg_comm_rank(comm), size = kseg_comm_size(comm);
  kseg_table t = {0};
  t.n_global = n;
  kseg_partition(n, size, rank, &t.row0, &t.n_local);
  t.n_cols = 3;
  t.cols = calloc(3, sizeof *t.cols);
  t.cols[0] = (kseg_column){.name = "Income", .kind = KSEG_COL_NUMERIC};
  t.cols[1] = (kseg_column){.name = "Education", .kind = KSEG_COL_CATEGORICAL, .n_levels = 2};
  t.cols[2] = (kseg_column){.name = "CUST_ID", .kind = KSEG_COL_STRING, .str_width = 6};
  char *levels[] = {"Basic", "PhD"};
  t.cols[1].levels = levels;
  t.cols[0].num = malloc(sizeof(double) * (size_t)(t.n_local + 1));
  t.cols[1].codes = malloc(sizeof(int32_t) * (size_t)(t.n_local + 1));
  t.cols[2].str = calloc((size_t)(t.n_local + 1), 6);
  for (int64_t i = 0; i < t.n_local; i++) {
    int64_t g = t.row0 + i;
    t.cols[0].num[i] = g % 3 == 0 ? NAN : (double)g * 1000;
    t.cols[1].codes[i] = g % 4 == 1 ? -1 : (int32_t)(g % 2);
    snprintf(t.cols[2].str + i * 6, 6, "C%04d", (int)g);
  }
  kseg_h5_writer *w;
  ASSERT_OK(kseg_h5_create(comm, "t.h5", &w));
  ASSERT_OK(kseg_h5_write_table(w, &t));
  ASSERT_OK(kseg_h5_finish(&w, KSEG_OK));
  free(t.cols[0].num);
  free(t.cols[1].codes);
  free(t.cols[2].str);
  free(t.cols);

  kseg_table r;
  ASSERT_OK(kseg_h5_read_table(comm, "t.h5", NULL, 0, &r));
  ASSERT_EQ(r.n_cols, 3);
  ASSERT_EQ(r.n_global, n);
  ASSERT_EQ(kseg_table_find(&r, "CUST_ID"), 2);
  ASSERT_EQ(kseg_table_find(&r, "nope"), -1);
  ASSERT_EQ(r.cols[1].kind, KSEG_COL_CATEGORICAL);
  ASSERT_EQ(r.cols[1].n_levels, 2);
  ASSERT_STREQ(r.cols[1].levels[1], "PhD");
  ASSERT_EQ(r.cols[2].kind, KSEG_COL_STRING);
  for (int64_t i = 0; i < r.n_local; i++) {
    int64_t g = r.row0 + i;
    if (g % 3 == 0) ASSERT(isnan(r.cols[0].num[i]));
    else ASSERT_NEAR(r.cols[0].num[i], (double)g * 1000, 0.0);
    ASSERT_EQ(r.cols[1].codes[i], g % 4 == 1 ? -1 : g % 2);
    char expect[8];
    snprintf(expect, sizeof expect, "C%04d", (int)g);
    ASSERT(strncmp(r.cols[2].str + i * 6, expect, 6) == 0);
  }
  kseg_table_clear(&r);

  /* A subset, in the order asked for; a missing column is named. */
  const char *want[] = {"CUST_ID", "Income"};
  ASSERT_OK(kseg_h5_read_table(comm, "t.h5", want, 2, &r));
  ASSERT_STREQ(r.cols[0].name, "CUST_ID");
  kseg_table_clear(&r);
  const char *bad[] = {"Income", "Incme"};
  kseg_error_clear();
  ASSERT_STATUS(kseg_h5_read_table(comm, "t.h5", bad, 2, &r), KSEG_ERR_INPUT);
  ASSERT_CONTAINS(kseg_error_message(), "Incme");
  kseg_error_clear();
}

static void bad_inputs(MPI_Comm comm)
{
  kseg_matrix m;
  kseg_error_clear();
  ASSERT_STATUS(kseg_h5_read_matrix(comm, "does-not-exist.h5", "/features", &m), KSEG_ERR_INPUT);
  ASSERT_CONTAINS(kseg_error_message(), "does-not-exist.h5");
  kseg_error_clear();
  if (kseg_comm_rank(comm) == 0) {
    FILE *f = fopen("not-hdf5.h5", "w");
    fputs("ID,Income\n1,2\n", f);
    fclose(f);
  }
  MPI_Barrier(comm);
  ASSERT_STATUS(kseg_h5_read_matrix(comm, "not-hdf5.h5", "/features", &m), KSEG_ERR_INPUT);
  ASSERT_CONTAINS(kseg_error_message(), "not an HDF5 file");
  kseg_error_clear();
  ASSERT_STATUS(kseg_h5_read_matrix(comm, "m.h5", "/nope", &m), KSEG_ERR_INPUT);
  ASSERT_CONTAINS(kseg_error_message(), "/nope");
  kseg_error_clear();
  ASSERT_STATUS(kseg_h5_read_matrix(comm, "m.h5", "/group/nope/deeper", &m), KSEG_ERR_INPUT);
  kseg_error_clear();
  ASSERT_STATUS(kseg_h5_read_matrix(comm, "t.h5", "/raw/Income", &m), KSEG_ERR_INPUT);
  ASSERT_CONTAINS(kseg_error_message(), "1-D");
  kseg_error_clear();
  ASSERT_STATUS(kseg_h5_read_matrix(comm, "t.h5", "/raw", &m), KSEG_ERR_INPUT);
  kseg_error_clear();

  /* A failed write leaves no output and an existing output untouched. */
  kseg_h5_writer *w;
  ASSERT_OK(kseg_h5_create(comm, "m.h5", &w));
  ASSERT_OK(kseg_h5_write_rows(w, "/other", KSEG_F64, 0, 2, 0, 0, NULL));
  int st = kseg_comm_rank(comm) == kseg_comm_size(comm) - 1 ? kseg_error_set(KSEG_ERR_INPUT, "late failure") : KSEG_OK;
  ASSERT_STATUS(kseg_h5_finish(&w, st), KSEG_ERR_INPUT);
  ASSERT_STREQ(kseg_error_message(), "late failure");
  kseg_error_clear();
  ASSERT_OK(kseg_h5_read_matrix(comm, "m.h5", "/group/features", &m)); /* the old file */
  kseg_matrix_clear(&m);
  ASSERT_OK(kseg_h5_create(comm, "fresh.h5", &w));
  ASSERT_STATUS(kseg_h5_finish(&w, KSEG_ERR_IO), KSEG_ERR_IO);
  kseg_error_clear();
  ASSERT(access("fresh.h5", F_OK) != 0);
  ASSERT_STATUS(kseg_h5_create(comm, "/no/such/dir/out.h5", &w), KSEG_ERR_IO);
  ASSERT_CONTAINS(kseg_error_message(), "/no/such/dir/out.h5");
  kseg_error_clear();
  MPI_Barrier(comm);
  if (kseg_comm_rank(comm) == 0) {
    /* no temporary files left behind */
    FILE *p = popen("ls | grep -c '\\.tmp\\.' || true", "r");
    int leftovers = -1;
    ASSERT(fscanf(p, "%d", &leftovers) == 1);
    pclose(p);
    ASSERT_EQ(leftovers, 0);
  }
}

int main(int argc, char **argv)
{
  MPI_Comm comm;
  kseg_test_init(&argc, &argv, &comm, NULL);
  /* Each rank count gets its own directory: ctest may run them together. */
  char dir[64];
  snprintf(dir, sizeof dir, "h5io_np%d", kseg_comm_size(comm));
  if (kseg_comm_rank(comm) == 0) {
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf %s && mkdir -p %s", dir, dir);
    ASSERT(system(cmd) == 0);
  }
  MPI_Barrier(comm);
  ASSERT(chdir(dir) == 0);
  int64_t sizes[] = {0, 1, 2, 7, 1000};
  for (int i = 0; i < 5; i++) {
    roundtrip_matrix(comm, sizes[i], 3, KSEG_F64);
    roundtrip_matrix(comm, sizes[i], 4, KSEG_F32);
    roundtrip_table(comm, sizes[i]);
  }
  bad_inputs(comm);
  if (kseg_comm_rank(comm) == 0) printf("h5io ok on %d ranks\n", kseg_comm_size(comm));
  kseg_test_finalize(&comm, NULL);
  return 0;
}
