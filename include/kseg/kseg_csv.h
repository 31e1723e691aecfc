/* kseg_csv.h - CSV import: a delimited text file with a header row becomes the
 * columnar raw table /raw (kseg_h5io.h), read in parallel and streamed.
 * Every rule below, with examples: docs/import.md.
 *
 * Files: a header row naming the columns, with any characters (a name is
 * escaped only inside HDF5, kseg_h5io.h); delimiter tab, comma, semicolon or
 * '|' (an Excel "sep=X" first line names it; else the most frequent unquoted
 * one of the header, ties in that order; --delimiter forces one); LF or CRLF;
 * RFC 4180 quoting (a field that starts with '"' runs to the matching quote,
 * "" inside it is one quote, delimiters and newlines inside it are data);
 * spaces around unquoted fields are trimmed (tabs too, unless tab is the
 * delimiter); a UTF-8 byte order mark is skipped; empty lines are skipped.
 * Text is UTF-8, or Latin-1 / Windows-1252 converted to UTF-8 as it is read
 * (kseg_csv_options.encoding); UTF-16 is refused with a message saying so.
 * A delimiter ending every line is accepted: a column with an empty name and
 * no value is dropped (with a note); an empty-named column with values is
 * kept as column_<n> (with a note); a row may carry one extra empty last
 * field. A '"' inside an unquoted field is kept as a character, but it still
 * counts for the quote parity that decides where records end, so that the
 * record boundaries are the same however the file is split over ranks.
 *
 * Missing values: an empty field and the markers NA, N/A, #N/A, NaN, NULL,
 * None, - and ? (compared without case), or the caller's list.
 *
 * Kinds, per column, decided from all its non-missing values on all ranks:
 *   numeric      numbers as spreadsheets write them (kseg_csv_parse_amount):
 *                the decimal mark (point or comma) is decided per column
 *                from values only one of them reads ("12,5", "0.25",
 *                "1.234,5"); a column whose values read both ways ("1,234")
 *                takes the mark the other columns of the file proved, else it
 *                is refused unless the caller forces one. One unit per
 *                column: a currency (symbol or ISO code, before or after;
 *                bare numbers allowed beside it) or percent (every value
 *                with %, stored as the fraction). -> float64, NaN missing,
 *                the decimal mark and unit in kseg_col_format.
 *   date         dates and times (kseg_csv_parse_datetime); the day/month
 *                order of A-B-YYYY dates is decided per column from all its
 *                values; when every value reads both ways the caller's
 *                date_order decides, else the column is refused. Dates with a
 *                two-digit year are read as text, with a warning. -> float64
 *                days since 1970-01-01 (times as fractions of a day, UTC when
 *                a zone is given), NaN missing.
 *   categorical  otherwise, when the column has at most KSEG_CSV_MAX_LEVELS
 *                distinct values and at most half as many distinct values as
 *                non-missing values (so identifiers stay strings). -> int32
 *                codes into `levels`, levels sorted by byte order (= Unicode
 *                code point order for UTF-8), -1 missing.
 *   string       everything else (identifiers like C10001, free text): fixed
 *                width = longest value in bytes, missing = "".
 * A column where at most 5 % of the values do not read as its numbers or
 * dates keeps that kind; those values become missing and are named in a
 * warning (the first ones with their lines), or stop the import with
 * `strict`. A column where more do not, but at least half do, is text, with
 * a warning saying so (an error with `strict`). Never a silent text column.
 * A column of integers some of which are written with leading zeros
 * ("01234": zip codes, account numbers) holds codes, not numbers: it is read
 * as text, with a note, so no zero is lost.
 * The identifier column (named by the caller, else the first whose name is
 * an id name, kseg_csv_is_id_name) is a string column, verbatim: leading
 * zeros and any length kept; missing markers are not applied to it;
 * repeated ids are reported with their lines.
 * The decisions use merged evidence of all ranks and the union of the
 * ranks' distinct values, so kinds and codes are identical for any number
 * of ranks.
 */
#ifndef KSEG_CSV_H
#define KSEG_CSV_H

#include <mpi.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kseg/kseg_types.h"

#ifdef __cplusplus
extern "C" {
#endif

enum { KSEG_CSV_MAX_LEVELS = 256 };

/* ---- pure parsing pieces (Local, no I/O) ---- */

/* The delimiter of a header line (without its line end): the most frequent
 * unquoted '\t', ';', ',' or '|' (ties in that order, '|' only when it beats
 * ','); ',' when there is none. */
char kseg_csv_detect_delimiter(const char *line, size_t len);

/* Find the end of the record that starts at p[0] outside quotes: the index of
 * the first '\n' with an even number of '"' before it. Scanning can resume:
 * *scan is where to continue and *in_quote the parity there (both 0 for a new
 * record); *newlines counts the '\n' passed. Returns 1 and sets *end when
 * found, 0 when p[0..len) holds no record end yet. */
int kseg_csv_record_end(const char *p, size_t len, size_t *scan, int *in_quote, int64_t *newlines,
                        size_t *end);

/* One field of a split record: bytes [ptr, ptr + len), unquoted. */
typedef struct kseg_csv_field {
  const char *ptr;
  size_t len;
} kseg_csv_field;

/* The first byte of rec[0..len) that is not text (NUL and other control
 * bytes except tab, CR and LF; invalid UTF-8): a static reason, and *at its
 * offset; NULL when all of it is text. */
const char *kseg_csv_check_text(const char *rec, size_t len, size_t *at);

/* Split one record (its line end removed) into fields, unquoting in place
 * (rec is modified). Stores at most max_fields fields but counts all of them
 * in *n_fields. Rejects bytes that are not text (NUL and other control bytes
 * except tab, CR and LF; invalid UTF-8) and text after a closing quote.
 * Returns KSEG_OK, or KSEG_ERR_INPUT with *why set to a static reason (the
 * caller adds file and line; nothing is recorded in kseg_error). */
int kseg_csv_split(char *rec, size_t len, char delim, kseg_csv_field *fields, int max_fields, int *n_fields,
                   const char **why);

/* ---- missing values ---- */

/* A list of missing-value markers: the empty field always, plus markers
 * compared without ASCII case. */
typedef struct kseg_csv_na {
  int n;
  char **markers;        /* lower case, owned */
  size_t max_len;
  unsigned char first[256]; /* 1 for the first byte of some marker: a quick no */
} kseg_csv_na;

/* The markers of `list` ("NA,-,n/a": comma-separated, spaces around each
 * trimmed), or the default ones (NA, N/A, #N/A, NaN, NULL, None, -, ?) when
 * list is NULL. KSEG_ERR_IO when out of memory. Free with kseg_csv_na_clear. */
int kseg_csv_na_init(kseg_csv_na *na, const char *list);
void kseg_csv_na_clear(kseg_csv_na *na);
/* 1 when s[0..len) is empty or one of the markers. */
int kseg_csv_na_match(const kseg_csv_na *na, const char *s, size_t len);
/* kseg_csv_na_match with the default markers. */
int kseg_csv_is_missing(const char *s, size_t len);

/* ---- numbers ---- */

/* 1 and *out when s is a plain finite decimal number
 * ([+-]digits[.digits][e[+-]digits], also ".5"), else 0; correctly rounded
 * (the same double as strtod). */
int kseg_csv_parse_number(const char *s, size_t len, double *out);

/* What kseg_csv_parse_amount saw besides the digits. */
typedef struct kseg_csv_amount {
  char unit[12];  /* "%" , a currency ("EUR", "USD", "$", "GBP", ...: signs are named by their ISO code
                     where the sign is unambiguous) or "" */
  int separator;  /* a '.' or ',' was read as a decimal mark or a thousands separator: the value reads
                     differently with the other decimal mark */
  int formatted;  /* anything beyond a plain number: unit, grouping, parentheses, ... */
} kseg_csv_amount;

/* A number as spreadsheets, CRMs and accounting exports write it, with
 * `decimal` ('.' or ',') as the decimal mark:
 *   [sign] [currency] [sign] digits [decimal digits] [exponent] [% | currency]
 * where digits may be grouped in thousands (groups of three after a first
 * group of 1-3 digits not starting with 0; one separator per value: ',' or
 * '.' - whichever is not the decimal mark -, an apostrophe ' or U+2019, a
 * space, U+00A0, U+2009, U+202F), the sign is '+', '-' or U+2212, a negative
 * may instead be written (...) or with a trailing '-', a currency is a sign
 * ($, €, £, ¥, ₹, R$, US$, kr, zł, ...) or an ISO 4217 code (EUR, USD, ...),
 * and spaces may separate the parts. "12,5 %" with decimal ',' is 0.125.
 * 1 and *out (may be NULL) when it reads, else 0; *info (may be NULL) says
 * what was seen. Correctly rounded: the digits are converted once, after
 * the percent's scaling. */
int kseg_csv_parse_amount(const char *s, size_t len, char decimal, double *out, kseg_csv_amount *info);

/* ---- dates ---- */

/* Date shapes recognised by the parsers. */
typedef enum kseg_csv_date_shape {
  KSEG_CSV_NOT_DATE = 0,
  KSEG_CSV_YMD = 1,       /* the fields are known: year first, or a month by name */
  KSEG_CSV_XYY = 2,       /* A-B-YYYY: day first or month first */
  KSEG_CSV_SHORT_YEAR = 3 /* a date with a two-digit year: recognised to be refused */
} kseg_csv_date_shape;

/* The old, plain shapes (the transaction-log reader's): YYYY-MM-DD or
 * A-B-YYYY with '-' or '/', nothing else. YMD: a = year, b = month, c = day;
 * XYY: a, b, c = year. The calendar is not checked. */
kseg_csv_date_shape kseg_csv_parse_date(const char *s, size_t len, int *a, int *b, int *c);

typedef struct kseg_csv_datetime {
  kseg_csv_date_shape shape;
  int year, a, b;  /* YMD: month a, day b; XYY: the first two fields as written */
  double seconds;  /* time of day in seconds, UTC when a zone was given (so it may leave [0, 86400)) */
} kseg_csv_datetime;

/* A date with an optional time, as exports write it: year first
 * (2012-09-04, 2012/9/4, 2012.09.04), year last (04.09.2012, 9/4/2012,
 * 04-09-2012), a month by its English name (04-Sep-2012, 4 September 2012,
 * Sep 4, 2012, 2012-Sep-04); then optionally ' ' or 'T' and a time
 * (13:45, 13:45:12, 13:45:12.250, 1:45 PM) and a zone (Z, UTC, GMT, +02:00,
 * -0500, +02). Two-digit years are returned as KSEG_CSV_SHORT_YEAR (no
 * fields). The calendar is not checked: kseg_csv_datetime_days does. */
kseg_csv_date_shape kseg_csv_parse_datetime(const char *s, size_t len, kseg_csv_datetime *out);

/* Days since 1970-01-01 of a parsed date (XYY: read month first when
 * month_first, else day first), plus the time as a fraction of a day. 0 when
 * the date is not a valid calendar date. */
int kseg_csv_datetime_days(const kseg_csv_datetime *d, int month_first, double *days);

/* 1 when y-m-d is a valid Gregorian date with 1 <= y <= 9999. */
int kseg_csv_valid_date(int y, int m, int d);

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian). */
int64_t kseg_csv_days_from_civil(int y, int m, int d);
/* The inverse: the proleptic Gregorian date of `days` since 1970-01-01. */
void kseg_csv_civil_from_days(int64_t days, int *y, int *m, int *d);

/* The day/month order of year-last dates. */
typedef enum kseg_csv_date_order {
  KSEG_CSV_ORDER_AUTO = 0, /* from the values; refused when they cannot tell */
  KSEG_CSV_ORDER_DMY = 1,
  KSEG_CSV_ORDER_MDY = 2,
  KSEG_CSV_ORDER_YMD = 3   /* only year-first dates are dates */
} kseg_csv_date_order;
/* "DMY", "MDY", "YMD" or "". */
const char *kseg_csv_date_order_name(kseg_csv_date_order o);

/* ---- text encodings ---- */

typedef enum kseg_csv_encoding { KSEG_CSV_UTF8 = 0, KSEG_CSV_LATIN1 = 1, KSEG_CSV_CP1252 = 2 } kseg_csv_encoding;
/* "utf-8", "latin1", "cp1252". */
const char *kseg_csv_encoding_name(kseg_csv_encoding e);
/* 1 and *out for utf-8/utf8, latin1/latin-1/iso-8859-1, cp1252/windows-1252
 * (any case), else 0. */
int kseg_csv_encoding_parse(const char *text, kseg_csv_encoding *out);
/* Convert len bytes of Latin-1 or Windows-1252 text to UTF-8 into *buf
 * (grown as needed, *cap its size; NUL-terminated), *out_len bytes.
 * KSEG_ERR_INPUT with *bad the offset of a byte Windows-1252 leaves
 * undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D; nothing recorded); KSEG_ERR_IO
 * (recorded) when out of memory. */
int kseg_csv_to_utf8(kseg_csv_encoding enc, const char *in, size_t len, char **buf, size_t *cap, size_t *out_len,
                     size_t *bad);
/* Record *rec (*len bytes, line `line` of `path`) of a file in encoding
 * enc, in UTF-8: unless enc is UTF-8, converted into *buf (kseg_csv_to_utf8)
 * and *rec, *len pointed at it. KSEG_ERR_INPUT (recorded, naming the file,
 * line and byte) for a byte Windows-1252 leaves undefined. Local. */
int kseg_csv_record_to_utf8(kseg_csv_encoding enc, const char *path, int64_t line, char **rec, size_t *len,
                            char **buf, size_t *cap);
/* A description ("UTF-16 (little-endian byte order mark FF FE)") when the
 * first n bytes of a file are UTF-16 text, else NULL. */
const char *kseg_csv_utf16_signature(const unsigned char *p, size_t n);

/* ---- identifiers ---- */

/* 1 when a column name says "identifier": ID, or ending in _ID, -ID, .ID or
 * " ID" (any case), or a camel-case ...Id / ...ID after a lower-case letter
 * (CustomerID, userId). */
int kseg_csv_is_id_name(const char *name);

/* ---- per-column evidence (pure; the import merges it across ranks) ---- */

enum { KSEG_CSV_EXAMPLE_TEXT = 48, KSEG_CSV_UNITS = 4, KSEG_CSV_EXAMPLES = 5 };

/* One value shown in a message, with its line (INT64_MAX: none). */
typedef struct kseg_csv_example {
  int64_t line;
  char text[KSEG_CSV_EXAMPLE_TEXT]; /* cut on a character boundary, "..." when cut */
} kseg_csv_example;
/* Keep (line, v) when line is smaller than the kept one. */
void kseg_csv_example_set(kseg_csv_example *e, int64_t line, const char *v, size_t len);

typedef struct kseg_csv_unit_count {
  char unit[12];      /* "" for values without a unit */
  int64_t dot, comma; /* values with this unit read with a decimal point / a decimal comma */
} kseg_csv_unit_count;

/* What a column's values say, summed over values; plain data, merged by
 * kseg_csv_evidence_merge in any order to the same result. */
typedef struct kseg_csv_evidence {
  int64_t n_present, n_missing, max_len;
  int64_t num_dot, num_comma;           /* values read as numbers with a decimal point / comma */
  int64_t num_dot_only, num_comma_only; /* ... that do not read the other way */
  int64_t num_both_sep;                 /* read both ways, to different numbers ("1,234") */
  int64_t num_zero_padded;              /* integers written with leading zeros ("01234"): codes */
  int32_t n_units, units_overflow;
  kseg_csv_unit_count units[KSEG_CSV_UNITS]; /* sorted by unit */
  int64_t date_fixed;                   /* year-first or named-month valid dates */
  int64_t date_xy, date_dmy, date_mdy;  /* A-B-YYYY valid in some order; day first; month first */
  int64_t date_short;                   /* dates with a two-digit year */
  int64_t overflow;                     /* more distinct values than a category may have */
  kseg_csv_example ex_not_number, ex_not_date, ex_both_sep, ex_dot_only, ex_comma_only, ex_xy, ex_dmy_only,
      ex_mdy_only, ex_short, ex_zero_padded;
} kseg_csv_evidence;

void kseg_csv_evidence_init(kseg_csv_evidence *e);
/* Account one non-missing value found on `line`. */
void kseg_csv_evidence_add(kseg_csv_evidence *e, const char *v, size_t len, int64_t line);
/* into += from. */
void kseg_csv_evidence_merge(kseg_csv_evidence *into, const kseg_csv_evidence *from);

/* Per-column evidence of one rank and its distinct values (for categories). */
typedef struct kseg_csv_colstats {
  kseg_csv_evidence ev;
  int32_t n_levels;  /* distinct values seen (while !ev.overflow) */
  int32_t slots;     /* hash table size */
  char **table;      /* open addressing, NUL-terminated copies */
  uint32_t *lens;    /* their lengths, so probes skip strlen */
} kseg_csv_colstats;

void kseg_csv_stats_init(kseg_csv_colstats *s);
/* Account one non-missing value (its line for examples). KSEG_ERR_IO on out
 * of memory. A missing value is counted by the caller (ev.n_missing). */
int kseg_csv_stats_add(kseg_csv_colstats *s, const char *v, size_t len, int64_t line);
/* Drop the distinct values (the evidence stays). NULL-safe. */
void kseg_csv_stats_clear(kseg_csv_colstats *s);

/* Values that did not read as their column's kind (or, scoring, categories
 * not seen in training): how many, and the first ones by line. */
typedef struct kseg_csv_offending {
  int64_t count;
  kseg_csv_example ex[KSEG_CSV_EXAMPLES];
} kseg_csv_offending;
void kseg_csv_offending_init(kseg_csv_offending *o);
void kseg_csv_offending_add(kseg_csv_offending *o, int64_t line, const char *v, size_t len);
void kseg_csv_offending_merge(kseg_csv_offending *into, const kseg_csv_offending *from);
/* "'x' (line 5), 'y' (line 9) and 3 more" into buf; the examples shown. */
int kseg_csv_offending_text(const kseg_csv_offending *o, char *buf, size_t len);

/* What the caller decided for every column. */
typedef struct kseg_csv_rules {
  char decimal;                  /* 0: from the values; '.' or ',' forced */
  char file_decimal;             /* the mark other columns proved, for columns that cannot tell (0: none) */
  kseg_csv_date_order date_order;
} kseg_csv_rules;

typedef enum kseg_csv_verdict {
  KSEG_CSV_CLEAN = 0,   /* every value reads as the kind */
  KSEG_CSV_FEW_BAD = 1, /* at most 5 % do not: they become missing, named in a warning (strict: an error) */
  KSEG_CSV_AS_TEXT = 2, /* mostly numbers or dates, but read as text, with a warning (strict: an error) */
  KSEG_CSV_REFUSED = 3  /* the values cannot tell how to read them (decimal mark, day/month order): an error */
} kseg_csv_verdict;

typedef struct kseg_csv_decision {
  kseg_col_kind kind;      /* NUMERIC, DATE, or CATEGORICAL for text (kseg_csv_text_kind then picks) */
  kseg_col_format format;
  kseg_csv_verdict verdict;
  int64_t bad;             /* values expected not to read as the kind */
  char why[480];           /* the reason for a warning or an error, with an example and its line; "" */
} kseg_csv_decision;

/* The kind and format of a column from its merged evidence (rules above).
 * Pure; identical on every rank given identical evidence. */
void kseg_csv_decide(const kseg_csv_evidence *e, const kseg_csv_rules *r, kseg_csv_decision *d);
/* Text: categorical or string, from the distinct values (n_levels, or more
 * than KSEG_CSV_MAX_LEVELS when e->overflow). */
kseg_col_kind kseg_csv_text_kind(const kseg_csv_evidence *e, int64_t n_levels);

/* ---- streaming a byte range of a text file (Local) ---- */

/* pread until n bytes or the end of the file: the bytes read, or -1 with errno. */
int64_t kseg_csv_read_at(int fd, char *buf, int64_t n, int64_t off);

/* Streams the records of the byte range [pos, end) of a file through one
 * growing buffer (block bytes to start; doubled for a longer record). Quoted
 * mode finds record ends with kseg_csv_record_end (a newline inside quotes is
 * data); otherwise quotes are ordinary bytes and every newline ends a record. */
typedef struct kseg_csv_reader {
  int fd;
  const char *path;     /* for messages */
  int quoted;
  int64_t pos, end;     /* next file offset to read, where to stop */
  char *buf;
  size_t cap, len, off; /* buf[off, len) not yet consumed */
  size_t scan;          /* record-end search resume state for the record at off */
  int inq;
  int64_t nl;
  int64_t line;         /* line number of the record at off */
} kseg_csv_reader;

int kseg_csv_reader_open(kseg_csv_reader *r, int fd, const char *path, int quoted, int64_t begin, int64_t end,
                         int64_t line, int64_t block);
/* Open a reader on the header of a file of `size` bytes: a UTF-8 byte order
 * mark is skipped, line numbers start at 1, quoted mode. An empty file is
 * KSEG_ERR_INPUT naming it. */
int kseg_csv_reader_open_header(kseg_csv_reader *r, int fd, const char *path, int64_t size, int64_t block);
/* The next non-empty record (line end and a CR removed), in place in the
 * buffer, and its first line number; *rec == NULL at the end of the range.
 * KSEG_ERR_IO on a read failure or a file that shrank. */
int kseg_csv_reader_next(kseg_csv_reader *r, char **rec, size_t *rlen, int64_t *line);
void kseg_csv_reader_close(kseg_csv_reader *r);

/* ---- where the records are, for parallel reading ---- */

/* A byte range [begin, end) of a file whose first byte is on line `line`;
 * begin = -1: none. */
typedef struct kseg_csv_span {
  int64_t begin, end, line;
} kseg_csv_span;

/* Root's first step: the header record of a file of `size` bytes (a UTF-8
 * byte order mark and leading empty lines skipped) as a malloc'd,
 * NUL-terminated copy without its line end, its line number, and the span of
 * the data after it (to the end of the file). A file that is empty, has no
 * header row or whose header opens a quote it never closes is
 * KSEG_ERR_INPUT naming the file (and line). Local. */
int kseg_csv_read_header(int fd, const char *path, int64_t size, int64_t block, char **rec, size_t *len,
                         int64_t *line, kseg_csv_span *data);

/* The unquoted names of a header record (kseg_csv_split's rules; rec is not
 * modified): *n malloc'd strings in *names, NULL-terminated, freed with
 * kseg_strings_free. KSEG_ERR_INPUT with *why set as kseg_csv_split does
 * (nothing recorded), or KSEG_ERR_IO (recorded). Local. */
int kseg_csv_split_names(const char *rec, size_t len, char delim, char ***names, int *n, const char **why);

/* Cut the data span of an open file into P x threads equal byte parts (P
 * ranks; parts in rank order, then thread order) and find, for this rank's
 * parts, where their records start and end: parts[t] for t < threads, begin
 * -1 when no record starts in the part. A record belongs to the part holding
 * its first byte; parts[t].line is its line number. Each part is scanned by
 * one OpenMP thread, `threads` must be the same on every rank. Quoted mode:
 * a record ends at a newline after an even number of quotes (a quote never
 * closed is KSEG_ERR_INPUT naming the line where it opened); otherwise at
 * every newline. refuse_nul: a NUL byte anywhere is KSEG_ERR_INPUT naming
 * its line (checked first). Memory: one `block` buffer per thread.
 * Collective; status agreed. */
int kseg_csv_locate_records(MPI_Comm comm, int fd, const char *path, int quoted, int refuse_nul, kseg_csv_span data,
                            int64_t block, int threads, kseg_csv_span *parts);

/* ---- the import (Collective) ---- */

typedef struct kseg_csv_options {
  char delimiter;       /* 0: detect (a sep=X first line, else the header) */
  int64_t block_bytes;  /* read size per rank; 0: 8 MiB */
  char decimal;         /* 0: per column from its values; '.' or ',' for every numeric column */
  kseg_csv_encoding encoding;     /* of the file; converted to UTF-8 */
  kseg_csv_date_order date_order; /* for columns whose dates cannot tell; 0: refuse those */
  const char *na;       /* NULL: the default missing-value markers; else "A,B,..." (the empty field always) */
  const char *id_column;/* NULL: the first column with an id name (kseg_csv_is_id_name), if any */
  bool id_optional;     /* id_column may be absent from the file (then as for NULL); else an error */
  bool strict;          /* values that do not read as their column's kind stop the import */
  /* NULL: infer every column. Else the columns of this table (rows unused;
   * matched by name) are read with its kinds, formats and categorical
   * levels - new customers read exactly as the training table was -, other
   * columns as strings. A categorical value not among the levels is missing
   * and counted (kseg_csv_column_info.unseen). A `decimal` or `date_order`
   * given here overrides the schema's for its numeric or date columns. */
  const kseg_table *schema;
} kseg_csv_options;

typedef struct kseg_csv_column_info {
  char *name;
  kseg_col_kind kind;
  kseg_col_format format;
  int64_t missing;   /* after the import: markers, and values made missing (bad, unseen) */
  int64_t bad;       /* values that did not read as the column's numbers or dates: missing */
  int64_t unseen;    /* schema: categorical values not among the schema's levels: missing */
  int32_t n_levels;  /* categorical */
  int32_t str_width; /* string */
  int month_first;   /* date with A-B-YYYY values read month first */
} kseg_csv_column_info;

typedef struct kseg_csv_summary {
  int64_t rows;
  int n_cols;
  kseg_csv_column_info *cols; /* n_cols, owned */
  char delimiter;
  kseg_csv_encoding encoding;
  char *id_column;            /* the identifier column, kept verbatim as text; NULL: none */
  int64_t id_missing;         /* rows with an empty id */
  int64_t id_repeats;         /* rows whose id is on an earlier row */
  int64_t dropped_columns;    /* columns with an empty name and no value (a trailing delimiter) */
  int n_notes;
  char **notes;               /* warnings for people, each naming the file and column; owned */
  int64_t bytes;  /* file size */
  double seconds; /* whole import, max over ranks */
  /* Root's seconds in header+scan, pass 1 (infer), pass 2 (convert), write. */
  double scan_seconds, infer_seconds, convert_seconds, write_seconds;
} kseg_csv_summary;

/* Read `in` into this rank's block of a table: the rows whose records start
 * in this rank's byte range of the file (contiguous, in file order; t->row0
 * and n_local say which - not kseg_partition's split). Columns in file order
 * with the kinds, formats and levels decided above. Bad input is
 * KSEG_ERR_INPUT with one message naming the file, line, column and value as
 * far as they apply. On success *summary is filled (identical on every rank;
 * free with kseg_csv_summary_clear) and *out owns its columns (free with
 * kseg_table_clear). Collective; the status is agreed. */
int kseg_csv_read(MPI_Comm comm, const char *in, const kseg_csv_options *opt, kseg_table *out,
                  kseg_csv_summary *summary);

/* Import `in` into a new HDF5 file `out` (group /raw, layout in kseg_h5io.h,
 * plus attributes `source` and, for an identifier column, `id_column` on
 * /raw): kseg_csv_read, then one collective write. Every rank reads a byte
 * range of the file in blocks of opt->block_bytes; memory per rank is
 * O(rows_local x columns) for the converted table plus the block. The
 * output is the same bytes for any number of ranks. On bad input nothing is
 * written and an existing `out` is left as it was. Collective; the status is
 * agreed. */
int kseg_csv_import(MPI_Comm comm, const char *in, const char *out, const kseg_csv_options *opt,
                    kseg_csv_summary *summary);

void kseg_csv_summary_clear(kseg_csv_summary *s);

/* Repeated values of an identifier column over every rank's rows (any
 * kind; compared as text, kseg_column_text): *repeats the rows whose value
 * is on an earlier row, *missing the rows without one, *examples the first
 * repeats (their value and line: lines[i] of local row i, or the global row
 * number + 2 when lines is NULL, the line of that row in a file with one
 * header line). Each value goes to the rank owning its hash (one exchange),
 * so no rank holds more than its share. Collective; status agreed. */
int kseg_csv_id_repeats(MPI_Comm comm, const kseg_column *col, int64_t row0, int64_t n_local, const int64_t *lines,
                        int64_t *repeats, int64_t *missing, kseg_csv_offending *examples);

#ifdef __cplusplus
}
#endif

#endif
