/* marketing.c - the `marketing` recipe of kseg prep, for the Customer
 * Personality table (marketing_campaign.csv): engineered features whose
 * choices are explained in docs/prep.md. */
#include <math.h>
#include <string.h>

#include "kseg/kseg_comm.h"
#include "kseg/kseg_csv.h"
#include "kseg/kseg_error.h"
#include "features/recipes/recipes.h"

static const char *const needs[] = {
    "Year_Birth",       "Education",        "Marital_Status",    "Income",          "Kidhome",
    "Teenhome",         "Dt_Customer",      "Recency",           "MntWines",        "MntFruits",
    "MntMeatProducts",  "MntFishProducts",  "MntSweetProducts",  "MntGoldProds",    "NumDealsPurchases",
    "NumWebPurchases",  "NumCatalogPurchases", "NumStorePurchases", "NumWebVisitsMonth", "AcceptedCmp1",
    "AcceptedCmp2",     "AcceptedCmp3",     "AcceptedCmp4",      "AcceptedCmp5"};
#define N_NEEDS ((int)(sizeof needs / sizeof needs[0]))

static const char *const log1p_default[] = {"MntWines",        "MntFruits",    "MntMeatProducts", "MntFishProducts",
                                            "MntSweetProducts", "MntGoldProds", "Total_Spent"};
#define N_LOG1P ((int)(sizeof log1p_default / sizeof log1p_default[0]))

int kseg_recipe_marketing_fits(const kseg_table *raw) { return kseg_prep_has_columns(raw, needs, N_NEEDS, NULL); }

static int column_kind_ok(const kseg_table *raw, const char *name, int want_categorical)
{
  int c = kseg_table_find(raw, name);
  if (c < 0) return kseg_error_set(KSEG_ERR_INPUT, "recipe marketing needs column '%s', which the table lacks", name);
  kseg_col_kind k = raw->cols[c].kind;
  int ok = want_categorical ? k == KSEG_COL_CATEGORICAL : (k == KSEG_COL_NUMERIC || k == KSEG_COL_DATE);
  if (!ok)
    return kseg_error_set(KSEG_ERR_INPUT, "recipe marketing: column '%s' is %s, expected %s", name,
                          kseg_col_kind_name(k), want_categorical ? "categorical" : "numeric");
  return KSEG_OK;
}

int kseg_recipe_marketing(MPI_Comm comm, const kseg_table *raw, kseg_prep_model *m, kseg_recipe_names *log1p)
{
  int st = KSEG_OK;
  for (int i = 0; i < N_NEEDS && !st; i++) {
    int cat = strcmp(needs[i], "Education") == 0 || strcmp(needs[i], "Marital_Status") == 0;
    st = column_kind_ok(raw, needs[i], cat);
  }
  KSEG_CHECK(kseg_comm_agree(comm, st));
  /* The reference day is the latest enrolment: ages and tenures are "as of
   * the snapshot", independent of when kseg runs. */
  const double *dt = raw->cols[kseg_table_find(raw, "Dt_Customer")].num;
  double ref = -INFINITY;
  for (int64_t i = 0; i < raw->n_local; i++)
    if (!isnan(dt[i]) && dt[i] > ref) ref = dt[i];
  KSEG_CHECK(kseg_comm_agree(comm, kseg_comm_max_f64(comm, &ref, 1)));
  if (!isfinite(ref))
    return kseg_comm_agree(comm, kseg_error_set(KSEG_ERR_INPUT, "recipe marketing: column 'Dt_Customer' has no dates"));
  int year, month, day;
  kseg_csv_civil_from_days((int64_t)floor(ref), &year, &month, &day);
  double ref_year = (double)year;

  /* From here on every step is Local and the same on every rank. */
  /* Age over 100 at the reference date (Year_Birth 1893, 1899, 1900 in the
   * Kaggle data) is taken for a typing error: missing, then imputed. */
  st = kseg_prep_add_feature(m, "Age", ref_year) < 0 ? KSEG_ERR_IO : KSEG_OK;
  kseg_prep_term *t = st ? NULL : kseg_prep_add_term(m, m->n_features - 1, "Year_Birth", -1.0);
  if (!t) return kseg_comm_agree(comm, KSEG_ERR_IO);
  t->lo = ref_year - 100.0;
  t->hi = ref_year;

  static const char *const edu_levels[] = {"Basic", "2n Cycle", "Graduation", "Master", "PhD"};
  static const double edu_values[] = {0, 1, 2, 3, 4};
  static const char *const partner_levels[] = {"Married", "Together"};
  static const double partner_values[] = {1, 1};
  static const char *const children[] = {"Kidhome", "Teenhome"};
  static const char *const mnt[] = {"MntWines", "MntFruits", "MntMeatProducts", "MntFishProducts",
                                    "MntSweetProducts", "MntGoldProds"};
  /* Deal purchases are a subset of the channel purchases, not a channel. */
  static const char *const channels[] = {"NumWebPurchases", "NumCatalogPurchases", "NumStorePurchases"};
  static const char *const accepted[] = {"AcceptedCmp1", "AcceptedCmp2", "AcceptedCmp3", "AcceptedCmp4",
                                         "AcceptedCmp5"};
  st = kseg_prep_add_levelmap(m, "Education", "Education", edu_levels, edu_values, 5, NAN);
  if (!st) st = kseg_prep_add_levelmap(m, "Living_With_Partner", "Marital_Status", partner_levels, partner_values, 2, 0.0);
  if (!st) st = kseg_prep_add_sum(m, "Children", children, 2);
  /* One customer reports 666666: far above the rest (max 162397). */
  if (!st) st = kseg_prep_add_copy(m, "Income", "Income", 0.0, 600000.0);
  if (!st) st = kseg_prep_add_copy(m, "Recency", "Recency", -INFINITY, INFINITY);
  if (!st && kseg_prep_add_feature(m, "Tenure_Days", ref) < 0) st = KSEG_ERR_IO;
  if (!st && !kseg_prep_add_term(m, m->n_features - 1, "Dt_Customer", -1.0)) st = KSEG_ERR_IO;
  if (!st) st = kseg_prep_add_sum(m, "Total_Spent", mnt, 6);
  for (int i = 0; i < 6 && !st; i++) st = kseg_prep_add_copy(m, mnt[i], mnt[i], -INFINITY, INFINITY);
  if (!st) st = kseg_prep_add_sum(m, "Total_Purchases", channels, 3);
  for (int i = 0; i < 3 && !st; i++) st = kseg_prep_add_copy(m, channels[i], channels[i], -INFINITY, INFINITY);
  if (!st) st = kseg_prep_add_copy(m, "NumDealsPurchases", "NumDealsPurchases", -INFINITY, INFINITY);
  if (!st) st = kseg_prep_add_copy(m, "NumWebVisitsMonth", "NumWebVisitsMonth", -INFINITY, INFINITY);
  if (!st) st = kseg_prep_add_sum(m, "Total_Accepted", accepted, 5);
  if (log1p) *log1p = (kseg_recipe_names){log1p_default, N_LOG1P};
  return kseg_comm_agree(comm, st);
}

int kseg_prep_derive_marketing(MPI_Comm comm, const kseg_table *raw, kseg_prep_model **out)
{
  *out = NULL;
  if (!kseg_recipe_marketing_fits(raw)) return KSEG_OK;
  kseg_prep_model *m = kseg_calloc(1, sizeof *m, "prep model");
  int st = kseg_comm_agree(comm, m ? KSEG_OK : KSEG_ERR_IO);
  if (!st) st = kseg_recipe_marketing(comm, raw, m, NULL);
  if (st) kseg_prep_free(&m);
  *out = m;
  return st;
}
