/* prep: fit on a small synthetic raw table written through h5io, then
 *  - replay: the saved /prep, loaded back and applied to the same table,
 *    reproduces the fitted output (and /features) bit for bit;
 *  - partition independence: the output equals, bit for bit, the rows of a
 *    fit by each rank alone over the whole table (MPI_COMM_SELF);
 *  - generic column choice and the bad-input errors. */
#include <stdlib.h>

#include "kseg/kseg_comm.h"
#include "kseg/kseg_error.h"
#include "kseg/kseg_h5io.h"
#include "kseg/kseg_pca.h"
#include "kseg/kseg_prep.h"
#include "kseg/kseg_rng.h"
#include "test.h"

#define N 157
#define NC 9

static const char *names[NC] = {"cust", "ID", "a", "b", "c", "k", "cat", "d", "allnan"};

static double num_value(int j, int64_t i)
{
  kseg_rng_key key = {7, (uint64_t)j};
  double u = kseg_rng_uniform(key, (uint64_t)i, 0), w = kseg_rng_uniform(key, (uint64_t)i, 1);
  switch (j) {
  case 1: return (double)(1000 + (i * 37) % N);                                   /* distinct ids */
  case 2: return w < 0.08 ? NAN : kseg_rng_normal(key, (uint64_t)i, 2) * 10 - 3;  /* has negatives */
  case 3: return w < 0.15 ? NAN : floor(u * 5);                                   /* ties */
  case 4: return w < 0.05 ? NAN : exp(kseg_rng_normal(key, (uint64_t)i, 2) * 1.5); /* skewed, >= 0 */
  case 5: return 3.0;
  case 7: return 15000 + floor(u * 900);                                          /* a date */
  default: return NAN;
  }
}

static void write_raw(MPI_Comm comm, const char *path)
{
  kseg_table t = {0};
  t.n_global = N;
  kseg_partition(N, kseg_comm_size(comm), kseg_comm_rank(comm), &t.row0, &t.n_local);
  t.n_cols = NC;
  t.cols = calloc(NC, sizeof *t.cols);
  static char *levels[3] = {"x", "y", "z"};
  for (int j = 0; j < NC; j++) {
    kseg_column *c = &t.cols[j];
    c->name = (char *)names[j];
    if (j == 0) {
      c->kind = KSEG_COL_STRING;
      c->str_width = 8;
      c->str = calloc((size_t)t.n_local + 1, 8);
      for (int64_t i = 0; i < t.n_local; i++) snprintf(c->str + 8 * i, 8, "C%05lld", (long long)(t.row0 + i));
    } else if (j == 6) {
      c->kind = KSEG_COL_CATEGORICAL;
      c->levels = levels;
      c->n_levels = 3;
      c->codes = calloc((size_t)t.n_local + 1, sizeof(int32_t));
      for (int64_t i = 0; i < t.n_local; i++) c->codes[i] = (int32_t)((t.row0 + i) % 4) - 1;
    } else {
      c->kind = j == 7 ? KSEG_COL_DATE : KSEG_COL_NUMERIC;
      c->num = calloc((size_t)t.n_local + 1, sizeof(double));
      for (int64_t i = 0; i < t.n_local; i++) c->num[i] = num_value(j, t.row0 + i);
    }
  }
  kseg_h5_writer *w = NULL;
  ASSERT_OK(kseg_h5_create(comm, path, &w));
  ASSERT_OK(kseg_h5_finish(&w, kseg_h5_write_table(w, &t)));
  for (int j = 0; j < NC; j++) {
    free(t.cols[j].str);
    free(t.cols[j].codes);
    free(t.cols[j].num);
  }
  free(t.cols);
}

/* Fit with `opt`, check replay through a saved file and against a single-rank fit. */
static kseg_prep_model *check_case(MPI_Comm comm, MPI_Comm self, const kseg_table *raw, const kseg_table *full,
                                   const kseg_prep_options *opt, const char *out_path)
{
  kseg_prep_model *m = NULL, *m1 = NULL, *back = NULL;
  int8_t *mask = NULL, *mask1 = NULL;
  ASSERT_OK(kseg_prep_fit(comm, raw, opt, &m, &mask));
  int W = kseg_prep_width(m);
  int64_t n = raw->n_local;
  double *x = malloc(sizeof(double) * (size_t)(n + 1) * (size_t)W);
  ASSERT_OK(kseg_prep_apply(m, raw, x));
  for (int64_t i = 0; i < n * W; i++) ASSERT(isfinite(x[i]));

  /* save, load, replay */
  kseg_h5_writer *w = NULL;
  ASSERT_OK(kseg_h5_create(comm, out_path, &w));
  int st = kseg_h5_write_rows(w, "/features", KSEG_F64, raw->n_global, W, raw->row0, n, x);
  if (!st) st = kseg_prep_save(comm, w, "/prep", m);
  ASSERT_OK(kseg_h5_finish(&w, st));
  ASSERT_OK(kseg_prep_load(comm, out_path, "/prep", &back));
  ASSERT_EQ(back->n_features, m->n_features);
  ASSERT_EQ(kseg_prep_width(back), W);
  for (int f = 0; f < m->n_features; f++) ASSERT_STREQ(back->features[f], m->features[f]);
  double *y = malloc(sizeof(double) * (size_t)(n + 1) * (size_t)W);
  ASSERT_OK(kseg_prep_apply(back, raw, y));
  ASSERT_SAME_BITS(x, y, n * W);
  kseg_matrix fm;
  ASSERT_OK(kseg_h5_read_matrix(comm, out_path, "/features", &fm));
  ASSERT_EQ(fm.d, W);
  ASSERT_SAME_BITS(x, fm.data, n * W);
  kseg_matrix_clear(&fm);

  /* one rank with every row fits the same parameters and outputs */
  ASSERT_OK(kseg_prep_fit(self, full, opt, &m1, &mask1));
  ASSERT_EQ(kseg_prep_width(m1), W);
  ASSERT_SAME_BITS(m->fill, m1->fill, m->n_features);
  ASSERT_SAME_BITS(m->center, m1->center, m->n_features);
  ASSERT_SAME_BITS(m->scale_by, m1->scale_by, m->n_features);
  ASSERT_SAME_BITS(m->clip_lo, m1->clip_lo, m->n_features);
  double *z = malloc(sizeof(double) * (size_t)N * (size_t)W);
  ASSERT_OK(kseg_prep_apply(m1, full, z));
  ASSERT_SAME_BITS(x, z + raw->row0 * W, n * W);
  ASSERT_EQ(mask != NULL, mask1 != NULL);
  if (mask) ASSERT(memcmp(mask, mask1 + raw->row0, (size_t)n) == 0);

  free(x);
  free(y);
  free(z);
  free(mask);
  free(mask1);
  kseg_prep_free(&back);
  kseg_prep_free(&m1);
  return m;
}

static void expect_error(MPI_Comm comm, const kseg_table *raw, const kseg_prep_options *opt, const char *a,
                         const char *b)
{
  kseg_prep_model *m = NULL;
  int8_t *mask = NULL;
  kseg_error_clear();
  ASSERT_STATUS(kseg_prep_fit(comm, raw, opt, &m, &mask), KSEG_ERR_INPUT);
  ASSERT(m == NULL && mask == NULL);
  ASSERT_CONTAINS(kseg_error_message(), a);
  if (b) ASSERT_CONTAINS(kseg_error_message(), b);
  kseg_error_clear();
}

int main(int argc, char **argv)
{
  MPI_Comm comm, self;
  kseg_test_init(&argc, &argv, &comm, &self);
  int size = kseg_comm_size(comm);
  char raw_path[64], out_path[64];
  snprintf(raw_path, sizeof raw_path, "prep_raw_np%d.h5", size);
  snprintf(out_path, sizeof out_path, "prep_out_np%d.h5", size);
  write_raw(comm, raw_path);
  kseg_table raw, full;
  ASSERT_OK(kseg_h5_read_table(comm, raw_path, NULL, 0, &raw));
  ASSERT_OK(kseg_h5_read_table(self, raw_path, NULL, 0, &full));
  ASSERT_EQ(full.n_local, N);

  /* generic, defaults: a, b, c; not the string, the id, the constant, the
   * categorical, the date, nor the all-missing column (noted, in any recipe) */
  kseg_prep_options o = {0};
  o.recipe = KSEG_RECIPE_GENERIC;
  kseg_prep_model *m = NULL;
  int8_t *no_mask = NULL;
  ASSERT_OK(kseg_prep_fit(comm, &raw, &o, &m, &no_mask));
  ASSERT_EQ(m->n_features, 3);
  int saw_empty = 0;
  for (int i = 0; i < m->n_dropped; i++)
    saw_empty |= strcmp(m->dropped[i], "allnan") == 0 && strstr(m->dropped_reason[i], "values missing") != NULL &&
                 kseg_prep_dropped_notable(m, i);
  ASSERT(saw_empty);
  kseg_prep_free(&m);
  o.exclude = "allnan";
  m = check_case(comm, self, &raw, &full, &o, out_path);
  ASSERT_EQ(m->n_features, 3);
  ASSERT_STREQ(m->features[0], "a");
  ASSERT_STREQ(m->features[1], "b");
  ASSERT_STREQ(m->features[2], "c");
  ASSERT_STREQ(m->impute, "median");
  ASSERT_STREQ(m->scale, "standard");
  ASSERT_EQ(m->fit_rows, N);
  ASSERT_EQ(m->input_stats[1].min, 0);
  ASSERT_EQ(m->input_stats[1].max, 4);
  ASSERT(m->fill[1] == m->input_quartiles[3 * 1 + 1]); /* median fill */
  int saw_id = 0, saw_k = 0;
  for (int i = 0; i < m->n_dropped; i++) {
    saw_id |= strcmp(m->dropped[i], "ID") == 0 && strstr(m->dropped_reason[i], "identifier") != NULL;
    saw_k |= strcmp(m->dropped[i], "k") == 0 && strncmp(m->dropped_reason[i], "constant", 8) == 0;
  }
  ASSERT(saw_id && saw_k);
  kseg_prep_free(&m);

  /* mean / iqr / robust / log1p auto: c is skewed and non-negative */
  o.impute = KSEG_IMPUTE_MEAN;
  o.outliers = KSEG_OUTLIERS_IQR;
  o.outlier_param = 1.5;
  o.scale = KSEG_SCALE_ROBUST;
  o.log1p = "auto";
  m = check_case(comm, self, &raw, &full, &o, out_path);
  ASSERT(!m->log1p[0] && !m->log1p[1] && m->log1p[2]);
  ASSERT(m->fill[0] == m->input_stats[0].mean);
  ASSERT(isfinite(m->clip_lo[0]) && m->clip_lo[0] < m->clip_hi[0]);
  kseg_prep_free(&m);

  /* drop / clip:5 / minmax / explicit log1p */
  o.impute = KSEG_IMPUTE_DROP;
  o.outliers = KSEG_OUTLIERS_CLIP;
  o.outlier_param = 5;
  o.scale = KSEG_SCALE_MINMAX;
  o.log1p = "c";
  m = check_case(comm, self, &raw, &full, &o, out_path);
  ASSERT(m->fit_rows < N && m->fit_rows > N / 2);
  ASSERT(m->log1p[2] && !m->log1p[0]);
  kseg_prep_free(&m);

  /* explicit columns in their order, a date among them, no scaling */
  kseg_prep_options e = {0};
  e.recipe = KSEG_RECIPE_GENERIC;
  e.columns = "c, a,d";
  e.scale = KSEG_SCALE_NONE;
  e.outliers = KSEG_OUTLIERS_IQR;
  e.outlier_param = 3;
  m = check_case(comm, self, &raw, &full, &e, out_path);
  ASSERT_EQ(m->n_features, 3);
  ASSERT_STREQ(m->features[0], "c");
  ASSERT_STREQ(m->features[2], "d");
  ASSERT_EQ(m->center[2], 0);
  ASSERT_EQ(m->scale_by[2], 1);
  kseg_prep_free(&m);

  /* a fitted projection is saved and replayed too */
  e.columns = "a,b,c";
  e.scale = KSEG_SCALE_STANDARD;
  e.outliers = KSEG_OUTLIERS_NONE;
  {
    kseg_prep_model *p = NULL, *back = NULL;
    int8_t *mask = NULL;
    ASSERT_OK(kseg_prep_fit(comm, &raw, &e, &p, &mask));
    size_t n = (size_t)raw.n_local + 1;
    double *x = malloc(sizeof(double) * n * 3), *y = malloc(sizeof(double) * n * 3);
    double *z = malloc(sizeof(double) * n * 3), *ref = malloc(sizeof(double) * n * 3);
    ASSERT_OK(kseg_prep_transform(p, &raw, 5, x));
    kseg_pca pc;
    ASSERT_OK(kseg_pca_fit(comm, x, raw.n_local, 3, NULL, 2, &pc));
    ASSERT_OK(kseg_prep_set_projection(p, pc.n_components, pc.mean, pc.components, pc.explained_variance,
                                       pc.explained_variance_ratio));
    ASSERT_EQ(kseg_prep_width(p), 2);
    ASSERT_OK(kseg_prep_apply(p, &raw, y));
    kseg_pca_project(&pc, x, raw.n_local, ref);
    for (int64_t i = 0; i < raw.n_local * 2; i++) ASSERT_NEAR(y[i], ref[i], 1e-12);
    kseg_h5_writer *w = NULL;
    ASSERT_OK(kseg_h5_create(comm, out_path, &w));
    ASSERT_OK(kseg_h5_finish(&w, kseg_prep_save(comm, w, "/prep", p)));
    ASSERT_OK(kseg_prep_load(comm, out_path, "/prep", &back));
    ASSERT_EQ(back->n_components, 2);
    ASSERT_SAME_BITS(back->explained_variance_ratio, pc.explained_variance_ratio, 2);
    ASSERT_OK(kseg_prep_apply(back, &raw, z));
    ASSERT_SAME_BITS(y, z, raw.n_local * 2);
    kseg_pca_clear(&pc);
    free(x);
    free(y);
    free(z);
    free(ref);
    kseg_prep_free(&p);
    kseg_prep_free(&back);
  }

  /* bad input, each naming the column */
  e = (kseg_prep_options){0};
  e.recipe = KSEG_RECIPE_GENERIC;
  e.columns = "a,nope";
  expect_error(comm, &raw, &e, "nope", "unknown column");
  e.columns = "a,cat";
  expect_error(comm, &raw, &e, "'cat'", "categorical");
  e.columns = "cust";
  expect_error(comm, &raw, &e, "'cust'", "string");
  e.columns = "a,allnan";
  expect_error(comm, &raw, &e, "allnan", "no values");
  e.columns = "a,k";
  expect_error(comm, &raw, &e, "'k'", "zero variance");
  e.columns = "a,a";
  expect_error(comm, &raw, &e, "'a'", "twice");
  e.columns = NULL;
  e.exclude = "allnan,zzz";
  expect_error(comm, &raw, &e, "zzz", "--exclude");
  e.exclude = "allnan";
  e.log1p = "a";
  expect_error(comm, &raw, &e, "'a'", "negative");
  e.log1p = "b,q";
  expect_error(comm, &raw, &e, "'q'", "--log1p");
  e.log1p = NULL;
  e.recipe = KSEG_RECIPE_MARKETING;
  expect_error(comm, &raw, &e, "marketing", "Year_Birth");
  /* a table without a needed column cannot replay a model */
  {
    kseg_prep_model *p = NULL;
    int8_t *mask = NULL;
    e = (kseg_prep_options){0};
    e.recipe = KSEG_RECIPE_GENERIC;
    e.columns = "a,b";
    ASSERT_OK(kseg_prep_fit(comm, &raw, &e, &p, &mask));
    free(p->terms[1].column);
    p->terms[1].column = strdup("gone");
    double *x = malloc(sizeof(double) * (size_t)(raw.n_local + 1) * 2);
    kseg_error_clear();
    ASSERT_STATUS(kseg_prep_apply(p, &raw, x), KSEG_ERR_INPUT);
    ASSERT_CONTAINS(kseg_error_message(), "'gone'");
    kseg_error_clear();
    free(x);
    kseg_prep_free(&p);
  }

  kseg_table_clear(&raw);
  kseg_table_clear(&full);
  kseg_test_finalize(&comm, &self);
  return 0;
}
