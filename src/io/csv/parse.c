/* io/csv/parse.c - the pure pieces of CSV import: delimiters, record ends, field
 * splitting, plain numbers and dates, the calendar. No I/O, no MPI. */
#include "kseg/kseg_csv.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kseg/kseg_error.h"
#include "kseg/kseg_hash.h"

char kseg_csv_detect_delimiter(const char *line, size_t len)
{
  int64_t tabs = 0, semis = 0, commas = 0, pipes = 0;
  int inq = 0;
  for (size_t i = 0; i < len; i++) {
    char c = line[i];
    if (c == '"') inq = !inq;
    else if (!inq && c == '\t') tabs++;
    else if (!inq && c == ';') semis++;
    else if (!inq && c == ',') commas++;
    else if (!inq && c == '|') pipes++;
  }
  if (tabs >= semis && tabs >= commas && tabs >= pipes && tabs > 0) return '\t';
  if (semis >= commas && semis >= pipes && semis > 0) return ';';
  if (pipes > commas) return '|';
  return ',';
}

int kseg_csv_record_end(const char *p, size_t len, size_t *scan, int *in_quote, int64_t *newlines,
                        size_t *end)
{
  size_t i = *scan;
  int inq = *in_quote;
  int64_t nl = 0;
  while (i < len) {
    /* Most bytes are neither; memchr-style skipping keeps this near memory speed. */
    const char *q = inq ? memchr(p + i, '"', len - i) : NULL;
    if (inq) {
      /* Inside quotes only the closing quote matters, but newlines still count as lines. */
      size_t stop = q ? (size_t)(q - p) : len;
      for (size_t k = i; k < stop; k++) nl += p[k] == '\n';
      if (!q) { i = len; break; }
      i = stop + 1;
      inq = 0;
      continue;
    }
    char c = p[i];
    if (c == '\n') {
      *scan = i;
      *in_quote = 0;
      *newlines += nl;
      *end = i;
      return 1;
    }
    if (c == '"') inq = 1;
    i++;
  }
  *scan = len;
  *in_quote = inq;
  *newlines += nl;
  return 0;
}

static int is_digit(char c) { return c >= '0' && c <= '9'; }

/* Exact powers of ten: every 10^k for k <= 22 is a double without rounding. */
static const double pow10_exact[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                       1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

int kseg_csv_parse_number(const char *s, size_t len, double *out)
{
  size_t i = 0, digits = 0, sig = 0, frac = 0;
  uint64_t mant = 0;
  int neg = 0;
  if (i < len && (s[i] == '+' || s[i] == '-')) neg = s[i++] == '-';
  while (i < len && is_digit(s[i])) {
    if (sig < 19) mant = mant * 10 + (uint64_t)(s[i] - '0');
    if (sig || s[i] != '0') sig++;
    i++;
    digits++;
  }
  if (i < len && s[i] == '.') {
    i++;
    while (i < len && is_digit(s[i])) {
      if (sig < 19) mant = mant * 10 + (uint64_t)(s[i] - '0');
      if (sig || s[i] != '0') sig++;
      if (sig <= 19) frac++;
      i++;
      digits++;
    }
  }
  if (digits == 0) return 0;
  int has_exp = 0;
  long ex = 0;
  if (i < len && (s[i] == 'e' || s[i] == 'E')) {
    i++;
    int eneg = 0;
    if (i < len && (s[i] == '+' || s[i] == '-')) eneg = s[i++] == '-';
    size_t ed = 0;
    while (i < len && is_digit(s[i])) {
      if (ex < 100000) ex = ex * 10 + (s[i] - '0');
      i++;
      ed++;
    }
    if (ed == 0) return 0;
    has_exp = 1;
    if (eneg) ex = -ex;
  }
  if (i != len) return 0;
  /* Without an exponent and with few digits the value cannot overflow, so a
   * caller that only asks "is it a number" is answered without conversion. */
  if (!out && !has_exp && digits < 300) return 1;
  /* Clinger's fast path: a mantissa below 2^53 and 10^|e| <= 10^22 are both
   * exact doubles, so one IEEE multiply or divide rounds correctly, exactly as
   * strtod (and Python's float) would. */
  long e10 = ex - (long)frac;
  if (sig <= 15 && e10 >= -22 && e10 <= 22) {
    double v = (double)mant;
    v = e10 < 0 ? v / pow10_exact[-e10] : v * pow10_exact[e10];
    if (out) *out = neg ? -v : v;
    return 1;
  }
  char small[64];
  char *buf = len < sizeof small ? small : malloc(len + 1);
  if (!buf) return 0;
  memcpy(buf, s, len);
  buf[len] = '\0';
  double v = strtod(buf, NULL);
  if (buf != small) free(buf);
  if (v == HUGE_VAL || v == -HUGE_VAL) return 0; /* beyond double range: not a usable number */
  if (out) *out = v;
  return 1;
}

/* n digits at s[*i] as an int; 0 when fewer than lo or more than hi digits. */
static int take_digits(const char *s, size_t len, size_t *i, int lo, int hi, int *v)
{
  int n = 0, x = 0;
  while (*i < len && is_digit(s[*i]) && n < hi + 1) {
    x = x * 10 + (s[*i] - '0');
    (*i)++;
    n++;
  }
  if (n < lo || n > hi) return 0;
  *v = x;
  return 1;
}

kseg_csv_date_shape kseg_csv_parse_date(const char *s, size_t len, int *a, int *b, int *c)
{
  if (len < 8 || len > 10 || !is_digit(s[0])) return KSEG_CSV_NOT_DATE;
  size_t i = 0;
  int x, y, z;
  if (len >= 5 && is_digit(s[1]) && is_digit(s[2]) && is_digit(s[3]) && (s[4] == '-' || s[4] == '/')) {
    char sep = s[4];
    if (!take_digits(s, len, &i, 4, 4, &x)) return KSEG_CSV_NOT_DATE;
    i++;
    if (!take_digits(s, len, &i, 1, 2, &y) || i >= len || s[i] != sep) return KSEG_CSV_NOT_DATE;
    i++;
    if (!take_digits(s, len, &i, 1, 2, &z) || i != len) return KSEG_CSV_NOT_DATE;
    *a = x; *b = y; *c = z;
    return KSEG_CSV_YMD;
  }
  if (!take_digits(s, len, &i, 1, 2, &x) || i >= len || (s[i] != '-' && s[i] != '/')) return KSEG_CSV_NOT_DATE;
  char sep = s[i++];
  if (!take_digits(s, len, &i, 1, 2, &y) || i >= len || s[i] != sep) return KSEG_CSV_NOT_DATE;
  i++;
  if (!take_digits(s, len, &i, 4, 4, &z) || i != len) return KSEG_CSV_NOT_DATE;
  *a = x; *b = y; *c = z;
  return KSEG_CSV_XYY;
}

int kseg_csv_valid_date(int y, int m, int d)
{
  static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (y < 1 || y > 9999 || m < 1 || m > 12 || d < 1) return 0;
  int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return d <= mdays[m - 1] + (m == 2 && leap);
}

int64_t kseg_csv_days_from_civil(int y, int m, int d)
{
  /* Howard Hinnant's days_from_civil: eras of 400 years, March-based years. */
  int64_t yy = (int64_t)y - (m <= 2);
  int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
  int64_t yoe = yy - era * 400;
  int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

void kseg_csv_civil_from_days(int64_t days, int *y, int *m, int *d)
{
  /* Howard Hinnant's civil_from_days, the inverse of the above. */
  int64_t z = days + 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  int64_t mm = mp < 10 ? mp + 3 : mp - 9;
  *y = (int)(yoe + era * 400 + (mm <= 2));
  *m = (int)mm;
  *d = (int)(doy - (153 * mp + 2) / 5 + 1);
}

/* Decode one UTF-8 sequence at p[0..n); its length, or 0 when invalid
 * (overlong forms, surrogates and values above U+10FFFF are invalid). */
static size_t utf8_len(const unsigned char *p, size_t n)
{
  unsigned char c = p[0];
  size_t k;
  uint32_t cp;
  if (c < 0xC2) return 0;
  if (c < 0xE0) { k = 2; cp = c & 0x1F; }
  else if (c < 0xF0) { k = 3; cp = c & 0x0F; }
  else if (c < 0xF5) { k = 4; cp = c & 0x07; }
  else return 0;
  if (n < k) return 0;
  for (size_t i = 1; i < k; i++) {
    if ((p[i] & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (p[i] & 0x3F);
  }
  if ((k == 3 && cp < 0x800) || (k == 4 && cp < 0x10000) || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
    return 0;
  return k;
}

/* Text check of a whole record: one pass, ASCII fast path. */
const char *kseg_csv_check_text(const char *rec, size_t len, size_t *at)
{
  const unsigned char *p = (const unsigned char *)rec;
  const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
  for (size_t i = 0; i < len;) {
    if (i + 8 <= len) {
      /* Eight printable ASCII bytes at once: no high bit, none below 0x20, no 0x7F. */
      uint64_t w;
      memcpy(&w, p + i, sizeof w);
      uint64_t low = (w - 0x20 * ones) & ~w & highs;
      uint64_t x = w ^ (0x7F * ones);
      uint64_t del = (x - ones) & ~x & highs;
      if (!((w & highs) | low | del)) {
        i += 8;
        continue;
      }
    }
    unsigned char c = p[i];
    if (c >= 0x20 && c < 0x7F) { i++; continue; }
    if (c == '\t' || c == '\r' || c == '\n') { i++; continue; }
    if (at) *at = i;
    if (c == 0) return "binary data (a NUL byte)";
    if (c < 0x80) return "binary data (a control byte)";
    size_t k = utf8_len(p + i, len - i);
    if (k == 0) return "bytes that are not valid UTF-8";
    i += k;
  }
  return NULL;
}

/* a CR inside a line (a CRLF file with fields appended by a Unix tool) is space too */
static int is_space(char c, char delim) { return c == ' ' || c == '\r' || (c == '\t' && delim != '\t'); }

int kseg_csv_split(char *rec, size_t len, char delim, kseg_csv_field *fields, int max_fields, int *n_fields,
                   const char **why)
{
  *n_fields = 0;
  const char *bad = kseg_csv_check_text(rec, len, NULL);
  if (bad) {
    *why = bad;
    return KSEG_ERR_INPUT;
  }
  size_t i = 0;
  int n = 0;
  for (;;) {
    while (i < len && is_space(rec[i], delim)) i++;
    char *start;
    size_t flen;
    if (i < len && rec[i] == '"') {
      /* Quoted: unquote in place; the output never overtakes the input. */
      size_t w = ++i;
      start = rec + w;
      for (;;) {
        if (i >= len) {
          /* Cannot happen for records cut by kseg_csv_record_end (even parity). */
          *why = "an unterminated quoted field";
          return KSEG_ERR_INPUT;
        }
        if (rec[i] == '"') {
          if (i + 1 < len && rec[i + 1] == '"') {
            rec[w++] = '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        rec[w++] = rec[i++];
      }
      flen = w - (size_t)(start - rec);
      while (i < len && is_space(rec[i], delim)) i++;
      if (i < len && rec[i] != delim) {
        *why = "text after the closing quote of a field";
        return KSEG_ERR_INPUT;
      }
    } else {
      start = rec + i;
      while (i < len && rec[i] != delim) i++;
      size_t e = i;
      while (e > (size_t)(start - rec) && is_space(rec[e - 1], delim)) e--;
      flen = e - (size_t)(start - rec);
    }
    if (n < max_fields) {
      fields[n].ptr = start;
      fields[n].len = flen;
    }
    n++;
    if (i >= len) break;
    i++; /* the delimiter */
  }
  *n_fields = n;
  return KSEG_OK;
}

