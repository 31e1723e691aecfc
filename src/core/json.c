/* json.c - the JSON writer of kseg_json.h. */
#include "kseg/kseg_json.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kseg/kseg_error.h"

static void grow(kseg_json *j, size_t more)
{
  if (j->status || j->len + more < j->cap) return;
  size_t cap = j->cap ? j->cap : 1024;
  while (cap <= j->len + more) cap *= 2;
  char *p = realloc(j->buf, cap);
  if (!p) {
    j->status = kseg_error_nomem("JSON text", cap);
    return;
  }
  j->buf = p;
  j->cap = cap;
}

static void put(kseg_json *j, const char *s, size_t n)
{
  grow(j, n);
  if (j->status) return;
  memcpy(j->buf + j->len, s, n);
  j->len += n;
  j->buf[j->len] = '\0';
}

static void puts_(kseg_json *j, const char *s) { put(j, s, strlen(s)); }

static void putf(kseg_json *j, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void putf(kseg_json *j, const char *fmt, ...)
{
  char small[64];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(small, sizeof small, fmt, ap);
  va_end(ap);
  if (n >= 0 && (size_t)n < sizeof small) put(j, small, (size_t)n); /* every format here fits */
}

static void put_string(kseg_json *j, const char *s)
{
  puts_(j, "\"");
  const char *run = s ? s : "";
  for (const char *p = run;; p++) {
    const unsigned char c = (unsigned char)*p;
    if (c != '\0' && c != '"' && c != '\\' && c >= 0x20) continue;
    put(j, run, (size_t)(p - run)); /* the plain bytes before this one */
    if (c == '\0') break;
    if (c == '"' || c == '\\') putf(j, "\\%c", c);
    else if (c == '\n') puts_(j, "\\n");
    else if (c == '\t') puts_(j, "\\t");
    else putf(j, "\\u%04x", c);
    run = p + 1;
  }
  puts_(j, "\"");
}

static void put_num(kseg_json *j, double v)
{
  if (isfinite(v)) putf(j, "%.17g", v);
  else puts_(j, "null");
}

static void put_newline(kseg_json *j)
{
  if (j->newline < 0) return;
  puts_(j, "\n");
  for (int i = 0; i < j->newline; i++) puts_(j, " ");
  j->newline = -1;
}

/* Whatever goes before an item: the comma, the line break or space, and
 * the key. */
static void item(kseg_json *j, const char *key)
{
  if (j->depth <= 0 && !j->status) j->status = kseg_error_set(KSEG_ERR_IO, "JSON written after its end");
  if (j->status) return;
  const bool later = j->need_comma[j->depth - 1];
  if (later) puts_(j, ",");
  if (j->newline >= 0) put_newline(j);
  else if (later && j->layout == KSEG_JSON_SPACED) puts_(j, " ");
  j->need_comma[j->depth - 1] = true;
  if (key) {
    put_string(j, key);
    puts_(j, j->layout == KSEG_JSON_SPACED ? ": " : ":");
  }
}

void kseg_json_begin(kseg_json *j, kseg_json_layout layout)
{
  memset(j, 0, sizeof *j);
  j->layout = layout;
  j->newline = -1;
  puts_(j, "{");
  j->closer[0] = '}';
  j->depth = 1;
}

void kseg_json_newline(kseg_json *j, int indent) { j->newline = indent > 0 ? indent : 0; }

void kseg_json_str(kseg_json *j, const char *key, const char *value)
{
  item(j, key);
  put_string(j, value);
}

void kseg_json_num(kseg_json *j, const char *key, double value)
{
  item(j, key);
  put_num(j, value);
}

void kseg_json_int(kseg_json *j, const char *key, int64_t value)
{
  item(j, key);
  putf(j, "%" PRId64, value);
}

void kseg_json_bool(kseg_json *j, const char *key, bool value)
{
  item(j, key);
  puts_(j, value ? "true" : "false");
}

void kseg_json_null(kseg_json *j, const char *key)
{
  item(j, key);
  puts_(j, "null");
}

static void open_scope(kseg_json *j, const char *key, char opener, char closer)
{
  item(j, key);
  if (j->depth >= KSEG_JSON_MAX_DEPTH) {
    if (!j->status)
      j->status = kseg_error_set(KSEG_ERR_IO, "JSON nested deeper than %d levels", KSEG_JSON_MAX_DEPTH);
    return;
  }
  put(j, &opener, 1);
  j->closer[j->depth] = closer;
  j->need_comma[j->depth] = false;
  j->depth++;
}

static void close_scope(kseg_json *j)
{
  if (j->depth <= 0) return;
  put_newline(j);
  j->depth--;
  put(j, &j->closer[j->depth], 1);
}

void kseg_json_open_object(kseg_json *j, const char *key) { open_scope(j, key, '{', '}'); }
void kseg_json_close_object(kseg_json *j) { close_scope(j); }
void kseg_json_open_array(kseg_json *j, const char *key) { open_scope(j, key, '[', ']'); }
void kseg_json_close_array(kseg_json *j) { close_scope(j); }
void kseg_json_array_num(kseg_json *j, double value) { kseg_json_num(j, NULL, value); }
void kseg_json_array_int(kseg_json *j, int64_t value) { kseg_json_int(j, NULL, value); }
void kseg_json_array_str(kseg_json *j, const char *value) { kseg_json_str(j, NULL, value); }

int kseg_json_end(kseg_json *j)
{
  while (j->depth > 0) close_scope(j);
  puts_(j, "\n");
  return j->status;
}

void kseg_json_clear(kseg_json *j)
{
  if (!j) return;
  free(j->buf);
  memset(j, 0, sizeof *j);
  j->newline = -1;
}
