/* segments_csv.c - segments.csv (and kseg assign's scored CSV), written in parallel: every rank formats its
 * own rows, an exclusive scan of the byte counts gives each rank its file
 * offset, and MPI-IO writes the rows there a block at a time. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kseg/kseg_comm.h"
#include "kseg/kseg_error.h"
#include "kseg/kseg_outputs.h"

typedef struct text_buf {
  char *p;
  size_t len, cap;
} text_buf;

static int tb_reserve(text_buf *b, size_t more)
{
  if (b->len + more + 1 <= b->cap) return KSEG_OK;
  size_t cap = b->cap ? b->cap : 4096;
  while (cap < b->len + more + 1) cap *= 2;
  char *p = realloc(b->p, cap);
  if (!p) return kseg_error_nomem("segments.csv text", cap);
  b->p = p;
  b->cap = cap;
  return KSEG_OK;
}

/* A CSV field (RFC 4180): quoted when it holds a comma, quote or line end. */
static int tb_field(text_buf *b, const char *s, size_t n)
{
  int quote = 0;
  for (size_t i = 0; i < n; i++)
    if (s[i] == ',' || s[i] == '"' || s[i] == '\n' || s[i] == '\r') quote = 1;
  KSEG_CHECK(tb_reserve(b, 2 * n + 2));
  if (quote) b->p[b->len++] = '"';
  for (size_t i = 0; i < n; i++) {
    if (s[i] == '"') b->p[b->len++] = '"';
    b->p[b->len++] = s[i];
  }
  if (quote) b->p[b->len++] = '"';
  return KSEG_OK;
}

static int tb_printf(text_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int tb_printf(text_buf *b, const char *fmt, ...)
{
  KSEG_CHECK(tb_reserve(b, 128));
  va_list ap;
  va_start(ap, fmt);
  int w = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
  va_end(ap);
  if (w < 0) return kseg_error_set(KSEG_ERR_IO, "formatting segments.csv");
  if ((size_t)w >= b->cap - b->len) {
    KSEG_CHECK(tb_reserve(b, (size_t)w + 1));
    va_start(ap, fmt);
    vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
    va_end(ap);
  }
  b->len += (size_t)w;
  return KSEG_OK;
}

/* The ID as the customer table shows it. */
static int id_field(text_buf *b, const kseg_column *col, int64_t i)
{
  if (col->kind == KSEG_COL_STRING) {
    const char *s = col->str + (size_t)i * (size_t)col->str_width;
    return tb_field(b, s, strnlen(s, (size_t)col->str_width));
  }
  if (col->kind == KSEG_COL_CATEGORICAL) {
    const int32_t c = col->codes[i];
    const char *s = c >= 0 && c < col->n_levels ? col->levels[c] : "";
    return tb_field(b, s, strlen(s));
  }
  const double v = col->num[i];
  if (isnan(v)) return KSEG_OK;
  if (v == rint(v) && fabs(v) < 1e15) return tb_printf(b, "%.0f", v);
  return tb_printf(b, "%.17g", v);
}

static int write_at(MPI_File fh, MPI_Offset off, const char *p, size_t n)
{
  /* MPI counts are int: write in pieces of at most 1 GiB */
  while (n > 0) {
    const int c = (int)(n < (1u << 30) ? n : (1u << 30));
    MPI_Status status;
    KSEG_CHECK(kseg_comm_check(MPI_File_write_at(fh, off, p, c, MPI_BYTE, &status), "MPI_File_write_at segments.csv"));
    int done = 0;
    KSEG_CHECK(kseg_comm_check(MPI_Get_count(&status, MPI_BYTE, &done), "MPI_Get_count segments.csv"));
    if (done != c) return kseg_error_set(KSEG_ERR_IO, "short write to segments.csv: %d of %d bytes", done, c);
    off += c;
    p += c;
    n -= (size_t)c;
  }
  return KSEG_OK;
}

/* Row i's line of the file into b. */
static int format_row(text_buf *b, const char *path, const kseg_segments_file *f, int id_col, int64_t i)
{
  const kseg_table *raw = f->raw;
  const int32_t s = f->labels[i];
  if (s < 0 || s >= f->k)
    return kseg_error_set(KSEG_ERR_INPUT, "%s: label %d of row %lld is outside [0, %d)", path, s,
                          (long long)(raw->row0 + i), f->k);
  int st = id_col >= 0 ? id_field(b, &raw->cols[id_col], i) : tb_printf(b, "%lld", (long long)(raw->row0 + i));
  if (!st) st = tb_printf(b, ",%d,", s);
  const char *name = f->names && f->names[s] ? f->names[s] : "";
  if (!st) st = tb_field(b, name, strlen(name));
  if (!st) st = tb_printf(b, ",%.9g", f->distance[i]);
  if (!st && f->rule_column) st = tb_printf(b, ",");
  if (!st && f->rule_column && f->rule_segment) st = tb_printf(b, "%d", f->rule_segment[i]);
  if (!st && f->decisions) {
    const char *d = f->decisions[s] ? f->decisions[s] : "";
    st = tb_printf(b, ",");
    if (!st) st = tb_field(b, d, strlen(d));
  }
  if (!st && f->previous) st = f->previous[i] >= 0 ? tb_printf(b, ",%d", f->previous[i]) : tb_printf(b, ",");
  if (!st) st = tb_printf(b, "\n");
  return st;
}

/* Rows per block of text: the rows are formatted twice, a block at a time,
 * once to count the rank's bytes (its offset in the file depends on them)
 * and once to write them, so that no rank holds the text of all its rows
 * (about 70 bytes a customer, in a buffer that doubled, when it was held). */
#define CSV_BLOCK 32768

/* The text of rows [i0, i1) into b (emptied first). */
static int format_rows(text_buf *b, const char *path, const kseg_segments_file *f, int id_col, int64_t i0,
                       int64_t i1)
{
  b->len = 0;
  for (int64_t i = i0; i < i1; i++) KSEG_CHECK(format_row(b, path, f, id_col, i));
  return KSEG_OK;
}

int kseg_outputs_write_segments(MPI_Comm comm, const char *path, const kseg_segments_file *f)
{
  const int rank = kseg_comm_rank(comm);
  const kseg_table *raw = f->raw;
  const int64_t n = raw->n_local;
  const int id_col = f->id_col;
  text_buf b = {0}, head = {0};
  int st = KSEG_OK;
  const char *idname = id_col >= 0 ? raw->cols[id_col].name : "row";
  if (rank == 0) {
    st = tb_field(&head, idname, strlen(idname));
    if (!st)
      st = tb_printf(&head, ",segment,segment_name,distance%s%s%s\n", f->rule_column ? ",rule_segment" : "",
                     f->decisions ? ",decision" : "", f->previous ? ",previous_segment" : "");
  }
  size_t bytes = 0;
  for (int64_t i0 = 0; !st && i0 < n; i0 += CSV_BLOCK) {
    st = format_rows(&b, path, f, id_col, i0, n - i0 < CSV_BLOCK ? n : i0 + CSV_BLOCK);
    bytes += b.len;
  }
  KSEG_CHECK_GOTO(kseg_comm_agree(comm, st), st, done);

  /* rank r's bytes start after the header and the bytes of ranks < r */
  kseg_i128 prefix = 0;
  int64_t hlen = (int64_t)head.len;
  KSEG_CHECK_GOTO(kseg_comm_agree(comm, kseg_comm_exscan_i128(comm, (kseg_i128)bytes, &prefix)), st, done);
  KSEG_CHECK_GOTO(kseg_comm_agree(comm, kseg_comm_max_i64(comm, &hlen, 1)), st, done);

  char tmp[4200];
  snprintf(tmp, sizeof tmp, "%s.tmp", path);
  if (rank == 0) remove(tmp); /* MPI_MODE_CREATE keeps an old file's tail */
  KSEG_CHECK_GOTO(kseg_comm_agree(comm, KSEG_OK), st, done);
  MPI_File fh;
  st = MPI_File_open(comm, tmp, MPI_MODE_CREATE | MPI_MODE_WRONLY, MPI_INFO_NULL, &fh) == MPI_SUCCESS
           ? KSEG_OK
           : kseg_error_set(KSEG_ERR_IO, "cannot create %s", tmp);
  KSEG_CHECK_GOTO(kseg_comm_agree(comm, st), st, done);
  if (rank == 0) st = write_at(fh, 0, head.p, head.len);
  MPI_Offset off = (MPI_Offset)(hlen + (int64_t)prefix);
  for (int64_t i0 = 0; !st && i0 < n; i0 += CSV_BLOCK) {
    st = format_rows(&b, path, f, id_col, i0, n - i0 < CSV_BLOCK ? n : i0 + CSV_BLOCK);
    if (!st) st = write_at(fh, off, b.p, b.len);
    off += (MPI_Offset)b.len;
  }
  if (!st && off != (MPI_Offset)(hlen + (int64_t)prefix + (int64_t)bytes))
    st = kseg_error_set(KSEG_ERR_IO, "%s: the rows' text changed between its two passes", path);
  const int cst = MPI_File_close(&fh);
  if (!st && cst != MPI_SUCCESS) st = kseg_error_set(KSEG_ERR_IO, "closing %s failed", tmp);
  st = kseg_comm_agree(comm, st);
  if (rank == 0) {
    if (!st && rename(tmp, path) != 0) st = kseg_error_set(KSEG_ERR_IO, "cannot rename %s to %s", tmp, path);
    if (st) remove(tmp);
  }
  st = kseg_comm_agree(comm, st);
done:
  free(b.p);
  free(head.p);
  return st;
}
