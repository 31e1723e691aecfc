/* cmd_assign.c - `kseg assign`: score customers with a saved model. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "kseg/kseg_comm.h"
#include "kseg/kseg_error.h"
#include "kseg/kseg_h5io.h"
#include "kseg/kseg_metrics.h"
#include "kseg/kseg_model.h"
#include "kseg/kseg_outputs.h"

/* Prefix an input error with the file it is about (the library names the
 * column, not where the table came from). */
static int name_file(int st, const char *what, const char *path)
{
  if (st == KSEG_ERR_INPUT && !strstr(kseg_error_message(), path)) {
    char msg[1400];
    snprintf(msg, sizeof msg, "%s %s: %s", what, path, kseg_error_message());
    kseg_error_replace(msg);
  }
  return st;
}

int kseg_cmd_assign(kseg_cli *cli, int argc, char **argv)
{
  const char *model_path = NULL, *in = NULL, *out = NULL;
  kseg_opt opts[] = {
      {"model", KSEG_OPT_STRING, &model_path, "MODEL.h5", "saved model (model.h5 of kseg run)", true, false},
      {"in", KSEG_OPT_STRING, &in, "RAW.h5", "customers to score: raw table (/raw, from kseg import or generate)",
       true, false},
      {"out", KSEG_OPT_STRING, &out, "LABELS.h5", "output: /labels (int32), /distance (float64)", true, false},
  };
  const int n_opts = (int)(sizeof opts / sizeof opts[0]);
  int st = kseg_comm_agree(cli->comm, kseg_args_parse(cli, argc, argv, opts, n_opts));
  if (st == KSEG_ARGS_HELP) {
    kseg_args_usage(cli, "assign --model model.h5 --in raw.h5 --out labels.h5",
                    "Score customers with a saved model: its preprocessing, then the nearest centroid. Training\n"
                    "customers get their training segments back.",
                    opts, n_opts);
    return KSEG_ARGS_HELP;
  }
  if (st) return st;
  const double t0 = kseg_now();
  kseg_model *m = NULL;
  kseg_table raw = {0};
  int32_t *labels = NULL;
  double *dist = NULL;
  kseg_cli_progress(cli, "assign: loading %s", model_path);
  KSEG_CHECK_GOTO(name_file(kseg_model_load(cli->comm, model_path, &m), "model", model_path), st, done);
  kseg_cli_progress(cli, "assign: reading %s", in);
  KSEG_CHECK_GOTO(name_file(kseg_h5_read_table(cli->comm, in, NULL, 0, &raw), "input", in), st, done);
  labels = kseg_malloc(sizeof(int32_t) * (size_t)(raw.n_local + 1), "labels");
  dist = kseg_malloc(sizeof(double) * (size_t)(raw.n_local + 1), "distances");
  KSEG_CHECK_GOTO(kseg_comm_agree(cli->comm, labels && dist ? KSEG_OK : KSEG_ERR_IO), st, done);
  kseg_cli_progress(cli, "assign: scoring %lld customers into %d segments", (long long)raw.n_global, m->k);
  st = kseg_model_assign(cli->comm, m, &raw, labels, dist, NULL);
  if (st == KSEG_ERR_INPUT) {
    char msg[1400];
    snprintf(msg, sizeof msg, "%s does not fit model %s: %s", in, model_path, kseg_error_message());
    kseg_error_replace(msg);
  }
  if (st) goto done;
  const char **names = kseg_calloc((size_t)m->k, sizeof *names, "names");
  st = kseg_comm_agree(cli->comm, names ? KSEG_OK : KSEG_ERR_IO);
  for (int s = 0; !st && s < m->k; s++) names[s] = m->segment_names ? m->segment_names[s] : "";
  const kseg_result_file rf = {.n_global = raw.n_global, .row0 = raw.row0, .n_local = raw.n_local, .labels = labels,
                                .distance = dist, .k = m->k, .segment_names = names, .model = model_path, .input = in};
  if (!st) st = kseg_outputs_write_result(cli->comm, out, &rf);
  free(names);
  if (st) goto done;

  /* segment sizes for the summary */
  int64_t *count = kseg_calloc((size_t)m->k, sizeof *count, "counts");
  st = kseg_comm_agree(cli->comm, count ? KSEG_OK : KSEG_ERR_IO);
  if (st) goto done;
  st = kseg_metrics_label_counts(cli->comm, labels, raw.n_local, m->k, count);
  double seconds = kseg_now() - t0;
  if (!st) st = kseg_comm_agree(cli->comm, kseg_comm_max_f64(cli->comm, &seconds, 1));
  if (!st && cli->json) {
    kseg_json j;
    kseg_json_begin(&j, KSEG_JSON_COMPACT);
    kseg_json_str(&j, "command", "assign");
    kseg_json_str(&j, "model", model_path);
    kseg_json_str(&j, "input", in);
    kseg_json_str(&j, "output", out);
    kseg_json_int(&j, "rows", raw.n_global);
    kseg_json_int(&j, "k", m->k);
    kseg_json_open_array(&j, "segments");
    for (int s = 0; s < m->k; s++) {
      kseg_json_open_object(&j, NULL);
      kseg_json_int(&j, "id", s);
      kseg_json_str(&j, "name", m->segment_names ? m->segment_names[s] : "");
      kseg_json_int(&j, "size", count[s]);
      kseg_json_close_object(&j);
    }
    kseg_json_close_array(&j);
    kseg_json_num(&j, "seconds", seconds);
    kseg_json_int(&j, "ranks", cli->size);
    kseg_cli_json_print(cli, &j);
  } else if (!st) {
    kseg_cli_info(cli, "assign: %lld customers scored into %d segments with %s in %.3f s; wrote %s",
                  (long long)raw.n_global, m->k, model_path, seconds, out);
    for (int s = 0; s < m->k; s++)
      kseg_cli_info(cli, "  %2d  %-28s %10lld", s, m->segment_names ? m->segment_names[s] : "", (long long)count[s]);
  }
  free(count);
done:
  free(labels);
  free(dist);
  kseg_table_clear(&raw);
  kseg_model_free(&m);
  return kseg_comm_agree(cli->comm, st);
}
