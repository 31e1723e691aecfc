/* pca: distributed PCA against a serial long-double covariance; the same bits
 * on any partition (full communicator vs each rank alone), masks, component
 * choice by fraction, sign convention and bad arguments. */
#include <stdlib.h>

#include "kseg/kseg_comm.h"
#include "kseg/kseg_error.h"
#include "kseg/kseg_pca.h"
#include "kseg/kseg_rng.h"
#include "test.h"

#define N 301
#define D 5

static void row(int64_t i, double *x)
{
  kseg_rng_key key = {11, 3};
  double a = kseg_rng_normal(key, (uint64_t)i, 0) * 3, b = kseg_rng_normal(key, (uint64_t)i, 1);
  for (int f = 0; f < D; f++) x[f] = a * (f + 1) * 0.3 - b * (f % 2 ? 1.0 : -0.5) + kseg_rng_normal(key, (uint64_t)i, 2 + f) * 0.1 + f;
}

int main(int argc, char **argv)
{
  MPI_Comm comm, self;
  kseg_test_init(&argc, &argv, &comm, &self);
  int size = kseg_comm_size(comm), rank = kseg_comm_rank(comm);
  int64_t row0, n_local;
  kseg_partition(N, size, rank, &row0, &n_local);
  double *all = malloc(sizeof(double) * N * D);
  for (int64_t i = 0; i < N; i++) row(i, all + i * D);
  const double *mine = all + row0 * D;

  /* all components: bit-identical to one rank alone, and eigenpairs of the
   * serial covariance */
  kseg_pca p, p1;
  ASSERT_OK(kseg_pca_fit(comm, mine, n_local, D, NULL, D, &p));
  ASSERT_OK(kseg_pca_fit(self, all, N, D, NULL, D, &p1));
  ASSERT_EQ(p.n_components, D);
  ASSERT_EQ(p.n_rows, N);
  ASSERT_SAME_BITS(p.components, p1.components, D * D);
  ASSERT_SAME_BITS(p.explained_variance, p1.explained_variance, D);
  ASSERT_SAME_BITS(p.mean, p1.mean, D);

  long double mean[D] = {0}, cov[D][D] = {{0}};
  for (int64_t i = 0; i < N; i++)
    for (int f = 0; f < D; f++) mean[f] += all[i * D + f];
  for (int f = 0; f < D; f++) mean[f] /= N;
  for (int64_t i = 0; i < N; i++)
    for (int a = 0; a < D; a++)
      for (int b = 0; b < D; b++) cov[a][b] += (all[i * D + a] - mean[a]) * (all[i * D + b] - mean[b]);
  double total = 0;
  for (int a = 0; a < D; a++) {
    for (int b = 0; b < D; b++) cov[a][b] /= (N - 1);
    total += (double)cov[a][a];
    ASSERT_NEAR(p.mean[a], (double)mean[a], 1e-13);
  }
  ASSERT_NEAR(p.total_variance, total, 1e-12 * total);
  double ratio_sum = 0;
  for (int c = 0; c < D; c++) {
    const double *v = p.components + c * D;
    double lam = p.explained_variance[c], norm = 0, big = 0;
    int arg = 0;
    for (int a = 0; a < D; a++) {
      long double cv = 0;
      for (int b = 0; b < D; b++) cv += cov[a][b] * v[b];
      ASSERT_NEAR((double)cv, lam * v[a], 1e-10 * total); /* C v = lambda v */
      norm += v[a] * v[a];
      if (fabs(v[a]) > big) { big = fabs(v[a]); arg = a; }
    }
    ASSERT_NEAR(norm, 1.0, 1e-12);
    ASSERT(v[arg] > 0); /* sign convention */
    if (c > 0) ASSERT(p.explained_variance[c] <= p.explained_variance[c - 1]);
    ASSERT_NEAR(p.explained_variance_ratio[c], lam / total, 1e-15);
    ratio_sum += p.explained_variance_ratio[c];
  }
  ASSERT_NEAR(ratio_sum, 1.0, 1e-12);

  /* projections: (x - mean) . v, in a fixed order per row */
  double *proj = malloc(sizeof(double) * (size_t)(n_local + 1) * D);
  kseg_pca_project(&p, mine, n_local, proj);
  for (int64_t i = 0; i < n_local; i++)
    for (int c = 0; c < D; c++) {
      double s = 0;
      for (int f = 0; f < D; f++) s += (mine[i * D + f] - p.mean[f]) * p.components[c * D + f];
      ASSERT_NEAR(proj[i * D + c], s, 1e-12); /* FMA contraction may differ between sites */
    }
  free(proj);

  /* a fraction keeps the fewest components whose cumulative ratio exceeds it */
  const double fractions[] = {0.5, 0.9, 0.999, 0.99999};
  for (int t = 0; t < 4; t++) {
    kseg_pca q;
    ASSERT_OK(kseg_pca_fit(comm, mine, n_local, D, NULL, fractions[t], &q));
    double cum = 0;
    for (int c = 0; c < q.n_components - 1; c++) cum += p.explained_variance_ratio[c];
    ASSERT(cum <= fractions[t]);
    ASSERT(cum + p.explained_variance_ratio[q.n_components - 1] > fractions[t] || q.n_components == D);
    ASSERT_SAME_BITS(q.components, p.components, (int64_t)q.n_components * D);
    kseg_pca_clear(&q);
  }

  /* a mask fits on the kept rows only: same bits as those rows alone */
  int8_t *mask = malloc((size_t)N);
  double *kept = malloc(sizeof(double) * N * D);
  int64_t nk = 0;
  for (int64_t i = 0; i < N; i++) {
    mask[i] = (int8_t)(i % 3 != 1);
    if (mask[i]) memcpy(kept + (nk++) * D, all + i * D, sizeof(double) * D);
  }
  kseg_pca m, m1;
  ASSERT_OK(kseg_pca_fit(comm, mine, n_local, D, mask + row0, 2, &m));
  ASSERT_OK(kseg_pca_fit(self, kept, nk, D, NULL, 2, &m1));
  ASSERT_EQ(m.n_components, 2);
  ASSERT_EQ(m.n_rows, nk);
  ASSERT_SAME_BITS(m.components, m1.components, 2 * D);
  ASSERT_SAME_BITS(m.explained_variance_ratio, m1.explained_variance_ratio, 2);
  kseg_pca_clear(&m);
  kseg_pca_clear(&m1);

  /* points on a line: one component along it carries everything */
  {
    double line[2 * 40];
    for (int i = 0; i < 40; i++) {
      line[2 * i] = i - 7.0;
      line[2 * i + 1] = -2.0 * (i - 7.0) + 1;
    }
    int64_t r0, nl;
    kseg_partition(40, size, rank, &r0, &nl);
    kseg_pca l;
    ASSERT_OK(kseg_pca_fit(comm, line + 2 * r0, nl, 2, NULL, 0.9, &l));
    ASSERT_EQ(l.n_components, 1);
    ASSERT_NEAR(l.explained_variance_ratio[0], 1.0, 1e-14);
    ASSERT_NEAR(l.components[0], -1 / sqrt(5.0), 1e-14);
    ASSERT_NEAR(l.components[1], 2 / sqrt(5.0), 1e-14); /* the larger loading is positive */
    kseg_pca_clear(&l);
  }

  /* bad requests are agreed input errors */
  kseg_pca bad;
  kseg_error_clear();
  ASSERT_STATUS(kseg_pca_fit(comm, mine, n_local, D, NULL, 1.5, &bad), KSEG_ERR_INPUT);
  ASSERT_STATUS(kseg_pca_fit(comm, mine, n_local, D, NULL, D + 1, &bad), KSEG_ERR_INPUT);
  ASSERT_STATUS(kseg_pca_fit(comm, mine, n_local, D, NULL, 0, &bad), KSEG_ERR_INPUT);
  ASSERT_CONTAINS(kseg_error_message(), "--pca");
  kseg_error_clear();

  kseg_pca_clear(&p);
  kseg_pca_clear(&p1);
  free(all);
  free(mask);
  free(kept);
  kseg_test_finalize(&comm, &self);
  return 0;
}
