/* pca.c - distributed PCA (see kseg_pca.h). */
#include "kseg/kseg_pca.h"

#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kseg/kseg_comm.h"
#include "kseg/kseg_error.h"
#include "kseg/kseg_fixed.h"
#include "kseg/kseg_stats.h"

void kseg_pca_clear(kseg_pca *p)
{
  if (!p) return;
  free(p->mean);
  free(p->components);
  free(p->explained_variance);
  free(p->explained_variance_ratio);
  memset(p, 0, sizeof *p);
}

void kseg_pca_project(const kseg_pca *p, const double *X, int64_t n_local, double *out)
{
  const int d = p->d, C = p->n_components;
#pragma omp parallel for schedule(static)
  for (int64_t i = 0; i < n_local; i++) {
    const double *x = X + i * d;
    for (int c = 0; c < C; c++) {
      const double *w = p->components + (int64_t)c * d;
      double s = 0.0;
      for (int f = 0; f < d; f++) s += (x[f] - p->mean[f]) * w[f];
      out[i * C + c] = s;
    }
  }
}

/* OpenBLAS (which serves LAPACK on Debian) splits work over its threads in a
 * way that changes the rounding from run to run; one thread makes the
 * eigenvectors a pure function of the covariance. */
void openblas_set_num_threads(int num_threads);
int openblas_get_num_threads(void);

/* Upper triangle index of (a, b), a <= b, in a packed d x d matrix. */
static inline int64_t tri(int d, int a, int b) { return (int64_t)a * d - (int64_t)a * (a - 1) / 2 + (b - a); }

int kseg_pca_fit(MPI_Comm comm, const double *X, int64_t n_local, int d, const int8_t *mask, double want,
                 kseg_pca *out)
{
  memset(out, 0, sizeof *out);
  int st = KSEG_OK;
  if (!(want > 0) || (want >= 1 && (want != floor(want) || want > d)))
    st = kseg_error_set(KSEG_ERR_INPUT, "--pca must be a component count 1..%d or a fraction in (0, 1), got %g", d,
                        want);
  KSEG_CHECK(kseg_comm_agree(comm, st));

  const int64_t npairs = (int64_t)d * (d + 1) / 2;
  kseg_stats_col *cols = kseg_malloc(sizeof *cols * (size_t)d, "pca columns");
  kseg_colstats *mom = kseg_malloc(sizeof *mom * (size_t)d, "pca moments");
  kseg_fixed *fx = kseg_malloc(sizeof *fx * (size_t)npairs, "pca scales");
  kseg_i128 *sums = kseg_calloc((size_t)npairs, sizeof *sums, "pca cross products");
  double *cov = kseg_calloc((size_t)d * (size_t)d, sizeof *cov, "pca covariance");
  double *eig = kseg_calloc((size_t)d, sizeof *eig, "pca eigenvalues");
  /* broadcast buffer: mean, components (d x d), variances, total */
  double *res = kseg_calloc((size_t)d * (size_t)(d + 2) + 2, sizeof *res, "pca result");
  if (!cols || !mom || !fx || !sums || !cov || !eig || !res) st = KSEG_ERR_IO;
  KSEG_CHECK_GOTO(kseg_comm_agree(comm, st), st, done);

  for (int f = 0; f < d; f++) cols[f] = (kseg_stats_col){X + f, d};
  KSEG_CHECK_GOTO(kseg_stats_moments(comm, cols, d, n_local, mask, mom), st, done);
  int64_t n = mom[0].count;
  for (int f = 0; f < d; f++)
    if (mom[f].missing) st = kseg_error_set(KSEG_ERR_INPUT, "PCA input column %d has missing values", f);
  if (!st && n < 2) st = kseg_error_set(KSEG_ERR_INPUT, "PCA needs at least 2 rows, got %lld", (long long)n);
  KSEG_CHECK_GOTO(kseg_comm_agree(comm, st), st, done);

  /* |x_a - mean_a| <= range_a (with a rounding margin) bounds each product. */
  for (int a = 0; a < d; a++)
    for (int b = a; b < d; b++) {
      double ra = (mom[a].max - mom[a].min) * (1 + 1e-9), rb = (mom[b].max - mom[b].min) * (1 + 1e-9);
      fx[tri(d, a, b)] = kseg_fixed_for_bound(ra * rb);
    }
#pragma omp parallel
  {
    kseg_i128 *part = calloc((size_t)npairs, sizeof *part);
    double *c = malloc(sizeof(double) * (size_t)d);
    if (part && c) {
#pragma omp for schedule(static)
      for (int64_t i = 0; i < n_local; i++) {
        if (mask && !mask[i]) continue;
        for (int f = 0; f < d; f++) c[f] = X[i * d + f] - mom[f].mean;
        int64_t k = 0;
        for (int a = 0; a < d; a++)
          for (int b = a; b < d; b++, k++) part[k] += kseg_fixed_from(&fx[k], c[a] * c[b]);
      }
#pragma omp critical(kseg_pca_sum)
      for (int64_t k = 0; k < npairs; k++) sums[k] += part[k]; /* exact: order-free */
    } else {
#pragma omp critical(kseg_pca_sum)
      st = KSEG_ERR_IO;
    }
    free(part);
    free(c);
  }
  if (st) kseg_error_nomem("pca partial sums (per thread)", sizeof(kseg_i128) * (size_t)npairs);
  KSEG_CHECK_GOTO(kseg_comm_agree(comm, st), st, done);
  KSEG_CHECK_GOTO(kseg_comm_sum_i128(comm, sums, npairs), st, done);

  double *r_mean = res, *r_comp = res + d, *r_var = res + d + (int64_t)d * d;
  double *r_total = r_var + d, *r_ncomp = r_total + 1;
  if (kseg_comm_rank(comm) == 0) {
    double total = 0;
    for (int a = 0; a < d; a++)
      for (int b = a; b < d; b++) {
        double v = kseg_fixed_to_double(&fx[tri(d, a, b)], sums[tri(d, a, b)]) / (double)(n - 1);
        cov[(int64_t)a * d + b] = cov[(int64_t)b * d + a] = v;
        if (a == b) total += v;
      }
    int blas_threads = openblas_get_num_threads();
    openblas_set_num_threads(1);
    lapack_int info = LAPACKE_dsyevd(LAPACK_ROW_MAJOR, 'V', 'U', d, cov, d, eig);
    openblas_set_num_threads(blas_threads);
    if (info != 0) {
      st = kseg_error_set(KSEG_ERR_IO, "PCA: LAPACKE_dsyevd failed (info %d)", (int)info);
    } else {
      /* eigenvalues come ascending, eigenvectors in the columns of cov */
      for (int c = 0; c < d; c++) {
        int src = d - 1 - c;
        double big = 0;
        int arg = 0;
        for (int f = 0; f < d; f++) {
          double v = fabs(cov[(int64_t)f * d + src]);
          if (v > big) {
            big = v;
            arg = f;
          }
        }
        double sign = cov[(int64_t)arg * d + src] < 0 ? -1.0 : 1.0;
        for (int f = 0; f < d; f++) r_comp[(int64_t)c * d + f] = sign * cov[(int64_t)f * d + src];
        r_var[c] = eig[src] > 0 ? eig[src] : 0.0; /* rounding can leave -1e-17 */
      }
      int k = d;
      if (want >= 1) {
        k = (int)want;
      } else {
        double cum = 0;
        for (k = 0; k < d;) {
          cum += r_var[k] / total;
          k++;
          if (cum > want) break;
        }
      }
      for (int f = 0; f < d; f++) r_mean[f] = mom[f].mean;
      *r_total = total;
      *r_ncomp = k;
    }
  }
  KSEG_CHECK_GOTO(kseg_comm_agree(comm, st), st, done);
  KSEG_CHECK_GOTO(kseg_comm_bcast(comm, res, (int64_t)sizeof(double) * (d * (int64_t)(d + 2) + 2), 0), st, done);

  int k = (int)*r_ncomp;
  out->d = d;
  out->n_components = k;
  out->n_rows = n;
  out->total_variance = *r_total;
  out->mean = kseg_malloc(sizeof(double) * (size_t)d, "pca mean");
  out->components = kseg_malloc(sizeof(double) * (size_t)k * (size_t)d, "pca components");
  out->explained_variance = kseg_malloc(sizeof(double) * (size_t)k, "pca variance");
  out->explained_variance_ratio = kseg_malloc(sizeof(double) * (size_t)k, "pca variance");
  if (!out->mean || !out->components || !out->explained_variance || !out->explained_variance_ratio) st = KSEG_ERR_IO;
  if (!st) {
    memcpy(out->mean, r_mean, sizeof(double) * (size_t)d);
    memcpy(out->components, r_comp, sizeof(double) * (size_t)k * (size_t)d);
    for (int c = 0; c < k; c++) {
      out->explained_variance[c] = r_var[c];
      out->explained_variance_ratio[c] = *r_total > 0 ? r_var[c] / *r_total : 0.0;
    }
  }
done:
  free(cols);
  free(mom);
  free(fx);
  free(sums);
  free(cov);
  free(eig);
  free(res);
  st = kseg_comm_agree(comm, st);
  if (st) kseg_pca_clear(out);
  return st;
}
