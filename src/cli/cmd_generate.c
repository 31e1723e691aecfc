/* cmd_generate.c - `kseg generate`: synthetic customers with known segments,
 * or a synthetic transaction log (--transactions). */
#include <inttypes.h>
#include <stdio.h>

#include "cli.h"
#include "kseg/kseg_comm.h"
#include "kseg/kseg_error.h"
#include "kseg/kseg_generate.h"
#include "kseg/kseg_txgen.h"

/* `kseg generate --transactions N --out LOG`: a synthetic log (kseg_txgen.h). */
static int generate_transactions(kseg_cli *cli, const char *out, int64_t n, int64_t customers, int64_t seed)
{
  int st = KSEG_OK;
  if (out[0] == '\0') st = kseg_error_set(KSEG_ERR_INPUT, "--out needs a file name");
  if (n < 0) st = kseg_error_set(KSEG_ERR_INPUT, "--transactions must be >= 0, got %" PRId64, n);
  if (customers < 0) st = kseg_error_set(KSEG_ERR_INPUT, "--customers must be >= 1, got %" PRId64, customers);
  KSEG_CHECK(kseg_comm_agree(cli->comm, st));
  kseg_txgen_options g = {n, customers, (uint64_t)seed, 0, 0};
  kseg_cli_progress(cli, "generating %" PRId64 " transactions on %d ranks", n, cli->size);
  double t0 = kseg_now();
  int64_t bytes = 0;
  KSEG_CHECK(kseg_txgen_write(cli->comm, out, &g, &bytes));
  double sec = kseg_now() - t0;
  KSEG_CHECK(kseg_comm_agree(cli->comm, kseg_comm_max_f64(cli->comm, &sec, 1)));
  kseg_cli_info(cli, "generated %" PRId64 " transactions -> %s (%.1f MB) in %.2f s", n, out, (double)bytes / 1e6, sec);
  if (cli->json) {
    kseg_json j;
    kseg_json_begin(&j, KSEG_JSON_COMPACT);
    kseg_json_str(&j, "command", "generate --transactions");
    kseg_json_str(&j, "output", out);
    kseg_json_int(&j, "transactions", n);
    kseg_json_int(&j, "customers", customers > 0 ? customers : (n / 10 > 1 ? n / 10 : 1));
    kseg_json_int(&j, "seed", seed);
    kseg_json_int(&j, "bytes", bytes);
    kseg_json_int(&j, "ranks", cli->size);
    kseg_json_num(&j, "seconds", sec);
    kseg_cli_json_print(cli, &j);
  }
  return kseg_comm_agree(cli->comm, KSEG_OK);
}

int kseg_cmd_generate(kseg_cli *cli, int argc, char **argv)
{
  int64_t rows = 0, segments = KSEG_GENERATE_DEFAULT_SEGMENTS, seed = 1, round_rows = KSEG_GENERATE_ROUND_ROWS;
  int64_t transactions = 0, customers = 0;
  const char *out = NULL;
  kseg_opt opts[] = {
      {"rows", KSEG_OPT_INT, &rows, "N", "number of customers (required unless --transactions)", false, false},
      {"out", KSEG_OPT_STRING, &out, "FILE.h5", "output HDF5 file (/raw, /truth/segment)", true, false},
      {"segments", KSEG_OPT_INT, &segments, "K", "latent segments, 1..64 (default 4)", false, false},
      {"seed", KSEG_OPT_INT, &seed, "S", "random seed (default 1)", false, false},
      {"round-rows", KSEG_OPT_INT, &round_rows, "R",
       "rows per rank per write round; bounds memory (default 524288)",
       false, false},
      {"transactions", KSEG_OPT_INT, &transactions, "N", "instead: a transaction log of N lines (.csv or .h5)", false,
       false},
      {"customers", KSEG_OPT_INT, &customers, "C", "with --transactions: customers (default N/10)", false, false},
  };
  const int n_opts = (int)(sizeof opts / sizeof opts[0]);
  int st = kseg_args_parse(cli, argc, argv, opts, n_opts);
  if (st == KSEG_ARGS_HELP) {
    kseg_args_usage(cli, "generate --rows N --out raw.h5 [--segments K] [--seed S] [--round-rows R]\n"
                         "       kseg generate --transactions N --out tx.csv|tx.h5 [--customers C] [--seed S]",
                    "Synthetic customers with the 29 columns of the Customer Personality table, drawn from K\n"
                    "latent segments whose ids are written to /truth/segment. The file is identical for any\n"
                    "number of ranks.",
                    opts, n_opts);
    return KSEG_ARGS_HELP;
  }
  /* Flags are parsed identically on every rank; agreeing keeps it explicit. */
  KSEG_CHECK(kseg_comm_agree(cli->comm, st));
  if (opts[5].seen) return generate_transactions(cli, out, transactions, customers, seed);
  if (!opts[0].seen) st = kseg_error_set(KSEG_ERR_INPUT, "missing required option --rows (see kseg generate --help)");
  KSEG_CHECK(kseg_comm_agree(cli->comm, st));
  if (out[0] == '\0')
    st = kseg_error_set(KSEG_ERR_INPUT, "--out needs a file name");
  else if (round_rows < 1)
    st = kseg_error_set(KSEG_ERR_INPUT, "--round-rows must be at least 1, got %" PRId64, round_rows);
  else if (segments < 1 || segments > KSEG_GENERATE_MAX_SEGMENTS)
    st = kseg_error_set(KSEG_ERR_INPUT, "--segments must be between 1 and %d, got %" PRId64,
                        KSEG_GENERATE_MAX_SEGMENTS, segments);
  KSEG_CHECK(kseg_comm_agree(cli->comm, st));

  kseg_generate_opts o = {.rows = rows, .segments = (int)segments, .seed = seed, .round_rows = round_rows};
  kseg_generate_summary s;
  kseg_cli_progress(cli, "generating %" PRId64 " customers in %d segments on %d ranks", rows, o.segments,
                    cli->size);
  KSEG_CHECK(kseg_generate_write(cli->comm, out, &o, &s));

  double response_rate = (double)s.responders / (double)s.rows;
  kseg_cli_info(cli, "kseg generate: %" PRId64 " customers, %d segments, response rate %.1f%%, %" PRId64
                " missing incomes -> %s (%.2f s)",
                s.rows, s.segments, 100.0 * response_rate, s.income_missing, out, s.seconds);
  if (cli->json) {
    kseg_json j;
    kseg_json_begin(&j, KSEG_JSON_COMPACT);
    kseg_json_str(&j, "out", out);
    kseg_json_int(&j, "rows", s.rows);
    kseg_json_int(&j, "columns", KSEG_GENERATE_NCOLS);
    kseg_json_int(&j, "segments", s.segments);
    kseg_json_int(&j, "seed", seed);
    kseg_json_int(&j, "ranks", cli->size);
    kseg_json_int(&j, "rounds", s.rounds);
    kseg_json_open_array(&j, "segment_rows");
    for (int i = 0; i < s.segments; i++) kseg_json_array_int(&j, s.segment_rows[i]);
    kseg_json_close_array(&j);
    kseg_json_int(&j, "income_missing", s.income_missing);
    kseg_json_num(&j, "response_rate", response_rate);
    kseg_json_num(&j, "seconds", s.seconds);
    kseg_json_num(&j, "generate_seconds", s.generate_seconds);
    kseg_json_num(&j, "write_seconds", s.write_seconds);
    kseg_cli_json_print(cli, &j);
  }
  return KSEG_OK;
}
