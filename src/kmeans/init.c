/* init.c - initial centroids: greedy k-means++, k-means||, random
 * rows, given centroids. Nothing here gathers the data: potentials are exact
 * fixed-point integers, sampling searches a global cumulative sum built from
 * an exclusive scan of per-rank totals, and chosen rows travel from their
 * owner. Draws are keyed by step or global row index, never by rank. */
#include <limits.h>
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "kmeans/init.h"
#include "kmeans/internal.h"
#include "kmeans/kernels/kernels.h"
#include "kmeans/rows.h"
#include "kseg/kseg_error.h"

/* A row's potential: its distance to the nearest centre in fixed point
 * (scale) times its weight (NULL: 1); with no distances yet (closest NULL),
 * its weight. */
static inline kseg_i128 potential(const double *closest, const int64_t *weight, double scale, int64_t i)
{
  const int64_t w = weight ? weight[i] : 1;
  return closest ? (kseg_i128)(int64_t)rint(closest[i] * scale) * w : w;
}

/* Draw m rows with probability proportional to their potentials (this
 * rank's rows; local_total = their sum, total = the global sum): u =
 * uniform(key, index, t), the row is the first whose global cumulative
 * potential exceeds u x total, so rows of zero potential are never drawn.
 * When the total is zero (every row sits on a centroid) the row is uniform
 * over all N instead. Collective. */
static int sample_rows(MPI_Comm comm, const kseg_matrix *x, const double *closest, const int64_t *weight,
                       double scale, kseg_i128 local_total, kseg_i128 total, kseg_rng_key key, uint64_t index, int m,
                       int64_t *out)
{
  const int64_t n = x->n_global;
  if (total <= 0) {
    for (int t = 0; t < m; t++) {
      int64_t r = (int64_t)(kseg_rng_uniform(key, index, (uint64_t)t) * (double)n);
      out[t] = r < n ? r : n - 1;
    }
    return KSEG_OK;
  }
  kseg_i128 prefix = 0;
  KSEG_CHECK(kseg_comm_exscan_i128(comm, local_total, &prefix));
  /* The targets that fall in this rank's range, found in one scan of p in
   * increasing order of target (m <= 64: insertion sort). */
  kseg_i128 target[64];
  int order[64], mine = 0;
  for (int t = 0; t < m; t++) {
    const double u = kseg_rng_uniform(key, index, (uint64_t)t);
    kseg_i128 g = (kseg_i128)(u * (double)total);
    if (g >= total) g = total - 1;
    if (g < 0) g = 0;
    out[t] = -1;
    target[t] = g;
    if (g < prefix || g >= prefix + local_total) continue;
    int q = mine++;
    for (; q > 0 && target[order[q - 1]] > g; q--) order[q] = order[q - 1];
    order[q] = t;
  }
  kseg_i128 cum = prefix;
  for (int64_t i = 0, q = 0; i < x->n_local && q < mine; i++) {
    cum += potential(closest, weight, scale, i);
    for (; q < mine && cum > target[order[q]]; q++) out[order[q]] = x->row0 + i;
  }
  return kseg_comm_max_i64(comm, out, m);
}

/* k-means++ evaluates its candidates eight to a vector (kernels/seed.h):
 * each table holds up to 8 candidate rows transposed (d x 8 doubles). */
enum { PP_LANES = 8 };

/* Candidates rows[first .. first + m) (m <= 8, row-major d) into ct's lanes;
 * the other lanes repeat the first candidate. */
static void pp_table(const double *rows, int first, int m, int64_t d, double *ct)
{
  for (int64_t j = 0; j < d; j++)
    for (int t = 0; t < PP_LANES; t++) ct[j * PP_LANES + t] = rows[(first + (t < m ? t : 0)) * d + j];
}

/* Candidates per k-means++ step: scikit-learn's n_local_trials =
 * 2 + int(np.log(n_clusters)), <= 23 for any int32 k. */
static int pp_trials_of(int64_t k) { return 2 + (int)log((double)k); }

/* One run of k-means++ side by side with others: its draws, its rows'
 * distances to their nearest centre, its candidates. */
typedef struct pp_run {
  kseg_rng_key key;
  double *centroids; /* the caller's, k x d */
  int64_t *cand;     /* trials row indices */
  kseg_i128 local, total; /* sums of the potentials: this rank's, all */
} pp_run;

/* Greedy k-means++ with optional int64 row weights (NULL: 1 each), shared by
 * k-means++ and the final step of k-means||, for R runs side by side (run r
 * keyed by keys[r] into centroids[r]; R * (2 + ln k) <= 64): each step
 * draws every run's candidates, then one pass over the rows computes all
 * of them (kernels' pp_trials, candidates in the lanes), so the rows are
 * read once per step for all runs; a candidate's distances and sums are
 * what they are alone, so each run's centroids are too. A run's potentials
 * are never stored: the sampler computes each from the row's distance as it
 * scans. max_abs is the matrix's max |x| (negative: computed here).
 * Collective over comm. */
static int plusplus_runs(MPI_Comm comm, const kseg_matrix *x, const int64_t *weight, int64_t k,
                         const kseg_rng_key *keys, int R, double max_abs, double *const *centroids)
{
  const kseg_km_ops *ops;
  KSEG_CHECK(kseg_km_ops_for(x, &ops)); /* the same dtype on every rank: agreed */
  const int64_t d = x->d, nl = x->n_local;
  const int trials = pp_trials_of(k);
  const int all = R * trials;                  /* candidates per step, all runs */
  if (max_abs < 0) KSEG_CHECK(kseg_comm_agree(comm, kseg_km_max_abs(comm, x, &max_abs)));
  const kseg_fixed fd = kseg_km_dist_fixed(d, max_abs);
  const size_t nls = (size_t)(nl > 0 ? nl : 1);
  pp_run run[KSEG_KM_RUNS];
  memset(run, 0, sizeof run);
  double *rows = kseg_malloc((size_t)(all * d) * sizeof(double), "k-means++ candidates");
  kseg_i128 *pot = kseg_malloc((size_t)all * sizeof(kseg_i128), "k-means++ potentials");
  kseg_i128 *mine = kseg_malloc((size_t)all * sizeof(kseg_i128), "k-means++ potentials");
  const int blocks = (all + PP_LANES - 1) / PP_LANES;
  double *ct = kseg_malloc((size_t)(blocks * PP_LANES * d) * sizeof(double), "k-means++ candidates");
  /* Columns of row distances: each run's closest[r] and, after the first
   * centroid, each candidate's min(distance, closest) tc[t]; the chosen
   * candidate's column and its run's closest swap places. */
  const int columns = R + all;
  double *space = kseg_malloc(nls * (size_t)columns * sizeof(double), "k-means++ distances");
  double *closest[KSEG_KM_RUNS], *tc[64];
  int st = R >= 1 && R <= KSEG_KM_RUNS && all <= 64 && rows && pot && mine && ct && space ? KSEG_OK : KSEG_ERR_IO;
  for (int r = 0; r < R && st == KSEG_OK; r++) {
    run[r].key = keys[r];
    run[r].centroids = centroids[r];
    run[r].cand = kseg_malloc((size_t)trials * sizeof(int64_t), "k-means++ candidates");
    if (!run[r].cand) st = KSEG_ERR_IO;
  }
  KSEG_CHECK_GOTO(kseg_comm_agree(comm, st), st, done);
  for (int c = 0; c < columns; c++) {
    double *col = space + (size_t)c * nls;
    if (c < R) closest[c] = col;
    else tc[c - R] = col;
  }

  /* The first centroid of each run: a row drawn in proportion to its weight
   * (uniform when unweighted), then the rows' distances to it, for all
   * runs in one pass (the trial pass with one candidate per run and no
   * centre yet). Later centroids: trials candidates per run, drawn in
   * proportion to the rows' potentials. */
  kseg_i128 weights = 0;
  for (int64_t i = 0; i < nl; i++) weights += potential(NULL, weight, 0, i);
  kseg_i128 all_weights = weights;
  KSEG_CHECK_GOTO(kseg_comm_agree(comm, kseg_comm_sum_i128(comm, &all_weights, 1)), st, done);
  /* Unweighted (the common case), each value v <= 2^62 goes in as v >> 32
   * and its low 32 bits: int64 adds, exact for 2^31 rows per thread, far
   * cheaper than int128 multiply-adds. */
  const bool split = !weight && nl < ((int64_t)1 << 31);
  for (int64_t c = 0; c < k; c++) {
    const int per_run = c == 0 ? 1 : trials, step = R * per_run;
    for (int r = 0; r < R; r++) {
      pp_run *u = &run[r];
      if (c == 0) st = sample_rows(comm, x, NULL, weight, 0, weights, all_weights, u->key, 0, 1, u->cand);
      else st = sample_rows(comm, x, closest[r], weight, fd.scale, u->local, u->total, u->key, (uint64_t)c, trials,
                            u->cand);
      if (st == KSEG_OK) st = kseg_km_fetch_rows(comm, x, u->cand, per_run, rows + (int64_t)r * per_run * d);
      KSEG_CHECK_GOTO(kseg_comm_agree(comm, st), st, done);
    }
    /* Total potential if each candidate were added; integer sums, so the
     * thread order does not matter. */
    for (int t = 0; t < step; t++) pot[t] = 0;
    for (int b = 0; b * PP_LANES < step; b++)
      pp_table(rows, b * PP_LANES, step - b * PP_LANES < PP_LANES ? step - b * PP_LANES : PP_LANES, d,
               ct + b * PP_LANES * d);
#pragma omp parallel
    {
      kseg_i128 part[64] = {0};
      int64_t hi[64] = {0};
      uint64_t lo[64] = {0};
      int64_t i0, n;
      kseg_partition(nl, omp_get_num_threads(), omp_get_thread_num(), &i0, &n);
      ops->pp_trials(x->data, i0, i0 + n, d, ct, step, per_run, c == 0 ? NULL : (const double *const *)closest,
                     weight, split, fd.scale, part, hi, lo, tc);
      for (int t = 0; t < step; t++) part[t] += kseg_fixed_join(hi[t], lo[t]);
#pragma omp critical(kseg_kmeans_pp)
      for (int t = 0; t < step; t++) pot[t] += part[t];
    }
    memcpy(mine, pot, (size_t)step * sizeof(kseg_i128)); /* this rank's share, before the sum */
    KSEG_CHECK_GOTO(kseg_comm_agree(comm, kseg_comm_sum_i128(comm, pot, step)), st, done);
    for (int r = 0; r < R; r++) {
      pp_run *u = &run[r];
      const int g = r * per_run;
      int best = 0;
      for (int t = 1; t < per_run; t++)
        if (pot[g + t] < pot[g + best]) best = t;
      memcpy(u->centroids + c * d, rows + (int64_t)(g + best) * d, (size_t)d * sizeof(double));
      /* The chosen candidate's min(distance, closest) are the rows' new
       * distances to their nearest centre, and its sums their potentials'. */
      double *swap = closest[r];
      closest[r] = tc[g + best];
      tc[g + best] = swap;
      u->local = mine[g + best];
      u->total = pot[g + best];
    }
  }
done:
  for (int r = 0; r < R; r++) free(run[r].cand);
  free(rows);
  free(pot);
  free(mine);
  free(ct);
  free(space);
  return st;
}

static int plusplus_weighted(MPI_Comm comm, const kseg_matrix *x, const int64_t *weight, int64_t k,
                             kseg_rng_key key, double max_abs, double *centroids)
{
  return plusplus_runs(comm, x, weight, k, &key, 1, max_abs, &centroids);
}

int kseg_kmeans_plusplus(MPI_Comm comm, const kseg_matrix *x, int64_t k, kseg_rng_key key, double *centroids)
{
  return plusplus_weighted(comm, x, NULL, k, key, -1, centroids);
}

/* k-means|| (Bahmani et al. 2012): after a uniform first centroid, 5 rounds
 * in which every row is picked independently with probability
 * min(1, l d^2(x) / phi), l = 2k, by a uniform keyed by (round, global row);
 * picked rows are gathered on every rank in global row order (ranks hold
 * consecutive blocks). Each candidate is weighted by the number of rows
 * nearest to it (ties: lowest candidate), and greedy weighted k-means++ on
 * the candidates, computed identically on every rank, picks the k centroids.
 * With fewer than k candidates (tiny or degenerate data) it falls back to
 * k-means++ on all rows. Collective. */
/* closest[] and near[] of all local rows after the candidates cands[m0 .. m)
 * (kernels' par_nearest), on every thread; returns the local sum of the
 * fixed-point closest (exact: integers). Local. */
static kseg_i128 par_nearest(const kseg_km_ops *ops, const kseg_matrix *x, const double *cands, int64_t m0,
                             int64_t m, double *closest, int64_t *near, double scale)
{
  kseg_i128 local = 0;
#pragma omp parallel
  {
    int64_t i0, n;
    kseg_partition(x->n_local, omp_get_num_threads(), omp_get_thread_num(), &i0, &n);
    const kseg_i128 part = ops->par_nearest(x->data, i0, i0 + n, x->d, cands, m0, m, closest, near, scale);
#pragma omp critical(kseg_kmeans_par)
    local += part;
  }
  return local;
}

static int kmeans_par(MPI_Comm comm, const kseg_matrix *x, int64_t k, kseg_rng_key key, double max_abs,
                      double *centroids)
{
  const kseg_km_ops *ops;
  KSEG_CHECK(kseg_km_ops_for(x, &ops)); /* the same dtype on every rank: agreed */
  const int64_t d = x->d, nl = x->n_local;
  const int rounds = 5, nranks = kseg_comm_size(comm);
  const double l = 2.0 * (double)k;
  if (max_abs < 0) KSEG_CHECK(kseg_comm_agree(comm, kseg_km_max_abs(comm, x, &max_abs)));
  const kseg_fixed fd = kseg_km_dist_fixed(d, max_abs);
  const kseg_rng_key pick_key = {key.seed, kseg_rng_substream(key.stream, 1, 0)};
  const size_t nls = (size_t)(nl > 0 ? nl : 1);
  double *closest = kseg_malloc(nls * sizeof(double), "k-means|| distances");
  int64_t *near = kseg_malloc(nls * sizeof(int64_t), "k-means|| nearest candidate");
  int64_t *picked = kseg_malloc(nls * sizeof(int64_t), "k-means|| picks");
  int64_t *counts = kseg_malloc((size_t)nranks * sizeof(int64_t), "k-means|| counts");
  int *rcounts = kseg_malloc((size_t)nranks * sizeof(int), "k-means|| counts");
  int *displs = kseg_malloc((size_t)nranks * sizeof(int), "k-means|| counts");
  double *mine = NULL, *cands = NULL;
  int64_t *weight = NULL;
  int64_t m = 1, cap = 1 + 2 * k;
  cands = kseg_malloc((size_t)(cap * d) * sizeof(double), "k-means|| candidates");
  int st = (closest && near && picked && counts && rcounts && displs && cands) ? KSEG_OK : KSEG_ERR_IO;
  /* Picked rows travel as whole rows (one datatype of d doubles), so MPI's
   * int counts and displacements count rows, not values. */
  MPI_Datatype row_type = MPI_DATATYPE_NULL;
  if (st == KSEG_OK && d > INT_MAX) st = kseg_error_set(KSEG_ERR_INPUT, "%lld columns are too many", (long long)d);
  if (st == KSEG_OK) st = kseg_comm_check(MPI_Type_contiguous((int)d, MPI_DOUBLE, &row_type), "MPI_Type_contiguous");
  if (st == KSEG_OK) st = kseg_comm_check(MPI_Type_commit(&row_type), "MPI_Type_commit");
  KSEG_CHECK_GOTO(kseg_comm_agree(comm, st), st, done);

  kseg_i128 local = nl, total = x->n_global;
  int64_t first = 0;
  st = sample_rows(comm, x, NULL, NULL, 0, local, total, key, 0, 1, &first);
  if (st == KSEG_OK) st = kseg_km_fetch_rows(comm, x, &first, 1, cands);
  KSEG_CHECK_GOTO(kseg_comm_agree(comm, st), st, done);
  local = par_nearest(ops, x, cands, 0, 1, closest, near, fd.scale);
  total = local;
  KSEG_CHECK_GOTO(kseg_comm_agree(comm, kseg_comm_sum_i128(comm, &total, 1)), st, done);

  for (int r = 0; r < rounds && total > 0; r++) {
    int64_t n_pick = 0;
    for (int64_t i = 0; i < nl; i++) {
      const double prob = l * (double)kseg_km_fix(&fd, closest[i]) / (double)total;
      if (kseg_rng_uniform(pick_key, (uint64_t)(x->row0 + i), (uint64_t)r) < prob) picked[n_pick++] = i;
    }
    st = kseg_comm_check(MPI_Allgather(&n_pick, 1, MPI_INT64_T, counts, 1, MPI_INT64_T, comm), "MPI_Allgather");
    int64_t added = 0;
    for (int q = 0; q < nranks && st == KSEG_OK; q++) added += counts[q];
    if (st == KSEG_OK && m + added > INT_MAX)
      st = kseg_error_set(KSEG_ERR_INPUT, "k-means|| drew too many candidates (%lld)", (long long)(m + added));
    if (st == KSEG_OK && m + added > cap) {
      cap = m + added;
      double *grown = realloc(cands, (size_t)(cap * d) * sizeof(double));
      if (!grown) st = kseg_error_nomem("k-means|| candidates", (size_t)(cap * d) * sizeof(double));
      else cands = grown;
    }
    free(mine);
    mine = st == KSEG_OK ? kseg_malloc((size_t)(n_pick > 0 ? n_pick * d : 1) * sizeof(double), "k-means|| picks") : NULL;
    if (st == KSEG_OK && !mine) st = KSEG_ERR_IO;
    KSEG_CHECK_GOTO(kseg_comm_agree(comm, st), st, done);
    for (int64_t t = 0; t < n_pick; t++) ops->row_double(x->data, picked[t], d, mine + t * d);
    int off = 0; /* in rows: m + added <= INT_MAX */
    for (int q = 0; q < nranks; q++) {
      rcounts[q] = (int)counts[q];
      displs[q] = off;
      off += rcounts[q];
    }
    st = kseg_comm_check(MPI_Allgatherv(mine, (int)n_pick, row_type, cands + m * d, rcounts, displs, row_type, comm),
                         "MPI_Allgatherv (k-means|| candidates)");
    KSEG_CHECK_GOTO(kseg_comm_agree(comm, st), st, done);
    const int64_t m0 = m;
    m += added;
    local = par_nearest(ops, x, cands, m0, m, closest, near, fd.scale);
    total = local;
    KSEG_CHECK_GOTO(kseg_comm_agree(comm, kseg_comm_sum_i128(comm, &total, 1)), st, done);
  }

  if (m < k) {
    st = plusplus_weighted(comm, x, NULL, k, key, max_abs, centroids);
    goto done;
  }
  weight = kseg_calloc((size_t)m, sizeof(int64_t), "k-means|| weights");
  KSEG_CHECK_GOTO(kseg_comm_agree(comm, weight ? KSEG_OK : KSEG_ERR_IO), st, done);
  for (int64_t i = 0; i < nl; i++) weight[near[i]]++;
  KSEG_CHECK_GOTO(kseg_comm_agree(comm, kseg_comm_sum_i64(comm, weight, m)), st, done);
  /* Every rank holds the same candidates and weights and draws the same
   * numbers, so the weighted k-means++ runs redundantly on MPI_COMM_SELF and
   * all ranks reach the same centroids without further communication. */
  kseg_matrix cm = {.n_global = m, .row0 = 0, .n_local = m, .d = d, .dtype = KSEG_F64, .data = cands};
  st = plusplus_weighted(MPI_COMM_SELF, &cm, weight, k, key, -1, centroids);
  st = kseg_comm_agree(comm, st);
done:
  if (row_type != MPI_DATATYPE_NULL) {
    const int freed = kseg_comm_check(MPI_Type_free(&row_type), "MPI_Type_free");
    if (st == KSEG_OK) st = freed; /* local: the caller agrees */
  }
  free(closest);
  free(near);
  free(picked);
  free(counts);
  free(rcounts);
  free(displs);
  free(mine);
  free(cands);
  free(weight);
  return st;
}

/* k distinct rows, uniform over global row indices (Floyd's algorithm),
 * keyed by draw number only, so every rank picks the same rows. */
static int random_rows(MPI_Comm comm, const kseg_matrix *x, int64_t k, kseg_rng_key key, double *centroids)
{
  int64_t *idx = kseg_malloc((size_t)k * sizeof(int64_t), "random rows");
  KSEG_CHECK(kseg_comm_agree(comm, idx ? KSEG_OK : KSEG_ERR_IO));
  const int64_t n = x->n_global;
  for (int64_t t = 0, j = n - k; j < n; j++, t++) {
    const int64_t r = (int64_t)(kseg_rng_u64(key, (uint64_t)t, 0) % (uint64_t)(j + 1));
    bool seen = false;
    for (int64_t s = 0; s < t && !seen; s++) seen = idx[s] == r;
    idx[t] = seen ? j : r;
  }
  int st = kseg_km_fetch_rows(comm, x, idx, k, centroids);
  free(idx);
  return kseg_comm_agree(comm, st);
}

/* A restart's draws, keyed by (seed, k, restart) so a sweep's runs are
 * independent and any one of them can be reproduced alone. */
static kseg_rng_key init_key(const kseg_kmeans_options *opt, int restart)
{
  return (kseg_rng_key){opt->seed, kseg_rng_substream(KSEG_STREAM_INIT, (uint64_t)opt->k, (uint64_t)restart)};
}

/* k-means++ side by side holds each run's distances, potentials and trial
 * distances (8 + 8 (2 + ln k) bytes per row) at once: as many runs as
 * fit in this many bytes per rank, at least one. */
#define KSEG_KM_SEED_BYTES ((int64_t)512 << 20)

int kseg_km_init_restarts(MPI_Comm comm, const kseg_matrix *x, const kseg_kmeans_options *opt, int restart0, int R,
                          double *const *centroids)
{
  int side = 1;
  if (opt->init == KSEG_INIT_KMEANSPP) {
    const int trials = pp_trials_of(opt->k);
    /* the same on every rank (the largest share of rows), so every rank
     * makes the same calls */
    const int64_t size = kseg_comm_size(comm), rows = (x->n_global + size - 1) / size;
    const int64_t per_run = (rows > 0 ? rows : 1) * (8 + 8 * (int64_t)trials);
    side = R < 64 / trials ? R : 64 / trials;
    if (side > KSEG_KM_SEED_BYTES / per_run) side = (int)(KSEG_KM_SEED_BYTES / per_run);
    if (side > KSEG_KM_RUNS) side = KSEG_KM_RUNS;
  }
  if (side <= 1) {
    for (int q = 0; q < R; q++) KSEG_CHECK(kseg_kmeans_init_centroids(comm, x, opt, restart0 + q, centroids[q]));
    return KSEG_OK;
  }
  const double max_abs = opt->facts ? opt->facts->max_abs : -1;
  for (int q0 = 0, n; q0 < R; q0 += n) {
    n = R - q0 < side ? R - q0 : side;
    kseg_rng_key keys[KSEG_KM_RUNS];
    for (int q = 0; q < n; q++) keys[q] = init_key(opt, restart0 + q0 + q);
    KSEG_CHECK(kseg_comm_agree(comm, plusplus_runs(comm, x, NULL, opt->k, keys, n, max_abs, centroids + q0)));
  }
  return KSEG_OK;
}

int kseg_kmeans_init_centroids(MPI_Comm comm, const kseg_matrix *x, const kseg_kmeans_options *opt, int restart,
                               double *centroids)
{
  const int64_t k = opt->k;
  const kseg_rng_key key = init_key(opt, restart);
  const double max_abs = opt->facts ? opt->facts->max_abs : -1;
  switch (opt->init) {
  case KSEG_INIT_GIVEN:
    memcpy(centroids, opt->init_centroids, (size_t)(k * x->d) * sizeof(double));
    return KSEG_OK;
  case KSEG_INIT_KMEANSPP:
    return kseg_comm_agree(comm, plusplus_weighted(comm, x, NULL, k, key, max_abs, centroids));
  case KSEG_INIT_KMEANS_PAR: return kseg_comm_agree(comm, kmeans_par(comm, x, k, key, max_abs, centroids));
  case KSEG_INIT_RANDOM: return random_rows(comm, x, k, key, centroids);
  }
  return kseg_comm_agree(comm, kseg_error_set(KSEG_ERR_INPUT, "unknown k-means init %d", (int)opt->init));
}
