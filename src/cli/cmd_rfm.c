/* cmd_rfm.c - `kseg rfm`: a transaction log into one row per customer with
 * recency, frequency, monetary statistics and RFM scores (raw.h5). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "cli.h"
#include "kseg/kseg_comm.h"
#include "kseg/kseg_csv.h"
#include "kseg/kseg_error.h"
#include "kseg/kseg_rfm.h"

static void day_text(int64_t days, char out[16])
{
  int y, m, d;
  kseg_csv_civil_from_days(days, &y, &m, &d);
  snprintf(out, 16, "%04d-%02d-%02d", y, m, d);
}

/* Peak resident memory of every rank, MiB, gathered on the root (the
 * benchmark reports memory per rank). */
static int gather_rss(const kseg_cli *cli, double *rss)
{
  struct rusage ru;
  double mine = getrusage(RUSAGE_SELF, &ru) == 0 ? (double)ru.ru_maxrss / 1024.0 : -1.0;
  return kseg_comm_check(MPI_Gather(&mine, 1, MPI_DOUBLE, rss, 1, MPI_DOUBLE, 0, cli->comm), "MPI_Gather (rss)");
}

int kseg_cmd_rfm(kseg_cli *cli, int argc, char **argv)
{
  const char *in = NULL, *out = NULL, *as_of = NULL, *decimal = NULL, *date_order = NULL, *encoding = NULL;
  kseg_rfm_options o;
  memset(&o, 0, sizeof o);
  kseg_opt opts[] = {
      {"in", KSEG_OPT_STRING, &in, "LOG", "transactions: .csv/.txt (header row) or .h5 (/raw table)", true, false},
      {"out", KSEG_OPT_STRING, &out, "RAW.h5", "HDF5 file to write (/raw, one row per customer)", true, false},
      {"customer", KSEG_OPT_STRING, &o.columns[0], "COL", "customer id column (default: found by name)", false, false},
      {"id", KSEG_OPT_STRING, &o.columns[0], "COL", "the same as --customer (the name import, run and assign use)",
       false, false},
      {"date", KSEG_OPT_STRING, &o.columns[1], "COL", "date column (default: found by name)", false, false},
      {"amount", KSEG_OPT_STRING, &o.columns[2], "COL", "amount column (default: found by name)", false, false},
      {"quantity", KSEG_OPT_STRING, &o.columns[3], "COL", "quantity column (default: found by name, optional)", false,
       false},
      {"as-of", KSEG_OPT_STRING, &as_of, "DATE", "day recency is measured to; later lines are left out "
       "(default: the day after the last date)", false, false},
      {"block-size", KSEG_OPT_INT, &o.block_bytes, "BYTES", "bytes each rank reads at a time (default 8 MiB)", false,
       false},
      {"round-size", KSEG_OPT_INT, &o.round_items, "N", "most records a rank sends per exchange round (default 1 Mi)",
       false, false},
      {"decimal", KSEG_OPT_STRING, &decimal, ".|,", "decimal mark of the amounts (default: decided from the log's values)",
       false, false},
      {"date-order", KSEG_OPT_STRING, &date_order, "DMY|MDY",
       "order of day and month of year-last dates when no date of the log tells (default: refuse)", false, false},
      {"encoding", KSEG_OPT_STRING, &encoding, "utf-8|latin1|cp1252", "text encoding of the log (default utf-8)",
       false, false},
  };
  int n_opts = (int)(sizeof opts / sizeof opts[0]);
  int st = kseg_args_parse(cli, argc, argv, opts, n_opts);
  if (st == KSEG_ARGS_HELP) {
    kseg_args_usage(cli,
                    "rfm --in LOG --out RAW.h5 [--customer COL] [--date COL] [--amount COL] [--quantity COL] "
                    "[--as-of DATE]",
                    "Aggregate a transaction log into one row per customer: recency_days, frequency,\n"
                    "purchase_days, monetary_total/mean, quantity_total, tenure_days, mean_interpurchase_days,\n"
                    "first/last_purchase and the RFM quintile scores R, F, M (5 best), RFM and RFM_cell.\n"
                    "Logs: CSV (tab, comma, semicolon), whitespace-separated text, or an HDF5 /raw table.\n"
                    "Dates and amounts as exports write them (docs/import.md: 04.09.2012, 9/4/2012 13:45,\n"
                    "2012-09-04T10:00Z, YYYYMMDD; $1,234.50, 1.234,50 EUR). Negative amounts are returns: they lower\n"
                    "monetary_total but are not purchases. Rows are sorted by customer id. See docs/rfm.md.\n"
                    "Synthetic logs: kseg generate --transactions N --out LOG.csv|LOG.h5 [--customers C] [--seed S].",
                    opts, n_opts);
    return KSEG_ARGS_HELP;
  }
  if (st == KSEG_OK && as_of) st = kseg_cli_rfm_as_of(as_of, &o);
  if (st == KSEG_OK && (decimal || date_order || encoding)) {
    kseg_cli_csv_flags f = {.decimal = decimal, .date_order = date_order, .encoding = encoding};
    kseg_csv_options co;
    memset(&co, 0, sizeof co);
    st = kseg_cli_csv_resolve(&f, &co);
    if (st == KSEG_OK && co.date_order == KSEG_CSV_ORDER_YMD)
      st = kseg_error_set(KSEG_ERR_INPUT, "--date-order of a transaction log is DMY or MDY (year-first dates tell)");
    o.decimal = co.decimal;
    o.date_order = (int)co.date_order;
    o.encoding = co.encoding;
  }
  if (st == KSEG_OK && opts[8].seen && o.block_bytes < 1024)
    st = kseg_error_set(KSEG_ERR_INPUT, "--block-size must be at least 1024 bytes, got %" PRId64, o.block_bytes);
  if (st == KSEG_OK && opts[9].seen && o.round_items < 1)
    st = kseg_error_set(KSEG_ERR_INPUT, "--round-size must be at least 1, got %" PRId64, o.round_items);
  st = kseg_comm_agree(cli->comm, st);
  if (st != KSEG_OK) return st;

  kseg_cli_progress(cli, "rfm: reading %s on %d rank%s", in, cli->size, cli->size == 1 ? "" : "s");
  kseg_rfm_summary s;
  st = kseg_rfm_run(cli->comm, in, out, &o, &s);
  if (st != KSEG_OK) return st;

  char first[16], last[16], asof[16];
  day_text(s.first_day, first);
  day_text(s.last_day, last);
  day_text(s.as_of, asof);
  double tps = s.seconds > 0 ? (double)s.lines / s.seconds : 0.0;
  double *rss = kseg_malloc((size_t)cli->size * sizeof *rss, "rss table");
  st = kseg_comm_agree(cli->comm, rss ? KSEG_OK : KSEG_ERR_IO); /* before the gather every rank must join */
  if (st == KSEG_OK) st = kseg_comm_agree(cli->comm, gather_rss(cli, rss));
  if (st != KSEG_OK) { free(rss); kseg_rfm_summary_clear(&s); return st; }
  kseg_cli_info(cli, "rfm %s -> %s: %" PRId64 " lines (%" PRId64 " purchases, %" PRId64 " returns, %" PRId64
                " after the as-of day) -> %" PRId64 " customers in %.3f s (%.0f lines/s)",
                in, out, s.lines, s.purchases, s.returns, s.after_as_of, s.customers, s.seconds, tps);
  kseg_cli_info(cli, "columns: customer %s, date %s, amount %s, quantity %s; %s ids; dates %s .. %s, as of %s",
                s.columns[0], s.columns[1], s.columns[2], s.columns[3] ? s.columns[3] : "(none)",
                s.string_ids ? "string" : "integer", first, last, asof);
  if (s.dropped)
    kseg_cli_info(cli, "%" PRId64 " customers without a purchase up to the as-of day are left out", s.dropped);
  kseg_cli_info(cli, "monetary total %.2f; quintile cuts: recency %g/%g/%g/%g days, frequency %g/%g/%g/%g, "
                "monetary %g/%g/%g/%g",
                s.monetary_total, s.quintiles[0][0], s.quintiles[0][1], s.quintiles[0][2], s.quintiles[0][3],
                s.quintiles[1][0], s.quintiles[1][1], s.quintiles[1][2], s.quintiles[1][3], s.quintiles[2][0],
                s.quintiles[2][1], s.quintiles[2][2], s.quintiles[2][3]);

  if (cli->json) {
    kseg_json j;
    kseg_json_begin(&j, KSEG_JSON_COMPACT);
    kseg_json_str(&j, "command", "rfm");
    kseg_json_str(&j, "input", in);
    kseg_json_str(&j, "output", out);
    kseg_json_int(&j, "lines", s.lines);
    kseg_json_int(&j, "purchases", s.purchases);
    kseg_json_int(&j, "returns", s.returns);
    kseg_json_int(&j, "after_as_of", s.after_as_of);
    kseg_json_int(&j, "customers", s.customers);
    kseg_json_int(&j, "dropped_customers", s.dropped);
    kseg_json_num(&j, "monetary_total", s.monetary_total);
    kseg_json_str(&j, "first_date", first);
    kseg_json_str(&j, "last_date", last);
    kseg_json_str(&j, "as_of", asof);
    kseg_json_str(&j, "ids", s.string_ids ? "string" : "integer");
    kseg_json_open_object(&j, "columns");
    static const char *const roles[4] = {"customer", "date", "amount", "quantity"};
    for (int i = 0; i < 4; i++)
      if (s.columns[i]) kseg_json_str(&j, roles[i], s.columns[i]);
    kseg_json_close_object(&j);
    static const char *const qn[3] = {"recency_days", "frequency", "monetary_total"};
    kseg_json_open_object(&j, "quintile_cuts");
    for (int m = 0; m < 3; m++) {
      kseg_json_open_array(&j, qn[m]);
      for (int k = 0; k < 4; k++) kseg_json_array_num(&j, s.quintiles[m][k]);
      kseg_json_close_array(&j);
    }
    kseg_json_close_object(&j);
    kseg_json_int(&j, "bytes", s.bytes);
    kseg_json_int(&j, "ranks", cli->size);
    kseg_json_int(&j, "exchange_rounds", s.rounds);
    kseg_json_num(&j, "seconds", s.seconds);
    kseg_json_open_object(&j, "phase_seconds");
    kseg_json_num(&j, "read", s.read_seconds);
    kseg_json_num(&j, "exchange", s.exchange_seconds);
    kseg_json_num(&j, "aggregate", s.aggregate_seconds);
    kseg_json_num(&j, "sort_and_score", s.sort_seconds);
    kseg_json_num(&j, "write", s.write_seconds);
    kseg_json_close_object(&j);
    kseg_json_num(&j, "lines_per_s", tps);
    kseg_json_open_array(&j, "peak_rss_mib");
    for (int r = 0; r < cli->size; r++) kseg_json_array_num(&j, rss[r]);
    kseg_json_close_array(&j);
    kseg_cli_json_print(cli, &j);
  }
  free(rss);
  kseg_rfm_summary_clear(&s);
  return kseg_comm_agree(cli->comm, KSEG_OK);
}
