/* metrics.c - validation metrics (see kseg_metrics.h).
 *
 * Reproducibility: every sum that crosses rows is taken in exact fixed point
 * (kseg_fixed.h) with a scale derived from a global bound, so the result does
 * not depend on how rows are split over ranks and threads. Per-row quantities
 * are computed by the same code for every row.
 */
#include "kseg/kseg_metrics.h"

#include <math.h>
#include <omp.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "kseg/kseg_comm.h"
#include "kseg/kseg_error.h"
#include "kseg/kseg_fixed.h"
#include "kseg/kseg_rng.h"

#include "evaluate/pairsum.h"

/* This rank's rows as float64: the data itself, or a converted copy. */
static int rows_as_f64(const kseg_matrix *x, const double **rows, double **owned)
{
  *owned = NULL;
  if (x->dtype == KSEG_F64) {
    *rows = x->data;
    return KSEG_OK;
  }
  size_t n = (size_t)(x->n_local * x->d);
  double *copy = kseg_malloc(n * sizeof *copy, "float64 copy of the rows");
  if (!copy) return KSEG_ERR_IO;
  const float *src = x->data;
  for (size_t i = 0; i < n; i++) copy[i] = src[i];
  *rows = *owned = copy;
  return KSEG_OK;
}

static int check_labels(const kseg_matrix *x, const int32_t *labels, int k)
{
  if (k < 1) return kseg_error_set(KSEG_ERR_INPUT, "number of clusters must be at least 1, got %d", k);
  for (int64_t i = 0; i < x->n_local; i++)
    if (labels[i] < 0 || labels[i] >= k)
      return kseg_error_set(KSEG_ERR_INPUT, "label %d of row %lld is outside 0..%d", labels[i],
                            (long long)(x->row0 + i), k - 1);
  return KSEG_OK;
}

/* Max |v| over count values (0 for none). A max is exact, so any split
 * gives the same value; a comparison rather than fmax (a libm call per
 * value) lets it vectorize, and skips NaN as fmax does. */
static double max_abs_of(const double *v, int64_t count)
{
  double m = 0.0;
#pragma omp parallel for simd schedule(static) reduction(max : m)
  for (int64_t i = 0; i < count; i++) {
    const double a = fabs(v[i]);
    m = a > m ? a : m;
  }
  return m;
}

/* Global max |x| over all rows (0 for no rows). */
static int global_max_abs(MPI_Comm comm, const double *rows, int64_t count, double *out)
{
  double m = max_abs_of(rows, count);
  KSEG_CHECK(kseg_comm_max_f64(comm, &m, 1));
  *out = m;
  return KSEG_OK;
}

static double sq_dist(const double *a, const double *b, int64_t d)
{
  double s = 0.0;
  for (int64_t j = 0; j < d; j++) {
    double t = a[j] - b[j];
    s += t * t;
  }
  return s;
}

void kseg_cluster_stats_clear(kseg_cluster_stats *s)
{
  if (!s) return;
  free(s->counts);
  free(s->centroids);
  free(s->mean);
  memset(s, 0, sizeof *s);
}

/* acc[0 .. m) += the sums part(ctx, i0, i1, sums) adds over rows [0, n),
 * each thread summing its block of rows into its own zeroed copy. The sums
 * are exact integers, so any split gives the same totals. KSEG_ERR_IO when
 * out of memory (message set). Local. */
static int threads_sum(int64_t n, size_t m, kseg_i128 *acc, const void *ctx,
                       void (*part)(const void *ctx, int64_t i0, int64_t i1, kseg_i128 *sums))
{
  const int nt = omp_get_max_threads();
  kseg_i128 *each = kseg_calloc((size_t)nt * m, sizeof *each, "per-thread sums");
  if (!each) return KSEG_ERR_IO;
#pragma omp parallel num_threads(nt)
  {
    int64_t i0, len;
    kseg_partition(n, omp_get_num_threads(), omp_get_thread_num(), &i0, &len);
    part(ctx, i0, i0 + len, each + (size_t)omp_get_thread_num() * m);
  }
  for (int t = 0; t < nt; t++)
    for (size_t j = 0; j < m; j++) acc[j] += each[(size_t)t * m + j];
  free(each);
  return KSEG_OK;
}

/* The rows and labels whose cluster sums cluster_stats_f64 takes. */
typedef struct stats_rows {
  const double *rows;
  const int32_t *labels;
  int64_t d;
  int k;
  const kseg_fixed *fx;
} stats_rows;

/* Rows [i0, i1): per-cluster fixed-point column sums (k x d), then the
 * counts (k). */
static void stats_part(const void *ctx, int64_t i0, int64_t i1, kseg_i128 *sums)
{
  const stats_rows *c = ctx;
  const int64_t d = c->d;
  kseg_i128 *counts = sums + (size_t)c->k * (size_t)d;
  for (int64_t i = i0; i < i1; i++) {
    const int l = c->labels[i];
    counts[l] += 1;
    for (int64_t j = 0; j < d; j++) sums[l * d + j] += kseg_fixed_from(c->fx, c->rows[i * d + j]);
  }
}

/* The statistics from the exact sums acc (k x d column sums in fx, then k
 * counts) of this rank's rows: summed over the ranks, then divided. acc is
 * overwritten. Collective; agreed. */
static int stats_from_sums(MPI_Comm comm, kseg_i128 *acc, const kseg_fixed *fx, int k, int64_t d,
                           kseg_cluster_stats *out)
{
  const size_t nsum = (size_t)k * (size_t)d + (size_t)k;
  KSEG_CHECK(kseg_comm_agree(comm, kseg_comm_sum_i128(comm, acc, (int64_t)nsum)));
  const kseg_i128 *sums = acc, *counts = acc + (size_t)k * (size_t)d;
  for (int c = 0; c < k; c++) {
    out->counts[c] = (int64_t)counts[c];
    out->n += out->counts[c];
    if (out->counts[c] > 0) out->k_present++;
  }
  for (int64_t j = 0; j < d; j++) {
    kseg_i128 total = 0;
    for (int c = 0; c < k; c++) {
      total += sums[c * d + j];
      if (out->counts[c] > 0)
        out->centroids[c * d + j] = kseg_fixed_to_double(fx, sums[c * d + j]) / (double)out->counts[c];
    }
    out->mean[j] = out->n > 0 ? kseg_fixed_to_double(fx, total) / (double)out->n : 0.0;
  }
  return KSEG_OK;
}

/* out's arrays for k clusters of d columns, and zeroed sums *acc for them. */
static int stats_alloc(int k, int64_t d, kseg_cluster_stats *out, kseg_i128 **acc)
{
  memset(out, 0, sizeof *out);
  out->k = k;
  out->d = d;
  *acc = kseg_calloc((size_t)k * (size_t)d + (size_t)k, sizeof **acc, "cluster sums");
  out->counts = kseg_calloc((size_t)k, sizeof *out->counts, "cluster counts");
  out->centroids = kseg_calloc((size_t)(k * d), sizeof *out->centroids, "centroids");
  out->mean = kseg_calloc((size_t)d, sizeof *out->mean, "mean");
  return *acc && out->counts && out->centroids && out->mean ? KSEG_OK : KSEG_ERR_IO;
}

/* Exact per-cluster sums from rows already in float64. */
static int cluster_stats_f64(MPI_Comm comm, const double *rows, int64_t n_local, int64_t d, const int32_t *labels,
                             int k, double max_abs, kseg_cluster_stats *out)
{
  kseg_fixed fx = kseg_fixed_for_bound(max_abs);
  kseg_i128 *acc = NULL;
  int st = kseg_comm_agree(comm, stats_alloc(k, d, out, &acc));
  const size_t nsum = (size_t)k * (size_t)d + (size_t)k;
  const stats_rows sr = {rows, labels, d, k, &fx};
  if (!st) st = kseg_comm_agree(comm, threads_sum(n_local, nsum, acc, &sr, stats_part));
  if (!st) st = stats_from_sums(comm, acc, &fx, k, d, out);
  free(acc);
  if (st) kseg_cluster_stats_clear(out);
  return st;
}

int kseg_cluster_stats_compute(MPI_Comm comm, const kseg_matrix *x, const int32_t *labels, int k,
                               kseg_cluster_stats *out)
{
  memset(out, 0, sizeof *out);
  const double *rows = NULL;
  double *owned = NULL;
  KSEG_CHECK(kseg_comm_agree(comm, check_labels(x, labels, k)));
  KSEG_CHECK(kseg_comm_agree(comm, rows_as_f64(x, &rows, &owned)));
  double m = 0;
  int st = kseg_comm_agree(comm, global_max_abs(comm, rows, x->n_local * x->d, &m));
  if (!st) st = cluster_stats_f64(comm, rows, x->n_local, x->d, labels, k, m, out);
  free(owned);
  return st;
}

int kseg_cluster_stats_by_blocks(MPI_Comm comm, const kseg_row_source *src, const int32_t *labels, int k,
                                 kseg_cluster_stats *out)
{
  memset(out, 0, sizeof *out);
  const int64_t n = src->n_local, d = src->d, B = src->block;
  const kseg_matrix shape = {.row0 = src->row0, .n_local = n, .d = d};
  KSEG_CHECK(kseg_comm_agree(comm, B < 1 ? kseg_error_set(KSEG_ERR_INPUT, "row blocks of %lld rows", (long long)B)
                                         : check_labels(&shape, labels, k)));
  double *v = kseg_malloc(sizeof(double) * (size_t)(n < B ? (n > 0 ? n : 1) : B) * (size_t)d, "row block");
  KSEG_CHECK(kseg_comm_agree(comm, v ? KSEG_OK : KSEG_ERR_IO));
  /* the same bound as from all the rows at once: a max is exact in any order */
  double m = 0.0;
  for (int64_t i0 = 0; i0 < n; i0 += B) {
    const int64_t i1 = n - i0 < B ? n : i0 + B;
    src->rows(src->ctx, i0, i1, v);
    const double bm = max_abs_of(v, (i1 - i0) * d);
    m = bm > m ? bm : m;
  }
  int st = kseg_comm_agree(comm, kseg_comm_max_f64(comm, &m, 1));
  const kseg_fixed fx = kseg_fixed_for_bound(m);
  kseg_i128 *acc = NULL;
  if (!st) st = kseg_comm_agree(comm, stats_alloc(k, d, out, &acc));
  const size_t nsum = (size_t)k * (size_t)d + (size_t)k;
  for (int64_t i0 = 0; !st && i0 < n; i0 += B) {
    const int64_t i1 = n - i0 < B ? n : i0 + B;
    src->rows(src->ctx, i0, i1, v);
    st = threads_sum(i1 - i0, nsum, acc, &(stats_rows){v, labels + i0, d, k, &fx}, stats_part);
  }
  st = kseg_comm_agree(comm, st); /* a rank short of memory for its threads' sums */
  if (!st) st = stats_from_sums(comm, acc, &fx, k, d, out);
  free(acc);
  free(v);
  if (st) kseg_cluster_stats_clear(out);
  return st;
}

static int need_two_clusters(const kseg_cluster_stats *s)
{
  if (s->k_present < 2 || s->k_present > s->n - 1)
    return kseg_error_set(KSEG_ERR_INPUT,
                          "the metric needs between 2 and n-1 non-empty clusters; got %d clusters for %lld rows",
                          s->k_present, (long long)s->n);
  return KSEG_OK;
}

/* The common start of the metrics: labels checked, rows as float64, the
 * global max |x| and the exact cluster statistics; with `two`, at least two
 * non-empty clusters and one row fewer than rows. *owned is freed by the
 * caller, as is *s. Collective; agreed. */
static int metric_setup(MPI_Comm comm, const kseg_matrix *x, const int32_t *labels, int k, bool two,
                        const double **rows, double **owned, double *max_abs, kseg_cluster_stats *s)
{
  *owned = NULL;
  memset(s, 0, sizeof *s);
  KSEG_CHECK(kseg_comm_agree(comm, check_labels(x, labels, k)));
  KSEG_CHECK(kseg_comm_agree(comm, rows_as_f64(x, rows, owned)));
  int st = kseg_comm_agree(comm, global_max_abs(comm, *rows, x->n_local * x->d, max_abs));
  if (!st) st = cluster_stats_f64(comm, *rows, x->n_local, x->d, labels, k, *max_abs, s);
  if (!st && two) st = kseg_comm_agree(comm, need_two_clusters(s));
  return st;
}

/* The rows, labels and centroids whose spread kseg_metrics_internal sums. */
typedef struct spread_rows {
  const double *rows;
  const int32_t *labels;
  const double *centroids;
  int64_t d;
  int k;
  const kseg_fixed *fsq, *fe;
} spread_rows;

/* Rows [i0, i1): per cluster the fixed-point sum of distances to the own
 * centroid (k), then the sum of squared distances (1). */
static void spread_part(const void *ctx, int64_t i0, int64_t i1, kseg_i128 *sums)
{
  const spread_rows *c = ctx;
  for (int64_t i = i0; i < i1; i++) {
    const int l = c->labels[i];
    const double d2 = sq_dist(c->rows + i * c->d, c->centroids + l * c->d, c->d);
    sums[c->k] += kseg_fixed_from(c->fsq, d2);
    sums[l] += kseg_fixed_from(c->fe, sqrt(d2));
  }
}

int kseg_metrics_internal(MPI_Comm comm, const kseg_matrix *x, const int32_t *labels, int k, double *inertia,
                          double *calinski_harabasz, double *davies_bouldin)
{
  const double *rows = NULL;
  double *owned = NULL, m = 0;
  const int64_t d = x->d;
  kseg_cluster_stats s;
  kseg_i128 *acc = NULL;
  int st = metric_setup(comm, x, labels, k, true, &rows, &owned, &m, &s);
  if (!st) {
    acc = kseg_calloc((size_t)k + 1, sizeof *acc, "metric sums");
    st = kseg_comm_agree(comm, acc ? KSEG_OK : KSEG_ERR_IO);
  }
  if (st) goto done;
  /* Squared distances are bounded by D (2 max|x|)^2, distances by its root. */
  double sq_bound = (double)d * 4.0 * m * m;
  kseg_fixed fsq = kseg_fixed_for_bound(sq_bound), fe = kseg_fixed_for_bound(sqrt(sq_bound));
  kseg_i128 *intra = acc; /* k: sum of distances to the own centroid */
  kseg_i128 *sse = acc + k;
  const spread_rows sr = {rows, labels, s.centroids, d, k, &fsq, &fe};
  st = kseg_comm_agree(comm, threads_sum(x->n_local, (size_t)k + 1, acc, &sr, spread_part));
  if (!st) st = kseg_comm_agree(comm, kseg_comm_sum_i128(comm, acc, (int64_t)k + 1));
  if (st) goto done;
  double intra_disp = kseg_fixed_to_double(&fsq, *sse);
  if (inertia) *inertia = intra_disp;
  if (calinski_harabasz) {
    double extra_disp = 0.0;
    for (int c = 0; c < k; c++)
      if (s.counts[c] > 0) extra_disp += (double)s.counts[c] * sq_dist(s.centroids + c * d, s.mean, d);
    double n = (double)s.n, kp = (double)s.k_present;
    *calinski_harabasz = intra_disp == 0.0 ? 1.0 : extra_disp * (n - kp) / (intra_disp * (kp - 1.0));
  }
  if (davies_bouldin) {
    /* scikit-learn: 0 when all intra distances or all centroid distances are ~0
     * (np.allclose, atol 1e-8); a zero centroid distance counts as infinite. */
    bool all_intra_zero = true, all_between_zero = true;
    double *mean_intra = kseg_calloc((size_t)k, sizeof *mean_intra, "intra distances");
    st = mean_intra ? KSEG_OK : KSEG_ERR_IO;
    for (int c = 0; c < k && !st; c++) {
      if (s.counts[c] == 0) continue;
      mean_intra[c] = kseg_fixed_to_double(&fe, intra[c]) / (double)s.counts[c];
      if (fabs(mean_intra[c]) > 1e-8) all_intra_zero = false;
      for (int o = 0; o < k; o++)
        if (s.counts[o] > 0 && sqrt(sq_dist(s.centroids + c * d, s.centroids + o * d, d)) > 1e-8)
          all_between_zero = false;
    }
    double score = 0.0;
    if (!st && !all_intra_zero && !all_between_zero) {
      for (int c = 0; c < k; c++) {
        if (s.counts[c] == 0) continue;
        double worst = 0.0;
        for (int o = 0; o < k; o++) {
          if (s.counts[o] == 0 || o == c) continue;
          double between = sqrt(sq_dist(s.centroids + c * d, s.centroids + o * d, d));
          double r = between == 0.0 ? 0.0 : (mean_intra[c] + mean_intra[o]) / between;
          worst = fmax(worst, r);
        }
        score += worst;
      }
      score /= (double)s.k_present;
    }
    free(mean_intra);
    st = kseg_comm_agree(comm, st);
    *davies_bouldin = score;
  }
done:
  free(acc);
  free(owned);
  kseg_cluster_stats_clear(&s);
  return st;
}

/* ---- silhouette ---- */

/* Sum over rows of the silhouette coefficient s_i (fixed point, bound 1),
 * from the per-cluster distance sums of each row. */
static kseg_i128 silhouette_row_sum(const kseg_i128 *acc, const int32_t *labels, int64_t n, int k,
                                    const int64_t *counts, const kseg_fixed *fe, const kseg_fixed *f1)
{
  kseg_i128 total = 0;
  for (int64_t i = 0; i < n; i++) {
    int own = labels[i];
    double s = 0.0;
    if (counts[own] > 1) {
      double a = kseg_fixed_to_double(fe, acc[i * k + own]) / (double)(counts[own] - 1);
      double b = INFINITY;
      for (int c = 0; c < k; c++)
        if (c != own && counts[c] > 0) b = fmin(b, kseg_fixed_to_double(fe, acc[i * k + c]) / (double)counts[c]);
      double den = fmax(a, b);
      s = den > 0.0 && isfinite(b) ? (b - a) / den : 0.0;
    }
    total += kseg_fixed_from(f1, s);
  }
  return total;
}

/* The exact silhouette gathers all rows on every rank (and takes each pair
 * once) while the rows, and the sums of every row, each fit in this; above
 * it, blocks go around a ring. */
#define SILHOUETTE_GATHER_BYTES ((size_t)64 << 20)

/* Every rank's `count` values of `type` (in rank order) into all, on every
 * rank. Collective; agreed. */
static int allgather_counted(MPI_Comm comm, const void *mine, int count, MPI_Datatype type, void *all)
{
  const int size = kseg_comm_size(comm);
  int *counts = kseg_calloc((size_t)size, sizeof *counts, "gather counts");
  int *displs = kseg_calloc((size_t)size, sizeof *displs, "gather offsets");
  int st = kseg_comm_agree(comm, (counts && displs) ? KSEG_OK : KSEG_ERR_IO);
  if (!st)
    st = kseg_comm_agree(comm, kseg_comm_check(MPI_Allgather(&count, 1, MPI_INT, counts, 1, MPI_INT, comm),
                                               "MPI_Allgather"));
  if (!st) {
    for (int r = 1; r < size; r++) displs[r] = displs[r - 1] + counts[r - 1];
    st = kseg_comm_agree(comm, kseg_comm_check(MPI_Allgatherv(mine, count, type, all, counts, displs, type, comm),
                                               "MPI_Allgatherv"));
  }
  free(counts);
  free(displs);
  return st;
}

/* Every rank's rows and labels (n_mine x d each, in rank order: global row
 * order) gathered whole on every rank: *all (n_total x d) and *all_lab, freed
 * by the caller. Collective; agreed. */
static int gather_rows(MPI_Comm comm, const double *mine, const int32_t *mine_labels, int64_t n_mine, int64_t d,
                       int64_t n_total, double **all, int32_t **all_lab)
{
  *all = kseg_malloc((size_t)(n_total * d + 1) * sizeof **all, "gathered rows");
  *all_lab = kseg_malloc((size_t)(n_total + 1) * sizeof **all_lab, "gathered labels");
  int st = (*all && *all_lab) ? KSEG_OK : KSEG_ERR_IO;
  if (!st && n_total * d > INT32_MAX)
    st = kseg_error_set(KSEG_ERR_INPUT, "%lld rows x %lld columns are too many to gather", (long long)n_total,
                        (long long)d);
  st = kseg_comm_agree(comm, st);
  if (!st) st = allgather_counted(comm, mine, (int)(n_mine * d), MPI_DOUBLE, *all);
  if (!st) st = allgather_counted(comm, mine_labels, (int)n_mine, MPI_INT32_T, *all_lab);
  if (st) {
    free(*all);
    free(*all_lab);
    *all = NULL;
    *all_lab = NULL;
  }
  return st;
}

/* Silhouette of n rows every rank holds whole (all, all_lab, in global row
 * order; counts: their cluster sizes; max_abs: the bound of their values the
 * fixed point is scaled for). Each rank adds its share of the pairs, each
 * pair once, to the sums of all rows (kseg_pairsum_sample); the exact sums
 * are totalled, then each rank scores its block of rows. */
static int silhouette_whole(MPI_Comm comm, const double *all, const int32_t *all_lab, int64_t n, int64_t d, int k,
                            const int64_t *counts, double max_abs, double *out)
{
  const int rank = kseg_comm_rank(comm), size = kseg_comm_size(comm);
  int64_t s0, sn;
  kseg_partition(n, size, rank, &s0, &sn);
  const kseg_fixed fe = kseg_fixed_for_bound(2.0 * max_abs * sqrt((double)d) + 1e-300), f1 = kseg_fixed_for_bound(1.0);
  kseg_i128 *acc = kseg_calloc((size_t)(n * k), sizeof *acc, "silhouette sums");
  int st = kseg_comm_agree(comm, acc ? KSEG_OK : KSEG_ERR_IO);
  if (!st) st = kseg_comm_agree(comm, kseg_pairsum_sample(all, all_lab, n, d, k, &fe, rank, size, acc));
  if (!st) st = kseg_comm_agree(comm, kseg_comm_sum_i128(comm, acc, n * k));
  kseg_i128 total = 0;
  if (!st) total = silhouette_row_sum(acc + s0 * k, all_lab + s0, sn, k, counts, &fe, &f1);
  free(acc);
  if (!st) st = kseg_comm_agree(comm, kseg_comm_sum_i128(comm, &total, 1));
  if (!st) *out = kseg_fixed_to_double(&f1, total) / (double)n;
  return st;
}

/* Silhouette of the rows `mine` (this rank's share of the rows evaluated)
 * where every rank passes its block of the reference rows around a ring.
 * counts: global cluster sizes of the reference rows. */
static int silhouette_ring(MPI_Comm comm, const double *mine, const int32_t *mine_labels, int64_t n_mine,
                           int64_t n_total, int64_t d, int k, const int64_t *counts, double max_abs, double *out)
{
  int rank = kseg_comm_rank(comm), size = kseg_comm_size(comm);
  int64_t biggest = n_total / size + (n_total % size ? 1 : 0);
  kseg_fixed fe = kseg_fixed_for_bound(2.0 * max_abs * sqrt((double)d) + 1e-300);
  kseg_fixed f1 = kseg_fixed_for_bound(1.0);
  kseg_i128 *acc = kseg_calloc((size_t)(n_mine * k), sizeof *acc, "silhouette sums");
  double *blk[2] = {kseg_malloc((size_t)(biggest * d) * sizeof(double), "ring block"),
                    kseg_malloc((size_t)(biggest * d) * sizeof(double), "ring block")};
  int32_t *lab[2] = {kseg_malloc((size_t)biggest * sizeof(int32_t), "ring labels"),
                     kseg_malloc((size_t)biggest * sizeof(int32_t), "ring labels")};
  int st = (acc && blk[0] && blk[1] && lab[0] && lab[1]) ? KSEG_OK : KSEG_ERR_IO;
  st = kseg_comm_agree(comm, st);
  if (st) goto done;
  memcpy(blk[0], mine, (size_t)(n_mine * d) * sizeof(double));
  memcpy(lab[0], mine_labels, (size_t)n_mine * sizeof(int32_t));
  int cur = 0;
  for (int step = 0; step < size; step++) {
    int owner = (rank - step + size) % size; /* whose block we hold now */
    int64_t r0, nb;
    kseg_partition(n_total, size, owner, &r0, &nb);
    st = kseg_comm_agree(comm, kseg_pairsum_accumulate(mine, n_mine, blk[cur], lab[cur], nb, d, k, &fe, acc));
    if (st) goto done;
    if (step == size - 1) break;
    int next = (rank + 1) % size, prev = (rank - 1 + size) % size;
    int64_t r1, nr;
    kseg_partition(n_total, size, (owner - 1 + size) % size, &r1, &nr);
    st = kseg_comm_sendrecv(comm, blk[cur], nb * d, next, blk[1 - cur], nr * d, prev, MPI_DOUBLE, sizeof(double), 0);
    if (!st)
      st = kseg_comm_sendrecv(comm, lab[cur], nb, next, lab[1 - cur], nr, prev, MPI_INT32_T, sizeof(int32_t), 1);
    st = kseg_comm_agree(comm, st);
    if (st) goto done;
    cur = 1 - cur;
  }
  kseg_i128 total = silhouette_row_sum(acc, mine_labels, n_mine, k, counts, &fe, &f1);
  st = kseg_comm_agree(comm, kseg_comm_sum_i128(comm, &total, 1));
  if (!st) *out = kseg_fixed_to_double(&f1, total) / (double)n_total;
done:
  free(acc);
  free(blk[0]);
  free(blk[1]);
  free(lab[0]);
  free(lab[1]);
  return st;
}

int kseg_metrics_silhouette_exact(MPI_Comm comm, const kseg_matrix *x, const int32_t *labels, int k,
                                  double *silhouette)
{
  const double *rows = NULL;
  double *owned = NULL, m = 0;
  kseg_cluster_stats s;
  int st = metric_setup(comm, x, labels, k, true, &rows, &owned, &m, &s);
  if (!st && (size_t)(x->n_global * x->d) * sizeof(double) <= SILHOUETTE_GATHER_BYTES &&
      (size_t)(x->n_global * k) * sizeof(kseg_i128) <= SILHOUETTE_GATHER_BYTES) {
    /* every rank holds all rows: each pair once */
    double *all = NULL;
    int32_t *all_lab = NULL;
    st = gather_rows(comm, rows, labels, x->n_local, x->d, x->n_global, &all, &all_lab);
    if (!st) st = silhouette_whole(comm, all, all_lab, x->n_global, x->d, k, s.counts, m, silhouette);
    free(all);
    free(all_lab);
  } else if (!st)
    st = silhouette_ring(comm, rows, labels, x->n_local, x->n_global, x->d, k, s.counts, m, silhouette);
  kseg_cluster_stats_clear(&s);
  free(owned);
  return st;
}

/* Number of local rows whose key is <= t. */
static int64_t count_at_most(const uint64_t *keys, int64_t n, uint64_t t)
{
  int64_t c = 0;
  for (int64_t i = 0; i < n; i++) c += keys[i] <= t;
  return c;
}

/* qsort's order of uint64_t. */
static int compare_u64(const void *a, const void *b)
{
  const uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return (x > y) - (x < y);
}

/* The k-th smallest (1-based, 1 <= k <= the global count) of every rank's
 * keys into *out: a histogram of the top 16 bits totalled across ranks finds
 * the bin that holds it, then that bin's keys (a few per rank for hashed
 * keys) are gathered and sorted. The same value as a binary search over
 * counts, in two passes over the keys instead of 64. Collective; agreed. */
static int kth_smallest_key(MPI_Comm comm, const uint64_t *keys, int64_t n, int64_t k, uint64_t *out)
{
  enum { BINS = 1 << 16 };
  int64_t *hist = kseg_calloc(BINS, sizeof *hist, "sample key histogram");
  uint64_t *mine = NULL, *all = NULL;
  int st = kseg_comm_agree(comm, hist ? KSEG_OK : KSEG_ERR_IO);
  if (st) goto done;
  for (int64_t i = 0; i < n; i++) hist[keys[i] >> 48]++;
  st = kseg_comm_agree(comm, kseg_comm_sum_i64(comm, hist, BINS));
  if (st) goto done;
  int bin = 0;
  int64_t before = 0; /* keys in the bins below `bin` */
  while (bin < BINS - 1 && before + hist[bin] < k) before += hist[bin++];
  int64_t m = 0;
  for (int64_t i = 0; i < n; i++) m += (int)(keys[i] >> 48) == bin;
  mine = kseg_malloc((size_t)(m + 1) * sizeof *mine, "sample keys");
  all = kseg_malloc((size_t)(hist[bin] + 1) * sizeof *all, "sample keys");
  st = (mine && all) ? KSEG_OK : KSEG_ERR_IO;
  if (!st && hist[bin] > INT32_MAX)
    st = kseg_error_set(KSEG_ERR_INPUT, "%lld sample keys share one bin", (long long)hist[bin]);
  st = kseg_comm_agree(comm, st);
  if (st) goto done;
  m = 0;
  for (int64_t i = 0; i < n; i++)
    if ((int)(keys[i] >> 48) == bin) mine[m++] = keys[i];
  st = allgather_counted(comm, mine, (int)m, MPI_UINT64_T, all);
  if (st) goto done;
  qsort(all, (size_t)hist[bin], sizeof *all, compare_u64);
  *out = all[k - before - 1];
done:
  free(hist);
  free(mine);
  free(all);
  return st;
}

int kseg_metrics_silhouette_sampled(MPI_Comm comm, const kseg_matrix *x, const int32_t *labels, int k,
                                    int64_t sample, uint64_t seed, double *silhouette)
{
  if (sample >= x->n_global) return kseg_metrics_silhouette_exact(comm, x, labels, k, silhouette);
  if (sample < 2)
    return kseg_comm_agree(comm, kseg_error_set(KSEG_ERR_INPUT, "silhouette sample must be at least 2 rows"));
  const double *rows = NULL;
  double *owned = NULL;
  KSEG_CHECK(kseg_comm_agree(comm, check_labels(x, labels, k)));
  KSEG_CHECK(kseg_comm_agree(comm, rows_as_f64(x, &rows, &owned)));
  const int64_t d = x->d, n = x->n_local;
  uint64_t *keys = kseg_malloc((size_t)n * sizeof *keys, "sample keys");
  double *picked = NULL, *all = NULL;
  int32_t *picked_lab = NULL, *all_lab = NULL;
  int64_t *kcounts = NULL;
  int st = keys ? KSEG_OK : KSEG_ERR_IO;
  if (!st && (sample * d > INT32_MAX))
    st = kseg_error_set(KSEG_ERR_INPUT, "silhouette sample of %lld rows x %lld columns is too large",
                        (long long)sample, (long long)d);
  st = kseg_comm_agree(comm, st);
  if (st) goto done;
  /* The sample: the `sample` rows with the smallest key, a hash of the global
   * row index; ties at the threshold broken by lowest global index. */
  kseg_rng_key key = {seed, KSEG_STREAM_SAMPLE};
  for (int64_t i = 0; i < n; i++) keys[i] = kseg_rng_u64(key, (uint64_t)(x->row0 + i), 0);
  uint64_t lo = 0; /* smallest t with count(key <= t) >= sample: the sample-th smallest key */
  st = kth_smallest_key(comm, keys, n, sample, &lo);
  if (st) goto done;
  int64_t below = lo > 0 ? count_at_most(keys, n, lo - 1) : 0, at = count_at_most(keys, n, lo) - below;
  int64_t below_total = below;
  st = kseg_comm_agree(comm, kseg_comm_sum_i64(comm, &below_total, 1));
  if (st) goto done;
  kseg_i128 at_before = 0;
  st = kseg_comm_agree(comm, kseg_comm_exscan_i128(comm, at, &at_before));
  if (st) goto done;
  int64_t room = sample - below_total - (int64_t)at_before; /* ties this rank may take */
  int64_t take_at = room <= 0 ? 0 : (room < at ? room : at);
  int64_t mine = below + take_at;
  picked = kseg_malloc((size_t)(mine * d + 1) * sizeof *picked, "sample rows");
  picked_lab = kseg_malloc((size_t)(mine + 1) * sizeof *picked_lab, "sample labels");
  kcounts = kseg_calloc((size_t)k, sizeof *kcounts, "sample cluster sizes");
  st = kseg_comm_agree(comm, (picked && picked_lab && kcounts) ? KSEG_OK : KSEG_ERR_IO);
  if (st) goto done;
  int64_t p = 0;
  for (int64_t i = 0; i < n; i++) {
    bool take = keys[i] < lo || (keys[i] == lo && take_at > 0);
    if (keys[i] == lo && take_at > 0) take_at--;
    if (!take) continue;
    memcpy(picked + p * d, rows + i * d, (size_t)d * sizeof(double));
    picked_lab[p++] = labels[i];
  }
  st = gather_rows(comm, picked, picked_lab, mine, d, sample, &all, &all_lab);
  if (st) goto done;
  /* Every rank now holds the whole sample in global row order. */
  for (int64_t i = 0; i < sample; i++) kcounts[all_lab[i]]++;
  int kp = 0;
  for (int c = 0; c < k; c++) kp += kcounts[c] > 0;
  const double m = max_abs_of(all, sample * d);
  if (kp < 2 || kp > sample - 1) {
    st = kseg_comm_agree(comm, kseg_error_set(KSEG_ERR_INPUT, "the silhouette sample holds %d clusters; it "
                                                              "needs between 2 and sample-1", kp));
    goto done;
  }
  st = silhouette_whole(comm, all, all_lab, sample, d, k, kcounts, m, silhouette);
done:
  free(keys);
  free(picked);
  free(picked_lab);
  free(all);
  free(all_lab);
  free(kcounts);
  free(owned);
  return st;
}

int kseg_metrics_silhouette_sqeuclidean(MPI_Comm comm, const kseg_matrix *x, const int32_t *labels, int k,
                                        double *silhouette)
{
  const double *rows = NULL;
  double *owned = NULL, m = 0;
  const int64_t d = x->d;
  kseg_cluster_stats s;
  kseg_i128 *acc = NULL;
  double *sq_mean = NULL;
  int st = metric_setup(comm, x, labels, k, true, &rows, &owned, &m, &s);
  if (!st) {
    acc = kseg_calloc((size_t)k + 1, sizeof *acc, "norm sums");
    sq_mean = kseg_calloc((size_t)k, sizeof *sq_mean, "norm means");
    st = kseg_comm_agree(comm, (acc && sq_mean) ? KSEG_OK : KSEG_ERR_IO);
  }
  if (st) goto done;
  /* Spark: per cluster N_k, Psi_k = sum y (here the exact centroid), and
   * Y_k = sum |y|^2; the mean squared distance of x to cluster k is
   * |x|^2 + Y_k/N_k - 2 x.Psi_k/N_k. */
  kseg_fixed fn = kseg_fixed_for_bound((double)d * m * m), f1 = kseg_fixed_for_bound(1.0);
  for (int64_t i = 0; i < x->n_local; i++) {
    double nrm = 0.0;
    for (int64_t j = 0; j < d; j++) nrm += rows[i * d + j] * rows[i * d + j];
    acc[labels[i]] += kseg_fixed_from(&fn, nrm);
  }
  st = kseg_comm_agree(comm, kseg_comm_sum_i128(comm, acc, k));
  if (st) goto done;
  for (int c = 0; c < k; c++)
    if (s.counts[c] > 0) sq_mean[c] = kseg_fixed_to_double(&fn, acc[c]) / (double)s.counts[c];
  kseg_i128 total = 0;
  for (int64_t i = 0; i < x->n_local; i++) {
    const double *xi = rows + i * d;
    int own = labels[i];
    if (s.counts[own] == 1) continue; /* s = 0 */
    double nrm = 0.0;
    for (int64_t j = 0; j < d; j++) nrm += xi[j] * xi[j];
    double a = 0.0, b = INFINITY;
    for (int c = 0; c < k; c++) {
      if (s.counts[c] == 0) continue;
      double dot = 0.0;
      for (int64_t j = 0; j < d; j++) dot += xi[j] * s.centroids[c * d + j];
      double avg = nrm + sq_mean[c] - 2.0 * dot;
      if (c == own) a = avg * (double)s.counts[c] / (double)(s.counts[c] - 1);
      else b = fmin(b, avg);
    }
    double coef = a < b ? 1.0 - a / b : (a > b ? b / a - 1.0 : 0.0);
    total += kseg_fixed_from(&f1, coef);
  }
  st = kseg_comm_agree(comm, kseg_comm_sum_i128(comm, &total, 1));
  if (!st) *silhouette = kseg_fixed_to_double(&f1, total) / (double)s.n;
done:
  free(acc);
  free(sq_mean);
  free(owned);
  kseg_cluster_stats_clear(&s);
  return st;
}
