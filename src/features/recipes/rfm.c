/* features/recipes/rfm.c - the `rfm` recipe of kseg prep: the features of a kseg rfm table,
 * log1p of counts and money, then prep's own imputation and scaling
 * (standard by default). */
#include <math.h>
#include <stddef.h>

#include "kseg/kseg_comm.h"
#include "kseg/kseg_error.h"
#include "features/recipes/recipes.h"

static const char *const features[] = {"recency_days", "frequency", "purchase_days", "monetary_total",
                                       "monetary_mean", "tenure_days"};
enum { N_FEATURES = (int)(sizeof features / sizeof features[0]) };

/* Counts are never negative; money is net of returns and can be: log1p of it
 * only when every customer's total is >= 0 (prep refuses log1p of negatives). */
static const char log1p_all[] = "frequency,purchase_days,monetary_total,monetary_mean";
static const char log1p_counts[] = "frequency,purchase_days";

int kseg_recipe_rfm(MPI_Comm comm, const kseg_table *raw, kseg_prep_model *m, const char **log1p)
{
  int st = KSEG_OK;
  for (int i = 0; i < N_FEATURES && !st; i++) {
    int c = kseg_table_find(raw, features[i]);
    if (c < 0)
      st = kseg_error_set(KSEG_ERR_INPUT, "recipe rfm needs column '%s' (a table from kseg rfm), which the table lacks",
                          features[i]);
    else if (raw->cols[c].kind != KSEG_COL_NUMERIC)
      st = kseg_error_set(KSEG_ERR_INPUT, "recipe rfm: column '%s' is %s, expected numeric", features[i],
                          kseg_col_kind_name(raw->cols[c].kind));
  }
  KSEG_CHECK(kseg_comm_agree(comm, st));
  const double *money = raw->cols[kseg_table_find(raw, "monetary_total")].num;
  double lo = INFINITY;
  for (int64_t i = 0; i < raw->n_local; i++)
    if (money[i] < lo) lo = money[i];
  KSEG_CHECK(kseg_comm_agree(comm, kseg_comm_min_f64(comm, &lo, 1)));
  if (!*log1p) *log1p = lo >= 0.0 ? log1p_all : log1p_counts;
  return kseg_comm_agree(comm, kseg_prep_add_columns(raw, m, (char **)features, N_FEATURES));
}
