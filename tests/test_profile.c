/* profile: kseg_profile_compute on an in-memory table against a serial
 * reference computed here from the generating formulas; bit-identity between
 * the full communicator and rank 0 alone holding every row (the JSON texts
 * must be equal); names and actions unique and quoted numbers measured; bad
 * labels and targets refused on every rank. */
#include <stdlib.h>

#include "kseg/kseg_comm.h"
#include "kseg/kseg_error.h"
#include "kseg/kseg_h5io.h"
#include "kseg/kseg_profile.h"
#include "kseg/kseg_rng.h"
#include "test.h"

#define N 1201
#define K 4

/* Values as a function of the global row only. */
static int32_t label_of(int64_t i) { return (int32_t)((i * 7 + i / 13) % K); }
static double spend_of(int64_t i)
{
  if (i % 97 == 5) return NAN;
  kseg_rng_key key = {9, 1};
  return floor(kseg_rng_uniform(key, (uint64_t)i, 0) * 1000.0 * (1 + label_of(i))) / 4.0;
}
static double flag_of(int64_t i) { return (double)(kseg_rng_u64((kseg_rng_key){9, 2}, (uint64_t)i, 0) % 3 == 0); }
static double resp_of(int64_t i)
{
  double u = kseg_rng_uniform((kseg_rng_key){9, 3}, (uint64_t)i, 0);
  return u < (label_of(i) == 2 ? 0.5 : 0.1) ? 1.0 : 0.0;
}
static int32_t region_of(int64_t i) { return i % 31 == 0 ? -1 : (int32_t)((i / 3) % 3); }

static const char *const region_levels[] = {"north", "south", "west"};
enum { C_ID, C_SPEND, C_FLAG, C_CONST, C_RESP, C_REGION, N_COLS };
static const char *const col_names[] = {"Customer_ID", "Spend", "Flag", "Const", "Response", "Region"};

/* Rows [row0, row0 + n) of the table, as kseg_h5_read_table would give them. */
static void make_table(int64_t row0, int64_t n, kseg_table *t, int32_t **labels)
{
  memset(t, 0, sizeof *t);
  t->n_global = N;
  t->row0 = row0;
  t->n_local = n;
  t->n_cols = N_COLS;
  t->cols = calloc(N_COLS, sizeof *t->cols);
  *labels = malloc(sizeof(int32_t) * (size_t)(n + 1));
  for (int c = 0; c < N_COLS; c++) {
    kseg_column *col = &t->cols[c];
    col->name = strdup(col_names[c]);
    if (c == C_REGION) {
      col->kind = KSEG_COL_CATEGORICAL;
      col->codes = malloc(sizeof(int32_t) * (size_t)(n + 1));
      col->n_levels = 3;
      col->levels = calloc(3, sizeof *col->levels);
      for (int l = 0; l < 3; l++) col->levels[l] = strdup(region_levels[l]);
    } else {
      col->kind = KSEG_COL_NUMERIC;
      col->num = malloc(sizeof(double) * (size_t)(n + 1));
    }
  }
  for (int64_t r = 0; r < n; r++) {
    int64_t i = row0 + r;
    t->cols[C_ID].num[r] = (double)(1000 + i);
    t->cols[C_SPEND].num[r] = spend_of(i);
    t->cols[C_FLAG].num[r] = flag_of(i);
    t->cols[C_CONST].num[r] = 3.0;
    t->cols[C_RESP].num[r] = resp_of(i);
    t->cols[C_REGION].codes[r] = region_of(i);
    (*labels)[r] = label_of(i);
  }
}

static int cmp_double(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* Serial reference of one segment (s == K: all rows). */
static void reference(int s, int64_t *size, double *mean, double *median, double *flag, double *resp,
                      double *region_share)
{
  double *v = malloc(sizeof(double) * N), sum = 0, fl = 0, rs = 0;
  int64_t n = 0, m = 0, reg[3] = {0, 0, 0};
  for (int64_t i = 0; i < N; i++) {
    if (s < K && label_of(i) != s) continue;
    m++;
    fl += flag_of(i);
    rs += resp_of(i);
    if (region_of(i) >= 0) reg[region_of(i)]++;
    double x = spend_of(i);
    if (isnan(x)) continue;
    v[n++] = x;
    sum += x;
  }
  qsort(v, (size_t)n, sizeof *v, cmp_double);
  *size = m;
  *mean = sum / (double)n;
  *median = n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
  *flag = fl / (double)m;
  *resp = rs / (double)m;
  for (int l = 0; l < 3; l++) region_share[l] = (double)reg[l] / (double)m;
  free(v);
}

static const kseg_profile_metric *metric(const kseg_profile *p, const char *name)
{
  for (int j = 0; j < p->n_metrics; j++)
    if (strcmp(p->metrics[j].name, name) == 0) return &p->metrics[j];
  return NULL;
}

int main(int argc, char **argv)
{
  MPI_Comm comm;
  kseg_test_init(&argc, &argv, &comm, NULL);
  int rank = kseg_comm_rank(comm), size = kseg_comm_size(comm);
  int64_t row0, n_local;
  kseg_partition(N, size, rank, &row0, &n_local);
  kseg_table t;
  int32_t *labels;
  make_table(row0, n_local, &t, &labels);

  kseg_profile *p = NULL;
  kseg_profile_options opt = {0};
  ASSERT_OK(kseg_profile_compute(comm, &t, labels, K, &opt, &p));
  ASSERT_EQ(p->n_segments, K);
  ASSERT_STREQ(p->target, "Response"); /* the default target */
  ASSERT(metric(p, "Customer_ID") == NULL); /* identifier: prep's rule */
  ASSERT(metric(p, "Const") == NULL);       /* constant */
  ASSERT(metric(p, "Response") == NULL);    /* the target is reported as rate and lift */
  const kseg_profile_metric *spend = metric(p, "Spend"), *flag = metric(p, "Flag");
  ASSERT(spend && spend->kind == KSEG_PROFILE_VALUE);
  ASSERT(flag && flag->kind == KSEG_PROFILE_RATE);
  ASSERT(p->spend_share == NULL); /* no Mnt* columns, no Total_Spent */
  ASSERT_EQ(p->n_categorical, 1);
  double base_mean = 0, base_resp = 0;
  for (int s = K; s >= 0; s--) {
    int64_t sz;
    double mean, median, fl, rs, reg[3];
    reference(s, &sz, &mean, &median, &fl, &rs, reg);
    if (s == K) base_mean = mean, base_resp = rs;
    ASSERT_EQ(p->size[s], sz);
    ASSERT_NEAR(p->share[s], (double)sz / N, 1e-15);
    ASSERT_NEAR(spend->mean[s], mean, 1e-9 * mean);
    ASSERT(spend->median[s] == median); /* exact order statistics */
    ASSERT_NEAR(spend->index[s], mean / base_mean * 100.0, 1e-9);
    ASSERT_NEAR(flag->mean[s], fl, 1e-12);
    ASSERT_NEAR(p->target_rate[s], rs, 1e-12);
    ASSERT_NEAR(p->lift[s], rs / base_resp, 1e-12);
    for (int l = 0; l < 3; l++) ASSERT_NEAR(p->categorical[0].share[s * 3 + l], reg[l], 1e-15);
  }
  /* segment 2 answers five times as often: named and prioritised for it */
  ASSERT(p->lift[2] >= 1.5);
  ASSERT_CONTAINS(kseg_profile_segment_name(p, 2), "Responsive");
  ASSERT_CONTAINS(kseg_profile_segment_action(p, 2), "Prioritise");
  char quoted[64];
  snprintf(quoted, sizeof quoted, "lift %.2f", p->lift[2]);
  ASSERT_CONTAINS(kseg_profile_segment_action(p, 2), quoted);
  ASSERT_STREQ(kseg_profile_segment_name(p, K), "all");
  for (int a = 0; a < K; a++)
    for (int b = 0; b < a; b++) ASSERT(strcmp(p->names[a], p->names[b]) != 0);
  ASSERT(kseg_profile_segment_name(p, K + 1) == NULL);

  /* the human table, into a buffer */
  char *buf = NULL;
  size_t len = 0;
  FILE *mem = open_memstream(&buf, &len);
  ASSERT_OK(kseg_profile_print(p, mem));
  fclose(mem);
  ASSERT_CONTAINS(buf, p->names[2]);
  ASSERT_CONTAINS(buf, "Response");
  free(buf);

  /* the same bits as rank 0 alone with every row */
  char *json = NULL;
  ASSERT_OK(kseg_profile_json(p, &json));
  MPI_Comm self;
  MPI_Comm_split(comm, rank == 0 ? 0 : MPI_UNDEFINED, 0, &self);
  if (rank == 0) {
    kseg_table full;
    int32_t *all_labels;
    make_table(0, N, &full, &all_labels);
    kseg_profile *q = NULL;
    ASSERT_OK(kseg_profile_compute(self, &full, all_labels, K, &opt, &q));
    char *json1 = NULL;
    ASSERT_OK(kseg_profile_json(q, &json1));
    ASSERT_STREQ(json, json1);
    free(json1);
    kseg_profile_free(&q);
    ASSERT(q == NULL);
    kseg_table_clear(&full);
    free(all_labels);
    MPI_Comm_free(&self);
  }
  free(json);
  kseg_profile_free(&p);
  kseg_profile_free(&p); /* NULL-safe */

  /* a named target that is absent or not 0/1; a label out of range on the
   * last rank only: every rank returns the same status */
  opt.target = "Nope";
  ASSERT_STATUS(kseg_profile_compute(comm, &t, labels, K, &opt, &p), KSEG_ERR_INPUT);
  ASSERT_CONTAINS(kseg_error_message(), "'Nope'");
  kseg_error_clear();
  opt.target = "Spend";
  ASSERT_STATUS(kseg_profile_compute(comm, &t, labels, K, &opt, &p), KSEG_ERR_INPUT);
  ASSERT_CONTAINS(kseg_error_message(), "not a 0/1 column");
  kseg_error_clear();
  opt.target = "Flag"; /* any 0/1 column can be the target */
  ASSERT_OK(kseg_profile_compute(comm, &t, labels, K, &opt, &p));
  ASSERT_STREQ(p->target, "Flag");
  ASSERT(metric(p, "Response") && metric(p, "Response")->kind == KSEG_PROFILE_RATE);
  kseg_profile_free(&p);
  opt.target = NULL;
  if (rank == size - 1 && n_local > 0) labels[n_local - 1] = K;
  ASSERT_STATUS(kseg_profile_compute(comm, &t, labels, K, &opt, &p), KSEG_ERR_INPUT);
  ASSERT_CONTAINS(kseg_error_message(), "row 1200");
  ASSERT(p == NULL);

  free(labels);
  kseg_table_clear(&t);
  kseg_test_finalize(&comm, NULL);
  return 0;
}
