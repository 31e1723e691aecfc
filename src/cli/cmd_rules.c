/* cmd_rules.c - `kseg rules`: the segment rules of a saved model (kseg_rules.h,
 * docs/rules.md): rules.json, rules.txt and rules.sql. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "kseg/kseg_comm.h"
#include "kseg/kseg_error.h"
#include "kseg/kseg_h5io.h"
#include "kseg/kseg_model.h"
#include "kseg/kseg_rules.h"

int kseg_cmd_rules(kseg_cli *cli, int argc, char **argv)
{
  const char *raw_path = NULL, *model_path = NULL, *labels_path = NULL, *labels_dataset = "/labels", *out = NULL;
  const char *currency = NULL;
  int64_t leaves = 0;
  kseg_opt opts[] = {
      {"raw", KSEG_OPT_STRING, &raw_path, "RAW.h5", "the customers (/raw, from kseg import or raw.h5 of kseg run)",
       true, false},
      {"model", KSEG_OPT_STRING, &model_path, "MODEL.h5", "the saved model (model.h5 of kseg run)", true, false},
      {"labels", KSEG_OPT_STRING, &labels_path, "RESULT.h5",
       "the customers' segments (default: the model's own assignment of the raw rows)", false, false},
      {"labels-dataset", KSEG_OPT_STRING, &labels_dataset, "PATH", "labels dataset (default /labels)", false, false},
      {"out", KSEG_OPT_STRING, &out, "RULES.json", "rules.json; .txt and .sql are written beside it", true, false},
      {"rule-leaves", KSEG_OPT_INT, &leaves, "L", "leaves of the rule tree, k..4k (default 2k)", false, false},
      {"currency", KSEG_OPT_STRING, &currency, "CUR", "currency shown on money thresholds (EUR, USD, $ ...)", false,
       false},
  };
  const int n_opts = (int)(sizeof opts / sizeof opts[0]);
  int st = kseg_comm_agree(cli->comm, kseg_args_parse(cli, argc, argv, opts, n_opts));
  if (st == KSEG_ARGS_HELP) {
    kseg_args_usage(cli, "rules --raw raw.h5 --model model.h5 [--labels result.h5] --out rules.json [options]",
                    "Rules that explain the segments: a threshold tree (IMM, expanded greedily up to --rule-leaves\n"
                    "leaves) with thresholds in the raw columns' units; rules.json (the tree, fidelity, price),\n"
                    "rules.txt (one rule per segment) and rules.sql (one SELECT for a CRM) (docs/rules.md).",
                    opts, n_opts);
    return KSEG_ARGS_HELP;
  }
  if (st) return st;
  if (opts[5].seen && (leaves < 1 || leaves > 1000000))
    st = kseg_error_set(KSEG_ERR_INPUT, "--rule-leaves must be a positive number of leaves (got %lld)", (long long)leaves);
  if (!st && currency && (!currency[0] || strlen(currency) > 8))
    st = kseg_error_set(KSEG_ERR_INPUT, "--currency takes a short code or symbol such as EUR, USD or $ (got '%s')",
                        currency);
  KSEG_CHECK(kseg_comm_agree(cli->comm, st));

  const double t0 = kseg_now();
  kseg_model *m = NULL;
  kseg_table raw = {0};
  int32_t *labels = NULL;
  double *x = NULL;
  kseg_rules *r = NULL;
  /* the rules need the preparation chain to read thresholds back in raw units */
  int has = 0;
  KSEG_CHECK_GOTO(kseg_h5_exists(cli->comm, model_path, "/model", &has), st, done);
  if (has) KSEG_CHECK_GOTO(kseg_h5_exists(cli->comm, model_path, "/model/prep", &has), st, done);
  else st = kseg_error_set(KSEG_ERR_INPUT, "%s is not a kseg model (no /model group)", model_path);
  if (!st && !has)
    st = kseg_error_set(KSEG_ERR_INPUT, "%s carries no preparation chain (/model/prep): rules need it to write each "
                        "threshold in the raw columns' units; save the model with kseg run", model_path);
  KSEG_CHECK_GOTO(kseg_comm_agree(cli->comm, st), st, done);
  kseg_cli_progress(cli, "rules: loading %s", model_path);
  KSEG_CHECK_GOTO(kseg_cli_name_input(kseg_model_load(cli->comm, model_path, &m), model_path), st, done);
  kseg_cli_progress(cli, "rules: reading %s", raw_path);
  KSEG_CHECK_GOTO(kseg_cli_name_input(kseg_h5_read_table(cli->comm, raw_path, NULL, 0, &raw), raw_path), st, done);
  labels = kseg_malloc(sizeof(int32_t) * (size_t)(raw.n_local + 1), "labels");
  KSEG_CHECK_GOTO(kseg_comm_agree(cli->comm, labels ? KSEG_OK : KSEG_ERR_IO), st, done);
  /* the features through the model's own chain; its labels unless given */
  st = kseg_model_assign(cli->comm, m, &raw, labels, NULL, &x);
  if (st == KSEG_ERR_INPUT) {
    char msg[1400];
    snprintf(msg, sizeof msg, "%s does not fit model %s: %s", raw_path, model_path, kseg_error_message());
    kseg_error_replace(msg);
  }
  if (st) goto done;
  if (labels_path) {
    int32_t *given = NULL;
    int64_t n_lab = 0, row0 = 0, n_loc = 0;
    KSEG_CHECK_GOTO(kseg_h5_read_labels(cli->comm, labels_path, labels_dataset, &n_lab, &row0, &n_loc, &given), st,
                    done);
    if (n_lab != raw.n_global)
      st = kseg_error_set(KSEG_ERR_INPUT, "%s:%s has %lld labels but %s has %lld rows", labels_path, labels_dataset,
                          (long long)n_lab, raw_path, (long long)raw.n_global);
    for (int64_t i = 0; !st && i < raw.n_local; i++) {
      if (given[i] < 0 || given[i] >= m->k)
        st = kseg_error_set(KSEG_ERR_INPUT, "%s:%s: label %d of row %lld is outside the model's segments 0..%d",
                            labels_path, labels_dataset, given[i], (long long)(raw.row0 + i), m->k - 1);
      else labels[i] = given[i];
    }
    free(given);
    KSEG_CHECK_GOTO(kseg_comm_agree(cli->comm, st), st, done);
  }
  kseg_cli_progress(cli, "rules: growing the tree for %d segments of %lld customers", m->k, (long long)raw.n_global);
  const kseg_matrix xm = {.n_global = raw.n_global, .row0 = raw.row0, .n_local = raw.n_local, .d = m->d,
                          .dtype = KSEG_F64, .data = x};
  const kseg_rules_options ro = {.max_leaves = (int)leaves};
  st = kseg_rules_build(cli->comm, m->prep, &raw, &xm, m->centroids, m->k, labels, &ro, &r);
  if (st == KSEG_ERR_INPUT && !opts[5].seen && strstr(kseg_error_message(), "--rule-leaves") == NULL) {
    char msg[1400];
    snprintf(msg, sizeof msg, "%s: %s", model_path, kseg_error_message());
    kseg_error_replace(msg);
  }
  if (st) goto done;
  const kseg_rules_labels lb = {.names = (const char *const *)m->segment_names, .id_column = m->id_column,
                                .currency = currency};
  KSEG_CHECK_GOTO(kseg_rules_write(cli->comm, r, &lb, out), st, done);
  double seconds = kseg_now() - t0;
  KSEG_CHECK_GOTO(kseg_comm_agree(cli->comm, kseg_comm_max_f64(cli->comm, &seconds, 1)), st, done);
  if (cli->json) {
    kseg_json j;
    kseg_json_begin(&j, KSEG_JSON_COMPACT);
    kseg_json_str(&j, "command", "rules");
    kseg_json_str(&j, "out", out);
    kseg_json_int(&j, "rows", r->rows);
    kseg_json_int(&j, "k", r->k);
    kseg_json_int(&j, "leaves", r->n_leaves);
    kseg_json_num(&j, "fidelity", r->fidelity);
    kseg_json_num(&j, "price", r->price);
    kseg_json_num(&j, "seconds", seconds);
    kseg_json_int(&j, "ranks", cli->size);
    kseg_cli_json_print(cli, &j);
  } else if (cli->rank == 0) {
    char *text = NULL;
    if (kseg_rules_text(r, &lb, &text) == KSEG_OK) fputs(text, stderr);
    free(text);
    kseg_cli_info(cli, "rules: %d leaves, fidelity %.1f %%, price %.3f; wrote %s (+ .txt, .sql) in %.2f s",
                  r->n_leaves, 100.0 * r->fidelity, r->price, out, seconds);
  }
done:
  kseg_rules_free(&r);
  free(x);
  free(labels);
  kseg_table_clear(&raw);
  kseg_model_free(&m);
  return kseg_comm_agree(cli->comm, st);
}
