/* segments/rules/rules.c - building the rules of a segmentation
 * (kseg_rules.h): the candidate thresholds, the rows' bins, the tree
 * (tree.c), thresholds in original units, and what the rules achieve
 * (fidelity, price). Applying them to rows: kseg_rules_assign. */
#include "kseg/kseg_rules.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kseg/kseg_comm.h"
#include "kseg/kseg_error.h"
#include "kseg/kseg_fixed.h"
#include "kseg/kseg_metrics.h"
#include "kseg/kseg_stats.h"
#include "kseg/kseg_strings.h"
#include "segments/rules/internal.h"

void kseg_rules_free(kseg_rules **rp)
{
  if (!rp || !*rp) return;
  kseg_rules *r = *rp;
  for (int f = 0; f < r->n_features; f++) {
    kseg_rules_feature *x = &r->features[f];
    free(x->name);
    free(x->why_not);
    free(x->definition);
    free(x->sql);
    free(x->bounds);
    free(x->column);
    kseg_strings_free(&x->levels, x->n_levels);
    free(x->level_value);
  }
  free(r->features);
  free(r->nodes);
  free(r->segment_size);
  free(r->rule_size);
  free(r->rule_agree);
  free(r);
  *rp = NULL;
}

/* The leaf a row of derived values v[F] reaches. */
static int walk(const kseg_rules *r, const double *v)
{
  int id = 0;
  while (r->nodes[id].left >= 0) {
    const kseg_rules_node *nd = &r->nodes[id];
    id = v[nd->feature] < nd->threshold ? nd->left : nd->right;
  }
  return id;
}

/* Rows per block when the rules go through the derived values: they are
 * computed a block at a time (kseg_prep_transform_bound) rather than held
 * for every row, which had cost 8 bytes per row and feature at the peak of
 * a run. */
#define RULES_BLOCK 8192

/* The end of the block of rows that starts at row i0 of n. */
static int64_t block_end(int64_t i0, int64_t n)
{
  return n - i0 < RULES_BLOCK ? n : i0 + RULES_BLOCK;
}

int kseg_rules_assign(const kseg_rules *r, const kseg_prep_model *prep, const kseg_table *raw, int32_t *segment)
{
  if (prep->n_features != r->n_features)
    return kseg_error_set(KSEG_ERR_INPUT, "the rules were built on %d features, the preparation has %d",
                          r->n_features, prep->n_features);
  const int F = prep->n_features;
  const int64_t n = raw->n_local;
  kseg_prep_bound *pb = NULL;
  KSEG_CHECK(kseg_prep_bind(prep, raw, &pb));
  double *v = kseg_malloc(sizeof(double) * (size_t)RULES_BLOCK * (size_t)F, "derived values");
  for (int64_t i0 = 0; v && i0 < n; i0 += RULES_BLOCK) {
    const int64_t i1 = block_end(i0, n);
    kseg_prep_transform_bound(pb, 2, i0, i1, v); /* stage 2: derived, then imputed */
#pragma omp parallel for schedule(static)
    for (int64_t i = i0; i < i1; i++) segment[i] = r->nodes[walk(r, v + (i - i0) * F)].segment;
  }
  const int st = v ? KSEG_OK : KSEG_ERR_IO;
  kseg_prep_unbind(pb);
  free(v);
  return st;
}

static int by_value(const void *a, const void *b)
{
  const double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

/* Candidate thresholds of the usable features: the exact quantiles at
 * i / bins and the midpoints between consecutive distinct centroid
 * coordinates, sorted, without repeats. Collective. */
static int make_candidates(MPI_Comm comm, const kseg_matrix *x, const double *centroids, int k, int nu,
                           const int *uf, int bins, int *n_cand, double **cand)
{
  const int nq = bins - 1;
  double *q = kseg_malloc(sizeof(double) * (size_t)(nq + 1), "rules quantiles");
  double *qv = kseg_malloc(sizeof(double) * (size_t)nu * (size_t)(nq + 1), "rules quantiles");
  kseg_stats_col *cols = kseg_malloc(sizeof *cols * (size_t)(nu + 1), "rules quantiles");
  int st = kseg_comm_agree(comm, q && qv && cols ? KSEG_OK : KSEG_ERR_IO);
  if (!st) {
    for (int i = 0; i < nq; i++) q[i] = (double)(i + 1) / (double)bins;
    for (int u = 0; u < nu; u++) cols[u] = (kseg_stats_col){(const double *)x->data + uf[u], x->d};
    st = kseg_stats_quantiles(comm, cols, nu, x->n_local, NULL, q, nq, qv);
  }
  double *cc = st ? NULL : kseg_malloc(sizeof(double) * (size_t)k, "rules candidates");
  if (!st && !cc) st = KSEG_ERR_IO;
  for (int u = 0; !st && u < nu; u++) {
    double *c = kseg_malloc(sizeof(double) * (size_t)(nq + k + 1), "rules candidates");
    if (!c) {
      st = KSEG_ERR_IO;
      break;
    }
    int n = 0;
    for (int i = 0; i < nq; i++)
      if (isfinite(qv[(size_t)u * nq + i])) c[n++] = qv[(size_t)u * nq + i];
    for (int s = 0; s < k; s++) cc[s] = centroids[(size_t)s * x->d + uf[u]];
    qsort(cc, (size_t)k, sizeof *cc, by_value);
    for (int s = 1; s < k; s++)
      if (cc[s] != cc[s - 1] && isfinite(cc[s] / 2 + cc[s - 1] / 2)) c[n++] = cc[s - 1] / 2 + cc[s] / 2;
    qsort(c, (size_t)n, sizeof *c, by_value);
    int m = 0;
    for (int i = 0; i < n; i++)
      if (m == 0 || c[i] != c[m - 1]) c[m++] = c[i];
    cand[u] = c;
    n_cand[u] = m;
  }
  free(cc);
  free(q);
  free(qv);
  free(cols);
  return kseg_comm_agree(comm, st);
}

/* Candidates below value v: a row goes left of candidate j when this is <= j. */
static uint16_t bin_of(const double *c, int n, double v)
{
  int lo = 0, hi = n;
  while (lo < hi) {
    int mid = (lo + hi) / 2;
    if (c[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  return (uint16_t)lo;
}

/* k-means cost (sum of squared distances to the partition's own means) of
 * the partition `part`, summed exactly. Collective. */
static int partition_cost(MPI_Comm comm, const kseg_matrix *x, const int32_t *part, int k, double *cost)
{
  kseg_cluster_stats cs = {0};
  KSEG_CHECK(kseg_cluster_stats_compute(comm, x, part, k, &cs));
  const int64_t n = x->n_local, d = x->d;
  double *d2 = kseg_malloc(sizeof(double) * (size_t)(n > 0 ? n : 1), "rules cost");
  int st = kseg_comm_agree(comm, d2 ? KSEG_OK : KSEG_ERR_IO);
  double bound = 0.0;
  if (!st) {
    const double *rows = x->data;
#pragma omp parallel for schedule(static) reduction(max : bound)
    for (int64_t i = 0; i < n; i++) {
      const double *c = cs.centroids + (int64_t)part[i] * d;
      double s = 0.0;
      for (int64_t j = 0; j < d; j++) {
        const double e = rows[i * d + j] - c[j];
        s += e * e;
      }
      d2[i] = s;
      bound = s > bound ? s : bound;
    }
    st = kseg_comm_agree(comm, kseg_comm_max_f64(comm, &bound, 1));
  }
  if (!st) {
    /* each term fits 62 bits; their int128 sum is exact in any order */
    const kseg_fixed fx = kseg_fixed_for_bound(bound);
    kseg_i128 sum = 0;
    for (int64_t i = 0; i < n; i++) sum += kseg_fixed_from(&fx, d2[i]);
    st = kseg_comm_agree(comm, kseg_comm_sum_i128(comm, &sum, 1));
    if (!st) *cost = kseg_fixed_to_double(&fx, sum);
  }
  free(d2);
  kseg_cluster_stats_clear(&cs);
  return st;
}

/* The derived values of rows [i0, i1) into v (stage 1 of the preparation,
 * then the missing ones imputed as the prep does), counting the missing
 * ones per feature in missing[F]. */
static void imputed_values(const kseg_prep_model *prep, const kseg_prep_bound *pb, int64_t i0, int64_t i1, double *v,
                           int64_t *missing)
{
  const int F = prep->n_features;
  kseg_prep_transform_bound(pb, 1, i0, i1, v);
  for (int64_t i = 0; i < (i1 - i0) * F; i += F)
    for (int f = 0; f < F; f++)
      if (isnan(v[i + f])) {
        missing[f]++;
        v[i + f] = prep->fill[f];
      }
}

/* The threshold in original units of every split: the largest derived value
 * of a customer left of the cut and the smallest right of it (over every
 * row, so the rule holds for any customer), then the shortest decimal
 * between them; and each feature's missing values, counted on the way.
 * The derived values a block of rows at a time, in v. Collective. */
static int raw_thresholds(MPI_Comm comm, kseg_rules *r, const kseg_prep_model *prep, const kseg_prep_bound *pb,
                          int64_t n, double *v, const int *uf, const uint16_t *bins, double *const *cand)
{
  const int F = prep->n_features;
  int n_split = 0;
  for (int id = 0; id < r->n_nodes; id++) n_split += r->nodes[id].left >= 0;
  double *lo = kseg_malloc(sizeof(double) * (size_t)(n_split + 1), "rules thresholds");
  double *hi = kseg_malloc(sizeof(double) * (size_t)(n_split + 1), "rules thresholds");
  int64_t *missing = kseg_calloc((size_t)F + 1, sizeof *missing, "rules missing");
  int st = lo && hi && missing ? KSEG_OK : KSEG_ERR_IO;
  for (int s = 0; !st && s < n_split; s++) lo[s] = -INFINITY, hi[s] = INFINITY;
  for (int64_t i0 = 0; !st && i0 < n; i0 += RULES_BLOCK) {
    const int64_t i1 = block_end(i0, n);
    imputed_values(prep, pb, i0, i1, v, missing);
    for (int id = 0, s = 0; id < r->n_nodes; id++) {
      const kseg_rules_node *nd = &r->nodes[id];
      if (nd->left < 0) continue;
      /* while growing, feature is the usable index and cut the candidate index */
      const int u = nd->feature, j = (int)nd->cut, f = uf[u];
      const uint16_t *b = bins + (size_t)u * (size_t)n;
      double a = lo[s], c = hi[s];
#pragma omp parallel for schedule(static) reduction(max : a) reduction(min : c)
      for (int64_t i = i0; i < i1; i++) {
        const double x = v[(i - i0) * F + f];
        if (b[i] <= j) a = x > a ? x : a;
        else c = x < c ? x : c;
      }
      lo[s] = a;
      hi[s] = c;
      s++;
    }
  }
  st = kseg_comm_agree(comm, st);
  if (!st) st = kseg_comm_max_f64(comm, lo, n_split);
  if (!st) st = kseg_comm_min_f64(comm, hi, n_split);
  if (!st) st = kseg_comm_sum_i64(comm, missing, F);
  st = kseg_comm_agree(comm, st);
  for (int f = 0; !st && f < F; f++) r->features[f].missing = missing[f];
  for (int id = 0, s = 0; !st && id < r->n_nodes; id++) {
    kseg_rules_node *nd = &r->nodes[id];
    if (nd->left < 0) continue;
    const int u = nd->feature, j = (int)nd->cut, f = uf[u];
    const double cut = cand[u][j];
    /* the cut read back through scale and log1p: where the rule would sit
     * between the two customers if the data were continuous */
    double aim = cut * prep->scale_by[f] + prep->center[f];
    if (prep->log1p[f]) aim = expm1(aim);
    kseg_rules_pick_threshold(lo[s], hi[s], aim, &nd->threshold, nd->threshold_text, sizeof nd->threshold_text);
    nd->feature = f;
    nd->cut = cut;
    s++;
  }
  free(lo);
  free(hi);
  free(missing);
  return st;
}

int kseg_rules_build(MPI_Comm comm, const kseg_prep_model *prep, const kseg_table *raw, const kseg_matrix *x,
                     const double *centroids, int k, const int32_t *labels, const kseg_rules_options *opt,
                     kseg_rules **out)
{
  *out = NULL;
  const int L = opt && opt->max_leaves ? opt->max_leaves : 2 * k;
  const int bins = opt && opt->bins ? opt->bins : KSEG_RULES_BINS;
  const int64_t n = raw->n_local;
  int st = KSEG_OK;
  if (k < 1) st = kseg_error_set(KSEG_ERR_INPUT, "rules need at least one segment (k = %d)", k);
  else if (L < k || L > 4 * k)
    st = kseg_error_set(KSEG_ERR_INPUT, "--rule-leaves %d is outside %d..%d: the tree needs a leaf per segment (k = %d) "
                        "and at most 4k leaves to stay readable", L, k, 4 * k, k);
  else if (bins < 2 || bins > 4096) st = kseg_error_set(KSEG_ERR_INPUT, "rules: %d quantile bins (2..4096)", bins);
  else if (prep->n_components > 0 || prep->autoencoder)
    st = kseg_error_set(KSEG_ERR_INPUT, "the model clusters %s, not the prepared features: no threshold on them can be "
                        "written in the raw columns' units, so there are no rules",
                        prep->autoencoder ? "autoencoder codes" : "PCA components");
  else if (x->dtype != KSEG_F64 || x->d != prep->n_features || x->n_local != n)
    st = kseg_error_set(KSEG_ERR_INPUT, "rules need the %lld rows' %d prepared features as float64 (got %lld x %lld)",
                        (long long)n, prep->n_features, (long long)x->n_local, (long long)x->d);
  for (int64_t i = 0; !st && i < n; i++)
    if (labels[i] < 0 || labels[i] >= k)
      st = kseg_error_set(KSEG_ERR_INPUT, "label %d of row %lld is outside [0, %d)", labels[i],
                          (long long)(raw->row0 + i), k);
  KSEG_CHECK(kseg_comm_agree(comm, st));

  const int F = prep->n_features;
  kseg_rules *r = kseg_calloc(1, sizeof *r, "rules");
  int *uf = kseg_calloc((size_t)F + 1, sizeof *uf, "rules features");
  int *n_cand = kseg_calloc((size_t)F + 1, sizeof *n_cand, "rules features");
  double **cand = kseg_calloc((size_t)F + 1, sizeof *cand, "rules features");
  kseg_prep_bound *pb = NULL;
  double *v = NULL;
  uint16_t *bin = NULL, *cbin = NULL;
  int32_t *node = NULL, *rule = NULL;
  int64_t *tally = NULL;
  int nu = 0;
  st = r && uf && n_cand && cand ? KSEG_OK : KSEG_ERR_IO;
  if (!st) {
    r->k = k;
    r->max_leaves = L;
    r->rows = raw->n_global;
    st = kseg_rules_describe(prep, raw, r);
  }
  KSEG_CHECK_GOTO(kseg_comm_agree(comm, st), st, fail);
  for (int f = 0; f < F; f++)
    if (r->features[f].usable) uf[nu++] = f;
  if (nu == 0)
    st = kseg_error_set(KSEG_ERR_INPUT, "no prepared feature can be written in the raw columns' units (%s: %s), so "
                        "there are no rules", r->features[0].name, r->features[0].why_not);
  KSEG_CHECK_GOTO(kseg_comm_agree(comm, st), st, fail);

  KSEG_CHECK_GOTO(make_candidates(comm, x, centroids, k, nu, uf, bins, n_cand, cand), st, fail);
  for (int u = 0; u < nu; u++)
    if (n_cand[u] >= 65535) st = kseg_error_set(KSEG_ERR_INPUT, "rules: %d candidate thresholds (k too large)", n_cand[u]);
  bin = kseg_malloc(sizeof *bin * (size_t)(n > 0 ? n : 1) * (size_t)nu, "rules bins");
  cbin = kseg_malloc(sizeof *cbin * (size_t)k * (size_t)nu, "rules bins");
  node = kseg_malloc(sizeof *node * (size_t)(n > 0 ? n : 1), "rules rows");
  rule = kseg_malloc(sizeof *rule * (size_t)(n > 0 ? n : 1), "rules rows");
  if (!st && !(bin && cbin && node && rule)) st = KSEG_ERR_IO;
  KSEG_CHECK_GOTO(kseg_comm_agree(comm, st), st, fail);
  const double *xd = x->data;
#pragma omp parallel for schedule(static)
  for (int u = 0; u < nu; u++)
    for (int64_t i = 0; i < n; i++) bin[(size_t)u * (size_t)n + i] = bin_of(cand[u], n_cand[u], xd[i * F + uf[u]]);
  for (int c = 0; c < k; c++)
    for (int u = 0; u < nu; u++) cbin[(size_t)c * nu + u] = bin_of(cand[u], n_cand[u], centroids[(size_t)c * F + uf[u]]);

  kseg_rules_grow g = {.comm = comm, .k = k, .nu = nu, .uf = uf, .n_cand = n_cand, .cand = cand, .n_local = n,
                       .labels = labels, .bins = bin, .cbin = cbin, .max_leaves = L};
  KSEG_CHECK_GOTO(kseg_rules_grow_tree(&g, r, node), st, fail);
  /* the derived values, a block of rows at a time */
  st = kseg_prep_bind(prep, raw, &pb);
  v = st ? NULL : kseg_malloc(sizeof(double) * (size_t)RULES_BLOCK * (size_t)F, "derived values");
  KSEG_CHECK_GOTO(kseg_comm_agree(comm, st ? st : v ? KSEG_OK : KSEG_ERR_IO), st, fail);
  KSEG_CHECK_GOTO(raw_thresholds(comm, r, prep, pb, n, v, uf, bin, cand), st, fail);
  free(bin);
  bin = NULL;

  /* what the written rules do: walk the derived values (what SQL computes),
   * tally leaf x segment, one reduction */
  const int N = r->n_nodes;
  tally = kseg_calloc((size_t)N * (size_t)k + 1, sizeof *tally, "rules counts");
  r->segment_size = kseg_calloc((size_t)k, sizeof *r->segment_size, "rules counts");
  r->rule_size = kseg_calloc((size_t)k, sizeof *r->rule_size, "rules counts");
  r->rule_agree = kseg_calloc((size_t)k, sizeof *r->rule_agree, "rules counts");
  st = tally && r->segment_size && r->rule_size && r->rule_agree ? KSEG_OK : KSEG_ERR_IO;
  KSEG_CHECK_GOTO(kseg_comm_agree(comm, st), st, fail);
  for (int64_t i0 = 0; i0 < n; i0 += RULES_BLOCK) {
    const int64_t i1 = block_end(i0, n);
    kseg_prep_transform_bound(pb, 2, i0, i1, v);
    for (int64_t i = i0; i < i1; i++) {
      const int leaf = walk(r, v + (i - i0) * F);
      rule[i] = r->nodes[leaf].segment;
      tally[(int64_t)leaf * k + labels[i]]++;
    }
  }
  KSEG_CHECK_GOTO(kseg_comm_agree(comm, kseg_comm_sum_i64(comm, tally, (int64_t)N * k)), st, fail);
  for (int id = N - 1; id >= 0; id--) {
    kseg_rules_node *nd = &r->nodes[id];
    nd->size = 0;
    if (nd->left >= 0) {
      nd->size = r->nodes[nd->left].size + r->nodes[nd->right].size; /* children come after their parent */
      continue;
    }
    r->n_leaves++;
    for (int s = 0; s < k; s++) {
      nd->size += tally[(int64_t)id * k + s];
      r->segment_size[s] += tally[(int64_t)id * k + s];
    }
    nd->in_segment = tally[(int64_t)id * k + nd->segment];
    r->rule_size[nd->segment] += nd->size;
    r->rule_agree[nd->segment] += nd->in_segment;
    r->agree += nd->in_segment;
  }
  r->fidelity = r->rows > 0 ? (double)r->agree / (double)r->rows : NAN;
  KSEG_CHECK_GOTO(partition_cost(comm, x, rule, k, &r->cost_tree), st, fail);
  KSEG_CHECK_GOTO(partition_cost(comm, x, labels, k, &r->cost_kmeans), st, fail);
  r->price = r->cost_kmeans > 0 ? r->cost_tree / r->cost_kmeans : NAN;
  *out = r;
  r = NULL;
fail:
  for (int u = 0; u < nu; u++) free(cand[u]);
  free(cand);
  free(n_cand);
  free(uf);
  kseg_prep_unbind(pb);
  free(v);
  free(bin);
  free(cbin);
  free(node);
  free(rule);
  free(tally);
  kseg_rules_free(&r);
  return st; /* agreed */
}
