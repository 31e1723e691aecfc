/* options.c - flags that several subcommands share: how a CSV export is
 * read (import, run, assign). */
#include <string.h>
#include <strings.h>

#include "cli.h"
#include "kseg/kseg_error.h"

int kseg_cli_csv_options(kseg_cli_csv_flags *f, kseg_opt *opts)
{
  const kseg_opt list[KSEG_CLI_CSV_FLAGS] = {
      {"delimiter", KSEG_OPT_STRING, &f->delimiter, "tab|comma|semicolon|pipe",
       "field delimiter (default: a sep=X first line, else detected from the header)", false, false},
      {"decimal", KSEG_OPT_STRING, &f->decimal, ".|,",
       "decimal mark of every numeric column (default: decided per column from its values)", false, false},
      {"encoding", KSEG_OPT_STRING, &f->encoding, "utf-8|latin1|cp1252", "text encoding of the file (default utf-8)",
       false, false},
      {"date-order", KSEG_OPT_STRING, &f->date_order, "DMY|MDY|YMD",
       "order of day and month for date columns whose values cannot tell (default: refuse them)", false, false},
      {"na", KSEG_OPT_STRING, &f->na, "A,B,..",
       "missing-value markers instead of NA,N/A,#N/A,NaN,NULL,None,-,? (the empty field is always missing)", false,
       false},
      {"id", KSEG_OPT_STRING, &f->id, "COL", "the customer id column, kept verbatim (default: the first named ID or *_ID)",
       false, false},
      {"strict", KSEG_OPT_FLAG, &f->strict, NULL,
       "values that do not read as their column's numbers or dates are errors, not warnings", false, false},
  };
  memcpy(opts, list, sizeof list);
  return KSEG_CLI_CSV_FLAGS;
}

const char *kseg_cli_delimiter_name(char d)
{
  return d == '\t' ? "tab" : d == ';' ? "semicolon" : d == '|' ? "pipe" : d == ',' ? "comma" : "other";
}

int kseg_cli_csv_resolve(const kseg_cli_csv_flags *f, kseg_csv_options *o)
{
  const char *t = f->delimiter;
  if (t) {
    if (strcmp(t, "tab") == 0 || strcmp(t, "\\t") == 0 || strcmp(t, "\t") == 0) o->delimiter = '\t';
    else if (strcmp(t, "comma") == 0 || strcmp(t, ",") == 0) o->delimiter = ',';
    else if (strcmp(t, "semicolon") == 0 || strcmp(t, ";") == 0) o->delimiter = ';';
    else if (strcmp(t, "pipe") == 0 || strcmp(t, "|") == 0) o->delimiter = '|';
    else return kseg_error_set(KSEG_ERR_INPUT, "--delimiter expects tab, comma, semicolon or pipe, got '%s'", t);
  }
  if ((t = f->decimal)) {
    if (strcmp(t, ".") == 0 || strcmp(t, "point") == 0) o->decimal = '.';
    else if (strcmp(t, ",") == 0 || strcmp(t, "comma") == 0) o->decimal = ',';
    else return kseg_error_set(KSEG_ERR_INPUT, "--decimal expects . or , (point or comma), got '%s'", t);
  }
  if (f->encoding && !kseg_csv_encoding_parse(f->encoding, &o->encoding))
    return kseg_error_set(KSEG_ERR_INPUT, "--encoding expects utf-8, latin1 or cp1252, got '%s'", f->encoding);
  if ((t = f->date_order)) {
    if (strcasecmp(t, "DMY") == 0) o->date_order = KSEG_CSV_ORDER_DMY;
    else if (strcasecmp(t, "MDY") == 0) o->date_order = KSEG_CSV_ORDER_MDY;
    else if (strcasecmp(t, "YMD") == 0) o->date_order = KSEG_CSV_ORDER_YMD;
    else return kseg_error_set(KSEG_ERR_INPUT, "--date-order expects DMY, MDY or YMD, got '%s'", t);
  }
  o->na = f->na;
  if (f->id && !f->id[0]) return kseg_error_set(KSEG_ERR_INPUT, "--id needs a column name");
  o->id_column = f->id;
  o->strict = f->strict;
  return KSEG_OK;
}
