/* labels.c - what a labelling says by itself: how many segments it names
 * and how many rows each holds (kseg_metrics.h). */
#include <string.h>

#include "kseg/kseg_comm.h"
#include "kseg/kseg_error.h"
#include "kseg/kseg_metrics.h"

int kseg_metrics_label_k(MPI_Comm comm, const int32_t *labels, int64_t n_local, int64_t row0, int64_t *k)
{
  int st = KSEG_OK;
  int64_t top = 0;
  for (int64_t i = 0; i < n_local; i++) {
    if (labels[i] < 0) {
      st = kseg_error_set(KSEG_ERR_INPUT, "label %d of row %lld is negative", labels[i], (long long)(row0 + i));
      break;
    }
    if (labels[i] + 1 > top) top = labels[i] + 1;
  }
  KSEG_CHECK(kseg_comm_agree(comm, st)); /* every rank, the failing one included */
  KSEG_CHECK(kseg_comm_agree(comm, kseg_comm_max_i64(comm, &top, 1)));
  *k = top;
  return KSEG_OK;
}

int kseg_metrics_label_counts(MPI_Comm comm, const int32_t *labels, int64_t n_local, int k, int64_t *count)
{
  memset(count, 0, sizeof *count * (size_t)k);
  for (int64_t i = 0; i < n_local; i++) count[labels[i]]++;
  return kseg_comm_agree(comm, kseg_comm_sum_i64(comm, count, k));
}
