/* dates.c - dates and times as exports write them (kseg_csv.h). Pure. The
 * shapes: year first (2012-09-04, 2012/9/4, 2012.09.04), year last
 * (04.09.2012, 9/4/2012: day or month first, decided per column by the
 * caller), a month by its name in English or six other languages
 * (04-Sep-2012, 4 September 2012, Sep 4, 2012, 2012-Sep-04, 4. März 2012,
 * 04.Okt.2012, 4 sept. 2012, 4 de septiembre de 2012), each with an
 * optional time (13:45, 13:45:12.5,
 * 1:45 PM) after a space or 'T', and an optional zone (Z, UTC, GMT, +02:00,
 * -0500, +02). A year of two digits is recognised only to be refused. */
#include <string.h>

#include "kseg/kseg_csv.h"

static int is_digit(char c) { return c >= '0' && c <= '9'; }
static char lower(char c) { return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c; }

/* Digits at s[*i]: their count (stops after 9) and value. */
static int digits_at(const char *s, size_t len, size_t *i, int *value)
{
  int n = 0, v = 0;
  while (*i < len && is_digit(s[*i]) && n < 9) {
    v = v * 10 + (s[*i] - '0');
    (*i)++;
    n++;
  }
  if (*i < len && is_digit(s[*i])) return 99; /* too long for any date field */
  *value = v;
  return n;
}

/* Month names as exports write them: English (the full name, its first
 * three letters, "Sept"), German, French, Spanish, Italian, Dutch and
 * Portuguese, full and abbreviated, lowercase UTF-8. No word names two
 * different months. */
static const char *const month_words[12] = {
    " january jan januar jänner jän janvier janv enero ene gennaio gen januari janeiro ",
    " february feb februar feber février févr fév febrero febbraio februari fevereiro fev ",
    " march mar märz mär mrz mars marzo maart mrt março ",
    " april apr avril avr abril abr aprile ",
    " may mai mayo maggio mag mei maio ",
    " june jun juni juin junio giugno giu junho ",
    " july jul juli juillet juil julio luglio lug julho ",
    " august aug août agosto ago augustus ",
    " september sep sept septembre septiembre setiembre set settembre setembro ",
    " october oct oktober okt octobre octubre ottobre ott outubro out ",
    " november nov novembre noviembre novembro ",
    " december dec dezember dez décembre déc diciembre dic dicembre dezembro ",
};

/* A month name (month_words) at s[*i]: its number, else 0. Letters are
 * ASCII or the accented letters of Latin-1 in UTF-8 (C3 80..C3 BF), either
 * case. */
static int month_at(const char *s, size_t len, size_t *i)
{
  char w[16];
  size_t n = 0, k = *i;
  w[n++] = ' ';
  while (k < len && n < sizeof w - 2) {
    const unsigned char c = (unsigned char)s[k];
    if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') {
      w[n++] = lower((char)c);
      k++;
    } else if (c == 0xC3 && k + 1 < len && (unsigned char)s[k + 1] >= 0x80 && (unsigned char)s[k + 1] <= 0xBF &&
               (unsigned char)s[k + 1] != 0x97 && (unsigned char)s[k + 1] != 0xB7) {
      const unsigned char t = (unsigned char)s[k + 1];
      w[n++] = (char)c;
      w[n++] = (char)(t <= 0x9E ? t + 0x20 : t); /* A-grave .. Thorn to their lowercase */
      k += 2;
    } else {
      break;
    }
  }
  if (n < 4 || n >= sizeof w - 2) return 0; /* three letters at least; a longer word is no month */
  if (k < len && ((unsigned char)s[k] >= 0x80 || ((s[k] | 0x20) >= 'a' && (s[k] | 0x20) <= 'z'))) return 0;
  w[n++] = ' ';
  w[n] = 0;
  for (int m = 0; m < 12; m++)
    if (strstr(month_words[m], w)) {
      *i = k;
      return m + 1;
    }
  return 0;
}

static int is_date_sep(char c) { return c == '-' || c == '/' || c == '.'; }

/* The "de " of Spanish and Portuguese long dates (4 de septiembre de 2012)
 * at s[*i], and the spaces after it: skipped. */
static void skip_de(const char *s, size_t len, size_t *i)
{
  if (*i + 2 < len && (s[*i] | 0x20) == 'd' && (s[*i + 1] | 0x20) == 'e' && s[*i + 2] == ' ') {
    *i += 3;
    while (*i < len && s[*i] == ' ') (*i)++;
  }
}

/* The time of day and zone after a date, from s[i] to the end: seconds
 * since midnight, UTC when a zone is given. 1 when all of it reads. */
static int parse_time(const char *s, size_t len, size_t i, double *seconds)
{
  *seconds = 0;
  if (i == len) return 1;
  if (s[i] == 'T' || s[i] == 't') {
    i++;
    if (i >= len || !is_digit(s[i])) return 0;
  } else {
    if (s[i] == ',') i++;
    if (i >= len || s[i] != ' ') return 0;
    while (i < len && s[i] == ' ') i++;
  }
  int h, m, sec = 0, n;
  if ((n = digits_at(s, len, &i, &h)) < 1 || n > 2 || i >= len || s[i] != ':') return 0;
  i++;
  if (digits_at(s, len, &i, &m) != 2 || m > 59) return 0;
  double frac = 0;
  if (i < len && s[i] == ':') {
    i++;
    if (digits_at(s, len, &i, &sec) != 2 || sec > 59) return 0;
    if (i < len && (s[i] == '.' || s[i] == ',')) { /* fractions of a second */
      i++;
      double scale = 0.1;
      size_t start = i;
      while (i < len && is_digit(s[i])) {
        frac += (s[i] - '0') * scale;
        scale /= 10;
        i++;
      }
      if (i == start) return 0;
    }
  }
  size_t j = i;
  while (j < len && s[j] == ' ') j++;
  if (j + 1 < len && (lower(s[j]) == 'a' || lower(s[j]) == 'p') && lower(s[j + 1]) == 'm' &&
      (j + 2 == len || !((s[j + 2] | 0x20) >= 'a' && (s[j + 2] | 0x20) <= 'z'))) {
    if (h < 1 || h > 12) return 0;
    h = h % 12 + (lower(s[j]) == 'p' ? 12 : 0);
    i = j + 2;
  } else if (h > 23) {
    return 0;
  }
  double t = h * 3600.0 + m * 60.0 + sec + frac;
  j = i;
  while (j < len && s[j] == ' ') j++;
  if (j < len) {
    if (s[j] == 'Z' || s[j] == 'z') {
      j++;
    } else if (len - j >= 3 && (memcmp(s + j, "UTC", 3) == 0 || memcmp(s + j, "GMT", 3) == 0)) {
      j += 3;
    } else if (s[j] == '+' || s[j] == '-') {
      const int sign = s[j] == '-' ? -1 : 1;
      j++;
      int oh, om = 0;
      size_t k = j;
      int nd = digits_at(s, len, &k, &oh);
      if (nd == 4) { /* +HHMM */
        om = oh % 100;
        oh /= 100;
      } else if (nd == 2 && k < len && s[k] == ':') {
        k++;
        if (digits_at(s, len, &k, &om) != 2) return 0;
      } else if (nd != 2) {
        return 0;
      }
      if (oh > 18 || om > 59) return 0;
      t -= sign * (oh * 3600.0 + om * 60.0); /* local time minus its offset is UTC */
      j = k;
    } else {
      return 0;
    }
    i = j;
  }
  if (i != len) return 0;
  *seconds = t;
  return 1;
}

kseg_csv_date_shape kseg_csv_parse_datetime(const char *s, size_t len, kseg_csv_datetime *out)
{
  memset(out, 0, sizeof *out);
  if (len < 6 || len > 64) return KSEG_CSV_NOT_DATE;
  size_t i = 0;
  int x = 0, y = 0, z = 0, nx, ny, nz;
  kseg_csv_date_shape shape = KSEG_CSV_NOT_DATE;
  if (is_digit(s[0])) {
    nx = digits_at(s, len, &i, &x);
    if (i >= len) return KSEG_CSV_NOT_DATE;
    const char sep = s[i];
    if (!is_date_sep(sep) && sep != ' ') return KSEG_CSV_NOT_DATE;
    i++;
    /* "4. März 2012": spaces after a day's dot */
    int spaced = 0;
    if (sep == '.' && nx <= 2)
      while (i < len && s[i] == ' ') i++, spaced = 1;
    const size_t before_de = i;
    if (sep == ' ' && nx <= 2) skip_de(s, len, &i);
    const int de = i != before_de;
    if (i < len && !is_digit(s[i])) {
      /* 04-Sep-2012, 4 September 2012, 2012-Sep-04, 04.Okt.2012, 4. März 2012, 4 sept. 2012 */
      int mo = month_at(s, len, &i);
      if (!mo || i >= len) return KSEG_CSV_NOT_DATE;
      if (sep == '-' || sep == '/' || nx == 4) {
        if (s[i] != sep) return KSEG_CSV_NOT_DATE;
        i++;
      } else { /* '.' or ' ': an abbreviation's dot, spaces, or both */
        int gap = 0;
        if (s[i] == '.') i++, gap = 1;
        while (i < len && s[i] == ' ') i++, gap = 2;
        if (!gap || ((sep == ' ' || spaced) && gap != 2)) return KSEG_CSV_NOT_DATE;
        if (de) { /* "de" before the year too */
          const size_t at = i;
          skip_de(s, len, &i);
          if (i == at) return KSEG_CSV_NOT_DATE;
        }
      }
      nz = digits_at(s, len, &i, &z);
      if (nx == 4 && nz >= 1 && nz <= 2) {
        shape = KSEG_CSV_YMD;
        out->year = x, out->a = mo, out->b = z;
      } else if (nx >= 1 && nx <= 2 && nz == 4) {
        shape = KSEG_CSV_YMD;
        out->year = z, out->a = mo, out->b = x;
      } else if (nx >= 1 && nx <= 2 && nz == 2 && x >= 1 && x <= 31) {
        shape = KSEG_CSV_SHORT_YEAR;
      } else {
        return KSEG_CSV_NOT_DATE;
      }
    } else {
      if (sep == ' ' || spaced) return KSEG_CSV_NOT_DATE;
      ny = digits_at(s, len, &i, &y);
      if (ny < 1 || ny > 2 || i >= len || s[i] != sep) return KSEG_CSV_NOT_DATE;
      i++;
      nz = digits_at(s, len, &i, &z);
      if (nx == 4 && nz >= 1 && nz <= 2) {
        shape = KSEG_CSV_YMD;
        out->year = x, out->a = y, out->b = z;
      } else if (nx >= 1 && nx <= 2 && nz == 4) {
        shape = KSEG_CSV_XYY;
        out->year = z, out->a = x, out->b = y;
      } else if (nx >= 1 && nx <= 2 && nz == 2 && x >= 1 && y >= 1 && x <= 31 && y <= 31 && (x <= 12 || y <= 12)) {
        shape = KSEG_CSV_SHORT_YEAR; /* a day and a month in some order, then two digits */
      } else {
        return KSEG_CSV_NOT_DATE;
      }
    }
  } else {
    /* Sep 4, 2012 / September 04 2012 */
    int mo = month_at(s, len, &i);
    if (!mo || i >= len || (s[i] != ' ' && s[i] != '-' && s[i] != '.')) return KSEG_CSV_NOT_DATE;
    if (s[i] == '.') i++; /* "Sep. 4, 2012" */
    while (i < len && (s[i] == ' ' || s[i] == '-')) i++;
    ny = digits_at(s, len, &i, &y);
    if (ny < 1 || ny > 2) return KSEG_CSV_NOT_DATE;
    if (i < len && s[i] == ',') i++;
    if (i >= len || (s[i] != ' ' && s[i] != '-')) return KSEG_CSV_NOT_DATE;
    while (i < len && (s[i] == ' ' || s[i] == '-')) i++;
    nz = digits_at(s, len, &i, &z);
    if (nz == 4) {
      shape = KSEG_CSV_YMD;
      out->year = z, out->a = mo, out->b = y;
    } else if (nz == 2 && y >= 1 && y <= 31) {
      shape = KSEG_CSV_SHORT_YEAR;
    } else {
      return KSEG_CSV_NOT_DATE;
    }
  }
  if (shape == KSEG_CSV_SHORT_YEAR) {
    double t;
    return parse_time(s, len, i, &t) ? KSEG_CSV_SHORT_YEAR : KSEG_CSV_NOT_DATE;
  }
  if (!parse_time(s, len, i, &out->seconds)) {
    memset(out, 0, sizeof *out);
    return KSEG_CSV_NOT_DATE;
  }
  out->shape = shape;
  return shape;
}

int kseg_csv_datetime_days(const kseg_csv_datetime *d, int month_first, double *days)
{
  int y = d->year, m = d->a, day = d->b;
  if (d->shape == KSEG_CSV_XYY && !month_first) {
    m = d->b;
    day = d->a;
  }
  if ((d->shape != KSEG_CSV_YMD && d->shape != KSEG_CSV_XYY) || !kseg_csv_valid_date(y, m, day)) return 0;
  double v = (double)kseg_csv_days_from_civil(y, m, day);
  if (d->seconds != 0) v += d->seconds / 86400.0;
  *days = v;
  return 1;
}
