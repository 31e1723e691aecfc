/* stats: distributed moments and exact quantiles against a serial reference
 * (the whole column sorted on one rank), and bit-identity between the full
 * communicator and each rank alone holding every row. */
#include <stdlib.h>

#include "kseg/kseg_comm.h"
#include "kseg/kseg_error.h"
#include "kseg/kseg_rng.h"
#include "kseg/kseg_stats.h"
#include "test.h"

#define NCOL 7
#define N 1003

/* Column j's value for global row i: a function of (j, i) only. */
static double value(int j, int64_t i)
{
  kseg_rng_key key = {42, (uint64_t)j};
  double u = kseg_rng_uniform(key, (uint64_t)i, 0);
  double w = kseg_rng_uniform(key, (uint64_t)i, 1);
  switch (j) {
  case 0: return kseg_rng_normal(key, (uint64_t)i, 2) * 1e3 + 5e4;           /* continuous */
  case 1: return w < 0.1 ? NAN : floor(u * 7.0) - 3.0;                       /* ties + NaN */
  case 2: return NAN;                                                        /* all missing */
  case 3: return 2.5;                                                        /* constant */
  case 4: return w < 0.3 ? NAN : (u < 0.5 ? -0.0 : 0.0) + (u > 0.9 ? 1e-300 : 0); /* signed zeros */
  case 5: return exp(kseg_rng_normal(key, (uint64_t)i, 2) * 2.0);            /* skewed */
  default: return i == 17 ? 7.0 : NAN;                                       /* one value */
  }
}

static int cmp_double(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static double ref_quantile(const double *sorted, int64_t n, double q)
{
  if (n == 0) return NAN;
  double h = q * (double)(n - 1), fl = floor(h), g = h - fl;
  int64_t lo = (int64_t)fl, hi = lo + 1 < n ? lo + 1 : lo;
  double a = sorted[lo], b = sorted[hi], d = b - a;
  return g >= 0.5 ? b - d * (1.0 - g) : a + d * g;
}

/* Compute every statistic of this rank's rows under `comm`. */
static void compute(MPI_Comm comm, double *cols_data, int64_t n_local, const int8_t *mask, const double *q, int nq,
                    kseg_colstats *mom, double *quant)
{
  kseg_stats_col cols[NCOL];
  for (int j = 0; j < NCOL; j++) cols[j] = (kseg_stats_col){cols_data + j, NCOL}; /* row-major view */
  ASSERT_OK(kseg_stats_moments(comm, cols, NCOL, n_local, mask, mom));
  ASSERT_OK(kseg_stats_quantiles(comm, cols, NCOL, n_local, mask, q, nq, quant));
}

int main(int argc, char **argv)
{
  MPI_Comm comm, self;
  kseg_test_init(&argc, &argv, &comm, &self);
  int rank = kseg_comm_rank(comm), size = kseg_comm_size(comm);
  const double q[] = {0.0, 0.1, 0.25, 1.0 / 3.0, 0.5, 0.75, 0.9, 0.99, 1.0};
  const int nq = (int)(sizeof q / sizeof q[0]);

  /* a small table, then one large enough for many values per histogram bin */
  for (int pass = 0; pass < 4; pass++) {
    const int masked = pass & 1;
    const int64_t NR = pass < 2 ? N : 60000;
    double *all = malloc(sizeof(double) * NR * NCOL);
    int8_t *mask_all = malloc(NR);
    for (int64_t i = 0; i < NR; i++) {
      mask_all[i] = (int8_t)(!masked || i % 5 != 3);
      for (int j = 0; j < NCOL; j++) all[i * NCOL + j] = value(j, i);
    }
    int64_t row0, n_local;
    kseg_partition(NR, size, rank, &row0, &n_local);

    kseg_colstats mom[NCOL], mom1[NCOL];
    double quant[NCOL * 9], quant1[NCOL * 9];
    const int8_t *m = masked ? mask_all + row0 : NULL;
    compute(comm, all + row0 * NCOL, n_local, m, q, nq, mom, quant);
    compute(self, all, NR, masked ? mask_all : NULL, q, nq, mom1, quant1);

    double *col = malloc(sizeof(double) * NR);
    for (int j = 0; j < NCOL; j++) {
      /* the partitioned result has the same bits as one rank with all rows */
      ASSERT_SAME_VALUE(mom[j].mean, mom1[j].mean);
      ASSERT_SAME_VALUE(mom[j].var, mom1[j].var);
      ASSERT_SAME_VALUE(mom[j].skew, mom1[j].skew);
      ASSERT_SAME_VALUE(mom[j].min, mom1[j].min);
      ASSERT_SAME_VALUE(mom[j].max, mom1[j].max);
      for (int k = 0; k < nq; k++) ASSERT_SAME_VALUE(quant[j * nq + k], quant1[j * nq + k]);

      /* serial reference */
      int64_t n = 0, miss = 0;
      long double s = 0;
      for (int64_t i = 0; i < NR; i++) {
        if (!mask_all[i]) continue;
        double x = all[i * NCOL + j];
        if (isnan(x)) { miss++; continue; }
        col[n++] = x;
        s += x;
      }
      ASSERT_EQ(mom[j].count, n);
      ASSERT_EQ(mom[j].missing, miss);
      qsort(col, (size_t)n, sizeof *col, cmp_double);
      if (n == 0) {
        ASSERT(isnan(mom[j].mean) && isnan(mom[j].var) && isnan(mom[j].min));
      } else {
        long double mean = s / n, s2 = 0, s3 = 0;
        for (int64_t i = 0; i < n; i++) {
          long double d = col[i] - mean;
          s2 += d * d;
          s3 += d * d * d;
        }
        double var = (double)(s2 / n);
        ASSERT_NEAR(mom[j].mean, (double)mean, 1e-12 * fmax(1.0, fabs((double)mean)));
        ASSERT_NEAR(mom[j].var, var, 1e-11 * fmax(1e-300, var));
        if (var > 1e-200) ASSERT_NEAR(mom[j].skew, (double)(s3 / n) / pow(var, 1.5), 1e-9);
        ASSERT_EQ(mom[j].min == col[0], 1);
        ASSERT_EQ(mom[j].max == col[n - 1], 1);
      }
      for (int k = 0; k < nq; k++) {
        double want = ref_quantile(col, n, q[k]);
        double got = quant[j * nq + k];
        if (isnan(want)) ASSERT(isnan(got));
        else ASSERT_NEAR(got, want, 0.0); /* exact */
      }
    }

    /* select: k-th smallest, out-of-range ranks give NaN */
    kseg_stats_col cols[NCOL];
    for (int j = 0; j < NCOL; j++) cols[j] = (kseg_stats_col){all + row0 * NCOL + j, NCOL};
    int64_t ranks[NCOL] = {0, 5, 0, 1002, 3, 500, 1};
    double sel[NCOL];
    ASSERT_OK(kseg_stats_select(comm, cols, NCOL, n_local, NULL, ranks, sel));
    ASSERT(isnan(sel[2])); /* all missing */
    ASSERT(isnan(sel[6])); /* only one value: rank 1 is beyond it */
    ASSERT_EQ(sel[3] == 2.5, 1);
    free(col);
    free(all);
    free(mask_all);
  }

  /* identifiers: distinct integers yes; a repeat, a fraction or a NaN no */
  {
    int64_t row0, n_local;
    kseg_partition(N, size, rank, &row0, &n_local);
    double *v = malloc(sizeof(double) * (size_t)(n_local + 1));
    int yes = -1;
    for (int variant = 0; variant < 4; variant++) {
      for (int64_t i = 0; i < n_local; i++) {
        int64_t g = row0 + i;
        v[i] = (double)((g * 7919) % N) * 3.0 - 1000.0; /* a permutation, scaled */
        if (variant == 1 && g == N - 1) v[i] = -1000.0;  /* repeats row 0's value */
        if (variant == 2 && g == N / 2) v[i] += 0.5;
        if (variant == 3 && g == 1) v[i] = NAN;
      }
      ASSERT_OK(kseg_stats_distinct_integers(comm, (kseg_stats_col){v, 1}, n_local, &yes));
      ASSERT_EQ(yes, variant == 0);
    }
    free(v);
  }

  /* a bad quantile is an agreed input error */
  {
    double x = 1.0, out;
    kseg_stats_col c = {&x, 1};
    double bad = 1.5;
    kseg_error_clear();
    ASSERT_STATUS(kseg_stats_quantiles(comm, &c, 1, 1, NULL, &bad, 1, &out), KSEG_ERR_INPUT);
    ASSERT_CONTAINS(kseg_error_message(), "1.5");
    kseg_error_clear();
  }

  kseg_test_finalize(&comm, &self);
  if (rank == 0) printf("stats: ok on %d ranks\n", size);
  return 0;
}
