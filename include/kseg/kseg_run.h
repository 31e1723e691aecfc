/* kseg_run.h - the main job as one library call: import (or read a raw
 * HDF5 table) -> prep -> sweep (scored per k by the campaign plan when a
 * target exists) -> fit at the recommended k -> profile and campaign plan ->
 * model, labels and segments.csv, optionally retrained from an old model.
 *
 * Every step is collective and agreed; a failure returns the status with a
 * message that names the step ("run: prep: ..."). All outputs are written
 * into a private staging directory inside DIR and moved into DIR only when
 * every one of them is complete, so a failed run leaves the previous
 * outputs of DIR as they were. Layout and rules: docs/run.md.
 */
#ifndef KSEG_RUN_H
#define KSEG_RUN_H

#include <mpi.h>
#include <stdbool.h>
#include <stdint.h>

#include "kseg/kseg_autoencoder.h"
#include "kseg/kseg_csv.h"
#include "kseg/kseg_plan.h"
#include "kseg/kseg_prep.h"
#include "kseg/kseg_profile.h"
#include "kseg/kseg_rules.h"
#include "kseg/kseg_rfm.h"
#include "kseg/kseg_warmstart.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Progress: one line per step, the same calls on every rank. */
typedef void (*kseg_run_progress_fn)(void *ctx, const char *message);

typedef struct kseg_run_options {
  const char *in;           /* customers: CSV, or an HDF5 file with /raw; or a transaction log */
  bool transactions;        /* `in` is a transaction log: aggregate it per customer (kseg_rfm_run) first */
  kseg_rfm_options rfm;     /* with transactions: the log's date, amount and quantity columns
                               (rfm.columns[1..3]) and the as-of day; the customer id column, decimal
                               mark, date order and encoding come from csv below */
  const char *out_dir;      /* created when missing (its parent must exist) */
  int64_t k_min, k_max;     /* sweep range (default 2:10) */
  bool k_fixed;             /* the caller fixed k (k_min == k_max) or the range */
  int64_t min_segments;     /* smallest k that may be recommended (default 3) */
  int64_t max_segments;     /* largest k that may be recommended (default 8) */
  const char *warm_start;   /* old model.h5 or NULL */
  kseg_prep_recipe recipe;  /* KSEG_RECIPE_AUTO by default */
  int n_init;               /* restarts per k in the sweep and the final fit (default 10) */
  int gap_b;                /* gap statistic reference sets in the sweep (default 5, 0 = off) */
  int stability_b;          /* stability subsamples in the sweep (default 0 = off: each refits n_init times) */
  int64_t sweep_sample;     /* the sweep runs on a seeded sample of this many customers and the chosen k is
                               then fitted on all of them; 0: sweep every customer; < 0 (default): a sample of
                               KSEG_RUN_SAMPLE_ROWS when there are more than KSEG_RUN_SAMPLE_ABOVE */
  uint64_t seed;
  const char *target;       /* 0/1 column for the profile's rate and lift and the campaign plan (NULL:
                               Response when present); never a feature (kseg_prep_options.target) */
  kseg_plan_options plan;   /* campaign economics and folds (zero: from the table, 5 folds) */
  int rule_leaves;          /* leaves of the segment rules' tree, k..4k (0: 2k); kseg_rules.h */
  const char *currency;     /* shown on every money figure (EUR, USD, $ ...), or NULL */
  kseg_csv_options csv;     /* how a CSV `in` is read: delimiter, decimal mark, encoding, date order,
                               missing markers, id column (also for an HDF5 `in`), strict */
  kseg_prep_options prep;   /* impute, outliers, log1p, scale, columns, exclude (recipe and target
                               come from the fields above) */
  double pca;               /* > 0: project on PCA (N components, or the fewest explaining a fraction) */
  const kseg_ae_options *autoencoder; /* non-NULL: project with an autoencoder instead (checked options) */
  bool force;               /* fit even with fewer than 10 customers per candidate segment */
  kseg_run_progress_fn progress;
  void *progress_ctx;
} kseg_run_options;

/* The default sweep sample: 1,000,000 customers when there are more than
 * 2,000,000. */
#define KSEG_RUN_SAMPLE_ROWS 1000000
#define KSEG_RUN_SAMPLE_ABOVE 2000000

typedef struct kseg_run_result {
  int64_t rows, features;
  char *id_column;           /* NULL: segments.csv has a `row` column */
  char *recipe;
  int64_t recommended_k;     /* the choice: the k that pays, else the internal metrics' vote */
  int k;                     /* segments fitted */
  char recommendation[1024];
  kseg_plan_k_choice choice; /* both choices and the rule that decided (docs/plan.md) */
  char internal_recommendation[1024]; /* the internal metrics' vote, in words */
  double inertia;
  int n_iter;
  bool converged;
  double silhouette;         /* at k, from the sweep (NaN if not computed) */
  int64_t sweep_rows;        /* customers the sweep ran on (a sample when fewer than rows) */
  bool sweep_sampled_by_default; /* the sample came from the default rule, not from sweep_sample */
  kseg_profile *profile;     /* owned */
  kseg_rules *rules;         /* owned; NULL when no feature can carry rules (rules_note says why) */
  char rules_note[1024];
  bool warm;                 /* retrained from opt->warm_start */
  int warm_empty;            /* old segments that got nobody (k-means++ fallback) */
  kseg_drift drift;          /* when warm */
  int n_notes;
  char **notes;              /* warnings for people (the import's, columns left out of the features,
                                the k range cut to the customers), identical on every rank; owned */
  double seconds;            /* whole run, max over ranks */
  double step_seconds[8];    /* input, prep, sweep, fit, profile, rules, write, commit */
} kseg_run_result;

/* Defaults as documented above. Local. */
void kseg_run_options_default(kseg_run_options *opt);

/* Run the pipeline; on success *out is filled (free with
 * kseg_run_result_clear) and DIR holds raw.h5, features.h5, sweep.h5,
 * model.h5, result.h5, segments.csv, profiles.csv/.json/.h5, plan.json,
 * plan.csv (with a target), rules.json/.txt/.sql and, with a warm start,
 * drift.json (segments.csv
 * then has a previous_segment column). The campaign plan is
 * out->profile->plan; each segment's decision is in model.h5 and in
 * segments.csv when the plan makes decisions. The
 * outputs of an earlier run that this one does not write (drift.json,
 * report.html and plots/, which the caller renders afterwards) are removed
 * when the new ones are moved in. A table with fewer than 10 customers per
 * segment at the smallest candidate k is refused (KSEG_ERR_INPUT) unless
 * opt->force; larger ks are left out of the sweep until each has 10 on
 * average. Collective; status agreed. */
int kseg_run_pipeline(MPI_Comm comm, const kseg_run_options *opt, kseg_run_result *out);

void kseg_run_result_clear(kseg_run_result *r);

#ifdef __cplusplus
}
#endif

#endif
