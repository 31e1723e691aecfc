/* values.c - numbers as spreadsheets and CRMs write them, and the markers
 * of missing values (kseg_csv.h). Pure: no I/O, no MPI.
 *
 * A number is taken apart into sign, currency or percent, digits with their
 * thousands separators, and the decimal mark the caller says the column
 * uses; the digits are then rebuilt as a plain decimal and converted by
 * kseg_csv_parse_number, so "1.234,50 €" gives exactly the double of
 * "1234.50", and "12,5 %" exactly that of "0.125". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kseg/kseg_csv.h"
#include "kseg/kseg_error.h"
#include "kseg/kseg_strings.h"

/* ---- missing values ---- */

static const char *const default_na[] = {"NA", "N/A", "#N/A", "NaN", "NULL", "None", "-", "?"};

static char lower(char c) { return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c; }

static int na_add(kseg_csv_na *na, const char *text, size_t len)
{
  char **m = realloc(na->markers, sizeof *m * (size_t)(na->n + 1));
  if (!m) return kseg_error_nomem("missing-value markers", 0);
  na->markers = m;
  if (!(m[na->n] = kseg_strings_dup_n(text, len))) return KSEG_ERR_IO;
  for (size_t i = 0; i < len; i++) m[na->n][i] = lower(m[na->n][i]);
  na->first[(unsigned char)m[na->n][0]] = 1;
  if (len > na->max_len) na->max_len = len;
  na->n++;
  return KSEG_OK;
}

int kseg_csv_na_init(kseg_csv_na *na, const char *list)
{
  memset(na, 0, sizeof *na);
  int st = KSEG_OK;
  if (!list) {
    for (size_t i = 0; !st && i < sizeof default_na / sizeof *default_na; i++)
      st = na_add(na, default_na[i], strlen(default_na[i]));
  } else {
    char **items = NULL;
    int n = 0;
    st = kseg_strings_split(list, ',', &items, &n);
    for (int i = 0; !st && i < n; i++)
      if (items[i][0]) st = na_add(na, items[i], strlen(items[i]));
    kseg_strings_free(&items, n);
  }
  if (st) kseg_csv_na_clear(na);
  return st;
}

void kseg_csv_na_clear(kseg_csv_na *na)
{
  if (!na) return;
  kseg_strings_free(&na->markers, na->n);
  memset(na, 0, sizeof *na);
}

int kseg_csv_na_match(const kseg_csv_na *na, const char *s, size_t len)
{
  if (len == 0) return 1;
  /* one table lookup settles almost every field */
  if (len > na->max_len || !na->first[(unsigned char)lower(s[0])]) return 0;
  for (int k = 0; k < na->n; k++) {
    const char *m = na->markers[k];
    size_t i = 0;
    while (i < len && m[i] && lower(s[i]) == m[i]) i++;
    if (i == len && m[i] == '\0') return 1;
  }
  return 0;
}

int kseg_csv_is_missing(const char *s, size_t len)
{
  if (len == 0) return 1;
  if (len > 4) return 0;
  for (size_t k = 0; k < sizeof default_na / sizeof *default_na; k++) {
    const char *m = default_na[k];
    size_t i = 0;
    while (i < len && m[i] && lower(s[i]) == lower(m[i])) i++;
    if (i == len && m[i] == '\0') return 1;
  }
  return 0;
}

/* ---- spaces, signs, currencies ---- */

/* Length of a space at s: ' ', no-break space U+00A0, thin space U+2009,
 * narrow no-break space U+202F, figure space U+2007; 0 when none. */
static size_t space_at(const char *s, size_t n)
{
  const unsigned char *u = (const unsigned char *)s;
  if (n >= 1 && u[0] == ' ') return 1;
  if (n >= 2 && u[0] == 0xC2 && u[1] == 0xA0) return 2;
  if (n >= 3 && u[0] == 0xE2 && u[1] == 0x80 && (u[2] == 0x89 || u[2] == 0xAF || u[2] == 0x87)) return 3;
  return 0;
}

static size_t skip_spaces(const char *s, size_t i, size_t end)
{
  size_t k;
  while (i < end && (k = space_at(s + i, end - i))) i += k;
  return i;
}

/* A minus at s ('-' or U+2212): its length, else 0. */
static size_t minus_at(const char *s, size_t n)
{
  if (n >= 1 && s[0] == '-') return 1;
  if (n >= 3 && (unsigned char)s[0] == 0xE2 && (unsigned char)s[1] == 0x88 && (unsigned char)s[2] == 0x92) return 3;
  return 0;
}

/* Currency signs and what the column's unit is called; longest first where
 * one is the start of another ("US$" before "$"). */
static const struct {
  const char *sign, *unit;
} currency_signs[] = {
    {"US$", "USD"}, {"CA$", "CAD"}, {"AU$", "AUD"}, {"NZ$", "NZD"}, {"HK$", "HKD"}, {"MX$", "MXN"},
    {"C$", "CAD"},  {"A$", "AUD"},  {"S$", "SGD"},  {"R$", "BRL"},  {"$", "$"},     {"\xE2\x82\xAC", "EUR"},
    {"\xC2\xA3", "GBP"}, {"\xC2\xA5", "\xC2\xA5"}, {"\xEF\xBF\xA5", "\xC2\xA5"}, {"\xE2\x82\xB9", "INR"},
    {"\xE2\x82\xBD", "RUB"}, {"\xE2\x82\xA9", "KRW"}, {"\xE2\x82\xBA", "TRY"}, {"\xE2\x82\xAA", "ILS"},
    {"\xE2\x82\xAB", "VND"}, {"\xE2\x82\xB1", "PHP"}, {"\xE0\xB8\xBF", "THB"}, {"\xE2\x82\xB4", "UAH"},
    {"\xE2\x82\xA6", "NGN"}, {"\xE2\x82\xA1", "CRC"}, {"\xE2\x82\xB2", "PYG"}, {"\xE2\x82\xB5", "GHS"},
    {"\xE2\x82\xB8", "KZT"}, {"\xE2\x82\xBC", "AZN"}, {"\xE2\x82\xBE", "GEL"}, {"z\xC5\x82", "PLN"},
    {"K\xC4\x8D", "CZK"}, {"Ft", "HUF"}, {"kr.", "kr"}, {"kr", "kr"}, {"lei", "RON"}, {"Fr.", "CHF"},
    {"\xD1\x80\xD1\x83\xD0\xB1.", "RUB"}, {"\xD1\x80\xD1\x83\xD0\xB1", "RUB"}};

/* The active ISO 4217 codes, four bytes a code. */
static const char iso_codes[] =
    "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP BYN BZD CAD "
    "CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ "
    "GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR "
    "LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN "
    "PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SLL SOS SRD SSP STN SVC SYP SZL "
    "THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD UYU UZS VES VND VUV WST XAF XCD XOF XPF YER ZAR ZMW ZWL ";

static int is_upper(char c) { return c >= 'A' && c <= 'Z'; }
static int is_digit(char c) { return c >= '0' && c <= '9'; }

/* A currency at s[0..n): its length, with its unit written to unit[8];
 * else 0. An ISO code must not run on into more letters ("EURO" is not
 * "EUR"), nor a word-like sign ("kr", "Ft", "lei") into a word. */
static size_t currency_at(const char *s, size_t n, char unit[8])
{
  if (n == 0 || is_digit(s[0]) || s[0] == '.' || s[0] == ',' || s[0] == '-' || s[0] == '+') return 0;
  if (n >= 3 && is_upper(s[0]) && is_upper(s[1]) && is_upper(s[2]) && (n == 3 || !is_upper(s[3]))) {
    for (const char *c = iso_codes; *c; c += 4)
      if (c[0] == s[0] && c[1] == s[1] && c[2] == s[2]) {
        memcpy(unit, c, 3);
        unit[3] = '\0';
        return 3;
      }
  }
  for (size_t i = 0; i < sizeof currency_signs / sizeof *currency_signs; i++) {
    size_t k = strlen(currency_signs[i].sign);
    if (k <= n && memcmp(s, currency_signs[i].sign, k) == 0) {
      if (k < n && ((s[k] >= 'a' && s[k] <= 'z') || is_upper(s[k]))) continue;
      snprintf(unit, 8, "%s", currency_signs[i].unit);
      return k;
    }
  }
  return 0;
}

/* A thousands separator at s other than the decimal mark: its length. */
static size_t thousands_at(const char *s, size_t n, char decimal)
{
  if (n == 0) return 0;
  if ((s[0] == ',' || s[0] == '.' || s[0] == '\'') && s[0] != decimal) return 1;
  /* U+2019, the typographic apostrophe of Swiss exports */
  if (n >= 3 && (unsigned char)s[0] == 0xE2 && (unsigned char)s[1] == 0x80 && (unsigned char)s[2] == 0x99) return 3;
  return space_at(s, n);
}

static int three_digits_then_stop(const char *s, size_t i, size_t end)
{
  return i + 3 <= end && is_digit(s[i]) && is_digit(s[i + 1]) && is_digit(s[i + 2]) &&
         (i + 3 == end || !is_digit(s[i + 3]));
}

/* Indian grouping (lakh, crore: 1,23,45,678): from the separator at s[i],
 * groups of two digits, then a last group of three. The index after that
 * last group, or 0. */
static size_t lakh_groups_end(const char *s, size_t i, size_t end, const char *sep, size_t tk)
{
  int pairs = 0;
  while (i + tk + 2 + tk <= end && memcmp(s + i, sep, tk) == 0 && is_digit(s[i + tk]) && is_digit(s[i + tk + 1]) &&
         memcmp(s + i + tk + 2, sep, tk) == 0) {
    i += tk + 2;
    pairs++;
  }
  if (pairs && i + tk <= end && memcmp(s + i, sep, tk) == 0 && three_digits_then_stop(s, i + tk, end))
    return i + tk + 3;
  return 0;
}

/* The digits of a number at s[*i..end): integer part (with thousands
 * grouped by one separator character in groups of three after a first group
 * of one to three digits that does not start with 0, or in the Indian way:
 * a first group of one or two digits, groups of two, a last group of three), the decimal mark and
 * fraction, an exponent when not grouped. They are appended to clean[] (room
 * for every digit of s) as a plain decimal ("1234.50"), with *exp10 the
 * power of ten still to apply. 0 when there is no digit. */
static int take_digits(const char *s, size_t *pi, size_t end, char decimal, char *clean, size_t *pc, long *exp10,
                       int *separator)
{
  size_t i = *pi, c = *pc, digits = 0;
  const size_t g0 = i;
  while (i < end && is_digit(s[i])) {
    clean[c++] = s[i++];
    digits++;
  }
  const size_t tk = i < end ? thousands_at(s + i, end - i, decimal) : 0;
  int grouped = 0;
  if (digits >= 1 && digits <= 3 && s[g0] != '0' && tk && three_digits_then_stop(s, i + tk, end)) {
    const char *sep = s + i;
    while (i + tk <= end && memcmp(s + i, sep, tk) == 0 && three_digits_then_stop(s, i + tk, end)) {
      i += tk;
      for (int k = 0; k < 3; k++, digits++) clean[c++] = s[i++];
    }
    grouped = 1;
    if (*sep == ',' || *sep == '.') *separator = 1;
  } else if (digits >= 1 && digits <= 2 && s[g0] != '0' && tk) {
    const char *sep = s + i;
    const size_t stop = lakh_groups_end(s, i, end, sep, tk);
    if (stop) {
      for (; i < stop; i++)
        if (is_digit(s[i])) clean[c++] = s[i], digits++;
        else i += tk - 1; /* the separator */
      grouped = 1;
      if (*sep == ',' || *sep == '.') *separator = 1;
    }
  }
  if (i < end && s[i] == decimal) {
    i++;
    *separator = 1;
    clean[c++] = '.';
    while (i < end && is_digit(s[i])) {
      clean[c++] = s[i++];
      digits++;
    }
  }
  if (digits == 0) return 0;
  if (!grouped && i < end && (s[i] == 'e' || s[i] == 'E')) {
    size_t j = i + 1;
    int eneg = 0;
    if (j < end && (s[j] == '+' || s[j] == '-')) eneg = s[j++] == '-';
    if (j < end && is_digit(s[j])) {
      long e = 0;
      while (j < end && is_digit(s[j])) {
        if (e < 100000) e = e * 10 + (s[j] - '0');
        j++;
      }
      *exp10 += eneg ? -e : e;
      i = j;
    }
  }
  *pi = i;
  *pc = c;
  return 1;
}

int kseg_csv_parse_amount(const char *s, size_t len, char decimal, double *out, kseg_csv_amount *info)
{
  kseg_csv_amount local;
  if (!info) info = &local;
  memset(info, 0, sizeof *info);
  if (len == 0) return 0;
  /* The plain case, by far the most common, goes to the exact parser directly. */
  if (decimal != ',' || !memchr(s, '.', len)) {
    if (kseg_csv_parse_number(s, len, out)) {
      info->separator = decimal == '.' && memchr(s, '.', len) != NULL;
      return 1;
    }
  }
  size_t i = skip_spaces(s, 0, len), end = len;
  while (end > i && s[end - 1] == ' ') end--;
  int negatives = 0, sign_seen = 0, percent = 0;
  char unit[8] = "";
  /* (...) around the whole value: a negative amount, as accounting formats write it */
  if (end - i >= 2 && s[i] == '(' && s[end - 1] == ')') {
    negatives++;
    i = skip_spaces(s, i + 1, end - 1);
    end--;
  }
  /* a trailing minus (SAP and some banking exports: "1.234,50-") */
  if (end - i >= 2 && s[end - 1] == '-') {
    negatives++;
    end--;
  }
  /* prefix: a sign and a currency in either order, spaces between */
  for (int round = 0; round < 3; round++) {
    i = skip_spaces(s, i, end);
    size_t k;
    if (!sign_seen && i < end && s[i] == '+') {
      sign_seen = 1;
      i++;
    } else if (!sign_seen && (k = minus_at(s + i, end - i))) {
      sign_seen = 1;
      negatives++;
      i += k;
    } else if (!unit[0] && (k = currency_at(s + i, end - i, unit))) {
      i += k;
    } else {
      break;
    }
  }
  /* "$(1,234.50)": the parentheses inside the currency */
  if (i < end && s[i] == '(' && end - i >= 2 && s[end - 1] == ')') {
    negatives++;
    i = skip_spaces(s, i + 1, end - 1);
    end--;
  }
  /* every digit is kept: the conversion sees exactly the number written */
  char small[128], *clean = len + 32 <= sizeof small ? small : malloc(len + 32);
  if (!clean) return 0;
  size_t c = 0;
  long exp10 = 0;
  if (negatives) clean[c++] = '-';
  if (!take_digits(s, &i, end, decimal, clean, &c, &exp10, &info->separator)) {
    if (clean != small) free(clean);
    return 0;
  }
  /* suffix: a percent sign or a currency */
  i = skip_spaces(s, i, end);
  if (i < end && s[i] == '%') {
    percent = 1;
    i++;
  } else if (i < end && !unit[0]) {
    i += currency_at(s + i, end - i, unit);
  }
  i = skip_spaces(s, i, end);
  int ok = i == end && negatives <= 1 && !(percent && unit[0]);
  if (percent) exp10 -= 2; /* 12,5 % is 0.125, converted from the digits: no rounding on the way */
  if (ok && exp10 != 0) c += (size_t)snprintf(clean + c, 24, "e%ld", exp10);
  ok = ok && kseg_csv_parse_number(clean, c, out);
  if (clean != small) free(clean);
  if (!ok) return 0;
  if (percent) snprintf(info->unit, sizeof info->unit, "%%");
  else snprintf(info->unit, sizeof info->unit, "%s", unit);
  info->formatted = 1;
  return 1;
}
