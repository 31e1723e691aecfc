/* evaluate/sweep/gap.c - the gap statistic (Tibshirani, Walther, Hastie 2001) with
 * reference sets drawn uniformly in the PCA-aligned bounding box of the data.
 *
 * Every quantity that crosses rows is rank-invariant: means and covariance
 * are exact fixed-point sums, the eigenvectors come from the root, the box is
 * a min/max reduction, and reference row i of set b is a pure function of
 * (seed, b, i). The reference set is regenerated for each (k, b) rather than
 * kept, so memory stays one extra row block. */
#include <cblas.h>
#include <lapacke.h>
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "kseg/kseg_comm.h"
#include "kseg/kseg_error.h"
#include "kseg/kseg_fixed.h"
#include "kseg/kseg_kmeans.h"
#include "kseg/kseg_rng.h"
#include "kseg/kseg_sweep.h"

static inline double value_at(const kseg_matrix *x, int64_t i, int64_t j)
{
  return x->dtype == KSEG_F32 ? (double)((const float *)x->data)[i * x->d + j]
                              : ((const double *)x->data)[i * x->d + j];
}

void kseg_sweep_box_clear(kseg_sweep_box *box)
{
  if (!box) return;
  free(box->mean);
  free(box->rot);
  free(box->lo);
  free(box->hi);
  memset(box, 0, sizeof *box);
}

/* Projection of local row i on the rotated axes: p = (x_i - mean) V. */
static void project(const kseg_matrix *x, int64_t i, const kseg_sweep_box *box, double *c, double *p)
{
  const int64_t d = x->d;
  for (int64_t l = 0; l < d; l++) c[l] = value_at(x, i, l) - box->mean[l];
  for (int64_t j = 0; j < d; j++) {
    double s = 0;
    for (int64_t l = 0; l < d; l++) s += c[l] * box->rot[l * d + j];
    p[j] = s;
  }
}

int kseg_sweep_box_compute(MPI_Comm comm, const kseg_matrix *x, kseg_sweep_box *box)
{
  const int64_t d = x->d, n = x->n_global;
  memset(box, 0, sizeof *box);
  box->d = d;
  box->mean = kseg_malloc((size_t)d * sizeof(double), "gap box");
  box->rot = kseg_malloc((size_t)(d * d) * sizeof(double), "gap box");
  box->lo = kseg_malloc((size_t)d * sizeof(double), "gap box");
  box->hi = kseg_malloc((size_t)d * sizeof(double), "gap box");
  kseg_i128 *sums = kseg_calloc((size_t)(d * d), sizeof *sums, "covariance sums");
  int st = (box->mean && box->rot && box->lo && box->hi && sums) ? KSEG_OK : KSEG_ERR_IO;
  if (!st && n < 2) st = kseg_error_set(KSEG_ERR_INPUT, "the gap statistic needs at least 2 rows");
  KSEG_CHECK_GOTO(kseg_comm_agree(comm, st), st, fail);

  double max_abs = 0;
  for (int64_t i = 0; i < x->n_local; i++)
    for (int64_t j = 0; j < d; j++) max_abs = fmax(max_abs, fabs(value_at(x, i, j)));
  KSEG_CHECK_GOTO(kseg_comm_agree(comm, kseg_comm_max_f64(comm, &max_abs, 1)), st, fail);
  const kseg_fixed fx = kseg_fixed_for_bound(max_abs);
  for (int64_t i = 0; i < x->n_local; i++)
    for (int64_t j = 0; j < d; j++) sums[j] += kseg_fixed_from(&fx, value_at(x, i, j));
  KSEG_CHECK_GOTO(kseg_comm_agree(comm, kseg_comm_sum_i128(comm, sums, d)), st, fail);
  for (int64_t j = 0; j < d; j++) box->mean[j] = kseg_fixed_to_double(&fx, sums[j]) / (double)n;

  /* Centred products are bounded by (2 max|x|)^2; only the upper triangle. */
  const kseg_fixed fc = kseg_fixed_for_bound(4 * max_abs * max_abs);
  memset(sums, 0, (size_t)(d * d) * sizeof *sums);
#pragma omp parallel
  {
    kseg_i128 *part = calloc((size_t)(d * d), sizeof *part);
    double *c = malloc((size_t)d * sizeof *c);
    if (part && c) {
#pragma omp for schedule(static)
      for (int64_t i = 0; i < x->n_local; i++) {
        for (int64_t l = 0; l < d; l++) c[l] = value_at(x, i, l) - box->mean[l];
        for (int64_t a = 0; a < d; a++)
          for (int64_t b = a; b < d; b++) part[a * d + b] += kseg_fixed_from(&fc, c[a] * c[b]);
      }
#pragma omp critical(kseg_sweep_cov)
      for (int64_t t = 0; t < d * d; t++) sums[t] += part[t]; /* exact: any order */
    } else {
#pragma omp critical(kseg_sweep_cov)
      st = kseg_error_nomem("covariance partial sums", (size_t)(d * d) * sizeof *part);
    }
    free(part);
    free(c);
  }
  KSEG_CHECK_GOTO(kseg_comm_agree(comm, st), st, fail);
  KSEG_CHECK_GOTO(kseg_comm_agree(comm, kseg_comm_sum_i128(comm, sums, d * d)), st, fail);
  if (kseg_comm_rank(comm) == 0) {
    double *w = malloc((size_t)d * sizeof *w);
    if (!w) {
      st = kseg_error_nomem("eigenvalues", (size_t)d * sizeof *w);
    } else {
      for (int64_t a = 0; a < d; a++)
        for (int64_t b = 0; b < d; b++) {
          const int64_t lo = a < b ? a : b, hi = a < b ? b : a;
          box->rot[a * d + b] = kseg_fixed_to_double(&fc, sums[lo * d + hi]) / (double)(n - 1);
        }
      /* Row-major symmetric matrix in, eigenvectors as columns out. OpenBLAS
       * splits work differently with its thread count, which changes the
       * last bits of the eigenvectors: one thread keeps them the same
       * whatever OMP_NUM_THREADS or the load (seen at 3 ranks x 2 threads). */
      const int blas_threads = openblas_get_num_threads();
      openblas_set_num_threads(1);
      lapack_int info = LAPACKE_dsyevd(LAPACK_ROW_MAJOR, 'V', 'U', (lapack_int)d, box->rot, (lapack_int)d, w);
      openblas_set_num_threads(blas_threads);
      if (info != 0) st = kseg_error_set(KSEG_ERR_IO, "LAPACKE_dsyevd failed (info %d) on the covariance", (int)info);
      free(w);
    }
  }
  KSEG_CHECK_GOTO(kseg_comm_agree(comm, st), st, fail);
  KSEG_CHECK_GOTO(kseg_comm_agree(comm, kseg_comm_bcast(comm, box->rot, d * d * (int64_t)sizeof(double), 0)), st,
                  fail);

  for (int64_t j = 0; j < d; j++) {
    box->lo[j] = INFINITY;
    box->hi[j] = -INFINITY;
  }
  double *c = kseg_malloc((size_t)(2 * d) * sizeof *c, "projection");
  KSEG_CHECK_GOTO(kseg_comm_agree(comm, c ? KSEG_OK : KSEG_ERR_IO), st, fail);
  for (int64_t i = 0; i < x->n_local; i++) {
    project(x, i, box, c, c + d);
    for (int64_t j = 0; j < d; j++) {
      box->lo[j] = fmin(box->lo[j], c[d + j]);
      box->hi[j] = fmax(box->hi[j], c[d + j]);
    }
  }
  free(c);
  st = kseg_comm_min_f64(comm, box->lo, d);
  if (!st) st = kseg_comm_max_f64(comm, box->hi, d);
  KSEG_CHECK_GOTO(kseg_comm_agree(comm, st), st, fail);
  free(sums);
  return KSEG_OK;
fail:
  free(sums);
  kseg_sweep_box_clear(box);
  return st;
}

/* Reference set b for this rank's rows: z uniform in [lo, hi] per rotated
 * axis, mapped back to the data space as mean + V z. rot_t is V transposed
 * (rot_t[j d + l] = V[l][j]), so each output column's sum over j, taken in
 * order, runs for all columns at once in vector lanes. */
static void reference_rows(const kseg_matrix *x, const kseg_sweep_box *box, const double *rot_t, uint64_t seed, int b,
                           double *out)
{
  const int64_t d = x->d;
  const kseg_rng_key key = {seed, kseg_rng_substream(KSEG_STREAM_REFERENCE, (uint64_t)b, 0)};
#pragma omp parallel
  {
    double z[d > 0 ? d : 1];
#pragma omp for schedule(static)
    for (int64_t i = 0; i < x->n_local; i++) {
      const uint64_t g = (uint64_t)(x->row0 + i);
      kseg_rng_uniform_run(key, g, d, z);
      for (int64_t j = 0; j < d; j++) z[j] = box->lo[j] + z[j] * (box->hi[j] - box->lo[j]);
      double *restrict o = out + i * d;
      for (int64_t l = 0; l < d; l++) o[l] = box->mean[l];
      for (int64_t j = 0; j < d; j++) {
        const double zj = z[j], *restrict col = rot_t + j * d;
        for (int64_t l = 0; l < d; l++) o[l] += col[l] * zj;
      }
    }
  }
}

int kseg_sweep_gap(MPI_Comm comm, const kseg_matrix *x, const kseg_sweep_box *box, int64_t k, double inertia,
                   const kseg_sweep_options *opt, double *gap, double *se)
{
  const int B = opt->gap_b;
  const int64_t d = x->d;
  double *ref = kseg_malloc((size_t)((x->n_local > 0 ? x->n_local : 1) * d) * sizeof *ref, "gap reference set");
  double *logw = kseg_malloc((size_t)B * sizeof *logw, "gap reference inertias");
  double *rot_t = kseg_malloc((size_t)(d * d > 0 ? d * d : 1) * sizeof *rot_t, "gap rotation");
  int st = (ref && logw && rot_t) ? KSEG_OK : KSEG_ERR_IO;
  if (!st && !(inertia > 0))
    st = kseg_error_set(KSEG_ERR_INPUT, "the gap statistic is undefined at k=%lld: the inertia is %g", (long long)k,
                        inertia);
  KSEG_CHECK_GOTO(kseg_comm_agree(comm, st), st, done);
  for (int64_t l = 0; l < d; l++)
    for (int64_t j = 0; j < d; j++) rot_t[j * d + l] = box->rot[l * d + j];
  kseg_matrix rm = {.n_global = x->n_global, .row0 = x->row0, .n_local = x->n_local, .d = d,
                    .dtype = KSEG_F64, .data = ref, .columns = NULL};
  kseg_kmeans_options ko;
  kseg_kmeans_options_default(&ko);
  ko.k = k;
  ko.n_init = 1;
  ko.max_iter = opt->max_iter;
  ko.tol = opt->tol;
  ko.seed = opt->seed;
  for (int b = 0; b < B; b++) {
    reference_rows(x, box, rot_t, opt->seed, b, ref);
    kseg_kmeans_result kr;
    KSEG_CHECK_GOTO(kseg_kmeans_fit(comm, &rm, &ko, &kr), st, done);
    logw[b] = log(kr.inertia);
    kseg_kmeans_result_clear(&kr);
  }
  /* Identical values on every rank, summed in the same order. */
  double mean = 0, var = 0;
  for (int b = 0; b < B; b++) mean += logw[b];
  mean /= B;
  for (int b = 0; b < B; b++) var += (logw[b] - mean) * (logw[b] - mean);
  var /= B;
  *gap = mean - log(inertia);
  *se = sqrt(var) * sqrt(1.0 + 1.0 / B);
done:
  free(ref);
  free(logw);
  free(rot_t);
  return st;
}
