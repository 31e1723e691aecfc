/* ccgeneral.c - the `ccgeneral` recipe of kseg prep, for the credit card
 * customers table (CC GENERAL.csv): the generic recipe's numeric columns,
 * with the money columns required and taken log1p of by default (they are
 * heavily right-skewed). */
#include <stddef.h>

#include "kseg/kseg_comm.h"
#include "kseg/kseg_error.h"
#include "features/recipes/recipes.h"

static const char *const money[] = {"BALANCE",     "PURCHASES",    "ONEOFF_PURCHASES",
                                    "INSTALLMENTS_PURCHASES", "CASH_ADVANCE", "CREDIT_LIMIT",
                                    "PAYMENTS",    "MINIMUM_PAYMENTS"};
#define N_MONEY ((int)(sizeof money / sizeof money[0]))

int kseg_recipe_ccgeneral_fits(const kseg_table *raw)
{
  return kseg_table_find(raw, "CUST_ID") >= 0 && kseg_prep_has_columns(raw, money, N_MONEY, NULL);
}

int kseg_recipe_ccgeneral(MPI_Comm comm, const kseg_table *raw, kseg_prep_model *m, kseg_recipe_names *log1p)
{
  const char *miss = NULL;
  int st = KSEG_OK;
  if (!kseg_prep_has_columns(raw, money, N_MONEY, &miss))
    st = kseg_error_set(KSEG_ERR_INPUT, "recipe ccgeneral needs column '%s', which the table lacks", miss);
  KSEG_CHECK(kseg_comm_agree(comm, st));
  KSEG_CHECK(kseg_recipe_generic(comm, raw, m, NULL, 0));
  *log1p = (kseg_recipe_names){money, N_MONEY};
  return KSEG_OK;
}
