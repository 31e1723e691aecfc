/* types.c - freeing and looking up the plain data of kseg_types.h. */
#include "kseg/kseg_types.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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

int kseg_table_find_nocase(const kseg_table *t, const char *name)
{
  int c = kseg_table_find(t, name);
  for (int i = 0; c < 0 && i < t->n_cols; i++)
    if (strcasecmp(t->cols[i].name, name) == 0) c = i;
  return c;
}

size_t kseg_column_text(const kseg_column *c, int64_t i, char *buf, size_t len)
{
  switch (c->kind) {
  case KSEG_COL_STRING: {
    const char *s = c->str + (size_t)i * (size_t)c->str_width;
    size_t n = strnlen(s, (size_t)c->str_width);
    if (n >= len) n = len - 1;
    memcpy(buf, s, n);
    buf[n] = '\0';
    return n;
  }
  case KSEG_COL_CATEGORICAL: {
    const int32_t code = c->codes[i];
    snprintf(buf, len, "%s", code >= 0 && code < c->n_levels ? c->levels[code] : "");
    return strlen(buf);
  }
  default: {
    const double v = c->num[i];
    if (isnan(v)) buf[0] = '\0';
    else if (v == rint(v) && fabs(v) < 1e15) snprintf(buf, len, "%.0f", v);
    else snprintf(buf, len, "%.17g", v);
    return strlen(buf);
  }
  }
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
  free(t->id_column);
  memset(t, 0, sizeof *t);
}
