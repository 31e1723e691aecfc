/* sources/rfm/aggregate.c - kseg_rfm_run: read the log, group the transactions by customer on
 * the owner rank (hash of the id modulo P), aggregate, sample-sort the
 * customers by id into the kseg_partition blocks, score, write /raw.
 *
 * Why the result does not depend on the rank count: every customer's lines
 * meet on one rank and are sorted there by (id, day), so the day statistics
 * are exact; money and quantities are integers in one global fixed-point
 * scale (kseg_fixed.h), summed exactly in int128; the rows are in id order,
 * and the scores are exact order statistics. */
#include <inttypes.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kseg/kseg_comm.h"
#include "kseg/kseg_error.h"
#include "kseg/kseg_fixed.h"
#include "kseg/kseg_h5io.h"
#include "kseg/kseg_rfm.h"
#include "kseg/kseg_strings.h"
#include "sources/rfm/internal.h"

enum { KSEG_RFM_DEFAULT_ROUND = 1 << 20, KSEG_RFM_SAMPLES = 32 };

void kseg_rfm_summary_clear(kseg_rfm_summary *s)
{
  if (!s) return;
  for (int i = 0; i < 4; i++) free(s->columns[i]);
  memset(s, 0, sizeof *s);
}

/* Counters summed over ranks at the end. */
enum { C_PURCHASES, C_RETURNS, C_AFTER, C_DROPPED, C_COUNT };

static inline int same_key(const kseg_rfm_key *a, const kseg_rfm_key *b, const char *arena)
{
  if (a->id_len == 0 && b->id_len == 0) return a->id == b->id;
  return kseg_rfm_key_cmp(a, arena, b, arena) == 0;
}

#define T(i) (&base[perm ? perm[i] : (uint64_t)(i)])

/* One customer per run of equal ids among lines [lo, hi) of tx taken in the
 * order perm (NULL: tx is sorted by id, day); runs do not cross lo or hi. */
static int fold_range(const kseg_rfm_buf *tx, const uint64_t *perm, int64_t lo, int64_t hi, const kseg_fixed *fa,
                      const kseg_fixed *fq, int64_t as_of, kseg_rfm_buf *cust, int64_t counts[C_COUNT],
                      kseg_i128 *money_all)
{
  const kseg_rfm_tx *base = tx->items;
  kseg_rfm_cust *c = cust->items;
  for (int64_t i = lo; i < hi;) {
    if (cust->n == cust->cap) { /* grown, not counted first: one pass over the lines */
      int64_t cap = cust->cap ? cust->cap * 2 : 4096;
      void *p = realloc(cust->items, (size_t)cap * sizeof(kseg_rfm_cust));
      if (!p) return kseg_error_nomem("rfm customers", (size_t)cap * sizeof(kseg_rfm_cust));
      cust->items = p;
      cust->cap = cap;
      c = p;
    }
    int64_t j = i;
    int64_t freq = 0, pdays = 0;
    int32_t first = 0, last = 0;
    kseg_i128 money = 0, qty = 0;
    const kseg_rfm_tx *ti = T(i);
    for (; j < hi && (j == i || same_key(&T(j)->key, &ti->key, tx->arena)); j++) {
      /* The lines are visited in permuted order: fetch ahead to hide the misses. */
      if (perm && j + 16 < hi) __builtin_prefetch(&base[perm[j + 16]]);
      const kseg_rfm_tx *tj = T(j);
      if (tj->key.aux > as_of) { counts[C_AFTER]++; continue; }
      money += kseg_fixed_from(fa, tj->amount);
      qty += kseg_fixed_from(fq, tj->quantity);
      if (tj->amount < 0) { counts[C_RETURNS]++; continue; }
      counts[C_PURCHASES]++;
      if (freq == 0) first = tj->key.aux;
      if (freq == 0 || tj->key.aux != last) pdays++;
      last = tj->key.aux;
      freq++;
    }
    if (freq == 0) {
      counts[C_DROPPED]++;
    } else {
      kseg_rfm_cust *o = &c[cust->n++];
      o->key = ti->key;
      o->key.aux = 0;
      double mt = kseg_fixed_to_double(fa, money);
      o->v[KSEG_RFM_RECENCY] = (double)(as_of - last);
      o->v[KSEG_RFM_FREQUENCY] = (double)freq;
      o->v[KSEG_RFM_PURCHASE_DAYS] = (double)pdays;
      o->v[KSEG_RFM_MONETARY_TOTAL] = mt;
      o->v[KSEG_RFM_MONETARY_MEAN] = mt / (double)freq;
      o->v[KSEG_RFM_QUANTITY_TOTAL] = kseg_fixed_to_double(fq, qty);
      o->v[KSEG_RFM_TENURE] = (double)(as_of - first);
      o->v[KSEG_RFM_INTERPURCHASE] = pdays > 1 ? (double)(last - first) / (double)(pdays - 1) : NAN;
      o->v[KSEG_RFM_FIRST] = first;
      o->v[KSEG_RFM_LAST] = last;
      *money_all += money;
    }
    i = j;
  }
  return KSEG_OK;
}

/* All customers of tx: the lines are cut at run boundaries into one range
 * per OpenMP thread, folded apart and joined in order. The counters and
 * money are integers, so the split changes nothing. */
static int aggregate(const kseg_rfm_buf *tx, const uint64_t *perm, const kseg_fixed *fa, const kseg_fixed *fq,
                     int64_t as_of, kseg_rfm_buf *cust, int64_t counts[C_COUNT], kseg_i128 *money_all)
{
  enum { MAXT = 64 };
  memset(cust, 0, sizeof *cust);
  const kseg_rfm_tx *base = tx->items;
  int nt = tx->n < 65536 ? 1 : omp_get_max_threads();
  if (nt > MAXT) nt = MAXT;
  int64_t cut[MAXT + 1];
  cut[0] = 0;
  for (int t = 1; t <= nt; t++) {
    int64_t b = t == nt ? tx->n : tx->n * t / nt;
    if (b < cut[t - 1]) b = cut[t - 1];
    while (b > 0 && b < tx->n && same_key(&T(b)->key, &T(b - 1)->key, tx->arena)) b++;
    cut[t] = b;
  }
  kseg_rfm_buf part[MAXT];
  int64_t pc[MAXT][C_COUNT];
  kseg_i128 pm[MAXT];
  kseg_error_slot res[MAXT];
  memset(part, 0, sizeof part);
  memset(pc, 0, sizeof pc);
#pragma omp parallel for num_threads(nt) schedule(static, 1)
  for (int t = 0; t < nt; t++) {
    pm[t] = 0;
    kseg_error_keep(&res[t], fold_range(tx, perm, cut[t], cut[t + 1], fa, fq, as_of, &part[t], pc[t], &pm[t]));
  }
  int st = kseg_error_first(res, nt);
  int64_t total = 0;
  for (int t = 0; t < nt; t++) total += part[t].n;
  if (!st && nt == 1) { /* the usual case: take the one part whole */
    *cust = part[0];
    memset(&part[0], 0, sizeof part[0]);
  } else if (!st) {
    cust->items = kseg_malloc((size_t)(total ? total : 1) * sizeof(kseg_rfm_cust), "rfm customers");
    if (!cust->items) st = KSEG_ERR_IO;
    for (int t = 0; t < nt && !st; t++) {
      memcpy((kseg_rfm_cust *)cust->items + cust->n, part[t].items, (size_t)part[t].n * sizeof(kseg_rfm_cust));
      cust->n += part[t].n;
    }
    cust->cap = total;
  }
  for (int t = 0; t < nt; t++) {
    for (int k = 0; k < C_COUNT; k++) counts[k] += pc[t][k];
    *money_all += pm[t];
    kseg_rfm_buf_clear(&part[t]);
  }
  return st;
}
#undef T

/* Sample slot for the splitters: a key with its bytes inline. */
typedef struct sample {
  int64_t id;
  int32_t len;
  char bytes[KSEG_RFM_MAX_ID + 1];
} sample;

/* Destination rank of each locally sorted customer under splitters drawn
 * from regular samples of every rank's sorted customers. */
static int sample_buckets(MPI_Comm comm, const kseg_rfm_buf *cust, int *dest)
{
  int P = kseg_comm_size(comm);
  if (P == 1) {
    for (int64_t i = 0; i < cust->n; i++) dest[i] = 0;
    return KSEG_OK;
  }
  const kseg_rfm_cust *c = cust->items;
  int mine = cust->n < KSEG_RFM_SAMPLES ? (int)cust->n : KSEG_RFM_SAMPLES;
  sample *local = kseg_calloc((size_t)(mine ? mine : 1), sizeof *local, "rfm samples");
  int *counts = kseg_malloc((size_t)P * 2 * sizeof *counts, "rfm sample counts");
  int st = local && counts ? KSEG_OK : KSEG_ERR_IO;
  for (int s = 0; !st && s < mine; s++) {
    const kseg_rfm_cust *x = &c[(int64_t)s * cust->n / mine];
    local[s].id = x->key.id;
    local[s].len = x->key.id_len;
    if (x->key.id_len) memcpy(local[s].bytes, cust->arena + x->key.id, (size_t)x->key.id_len);
  }
  st = kseg_comm_agree(comm, st);
  int bytes = mine * (int)sizeof(sample);
  if (!st) st = kseg_comm_check(MPI_Allgather(&bytes, 1, MPI_INT, counts, 1, MPI_INT, comm), "MPI_Allgather (rfm)");
  st = kseg_comm_agree(comm, st);
  int64_t total = 0;
  sample *all = NULL;
  if (!st) {
    for (int r = 0; r < P; r++) {
      counts[P + r] = (int)total;
      total += counts[r];
    }
    all = kseg_malloc((size_t)(total ? total : 1), "rfm all samples");
    st = kseg_comm_agree(comm, all ? KSEG_OK : KSEG_ERR_IO);
  }
  if (!st)
    st = kseg_comm_agree(comm, kseg_comm_check(MPI_Allgatherv(local, bytes, MPI_BYTE, all, counts, counts + P,
                                                              MPI_BYTE, comm),
                                               "MPI_Allgatherv (rfm samples)"));
  kseg_rfm_buf keys = {0};
  if (!st) {
    /* Every rank sorts the same samples the same way: the same splitters. */
    int64_t m = total / (int64_t)sizeof(sample);
    keys.items = kseg_malloc((size_t)(m ? m : 1) * sizeof(kseg_rfm_key), "rfm splitters");
    keys.arena = kseg_malloc((size_t)(m ? m : 1) * KSEG_RFM_MAX_ID, "rfm splitter ids");
    if (!keys.items || !keys.arena) st = KSEG_ERR_IO;
    kseg_rfm_key *k = keys.items;
    for (int64_t i = 0; !st && i < m; i++) {
      k[i].id = all[i].len ? keys.arena_len : all[i].id;
      k[i].id_len = all[i].len;
      k[i].aux = 0;
      memcpy(keys.arena + keys.arena_len, all[i].bytes, (size_t)all[i].len);
      keys.arena_len += all[i].len;
    }
    keys.n = keys.cap = m;
    if (!st) kseg_rfm_sort(&keys, sizeof(kseg_rfm_key));
    k = keys.items;
    int b = 0;
    for (int64_t i = 0; !st && i < cust->n; i++) {
      /* Customers are sorted, so the bucket only moves forward. */
      while (b < P - 1 && m > 0 &&
             kseg_rfm_key_cmp(&k[(int64_t)(b + 1) * m / P], keys.arena, &c[i].key, cust->arena) < 0)
        b++;
      dest[i] = b;
    }
  }
  kseg_rfm_buf_clear(&keys);
  free(all);
  free(local);
  free(counts);
  return kseg_comm_agree(comm, st);
}

/* The output table of this rank's block of sorted, scored customers. */
static int build_table(const kseg_rfm_buf *cust, const kseg_rfm_input *in, int64_t n_global, int64_t row0, int width,
                       const double q[3][4], kseg_table *t)
{
  static const char *const stat_names[KSEG_RFM_NSTAT] = {
      "recency_days", "frequency", "purchase_days", "monetary_total", "monetary_mean", "quantity_total",
      "tenure_days", "mean_interpurchase_days", "first_purchase", "last_purchase"};
  memset(t, 0, sizeof *t);
  int n_cols = 1 + KSEG_RFM_NSTAT - (in->has_quantity ? 0 : 1) + 5;
  t->cols = kseg_calloc((size_t)n_cols, sizeof *t->cols, "rfm output columns");
  if (!t->cols) return KSEG_ERR_IO;
  t->n_cols = n_cols;
  t->n_global = n_global;
  t->row0 = row0;
  t->n_local = cust->n;
  size_t n = (size_t)(cust->n ? cust->n : 1);
  const kseg_rfm_cust *c = cust->items;
  int k = 0;
  kseg_column *id = &t->cols[k++];
  if (!(id->name = kseg_strings_dup(in->columns[0]))) return KSEG_ERR_IO;
  if (in->string_ids) {
    id->kind = KSEG_COL_STRING;
    id->str_width = width;
    id->str = kseg_calloc(n, (size_t)width, "rfm id column");
    if (!id->str) return KSEG_ERR_IO;
    for (int64_t i = 0; i < cust->n; i++)
      memcpy(id->str + (size_t)i * (size_t)width, cust->arena + c[i].key.id, (size_t)c[i].key.id_len);
  } else {
    id->kind = KSEG_COL_NUMERIC;
    id->num = kseg_malloc(n * sizeof(double), "rfm id column");
    if (!id->num) return KSEG_ERR_IO;
    for (int64_t i = 0; i < cust->n; i++) id->num[i] = (double)c[i].key.id;
  }
  for (int s = 0; s < KSEG_RFM_NSTAT; s++) {
    if (s == KSEG_RFM_QUANTITY_TOTAL && !in->has_quantity) continue;
    kseg_column *col = &t->cols[k++];
    if (!(col->name = kseg_strings_dup(stat_names[s]))) return KSEG_ERR_IO;
    col->kind = s == KSEG_RFM_FIRST || s == KSEG_RFM_LAST ? KSEG_COL_DATE : KSEG_COL_NUMERIC;
    col->num = kseg_malloc(n * sizeof(double), "rfm column");
    if (!col->num) return KSEG_ERR_IO;
    for (int64_t i = 0; i < cust->n; i++) col->num[i] = c[i].v[s];
  }
  static const char *const score_names[4] = {"R", "F", "M", "RFM"};
  kseg_column *sc[4];
  for (int s = 0; s < 4; s++) {
    sc[s] = &t->cols[k++];
    if (!(sc[s]->name = kseg_strings_dup(score_names[s]))) return KSEG_ERR_IO;
    sc[s]->kind = KSEG_COL_NUMERIC;
    sc[s]->num = kseg_malloc(n * sizeof(double), "rfm score column");
    if (!sc[s]->num) return KSEG_ERR_IO;
  }
  kseg_column *cell = &t->cols[k++];
  if (!(cell->name = kseg_strings_dup("RFM_cell"))) return KSEG_ERR_IO;
  cell->kind = KSEG_COL_CATEGORICAL;
  cell->codes = kseg_malloc(n * sizeof(int32_t), "rfm cell column");
  cell->levels = kseg_calloc(125, sizeof *cell->levels, "rfm cell levels");
  if (!cell->codes || !cell->levels) return KSEG_ERR_IO;
  cell->n_levels = 125;
  for (int l = 0; l < 125; l++) {
    cell->levels[l] = kseg_malloc(4, "rfm cell level");
    if (!cell->levels[l]) return KSEG_ERR_IO;
    snprintf(cell->levels[l], 4, "%d%d%d", l / 25 + 1, l / 5 % 5 + 1, l % 5 + 1);
  }
  for (int64_t i = 0; i < cust->n; i++) {
    int r = kseg_rfm_score(0.0 - c[i].v[KSEG_RFM_RECENCY], q[0]);
    int f = kseg_rfm_score(c[i].v[KSEG_RFM_FREQUENCY], q[1]);
    int m = kseg_rfm_score(c[i].v[KSEG_RFM_MONETARY_TOTAL], q[2]);
    sc[0]->num[i] = r;
    sc[1]->num[i] = f;
    sc[2]->num[i] = m;
    sc[3]->num[i] = r * 100 + f * 10 + m;
    cell->codes[i] = (r - 1) * 25 + (f - 1) * 5 + (m - 1);
  }
  for (int s = 0; s < n_cols; s++)
    if (!t->cols[s].name) return kseg_error_nomem("rfm column name", 16);
  return KSEG_OK;
}

int kseg_rfm_run(MPI_Comm comm, const char *in_path, const char *out_path, const kseg_rfm_options *opt,
                 kseg_rfm_summary *s)
{
  memset(s, 0, sizeof *s);
  int P = kseg_comm_size(comm), rank = kseg_comm_rank(comm);
  int64_t round = opt->round_items > 0 ? opt->round_items : KSEG_RFM_DEFAULT_ROUND;
  double t0 = kseg_now(), t1, t2, t3, t4;
  kseg_rfm_input in;
  kseg_rfm_buf recv = {0}, cust = {0}, bucket = {0}, block = {0};
  int *dest = NULL;
  kseg_table table = {0};
  kseg_h5_writer *w = NULL;
  int st = kseg_rfm_read_log(comm, in_path, opt, &in);
  if (st) goto done;
  st = kseg_comm_agree(comm, kseg_comm_fault(comm, "rfm-read"));
  if (st) goto done;
  t1 = kseg_now();
  int64_t as_of = opt->has_as_of ? opt->as_of : (in.lines ? (int64_t)in.max_day + 1 : 0);

  /* group: every line to the rank that owns its customer */
  dest = kseg_malloc((size_t)(in.tx.n ? in.tx.n : 1) * sizeof *dest, "rfm destinations");
  st = kseg_comm_agree(comm, dest ? KSEG_OK : KSEG_ERR_IO);
  if (st) goto done;
  const kseg_rfm_tx *tx = in.tx.items;
  for (int64_t i = 0; i < in.tx.n; i++) dest[i] = (int)(kseg_rfm_key_hash(&tx[i].key, in.tx.arena) % (uint64_t)P);
  KSEG_CHECK_GOTO(kseg_rfm_exchange(comm, &in.tx, sizeof(kseg_rfm_tx), dest, in.string_ids, round, &recv, &s->rounds), st,
                  done);
  kseg_rfm_buf_clear(&in.tx);
  free(dest);
  dest = NULL;
  t2 = kseg_now();

  /* aggregate */
  /* A permutation, not moved records: the fold reads each record once. */
  uint64_t *perm = kseg_rfm_sort_perm(&recv, sizeof(kseg_rfm_tx));
  kseg_fixed fa = kseg_fixed_for_bound(in.max_abs_amount), fq = kseg_fixed_for_bound(in.max_abs_quantity);
  int64_t counts[C_COUNT] = {0, 0, 0, 0};
  kseg_i128 money = 0;
  st = aggregate(&recv, perm, &fa, &fq, as_of, &cust, counts, &money);
  free(perm);
  /* The customers' string keys point into the received lines' arena. */
  cust.arena = recv.arena;
  cust.arena_len = cust.arena_cap = recv.arena_len;
  recv.arena = NULL;
  kseg_rfm_buf_clear(&recv);
  st = kseg_comm_agree(comm, st);
  if (st) goto done;
  KSEG_CHECK_GOTO(kseg_comm_agree(comm, kseg_comm_sum_i64(comm, counts, C_COUNT)), st, done);
  KSEG_CHECK_GOTO(kseg_comm_agree(comm, kseg_comm_sum_i128(comm, &money, 1)), st, done);
  t3 = kseg_now();

  /* sort: sample-sort buckets, then the canonical blocks in id order */
  dest = kseg_malloc((size_t)(cust.n ? cust.n : 1) * sizeof *dest, "rfm destinations");
  st = kseg_comm_agree(comm, dest ? KSEG_OK : KSEG_ERR_IO);
  if (st) goto done;
  KSEG_CHECK_GOTO(sample_buckets(comm, &cust, dest), st, done);
  int64_t ignored;
  KSEG_CHECK_GOTO(kseg_rfm_exchange(comm, &cust, sizeof(kseg_rfm_cust), dest, in.string_ids, round, &bucket, &ignored), st,
                  done);
  kseg_rfm_buf_clear(&cust);
  kseg_rfm_sort(&bucket, sizeof(kseg_rfm_cust));
  int64_t n_global = bucket.n, g0 = 0;
  KSEG_CHECK_GOTO(kseg_comm_agree(comm, kseg_comm_sum_i64(comm, &n_global, 1)), st, done);
  st = kseg_comm_check(MPI_Exscan(&bucket.n, &g0, 1, MPI_INT64_T, MPI_SUM, comm), "MPI_Exscan (rfm)");
  if (rank == 0) g0 = 0; /* MPI_Exscan leaves rank 0's result undefined */
  st = kseg_comm_agree(comm, st);
  if (st) goto done;
  free(dest);
  dest = kseg_malloc((size_t)(bucket.n ? bucket.n : 1) * sizeof *dest, "rfm destinations");
  st = kseg_comm_agree(comm, dest ? KSEG_OK : KSEG_ERR_IO);
  if (st) goto done;
  for (int64_t i = 0; i < bucket.n; i++) dest[i] = kseg_partition_owner(n_global, P, g0 + i);
  KSEG_CHECK_GOTO(kseg_rfm_exchange(comm, &bucket, sizeof(kseg_rfm_cust), dest, in.string_ids, round, &block, &ignored), st,
                  done);
  kseg_rfm_buf_clear(&bucket);

  /* scores */
  {
    int64_t row0, n_local;
    kseg_partition(n_global, P, rank, &row0, &n_local);
    if (n_local != block.n) {
      st = kseg_error_set(KSEG_ERR_IO, "rfm: rank %d holds %" PRId64 " customers after the sort, expected %" PRId64,
                          rank, block.n, n_local);
    }
    st = kseg_comm_agree(comm, st);
    if (st) goto done;
    double *x = kseg_malloc((size_t)(block.n ? block.n : 1) * 3 * sizeof *x, "rfm score values");
    st = kseg_comm_agree(comm, x ? KSEG_OK : KSEG_ERR_IO);
    if (st) goto done;
    const kseg_rfm_cust *c = block.items;
    const double *cols[3] = {x, x + block.n, x + 2 * block.n};
    for (int64_t i = 0; i < block.n; i++) {
      x[i] = 0.0 - c[i].v[KSEG_RFM_RECENCY]; /* higher is better for every score */
      x[block.n + i] = c[i].v[KSEG_RFM_FREQUENCY];
      x[2 * block.n + i] = c[i].v[KSEG_RFM_MONETARY_TOTAL];
    }
    double q[3][4];
    st = kseg_comm_agree(comm, kseg_rfm_quintiles_many(comm, cols, 3, block.n, q));
    free(x);
    if (st) goto done;
    for (int k = 0; k < 4; k++) {
      s->quintiles[0][k] = 0.0 - q[0][3 - k]; /* as recency days, ascending */
      s->quintiles[1][k] = q[1][k];
      s->quintiles[2][k] = q[2][k];
    }
    int64_t width = 1;
    for (int64_t i = 0; i < block.n; i++)
      if (c[i].key.id_len > width) width = c[i].key.id_len;
    KSEG_CHECK_GOTO(kseg_comm_agree(comm, kseg_comm_max_i64(comm, &width, 1)), st, done);
    st = kseg_comm_agree(comm, build_table(&block, &in, n_global, row0, (int)width, (const double(*)[4])q, &table));
    if (st) goto done;
  }
  t4 = kseg_now();

  /* write */
  KSEG_CHECK_GOTO(kseg_h5_create(comm, out_path, &w), st, done);
  st = kseg_h5_write_table(w, &table);
  if (!st) st = kseg_h5_attr_str(w, "/raw", "source", in_path);
  if (!st) st = kseg_h5_attr_str(w, "/raw", "table", "rfm");
  if (!st) st = kseg_h5_attr_i64(w, "/raw", "as_of", as_of);
  st = kseg_h5_finish(&w, st);
  if (st) goto done;

  s->string_ids = in.string_ids;
  s->month_first = in.month_first;
  s->lines = in.lines;
  s->purchases = counts[C_PURCHASES];
  s->returns = counts[C_RETURNS];
  s->after_as_of = counts[C_AFTER];
  s->dropped = counts[C_DROPPED];
  s->customers = n_global;
  s->first_day = in.lines ? in.min_day : 0;
  s->last_day = in.lines ? in.max_day : 0;
  s->as_of = as_of;
  s->monetary_total = kseg_fixed_to_double(&fa, money);
  s->bytes = in.bytes;
  double times[6] = {kseg_now() - t0, t1 - t0, t2 - t1, t3 - t2, t4 - t3, 0};
  times[5] = kseg_now() - t4;
  st = kseg_comm_agree(comm, kseg_comm_max_f64(comm, times, 6));
  s->seconds = times[0];
  s->read_seconds = times[1];
  s->exchange_seconds = times[2];
  s->aggregate_seconds = times[3];
  s->sort_seconds = times[4];
  s->write_seconds = times[5];
  for (int i = 0; i < 4 && !st; i++)
    if (in.columns[i]) {
      if (!(s->columns[i] = kseg_strings_dup(in.columns[i]))) st = KSEG_ERR_IO;
    }
  st = kseg_comm_agree(comm, st);
done:
  if (w) kseg_h5_finish(&w, st ? st : KSEG_ERR_IO);
  kseg_table_clear(&table);
  kseg_rfm_input_clear(&in);
  kseg_rfm_buf_clear(&recv);
  kseg_rfm_buf_clear(&cust);
  kseg_rfm_buf_clear(&bucket);
  kseg_rfm_buf_clear(&block);
  free(dest);
  if (st) kseg_rfm_summary_clear(s);
  return kseg_comm_agree(comm, st);
}
