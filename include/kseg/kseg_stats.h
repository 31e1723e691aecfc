/* kseg_stats.h - distributed per-column statistics: moments and exact
 * quantiles over row blocks spread across ranks.
 *
 * Each rank passes its own rows; only small per-column partials travel (one
 * reduction per phase), so no rank ever holds all rows. Every result is the
 * same bits for any number of ranks or threads:
 *   - sums are exact fixed-point integers (kseg_fixed.h), so their order is
 *     irrelevant;
 *   - quantiles come from an exact radix selection of order statistics
 *     (integer histograms), then numpy's default "linear" interpolation.
 *
 * A column is addressed as `base[i * stride]` for local rows i, so both the
 * columnar raw table (stride 1) and a row-major N x D matrix (base = data + j,
 * stride = D) can be described without copying. NaN is a missing value and is
 * skipped; a row whose `mask` entry is 0 is skipped in every column (mask may
 * be NULL: every row counts).
 */
#ifndef KSEG_STATS_H
#define KSEG_STATS_H

#include <mpi.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* One column of this rank's rows, as described above. */
typedef struct kseg_stats_col {
  const double *base;
  int64_t stride;
} kseg_stats_col;

typedef struct kseg_colstats {
  int64_t count;   /* non-missing values in masked-in rows */
  int64_t missing; /* NaN values in masked-in rows */
  double mean;     /* NaN when count == 0 */
  double var;      /* population variance (ddof = 0, as StandardScaler) */
  double skew;     /* biased sample skewness m3 / m2^1.5 (scipy's default); 0 if var == 0 */
  double min, max; /* NaN when count == 0 */
} kseg_colstats;

/* Count, missing, mean, variance, skewness, min and max of `ncols` columns
 * over `n_local` local rows; out[ncols]. Two passes over the data and four
 * small reductions. Collective; the status is agreed across ranks. */
int kseg_stats_moments(MPI_Comm comm, const kseg_stats_col *cols, int ncols, int64_t n_local,
                       const int8_t *mask, kseg_colstats *out);

/* Exact quantiles, as numpy.nanquantile(x, q) with the default "linear"
 * method: q[nq] in [0, 1]; out[j * nq + k] is quantile q[k] of column j (NaN
 * for a column with no values). Radix selection on the order-preserving
 * 64-bit image of the doubles: 8 rounds of histogram reductions (sign and
 * exponent first, then 8 mantissa bits a round), all columns and quantiles
 * batched in each reduction; each round scans only the values still in play.
 * Collective; the status is agreed across ranks. */
int kseg_stats_quantiles(MPI_Comm comm, const kseg_stats_col *cols, int ncols, int64_t n_local,
                         const int8_t *mask, const double *q, int nq, double *out);

/* The k-th smallest (0-based) non-missing value of each column: ranks[j] for
 * column j (ranks[j] < 0 or >= the column's count: NaN). Collective. */
int kseg_stats_select(MPI_Comm comm, const kseg_stats_col *cols, int ncols, int64_t n_local,
                      const int8_t *mask, const int64_t *ranks, double *out);

/* Whether a column holds only integers, no missing value, and no value twice
 * (an identifier). Values are hash-partitioned to owner ranks (one
 * all-to-all), sorted there and checked: O(n_local) memory per rank.
 * Collective; the status is agreed across ranks. */
int kseg_stats_distinct_integers(MPI_Comm comm, kseg_stats_col col, int64_t n_local, int *is_distinct);

#ifdef __cplusplus
}
#endif

#endif
