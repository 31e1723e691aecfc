/* segments/rules/tree.c - growing the threshold tree (kseg_rules.h; the
 * definitions are in docs/rules.md).
 *
 * Rows never move: each rank keeps its rows' node ids and, per usable
 * feature, each row's bin (the number of candidate thresholds below its
 * value). A split "feature u <= candidate j" sends a row left exactly when its
 * bin is <= j, so every decision is made from integer tallies over bins:
 *
 *   IMM      per node of the current level, feature and candidate, the
 *            customers a cut there separates from their own centre; a row
 *            with bin p whose centre has bin q is a mistake for every
 *            candidate between min(p, q) and max(p, q) - 1, so it adds +1/-1 to
 *            a difference array and a prefix sum gives every candidate's count;
 *   expand   per leaf, feature, bin and segment, the customers there; the
 *            cumulative counts over bins give both sides of every cut.
 *
 * Each tally is summed over ranks with one reduction per level (IMM) or per
 * leaf batch (expansion). Threads split the features, never the rows of one
 * feature, so no per-thread copies of the tallies are needed. Integers sum
 * exactly, and ties go to the lower feature, then the lower candidate, so
 * the tree is the same for any number of ranks and threads. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kseg/kseg_comm.h"
#include "kseg/kseg_error.h"
#include "segments/rules/internal.h"

/* Histogram cells per leaf batch before a batch is cut in two (64 MiB). */
#define MAX_BATCH_CELLS ((int64_t)8 << 20)

typedef struct tree {
  const kseg_rules_grow *g;
  kseg_rules_node *nodes;
  int n, cap;
  uint8_t *centres;   /* cap x k: IMM centres held by the node */
  int64_t *counts;    /* cap x k: customers of each segment (leaves, once tallied) */
  int *pref;          /* cap: the segment a leaf prefers on a tie (its centre, its parent's segment) */
  /* the best expansion split of each leaf, once its histogram is known */
  int *best_u, *best_j;
  int64_t *best_gain;
  double *best_gini;
  int64_t *cand_off;  /* nu + 1: offset of each feature's bins (n_cand + 1 of them) */
  int64_t W;          /* bins over all features */
} tree;

static void tree_clear(tree *t)
{
  free(t->nodes);
  free(t->centres);
  free(t->counts);
  free(t->pref);
  free(t->best_u);
  free(t->best_j);
  free(t->best_gain);
  free(t->best_gini);
  free(t->cand_off);
  memset(t, 0, sizeof *t);
}

/* A new node (a leaf until split); its index or -1 (recorded) when out of memory. */
static int new_node(tree *t, int parent)
{
  const int k = t->g->k;
  if (t->n == t->cap) {
    int cap = t->cap ? 2 * t->cap : 16;
#define GROW(p, n)                                                                  \
    do {                                                                            \
      void *q_ = realloc((p), sizeof *(p) * (size_t)(n));                           \
      if (!q_) return kseg_error_nomem("rules tree", sizeof *(p) * (size_t)(n)), -1; \
      (p) = q_;                                                                     \
    } while (0)
    GROW(t->nodes, cap);
    GROW(t->centres, (size_t)cap * (size_t)k);
    GROW(t->counts, (size_t)cap * (size_t)k);
    GROW(t->pref, cap);
    GROW(t->best_u, cap);
    GROW(t->best_j, cap);
    GROW(t->best_gain, cap);
    GROW(t->best_gini, cap);
#undef GROW
    t->cap = cap;
  }
  const int id = t->n++;
  kseg_rules_node *nd = &t->nodes[id];
  memset(nd, 0, sizeof *nd);
  nd->parent = parent;
  nd->left = nd->right = -1;
  nd->depth = parent >= 0 ? t->nodes[parent].depth + 1 : 0;
  nd->feature = -1;
  nd->segment = -1;
  memset(&t->centres[(size_t)id * k], 0, (size_t)k);
  memset(&t->counts[(size_t)id * k], 0, sizeof(int64_t) * (size_t)k);
  t->pref[id] = 0;
  t->best_u[id] = -1;
  t->best_j[id] = -1;
  t->best_gain[id] = 0;
  t->best_gini[id] = 0;
  return id;
}

/* Split node `id` on usable feature u at candidate j: two children, the
 * centres shared out by their bins. Returns KSEG_OK or KSEG_ERR_IO. */
static int split_node(tree *t, int id, int u, int j, int imm)
{
  const kseg_rules_grow *g = t->g;
  const int k = g->k;
  int l = new_node(t, id);
  int r = l >= 0 ? new_node(t, id) : -1;
  if (r < 0) return KSEG_ERR_IO;
  kseg_rules_node *nd = &t->nodes[id];
  nd->feature = u;
  nd->cut = (double)j;
  nd->imm = imm;
  nd->left = l;
  nd->right = r;
  for (int c = 0; c < k; c++) {
    if (!t->centres[(size_t)id * k + c]) continue;
    int side = g->cbin[(size_t)c * g->nu + u] <= j ? l : r;
    t->centres[(size_t)side * k + c] = 1;
  }
  return KSEG_OK;
}

/* ---- IMM ---- */

/* The cut of each node of one level: difference arrays of mistakes per
 * (node, feature, candidate), one reduction, then the fewest mistakes that
 * separate the node's centres. Splits the nodes; rows follow. */
static int imm_level(tree *t, const int *level, int n_level, int32_t *node, int8_t *valid)
{
  const kseg_rules_grow *g = t->g;
  const int k = g->k, nu = g->nu;
  const int64_t n = g->n_local, W = t->W;
  int *slot = kseg_malloc(sizeof(int) * (size_t)t->n, "rules level");
  int64_t *diff = kseg_calloc((size_t)(n_level * W), sizeof(int64_t), "rules mistakes");
  int st = kseg_comm_agree(g->comm, slot && diff ? KSEG_OK : KSEG_ERR_IO);
  if (st) goto done;
  for (int i = 0; i < t->n; i++) slot[i] = -1;
  for (int a = 0; a < n_level; a++) slot[level[a]] = a;
#pragma omp parallel for schedule(dynamic, 1)
  for (int u = 0; u < nu; u++) {
    const uint16_t *b = g->bins + (size_t)u * (size_t)n;
    const int64_t off = t->cand_off[u];
    for (int64_t i = 0; i < n; i++) {
      const int a = slot[node[i]];
      if (a < 0 || !valid[i]) continue;
      const int p = b[i], q = g->cbin[(size_t)g->labels[i] * nu + u];
      if (p == q) continue;
      int64_t *d = diff + (int64_t)a * W + off;
      d[p < q ? p : q]++;
      d[p < q ? q : p]--;
    }
  }
  st = kseg_comm_agree(g->comm, kseg_comm_sum_i64(g->comm, diff, (int64_t)n_level * W));
  if (st) goto done;
  int *cut_u = kseg_malloc(sizeof(int) * (size_t)n_level * 2 + 1, "rules level");
  st = kseg_comm_agree(g->comm, cut_u ? KSEG_OK : KSEG_ERR_IO);
  if (st) goto done;
  int *cut_j = cut_u + n_level;
  for (int a = 0; a < n_level; a++) {
    const int id = level[a];
    int64_t best = INT64_MAX;
    cut_u[a] = cut_j[a] = -1;
    for (int u = 0; u < nu; u++) {
      /* the node's centres span bins lo..hi: a cut at j separates them when lo <= j < hi */
      int lo = INT32_MAX, hi = -1;
      for (int c = 0; c < k; c++)
        if (t->centres[(size_t)id * k + c]) {
          const int q = g->cbin[(size_t)c * nu + u];
          lo = q < lo ? q : lo;
          hi = q > hi ? q : hi;
        }
      const int64_t *d = diff + (int64_t)a * W + t->cand_off[u];
      int64_t run = 0;
      for (int j = 0; j < hi; j++) {
        run += d[j];
        if (j >= lo && run < best) {
          best = run;
          cut_u[a] = u;
          cut_j[a] = j;
        }
      }
    }
    t->nodes[id].mistakes = cut_u[a] >= 0 ? best : 0;
  }
  /* split (new nodes after every node of this level exists) */
  int *left_of = kseg_malloc(sizeof(int) * (size_t)n_level + 1, "rules level");
  st = left_of ? KSEG_OK : KSEG_ERR_IO;
  for (int a = 0; !st && a < n_level; a++) {
    left_of[a] = -1;
    if (cut_u[a] < 0) continue; /* centres that no candidate separates: the node stays a leaf */
    st = split_node(t, level[a], cut_u[a], cut_j[a], 1);
    if (!st) left_of[a] = t->nodes[level[a]].left;
  }
  st = kseg_comm_agree(g->comm, st);
  if (!st) {
#pragma omp parallel for schedule(static)
    for (int64_t i = 0; i < n; i++) {
      const int a = slot[node[i]];
      if (a < 0 || cut_u[a] < 0) continue;
      const int u = cut_u[a], j = cut_j[a];
      const int left = g->bins[(size_t)u * (size_t)n + i] <= j;
      const int centre_left = g->cbin[(size_t)g->labels[i] * nu + u] <= j;
      if (left != centre_left) valid[i] = 0; /* a mistake here: no longer counted below */
      node[i] = left ? left_of[a] : left_of[a] + 1;
    }
  }
  free(left_of);
  free(cut_u);
done:
  free(slot);
  free(diff);
  return st;
}

static int n_centres(const tree *t, int id)
{
  int c = 0;
  for (int s = 0; s < t->g->k; s++) c += t->centres[(size_t)id * t->g->k + s];
  return c;
}

static int grow_imm(tree *t, int32_t *node)
{
  const kseg_rules_grow *g = t->g;
  int8_t *valid = kseg_malloc((size_t)(g->n_local > 0 ? g->n_local : 1), "rules rows");
  int *level = kseg_malloc(sizeof(int) * (size_t)(2 * g->k + 2), "rules level");
  int st = kseg_comm_agree(g->comm, valid && level ? KSEG_OK : KSEG_ERR_IO);
  if (!st) {
    for (int64_t i = 0; i < g->n_local; i++) {
      valid[i] = 1;
      node[i] = 0;
    }
    int n_level = 0;
    if (n_centres(t, 0) >= 2) level[n_level++] = 0;
    while (!st && n_level > 0) {
      const int first_new = t->n;
      st = imm_level(t, level, n_level, node, valid);
      n_level = 0;
      for (int id = first_new; !st && id < t->n; id++)
        if (n_centres(t, id) >= 2) level[n_level++] = id;
    }
  }
  free(valid);
  free(level);
  return st;
}

/* ---- the expansion ---- */

/* The cut of a leaf from its histogram h[(cand_off[u] + p) * k + s]:
 * the most customers given their own segment (mistakes = customers outside
 * the side's majority segment), then the larger drop of the weighted Gini
 * impurity n - sum(c^2)/n, then the lower feature and candidate. */
static void best_cut(tree *t, int id, const int64_t *h, int64_t *left)
{
  const kseg_rules_grow *g = t->g;
  const int k = g->k;
  int64_t *total = &t->counts[(size_t)id * k];
  memset(total, 0, sizeof(int64_t) * (size_t)k);
  for (int64_t p = 0; p <= g->n_cand[0]; p++)
    for (int s = 0; s < k; s++) total[s] += h[p * k + s];
  int64_t nn = 0, top = 0;
  double sq = 0.0;
  for (int s = 0; s < k; s++) {
    nn += total[s];
    top = total[s] > top ? total[s] : top;
    sq += (double)total[s] * (double)total[s];
  }
  const int64_t parent_miss = nn - top;
  const double parent_gini = nn > 0 ? (double)nn - sq / (double)nn : 0.0;
  t->best_u[id] = t->best_j[id] = -1;
  t->best_gain[id] = 0;
  t->best_gini[id] = 0.0;
  for (int u = 0; u < g->nu; u++) {
    const int64_t *hu = h + t->cand_off[u] * k;
    memset(left, 0, sizeof(int64_t) * (size_t)k);
    int64_t nl = 0;
    for (int j = 0; j < g->n_cand[u]; j++) {
      for (int s = 0; s < k; s++) {
        left[s] += hu[(int64_t)j * k + s];
        nl += hu[(int64_t)j * k + s];
      }
      const int64_t nr = nn - nl;
      if (nl == 0 || nr == 0) continue;
      int64_t ml = 0, mr = 0;
      double ql = 0.0, qr = 0.0;
      for (int s = 0; s < k; s++) {
        const int64_t r = total[s] - left[s];
        ml = left[s] > ml ? left[s] : ml;
        mr = r > mr ? r : mr;
        ql += (double)left[s] * (double)left[s];
        qr += (double)r * (double)r;
      }
      const int64_t gain = parent_miss - ((nl - ml) + (nr - mr));
      const double gini = parent_gini - (((double)nl - ql / (double)nl) + ((double)nr - qr / (double)nr));
      if (gain > t->best_gain[id] || (gain == t->best_gain[id] && gain > 0 && gini > t->best_gini[id])) {
        t->best_gain[id] = gain;
        t->best_gini[id] = gini;
        t->best_u[id] = u;
        t->best_j[id] = j;
      }
    }
  }
}

/* The majority segment of a leaf (ties: the leaf's preferred segment, else
 * the lower id); a leaf nobody reaches keeps its preferred segment. */
static void label_leaf(tree *t, int id)
{
  const int k = t->g->k;
  const int64_t *c = &t->counts[(size_t)id * k];
  int best = t->pref[id];
  for (int s = 0; s < k; s++)
    if (c[s] > c[best]) best = s; /* strictly more: the preferred segment keeps a tie */
  t->nodes[id].segment = best;
}

/* Histograms of leaves leaf[0..nb), summed over ranks in batches of at most
 * MAX_BATCH_CELLS cells (one reduction each), then each leaf's counts,
 * segment and best cut. */
static int tally_leaves(tree *t, const int *leaf, int nb, const int32_t *node)
{
  const kseg_rules_grow *g = t->g;
  const int k = g->k, nu = g->nu;
  const int64_t n = g->n_local, per = t->W * k;
  int64_t fit = MAX_BATCH_CELLS / (per > 0 ? per : 1);
  if (fit < 1) fit = 1;
  int *slot = kseg_malloc(sizeof(int) * (size_t)t->n, "rules leaves");
  int64_t *rows = kseg_malloc(sizeof(int64_t) * (size_t)(n > 0 ? n : 1), "rules leaves");
  int64_t *left = kseg_malloc(sizeof(int64_t) * (size_t)k, "rules leaves");
  int st = kseg_comm_agree(g->comm, slot && rows && left ? KSEG_OK : KSEG_ERR_IO);
  for (int first = 0; !st && first < nb; first += (int)fit) {
    const int m = nb - first < fit ? nb - first : (int)fit;
    int64_t *h = kseg_calloc((size_t)(m * per), sizeof(int64_t), "rules histograms");
    st = kseg_comm_agree(g->comm, h ? KSEG_OK : KSEG_ERR_IO);
    if (st) break;
    for (int i = 0; i < t->n; i++) slot[i] = -1;
    for (int b = 0; b < m; b++) slot[leaf[first + b]] = b;
    int64_t n_rows = 0;
    for (int64_t i = 0; i < n; i++)
      if (slot[node[i]] >= 0) rows[n_rows++] = i;
#pragma omp parallel for schedule(dynamic, 1)
    for (int u = 0; u < nu; u++) {
      const uint16_t *bu = g->bins + (size_t)u * (size_t)n;
      const int64_t off = t->cand_off[u] * k;
      for (int64_t r = 0; r < n_rows; r++) {
        const int64_t i = rows[r];
        h[(int64_t)slot[node[i]] * per + off + (int64_t)bu[i] * k + g->labels[i]]++;
      }
    }
    st = kseg_comm_agree(g->comm, kseg_comm_sum_i64(g->comm, h, (int64_t)m * per));
    for (int b = 0; !st && b < m; b++) {
      best_cut(t, leaf[first + b], h + (int64_t)b * per, left);
      label_leaf(t, leaf[first + b]);
    }
    free(h);
  }
  free(slot);
  free(rows);
  free(left);
  return st;
}

static int grow_expansion(tree *t, int32_t *node)
{
  const kseg_rules_grow *g = t->g;
  const int k = g->k;
  int *leaves = kseg_malloc(sizeof(int) * (size_t)(t->n + 1), "rules leaves");
  int st = kseg_comm_agree(g->comm, leaves ? KSEG_OK : KSEG_ERR_IO);
  if (st) return st;
  int n_leaves = 0;
  for (int id = 0; id < t->n; id++)
    if (t->nodes[id].left < 0) {
      /* an IMM leaf prefers its centre (the lowest, if several could not be told apart) */
      for (int c = k - 1; c >= 0; c--)
        if (t->centres[(size_t)id * k + c]) t->pref[id] = c;
      leaves[n_leaves++] = id;
    }
  st = tally_leaves(t, leaves, n_leaves, node);
  free(leaves);
  while (!st) {
    int n_now = 0, pick = -1;
    for (int id = 0; id < t->n; id++) {
      if (t->nodes[id].left >= 0) continue;
      n_now++;
      if (t->best_u[id] < 0 || t->best_gain[id] <= 0) continue;
      if (pick < 0 || t->best_gain[id] > t->best_gain[pick] ||
          (t->best_gain[id] == t->best_gain[pick] && t->best_gini[id] > t->best_gini[pick]))
        pick = id;
    }
    if (n_now >= g->max_leaves || pick < 0) break; /* L leaves, or no split gives anyone their segment */
    const int u = t->best_u[pick], j = t->best_j[pick];
    st = kseg_comm_agree(g->comm, split_node(t, pick, u, j, 0));
    if (st) break;
    const int l = t->nodes[pick].left, r = t->nodes[pick].right;
    t->pref[l] = t->pref[r] = t->nodes[pick].segment;
    t->nodes[pick].segment = -1;
    const uint16_t *bu = g->bins + (size_t)u * (size_t)g->n_local;
#pragma omp parallel for schedule(static)
    for (int64_t i = 0; i < g->n_local; i++)
      if (node[i] == pick) node[i] = bu[i] <= j ? l : r;
    const int two[2] = {l, r};
    st = tally_leaves(t, two, 2, node);
  }
  return st;
}

int kseg_rules_grow_tree(const kseg_rules_grow *g, kseg_rules *r, int32_t *node)
{
  tree t = {.g = g};
  int st = KSEG_OK;
  t.cand_off = kseg_malloc(sizeof(int64_t) * (size_t)(g->nu + 1), "rules bins");
  if (!t.cand_off) st = KSEG_ERR_IO;
  for (int u = 0; !st && u <= g->nu; u++) t.cand_off[u] = u == 0 ? 0 : t.cand_off[u - 1] + g->n_cand[u - 1] + 1;
  if (!st) t.W = t.cand_off[g->nu];
  if (!st && new_node(&t, -1) < 0) st = KSEG_ERR_IO;
  for (int c = 0; !st && c < g->k; c++) t.centres[c] = 1;
  st = kseg_comm_agree(g->comm, st);
  if (!st) st = grow_imm(&t, node);
  if (!st) {
    for (int id = 0; id < t.n; id++) r->n_imm_leaves += t.nodes[id].left < 0;
    st = grow_expansion(&t, node);
  }
  if (!st) {
    r->nodes = t.nodes;
    r->n_nodes = t.n;
    t.nodes = NULL;
  }
  tree_clear(&t);
  return st; /* agreed */
}
