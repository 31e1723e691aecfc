/* kseg_plan.h - from segments to a campaign plan: the campaign economics
 * (contact cost, revenue per response), each segment's response rate with a
 * 95 % Wilson interval, a contact decision per segment, the plan (segments
 * ranked by rate, cumulative customers, responses, cost, revenue, profit),
 * and K-fold cross-validation of the plan's profit - or, without economics,
 * of the responses captured in the top 20 % of customers - which also scores
 * each k of a sweep and picks the k that pays. Every formula and rule:
 * docs/plan.md.
 *
 * Distributed and exact: a labelling is reduced to integer counts per
 * (segment, fold) - customers with a known target and responders - by one
 * MPI reduction (kseg_plan_count); everything after that is computed from the
 * counts alone, in a fixed order, identically on every rank. A row's fold
 * comes from a hash of its global row index (kseg_plan_fold), so folds, and
 * every number here, are the same for any number of ranks and threads.
 */
#ifndef KSEG_PLAN_H
#define KSEG_PLAN_H

#include <mpi.h>
#include <stdbool.h>
#include <stdint.h>

#include "kseg/kseg_types.h"

#ifdef __cplusplus
extern "C" {
#endif

#define KSEG_PLAN_DEFAULT_FOLDS 5
#define KSEG_PLAN_MAX_FOLDS 1000 /* counts are segments x folds: a bound keeps them small */
#define KSEG_PLAN_TOP_SHARE 0.2  /* without economics: the share of customers contacted */
#define KSEG_PLAN_Z95 1.959963984540054 /* the standard normal's 97.5 % quantile */

typedef enum kseg_plan_source {
  KSEG_PLAN_ECON_NONE = 0,  /* no economics: rates and lifts only, no money */
  KSEG_PLAN_ECON_FLAGS = 1, /* --contact-cost and --response-revenue */
  KSEG_PLAN_ECON_TABLE = 2  /* the table's constant Z_CostContact / Z_Revenue columns */
} kseg_plan_source;

/* What the caller gives; all zero means: economics from the table when it has
 * them, 5 folds. */
typedef struct kseg_plan_options {
  bool cost_given, revenue_given; /* both or neither: one alone is KSEG_ERR_INPUT */
  double contact_cost;            /* per contact, > 0 and finite */
  double response_revenue;        /* per response, > 0 and finite */
  int cv_folds;                   /* 0: KSEG_PLAN_DEFAULT_FOLDS; else 2..KSEG_PLAN_MAX_FOLDS */
  const char *currency;           /* shown on the plan's money figures (EUR, USD, $ ...), or NULL */
} kseg_plan_options;

/* The target, economics and folds of a table, resolved and checked once
 * (kseg_plan_prepare); identical on every rank. */
typedef struct kseg_plan_setup {
  char *target;             /* the 0/1 column; NULL: the table has none (no plan) */
  int target_col;           /* its index in the table, -1 without */
  int64_t rows;             /* customers in the table */
  int64_t known;            /* of them with a target value (0 or 1); the plan counts these */
  int64_t responders;       /* of them with target 1 */
  kseg_plan_source source;
  double contact_cost, response_revenue; /* NaN without economics */
  int folds;
  char currency[16];        /* "" or the currency shown on money figures ("EUR", "$") */
  char note[512];           /* "" or one sentence for people (a warning: no responders, table economics
                               not usable, ...) */
} kseg_plan_setup;

/* Resolve the target (`target`, or NULL: "Response" when the table has a
 * numeric column of that name), the economics (the options' flags, else the
 * table's Z_CostContact / Z_Revenue when both are numeric and constant over
 * every rank's rows) and the folds, and count known rows and responders.
 * Errors (KSEG_ERR_INPUT, message naming the flag or column): a named target
 * that is missing or not numeric; a target with values other than 0 and 1
 * (or none at all); a cost or revenue flag that is not a positive finite
 * number, or one without the other; cv_folds outside 2..KSEG_PLAN_MAX_FOLDS,
 * or above the number of responders when there are responders. A target with
 * no responders or only responders is not an error: setup->note says no
 * profit is claimed. Collective; status agreed. Free with
 * kseg_plan_setup_clear. */
int kseg_plan_prepare(MPI_Comm comm, const kseg_table *raw, const char *target, const kseg_plan_options *opt,
                      kseg_plan_setup *setup);

void kseg_plan_setup_clear(kseg_plan_setup *s);

/* Deep copy of a setup (free with kseg_plan_setup_clear). Local. */
int kseg_plan_setup_copy(const kseg_plan_setup *from, kseg_plan_setup *to);

/* 1: profit is claimed - economics given and the target has both responders
 * and non-responders. Local. */
bool kseg_plan_has_money(const kseg_plan_setup *s);

/* "flags", "table" or "none" (a stored value), and the sentence every output
 * quotes ("from the table's Z_CostContact / Z_Revenue"). Local. */
const char *kseg_plan_source_name(kseg_plan_source source);
const char *kseg_plan_source_text(kseg_plan_source source);

/* The cross-validation fold of global row `row`: the splitmix64 finaliser of
 * the row index (kseg_hash.h) modulo folds. Local. */
int kseg_plan_fold(int64_t row, int folds);

/* ---- counts: one labelling, or many in one reduction ---- */

/* Cells of one labelling with k segments: 2 x k x folds int64, cell
 * (s, f) at [2 (s folds + f)] customers with a known target and at
 * [2 (s folds + f) + 1] responders. */
static inline int64_t kseg_plan_cells(int k, int folds) { return 2 * (int64_t)k * folds; }

/* Add this rank's rows to cells (zero it first for a fresh count): labels
 * [raw->n_local] in [0, k). Rows with a missing target count nowhere. A label
 * outside [0, k) is KSEG_ERR_INPUT naming the row. Without a target nothing
 * is added. OpenMP-parallel; Local. */
int kseg_plan_tally(const kseg_plan_setup *s, const kseg_table *raw, const int32_t *labels, int k, int64_t *cells);

/* Tally, then the one reduction (sum over ranks). cells: kseg_plan_cells(k,
 * folds) values, caller-allocated. Collective; status agreed. */
int kseg_plan_count(MPI_Comm comm, const kseg_plan_setup *s, const kseg_table *raw, const int32_t *labels, int k,
                    int64_t *cells);

/* ---- cross-validation ---- */

typedef enum kseg_plan_score_kind {
  KSEG_PLAN_SCORE_NONE = 0,     /* no target, or it has a single outcome */
  KSEG_PLAN_SCORE_PROFIT = 1,   /* with economics: cv_profit */
  KSEG_PLAN_SCORE_CAPTURED = 2  /* without: responses captured in the top 20 % of customers */
} kseg_plan_score_kind;

/* The cross-validated score of one labelling: for each fold f, rates and
 * decisions come from the other folds' counts and are applied to fold f. */
typedef struct kseg_plan_cv {
  kseg_plan_score_kind kind;
  int folds;
  double total;     /* the sum over the held-out folds (NaN for NONE) */
  double sd;        /* sample standard deviation of the fold values (F - 1 in the denominator) */
  double se;        /* standard error of total: sqrt(F) x sd */
  double baseline;  /* what total must beat to earn anything: 0 (PROFIT), or the responses random
                       targeting of 20 % captures, 0.2 x responders (CAPTURED) */
  double contacted; /* held-out customers contacted, summed over folds (CAPTURED: fractional) */
} kseg_plan_cv;

/* The score of a labelling from its counts; fold_values[folds] (may be NULL)
 * receives each fold's value. Local. */
void kseg_plan_cross_validate(const kseg_plan_setup *s, int k, const int64_t *cells, kseg_plan_cv *cv,
                              double *fold_values);

/* "cv_profit", "cv_captured" or "" - the stored name of the score. Local. */
const char *kseg_plan_score_name(kseg_plan_score_kind kind);

/* ---- the plan of one labelling ---- */

typedef enum kseg_plan_decision {
  KSEG_PLAN_NO_DECISION = 0, /* no economics, or no profit claims */
  KSEG_PLAN_CONTACT = 1,     /* the whole 95 % interval lies above break-even */
  KSEG_PLAN_TEST = 2,        /* the interval contains the break-even rate */
  KSEG_PLAN_SKIP = 3         /* the whole interval lies below it */
} kseg_plan_decision;

/* "contact", "test", "skip" or "". Local. */
const char *kseg_plan_decision_name(kseg_plan_decision d);

typedef struct kseg_plan_segment {
  int64_t customers;       /* with a known target */
  int64_t responders;
  double rate;             /* responders / customers; NaN when customers == 0 */
  double rate_low, rate_high; /* 95 % Wilson interval, clamped to [0, 1]; NaN when customers == 0 */
  double lift;             /* rate / the base's rate; NaN when that is 0 or undefined */
  double expected_profit;  /* responders R - customers C = n (rate R - C); NaN without money */
  kseg_plan_decision decision;
  bool contact;            /* in the plan: rate above break-even (with money only) */
} kseg_plan_segment;

/* One k of a sweep scored by the plan (kseg run). */
typedef struct kseg_plan_k_row {
  int64_t k;
  kseg_plan_cv cv;
  int segments_contacted;       /* the in-sample plan at this k (0 without money) */
  int64_t customers_contacted;
  double expected_profit;       /* NaN without money */
} kseg_plan_k_row;

/* The choice of k: the business rule, or the internal metrics' vote. */
typedef struct kseg_plan_k_choice {
  int64_t k;          /* the recommendation */
  int64_t k_internal; /* what the internal metrics alone pick */
  int64_t k_business; /* the business rule's k; -1 when it does not apply */
  int64_t k_best;     /* the candidate with the highest score; -1 */
  kseg_plan_score_kind kind;
  char rule[1024];    /* which rule chose k, and why the two choices differ */
} kseg_plan_k_choice;

typedef struct kseg_plan {
  int k;
  kseg_plan_setup setup;   /* owned copy */
  bool money;              /* kseg_plan_has_money(&setup) */
  double break_even_rate;  /* C / R; NaN without economics */
  kseg_plan_segment *segments; /* k + 1: the segments, then the base */
  int *order;              /* k: segment ids by rate, highest first (ties: the smaller id; no known
                              customer: last) */
  int n_contacted;         /* the plan contacts order[0 .. n_contacted) */
  int64_t customers_contacted, responders_contacted;
  double expected_profit;  /* of the plan; NaN without money */
  double profit_contact_all; /* responders R - known C; NaN without money */
  double top_captured;     /* responses in the top 20 % of customers by segment rate, in sample */
  kseg_plan_cv cv;
  double *cv_fold;         /* cv.folds values: each held-out fold's profit (or captured responses) */
  /* set by kseg_plan_attach_sweep (kseg run), else n_by_k == 0 */
  bool has_choice;
  kseg_plan_k_choice choice;
  int64_t n_by_k;
  kseg_plan_k_row *by_k;
  char summary[1024];      /* one sentence: whom to contact, what it returns, how sure */
} kseg_plan;

/* The plan of a labelling with k segments from its counts (kseg_plan_count).
 * Without a target the plan holds the setup and a summary only. Local;
 * *out identical on every rank given identical counts; free with
 * kseg_plan_free. KSEG_ERR_IO when out of memory. */
int kseg_plan_build(const kseg_plan_setup *s, int k, const int64_t *cells, kseg_plan **out);

/* kseg_plan_count + kseg_plan_build. Collective; status agreed. */
int kseg_plan_compute(MPI_Comm comm, const kseg_plan_setup *s, const kseg_table *raw, const int32_t *labels, int k,
                      kseg_plan **out);

/* The k rule: among rows[0..n) with min_k <= k <= max_k, the k with the
 * largest cv total (ties: the smaller k); then the smallest candidate whose
 * total is at least that total minus its standard error. The internal vote
 * k_internal stands when there is no score (no target, one outcome, a single
 * responder), no candidate was scored, or the best total does not beat its
 * baseline (no k earns anything out of sample). s words the reasons. Local. */
void kseg_plan_choose_k(const kseg_plan_setup *s, const kseg_plan_k_row *rows, int64_t n, int64_t min_k,
                        int64_t max_k, int64_t k_internal, kseg_plan_k_choice *out);

/* Record the sweep's per-k rows and the choice in the plan (copied), for
 * plan.json. Local. */
int kseg_plan_attach_sweep(kseg_plan *p, const kseg_plan_k_row *rows, int64_t n, const kseg_plan_k_choice *choice);

/* The in-sample columns of a k row from the plan at that k. Local. */
void kseg_plan_k_row_fill(const kseg_plan *p, int64_t k, kseg_plan_k_row *row);

/* plan.json's text (caller frees); names[k] the segment names or NULL.
 * Local. */
int kseg_plan_json(const kseg_plan *p, const char *const *names, char **text);

/* Write plan.csv (the ranked, cumulative table; only with a target) and
 * plan.json, each under a temporary name renamed when both are complete;
 * csv_path NULL or a plan without a target: only the JSON, and an old
 * csv_path is left to the caller. The root writes. Collective; status
 * agreed. */
int kseg_plan_write(MPI_Comm comm, const kseg_plan *p, const char *const *names, const char *csv_path,
                    const char *json_path);

/* NULL-safe; sets *p = NULL. */
void kseg_plan_free(kseg_plan **p);

#ifdef __cplusplus
}
#endif

#endif
