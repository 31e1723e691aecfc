/* cmd_profile.c - `kseg profile`: segment profiles in original units. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "kseg/kseg_comm.h"
#include "kseg/kseg_error.h"
#include "kseg/kseg_h5io.h"
#include "kseg/kseg_metrics.h"
#include "kseg/kseg_profile.h"

int kseg_cmd_profile(kseg_cli *cli, int argc, char **argv)
{
  const char *raw_path = NULL, *labels_path = NULL, *out = NULL, *labels_dataset = "/labels", *target = NULL,
             *currency = NULL;
  double cost = 0, revenue = 0;
  int64_t cv_folds = KSEG_PLAN_DEFAULT_FOLDS;
  kseg_opt opts[] = {
      {"raw", KSEG_OPT_STRING, &raw_path, "FILE.h5", "raw table (/raw, from kseg import or generate)", true, false},
      {"labels", KSEG_OPT_STRING, &labels_path, "FILE.h5", "segment labels (e.g. kseg fit output)", true, false},
      {"out", KSEG_OPT_STRING, &out, "FILE.csv", "profile CSV; .json and .h5 are written beside it", true, false},
      {"labels-dataset", KSEG_OPT_STRING, &labels_dataset, "PATH", "labels dataset (default /labels)", false, false},
      {"target", KSEG_OPT_STRING, &target, "COL", "0/1 column for rate and lift (default Response when present)",
       false, false},
      {"contact-cost", KSEG_OPT_DOUBLE, &cost, "C",
       "cost of one contact (default: the table's constant Z_CostContact; else no money is claimed)", false, false},
      {"response-revenue", KSEG_OPT_DOUBLE, &revenue, "R",
       "revenue of one response (default: the table's constant Z_Revenue)", false, false},
      {"cv-folds", KSEG_OPT_INT, &cv_folds, "F", "cross-validation folds of the plan (default 5, at most the responders)",
       false, false},
      {"currency", KSEG_OPT_STRING, &currency, "CUR",
       "currency shown on every money figure (EUR, USD, $ ...; default none)", false, false},
  };
  int n_opts = (int)(sizeof opts / sizeof opts[0]);
  int st = kseg_comm_agree(cli->comm, kseg_args_parse(cli, argc, argv, opts, n_opts));
  if (st == KSEG_ARGS_HELP) {
    kseg_args_usage(cli, "profile --raw raw.h5 --labels result.h5 --out profiles.csv [options]",
                    "Per segment: size, share, means, medians and indices in original units, level shares, spend "
                    "share, target rate with its 95 % interval and lift, the campaign economics (break-even rate, "
                    "expected profit, contact decision), a name and a suggested action (docs/profile.md, "
                    "docs/plan.md).",
                    opts, n_opts);
    return KSEG_ARGS_HELP;
  }
  if (st) return st;
  if (currency && (!currency[0] || strlen(currency) > 8))
    return kseg_comm_agree(cli->comm, kseg_error_set(KSEG_ERR_INPUT, "--currency takes a short code or symbol such "
                                                                      "as EUR, USD or $ (got '%s')", currency));
  kseg_profile_options popt = {.target = target, .currency = currency};
  KSEG_CHECK(kseg_comm_agree(cli->comm, kseg_cli_plan_options(opts, n_opts, cost, revenue, cv_folds, &popt.plan)));
  popt.plan.currency = currency;

  double t0 = kseg_now();
  kseg_cli_progress(cli, "reading labels %s:%s", labels_path, labels_dataset);
  int32_t *labels = NULL;
  int64_t n_lab = 0, row0 = 0, n_local = 0;
  KSEG_CHECK(kseg_h5_read_labels(cli->comm, labels_path, labels_dataset, &n_lab, &row0, &n_local, &labels));
  kseg_cli_progress(cli, "reading %s", raw_path);
  kseg_table raw = {0};
  st = kseg_h5_read_table(cli->comm, raw_path, NULL, 0, &raw);
  if (st) {
    free(labels);
    return st;
  }
  if (n_lab != raw.n_global)
    st = kseg_error_set(KSEG_ERR_INPUT, "%s:%s has %lld labels but %s has %lld rows", labels_path, labels_dataset,
                        (long long)n_lab, raw_path, (long long)raw.n_global);
  st = kseg_comm_agree(cli->comm, st);
  /* k: one more than the largest label (a negative one is refused below) */
  int64_t k = 0;
  if (!st) st = kseg_cli_name_input(kseg_metrics_label_k(cli->comm, labels, n_local, row0, &k), labels_path);
  if (!st && k > 1000)
    st = kseg_comm_agree(cli->comm, kseg_error_set(KSEG_ERR_INPUT, "%s: %lld segments is more than a profile can "
                                                   "show (labels up to %lld)", labels_path, (long long)k,
                                                   (long long)(k - 1)));
  kseg_profile *p = NULL;
  if (!st) {
    kseg_cli_progress(cli, "profiling %lld customers in %lld segments", (long long)raw.n_global, (long long)k);
    st = kseg_profile_compute(cli->comm, &raw, labels, (int)k, &popt, &p);
  }
  free(labels);
  kseg_table_clear(&raw);
  if (!st) st = kseg_profile_write(cli->comm, p, out);
  double seconds = kseg_now() - t0;
  if (!st) st = kseg_comm_agree(cli->comm, kseg_comm_max_f64(cli->comm, &seconds, 1));
  if (!st && cli->rank == 0) {
    if (cli->json) {
      char *text = NULL;
      st = kseg_profile_json(p, &text);
      if (!st) fputs(text, stdout);
      free(text);
    } else {
      kseg_profile_print(p, stderr);
      kseg_cli_info(cli, "wrote %s (+ .json, .h5) in %.2f s", out, seconds);
    }
    if (p->plan->setup.note[0]) kseg_cli_warn(cli, "%s", p->plan->setup.note);
  }
  kseg_profile_free(&p);
  return kseg_comm_agree(cli->comm, st);
}
