/* records.c - where the records of a delimited text file are, for reading it
 * in parallel: the header record, and the record starts of every part of the
 * data (shared by the CSV import and the transaction-log reader).
 *
 * Every part of the data counts its quotes and newlines; an allgather of
 * these few numbers gives every part the quote parity and the line number at
 * its first byte, hence where its first record starts (the first newline
 * after an even number of quotes) and where its last one ends (where the next
 * part's first one starts). A record belongs to the part that holds its
 * first byte, so the records come out in file order for any split.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <omp.h>

#include "kseg/kseg_comm.h"
#include "kseg/kseg_csv.h"
#include "kseg/kseg_error.h"
#include "kseg/kseg_strings.h"

int kseg_csv_read_header(int fd, const char *path, int64_t size, int64_t block, char **rec, size_t *len,
                         int64_t *line, kseg_csv_span *data)
{
  *rec = NULL;
  *len = 0;
  kseg_csv_reader r;
  KSEG_CHECK(kseg_csv_reader_open_header(&r, fd, path, size, block));
  char *p = NULL;
  int st = kseg_csv_reader_next(&r, &p, len, line);
  if (!st && !p) st = kseg_error_set(KSEG_ERR_INPUT, "%s: the file has no header row", path);
  if (!st) {
    /* The reader returns the rest of the file as the header when a quote never closes. */
    int64_t quotes = 0;
    for (size_t i = 0; i < *len; i++) quotes += p[i] == '"';
    if (quotes % 2)
      st = kseg_error_set(KSEG_ERR_INPUT,
                          "%s: line %lld: unterminated quoted field in the header (its quote is never closed)", path,
                          (long long)*line);
  }
  if (!st && !(*rec = kseg_strings_dup_n(p, *len))) st = KSEG_ERR_IO;
  if (!st) {
    /* The data starts after the header's line end (or at the end of the file). */
    data->begin = r.pos - (int64_t)(r.len - r.off);
    data->end = size;
    data->line = r.line;
  }
  kseg_csv_reader_close(&r);
  return st;
}

int kseg_csv_split_names(const char *rec, size_t len, char delim, char ***names, int *n, const char **why)
{
  *names = NULL;
  *n = 0;
  /* kseg_csv_split unquotes in place: split a copy, once to count. */
  char *copy = kseg_strings_dup_n(rec, len);
  if (!copy) return KSEG_ERR_IO;
  int count = 0;
  int st = kseg_csv_split(copy, len, delim, NULL, 0, &count, why);
  kseg_csv_field *f = NULL;
  if (!st) {
    memcpy(copy, rec, len);
    f = kseg_malloc((size_t)(count ? count : 1) * sizeof *f, "csv header fields");
    *names = kseg_calloc((size_t)count + 1, sizeof **names, "csv column names");
    if (!f || !*names) st = KSEG_ERR_IO;
  }
  if (!st) kseg_csv_split(copy, len, delim, f, count, &count, why);
  for (int i = 0; !st && i < count; i++)
    if (!((*names)[i] = kseg_strings_dup_n(f[i].ptr, f[i].len))) st = KSEG_ERR_IO;
  if (st) kseg_strings_free(names, count);
  else *n = count;
  free(f);
  free(copy);
  return st;
}

/* ---- the record starts of every part ---- */

/* What the scan of one part found; positions absolute, -1 for none. Index k
 * of a pair is for an even (0) or odd (1) count of quotes in the part before
 * the byte; "lines" are newlines in the part before it. All int64_t: gathered
 * as such. */
typedef struct part_scan {
  int64_t quotes, newlines;
  int64_t nl_pos[2], nl_lines[2];     /* first newline after an even / odd count */
  int64_t open_pos[2], open_lines[2]; /* last quote after an even / odd count */
  int64_t nul_pos, nul_lines;         /* first NUL byte */
} part_scan;
enum { SCAN_WORDS = (int)(sizeof(part_scan) / sizeof(int64_t)) };

static int scan_part(int fd, const char *path, int quoted, int64_t b0, int64_t b1, int64_t block, part_scan *s)
{
  int64_t *w = (int64_t *)s;
  for (int i = 0; i < SCAN_WORDS; i++) w[i] = -1;
  s->quotes = s->newlines = 0;
  if (b1 <= b0) return KSEG_OK;
  char *buf = kseg_malloc((size_t)(b1 - b0 < block ? b1 - b0 : block), "csv scan buffer");
  if (!buf) return KSEG_ERR_IO;
  int64_t quotes = 0, nl = 0;
  for (int64_t pos = b0; pos < b1;) {
    int64_t n = b1 - pos < block ? b1 - pos : block;
    int64_t got = kseg_csv_read_at(fd, buf, n, pos);
    if (got != n) {
      free(buf);
      if (got < 0) return kseg_error_set(KSEG_ERR_IO, "%s: read failed: %s", path, strerror(errno));
      return kseg_error_set(KSEG_ERR_IO, "%s: the file shrank while it was being read", path);
    }
    if (s->nul_pos < 0) {
      const char *z = memchr(buf, '\0', (size_t)n);
      if (z) { /* its line: the newlines before it in this block */
        s->nul_pos = pos + (z - buf);
        s->nul_lines = nl;
        for (const char *c = buf; c < z; c++) s->nul_lines += *c == '\n';
      }
    }
    if (!quoted || !memchr(buf, '"', (size_t)n)) {
      /* No quote in this block: the parity is fixed, so only newlines matter
       * and the count vectorizes. */
      int k = (int)(quotes & 1);
      if (s->nl_pos[k] < 0) {
        const char *q = memchr(buf, '\n', (size_t)n);
        if (q) {
          s->nl_pos[k] = pos + (q - buf);
          s->nl_lines[k] = nl;
        }
      }
      int64_t c = 0;
      for (int64_t i = 0; i < n; i++) c += buf[i] == '\n';
      nl += c;
    } else {
      for (int64_t i = 0; i < n; i++) {
        char c = buf[i];
        int k = (int)(quotes & 1);
        if (c == '"') {
          s->open_pos[k] = pos + i;
          s->open_lines[k] = nl;
          quotes++;
        } else if (c == '\n') {
          if (s->nl_pos[k] < 0) {
            s->nl_pos[k] = pos + i;
            s->nl_lines[k] = nl;
          }
          nl++;
        }
      }
    }
    pos += n;
  }
  free(buf);
  s->quotes = quotes;
  s->newlines = nl;
  return KSEG_OK;
}

int kseg_csv_locate_records(MPI_Comm comm, int fd, const char *path, int quoted, int refuse_nul, kseg_csv_span data,
                            int64_t block, int threads, kseg_csv_span *parts)
{
  const int P = kseg_comm_size(comm), rank = kseg_comm_rank(comm), T = threads > 0 ? threads : 1;
  const int64_t n_parts = (int64_t)P * T;
  part_scan *mine = kseg_malloc((size_t)T * sizeof *mine, "csv scan table");
  part_scan *all = kseg_malloc((size_t)n_parts * sizeof *all, "csv scan table");
  kseg_error_slot *res = kseg_calloc((size_t)T, sizeof *res, "csv scan results");
  int st = mine && all && res ? KSEG_OK : KSEG_ERR_IO;
  if (!st) {
#pragma omp parallel for num_threads(T) schedule(static, 1)
    for (int t = 0; t < T; t++) {
      int64_t b0, len;
      kseg_partition(data.end - data.begin, (int)n_parts, rank * T + t, &b0, &len);
      kseg_error_keep(&res[t], scan_part(fd, path, quoted, data.begin + b0, data.begin + b0 + len, block, &mine[t]));
    }
    st = kseg_error_first(res, T);
  }
  st = kseg_comm_agree(comm, st);
  if (!st)
    st = kseg_comm_agree(comm, kseg_comm_check(MPI_Allgather(mine, T * SCAN_WORDS, MPI_INT64_T, all,
                                                             T * SCAN_WORDS, MPI_INT64_T, comm),
                                               "MPI_Allgather (csv scan)"));
  if (st) goto done;

  /* Every rank walks all parts alike: the same plan, the same errors. */
  for (int t = 0; t < T; t++) parts[t] = (kseg_csv_span){-1, -1, 0};
  int64_t qpre = 0, lpre = 0, nul_line = -1, open_line = -1;
  for (int64_t g = 0; g < n_parts; g++) {
    const part_scan *s = &all[g];
    int k = (int)(qpre & 1);
    int64_t base = data.line + lpre; /* line number at this part's first byte */
    if (nul_line < 0 && s->nul_pos >= 0) nul_line = base + s->nul_lines;
    /* the last quote after an even global count: where an unclosed quote opened */
    if (s->open_pos[k] >= 0) open_line = base + s->open_lines[k];
    int64_t start = -1, line = 0;
    if (g == 0) {
      start = data.begin;
      line = data.line;
    } else if (s->nl_pos[k] >= 0) {
      start = s->nl_pos[k] + 1;
      line = base + s->nl_lines[k] + 1;
    }
    /* a part's records run to the next part that starts one */
    for (int t = 0; t < T; t++)
      if ((int64_t)rank * T + t < g && parts[t].begin >= 0 && parts[t].end < 0 && start >= 0) parts[t].end = start;
    int64_t t = g - (int64_t)rank * T;
    if (t >= 0 && t < T) parts[t] = (kseg_csv_span){start, -1, line};
    qpre += s->quotes;
    lpre += s->newlines;
  }
  for (int t = 0; t < T; t++)
    if (parts[t].begin >= 0 && parts[t].end < 0) parts[t].end = data.end;
  if (refuse_nul && nul_line >= 0)
    st = kseg_error_set(KSEG_ERR_INPUT, "%s: line %lld: binary data (a NUL byte); is this a text CSV file?", path,
                        (long long)nul_line);
  else if (qpre & 1)
    st = kseg_error_set(KSEG_ERR_INPUT, "%s: line %lld: unterminated quoted field (the quote opened here is never closed)",
                        path, (long long)open_line);
done:
  free(mine);
  free(all);
  free(res);
  return st; /* agreed: every rank found the same */
}
