/* cli.h - shared pieces of the `kseg` command: flag parsing, JSON output,
 * progress and error reporting. Only the CLI parses flags or prints. */
#ifndef KSEG_CLI_H
#define KSEG_CLI_H

#include <mpi.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kseg/kseg_autoencoder.h"
#include "kseg/kseg_csv.h"
#include "kseg/kseg_json.h"
#include "kseg/kseg_prep.h"
#include "kseg/kseg_rfm.h"
#include "kseg/kseg_plan.h"

typedef struct kseg_cli {
  MPI_Comm comm; /* duplicated world communicator, MPI_ERRORS_RETURN */
  int rank, size;
  bool json;     /* --json: one JSON object on stdout, root only */
  bool verbose;  /* --verbose: progress on stderr even when not a terminal */
  bool progress; /* progress goes to stderr (root, and terminal or verbose) */
  const char *command;
} kseg_cli;

/* ---- flags ---- */
typedef enum kseg_opt_type {
  KSEG_OPT_FLAG,   /* bool, no value */
  KSEG_OPT_STRING, /* const char * */
  KSEG_OPT_INT,    /* int64_t */
  KSEG_OPT_DOUBLE  /* double */
} kseg_opt_type;

typedef struct kseg_opt {
  const char *name;    /* without leading dashes: "rows" for --rows */
  kseg_opt_type type;
  void *dest;          /* bool*, const char**, int64_t*, double* */
  const char *metavar; /* "N", "FILE", ... (NULL for flags) */
  const char *help;
  bool required;
  bool seen;           /* set by the parser */
} kseg_opt;

enum { KSEG_ARGS_HELP = -1 };

/* Parse argv[1..argc) against opts ("--name value" or "--name=value"). The
 * common flags --json, --verbose and --help are handled here. Returns KSEG_OK,
 * KSEG_ARGS_HELP (help was asked for) or KSEG_ERR_INPUT with a message naming
 * the flag (unknown flag, missing value, bad number, missing required flag). */
int kseg_args_parse(kseg_cli *cli, int argc, char **argv, kseg_opt *opts, int n_opts);

/* Print usage of a subcommand (root only) to stdout. */
void kseg_args_usage(const kseg_cli *cli, const char *synopsis, const char *summary,
                     const kseg_opt *opts, int n_opts);

/* Parse "A:B" into lo, hi (KSEG_ERR_INPUT naming `flag` when malformed). */
int kseg_args_range(const char *text, const char *flag, int64_t *lo, int64_t *hi);

/* ---- flags several subcommands share (options.c) ---- */

/* How a CSV export is read: import, run and assign. */
typedef struct kseg_cli_csv_flags {
  const char *delimiter, *decimal, *encoding, *date_order, *na, *id;
  bool strict;
} kseg_cli_csv_flags;
enum { KSEG_CLI_CSV_FLAGS = 7 };
/* Write the KSEG_CLI_CSV_FLAGS flags into opts[], bound to *f; returns their number. */
int kseg_cli_csv_options(kseg_cli_csv_flags *f, kseg_opt *opts);
/* Check the flags' values into *o (KSEG_ERR_INPUT naming the flag). */
int kseg_cli_csv_resolve(const kseg_cli_csv_flags *f, kseg_csv_options *o);
/* --as-of DATE of a transaction log into o->as_of (o->has_as_of set), or
 * KSEG_ERR_INPUT naming the flag: rfm and run --transactions. */
int kseg_cli_rfm_as_of(const char *as_of, kseg_rfm_options *o);
/* How features are prepared: prep and run. */
typedef struct kseg_cli_prep_flags {
  const char *impute, *outliers, *log1p, *scale, *columns, *exclude, *pca, *autoencoder;
} kseg_cli_prep_flags;
enum { KSEG_CLI_PREP_FLAGS = 8 };
/* Write the KSEG_CLI_PREP_FLAGS flags into opts[], bound to *f; returns their number. */
int kseg_cli_prep_options(kseg_cli_prep_flags *f, kseg_opt *opts);
/* Check the flags into *o, *pca (0: none) and, for --autoencoder, *ae
 * (default training options) with *use_ae set. KSEG_ERR_INPUT naming the flag. */
int kseg_cli_prep_resolve(const kseg_cli_prep_flags *f, kseg_prep_options *o, double *pca, kseg_ae_options *ae,
                          bool *use_ae);
/* One of names[0..n) for --flag: *out = its index + 1 (0 is "the recipe's
 * default" in every kseg_prep enum); else KSEG_ERR_INPUT listing them. */
int kseg_cli_parse_choice(const char *text, const char *flag, const char *const *names, int n, int *out);
/* --outliers none | iqr[:F] | clip:P into o. */
int kseg_cli_parse_outliers(const char *text, kseg_prep_options *o);
/* --pca N | FRACTION. */
int kseg_cli_parse_pca(const char *text, double *want);

/* The columns a preparation left out for a reason people should see
 * (degenerate columns, the target, features built on them) as warnings; the
 * rest (identifiers, text) with --verbose. Root only. */
void kseg_cli_prep_notes(const kseg_cli *cli, const kseg_prep_model *m);
/* "tab", "comma", "semicolon", "pipe". */
const char *kseg_cli_delimiter_name(char d);

/* ---- JSON on stdout (root only) ---- */
/* End the object (kseg_json.h, begun KSEG_JSON_COMPACT), print it with a
 * newline on the root, and clear it. */
void kseg_cli_json_print(const kseg_cli *cli, kseg_json *j);

/* ---- messages ---- */
/* Progress line on stderr when cli->progress (root only). */
void kseg_cli_progress(const kseg_cli *cli, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Human summary on stderr (root only), with or without --json. */
void kseg_cli_info(const kseg_cli *cli, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Warning on stderr (root only), always shown. */
void kseg_cli_warn(const kseg_cli *cli, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The campaign flags of run and profile (--contact-cost, --response-revenue,
 * --cv-folds, found by name in opts) into *plan: given or not, and values.
 * KSEG_ERR_INPUT naming --cv-folds when it does not fit an int; the values
 * themselves are checked by kseg_plan_prepare. */
int kseg_cli_plan_options(const kseg_opt *opts, int n_opts, double cost, double revenue, int64_t cv_folds,
                          kseg_plan_options *plan);

/* When st is KSEG_ERR_INPUT, prefix the message with "<what>: " (the file
 * or flag the library could not name). Returns st. */
int kseg_cli_name_input(int st, const char *what);

/* ---- subcommands: one file each, cmd_<name>.c ---- */
typedef int (*kseg_cmd_fn)(kseg_cli *cli, int argc, char **argv);

/* (declarations added as subcommands land) */
int kseg_cmd_generate(kseg_cli *cli, int argc, char **argv);
int kseg_cmd_metrics(kseg_cli *cli, int argc, char **argv);
int kseg_cmd_import(kseg_cli *cli, int argc, char **argv);
int kseg_cmd_prep(kseg_cli *cli, int argc, char **argv);
int kseg_cmd_fit(kseg_cli *cli, int argc, char **argv);
int kseg_cmd_sweep(kseg_cli *cli, int argc, char **argv);
int kseg_cmd_rfm(kseg_cli *cli, int argc, char **argv);
int kseg_cmd_profile(kseg_cli *cli, int argc, char **argv);
int kseg_cmd_run(kseg_cli *cli, int argc, char **argv);
int kseg_cmd_assign(kseg_cli *cli, int argc, char **argv);
int kseg_cmd_rules(kseg_cli *cli, int argc, char **argv);

#endif
