/* plan: the campaign plan's library calls at 1-3 ranks. The setup finds the
 * table's constant economics (and refuses a column that differs on one rank
 * only); the per-(segment, fold) counts equal a serial count of the whole
 * table made here from kseg_plan_fold, so folds and counts do not depend on
 * the partition; a plan built from them is the same JSON as rank 0 alone
 * with every row; the k rule picks the best k, then the smallest within one
 * standard error, and falls back to the internal vote; bad options are
 * refused on every rank. */
#include <stdlib.h>

#include "kseg/kseg_comm.h"
#include "kseg/kseg_error.h"
#include "kseg/kseg_plan.h"
#include "kseg/kseg_rng.h"
#include "test.h"

#define N 1999
#define K 5
#define F 4

static int32_t label_of(int64_t i) { return (int32_t)((i * 3 + i / 7) % K); }
static double resp_of(int64_t i)
{
  if (i % 101 == 4) return NAN; /* unknown outcome: counted nowhere */
  const double u = kseg_rng_uniform((kseg_rng_key){16, 1}, (uint64_t)i, 0);
  return u < (label_of(i) == 1 ? 0.6 : 0.1) ? 1.0 : 0.0;
}

enum { C_RESP, C_COST, C_REV, N_COLS };
static const char *const col_names[] = {"Response", "Z_CostContact", "Z_Revenue"};

static void make_table(int64_t row0, int64_t n, double cost_on_last_row, kseg_table *t, int32_t **labels)
{
  memset(t, 0, sizeof *t);
  t->n_global = N;
  t->row0 = row0;
  t->n_local = n;
  t->n_cols = N_COLS;
  t->cols = calloc(N_COLS, sizeof *t->cols);
  *labels = malloc(sizeof(int32_t) * (size_t)(n + 1));
  for (int c = 0; c < N_COLS; c++) {
    t->cols[c].name = strdup(col_names[c]);
    t->cols[c].kind = KSEG_COL_NUMERIC;
    t->cols[c].num = malloc(sizeof(double) * (size_t)(n + 1));
  }
  for (int64_t i = 0; i < n; i++) {
    const int64_t g = row0 + i;
    (*labels)[i] = label_of(g);
    t->cols[C_RESP].num[i] = resp_of(g);
    t->cols[C_COST].num[i] = g == N - 1 ? cost_on_last_row : 3.0;
    t->cols[C_REV].num[i] = 11.0;
  }
}

static kseg_plan_k_row krow(int64_t k, double total, double se, kseg_plan_score_kind kind)
{
  kseg_plan_k_row r = {.k = k};
  r.cv.kind = kind;
  r.cv.total = total;
  r.cv.se = se;
  r.cv.baseline = 0.0;
  return r;
}

static void test_choose_k(void)
{
  kseg_plan_setup s = {.target = "Response", .known = 100, .responders = 30, .folds = 5,
                       .source = KSEG_PLAN_ECON_FLAGS};
  kseg_plan_k_choice c;
  /* best at 6; 5 is within one SE of it (600 - 90 = 510 <= 520), 4 is not */
  kseg_plan_k_row rows[] = {krow(3, 0, 0, KSEG_PLAN_SCORE_PROFIT), krow(4, 400, 80, KSEG_PLAN_SCORE_PROFIT),
                            krow(5, 520, 85, KSEG_PLAN_SCORE_PROFIT), krow(6, 600, 90, KSEG_PLAN_SCORE_PROFIT),
                            krow(7, 590, 90, KSEG_PLAN_SCORE_PROFIT), krow(9, 5000, 1, KSEG_PLAN_SCORE_PROFIT)};
  kseg_plan_choose_k(&s, rows, 6, 3, 8, 3, &c);
  ASSERT_EQ(c.k, 5);
  ASSERT_EQ(c.k_business, 5);
  ASSERT_EQ(c.k_best, 6); /* k = 9 lies above --max-segments: not a candidate */
  ASSERT_EQ(c.k_internal, 3);
  ASSERT_CONTAINS(c.rule, "k=5 pays");
  ASSERT_CONTAINS(c.rule, "smallest k within one standard error");
  ASSERT_CONTAINS(c.rule, "internal metrics alone pick k=3");
  /* a tie keeps the smaller k */
  rows[4].cv.total = 600;
  rows[2].cv.total = 0;
  kseg_plan_choose_k(&s, rows, 6, 3, 8, 6, &c);
  ASSERT_EQ(c.k_best, 6);
  ASSERT_EQ(c.k, 6);
  ASSERT_CONTAINS(c.rule, "the internal metrics pick the same k");
  /* nothing earns out of sample: the vote stands (the sentence names the ks
   * swept within the range: k = 9 lies above it) */
  for (int i = 0; i < 6; i++) rows[i].cv.total = i == 2 ? 0.0 : -50.0 * i;
  kseg_plan_choose_k(&s, rows, 6, 3, 8, 4, &c);
  ASSERT_EQ(c.k, 4);
  ASSERT_EQ(c.k_business, -1);
  ASSERT_CONTAINS(c.rule, "no k in 3..7 earns anything out of sample");
  /* without a score (no target) the vote stands, and the rule says why */
  for (int i = 0; i < 6; i++) rows[i].cv.kind = KSEG_PLAN_SCORE_NONE;
  kseg_plan_setup none = {.folds = 5};
  kseg_plan_choose_k(&none, rows, 6, 3, 8, 7, &c);
  ASSERT_EQ(c.k, 7);
  ASSERT_EQ(c.k_business, -1);
  ASSERT_CONTAINS(c.rule, "no target column");
  /* captured responses: better than random (0.2 x 30 = 6) is needed */
  kseg_plan_setup cap = {.target = "Response", .known = 100, .responders = 30, .folds = 5};
  kseg_plan_k_row c2[] = {krow(3, 5.5, 1, KSEG_PLAN_SCORE_CAPTURED), krow(4, 6.0, 1, KSEG_PLAN_SCORE_CAPTURED)};
  c2[0].cv.baseline = c2[1].cv.baseline = 6.0;
  kseg_plan_choose_k(&cap, c2, 2, 3, 8, 4, &c);
  ASSERT_EQ(c.k_business, -1);
  ASSERT_CONTAINS(c.rule, "captures more responses than random targeting");
  c2[0].cv.total = 9.0;
  kseg_plan_choose_k(&cap, c2, 2, 3, 8, 4, &c);
  ASSERT_EQ(c.k_business, 3);
  ASSERT_CONTAINS(c.rule, "top 20%");
}

int main(int argc, char **argv)
{
  MPI_Comm comm;
  kseg_test_init(&argc, &argv, &comm, NULL);
  const int rank = kseg_comm_rank(comm), size = kseg_comm_size(comm);
  int64_t row0, n_local;
  kseg_partition(N, size, rank, &row0, &n_local);
  kseg_table t;
  int32_t *labels;
  make_table(row0, n_local, 3.0, &t, &labels);

  /* the serial reference: every global row, its fold and its counts */
  int64_t ref[2 * K * F] = {0}, known = 0, ones = 0, fold_size[F] = {0};
  for (int64_t g = 0; g < N; g++) {
    const double y = resp_of(g);
    const int f = kseg_plan_fold(g, F);
    ASSERT(f >= 0 && f < F);
    fold_size[f]++;
    if (isnan(y)) continue;
    ref[2 * (label_of(g) * F + f)]++;
    ref[2 * (label_of(g) * F + f) + 1] += y == 1.0;
    known++;
    ones += y == 1.0;
  }
  for (int f = 0; f < F; f++) ASSERT(fold_size[f] > N / F * 0.85 && fold_size[f] < N / F * 1.15); /* balanced */

  kseg_plan_setup s;
  kseg_plan_options opt = {.cv_folds = F};
  ASSERT_OK(kseg_plan_prepare(comm, &t, NULL, &opt, &s));
  ASSERT_STREQ(s.target, "Response");
  ASSERT_EQ(s.source, KSEG_PLAN_ECON_TABLE);
  ASSERT(s.contact_cost == 3.0 && s.response_revenue == 11.0);
  ASSERT_EQ(s.known, known);
  ASSERT_EQ(s.responders, ones);
  ASSERT_EQ(s.folds, F);
  ASSERT(s.note[0] == '\0');

  int64_t cells[2 * K * F];
  ASSERT_OK(kseg_plan_count(comm, &s, &t, labels, K, cells));
  for (int c = 0; c < 2 * K * F; c++) ASSERT_EQ(cells[c], ref[c]);

  kseg_plan *p = NULL;
  ASSERT_OK(kseg_plan_compute(comm, &s, &t, labels, K, &p));
  ASSERT(p->money);
  ASSERT_EQ(p->cv.kind, KSEG_PLAN_SCORE_PROFIT);
  /* segment 1 answers 60 %: far above 3/11, the only one contacted */
  ASSERT_EQ(p->n_contacted, 1);
  ASSERT_EQ(p->order[0], 1);
  ASSERT_EQ(p->segments[1].decision, KSEG_PLAN_CONTACT);
  ASSERT_EQ(p->segments[0].decision, KSEG_PLAN_SKIP);
  ASSERT_NEAR(p->expected_profit, 11.0 * (double)p->segments[1].responders - 3.0 * (double)p->segments[1].customers,
              0.0);
  ASSERT(p->cv.total > 0 && p->cv.total > p->profit_contact_all);
  double sum = 0;
  for (int f = 0; f < F; f++) sum += p->cv_fold[f];
  ASSERT_NEAR(p->cv.total, sum, 1e-9);
  ASSERT_NEAR(p->cv.se, 2.0 * p->cv.sd, 1e-12); /* sqrt(4) x sd */
  char *json = NULL;
  ASSERT_OK(kseg_plan_json(p, NULL, &json));

  /* rank 0 alone with every row: the same bits */
  MPI_Comm self;
  MPI_Comm_split(comm, rank == 0 ? 0 : MPI_UNDEFINED, 0, &self);
  if (rank == 0) {
    kseg_table full;
    int32_t *all;
    make_table(0, N, 3.0, &full, &all);
    kseg_plan_setup s1;
    ASSERT_OK(kseg_plan_prepare(self, &full, NULL, &opt, &s1));
    kseg_plan *q = NULL;
    ASSERT_OK(kseg_plan_compute(self, &s1, &full, all, K, &q));
    char *json1 = NULL;
    ASSERT_OK(kseg_plan_json(q, NULL, &json1));
    ASSERT_STREQ(json, json1);
    free(json1);
    kseg_plan_free(&q);
    ASSERT(q == NULL);
    kseg_plan_setup_clear(&s1);
    kseg_table_clear(&full);
    free(all);
    MPI_Comm_free(&self);
    test_choose_k();
  }
  free(json);
  kseg_plan_free(&p);
  kseg_plan_free(&p); /* NULL-safe */

  /* intervals at the edges, from counts made by hand: no responder (low 0),
   * all responders (high 1), no known customer (undefined, decision test) */
  kseg_plan_setup e = s;
  e.known = 20;
  e.responders = 10;
  e.folds = 2;
  const int64_t edge[2 * 3 * 2] = {5, 0, 5, 0, 4, 4, 6, 6, 0, 0, 0, 0};
  ASSERT_OK(kseg_plan_build(&e, 3, edge, &p));
  ASSERT(p->segments[0].rate_low == 0.0 && p->segments[0].rate_high > 0.0 && p->segments[0].rate_high < 0.35);
  ASSERT(p->segments[1].rate_high == 1.0 && p->segments[1].rate_low > 0.65);
  ASSERT(isnan(p->segments[2].rate) && isnan(p->segments[2].rate_low));
  ASSERT_EQ(p->segments[2].decision, KSEG_PLAN_TEST);
  ASSERT_EQ(p->order[0], 1);
  ASSERT_EQ(p->order[2], 2); /* no known customer: last */
  ASSERT_NEAR(p->segments[1].rate_low, 0.72246, 1e-5); /* 10 of 10: 1 / (1 + z^2 / 10) */
  kseg_plan_free(&p);

  /* a cost that differs on the last row (one rank's block): no economics,
   * the same note on every rank */
  kseg_table t2;
  int32_t *l2;
  make_table(row0, n_local, 4.0, &t2, &l2);
  kseg_plan_setup s2;
  ASSERT_OK(kseg_plan_prepare(comm, &t2, NULL, &opt, &s2));
  ASSERT_EQ(s2.source, KSEG_PLAN_ECON_NONE);
  ASSERT_CONTAINS(s2.note, "Z_CostContact is not constant (3 to 4)");
  kseg_plan_setup_clear(&s2);

  /* bad options, on every rank */
  kseg_plan_options bad = {.cost_given = true, .contact_cost = 3};
  ASSERT_STATUS(kseg_plan_prepare(comm, &t, NULL, &bad, &s2), KSEG_ERR_INPUT);
  ASSERT_CONTAINS(kseg_error_message(), "--contact-cost needs --response-revenue");
  kseg_error_clear();
  bad = (kseg_plan_options){.cost_given = true, .revenue_given = true, .contact_cost = 3, .response_revenue = INFINITY};
  ASSERT_STATUS(kseg_plan_prepare(comm, &t, NULL, &bad, &s2), KSEG_ERR_INPUT);
  ASSERT_CONTAINS(kseg_error_message(), "--response-revenue must be a positive finite number");
  kseg_error_clear();
  bad = (kseg_plan_options){.cv_folds = (int)ones + 1};
  ASSERT_STATUS(kseg_plan_prepare(comm, &t, NULL, &bad, &s2), KSEG_ERR_INPUT);
  ASSERT_CONTAINS(kseg_error_message(), "above the number of responders");
  kseg_error_clear();
  bad = (kseg_plan_options){0};
  ASSERT_STATUS(kseg_plan_prepare(comm, &t, "Z_Revenue", &bad, &s2), KSEG_ERR_INPUT);
  ASSERT_CONTAINS(kseg_error_message(), "not a 0/1 column");
  kseg_error_clear();
  /* a label outside [0, k) on the last rank: every rank fails, the row is named */
  if (rank == size - 1 && n_local > 0) labels[n_local - 1] = K;
  ASSERT_STATUS(kseg_plan_count(comm, &s, &t, labels, K, cells), KSEG_ERR_INPUT);
  ASSERT_CONTAINS(kseg_error_message(), "row 1998");

  kseg_plan_setup_clear(&s);
  kseg_table_clear(&t);
  kseg_table_clear(&t2);
  free(labels);
  free(l2);
  kseg_test_finalize(&comm, NULL);
  return 0;
}
