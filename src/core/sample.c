/* sample.c - a seeded uniform sample of a matrix's rows (kseg_sample.h). */
#include "kseg/kseg_sample.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "kseg/kseg_comm.h"
#include "kseg/kseg_error.h"
#include "kseg/kseg_rng.h"
#include "kseg/kseg_strings.h"

/* Local keys <= t among keys[0..n). */
static int64_t count_at_most(const uint64_t *keys, int64_t n, uint64_t t)
{
  int64_t c = 0;
  for (int64_t i = 0; i < n; i++) c += keys[i] <= t;
  return c;
}

/* The smallest t with at least m global keys <= t, searched in [lo, hi]
 * (the answer must lie there) over the local candidates keys[0..n).
 * Collective. */
static int threshold(MPI_Comm comm, const uint64_t *keys, int64_t n, int64_t m, uint64_t lo, uint64_t hi,
                     uint64_t *t)
{
  while (lo < hi) {
    const uint64_t mid = lo + (hi - lo) / 2;
    int64_t c = count_at_most(keys, n, mid);
    KSEG_CHECK(kseg_comm_sum_i64(comm, &c, 1));
    if (c >= m) hi = mid;
    else lo = mid + 1;
  }
  *t = lo;
  return KSEG_OK;
}

int kseg_matrix_sample(MPI_Comm comm, const kseg_matrix *x, int64_t m, uint64_t seed, kseg_matrix *out)
{
  memset(out, 0, sizeof *out);
  if (m < 1)
    return kseg_comm_agree(comm, kseg_error_set(KSEG_ERR_INPUT, "a sample needs at least 1 row (got %lld)",
                                                (long long)m));
  const int64_t N = x->n_global, nl = x->n_local, d = x->d;
  if (m > N) m = N;
  const int P = kseg_comm_size(comm), rank = kseg_comm_rank(comm);
  const size_t row_bytes = (size_t)d * kseg_dtype_size(x->dtype);
  uint64_t *keys = kseg_malloc((size_t)(nl > 0 ? nl : 1) * sizeof *keys, "sample keys");
  uint64_t *cand = kseg_malloc((size_t)(nl > 0 ? nl : 1) * sizeof *cand, "sample keys");
  int64_t *to = kseg_calloc((size_t)P, sizeof *to, "sample counts");
  char *send = NULL;
  void *recv = NULL;
  int st = keys && cand && to ? KSEG_OK : KSEG_ERR_IO;
  st = kseg_comm_agree(comm, st);
  if (st) goto done;
  const kseg_rng_key key = {seed, kseg_rng_substream(KSEG_STREAM_SAMPLE, 1, 0)};
  for (int64_t i = 0; i < nl; i++) keys[i] = kseg_rng_u64(key, (uint64_t)(x->row0 + i), 0);
  uint64_t t = UINT64_MAX;
  if (m < N) {
    /* The threshold lies below the m/N quantile of uniform keys with room
     * to spare (a binomial count falls short of it with probability far
     * below 1e-9); the bisection then scans only the keys under it. */
    const double q = (double)m / (double)N;
    const double room = 1.0 + 16.0 / sqrt((double)m) + 1e-9;
    uint64_t cap = q * room >= 1.0 ? UINT64_MAX : (uint64_t)(q * room * 18446744073709551616.0);
    int64_t nc = 0;
    for (int64_t i = 0; i < nl; i++)
      if (keys[i] <= cap) cand[nc++] = keys[i];
    int64_t total = nc;
    st = kseg_comm_agree(comm, kseg_comm_sum_i64(comm, &total, 1));
    if (st) goto done;
    if (total < m) { /* the spare room was not enough: search every key */
      memcpy(cand, keys, (size_t)nl * sizeof *cand);
      nc = nl;
      cap = UINT64_MAX;
    }
    st = kseg_comm_agree(comm, threshold(comm, cand, nc, m, 0, cap, &t));
    if (st) goto done;
  }
  /* Rows with key < t are in; of those with key == t, the lowest rows,
   * counted in rank order (ranks hold consecutive rows). */
  int64_t below = 0, at = 0;
  for (int64_t i = 0; i < nl; i++) {
    below += keys[i] < t;
    at += keys[i] == t;
  }
  int64_t sums[2] = {below, 0};
  kseg_i128 at_before = 0, mine_before = 0;
  st = kseg_comm_sum_i64(comm, sums, 1);
  if (!st) st = kseg_comm_exscan_i128(comm, at, &at_before);
  st = kseg_comm_agree(comm, st);
  if (st) goto done;
  int64_t take_at = m - sums[0] - (int64_t)at_before;
  take_at = take_at < 0 ? 0 : (take_at < at ? take_at : at);
  const int64_t mine = below + take_at;
  st = kseg_comm_agree(comm, kseg_comm_exscan_i128(comm, mine, &mine_before));
  if (st) goto done;
  send = kseg_malloc(mine > 0 ? (size_t)mine * row_bytes : 1, "sample rows");
  st = kseg_comm_agree(comm, send ? KSEG_OK : KSEG_ERR_IO);
  if (st) goto done;
  /* The picked rows in order, each counted toward the rank that holds its
   * place in the sample's partition. */
  int64_t g = (int64_t)mine_before, p = 0;
  for (int64_t i = 0; i < nl; i++) {
    bool take = keys[i] < t;
    if (keys[i] == t && take_at > 0) take = true, take_at--;
    if (!take) continue;
    memcpy(send + (size_t)p++ * row_bytes, (const char *)x->data + (size_t)i * row_bytes, row_bytes);
    to[kseg_partition_owner(m, P, g++)]++;
  }
  int64_t n_recv = 0;
  st = kseg_comm_exchange(comm, send, to, row_bytes, &recv, &n_recv, NULL);
  if (st) goto done;
  out->n_global = m;
  out->d = d;
  out->dtype = x->dtype;
  kseg_partition(m, P, rank, &out->row0, &out->n_local);
  out->data = recv;
  recv = NULL;
  if (x->columns) {
    out->columns = kseg_calloc((size_t)d, sizeof *out->columns, "column names");
    for (int64_t j = 0; out->columns && j < d; j++) {
      out->columns[j] = kseg_strings_dup(x->columns[j] ? x->columns[j] : "");
      if (!out->columns[j]) st = KSEG_ERR_IO;
    }
    if (!out->columns) st = KSEG_ERR_IO;
  }
  if (!st && n_recv != out->n_local)
    st = kseg_error_set(KSEG_ERR_IO, "sample: received %lld rows, expected %lld", (long long)n_recv,
                        (long long)out->n_local);
  st = kseg_comm_agree(comm, st);
  if (st) kseg_matrix_clear(out);
done:
  free(keys);
  free(cand);
  free(to);
  free(send);
  free(recv);
  return st;
}
