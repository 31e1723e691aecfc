/* assign.c - rows to their nearest given centroid with the canonical kernel
 * (kseg_kmeans_assign). */
#include <omp.h>
#include <stdlib.h>

#include "kmeans/kernels/kernels.h"
#include "kmeans/rows.h"
#include "kseg/kseg_error.h"

int kseg_kmeans_assign(const kseg_matrix *x, const double *centroids, int64_t k, int32_t *labels, double *dist2)
{
  if (k < 1) return kseg_error_set(KSEG_ERR_INPUT, "k must be at least 1 (got %lld)", (long long)k);
  const kseg_km_ops *ops;
  KSEG_CHECK(kseg_km_ops_for(x, &ops));
  const int64_t d = x->d, kp = (k + KSEG_KM_KB - 1) / KSEG_KM_KB * KSEG_KM_KB;
  void *ct = kseg_calloc((size_t)(d * kp), ops->size, "centroid table");
  double *mind = dist2 ? dist2 : kseg_malloc((size_t)(x->n_local > 0 ? x->n_local : 1) * sizeof(double), "distances");
  if (!ct || !mind) {
    free(ct);
    if (!dist2) free(mind);
    return KSEG_ERR_IO;
  }
  ops->centroid_table(centroids, k, d, kp, ct);
#pragma omp parallel
  {
    int64_t i0, n;
    kseg_partition(x->n_local, omp_get_num_threads(), omp_get_thread_num(), &i0, &n);
    ops->assign_rows(x->data, i0, i0 + n, d, ct, kp, k, labels, mind);
  }
  free(ct);
  if (!dist2) free(mind);
  return KSEG_OK;
}
