/* sources/rfm/group.c - the distributed group-by of kseg_rfm_run: keys, the record
 * exchange between ranks (MPI_Alltoallv in rounds), the local sort. */
#define _GNU_SOURCE /* qsort_r */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "kseg/kseg_comm.h"
#include "kseg/kseg_error.h"
#include "kseg/kseg_hash.h"
#include "sources/rfm/internal.h"

/* FNV-1a's offset basis a digit short (1469598103934665603 is
 * 14695981039346656037 / 10): the seed string ids have always been hashed
 * from. Owner ranks follow from it, so it stays. */
#define RFM_ID_HASH_INIT 1469598103934665603ULL

uint64_t kseg_rfm_key_hash(const kseg_rfm_key *k, const char *arena)
{
  uint64_t h = k->id_len == 0 ? (uint64_t)k->id : kseg_hash_fnv1a(RFM_ID_HASH_INIT, arena + k->id, (size_t)k->id_len);
  /* a splitmix64 step (golden-ratio increment, then the finalizer):
   * consecutive integer ids spread over all ranks */
  return kseg_hash_mix64(h + 0x9E3779B97F4A7C15ULL);
}

int kseg_rfm_key_cmp(const kseg_rfm_key *a, const char *arena_a, const kseg_rfm_key *b, const char *arena_b)
{
  if (a->id_len == 0 && b->id_len == 0) return (a->id > b->id) - (a->id < b->id);
  int32_t n = a->id_len < b->id_len ? a->id_len : b->id_len;
  int c = memcmp(arena_a + a->id, arena_b + b->id, (size_t)n);
  if (c) return c;
  return (a->id_len > b->id_len) - (a->id_len < b->id_len);
}

static int cmp_records(const void *x, const void *y, void *arena)
{
  const kseg_rfm_key *a = x, *b = y;
  int c = kseg_rfm_key_cmp(a, arena, b, arena);
  if (c) return c;
  return (a->aux > b->aux) - (a->aux < b->aux);
}

/* LSD radix sort of integer-keyed records by (id, aux): 12 byte-passes over
 * an index permutation, stable, O(n). The comparison sort would dominate a
 * large aggregation. */
static int radix_sort_int(kseg_rfm_buf *b, size_t size)
{
  int64_t n = b->n;
  uint32_t *idx = malloc((size_t)n * sizeof *idx), *tmp = malloc((size_t)n * sizeof *tmp);
  char *out = malloc((size_t)n * size);
  if (!idx || !tmp || !out) {
    free(idx);
    free(tmp);
    free(out);
    return 0;
  }
  const char *items = b->items;
  for (int64_t i = 0; i < n; i++) idx[i] = (uint32_t)i;
  /* Key bytes: aux (as unsigned with the sign flipped) low, then id likewise. */
  uint64_t or_diff[2] = {0, 0};
  const kseg_rfm_key *k0 = (const kseg_rfm_key *)items;
  for (int64_t i = 1; i < n; i++) {
    const kseg_rfm_key *k = (const kseg_rfm_key *)(items + (size_t)i * size);
    or_diff[0] |= (uint64_t)(uint32_t)(k->aux ^ k0->aux);
    or_diff[1] |= (uint64_t)(k->id ^ k0->id);
  }
  for (int pass = 0; pass < 12; pass++) {
    int word = pass < 4 ? 0 : 1, shift = 8 * (pass < 4 ? pass : pass - 4);
    if (!((or_diff[word] >> shift) & 0xFF)) continue; /* every key has the same byte here */
    int64_t count[257] = {0};
    for (int64_t i = 0; i < n; i++) {
      const kseg_rfm_key *k = (const kseg_rfm_key *)(items + (size_t)idx[i] * size);
      uint64_t v = word ? (uint64_t)k->id ^ 0x8000000000000000ULL : (uint64_t)((uint32_t)k->aux ^ 0x80000000u);
      count[((v >> shift) & 0xFF) + 1]++;
    }
    for (int j = 0; j < 256; j++) count[j + 1] += count[j];
    for (int64_t i = 0; i < n; i++) {
      const kseg_rfm_key *k = (const kseg_rfm_key *)(items + (size_t)idx[i] * size);
      uint64_t v = word ? (uint64_t)k->id ^ 0x8000000000000000ULL : (uint64_t)((uint32_t)k->aux ^ 0x80000000u);
      tmp[count[(v >> shift) & 0xFF]++] = idx[i];
    }
    uint32_t *s = idx;
    idx = tmp;
    tmp = s;
  }
  for (int64_t i = 0; i < n; i++) memcpy(out + (size_t)i * size, items + (size_t)idx[i] * size, size);
  free(idx);
  free(tmp);
  free(b->items);
  b->items = out;
  b->cap = n;
  return 1;
}

/* Integer keys whose id and aux ranges fit together in 64 bits (the usual
 * case) sort as one packed key beside the record index: LSD radix in 11-bit
 * digits over 16-byte pairs read in order. Returns the permutation (owned by
 * the caller), or NULL when the keys do not fit or memory is short. */
static uint64_t *radix_perm_packed(const kseg_rfm_buf *b, size_t size)
{
  int64_t n = b->n;
  const char *items = b->items;
  int64_t id_lo = INT64_MAX, id_hi = INT64_MIN, aux_lo = INT32_MAX, aux_hi = INT32_MIN;
  for (int64_t i = 0; i < n; i++) {
    const kseg_rfm_key *k = (const kseg_rfm_key *)(items + (size_t)i * size);
    if (k->id < id_lo) id_lo = k->id;
    if (k->id > id_hi) id_hi = k->id;
    if (k->aux < aux_lo) aux_lo = k->aux;
    if (k->aux > aux_hi) aux_hi = k->aux;
  }
  uint64_t id_span = (uint64_t)id_hi - (uint64_t)id_lo, aux_span = (uint64_t)(aux_hi - aux_lo);
  int id_bits = 0, aux_bits = 0;
  while (id_bits < 64 && (id_span >> id_bits)) id_bits++;
  while (aux_bits < 64 && (aux_span >> aux_bits)) aux_bits++;
  if (id_bits + aux_bits > 64) return NULL;
  typedef struct { uint64_t key; uint64_t idx; } pair;
  pair *a = malloc((size_t)n * sizeof *a), *t = malloc((size_t)n * sizeof *t);
  if (!a || !t) {
    free(a);
    free(t);
    return NULL;
  }
  for (int64_t i = 0; i < n; i++) {
    const kseg_rfm_key *k = (const kseg_rfm_key *)(items + (size_t)i * size);
    uint64_t hi = id_bits ? ((uint64_t)k->id - (uint64_t)id_lo) << aux_bits : 0;
    a[i].key = hi | (uint64_t)((int64_t)k->aux - aux_lo);
    a[i].idx = (uint64_t)i;
  }
  enum { DIGIT = 11, BUCKETS = 1 << DIGIT };
  int64_t *count = malloc(BUCKETS * sizeof *count);
  if (!count) {
    free(a);
    free(t);
    return NULL;
  }
  for (int shift = 0; shift < id_bits + aux_bits; shift += DIGIT) {
    memset(count, 0, BUCKETS * sizeof *count);
    for (int64_t i = 0; i < n; i++) count[(a[i].key >> shift) & (BUCKETS - 1)]++;
    int64_t sum = 0;
    for (int j = 0; j < BUCKETS; j++) {
      int64_t c = count[j];
      count[j] = sum;
      sum += c;
    }
    for (int64_t i = 0; i < n; i++) t[count[(a[i].key >> shift) & (BUCKETS - 1)]++] = a[i];
    pair *sw = a;
    a = t;
    t = sw;
  }
  free(count);
  free(t);
  /* Compact the indices in place: entry i moves to byte 8i from byte 16i + 8. */
  uint64_t *perm = (uint64_t *)a;
  for (int64_t i = 0; i < n; i++) perm[i] = a[i].idx;
  uint64_t *shrunk = realloc(perm, (size_t)n * sizeof *perm);
  return shrunk ? shrunk : perm;
}

uint64_t *kseg_rfm_sort_perm(kseg_rfm_buf *b, size_t size)
{
  if (b->n < 2) return NULL;
  int ints = 1;
  for (int64_t i = 0; i < b->n && ints; i++) ints = ((const kseg_rfm_key *)((char *)b->items + (size_t)i * size))->id_len == 0;
  if (ints) {
    uint64_t *perm = radix_perm_packed(b, size);
    if (perm) return perm;
    if (b->n < ((int64_t)1 << 32) && radix_sort_int(b, size)) return NULL;
  }
  /* Strings (or no memory for the radix buffers): a comparison sort in place. */
  qsort_r(b->items, (size_t)b->n, size, cmp_records, b->arena);
  return NULL;
}

void kseg_rfm_sort(kseg_rfm_buf *b, size_t size)
{
  uint64_t *perm = kseg_rfm_sort_perm(b, size);
  if (!perm) return;
  char *out = malloc((size_t)b->n * size);
  if (!out) { /* keep the order by sorting in place instead */
    free(perm);
    qsort_r(b->items, (size_t)b->n, size, cmp_records, b->arena);
    return;
  }
  for (int64_t i = 0; i < b->n; i++) memcpy(out + (size_t)i * size, (char *)b->items + perm[i] * size, size);
  free(perm);
  free(b->items);
  b->items = out;
  b->cap = b->n;
}

/* MPI counts are int: one round moves at most this many bytes per rank pair. */
#define KSEG_RFM_MAX_ROUND_BYTES ((int64_t)1 << 30)

int kseg_rfm_exchange(MPI_Comm comm, const kseg_rfm_buf *in, size_t size, const int *dest, int string_ids,
                 int64_t round_items, kseg_rfm_buf *out, int64_t *rounds)
{
  int P = kseg_comm_size(comm);
  memset(out, 0, sizeof *out);
  int st = KSEG_OK;
  int64_t *cnt = kseg_calloc((size_t)P * 8, sizeof *cnt, "rfm exchange counts");
  int64_t *order = kseg_malloc((size_t)(in->n ? in->n : 1) * sizeof *order, "rfm exchange order");
  int *sc = kseg_calloc((size_t)P * 8, sizeof *sc, "rfm exchange round counts");
  st = kseg_comm_agree(comm, cnt && order && sc ? KSEG_OK : KSEG_ERR_IO);
  if (st) goto done;
  /* cnt: [0,P) items to each rank, [P,2P) bytes to each, [2P,4P) received
   * (items, bytes), [4P,5P) first index in `order`, [5P,6P) sent so far,
   * [6P,7P) items received so far, [7P,8P) bytes received so far. */
  int64_t *to = cnt, *tob = cnt + P, *from = cnt + 2 * P, *first = cnt + 4 * P, *sent = cnt + 5 * P,
          *got = cnt + 6 * P, *gotb = cnt + 7 * P;
  const char *items = in->items;
  for (int64_t i = 0; i < in->n; i++) {
    to[dest[i]]++;
    if (string_ids) tob[dest[i]] += ((const kseg_rfm_key *)(items + (size_t)i * size))->id_len;
  }
  for (int r = 1; r < P; r++) first[r] = first[r - 1] + to[r - 1];
  for (int64_t i = 0; i < in->n; i++) order[first[dest[i]] + sent[dest[i]]++] = i; /* stable by destination */
  memset(sent, 0, (size_t)P * sizeof *sent);
  {
    int64_t *sendpairs = kseg_malloc((size_t)P * 2 * sizeof *sendpairs, "rfm counts");
    int64_t *recvpairs = kseg_malloc((size_t)P * 2 * sizeof *recvpairs, "rfm counts");
    if (!sendpairs || !recvpairs) st = KSEG_ERR_IO;
    else {
      for (int r = 0; r < P; r++) { sendpairs[2 * r] = to[r]; sendpairs[2 * r + 1] = tob[r]; }
      st = kseg_comm_check(MPI_Alltoall(sendpairs, 2, MPI_INT64_T, recvpairs, 2, MPI_INT64_T, comm),
                           "MPI_Alltoall (rfm counts)");
      for (int r = 0; r < P && !st; r++) { from[2 * r] = recvpairs[2 * r]; from[2 * r + 1] = recvpairs[2 * r + 1]; }
    }
    free(sendpairs);
    free(recvpairs);
  }
  st = kseg_comm_agree(comm, st);
  if (st) goto done;

  int64_t per_pair = round_items / P;
  if (per_pair < 1) per_pair = 1;
  if (per_pair * (int64_t)(size + KSEG_RFM_MAX_ID) > KSEG_RFM_MAX_ROUND_BYTES / P)
    per_pair = KSEG_RFM_MAX_ROUND_BYTES / P / (int64_t)(size + KSEG_RFM_MAX_ID);
  if (per_pair < 1) per_pair = 1;
  int64_t nr = 0, total = 0, total_bytes = 0, idmax[2] = {0, 0};
  for (int64_t i = 0; string_ids && i < in->n; i++) {
    int64_t len = ((const kseg_rfm_key *)(items + (size_t)i * size))->id_len;
    if (len > idmax[1]) idmax[1] = len;
  }
  for (int r = 0; r < P; r++) {
    int64_t k = (to[r] + per_pair - 1) / per_pair;
    if (k > nr) nr = k;
    total += from[2 * r];
    total_bytes += from[2 * r + 1];
  }
  idmax[0] = nr;
  st = kseg_comm_max_i64(comm, idmax, 2); /* rounds, and the longest id: the id buffers' size */
  nr = idmax[0];
  out->items = kseg_malloc((size_t)(total ? total : 1) * size, "rfm received records");
  out->arena = kseg_malloc((size_t)(total_bytes ? total_bytes : 1), "rfm received ids");
  out->n = out->cap = total;
  out->arena_len = out->arena_cap = total_bytes;
  /* Where each source's records and bytes go, so the result is in source
   * order whatever the rounds. */
  int64_t *at = kseg_calloc((size_t)P * 2, sizeof *at, "rfm displacements");
  char *sbuf = kseg_malloc((size_t)(per_pair * P) * size + 1, "rfm send buffer");
  char *rbuf = kseg_malloc((size_t)(per_pair * P) * size + 1, "rfm receive buffer");
  char *sbytes = string_ids ? kseg_malloc((size_t)(per_pair * P * idmax[1]) + 1, "rfm send ids") : NULL;
  char *rbytes = string_ids ? kseg_malloc((size_t)(per_pair * P * idmax[1]) + 1, "rfm receive ids") : NULL;
  if (!st && (!out->items || !out->arena || !at || !sbuf || !rbuf || (string_ids && (!sbytes || !rbytes))))
    st = KSEG_ERR_IO;
  st = kseg_comm_agree(comm, st);
  for (int r = 1; r < P && !st; r++) {
    at[2 * r] = at[2 * (r - 1)] + from[2 * (r - 1)];
    at[2 * r + 1] = at[2 * (r - 1) + 1] + from[2 * (r - 1) + 1];
  }
  int *scnt = sc, *sdsp = sc + P, *rcnt = sc + 2 * P, *rdsp = sc + 3 * P, *sbc = sc + 4 * P, *sbd = sc + 5 * P,
      *rbc = sc + 6 * P, *rbd = sc + 7 * P;
  for (int64_t round = 0; round < nr && !st; round++) {
    int64_t off = 0, boff = 0;
    for (int r = 0; r < P; r++) {
      int64_t k = to[r] - sent[r];
      if (k > per_pair) k = per_pair;
      sdsp[r] = (int)(off * (int64_t)size);
      sbd[r] = (int)boff;
      for (int64_t j = 0; j < k; j++) {
        const char *rec = items + (size_t)order[first[r] + sent[r] + j] * size;
        char *o = sbuf + (size_t)(off + j) * size;
        memcpy(o, rec, size);
        kseg_rfm_key *key = (kseg_rfm_key *)o;
        if (key->id_len) {
          memcpy(sbytes + boff, in->arena + key->id, (size_t)key->id_len);
          boff += key->id_len;
        }
      }
      sent[r] += k;
      off += k;
      scnt[r] = (int)(k * (int64_t)size);
      sbc[r] = (int)(boff - sbd[r]);
    }
    st = kseg_comm_check(MPI_Alltoall(scnt, 1, MPI_INT, rcnt, 1, MPI_INT, comm), "MPI_Alltoall (rfm round)");
    if (!st && string_ids)
      st = kseg_comm_check(MPI_Alltoall(sbc, 1, MPI_INT, rbc, 1, MPI_INT, comm), "MPI_Alltoall (rfm round ids)");
    if (!st) {
      int64_t o = 0, ob = 0;
      for (int r = 0; r < P; r++) {
        rdsp[r] = (int)o;
        o += rcnt[r];
        rbd[r] = (int)ob;
        ob += string_ids ? rbc[r] : 0;
      }
      st = kseg_comm_check(MPI_Alltoallv(sbuf, scnt, sdsp, MPI_BYTE, rbuf, rcnt, rdsp, MPI_BYTE, comm),
                           "MPI_Alltoallv (rfm records)");
      if (!st && string_ids)
        st = kseg_comm_check(MPI_Alltoallv(sbytes, sbc, sbd, MPI_BYTE, rbytes, rbc, rbd, MPI_BYTE, comm),
                             "MPI_Alltoallv (rfm ids)");
    }
    for (int r = 0; r < P && !st; r++) {
      int64_t k = rcnt[r] / (int64_t)size;
      char *dst = (char *)out->items + (size_t)(at[2 * r] + got[r]) * size;
      memcpy(dst, rbuf + rdsp[r], (size_t)rcnt[r]);
      if (string_ids) {
        int64_t b0 = at[2 * r + 1] + gotb[r];
        memcpy(out->arena + b0, rbytes + rbd[r], (size_t)rbc[r]);
        for (int64_t j = 0; j < k; j++) {
          kseg_rfm_key *key = (kseg_rfm_key *)(dst + (size_t)j * size);
          key->id = b0;
          b0 += key->id_len;
        }
        gotb[r] += rbc[r];
      }
      got[r] += k;
    }
    st = kseg_comm_agree(comm, st);
  }
  *rounds = nr;
  free(at);
  free(sbuf);
  free(rbuf);
  free(sbytes);
  free(rbytes);
done:
  free(cnt);
  free(order);
  free(sc);
  if (st) kseg_rfm_buf_clear(out);
  return kseg_comm_agree(comm, st);
}
