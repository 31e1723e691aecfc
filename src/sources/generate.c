/* generate.c - synthetic Customer Personality rows from latent segments.
 *
 * The model: each segment is a point in a space of 12 traits (age,
 * affluence, kids, teens, spend, wine/meat vs fresh food, gold, web, catalog,
 * deals, web visits, responsiveness). The first eight segments are fixed
 * archetypes so that small K gives well separated, recognisable groups;
 * further segments draw their traits from the RNG keyed by (seed, segment).
 * A customer takes the segment's traits plus individual noise and turns them
 * into columns through links that mimic the real table: income drives spend,
 * children lower it, deals and web visits go with lower income, campaign
 * acceptance and Response follow the segment's responsiveness and income.
 * Constants were tuned against /work/shared/data/marketing_campaign.csv
 * (medians, quantiles and rates; see tests/oracle/generate_check.py).
 */
#include "kseg/kseg_generate.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kseg/kseg_comm.h"
#include "kseg/kseg_error.h"
#include "kseg/kseg_h5io.h"
#include "kseg/kseg_rng.h"
#include "kseg/kseg_strings.h"

const char *const kseg_generate_columns[KSEG_GENERATE_NCOLS] = {
    "ID", "Year_Birth", "Education", "Marital_Status", "Income", "Kidhome", "Teenhome", "Dt_Customer",
    "Recency", "MntWines", "MntFruits", "MntMeatProducts", "MntFishProducts", "MntSweetProducts",
    "MntGoldProds", "NumDealsPurchases", "NumWebPurchases", "NumCatalogPurchases", "NumStorePurchases",
    "NumWebVisitsMonth", "AcceptedCmp3", "AcceptedCmp4", "AcceptedCmp5", "AcceptedCmp1", "AcceptedCmp2",
    "Complain", "Z_CostContact", "Z_Revenue", "Response"};

enum {
  C_ID, C_YEAR, C_EDU, C_MARITAL, C_INCOME, C_KID, C_TEEN, C_DT, C_RECENCY, C_WINE, C_FRUIT, C_MEAT,
  C_FISH, C_SWEET, C_GOLD, C_DEALS, C_WEB, C_CATALOG, C_STORE, C_VISITS, C_CMP3, C_CMP4, C_CMP5, C_CMP1,
  C_CMP2, C_COMPLAIN, C_ZCOST, C_ZREV, C_RESPONSE
};

/* Levels sorted, as `kseg import` orders them for the real file. */
static const char *const edu_levels[] = {"2n Cycle", "Basic", "Graduation", "Master", "PhD"};
static const char *const marital_levels[] = {"Absurd", "Alone",  "Divorced", "Married",
                                             "Single", "Together", "Widow", "YOLO"};
enum { N_EDU = 5, N_MARITAL = 8, N_MIX = 6, N_CHAN = 3, N_CMP = 5 };

/* Dt_Customer range of the real data: 2012-07-30 .. 2014-06-29 in days since 1970-01-01. */
#define DT_FIRST 15551.0
#define DT_DAYS 700.0

enum trait { Y, A, K, T, S, L, G, W, CAT, D, V, R, N_TRAITS };

/* Archetypes: young budget families; affluent couples without children;
 * deal-prone families with teenagers; well-off fresh-food buyers; digital
 * deal hunters; affluent campaign responders; low-income young singles;
 * older store loyalists. Units are roughly standard deviations of the trait
 * across segments. */
static const double archetypes[8][N_TRAITS] = {
    /*  Y     A     K     T     S     L     G     W   CAT     D     V     R */
    {-0.6, -1.0, 1.2, -0.8, -0.3, -0.1, 0.4, 0.2, -0.8, -0.2, 0.6, -0.3},
    {0.5, 1.2, -1.2, -0.2, 0.3, 0.8, 0.0, -0.5, 1.1, -0.8, -0.5, 0.7},
    {0.6, 0.0, -0.2, 1.3, -0.1, 0.5, 0.2, 0.6, -0.3, 1.1, 0.2, -0.6},
    {-1.0, 0.5, -0.9, -1.0, 0.2, -1.3, 0.6, 1.0, -0.2, -0.6, 0.2, 0.3},
    {-0.8, -0.5, 0.3, 0.2, 0.0, 0.0, 0.9, 1.3, -0.6, 1.0, 1.0, 0.4},
    {0.0, 1.6, -1.2, -1.0, 0.6, 1.0, -0.4, 0.4, 1.3, -1.0, -0.8, 1.6},
    {-1.2, -1.5, -0.2, -1.0, -0.4, -0.6, 0.8, 0.8, -1.0, -0.4, 0.8, 0.2},
    {1.4, 0.3, -0.8, 0.6, 0.0, 0.4, -0.6, -1.1, 0.0, 0.0, -0.6, -0.9},
};

/* Per-segment parameters derived from the traits (same on every rank). */
typedef struct segment_params {
  double trait[N_TRAITS];
  double mix[N_MIX];   /* log weights: wine, fruit, meat, fish, sweet, gold */
  double chan[N_CHAN]; /* log weights: web, catalog, store */
  double edu_cum[N_EDU], marital_cum[N_MARITAL];
} segment_params;

typedef struct model {
  int k;
  double weight_cum[KSEG_GENERATE_MAX_SEGMENTS];
  segment_params seg[KSEG_GENERATE_MAX_SEGMENTS];
  kseg_rng_key key;
} model;

kseg_col_kind kseg_generate_column_kind(int col)
{
  if (col == C_EDU || col == C_MARITAL) return KSEG_COL_CATEGORICAL;
  if (col == C_DT) return KSEG_COL_DATE;
  return KSEG_COL_NUMERIC;
}

int kseg_generate_check(const kseg_generate_opts *o)
{
  if (o->rows < 1)
    return kseg_error_set(KSEG_ERR_INPUT, "--rows must be at least 1, got %lld", (long long)o->rows);
  if (o->segments < 1 || o->segments > KSEG_GENERATE_MAX_SEGMENTS)
    return kseg_error_set(KSEG_ERR_INPUT, "--segments must be between 1 and %d, got %d",
                          KSEG_GENERATE_MAX_SEGMENTS, o->segments);
  if (o->round_rows < 0)
    return kseg_error_set(KSEG_ERR_INPUT, "--round-rows must be positive, got %lld", (long long)o->round_rows);
  return KSEG_OK;
}

/* Zipf-like weights 1/(1 + 0.35 j): unequal like real segment sizes, yet the
 * smallest of 64 still holds about 1/70 of the largest's rows. */
void kseg_generate_weights(int segments, double *weights)
{
  double total = 0;
  for (int j = 0; j < segments; j++) total += weights[j] = 1.0 / (1.0 + 0.35 * j);
  for (int j = 0; j < segments; j++) weights[j] /= total;
}

static void cumulate(double *logw, int n, double *cum)
{
  double mx = logw[0], total = 0;
  for (int i = 1; i < n; i++) mx = logw[i] > mx ? logw[i] : mx;
  for (int i = 0; i < n; i++) total += cum[i] = exp(logw[i] - mx);
  double acc = 0;
  for (int i = 0; i < n; i++) cum[i] = (acc += cum[i]) / total;
  cum[n - 1] = 1.0; /* a uniform draw below 1 always lands in a category */
}

static void model_init(model *m, const kseg_generate_opts *o)
{
  m->k = o->segments;
  m->key = (kseg_rng_key){(uint64_t)o->seed, KSEG_STREAM_GENERATE};
  double w[KSEG_GENERATE_MAX_SEGMENTS];
  kseg_generate_weights(m->k, w);
  double acc = 0;
  for (int j = 0; j < m->k; j++) m->weight_cum[j] = (acc += w[j]);
  m->weight_cum[m->k - 1] = 1.0;

  /* Traits of segments past the archetypes: their own substream so that they
   * never collide with row draws. */
  kseg_rng_key tkey = {(uint64_t)o->seed, kseg_rng_substream(KSEG_STREAM_GENERATE, 1, 0)};
  static const double mix_base[N_MIX] = {0.50, 0.04, 0.27, 0.06, 0.04, 0.07};
  static const double chan_base[N_CHAN] = {4.1, 2.7, 5.8};
  static const double edu_base[N_EDU] = {0.091, 0.024, 0.503, 0.165, 0.217};
  static const double marital_base[N_MARITAL] = {0.0009, 0.0013, 0.104, 0.386, 0.214, 0.259, 0.034, 0.0009};
  for (int j = 0; j < m->k; j++) {
    segment_params *s = &m->seg[j];
    /* K = 1 is one undifferentiated population: the average customer. */
    for (int t = 0; t < N_TRAITS; t++)
      s->trait[t] = m->k == 1 ? 0.0
                    : j < 8   ? archetypes[j][t]
                              : -1.3 + 2.6 * kseg_rng_uniform(tkey, (uint64_t)j, (uint64_t)t);
    const double *x = s->trait;
    static const double mix_l[N_MIX] = {0.5, -0.5, 0.4, -0.5, -0.5, 0.0};
    static const double mix_g[N_MIX] = {0.0, 0.0, 0.0, 0.0, 0.2, 0.7};
    for (int c = 0; c < N_MIX; c++) s->mix[c] = log(mix_base[c]) + x[L] * mix_l[c] + x[G] * mix_g[c];
    s->chan[0] = log(chan_base[0]) + 0.5 * x[W] - 0.2 * x[CAT];
    s->chan[1] = log(chan_base[1]) - 0.2 * x[W] + 0.6 * x[CAT];
    s->chan[2] = log(chan_base[2]) - 0.2 * x[W] - 0.2 * x[CAT];
    /* Education rises with affluence: Basic and 2n Cycle give way to PhD. */
    static const double edu_a[N_EDU] = {-0.25, -0.9, 0.0, 0.15, 0.4};
    double le[N_EDU], lm[N_MARITAL];
    for (int c = 0; c < N_EDU; c++) le[c] = log(edu_base[c]) + edu_a[c] * x[A];
    cumulate(le, N_EDU, s->edu_cum);
    /* Families lean to Married/Together, older segments to Widow/Divorced. */
    double fam = 0.5 * (x[K] + x[T]);
    static const double mar_f[N_MARITAL] = {0, 0, -0.1, 0.25, -0.4, 0.15, 0, 0};
    static const double mar_y[N_MARITAL] = {0, 0, 0.2, 0, -0.2, 0, 0.6, 0};
    for (int c = 0; c < N_MARITAL; c++) lm[c] = log(marital_base[c]) + mar_f[c] * fam + mar_y[c] * x[Y];
    cumulate(lm, N_MARITAL, s->marital_cum);
  }
}

static int pick(const double *cum, int n, double u)
{
  int i = 0;
  while (i < n - 1 && u >= cum[i]) i++;
  return i;
}

/* Poisson by inversion, truncated at `cap` (the real columns have maxima). */
static double poisson(double lambda, double u, int cap)
{
  double p = exp(-lambda), f = p;
  int k = 0;
  while (u > f && k < cap) {
    k++;
    p *= lambda / k;
    f += p;
  }
  return k;
}

static double sigmoid(double x) { return 1.0 / (1.0 + exp(-x)); }

static double clamp(double x, double lo, double hi) { return x < lo ? lo : (x > hi ? hi : x); }

/* Draw slots of one row: uniforms U_*, then the uniform pairs that become
 * the normals Z_*. Fixed slots keep a column's draws the same whatever other
 * columns do; adding a column means adding a slot at the end. */
enum {
  U_SEG, U_YEAR_OUT, U_YEAR_OUT_V, U_EDU, U_MARITAL, U_INC_MISS, U_INC_OUT, U_INC_OUT_V, U_DT, U_RECENCY,
  U_WEB, U_CATALOG, U_STORE, U_DEALS, U_VISITS, U_CMP, U_RESPONSE = U_CMP + N_CMP, U_COMPLAIN,
  N_UNIFORM
};
enum { Z_YEAR, Z_INCOME, Z_KID, Z_TEEN, Z_SPEND, Z_MIX, Z_CHAN = Z_MIX + N_MIX, Z_DEALS = Z_CHAN + N_CHAN,
       Z_VISITS, N_NORMAL };
enum { N_DRAWS = N_UNIFORM + N_NORMAL + (N_NORMAL & 1) };
/* Each Philox block yields two uniforms. */
_Static_assert(N_DRAWS % 2 == 0, "draws come in pairs");

static void row_draws(kseg_rng_key key, uint64_t row, double *u, double *z)
{
  double all[N_DRAWS];
  for (int b = 0; b < N_DRAWS / 2; b++) {
    uint32_t w[4];
    kseg_rng_block(key, row, (uint64_t)b, w);
    all[2 * b] = (double)((((uint64_t)w[0] << 32) | w[1]) >> 11) * 0x1.0p-53;
    all[2 * b + 1] = (double)((((uint64_t)w[2] << 32) | w[3]) >> 11) * 0x1.0p-53;
  }
  memcpy(u, all, sizeof(double) * N_UNIFORM);
  /* Box-Muller, both outputs of each pair; 1 - u lies in (0, 1]. */
  for (int i = 0; i < N_NORMAL; i += 2) {
    double r = sqrt(-2.0 * log(1.0 - all[N_UNIFORM + i])), th = 2.0 * M_PI * all[N_UNIFORM + i + 1];
    z[i] = r * cos(th);
    if (i + 1 < N_NORMAL) z[i + 1] = r * sin(th);
  }
}

/* One customer: values[col] for numeric/date columns, codes for the two
 * categorical ones. A pure function of (model, row). */
static void gen_row(const model *m, int64_t row, double *v, int32_t *edu, int32_t *marital, int32_t *segment)
{
  double u[N_UNIFORM], z[N_NORMAL + 1];
  row_draws(m->key, (uint64_t)row, u, z);
  int j = pick(m->weight_cum, m->k, u[U_SEG]);
  const segment_params *s = &m->seg[j];
  const double *x = s->trait;
  *segment = j;

  v[C_ID] = (double)(row + 1);
  double year = round(1969.0 - 9.0 * x[Y] + 9.0 * z[Z_YEAR]);
  year = clamp(year, 1940, 1996);
  /* A few impossible birth years, as in the real table (1893, 1899, 1900). */
  if (u[U_YEAR_OUT] < 0.0013) year = 1893 + floor(8.0 * u[U_YEAR_OUT_V]);
  v[C_YEAR] = year;
  *edu = pick(s->edu_cum, N_EDU, u[U_EDU]);
  *marital = pick(s->marital_cum, N_MARITAL, u[U_MARITAL]);

  double income = 52000.0 * (1.0 + 0.36 * x[A] + 0.18 * z[Z_INCOME]);
  income = round(clamp(income, 1730, 160000));
  double li = log(income / 52000.0); /* relative income drives everything below */
  v[C_INCOME] = income;
  if (u[U_INC_OUT] < 0.0004) v[C_INCOME] = round(income * (4.0 + 8.0 * u[U_INC_OUT_V]));
  if (u[U_INC_MISS] < 0.0107) v[C_INCOME] = NAN;

  double kid = -0.18 + 0.75 * x[K] - 0.2 * li + 0.6 * z[Z_KID];
  double teen = 0.18 + 0.75 * x[T] + 0.02 * (1969.0 - year) + 0.6 * z[Z_TEEN];
  v[C_KID] = kid < 0.05 ? 0 : (kid < 1.75 ? 1 : 2);
  v[C_TEEN] = teen < 0.05 ? 0 : (teen < 1.75 ? 1 : 2);
  v[C_DT] = DT_FIRST + floor(DT_DAYS * u[U_DT]);
  v[C_RECENCY] = floor(100.0 * u[U_RECENCY]);

  double spend = 650.0 * exp(0.35 * x[S] + 2.8 * li - 0.6 * v[C_KID] - 0.25 * v[C_TEEN] + 0.45 * z[Z_SPEND]);
  /* Soft ceiling: the real table's totals stop near 2,500. */
  spend = clamp(spend / (1.0 + spend / 5000.0), 5, 2600);
  static const double mix_cap[N_MIX] = {1500, 200, 1725, 260, 263, 362};
  double share[N_MIX], total = 0;
  for (int c = 0; c < N_MIX; c++) total += share[c] = exp(s->mix[c] + 0.7 * z[Z_MIX + c]);
  for (int c = 0; c < N_MIX; c++) v[C_WINE + c] = clamp(round(spend * share[c] / total), 0, mix_cap[c]);

  double lam = 1.5 + 2.95 * log1p(spend / 8.0);
  double ch[N_CHAN], ctotal = 0;
  for (int c = 0; c < N_CHAN; c++) ch[c] = s->chan[c] + 0.25 * z[Z_CHAN + c];
  ch[1] += 0.8 * li; /* catalogue buying follows income */
  for (int c = 0; c < N_CHAN; c++) ctotal += ch[c] = exp(ch[c]);
  v[C_WEB] = poisson(lam * ch[0] / ctotal, u[U_WEB], 27);
  v[C_CATALOG] = poisson(lam * ch[1] / ctotal, u[U_CATALOG], 28);
  v[C_STORE] = poisson(lam * ch[2] / ctotal, u[U_STORE], 13);
  v[C_DEALS] = poisson(exp(log(1.55) + 0.3 * x[D] + 0.35 * v[C_KID] + 0.4 * v[C_TEEN] - 0.2 * li +
                           0.25 * z[Z_DEALS]),
                       u[U_DEALS], 15);
  v[C_VISITS] = poisson(exp(log(5.0) + 0.1 * x[W] + 0.12 * x[V] - 0.4 * clamp(li, -0.8, 0.5) + 0.15 * v[C_KID] +
                            0.15 * z[Z_VISITS]),
                        u[U_VISITS], 20);

  /* Campaigns 3, 4, 5, 1, 2 (file order): intercept, responsiveness, income. */
  static const double cmp_b[N_CMP] = {-2.7, -2.8, -3.2, -3.2, -4.6};
  static const double cmp_r[N_CMP] = {0.8, 0.7, 1.0, 1.0, 0.9};
  static const double cmp_i[N_CMP] = {-0.3, 1.0, 2.5, 2.0, 1.0};
  int accepted = 0;
  for (int c = 0; c < N_CMP; c++) {
    int a = u[U_CMP + c] < sigmoid(cmp_b[c] + cmp_r[c] * x[R] + cmp_i[c] * li);
    v[C_CMP3 + c] = a;
    accepted += a;
  }
  v[C_COMPLAIN] = u[U_COMPLAIN] < 0.0094;
  v[C_ZCOST] = 3;
  v[C_ZREV] = 11;
  double resp = -2.4 + 0.9 * x[R] + 1.1 * accepted - 0.022 * (v[C_RECENCY] - 49.0) + 0.3 * li;
  v[C_RESPONSE] = u[U_RESPONSE] < sigmoid(resp);
}

int kseg_generate_table_alloc(int64_t n_global, int64_t row0, int64_t n_local, kseg_table *t)
{
  memset(t, 0, sizeof *t);
  t->n_global = n_global;
  t->row0 = row0;
  t->n_local = n_local;
  t->cols = kseg_calloc(KSEG_GENERATE_NCOLS, sizeof(kseg_column), "generated table");
  if (!t->cols) return KSEG_ERR_IO;
  t->n_cols = KSEG_GENERATE_NCOLS;
  size_t n = (size_t)(n_local > 0 ? n_local : 1);
  for (int c = 0; c < KSEG_GENERATE_NCOLS; c++) {
    kseg_column *col = &t->cols[c];
    col->kind = kseg_generate_column_kind(c);
    if (!(col->name = kseg_strings_dup(kseg_generate_columns[c]))) goto fail;
    if (col->kind == KSEG_COL_CATEGORICAL) {
      const char *const *lv = c == C_EDU ? edu_levels : marital_levels;
      int nl = c == C_EDU ? N_EDU : N_MARITAL;
      col->codes = kseg_malloc(n * sizeof(int32_t), "generated column");
      col->levels = kseg_calloc((size_t)nl, sizeof(char *), "levels");
      if (!col->codes || !col->levels) goto fail;
      col->n_levels = nl;
      for (int i = 0; i < nl; i++)
        if (!(col->levels[i] = kseg_strings_dup(lv[i]))) goto fail;
    } else {
      col->num = kseg_malloc(n * sizeof(double), "generated column");
      if (!col->num) goto fail;
    }
  }
  return KSEG_OK;
fail:
  kseg_table_clear(t);
  return KSEG_ERR_IO;
}

int kseg_generate_fill(const kseg_generate_opts *o, kseg_table *t, int32_t *segment)
{
  KSEG_CHECK(kseg_generate_check(o));
  if (t->n_cols != KSEG_GENERATE_NCOLS)
    return kseg_error_set(KSEG_ERR_INPUT, "kseg_generate_fill needs a table from kseg_generate_table_alloc");
  model *m = kseg_malloc(sizeof *m, "generator model");
  if (!m) return KSEG_ERR_IO;
  model_init(m, o);
  kseg_column *cols = t->cols;
  const int64_t n = t->n_local, row0 = t->row0;
#pragma omp parallel for schedule(static)
  for (int64_t i = 0; i < n; i++) {
    double v[KSEG_GENERATE_NCOLS];
    int32_t edu, marital;
    gen_row(m, row0 + i, v, &edu, &marital, &segment[i]);
    for (int c = 0; c < KSEG_GENERATE_NCOLS; c++)
      if (cols[c].num) cols[c].num[i] = v[c];
    cols[C_EDU].codes[i] = edu;
    cols[C_MARITAL].codes[i] = marital;
  }
  free(m);
  return KSEG_OK;
}

/* Local counts for the summary, summed over rounds and then over ranks. */
static void count_rows(const kseg_table *t, const int32_t *segment, int k, int64_t *counts)
{
  const double *income = t->cols[C_INCOME].num, *response = t->cols[C_RESPONSE].num;
  for (int64_t i = 0; i < t->n_local; i++) {
    counts[segment[i]]++;
    counts[k] += isnan(income[i]);
    counts[k + 1] += response[i] == 1.0;
  }
}

/* The layout (every dataset at full length, attributes) with no rows yet;
 * the rounds fill it, so a rank never holds its whole block at once. */
static int write_layout(MPI_Comm comm, kseg_h5_writer *w, const kseg_generate_opts *o)
{
  kseg_table layout;
  int st = kseg_comm_agree(comm, kseg_generate_table_alloc(o->rows, 0, 0, &layout));
  if (st) return st;
  st = kseg_h5_create_table(w, &layout);
  kseg_table_clear(&layout);
  if (!st) st = kseg_h5_create_rows(w, "/truth/segment", KSEG_I32, o->rows, 0);
  if (!st) {
    double weights[KSEG_GENERATE_MAX_SEGMENTS];
    kseg_generate_weights(o->segments, weights);
    int64_t dims[1] = {o->segments};
    st = kseg_h5_write_small(w, "/truth/weights", KSEG_F64, 1, dims, weights);
  }
  if (!st) st = kseg_h5_attr_str(w, "/", "generator", "kseg generate");
  if (!st) st = kseg_h5_attr_i64(w, "/", "seed", o->seed);
  if (!st) st = kseg_h5_attr_i64(w, "/", "segments", o->segments);
  return st;
}

int kseg_generate_write(MPI_Comm comm, const char *path, const kseg_generate_opts *o,
                        kseg_generate_summary *summary)
{
  double t0 = kseg_now(), t_gen = 0, t_write = 0;
  /* Options are the same on every rank, so a bad one fails everywhere alike. */
  KSEG_CHECK(kseg_generate_check(o));
  const int nranks = kseg_comm_size(comm), k = o->segments;
  kseg_h5_writer *w = NULL;
  KSEG_CHECK(kseg_h5_create(comm, path, &w));
  int st = write_layout(comm, w, o);

  int64_t row0, n_local;
  kseg_partition(o->rows, nranks, kseg_comm_rank(comm), &row0, &n_local);
  /* Every rank runs the same number of rounds (collective writes): enough
   * for the largest block, ceil(N / P) rows. */
  const int64_t per_round = o->round_rows > 0 ? o->round_rows : KSEG_GENERATE_ROUND_ROWS;
  const int64_t max_local = (o->rows + nranks - 1) / nranks;
  const int64_t rounds = (max_local + per_round - 1) / per_round;
  const int64_t cap = n_local < per_round ? n_local : per_round;
  kseg_table t = {0};
  int32_t *segment = NULL;
  int64_t counts[KSEG_GENERATE_MAX_SEGMENTS + 2] = {0};
  if (!st) {
    st = kseg_generate_table_alloc(o->rows, row0, cap, &t);
    if (!st && !(segment = kseg_malloc((size_t)(cap > 0 ? cap : 1) * sizeof(int32_t), "segments")))
      st = KSEG_ERR_IO;
    st = kseg_comm_agree(comm, st);
  }
  for (int64_t r = 0; r < rounds && !st; r++) {
    double t1 = kseg_now();
    int64_t first = r * per_round;
    t.row0 = row0 + first;
    t.n_local = first >= n_local ? 0 : (n_local - first < per_round ? n_local - first : per_round);
    st = kseg_generate_fill(o, &t, segment);
    if (!st) count_rows(&t, segment, k, counts);
    if (!st) st = kseg_comm_fault(comm, "generate");
    double t2 = kseg_now();
    t_gen += t2 - t1;
    st = kseg_comm_agree(comm, st);
    /* Every rank makes the same calls, so a failed write is agreed once per round. */
    if (!st) st = kseg_h5_write_table_rows(w, &t);
    if (!st) st = kseg_h5_write_rows_at(w, "/truth/segment", KSEG_I32, t.row0, t.n_local, segment);
    t_write += kseg_now() - t2;
  }
  kseg_table_clear(&t);
  free(segment);
  double t3 = kseg_now();
  st = kseg_h5_finish(&w, st);
  t_write += kseg_now() - t3;
  if (st) return st;

  KSEG_CHECK(kseg_comm_agree(comm, kseg_comm_sum_i64(comm, counts, k + 2)));
  double times[3] = {kseg_now() - t0, t_gen, t_write};
  KSEG_CHECK(kseg_comm_agree(comm, kseg_comm_max_f64(comm, times, 3)));
  if (summary) {
    memset(summary, 0, sizeof *summary);
    summary->rows = o->rows;
    summary->segments = k;
    summary->rounds = rounds;
    memcpy(summary->segment_rows, counts, sizeof(int64_t) * (size_t)k);
    summary->income_missing = counts[k];
    summary->responders = counts[k + 1];
    summary->seconds = times[0];
    summary->generate_seconds = times[1];
    summary->write_seconds = times[2];
  }
  return KSEG_OK;
}
