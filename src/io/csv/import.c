/* import.c - parallel, streaming CSV import into the raw table.
 *
 * Phases (every one ends with kseg_comm_agree, so one rank's bad line stops
 * all ranks at the same point):
 *   header   the root reads the header record (after a "sep=X" line),
 *            detects the delimiter, checks the names and broadcasts them.
 *   scan     each rank scans its equal byte range of the data for quotes
 *            and newlines, which tells every rank where its first record
 *            starts and where its last one ends (kseg_csv_locate_records).
 *   infer    pass 1 over the rank's records: field counts, per-column
 *            evidence (evidence.c) and distinct values; the evidence is
 *            merged on every rank (one reduction) and every rank takes the
 *            same decisions from it; the root merges the distinct values of
 *            text columns (sorted, so codes do not depend on the rank count)
 *            and broadcasts them; an exclusive scan of row counts gives row0.
 *   convert  pass 2 re-reads the records into the rank's table block; values
 *            that do not read as their column's kind are counted with their
 *            lines (one reduction) for the warnings.
 * Records are owned by the rank whose byte range holds their first byte, so
 * the rows are in file order and the output is identical for any rank count.
 */
#include "kseg/kseg_csv.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kseg/kseg_comm.h"
#include "kseg/kseg_error.h"
#include "kseg/kseg_h5io.h"
#include "kseg/kseg_strings.h"
#include "io/csv/internal.h"

enum { KSEG_CSV_DEFAULT_BLOCK = 8 << 20 };

/* ---- the header ---- */

typedef struct csv_header {
  char delim;
  int n_cols;
  char **names;       /* as written; "" for an unnamed column */
  int64_t data_begin; /* file offset of the first data byte */
  int64_t data_line;  /* line number at data_begin */
  int64_t line;       /* the header's own line */
} csv_header;

static void header_free(csv_header *h)
{
  kseg_strings_free(&h->names, h->n_cols);
  memset(h, 0, sizeof *h);
}

/* What every phase needs; the same on every rank once the header is known. */
typedef struct csv_ctx {
  MPI_Comm comm;
  int rank, nranks;
  const char *path;
  int fd;
  int64_t size, block;
  const kseg_csv_options *opt;
  kseg_csv_na na;
  csv_header h;
  int id_col;        /* -1: none */
  int *schema_col;   /* per column: its index in opt->schema, -1 */
  char *conv;        /* a record converted to UTF-8 */
  size_t conv_cap;
  kseg_csv_field *f; /* n_cols + 1 */
} csv_ctx;

/* A byte shown in a message: printable as itself, else \xHH. */
static void show_bytes(const char *p, size_t n, char *buf, size_t len)
{
  size_t o = 0;
  for (size_t i = 0; i < n && o + 5 < len; i++) {
    unsigned char c = (unsigned char)p[i];
    if (c >= 0x20 && c < 0x7F) buf[o++] = (char)c;
    else o += (size_t)snprintf(buf + o, len - o, "\\x%02X", c);
  }
  buf[o] = '\0';
}

/* The text error of a record, with the column and the value it is in. */
static int bad_text(const csv_ctx *c, const char *rec, size_t len, int64_t line, const char *why, size_t at)
{
  /* the field holding byte `at`: delimiters outside quotes before it */
  int col = 0, inq = 0;
  size_t start = 0;
  for (size_t i = 0; i < at && i < len; i++) {
    if (rec[i] == '"') inq = !inq;
    else if (!inq && rec[i] == c->h.delim) {
      col++;
      start = i + 1;
    }
  }
  size_t stop = at;
  while (stop < len && (rec[stop] != c->h.delim || inq)) stop++;
  char shown[200];
  show_bytes(rec + start, stop - start > 48 ? 48 : stop - start, shown, sizeof shown);
  const char *name = col < c->h.n_cols ? c->h.names[col] : "";
  const char *hint = "";
  if (strstr(why, "UTF-8"))
    hint = c->opt->encoding == KSEG_CSV_UTF8
               ? "; if the file is Latin-1 or Windows-1252, give --encoding latin1 or --encoding cp1252"
               : "";
  return kseg_error_set(KSEG_ERR_INPUT, "%s: line %" PRId64 ", column %d ('%s'): %s in '%s'%s", c->path, line,
                        col + 1, name, why, shown, hint);
}

static int bad_line(const csv_ctx *c, int64_t line, int64_t last_line, int n_fields)
{
  /* A stray quote makes a record run over several lines; say so, or the count looks absurd. */
  char span[96] = "";
  if (last_line > line)
    snprintf(span, sizeof span, " (a quoted field makes this record run to line %lld)", (long long)last_line);
  return kseg_error_set(KSEG_ERR_INPUT, "%s: line %lld has %d field%s, the header has %d%s", c->path, (long long)line,
                        n_fields, n_fields == 1 ? "" : "s", c->h.n_cols, span);
}

/* The next record split into c->f[0 .. n_cols), with the tolerance of
 * exports for a trailing delimiter: one extra empty last field, or a missing
 * last field when the header's last name is empty. *rec NULL at the end. */
static int next_fields(csv_ctx *c, kseg_csv_reader *r, char **rec, int64_t *line)
{
  size_t len = 0;
  KSEG_CHECK(kseg_csv_reader_next(r, rec, &len, line));
  if (!*rec) return KSEG_OK;
  KSEG_CHECK(kseg_csv_record_to_utf8(c->opt->encoding, c->path, *line, rec, &len, &c->conv, &c->conv_cap));
  const int n_cols = c->h.n_cols;
  int n = 0;
  const char *why = NULL;
  if (kseg_csv_split(*rec, len, c->h.delim, c->f, n_cols + 1, &n, &why) != KSEG_OK) {
    size_t at = 0; /* where, for the message: split unquotes in place only after this check passed */
    const char *bad = kseg_csv_check_text(*rec, len, &at);
    if (bad) return bad_text(c, *rec, len, *line, bad, at);
    return kseg_error_set(KSEG_ERR_INPUT, "%s: line %" PRId64 ": %s", c->path, *line, why);
  }
  if (n == n_cols + 1 && c->f[n_cols].len == 0) n = n_cols;
  if (n == n_cols - 1 && n_cols > 1 && c->h.names[n_cols - 1][0] == '\0') {
    c->f[n_cols - 1] = (kseg_csv_field){*rec + len, 0};
    n = n_cols;
  }
  if (n != n_cols) return bad_line(c, *line, r->line - 1, n);
  return KSEG_OK;
}

/* "sep=X" (any case), Excel's note of the delimiter on the first line. */
static int sep_line(const char *rec, size_t len, char *delim)
{
  if (len != 5 || strncasecmp(rec, "sep=", 4) != 0) return 0;
  *delim = rec[4];
  return 1;
}

/* Root only: read and check the header record. */
static int header_read(csv_ctx *c, char delim_opt)
{
  csv_header *h = &c->h;
  unsigned char head[64];
  const int64_t n = kseg_csv_read_at(c->fd, (char *)head, c->size < 64 ? c->size : 64, 0);
  if (n < 0) return kseg_error_set(KSEG_ERR_IO, "%s: read failed: %s", c->path, strerror(errno));
  const char *utf16 = kseg_csv_utf16_signature(head, (size_t)n);
  if (utf16)
    return kseg_error_set(KSEG_ERR_INPUT,
                          "%s: the file is %s; kseg reads UTF-8, Latin-1 or Windows-1252 text: convert it first "
                          "(iconv -f UTF-16 -t UTF-8 FILE > FILE.utf8.csv)",
                          c->path, utf16);
  const int bom = n >= 3 && head[0] == 0xEF && head[1] == 0xBB && head[2] == 0xBF;
  if (bom && c->opt->encoding != KSEG_CSV_UTF8)
    return kseg_error_set(KSEG_ERR_INPUT, "%s: the file starts with a UTF-8 byte order mark, but --encoding %s was given",
                          c->path, kseg_csv_encoding_name(c->opt->encoding));
  kseg_csv_reader r;
  KSEG_CHECK(kseg_csv_reader_open_header(&r, c->fd, c->path, c->size, c->block));
  char *p = NULL;
  size_t len = 0;
  int st = kseg_csv_reader_next(&r, &p, &len, &h->line);
  char sep = 0;
  if (!st && p && sep_line(p, len, &sep)) {
    if (sep == '"' || sep == '\n' || sep == '\r' || sep == ' ')
      st = kseg_error_set(KSEG_ERR_INPUT, "%s: line %" PRId64 ": 'sep=%c' cannot be a delimiter", c->path, h->line, sep);
    if (!st) st = kseg_csv_reader_next(&r, &p, &len, &h->line);
  }
  if (!st && !p) st = kseg_error_set(KSEG_ERR_INPUT, "%s: the file has no header row", c->path);
  if (!st) {
    int64_t quotes = 0; /* the reader returns the rest of the file when a quote never closes */
    for (size_t i = 0; i < len; i++) quotes += p[i] == '"';
    if (quotes % 2)
      st = kseg_error_set(KSEG_ERR_INPUT,
                          "%s: line %" PRId64 ": unterminated quoted field in the header (its quote is never closed)",
                          c->path, h->line);
  }
  if (!st) {
    h->data_begin = r.pos - (int64_t)(r.len - r.off);
    h->data_line = r.line;
    st = kseg_csv_record_to_utf8(c->opt->encoding, c->path, h->line, &p, &len, &c->conv, &c->conv_cap);
  }
  if (!st) {
    size_t at = 0;
    const char *bad = kseg_csv_check_text(p, len, &at);
    if (bad) {
      char shown[200];
      /* the bytes around the offending one, not the header's first 60 */
      const size_t from = at > 30 ? at - 30 : 0, n = len - from > 60 ? 60 : len - from;
      show_bytes(p + from, n, shown, sizeof shown);
      st = kseg_error_set(KSEG_ERR_INPUT, "%s: line %" PRId64 ": %s in the header ('%s%s')%s", c->path, h->line, bad,
                          from ? "..." : "",
                          shown,
                          strstr(bad, "UTF-8") && c->opt->encoding == KSEG_CSV_UTF8
                              ? "; if the file is Latin-1 or Windows-1252, give --encoding latin1 or --encoding cp1252"
                              : "");
    }
  }
  if (!st) {
    h->delim = delim_opt ? delim_opt : sep ? sep : kseg_csv_detect_delimiter(p, len);
    const char *why = NULL;
    st = kseg_csv_split_names(p, len, h->delim, &h->names, &h->n_cols, &why);
    if (st == KSEG_ERR_INPUT)
      st = kseg_error_set(KSEG_ERR_INPUT, "%s: line %" PRId64 ": %s", c->path, h->line, why);
  }
  kseg_csv_reader_close(&r);
  KSEG_CHECK(st);
  /* a delimiter ending the header adds one empty name; a trailing one is the usual case */
  for (int i = 0; i < h->n_cols; i++) {
    const char *name = h->names[i];
    if (!name[0]) continue;
    for (int j = 0; j < i; j++)
      if (strcmp(h->names[j], name) == 0)
        return kseg_error_set(KSEG_ERR_INPUT, "%s: line %" PRId64 ": duplicate column name '%s' (columns %d and %d)",
                              c->path, h->line, name, j + 1, i + 1);
  }
  return KSEG_OK;
}

/* Pack the header into one buffer so one broadcast carries it. */
static int header_bcast(MPI_Comm comm, int rank, csv_header *h)
{
  int64_t meta[5] = {h->delim, h->n_cols, h->data_begin, h->data_line, h->line};
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
    h->line = meta[4];
    h->names = kseg_calloc((size_t)h->n_cols + 1, sizeof *h->names, "csv column names");
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

/* ---- pass 1: evidence ---- */

/* How a column is read: decided (infer), or given by the schema. */
enum { READ_INFER = 0, READ_SCHEMA = 1, READ_VERBATIM = 2 };

static int read_mode(const csv_ctx *c, int col)
{
  if (col == c->id_col) return READ_VERBATIM;
  if (c->opt->schema) return c->schema_col[col] >= 0 ? READ_SCHEMA : READ_VERBATIM;
  return READ_INFER;
}

static int pass_infer(csv_ctx *c, kseg_csv_span part, kseg_csv_colstats *stats, int64_t *rows)
{
  *rows = 0;
  if (part.begin < 0) return KSEG_OK;
  kseg_csv_reader r;
  KSEG_CHECK(kseg_csv_reader_open(&r, c->fd, c->path, 1, part.begin, part.end, part.line, c->block));
  int st = KSEG_OK;
  while (st == KSEG_OK) {
    char *rec;
    int64_t at;
    KSEG_CHECK_GOTO(next_fields(c, &r, &rec, &at), st, done);
    if (!rec) break;
    for (int j = 0; j < c->h.n_cols && st == KSEG_OK; j++) {
      const char *v = c->f[j].ptr;
      const size_t len = c->f[j].len;
      kseg_csv_evidence *ev = &stats[j].ev;
      const int mode = read_mode(c, j);
      if (mode == READ_VERBATIM) { /* only its width and whether it is missing (an id only when empty) */
        if (len == 0 || (j != c->id_col && kseg_csv_na_match(&c->na, v, len))) ev->n_missing++;
        else ev->n_present++;
        if ((int64_t)len > ev->max_len) ev->max_len = (int64_t)len;
      } else if (kseg_csv_na_match(&c->na, v, len)) {
        ev->n_missing++;
      } else if (mode == READ_SCHEMA) {
        ev->n_present++;
      } else {
        st = kseg_csv_stats_add(&stats[j], v, len, at);
      }
    }
    (*rows)++;
  }
done:
  kseg_csv_reader_close(&r);
  return st;
}

/* ---- the decisions ---- */

/* The decided schema, identical on every rank. */
typedef struct csv_schema {
  kseg_col_kind *kind;
  kseg_col_format *format;
  kseg_csv_decision *decision;
  int32_t *n_levels;
  char ***levels;    /* per categorical column: sorted (inferred) or the schema's order */
  int32_t **order;   /* schema columns: level indices sorted by text, for lookups */
  int64_t *missing;
  int32_t *width;
  char **out_name;   /* the column's name in the table ("" named column_<n>) */
  int *keep;         /* 0: dropped (an unnamed column without values) */
} csv_schema;

static void schema_free(csv_schema *s, int n_cols)
{
  for (int c = 0; c < n_cols; c++) {
    if (s->levels) kseg_strings_free(&s->levels[c], s->n_levels[c]);
    if (s->order) free(s->order[c]);
  }
  kseg_strings_free(&s->out_name, n_cols);
  free(s->kind);
  free(s->format);
  free(s->decision);
  free(s->n_levels);
  free(s->levels);
  free(s->order);
  free(s->missing);
  free(s->width);
  free(s->keep);
  memset(s, 0, sizeof *s);
}

static int note(kseg_csv_summary *sum, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int note(kseg_csv_summary *sum, const char *fmt, ...)
{
  char text[1400];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(text, sizeof text, fmt, ap);
  va_end(ap);
  char **n = realloc(sum->notes, sizeof *n * (size_t)(sum->n_notes + 2));
  if (!n) return kseg_error_nomem("csv notes", 0);
  sum->notes = n;
  if (!(n[sum->n_notes] = kseg_strings_dup(text))) return KSEG_ERR_IO;
  n[++sum->n_notes] = NULL;
  return KSEG_OK;
}

/* Kinds and formats of the columns that are read by rule, from the merged
 * evidence; the same on every rank. Errors name the file and the column. */
static int decide_kinds(const csv_ctx *c, const kseg_csv_evidence *ev, csv_schema *sc, kseg_csv_summary *sum)
{
  const int n = c->h.n_cols;
  kseg_csv_rules rules = {c->opt->decimal, 0, c->opt->date_order};
  /* first without the file's evidence, to learn which mark the decisive columns use */
  int dots = 0, commas = 0;
  for (int j = 0; j < n; j++) {
    if (read_mode(c, j) != READ_INFER) continue;
    kseg_csv_decide(&ev[j], &rules, &sc->decision[j]);
    if (sc->decision[j].kind != KSEG_COL_NUMERIC) continue;
    dots += ev[j].num_dot_only > 0 && ev[j].num_comma_only == 0;
    commas += ev[j].num_comma_only > 0 && ev[j].num_dot_only == 0;
  }
  rules.file_decimal = dots && !commas ? '.' : commas && !dots ? ',' : 0;
  for (int j = 0; j < n; j++) {
    if (read_mode(c, j) != READ_INFER) continue;
    kseg_csv_decision *d = &sc->decision[j];
    kseg_csv_decide(&ev[j], &rules, d);
    const char *name = c->h.names[j][0] ? c->h.names[j] : "(unnamed)";
    if (d->verdict == KSEG_CSV_REFUSED)
      return kseg_error_set(KSEG_ERR_INPUT, "%s: column '%s': %s", c->path, name, d->why);
    if (d->verdict == KSEG_CSV_AS_TEXT && c->opt->strict)
      return kseg_error_set(KSEG_ERR_INPUT, "%s: column '%s': %s (--strict)", c->path, name, d->why);
    if (d->verdict == KSEG_CSV_AS_TEXT || (d->why[0] && d->verdict != KSEG_CSV_REFUSED))
      KSEG_CHECK(note(sum, "%s: column '%s': %s", c->path, name, d->why));
    sc->kind[j] = d->kind;
    sc->format[j] = d->format;
  }
  return KSEG_OK;
}

/* A column whose distinct values the root needs: text read by rule. */
static int needs_levels(const csv_ctx *c, const csv_schema *sc, const kseg_csv_evidence *ev, int j)
{
  return read_mode(c, j) == READ_INFER && sc->kind[j] == KSEG_COL_CATEGORICAL && !ev[j].overflow && ev[j].n_present > 0;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Text columns: the root merges the ranks' distinct values, picks
 * categorical or string and broadcasts the levels. */
static int decide_levels(csv_ctx *c, kseg_csv_colstats *stats, const kseg_csv_evidence *ev, csv_schema *sc)
{
  MPI_Comm comm = c->comm;
  const int rank = c->rank, nranks = c->nranks, n_cols = c->h.n_cols;
  int st = KSEG_OK;
  char *sendbuf = NULL, *recvbuf = NULL, *packed = NULL;
  int *counts = NULL, *displs = NULL;
  int32_t *nlev = NULL, *mine = NULL;
  size_t bytes = 0;
  for (int j = 0; j < n_cols; j++) {
    if (!needs_levels(c, sc, ev, j)) continue;
    for (int32_t i = 0; i < stats[j].slots; i++)
      if (stats[j].table[i]) bytes += strlen(stats[j].table[i]) + 1;
  }
  if (bytes > INT_MAX) st = kseg_error_set(KSEG_ERR_IO, "csv: too many distinct text values to gather (%zu bytes)", bytes);
  if (!st && !(sendbuf = kseg_malloc(bytes ? bytes : 1, "csv levels"))) st = KSEG_ERR_IO;
  nlev = kseg_calloc((size_t)n_cols * (size_t)(rank == 0 ? nranks : 1), sizeof *nlev, "csv level counts");
  mine = kseg_calloc((size_t)n_cols + 1, sizeof *mine, "csv level counts");
  if (rank == 0) {
    counts = kseg_calloc((size_t)nranks, sizeof *counts, "csv gather counts");
    displs = kseg_calloc((size_t)nranks, sizeof *displs, "csv gather displs");
  }
  if (!nlev || !mine || (rank == 0 && (!counts || !displs))) st = KSEG_ERR_IO;
  st = kseg_comm_agree(comm, st);
  if (st != KSEG_OK) goto done;
  {
    char *p = sendbuf;
    for (int j = 0; j < n_cols; j++) {
      if (!needs_levels(c, sc, ev, j)) continue;
      mine[j] = stats[j].n_levels;
      for (int32_t i = 0; i < stats[j].slots; i++)
        if (stats[j].table[i]) {
          size_t k = strlen(stats[j].table[i]) + 1;
          memcpy(p, stats[j].table[i], k);
          p += k;
        }
    }
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
  if (st != KSEG_OK) goto done;

  int64_t packed_len = 0;
  if (rank == 0) {
    /* Walk each rank's stream column by column; merge per column by sorting. */
    const char **cursor = kseg_calloc((size_t)nranks, sizeof *cursor, "csv level cursors");
    if (!cursor) st = KSEG_ERR_IO;
    for (int r = 0; cursor && r < nranks; r++) cursor[r] = recvbuf + displs[r];
    size_t cap = 1024;
    packed = kseg_malloc(cap, "csv schema");
    if (!packed) st = KSEG_ERR_IO;
    for (int j = 0; st == KSEG_OK && j < n_cols; j++) {
      if (!needs_levels(c, sc, ev, j)) continue;
      int64_t cnt = 0;
      for (int r = 0; r < nranks; r++) cnt += nlev[(int64_t)r * n_cols + j];
      char **all = kseg_malloc((size_t)(cnt ? cnt : 1) * sizeof *all, "csv merged levels");
      if (!all) { st = KSEG_ERR_IO; break; }
      int64_t k = 0;
      for (int r = 0; r < nranks; r++)
        for (int32_t i = 0; i < nlev[(int64_t)r * n_cols + j]; i++) {
          all[k++] = (char *)cursor[r];
          cursor[r] += strlen(cursor[r]) + 1;
        }
      qsort(all, (size_t)cnt, sizeof *all, cmp_str);
      int64_t uniq = 0;
      for (int64_t i = 0; i < cnt; i++)
        if (uniq == 0 || strcmp(all[uniq - 1], all[i]) != 0) all[uniq++] = all[i];
      const kseg_col_kind kind = kseg_csv_text_kind(&ev[j], uniq);
      int32_t nl = kind == KSEG_COL_CATEGORICAL ? (int32_t)uniq : -1; /* -1: string */
      size_t need = 8;
      for (int32_t i = 0; i < nl; i++) need += strlen(all[i]) + 1;
      if ((size_t)packed_len + need > cap) {
        while ((size_t)packed_len + need > cap) cap *= 2;
        char *np = realloc(packed, cap);
        if (!np) { free(all); st = kseg_error_nomem("csv schema", cap); break; }
        packed = np;
      }
      memcpy(packed + packed_len, &nl, sizeof nl);
      packed_len += (int64_t)sizeof nl;
      for (int32_t i = 0; i < nl; i++) {
        size_t len = strlen(all[i]) + 1;
        memcpy(packed + packed_len, all[i], len);
        packed_len += (int64_t)len;
      }
      free(all);
    }
    free(cursor);
  }
  st = kseg_comm_agree(comm, st);
  if (st != KSEG_OK) goto done;
  KSEG_CHECK_GOTO(kseg_comm_bcast(comm, &packed_len, sizeof packed_len, 0), st, done);
  if (rank != 0 && !(packed = kseg_malloc((size_t)(packed_len > 0 ? packed_len : 1), "csv schema"))) st = KSEG_ERR_IO;
  st = kseg_comm_agree(comm, st);
  if (st != KSEG_OK) goto done;
  KSEG_CHECK_GOTO(kseg_comm_bcast(comm, packed, packed_len, 0), st, done);
  {
    const char *p = packed;
    for (int j = 0; st == KSEG_OK && j < n_cols; j++) {
      if (read_mode(c, j) == READ_INFER && sc->kind[j] == KSEG_COL_CATEGORICAL && !needs_levels(c, sc, ev, j)) {
        sc->kind[j] = KSEG_COL_STRING; /* too many distinct values somewhere */
        continue;
      }
      if (!needs_levels(c, sc, ev, j)) continue;
      int32_t nl;
      memcpy(&nl, p, sizeof nl);
      p += sizeof nl;
      if (nl < 0) {
        sc->kind[j] = KSEG_COL_STRING;
        continue;
      }
      sc->n_levels[j] = nl;
      sc->levels[j] = kseg_calloc((size_t)nl + 1, sizeof **sc->levels, "csv levels");
      if (!sc->levels[j]) { st = KSEG_ERR_IO; break; }
      for (int32_t i = 0; i < nl; i++) {
        if (!(sc->levels[j][i] = kseg_strings_dup(p))) { st = KSEG_ERR_IO; break; }
        p += strlen(p) + 1;
      }
    }
  }
  st = kseg_comm_agree(comm, st);
done:
  free(sendbuf);
  free(recvbuf);
  free(counts);
  free(displs);
  free(packed);
  free(nlev);
  free(mine);
  return st;
}

/* Schema columns: kinds, formats and levels as the schema has them. */
typedef struct level_ref {
  const char *text;
  int32_t index;
} level_ref;

static int cmp_level_ref(const void *a, const void *b)
{
  return strcmp(((const level_ref *)a)->text, ((const level_ref *)b)->text);
}

static int take_schema(csv_ctx *c, csv_schema *sc)
{
  for (int j = 0; j < c->h.n_cols; j++) {
    if (read_mode(c, j) != READ_SCHEMA) {
      sc->kind[j] = KSEG_COL_STRING;
      continue;
    }
    const kseg_column *s = &c->opt->schema->cols[c->schema_col[j]];
    sc->kind[j] = s->kind;
    sc->format[j] = s->format;
    /* a mark or an order the caller names wins: the same customers exported another way */
    if (s->kind == KSEG_COL_NUMERIC && c->opt->decimal) sc->format[j].decimal = c->opt->decimal == ',' ? ',' : 0;
    if (s->kind == KSEG_COL_DATE && c->opt->date_order)
      snprintf(sc->format[j].date_order, sizeof sc->format[j].date_order, "%s",
               kseg_csv_date_order_name(c->opt->date_order));
    if (s->kind != KSEG_COL_CATEGORICAL) continue;
    sc->n_levels[j] = s->n_levels;
    sc->levels[j] = kseg_calloc((size_t)s->n_levels + 1, sizeof **sc->levels, "csv levels");
    sc->order[j] = kseg_malloc(sizeof **sc->order * (size_t)(s->n_levels + 1), "csv level order");
    if (!sc->levels[j] || !sc->order[j]) return KSEG_ERR_IO;
    for (int32_t i = 0; i < s->n_levels; i++) {
      if (!(sc->levels[j][i] = kseg_strings_dup(s->levels[i]))) return KSEG_ERR_IO;
      sc->order[j][i] = i;
    }
    /* the schema's codes stay; lookups go through the levels sorted by text */
    level_ref *refs = kseg_malloc(sizeof *refs * (size_t)(s->n_levels + 1), "csv level order");
    if (!refs) return KSEG_ERR_IO;
    for (int32_t i = 0; i < s->n_levels; i++) refs[i] = (level_ref){sc->levels[j][i], i};
    qsort(refs, (size_t)s->n_levels, sizeof *refs, cmp_level_ref);
    for (int32_t i = 0; i < s->n_levels; i++) sc->order[j][i] = refs[i].index;
    free(refs);
  }
  return KSEG_OK;
}

/* Unnamed columns: dropped when they hold nothing (a trailing delimiter),
 * else named column_<n>, the first free such name. */
static int name_columns(const csv_ctx *c, const kseg_csv_evidence *ev, csv_schema *sc, kseg_csv_summary *sum)
{
  const int n = c->h.n_cols;
  for (int j = 0; j < n; j++) {
    sc->keep[j] = 1;
    if (c->h.names[j][0]) {
      if (!(sc->out_name[j] = kseg_strings_dup(c->h.names[j]))) return KSEG_ERR_IO;
      continue;
    }
    if (ev[j].n_present == 0) {
      sc->keep[j] = 0;
      sum->dropped_columns++;
      if (!(sc->out_name[j] = kseg_strings_dup(""))) return KSEG_ERR_IO;
      continue;
    }
    char name[64];
    for (int k = 0;; k++) {
      if (k == 0) snprintf(name, sizeof name, "column_%d", j + 1);
      else snprintf(name, sizeof name, "column_%d_%d", j + 1, k + 1);
      int taken = 0;
      for (int i = 0; i < n && !taken; i++) taken = strcmp(c->h.names[i], name) == 0;
      for (int i = 0; i < j && !taken; i++) taken = sc->out_name[i] && strcmp(sc->out_name[i], name) == 0;
      if (!taken) break;
    }
    if (!(sc->out_name[j] = kseg_strings_dup(name))) return KSEG_ERR_IO;
    KSEG_CHECK(note(sum, "%s: column %d has no name but holds values: it is called '%s'", c->path, j + 1, name));
  }
  if (sum->dropped_columns) {
    /* say where: a delimiter ending every line is the usual one, an empty column between two others happens too */
    char where[160] = "";
    size_t used = 0;
    int shown = 0;
    for (int j = 0; j < n && used < sizeof where; j++)
      if (!sc->keep[j] && sc->out_name[j] && !sc->out_name[j][0] && shown++ < 5)
        used += (size_t)snprintf(where + used, sizeof where - used, "%s%d", shown > 1 ? ", " : "", j + 1);
    const int last_only = sum->dropped_columns == 1 && !sc->keep[n - 1] && !c->h.names[n - 1][0];
    KSEG_CHECK(note(sum, "%s: %" PRId64 " column%s with no name and no value (%s%s) %s left out", c->path,
                    sum->dropped_columns, sum->dropped_columns == 1 ? "" : "s",
                    last_only ? "a delimiter ending every line" : sum->dropped_columns == 1 ? "column " : "columns ",
                    last_only ? "" : where, sum->dropped_columns == 1 ? "is" : "are"));
  }
  return KSEG_OK;
}

/* ---- pass 2: convert ---- */

/* Code of v among levels[order[0..n)] (sorted by text), -1 if absent. */
static int32_t level_code(char *const *levels, const int32_t *order, int32_t n, const char *v, size_t len)
{
  int32_t lo = 0, hi = n - 1;
  while (lo <= hi) {
    int32_t mid = lo + (hi - lo) / 2;
    const int32_t at = order ? order[mid] : mid;
    const char *l = levels[at];
    size_t ll = strlen(l);
    int cmp = memcmp(l, v, ll < len ? ll : len);
    if (cmp == 0) cmp = ll < len ? -1 : (ll > len ? 1 : 0);
    if (cmp == 0) return at;
    if (cmp < 0) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

static int table_alloc(const csv_ctx *c, const csv_schema *sc, int64_t n_global, int64_t row0, int64_t n_local,
                       kseg_table *t)
{
  memset(t, 0, sizeof *t);
  t->n_global = n_global;
  t->row0 = row0;
  t->n_local = n_local;
  t->cols = kseg_calloc((size_t)c->h.n_cols + 1, sizeof *t->cols, "csv table");
  if (!t->cols) return KSEG_ERR_IO;
  if (c->id_col >= 0 && !(t->id_column = kseg_strings_dup(sc->out_name[c->id_col]))) return KSEG_ERR_IO;
  size_t rows = (size_t)(n_local > 0 ? n_local : 1);
  for (int j = 0; j < c->h.n_cols; j++) {
    if (!sc->keep[j]) continue;
    kseg_column *col = &t->cols[t->n_cols++];
    if (!(col->name = kseg_strings_dup(sc->out_name[j]))) return KSEG_ERR_IO;
    col->kind = sc->kind[j];
    col->format = sc->format[j];
    switch (col->kind) {
    case KSEG_COL_NUMERIC:
    case KSEG_COL_DATE:
      col->num = kseg_malloc(rows * sizeof *col->num, "csv numeric column");
      if (!col->num) return KSEG_ERR_IO;
      break;
    case KSEG_COL_CATEGORICAL:
      col->codes = kseg_malloc(rows * sizeof *col->codes, "csv categorical column");
      col->levels = kseg_calloc((size_t)sc->n_levels[j] + 1, sizeof *col->levels, "csv levels");
      if (!col->codes || !col->levels) return KSEG_ERR_IO;
      col->n_levels = sc->n_levels[j];
      for (int32_t i = 0; i < sc->n_levels[j]; i++)
        if (!(col->levels[i] = kseg_strings_dup(sc->levels[j][i]))) return KSEG_ERR_IO;
      break;
    case KSEG_COL_STRING:
      col->str_width = sc->width[j];
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

/* One value into row `row` of a column; 0 when it does not read as the
 * column's kind (then it is missing, and the caller counts it). */
static int convert_value(const kseg_column *col, const csv_schema *sc, int j, const char *v, size_t len, int64_t row)
{
  switch (col->kind) {
  case KSEG_COL_NUMERIC: {
    kseg_csv_amount a;
    const char dec = col->format.decimal == ',' ? ',' : '.';
    if (kseg_csv_parse_amount(v, len, dec, &col->num[row], &a)) {
      /* one unit per column: a percent column takes only percentages, a currency column its
         currency and bare numbers */
      if (!a.unit[0] && col->format.unit[0] != '%') return 1;
      if (a.unit[0] && strcmp(a.unit, col->format.unit) == 0) return 1;
    }
    col->num[row] = NAN;
    return 0;
  }
  case KSEG_COL_DATE: {
    kseg_csv_datetime d;
    const kseg_csv_date_shape shape = kseg_csv_parse_datetime(v, len, &d);
    const int month_first = strcmp(col->format.date_order, "MDY") == 0;
    const int year_last_ok = !strcmp(col->format.date_order, "DMY") || month_first;
    if ((shape == KSEG_CSV_YMD || (shape == KSEG_CSV_XYY && year_last_ok)) &&
        kseg_csv_datetime_days(&d, month_first, &col->num[row]))
      return 1;
    col->num[row] = NAN;
    return 0;
  }
  case KSEG_COL_CATEGORICAL:
    col->codes[row] = level_code(col->levels, sc->order[j], col->n_levels, v, len);
    return col->codes[row] >= 0;
  case KSEG_COL_STRING:
    memcpy(col->str + (size_t)row * (size_t)col->str_width, v, len);
    return 1;
  }
  return 0;
}

static int pass_convert(csv_ctx *c, const csv_schema *sc, kseg_csv_span part, kseg_table *t, kseg_csv_offending *bad,
                        int64_t *lines)
{
  if (part.begin < 0) return t->n_local == 0 ? KSEG_OK : changed(c->path);
  kseg_csv_reader r;
  KSEG_CHECK(kseg_csv_reader_open(&r, c->fd, c->path, 1, part.begin, part.end, part.line, c->block));
  int st = KSEG_OK;
  int64_t row = 0;
  while (st == KSEG_OK) {
    char *rec;
    int64_t at;
    st = next_fields(c, &r, &rec, &at);
    if (st == KSEG_ERR_INPUT) st = changed(c->path); /* pass 1 read the same records without fault */
    if (st || !rec) break;
    if (row >= t->n_local) {
      st = changed(c->path);
      break;
    }
    if (lines) lines[row] = at;
    for (int j = 0, k = 0; j < c->h.n_cols; j++) {
      if (!sc->keep[j]) continue;
      const kseg_column *col = &t->cols[k++];
      const char *v = c->f[j].ptr;
      const size_t len = c->f[j].len;
      if (col->kind == KSEG_COL_STRING) { /* verbatim: ids and free text; markers only outside the id */
        if (len > (size_t)col->str_width) {
          st = changed(c->path);
          break;
        }
        if (j == c->id_col || !kseg_csv_na_match(&c->na, v, len)) convert_value(col, sc, j, v, len, row);
        continue;
      }
      if (kseg_csv_na_match(&c->na, v, len)) {
        if (col->kind == KSEG_COL_CATEGORICAL) col->codes[row] = -1;
        else col->num[row] = NAN;
        continue;
      }
      if (!convert_value(col, sc, j, v, len, row)) {
        if (col->kind == KSEG_COL_CATEGORICAL && read_mode(c, j) != READ_SCHEMA) {
          st = changed(c->path); /* every text value was gathered as a level in pass 1 */
          break;
        }
        kseg_csv_offending_add(&bad[j], at, v, len);
      }
    }
    row++;
  }
  if (st == KSEG_OK && row != t->n_local) st = changed(c->path);
  kseg_csv_reader_close(&r);
  return st;
}

/* Values that did not read: warnings, or errors under --strict and when a
 * schema column has more of them than a few. */
static int judge_offending(const csv_ctx *c, const csv_schema *sc, const kseg_csv_evidence *ev,
                           const kseg_csv_offending *bad, kseg_csv_summary *sum)
{
  for (int j = 0; j < c->h.n_cols; j++) {
    if (!bad[j].count) continue;
    char list[600];
    kseg_csv_offending_text(&bad[j], list, sizeof list);
    const char *name = sc->out_name[j];
    if (sc->kind[j] == KSEG_COL_CATEGORICAL) { /* a schema's category not seen in training */
      KSEG_CHECK(note(sum,
                      "%s: column '%s': %" PRId64 " value%s not seen in training, read as missing (then imputed as "
                      "the model does): %s",
                      c->path, name, bad[j].count, bad[j].count == 1 ? "" : "s", list));
      continue;
    }
    char what[96];
    if (sc->kind[j] == KSEG_COL_DATE)
      snprintf(what, sizeof what, "dates (%s)", sc->format[j].date_order[0] ? sc->format[j].date_order : "YMD");
    else if (sc->format[j].unit[0])
      snprintf(what, sizeof what, "numbers in %s with a decimal %s", sc->format[j].unit,
               sc->format[j].decimal == ',' ? "comma" : "point");
    else snprintf(what, sizeof what, "numbers with a decimal %s", sc->format[j].decimal == ',' ? "comma" : "point");
    const int64_t present = ev[j].n_present;
    if (c->opt->strict)
      return kseg_error_set(KSEG_ERR_INPUT, "%s: column '%s': %" PRId64 " value%s %s not %s: %s (--strict)", c->path,
                            name, bad[j].count, bad[j].count == 1 ? "" : "s", bad[j].count == 1 ? "is" : "are", what,
                            list);
    if (read_mode(c, j) == READ_SCHEMA && bad[j].count * 20 > present)
      return kseg_error_set(KSEG_ERR_INPUT, "%s: column '%s': %" PRId64 " of %" PRId64
                            " values are not %s as the model's training data was: %s",
                            c->path, name, bad[j].count, present, what, list);
    KSEG_CHECK(note(sum, "%s: column '%s': %" PRId64 " value%s %s not %s and %s read as missing: %s", c->path, name,
                    bad[j].count, bad[j].count == 1 ? "" : "s", bad[j].count == 1 ? "is" : "are", what,
                    bad[j].count == 1 ? "is" : "are", list));
  }
  return KSEG_OK;
}

/* ---- the import ---- */

void kseg_csv_summary_clear(kseg_csv_summary *s)
{
  if (!s) return;
  if (s->cols)
    for (int i = 0; i < s->n_cols; i++) free(s->cols[i].name);
  free(s->cols);
  free(s->id_column);
  kseg_strings_free(&s->notes, s->n_notes);
  memset(s, 0, sizeof *s);
}

/* The identifier column: the caller's (which must exist), else the first
 * with an id name. */
static int find_id(csv_ctx *c)
{
  c->id_col = -1;
  const char *want = c->opt->id_column;
  for (int j = 0; j < c->h.n_cols; j++) {
    if (want ? strcmp(c->h.names[j], want) == 0 : kseg_csv_is_id_name(c->h.names[j])) {
      c->id_col = j;
      return KSEG_OK;
    }
  }
  for (int j = 0; want && j < c->h.n_cols; j++)
    if (strcasecmp(c->h.names[j], want) == 0) {
      c->id_col = j;
      return KSEG_OK;
    }
  for (int j = 0; want && c->opt->id_optional && j < c->h.n_cols; j++)
    if (kseg_csv_is_id_name(c->h.names[j])) {
      c->id_col = j;
      return KSEG_OK;
    }
  if (want && !c->opt->id_optional)
    return kseg_error_set(KSEG_ERR_INPUT, "%s: --id column '%s' is not in the header (line %" PRId64 ")", c->path,
                          want, c->h.line);
  return KSEG_OK;
}

int kseg_csv_read(MPI_Comm comm, const char *in, const kseg_csv_options *opt_in, kseg_table *out,
                  kseg_csv_summary *summary)
{
  double t0 = kseg_now();
  memset(summary, 0, sizeof *summary);
  memset(out, 0, sizeof *out);
  kseg_csv_options defaults = {0};
  const kseg_csv_options *opt = opt_in ? opt_in : &defaults;
  csv_ctx c = {.comm = comm, .path = in, .fd = -1, .opt = opt, .id_col = -1};
  c.rank = kseg_comm_rank(comm);
  c.nranks = kseg_comm_size(comm);
  c.block = opt->block_bytes > 0 ? opt->block_bytes : KSEG_CSV_DEFAULT_BLOCK;
  csv_schema sc = {0};
  kseg_csv_colstats *stats = NULL;
  kseg_csv_evidence *ev = NULL;
  kseg_csv_offending *bad = NULL;
  int64_t *lines = NULL;
  int st = kseg_csv_na_init(&c.na, opt->na);

  /* Open first: a missing input is the user's mistake. */
  if (!st) {
    c.fd = open(in, O_RDONLY);
    if (c.fd < 0) {
      st = kseg_error_set(errno == ENOENT || errno == EACCES || errno == ENOTDIR ? KSEG_ERR_INPUT : KSEG_ERR_IO,
                          "%s: cannot open: %s", in, strerror(errno));
    } else {
      struct stat sb;
      if (fstat(c.fd, &sb) != 0) st = kseg_error_set(KSEG_ERR_IO, "%s: cannot stat: %s", in, strerror(errno));
      else if (!S_ISREG(sb.st_mode)) st = kseg_error_set(KSEG_ERR_INPUT, "%s: not a regular file", in);
      else c.size = (int64_t)sb.st_size;
    }
  }
  st = kseg_comm_agree(comm, st);
  if (st != KSEG_OK) goto done;
  /* Ranks must see the same file; the root's size is the one planned with. */
  KSEG_CHECK_GOTO(kseg_comm_bcast(comm, &c.size, sizeof c.size, 0), st, done);

  /* header */
  if (c.rank == 0) st = header_read(&c, opt->delimiter);
  st = kseg_comm_agree(comm, st);
  if (st != KSEG_OK) goto done;
  st = kseg_comm_agree(comm, header_bcast(comm, c.rank, &c.h));
  if (st != KSEG_OK) goto done;
  const int n_cols = c.h.n_cols;
  c.f = kseg_malloc(sizeof *c.f * (size_t)(n_cols + 2), "csv fields");
  c.schema_col = kseg_malloc(sizeof *c.schema_col * (size_t)(n_cols + 1), "csv schema columns");
  if (!c.f || !c.schema_col) st = KSEG_ERR_IO;
  if (!st) st = find_id(&c);
  for (int j = 0; !st && j < n_cols; j++)
    c.schema_col[j] = opt->schema && c.h.names[j][0] ? kseg_table_find(opt->schema, c.h.names[j]) : -1;
  st = kseg_comm_agree(comm, st);
  if (st != KSEG_OK) goto done;

  /* scan: where this rank's records start and end */
  kseg_csv_span data = {c.h.data_begin, c.size, c.h.data_line}, part;
  st = kseg_csv_locate_records(comm, c.fd, in, 1, 1, data, c.block, 1, &part);
  if (st == KSEG_OK) st = kseg_comm_fault(comm, "csv_scan");
  st = kseg_comm_agree(comm, st);
  if (st != KSEG_OK) goto done;

  /* infer */
  double t_scan = kseg_now();
  stats = kseg_calloc((size_t)n_cols + 1, sizeof *stats, "csv column stats");
  ev = kseg_calloc((size_t)n_cols + 1, sizeof *ev, "csv evidence");
  int64_t n_local = 0;
  if (!stats || !ev) st = KSEG_ERR_IO;
  else {
    for (int j = 0; j < n_cols; j++) kseg_csv_stats_init(&stats[j]);
    st = pass_infer(&c, part, stats, &n_local);
  }
  if (st == KSEG_OK) st = kseg_comm_fault(comm, "csv_infer");
  st = kseg_comm_agree(comm, st);
  if (st != KSEG_OK) goto done;
  int64_t row0 = 0, n_global = n_local;
  st = kseg_comm_check(MPI_Exscan(&n_local, &row0, 1, MPI_INT64_T, MPI_SUM, comm), "MPI_Exscan");
  if (c.rank == 0) row0 = 0; /* MPI leaves rank 0's result undefined */
  if (st == KSEG_OK) st = kseg_comm_sum_i64(comm, &n_global, 1);
  if (st == KSEG_OK && n_global == 0)
    st = kseg_error_set(KSEG_ERR_INPUT, "%s: no data rows after the header", in);
  st = kseg_comm_agree(comm, st);
  if (st != KSEG_OK) goto done;
  for (int j = 0; j < n_cols; j++) ev[j] = stats[j].ev;
  KSEG_CHECK_GOTO(kseg_csv_allreduce_evidence(comm, ev, n_cols), st, done);

  sc.kind = kseg_calloc((size_t)n_cols + 1, sizeof *sc.kind, "csv schema");
  sc.format = kseg_calloc((size_t)n_cols + 1, sizeof *sc.format, "csv schema");
  sc.decision = kseg_calloc((size_t)n_cols + 1, sizeof *sc.decision, "csv schema");
  sc.n_levels = kseg_calloc((size_t)n_cols + 1, sizeof *sc.n_levels, "csv schema");
  sc.levels = kseg_calloc((size_t)n_cols + 1, sizeof *sc.levels, "csv schema");
  sc.order = kseg_calloc((size_t)n_cols + 1, sizeof *sc.order, "csv schema");
  sc.missing = kseg_calloc((size_t)n_cols + 1, sizeof *sc.missing, "csv schema");
  sc.width = kseg_calloc((size_t)n_cols + 1, sizeof *sc.width, "csv schema");
  sc.out_name = kseg_calloc((size_t)n_cols + 1, sizeof *sc.out_name, "csv schema");
  sc.keep = kseg_calloc((size_t)n_cols + 1, sizeof *sc.keep, "csv schema");
  st = sc.kind && sc.format && sc.decision && sc.n_levels && sc.levels && sc.order && sc.missing && sc.width &&
               sc.out_name && sc.keep
           ? KSEG_OK
           : KSEG_ERR_IO;
  /* every rank decides alike from the same merged evidence */
  if (!st) st = opt->schema ? take_schema(&c, &sc) : decide_kinds(&c, ev, &sc, summary);
  if (!st) st = name_columns(&c, ev, &sc, summary);
  for (int j = 0; j < n_cols; j++) {
    if (read_mode(&c, j) == READ_VERBATIM) sc.kind[j] = KSEG_COL_STRING;
    sc.missing[j] = ev[j].n_missing;
    sc.width[j] = (int32_t)(ev[j].max_len > 0 ? ev[j].max_len : 1);
  }
  st = kseg_comm_agree(comm, st);
  if (st != KSEG_OK) goto done;
  if (!opt->schema) KSEG_CHECK_GOTO(decide_levels(&c, stats, ev, &sc), st, done);
  for (int j = 0; j < n_cols; j++) kseg_csv_stats_clear(&stats[j]);

  /* convert */
  double t_infer = kseg_now();
  bad = kseg_calloc((size_t)n_cols + 1, sizeof *bad, "csv offending values");
  if (c.id_col >= 0) lines = kseg_malloc(sizeof *lines * (size_t)(n_local + 1), "csv row lines");
  if (!bad || (c.id_col >= 0 && !lines)) st = KSEG_ERR_IO;
  for (int j = 0; !st && j < n_cols; j++) kseg_csv_offending_init(&bad[j]);
  if (!st) st = table_alloc(&c, &sc, n_global, row0, n_local, out);
  if (!st) st = pass_convert(&c, &sc, part, out, bad, lines);
  if (st == KSEG_OK) st = kseg_comm_fault(comm, "csv_convert");
  st = kseg_comm_agree(comm, st);
  if (st != KSEG_OK) goto done;
  KSEG_CHECK_GOTO(kseg_csv_allreduce_offending(comm, bad, n_cols), st, done);
  st = kseg_comm_agree(comm, judge_offending(&c, &sc, ev, bad, summary));
  if (st != KSEG_OK) goto done;

  if (c.id_col >= 0) {
    int k = 0;
    for (int j = 0; j < c.id_col; j++) k += sc.keep[j];
    kseg_csv_offending rep;
    KSEG_CHECK_GOTO(kseg_csv_id_repeats(comm, &out->cols[k], row0, n_local, lines, &summary->id_repeats,
                                        &summary->id_missing, &rep),
                    st, done);
    if (summary->id_repeats) {
      char list[600];
      kseg_csv_offending_text(&rep, list, sizeof list);
      st = note(summary, "%s: id column '%s': %" PRId64 " row%s repeat%s the id of an earlier row: %s", in,
                sc.out_name[c.id_col], summary->id_repeats, summary->id_repeats == 1 ? "" : "s",
                summary->id_repeats == 1 ? "s" : "", list);
    }
    if (!st && summary->id_missing)
      st = note(summary, "%s: id column '%s': %" PRId64 " row%s ha%s no id", in, sc.out_name[c.id_col],
                summary->id_missing, summary->id_missing == 1 ? "" : "s", summary->id_missing == 1 ? "s" : "ve");
    if (!st && !(summary->id_column = kseg_strings_dup(sc.out_name[c.id_col]))) st = KSEG_ERR_IO;
    st = kseg_comm_agree(comm, st);
    if (st) goto done;
  }

  double t_convert = kseg_now();
  summary->scan_seconds = t_scan - t0;
  summary->infer_seconds = t_infer - t_scan;
  summary->convert_seconds = t_convert - t_infer;
  summary->rows = n_global;
  summary->delimiter = c.h.delim;
  summary->encoding = opt->encoding;
  summary->bytes = c.size;
  summary->cols = kseg_calloc((size_t)n_cols + 1, sizeof *summary->cols, "csv summary");
  if (!summary->cols) st = KSEG_ERR_IO;
  for (int j = 0; st == KSEG_OK && j < n_cols; j++) {
    if (!sc.keep[j]) continue;
    kseg_csv_column_info *ci = &summary->cols[summary->n_cols++];
    if (!(ci->name = kseg_strings_dup(sc.out_name[j]))) st = KSEG_ERR_IO;
    ci->kind = sc.kind[j];
    ci->format = sc.format[j];
    ci->bad = sc.kind[j] == KSEG_COL_CATEGORICAL ? 0 : bad[j].count;
    ci->unseen = sc.kind[j] == KSEG_COL_CATEGORICAL ? bad[j].count : 0;
    ci->missing = sc.missing[j] + bad[j].count;
    ci->n_levels = sc.n_levels[j];
    ci->str_width = sc.kind[j] == KSEG_COL_STRING ? sc.width[j] : 0;
    ci->month_first = strcmp(sc.format[j].date_order, "MDY") == 0;
  }
  st = kseg_comm_agree(comm, st);

done:
  if (c.fd >= 0) close(c.fd);
  if (stats)
    for (int j = 0; j < c.h.n_cols; j++) kseg_csv_stats_clear(&stats[j]);
  free(stats);
  free(ev);
  free(bad);
  free(lines);
  free(c.f);
  free(c.schema_col);
  free(c.conv);
  kseg_csv_na_clear(&c.na);
  schema_free(&sc, c.h.n_cols);
  header_free(&c.h);
  if (st != KSEG_OK) {
    kseg_csv_summary_clear(summary);
    kseg_table_clear(out);
    return st;
  }
  double secs = kseg_now() - t0;
  if (kseg_comm_max_f64(comm, &secs, 1) == KSEG_OK) summary->seconds = secs;
  return KSEG_OK;
}

int kseg_csv_import(MPI_Comm comm, const char *in, const char *out, const kseg_csv_options *opt,
                    kseg_csv_summary *summary)
{
  const double t0 = kseg_now();
  kseg_table t;
  KSEG_CHECK(kseg_csv_read(comm, in, opt, &t, summary));
  const double t_write = kseg_now();
  kseg_h5_writer *w = NULL;
  int st = kseg_h5_create(comm, out, &w);
  if (!st) st = kseg_h5_write_table(w, &t);
  if (!st) st = kseg_h5_attr_str(w, "/raw", "source", in);
  if (w) st = kseg_h5_finish(&w, st);
  kseg_table_clear(&t);
  if (st) {
    kseg_csv_summary_clear(summary);
    return st;
  }
  double secs = kseg_now() - t0, wsecs = kseg_now() - t_write;
  st = kseg_comm_agree(comm, kseg_comm_max_f64(comm, &secs, 1));
  summary->seconds = secs;
  summary->write_seconds = wsecs;
  return st;
}
