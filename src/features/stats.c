/* stats.c - distributed moments and exact quantiles (see kseg_stats.h). */
#include "kseg/kseg_stats.h"

#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "kseg/kseg_comm.h"
#include "kseg/kseg_error.h"
#include "kseg/kseg_fixed.h"
#include "kseg/kseg_hash.h"

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

/* Round 0 takes the sign and the 11 exponent bits at once (one histogram per
 * column, shared by its targets), then 8 mantissa bits a round, 4 at the end. */
#define KSEG_RADIX_BITS0 12
#define KSEG_RADIX_ROUNDS 8
static const int radix_width[KSEG_RADIX_ROUNDS] = {12, 8, 8, 8, 8, 8, 8, 4};

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

/* The first target of [a, b) whose prefix, shifted right by `shift`, is at
 * least v (b if none). A column's targets are in rank order (cmp_target),
 * and so are their answers, so their prefixes never decrease: a binary
 * search, where a scan over every target made the rounds cost rows x
 * targets (the rules' 255 quantiles per feature). */
static inline int first_prefix_at_least(const select_target *t, int a, int b, uint64_t v, int shift)
{
  while (a < b) {
    const int m = a + (b - a) / 2;
    if ((t[m].prefix >> shift) < v) a = m + 1;
    else b = m;
  }
  return a;
}

/* first_prefix_at_least for an answer known to be at least `from`: t[from]
 * first, then steps of 1, 2, 4 .. and a binary search in the last one (the
 * answer is nearly always within a few targets of where the key matched in
 * the round before). */
static inline int first_prefix_from(const select_target *t, int from, int b, uint64_t v, int shift)
{
  int lo = from, step = 1;
  while (lo < b && (t[lo].prefix >> shift) < v) {
    const int next = lo + step;
    if (next >= b || (t[next].prefix >> shift) >= v) return first_prefix_at_least(t, lo + 1, next < b ? next : b, v, shift);
    lo = next;
    step *= 2;
  }
  return lo;
}

/* The keys that agree with some target of [a, b) on the bits at and above
 * `shift`, into a new array *out (*n_out of them), with the first such
 * target of each into *tgt_out: from a column's values (keys NULL: rows in
 * the mask, NaN left out) or from the previous keys, whose targets tgt_in
 * (found the same way one round coarser) bound the search from below.
 * Each thread decides its own slice, then copies the kept keys to its
 * offset (the order of candidates does not matter to histograms). Local. */
static int keep_matching(const kseg_stats_col *c, const int8_t *mask, const uint64_t *keys, const int32_t *tgt_in,
                         int64_t n, const select_target *t, int a, int b, int shift, uint64_t **out,
                         int32_t **tgt_out, int64_t *n_out)
{
  int64_t *offs = kseg_calloc((size_t)omp_get_max_threads() + 1, sizeof *offs, "quantile candidates");
  int32_t *found = kseg_malloc(sizeof(int32_t) * ((size_t)n + 1), "quantile candidates"); /* -1: not kept */
  /* the first round (a few bits, no targets known yet): the first target of
   * each prefix from a table instead of a search */
  const int direct = !tgt_in && 64 - shift <= 16;
  int32_t *first = direct ? kseg_malloc(sizeof(int32_t) << (64 - shift), "quantile candidates") : NULL;
  if (!offs || !found || (direct && !first)) {
    free(offs);
    free(found);
    free(first);
    return KSEG_ERR_IO;
  }
  if (direct) {
    for (int64_t z = 0; z < (int64_t)1 << (64 - shift); z++) first[z] = -1;
    for (int q = b - 1; q >= a; q--) first[t[q].prefix >> shift] = q;
  }
  uint64_t *kept = NULL;
  int32_t *kept_tgt = NULL;
#pragma omp parallel
  {
    const int nth = omp_get_num_threads(), id = omp_get_thread_num();
    const int64_t lo = n * id / nth, hi = n * (id + 1) / nth;
    int64_t cnt = 0;
    for (int64_t i = lo; i < hi; i++) {
      uint64_t k;
      if (keys) {
        k = keys[i];
      } else {
        const double x = col_at(c, i);
        if (!row_in(mask, i) || isnan(x)) {
          found[i] = -1;
          continue;
        }
        k = key_of(x);
      }
      int s, in;
      if (direct) {
        s = first[k >> shift];
        in = s >= 0;
      } else {
        s = tgt_in ? first_prefix_from(t, tgt_in[i], b, k >> shift, shift)
                   : first_prefix_at_least(t, a, b, k >> shift, shift);
        in = s < b && (t[s].prefix >> shift) == (k >> shift);
      }
      found[i] = in ? s : -1;
      cnt += in;
    }
    offs[id + 1] = cnt;
#pragma omp barrier
#pragma omp single
    {
      for (int z = 0; z < nth; z++) offs[z + 1] += offs[z];
      kept = kseg_malloc(sizeof(uint64_t) * (size_t)(offs[nth] + 1), "quantile candidates");
      kept_tgt = kseg_malloc(sizeof(int32_t) * (size_t)(offs[nth] + 1), "quantile candidates");
      *n_out = offs[nth];
    }
    if (kept && kept_tgt) {
      uint64_t *o = kept + offs[id];
      int32_t *ot = kept_tgt + offs[id];
      for (int64_t i = lo; i < hi; i++)
        if (found[i] >= 0) {
          *o++ = keys ? keys[i] : key_of(col_at(c, i));
          *ot++ = found[i];
        }
    }
  }
  free(offs);
  free(found);
  free(first);
  if (!kept || !kept_tgt) {
    free(kept);
    free(kept_tgt);
    kept = NULL;
    kept_tgt = NULL;
  }
  *out = kept;
  *tgt_out = kept_tgt;
  return kept ? KSEG_OK : KSEG_ERR_IO;
}

/* Find the key of each target (column, rank); targets sorted by column.
 * Round 0 histograms the sign and exponent of every value. After each round only the
 * keys that still agree with some target's prefix can matter, so each
 * column's candidates are copied out once (after round 0) and narrowed in
 * place after every later round: the later rounds cost what is left, which
 * shrinks by up to 256x per round. Memory: at most one key and one first
 * target per local value and column (radix_select keeps the columns few). */
static int radix_select_batch(MPI_Comm comm, const kseg_stats_col *cols, int64_t n_local, const int8_t *mask,
                              select_target *t, int nt)
{
  int st = KSEG_OK, ng = 0;
  int64_t *hist = NULL;
  int *group = kseg_malloc(sizeof *group * (size_t)(nt + 1), "quantile groups");
  uint64_t **cand = kseg_calloc((size_t)nt + 1, sizeof *cand, "quantile candidates");
  int32_t **ctgt = kseg_calloc((size_t)nt + 1, sizeof *ctgt, "quantile candidates"); /* each key's first target */
  int64_t *ncand = kseg_calloc((size_t)nt + 1, sizeof *ncand, "quantile candidates");
  if (group) {
    /* group[g] is the last target of column group g; its first is group[g - 1] + 1 */
    for (int a = 0; a < nt; group[ng++] = a, a++)
      while (a + 1 < nt && t[a + 1].col == t[a].col) a++;
    size_t r0 = (size_t)ng << KSEG_RADIX_BITS0, later = (size_t)nt << 8;
    hist = kseg_calloc((r0 > later ? r0 : later) + 1, sizeof *hist, "quantile histograms");
  }
  st = hist && group && cand && ctgt && ncand ? KSEG_OK : KSEG_ERR_IO;
  KSEG_CHECK_GOTO(kseg_comm_agree(comm, st), st, done);

  int shift = 64;
  for (int round = 0; round < KSEG_RADIX_ROUNDS; round++) {
    const int bits = radix_width[round], bins = 1 << bits, above = shift;
    shift -= bits;
    /* round 0: one histogram per group (rows g), later: one per target */
    int rows = round == 0 ? ng : nt;
    memset(hist, 0, sizeof *hist * (size_t)rows * (size_t)bins);
    for (int g = 0; g < ng; g++) {
      int a = g ? group[g - 1] + 1 : 0, b = group[g] + 1;
      const kseg_stats_col *c = &cols[t[a].col];
      const uint64_t *keys = cand[g];
      const int32_t *tgt = ctgt[g];
      int64_t n = round == 0 ? n_local : ncand[g];
      int64_t *h0 = hist + (int64_t)(round == 0 ? g : a) * bins;
#pragma omp parallel
      {
        /* round 0: every target sees the whole column, one histogram serves all */
        int width = round == 0 ? 1 : b - a;
        int64_t *mine = calloc((size_t)width * (size_t)bins, sizeof *mine);
        if (!mine) {
#pragma omp critical(kseg_stats_hist)
          st = KSEG_ERR_IO;
        }
#pragma omp for schedule(static)
        for (int64_t i = 0; i < n; i++) {
          if (!mine) continue;
          uint64_t k;
          if (round == 0) {
            double x = col_at(c, i);
            if (!row_in(mask, i) || isnan(x)) continue;
            k = key_of(x);
          } else {
            k = keys[i];
          }
          unsigned bin = (unsigned)((k >> shift) & (uint64_t)(bins - 1));
          if (round == 0) {
            mine[bin]++;
            continue;
          }
          /* targets that share a prefix see the same keys: the first of
           * them counts, the others copy its histogram below. keep_matching
           * found it (the prefixes have not changed since, and `above` is
           * its shift) */
          mine[(int64_t)(tgt[i] - a) * bins + bin]++;
        }
        if (mine) {
#pragma omp critical(kseg_stats_hist)
          for (int64_t z = 0; z < (int64_t)width * bins; z++) h0[z] += mine[z];
        }
        free(mine);
      }
      for (int q = a + 1; round > 0 && q < b; q++)
        if ((t[q].prefix >> above) == (t[q - 1].prefix >> above))
          memcpy(h0 + (int64_t)(q - a) * bins, h0 + (int64_t)(q - 1 - a) * bins, sizeof *h0 * (size_t)bins);
    }
    if (st != KSEG_OK) kseg_error_nomem("quantile histogram (per thread)", sizeof(int64_t) * (size_t)bins);
    KSEG_CHECK_GOTO(kseg_comm_agree(comm, st), st, done);
    KSEG_CHECK_GOTO(kseg_comm_sum_i64(comm, hist, (int64_t)rows * bins), st, done);
    for (int s = 0, g = 0; s < nt; s++) {
      while (round == 0 && group[g] < s) g++;
      const int64_t *h = hist + (int64_t)(round == 0 ? g : s) * bins;
      int64_t below = 0;
      int bin = 0;
      while (bin < bins - 1 && below + h[bin] <= t[s].rank) below += h[bin++];
      t[s].rank -= below;
      t[s].prefix |= (uint64_t)bin << shift;
    }
    if (shift == 0) break;

    /* keep only the keys that can still be some target's answer */
    for (int g = 0; g < ng; g++) {
      int a = g ? group[g - 1] + 1 : 0, b = group[g] + 1;
      uint64_t *kept = NULL;
      int32_t *kept_tgt = NULL;
      const int64_t n = round == 0 ? n_local : ncand[g];
      st = keep_matching(round == 0 ? &cols[t[a].col] : NULL, mask, cand[g], ctgt[g], n, t, a, b, shift, &kept,
                         &kept_tgt, &ncand[g]);
      free(cand[g]);
      free(ctgt[g]);
      cand[g] = kept;
      ctgt[g] = kept_tgt;
      if (st != KSEG_OK) break;
    }
    KSEG_CHECK_GOTO(kseg_comm_agree(comm, st), st, done);
  }
done:
  for (int g = 0; cand && g < ng; g++) free(cand[g]);
  for (int g = 0; ctgt && g < ng; g++) free(ctgt[g]);
  free(cand);
  free(ctgt);
  free(ncand);
  free(group);
  free(hist);
  return st;
}

/* Columns per batch of radix_select: through the rounds a column's
 * candidates take up to 12 bytes a local value (its key and its first
 * target), so all columns at once held 12 bytes a row and column (252 a
 * customer for the rules' 21 features, the peak of a big run). A batch holds
 * at most 64 MiB of them on the largest rank, and at least 4 columns (an
 * allreduce per round and batch). The same on every rank. */
static int batch_columns(MPI_Comm comm, int64_t n_local, int *per)
{
  int64_t most = n_local;
  KSEG_CHECK(kseg_comm_max_i64(comm, &most, 1));
  const int64_t fit = ((int64_t)64 << 20) / (12 * (most > 0 ? most : 1));
  *per = fit < 4 ? 4 : fit > (1 << 20) ? 1 << 20 : (int)fit;
#ifdef KSEG_FAULT_INJECTION
  /* tests: batches of so many columns whatever the rows */
  const char *env = getenv("KSEG_QUANTILE_BATCH");
  if (env && atoi(env) > 0) *per = atoi(env);
#endif
  return KSEG_OK;
}

/* radix_select_batch over the targets of a few columns at a time (each
 * column's answers depend on its own values only, so the batches give the
 * same keys as one pass over all). Collective. */
static int radix_select(MPI_Comm comm, const kseg_stats_col *cols, int64_t n_local, const int8_t *mask,
                        select_target *t, int nt)
{
  int per = 0;
  KSEG_CHECK(kseg_comm_agree(comm, batch_columns(comm, n_local, &per)));
  for (int a = 0, b; a < nt; a = b) {
    int columns = 1;
    for (b = a + 1; b < nt; b++)
      if (t[b].col != t[b - 1].col && ++columns > per) break;
    KSEG_CHECK(kseg_comm_agree(comm, radix_select_batch(comm, cols, n_local, mask, t + a, b - a)));
  }
  return KSEG_OK;
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

/* Owner rank of an identifier: mixed, so consecutive ids spread evenly. */
static inline int id_owner(int64_t v, int p) { return (int)(kseg_hash_mix64((uint64_t)v) % (uint64_t)p); }

int kseg_stats_distinct_integers(MPI_Comm comm, kseg_stats_col col, int64_t n_local, int *is_distinct)
{
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
  int st = kseg_comm_sum_i64(comm, flags, 2);
  if (!st) st = kseg_comm_min_f64(comm, &lo, 1);
  if (!st) st = kseg_comm_max_f64(comm, &hi, 1);
  KSEG_CHECK(kseg_comm_agree(comm, st));
  int64_t n = flags[1];
  if (flags[0] || n == 0) return KSEG_OK;
  if (hi - lo + 1.0 < (double)n) return KSEG_OK; /* pigeonhole: some value repeats */

  /* Every value goes to its owner rank, which looks for repeats among its own. */
  int p = kseg_comm_size(comm);
  int64_t *scount = kseg_calloc((size_t)p, sizeof *scount, "id check");
  int64_t *fill = kseg_calloc((size_t)p, sizeof *fill, "id check");
  int64_t *send = kseg_malloc(sizeof(int64_t) * (size_t)(n_local + 1), "id check send buffer");
  int64_t *recv = NULL, total = 0;
  if (!scount || !fill || !send) st = KSEG_ERR_IO;
  KSEG_CHECK_GOTO(kseg_comm_agree(comm, st), st, done);
  for (int64_t i = 0; i < n_local; i++) scount[id_owner((int64_t)col_at(&col, i), p)]++;
  for (int r = 1; r < p; r++) fill[r] = fill[r - 1] + scount[r - 1];
  for (int64_t i = 0; i < n_local; i++) {
    int64_t v = (int64_t)col_at(&col, i);
    send[fill[id_owner(v, p)]++] = v;
  }
  KSEG_CHECK_GOTO(kseg_comm_exchange(comm, send, scount, sizeof *send, (void **)&recv, &total, NULL), st, done);
  qsort(recv, (size_t)total, sizeof *recv, cmp_i64);
  int64_t dup = 0;
  for (int64_t i = 1; i < total; i++)
    if (recv[i] == recv[i - 1]) { dup = 1; break; }
  KSEG_CHECK_GOTO(kseg_comm_max_i64(comm, &dup, 1), st, done);
  *is_distinct = dup == 0;
done:
  free(scount);
  free(fill);
  free(send);
  free(recv);
  return kseg_comm_agree(comm, st);
}
