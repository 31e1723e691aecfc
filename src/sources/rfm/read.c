/* read.c - reading transaction logs for kseg_rfm_run: delimited or
 * whitespace-separated text by byte ranges (record boundaries from the CSV
 * import's scanner), or an HDF5 raw table by row blocks.
 *
 * Text phases, each ending in kseg_comm_agree:
 *   header  the root reads the header record, chooses the format and the
 *           columns, and broadcasts them.
 *   scan    each rank's threads find where the records of their byte parts
 *           start (kseg_csv_locate_records, the import's scanner), so every
 *           part knows its first record and errors name the global line.
 *   parse   the rank's records become kseg_rfm_tx records; ids stay integers until
 *           the ranks agree whether some id of the log is not one.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <omp.h>

#include "kseg/kseg_comm.h"
#include "kseg/kseg_csv.h"
#include "kseg/kseg_error.h"
#include "kseg/kseg_h5io.h"
#include "kseg/kseg_strings.h"
#include "sources/rfm/internal.h"

enum { KSEG_RFM_DEFAULT_BLOCK = 8 << 20, KSEG_RFM_MAX_THREADS = 64 };

/* ---- small pieces ---- */

void kseg_rfm_buf_clear(kseg_rfm_buf *b)
{
  if (!b) return;
  free(b->items);
  free(b->arena);
  memset(b, 0, sizeof *b);
}

void kseg_rfm_input_clear(kseg_rfm_input *in)
{
  if (!in) return;
  kseg_rfm_buf_clear(&in->tx);
  for (int i = 0; i < 4; i++) free(in->columns[i]);
  free(in->amb_index);
  free(in->amb_comma);
  memset(in, 0, sizeof *in);
}

static int buf_push(kseg_rfm_buf *b, const void *item, size_t size)
{
  if (b->n == b->cap) {
    int64_t cap = b->cap ? b->cap * 2 : 4096;
    void *p = realloc(b->items, (size_t)cap * size);
    if (!p) return kseg_error_nomem("rfm records", (size_t)cap * size);
    b->items = p;
    b->cap = cap;
  }
  memcpy((char *)b->items + (size_t)b->n * size, item, size);
  b->n++;
  return KSEG_OK;
}

/* Append bytes to the arena; *off gets where they start. */
static int arena_push(kseg_rfm_buf *b, const char *s, size_t len, int64_t *off)
{
  if (b->arena_len + (int64_t)len > b->arena_cap) {
    int64_t cap = b->arena_cap ? b->arena_cap * 2 : 65536;
    while (cap < b->arena_len + (int64_t)len) cap *= 2;
    char *p = realloc(b->arena, (size_t)cap);
    if (!p) return kseg_error_nomem("rfm id bytes", (size_t)cap);
    b->arena = p;
    b->arena_cap = cap;
  }
  memcpy(b->arena + b->arena_len, s, len);
  *off = b->arena_len;
  b->arena_len += (int64_t)len;
  return KSEG_OK;
}

/* Lower-case letters and digits only: "Customer ID" and "customer_id" meet. */
static void normalize(const char *s, char *out, size_t cap)
{
  size_t j = 0;
  for (; *s && j + 1 < cap; s++)
    if (*s != '_' && *s != '-' && *s != ' ') out[j++] = (char)tolower((unsigned char)*s);
  out[j] = '\0';
}

static const char *const candidates[4][9] = {
    {"customer_id", "customerid", "cust_id", "customer", "client_id", "user_id", "member_id", NULL},
    {"date", "invoicedate", "order_date", "transaction_date", "purchase_date", NULL},
    {"amount", "dollar_value", "value", "revenue", "sales", "total", "spend", "monetary", NULL},
    {"quantity", "number_of_cds", "qty", "units", "items", NULL},
};

static const char *const role_name[4] = {"customer id", "date", "amount", "quantity"};
static const char *const role_flag[4] = {"--customer", "--date", "--amount", "--quantity"};

int kseg_rfm_find_column(const char *const *names, int n, kseg_rfm_role role, const char *want)
{
  if (want) {
    for (int i = 0; i < n; i++)
      if (strcmp(names[i], want) == 0) return i;
    for (int i = 0; i < n; i++)
      if (strcasecmp(names[i], want) == 0) return i;
    return -1;
  }
  char a[256], b[256];
  for (int c = 0; candidates[role][c]; c++) {
    normalize(candidates[role][c], a, sizeof a);
    for (int i = 0; i < n; i++) {
      normalize(names[i], b, sizeof b);
      if (strcmp(a, b) == 0) return i;
    }
  }
  return -1;
}

/* The error for a column that is not there, listing what is. */
static int missing_column(const char *path, kseg_rfm_role role, const char *want, const char *const *names, int n)
{
  char list[512] = "";
  size_t used = 0;
  for (int i = 0; i < n && used + 4 < sizeof list; i++)
    used += (size_t)snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "", names[i]);
  if (used >= sizeof list) strcpy(list + sizeof list - 4, "...");
  if (want)
    return kseg_error_set(KSEG_ERR_INPUT, "%s: no column '%s' (%s %s); the columns are: %s", path, want,
                          role_flag[role], want, list);
  char cand[256] = "";
  used = 0;
  for (int c = 0; candidates[role][c]; c++)
    used += (size_t)snprintf(cand + used, sizeof cand - used, "%s%s", c ? ", " : "", candidates[role][c]);
  return kseg_error_set(KSEG_ERR_INPUT, "%s: no %s column (looked for %s); the columns are: %s; name it with %s COL",
                        path, role_name[role], cand, list, role_flag[role]);
}

/* [-]digits, at most 15 digits, written as the integer is (no leading zero,
 * no "-0"): an integer id, exact in the float64 output and printed back as it
 * was written. "00042" is a code, not a number: text, kept verbatim. */
static int parse_int_id(const char *s, size_t len, int64_t *v)
{
  size_t i = 0;
  int neg = 0;
  if (len > 0 && s[0] == '-') { neg = 1; i = 1; }
  if (i == len || len - i > 15) return 0;
  if (s[i] == '0' && (len - i > 1 || neg)) return 0;
  int64_t x = 0;
  for (; i < len; i++) {
    if (s[i] < '0' || s[i] > '9') return 0;
    x = x * 10 + (s[i] - '0');
  }
  *v = neg ? -x : x;
  return 1;
}

static int all_digits(const char *s, size_t len)
{
  for (size_t i = 0; i < len; i++)
    if (s[i] < '0' || s[i] > '9') return 0;
  return 1;
}

enum { SHAPE_FIXED = 0, SHAPE_DAY_FIRST = 1, SHAPE_MONTH_FIRST = 2, SHAPE_EITHER = 3, SHAPE_SHORT_YEAR = 4 };

/* A date field: *day gets the days, or a packed A-B-YYYY date when the order
 * is not known from this line alone; *shape says which orders fit. 0 when it
 * is no valid date in any accepted form. */
static int parse_date_field(const char *s, size_t len, int32_t *day, int *shape)
{
  int a, b, c;
  *shape = SHAPE_FIXED;
  if (len == 8 && all_digits(s, len)) {
    a = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    b = (s[4] - '0') * 10 + (s[5] - '0');
    c = (s[6] - '0') * 10 + (s[7] - '0');
    if (!kseg_csv_valid_date(a, b, c)) return 0;
    *day = (int32_t)kseg_csv_days_from_civil(a, b, c);
    return 1;
  }
  kseg_csv_date_shape sh = kseg_csv_parse_date(s, len, &a, &b, &c);
  if (sh == KSEG_CSV_NOT_DATE) {
    /* dotted, with a time, a month name...: every layout the import reads; the day is the
     * calendar day as written (recency counts whole days) */
    kseg_csv_datetime dt;
    sh = kseg_csv_parse_datetime(s, len, &dt);
    if (sh == KSEG_CSV_YMD) a = dt.year, b = dt.a, c = dt.b;
    else if (sh == KSEG_CSV_XYY) a = dt.a, b = dt.b, c = dt.year;
    else if (sh == KSEG_CSV_SHORT_YEAR) *shape = SHAPE_SHORT_YEAR;
  }
  if (sh == KSEG_CSV_YMD) {
    if (!kseg_csv_valid_date(a, b, c)) return 0;
    *day = (int32_t)kseg_csv_days_from_civil(a, b, c);
    return 1;
  }
  if (sh != KSEG_CSV_XYY) return 0;
  int dmy = kseg_csv_valid_date(c, b, a), mdy = kseg_csv_valid_date(c, a, b);
  if (!dmy && !mdy) return 0;
  *shape = dmy && mdy ? SHAPE_EITHER : dmy ? SHAPE_DAY_FIRST : SHAPE_MONTH_FIRST;
  *day = (int32_t)(INT32_MIN + c * 10000 + a * 100 + b);
  return 1;
}

static int32_t unpack_day(int32_t packed, int month_first)
{
  int v = (int)((int64_t)packed - INT32_MIN);
  int c = v / 10000, a = (v / 100) % 100, b = v % 100;
  return month_first ? (int32_t)kseg_csv_days_from_civil(c, a, b) : (int32_t)kseg_csv_days_from_civil(c, b, a);
}

int kseg_rfm_parse_day(const char *s, size_t len, int month_first, int64_t *days)
{
  int32_t d;
  int shape;
  if (!parse_date_field(s, len, &d, &shape)) return 0;
  if (shape == SHAPE_FIXED) { *days = d; return 1; }
  if (shape == (month_first ? SHAPE_DAY_FIRST : SHAPE_MONTH_FIRST)) return 0;
  *days = unpack_day(d, month_first);
  return 1;
}

/* Evidence for the day/month order and the decimal mark, kept as the first
 * line of each kind (INT64_MAX: none), and the marks the user gave. */
typedef struct date_vote {
  int64_t day_first_line, month_first_line, either_line;
  int64_t dot_line, comma_line, amb_line;
  char decimal; /* --decimal, or 0 */
} date_vote;
#define KSEG_RFM_NO_VOTE {INT64_MAX, INT64_MAX, INT64_MAX, INT64_MAX, INT64_MAX, INT64_MAX, 0}

static void vote_line(int64_t *first, int64_t line)
{
  if (line < *first) *first = line;
}



/* [-]digits[.digits] with at most 15 digits is m / 10^k with m and 10^k
 * exact doubles, and IEEE division rounds correctly: the same double as
 * strtod, without its cost. Anything else goes to kseg_csv_parse_number. */
static int parse_amount(const char *s, size_t len, double *out)
{
  static const double pow10[16] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
  size_t i = 0;
  int neg = 0, digits = 0, frac = -1;
  int64_t m = 0;
  if (i < len && (s[i] == '-' || s[i] == '+')) neg = s[i++] == '-';
  for (; i < len; i++) {
    char c = s[i];
    if (c >= '0' && c <= '9') {
      if (++digits > 15) break;
      m = m * 10 + (c - '0');
      if (frac >= 0) frac++;
    } else if (c == '.' && frac < 0) {
      frac = 0;
    } else {
      break;
    }
  }
  if (i != len || digits == 0) return kseg_csv_parse_number(s, len, out);
  double v = frac > 0 ? (double)m / pow10[frac] : (double)m;
  *out = neg ? -v : v;
  return 1;
}

/* A plain amount that a decimal comma reads too, as thousands: 1.234, -12.500. */
static int plain_reads_as_thousands(const char *s, size_t len)
{
  size_t i = len > 0 && (s[0] == '-' || s[0] == '+') ? 1 : 0, d = 0;
  while (i + d < len && s[i + d] >= '0' && s[i + d] <= '9') d++;
  return d >= 1 && d <= 3 && s[i] != '0' && i + d + 4 == len && s[i + d] == '.';
}

/* An amount as exports write it (currency, thousands, a decimal comma...).
 * With --decimal, that mark; else both are tried and the line is evidence
 * for the mark that alone reads it; a value that reads both ways to
 * different numbers keeps the point's reading and *comma_alt the comma's,
 * decided by the whole log's vote. */
static int parse_amount_any(const char *s, size_t len, date_vote *vote, int64_t line, double *out, int *ambiguous,
                            double *comma_alt)
{
  *ambiguous = 0;
  if (vote->decimal == ',') return kseg_csv_parse_amount(s, len, ',', out, NULL);
  if (vote->decimal == '.') return parse_amount(s, len, out) || kseg_csv_parse_amount(s, len, '.', out, NULL);
  if (parse_amount(s, len, out)) { /* the common case: plain digits */
    if (!memchr(s, '.', len)) return 1;
    if (!plain_reads_as_thousands(s, len)) {
      vote_line(&vote->dot_line, line);
      return 1;
    }
  }
  double p = 0, c = 0;
  const int rp = kseg_csv_parse_amount(s, len, '.', &p, NULL), rc = kseg_csv_parse_amount(s, len, ',', &c, NULL);
  if (rp && rc && memcmp(&p, &c, sizeof p) != 0) {
    *ambiguous = 1;
    *comma_alt = c;
    vote_line(&vote->amb_line, line);
  } else if (rp && !rc) {
    vote_line(&vote->dot_line, line);
  } else if (rc && !rp) {
    vote_line(&vote->comma_line, line);
  }
  *out = rp ? p : c;
  return rp || rc;
}

/* One transaction from its text fields; `where` names the line for errors. */
typedef struct line_ctx {
  const char *path;
  const char *unit; /* "line" or "row" */
  int64_t line;
} line_ctx;

static int add_tx(kseg_rfm_input *in, date_vote *vote, const line_ctx *at, const char *id, size_t id_len,
                  const char *date, size_t date_len, const char *amount, size_t amount_len, const char *qty,
                  size_t qty_len, int *non_int)
{
  kseg_rfm_tx t;
  memset(&t, 0, sizeof t);
  if (kseg_csv_is_missing(id, id_len))
    return kseg_error_set(KSEG_ERR_INPUT, "%s: %s %" PRId64 ": missing customer id (column %s)", at->path, at->unit,
                          at->line, in->columns[0]);
  if (id_len > KSEG_RFM_MAX_ID)
    return kseg_error_set(KSEG_ERR_INPUT, "%s: %s %" PRId64 ": customer id of %zu bytes (at most %d)", at->path,
                          at->unit, at->line, id_len, KSEG_RFM_MAX_ID);
  if (!parse_int_id(id, id_len, &t.key.id)) {
    *non_int = 1;
    KSEG_CHECK(arena_push(&in->tx, id, id_len, &t.key.id));
    t.key.id_len = (int32_t)id_len;
  }
  int shape = SHAPE_FIXED;
  if (!parse_date_field(date, date_len, &t.key.aux, &shape))
    return kseg_error_set(KSEG_ERR_INPUT, "%s: %s %" PRId64 ": date '%.*s' (column %s) %s", at->path, at->unit,
                          at->line, (int)(date_len > 40 ? 40 : date_len), date, in->columns[1],
                          shape == SHAPE_SHORT_YEAR ? "has a two-digit year; kseg does not guess the century: export "
                                                      "four-digit years"
                                                    : "is not a date (docs/import.md lists the layouts kseg reads)");
  if (shape == SHAPE_DAY_FIRST) vote_line(&vote->day_first_line, at->line);
  if (shape == SHAPE_MONTH_FIRST) vote_line(&vote->month_first_line, at->line);
  if (shape == SHAPE_EITHER) vote_line(&vote->either_line, at->line);
  int ambiguous = 0;
  double comma_alt = 0;
  if (!parse_amount_any(amount, amount_len, vote, at->line, &t.amount, &ambiguous, &comma_alt))
    return kseg_error_set(KSEG_ERR_INPUT, "%s: %s %" PRId64 ": amount '%.*s' (column %s) is not a number%s", at->path,
                          at->unit, at->line, (int)(amount_len > 40 ? 40 : amount_len), amount, in->columns[2],
                          vote->decimal ? (vote->decimal == ',' ? " with a decimal comma (--decimal ,)"
                                                                : " with a decimal point (--decimal .)")
                                        : "");
  if (ambiguous) {
    if (in->n_amb == in->cap_amb) {
      int64_t cap = in->cap_amb ? 2 * in->cap_amb : 1024;
      int64_t *ix = realloc(in->amb_index, sizeof *ix * (size_t)cap);
      if (ix) in->amb_index = ix;
      double *cv = ix ? realloc(in->amb_comma, sizeof *cv * (size_t)cap) : NULL;
      if (cv) in->amb_comma = cv;
      if (!ix || !cv) return kseg_error_nomem("rfm amounts", sizeof *cv * (size_t)cap);
      in->cap_amb = cap;
    }
    in->amb_index[in->n_amb] = in->tx.n;
    in->amb_comma[in->n_amb++] = comma_alt;
    if (fabs(comma_alt) > in->max_abs_amount) in->max_abs_amount = fabs(comma_alt);
  }
  if (qty && !(vote->decimal ? kseg_csv_parse_amount(qty, qty_len, vote->decimal, &t.quantity, NULL)
                             : parse_amount(qty, qty_len, &t.quantity)))
    return kseg_error_set(KSEG_ERR_INPUT, "%s: %s %" PRId64 ": quantity '%.*s' (column %s) is not a number%s",
                          at->path, at->unit, at->line, (int)(qty_len > 40 ? 40 : qty_len), qty, in->columns[3],
                          vote->decimal ? "" : " (a decimal comma: --decimal ,)");
  if (fabs(t.amount) > in->max_abs_amount) in->max_abs_amount = fabs(t.amount);
  if (fabs(t.quantity) > in->max_abs_quantity) in->max_abs_quantity = fabs(t.quantity);
  if (in->tx.n == in->tx.cap) KSEG_CHECK(buf_push(&in->tx, &t, sizeof t));
  else ((kseg_rfm_tx *)in->tx.items)[in->tx.n++] = t; /* the common case, without a memcpy call */
  return KSEG_OK;
}

/* Whitespace-separated fields (runs of spaces and tabs); counts them all. */
static void split_ws(char *rec, size_t len, kseg_csv_field *f, int max, int *n)
{
  int k = 0;
  size_t i = 0;
  for (;;) {
    while (i < len && (rec[i] == ' ' || rec[i] == '\t')) i++;
    if (i == len) break;
    size_t j = i;
    while (j < len && rec[j] != ' ' && rec[j] != '\t') j++;
    if (k < max) { f[k].ptr = rec + i; f[k].len = j - i; }
    k++;
    i = j;
  }
  *n = k;
}

/* ---- text: header ---- */

typedef struct text_header {
  char delim;          /* 0: whitespace-separated */
  kseg_csv_encoding encoding; /* of the file: each record is converted to UTF-8 before it is split */
  int n_cols;
  int idx[4];          /* column of each role, -1 for no quantity */
  kseg_csv_span data;  /* the bytes after the header */
} text_header;

/* The whitespace-separated names of a header record (owned). */
static int ws_names(char *rec, size_t len, char ***names, int *n)
{
  split_ws(rec, len, NULL, 0, n);
  kseg_csv_field *f = kseg_malloc((size_t)(*n ? *n : 1) * sizeof *f, "rfm header fields");
  *names = kseg_calloc((size_t)*n + 1, sizeof **names, "rfm header names");
  int st = f && *names ? KSEG_OK : KSEG_ERR_IO;
  if (!st) split_ws(rec, len, f, *n, n);
  for (int i = 0; !st && i < *n; i++)
    if (!((*names)[i] = kseg_strings_dup_n(f[i].ptr, f[i].len))) st = KSEG_ERR_IO;
  free(f);
  return st;
}

/* What a log that is not valid UTF-8 should be read with. */
static const char *utf8_hint(const char *why, kseg_csv_encoding enc)
{
  if (!strstr(why, "UTF-8")) return "";
  return enc == KSEG_CSV_UTF8 ? " (a Latin-1 or Windows-1252 log: give --encoding latin1 or --encoding cp1252)" : "";
}

/* Root only: read the header, choose the format and the columns. */
static int header_read(int fd, const char *path, int64_t size, const kseg_rfm_options *opt, int64_t block,
                       text_header *h, char **used)
{
  char *rec = NULL;
  size_t len = 0;
  int64_t line = 0;
  /* Quote-aware: a quoted header may hold newlines; whitespace logs have no quotes. */
  h->encoding = opt->encoding;
  if (h->encoding != KSEG_CSV_UTF8) {
    unsigned char head[3];
    if (size >= 3 && kseg_csv_read_at(fd, (char *)head, 3, 0) == 3 && head[0] == 0xEF && head[1] == 0xBB &&
        head[2] == 0xBF)
      return kseg_error_set(KSEG_ERR_INPUT, "%s: the log starts with a UTF-8 byte order mark, but --encoding %s was "
                            "given", path, kseg_csv_encoding_name(h->encoding));
  }
  KSEG_CHECK(kseg_csv_read_header(fd, path, size, block, &rec, &len, &line, &h->data));
  char *conv = NULL;
  size_t conv_cap = 0;
  char *raw = rec;
  int cst = kseg_csv_record_to_utf8(h->encoding, path, line, &rec, &len, &conv, &conv_cap);
  if (cst) {
    free(raw);
    free(conv);
    return cst;
  }
  int tabs = 0, others = 0, inq = 0;
  for (size_t i = 0; i < len; i++) {
    if (rec[i] == '"') inq = !inq;
    else if (!inq && rec[i] == '\t') tabs++;
    else if (!inq && (rec[i] == ',' || rec[i] == ';')) others++;
  }
  /* No delimiter of the import's at all: a whitespace-separated log. */
  h->delim = tabs || others ? kseg_csv_detect_delimiter(rec, len) : 0;
  char **names = NULL;
  int n = 0, st = KSEG_OK;
  if (h->delim) {
    const char *why = NULL;
    st = kseg_csv_split_names(rec, len, h->delim, &names, &n, &why);
    if (st == KSEG_ERR_INPUT)
      st = kseg_error_set(KSEG_ERR_INPUT, "%s: line %" PRId64 ": %s%s", path, line, why,
                          utf8_hint(why, h->encoding));
  } else {
    st = ws_names(rec, len, &names, &n);
  }
  free(raw);
  free(conv);
  h->n_cols = n;
  for (int role = 0; role < 4 && !st; role++) {
    h->idx[role] = kseg_rfm_find_column((const char *const *)names, n, (kseg_rfm_role)role, opt->columns[role]);
    if (h->idx[role] < 0 && (role < 3 || opt->columns[role])) {
      st = missing_column(path, (kseg_rfm_role)role, opt->columns[role], (const char *const *)names, n);
      break;
    }
    for (int o = 0; o < role && !st; o++)
      if (h->idx[role] >= 0 && h->idx[role] == h->idx[o])
        st = kseg_error_set(KSEG_ERR_INPUT, "%s: column '%s' cannot be both the %s and the %s", path,
                            names[h->idx[role]], role_name[o], role_name[role]);
    if (!st && h->idx[role] >= 0 && !(used[role] = kseg_strings_dup(names[h->idx[role]]))) st = KSEG_ERR_IO;
  }
  kseg_strings_free(&names, n);
  return st;
}

static int bcast_string(MPI_Comm comm, char **s)
{
  int64_t len = *s ? (int64_t)strlen(*s) + 1 : 0;
  KSEG_CHECK(kseg_comm_bcast(comm, &len, sizeof len, 0));
  if (len == 0) { free(*s); *s = NULL; return KSEG_OK; }
  if (kseg_comm_rank(comm) != 0) {
    free(*s);
    *s = kseg_malloc((size_t)len, "rfm column name");
    if (!*s) return KSEG_ERR_IO;
  }
  return kseg_comm_bcast(comm, *s, len, 0);
}

/* ---- text: parsing a part ---- */

/* The records of [start, end) into in->tx. Local; thread-safe. */
static int parse_range(int fd, const char *path, const text_header *h, int64_t start, int64_t end, int64_t line,
                       int64_t block, kseg_rfm_input *in, date_vote *vote, int *non_int)
{
  int quoted = h->delim != 0, st = KSEG_OK, want = h->n_cols;
  kseg_csv_reader r;
  KSEG_CHECK(kseg_csv_reader_open(&r, fd, path, quoted, start, end, line, block));
  kseg_csv_field *f = kseg_malloc((size_t)want * sizeof *f, "rfm fields");
  if (!f) st = KSEG_ERR_IO;
  line_ctx at = {path, "line", 0};
  char *conv = NULL;
  size_t conv_cap = 0;
  while (!st) {
    char *rec;
    size_t len;
    st = kseg_csv_reader_next(&r, &rec, &len, &at.line);
    if (st || !rec) break;
    if ((st = kseg_csv_record_to_utf8(h->encoding, path, at.line, &rec, &len, &conv, &conv_cap))) break;
    int n = 0;
    if (quoted) {
      const char *why = NULL;
      if (kseg_csv_split(rec, len, h->delim, f, want, &n, &why) != KSEG_OK) {
        st = kseg_error_set(KSEG_ERR_INPUT, "%s: line %" PRId64 ": %s%s", path, at.line, why,
                            utf8_hint(why, h->encoding));
        break;
      }
    } else {
      split_ws(rec, len, f, want, &n);
    }
    if (n != want) {
      st = kseg_error_set(KSEG_ERR_INPUT, "%s: line %" PRId64 " has %d field%s, the header has %d", path, at.line, n,
                          n == 1 ? "" : "s", want);
      break;
    }
    const kseg_csv_field *q = h->idx[3] >= 0 ? &f[h->idx[3]] : NULL;
    st = add_tx(in, vote, &at, f[h->idx[0]].ptr, f[h->idx[0]].len, f[h->idx[1]].ptr, f[h->idx[1]].len,
                f[h->idx[2]].ptr, f[h->idx[2]].len, q ? q->ptr : NULL, q ? q->len : 0, non_int);
  }
  free(f);
  free(conv);
  kseg_csv_reader_close(&r);
  return st;
}

/* Append a thread's lines to the rank's, re-pointing string ids. */
static int join_piece(kseg_rfm_input *in, kseg_rfm_input *p)
{
  if (p->max_abs_amount > in->max_abs_amount) in->max_abs_amount = p->max_abs_amount;
  if (p->max_abs_quantity > in->max_abs_quantity) in->max_abs_quantity = p->max_abs_quantity;
  if (p->n_amb) { /* the ambiguous amounts, their indices moved past in's records */
    int64_t need = in->n_amb + p->n_amb;
    int64_t *ix = realloc(in->amb_index, sizeof *ix * (size_t)need);
    if (ix) in->amb_index = ix;
    double *cv = ix ? realloc(in->amb_comma, sizeof *cv * (size_t)need) : NULL;
    if (cv) in->amb_comma = cv;
    if (!ix || !cv) return kseg_error_nomem("rfm amounts", sizeof *cv * (size_t)need);
    for (int64_t i = 0; i < p->n_amb; i++) {
      in->amb_index[in->n_amb + i] = in->tx.n + p->amb_index[i];
      in->amb_comma[in->n_amb + i] = p->amb_comma[i];
    }
    in->n_amb = in->cap_amb = need;
  }
  if (p->tx.n == 0) return KSEG_OK;
  if (in->tx.n == 0 && in->tx.arena_len == 0) { /* the usual single piece: take it whole */
    kseg_rfm_buf_clear(&in->tx);
    in->tx = p->tx;
    memset(&p->tx, 0, sizeof p->tx);
    return KSEG_OK;
  }
  int64_t base = in->tx.arena_len;
  if (p->tx.arena_len) {
    int64_t off;
    KSEG_CHECK(arena_push(&in->tx, p->tx.arena, (size_t)p->tx.arena_len, &off));
  }
  int64_t need = in->tx.n + p->tx.n;
  if (need > in->tx.cap) {
    void *q = realloc(in->tx.items, (size_t)need * sizeof(kseg_rfm_tx));
    if (!q) return kseg_error_nomem("rfm records", (size_t)need * sizeof(kseg_rfm_tx));
    in->tx.items = q;
    in->tx.cap = need;
  }
  kseg_rfm_tx *dst = (kseg_rfm_tx *)in->tx.items + in->tx.n;
  memcpy(dst, p->tx.items, (size_t)p->tx.n * sizeof(kseg_rfm_tx));
  for (int64_t i = 0; i < p->tx.n; i++)
    if (dst[i].key.id_len) dst[i].key.id += base;
  in->tx.n = need;
  return KSEG_OK;
}

/* ---- text: the whole read ---- */

static int read_text(MPI_Comm comm, const char *path, const kseg_rfm_options *opt, kseg_rfm_input *in, date_vote *vote,
                     int *non_int)
{
  int rank = kseg_comm_rank(comm);
  int64_t block = opt->block_bytes > 0 ? opt->block_bytes : KSEG_RFM_DEFAULT_BLOCK;
  int st = KSEG_OK;
  int fd = open(path, O_RDONLY);
  if (fd < 0)
    st = kseg_error_set(errno == ENOENT || errno == EACCES || errno == EISDIR ? KSEG_ERR_INPUT : KSEG_ERR_IO,
                        "%s: cannot open: %s", path, strerror(errno));
  struct stat sb;
  if (!st && (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)))
    st = kseg_error_set(KSEG_ERR_INPUT, "%s: not a regular file", path);
  st = kseg_comm_agree(comm, st);
  if (st) goto done;
  int64_t fsize = (int64_t)sb.st_size;

  text_header h;
  memset(&h, 0, sizeof h);
  if (rank == 0) st = header_read(fd, path, fsize, opt, block, &h, in->columns);
  st = kseg_comm_agree(comm, st);
  if (st) goto done;
  KSEG_CHECK_GOTO(kseg_comm_bcast(comm, &h, sizeof h, 0), st, done);
  for (int i = 0; i < 4; i++) KSEG_CHECK_GOTO(bcast_string(comm, &in->columns[i]), st, done);
  in->has_quantity = h.idx[3] >= 0;
  in->bytes = h.data.end; /* the root's size: every rank cuts the same file */

  /* scan: P x T parts, T threads per rank, each part scanned by one thread */
  int64_t threads = omp_get_max_threads();
  if (threads > KSEG_RFM_MAX_THREADS) threads = KSEG_RFM_MAX_THREADS;
  /* Every rank must cut the file the same way: the root's thread count. */
  KSEG_CHECK_GOTO(kseg_comm_bcast(comm, &threads, sizeof threads, 0), st, done);
  const int T = (int)threads;
  kseg_csv_span part[KSEG_RFM_MAX_THREADS];
  KSEG_CHECK_GOTO(kseg_csv_locate_records(comm, fd, path, h.delim != 0, 0, h.data, block, T, part), st, done);

  /* parse: each thread its parts' lines into its own buffer, joined in part
   * (file) order so the first error is the earliest line */
  kseg_rfm_input piece[KSEG_RFM_MAX_THREADS];
  date_vote pvote[KSEG_RFM_MAX_THREADS];
  int pint[KSEG_RFM_MAX_THREADS];
  kseg_error_slot res[KSEG_RFM_MAX_THREADS];
  memset(piece, 0, sizeof piece);
#pragma omp parallel for num_threads(T) schedule(static, 1)
  for (int t = 0; t < T; t++) {
    for (int c = 0; c < 4; c++) piece[t].columns[c] = in->columns[c]; /* borrowed, for messages */
    pvote[t] = *vote;
    pint[t] = 0;
    int pst = KSEG_OK;
    if (part[t].begin >= 0 && part[t].begin < part[t].end)
      pst = parse_range(fd, path, &h, part[t].begin, part[t].end, part[t].line, block, &piece[t], &pvote[t], &pint[t]);
    kseg_error_keep(&res[t], pst);
  }
  st = kseg_error_first(res, T);
  for (int t = 0; t < T && !st; t++) st = join_piece(in, &piece[t]);
  for (int t = 0; t < T; t++) {
    vote_line(&vote->day_first_line, pvote[t].day_first_line);
    vote_line(&vote->month_first_line, pvote[t].month_first_line);
    vote_line(&vote->either_line, pvote[t].either_line);
    vote_line(&vote->dot_line, pvote[t].dot_line);
    vote_line(&vote->comma_line, pvote[t].comma_line);
    vote_line(&vote->amb_line, pvote[t].amb_line);
    *non_int |= pint[t];
    kseg_rfm_buf_clear(&piece[t].tx);
    free(piece[t].amb_index); /* copied into in by join_piece; columns are borrowed */
    free(piece[t].amb_comma);
  }
done:
  if (fd >= 0) close(fd);
  return kseg_comm_agree(comm, st);
}

/* ---- HDF5 raw table ---- */

/* The names in /raw's `columns` attribute. Collective; status agreed. */
static int h5_columns(MPI_Comm comm, const char *path, char ***names, int *n)
{
  *names = NULL;
  *n = 0;
  int has_raw = 0;
  KSEG_CHECK(kseg_h5_exists(comm, path, "/raw", &has_raw));
  if (!has_raw)
    return kseg_comm_agree(comm, kseg_error_set(KSEG_ERR_INPUT, "%s has no /raw table (write one with kseg import)",
                                                path));
  int64_t count = 0;
  KSEG_CHECK(kseg_h5_read_attr_strings(comm, path, "/raw", "columns", names, &count));
  *n = (int)count;
  return KSEG_OK;
}

/* The text of value i of a non-numeric column (levels or NUL-padded strings). */
static const char *column_text(const kseg_column *c, int64_t i, size_t *len)
{
  if (c->kind == KSEG_COL_CATEGORICAL) {
    int32_t code = c->codes[i];
    if (code < 0 || code >= c->n_levels) { *len = 0; return ""; }
    *len = strlen(c->levels[code]);
    return c->levels[code];
  }
  const char *s = c->str + (size_t)i * (size_t)c->str_width;
  size_t n = 0;
  while (n < (size_t)c->str_width && s[n]) n++;
  *len = n;
  return s;
}

static int read_h5(MPI_Comm comm, const char *path, const kseg_rfm_options *opt, kseg_rfm_input *in, date_vote *vote,
                   int *non_int)
{
  char **names = NULL;
  int n = 0, idx[4] = {-1, -1, -1, -1};
  KSEG_CHECK(h5_columns(comm, path, &names, &n));
  /* every rank has the same names: the same choice everywhere */
  int st = KSEG_OK;
  for (int role = 0; role < 4 && !st; role++) {
    idx[role] = kseg_rfm_find_column((const char *const *)names, n, (kseg_rfm_role)role, opt->columns[role]);
    if (idx[role] < 0 && (role < 3 || opt->columns[role]))
      st = missing_column(path, (kseg_rfm_role)role, opt->columns[role], (const char *const *)names, n);
    else if (idx[role] >= 0 && !(in->columns[role] = kseg_strings_dup(names[idx[role]])))
      st = KSEG_ERR_IO;
  }
  kseg_strings_free(&names, n);
  KSEG_CHECK(kseg_comm_agree(comm, st));
  in->has_quantity = in->columns[3] != NULL;
  struct stat sb;
  in->bytes = stat(path, &sb) == 0 ? (int64_t)sb.st_size : 0;

  kseg_table t;
  KSEG_CHECK(kseg_h5_read_table(comm, path, (const char *const *)in->columns, in->has_quantity ? 4 : 3, &t));
  line_ctx at = {path, "row", 0};
  char num[4][64];
  for (int64_t i = 0; i < t.n_local && !st; i++) {
    at.line = t.row0 + i + 1;
    const char *text[4] = {NULL, NULL, NULL, NULL};
    size_t len[4] = {0, 0, 0, 0};
    for (int c = 0; c < t.n_cols; c++) {
      const kseg_column *col = &t.cols[c];
      if (col->kind == KSEG_COL_CATEGORICAL || col->kind == KSEG_COL_STRING) {
        text[c] = column_text(col, i, &len[c]);
        continue;
      }
      double v = col->num[i];
      char *b = num[c];
      if (isnan(v)) {
        b[0] = '\0';
      } else if (c == 0) {
        /* Numeric ids must be whole numbers: a float id would merge customers. */
        if (v != floor(v) || fabs(v) >= 9007199254740992.0) {
          st = kseg_error_set(KSEG_ERR_INPUT, "%s: row %" PRId64 ": customer id %.17g (column %s) is not an integer",
                              path, at.line, v, col->name);
          break;
        }
        snprintf(b, 64, "%.0f", v);
      } else if (c == 1 && col->kind == KSEG_COL_DATE) {
        /* Days since 1970 as YYYY-MM-DD text, so one parser checks every date. */
        int y, m, d;
        kseg_csv_civil_from_days((int64_t)floor(v), &y, &m, &d);
        snprintf(b, 64, "%04d-%02d-%02d", y, m, d);
      } else {
        snprintf(b, 64, "%.17g", v);
      }
      text[c] = b;
      len[c] = strlen(b);
    }
    if (st) break;
    st = add_tx(in, vote, &at, text[0], len[0], text[1], len[1], text[2], len[2], text[3], len[3], non_int);
  }
  kseg_table_clear(&t);
  return kseg_comm_agree(comm, st);
}

static int is_h5_name(const char *path)
{
  size_t n = strlen(path);
  return (n > 3 && strcasecmp(path + n - 3, ".h5") == 0) || (n > 5 && strcasecmp(path + n - 5, ".hdf5") == 0);
}

/* Canonical decimal of an integer id, for logs where some ids are strings. */
static int ids_to_strings(kseg_rfm_input *in)
{
  kseg_rfm_tx *t = in->tx.items;
  char b[32];
  for (int64_t i = 0; i < in->tx.n; i++) {
    if (t[i].key.id_len) continue;
    int len = snprintf(b, sizeof b, "%" PRId64, t[i].key.id);
    KSEG_CHECK(arena_push(&in->tx, b, (size_t)len, &t[i].key.id));
    t[i].key.id_len = len;
  }
  return KSEG_OK;
}

int kseg_rfm_read_log(MPI_Comm comm, const char *path, const kseg_rfm_options *opt, kseg_rfm_input *in)
{
  memset(in, 0, sizeof *in);
  date_vote vote = KSEG_RFM_NO_VOTE;
  vote.decimal = opt->decimal;
  int non_int = 0;
  int st = is_h5_name(path) ? read_h5(comm, path, opt, in, &vote, &non_int)
                            : read_text(comm, path, opt, in, &vote, &non_int);
  if (st) return st;
  if (in->tx.cap > in->tx.n && in->tx.n > 0) { /* give back the doubling's slack before the exchange */
    void *p = realloc(in->tx.items, (size_t)in->tx.n * sizeof(kseg_rfm_tx));
    if (p) {
      in->tx.items = p;
      in->tx.cap = in->tx.n;
    }
  }

  /* Votes and bounds that every rank needs before the exchange. */
  int64_t mx[5] = {non_int, 0, 0, 0, 0};
  int64_t mn[6] = {vote.day_first_line, vote.month_first_line, vote.either_line,
                   vote.dot_line,       vote.comma_line,       vote.amb_line};
  kseg_rfm_tx *t = in->tx.items;
  for (int64_t i = 0; i < in->tx.n; i++)
    if (t[i].key.id_len > mx[1]) mx[1] = t[i].key.id_len;
  double bound[2] = {in->max_abs_amount, in->max_abs_quantity};
  int64_t lines = in->tx.n;
  KSEG_CHECK(kseg_comm_agree(comm, kseg_comm_max_i64(comm, mx, 2)));
  KSEG_CHECK(kseg_comm_agree(comm, kseg_comm_min_i64(comm, mn, 6)));
  KSEG_CHECK(kseg_comm_agree(comm, kseg_comm_max_f64(comm, bound, 2)));
  KSEG_CHECK(kseg_comm_agree(comm, kseg_comm_sum_i64(comm, &lines, 1)));
  in->lines = lines;
  in->max_abs_amount = bound[0];
  in->max_abs_quantity = bound[1];
  if (mn[0] != INT64_MAX && mn[1] != INT64_MAX)
    return kseg_error_set(KSEG_ERR_INPUT,
                          "%s: the %s column mixes day-first dates (%s %" PRId64 ") and month-first dates (%s %" PRId64
                          ")",
                          path, in->columns[1], is_h5_name(path) ? "row" : "line", mn[0],
                          is_h5_name(path) ? "row" : "line", mn[1]);
  const char *unit = is_h5_name(path) ? "row" : "line";
  if (mn[0] == INT64_MAX && mn[1] == INT64_MAX && mn[2] != INT64_MAX) {
    if (opt->date_order != KSEG_CSV_ORDER_DMY && opt->date_order != KSEG_CSV_ORDER_MDY)
      return kseg_error_set(KSEG_ERR_INPUT,
                            "%s: every date of the %s column reads both day first and month first (%s %" PRId64
                            "); kseg does not guess: say which with --date-order DMY or --date-order MDY",
                            path, in->columns[1], unit, mn[2]);
    in->month_first = opt->date_order == KSEG_CSV_ORDER_MDY;
  } else {
    in->month_first = mn[1] != INT64_MAX;
  }
  /* the decimal mark of the amounts: the log's values, never a guess */
  if (mn[3] != INT64_MAX && mn[4] != INT64_MAX)
    return kseg_error_set(KSEG_ERR_INPUT,
                          "%s: the %s column mixes a decimal point (%s %" PRId64 ") and a decimal comma (%s %" PRId64
                          "); say which with --decimal . or --decimal ,",
                          path, in->columns[2], unit, mn[3], unit, mn[4]);
  if (mn[5] != INT64_MAX && mn[3] == INT64_MAX && mn[4] == INT64_MAX)
    return kseg_error_set(KSEG_ERR_INPUT,
                          "%s: the amounts of the %s column read with a decimal point and also with a decimal comma "
                          "(%s %" PRId64 "), and no amount of the log tells which; say which with --decimal . or "
                          "--decimal ,",
                          path, in->columns[2], unit, mn[5]);
  if (mn[4] != INT64_MAX)
    for (int64_t i = 0; i < in->n_amb; i++) t[in->amb_index[i]].amount = in->amb_comma[i];
  free(in->amb_index);
  free(in->amb_comma);
  in->amb_index = NULL;
  in->amb_comma = NULL;
  in->n_amb = in->cap_amb = 0;
  int64_t days[2] = {INT32_MAX, INT32_MAX}; /* min and -max: one min-reduction */
  for (int64_t i = 0; i < in->tx.n; i++) {
    if (t[i].key.aux < KSEG_RFM_PACKED_LIMIT) t[i].key.aux = unpack_day(t[i].key.aux, in->month_first);
    if (t[i].key.aux < days[0]) days[0] = t[i].key.aux;
    if (-(int64_t)t[i].key.aux < days[1]) days[1] = -(int64_t)t[i].key.aux;
  }
  KSEG_CHECK(kseg_comm_agree(comm, kseg_comm_min_i64(comm, days, 2)));
  in->min_day = (int32_t)days[0];
  in->max_day = (int32_t)-days[1];
  in->string_ids = mx[0] != 0;
  if (in->string_ids) {
    st = ids_to_strings(in);
    int64_t len = 0;
    t = in->tx.items;
    for (int64_t i = 0; !st && i < in->tx.n; i++)
      if (t[i].key.id_len > len) len = t[i].key.id_len;
    if (!st) st = kseg_comm_max_i64(comm, &len, 1);
    in->max_id_len = (int32_t)len;
  }
  return kseg_comm_agree(comm, st);
}
