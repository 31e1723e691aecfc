/* matrix.c - a fitted preparation applied to a table, as a feature matrix
 * with its column names (what features.h5 holds and the k-means reads). */
#include <stdlib.h>
#include <string.h>

#include "kseg/kseg_comm.h"
#include "kseg/kseg_error.h"
#include "kseg/kseg_prep.h"

int kseg_prep_apply_matrix(MPI_Comm comm, const kseg_prep_model *m, const kseg_table *raw, kseg_matrix *out)
{
  const int W = kseg_prep_width(m);
  *out = (kseg_matrix){.n_global = raw->n_global, .row0 = raw->row0, .n_local = raw->n_local, .d = W,
                       .dtype = KSEG_F64};
  out->data = kseg_malloc(sizeof(double) * (size_t)(raw->n_local > 0 ? raw->n_local : 1) * (size_t)W, "feature matrix");
  out->columns = kseg_calloc((size_t)W, sizeof *out->columns, "column names");
  int st = out->data && out->columns ? KSEG_OK : KSEG_ERR_IO;
  for (int j = 0; !st && j < W; j++) {
    char buf[16];
    if (!(out->columns[j] = strdup(kseg_prep_output_name(m, j, buf, sizeof buf)))) st = kseg_error_nomem("column name", 16);
  }
  if (!st) st = kseg_prep_apply(m, raw, out->data);
  st = kseg_comm_agree(comm, st);
  if (st) kseg_matrix_clear(out);
  return st;
}
