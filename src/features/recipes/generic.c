/* generic.c - the `generic` recipe of kseg prep, for any table: the columns
 * named with --columns, or every numeric column that is not an identifier;
 * and the identifier rule itself. */
#include <math.h>
#include <string.h>
#include <strings.h>

#include "kseg/kseg_comm.h"
#include "kseg/kseg_csv.h"
#include "kseg/kseg_error.h"
#include "kseg/kseg_stats.h"
#include "features/recipes/recipes.h"

static int name_is_identifier(const char *name) { return kseg_csv_is_id_name(name); }

int kseg_prep_is_identifier(MPI_Comm comm, const kseg_table *raw, int c, int *is_id)
{
  const kseg_column *col = &raw->cols[c];
  *is_id = col->kind == KSEG_COL_STRING || name_is_identifier(col->name);
  if (*is_id || col->kind != KSEG_COL_NUMERIC) return KSEG_OK;
  return kseg_stats_distinct_integers(comm, (kseg_stats_col){col->num, 1}, raw->n_local, is_id);
}

/* Every numeric column that is not an identifier; identifiers: string
 * columns (never numeric anyway), the names ID / *_ID, and numeric columns of
 * distinct integers with no missing value. */
static int numeric_columns(MPI_Comm comm, const kseg_table *raw, kseg_prep_model *m)
{
  /* A local failure (out of memory) is kept, not returned, so that every
   * rank still takes part in each column's identifier check. */
  int st = KSEG_OK;
  for (int c = 0; c < raw->n_cols; c++) {
    const kseg_column *col = &raw->cols[c];
    const char *reason = NULL;
    if (col->kind == KSEG_COL_DATE) reason = "date: name it in --columns to use it";
    else if (col->kind == KSEG_COL_STRING || name_is_identifier(col->name)) reason = "identifier";
    else if (col->kind != KSEG_COL_NUMERIC) reason = kseg_col_kind_name(col->kind);
    if (!reason) {
      int distinct = 0, s2 = kseg_stats_distinct_integers(comm, (kseg_stats_col){col->num, 1}, raw->n_local,
                                                            &distinct);
      if (s2) return s2; /* agreed inside */
      if (distinct) reason = "identifier (distinct integers)";
    }
    if (st) continue;
    st = reason ? kseg_prep_note_dropped(m, col->name, reason)
                : kseg_prep_add_copy(m, col->name, col->name, -INFINITY, INFINITY);
  }
  return st;
}

int kseg_recipe_generic(MPI_Comm comm, const kseg_table *raw, kseg_prep_model *m, char **columns, int n)
{
  if (columns) return kseg_comm_agree(comm, kseg_prep_add_columns(raw, m, columns, n));
  return kseg_comm_agree(comm, numeric_columns(comm, raw, m));
}
