/* kseg_rfm.h - customers from transaction logs: a distributed RFM
 * (recency, frequency, monetary) aggregation into the raw table /raw.
 *
 * Input: one line per transaction with a customer id, a date and an amount
 * (optionally a quantity), as
 *   - delimited text with a header row (tab, comma or semicolon, as
 *     kseg_csv.h reads it: RFC 4180 quotes, CRLF, BOM, trimmed fields), or
 *   - whitespace-separated text with a header row (no tab, comma or semicolon
 *     in the header: fields are separated by runs of spaces or tabs, no
 *     quoting), such as CDNOW's cdnow_master.txt, or
 *   - an HDF5 raw table /raw (file name ending in .h5 or .hdf5), dates as
 *     kind "date" columns (days since 1970-01-01).
 * Columns are found by name (kseg_rfm_find_column) or named by options.
 *
 * Values in text:
 *   customer id  any non-empty text of at most KSEG_RFM_MAX_ID bytes, kept
 *                as written. When every id of the log is an integer written
 *                as one ([-]digits, at most 15 digits, exact in float64, no
 *                leading zero) the ids are numbers: the output column is
 *                numeric, sorted by value, and prints each id back as it was
 *                written. Otherwise (an id like "00042" is a code, not a
 *                number) every id is text, verbatim: the output column is a
 *                fixed-width string column sorted by byte order (shorter
 *                prefix first), "00042" and "42" are two customers.
 *   date         YYYYMMDD (8 digits), YYYY-MM-DD or YYYY/MM/DD, or A-B-YYYY
 *                (A/B/YYYY): day first unless some line is only valid month
 *                first (the import's rule, decided over the whole log; a log
 *                with lines of both kinds is refused, naming both lines).
 *   amount       a decimal number (kseg_csv_parse_number); quantity too.
 * A missing or unparseable value stops the run with KSEG_ERR_INPUT naming
 * the file and line (HDF5: the row); nothing is written then.
 *
 * Rule for returns and zero lines (per line, lines dated after the as-of day
 * are left out entirely, a calibration cut-off):
 *   amount >= 0  a purchase: counts for frequency, purchase days, first and
 *                last purchase (so recency and tenure); the amount adds to
 *                monetary_total (0 adds nothing).
 *   amount <  0  a return: subtracts from monetary_total (and its quantity
 *                from quantity_total) but is not a purchase: it does not
 *                count for frequency, purchase days, recency or tenure.
 * A customer with no purchase up to the as-of day (only returns, or only
 * later lines) is left out of the output and counted in the summary.
 *
 * Output columns (float64 unless said, in this order): <customer id column,
 * input name>, recency_days (as_of - last purchase), frequency (purchases),
 * purchase_days (distinct purchase days), monetary_total (net of returns),
 * monetary_mean (monetary_total / frequency), quantity_total (only when a
 * quantity column exists), tenure_days (as_of - first purchase),
 * mean_interpurchase_days ((last - first) / (purchase_days - 1), NaN for one
 * purchase day), first_purchase and last_purchase (kind "date"), R, F, M
 * (quintile scores 1-5, kseg_rfm_score), RFM (R*100 + F*10 + M) and RFM_cell
 * (categorical, the 125 levels "111".."555", code (R-1)*25+(F-1)*5+(M-1)).
 * The as-of day defaults to the day after the last date in the whole log.
 * Rows are sorted by customer id and the file is byte-identical for any
 * number of ranks: money and quantities are summed in exact fixed point
 * (kseg_fixed.h), the scores come from exact order statistics.
 */
#ifndef KSEG_RFM_H
#define KSEG_RFM_H

#include <mpi.h>
#include <stddef.h>
#include <stdint.h>

#include "kseg/kseg_csv.h"
#include "kseg/kseg_types.h"

#ifdef __cplusplus
extern "C" {
#endif

enum { KSEG_RFM_MAX_ID = 255 };

/* Roles of the input columns. */
typedef enum kseg_rfm_role {
  KSEG_RFM_CUSTOMER = 0,
  KSEG_RFM_DATE = 1,
  KSEG_RFM_AMOUNT = 2,
  KSEG_RFM_QUANTITY = 3
} kseg_rfm_role;

typedef struct kseg_rfm_options {
  const char *columns[4]; /* per role: a column name, or NULL to find it by name */
  int has_as_of;          /* 1: as_of below is used */
  int64_t as_of;          /* days since 1970-01-01 */
  int64_t block_bytes;    /* text read size per rank; 0: 8 MiB */
  int64_t round_items;    /* most records one rank sends per exchange round; 0: 1 Mi */
  char decimal;           /* decimal mark of amounts and quantities: '.' or ','; 0: decided from the
                             log's values, refused when they cannot tell (1.234 or 1,234 only) */
  int date_order;         /* kseg_csv_date_order for A-B-YYYY dates: 0 from the values (refused when
                             every one reads both ways), KSEG_CSV_ORDER_DMY or _MDY */
  kseg_csv_encoding encoding; /* of a text log (KSEG_CSV_UTF8 = 0: UTF-8); each line is converted to
                                 UTF-8, so string ids are UTF-8 in the output whatever the log's */
} kseg_rfm_options;

typedef struct kseg_rfm_summary {
  char *columns[4];       /* the input columns used (quantity NULL when none); owned */
  int string_ids;         /* 1: customer ids are strings */
  int month_first;        /* A-B-YYYY dates were read month first */
  int64_t lines;          /* transaction lines (rows) read */
  int64_t purchases, returns, after_as_of;
  int64_t customers;      /* rows written */
  int64_t dropped;        /* customers with no purchase up to as_of */
  int64_t first_day, last_day, as_of; /* days since 1970-01-01 */
  double monetary_total;  /* sum of the output's monetary_total */
  double quintiles[3][4]; /* cut points of recency (ascending: R uses -recency), frequency, monetary */
  int64_t bytes;          /* input file size */
  int64_t rounds;         /* exchange rounds for the transactions */
  double seconds, read_seconds, exchange_seconds, aggregate_seconds, sort_seconds, write_seconds; /* max over ranks */
} kseg_rfm_summary;

/* Aggregate the transaction log `in` into a new HDF5 file `out` (/raw, see
 * above). Every rank reads a byte range of a text log (or its row block of an
 * HDF5 table) and sends each transaction to the rank owning its customer
 * (hash of the id modulo the rank count) with MPI_Alltoallv in rounds of at
 * most opt->round_items records; each rank aggregates its customers, which
 * are then sample-sorted by id and redistributed into the kseg_partition
 * blocks before one collective write. Memory per rank is O(transactions per
 * rank + customers per rank). On failure nothing is written and an existing
 * `out` is untouched. *s is filled on success (identical on every rank; free
 * with kseg_rfm_summary_clear). Collective; the status is agreed. */
int kseg_rfm_run(MPI_Comm comm, const char *in, const char *out, const kseg_rfm_options *opt,
                 kseg_rfm_summary *s);
void kseg_rfm_summary_clear(kseg_rfm_summary *s);

/* ---- pure pieces (Local) ---- */

/* Index among names[0..n) of the column for `role`: exact name `want` when
 * given (else a case-insensitive match), or else the first of the role's
 * candidates compared without case, '_', '-' and spaces:
 *   customer  customer_id, customerid, cust_id, customer, client_id, user_id, member_id
 *   date      date, invoicedate, order_date, transaction_date, purchase_date
 *   amount    amount, dollar_value, value, revenue, sales, total, spend, monetary
 *   quantity  quantity, number_of_cds, qty, units, items
 * -1 when none matches. */
int kseg_rfm_find_column(const char *const *names, int n, kseg_rfm_role role, const char *want);

/* A date of the log: YYYYMMDD, YYYY-MM-DD (or '/'), or A-B-YYYY read day
 * first (month_first 0) or month first (1). 1 and *days (since 1970-01-01)
 * when valid, else 0. */
int kseg_rfm_parse_day(const char *s, size_t len, int month_first, int64_t *days);

/* Exact quintile cut points of the values x[0..n) held by every rank
 * (finite, no NaN): q[k] = the smallest value v with at least
 * ceil((k+1) * N / 5) values <= v, k = 0..3, N the global count (exact order
 * statistics by radix selection on the order-preserving 64-bit image of the
 * doubles: four passes of 16-bit digit histograms, each one reduction, so
 * any partition gives the same bits). q = NaN when N = 0. Collective. */
int kseg_rfm_quintiles(MPI_Comm comm, const double *x, int64_t n, double q[4]);
/* The same for m <= 8 arrays of n values each, sharing the reductions. */
int kseg_rfm_quintiles_many(MPI_Comm comm, const double *const *x, int m, int64_t n, double (*q)[4]);

/* Score 1..5 of v (higher is better) against cut points q:
 * 1 + #{k : v > q[k]}. Ties share a score, the lowest of the quintiles they
 * span, so a value that fills more than a fifth skips levels (CDNOW's
 * one-purchase customers are all F = 1, two purchases F = 3). Local. */
int kseg_rfm_score(double v, const double q[4]);

#ifdef __cplusplus
}
#endif

#endif
