/* encoding.c - text that is not UTF-8: Latin-1 and Windows-1252 records
 * converted to UTF-8 as they are read, and UTF-16 recognised so that it can
 * be refused with a clear message (kseg_csv.h). Pure.
 *
 * Both encodings are single-byte supersets of ASCII, so quotes, delimiters
 * and line ends sit at the same bytes before and after conversion: records
 * are found on the raw bytes and converted one at a time. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "kseg/kseg_csv.h"
#include "kseg/kseg_error.h"

const char *kseg_csv_encoding_name(kseg_csv_encoding e)
{
  switch (e) {
  case KSEG_CSV_LATIN1: return "latin1";
  case KSEG_CSV_CP1252: return "cp1252";
  default: return "utf-8";
  }
}

int kseg_csv_encoding_parse(const char *text, kseg_csv_encoding *out)
{
  char low[16];
  size_t n = 0;
  for (; text[n] && n + 1 < sizeof low; n++) {
    char c = text[n];
    low[n] = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
  }
  low[n] = '\0';
  if (text[n]) return 0;
  if (!strcmp(low, "utf-8") || !strcmp(low, "utf8")) *out = KSEG_CSV_UTF8;
  else if (!strcmp(low, "latin1") || !strcmp(low, "latin-1") || !strcmp(low, "iso-8859-1") ||
           !strcmp(low, "iso8859-1"))
    *out = KSEG_CSV_LATIN1;
  else if (!strcmp(low, "cp1252") || !strcmp(low, "windows-1252") || !strcmp(low, "win1252"))
    *out = KSEG_CSV_CP1252;
  else return 0;
  return 1;
}

/* Windows-1252 0x80..0x9F; 0 where the code page defines no character. */
static const unsigned short cp1252_high[32] = {
    0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0,      0x017D, 0,      0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178};

int kseg_csv_to_utf8(kseg_csv_encoding enc, const char *in, size_t len, char **buf, size_t *cap, size_t *out_len,
                     size_t *bad)
{
  *out_len = 0;
  if (*cap < 3 * len + 1) {
    size_t want = 3 * len + 1;
    char *nb = realloc(*buf, want);
    if (!nb) return kseg_error_nomem("text conversion buffer", want);
    *buf = nb;
    *cap = want;
  }
  unsigned char *o = (unsigned char *)*buf;
  size_t k = 0;
  for (size_t i = 0; i < len; i++) {
    unsigned c = (unsigned char)in[i];
    if (c < 0x80) {
      o[k++] = (unsigned char)c;
      continue;
    }
    unsigned cp = c;
    if (enc == KSEG_CSV_CP1252 && c < 0xA0) {
      cp = cp1252_high[c - 0x80];
      if (!cp) {
        *bad = i;
        return KSEG_ERR_INPUT;
      }
    }
    if (cp < 0x800) {
      o[k++] = (unsigned char)(0xC0 | (cp >> 6));
      o[k++] = (unsigned char)(0x80 | (cp & 0x3F));
    } else {
      o[k++] = (unsigned char)(0xE0 | (cp >> 12));
      o[k++] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
      o[k++] = (unsigned char)(0x80 | (cp & 0x3F));
    }
  }
  o[k] = '\0';
  *out_len = k;
  return KSEG_OK;
}

const char *kseg_csv_utf16_signature(const unsigned char *p, size_t n)
{
  if (n >= 2 && p[0] == 0xFF && p[1] == 0xFE) return "UTF-16 (little-endian byte order mark FF FE)";
  if (n >= 2 && p[0] == 0xFE && p[1] == 0xFF) return "UTF-16 (big-endian byte order mark FE FF)";
  /* Without a mark: ASCII text in UTF-16 has a NUL beside every letter. */
  if (n >= 4) {
    size_t even = 0, odd = 0, m = n < 64 ? n - n % 2 : 64;
    for (size_t i = 0; i < m; i += 2) {
      even += p[i] == 0 && p[i + 1] != 0;
      odd += p[i] != 0 && p[i + 1] == 0;
    }
    if (odd * 8 >= m * 3 && odd >= 2 && even == 0) /* three pairs in four */ return "UTF-16 (little-endian, no byte order mark)";
    if (even * 8 >= m * 3 && even >= 2 && odd == 0) return "UTF-16 (big-endian, no byte order mark)";
  }
  return NULL;
}

int kseg_csv_record_to_utf8(kseg_csv_encoding enc, const char *path, int64_t line, char **rec, size_t *len,
                            char **buf, size_t *cap)
{
  if (enc == KSEG_CSV_UTF8) return KSEG_OK;
  size_t out = 0, bad = 0;
  int st = kseg_csv_to_utf8(enc, *rec, *len, buf, cap, &out, &bad);
  if (st == KSEG_ERR_INPUT)
    return kseg_error_set(KSEG_ERR_INPUT, "%s: line %" PRId64 ": byte 0x%02X is not a character in %s", path, line,
                          (unsigned char)(*rec)[bad], kseg_csv_encoding_name(enc));
  KSEG_CHECK(st);
  *rec = *buf;
  *len = out;
  return KSEG_OK;
}
