/* ids.c - identifier columns (their names, repeated values) and the
 * reductions of the import's per-column evidence across ranks. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "kseg/kseg_comm.h"
#include "kseg/kseg_csv.h"
#include "kseg/kseg_error.h"
#include "kseg/kseg_hash.h"
#include "io/csv/internal.h"

int kseg_csv_is_id_name(const char *name)
{
  const size_t n = strlen(name);
  if (strcasecmp(name, "id") == 0) return 1;
  if (n > 3 && strcasecmp(name + n - 2, "id") == 0) {
    const char sep = name[n - 3];
    if (sep == '_' || sep == '-' || sep == '.' || sep == ' ') return 1;
    /* camel case: CustomerID, userId (never "Paid", "VALID") */
    if (name[n - 2] == 'I' && sep >= 'a' && sep <= 'z') return 1;
  }
  return 0;
}

/* ---- reductions of plain structs, through a commutative user op ---- */

static void merge_evidence_op(void *in, void *inout, int *len, MPI_Datatype *type)
{
  (void)type;
  const kseg_csv_evidence *a = in;
  kseg_csv_evidence *b = inout;
  for (int i = 0; i < *len; i++) kseg_csv_evidence_merge(&b[i], &a[i]);
}

static void merge_offending_op(void *in, void *inout, int *len, MPI_Datatype *type)
{
  (void)type;
  const kseg_csv_offending *a = in;
  kseg_csv_offending *b = inout;
  for (int i = 0; i < *len; i++) kseg_csv_offending_merge(&b[i], &a[i]);
}

/* Allreduce n records of `size` bytes with `fn`, in calls of at most
 * 2^20 records (the counts are int). The merge is commutative and
 * order-free in its result, so any reduction tree gives the same bytes. */
static int allreduce_records(MPI_Comm comm, void *buf, int n, size_t size, MPI_User_function *fn, const char *what)
{
  MPI_Datatype t = MPI_DATATYPE_NULL;
  MPI_Op op = MPI_OP_NULL;
  int st = kseg_comm_check(MPI_Type_contiguous((int)size, MPI_BYTE, &t), "MPI_Type_contiguous");
  if (!st) st = kseg_comm_check(MPI_Type_commit(&t), "MPI_Type_commit");
  if (!st) st = kseg_comm_check(MPI_Op_create(fn, 1, &op), "MPI_Op_create");
  st = kseg_comm_agree(comm, st);
  for (int done = 0; !st && done < n; done += 1 << 20) {
    const int k = n - done < (1 << 20) ? n - done : 1 << 20;
    st = kseg_comm_agree(comm, kseg_comm_check(MPI_Allreduce(MPI_IN_PLACE, (char *)buf + (size_t)done * size, k,
                                                             t, op, comm), what));
  }
  if (op != MPI_OP_NULL) MPI_Op_free(&op);
  if (t != MPI_DATATYPE_NULL) MPI_Type_free(&t);
  return st;
}

int kseg_csv_allreduce_evidence(MPI_Comm comm, kseg_csv_evidence *ev, int n)
{
  return allreduce_records(comm, ev, n, sizeof *ev, merge_evidence_op, "MPI_Allreduce (csv evidence)");
}

int kseg_csv_allreduce_offending(MPI_Comm comm, kseg_csv_offending *o, int n)
{
  return allreduce_records(comm, o, n, sizeof *o, merge_offending_op, "MPI_Allreduce (csv offending values)");
}

/* ---- repeated ids ---- */

/* A record of the exchange: hash, line, then the text NUL-terminated in the
 * rest of the record (its width is the column's, so records stay small). */
typedef struct id_head {
  uint64_t hash;
  int64_t line;
} id_head;

static int cmp_rec(const void *x, const void *y)
{
  const id_head *a = x, *b = y;
  if (a->hash != b->hash) return a->hash < b->hash ? -1 : 1;
  int c = strcmp((const char *)(a + 1), (const char *)(b + 1));
  if (c) return c;
  return a->line < b->line ? -1 : a->line > b->line;
}

/* The text of row i (cut to width - 1 bytes) and its hash over the whole
 * text; 0 for an empty value. */
static size_t id_text(const kseg_column *col, int64_t i, char *buf, size_t width, uint64_t *hash)
{
  char full[4096];
  size_t len = kseg_column_text(col, i, full, sizeof full);
  *hash = kseg_hash_mix64(kseg_hash_fnv1a(KSEG_HASH_FNV1A_INIT, full, len));
  size_t n = len < width ? len : width - 1;
  memcpy(buf, full, n);
  buf[n] = '\0';
  return len;
}

int kseg_csv_id_repeats(MPI_Comm comm, const kseg_column *col, int64_t row0, int64_t n_local, const int64_t *lines,
                        int64_t *repeats, int64_t *missing, kseg_csv_offending *examples)
{
  *repeats = *missing = 0;
  kseg_csv_offending_init(examples);
  const int P = kseg_comm_size(comm);
  /* text width of a record: the column's own for strings; numbers and levels print short */
  size_t width = 40;
  if (col->kind == KSEG_COL_STRING) width = (size_t)col->str_width + 1;
  for (int32_t l = 0; col->kind == KSEG_COL_CATEGORICAL && l < col->n_levels; l++)
    if (strlen(col->levels[l]) + 1 > width) width = strlen(col->levels[l]) + 1;
  if (width > 256) width = 256; /* longer ids: compared on their first 255 bytes and their hash */
  const size_t rec = (sizeof(id_head) + width + 7) / 8 * 8;
  int64_t *count = kseg_calloc((size_t)P, sizeof *count, "id counts");
  int64_t *fill = kseg_calloc((size_t)P, sizeof *fill, "id offsets");
  char *send = kseg_malloc(rec * (size_t)(n_local > 0 ? n_local : 1), "id records");
  char *recv = NULL, text[256];
  int64_t n_recv = 0, counts[2] = {0, 0};
  uint64_t h;
  int st = count && fill && send ? KSEG_OK : KSEG_ERR_IO;
  for (int64_t i = 0; !st && i < n_local; i++) /* grouped by destination: count, then place */
    if (id_text(col, i, text, width, &h)) count[h % (uint64_t)P]++;
    else counts[1]++;
  for (int r = 1; !st && r < P; r++) fill[r] = fill[r - 1] + count[r - 1];
  for (int64_t i = 0; !st && i < n_local; i++) {
    char *at;
    if (!id_text(col, i, text, width, &h)) continue;
    at = send + rec * (size_t)fill[h % (uint64_t)P]++;
    memset(at, 0, rec);
    id_head head = {h, lines ? lines[i] : row0 + i + 2};
    memcpy(at, &head, sizeof head);
    memcpy(at + sizeof head, text, strlen(text) + 1);
  }
  st = kseg_comm_agree(comm, st);
  if (!st) st = kseg_comm_exchange(comm, send, count, rec, (void **)&recv, &n_recv, NULL);
  if (!st) {
    /* every value's rows are on one rank now: sorted, repeats are neighbours */
    qsort(recv, (size_t)n_recv, rec, cmp_rec);
    for (int64_t i = 1; i < n_recv; i++) {
      const char *a = recv + rec * (size_t)(i - 1), *b = recv + rec * (size_t)i;
      if (cmp_rec(a, b) != 0 && ((const id_head *)a)->hash == ((const id_head *)b)->hash &&
          strcmp(a + sizeof(id_head), b + sizeof(id_head)) == 0) {
        const char *t = b + sizeof(id_head);
        counts[0]++;
        kseg_csv_offending_add(examples, ((const id_head *)b)->line, t, strlen(t));
      }
    }
    examples->count = 0; /* the total is summed below, with the rest */
  }
  st = kseg_comm_agree(comm, st);
  if (!st) st = kseg_comm_agree(comm, kseg_comm_sum_i64(comm, counts, 2));
  if (!st) st = kseg_csv_allreduce_offending(comm, examples, 1);
  if (!st) {
    *repeats = counts[0];
    *missing = counts[1];
    examples->count = counts[0];
  }
  free(count);
  free(fill);
  free(send);
  free(recv);
  return st;
}
