/* kseg_profile.h - segment profiles in original units: size, share, means,
 * medians and indices of every numeric column, level shares of categorical
 * columns, spend share, target rate with its 95 % interval and lift, the
 * campaign economics per segment (break-even rate, expected profit, contact
 * decision: kseg_plan.h), a short name and a suggested action per segment
 * (rules in docs/profile.md and docs/plan.md).
 *
 * Everything is computed from local partials and reductions (exact
 * fixed-point sums, exact order statistics for medians), so a profile is the
 * same bits for any number of ranks or threads, and no rank holds more than
 * its own rows plus O(K x columns) numbers.
 */
#ifndef KSEG_PROFILE_H
#define KSEG_PROFILE_H

#include <mpi.h>
#include <stdint.h>
#include <stdio.h>

#include "kseg/kseg_plan.h"
#include "kseg/kseg_types.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct kseg_profile_options {
  /* 0/1 column whose rate and lift are reported: NULL takes "Response" when
   * the table has it (else no target); a named column that is absent or not
   * 0/1 is KSEG_ERR_INPUT. Names are found without ASCII case when no name
   * matches exactly. A column without any value is left out of the metrics. */
  const char *target;
  /* the campaign economics and folds (kseg_plan.h); all zero: economics from
   * the table's Z_CostContact / Z_Revenue when constant, else none; 5 folds */
  kseg_plan_options plan;
  /* currency shown on money figures in actions (EUR, USD, $ ...), or NULL */
  const char *currency;
} kseg_profile_options;

typedef enum kseg_profile_metric_kind {
  KSEG_PROFILE_VALUE = 0, /* mean, median, index of the mean */
  KSEG_PROFILE_RATE = 1,  /* a 0/1 column: rate (mean) and index */
  KSEG_PROFILE_MIX = 2    /* share of a total (spend or purchases) and index */
} kseg_profile_metric_kind;

/* One profiled quantity. Arrays have n_segments + 1 entries: the segments,
 * then the whole base ("all"). */
typedef struct kseg_profile_metric {
  char *name;    /* column (or derived column) name */
  kseg_profile_metric_kind kind;
  int derived;   /* 1: a marketing-recipe derived column, not in /raw */
  double *mean;  /* VALUE: mean; RATE: rate; MIX: share of the segment's total */
  double *median;/* VALUE only (NULL otherwise) */
  double *index; /* mean / base mean x 100 (NaN when the base mean is not > 0) */
  int64_t *count;/* non-missing values */
} kseg_profile_metric;

/* Level shares of one categorical column: share[s * n_levels + l] is the
 * fraction of segment s's customers at level l (missing values count in the
 * denominator only). */
typedef struct kseg_profile_levels {
  char *name;
  int n_levels;
  char **levels;
  double *share; /* (n_segments + 1) x n_levels */
} kseg_profile_levels;

typedef struct kseg_profile {
  int n_segments;      /* K; row K of every array is the base */
  int64_t n_rows;
  int64_t *size;       /* K + 1 */
  double *share;       /* K + 1: size / n_rows */
  char *spend_column;  /* "Total_Spent", "Mnt* (sum)" or NULL: no spend total */
  double *spend_share; /* K + 1 (NULL without spend): segment spend / total spend */
  char *target;        /* NULL: no target */
  double *target_rate; /* K + 1 (NULL without target) */
  double *lift;        /* K + 1: rate / base rate */
  int n_metrics;
  kseg_profile_metric *metrics;
  int n_categorical;
  kseg_profile_levels *categorical;
  int marketing;       /* 1: the Customer Personality columns were present */
  char *currency;      /* money figures' currency, or NULL */
  char **names;        /* K + 1 (the base is "all") */
  char **actions;      /* K + 1 (the base's is "") */
  kseg_plan *plan;     /* the campaign plan of these segments (owned): rates with 95 % intervals,
                          break-even, expected profit and decisions when economics exist; its
                          setup.target is NULL without a target */
} kseg_profile;

/* Profile K segments: `raw` is this rank's row block (kseg_h5_read_table) and
 * labels[raw->n_local] the segments of the same rows, each in [0, k). Errors
 * (KSEG_ERR_INPUT): a label outside [0, k) (names the row), k < 1, a target
 * that is absent or not a 0/1 column, an infinite value in a profiled
 * column, bad economics or folds (kseg_plan_prepare). A table without
 * numeric columns still gets sizes and level shares. Collective; status agreed. *out is identical on every rank; free it with
 * kseg_profile_free. */
int kseg_profile_compute(MPI_Comm comm, const kseg_table *raw, const int32_t *labels, int k,
                         const kseg_profile_options *opt, kseg_profile **out);

/* Write the profile as `csv_path` plus, beside it with the same stem,
 * `.json` and `.h5` (group /profile). Each file is written under a temporary
 * name and renamed once all three are complete; on failure no new file is
 * left and old ones are untouched. The root writes the CSV and JSON.
 * Collective; status agreed. */
int kseg_profile_write(MPI_Comm comm, const kseg_profile *p, const char *csv_path);

/* The JSON text written by kseg_profile_write (owned by the caller: free).
 * Local. */
int kseg_profile_json(const kseg_profile *p, char **text);

/* Segment s's name / action (s == n_segments: the base, "all" / ""). Local;
 * owned by p. */
const char *kseg_profile_segment_name(const kseg_profile *p, int s);
const char *kseg_profile_segment_action(const kseg_profile *p, int s);

/* A short human table (size, share, a few key means, target rate, lift, name)
 * followed by one action line per segment, into `f`. Local. */
int kseg_profile_print(const kseg_profile *p, FILE *f);

/* NULL-safe; sets *p = NULL. */
void kseg_profile_free(kseg_profile **p);

/* ---- words and money (docs/profile.md); Local ---- */

/* A column name as lower-case words: SNAKE_CASE, kebab-case and camelCase
 * split ("CASH_ADVANCE_TRX" -> "cash advance trx", "NumWebVisitsMonth" ->
 * "num web visits month"); digits stay with their word ("x291"). */
void kseg_profile_words(const char *column, char *buf, size_t len);

/* 1 when the column holds amounts of money: the known tables' money columns
 * (Income, Total_Spent, Mnt*, the CC GENERAL amounts, monetary_*), else by
 * its words (income, spent, balance, payment, limit, advance, amount, ...),
 * never a count, frequency, rate or share (NumWebPurchases,
 * PURCHASES_FREQUENCY). */
int kseg_profile_is_money(const char *column);

/* An amount with its currency: "EUR 61,500" for a letter code, "$61,500"
 * for a symbol, the number alone when currency is NULL or "". money_text
 * takes the number already written; money writes v with `decimals`
 * decimals and thousands separators. */
void kseg_profile_money_text(const char *number, const char *currency, char *buf, size_t len);
void kseg_profile_money(double v, int decimals, const char *currency, char *buf, size_t len);

#ifdef __cplusplus
}
#endif

#endif
