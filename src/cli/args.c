/* args.c - flag parsing for every subcommand. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "kseg/kseg_error.h"

static int parse_int(const char *text, const char *flag, int64_t *out)
{
  char *end = NULL;
  errno = 0;
  long long v = strtoll(text, &end, 10);
  if (errno || end == text || *end != '\0')
    return kseg_error_set(KSEG_ERR_INPUT, "--%s expects an integer, got '%s'", flag, text);
  *out = (int64_t)v;
  return KSEG_OK;
}

static int parse_double(const char *text, const char *flag, double *out)
{
  char *end = NULL;
  errno = 0;
  double v = strtod(text, &end);
  if (errno || end == text || *end != '\0' || !isfinite(v))
    return kseg_error_set(KSEG_ERR_INPUT, "--%s expects a number, got '%s'", flag, text);
  *out = v;
  return KSEG_OK;
}

static kseg_opt *find_opt(kseg_opt *opts, int n_opts, const char *name, size_t len)
{
  for (int i = 0; i < n_opts; i++)
    if (strlen(opts[i].name) == len && strncmp(opts[i].name, name, len) == 0) return &opts[i];
  return NULL;
}

int kseg_args_parse(kseg_cli *cli, int argc, char **argv, kseg_opt *opts, int n_opts)
{
  bool help = false;
  for (int i = 1; i < argc; i++) {
    const char *arg = argv[i];
    if (strncmp(arg, "--", 2) != 0 || arg[2] == '\0')
      return kseg_error_set(KSEG_ERR_INPUT, "unexpected argument '%s' (see kseg %s --help)", arg, cli->command);
    const char *name = arg + 2;
    const char *eq = strchr(name, '=');
    size_t len = eq ? (size_t)(eq - name) : strlen(name);
    if (len == 4 && strncmp(name, "help", 4) == 0) { help = true; continue; }
    if (len == 4 && strncmp(name, "json", 4) == 0 && !eq) { cli->json = true; continue; }
    if (len == 7 && strncmp(name, "verbose", 7) == 0 && !eq) { cli->verbose = true; continue; }
    kseg_opt *opt = find_opt(opts, n_opts, name, len);
    if (!opt)
      return kseg_error_set(KSEG_ERR_INPUT, "unknown option '--%.*s' (see kseg %s --help)", (int)len, name,
                            cli->command);
    opt->seen = true;
    if (opt->type == KSEG_OPT_FLAG) {
      if (eq) return kseg_error_set(KSEG_ERR_INPUT, "--%s takes no value", opt->name);
      *(bool *)opt->dest = true;
      continue;
    }
    const char *value = eq ? eq + 1 : NULL;
    if (!value) {
      if (i + 1 >= argc) return kseg_error_set(KSEG_ERR_INPUT, "--%s needs a value (%s)", opt->name,
                                               opt->metavar ? opt->metavar : "VALUE");
      value = argv[++i];
    }
    switch (opt->type) {
    case KSEG_OPT_STRING: *(const char **)opt->dest = value; break;
    case KSEG_OPT_INT: KSEG_CHECK(parse_int(value, opt->name, opt->dest)); break;
    case KSEG_OPT_DOUBLE: KSEG_CHECK(parse_double(value, opt->name, opt->dest)); break;
    case KSEG_OPT_FLAG: break;
    }
  }
  cli->progress = cli->rank == 0 && (cli->verbose || isatty(STDERR_FILENO));
  if (help) return KSEG_ARGS_HELP;
  for (int i = 0; i < n_opts; i++)
    if (opts[i].required && !opts[i].seen)
      return kseg_error_set(KSEG_ERR_INPUT, "missing required option --%s (see kseg %s --help)", opts[i].name,
                            cli->command);
  return KSEG_OK;
}

void kseg_args_usage(const kseg_cli *cli, const char *synopsis, const char *summary, const kseg_opt *opts,
                     int n_opts)
{
  if (cli->rank != 0) return;
  printf("usage: kseg %s\n\n%s\n\noptions:\n", synopsis, summary);
  for (int i = 0; i < n_opts; i++) {
    char left[64];
    snprintf(left, sizeof left, "--%s%s%s", opts[i].name, opts[i].metavar ? " " : "",
             opts[i].metavar ? opts[i].metavar : "");
    printf("  %-24s %s%s\n", left, opts[i].help, opts[i].required ? " (required)" : "");
  }
  printf("  %-24s %s\n  %-24s %s\n  %-24s %s\n", "--json", "print one JSON object with results and timings",
         "--verbose", "progress on stderr even when it is not a terminal", "--help", "this text");
}

int kseg_args_range(const char *text, const char *flag, int64_t *lo, int64_t *hi)
{
  char *end = NULL;
  errno = 0;
  long long a = strtoll(text, &end, 10);
  if (errno || end == text) goto bad;
  if (*end == '\0') { *lo = *hi = a; return KSEG_OK; }
  if (*end != ':') goto bad;
  const char *second = end + 1;
  long long b = strtoll(second, &end, 10);
  if (errno || end == second || *end != '\0') goto bad;
  *lo = a;
  *hi = b;
  return KSEG_OK;
bad:
  return kseg_error_set(KSEG_ERR_INPUT, "--%s expects A:B (for example 2:12), got '%s'", flag, text);
}

static void vmessage(const kseg_cli *cli, const char *prefix, const char *fmt, va_list ap)
{
  if (cli->rank != 0) return;
  fputs(prefix, stderr);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
}

void kseg_cli_progress(const kseg_cli *cli, const char *fmt, ...)
{
  if (!cli->progress) return;
  va_list ap;
  va_start(ap, fmt);
  vmessage(cli, "", fmt, ap);
  va_end(ap);
}

void kseg_cli_info(const kseg_cli *cli, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  vmessage(cli, "", fmt, ap);
  va_end(ap);
}

void kseg_cli_warn(const kseg_cli *cli, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  vmessage(cli, "kseg: warning: ", fmt, ap);
  va_end(ap);
}

int kseg_cli_name_input(int st, const char *what)
{
  if (st == KSEG_ERR_INPUT) {
    char msg[1400];
    snprintf(msg, sizeof msg, "%s: %s", what, kseg_error_message());
    kseg_error_replace(msg);
  }
  return st;
}

static bool seen(const kseg_opt *opts, int n_opts, const char *name)
{
  for (int i = 0; i < n_opts; i++)
    if (strcmp(opts[i].name, name) == 0) return opts[i].seen;
  return false;
}

int kseg_cli_plan_options(const kseg_opt *opts, int n_opts, double cost, double revenue, int64_t cv_folds,
                          kseg_plan_options *plan)
{
  memset(plan, 0, sizeof *plan);
  plan->cost_given = seen(opts, n_opts, "contact-cost");
  plan->revenue_given = seen(opts, n_opts, "response-revenue");
  plan->contact_cost = cost;
  plan->response_revenue = revenue;
  if (cv_folds < 2 || cv_folds > KSEG_PLAN_MAX_FOLDS)
    return kseg_error_set(KSEG_ERR_INPUT, "--cv-folds must be in 2..%d (got %lld)", KSEG_PLAN_MAX_FOLDS,
                          (long long)cv_folds);
  plan->cv_folds = seen(opts, n_opts, "cv-folds") ? (int)cv_folds : 0;
  return KSEG_OK;
}
