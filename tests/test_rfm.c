/* rfm: parsing pieces, exact quintiles at any partition, a hand-made log
 * with returns / zero lines / as-of cut-off / string ids / day-first dates
 * checked value by value, many exchange rounds giving the same file, the
 * generator's CSV and HDF5 logs giving the same customers, bad lines refused
 * with file and line and nothing written. Runs at 1, 2 and 3 ranks. */
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kseg/kseg_comm.h"
#include "kseg/kseg_csv.h"
#include "kseg/kseg_error.h"
#include "kseg/kseg_h5io.h"
#include "kseg/kseg_rfm.h"
#include "kseg/kseg_txgen.h"
#include "test.h"

static MPI_Comm comm;
static int rank, size;

/* File names carry the rank and thread counts: ctest -j may run the
 * variants of this test at once in one directory. */
static const char *F(const char *name)
{
  static char buf[8][128];
  static int next;
  char *b = buf[next++ % 8];
  const char *t = getenv("OMP_NUM_THREADS");
  snprintf(b, 128, "np%d_t%s_%s", size, t ? t : "0", name);
  return b;
}

static void write_file(const char *path, const char *text)
{
  if (rank == 0) {
    FILE *f = fopen(path, "wb");
    ASSERT(f != NULL);
    fputs(text, f);
    fclose(f);
  }
  MPI_Barrier(comm);
}

static int64_t day(int y, int m, int d) { return kseg_csv_days_from_civil(y, m, d); }

static void test_pure(void)
{
  int64_t d = 0;
  ASSERT(kseg_rfm_parse_day("19970101", 8, 0, &d));
  ASSERT_EQ(d, day(1997, 1, 1));
  ASSERT(kseg_rfm_parse_day("1998-06-30", 10, 0, &d));
  ASSERT_EQ(d, day(1998, 6, 30));
  ASSERT(kseg_rfm_parse_day("03-04-2020", 10, 0, &d));
  ASSERT_EQ(d, day(2020, 4, 3));
  ASSERT(kseg_rfm_parse_day("03-04-2020", 10, 1, &d));
  ASSERT_EQ(d, day(2020, 3, 4));
  ASSERT(!kseg_rfm_parse_day("25-12-2020", 10, 1, &d)); /* only day first fits */
  ASSERT(!kseg_rfm_parse_day("19970231", 8, 0, &d));
  ASSERT(!kseg_rfm_parse_day("1997013", 7, 0, &d));
  ASSERT(!kseg_rfm_parse_day("yesterday", 9, 0, &d));

  const char *names[] = {"InvoiceNo", "Customer ID", "InvoiceDate", "Quantity", "Price", "Revenue"};
  ASSERT_EQ(kseg_rfm_find_column(names, 6, KSEG_RFM_CUSTOMER, NULL), 1);
  ASSERT_EQ(kseg_rfm_find_column(names, 6, KSEG_RFM_DATE, NULL), 2);
  ASSERT_EQ(kseg_rfm_find_column(names, 6, KSEG_RFM_AMOUNT, NULL), 5);
  ASSERT_EQ(kseg_rfm_find_column(names, 6, KSEG_RFM_QUANTITY, NULL), 3);
  ASSERT_EQ(kseg_rfm_find_column(names, 6, KSEG_RFM_AMOUNT, "price"), 4);
  ASSERT_EQ(kseg_rfm_find_column(names, 6, KSEG_RFM_AMOUNT, "cost"), -1);

  double q[4] = {1, 1, 2, 4};
  ASSERT_EQ(kseg_rfm_score(1, q), 1);
  ASSERT_EQ(kseg_rfm_score(2, q), 3);
  ASSERT_EQ(kseg_rfm_score(3, q), 4);
  ASSERT_EQ(kseg_rfm_score(4, q), 4);
  ASSERT_EQ(kseg_rfm_score(5, q), 5);
}

/* Quintiles of a global sequence split unevenly over the ranks equal the
 * serial order statistics, and 0 / -0 and negative values behave. */
static void test_quintiles(void)
{
  for (int64_t n = 1; n <= 23; n += 11) {
    int64_t row0, cnt;
    /* An uneven split: rank r holds a share that grows with r. */
    int64_t w = (int64_t)size * (size + 1) / 2, a = n * rank * (rank + 1) / 2 / w, b = n * (rank + 1) * (rank + 2) / 2 / w;
    row0 = a;
    cnt = b - a;
    double x[64], all[64];
    for (int64_t i = 0; i < n; i++) all[i] = (double)((i * 7) % 5) - 2.0 + (i % 3 == 0 ? -0.0 : 0.25 * (double)(i % 4));
    for (int64_t i = 0; i < cnt; i++) x[i] = all[row0 + i];
    double q[4];
    ASSERT_OK(kseg_rfm_quintiles(comm, x, cnt, q));
    /* serial reference: sort, take element ceil((k+1) n / 5) - 1 */
    for (int64_t i = 1; i < n; i++)
      for (int64_t j = i; j > 0 && all[j - 1] > all[j]; j--) {
        double t = all[j];
        all[j] = all[j - 1];
        all[j - 1] = t;
      }
    for (int k = 0; k < 4; k++) {
      double want = all[((k + 1) * n + 4) / 5 - 1];
      if (want == 0.0) want = 0.0;
      ASSERT(q[k] == want);
    }
  }
  double q[4];
  ASSERT_OK(kseg_rfm_quintiles(comm, NULL, 0, q));
  ASSERT(isnan(q[0]));
}

/* Quoted notes with newlines and commas: the ranks' byte ranges start inside
 * quotes, and records must still split where a single reader splits them. */
static void test_quoted(void)
{
  if (rank == 0) {
    FILE *f = fopen(F("rfm_quoted.csv"), "wb");
    ASSERT(f != NULL);
    fputs("note,customer_id,date,amount\r\n", f);
    for (int i = 0; i < 400; i++)
      fprintf(f, "\"line %d,\r\nsays \"\"hi\"\"\n\",%d,2024-02-%02d,%d.25\r\n", i, i % 37, 1 + i % 28, i);
    fclose(f);
  }
  MPI_Barrier(comm);
  kseg_rfm_options o;
  memset(&o, 0, sizeof o);
  o.block_bytes = 1024;
  kseg_rfm_summary s;
  ASSERT_OK(kseg_rfm_run(comm, F("rfm_quoted.csv"), F("rfm_quoted.h5"), &o, &s));
  ASSERT_EQ(s.lines, 400);
  ASSERT_EQ(s.customers, 37);
  ASSERT_NEAR(s.monetary_total, 399.0 * 400.0 / 2.0 + 400 * 0.25, 1e-9);
  kseg_rfm_summary_clear(&s);
}

/* The same tables: every dataset and attribute equal to the bit (h5diff
 * without tolerance). HDF5 may leave stale bytes in unused header space of
 * small files with many variable-length attribute strings, so the containers
 * are compared by content; the CLI tests still cmp the full-size outputs. */
static int same_bytes(const char *a, const char *b)
{
  int same = 1;
  if (rank == 0) {
    char cmd[512];
    snprintf(cmd, sizeof cmd, "h5diff -q '%s' '%s' >/dev/null 2>&1", a, b);
    same = system(cmd) == 0;
  }
  MPI_Bcast(&same, 1, MPI_INT, 0, comm);
  return same;
}

static double col_value(const kseg_table *t, const char *name, int64_t global_row, int *found)
{
  int c = kseg_table_find(t, name);
  ASSERT(c >= 0);
  double v = 0;
  *found = 0;
  if (global_row >= t->row0 && global_row < t->row0 + t->n_local) {
    v = t->cols[c].num[global_row - t->row0];
    *found = 1;
  }
  return v;
}

/* Check one value of the output where this rank holds that row. */
#define EXPECT_AT(t, name, row, want)                                   \
  do {                                                                  \
    int found_;                                                         \
    double v_ = col_value(t, name, row, &found_);                       \
    if (found_) {                                                       \
      double w_ = (want);                                               \
      if (!((isnan(w_) && isnan(v_)) || v_ == w_))                      \
        KSEG_TEST_FAIL_("%s row %d: %.17g, expected %.17g", name, (int)(row), v_, w_); \
    }                                                                   \
  } while (0)

static void test_rules(void)
{
  /* Semicolons, string ids, day-first dates (13-01 decides), a zero line, a
   * return, a customer with only a return, a line after --as-of. */
  write_file(F("rfm_rules.csv"),
             "Client ID;Order Date;Sales;Qty\r\n"
             "b7;13-01-2024;10.50;1\r\n"
             "a1;02-01-2024;0;1\r\n"
             "b7;13-01-2024;4.50;2\r\n"
             "a1;05-01-2024;20;3\r\n"
             "c3;06-01-2024;-5;-1\r\n"
             "b7;20-01-2024;-3.00;-1\r\n"
             "a1;01-02-2024;100;1\r\n"
             "10;10-01-2024;1.25;1\r\n");
  kseg_rfm_options o;
  memset(&o, 0, sizeof o);
  o.has_as_of = 1;
  o.as_of = day(2024, 1, 31);
  o.columns[KSEG_RFM_CUSTOMER] = "client id"; /* case-insensitive when named */
  kseg_rfm_summary s;
  ASSERT_OK(kseg_rfm_run(comm, F("rfm_rules.csv"), F("rfm_rules.h5"), &o, &s));
  ASSERT_EQ(s.lines, 8);
  ASSERT_EQ(s.purchases, 5);
  ASSERT_EQ(s.returns, 2);
  ASSERT_EQ(s.after_as_of, 1);
  ASSERT_EQ(s.customers, 3);
  ASSERT_EQ(s.dropped, 1);
  ASSERT_EQ(s.string_ids, 1);
  ASSERT_EQ(s.month_first, 0);
  ASSERT_STREQ(s.columns[KSEG_RFM_AMOUNT], "Sales");
  ASSERT_STREQ(s.columns[KSEG_RFM_QUANTITY], "Qty");
  ASSERT_NEAR(s.monetary_total, 20 + 10.5 + 4.5 - 3 + 1.25, 1e-12);
  kseg_rfm_summary_clear(&s);
  /* String ids through one-record exchange rounds give the same file. */
  o.round_items = 1;
  o.block_bytes = 1024;
  ASSERT_OK(kseg_rfm_run(comm, F("rfm_rules.csv"), F("rfm_rules_rounds.h5"), &o, &s));
  ASSERT(s.rounds >= 2);
  kseg_rfm_summary_clear(&s);
  ASSERT(same_bytes(F("rfm_rules.h5"), F("rfm_rules_rounds.h5")));

  kseg_table t;
  ASSERT_OK(kseg_h5_read_table(comm, F("rfm_rules.h5"), NULL, 0, &t));
  ASSERT_EQ(t.n_global, 3);
  ASSERT_STREQ(t.cols[0].name, "Client ID");
  ASSERT_EQ(t.cols[0].kind, KSEG_COL_STRING);
  ASSERT_EQ(t.cols[0].str_width, 2);
  /* byte order: "10" < "a1" < "b7" */
  const char *ids[3] = {"10", "a1", "b7"};
  for (int64_t i = 0; i < t.n_local; i++)
    ASSERT(strncmp(t.cols[0].str + i * t.cols[0].str_width, ids[t.row0 + i], 2) == 0);
  int64_t asof = day(2024, 1, 31);
  /* "10": one purchase on 10-01 */
  EXPECT_AT(&t, "recency_days", 0, (double)(asof - day(2024, 1, 10)));
  EXPECT_AT(&t, "frequency", 0, 1);
  EXPECT_AT(&t, "mean_interpurchase_days", 0, NAN);
  /* "a1": purchases 02-01 (zero) and 05-01; 01-02 is after the as-of day */
  EXPECT_AT(&t, "frequency", 1, 2);
  EXPECT_AT(&t, "purchase_days", 1, 2);
  EXPECT_AT(&t, "monetary_total", 1, 20);
  EXPECT_AT(&t, "monetary_mean", 1, 10);
  EXPECT_AT(&t, "quantity_total", 1, 4);
  EXPECT_AT(&t, "recency_days", 1, (double)(asof - day(2024, 1, 5)));
  EXPECT_AT(&t, "tenure_days", 1, (double)(asof - day(2024, 1, 2)));
  EXPECT_AT(&t, "mean_interpurchase_days", 1, 3);
  EXPECT_AT(&t, "first_purchase", 1, (double)day(2024, 1, 2));
  /* "b7": two purchases on one day, a later return */
  EXPECT_AT(&t, "frequency", 2, 2);
  EXPECT_AT(&t, "purchase_days", 2, 1);
  EXPECT_AT(&t, "monetary_total", 2, 12);
  EXPECT_AT(&t, "monetary_mean", 2, 6);
  EXPECT_AT(&t, "quantity_total", 2, 2);
  EXPECT_AT(&t, "recency_days", 2, (double)(asof - day(2024, 1, 13)));
  EXPECT_AT(&t, "last_purchase", 2, (double)day(2024, 1, 13));
  /* scores over 3 customers: cuts at order statistics 1, 2, 2, 3 */
  EXPECT_AT(&t, "R", 0, 2); /* -recency -21, -26, -18: cuts -26, -21, -21, -18 */
  EXPECT_AT(&t, "R", 1, 1);
  EXPECT_AT(&t, "R", 2, 4);
  EXPECT_AT(&t, "F", 0, 1);
  EXPECT_AT(&t, "F", 2, 2);
  EXPECT_AT(&t, "M", 0, 1);
  EXPECT_AT(&t, "M", 1, 4);
  EXPECT_AT(&t, "M", 2, 2);
  EXPECT_AT(&t, "RFM", 2, 422);
  int c = kseg_table_find(&t, "RFM_cell");
  ASSERT(c >= 0 && t.cols[c].kind == KSEG_COL_CATEGORICAL && t.cols[c].n_levels == 125);
  for (int64_t i = 0; i < t.n_local; i++) {
    int r = (int)t.cols[kseg_table_find(&t, "RFM")].num[i];
    ASSERT(strtol(t.cols[c].levels[t.cols[c].codes[i]], NULL, 10) == r);
  }
  kseg_table_clear(&t);
}

/* Tab-separated with spaces inside the names; an integer id on two lines is
 * one customer (ids with leading zeros are codes, kept as written: 007 and 7
 * would be two). */
static void test_tab(void)
{
  write_file(F("rfm_tab.tsv"), "Customer ID\tInvoice Date\tRevenue\n7\t20240101\t3\n7\t2024-01-03\t4.5\n");
  kseg_rfm_options o;
  memset(&o, 0, sizeof o);
  kseg_rfm_summary s;
  ASSERT_OK(kseg_rfm_run(comm, F("rfm_tab.tsv"), F("rfm_tab.h5"), &o, &s));
  ASSERT_EQ(s.customers, 1);
  ASSERT_EQ(s.string_ids, 0);
  ASSERT_STREQ(s.columns[KSEG_RFM_CUSTOMER], "Customer ID");
  ASSERT(s.columns[KSEG_RFM_QUANTITY] == NULL);
  kseg_rfm_summary_clear(&s);
  kseg_table t;
  ASSERT_OK(kseg_h5_read_table(comm, F("rfm_tab.h5"), NULL, 0, &t));
  ASSERT_EQ(t.n_cols, 15); /* no quantity_total without a quantity column */
  ASSERT(kseg_table_find(&t, "quantity_total") < 0);
  EXPECT_AT(&t, "Customer ID", 0, 7);
  EXPECT_AT(&t, "monetary_total", 0, 7.5);
  EXPECT_AT(&t, "mean_interpurchase_days", 0, 2);
  EXPECT_AT(&t, "recency_days", 0, 1);
  kseg_table_clear(&t);
}

static void test_generated(void)
{
  kseg_txgen_options g = {5000, 400, 7, 0, 0};
  int64_t bytes;
  ASSERT_OK(kseg_txgen_write(comm, F("rfm_tx.csv"), &g, &bytes));
  ASSERT(bytes > 5000 * 20);
  ASSERT_OK(kseg_txgen_write(comm, F("rfm_tx.h5"), &g, &bytes));
  int64_t returns = 0, customer, d;
  double amount, qty, money = 0;
  for (int64_t i = 0; i < g.transactions; i++) {
    kseg_txgen_row(&g, i, &customer, &d, &amount, &qty);
    ASSERT(customer >= 1 && customer <= g.customers);
    returns += amount < 0;
    money += amount;
  }
  ASSERT(returns > 50 && returns < 200);

  kseg_rfm_options o;
  memset(&o, 0, sizeof o);
  kseg_rfm_summary a, b, c;
  ASSERT_OK(kseg_rfm_run(comm, F("rfm_tx.csv"), F("rfm_from_csv.h5"), &o, &a));
  ASSERT_OK(kseg_rfm_run(comm, F("rfm_tx.h5"), F("rfm_from_h5.h5"), &o, &b));
  o.round_items = 7; /* hundreds of exchange rounds */
  o.block_bytes = 1024;
  ASSERT_OK(kseg_rfm_run(comm, F("rfm_tx.csv"), F("rfm_rounds.h5"), &o, &c));
  ASSERT_EQ(a.lines, 5000);
  ASSERT_EQ(a.returns, returns);
  ASSERT_EQ(a.purchases + a.returns, 5000);
  ASSERT_EQ(b.customers, a.customers);
  ASSERT(a.monetary_total == b.monetary_total && a.monetary_total == c.monetary_total);
  ASSERT_NEAR(a.monetary_total, money, 1e-6);
  ASSERT(c.rounds > 100 || size == 1);
  /* The HDF5 log's table differs only in the /raw source attribute, so
   * compare the tables column by column. */
  kseg_table ta, tb;
  ASSERT_OK(kseg_h5_read_table(comm, F("rfm_from_csv.h5"), NULL, 0, &ta));
  ASSERT_OK(kseg_h5_read_table(comm, F("rfm_from_h5.h5"), NULL, 0, &tb));
  ASSERT_EQ(ta.n_cols, tb.n_cols);
  for (int k = 0; k < ta.n_cols; k++) {
    ASSERT_STREQ(ta.cols[k].name, tb.cols[k].name);
    if (ta.cols[k].num)
      ASSERT_SAME_BITS(ta.cols[k].num, tb.cols[k].num, ta.n_local);
  }
  kseg_table_clear(&ta);
  kseg_table_clear(&tb);
  ASSERT(same_bytes(F("rfm_from_csv.h5"), F("rfm_rounds.h5")));
  kseg_rfm_summary_clear(&a);
  kseg_rfm_summary_clear(&b);
  kseg_rfm_summary_clear(&c);
}

/* The log is refused, naming the file and `needle`; out is not written. */
static void expect_refused(const char *text, const char *needle, const kseg_rfm_options *o, const char *out)
{
  write_file(F("rfm_bad.csv"), text);
  kseg_rfm_summary s;
  kseg_error_clear();
  ASSERT_STATUS(kseg_rfm_run(comm, F("rfm_bad.csv"), out, o, &s), KSEG_ERR_INPUT);
  ASSERT_CONTAINS(kseg_error_message(), needle);
  ASSERT_CONTAINS(kseg_error_message(), F("rfm_bad.csv"));
  kseg_error_clear();
}

static void test_refused(void)
{
  struct stat before, after;
  ASSERT(stat(F("rfm_rules.h5"), &before) == 0);
  if (rank == 0) unlink(F("rfm_missing.h5")); /* a leftover of an earlier failed run */
  MPI_Barrier(comm);
  kseg_rfm_options o;
  memset(&o, 0, sizeof o);
  expect_refused("customer_id,date,amount\n1,2024-01-01,5\n2,2024-13-01,5\n", "line 3", &o, F("rfm_rules.h5"));
  expect_refused("customer_id,date,amount\n1,2024-01-01,5\n2,2024-01-02,5\n3,2024-01-02,5x\n", "line 4", &o, F("rfm_missing.h5"));
  /* never a guess: the day/month order, the decimal mark */
  expect_refused("customer_id,date,amount\n1,01-02-2024,5\n", "reads both day first and month first", &o,
                 F("rfm_missing.h5"));
  expect_refused("customer_id;date;amount\n1;2024-01-01;1.5\n2;2024-01-02;2,5\n", "mixes a decimal point (line 2)",
                 &o, F("rfm_missing.h5"));
  expect_refused("customer_id;date;amount\n1;2024-01-01;1.500\n", "no amount of the log tells", &o,
                 F("rfm_missing.h5"));
  expect_refused("customer_id,date,amount\n1,2024-01-01,5\n,2024-01-02,5\n", "missing customer id", &o, F("rfm_rules.h5"));
  expect_refused("customer_id,day,amount\n1,2024-01-01,5\n", "no date column", &o, F("rfm_missing.h5"));
  expect_refused("customer_id,date,amount\n1,13-01-2024,5\n2,01-13-2024,5\n", "mixes day-first", &o, F("rfm_rules.h5"));
  expect_refused("customer_id,date,amount\n1,2024-01-01\n", "has 2 fields", &o, F("rfm_missing.h5"));
  o.columns[KSEG_RFM_AMOUNT] = "price";
  expect_refused("customer_id,date,amount\n1,2024-01-01,5\n", "no column 'price'", &o, F("rfm_rules.h5"));
  /* the failed runs left the earlier output as it was */
  ASSERT(stat(F("rfm_rules.h5"), &after) == 0);
  ASSERT(before.st_mtime == after.st_mtime && before.st_size == after.st_size);
  ASSERT(access(F("rfm_missing.h5"), F_OK) != 0);
}

int main(int argc, char **argv)
{
  kseg_test_init(&argc, &argv, &comm, NULL);
  rank = kseg_comm_rank(comm);
  size = kseg_comm_size(comm);
  test_pure();
  test_quintiles();
  test_rules();
  test_tab();
  test_quoted();
  test_generated();
  test_refused();
  kseg_test_finalize(&comm, NULL);
  return 0;
}
