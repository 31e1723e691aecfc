/* cmd_import.c - `kseg import`: a CSV file with a header row into raw.h5. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "kseg/kseg_comm.h"
#include "kseg/kseg_csv.h"
#include "kseg/kseg_error.h"


int kseg_cmd_import(kseg_cli *cli, int argc, char **argv)
{
  const char *in = NULL, *out = NULL;
  int64_t block = 0;
  kseg_cli_csv_flags csv = {0};
  kseg_opt opts[2 + KSEG_CLI_CSV_FLAGS + 1] = {
      {"in", KSEG_OPT_STRING, &in, "FILE.csv", "CSV file with a header row", true, false},
      {"out", KSEG_OPT_STRING, &out, "RAW.h5", "HDF5 file to write (/raw, one dataset per column)", true, false},
  };
  int n_opts = 2 + kseg_cli_csv_options(&csv, opts + 2);
  opts[n_opts++] = (kseg_opt){"block-size", KSEG_OPT_INT, &block, "BYTES", "bytes each rank reads at a time (default 8 MiB)",
                              false, false};
  int st = kseg_args_parse(cli, argc, argv, opts, n_opts);
  if (st == KSEG_ARGS_HELP) {
    kseg_args_usage(cli, "import --in FILE.csv --out RAW.h5 [options]",
                    "Import a CSV export (header row; tab, comma, semicolon or '|'; RFC 4180 quotes; UTF-8, Latin-1\n"
                    "or Windows-1252) into the raw table. Kinds are decided per column from all its values: numeric\n"
                    "(decimal point or comma, thousands separators, currencies, percentages, (negatives)), date\n"
                    "(days since 1970-01-01; day/month order from the values, or --date-order), categorical (at most\n"
                    "256 distinct values, at most half as many as the values; int32 codes into sorted levels) or\n"
                    "string. The id column (--id, or named ID / *_ID) is kept verbatim. Empty, NA, N/A, #N/A, NaN,\n"
                    "NULL, None, - and ? are missing values (--na to change). Rules: docs/import.md.",
                    opts, n_opts);
    return KSEG_ARGS_HELP;
  }
  kseg_csv_options opt = {0};
  if (st == KSEG_OK) st = kseg_cli_csv_resolve(&csv, &opt);
  opt.block_bytes = block;
  if (st == KSEG_OK && opts[n_opts - 1].seen && block < 1024)
    st = kseg_error_set(KSEG_ERR_INPUT, "--block-size must be at least 1024 bytes, got %" PRId64, block);
  st = kseg_comm_agree(cli->comm, st);
  if (st != KSEG_OK) return st;

  kseg_cli_progress(cli, "import: reading %s on %d rank%s", in, cli->size, cli->size == 1 ? "" : "s");
  kseg_csv_summary s;
  st = kseg_csv_import(cli->comm, in, out, &opt, &s);
  if (st != KSEG_OK) return st;
  for (int i = 0; i < s.n_notes; i++) kseg_cli_warn(cli, "%s", s.notes[i]);

  int64_t by_kind[4] = {0, 0, 0, 0}, missing = 0;
  for (int c = 0; c < s.n_cols; c++) {
    by_kind[s.cols[c].kind]++;
    missing += s.cols[c].missing;
  }
  double mbs = s.seconds > 0 ? (double)s.bytes / 1e6 / s.seconds : 0.0;
  kseg_cli_info(cli, "imported %s -> %s: %" PRId64 " rows x %d columns (%s-delimited, %s, %.1f MB) in %.3f s, %.1f MB/s",
                in, out, s.rows, s.n_cols, kseg_cli_delimiter_name(s.delimiter), kseg_csv_encoding_name(s.encoding),
                (double)s.bytes / 1e6, s.seconds, mbs);
  if (s.id_column)
    kseg_cli_info(cli, "id column: %s (kept verbatim; %" PRId64 " repeated, %" PRId64 " missing)", s.id_column,
                  s.id_repeats, s.id_missing);
  kseg_cli_progress(cli, "import: scan %.3f s, infer %.3f s, convert %.3f s, write %.3f s", s.scan_seconds,
                    s.infer_seconds, s.convert_seconds, s.write_seconds);
  kseg_cli_info(cli, "columns: %" PRId64 " numeric, %" PRId64 " date, %" PRId64 " categorical, %" PRId64
                " string; %" PRId64 " missing values",
                by_kind[KSEG_COL_NUMERIC], by_kind[KSEG_COL_DATE], by_kind[KSEG_COL_CATEGORICAL],
                by_kind[KSEG_COL_STRING], missing);
  kseg_cli_info(cli, "  %-28s %-12s %10s", "column", "kind", "missing");
  for (int c = 0; c < s.n_cols; c++) {
    const kseg_csv_column_info *ci = &s.cols[c];
    char extra[96] = "";
    if (ci->kind == KSEG_COL_CATEGORICAL) snprintf(extra, sizeof extra, "%d levels", (int)ci->n_levels);
    else if (ci->kind == KSEG_COL_STRING) snprintf(extra, sizeof extra, "width %d", (int)ci->str_width);
    else if (ci->kind == KSEG_COL_DATE) snprintf(extra, sizeof extra, "%s", ci->format.date_order);
    else if (ci->format.unit[0] || ci->format.decimal)
      snprintf(extra, sizeof extra, "%s%s%s", ci->format.unit[0] ? "unit " : "", ci->format.unit,
               ci->format.decimal == ',' ? (ci->format.unit[0] ? ", decimal comma" : "decimal comma") : "");
    /* pad by characters, not bytes: names may be any UTF-8 ("Année", "Amount (€)") */
    int chars = 0;
    for (const unsigned char *p = (const unsigned char *)ci->name; *p; p++) chars += (*p & 0xC0) != 0x80;
    kseg_cli_info(cli, "  %s%*s %-12s %10" PRId64 "%s%s", ci->name, chars < 28 ? 28 - chars : 0, "",
                  kseg_col_kind_name(ci->kind), ci->missing, extra[0] ? "  " : "", extra);
  }

  if (cli->json) {
    kseg_json j;
    kseg_json_begin(&j, KSEG_JSON_COMPACT);
    kseg_json_str(&j, "command", "import");
    kseg_json_str(&j, "input", in);
    kseg_json_str(&j, "output", out);
    kseg_json_int(&j, "rows", s.rows);
    kseg_json_int(&j, "columns", s.n_cols);
    kseg_json_str(&j, "delimiter", kseg_cli_delimiter_name(s.delimiter));
    kseg_json_str(&j, "encoding", kseg_csv_encoding_name(s.encoding));
    if (s.id_column) {
      kseg_json_str(&j, "id_column", s.id_column);
      kseg_json_int(&j, "id_repeats", s.id_repeats);
      kseg_json_int(&j, "id_missing", s.id_missing);
    }
    kseg_json_open_array(&j, "notes");
    for (int i = 0; i < s.n_notes; i++) kseg_json_array_str(&j, s.notes[i]);
    kseg_json_close_array(&j);
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
      if (ci->kind == KSEG_COL_DATE) kseg_json_str(&j, "date_order", ci->format.date_order);
      if (ci->kind == KSEG_COL_NUMERIC && ci->format.decimal) kseg_json_str(&j, "decimal", ",");
      if (ci->format.unit[0]) kseg_json_str(&j, "unit", ci->format.unit);
      if (ci->bad) kseg_json_int(&j, "bad", ci->bad);
      if (ci->unseen) kseg_json_int(&j, "unseen", ci->unseen);
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
