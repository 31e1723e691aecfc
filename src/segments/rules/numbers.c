/* segments/rules/numbers.c - the numbers rules show: thresholds as the
 * shortest decimal between two customers' values, and numbers for people
 * (thousands separators). Local. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kseg/kseg_error.h"
#include "segments/rules/internal.h"

void kseg_rules_buf_add(kseg_rules_buf *t, const char *fmt, ...)
{
  if (t->failed) return;
  va_list ap;
  va_start(ap, fmt);
  const int w = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (w < 0) {
    t->failed = 1;
    kseg_error_set(KSEG_ERR_IO, "formatting rules text");
    return;
  }
  if (t->len + (size_t)w + 1 > t->cap) {
    size_t cap = t->cap ? t->cap : 256;
    while (cap < t->len + (size_t)w + 1) cap *= 2;
    char *p = realloc(t->p, cap);
    if (!p) {
      t->failed = 1;
      kseg_error_nomem("rules text", cap);
      return;
    }
    t->p = p;
    t->cap = cap;
  }
  va_start(ap, fmt);
  vsnprintf(t->p + t->len, t->cap - t->len, fmt, ap);
  va_end(ap);
  t->len += (size_t)w;
}

void kseg_rules_exact(double v, char *buf, size_t len)
{
  if (v == rint(v) && fabs(v) < 1e15) {
    snprintf(buf, len, "%.0f", v); /* 600000, not 6e+05 */
    return;
  }
  for (int d = 1; d <= 17; d++) {
    snprintf(buf, len, "%.*g", d, v);
    if (strtod(buf, NULL) == v) break;
  }
  if (strchr(buf, 'e') && fabs(v) >= 1e-5 && fabs(v) < 1e15)
    for (int frac = 1; frac <= 25; frac++) {
      snprintf(buf, len, "%.*f", frac, v);
      if (strtod(buf, NULL) == v) break;
    }
}

/* n x 10^e as decimal text, exactly ("61500", "0.35", "-0.002"). */
static void decimal_text(long long n, int e, char *buf, size_t len)
{
  char digits[32], out[400];
  const int neg = n < 0;
  snprintf(digits, sizeof digits, "%lld", neg ? -n : n);
  const int nd = (int)strlen(digits);
  size_t o = 0;
  if (neg) out[o++] = '-';
  if (n == 0) {
    out[o++] = '0';
  } else if (e >= 0) {
    memcpy(out + o, digits, (size_t)nd);
    o += (size_t)nd;
    for (int i = 0; i < e && o < sizeof out - 1; i++) out[o++] = '0';
  } else {
    const int frac = -e;
    if (nd <= frac) {
      out[o++] = '0';
      out[o++] = '.';
      for (int i = 0; i < frac - nd && o < sizeof out - 40; i++) out[o++] = '0';
      memcpy(out + o, digits, (size_t)nd);
      o += (size_t)nd;
    } else {
      memcpy(out + o, digits, (size_t)(nd - frac));
      o += (size_t)(nd - frac);
      out[o++] = '.';
      memcpy(out + o, digits + nd - frac, (size_t)frac);
      o += (size_t)frac;
    }
    /* trailing zeros of the fraction say nothing */
    while (out[o - 1] == '0') o--;
    if (out[o - 1] == '.') o--;
  }
  out[o] = '\0';
  snprintf(buf, len, "%s", out);
}

void kseg_rules_pick_threshold(double a, double b, double aim, double *t, char *text, size_t len)
{
  /* a customer at b goes right (value >= t): t may be b itself, never a */
  /* no customer on one side (not for a split the tree chose): any number beyond the other will do */
  if (!isfinite(a) && isfinite(b)) a = b - fmax(1.0, fabs(b));
  if (!isfinite(b) && isfinite(a)) b = a + fmax(1.0, fabs(a));
  if (!(aim > a && aim < b)) aim = a / 2 + b / 2;
  const double mag = fmax(fabs(a), fabs(b));
  const int top = mag > 0 ? (int)floor(log10(mag)) : 0;
  for (int p = 1; p <= 17; p++) {
    const int e = top - p + 1;
    const double step = pow(10.0, e);
    const double lo = floor(a / step) - 1, hi = ceil(b / step) + 1;
    if (!(fabs(lo) < 9e17 && fabs(hi) < 9e17)) continue;
    /* the multiples of 10^e in (a, b], the one nearest the aim (b itself
     * only while its text is short enough for every database to read it
     * back exactly); a coarser step found none, so there are at most about 20 */
    double best_dist = INFINITY, best_v = NAN;
    char best_text[400] = "";
    for (long long n = (long long)lo; n <= (long long)hi; n++) {
      char buf[400];
      decimal_text(n, e, buf, sizeof buf);
      const double v = strtod(buf, NULL);
      if (!(v > a && (v < b || (v == b && p <= 15)))) continue;
      const double dist = fabs(v - aim);
      if (dist < best_dist) {
        best_dist = dist;
        best_v = v;
        snprintf(best_text, sizeof best_text, "%s", buf);
      }
    }
    if (isfinite(best_dist)) {
      *t = best_v;
      if (strlen(best_text) < 40) snprintf(text, len, "%s", best_text);
      else kseg_rules_exact(best_v, text, len); /* 1e+100, not a hundred digits */
      return;
    }
  }
  /* a and b are neighbouring doubles: the rule's threshold is b itself */
  *t = b;
  for (int d = 15; d <= 17; d++) {
    snprintf(text, len, "%.*g", d, b);
    if (strtod(text, NULL) == b) break;
  }
}

void kseg_rules_format_number(double v, int digits, char *buf, size_t len)
{
  if (!isfinite(v)) {
    snprintf(buf, len, "%s", isnan(v) ? "missing" : v > 0 ? "infinity" : "-infinity");
    return;
  }
  char raw[64];
  if (digits > 0) {
    snprintf(raw, sizeof raw, "%.*g", digits, v);
  } else {
    for (int d = 1; d <= 17; d++) {
      snprintf(raw, sizeof raw, "%.*g", d, v);
      if (strtod(raw, NULL) == v) break;
    }
  }
  if (strchr(raw, 'e')) {
    /* back to positional form for people: 1.2e+05 -> 120000 */
    double w = strtod(raw, NULL);
    if (fabs(w) >= 1e15 || (fabs(w) < 1e-6 && w != 0)) {
      snprintf(buf, len, "%s", raw);
      return;
    }
    int frac = 0;
    for (; frac < 17; frac++) {
      snprintf(raw, sizeof raw, "%.*f", frac, w);
      if (strtod(raw, NULL) == w) break;
    }
  }
  /* thousands separators in the integer part */
  const char *s = raw;
  char out[96];
  size_t o = 0;
  if (*s == '-') out[o++] = *s++;
  const char *dot = strchr(s, '.');
  const size_t int_len = dot ? (size_t)(dot - s) : strlen(s);
  for (size_t i = 0; i < int_len; i++) {
    /* 2014 and 1200 read better bare; 61,500 grouped */
    if (i > 0 && (int_len - i) % 3 == 0 && int_len > 4) out[o++] = ',';
    out[o++] = s[i];
  }
  if (dot) {
    size_t rest = strlen(dot);
    memcpy(out + o, dot, rest);
    o += rest;
  }
  out[o] = '\0';
  snprintf(buf, len, "%s", out);
}
