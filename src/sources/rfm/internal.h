/* sources/rfm/internal.h - what the files of sources/rfm/ share (not installed). */
#ifndef KSEG_RFM_INTERNAL_H
#define KSEG_RFM_INTERNAL_H

#include <mpi.h>
#include <stdint.h>

#include "kseg/kseg_rfm.h"

/* Dates of the A-B-YYYY shape stay packed (INT32_MIN + YYYY*10000 + A*100 + B)
 * until the whole log has voted on day- or month-first; real days are far
 * above this bound (year 1 is day -719162). */
#define KSEG_RFM_PACKED_LIMIT (-100000000)

/* Records exchanged between ranks start with this key: an integer id, or
 * (id_len > 0) the offset of id_len bytes in the owner's arena. */
typedef struct kseg_rfm_key {
  int64_t id;
  int32_t id_len;
  int32_t aux;
} kseg_rfm_key;

/* One transaction line; aux is the day (or a packed A-B-YYYY date). */
typedef struct kseg_rfm_tx {
  kseg_rfm_key key;
  double amount;
  double quantity;
} kseg_rfm_tx;

enum {
  KSEG_RFM_RECENCY, KSEG_RFM_FREQUENCY, KSEG_RFM_PURCHASE_DAYS, KSEG_RFM_MONETARY_TOTAL, KSEG_RFM_MONETARY_MEAN, KSEG_RFM_QUANTITY_TOTAL,
  KSEG_RFM_TENURE, KSEG_RFM_INTERPURCHASE, KSEG_RFM_FIRST, KSEG_RFM_LAST, KSEG_RFM_NSTAT
};

/* One aggregated customer. */
typedef struct kseg_rfm_cust {
  kseg_rfm_key key;
  double v[KSEG_RFM_NSTAT];
} kseg_rfm_cust;

/* A growing array of records plus the bytes of their string ids. */
typedef struct kseg_rfm_buf {
  void *items;
  int64_t n, cap;
  char *arena;
  int64_t arena_len, arena_cap;
} kseg_rfm_buf;

void kseg_rfm_buf_clear(kseg_rfm_buf *b);

/* What this rank read from the log (sources/rfm/read.c). */
typedef struct kseg_rfm_input {
  kseg_rfm_buf tx;            /* kseg_rfm_tx records */
  char *columns[4];      /* names of the columns used (quantity NULL when none) */
  int has_quantity;
  int string_ids;        /* agreed: some id of the log is not an integer */
  int month_first;       /* agreed */
  int64_t lines;         /* global */
  int64_t bytes;         /* file size (0 for HDF5 input is its size too) */
  int32_t max_id_len;    /* agreed, bytes (string ids) */
  int32_t min_day, max_day; /* agreed over all lines; max < min when none */
  double max_abs_amount, max_abs_quantity; /* agreed */
  /* amounts that read both ways (1.234, 1,234): their index in tx (with the
   * decimal point's reading there) and their decimal-comma reading, until the
   * log has voted on its mark */
  int64_t *amb_index;
  double *amb_comma;
  int64_t n_amb, cap_amb;
} kseg_rfm_input;

/* Read the log (text or HDF5) into this rank's transactions, with dates
 * resolved and ids in the agreed mode. Collective; status agreed. */
int kseg_rfm_read_log(MPI_Comm comm, const char *path, const kseg_rfm_options *opt, kseg_rfm_input *in);
void kseg_rfm_input_clear(kseg_rfm_input *in);

/* Hash of a key for the owner rank (by value for integers, by bytes for
 * strings). Local. */
uint64_t kseg_rfm_key_hash(const kseg_rfm_key *k, const char *arena);

/* Order of two keys: integers by value, strings by bytes then length. Local. */
int kseg_rfm_key_cmp(const kseg_rfm_key *a, const char *arena_a, const kseg_rfm_key *b, const char *arena_b);

/* Send record i of `in` (`size` bytes each, starting with an kseg_rfm_key) to rank
 * dest[i], in rounds of at most round_items records per rank. Received
 * records are placed in source-rank order, each source's in its order, with
 * string keys re-pointed into out->arena. *rounds gets the round count.
 * Collective; status agreed. */
int kseg_rfm_exchange(MPI_Comm comm, const kseg_rfm_buf *in, size_t size, const int *dest, int string_ids,
                 int64_t round_items, kseg_rfm_buf *out, int64_t *rounds);

/* Sort records (`size` bytes, kseg_rfm_key first) by key then aux. Local. */
void kseg_rfm_sort(kseg_rfm_buf *b, size_t size);
/* The same order as a permutation (record perm[i] is i-th; owned by the
 * caller) when that is cheaper than moving the records, else NULL with the
 * records sorted in place. Local. */
uint64_t *kseg_rfm_sort_perm(kseg_rfm_buf *b, size_t size);

#endif
