/* kseg_csv.h - CSV import: a delimited text file with a header row becomes the
 * columnar raw table /raw (kseg_h5io.h), read in parallel and streamed.
 *
 * Format accepted: a header row naming the columns; delimiter tab, comma or
 * semicolon (detected from the header: the most frequent unquoted one, ties
 * broken in that order; a header with none of them is one column); LF or CRLF
 * line ends; RFC 4180 quoting (a field that starts with '"' runs to the
 * matching quote, "" inside it is one quote, delimiters and newlines inside it
 * are data); spaces around unquoted fields are trimmed (tabs too, unless tab
 * is the delimiter); a UTF-8 byte order mark is skipped; empty lines are
 * skipped. A '"' inside an unquoted field is kept as a character, but it
 * still counts for the quote parity that decides where records end, so that
 * the record boundaries are the same however the file is split over ranks.
 *
 * Missing values: an empty field, NA, N/A, NaN, null or None (any case).
 *
 * Type inference, per column, over all its non-missing values:
 *   numeric      every value is a decimal number ([+-]digits[.digits][e[+-]digits],
 *                also ".5"), finite as a double. A column with no values at all
 *                is numeric (all NaN). -> float64, NaN missing.
 *   date         every value is YYYY-MM-DD, or every value is DD-MM-YYYY or
 *                MM-DD-YYYY ('/' allowed instead of '-'), all valid calendar
 *                dates. Day-first vs month-first: if some first field is > 12
 *                the column is DD-MM; if some second field is > 12 it is MM-DD;
 *                when neither tells, DD-MM (the European CRM exports we meet).
 *                -> float64 days since 1970-01-01, NaN missing.
 *   categorical  otherwise, when the column has at most KSEG_CSV_MAX_LEVELS
 *                distinct values and at most half as many distinct values as
 *                non-missing values (so identifiers stay strings). -> int32
 *                codes into `levels`, levels sorted by byte order (= Unicode
 *                code point order for UTF-8), -1 missing.
 *   string       everything else (identifiers like C10001, free text): fixed
 *                width = longest value in bytes, missing = "".
 * The decision uses global counts and the union of the ranks' distinct values,
 * so kinds and codes are identical for any number of ranks.
 */
#ifndef KSEG_CSV_H
#define KSEG_CSV_H

#include <mpi.h>
#include <stddef.h>
#include <stdint.h>

#include "kseg/kseg_types.h"

#ifdef __cplusplus
extern "C" {
#endif

enum { KSEG_CSV_MAX_LEVELS = 256 };

/* ---- pure parsing pieces (Local, no I/O) ---- */

/* The delimiter of a header line (without its line end): '\t', ';' or ','. */
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

/* Split one record (its line end removed) into fields, unquoting in place
 * (rec is modified). Stores at most max_fields fields but counts all of them
 * in *n_fields. Rejects bytes that are not text (NUL and other control bytes
 * except tab, CR and LF; invalid UTF-8) and text after a closing quote.
 * Returns KSEG_OK, or KSEG_ERR_INPUT with *why set to a static reason (the
 * caller adds file and line; nothing is recorded in kseg_error). */
int kseg_csv_split(char *rec, size_t len, char delim, kseg_csv_field *fields, int max_fields, int *n_fields,
                   const char **why);

/* 1 when the field is a missing-value marker (see above). */
int kseg_csv_is_missing(const char *s, size_t len);

/* 1 and *out when s is a finite decimal number (see above), else 0. */
int kseg_csv_parse_number(const char *s, size_t len, double *out);

/* Date shapes recognised by kseg_csv_parse_date. */
typedef enum kseg_csv_date_shape {
  KSEG_CSV_NOT_DATE = 0,
  KSEG_CSV_YMD = 1, /* YYYY-MM-DD: a = year, b = month, c = day */
  KSEG_CSV_XYY = 2  /* A-B-YYYY (day-first or month-first): a, b, c = year */
} kseg_csv_date_shape;

/* Shape and the three numbers of a date-like field (the calendar is not
 * checked here). */
kseg_csv_date_shape kseg_csv_parse_date(const char *s, size_t len, int *a, int *b, int *c);

/* 1 when y-m-d is a valid Gregorian date with 1 <= y <= 9999. */
int kseg_csv_valid_date(int y, int m, int d);

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian). */
int64_t kseg_csv_days_from_civil(int y, int m, int d);
/* The inverse: the proleptic Gregorian date of `days` since 1970-01-01. */
void kseg_csv_civil_from_days(int64_t days, int *y, int *m, int *d);

/* Per-column evidence gathered while scanning (pass 1). */
typedef struct kseg_csv_colstats {
  int64_t n_present, n_missing;
  int64_t max_len;                 /* longest non-missing value, bytes */
  int numeric, ymd, dmy, mdy;      /* 1 while every non-missing value fits */
  int overflow;                    /* more than KSEG_CSV_MAX_LEVELS distinct values */
  int32_t n_levels;                /* distinct values seen (when !overflow) */
  int32_t slots;                   /* hash table size */
  char **table;                    /* open addressing, NUL-terminated copies */
  uint32_t *lens;                  /* their lengths, so probes skip strlen */
} kseg_csv_colstats;

void kseg_csv_stats_init(kseg_csv_colstats *s);
/* Account one field. KSEG_ERR_IO on out of memory. */
int kseg_csv_stats_add(kseg_csv_colstats *s, const char *v, size_t len);
void kseg_csv_stats_clear(kseg_csv_colstats *s);

/* Global evidence of one column, after combining the ranks. */
typedef struct kseg_csv_evidence {
  int64_t n_present;
  int numeric, ymd, dmy, mdy;
  int64_t n_levels; /* distinct values, or > KSEG_CSV_MAX_LEVELS */
} kseg_csv_evidence;

/* The kind of a column (rules above); *month_first is set for date columns
 * in the A-B-YYYY shape (0: DD-MM-YYYY, 1: MM-DD-YYYY). */
kseg_col_kind kseg_csv_infer(const kseg_csv_evidence *e, int *month_first);

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
  char delimiter;     /* 0: detect from the header */
  int64_t block_bytes;/* read size per rank; 0: 8 MiB */
} kseg_csv_options;

typedef struct kseg_csv_column_info {
  char *name;
  kseg_col_kind kind;
  int64_t missing;
  int32_t n_levels;  /* categorical */
  int32_t str_width; /* string */
  int month_first;   /* date in A-B-YYYY shape written month first */
} kseg_csv_column_info;

typedef struct kseg_csv_summary {
  int64_t rows;
  int n_cols;
  kseg_csv_column_info *cols; /* n_cols, owned */
  char delimiter;
  int64_t bytes;  /* file size */
  double seconds; /* whole import, max over ranks */
  /* Root's seconds in header+scan, pass 1 (infer), pass 2 (convert), write. */
  double scan_seconds, infer_seconds, convert_seconds, write_seconds;
} kseg_csv_summary;

/* Import `in` into a new HDF5 file `out` (group /raw, layout in kseg_h5io.h,
 * plus attribute `source` on /raw). Every rank reads a byte range of the file
 * in blocks of opt->block_bytes; memory per rank is O(rows_local x columns)
 * for the converted table plus the block. The output is the same bytes for
 * any number of ranks. Bad input is KSEG_ERR_INPUT with one message naming
 * the file and line; then nothing is written and an existing `out` is left
 * as it was. On success *summary is filled (identical on every rank; free
 * with kseg_csv_summary_clear). Collective; the status is agreed. */
int kseg_csv_import(MPI_Comm comm, const char *in, const char *out, const kseg_csv_options *opt,
                    kseg_csv_summary *summary);

void kseg_csv_summary_clear(kseg_csv_summary *s);

#ifdef __cplusplus
}
#endif

#endif
