/* cmd_assign.c - `kseg assign`: score customers with a saved model, from a
 * raw table or a CSV export, into labels.h5 or a scored CSV. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli.h"
#include "kseg/kseg_comm.h"
#include "kseg/kseg_error.h"
#include "kseg/kseg_h5io.h"
#include "kseg/kseg_metrics.h"
#include "kseg/kseg_model.h"
#include "kseg/kseg_outputs.h"
#include "kseg/kseg_strings.h"

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

/* Root: 1 when `path` starts with the HDF5 signature. A file that cannot be
 * read is left to the reader, which names it. */
static int is_hdf5(const kseg_cli *cli, const char *path)
{
  int v = 0;
  if (cli->rank == 0) {
    FILE *f = fopen(path, "rb");
    unsigned char sig[8] = {0};
    if (f) {
      v = fread(sig, 1, 8, f) == 8 && memcmp(sig, "\211HDF\r\n\032\n", 8) == 0;
      fclose(f);
    }
  }
  if (kseg_comm_bcast(cli->comm, &v, sizeof v, 0) != KSEG_OK) return 0;
  return v;
}

static int ends_with(const char *s, const char *tail)
{
  size_t n = strlen(s), k = strlen(tail);
  return n >= k && strcasecmp(s + n - k, tail) == 0;
}

int kseg_cmd_assign(kseg_cli *cli, int argc, char **argv)
{
  const char *model_path = NULL, *in = NULL, *out = NULL;
  kseg_cli_csv_flags csv = {0};
  kseg_opt opts[3 + KSEG_CLI_CSV_FLAGS] = {
      {"model", KSEG_OPT_STRING, &model_path, "MODEL.h5", "saved model (model.h5 of kseg run)", true, false},
      {"in", KSEG_OPT_STRING, &in, "FILE",
       "customers to score: a CSV export (read with the model's import schema) or a raw table (HDF5 /raw)", true,
       false},
      {"out", KSEG_OPT_STRING, &out, "FILE",
       "scored.csv (id, segment, segment_name, distance[, decision]) or labels.h5 (/labels, /distance)", true, false},
  };
  const int n_opts = 3 + kseg_cli_csv_options(&csv, opts + 3);
  int st = kseg_comm_agree(cli->comm, kseg_args_parse(cli, argc, argv, opts, n_opts));
  if (st == KSEG_ARGS_HELP) {
    kseg_args_usage(cli, "assign --model model.h5 --in new.csv|raw.h5 --out scored.csv|labels.h5 [options]",
                    "Score customers with a saved model: its preprocessing, then the nearest centroid. A CSV is read\n"
                    "with the model's import schema (column kinds, decimal marks, units, date orders, categories),\n"
                    "so a batch of any size reads as training did; a category not seen in training is missing\n"
                    "(then imputed like any missing value) and reported. Training customers get their training\n"
                    "segments back. distance: Euclidean, in the model's scaled feature space (docs/run.md).",
                    opts, n_opts);
    return KSEG_ARGS_HELP;
  }
  if (st) return st;
  kseg_csv_options copt = {0};
  st = kseg_comm_agree(cli->comm, kseg_cli_csv_resolve(&csv, &copt));
  if (st) return st;
  const double t0 = kseg_now();
  kseg_model *m = NULL;
  kseg_table raw = {0};
  kseg_csv_summary sum = {0};
  int32_t *labels = NULL;
  double *dist = NULL;
  int id_col = -1;
  kseg_cli_progress(cli, "assign: loading %s", model_path);
  KSEG_CHECK_GOTO(name_file(kseg_model_load(cli->comm, model_path, &m), "model", model_path), st, done);
  kseg_cli_progress(cli, "assign: reading %s", in);
  const int from_h5 = is_hdf5(cli, in);
  if (from_h5) {
    KSEG_CHECK_GOTO(name_file(kseg_h5_read_table(cli->comm, in, NULL, 0, &raw), "input", in), st, done);
    if (copt.id_column) {
      int c = kseg_table_find(&raw, copt.id_column);
      st = c < 0 ? kseg_error_set(KSEG_ERR_INPUT, "%s: --id column '%s' is not in /raw", in, copt.id_column) : KSEG_OK;
      free(raw.id_column);
      raw.id_column = NULL;
      if (!st && !(raw.id_column = kseg_strings_dup(copt.id_column))) st = KSEG_ERR_IO;
      KSEG_CHECK_GOTO(kseg_comm_agree(cli->comm, st), st, done);
    }
  } else {
    if (m->schema.n_cols == 0)
      kseg_cli_warn(cli, "%s has no import schema (a model from an earlier kseg): the kinds of %s's columns are "
                         "inferred from its values",
                    model_path, in);
    KSEG_CHECK_GOTO(kseg_model_read_csv(cli->comm, m, in, &copt, &raw, &sum), st, done);
    for (int i = 0; i < sum.n_notes; i++) kseg_cli_warn(cli, "%s", sum.notes[i]);
  }
  id_col = kseg_model_id_column(&raw);
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
  const char **names = kseg_calloc((size_t)m->k + 1, sizeof *names, "names");
  st = kseg_comm_agree(cli->comm, names ? KSEG_OK : KSEG_ERR_IO);
  for (int s = 0; !st && s < m->k; s++) names[s] = m->segment_names ? m->segment_names[s] : "";
  const int to_csv = ends_with(out, ".csv") || ends_with(out, ".txt") || ends_with(out, ".tsv");
  if (!st && to_csv) {
    const kseg_segments_file sf = {.raw = &raw, .id_col = id_col, .labels = labels, .distance = dist, .k = m->k,
                                   .names = names, .decisions = (const char *const *)m->segment_decisions};
    st = kseg_outputs_write_segments(cli->comm, out, &sf);
  } else if (!st) {
    const kseg_result_file rf = {.n_global = raw.n_global, .row0 = raw.row0, .n_local = raw.n_local,
                                  .labels = labels, .distance = dist, .k = m->k, .segment_names = names,
                                  .model = model_path, .input = in};
    st = kseg_outputs_write_result(cli->comm, out, &rf);
  }
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
    if (!from_h5) {
      kseg_json_str(&j, "id_column", id_col >= 0 ? raw.cols[id_col].name : "row");
      int64_t unseen = 0;
      for (int c = 0; c < sum.n_cols; c++) unseen += sum.cols[c].unseen;
      kseg_json_int(&j, "unseen_levels", unseen);
      kseg_json_open_array(&j, "notes");
      for (int i = 0; i < sum.n_notes; i++) kseg_json_array_str(&j, sum.notes[i]);
      kseg_json_close_array(&j);
    }
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
  kseg_csv_summary_clear(&sum);
  kseg_table_clear(&raw);
  kseg_model_free(&m);
  return kseg_comm_agree(cli->comm, st);
}
