/* rows.c - the helpers the rest of k-means builds on: max |x|, rows fetched
 * across ranks, the exact inertia, the fixed-point scale of distances. */
#include "kmeans/rows.h"

#include <limits.h>
#include <omp.h>
#include <string.h>

#include "kmeans/kernels/kernels.h"
#include "kseg/kseg_error.h"

int kseg_km_ops_for(const kseg_matrix *x, const kseg_km_ops **ops)
{
  *ops = kseg_km_ops_of(x->dtype);
  return *ops ? KSEG_OK : kseg_error_set(KSEG_ERR_INPUT, "k-means needs a float64 or float32 matrix");
}

kseg_fixed kseg_km_dist_fixed(int64_t d, double max_abs)
{
  return kseg_fixed_for_bound((double)d * (2 * max_abs) * (2 * max_abs));
}

int kseg_km_max_abs(MPI_Comm comm, const kseg_matrix *x, double *max_abs)
{
  const kseg_km_ops *ops;
  KSEG_CHECK(kseg_km_ops_for(x, &ops)); /* the same dtype on every rank: agreed */
  double m = ops->max_abs(x->data, x->n_local * x->d);
  KSEG_CHECK(kseg_comm_max_f64(comm, &m, 1));
  *max_abs = m;
  return KSEG_OK;
}

int kseg_km_fetch_rows(MPI_Comm comm, const kseg_matrix *x, const int64_t *idx, int64_t m, double *out)
{
  const kseg_km_ops *ops;
  KSEG_CHECK(kseg_km_ops_for(x, &ops)); /* the same dtype on every rank: agreed */
  const int64_t d = x->d;
  memset(out, 0, (size_t)(m * d) * sizeof(double));
  for (int64_t t = 0; t < m; t++) {
    const int64_t i = idx[t] - x->row0;
    if (i < 0 || i >= x->n_local) continue;
    ops->row_double(x->data, i, d, out + t * d);
  }
  unsigned char *p = (unsigned char *)out;
  const int64_t bytes = m * d * (int64_t)sizeof(double);
  for (int64_t done = 0; done < bytes; done += INT_MAX / 2) {
    const int64_t n = bytes - done < INT_MAX / 2 ? bytes - done : INT_MAX / 2;
    KSEG_CHECK(kseg_comm_check(MPI_Allreduce(MPI_IN_PLACE, p + done, (int)n, MPI_BYTE, MPI_BOR, comm),
                               "allreduce (fetch rows)"));
  }
  return KSEG_OK;
}

int kseg_kmeans_inertia(MPI_Comm comm, const kseg_matrix *x, const double *centroids, int64_t k,
                        const int32_t *labels, double *inertia)
{
  double max_abs = 0;
  KSEG_CHECK(kseg_km_max_abs(comm, x, &max_abs));
  return kseg_km_inertia(comm, x, max_abs, centroids, k, labels, inertia);
}

int kseg_km_inertia(MPI_Comm comm, const kseg_matrix *x, double max_abs, const double *centroids, int64_t k,
                    const int32_t *labels, double *inertia)
{
  return kseg_km_inertia_runs(comm, x, max_abs, 1, &centroids, k, &labels, inertia);
}

/* Rows per block of kseg_km_inertia_runs: small enough that the runs after
 * the first read the block from cache. */
enum { KM_INERTIA_BLOCK = 512 };

int kseg_km_inertia_runs(MPI_Comm comm, const kseg_matrix *x, double max_abs, int R, const double *const *centroids,
                         int64_t k, const int32_t *const *labels, double *inertia)
{
  if (R < 1 || R > KSEG_KM_RUNS) return kseg_comm_agree(comm, kseg_error_set(KSEG_ERR_INPUT, "%d runs", R));
  const kseg_km_ops *ops;
  KSEG_CHECK(kseg_km_ops_for(x, &ops)); /* the same dtype on every rank: agreed */
  const int64_t d = x->d;
  kseg_fixed fd[KSEG_KM_RUNS];
  int64_t bad = 0;
  for (int r = 0; r < R; r++) {
    const double cmax = kseg_km_max_abs_of(centroids[r], k * d);
    const double reach = max_abs + cmax;
    fd[r] = kseg_fixed_for_bound((double)d * reach * reach);
    for (int64_t i = 0; i < x->n_local; i++) bad += labels[r][i] < 0 || labels[r][i] >= k;
  }
  int st = bad ? kseg_error_set(KSEG_ERR_INPUT, "%lld labels outside [0, %lld)", (long long)bad, (long long)k)
               : KSEG_OK;
  KSEG_CHECK(kseg_comm_agree(comm, st));
  kseg_i128 sum[KSEG_KM_RUNS] = {0};
#pragma omp parallel
  {
    int64_t i0, n;
    kseg_partition(x->n_local, omp_get_num_threads(), omp_get_thread_num(), &i0, &n);
    kseg_i128 part[KSEG_KM_RUNS] = {0};
    for (int64_t b = i0; b < i0 + n; b += KM_INERTIA_BLOCK) {
      const int64_t e = b + KM_INERTIA_BLOCK < i0 + n ? b + KM_INERTIA_BLOCK : i0 + n;
      for (int r = 0; r < R; r++) part[r] += ops->inertia_rows(x->data, b, e, d, centroids[r], labels[r], fd[r].scale);
    }
#pragma omp critical(kseg_kmeans_inertia)
    for (int r = 0; r < R; r++) sum[r] += part[r]; /* exact: the order of the threads does not matter */
  }
  KSEG_CHECK(kseg_comm_sum_i128(comm, sum, R));
  for (int r = 0; r < R; r++) inertia[r] = kseg_fixed_to_double(&fd[r], sum[r]);
  return KSEG_OK;
}
