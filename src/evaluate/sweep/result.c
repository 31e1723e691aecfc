/* result.c - the sweep result's storage, shared by the driver (sweep.c) and
 * the file that holds it (io.c). Local. */
#include "kseg/kseg_sweep.h"

#include <stdlib.h>
#include <string.h>

void kseg_sweep_result_clear(kseg_sweep_result *r)
{
  if (!r) return;
  for (int64_t i = 0; r->rows && i < r->n_k; i++) free(r->rows[i].centroids);
  free(r->rows);
  memset(r, 0, sizeof *r);
}
