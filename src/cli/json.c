/* json.c - a minimal JSON writer for --json output. */
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static void put(kseg_json *j, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(kseg_json *j, const char *fmt, ...)
{
  va_list ap;
  for (;;) {
    size_t room = j->cap - j->len;
    va_start(ap, fmt);
    int n = j->buf ? vsnprintf(j->buf + j->len, room, fmt, ap) : -1;
    va_end(ap);
    if (n >= 0 && (size_t)n < room) { j->len += (size_t)n; return; }
    size_t cap = j->cap ? j->cap * 2 : 1024;
    while (n >= 0 && cap - j->len <= (size_t)n) cap *= 2;
    char *nb = realloc(j->buf, cap);
    if (!nb) return; /* output is best effort; the numbers are also on stderr */
    j->buf = nb;
    j->cap = cap;
  }
}

static void put_string(kseg_json *j, const char *s)
{
  put(j, "\"");
  for (; s && *s; s++) {
    unsigned char c = (unsigned char)*s;
    if (c == '"' || c == '\\') put(j, "\\%c", c);
    else if (c == '\n') put(j, "\\n");
    else if (c == '\t') put(j, "\\t");
    else if (c < 0x20) put(j, "\\u%04x", c);
    else put(j, "%c", c);
  }
  put(j, "\"");
}

static void separator(kseg_json *j)
{
  if (j->need_comma[j->depth]) put(j, ",");
  j->need_comma[j->depth] = true;
}

void kseg_json_key(kseg_json *j, const char *key)
{
  separator(j);
  if (key) {
    put_string(j, key);
    put(j, ":");
  }
}

void kseg_json_begin(kseg_json *j)
{
  memset(j, 0, sizeof *j);
  put(j, "{");
  j->depth = 1;
}

static void put_num(kseg_json *j, double v)
{
  if (isfinite(v)) put(j, "%.17g", v);
  else put(j, "null");
}

void kseg_json_str(kseg_json *j, const char *key, const char *value) { kseg_json_key(j, key); put_string(j, value); }
void kseg_json_num(kseg_json *j, const char *key, double value) { kseg_json_key(j, key); put_num(j, value); }
void kseg_json_int(kseg_json *j, const char *key, int64_t value) { kseg_json_key(j, key); put(j, "%" PRId64, value); }
void kseg_json_bool(kseg_json *j, const char *key, bool value) { kseg_json_key(j, key); put(j, value ? "true" : "false"); }

static void open_scope(kseg_json *j, const char *key, const char *bracket)
{
  kseg_json_key(j, key);
  put(j, "%s", bracket);
  if (j->depth < 31) j->depth++;
  j->need_comma[j->depth] = false;
}

static void close_scope(kseg_json *j, const char *bracket)
{
  if (j->depth > 0) j->depth--;
  put(j, "%s", bracket);
}

void kseg_json_open_object(kseg_json *j, const char *key) { open_scope(j, key, "{"); }
void kseg_json_close_object(kseg_json *j) { close_scope(j, "}"); }
void kseg_json_open_array(kseg_json *j, const char *key) { open_scope(j, key, "["); }
void kseg_json_close_array(kseg_json *j) { close_scope(j, "]"); }
void kseg_json_array_num(kseg_json *j, double value) { separator(j); put_num(j, value); }
void kseg_json_array_int(kseg_json *j, int64_t value) { separator(j); put(j, "%" PRId64, value); }
void kseg_json_array_str(kseg_json *j, const char *value) { separator(j); put_string(j, value); }

void kseg_json_print(kseg_json *j, const kseg_cli *cli)
{
  while (j->depth > 1) close_scope(j, "}");
  put(j, "}");
  if (cli->rank == 0 && j->buf) {
    fputs(j->buf, stdout);
    fputc('\n', stdout);
    fflush(stdout);
  }
  kseg_json_clear(j);
}

void kseg_json_clear(kseg_json *j)
{
  if (!j) return;
  free(j->buf);
  memset(j, 0, sizeof *j);
}
