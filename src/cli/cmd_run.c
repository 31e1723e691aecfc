/* cmd_run.c - `kseg run`: the whole pipeline (kseg_run_pipeline), then the
 * HTML report and the segment table. */
#include <limits.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "cli/kseg_config.h" /* generated: <build>/generated/cli/ */
#include "kseg/kseg_comm.h"
#include "kseg/kseg_error.h"
#include "kseg/kseg_run.h"

static void progress(void *ctx, const char *message)
{
  kseg_cli_progress((const kseg_cli *)ctx, "run: %s", message);
}

/* The report renderer, first found of: $KSEG_REPORT (alone when set); the
 * installed one, at its configured place relative to this kseg's directory
 * (cmake --install; the prefix may have moved); the source tree's, for the
 * build tree's kseg wherever the build folder is; kseg-report on PATH.
 * 1 when found; 0 with a warning that says where it looked. */
static int find_report(const kseg_cli *cli, char *path, size_t len)
{
  const char *override = getenv("KSEG_REPORT");
  if (override && *override) {
    snprintf(path, len, "%s", override);
    if (access(path, R_OK) == 0) return 1;
    kseg_cli_warn(cli, "no report: KSEG_REPORT=%s is not a readable file", override);
    return 0;
  }
  char exe[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n > 0) {
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (slash) {
      *slash = '\0';
      snprintf(path, len, "%s/%s", exe, KSEG_REPORT_FROM_BINDIR);
      if (access(path, R_OK) == 0) return 1;
    }
  }
  snprintf(path, len, "%s", KSEG_REPORT_BUILD_TREE);
  if (access(path, R_OK) == 0) return 1;
  const char *env = getenv("PATH");
  char *copy = env ? strdup(env) : NULL;
  for (char *save = NULL, *dir = copy ? strtok_r(copy, ":", &save) : NULL; dir; dir = strtok_r(NULL, ":", &save)) {
    snprintf(path, len, "%s/kseg-report", dir);
    if (access(path, R_OK) == 0) {
      free(copy);
      return 1;
    }
  }
  free(copy);
  kseg_cli_warn(cli, "no report: kseg-report was not found (not installed beside this kseg as %s, no %s, not on "
                     "PATH); set KSEG_REPORT=/path/to/kseg-report", KSEG_REPORT_FROM_BINDIR, KSEG_REPORT_BUILD_TREE);
  return 0;
}

/* Root: render DIR/report.html. The report is a view of outputs that are
 * already complete, so a missing Python or plotting library is a warning
 * with the fix, not a failed run. */
static void run_report(const kseg_cli *cli, const char *dir, int *made)
{
  *made = 0;
  if (cli->rank != 0) return;
  char script[PATH_MAX + 32];
  const char *py = "/usr/bin/python3";
  if (!find_report(cli, script, sizeof script)) return;
  if (access(py, X_OK) != 0) {
    kseg_cli_warn(cli, "no report: %s is missing; install it with `apt-get install python3 python3-h5py "
                       "python3-matplotlib`, then run `%s %s`", py, script, dir);
    return;
  }
  char quoted[3 * PATH_MAX + 256];
  /* single-quoted arguments; a quote inside a path ends the quote, escapes
   * itself and reopens it */
  size_t o = 0;
  const char *parts[3] = {py, script, dir};
  for (int p = 0; p < 3 && o + 8 < sizeof quoted; p++) {
    quoted[o++] = '\'';
    for (const char *s = parts[p]; *s && o + 8 < sizeof quoted; s++) {
      if (*s == '\'') {
        memcpy(quoted + o, "'\\''", 4);
        o += 4;
      } else {
        quoted[o++] = *s;
      }
    }
    quoted[o++] = '\'';
    quoted[o++] = ' ';
  }
  snprintf(quoted + o, sizeof quoted - o, "%s", cli->verbose ? "" : ">/dev/null 2>&1");
  fflush(NULL);
  int rc = system(quoted);
  if (rc == 0) {
    *made = 1;
    return;
  }
  const int code = WIFEXITED(rc) ? WEXITSTATUS(rc) : rc;
  if (code == 3) /* the script's status for a missing h5py/matplotlib */
    kseg_cli_warn(cli, "no report: h5py or matplotlib is missing; install them with `apt-get install python3-h5py "
                       "python3-matplotlib`, then run `%s %s %s`", py, script, dir);
  else
    kseg_cli_warn(cli, "the report failed (%s exit %d); the other outputs are complete. Rerun it with `%s %s %s`",
                  script, code, py, script, dir);
}

/* The campaign plan in the run's JSON: what plan.json says, in short. */
static void plan_json(kseg_json *j, const kseg_plan *p)
{
  const kseg_plan_setup *s = &p->setup;
  kseg_json_open_object(j, "plan");
  if (s->target) kseg_json_str(j, "target", s->target);
  else kseg_json_null(j, "target");
  kseg_json_str(j, "economics_source", kseg_plan_source_name(s->source));
  kseg_json_str(j, "economics", kseg_plan_source_text(s->source));
  kseg_json_num(j, "contact_cost", s->contact_cost);
  kseg_json_num(j, "response_revenue", s->response_revenue);
  kseg_json_num(j, "break_even_rate", p->break_even_rate);
  kseg_json_bool(j, "profit_claims", p->money);
  if (p->money) {
    kseg_json_open_array(j, "segments_contacted");
    for (int i = 0; i < p->n_contacted; i++) kseg_json_array_int(j, p->order[i]);
    kseg_json_close_array(j);
    kseg_json_int(j, "customers_contacted", p->customers_contacted);
  } else {
    kseg_json_null(j, "segments_contacted");
    kseg_json_null(j, "customers_contacted");
  }
  kseg_json_num(j, "expected_profit", p->expected_profit);
  kseg_json_num(j, "profit_contact_all", p->profit_contact_all);
  kseg_json_int(j, "cv_folds", p->cv.folds);
  kseg_json_str(j, "cv_score", kseg_plan_score_name(p->cv.kind));
  const bool profit = p->cv.kind == KSEG_PLAN_SCORE_PROFIT, captured = p->cv.kind == KSEG_PLAN_SCORE_CAPTURED;
  kseg_json_num(j, "cv_profit", profit ? p->cv.total : NAN);
  kseg_json_num(j, "cv_profit_sd", profit ? p->cv.sd : NAN);
  kseg_json_num(j, "cv_profit_se", profit ? p->cv.se : NAN);
  kseg_json_num(j, "cv_captured", captured ? p->cv.total : NAN);
  kseg_json_num(j, "cv_captured_se", captured ? p->cv.se : NAN);
  kseg_json_str(j, "summary", p->summary);
  kseg_json_str(j, "note", s->note);
  kseg_json_close_object(j);
}

static void print_json(const kseg_cli *cli, const kseg_run_options *o, const kseg_run_result *r, int made)
{
  kseg_json j;
  kseg_json_begin(&j, KSEG_JSON_COMPACT);
  kseg_json_str(&j, "command", "run");
  kseg_json_str(&j, "input", o->in);
  kseg_json_str(&j, "out", o->out_dir);
  kseg_json_int(&j, "rows", r->rows);
  kseg_json_int(&j, "features", r->features);
  const kseg_plan *plan = r->profile->plan;
  kseg_json_str(&j, "recipe", r->recipe);
  kseg_json_str(&j, "id_column", r->id_column ? r->id_column : "row");
  kseg_json_int(&j, "recommended_k", r->recommended_k);
  kseg_json_str(&j, "recommendation", r->recommendation);
  kseg_json_int(&j, "k_internal", r->choice.k_internal);
  kseg_json_str(&j, "internal_recommendation", r->internal_recommendation);
  if (r->choice.k_business >= 0) kseg_json_int(&j, "k_business", r->choice.k_business);
  else kseg_json_null(&j, "k_business");
  kseg_json_str(&j, "k_rule", r->choice.rule);
  kseg_json_int(&j, "k", r->k);
  kseg_json_num(&j, "inertia", r->inertia);
  kseg_json_int(&j, "n_iter", r->n_iter);
  kseg_json_bool(&j, "converged", r->converged);
  kseg_json_num(&j, "silhouette", r->silhouette);
  if (r->sweep_rows < r->rows) { /* the sweep ran on a sample */
    kseg_json_int(&j, "sweep_sample", r->sweep_rows);
    kseg_json_bool(&j, "sweep_sample_default", r->sweep_sampled_by_default);
  }
  kseg_json_bool(&j, "report", made != 0);
  if (r->n_notes) { /* only when there is something to say: the JSON of a clean run is as it was */
    kseg_json_open_array(&j, "notes");
    for (int i = 0; i < r->n_notes; i++) kseg_json_array_str(&j, r->notes[i]);
    kseg_json_close_array(&j);
  }
  kseg_json_open_array(&j, "segments");
  for (int s = 0; s < r->k; s++) {
    kseg_json_open_object(&j, NULL);
    kseg_json_int(&j, "id", s);
    kseg_json_str(&j, "name", kseg_profile_segment_name(r->profile, s));
    kseg_json_int(&j, "size", r->profile->size[s]);
    if (r->profile->lift) kseg_json_num(&j, "lift", r->profile->lift[s]);
    if (r->profile->target_rate) kseg_json_num(&j, "target_rate", r->profile->target_rate[s]);
    if (plan->segments) {
      kseg_json_num(&j, "target_rate_low", plan->segments[s].rate_low);
      kseg_json_num(&j, "target_rate_high", plan->segments[s].rate_high);
    }
    if (plan->money) {
      kseg_json_num(&j, "expected_profit", plan->segments[s].expected_profit);
      kseg_json_str(&j, "decision", kseg_plan_decision_name(plan->segments[s].decision));
    }
    kseg_json_close_object(&j);
  }
  kseg_json_close_array(&j);
  plan_json(&j, plan);
  if (r->rules) {
    kseg_json_open_object(&j, "rules");
    kseg_json_int(&j, "leaves", r->rules->n_leaves);
    kseg_json_num(&j, "fidelity", r->rules->fidelity);
    kseg_json_num(&j, "price", r->rules->price);
    kseg_json_close_object(&j);
  } else {
    kseg_json_null(&j, "rules");
  }
  if (r->warm) {
    kseg_json_open_object(&j, "drift");
    kseg_json_int(&j, "k_old", r->drift.k_old);
    kseg_json_int(&j, "old_customers", r->drift.old_rows);
    kseg_json_int(&j, "matched", r->drift.matched);
    kseg_json_num(&j, "moved_share", r->drift.moved_share);
    kseg_json_num(&j, "ari", r->drift.ari);
    kseg_json_int(&j, "empty_carried", r->warm_empty);
    kseg_json_close_object(&j);
  }
  kseg_json_open_object(&j, "seconds_by_step");
  static const char *const steps[] = {"input", "prep", "sweep", "fit", "profile", "rules", "write", "commit"};
  for (int i = 0; i < 8; i++) kseg_json_num(&j, steps[i], r->step_seconds[i]);
  kseg_json_close_object(&j);
  kseg_json_num(&j, "seconds", r->seconds);
  kseg_json_int(&j, "ranks", cli->size);
  kseg_json_int(&j, "threads", omp_get_max_threads());
  kseg_cli_json_print(cli, &j);
}

static int opts_seen(const kseg_opt *opts, int n, const char *name)
{
  for (int i = 0; i < n; i++)
    if (strcmp(opts[i].name, name) == 0) return opts[i].seen;
  return 0;
}

int kseg_cmd_run(kseg_cli *cli, int argc, char **argv)
{
  kseg_run_options o;
  kseg_run_options_default(&o);
  const char *range = NULL, *recipe = "auto", *transactions = NULL, *as_of = NULL;
  int64_t max_segments = o.max_segments, min_segments = o.min_segments, n_init = o.n_init, seed = 0;
  int64_t gap_b = o.gap_b, stability_b = o.stability_b, cv_folds = KSEG_PLAN_DEFAULT_FOLDS, rule_leaves = 0;
  int64_t sweep_sample = o.sweep_sample;
  double cost = 0, revenue = 0;
  bool no_report = false;
  kseg_cli_csv_flags csv = {0};
  kseg_cli_prep_flags prep = {0};
  kseg_ae_options ae;
  kseg_opt opts[64] = {
      {"in", KSEG_OPT_STRING, &o.in, "FILE", "customers: a CSV with a header row, or a raw table (HDF5 with /raw)",
       false, false},
      {"out", KSEG_OPT_STRING, &o.out_dir, "DIR", "output directory (created; earlier outputs replaced only on success)",
       true, false},
      {"k", KSEG_OPT_STRING, &range, "A:B|K", "k range of the sweep (default 2:10), or one k", false, false},
      {"min-segments", KSEG_OPT_INT, &min_segments, "M", "smallest k that may be recommended (default 3)", false, false},
      {"max-segments", KSEG_OPT_INT, &max_segments, "M", "largest k that may be recommended (default 8)", false, false},
      {"warm-start", KSEG_OPT_STRING, &o.warm_start, "MODEL.h5",
       "retrain from an old model: start from its segments, keep their ids, write drift.json", false, false},
      {"recipe", KSEG_OPT_STRING, &recipe, "NAME", "auto (default), generic, marketing, ccgeneral or rfm", false, false},
      {"n-init", KSEG_OPT_INT, &n_init, "R", "k-means restarts per k (default 10)", false, false},
      {"gap", KSEG_OPT_INT, &gap_b, "B", "gap statistic with B reference sets in the sweep (default 5, 0 = off)",
       false, false},
      {"stability", KSEG_OPT_INT, &stability_b, "B", "stability over B 80 % subsamples in the sweep (default 0 = off)",
       false, false},
      {"seed", KSEG_OPT_INT, &seed, "S", "seed of every random draw (default 0)", false, false},
      {"sweep-sample", KSEG_OPT_INT, &sweep_sample, "N",
       "sweep k on a seeded sample of N customers, then fit the chosen k on all of them (default: 1000000 above "
       "2000000 customers; 0: sweep them all)", false, false},
      {"target", KSEG_OPT_STRING, &o.target, "COL",
       "0/1 column for response rate, lift and the campaign plan (default Response, any case); never a feature", false, false},
      {"contact-cost", KSEG_OPT_DOUBLE, &cost, "C",
       "cost of one contact (default: the table's constant Z_CostContact; else no money is claimed)", false, false},
      {"response-revenue", KSEG_OPT_DOUBLE, &revenue, "R",
       "revenue of one response (default: the table's constant Z_Revenue)", false, false},
      {"cv-folds", KSEG_OPT_INT, &cv_folds, "F",
       "cross-validation folds of the plan and of the k that pays (default 5, at most the responders)", false,
       false},
      {"rule-leaves", KSEG_OPT_INT, &rule_leaves, "L",
       "leaves of the segment rules' tree, k..4k (default 2k): rules.json/.txt/.sql, rule_segment", false, false},
      {"currency", KSEG_OPT_STRING, &o.currency, "CUR",
       "currency shown on every money figure (EUR, USD, $ ...; default none)", false, false},
      {"no-report", KSEG_OPT_FLAG, &no_report, NULL, "skip report.html", false, false},
      {"transactions", KSEG_OPT_STRING, &transactions, "LOG",
       "instead of --in: a transaction log (CSV, whitespace text or HDF5) aggregated per customer first (kseg rfm)",
       false, false},
      {"date", KSEG_OPT_STRING, &o.rfm.columns[1], "COL", "with --transactions: the log's date column (default: "
       "found by name, as kseg rfm)", false, false},
      {"amount", KSEG_OPT_STRING, &o.rfm.columns[2], "COL", "with --transactions: the log's amount column", false,
       false},
      {"quantity", KSEG_OPT_STRING, &o.rfm.columns[3], "COL", "with --transactions: the log's quantity column",
       false, false},
      {"as-of", KSEG_OPT_STRING, &as_of, "DATE",
       "with --transactions: the day recency is measured to; later lines are left out", false, false},
      {"force", KSEG_OPT_FLAG, &o.force, NULL,
       "run even with fewer than 10 customers per segment at the smallest candidate k", false, false},
  };
  int n_opts = 0;
  while (opts[n_opts].name) n_opts++;
  /* the import's and the preparation's options, as `kseg import` and `kseg prep` take them */
  n_opts += kseg_cli_csv_options(&csv, opts + n_opts);
  n_opts += kseg_cli_prep_options(&prep, opts + n_opts);
  int st = kseg_comm_agree(cli->comm, kseg_args_parse(cli, argc, argv, opts, n_opts));
  if (st == KSEG_ARGS_HELP) {
    kseg_args_usage(cli, "run --in customers.csv|raw.h5 | --transactions log.csv --out DIR [options]",
                    "The whole segmentation: import, prep, k sweep, fit at the recommended k (the k whose\n"
                    "campaign plan pays best out of sample when a target exists), profiles, the campaign plan,\n"
                    "model, segments.csv and report.html in DIR (docs/run.md, docs/plan.md). The import options\n"
                    "read the CSV as kseg import does (docs/import.md), the preparation options shape the\n"
                    "features as kseg prep does (docs/prep.md); --target is never a feature.",
                    opts, n_opts);
    return KSEG_ARGS_HELP;
  }
  if (st) return st;
  bool use_ae = false;
  st = kseg_cli_csv_resolve(&csv, &o.csv);
  if (!st) st = kseg_cli_prep_resolve(&prep, &o.prep, &o.pca, &ae, &use_ae);
  if (use_ae) o.autoencoder = &ae;
  if (!st && range) {
    st = kseg_args_range(range, "k", &o.k_min, &o.k_max);
    o.k_fixed = true;
    if (!st && (o.k_min < 2 || o.k_min > o.k_max))
      st = kseg_error_set(KSEG_ERR_INPUT, "--k needs 2 <= A <= B, got '%s'", range);
    /* one explicit k overrides the business floor; a range is cut by it */
    if (!st && o.k_min == o.k_max && o.k_min < min_segments) min_segments = o.k_min;
  }
  static const char *const recipes[] = {"auto", "generic", "marketing", "ccgeneral", "rfm"};
  int found = 0;
  for (int i = 0; i < 5; i++)
    if (strcmp(recipe, recipes[i]) == 0) {
      o.recipe = (kseg_prep_recipe)i;
      found = 1;
    }
  if (!st && !found) st = kseg_error_set(KSEG_ERR_INPUT, "--recipe must be auto, generic, marketing, ccgeneral or rfm, got '%s'", recipe);
  if (!st && (o.in != NULL) == (transactions != NULL))
    st = kseg_error_set(KSEG_ERR_INPUT, "give the customers with --in FILE or a transaction log with --transactions LOG "
                                        "(one of the two)");
  if (!st && transactions) {
    o.in = transactions;
    o.transactions = true;
  }
  if (!st && !transactions && (o.rfm.columns[1] || o.rfm.columns[2] || o.rfm.columns[3] || as_of))
    st = kseg_error_set(KSEG_ERR_INPUT, "--date, --amount, --quantity and --as-of are a transaction log's: give them "
                                        "with --transactions LOG");
  if (!st && as_of) st = kseg_cli_rfm_as_of(as_of, &o.rfm);
  if (!st && (n_init < 1 || n_init > 100000))
    st = kseg_error_set(KSEG_ERR_INPUT, "--n-init must be in 1..100000 (got %lld)", (long long)n_init);
  if (!st && (min_segments < 2 || max_segments < min_segments))
    st = kseg_error_set(KSEG_ERR_INPUT, "--min-segments and --max-segments need 2 <= min <= max (got %lld, %lld)",
                        (long long)min_segments, (long long)max_segments);
  if (!st && seed < 0) st = kseg_error_set(KSEG_ERR_INPUT, "--seed must be >= 0 (got %lld)", (long long)seed);
  bool sample_given = false;
  for (int i = 0; i < n_opts; i++) sample_given |= opts[i].dest == &sweep_sample && opts[i].seen;
  if (!st && sample_given && sweep_sample < 0)
    st = kseg_error_set(KSEG_ERR_INPUT, "--sweep-sample must be a number of customers >= 0 (got %lld)",
                        (long long)sweep_sample);
  if (!st) st = kseg_cli_plan_options(opts, n_opts, cost, revenue, cv_folds, &o.plan);
  o.plan.currency = o.currency;
  if (!st && (gap_b < 0 || gap_b > 1000 || stability_b < 0 || stability_b > 1000))
    st = kseg_error_set(KSEG_ERR_INPUT, "--gap and --stability must be in 0..1000 (got %lld, %lld)", (long long)gap_b,
                        (long long)stability_b);
  /* --rule-leaves: the k..4k range is checked once k is known; a single
   * --k fixes it now, before any work */
  if (!st && opts_seen(opts, n_opts, "rule-leaves") && (rule_leaves < 1 || rule_leaves > 1000000))
    st = kseg_error_set(KSEG_ERR_INPUT, "--rule-leaves must be a positive number of leaves (got %lld)",
                        (long long)rule_leaves);
  if (!st && rule_leaves && range && o.k_min == o.k_max && (rule_leaves < o.k_min || rule_leaves > 4 * o.k_min))
    st = kseg_error_set(KSEG_ERR_INPUT, "--rule-leaves %lld is outside %lld..%lld: the tree needs a leaf per segment "
                        "(k = %lld) and at most 4k leaves to stay readable", (long long)rule_leaves,
                        (long long)o.k_min, (long long)(4 * o.k_min), (long long)o.k_min);
  if (!st && o.currency && (!o.currency[0] || strlen(o.currency) > 8))
    st = kseg_error_set(KSEG_ERR_INPUT, "--currency takes a short code or symbol such as EUR, USD or $ (got '%s')",
                        o.currency);
  KSEG_CHECK(kseg_comm_agree(cli->comm, st));
  o.rule_leaves = (int)rule_leaves;
  o.min_segments = min_segments;
  o.max_segments = max_segments;
  o.n_init = (int)n_init;
  o.gap_b = (int)gap_b;
  o.stability_b = (int)stability_b;
  o.seed = (uint64_t)seed;
  o.sweep_sample = sweep_sample;
  o.progress = progress;
  o.progress_ctx = cli;

  kseg_run_result r;
  st = kseg_run_pipeline(cli->comm, &o, &r);
  if (st) return st;
  for (int i = 0; i < r.n_notes; i++) kseg_cli_warn(cli, "%s", r.notes[i]);
  int made = 0;
  if (!no_report) {
    kseg_cli_progress(cli, "run: rendering the report");
    run_report(cli, o.out_dir, &made);
  }
  if (cli->json) print_json(cli, &o, &r, made);
  if (cli->rank == 0) {
    if (r.warm && r.k != r.recommended_k)
      kseg_cli_info(cli, "run: %lld customers, %lld features (recipe %s), k = %d (the old model's, kept when "
                         "retraining; the sweep would pick k = %lld, below)",
                    (long long)r.rows, (long long)r.features, r.recipe, r.k, (long long)r.recommended_k);
    else if (r.choice.k_business >= 0)
      kseg_cli_info(cli, "run: %lld customers, %lld features (recipe %s), k = %d (the k that pays, below)",
                    (long long)r.rows, (long long)r.features, r.recipe, r.k);
    else
      kseg_cli_info(cli, "run: %lld customers, %lld features (recipe %s), k = %d (%s)", (long long)r.rows,
                    (long long)r.features, r.recipe, r.k, r.recommendation);
    if (r.sweep_rows < r.rows)
      kseg_cli_info(cli, "run: the sweep ran on a seeded sample of %lld of the %lld customers%s; k = %d was fitted on "
                         "all of them", (long long)r.sweep_rows, (long long)r.rows,
                    r.sweep_sampled_by_default ? " (the default above 2,000,000; --sweep-sample 0 sweeps them all)" : "",
                    r.k);
    if (r.warm)
      kseg_cli_info(cli, "run: warm start: %lld of %lld old customers found, %.1f %% kept their segment, ARI %.3f",
                    (long long)r.drift.matched, (long long)r.drift.old_rows, 100.0 * (1.0 - r.drift.moved_share),
                    r.drift.ari);
    kseg_profile_print(r.profile, stderr);
    if (r.rules)
      kseg_cli_info(cli, "run: rules: a tree of %d leaves gives %.1f %% of customers their segment (price %.3f); "
                         "rules.txt has one rule per segment, rules.sql one SELECT for a CRM",
                    r.rules->n_leaves, 100.0 * r.rules->fidelity, r.rules->price);
    else if (r.rules_note[0])
      kseg_cli_warn(cli, "%s", r.rules_note);
    kseg_cli_info(cli, "run: choice of k: %s", r.choice.rule);
    if (r.choice.k_business >= 0) kseg_cli_info(cli, "run: the internal metrics alone: %s", r.internal_recommendation);
    if (r.profile->plan->setup.note[0]) kseg_cli_warn(cli, "%s", r.profile->plan->setup.note);
    kseg_cli_info(cli, "run: wrote %s/{raw,features,sweep,model,result}.h5, segments.csv, profiles.*, plan.%s%s%s%s "
                  "in %.2f s", o.out_dir, r.profile->plan->setup.target ? "{csv,json}" : "json",
                  r.rules ? ", rules.{json,txt,sql}" : "", r.warm ? ", drift.json" : "", made ? ", report.html" : "",
                  r.seconds);
  }
  kseg_run_result_clear(&r);
  return kseg_comm_agree(cli->comm, KSEG_OK);
}
