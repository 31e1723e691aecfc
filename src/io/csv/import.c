/* import.c - parallel, streaming CSV import into the raw table.
 *
 * Phases (every one ends with kseg_comm_agree, so one rank's bad line stops
 * all ranks at the same point):
 *   header   the root reads the header record, detects the delimiter, checks
 *            the names and broadcasts them.
 *   scan     each rank scans its equal byte range of the data for quotes
 *            and newlines, which tells every rank where its first record
 *            starts and where its last one ends (kseg_csv_locate_records).
 *   infer    pass 1 over the rank's records: field counts, per-column type
 *            evidence and distinct values; the root merges the distinct values
 *            (sorted, so codes do not depend on the rank count), decides kinds
 *            and broadcasts them; an exclusive scan of row counts gives row0.
 *   convert  pass 2 re-reads the records into the rank's table block, which is
 *            written with one collective kseg_h5_write_table.
 * Records are owned by the rank whose byte range holds their first byte, so
 * the rows are in file order and the output is identical for any rank count.
 */
#include "kseg/kseg_csv.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kseg/kseg_comm.h"
#include "kseg/kseg_error.h"
#include "kseg/kseg_h5io.h"
#include "kseg/kseg_strings.h"

enum { KSEG_CSV_DEFAULT_BLOCK = 8 << 20 };

/* ---- reading ---- */

/* ---- header ---- */

typedef struct csv_header {
  char delim;
  int n_cols;
  char **names;
  int64_t data_begin; /* file offset of the first data byte */
  int64_t data_line;  /* line number at data_begin */
} csv_header;

static void header_free(csv_header *h)
{
  kseg_strings_free(&h->names, h->n_cols);
  memset(h, 0, sizeof *h);
}

/* Root only: read and check the header record. */
static int header_read(int fd, const char *path, int64_t size, char delim_opt, int64_t block, csv_header *h)
{
  char *rec = NULL;
  size_t len = 0;
  int64_t line = 0;
  kseg_csv_span data;
  KSEG_CHECK(kseg_csv_read_header(fd, path, size, block, &rec, &len, &line, &data));
  h->delim = delim_opt ? delim_opt : kseg_csv_detect_delimiter(rec, len);
  const char *why = NULL;
  int st = kseg_csv_split_names(rec, len, h->delim, &h->names, &h->n_cols, &why);
  free(rec);
  if (st == KSEG_ERR_INPUT) return kseg_error_set(KSEG_ERR_INPUT, "%s: line %lld: %s", path, (long long)line, why);
  KSEG_CHECK(st);
  for (int i = 0; i < h->n_cols; i++) {
    const char *name = h->names[i];
    if (name[0] == '\0')
      return kseg_error_set(KSEG_ERR_INPUT, "%s: line %lld: column %d has an empty name", path, (long long)line, i + 1);
    if (strchr(name, '/') || strcmp(name, ".") == 0)
      return kseg_error_set(KSEG_ERR_INPUT, "%s: line %lld: column name '%s' cannot name a dataset (no '/', not '.')",
                            path, (long long)line, name);
    for (int j = 0; j < i; j++)
      if (strcmp(h->names[j], name) == 0)
        return kseg_error_set(KSEG_ERR_INPUT, "%s: line %lld: duplicate column name '%s' (columns %d and %d)", path,
                              (long long)line, name, j + 1, i + 1);
  }
  h->data_begin = data.begin;
  h->data_line = data.line;
  return KSEG_OK;
}

/* Pack the header into one buffer so one broadcast carries it. */
static int header_bcast(MPI_Comm comm, int rank, csv_header *h)
{
  int64_t meta[4] = {h->delim, h->n_cols, h->data_begin, h->data_line};
  KSEG_CHECK(kseg_comm_bcast(comm, meta, sizeof meta, 0));
  int64_t bytes = 0;
  if (rank == 0)
    for (int i = 0; i < h->n_cols; i++) bytes += (int64_t)strlen(h->names[i]) + 1;
  KSEG_CHECK(kseg_comm_bcast(comm, &bytes, sizeof bytes, 0));
  char *blob = kseg_malloc((size_t)(bytes > 0 ? bytes : 1), "csv header blob");
  /* Agree before the broadcast, or a rank short of memory would leave the others in it. */
  KSEG_CHECK(kseg_comm_agree(comm, blob ? KSEG_OK : KSEG_ERR_IO));
  if (rank == 0) {
    char *p = blob;
    for (int i = 0; i < h->n_cols; i++) {
      size_t n = strlen(h->names[i]) + 1;
      memcpy(p, h->names[i], n);
      p += n;
    }
  }
  int st = kseg_comm_bcast(comm, blob, bytes, 0);
  if (st == KSEG_OK && rank != 0) {
    h->delim = (char)meta[0];
    h->n_cols = (int)meta[1];
    h->data_begin = meta[2];
    h->data_line = meta[3];
    h->names = kseg_calloc((size_t)h->n_cols, sizeof *h->names, "csv column names");
    if (!h->names) st = KSEG_ERR_IO;
    const char *p = blob;
    for (int i = 0; st == KSEG_OK && i < h->n_cols; i++) {
      if (!(h->names[i] = kseg_strings_dup(p))) st = KSEG_ERR_IO;
      p += strlen(p) + 1;
    }
  }
  free(blob);
  return st;
}

/* ---- infer ---- */

static int bad_line(const char *path, int64_t line, int64_t last_line, int n_fields, int n_cols)
{
  /* A stray quote makes a record run over several lines; say so, or the count looks absurd. */
  char span[96] = "";
  if (last_line > line)
    snprintf(span, sizeof span, " (a quoted field makes this record run to line %lld)", (long long)last_line);
  return kseg_error_set(KSEG_ERR_INPUT, "%s: line %lld has %d field%s, the header has %d%s", path, (long long)line,
                        n_fields, n_fields == 1 ? "" : "s", n_cols, span);
}

static int pass_infer(int fd, const char *path, const csv_header *h, int64_t start, int64_t end, int64_t line,
                      int64_t block, kseg_csv_colstats *stats, int64_t *rows)
{
  *rows = 0;
  if (start < 0) return KSEG_OK;
  kseg_csv_reader r;
  KSEG_CHECK(kseg_csv_reader_open(&r, fd, path, 1, start, end, line, block));
  int st = KSEG_OK;
  kseg_csv_field *f = kseg_malloc((size_t)h->n_cols * sizeof *f, "csv fields");
  if (!f) st = KSEG_ERR_IO;
  while (st == KSEG_OK) {
    char *rec;
    size_t len;
    int64_t at;
    KSEG_CHECK_GOTO(kseg_csv_reader_next(&r, &rec, &len, &at), st, done);
    if (!rec) break;
    int n = 0;
    const char *why = NULL;
    if (kseg_csv_split(rec, len, h->delim, f, h->n_cols, &n, &why) != KSEG_OK) {
      st = kseg_error_set(KSEG_ERR_INPUT, "%s: line %lld: %s", path, (long long)at, why);
      break;
    }
    if (n != h->n_cols) {
      st = bad_line(path, at, r.line - 1, n, h->n_cols);
      break;
    }
    for (int c = 0; c < n && st == KSEG_OK; c++) st = kseg_csv_stats_add(&stats[c], f[c].ptr, f[c].len);
    (*rows)++;
  }
done:
  free(f);
  kseg_csv_reader_close(&r);
  return st;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* The decided schema, identical on every rank. */
typedef struct csv_schema {
  kseg_col_kind *kind;
  int *month_first;
  int32_t *n_levels;
  char ***levels; /* per categorical column, sorted */
  int64_t *missing;
  int32_t *width;
} csv_schema;

static void schema_free(csv_schema *s, int n_cols)
{
  if (s->levels)
    for (int c = 0; c < n_cols; c++) {
      kseg_strings_free(&s->levels[c], s->n_levels[c]);
    }
  free(s->kind);
  free(s->month_first);
  free(s->n_levels);
  free(s->levels);
  free(s->missing);
  free(s->width);
  memset(s, 0, sizeof *s);
}

/* A column whose distinct values the root needs: text somewhere (not all
 * numbers, not all dates) and no rank has seen too many distinct values. */
static int needs_levels(const int64_t *ev, int64_t n, int c)
{
  int text = ev[c] > 0 && !ev[2 * n + c] && !ev[3 * n + c] && !ev[4 * n + c] && !ev[5 * n + c];
  return text && !ev[7 * n + c];
}

/* Combine the ranks' evidence, let the root decide, broadcast the schema. */
static int decide_schema(MPI_Comm comm, int rank, int nranks, int n_cols, kseg_csv_colstats *stats,
                         csv_schema *sc)
{
  int st = KSEG_OK;
  int64_t *ev = kseg_calloc((size_t)n_cols * 8, sizeof *ev, "csv evidence");
  sc->kind = kseg_calloc((size_t)n_cols, sizeof *sc->kind, "csv schema");
  sc->month_first = kseg_calloc((size_t)n_cols, sizeof *sc->month_first, "csv schema");
  sc->n_levels = kseg_calloc((size_t)n_cols, sizeof *sc->n_levels, "csv schema");
  sc->levels = kseg_calloc((size_t)n_cols, sizeof *sc->levels, "csv schema");
  sc->missing = kseg_calloc((size_t)n_cols, sizeof *sc->missing, "csv schema");
  sc->width = kseg_calloc((size_t)n_cols, sizeof *sc->width, "csv schema");
  char *sendbuf = NULL, *recvbuf = NULL;
  int *counts = NULL, *displs = NULL;
  char *packed = NULL;
  if (!ev || !sc->kind || !sc->month_first || !sc->n_levels || !sc->levels || !sc->missing || !sc->width)
    st = KSEG_ERR_IO;
  st = kseg_comm_agree(comm, st);
  if (st != KSEG_OK) goto done;

  /* Layout: [0,n) present, [n,2n) missing (sums); [2n,6n) numeric/ymd/dmy/mdy
   * (minimum = all ranks agree); [6n,7n) longest value, [7n,8n) overflow (max). */
  int64_t n = n_cols;
  for (int c = 0; c < n_cols; c++) {
    ev[c] = stats[c].n_present;
    ev[n + c] = stats[c].n_missing;
    ev[2 * n + c] = stats[c].numeric;
    ev[3 * n + c] = stats[c].ymd;
    ev[4 * n + c] = stats[c].dmy;
    ev[5 * n + c] = stats[c].mdy;
    ev[6 * n + c] = stats[c].max_len;
    ev[7 * n + c] = stats[c].overflow;
  }
  KSEG_CHECK_GOTO(kseg_comm_sum_i64(comm, ev, 2 * n), st, done);
  KSEG_CHECK_GOTO(kseg_comm_min_i64(comm, ev + 2 * n, 4 * n), st, done);
  KSEG_CHECK_GOTO(kseg_comm_max_i64(comm, ev + 6 * n, 2 * n), st, done);

  /* Only text columns that no rank found too varied need their values gathered. */
  size_t bytes = 0;
  for (int c = 0; c < n_cols; c++) {
    if (!needs_levels(ev, n, c)) continue;
    for (int32_t i = 0; i < stats[c].slots; i++)
      if (stats[c].table[i]) bytes += strlen(stats[c].table[i]) + 1;
  }
  if (bytes > INT_MAX) st = kseg_error_set(KSEG_ERR_IO, "csv: too many distinct text values to gather (%zu bytes)", bytes);
  st = kseg_comm_agree(comm, st);
  if (st != KSEG_OK) goto done;
  sendbuf = kseg_malloc(bytes ? bytes : 1, "csv levels");
  if (!sendbuf) st = KSEG_ERR_IO;
  st = kseg_comm_agree(comm, st);
  if (st != KSEG_OK) goto done;
  {
    char *p = sendbuf;
    for (int c = 0; c < n_cols; c++) {
      if (!needs_levels(ev, n, c)) continue;
      for (int32_t i = 0; i < stats[c].slots; i++)
        if (stats[c].table[i]) {
          size_t k = strlen(stats[c].table[i]) + 1;
          memcpy(p, stats[c].table[i], k);
          p += k;
        }
    }
  }
  /* Per column counts travel first so the root can split the byte stream. */
  int32_t *nlev = kseg_calloc((size_t)n_cols * (size_t)(rank == 0 ? nranks : 1), sizeof *nlev, "csv level counts");
  int32_t *mine = kseg_calloc((size_t)n_cols, sizeof *mine, "csv level counts");
  if (rank == 0) {
    counts = kseg_calloc((size_t)nranks, sizeof *counts, "csv gather counts");
    displs = kseg_calloc((size_t)nranks, sizeof *displs, "csv gather displs");
  }
  if (!nlev || !mine || (rank == 0 && (!counts || !displs))) st = KSEG_ERR_IO;
  st = kseg_comm_agree(comm, st);
  if (st != KSEG_OK) { free(nlev); free(mine); goto done; }
  for (int c = 0; c < n_cols; c++) {
    mine[c] = needs_levels(ev, n, c) ? stats[c].n_levels : 0;
  }
  int mybytes = (int)bytes;
  st = kseg_comm_check(MPI_Gather(mine, n_cols, MPI_INT32_T, nlev, n_cols, MPI_INT32_T, 0, comm), "MPI_Gather");
  if (st == KSEG_OK)
    st = kseg_comm_check(MPI_Gather(&mybytes, 1, MPI_INT, counts, 1, MPI_INT, 0, comm), "MPI_Gather");
  int64_t total = 0;
  if (st == KSEG_OK && rank == 0) {
    for (int r = 0; r < nranks; r++) {
      displs[r] = (int)total;
      total += counts[r];
    }
    if (total > INT_MAX) st = kseg_error_set(KSEG_ERR_IO, "csv: too many distinct text values to gather");
    else if (!(recvbuf = kseg_malloc((size_t)(total ? total : 1), "csv gathered levels"))) st = KSEG_ERR_IO;
  }
  st = kseg_comm_agree(comm, st);
  if (st == KSEG_OK)
    st = kseg_comm_check(MPI_Gatherv(sendbuf, mybytes, MPI_CHAR, recvbuf, counts, displs, MPI_CHAR, 0, comm),
                         "MPI_Gatherv");
  st = kseg_comm_agree(comm, st);
  if (st != KSEG_OK) { free(nlev); free(mine); goto done; }

  int64_t packed_len = 0;
  if (rank == 0) {
    /* Walk each rank's stream column by column; merge per column by sorting. */
    const char **cursor = kseg_calloc((size_t)nranks, sizeof *cursor, "csv level cursors");
    if (!cursor) st = KSEG_ERR_IO;
    for (int r = 0; cursor && r < nranks; r++) cursor[r] = recvbuf + displs[r];
    size_t cap = 1024;
    packed = kseg_malloc(cap, "csv schema");
    if (!packed) st = KSEG_ERR_IO;
    for (int c = 0; st == KSEG_OK && c < n_cols; c++) {
      int64_t cnt = 0;
      for (int r = 0; r < nranks; r++) cnt += nlev[(int64_t)r * n_cols + c];
      char **all = kseg_malloc((size_t)(cnt ? cnt : 1) * sizeof *all, "csv merged levels");
      if (!all) { st = KSEG_ERR_IO; break; }
      int64_t k = 0;
      for (int r = 0; r < nranks; r++)
        for (int32_t i = 0; i < nlev[(int64_t)r * n_cols + c]; i++) {
          all[k++] = (char *)cursor[r];
          cursor[r] += strlen(cursor[r]) + 1;
        }
      qsort(all, (size_t)cnt, sizeof *all, cmp_str);
      int64_t uniq = 0;
      for (int64_t i = 0; i < cnt; i++)
        if (uniq == 0 || strcmp(all[uniq - 1], all[i]) != 0) all[uniq++] = all[i];
      kseg_csv_evidence e = {ev[c], (int)ev[2 * n + c], (int)ev[3 * n + c], (int)ev[4 * n + c], (int)ev[5 * n + c],
                             ev[7 * n + c] ? KSEG_CSV_MAX_LEVELS + 1 : uniq};
      int mf = 0;
      kseg_col_kind kind = kseg_csv_infer(&e, &mf);
      int32_t nl = kind == KSEG_COL_CATEGORICAL ? (int32_t)uniq : 0;
      size_t need = 12;
      for (int32_t i = 0; i < nl; i++) need += strlen(all[i]) + 1;
      if ((size_t)packed_len + need > cap) {
        while ((size_t)packed_len + need > cap) cap *= 2;
        char *np = realloc(packed, cap);
        if (!np) { free(all); st = kseg_error_nomem("csv schema", cap); break; }
        packed = np;
      }
      int32_t head[3] = {(int32_t)kind, mf, nl};
      memcpy(packed + packed_len, head, sizeof head);
      packed_len += (int64_t)sizeof head;
      for (int32_t i = 0; i < nl; i++) {
        size_t len = strlen(all[i]) + 1;
        memcpy(packed + packed_len, all[i], len);
        packed_len += (int64_t)len;
      }
      free(all);
    }
    free(cursor);
  }
  free(nlev);
  free(mine);
  st = kseg_comm_agree(comm, st);
  if (st != KSEG_OK) goto done;
  KSEG_CHECK_GOTO(kseg_comm_bcast(comm, &packed_len, sizeof packed_len, 0), st, done);
  if (rank != 0 && !(packed = kseg_malloc((size_t)packed_len, "csv schema"))) st = KSEG_ERR_IO;
  st = kseg_comm_agree(comm, st);
  if (st != KSEG_OK) goto done;
  KSEG_CHECK_GOTO(kseg_comm_bcast(comm, packed, packed_len, 0), st, done);
  {
    const char *p = packed;
    for (int c = 0; st == KSEG_OK && c < n_cols; c++) {
      int32_t head[3];
      memcpy(head, p, sizeof head);
      p += sizeof head;
      sc->kind[c] = (kseg_col_kind)head[0];
      sc->month_first[c] = head[1];
      sc->n_levels[c] = head[2];
      sc->missing[c] = ev[n + c];
      sc->width[c] = (int32_t)(ev[6 * n + c] > 0 ? ev[6 * n + c] : 1);
      if (head[2] > 0) {
        sc->levels[c] = kseg_calloc((size_t)head[2], sizeof **sc->levels, "csv levels");
        if (!sc->levels[c]) { st = KSEG_ERR_IO; break; }
        for (int32_t i = 0; i < head[2]; i++) {
          if (!(sc->levels[c][i] = kseg_strings_dup(p))) { st = KSEG_ERR_IO; break; }
          p += strlen(p) + 1;
        }
      }
    }
  }
  st = kseg_comm_agree(comm, st);
done:
  free(ev);
  free(sendbuf);
  free(recvbuf);
  free(counts);
  free(displs);
  free(packed);
  return st;
}

/* ---- convert ---- */

/* Code of v among the sorted levels (byte order, as strcmp), -1 if absent. */
static int32_t level_code(char *const *levels, int32_t n, const char *v, size_t len)
{
  int32_t lo = 0, hi = n - 1;
  while (lo <= hi) {
    int32_t mid = lo + (hi - lo) / 2;
    const char *l = levels[mid];
    size_t ll = strlen(l);
    int c = memcmp(l, v, ll < len ? ll : len);
    if (c == 0) c = ll < len ? -1 : (ll > len ? 1 : 0);
    if (c == 0) return mid;
    if (c < 0) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

static int table_alloc(const csv_header *h, const csv_schema *sc, int64_t n_global, int64_t row0, int64_t n_local,
                       kseg_table *t)
{
  memset(t, 0, sizeof *t);
  t->n_global = n_global;
  t->row0 = row0;
  t->n_local = n_local;
  t->cols = kseg_calloc((size_t)h->n_cols, sizeof *t->cols, "csv table");
  if (!t->cols) return KSEG_ERR_IO;
  t->n_cols = h->n_cols;
  size_t rows = (size_t)(n_local > 0 ? n_local : 1);
  for (int c = 0; c < h->n_cols; c++) {
    kseg_column *col = &t->cols[c];
    if (!(col->name = kseg_strings_dup(h->names[c]))) return KSEG_ERR_IO;
    col->kind = sc->kind[c];
    switch (col->kind) {
    case KSEG_COL_NUMERIC:
    case KSEG_COL_DATE:
      col->num = kseg_malloc(rows * sizeof *col->num, "csv numeric column");
      if (!col->num) return KSEG_ERR_IO;
      break;
    case KSEG_COL_CATEGORICAL:
      col->codes = kseg_malloc(rows * sizeof *col->codes, "csv categorical column");
      col->levels = kseg_calloc((size_t)sc->n_levels[c], sizeof *col->levels, "csv levels");
      if (!col->codes || !col->levels) return KSEG_ERR_IO;
      col->n_levels = sc->n_levels[c];
      for (int32_t i = 0; i < sc->n_levels[c]; i++)
        if (!(col->levels[i] = kseg_strings_dup(sc->levels[c][i]))) return KSEG_ERR_IO;
      break;
    case KSEG_COL_STRING:
      col->str_width = sc->width[c];
      col->str = kseg_calloc(rows, (size_t)col->str_width, "csv string column");
      if (!col->str) return KSEG_ERR_IO;
      break;
    }
  }
  return KSEG_OK;
}

static int changed(const char *path)
{
  return kseg_error_set(KSEG_ERR_IO, "%s: the file changed while it was being imported", path);
}

static int pass_convert(int fd, const char *path, const csv_header *h, const csv_schema *sc, int64_t start,
                        int64_t end, int64_t line, int64_t block, kseg_table *t)
{
  if (start < 0) return t->n_local == 0 ? KSEG_OK : changed(path);
  kseg_csv_reader r;
  KSEG_CHECK(kseg_csv_reader_open(&r, fd, path, 1, start, end, line, block));
  int st = KSEG_OK;
  int64_t row = 0;
  kseg_csv_field *f = kseg_malloc((size_t)h->n_cols * sizeof *f, "csv fields");
  if (!f) st = KSEG_ERR_IO;
  while (st == KSEG_OK) {
    char *rec;
    size_t len;
    int64_t at;
    KSEG_CHECK_GOTO(kseg_csv_reader_next(&r, &rec, &len, &at), st, done);
    if (!rec) break;
    int n = 0;
    const char *why = NULL;
    if (row >= t->n_local || kseg_csv_split(rec, len, h->delim, f, h->n_cols, &n, &why) != KSEG_OK ||
        n != h->n_cols) {
      st = changed(path);
      break;
    }
    for (int c = 0; c < n; c++) {
      kseg_column *col = &t->cols[c];
      const char *v = f[c].ptr;
      size_t vl = f[c].len;
      int miss = kseg_csv_is_missing(v, vl);
      switch (col->kind) {
      case KSEG_COL_NUMERIC:
        if (miss) col->num[row] = NAN;
        else if (!kseg_csv_parse_number(v, vl, &col->num[row])) st = changed(path);
        break;
      case KSEG_COL_DATE: {
        int a, b, d;
        kseg_csv_date_shape shape = miss ? KSEG_CSV_NOT_DATE : kseg_csv_parse_date(v, vl, &a, &b, &d);
        if (miss) col->num[row] = NAN;
        else if (shape == KSEG_CSV_YMD && kseg_csv_valid_date(a, b, d))
          col->num[row] = (double)kseg_csv_days_from_civil(a, b, d);
        else if (shape == KSEG_CSV_XYY && !sc->month_first[c] && kseg_csv_valid_date(d, b, a))
          col->num[row] = (double)kseg_csv_days_from_civil(d, b, a);
        else if (shape == KSEG_CSV_XYY && sc->month_first[c] && kseg_csv_valid_date(d, a, b))
          col->num[row] = (double)kseg_csv_days_from_civil(d, a, b);
        else st = changed(path);
        break;
      }
      case KSEG_COL_CATEGORICAL:
        col->codes[row] = miss ? -1 : level_code(col->levels, col->n_levels, v, vl);
        if (!miss && col->codes[row] < 0) st = changed(path);
        break;
      case KSEG_COL_STRING:
        if (vl > (size_t)col->str_width) st = changed(path);
        else if (!miss) memcpy(col->str + (size_t)row * (size_t)col->str_width, v, vl);
        break;
      }
    }
    row++;
  }
  if (st == KSEG_OK && row != t->n_local) st = changed(path);
done:
  free(f);
  kseg_csv_reader_close(&r);
  return st;
}

/* ---- the import ---- */

void kseg_csv_summary_clear(kseg_csv_summary *s)
{
  if (!s) return;
  if (s->cols)
    for (int i = 0; i < s->n_cols; i++) free(s->cols[i].name);
  free(s->cols);
  memset(s, 0, sizeof *s);
}

int kseg_csv_import(MPI_Comm comm, const char *in, const char *out, const kseg_csv_options *opt,
                    kseg_csv_summary *summary)
{
  double t0 = kseg_now();
  memset(summary, 0, sizeof *summary);
  int rank = kseg_comm_rank(comm), nranks = kseg_comm_size(comm);
  int64_t block = opt && opt->block_bytes > 0 ? opt->block_bytes : KSEG_CSV_DEFAULT_BLOCK;
  char delim_opt = opt ? opt->delimiter : 0;

  csv_header h = {0};
  csv_schema sc = {0};
  kseg_table t = {0};
  kseg_csv_colstats *stats = NULL;
  kseg_h5_writer *w = NULL;
  int st = KSEG_OK;
  int fd = -1;
  int64_t size = 0;

  /* Open first: a missing input is the user's mistake and must not cost an output file. */
  fd = open(in, O_RDONLY);
  if (fd < 0) {
    st = kseg_error_set(errno == ENOENT || errno == EACCES || errno == ENOTDIR ? KSEG_ERR_INPUT : KSEG_ERR_IO,
                        "%s: cannot open: %s", in, strerror(errno));
  } else {
    struct stat sb;
    if (fstat(fd, &sb) != 0) st = kseg_error_set(KSEG_ERR_IO, "%s: cannot stat: %s", in, strerror(errno));
    else if (!S_ISREG(sb.st_mode)) st = kseg_error_set(KSEG_ERR_INPUT, "%s: not a regular file", in);
    else size = (int64_t)sb.st_size;
  }
  st = kseg_comm_agree(comm, st);
  if (st != KSEG_OK) goto done;
  /* Ranks must see the same file; the root's size is the one planned with. */
  KSEG_CHECK_GOTO(kseg_comm_bcast(comm, &size, sizeof size, 0), st, done);

  KSEG_CHECK_GOTO(kseg_h5_create(comm, out, &w), st, done);

  /* header */
  if (rank == 0) st = header_read(fd, in, size, delim_opt, block, &h);
  st = kseg_comm_agree(comm, st);
  if (st != KSEG_OK) goto done;
  st = kseg_comm_agree(comm, header_bcast(comm, rank, &h));
  if (st != KSEG_OK) goto done;

  /* scan: where this rank's records start and end */
  kseg_csv_span data = {h.data_begin, size, h.data_line}, part;
  st = kseg_csv_locate_records(comm, fd, in, 1, 1, data, block, 1, &part);
  if (st == KSEG_OK) st = kseg_comm_fault(comm, "csv_scan");
  st = kseg_comm_agree(comm, st);
  if (st != KSEG_OK) goto done;
  int64_t start = part.begin, end = part.end, line = part.line;

  /* infer */
  double t_scan = kseg_now();
  stats = kseg_calloc((size_t)h.n_cols, sizeof *stats, "csv column stats");
  int64_t n_local = 0;
  if (!stats) st = KSEG_ERR_IO;
  else {
    for (int c = 0; c < h.n_cols; c++) kseg_csv_stats_init(&stats[c]);
    st = pass_infer(fd, in, &h, start, end, line, block, stats, &n_local);
  }
  if (st == KSEG_OK) st = kseg_comm_fault(comm, "csv_infer");
  st = kseg_comm_agree(comm, st);
  if (st != KSEG_OK) goto done;
  int64_t row0 = 0, n_global = n_local;
  st = kseg_comm_check(MPI_Exscan(&n_local, &row0, 1, MPI_INT64_T, MPI_SUM, comm), "MPI_Exscan");
  if (rank == 0) row0 = 0; /* MPI leaves rank 0's result undefined */
  if (st == KSEG_OK) st = kseg_comm_sum_i64(comm, &n_global, 1);
  if (st == KSEG_OK && n_global == 0)
    st = kseg_error_set(KSEG_ERR_INPUT, "%s: no data rows after the header", in);
  st = kseg_comm_agree(comm, st);
  if (st != KSEG_OK) goto done;
  KSEG_CHECK_GOTO(decide_schema(comm, rank, nranks, h.n_cols, stats, &sc), st, done);
  for (int c = 0; c < h.n_cols; c++) kseg_csv_stats_clear(&stats[c]);

  /* convert */
  double t_infer = kseg_now();
  st = table_alloc(&h, &sc, n_global, row0, n_local, &t);
  if (st == KSEG_OK) st = pass_convert(fd, in, &h, &sc, start, end, line, block, &t);
  if (st == KSEG_OK) st = kseg_comm_fault(comm, "csv_convert");
  st = kseg_comm_agree(comm, st);
  if (st != KSEG_OK) goto done;
  double t_convert = kseg_now();
  KSEG_CHECK_GOTO(kseg_h5_write_table(w, &t), st, done);
  KSEG_CHECK_GOTO(kseg_h5_attr_str(w, "/raw", "source", in), st, done);

  summary->scan_seconds = t_scan - t0;
  summary->infer_seconds = t_infer - t_scan;
  summary->convert_seconds = t_convert - t_infer;
  summary->write_seconds = -t_convert; /* completed after finish */
  summary->rows = n_global;
  summary->n_cols = h.n_cols;
  summary->delimiter = h.delim;
  summary->bytes = size;
  summary->cols = kseg_calloc((size_t)h.n_cols, sizeof *summary->cols, "csv summary");
  if (!summary->cols) st = KSEG_ERR_IO;
  for (int c = 0; st == KSEG_OK && c < h.n_cols; c++) {
    kseg_csv_column_info *ci = &summary->cols[c];
    if (!(ci->name = kseg_strings_dup(h.names[c]))) st = KSEG_ERR_IO;
    ci->kind = sc.kind[c];
    ci->missing = sc.missing[c];
    ci->n_levels = sc.n_levels[c];
    ci->str_width = sc.kind[c] == KSEG_COL_STRING ? sc.width[c] : 0;
    ci->month_first = sc.month_first[c];
  }

done:
  /* finish agrees on st, removes the temporary file on failure and keeps any old output. */
  if (w) st = kseg_h5_finish(&w, st);
  else st = kseg_comm_agree(comm, st);
  if (fd >= 0) close(fd);
  if (stats)
    for (int c = 0; c < h.n_cols; c++) kseg_csv_stats_clear(&stats[c]);
  free(stats);
  schema_free(&sc, h.n_cols);
  if (t.cols) kseg_table_clear(&t);
  header_free(&h);
  if (st != KSEG_OK) {
    kseg_csv_summary_clear(summary);
    return st;
  }
  double t_end = kseg_now(), secs = t_end - t0;
  summary->write_seconds += t_end;
  if (kseg_comm_max_f64(comm, &secs, 1) == KSEG_OK) summary->seconds = secs;
  return KSEG_OK;
}
