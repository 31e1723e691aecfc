/* warmstart.c - retraining from an old model: carried centroids, Hungarian
 * matching of segment ids, drift by a distributed join on customer keys. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kseg/kseg_ari.h"
#include "kseg/kseg_comm.h"
#include "kseg/kseg_error.h"
#include "kseg/kseg_json.h"
#include "kseg/kseg_kmeans.h"
#include "kseg/kseg_metrics.h"
#include "kseg/kseg_rng.h"
#include "kseg/kseg_warmstart.h"

/* Rows <= cols (the caller transposes otherwise). The shortest augmenting
 * path version with row/column potentials (Kuhn-Munkres as in Jonker &
 * Volgenant's dense form): O(rows^2 cols). 1-based arrays, p[j] = row on
 * column j (0 = free). */
static int hungarian_wide(int n, int m, const double *cost, int *assign)
{
  double *u = calloc((size_t)n + 1, sizeof *u), *v = calloc((size_t)m + 1, sizeof *v);
  double *minv = malloc(sizeof *minv * ((size_t)m + 1));
  int *p = calloc((size_t)m + 1, sizeof *p), *way = calloc((size_t)m + 1, sizeof *way);
  char *used = malloc((size_t)m + 1);
  int st = u && v && minv && p && way && used ? KSEG_OK : kseg_error_nomem("Hungarian matching", (size_t)m * 48);
  for (int i = 1; !st && i <= n; i++) {
    p[0] = i;
    int j0 = 0;
    for (int j = 0; j <= m; j++) {
      minv[j] = INFINITY;
      used[j] = 0;
    }
    do {
      used[j0] = 1;
      const int i0 = p[j0];
      double delta = INFINITY;
      int j1 = 0;
      for (int j = 1; j <= m; j++) {
        if (used[j]) continue;
        const double cur = cost[(size_t)(i0 - 1) * m + (j - 1)] - u[i0] - v[j];
        if (cur < minv[j]) {
          minv[j] = cur;
          way[j] = j0;
        }
        if (minv[j] < delta) { /* strict: ties keep the lowest column */
          delta = minv[j];
          j1 = j;
        }
      }
      for (int j = 0; j <= m; j++) {
        if (used[j]) {
          u[p[j]] += delta;
          v[j] -= delta;
        } else {
          minv[j] -= delta;
        }
      }
      j0 = j1;
    } while (p[j0] != 0);
    do {
      const int j1 = way[j0];
      p[j0] = p[j1];
      j0 = j1;
    } while (j0);
  }
  if (!st) {
    for (int i = 0; i < n; i++) assign[i] = -1;
    for (int j = 1; j <= m; j++)
      if (p[j] > 0) assign[p[j] - 1] = j - 1;
  }
  free(u);
  free(v);
  free(minv);
  free(p);
  free(way);
  free(used);
  return st;
}

int kseg_warmstart_hungarian(int rows, int cols, const double *cost, int *assign)
{
  if (rows <= cols) return hungarian_wide(rows, cols, cost, assign);
  double *t = calloc((size_t)rows * (size_t)cols + 1, sizeof *t);
  int *a = malloc(sizeof *a * (size_t)cols);
  int st = t && a ? KSEG_OK : kseg_error_nomem("Hungarian matching", (size_t)rows * (size_t)cols * 8);
  if (!st) {
    for (int r = 0; r < rows; r++)
      for (int c = 0; c < cols; c++) t[(size_t)c * rows + r] = cost[(size_t)r * cols + c];
    st = hungarian_wide(cols, rows, t, a);
  }
  if (!st) {
    for (int r = 0; r < rows; r++) assign[r] = -1;
    for (int c = 0; c < cols; c++)
      if (a[c] >= 0) assign[a[c]] = c;
  }
  free(t);
  free(a);
  return st;
}

/* The k-means++ draw used for segments the old model cannot seed. Keyed by
 * (seed, stream 0x5741524d "WARM"), so it is the same for any ranks. */
static int plusplus(MPI_Comm comm, const kseg_matrix *x, int k, uint64_t seed, double *out)
{
  kseg_rng_key key = {.seed = seed, .stream = 0x5741524dull};
  return kseg_kmeans_plusplus(comm, x, k, key, out);
}

/* carried[k_old x d] and counts[k_old] */
static int carry(MPI_Comm comm, const kseg_model *old, const kseg_table *raw, const kseg_matrix *x, uint64_t seed,
                 double *carried, int64_t *counts, int *n_empty)
{
  const int K = old->k;
  const int64_t d = x->d;
  int32_t *lab = kseg_malloc(sizeof(int32_t) * (size_t)(raw->n_local + 1), "old labels");
  KSEG_CHECK(kseg_comm_agree(comm, lab ? KSEG_OK : KSEG_ERR_IO));
  int st = kseg_model_assign(comm, old, raw, lab, NULL, NULL);
  kseg_cluster_stats cs = {0};
  if (!st) st = kseg_cluster_stats_compute(comm, x, lab, K, &cs);
  free(lab);
  if (st) return st;
  int empty = 0;
  for (int s = 0; s < K; s++) empty += cs.counts[s] == 0;
  double *pp = NULL;
  if (empty) {
    /* k-means++ over the new base needs K <= N; with fewer rows the empty
     * segments keep the overall mean */
    pp = kseg_malloc(sizeof(double) * (size_t)K * (size_t)d, "k-means++ draw");
    st = kseg_comm_agree(comm, pp ? KSEG_OK : KSEG_ERR_IO);
    if (!st && K <= x->n_global) st = plusplus(comm, x, K, seed, pp);
    else if (!st)
      for (int s = 0; s < K; s++) memcpy(pp + (size_t)s * d, cs.mean, sizeof(double) * (size_t)d);
  }
  if (!st)
    for (int s = 0; s < K; s++) {
      memcpy(carried + (size_t)s * d, cs.counts[s] ? cs.centroids + (size_t)s * d : pp + (size_t)s * d,
             sizeof(double) * (size_t)d);
      if (counts) counts[s] = cs.counts[s];
    }
  *n_empty = empty;
  free(pp);
  kseg_cluster_stats_clear(&cs);
  return st;
}

int kseg_warmstart_carry(MPI_Comm comm, const kseg_model *old, const kseg_table *raw, const kseg_matrix *x,
                         uint64_t seed, double *carried, int *n_empty)
{
  return kseg_comm_agree(comm, carry(comm, old, raw, x, seed, carried, NULL, n_empty));
}

int kseg_warmstart_init(MPI_Comm comm, const kseg_model *old, const kseg_table *raw, const kseg_matrix *x, int k,
                        uint64_t seed, double *init, int *n_empty)
{
  const int K = old->k;
  const int64_t d = x->d;
  double *carried = kseg_malloc(sizeof(double) * (size_t)K * (size_t)d, "carried centroids");
  int64_t *counts = kseg_malloc(sizeof(int64_t) * (size_t)K, "segment sizes");
  int st = kseg_comm_agree(comm, carried && counts ? KSEG_OK : KSEG_ERR_IO);
  if (!st) st = kseg_comm_agree(comm, carry(comm, old, raw, x, seed, carried, counts, n_empty));
  if (!st && k <= K) {
    /* keep the k largest old segments, listed in id order */
    char *keep = calloc((size_t)K, 1);
    if (!keep) st = kseg_error_nomem("segment choice", (size_t)K);
    for (int c = 0; !st && c < k; c++) {
      int best = -1;
      for (int s = 0; s < K; s++)
        if (!keep[s] && (best < 0 || counts[s] > counts[best])) best = s;
      if (best >= 0) keep[best] = 1; /* always: k <= K; tells GCC so */
    }
    for (int s = 0, j = 0; !st && s < K; s++)
      if (keep[s]) memcpy(init + (size_t)(j++) * d, carried + (size_t)s * d, sizeof(double) * (size_t)d);
    free(keep);
  } else if (!st) {
    memcpy(init, carried, sizeof(double) * (size_t)K * (size_t)d);
    double *pp = kseg_malloc(sizeof(double) * (size_t)k * (size_t)d, "k-means++ draw");
    st = kseg_comm_agree(comm, pp ? KSEG_OK : KSEG_ERR_IO);
    if (!st) st = plusplus(comm, x, k, seed, pp);
    if (!st) memcpy(init + (size_t)K * d, pp + (size_t)K * d, sizeof(double) * (size_t)(k - K) * (size_t)d);
    free(pp);
  }
  free(carried);
  free(counts);
  return kseg_comm_agree(comm, st);
}

int kseg_warmstart_match(const double *carried, int k_old, const double *fitted, int k_new, int64_t d, int *new_id,
                         int *old_to_new)
{
  double *cost = malloc(sizeof *cost * (size_t)k_new * (size_t)k_old);
  int *a = malloc(sizeof *a * (size_t)k_new);
  int st = cost && a ? KSEG_OK : kseg_error_nomem("matching", (size_t)k_new * (size_t)k_old * 8);
  for (int j = 0; !st && j < k_new; j++)
    for (int i = 0; i < k_old; i++) {
      double s = 0;
      for (int64_t c = 0; c < d; c++) {
        const double t = fitted[(size_t)j * d + c] - carried[(size_t)i * d + c];
        s += t * t;
      }
      cost[(size_t)j * k_old + i] = s;
    }
  if (!st) st = kseg_warmstart_hungarian(k_new, k_old, cost, a);
  if (!st) {
    for (int i = 0; i < k_old; i++) old_to_new[i] = -1;
    int next = 0;
    if (k_old <= k_new) {
      /* every old id is free below k_new: matched segments keep theirs */
      for (int j = 0; j < k_new; j++) new_id[j] = a[j];
      next = k_old;
    } else {
      /* fewer segments: the survivors are numbered in old-id order */
      for (int j = 0; j < k_new; j++) new_id[j] = -1;
      for (int i = 0; i < k_old; i++)
        for (int j = 0; j < k_new; j++)
          if (a[j] == i) new_id[j] = next++;
    }
    for (int j = 0; j < k_new; j++) {
      if (a[j] >= 0) old_to_new[a[j]] = new_id[j];
      else new_id[j] = next++;
    }
  }
  free(cost);
  free(a);
  return st;
}

int kseg_warmstart_relabel(int32_t *labels, int64_t n, double *centroids, int k, int64_t d, const int *new_id)
{
  double *c = malloc(sizeof *c * (size_t)k * (size_t)d + 1);
  if (!c) return kseg_error_nomem("relabel", (size_t)k * (size_t)d * 8);
  for (int j = 0; j < k; j++) memcpy(c + (size_t)new_id[j] * d, centroids + (size_t)j * d, sizeof *c * (size_t)d);
  memcpy(centroids, c, sizeof *c * (size_t)k * (size_t)d);
  free(c);
#pragma omp parallel for schedule(static)
  for (int64_t i = 0; i < n; i++) labels[i] = new_id[labels[i]];
  return KSEG_OK;
}

int kseg_warmstart_keep_ids(MPI_Comm comm, const kseg_model *old, const kseg_table *raw, const kseg_matrix *x,
                            uint64_t seed, kseg_kmeans_result *r, int *old_to_new)
{
  const int k = (int)r->k;
  int *new_id = kseg_malloc(sizeof(int) * (size_t)k, "segment ids");
  int *o2n = old_to_new ? old_to_new : kseg_malloc(sizeof(int) * (size_t)old->k, "segment ids");
  double *carried = kseg_malloc(sizeof(double) * (size_t)old->k * (size_t)x->d, "carried centroids");
  int empty = 0; /* they got their k-means++ stand-ins in kseg_warmstart_init already */
  int st = kseg_comm_agree(comm, new_id && o2n && carried ? KSEG_OK : KSEG_ERR_IO);
  if (!st) st = kseg_warmstart_carry(comm, old, raw, x, seed, carried, &empty);
  if (!st) st = kseg_warmstart_match(carried, old->k, r->centroids, k, x->d, new_id, o2n);
  if (!st) st = kseg_warmstart_relabel(r->labels, r->n_local, r->centroids, k, x->d, new_id);
  st = kseg_comm_agree(comm, st);
  free(new_id);
  if (o2n != old_to_new) free(o2n);
  free(carried);
  return st;
}

/* ---- drift: the distributed join ---- */

typedef struct join_rec {
  uint64_t key;
  int32_t label;
  int32_t is_old;
} join_rec;

static int owner_of(uint64_t key, int P) { return (int)(key % (uint64_t)P); }

int kseg_warmstart_drift(MPI_Comm comm, const char *old_path, const kseg_model *old, const int *old_to_new,
                         const uint64_t *keys, const int32_t *labels, int64_t n_local, int k_new, kseg_drift *out)
{
  memset(out, 0, sizeof *out);
  out->k_old = old->k;
  out->k_new = k_new;
  out->by_position = old->id_column == NULL;
  const int P = kseg_comm_size(comm);
  int64_t on = 0, o0 = 0, ol = 0;
  uint64_t *okeys = NULL;
  int32_t *olab = NULL;
  KSEG_CHECK(kseg_model_read_train(comm, old_path, &on, &o0, &ol, &okeys, &olab));
  out->old_rows = on;

  int64_t *scount = calloc((size_t)P, sizeof *scount), *fill = calloc((size_t)P, sizeof *fill);
  const int64_t total = ol + n_local;
  join_rec *send = malloc(sizeof *send * (size_t)(total + 1)), *recv = NULL;
  int64_t *table = calloc((size_t)old->k * (size_t)k_new, sizeof *table);
  uint64_t *hkeys = NULL;
  int32_t *hlab = NULL;
  int64_t n_recv = 0;
  int st = scount && fill && send && table ? KSEG_OK : kseg_error_nomem("drift join", 0);
  if (!st) {
    /* every record to the owner of its key: old and new rows of a customer meet */
    for (int64_t i = 0; i < ol; i++) scount[owner_of(okeys[i], P)]++;
    for (int64_t i = 0; i < n_local; i++) scount[owner_of(keys[i], P)]++;
    for (int r = 1; r < P; r++) fill[r] = fill[r - 1] + scount[r - 1];
    for (int64_t i = 0; i < ol; i++) send[fill[owner_of(okeys[i], P)]++] = (join_rec){okeys[i], olab[i], 1};
    for (int64_t i = 0; i < n_local; i++) send[fill[owner_of(keys[i], P)]++] = (join_rec){keys[i], labels[i], 0};
  }
  st = kseg_comm_agree(comm, st);
  if (!st) st = kseg_comm_exchange(comm, send, scount, sizeof *send, (void **)&recv, &n_recv, NULL);
  if (!st) {
    /* open addressing over this rank's old records; key 0 is possible, so
     * a label of -1 marks a free slot */
    int64_t n_old = 0;
    for (int64_t i = 0; i < n_recv; i++) n_old += recv[i].is_old;
    size_t slots = 16;
    while (slots < (size_t)n_old * 2) slots <<= 1;
    hkeys = malloc(sizeof *hkeys * slots);
    hlab = malloc(sizeof *hlab * slots);
    if (!hkeys || !hlab) st = kseg_error_nomem("drift join table", slots * 12);
    for (size_t s = 0; !st && s < slots; s++) hlab[s] = -1;
    for (int64_t i = 0; !st && i < n_recv; i++) {
      if (!recv[i].is_old) continue;
      size_t s = (size_t)(recv[i].key >> 17) & (slots - 1);
      while (hlab[s] >= 0 && hkeys[s] != recv[i].key) s = (s + 1) & (slots - 1);
      if (hlab[s] < 0) { /* a repeated ID keeps its first training row */
        hkeys[s] = recv[i].key;
        hlab[s] = recv[i].label;
      }
    }
    for (int64_t i = 0; !st && i < n_recv; i++) {
      if (recv[i].is_old) continue;
      size_t s = (size_t)(recv[i].key >> 17) & (slots - 1);
      while (hlab[s] >= 0 && hkeys[s] != recv[i].key) s = (s + 1) & (slots - 1);
      if (hlab[s] < 0) continue;
      const int32_t a = hlab[s], b = recv[i].label;
      if (a < 0 || a >= old->k || b < 0 || b >= k_new) {
        st = kseg_error_set(KSEG_ERR_INPUT, "%s: training label %d outside the model's %d segments", old_path, a,
                            old->k);
        break;
      }
      table[(size_t)a * k_new + b]++;
    }
  }
  st = kseg_comm_agree(comm, st);
  if (!st) st = kseg_comm_agree(comm, kseg_comm_sum_i64(comm, table, (int64_t)old->k * k_new));
  if (!st) {
    int64_t matched = 0, kept = 0;
    for (int a = 0; a < old->k; a++)
      for (int b = 0; b < k_new; b++) {
        matched += table[(size_t)a * k_new + b];
        if (old_to_new[a] == b) kept += table[(size_t)a * k_new + b];
      }
    out->matched = matched;
    out->moved = matched - kept;
    out->moved_share = matched > 0 ? (double)(matched - kept) / (double)matched : NAN;
    out->ari = matched > 0 ? kseg_ari_from_table(table, old->k, k_new) : NAN;
  }
  free(scount);
  free(fill);
  free(send);
  free(recv);
  free(table);
  free(hkeys);
  free(hlab);
  free(okeys);
  free(olab);
  return kseg_comm_agree(comm, st);
}

/* ---- previous segments: the join, answered back to each row ---- */

typedef struct prev_rec {
  uint64_t key;
  int64_t index;   /* new records: the row on its rank; answers: the row */
  int32_t label;   /* old records and answers: the old segment (-1: not found) */
  int32_t is_old;
} prev_rec;

int kseg_warmstart_previous(MPI_Comm comm, const char *old_path, const uint64_t *keys, int64_t n_local,
                            int32_t *previous)
{
  const int P = kseg_comm_size(comm);
  int64_t on = 0, o0 = 0, ol = 0, n_recv = 0, n_back = 0;
  uint64_t *okeys = NULL;
  int32_t *olab = NULL;
  KSEG_CHECK(kseg_model_read_train(comm, old_path, &on, &o0, &ol, &okeys, &olab));
  int64_t *scount = kseg_calloc((size_t)P, sizeof *scount, "previous join");
  int64_t *fill = kseg_calloc((size_t)P, sizeof *fill, "previous join");
  int64_t *rcount = kseg_calloc((size_t)P, sizeof *rcount, "previous join");
  int64_t *bcount = kseg_calloc((size_t)P, sizeof *bcount, "previous join");
  prev_rec *send = kseg_malloc(sizeof *send * (size_t)(ol + n_local + 1), "previous join");
  prev_rec *recv = NULL, *back = NULL, *answers = NULL;
  uint64_t *hkeys = NULL;
  int32_t *hlab = NULL;
  int st = scount && fill && rcount && bcount && send ? KSEG_OK : KSEG_ERR_IO;
  if (!st) {
    for (int64_t i = 0; i < ol; i++) scount[owner_of(okeys[i], P)]++;
    for (int64_t i = 0; i < n_local; i++) scount[owner_of(keys[i], P)]++;
    for (int r = 1; r < P; r++) fill[r] = fill[r - 1] + scount[r - 1];
    /* per destination: the old records first, then the new ones, so each source's new records
       arrive together and in row order */
    for (int64_t i = 0; i < ol; i++) send[fill[owner_of(okeys[i], P)]++] = (prev_rec){okeys[i], -1, olab[i], 1};
    for (int64_t i = 0; i < n_local; i++) send[fill[owner_of(keys[i], P)]++] = (prev_rec){keys[i], i, -1, 0};
  }
  st = kseg_comm_agree(comm, st);
  if (!st) st = kseg_comm_exchange(comm, send, scount, sizeof *send, (void **)&recv, &n_recv, rcount);
  if (!st) {
    int64_t n_old = 0;
    for (int64_t i = 0; i < n_recv; i++) n_old += recv[i].is_old;
    size_t slots = 16;
    while (slots < (size_t)n_old * 2) slots <<= 1;
    hkeys = kseg_malloc(sizeof *hkeys * slots, "previous join table");
    hlab = kseg_malloc(sizeof *hlab * slots, "previous join table");
    answers = kseg_malloc(sizeof *answers * (size_t)(n_recv - n_old + 1), "previous join answers");
    if (!hkeys || !hlab || !answers) st = KSEG_ERR_IO;
    for (size_t k = 0; !st && k < slots; k++) hlab[k] = -2; /* -2: free (labels are >= 0) */
    for (int64_t i = 0; !st && i < n_recv; i++) {
      if (!recv[i].is_old) continue;
      size_t k = (size_t)(recv[i].key >> 17) & (slots - 1);
      while (hlab[k] != -2 && hkeys[k] != recv[i].key) k = (k + 1) & (slots - 1);
      if (hlab[k] == -2) { /* a repeated id keeps its first training row, as drift does */
        hkeys[k] = recv[i].key;
        hlab[k] = recv[i].label;
      }
    }
    /* answers to each source rank, in the order its records came */
    int64_t at = 0, a = 0;
    for (int r = 0; !st && r < P; r++) {
      for (int64_t i = at; i < at + rcount[r]; i++) {
        if (recv[i].is_old) continue;
        size_t k = (size_t)(recv[i].key >> 17) & (slots - 1);
        while (hlab[k] != -2 && hkeys[k] != recv[i].key) k = (k + 1) & (slots - 1);
        answers[a++] = (prev_rec){recv[i].key, recv[i].index, hlab[k] == -2 ? -1 : hlab[k], 0};
        bcount[r]++;
      }
      at += rcount[r];
    }
  }
  st = kseg_comm_agree(comm, st);
  if (!st) st = kseg_comm_exchange(comm, answers, bcount, sizeof *answers, (void **)&back, &n_back, NULL);
  for (int64_t i = 0; !st && i < n_local; i++) previous[i] = -1;
  for (int64_t i = 0; !st && i < n_back; i++) {
    if (back[i].index < 0 || back[i].index >= n_local) {
      st = kseg_error_set(KSEG_ERR_IO, "previous segments: an answer for row %lld of %lld", (long long)back[i].index,
                          (long long)n_local);
      break;
    }
    previous[back[i].index] = back[i].label;
  }
  free(scount);
  free(fill);
  free(rcount);
  free(bcount);
  free(send);
  free(recv);
  free(back);
  free(answers);
  free(hkeys);
  free(hlab);
  free(okeys);
  free(olab);
  return kseg_comm_agree(comm, st);
}

/* drift.json: one member a line, one line per old segment. */
static int drift_json(kseg_json *j, const kseg_drift *d, const kseg_model *old, const kseg_model *fresh,
                      const int *old_to_new)
{
  kseg_json_begin(j, KSEG_JSON_SPACED);
  kseg_json_newline(j, 2);
  kseg_json_int(j, "k_old", d->k_old);
  kseg_json_newline(j, 2);
  kseg_json_int(j, "k_new", d->k_new);
  kseg_json_newline(j, 2);
  kseg_json_int(j, "old_customers", d->old_rows);
  kseg_json_newline(j, 2);
  kseg_json_int(j, "matched", d->matched);
  kseg_json_newline(j, 2);
  kseg_json_str(j, "matched_by", d->by_position ? "row position" : "id");
  kseg_json_newline(j, 2);
  kseg_json_int(j, "moved", d->moved);
  kseg_json_newline(j, 2);
  kseg_json_num(j, "moved_share", d->moved_share);
  kseg_json_newline(j, 2);
  kseg_json_num(j, "kept_share", d->matched > 0 ? 1.0 - d->moved_share : NAN);
  kseg_json_newline(j, 2);
  kseg_json_num(j, "ari", d->ari);
  kseg_json_newline(j, 2);
  kseg_json_open_array(j, "segments");
  const kseg_prep_model *np = fresh->prep, *op = old->prep;
  for (int i = 0; i < old->k; i++) {
    const int jn = old_to_new[i];
    kseg_json_newline(j, 4);
    kseg_json_open_object(j, NULL);
    kseg_json_int(j, "old_id", i);
    kseg_json_int(j, "new_id", jn);
    kseg_json_str(j, "old_name", old->segment_names ? old->segment_names[i] : "");
    kseg_json_str(j, "new_name", jn >= 0 && fresh->segment_names ? fresh->segment_names[jn] : "");
    kseg_json_open_object(j, "shift");
    for (int a = 0; jn >= 0 && old->original && fresh->original && a < op->n_features; a++)
      for (int b = 0; b < np->n_features; b++)
        if (strcmp(op->features[a], np->features[b]) == 0)
          kseg_json_num(j, op->features[a],
                        fresh->original[(size_t)jn * np->n_features + b] - old->original[(size_t)i * op->n_features + a]);
    kseg_json_close_object(j);
    kseg_json_close_object(j);
  }
  kseg_json_newline(j, 2);
  kseg_json_close_array(j);
  kseg_json_newline(j, 2);
  kseg_json_open_array(j, "vanished");
  for (int i = 0; i < old->k; i++)
    if (old_to_new[i] < 0) kseg_json_array_int(j, i);
  kseg_json_close_array(j);
  kseg_json_newline(j, 2);
  kseg_json_open_array(j, "appeared");
  for (int jn = 0; jn < fresh->k; jn++) {
    int hit = 0;
    for (int i = 0; i < old->k; i++) hit |= old_to_new[i] == jn;
    if (!hit) kseg_json_array_int(j, jn);
  }
  kseg_json_close_array(j);
  kseg_json_newline(j, 0);
  return kseg_json_end(j);
}

int kseg_warmstart_write_json(MPI_Comm comm, const char *path, const kseg_drift *d, const kseg_model *old,
                              const kseg_model *fresh, const int *old_to_new)
{
  int st = KSEG_OK;
  if (kseg_comm_rank(comm) == 0) {
    kseg_json j;
    st = drift_json(&j, d, old, fresh, old_to_new);
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = st ? NULL : fopen(tmp, "w");
    if (!st && !f) st = kseg_error_set(KSEG_ERR_IO, "cannot write %s", tmp);
    if (f) {
      fputs(j.buf, f);
      const int bad = ferror(f);
      if (fclose(f) != 0 || bad) st = kseg_error_set(KSEG_ERR_IO, "cannot write %s", tmp);
      if (!st && rename(tmp, path) != 0) st = kseg_error_set(KSEG_ERR_IO, "cannot rename %s to %s", tmp, path);
      if (st) remove(tmp);
    }
    kseg_json_clear(&j);
  }
  return kseg_comm_agree(comm, st);
}
