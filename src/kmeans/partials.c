/* partials.c - the exact per-cluster sums every k-means kernel keeps:
 * per-thread split partials of one pass, the one allreduce per iteration,
 * and the running totals the reduced changes correct. */
#include "kmeans/partials.h"

#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "kmeans/relocate.h"
#include "kseg/kseg_error.h"

void kseg_km_partials_clear(kseg_km_partials *p)
{
  if (!p) return;
  free(p->tsums);
  free(p->thi);
  free(p->tlo);
  free(p->tcounts);
  free(p->tchanged);
  free(p->tinert);
  free(p->packed);
  free(p->sums);
  memset(p, 0, sizeof *p);
}

int kseg_km_partials_alloc(kseg_km_partials *p, int64_t k, int64_t d)
{
  memset(p, 0, sizeof *p);
  p->nt = omp_get_max_threads();
  p->k = k;
  p->kd = k * d;
  const int64_t kd = p->kd, nt = p->nt;
  if (!(p->tsums = kseg_malloc((size_t)(nt * kd) * sizeof(kseg_i128), "k-means thread sums")) ||
      !(p->thi = kseg_malloc((size_t)(nt * kd) * sizeof(int64_t), "k-means thread sums")) ||
      !(p->tlo = kseg_malloc((size_t)(nt * kd) * sizeof(uint64_t), "k-means thread sums")) ||
      !(p->tcounts = kseg_malloc((size_t)(nt * k) * sizeof(int64_t), "k-means thread counts")) ||
      !(p->tchanged = kseg_malloc((size_t)nt * sizeof(int64_t), "k-means thread counts")) ||
      !(p->tinert = kseg_malloc((size_t)nt * sizeof(kseg_i128), "k-means thread inertia")) ||
      !(p->packed = kseg_malloc((size_t)(kd + k + 2) * sizeof(kseg_i128), "k-means sums")) ||
      !(p->sums = kseg_calloc((size_t)(kd + k), sizeof(kseg_i128), "k-means sums"))) {
    kseg_km_partials_clear(p);
    return KSEG_ERR_IO;
  }
  return KSEG_OK;
}

void kseg_km_partials_zero(kseg_km_partials *p)
{
  memset(p->tsums, 0, (size_t)(p->nt * p->kd) * sizeof(kseg_i128));
  memset(p->tcounts, 0, (size_t)(p->nt * p->k) * sizeof(int64_t));
  memset(p->tchanged, 0, (size_t)p->nt * sizeof(int64_t));
  memset(p->tinert, 0, (size_t)p->nt * sizeof(kseg_i128));
}

void kseg_km_partials_slice_begin(kseg_km_partials *p, int t)
{
  memset(p->thi + t * p->kd, 0, (size_t)p->kd * sizeof(int64_t));
  memset(p->tlo + t * p->kd, 0, (size_t)p->kd * sizeof(uint64_t));
}

void kseg_km_partials_slice_end(kseg_km_partials *p, int t)
{
  const int64_t kd = p->kd;
  const int64_t *hi = p->thi + t * kd;
  const uint64_t *lo = p->tlo + t * kd;
  kseg_i128 *s = p->tsums + t * kd;
  /* lo may have wrapped below zero through subtractions: read it signed. */
  for (int64_t i = 0; i < kd; i++) s[i] += (kseg_i128)hi[i] * ((kseg_i128)1 << 32) + (kseg_i128)(int64_t)lo[i];
}

int kseg_km_partials_reduce(MPI_Comm comm, const kseg_km_data *data, kseg_km_partials *p, const double *cold,
                            const int32_t *labels, int64_t *changed, double *allreduce_seconds)
{
  const int64_t k = p->k, kd = p->kd;
  kseg_i128 *q = p->packed;
  /* Integer sums: the thread order cannot change the result. */
  memset(q, 0, (size_t)(kd + k + 2) * sizeof(kseg_i128));
  for (int t = 0; t < p->nt; t++) {
    for (int64_t i = 0; i < kd; i++) q[i] += p->tsums[t * kd + i];
    for (int64_t c = 0; c < k; c++) q[kd + c] += p->tcounts[t * k + c];
    q[kd + k] += p->tinert[t];
    q[kd + k + 1] += p->tchanged[t];
  }
  /* The iteration's only collective when no cluster is empty. Its wait
   * includes the slowest rank's lag, which is what the scaling benchmark
   * reads as communication share. */
  const double ta = kseg_now();
  int st = kseg_comm_sum_i128(comm, q, kd + k + 2);
  *allreduce_seconds += kseg_now() - ta;
  if (st != KSEG_OK) return kseg_comm_agree(comm, st);
  *changed = (int64_t)q[kd + k + 1];
  for (int64_t i = 0; i < kd + k; i++) p->sums[i] += q[i];
  /* From here on packed holds the sums and counts of all rows; an empty
   * cluster is relocated on this copy, as Lloyd recomputes its sums from the
   * labels each iteration. */
  memcpy(q, p->sums, (size_t)(kd + k) * sizeof(kseg_i128));
  bool any_empty = false;
  for (int64_t c = 0; c < k; c++) any_empty |= q[kd + c] == 0;
  if (any_empty) return kseg_km_relocate_empty(comm, data, k, cold, labels, q); /* the same on every rank */
  return KSEG_OK;
}
