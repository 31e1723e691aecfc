/* generate: options checked, rows a pure function of (seed, global row) so any
 * split of the rows gives the same values, and the written file reads back as
 * the generator's rows with the /raw layout and /truth/segment. */
#include <stdio.h>
#include <unistd.h>

#include "kseg/kseg_comm.h"
#include "kseg/kseg_error.h"
#include "kseg/kseg_generate.h"
#include "kseg/kseg_h5io.h"
#include "test.h"

/* Bitwise equality (NaN equals NaN) of row i of a and row j of b. */
static void assert_same_row(const kseg_table *a, int64_t i, const kseg_table *b, int64_t j)
{
  for (int c = 0; c < KSEG_GENERATE_NCOLS; c++) {
    if (a->cols[c].kind == KSEG_COL_CATEGORICAL) {
      ASSERT_EQ(a->cols[c].codes[i], b->cols[c].codes[j]);
    } else if (memcmp(&a->cols[c].num[i], &b->cols[c].num[j], sizeof(double)) != 0) {
      fprintf(stderr, "column %s row %lld: %.17g vs %.17g\n", a->cols[c].name, (long long)(a->row0 + i),
              a->cols[c].num[i], b->cols[c].num[j]);
      ASSERT(0);
    }
  }
}

static void check_options(void)
{
  kseg_generate_opts o = {.rows = 100, .segments = 4, .seed = 1};
  ASSERT_OK(kseg_generate_check(&o));
  o.rows = 0;
  ASSERT_STATUS(kseg_generate_check(&o), KSEG_ERR_INPUT);
  ASSERT_CONTAINS(kseg_error_message(), "--rows");
  kseg_error_clear();
  o.rows = 10;
  o.segments = 0;
  ASSERT_STATUS(kseg_generate_check(&o), KSEG_ERR_INPUT);
  ASSERT_CONTAINS(kseg_error_message(), "--segments");
  kseg_error_clear();
  o.segments = KSEG_GENERATE_MAX_SEGMENTS + 1;
  ASSERT_STATUS(kseg_generate_check(&o), KSEG_ERR_INPUT);
  kseg_error_clear();

  for (int k = 1; k <= KSEG_GENERATE_MAX_SEGMENTS; k++) {
    double w[KSEG_GENERATE_MAX_SEGMENTS], total = 0;
    kseg_generate_weights(k, w);
    for (int j = 0; j < k; j++) {
      ASSERT(w[j] > 0);
      if (j > 0) ASSERT(w[j] < w[j - 1]); /* unequal segments, largest first */
      total += w[j];
    }
    ASSERT_NEAR(total, 1.0, 1e-12);
  }
}

/* Rows [0, n) in one block equal the same rows generated in pieces. */
static void check_blocks(int segments)
{
  const int64_t n = 257;
  kseg_generate_opts o = {.rows = n, .segments = segments, .seed = 12345};
  kseg_table whole, part;
  int32_t seg_whole[257], seg_part[257];
  ASSERT_OK(kseg_generate_table_alloc(n, 0, n, &whole));
  ASSERT_OK(kseg_generate_fill(&o, &whole, seg_whole));
  const int64_t cuts[] = {0, 1, 100, 101, 256, 257};
  for (int p = 0; p + 1 < 6; p++) {
    int64_t r0 = cuts[p], cnt = cuts[p + 1] - cuts[p];
    ASSERT_OK(kseg_generate_table_alloc(n, r0, cnt, &part));
    ASSERT_OK(kseg_generate_fill(&o, &part, seg_part));
    for (int64_t i = 0; i < cnt; i++) {
      assert_same_row(&whole, r0 + i, &part, i);
      ASSERT_EQ(seg_whole[r0 + i], seg_part[i]);
    }
    kseg_table_clear(&part);
  }
  /* Another seed gives other customers. */
  kseg_generate_opts o2 = o;
  o2.seed = 54321;
  ASSERT_OK(kseg_generate_table_alloc(n, 0, n, &part));
  ASSERT_OK(kseg_generate_fill(&o2, &part, seg_part));
  int64_t same_income = 0;
  for (int64_t i = 0; i < n; i++) same_income += whole.cols[4].num[i] == part.cols[4].num[i];
  ASSERT(same_income < n / 10);
  for (int64_t i = 0; i < n; i++) {
    ASSERT(seg_whole[i] >= 0 && seg_whole[i] < segments);
    ASSERT_NEAR(whole.cols[0].num[i], (double)(i + 1), 0.0); /* ID */
  }
  kseg_table_clear(&part);
  kseg_table_clear(&whole);
}

static void check_file(MPI_Comm comm, int64_t round_rows)
{
  int rank = kseg_comm_rank(comm), size = kseg_comm_size(comm);
  char path[64];
  snprintf(path, sizeof path, "generate_np%d_r%lld.h5", size, (long long)round_rows);
  const int64_t n = 1003; /* not a multiple of 2 or 3 */
  kseg_generate_opts o = {.rows = n, .segments = 6, .seed = 99, .round_rows = round_rows};
  kseg_generate_summary s;
  ASSERT_OK(kseg_generate_write(comm, path, &o, &s));
  ASSERT_EQ(s.rows, n);
  ASSERT_EQ(s.segments, 6);
  /* Same number of rounds on every rank: enough for the largest block. */
  int64_t per = round_rows ? round_rows : KSEG_GENERATE_ROUND_ROWS, biggest = (n + size - 1) / size;
  ASSERT_EQ(s.rounds, (biggest + per - 1) / per);
  int64_t total = 0;
  for (int j = 0; j < 6; j++) total += s.segment_rows[j];
  ASSERT_EQ(total, n);

  kseg_table t;
  ASSERT_OK(kseg_h5_read_table(comm, path, NULL, 0, &t));
  ASSERT_EQ(t.n_global, n);
  ASSERT_EQ(t.n_cols, KSEG_GENERATE_NCOLS);
  for (int c = 0; c < KSEG_GENERATE_NCOLS; c++) {
    ASSERT_STREQ(t.cols[c].name, kseg_generate_columns[c]);
    ASSERT_EQ(t.cols[c].kind, kseg_generate_column_kind(c));
  }
  int edu = kseg_table_find(&t, "Education"), mar = kseg_table_find(&t, "Marital_Status");
  ASSERT_EQ(t.cols[edu].n_levels, 5);
  ASSERT_STREQ(t.cols[edu].levels[0], "2n Cycle");
  ASSERT_STREQ(t.cols[edu].levels[4], "PhD");
  ASSERT_EQ(t.cols[mar].n_levels, 8);
  ASSERT_STREQ(t.cols[mar].levels[0], "Absurd");
  ASSERT_STREQ(t.cols[mar].levels[7], "YOLO");
  ASSERT_EQ(t.cols[kseg_table_find(&t, "Dt_Customer")].kind, KSEG_COL_DATE);

  kseg_table mine;
  int32_t *seg = malloc((size_t)(t.n_local + 1) * sizeof *seg);
  ASSERT_OK(kseg_generate_table_alloc(n, t.row0, t.n_local, &mine));
  ASSERT_OK(kseg_generate_fill(&o, &mine, seg));
  for (int64_t i = 0; i < t.n_local; i++) assert_same_row(&t, i, &mine, i);

  int64_t ng, r0, nl;
  int32_t *labels = NULL;
  ASSERT_OK(kseg_h5_read_labels(comm, path, "/truth/segment", &ng, &r0, &nl, &labels));
  ASSERT_EQ(ng, n);
  ASSERT_EQ(r0, t.row0);
  for (int64_t i = 0; i < nl; i++) ASSERT_EQ(labels[i], seg[i]);

  double attr;
  ASSERT_OK(kseg_h5_read_attr_f64(comm, path, "/", "segments", &attr));
  ASSERT_NEAR(attr, 6.0, 0.0);
  ASSERT_OK(kseg_h5_read_attr_f64(comm, path, "/", "seed", &attr));
  ASSERT_NEAR(attr, 99.0, 0.0);
  char *gen = NULL;
  ASSERT_OK(kseg_h5_read_attr_str(comm, path, "/", "generator", &gen));
  ASSERT_STREQ(gen, "kseg generate");
  int64_t wdims[2];
  double *weights = NULL;
  ASSERT_OK(kseg_h5_read_small_f64(comm, path, "/truth/weights", wdims, &weights));
  ASSERT_EQ(wdims[0], 6);
  free(weights);
  free(gen);
  free(labels);
  free(seg);
  kseg_table_clear(&mine);
  kseg_table_clear(&t);

  /* Unwritable: agreed I/O error, nothing created; bad options: input error. */
  ASSERT_STATUS(kseg_generate_write(comm, "no-such-dir/out.h5", &o, NULL), KSEG_ERR_IO);
  ASSERT_CONTAINS(kseg_error_message(), "no-such-dir/out.h5");
  kseg_error_clear();
  o.segments = 65;
  ASSERT_STATUS(kseg_generate_write(comm, path, &o, NULL), KSEG_ERR_INPUT);
  kseg_error_clear();
  MPI_Barrier(comm);
  if (rank == 0) {
    ASSERT(access("no-such-dir", F_OK) != 0);
    ASSERT(access(path, F_OK) == 0); /* the earlier output is left intact */
    unlink(path);
  }
}

int main(int argc, char **argv)
{
  MPI_Comm comm;
  kseg_test_init(&argc, &argv, &comm, NULL);
  check_options();
  check_blocks(4);
  check_blocks(KSEG_GENERATE_MAX_SEGMENTS);
  check_file(comm, 0);
  check_file(comm, 97); /* several rounds, ragged last one, some ranks idle */
  if (kseg_comm_rank(comm) == 0) printf("generate ok\n");
  kseg_test_finalize(&comm, NULL);
  return 0;
}
