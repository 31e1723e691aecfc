/* result.c - the sweep result's storage, shared by the driver (sweep.c) and
 * the file that holds it (io.c). Local. */
#include "kseg/kseg_sweep.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kseg/kseg_error.h"

void kseg_sweep_result_clear(kseg_sweep_result *r)
{
  if (!r) return;
  for (int64_t i = 0; r->rows && i < r->n_k; i++) free(r->rows[i].centroids);
  free(r->rows);
  for (int i = 0; i < r->n_extra; i++) free(r->extra[i].values);
  memset(r, 0, sizeof *r);
}

double *kseg_sweep_add_extra(kseg_sweep_result *r, const char *name)
{
  if (r->n_extra >= KSEG_SWEEP_MAX_EXTRA) {
    kseg_error_set(KSEG_ERR_IO, "more than %d extra sweep columns", KSEG_SWEEP_MAX_EXTRA);
    return NULL;
  }
  double *v = kseg_malloc(sizeof(double) * (size_t)(r->n_k > 0 ? r->n_k : 1), "sweep column");
  if (!v) return NULL;
  for (int64_t i = 0; i < r->n_k; i++) v[i] = NAN;
  kseg_sweep_extra *e = &r->extra[r->n_extra++];
  snprintf(e->name, sizeof e->name, "%s", name);
  e->values = v;
  return v;
}
