/* cmd_import.c - `kseg import`: a CSV file with a header row into raw.h5. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "kseg/kseg_comm.h"
#include "kseg/kseg_csv.h"
#include "kseg/kseg_error.h"

static int parse_delimiter(const char *text, char *out)
{
  if (!text) { *out = 0; return KSEG_OK; }
  if (strcmp(text, "tab") == 0 || strcmp(text, "\\t") == 0 || strcmp(text, "\t") == 0) *out = '\t';
  else if (strcmp(text, "comma") == 0 || strcmp(text, ",") == 0) *out = ',';
  else if (strcmp(text, "semicolon") == 0 || strcmp(text, ";") == 0) *out = ';';
  else return kseg_error_set(KSEG_ERR_INPUT, "--delimiter expects tab, comma or semicolon, got '%s'", text);
  return KSEG_OK;
}

static const char *delimiter_name(char d) { return d == '\t' ? "tab" : d == ';' ? "semicolon" : "comma"; }

int kseg_cmd_import(kseg_cli *cli, int argc, char **argv)
{
  const char *in = NULL, *out = NULL, *delim = NULL;
  int64_t block = 0;
  kseg_opt opts[] = {
      {"in", KSEG_OPT_STRING, &in, "FILE.csv", "CSV file with a header row", true, false},
      {"out", KSEG_OPT_STRING, &out, "RAW.h5", "HDF5 file to write (/raw, one dataset per column)", true, false},
      {"delimiter", KSEG_OPT_STRING, &delim, "tab|comma|semicolon", "field delimiter (default: detected from the header)",
       false, false},
      {"block-size", KSEG_OPT_INT, &block, "BYTES", "bytes each rank reads at a time (default 8 MiB)", false, false},
  };
  int n_opts = (int)(sizeof opts / sizeof opts[0]);
  int st = kseg_args_parse(cli, argc, argv, opts, n_opts);
  if (st == KSEG_ARGS_HELP) {
    kseg_args_usage(cli, "import --in FILE.csv --out RAW.h5 [--delimiter tab|comma|semicolon]",
                    "Import a CSV file (header row; tab, comma or semicolon; RFC 4180 quotes) into the raw table.\n"
                    "Column types are inferred: numeric, date (days since 1970-01-01), categorical (at most 256\n"
                    "distinct values and at most half as many as the rows with a value; int32 codes into sorted\n"
                    "levels) or string. Empty, NA, N/A, NaN, null and None are missing values.",
                    opts, n_opts);
    return KSEG_ARGS_HELP;
  }
  char d = 0;
  if (st == KSEG_OK) st = parse_delimiter(delim, &d);
  if (st == KSEG_OK && opts[3].seen && block < 1024)
    st = kseg_error_set(KSEG_ERR_INPUT, "--block-size must be at least 1024 bytes, got %" PRId64, block);
  st = kseg_comm_agree(cli->comm, st);
  if (st != KSEG_OK) return st;

  kseg_cli_progress(cli, "import: reading %s on %d rank%s", in, cli->size, cli->size == 1 ? "" : "s");
  kseg_csv_options opt = {d, block};
  kseg_csv_summary s;
  st = kseg_csv_import(cli->comm, in, out, &opt, &s);
  if (st != KSEG_OK) return st;

  int64_t by_kind[4] = {0, 0, 0, 0}, missing = 0;
  for (int c = 0; c < s.n_cols; c++) {
    by_kind[s.cols[c].kind]++;
    missing += s.cols[c].missing;
  }
  double mbs = s.seconds > 0 ? (double)s.bytes / 1e6 / s.seconds : 0.0;
  kseg_cli_info(cli, "imported %s -> %s: %" PRId64 " rows x %d columns (%s-delimited, %.1f MB) in %.3f s, %.1f MB/s",
                in, out, s.rows, s.n_cols, delimiter_name(s.delimiter), (double)s.bytes / 1e6, s.seconds, mbs);
  kseg_cli_progress(cli, "import: scan %.3f s, infer %.3f s, convert %.3f s, write %.3f s", s.scan_seconds,
                    s.infer_seconds, s.convert_seconds, s.write_seconds);
  kseg_cli_info(cli, "columns: %" PRId64 " numeric, %" PRId64 " date, %" PRId64 " categorical, %" PRId64
                " string; %" PRId64 " missing values",
                by_kind[KSEG_COL_NUMERIC], by_kind[KSEG_COL_DATE], by_kind[KSEG_COL_CATEGORICAL],
                by_kind[KSEG_COL_STRING], missing);
  kseg_cli_info(cli, "  %-28s %-12s %10s", "column", "kind", "missing");
  for (int c = 0; c < s.n_cols; c++) {
    const kseg_csv_column_info *ci = &s.cols[c];
    char extra[64] = "";
    if (ci->kind == KSEG_COL_CATEGORICAL) snprintf(extra, sizeof extra, "%d levels", (int)ci->n_levels);
    else if (ci->kind == KSEG_COL_STRING) snprintf(extra, sizeof extra, "width %d", (int)ci->str_width);
    else if (ci->kind == KSEG_COL_DATE) snprintf(extra, sizeof extra, "%s", ci->month_first ? "month first" : "day first");
    kseg_cli_info(cli, "  %-28s %-12s %10" PRId64 "%s%s", ci->name, kseg_col_kind_name(ci->kind), ci->missing,
                  extra[0] ? "  " : "", extra);
  }

  if (cli->json) {
    kseg_json j;
    kseg_json_begin(&j, KSEG_JSON_COMPACT);
    kseg_json_str(&j, "command", "import");
    kseg_json_str(&j, "input", in);
    kseg_json_str(&j, "output", out);
    kseg_json_int(&j, "rows", s.rows);
    kseg_json_int(&j, "columns", s.n_cols);
    kseg_json_str(&j, "delimiter", delimiter_name(s.delimiter));
    kseg_json_int(&j, "missing", missing);
    kseg_json_open_object(&j, "kinds");
    for (int k = 0; k < 4; k++) kseg_json_int(&j, kseg_col_kind_name((kseg_col_kind)k), by_kind[k]);
    kseg_json_close_object(&j);
    kseg_json_open_array(&j, "per_column");
    for (int c = 0; c < s.n_cols; c++) {
      const kseg_csv_column_info *ci = &s.cols[c];
      kseg_json_open_object(&j, NULL);
      kseg_json_str(&j, "name", ci->name);
      kseg_json_str(&j, "kind", kseg_col_kind_name(ci->kind));
      kseg_json_int(&j, "missing", ci->missing);
      if (ci->kind == KSEG_COL_CATEGORICAL) kseg_json_int(&j, "levels", ci->n_levels);
      if (ci->kind == KSEG_COL_STRING) kseg_json_int(&j, "width", ci->str_width);
      kseg_json_close_object(&j);
    }
    kseg_json_close_array(&j);
    kseg_json_int(&j, "bytes", s.bytes);
    kseg_json_int(&j, "ranks", cli->size);
    kseg_json_num(&j, "seconds", s.seconds);
    kseg_json_num(&j, "mb_per_s", mbs);
    kseg_json_open_object(&j, "phase_seconds");
    kseg_json_num(&j, "scan", s.scan_seconds);
    kseg_json_num(&j, "infer", s.infer_seconds);
    kseg_json_num(&j, "convert", s.convert_seconds);
    kseg_json_num(&j, "write", s.write_seconds);
    kseg_json_close_object(&j);
    kseg_cli_json_print(cli, &j);
  }
  kseg_csv_summary_clear(&s);
  return kseg_comm_agree(cli->comm, KSEG_OK);
}
