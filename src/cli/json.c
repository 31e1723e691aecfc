/* json.c - the --json object of a command on stdout (root only). */
#include <stdio.h>

#include "cli.h"
#include "kseg/kseg_error.h"

void kseg_cli_json_print(const kseg_cli *cli, kseg_json *j)
{
  const int st = kseg_json_end(j);
  if (cli->rank == 0) {
    if (st == KSEG_OK) {
      fputs(j->buf, stdout);
      fflush(stdout);
    } else {
      kseg_cli_warn(cli, "no JSON output: %s", kseg_error_message());
    }
  }
  kseg_json_clear(j);
}
