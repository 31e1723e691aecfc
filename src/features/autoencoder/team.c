/* features/autoencoder/team.c - the training steps shared by the ranks of one
 * node (team.h).
 *
 * Shared memory (MPI_Win_allocate_shared):
 *   - each rank's segment: a copy of its rows, then its rows of the epoch in
 *     batch order and where each batch starts;
 *   - the control segment (node rank 0): each rank's finished steps, then a
 *     ring of `ring` steps, each with a state word and a slot of len sums
 *     per chunk.
 * A chunk's state word for step s holds 4 (s + 1) + {0 claimed, 1 being
 * published, 2 published}; anything below 4 (s + 1) is a step the ring held
 * before, so unclaimed. A step's slot is reused ring steps later, once every
 * rank has finished the step (progress), so nobody can still read it.
 * The words are C11 atomics on memory every rank maps (MPI's unified
 * memory model). */
#include "features/autoencoder/team.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kseg/kseg_error.h"

/* Bytes the ring of chunk sums may take, the most steps it holds, and the
 * fewest rows a chunk gets. A rank off its core for a scheduler slice
 * (several ms) misses a few dozen steps of 0.1-1 ms. */
#define TEAM_RING_BYTES ((int64_t)64 << 20)
#define TEAM_RING_MAX 64
#define TEAM_RING_MIN 4
#define TEAM_MIN_CHUNK 16
/* Chunks per rank in a step: a descheduled rank holds at most one. */
#define TEAM_CHUNKS_PER_RANK 2

typedef struct team_word {
  _Atomic int64_t v;
  _Atomic int64_t at; /* a chunk's: when it was claimed (ns, CLOCK_MONOTONIC) */
  char pad[64 - 2 * sizeof(int64_t)];
} team_word;

static int64_t now_ns(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

struct ae_team {
  MPI_Comm node;
  MPI_Win data_win, ctl_win;
  int size, me, D;
  int64_t len, n_batches, ring, cmax;
  int64_t *n_rows;      /* [size] rows of each rank */
  const double **X;     /* [size] each rank's shared rows */
  int64_t **order;      /* [size] each rank's epoch rows in batch order */
  int64_t **first;      /* [size] where each rank's batches start */
  team_word *progress;  /* [size] steps each rank has finished */
  team_word *state;     /* [ring x cmax] */
  kseg_i128 *slots;     /* [ring x cmax x len] */
  kseg_i128 *mine;      /* [cmax x len] this rank's chunks */
  unsigned char *have;  /* [cmax] chunk in mine */
  const double **ptrs;  /* one chunk's rows */
  int64_t max_chunk;
  double row_seconds;   /* a row's work here, a running estimate */
  int nap;              /* test builds: nap after claiming every third chunk */
};

/* Wait for the chunk another rank claimed to be published (state `done`),
 * until it has had 1.25 times as long since its claim as this rank takes
 * for its `rows` rows: a rank that is computing it finishes by then, a
 * rank off its core does not, and this one computes the chunk instead.
 * Returns whether it was published. */
static bool wait_for_chunk(const ae_team *t, team_word *w, int64_t done, int64_t rows)
{
  const int64_t now = now_ns(), need = (int64_t)(1.25e9 * t->row_seconds * (double)rows);
  int64_t at = atomic_load_explicit(&w->at, memory_order_relaxed);
  if (at < now - 2 * need) at = now; /* not yet stamped: claimed about now */
  for (;;) {
    for (int spin = 0; spin < 64; spin++)
      if (atomic_load_explicit(&w->v, memory_order_acquire) == done) return true;
    if (now_ns() > at + need) return false;
  }
}

/* Wait until a rank has finished at_least steps (the ring is full): spin
 * 100 us, then naps of 5 us growing to 100 us, as kseg_comm_wait, since the
 * rank that is behind is likely one without a core. */
static void wait_for_progress(team_word *w, int64_t at_least)
{
  const double t0 = MPI_Wtime();
  long nap = 5000;
  while (atomic_load_explicit(&w->v, memory_order_acquire) < at_least) {
    if (MPI_Wtime() - t0 < 100e-6) continue;
    const struct timespec ts = {0, nap};
    nanosleep(&ts, NULL);
    nap = nap * 2 < 100000L ? nap * 2 : 100000L;
  }
}

/* KSEG_AE_TEAM=0: the static split (it spares the copy of the rows). */
static int team_wanted(void)
{
  const char *e = getenv("KSEG_AE_TEAM");
  return !(e && strcmp(e, "0") == 0);
}

/* How many steps the ring holds for slots of slot_bytes: 0 if too few. */
static int64_t ring_steps(int64_t slot_bytes)
{
  int64_t r = TEAM_RING_BYTES / slot_bytes;
  r = r > TEAM_RING_MAX ? TEAM_RING_MAX : r;
#ifdef KSEG_FAULT_INJECTION
  const char *e = getenv("KSEG_AE_RING");
  if (e && atoi(e) >= 1) r = atoi(e);
  else if (r < TEAM_RING_MIN) r = 0;
#else
  if (r < TEAM_RING_MIN) r = 0;
#endif
  return r;
}

static int free_team(ae_team *t, int st)
{
  if (t->data_win != MPI_WIN_NULL) {
    MPI_Win_unlock_all(t->data_win);
    MPI_Win_free(&t->data_win);
  }
  if (t->ctl_win != MPI_WIN_NULL) {
    MPI_Win_unlock_all(t->ctl_win);
    MPI_Win_free(&t->ctl_win);
  }
  if (t->node != MPI_COMM_NULL) MPI_Comm_free(&t->node);
  free(t->n_rows);
  free(t->X);
  free(t->order);
  free(t->first);
  free(t->mine);
  free(t->have);
  free(t->ptrs);
  free(t);
  return st;
}

/* A shared window of `bytes` on this rank, in a passive epoch for all. */
static int shared_window(MPI_Comm node, int64_t bytes, void **base, MPI_Win *win)
{
  MPI_Info info;
  MPI_Info_create(&info);
  MPI_Info_set(info, "alloc_shared_noncontig", "true");
  int st = kseg_comm_check(MPI_Win_allocate_shared((MPI_Aint)bytes, 1, info, node, base, win),
                           "MPI_Win_allocate_shared (autoencoder team)");
  MPI_Info_free(&info);
  if (!st) st = kseg_comm_check(MPI_Win_lock_all(MPI_MODE_NOCHECK, *win), "MPI_Win_lock_all");
  return st;
}

/* Every rank's writes so far visible to every rank. Collective. */
static int team_sync(ae_team *t)
{
  MPI_Win_sync(t->data_win);
  MPI_Win_sync(t->ctl_win);
  int st = kseg_comm_check(MPI_Barrier(t->node), "MPI_Barrier (autoencoder team)");
  MPI_Win_sync(t->data_win);
  MPI_Win_sync(t->ctl_win);
  return st;
}

int ae_team_open(MPI_Comm comm, const double *X, int64_t n_local, int D, int threads, int64_t len,
                 int64_t n_batches, ae_team **out)
{
  *out = NULL;
  const int size = kseg_comm_size(comm);
  int most = threads;
  int st = kseg_comm_check(MPI_Allreduce(MPI_IN_PLACE, &most, 1, MPI_INT, MPI_MAX, comm), "MPI_Allreduce");
  KSEG_CHECK(kseg_comm_agree(comm, st));
  const int64_t cmax = (int64_t)TEAM_CHUNKS_PER_RANK * size;
  const int64_t ring = ring_steps(cmax * len * (int64_t)sizeof(kseg_i128));
  if (size < 2 || most > 1 || ring == 0 || !team_wanted()) return KSEG_OK;
  MPI_Comm node = MPI_COMM_NULL;
  st = kseg_comm_check(MPI_Comm_split_type(comm, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &node),
                       "MPI_Comm_split_type");
  KSEG_CHECK(kseg_comm_agree(comm, st));
  int on_node = kseg_comm_size(node), all_on_node = on_node;
  st = kseg_comm_check(MPI_Allreduce(&on_node, &all_on_node, 1, MPI_INT, MPI_MIN, comm), "MPI_Allreduce");
  st = kseg_comm_agree(comm, st);
  if (st || all_on_node != size) { /* several nodes: the static split */
    MPI_Comm_free(&node);
    return st;
  }

  ae_team *t = kseg_calloc(1, sizeof *t, "autoencoder team");
  st = t ? KSEG_OK : KSEG_ERR_IO;
  KSEG_CHECK_GOTO(kseg_comm_agree(comm, st), st, fail_early);
  *t = (ae_team){.node = node, .data_win = MPI_WIN_NULL, .ctl_win = MPI_WIN_NULL, .size = size,
                 .me = kseg_comm_rank(node), .D = D, .len = len, .n_batches = n_batches, .ring = ring,
                 .cmax = cmax};
  node = MPI_COMM_NULL;
#ifdef KSEG_FAULT_INJECTION
  const char *nap = getenv("KSEG_AE_NAP_RANK");
  t->nap = nap && atoi(nap) == t->me;
#endif
  t->n_rows = kseg_malloc(sizeof(int64_t) * (size_t)size, "autoencoder team");
  t->X = kseg_malloc(sizeof(double *) * (size_t)size, "autoencoder team");
  t->order = kseg_malloc(sizeof(int64_t *) * (size_t)size, "autoencoder team");
  t->first = kseg_malloc(sizeof(int64_t *) * (size_t)size, "autoencoder team");
  t->mine = kseg_malloc(sizeof(kseg_i128) * (size_t)(cmax * len), "autoencoder team sums");
  t->have = kseg_malloc((size_t)cmax, "autoencoder team");
  st = t->n_rows && t->X && t->order && t->first && t->mine && t->have ? KSEG_OK : KSEG_ERR_IO;
  if (!st)
    st = kseg_comm_check(MPI_Allgather(&n_local, 1, MPI_INT64_T, t->n_rows, 1, MPI_INT64_T, t->node),
                         "MPI_Allgather (autoencoder team)");
  KSEG_CHECK_GOTO(kseg_comm_agree(comm, st), st, fail);
  int64_t most_rows = 0;
  for (int r = 0; r < size; r++) most_rows = t->n_rows[r] > most_rows ? t->n_rows[r] : most_rows;
  /* a step's rows are at most a batch's, and a chunk's at most a share */
  t->max_chunk = (most_rows * size + cmax - 1) / cmax + TEAM_MIN_CHUNK;
  t->ptrs = kseg_malloc(sizeof(double *) * (size_t)t->max_chunk, "autoencoder team");
  st = t->ptrs ? KSEG_OK : KSEG_ERR_IO;
  KSEG_CHECK_GOTO(kseg_comm_agree(comm, st), st, fail);

  /* this rank's segment: rows, order, batch starts */
  const int64_t x_bytes = n_local * D * (int64_t)sizeof(double);
  const int64_t mine_bytes = x_bytes + (n_local + n_batches + 1) * (int64_t)sizeof(int64_t);
  void *base = NULL;
  st = shared_window(t->node, mine_bytes, &base, &t->data_win);
  KSEG_CHECK_GOTO(kseg_comm_agree(comm, st), st, fail);
  if (x_bytes > 0) memcpy(base, X, (size_t)x_bytes);
  for (int r = 0; !st && r < size; r++) {
    MPI_Aint bytes;
    int unit;
    char *p = NULL;
    st = kseg_comm_check(MPI_Win_shared_query(t->data_win, r, &bytes, &unit, &p), "MPI_Win_shared_query");
    t->X[r] = (const double *)p;
    t->order[r] = (int64_t *)(p + t->n_rows[r] * D * (int64_t)sizeof(double));
    t->first[r] = t->order[r] + t->n_rows[r];
  }
  KSEG_CHECK_GOTO(kseg_comm_agree(comm, st), st, fail);

  /* the control segment, on node rank 0 */
  const int64_t words = size + ring * cmax;
  const int64_t ctl_bytes =
      64 + words * (int64_t)sizeof(team_word) + ring * cmax * len * (int64_t)sizeof(kseg_i128);
  st = shared_window(t->node, t->me == 0 ? ctl_bytes : 0, &base, &t->ctl_win);
  KSEG_CHECK_GOTO(kseg_comm_agree(comm, st), st, fail);
  MPI_Aint bytes;
  int unit;
  char *p = NULL;
  st = kseg_comm_check(MPI_Win_shared_query(t->ctl_win, 0, &bytes, &unit, &p), "MPI_Win_shared_query");
  KSEG_CHECK_GOTO(kseg_comm_agree(comm, st), st, fail);
  /* the words and sums 64-byte aligned (the window's base may be only 8),
   * at the same place for every rank: the segment is mapped page-aligned */
  int pad[2] = {(int)((64 - (uintptr_t)p % 64) % 64), 0};
  pad[1] = -pad[0];
  st = kseg_comm_check(MPI_Allreduce(MPI_IN_PLACE, pad, 2, MPI_INT, MPI_MAX, t->node), "MPI_Allreduce");
  if (!st && pad[0] != -pad[1])
    st = kseg_error_set(KSEG_ERR_IO, "autoencoder: the shared memory is mapped at different offsets on the ranks");
  KSEG_CHECK_GOTO(kseg_comm_agree(comm, st), st, fail);
  p += pad[0];
  t->progress = (team_word *)p;
  t->state = t->progress + size;
  t->slots = (kseg_i128 *)(t->state + ring * cmax);
  if (t->me == 0)
    for (int64_t w = 0; w < words; w++) {
      atomic_init(&t->progress[w].v, 0);
      atomic_init(&t->progress[w].at, 0);
    }
  KSEG_CHECK_GOTO(kseg_comm_agree(comm, team_sync(t)), st, fail);
  *out = t;
  return KSEG_OK;
fail:
  return free_team(t, st);
fail_early:
  free(t);
  MPI_Comm_free(&node);
  return st;
}

int64_t *ae_team_rows(ae_team *t) { return t->order[t->me]; }

int64_t *ae_team_first(ae_team *t) { return t->first[t->me]; }

int ae_team_epoch(ae_team *t) { return team_sync(t); }

/* ptrs[0..) = the rows [c0, c1) of batch b, taken over the ranks in order.
 * Returns how many. */
static int64_t chunk_rows(ae_team *t, int64_t b, int64_t c0, int64_t c1)
{
  int64_t k = 0, off = 0;
  for (int r = 0; r < t->size && off < c1; r++) {
    const int64_t f = t->first[r][b], n = t->first[r][b + 1] - f;
    const int64_t lo = c0 > off ? c0 - off : 0, hi = c1 - off < n ? c1 - off : n;
    for (int64_t i = lo; i < hi; i++) t->ptrs[k++] = t->X[r] + t->order[r][f + i] * t->D;
    off += n;
  }
  return k;
}

/* Publish chunk c's sums, unless another rank is publishing or has. */
static void publish(ae_team *t, team_word *w, kseg_i128 *slot, const kseg_i128 *sums, int64_t base)
{
  int64_t v = base;
  if (!atomic_compare_exchange_strong_explicit(&w->v, &v, base + 1, memory_order_acq_rel, memory_order_relaxed))
    return;
  memcpy(slot, sums, sizeof(kseg_i128) * (size_t)t->len);
  atomic_store_explicit(&w->v, base + 2, memory_order_release);
}

void ae_team_step(ae_team *t, int64_t step, int64_t b, ae_team_work work, void *ctx, kseg_i128 *buf)
{
  /* the ring slot of this step held step - ring: every rank must be past it */
  for (int r = 0; step >= t->ring && r < t->size; r++) wait_for_progress(&t->progress[r], step - t->ring + 1);
  int64_t m = 0;
  for (int r = 0; r < t->size; r++) m += t->first[r][b + 1] - t->first[r][b];
  int64_t nc = (m + TEAM_MIN_CHUNK - 1) / TEAM_MIN_CHUNK;
  nc = nc > t->cmax ? t->cmax : nc;
  const int64_t cs = nc > 0 ? (m + nc - 1) / nc : 0, len = t->len, base = 4 * (step + 1);
  nc = nc > 0 ? (m + cs - 1) / cs : 0; /* no empty chunk at the end (m = 520, 32 chunks: 31 of 17) */
  team_word *st = t->state + (step % t->ring) * t->cmax;
  kseg_i128 *slot = t->slots + (step % t->ring) * t->cmax * len;
  memset(t->have, 0, (size_t)t->cmax);
  /* claim chunks, starting from the ones holding this rank's rows */
  const int64_t start = nc * t->me / t->size;
  for (int64_t q = 0; q < nc; q++) {
    const int64_t c = (start + q) % nc;
    int64_t v = atomic_load_explicit(&st[c].v, memory_order_relaxed);
    if (v >= base ||
        !atomic_compare_exchange_strong_explicit(&st[c].v, &v, base, memory_order_acq_rel, memory_order_relaxed))
      continue;
    atomic_store_explicit(&st[c].at, now_ns(), memory_order_relaxed);
#ifdef KSEG_FAULT_INJECTION
    if (t->nap && c % 3 == 0) nanosleep(&(struct timespec){0, 2000000}, NULL);
#endif
    const int64_t k = chunk_rows(t, b, c * cs, (c + 1) * cs < m ? (c + 1) * cs : m);
    const double t0 = MPI_Wtime();
    work(ctx, t->ptrs, k, t->mine + c * len);
    if (k > 0) {
      const double per_row = (MPI_Wtime() - t0) / (double)k;
      t->row_seconds = t->row_seconds > 0 ? 0.75 * t->row_seconds + 0.25 * per_row : per_row;
    }
    t->have[c] = 1;
    publish(t, &st[c], slot + c * len, t->mine + c * len, base);
  }
  /* the others' chunks: their sums, or computed here when they do not come
   * within a chunk's time */
  for (int64_t c = 0; c < nc; c++) {
    if (t->have[c] || wait_for_chunk(t, &st[c], base + 2, (c + 1) * cs < m ? cs : m - c * cs)) continue;
    const int64_t k = chunk_rows(t, b, c * cs, (c + 1) * cs < m ? (c + 1) * cs : m);
    work(ctx, t->ptrs, k, t->mine + c * len);
    t->have[c] = 1;
    publish(t, &st[c], slot + c * len, t->mine + c * len, base);
  }
  memset(buf, 0, sizeof(kseg_i128) * (size_t)len);
  for (int64_t c = 0; c < nc; c++) {
    const kseg_i128 *s = t->have[c] ? t->mine + c * len : slot + c * len;
    for (int64_t p = 0; p < len; p++) buf[p] += s[p];
  }
  atomic_store_explicit(&t->progress[t->me].v, step + 1, memory_order_release);
}

void ae_team_close(ae_team **t)
{
  if (!*t) return;
  free_team(*t, KSEG_OK);
  *t = NULL;
}
