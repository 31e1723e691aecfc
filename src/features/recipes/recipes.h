/* recipes.h - the recipes of kseg prep that live beside it (not installed). */
#ifndef KSEG_FEATURES_RECIPES_H
#define KSEG_FEATURES_RECIPES_H

#include <mpi.h>

#include "kseg/kseg_prep.h"
#include "kseg/kseg_types.h"

/* Features of a kseg rfm table for clustering: recency_days, frequency,
 * purchase_days, monetary_total, monetary_mean, tenure_days (checked present
 * and numeric: KSEG_ERR_INPUT naming the column), added with prep's
 * `add_columns`. When *log1p is NULL (no --log1p) it is set to the recipe's
 * list: frequency, purchase_days and, when no customer's net total is
 * negative, monetary_total and monetary_mean. Collective; status agreed. */
int kseg_rfm_recipe(MPI_Comm comm, const kseg_table *raw, struct kseg_prep_model *m, const char **log1p,
                    int (*add_columns)(const kseg_table *raw, struct kseg_prep_model *m, char **names, int n));

#endif
