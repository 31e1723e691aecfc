/* stats.c - distributed moments and exact quantiles (see kseg_stats.h). */
#include "kseg/kseg_stats.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kseg/kseg_comm.h"
#include "kseg/kseg_error.h"
#include "kseg/kseg_fixed.h"

static inline int row_in(const int8_t *mask, int64_t i) { return !mask || mask[i]; }

static inline double col_at(const kseg_stats_col *c, int64_t i) { return c->base[i * c->stride]; }

/* ---- moments ---- */

int kseg_stats_moments(MPI_Comm comm, const kseg_stats_col *cols, int ncols, int64_t n_local,
                       const int8_t *mask, kseg_colstats *out)
{
  int st = KSEG_OK;
  int64_t *counts = kseg_calloc((size_t)(2 * ncols + 1), sizeof *counts, "stats counts");
  double *lo = kseg_malloc(sizeof(double) * (size_t)(ncols + 1), "stats min");
  double *hi = kseg_malloc(sizeof(double) * (size_t)(ncols + 1), "stats max");
  kseg_i128 *sums = kseg_calloc((size_t)(3 * ncols + 1), sizeof *sums, "stats sums");
  kseg_fixed *fx = kseg_malloc(sizeof(kseg_fixed) * (size_t)(3 * ncols + 1), "stats scales");
  if (!counts || !lo || !hi || !sums || !fx) st = KSEG_ERR_IO;
  KSEG_CHECK_GOTO(kseg_comm_agree(comm, st), st, done);

  /* Pass 1: counts and extrema (both order-free), then the scale of x. */
  for (int j = 0; j < ncols; j++) {
    int64_t cnt = 0, miss = 0;
    double mn = INFINITY, mx = -INFINITY;
#pragma omp parallel for reduction(+ : cnt, miss) reduction(min : mn) reduction(max : mx) schedule(static)
    for (int64_t i = 0; i < n_local; i++) {
      if (!row_in(mask, i)) continue;
      double x = col_at(&cols[j], i);
      if (isnan(x)) { miss++; continue; }
      cnt++;
      mn = x < mn ? x : mn;
      mx = x > mx ? x : mx;
    }
    counts[2 * j] = cnt;
    counts[2 * j + 1] = miss;
    lo[j] = mn;
    hi[j] = mx;
  }
  KSEG_CHECK_GOTO(kseg_comm_sum_i64(comm, counts, 2 * (int64_t)ncols), st, done);
  KSEG_CHECK_GOTO(kseg_comm_min_f64(comm, lo, ncols), st, done);
  KSEG_CHECK_GOTO(kseg_comm_max_f64(comm, hi, ncols), st, done);

  for (int j = 0; j < ncols; j++) {
    kseg_fixed f = kseg_fixed_for_bound(fmax(fabs(lo[j]), fabs(hi[j])));
    kseg_i128 s = 0;
#pragma omp parallel
    {
      kseg_i128 part = 0;
#pragma omp for schedule(static) nowait
      for (int64_t i = 0; i < n_local; i++) {
        double x = col_at(&cols[j], i);
        if (row_in(mask, i) && !isnan(x)) part += kseg_fixed_from(&f, x);
      }
      /* integer addition: the order the threads arrive in does not matter */
#pragma omp critical(kseg_stats_sum)
      s += part;
    }
    sums[j] = s;
    fx[j] = f;
  }
  KSEG_CHECK_GOTO(kseg_comm_sum_i128(comm, sums, ncols), st, done);

  for (int j = 0; j < ncols; j++) {
    kseg_colstats *o = &out[j];
    o->count = counts[2 * j];
    o->missing = counts[2 * j + 1];
    if (o->count == 0) {
      o->mean = o->var = o->skew = o->min = o->max = NAN;
    } else {
      o->mean = kseg_fixed_to_double(&fx[j], sums[j]) / (double)o->count;
      o->min = lo[j];
      o->max = hi[j];
    }
  }

  /* Pass 2: central moments around the agreed mean. |x - mean| <= range
   * (up to rounding, hence the small margin), which bounds d^2 and d^3. */
  for (int j = 0; j < ncols; j++) {
    double range = out[j].count ? (hi[j] - lo[j]) * (1.0 + 1e-9) : 0.0;
    kseg_fixed f2 = kseg_fixed_for_bound(range * range), f3 = kseg_fixed_for_bound(range * range * range);
    double mean = out[j].mean;
    kseg_i128 s2 = 0, s3 = 0;
    if (out[j].count) {
#pragma omp parallel
      {
        kseg_i128 p2 = 0, p3 = 0;
#pragma omp for schedule(static) nowait
        for (int64_t i = 0; i < n_local; i++) {
          double x = col_at(&cols[j], i);
          if (!row_in(mask, i) || isnan(x)) continue;
          double d = x - mean, d2 = d * d;
          p2 += kseg_fixed_from(&f2, d2);
          p3 += kseg_fixed_from(&f3, d2 * d);
        }
#pragma omp critical(kseg_stats_sum)
        {
          s2 += p2;
          s3 += p3;
        }
      }
    }
    sums[2 * j] = s2;
    sums[2 * j + 1] = s3;
    fx[2 * j] = f2;
    fx[2 * j + 1] = f3;
  }
  KSEG_CHECK_GOTO(kseg_comm_sum_i128(comm, sums, 2 * (int64_t)ncols), st, done);
  for (int j = 0; j < ncols; j++) {
    kseg_colstats *o = &out[j];
    if (o->count == 0) continue;
    double n = (double)o->count;
    double m2 = kseg_fixed_to_double(&fx[2 * j], sums[2 * j]) / n;
    double m3 = kseg_fixed_to_double(&fx[2 * j + 1], sums[2 * j + 1]) / n;
    o->var = m2;
    o->skew = m2 > 0 ? m3 / pow(m2, 1.5) : 0.0;
  }

done:
  free(counts);
  free(lo);
  free(hi);
  free(sums);
  free(fx);
  return kseg_comm_agree(comm, st);
}

/* ---- exact order statistics ---- */

/* An order-preserving map of doubles onto uint64 (negative values have their
 * bits flipped, positive ones their sign bit set), so the k-th smallest double
 * is the k-th smallest key. -0.0 is folded onto +0.0 first: equal values must
 * have equal keys. */
static inline uint64_t key_of(double x)
{
  if (x == 0.0) x = 0.0;
  uint64_t u;
  memcpy(&u, &x, sizeof u);
  return (u >> 63) ? ~u : (u | 0x8000000000000000ULL);
}

static inline double value_of(uint64_t k)
{
  uint64_t u = (k >> 63) ? (k & 0x7fffffffffffffffULL) : ~k;
  double x;
  memcpy(&x, &u, sizeof x);
  return x;
}

#define KSEG_RADIX_BITS 8
#define KSEG_RADIX_BINS (1 << KSEG_RADIX_BITS)

typedef struct select_target {
  int col;
  int64_t rank;    /* remaining rank inside the current prefix */
  uint64_t prefix; /* key bits fixed so far */
} select_target;

static int cmp_target(const void *a, const void *b)
{
  const select_target *x = a, *y = b;
  if (x->col != y->col) return x->col < y->col ? -1 : 1;
  return (x->rank > y->rank) - (x->rank < y->rank);
}

/* Find the key of each target (column, rank). Targets sorted by column, so
 * each column's data is scanned once per round for all of its targets. */
static int radix_select(MPI_Comm comm, const kseg_stats_col *cols, int64_t n_local, const int8_t *mask,
                        select_target *t, int nt)
{
  int st = KSEG_OK;
  int64_t *hist = kseg_calloc((size_t)nt * KSEG_RADIX_BINS + 1, sizeof *hist, "quantile histograms");
  st = hist ? KSEG_OK : KSEG_ERR_IO;
  KSEG_CHECK_GOTO(kseg_comm_agree(comm, st), st, done);

  for (int round = 0; round < 64 / KSEG_RADIX_BITS; round++) {
    int shift = 64 - KSEG_RADIX_BITS * (round + 1);
    memset(hist, 0, sizeof *hist * (size_t)nt * KSEG_RADIX_BINS);
    for (int a = 0; a < nt;) {
      int b = a;
      while (b < nt && t[b].col == t[a].col) b++;
      const kseg_stats_col *c = &cols[t[a].col];
      /* Keys agree with a target's prefix on the bits above `shift + BITS`. */
      int high = shift + KSEG_RADIX_BITS;
#pragma omp parallel
      {
        int64_t *local = calloc((size_t)(b - a) * KSEG_RADIX_BINS, sizeof *local);
        int64_t *mine = local;
        if (!local) {
#pragma omp critical(kseg_stats_hist)
          st = KSEG_ERR_IO;
        }
#pragma omp for schedule(static)
        for (int64_t i = 0; i < n_local; i++) {
          if (!mine || !row_in(mask, i)) continue;
          double x = col_at(c, i);
          if (isnan(x)) continue;
          uint64_t k = key_of(x);
          unsigned bin = (unsigned)((k >> shift) & (KSEG_RADIX_BINS - 1));
          for (int s = a; s < b; s++)
            if (high >= 64 || (k >> high) == (t[s].prefix >> high)) mine[(int64_t)(s - a) * KSEG_RADIX_BINS + bin]++;
        }
        if (mine) {
#pragma omp critical(kseg_stats_hist)
          for (int64_t z = 0; z < (int64_t)(b - a) * KSEG_RADIX_BINS; z++) hist[(int64_t)a * KSEG_RADIX_BINS + z] += mine[z];
        }
        free(local);
      }
      a = b;
    }
    if (st != KSEG_OK) kseg_error_nomem("quantile histogram (per thread)", sizeof(int64_t) * KSEG_RADIX_BINS);
    KSEG_CHECK_GOTO(kseg_comm_agree(comm, st), st, done);
    KSEG_CHECK_GOTO(kseg_comm_sum_i64(comm, hist, (int64_t)nt * KSEG_RADIX_BINS), st, done);
    for (int s = 0; s < nt; s++) {
      const int64_t *h = hist + (int64_t)s * KSEG_RADIX_BINS;
      int64_t below = 0;
      int bin = 0;
      while (bin < KSEG_RADIX_BINS - 1 && below + h[bin] <= t[s].rank) below += h[bin++];
      t[s].rank -= below;
      t[s].prefix |= (uint64_t)bin << shift;
    }
  }
done:
  free(hist);
  return st;
}

int kseg_stats_select(MPI_Comm comm, const kseg_stats_col *cols, int ncols, int64_t n_local,
                      const int8_t *mask, const int64_t *ranks, double *out)
{
  int st = KSEG_OK;
  int64_t *counts = kseg_calloc((size_t)ncols + 1, sizeof *counts, "select counts");
  select_target *t = kseg_calloc((size_t)ncols + 1, sizeof *t, "select targets");
  int *where = kseg_calloc((size_t)ncols + 1, sizeof *where, "select targets");
  if (!counts || !t || !where) st = KSEG_ERR_IO;
  KSEG_CHECK_GOTO(kseg_comm_agree(comm, st), st, done);
  for (int j = 0; j < ncols; j++) {
    int64_t cnt = 0;
    for (int64_t i = 0; i < n_local; i++) cnt += row_in(mask, i) && !isnan(col_at(&cols[j], i));
    counts[j] = cnt;
  }
  KSEG_CHECK_GOTO(kseg_comm_sum_i64(comm, counts, ncols), st, done);
  int nt = 0;
  for (int j = 0; j < ncols; j++) {
    where[j] = -1;
    if (ranks[j] < 0 || ranks[j] >= counts[j]) continue;
    where[j] = nt;
    t[nt++] = (select_target){j, ranks[j], 0};
  }
  KSEG_CHECK_GOTO(radix_select(comm, cols, n_local, mask, t, nt), st, done);
  for (int j = 0; j < ncols; j++) out[j] = where[j] < 0 ? NAN : value_of(t[where[j]].prefix);
done:
  free(counts);
  free(t);
  free(where);
  return kseg_comm_agree(comm, st);
}

/* numpy's _lerp: a + (b - a) * g, computed from the nearer end for g >= 0.5
 * (numpy does the same, which keeps the result monotone in g). */
static double lerp(double a, double b, double g)
{
  double diff = b - a;
  return g >= 0.5 ? b - diff * (1.0 - g) : a + diff * g;
}

int kseg_stats_quantiles(MPI_Comm comm, const kseg_stats_col *cols, int ncols, int64_t n_local,
                         const int8_t *mask, const double *q, int nq, double *out)
{
  int st = KSEG_OK;
  for (int k = 0; k < nq; k++)
    if (!(q[k] >= 0.0 && q[k] <= 1.0)) st = kseg_error_set(KSEG_ERR_INPUT, "quantile %g is outside [0, 1]", q[k]);
  int64_t *counts = kseg_calloc((size_t)ncols + 1, sizeof *counts, "quantile counts");
  size_t max_t = (size_t)ncols * (size_t)nq * 2 + 1;
  select_target *t = kseg_calloc(max_t, sizeof *t, "quantile targets");
  if (st == KSEG_OK && (!counts || !t)) st = KSEG_ERR_IO;
  KSEG_CHECK_GOTO(kseg_comm_agree(comm, st), st, done);

  for (int j = 0; j < ncols; j++) {
    int64_t cnt = 0;
#pragma omp parallel for reduction(+ : cnt) schedule(static)
    for (int64_t i = 0; i < n_local; i++) cnt += row_in(mask, i) && !isnan(col_at(&cols[j], i));
    counts[j] = cnt;
  }
  KSEG_CHECK_GOTO(kseg_comm_sum_i64(comm, counts, ncols), st, done);

  /* numpy: virtual index h = q (n - 1); the answer lies between order
   * statistics floor(h) and floor(h) + 1. Select each distinct one once. */
  int nt = 0;
  for (int j = 0; j < ncols; j++) {
    if (counts[j] == 0) continue;
    for (int k = 0; k < nq; k++) {
      double h = q[k] * (double)(counts[j] - 1);
      int64_t r0 = (int64_t)floor(h);
      t[nt++] = (select_target){j, r0, 0};
      if (r0 + 1 < counts[j]) t[nt++] = (select_target){j, r0 + 1, 0};
    }
  }
  qsort(t, (size_t)nt, sizeof *t, cmp_target);
  int nu = 0;
  for (int s = 0; s < nt; s++)
    if (nu == 0 || t[s].col != t[nu - 1].col || t[s].rank != t[nu - 1].rank) t[nu++] = t[s];
  nt = nu;
  /* radix_select rewrites `rank`; keep the original ranks to look them up. */
  int64_t *orig = kseg_malloc(sizeof *orig * (size_t)(nt + 1), "quantile ranks");
  st = orig ? KSEG_OK : KSEG_ERR_IO;
  KSEG_CHECK_GOTO(kseg_comm_agree(comm, st), st, done_orig);
  for (int s = 0; s < nt; s++) orig[s] = t[s].rank;
  KSEG_CHECK_GOTO(radix_select(comm, cols, n_local, mask, t, nt), st, done_orig);

  for (int j = 0; j < ncols; j++) {
    for (int k = 0; k < nq; k++) {
      double *o = &out[(int64_t)j * nq + k];
      if (counts[j] == 0) { *o = NAN; continue; }
      double h = q[k] * (double)(counts[j] - 1);
      double fl = floor(h);
      int64_t r0 = (int64_t)fl;
      int64_t r1 = r0 + 1 < counts[j] ? r0 + 1 : r0;
      double a = NAN, b = NAN;
      for (int s = 0; s < nt; s++) {
        if (t[s].col != j) continue;
        if (orig[s] == r0) a = value_of(t[s].prefix);
        if (orig[s] == r1) b = value_of(t[s].prefix);
      }
      *o = lerp(a, b, h - fl);
    }
  }
done_orig:
  free(orig);
done:
  free(counts);
  free(t);
  return kseg_comm_agree(comm, st);
}

/* ---- identifier detection ---- */

static int cmp_i64(const void *a, const void *b)
{
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return (x > y) - (x < y);
}

/* splitmix64 finalizer: spreads consecutive ids evenly over owner ranks. */
static inline uint64_t mix64(uint64_t z)
{
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

int kseg_stats_distinct_integers(MPI_Comm comm, kseg_stats_col col, int64_t n_local, int *is_distinct)
{
  int st = KSEG_OK;
  *is_distinct = 0;
  /* flags[0]: a value that is missing, fractional or beyond 2^53 (then not
   * an integer identifier); counts below: total rows. */
  int64_t flags[2] = {0, n_local};
  double lo = INFINITY, hi = -INFINITY;
  for (int64_t i = 0; i < n_local; i++) {
    double x = col_at(&col, i);
    if (isnan(x) || x != floor(x) || fabs(x) > 9007199254740992.0) { flags[0] = 1; break; }
    lo = x < lo ? x : lo;
    hi = x > hi ? x : hi;
  }
  KSEG_CHECK(kseg_comm_sum_i64(comm, flags, 2));
  KSEG_CHECK(kseg_comm_min_f64(comm, &lo, 1));
  KSEG_CHECK(kseg_comm_max_f64(comm, &hi, 1));
  int64_t n = flags[1];
  if (flags[0] || n == 0) return KSEG_OK;
  if (hi - lo + 1.0 < (double)n) return KSEG_OK; /* pigeonhole: some value repeats */
  if (n_local > INT_MAX) st = kseg_error_set(KSEG_ERR_INPUT, "identifier check: more than 2^31 rows on one rank");
  KSEG_CHECK(kseg_comm_agree(comm, st));

  int p = kseg_comm_size(comm);
  int *scount = kseg_calloc((size_t)p, sizeof(int), "id check");
  int *rcount = kseg_calloc((size_t)p, sizeof(int), "id check");
  int *sdisp = kseg_calloc((size_t)p, sizeof(int), "id check");
  int *rdisp = kseg_calloc((size_t)p, sizeof(int), "id check");
  int *fill = kseg_calloc((size_t)p, sizeof(int), "id check");
  int64_t *send = kseg_malloc(sizeof(int64_t) * (size_t)(n_local + 1), "id check send buffer");
  int64_t *recv = NULL;
  if (!scount || !rcount || !sdisp || !rdisp || !fill || !send) st = KSEG_ERR_IO;
  KSEG_CHECK_GOTO(kseg_comm_agree(comm, st), st, done);
  for (int64_t i = 0; i < n_local; i++) scount[mix64((uint64_t)(int64_t)col_at(&col, i)) % (uint64_t)p]++;
  for (int r = 1; r < p; r++) sdisp[r] = sdisp[r - 1] + scount[r - 1];
  for (int64_t i = 0; i < n_local; i++) {
    int64_t v = (int64_t)col_at(&col, i);
    int r = (int)(mix64((uint64_t)v) % (uint64_t)p);
    send[sdisp[r] + fill[r]++] = v;
  }
  KSEG_CHECK_GOTO(kseg_comm_check(MPI_Alltoall(scount, 1, MPI_INT, rcount, 1, MPI_INT, comm), "MPI_Alltoall"), st,
                  done);
  int64_t total = 0;
  for (int r = 0; r < p; r++) total += rcount[r];
  if (total > INT_MAX) st = kseg_error_set(KSEG_ERR_INPUT, "identifier check: more than 2^31 values on one rank");
  for (int r = 1; r < p && st == KSEG_OK; r++) rdisp[r] = rdisp[r - 1] + rcount[r - 1];
  if (st == KSEG_OK) {
    recv = kseg_malloc(sizeof(int64_t) * (size_t)(total + 1), "id check receive buffer");
    if (!recv) st = KSEG_ERR_IO;
  }
  KSEG_CHECK_GOTO(kseg_comm_agree(comm, st), st, done);
  KSEG_CHECK_GOTO(kseg_comm_check(MPI_Alltoallv(send, scount, sdisp, MPI_INT64_T, recv, rcount, rdisp,
                                                MPI_INT64_T, comm),
                                  "MPI_Alltoallv"),
                  st, done);
  qsort(recv, (size_t)total, sizeof *recv, cmp_i64);
  int64_t dup = 0;
  for (int64_t i = 1; i < total; i++)
    if (recv[i] == recv[i - 1]) { dup = 1; break; }
  KSEG_CHECK_GOTO(kseg_comm_max_i64(comm, &dup, 1), st, done);
  *is_distinct = dup == 0;
done:
  free(scount);
  free(rcount);
  free(sdisp);
  free(rdisp);
  free(fill);
  free(send);
  free(recv);
  return kseg_comm_agree(comm, st);
}
