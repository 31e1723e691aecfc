/* fuzz_csv.c - libFuzzer target for the CSV importer's pure parsing
 * (src/io/csv: parse.c, values.c, dates.c, evidence.c, encoding.c): the
 * input is a whole file; it goes through the same steps as kseg import on
 * one rank (delimiter from the first line, record ends, field splitting,
 * per-column evidence and the decision) and every field through the number,
 * amount and date parsers, as UTF-8 and as Latin-1 / Windows-1252 bytes.
 * Besides memory errors (ASan) and undefined behaviour (UBSan), it checks
 * the parsers' promises:
 * - a record end is a '\n' outside quotes, and resuming the scan in pieces
 *   finds the same end as one scan;
 * - kseg_csv_parse_number gives exactly strtod's double (the fast path claims
 *   correct rounding), a finite one, and "is it a number" without a result
 *   answers the same as with one;
 * - kseg_csv_parse_amount: a finite value; with a decimal point it agrees
 *   with kseg_csv_parse_number on plain numbers; the two decimal marks are
 *   mirror images (swapping '.' and ',' in the text and the mark gives the
 *   same double); a percentage is the fraction of the same digits;
 * - a date that kseg_csv_valid_date accepts converts to a day count that
 *   round-trips through the calendar, and kseg_csv_parse_datetime's days
 *   start on the calendar day of its fields;
 * - the per-column evidence merged from two halves of a column is the same
 *   bytes as the evidence of the whole column (any rank split), and so is
 *   the decision;
 * - converted Latin-1 / Windows-1252 text is valid UTF-8.
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

/* The text with '.' and ',' swapped: the mirror image under the other
 * decimal mark; 0 when a currency sign has a '.' of its own. */
static int dotted_sign(const char *s)
{
  return strstr(s, "kr.") || strstr(s, "Fr.") || strstr(s, "\xD1\x80\xD1\x83\xD0\xB1.") || strstr(s, "kr,") ||
         strstr(s, "Fr,") || strstr(s, "\xD1\x80\xD1\x83\xD0\xB1,");
}

static int mirror(const char *s, size_t len, char *out)
{
  if (dotted_sign(s)) return 0;
  for (size_t i = 0; i < len; i++) out[i] = s[i] == '.' ? ',' : s[i] == ',' ? '.' : s[i];
  out[len] = '\0';
  return 1;
}

static void check_amount(const char *s, size_t len)
{
  if (len > 200 || memchr(s, '\0', len)) return;
  char z[208], m[208];
  memcpy(z, s, len);
  z[len] = '\0';
  for (int k = 0; k < 2; k++) {
    const char dec = k ? ',' : '.';
    double v = 0;
    kseg_csv_amount a;
    const int is = kseg_csv_parse_amount(z, len, dec, &v, &a);
    CHECK(is == kseg_csv_parse_amount(z, len, dec, NULL, NULL));
    if (!is) continue;
    CHECK(isfinite(v));
    CHECK(strlen(a.unit) < sizeof a.unit);
    double plain = 0;
    if (dec == '.' && kseg_csv_parse_number(z, len, &plain)) CHECK(memcmp(&plain, &v, sizeof v) == 0);
    if (mirror(z, len, m)) {
      double w = 0;
      CHECK(kseg_csv_parse_amount(m, len, k ? '.' : ',', &w, NULL) == 1);
      CHECK(memcmp(&w, &v, sizeof v) == 0);
    }
    /* "x %" is the fraction of x, from the same digits */
    if (a.unit[0] == '%' && len > 1 && z[len - 1] == '%' && !strchr(z, '(')) {
      double whole = 0;
      size_t n = len - 1;
      while (n > 0 && z[n - 1] == ' ') n--;
      if (kseg_csv_parse_amount(z, n, dec, &whole, NULL) && whole != 0 && isfinite(whole / 100))
        CHECK(fabs(v - whole / 100) <= 1e-15 * fabs(whole / 100) + 1e-300);
    }
  }
}

static void check_datetime(const char *s, size_t len)
{
  kseg_csv_datetime d;
  const kseg_csv_date_shape shape = kseg_csv_parse_datetime(s, len, &d);
  if (shape != KSEG_CSV_YMD && shape != KSEG_CSV_XYY) return;
  for (int mf = 0; mf < 2; mf++) {
    double days = 0;
    if (!kseg_csv_datetime_days(&d, mf, &days)) continue;
    CHECK(isfinite(days));
    int y = d.year, m = (shape == KSEG_CSV_XYY && !mf) ? d.b : d.a, day = (shape == KSEG_CSV_XYY && !mf) ? d.a : d.b;
    const double base = (double)kseg_csv_days_from_civil(y, m, day);
    /* the time of day (and a zone of at most 18 h) moves it less than two days */
    CHECK(fabs(days - base) < 2.0);
    if (d.seconds == 0) CHECK(days == base);
    int y2, m2, d2;
    kseg_csv_civil_from_days((int64_t)base, &y2, &m2, &d2);
    CHECK(y2 == y && m2 == m && d2 == day);
  }
}

static void check_utf8(const char *s, size_t len)
{
  char *buf = NULL;
  size_t cap = 0, n = 0, bad = 0;
  for (int e = 1; e <= 2; e++) {
    int st = kseg_csv_to_utf8((kseg_csv_encoding)e, s, len, &buf, &cap, &n, &bad);
    if (st == KSEG_OK) {
      size_t at = 0;
      const char *why = kseg_csv_check_text(buf, n, &at);
      CHECK(!why || !strstr(why, "UTF-8")); /* control bytes may remain; never invalid UTF-8 */
    } else {
      CHECK(e == 2 && bad < len);
    }
  }
  free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  char *buf = malloc(size + 1);
  if (!buf) return 0;
  memcpy(buf, data, size);
  buf[size] = '\0';
  const char *nl = memchr(buf, '\n', size);
  const char delim = kseg_csv_detect_delimiter(buf, nl ? (size_t)(nl - buf) : size);
  CHECK(delim == ',' || delim == ';' || delim == '\t' || delim == '|');
  check_utf8(buf, size);

  /* per column: the whole, and the two halves of the rows (as two ranks) */
  static kseg_csv_colstats stats[MAX_FIELDS];
  static kseg_csv_evidence half[2][MAX_FIELDS];
  for (int j = 0; j < MAX_FIELDS; j++) {
    kseg_csv_stats_init(&stats[j]);
    kseg_csv_evidence_init(&half[0][j]);
    kseg_csv_evidence_init(&half[1][j]);
  }
  int64_t line = 0;
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
        check_amount(fields[j].ptr, fields[j].len);
        check_datetime(fields[j].ptr, fields[j].len);
        if (!kseg_csv_is_missing(fields[j].ptr, fields[j].len)) {
          CHECK(kseg_csv_stats_add(&stats[j], fields[j].ptr, fields[j].len, line) == KSEG_OK);
          kseg_csv_evidence_add(&half[pos * 2 >= size][j], fields[j].ptr, fields[j].len, line);
        }
      }
    } else {
      CHECK(why != NULL);
    }
    pos += end + 1;
    line++;
  }
  for (int j = 0; j < MAX_FIELDS; j++) {
    kseg_csv_evidence_merge(&half[0][j], &half[1][j]);
    CHECK(memcmp(&half[0][j], &stats[j].ev, sizeof half[0][j]) == 0); /* any split: the same bytes */
    for (int r = 0; r < 4; r++) {
      kseg_csv_rules rules = {r & 1 ? ',' : 0, 0, (kseg_csv_date_order)(r >> 1)};
      kseg_csv_decision d;
      kseg_csv_decide(&stats[j].ev, &rules, &d);
      CHECK(d.kind == KSEG_COL_NUMERIC || d.kind == KSEG_COL_DATE || d.kind == KSEG_COL_CATEGORICAL);
      CHECK(d.bad >= 0 && d.bad <= stats[j].ev.n_present);
      CHECK(strlen(d.why) < sizeof d.why);
    }
    (void)kseg_csv_text_kind(&stats[j].ev, stats[j].n_levels);
    kseg_csv_stats_clear(&stats[j]);
  }
  free(buf);
  return 0;
}
