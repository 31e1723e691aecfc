/* io/csv/reader.c - streaming the records of a byte range of a text file through
 * one growing buffer (shared by the CSV import and the transaction-log reader). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kseg/kseg_csv.h"
#include "kseg/kseg_error.h"


int64_t kseg_csv_read_at(int fd, char *buf, int64_t n, int64_t off)
{
  int64_t got = 0;
  while (got < n) {
    size_t want = (size_t)(n - got) > ((size_t)1 << 30) ? ((size_t)1 << 30) : (size_t)(n - got);
    ssize_t r = pread(fd, buf + got, want, (off_t)(off + got));
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return -1;
    if (r == 0) break;
    got += r;
  }
  return got;
}


int kseg_csv_reader_open(kseg_csv_reader *r, int fd, const char *path, int quoted, int64_t begin, int64_t end, int64_t line,
                       int64_t block)
{
  memset(r, 0, sizeof *r);
  r->fd = fd;
  r->path = path;
  r->quoted = quoted;
  r->pos = begin;
  r->end = end;
  r->line = line;
  r->cap = (size_t)block;
  r->buf = kseg_malloc(r->cap, "read buffer");
  return r->buf ? KSEG_OK : KSEG_ERR_IO;
}

static int find_end(kseg_csv_reader *r, size_t *end)
{
  char *p = r->buf + r->off;
  size_t len = r->len - r->off;
  if (r->quoted) return kseg_csv_record_end(p, len, &r->scan, &r->inq, &r->nl, end);
  char *q = r->scan < len ? memchr(p + r->scan, '\n', len - r->scan) : NULL;
  if (!q) { r->scan = len; return 0; }
  *end = (size_t)(q - p);
  return 1;
}

/* The next non-empty record (line end removed) and its line number; *rec is
 * NULL at the end of the range. */
int kseg_csv_reader_next(kseg_csv_reader *r, char **rec, size_t *rlen, int64_t *line)
{
  for (;;) {
    size_t end;
    if (r->off < r->len && find_end(r, &end)) {
      char *p = r->buf + r->off;
      *line = r->line;
      r->line += r->nl + 1;
      r->nl = 0;
      r->scan = 0;
      r->inq = 0;
      r->off += end + 1;
      if (end > 0 && p[end - 1] == '\r') end--;
      if (end == 0) continue;
      *rec = p;
      *rlen = end;
      return KSEG_OK;
    }
    if (r->pos >= r->end) {
      if (r->off < r->len) { /* the last record has no line end */
        char *p = r->buf + r->off;
        size_t n = r->len - r->off;
        *line = r->line;
        r->off = r->len;
        if (p[n - 1] == '\r') n--;
        if (n == 0) continue;
        *rec = p;
        *rlen = n;
        return KSEG_OK;
      }
      *rec = NULL;
      *rlen = 0;
      return KSEG_OK;
    }
    memmove(r->buf, r->buf + r->off, r->len - r->off);
    r->len -= r->off;
    r->off = 0;
    if (r->len == r->cap) { /* one record longer than the buffer */
      size_t cap = r->cap * 2;
      char *nb = realloc(r->buf, cap);
      if (!nb) return kseg_error_nomem("record buffer", cap);
      r->buf = nb;
      r->cap = cap;
    }
    int64_t want = r->end - r->pos;
    if (want > (int64_t)(r->cap - r->len)) want = (int64_t)(r->cap - r->len);
    int64_t got = kseg_csv_read_at(r->fd, r->buf + r->len, want, r->pos);
    if (got < 0) return kseg_error_set(KSEG_ERR_IO, "%s: read failed: %s", r->path, strerror(errno));
    if (got < want) return kseg_error_set(KSEG_ERR_IO, "%s: the file shrank while it was being read", r->path);
    r->len += (size_t)got;
    r->pos += got;
  }
}

int kseg_csv_reader_open_header(kseg_csv_reader *r, int fd, const char *path, int64_t size, int64_t block)
{
  if (size == 0) return kseg_error_set(KSEG_ERR_INPUT, "%s: the file is empty (a header row is expected)", path);
  int64_t skip = 0;
  unsigned char bom[3];
  if (size >= 3 && kseg_csv_read_at(fd, (char *)bom, 3, 0) == 3 && bom[0] == 0xEF && bom[1] == 0xBB && bom[2] == 0xBF)
    skip = 3;
  return kseg_csv_reader_open(r, fd, path, 1, skip, size, 1, block);
}

void kseg_csv_reader_close(kseg_csv_reader *r)
{
  free(r->buf);
  r->buf = NULL;
}
