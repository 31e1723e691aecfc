/* fuzz_args.c - libFuzzer target for the flag parser (src/cli/args.c,
 * compiled into the target with a stack kseg_cli): the input, split at NUL
 * bytes, is argv[1..] of a subcommand that has every kind of option. Checks,
 * besides ASan/UBSan: the status is OK, HELP or KSEG_ERR_INPUT with a
 * message; on OK every required option was seen and a string option points
 * into argv; kseg_args_range accepts only what it can give back. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "kseg/kseg_error.h"

#define CHECK(cond)                                                                      \
  do {                                                                                   \
    if (!(cond)) {                                                                       \
      fprintf(stderr, "fuzz_args: check failed at %s:%d: %s\n", __FILE__, __LINE__, #cond); \
      abort();                                                                           \
    }                                                                                    \
  } while (0)

enum { MAX_ARGS = 64 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  char *buf = malloc(size + 1);
  if (!buf) return 0;
  memcpy(buf, data, size);
  buf[size] = '\0';
  char *argv[MAX_ARGS + 1];
  int argc = 0;
  argv[argc++] = "fit";
  for (size_t i = 0; i <= size && argc < MAX_ARGS;) {
    argv[argc++] = buf + i;
    i += strlen(buf + i) + 1;
  }
  argv[argc] = NULL;

  kseg_cli cli = {.comm = MPI_COMM_NULL, .rank = 1 /* nothing printed */, .size = 1, .command = "fit"};
  const char *in = NULL, *name = "default";
  int64_t k = -7, rows = 0;
  double tol = 0.5;
  bool flag = false;
  kseg_opt opts[] = {
      {"in", KSEG_OPT_STRING, &in, "FILE", "input", true, false},
      {"name", KSEG_OPT_STRING, &name, "NAME", "a name", false, false},
      {"k", KSEG_OPT_INT, &k, "K", "clusters", false, false},
      {"rows", KSEG_OPT_INT, &rows, "N", "rows", false, false},
      {"tol", KSEG_OPT_DOUBLE, &tol, "T", "tolerance", false, false},
      {"resume", KSEG_OPT_FLAG, &flag, NULL, "a flag", false, false},
  };
  const int n_opts = (int)(sizeof opts / sizeof opts[0]);
  kseg_error_clear();
  const int st = kseg_args_parse(&cli, argc, argv, opts, n_opts);
  CHECK(st == KSEG_OK || st == KSEG_ARGS_HELP || st == KSEG_ERR_INPUT);
  if (st == KSEG_ERR_INPUT) CHECK(kseg_error_message()[0] != '\0');
  if (st == KSEG_OK) {
    CHECK(opts[0].seen && in != NULL);
    CHECK(in >= buf && in <= buf + size);
    CHECK(tol == tol); /* never NaN */
  }
  for (int i = 1; i < argc; i++) {
    int64_t lo = 0, hi = 0;
    kseg_error_clear();
    const int rs = kseg_args_range(argv[i], "k", &lo, &hi);
    CHECK(rs == KSEG_OK || (rs == KSEG_ERR_INPUT && kseg_error_message()[0] != '\0'));
  }
  free(buf);
  return 0;
}
