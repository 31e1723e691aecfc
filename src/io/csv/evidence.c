/* evidence.c - what each column's values say about its kind, gathered per
 * rank, merged across ranks, and the decision taken from it (kseg_csv.h).
 * Pure: the import (import.c) does the reductions.
 *
 * Every value is tried as a number with a decimal point and with a decimal
 * comma, and as a date; the counts, the units seen and the first example of
 * each kind of doubt (with its line) are kept. Merging is addition, union
 * and "the smaller line", so the merged evidence - and every decision and
 * message taken from it - is the same for any number of ranks. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kseg/kseg_csv.h"
#include "kseg/kseg_error.h"
#include "kseg/kseg_hash.h"

/* ---- examples ---- */

void kseg_csv_example_set(kseg_csv_example *e, int64_t line, const char *v, size_t len)
{
  if (line >= e->line) return;
  memset(e, 0, sizeof *e); /* no stale bytes after the text: merged evidence compares as bytes */
  e->line = line;
  size_t n = len < sizeof e->text - 1 ? len : sizeof e->text - 1;
  /* cut on a character boundary: never half a UTF-8 sequence */
  while (n < len && n > 0 && ((unsigned char)v[n] & 0xC0) == 0x80) n--;
  memcpy(e->text, v, n);
  e->text[n] = '\0';
  if (n < len && n + 3 < sizeof e->text) memcpy(e->text + n, "...", 4);
}

static void example_merge(kseg_csv_example *into, const kseg_csv_example *from)
{
  if (from->line < into->line) *into = *from;
}

static void example_clear(kseg_csv_example *e)
{
  memset(e, 0, sizeof *e);
  e->line = INT64_MAX;
}

void kseg_csv_offending_init(kseg_csv_offending *o)
{
  memset(o, 0, sizeof *o);
  for (int i = 0; i < KSEG_CSV_EXAMPLES; i++) example_clear(&o->ex[i]);
}

void kseg_csv_offending_add(kseg_csv_offending *o, int64_t line, const char *v, size_t len)
{
  o->count++;
  /* keep the KSEG_CSV_EXAMPLES smallest lines, in order */
  int at = KSEG_CSV_EXAMPLES;
  while (at > 0 && o->ex[at - 1].line > line) at--;
  if (at == KSEG_CSV_EXAMPLES) return;
  memmove(&o->ex[at + 1], &o->ex[at], sizeof o->ex[0] * (size_t)(KSEG_CSV_EXAMPLES - 1 - at));
  example_clear(&o->ex[at]);
  kseg_csv_example_set(&o->ex[at], line, v, len);
}

void kseg_csv_offending_merge(kseg_csv_offending *into, const kseg_csv_offending *from)
{
  kseg_csv_example all[2 * KSEG_CSV_EXAMPLES];
  int a = 0, b = 0, n = 0;
  while (n < KSEG_CSV_EXAMPLES && (a < KSEG_CSV_EXAMPLES || b < KSEG_CSV_EXAMPLES)) {
    const kseg_csv_example *x = a < KSEG_CSV_EXAMPLES ? &into->ex[a] : NULL;
    const kseg_csv_example *y = b < KSEG_CSV_EXAMPLES ? &from->ex[b] : NULL;
    if (y && (!x || y->line < x->line)) all[n++] = *y, b++;
    else all[n++] = *x, a++;
  }
  memcpy(into->ex, all, sizeof into->ex);
  into->count += from->count;
}

int kseg_csv_offending_text(const kseg_csv_offending *o, char *buf, size_t len)
{
  size_t used = 0;
  buf[0] = '\0';
  int shown = 0;
  for (int i = 0; i < KSEG_CSV_EXAMPLES && o->ex[i].line != INT64_MAX && used + 1 < len; i++, shown++) {
    int w = snprintf(buf + used, len - used, "%s'%s' (line %" PRId64 ")", i ? ", " : "", o->ex[i].text,
                     o->ex[i].line);
    if (w < 0) break;
    used += (size_t)w < len - used ? (size_t)w : len - used - 1;
  }
  if (o->count > shown && used + 1 < len)
    snprintf(buf + used, len - used, " and %" PRId64 " more", o->count - shown);
  return shown;
}

/* ---- gathering ---- */

enum { KSEG_CSV_SLOTS = 1024, KSEG_CSV_MAX_LEVEL_BYTES = 1024 };

void kseg_csv_evidence_init(kseg_csv_evidence *e)
{
  memset(e, 0, sizeof *e);
  kseg_csv_example *ex[] = {&e->ex_not_number, &e->ex_not_date, &e->ex_both_sep, &e->ex_dot_only,
                            &e->ex_comma_only, &e->ex_xy,        &e->ex_dmy_only, &e->ex_mdy_only,
                            &e->ex_short,      &e->ex_zero_padded};
  for (size_t i = 0; i < sizeof ex / sizeof *ex; i++) example_clear(ex[i]);
}

void kseg_csv_stats_init(kseg_csv_colstats *s)
{
  memset(s, 0, sizeof *s);
  kseg_csv_evidence_init(&s->ev);
}

/* The slot a value probes first. Only the table's layout depends on it: the
 * distinct values are sorted before they are used. */
static uint32_t level_slot(const char *v, size_t len, uint32_t mask)
{
  return (uint32_t)kseg_hash_fnv1a(KSEG_HASH_FNV1A_INIT, v, len) & mask;
}

/* Too many distinct values for a category: stop collecting them. */
static void drop_levels(kseg_csv_colstats *s)
{
  kseg_csv_stats_clear(s);
  s->ev.overflow = 1;
}

/* The slot of `unit` in e->units (kept sorted), made when new; -1 when the
 * table is full (then units_overflow is set). */
static int unit_slot(kseg_csv_evidence *e, const char *unit)
{
  int i = 0;
  while (i < e->n_units && strcmp(e->units[i].unit, unit) < 0) i++;
  if (i < e->n_units && strcmp(e->units[i].unit, unit) == 0) return i;
  if (e->units_overflow || e->n_units == KSEG_CSV_UNITS) {
    /* more units than one quantity has: the column is no number, and the table is cleared so
       that merged evidence is the same bytes whatever the split */
    e->units_overflow = 1;
    e->n_units = 0;
    memset(e->units, 0, sizeof e->units);
    return -1;
  }
  memmove(&e->units[i + 1], &e->units[i], sizeof e->units[0] * (size_t)(e->n_units - i));
  memset(&e->units[i], 0, sizeof e->units[i]);
  snprintf(e->units[i].unit, sizeof e->units[i].unit, "%s", unit);
  e->n_units++;
  return i;
}

static void unit_count(kseg_csv_evidence *e, const char *unit, int comma)
{
  if (e->units_overflow) return;
  /* no unit, the common case: "" sorts first */
  int i = !unit[0] && e->n_units && !e->units[0].unit[0] ? 0 : unit_slot(e, unit);
  if (i < 0) return;
  if (comma) e->units[i].comma++;
  else e->units[i].dot++;
}

void kseg_csv_evidence_add(kseg_csv_evidence *e, const char *v, size_t len, int64_t line)
{
  e->n_present++;
  if ((int64_t)len > e->max_len) e->max_len = (int64_t)len;
  kseg_csv_amount a, b;
  const int dot = kseg_csv_parse_amount(v, len, '.', NULL, &a);
  int comma;
  if (dot && !a.formatted) {
    /* A plain number, by far the most common value: its reading with a
     * decimal comma follows from its shape, without a second parse. Digits
     * alone read the same; one '.' reads as thousands only as [+-]d{1,3}.ddd
     * (a first group not starting with 0, no exponent). */
    b = a;
    b.separator = 0;
    comma = 1;
    const char *dotp = a.separator ? memchr(v, '.', len) : NULL;
    if (dotp) {
      size_t i = v[0] == '+' || v[0] == '-', lead = (size_t)(dotp - v) - i, frac = len - (size_t)(dotp - v) - 1;
      comma = lead >= 1 && lead <= 3 && v[i] != '0' && frac == 3;
      for (size_t k = 1; comma && k <= 3; k++) comma = dotp[k] >= '0' && dotp[k] <= '9';
      b.separator = 1;
    }
  } else {
    comma = kseg_csv_parse_amount(v, len, ',', NULL, &b);
  }
  if (dot) e->num_dot++, unit_count(e, a.unit, 0);
  if (comma) e->num_comma++, unit_count(e, b.unit, 1);
  if (dot && !a.formatted && len > 1 && v[0] == '0' && v[1] >= '0' && v[1] <= '9' && !memchr(v, '.', len) &&
      !memchr(v, 'e', len) && !memchr(v, 'E', len))
    e->num_zero_padded++, kseg_csv_example_set(&e->ex_zero_padded, line, v, len);
  if (dot && !comma) e->num_dot_only++, kseg_csv_example_set(&e->ex_dot_only, line, v, len);
  if (comma && !dot) e->num_comma_only++, kseg_csv_example_set(&e->ex_comma_only, line, v, len);
  if (dot && comma && (a.separator || b.separator))
    e->num_both_sep++, kseg_csv_example_set(&e->ex_both_sep, line, v, len);
  if (!dot && !comma) kseg_csv_example_set(&e->ex_not_number, line, v, len);
  if (dot || comma) { /* a number is never a date */
    kseg_csv_example_set(&e->ex_not_date, line, v, len);
    return;
  }
  kseg_csv_datetime d;
  switch (kseg_csv_parse_datetime(v, len, &d)) {
  case KSEG_CSV_YMD:
    if (kseg_csv_valid_date(d.year, d.a, d.b)) e->date_fixed++;
    else kseg_csv_example_set(&e->ex_not_date, line, v, len);
    break;
  case KSEG_CSV_XYY: {
    const int dmy = kseg_csv_valid_date(d.year, d.b, d.a), mdy = kseg_csv_valid_date(d.year, d.a, d.b);
    if (!dmy && !mdy) {
      kseg_csv_example_set(&e->ex_not_date, line, v, len);
      break;
    }
    e->date_xy++;
    e->date_dmy += dmy;
    e->date_mdy += mdy;
    kseg_csv_example_set(&e->ex_xy, line, v, len);
    if (dmy && !mdy) kseg_csv_example_set(&e->ex_dmy_only, line, v, len);
    if (mdy && !dmy) kseg_csv_example_set(&e->ex_mdy_only, line, v, len);
    break;
  }
  case KSEG_CSV_SHORT_YEAR:
    e->date_short++;
    kseg_csv_example_set(&e->ex_short, line, v, len);
    kseg_csv_example_set(&e->ex_not_date, line, v, len);
    break;
  default: kseg_csv_example_set(&e->ex_not_date, line, v, len); break;
  }
}

void kseg_csv_evidence_merge(kseg_csv_evidence *into, const kseg_csv_evidence *from)
{
  into->n_present += from->n_present;
  into->n_missing += from->n_missing;
  if (from->max_len > into->max_len) into->max_len = from->max_len;
  into->num_dot += from->num_dot;
  into->num_comma += from->num_comma;
  into->num_dot_only += from->num_dot_only;
  into->num_comma_only += from->num_comma_only;
  into->num_both_sep += from->num_both_sep;
  into->num_zero_padded += from->num_zero_padded;
  if (from->units_overflow && !into->units_overflow) {
    into->units_overflow = 1;
    into->n_units = 0;
    memset(into->units, 0, sizeof into->units);
  }
  for (int i = 0; !into->units_overflow && i < from->n_units; i++) {
    int k = unit_slot(into, from->units[i].unit);
    if (k < 0) continue;
    into->units[k].dot += from->units[i].dot;
    into->units[k].comma += from->units[i].comma;
  }
  into->date_fixed += from->date_fixed;
  into->date_xy += from->date_xy;
  into->date_dmy += from->date_dmy;
  into->date_mdy += from->date_mdy;
  into->date_short += from->date_short;
  example_merge(&into->ex_not_number, &from->ex_not_number);
  example_merge(&into->ex_not_date, &from->ex_not_date);
  example_merge(&into->ex_both_sep, &from->ex_both_sep);
  example_merge(&into->ex_dot_only, &from->ex_dot_only);
  example_merge(&into->ex_comma_only, &from->ex_comma_only);
  example_merge(&into->ex_xy, &from->ex_xy);
  example_merge(&into->ex_dmy_only, &from->ex_dmy_only);
  example_merge(&into->ex_mdy_only, &from->ex_mdy_only);
  example_merge(&into->ex_short, &from->ex_short);
  example_merge(&into->ex_zero_padded, &from->ex_zero_padded);
  if (from->overflow > into->overflow) into->overflow = from->overflow;
}

int kseg_csv_stats_add(kseg_csv_colstats *s, const char *v, size_t len, int64_t line)
{
  kseg_csv_evidence_add(&s->ev, v, len, line);
  if (s->ev.overflow) return KSEG_OK;
  if (len > KSEG_CSV_MAX_LEVEL_BYTES) { /* long free text is never a category */
    drop_levels(s);
    return KSEG_OK;
  }
  if (!s->table) {
    s->table = kseg_calloc(KSEG_CSV_SLOTS, sizeof *s->table, "csv level table");
    s->lens = kseg_calloc(KSEG_CSV_SLOTS, sizeof *s->lens, "csv level table");
    if (!s->table || !s->lens) return KSEG_ERR_IO;
    s->slots = KSEG_CSV_SLOTS;
  }
  uint32_t mask = (uint32_t)s->slots - 1;
  for (uint32_t h = level_slot(v, len, mask);; h = (h + 1) & mask) {
    char *e = s->table[h];
    if (!e) break;
    if (s->lens[h] == len && memcmp(e, v, len) == 0) return KSEG_OK;
  }
  if (s->n_levels == KSEG_CSV_MAX_LEVELS) { /* this is distinct value 257 */
    drop_levels(s);
    return KSEG_OK;
  }
  char *copy = kseg_malloc(len + 1, "csv level");
  if (!copy) return KSEG_ERR_IO;
  memcpy(copy, v, len);
  copy[len] = '\0';
  uint32_t h = level_slot(v, len, mask);
  while (s->table[h]) h = (h + 1) & mask;
  s->table[h] = copy;
  s->lens[h] = (uint32_t)len;
  s->n_levels++;
  return KSEG_OK;
}

void kseg_csv_stats_clear(kseg_csv_colstats *s)
{
  if (!s) return;
  if (s->table)
    for (int32_t i = 0; i < s->slots; i++) free(s->table[i]);
  free(s->table);
  free(s->lens);
  s->table = NULL;
  s->lens = NULL;
  s->slots = 0;
  s->n_levels = 0;
}

/* ---- the decision ---- */

const char *kseg_csv_date_order_name(kseg_csv_date_order o)
{
  switch (o) {
  case KSEG_CSV_ORDER_DMY: return "DMY";
  case KSEG_CSV_ORDER_MDY: return "MDY";
  case KSEG_CSV_ORDER_YMD: return "YMD";
  default: return "";
  }
}

/* Values that read as numbers with decimal mark `dec` and one unit: the
 * unit that fits most of them; a currency column may hold bare numbers too,
 * a percent column may not (12 and 12 % are not the same number). */
static int64_t numbers_ok(const kseg_csv_evidence *e, char dec, char unit[12])
{
  int64_t bare = 0, best = -1;
  unit[0] = '\0';
  if (e->units_overflow) return 0; /* more units than a column of one quantity can have */
  for (int i = 0; i < e->n_units; i++)
    if (!e->units[i].unit[0]) bare = dec == ',' ? e->units[i].comma : e->units[i].dot;
  best = bare;
  for (int i = 0; i < e->n_units; i++) {
    const kseg_csv_unit_count *u = &e->units[i];
    if (!u->unit[0]) continue;
    int64_t n = (dec == ',' ? u->comma : u->dot) + (strcmp(u->unit, "%") != 0 ? bare : 0);
    if (n > best) {
      best = n;
      snprintf(unit, 12, "%s", u->unit);
    }
  }
  return best;
}

static const char *shown(const kseg_csv_example *x) { return x->line == INT64_MAX ? "" : x->text; }

/* Why a column whose values all read as numbers is text: they mix decimal
 * marks, or units (with how many of each). */
static void text_of_mixed_numbers(const kseg_csv_evidence *e, char dec, int dec_mixed, int64_t ok, int64_t present,
                                  kseg_csv_decision *d)
{
  if (dec_mixed) {
    snprintf(d->why, sizeof d->why,
             "its values mix a decimal point ('%s', line %" PRId64 ") with a decimal comma ('%s', line %" PRId64
             "): %" PRId64 " of its %" PRId64 " values read with a decimal %s, so it is read as text; say which "
             "mark is meant with --decimal . or --decimal , to read the others as missing",
             e->ex_dot_only.text, e->ex_dot_only.line, e->ex_comma_only.text, e->ex_comma_only.line, ok, present,
             dec == ',' ? "comma" : "point");
    return;
  }
  char units[200] = "";
  size_t len = 0;
  for (int i = 0; i < e->n_units && len < sizeof units; i++) {
    const kseg_csv_unit_count *u = &e->units[i];
    int w = snprintf(units + len, sizeof units - len, "%s%s: %" PRId64, i ? ", " : "",
                     u->unit[0] ? u->unit : "no unit", dec == ',' ? u->comma : u->dot);
    if (w > 0) len += (size_t)w;
  }
  if (e->units_overflow) snprintf(units, sizeof units, "more units than one quantity has");
  snprintf(d->why, sizeof d->why,
           "its %" PRId64 " numbers are written with different units (%s), so it is read as text; "
           "export the column in one unit to read it as numbers",
           present, units);
  (void)ok;
}

void kseg_csv_decide(const kseg_csv_evidence *e, const kseg_csv_rules *r, kseg_csv_decision *d)
{
  memset(d, 0, sizeof *d);
  d->kind = KSEG_COL_CATEGORICAL; /* text, until the numbers or dates say otherwise */
  const int64_t present = e->n_present;
  if (present == 0) { /* no value at all: numeric, all missing (kept: prep notes it) */
    d->kind = KSEG_COL_NUMERIC;
    return;
  }
  /* --- numbers: the decimal mark --- */
  char dec = r->decimal;
  int dec_ambiguous = 0, dec_mixed = 0;
  if (!dec) {
    if (e->num_dot_only > 0 && e->num_comma_only == 0) dec = '.';
    else if (e->num_comma_only > 0 && e->num_dot_only == 0) dec = ',';
    else if (e->num_dot_only > 0 && e->num_comma_only > 0) {
      dec = e->num_dot >= e->num_comma ? '.' : ',';
      dec_mixed = 1;
    } else if (e->num_both_sep > 0) {
      dec = r->file_decimal;
      if (!dec) {
        dec = '.';
        dec_ambiguous = 1;
      }
    } else {
      dec = '.';
    }
  }
  char unit[12];
  const int64_t num_ok = numbers_ok(e, dec, unit);
  const int64_t num_bad = present - num_ok;
  /* --- dates: the order of day and month --- */
  kseg_csv_date_order order = KSEG_CSV_ORDER_AUTO;
  int order_ambiguous = 0, order_mixed = 0;
  const int64_t dmy_only = e->date_xy - e->date_mdy, mdy_only = e->date_xy - e->date_dmy;
  char order_note[300] = "";
  if (e->date_xy > 0) {
    kseg_csv_date_order evidence = dmy_only > 0 && mdy_only == 0   ? KSEG_CSV_ORDER_DMY
                                   : mdy_only > 0 && dmy_only == 0 ? KSEG_CSV_ORDER_MDY
                                                                   : KSEG_CSV_ORDER_AUTO;
    if (r->date_order == KSEG_CSV_ORDER_DMY || r->date_order == KSEG_CSV_ORDER_MDY) {
      order = r->date_order;
      if (evidence && evidence != order) {
        order = evidence; /* the values prove the order: they win over a file-wide flag */
        snprintf(order_note, sizeof order_note,
                 "its dates are %s ('%s', line %" PRId64 "), so --date-order %s does not apply to it",
                 evidence == KSEG_CSV_ORDER_DMY ? "day first" : "month first",
                 shown(evidence == KSEG_CSV_ORDER_DMY ? &e->ex_dmy_only : &e->ex_mdy_only),
                 (evidence == KSEG_CSV_ORDER_DMY ? &e->ex_dmy_only : &e->ex_mdy_only)->line,
                 kseg_csv_date_order_name(r->date_order));
      }
    } else if (r->date_order == KSEG_CSV_ORDER_YMD) {
      order = KSEG_CSV_ORDER_YMD; /* year-last dates do not read */
    } else if (evidence) {
      order = evidence;
    } else if (dmy_only > 0 && mdy_only > 0) {
      order_mixed = 1;
    } else {
      order_ambiguous = 1;
    }
  }
  int64_t date_ok = e->date_fixed;
  if (order == KSEG_CSV_ORDER_DMY) date_ok += e->date_dmy;
  else if (order == KSEG_CSV_ORDER_MDY) date_ok += e->date_mdy;
  else if (order_ambiguous || order_mixed) date_ok += e->date_xy; /* as dates they would read; the order is the question */
  const int64_t date_bad = present - date_ok;

  /* --- which kind --- */
  const int numbers = num_ok > 0 && num_ok >= date_ok;
  const int64_t ok = numbers ? num_ok : date_ok, bad = numbers ? num_bad : date_bad;
  if ((ok == 0 || !numbers) && e->date_short > 0 && e->date_short * 2 >= present) {
    /* dates with two-digit years: never a guess at the century */
    d->verdict = KSEG_CSV_AS_TEXT;
    snprintf(d->why, sizeof d->why,
             "'%s' (line %" PRId64 ") is a date with a two-digit year; kseg does not guess the century, so the "
             "column is read as text (export four-digit years to read it as dates)",
             e->ex_short.text, e->ex_short.line);
    return;
  }
  if (ok == 0) return; /* plain text */
  if (bad * 20 > present) {
    /* too many values of another kind: text, but never silently when most are numbers or dates */
    const kseg_csv_example *x = numbers ? &e->ex_not_number : &e->ex_not_date;
    if (numbers && x->line == INT64_MAX) {
      /* every value is a number: the others have the other decimal mark or another unit */
      d->verdict = KSEG_CSV_AS_TEXT;
      text_of_mixed_numbers(e, dec, dec_mixed, ok, present, d);
      return;
    }
    if (ok * 2 >= present) {
      d->verdict = KSEG_CSV_AS_TEXT;
      snprintf(d->why, sizeof d->why,
               "%" PRId64 " of its %" PRId64 " values are %s, but %" PRId64 " are not (first '%s', line %" PRId64
               "), so it is read as text; fix those values, or name them with --na, to read it as %s",
               ok, present, numbers ? "numbers" : "dates", bad, shown(x), x->line, numbers ? "numbers" : "dates");
    }
    return;
  }
  if (numbers && e->num_zero_padded > 0) {
    /* 01234 is a code (a zip code, an account): as a number it would lose its zero */
    snprintf(d->why, sizeof d->why,
             "values such as '%s' (line %" PRId64 ") are written with leading zeros: codes, not numbers, so the "
             "column is read as text and no zero is lost",
             e->ex_zero_padded.text, e->ex_zero_padded.line);
    return;
  }
  d->bad = bad;
  d->verdict = bad > 0 ? KSEG_CSV_FEW_BAD : KSEG_CSV_CLEAN;
  if (numbers) {
    d->kind = KSEG_COL_NUMERIC;
    d->format.decimal = dec == ',' ? ',' : 0;
    snprintf(d->format.unit, sizeof d->format.unit, "%s", unit);
    if (dec_ambiguous) {
      d->verdict = KSEG_CSV_REFUSED;
      snprintf(d->why, sizeof d->why,
               "'%s' (line %" PRId64 ") reads as a number with a decimal point and also with a decimal comma, and "
               "no value of the file tells which; say which with --decimal . or --decimal ,",
               e->ex_both_sep.text, e->ex_both_sep.line);
    } else if (dec_mixed) {
      snprintf(d->why, sizeof d->why,
               "it mixes a decimal point ('%s', line %" PRId64 ") with a decimal comma ('%s', line %" PRId64
               "); the %s is taken",
               e->ex_dot_only.text, e->ex_dot_only.line, e->ex_comma_only.text, e->ex_comma_only.line,
               dec == ',' ? "comma (most values)" : "point (most values)");
    }
    return;
  }
  d->kind = KSEG_COL_DATE;
  snprintf(d->format.date_order, sizeof d->format.date_order, "%s",
           e->date_xy > 0 ? kseg_csv_date_order_name(order) : "YMD");
  if (order == KSEG_CSV_ORDER_YMD && e->date_xy > 0) {
    d->verdict = KSEG_CSV_REFUSED;
    snprintf(d->why, sizeof d->why,
             "its dates have the year last ('%s', line %" PRId64 "), but --date-order YMD says year first; give "
             "--date-order DMY or MDY",
             e->ex_xy.text, e->ex_xy.line);
  } else if (order_ambiguous) {
    d->verdict = KSEG_CSV_REFUSED;
    d->format.date_order[0] = '\0';
    snprintf(d->why, sizeof d->why,
             "every date reads both day first and month first ('%s', line %" PRId64 "); kseg does not guess: "
             "say which with --date-order DMY or --date-order MDY",
             e->ex_xy.text, e->ex_xy.line);
  } else if (order_mixed) {
    d->verdict = KSEG_CSV_REFUSED;
    d->format.date_order[0] = '\0';
    snprintf(d->why, sizeof d->why,
             "its dates are day first on line %" PRId64 " ('%s') but month first on line %" PRId64
             " ('%s'); give --date-order DMY or MDY to read the others as missing",
             e->ex_dmy_only.line, e->ex_dmy_only.text, e->ex_mdy_only.line, e->ex_mdy_only.text);
  } else if (order_note[0]) {
    snprintf(d->why, sizeof d->why, "%s", order_note);
  }
}

kseg_col_kind kseg_csv_text_kind(const kseg_csv_evidence *e, int64_t n_levels)
{
  if (!e->overflow && n_levels <= KSEG_CSV_MAX_LEVELS && 2 * n_levels <= e->n_present) return KSEG_COL_CATEGORICAL;
  return KSEG_COL_STRING;
}
