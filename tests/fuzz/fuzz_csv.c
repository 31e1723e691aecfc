/* fuzz_csv.c - libFuzzer target for the CSV importer's pure parsing
 * (io/csv/parse.c): the input is a whole file; it goes through the same steps
 * as kseg import on one rank (delimiter from the first line, record ends,
 * field splitting, per-column evidence, type inference) and every field
 * through the number and date parsers. Besides memory errors (ASan) and
 * undefined behaviour (UBSan), it checks the parsers' promises:
 * - a record end is a '\n' outside quotes, and resuming the scan in pieces
 *   finds the same end as one scan;
 * - kseg_csv_parse_number gives exactly strtod's double (the fast path claims
 *   correct rounding), a finite one, and "is it a number" without a result
 *   answers the same as with one;
 * - a date that kseg_csv_valid_date accepts converts to a day count that
 *   round-trips through the calendar.
 * Built with -fsanitize=fuzzer under KSEG_FUZZ, and with replay.c (a plain
 * main over files) into the normal test build. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kseg/kseg_csv.h"
#include "kseg/kseg_error.h"

#define CHECK(cond)                                                                     \
  do {                                                                                  \
    if (!(cond)) {                                                                      \
      fprintf(stderr, "fuzz_csv: check failed at %s:%d: %s\n", __FILE__, __LINE__, #cond); \
      abort();                                                                          \
    }                                                                                   \
  } while (0)

enum { MAX_FIELDS = 64 };

static void check_number(const char *s, size_t len)
{
  double v = 0;
  const int is = kseg_csv_parse_number(s, len, &v);
  CHECK(is == kseg_csv_parse_number(s, len, NULL));
  if (!is) return;
  CHECK(isfinite(v));
  char *z = malloc(len + 1);
  if (!z) return;
  memcpy(z, s, len);
  z[len] = '\0';
  char *end = NULL;
  const double ref = strtod(z, &end);
  CHECK(end == z + len);                     /* the whole field is the number */
  CHECK(memcmp(&ref, &v, sizeof v) == 0);    /* bit-identical to strtod */
  free(z);
}

static void check_date(const char *s, size_t len)
{
  int a = 0, b = 0, c = 0;
  const kseg_csv_date_shape shape = kseg_csv_parse_date(s, len, &a, &b, &c);
  if (shape == KSEG_CSV_NOT_DATE) return;
  int y = shape == KSEG_CSV_YMD ? a : c, m = b, d = shape == KSEG_CSV_YMD ? c : a;
  if (!kseg_csv_valid_date(y, m, d)) return;
  const int64_t days = kseg_csv_days_from_civil(y, m, d);
  /* Consecutive valid days are one apart; 9999-12-31 is the last. */
  CHECK(days >= kseg_csv_days_from_civil(1, 1, 1) && days <= kseg_csv_days_from_civil(9999, 12, 31));
  if (kseg_csv_valid_date(y, m, d + 1)) CHECK(kseg_csv_days_from_civil(y, m, d + 1) == days + 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  char *buf = malloc(size + 1);
  if (!buf) return 0;
  memcpy(buf, data, size);
  buf[size] = '\0';
  const char *nl = memchr(buf, '\n', size);
  const char delim = kseg_csv_detect_delimiter(buf, nl ? (size_t)(nl - buf) : size);
  CHECK(delim == ',' || delim == ';' || delim == '\t');

  kseg_csv_colstats stats[MAX_FIELDS];
  for (int j = 0; j < MAX_FIELDS; j++) kseg_csv_stats_init(&stats[j]);
  kseg_csv_field fields[MAX_FIELDS];
  size_t pos = 0;
  while (pos < size) {
    size_t scan = 0, end = 0;
    int inq = 0;
    int64_t newlines = 0;
    int found = kseg_csv_record_end(buf + pos, size - pos, &scan, &inq, &newlines, &end);
    if (found) {
      CHECK(end < size - pos && buf[pos + end] == '\n');
      /* The same end when the scan is resumed over growing pieces, as the
       * importer does across its read buffers. */
      size_t scan2 = 0, end2 = 0;
      int inq2 = 0, found2 = 0;
      int64_t nl2 = 0;
      for (size_t piece = 1, avail = size - pos; !found2; piece = piece * 2 + 1) {
        found2 = kseg_csv_record_end(buf + pos, piece < avail ? piece : avail, &scan2, &inq2, &nl2, &end2);
        if (piece >= avail) break;
      }
      CHECK(found2 && end2 == end);
    } else {
      end = size - pos; /* a last record without a line end */
    }
    size_t len = end;
    if (len > 0 && buf[pos + len - 1] == '\r') len--;
    int n = 0;
    const char *why = NULL;
    if (kseg_csv_split(buf + pos, len, delim, fields, MAX_FIELDS, &n, &why) == KSEG_OK) {
      CHECK(n >= 1);
      for (int j = 0; j < n && j < MAX_FIELDS; j++) {
        CHECK(fields[j].ptr >= buf + pos && fields[j].ptr + fields[j].len <= buf + pos + len);
        check_number(fields[j].ptr, fields[j].len);
        check_date(fields[j].ptr, fields[j].len);
        if (!kseg_csv_is_missing(fields[j].ptr, fields[j].len))
          CHECK(kseg_csv_stats_add(&stats[j], fields[j].ptr, fields[j].len) == KSEG_OK);
      }
    } else {
      CHECK(why != NULL);
    }
    pos += end + 1;
  }
  for (int j = 0; j < MAX_FIELDS; j++) {
    const kseg_csv_colstats *s = &stats[j];
    kseg_csv_evidence e = {.n_present = s->n_present, .numeric = s->numeric, .ymd = s->ymd, .dmy = s->dmy,
                           .mdy = s->mdy, .n_levels = s->overflow ? KSEG_CSV_MAX_LEVELS + 1 : s->n_levels};
    int month_first = -1;
    const kseg_col_kind kind = kseg_csv_infer(&e, &month_first);
    (void)kind;
    kseg_csv_stats_clear(&stats[j]);
  }
  free(buf);
  return 0;
}
