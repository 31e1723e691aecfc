/* facts.c - what a fit needs to know about the matrix alone: every value
 * finite, max |x|, the mean column variance (scikit-learn's tolerance). */
#include "kmeans/facts.h"

#include <stdlib.h>
#include <string.h>

#include "kmeans/kernels/kernels.h"
#include "kmeans/rows.h"
#include "kseg/kseg_error.h"

int kseg_kmeans_check_finite(MPI_Comm comm, const kseg_matrix *x)
{
  const kseg_km_ops *ops;
  KSEG_CHECK(kseg_km_ops_for(x, &ops)); /* the same dtype on every rank: agreed */
  const int64_t d = x->d;
  double value = 0;
  const int64_t local = x->n_local > 0 && d > 0 ? ops->first_nonfinite(x->data, x->n_local, d, &value) : -1;
  int64_t first = local < 0 ? INT64_MAX : x->row0 * d + local; /* flattened global index row * d + column */
  int64_t global = first;
  KSEG_CHECK(kseg_comm_min_i64(comm, &global, 1));
  if (global == INT64_MAX) return KSEG_OK;
  const int64_t row = global / d, col = global % d;
  /* Only the owner knows whether it is NaN or an infinity. */
  int64_t kind = 0;
  if (first == global) kind = isnan(value) ? 1 : (value > 0 ? 2 : 3);
  KSEG_CHECK(kseg_comm_max_i64(comm, &kind, 1));
  const char *what = kind == 1 ? "NaN" : (kind == 2 ? "+Inf" : "-Inf");
  if (x->columns && x->columns[col])
    return kseg_error_set(KSEG_ERR_INPUT, "%s at row %lld, column %lld ('%s') (counted from 0); k-means needs finite values",
                          what, (long long)row, (long long)col, x->columns[col]);
  return kseg_error_set(KSEG_ERR_INPUT, "%s at row %lld, column %lld (counted from 0); k-means needs finite values",
                        what, (long long)row, (long long)col);
}

/* The mean over columns of the population variance (scikit-learn's
 * _tolerance divided by tol). Two passes (mean, then squared deviations),
 * both exact fixed-point sums, so every rank gets the same bits. */
static int mean_variance(MPI_Comm comm, const kseg_matrix *x, const kseg_km_ops *ops, double max_abs, double *out)
{
  *out = 0;
  if (x->n_global == 0) return KSEG_OK;
  const int64_t d = x->d;
  const kseg_fixed fx = kseg_fixed_for_bound(max_abs);
  kseg_i128 *s = kseg_calloc((size_t)d, sizeof *s, "column sums");
  double *mean = kseg_malloc((size_t)d * sizeof *mean, "column means");
  int st = (s && mean) ? KSEG_OK : KSEG_ERR_IO;
  KSEG_CHECK_GOTO(kseg_comm_agree(comm, st), st, done);
  ops->column_sums(x->data, x->n_local, d, fx.scale, NULL, s);
  KSEG_CHECK_GOTO(kseg_comm_sum_i128(comm, s, d), st, done);
  for (int64_t j = 0; j < d; j++) mean[j] = kseg_fixed_to_double(&fx, s[j]) / (double)x->n_global;
  const kseg_fixed fv = kseg_fixed_for_bound(4 * max_abs * max_abs);
  memset(s, 0, (size_t)d * sizeof *s);
  ops->column_sums(x->data, x->n_local, d, fv.scale, mean, s);
  KSEG_CHECK_GOTO(kseg_comm_sum_i128(comm, s, d), st, done);
  double var = 0;
  for (int64_t j = 0; j < d; j++) var += kseg_fixed_to_double(&fv, s[j]) / (double)x->n_global;
  *out = var / (double)d;
done:
  free(s);
  free(mean);
  return kseg_comm_agree(comm, st);
}

int kseg_km_facts(MPI_Comm comm, const kseg_matrix *x, bool variance, kseg_kmeans_facts *facts)
{
  memset(facts, 0, sizeof *facts);
  const kseg_km_ops *ops;
  KSEG_CHECK(kseg_km_ops_for(x, &ops)); /* the same dtype on every rank: agreed */
  KSEG_CHECK(kseg_comm_agree(comm, kseg_kmeans_check_finite(comm, x)));
  KSEG_CHECK(kseg_comm_agree(comm, kseg_km_max_abs(comm, x, &facts->max_abs)));
  return variance ? mean_variance(comm, x, ops, facts->max_abs, &facts->mean_var) : KSEG_OK;
}

int kseg_kmeans_facts_compute(MPI_Comm comm, const kseg_matrix *x, kseg_kmeans_facts *facts)
{
  return kseg_km_facts(comm, x, true, facts);
}
