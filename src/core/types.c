/* types.c - freeing and looking up the plain data of kseg_types.h. */
#include "kseg/kseg_types.h"

#include <stdlib.h>
#include <string.h>

#include "kseg/kseg_strings.h"

size_t kseg_dtype_size(kseg_dtype t)
{
  switch (t) {
  case KSEG_F64: return 8;
  case KSEG_F32: return 4;
  case KSEG_I32: return 4;
  case KSEG_I64: return 8;
  }
  return 0;
}

const char *kseg_col_kind_name(kseg_col_kind k)
{
  switch (k) {
  case KSEG_COL_NUMERIC: return "numeric";
  case KSEG_COL_DATE: return "date";
  case KSEG_COL_CATEGORICAL: return "categorical";
  case KSEG_COL_STRING: return "string";
  }
  return "numeric";
}

void kseg_matrix_clear(kseg_matrix *m)
{
  if (!m) return;
  free(m->data);
  kseg_strings_free(&m->columns, m->d);
  memset(m, 0, sizeof *m);
}

int kseg_table_find(const kseg_table *t, const char *name)
{
  for (int i = 0; i < t->n_cols; i++)
    if (strcmp(t->cols[i].name, name) == 0) return i;
  return -1;
}

void kseg_table_clear(kseg_table *t)
{
  if (!t) return;
  for (int i = 0; i < t->n_cols; i++) {
    kseg_column *c = &t->cols[i];
    free(c->name);
    free(c->num);
    free(c->codes);
    kseg_strings_free(&c->levels, c->n_levels);
    free(c->str);
  }
  free(t->cols);
  memset(t, 0, sizeof *t);
}
