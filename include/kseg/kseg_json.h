/* kseg_json.h - one JSON writer for every JSON kseg produces: the `--json`
 * object of each command, profiles.json and drift.json.
 *
 * The text grows in a buffer the writer owns. Numbers are written with 17
 * significant digits (they read back to the same bits); NaN and infinities
 * become null. Strings are escaped: quote, backslash, \n and \t by their
 * short forms, every other byte below 0x20 as \u00XX; UTF-8 passes through.
 * Layout is the caller's: compact ({"a":1}) or spaced ({"a": 1}), and
 * kseg_json_newline puts the next item on a line of its own, so a file can
 * keep the shape people read it in.
 *
 * A failure (out of memory, nesting deeper than KSEG_JSON_MAX_DEPTH) is
 * recorded once; the calls after it do nothing and kseg_json_end returns it.
 * Everything here is Local.
 */
#ifndef KSEG_JSON_H
#define KSEG_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KSEG_JSON_MAX_DEPTH 32

#ifdef __cplusplus
extern "C" {
#endif

typedef enum kseg_json_layout {
  KSEG_JSON_COMPACT = 0, /* {"a":1,"b":[1,2]} */
  KSEG_JSON_SPACED = 1   /* {"a": 1, "b": [1, 2]} */
} kseg_json_layout;

/* A writer; the fields are the writer's, read only `buf` and `len` (after
 * kseg_json_end). */
typedef struct kseg_json {
  char *buf; /* the text, NUL-terminated; owned, freed by kseg_json_clear */
  size_t len, cap;
  int status; /* KSEG_OK or the first failure */
  kseg_json_layout layout;
  int depth; /* open objects and arrays, the top object included */
  char closer[KSEG_JSON_MAX_DEPTH];
  bool need_comma[KSEG_JSON_MAX_DEPTH];
  int newline; /* >= 0: the next item or closing bracket starts a new line, indented this much */
} kseg_json;

/* Start the top object ("{"); *j need not be initialised. */
void kseg_json_begin(kseg_json *j, kseg_json_layout layout);

/* The next member, element or closing bracket starts on a new line indented
 * by `indent` spaces (after the comma that separates it, if any). */
void kseg_json_newline(kseg_json *j, int indent);

/* Members of the innermost object; `key` NULL writes a bare value (an
 * element of the innermost array). */
void kseg_json_str(kseg_json *j, const char *key, const char *value); /* value NULL: "" */
void kseg_json_num(kseg_json *j, const char *key, double value);      /* NaN, +-Inf: null */
void kseg_json_int(kseg_json *j, const char *key, int64_t value);
void kseg_json_bool(kseg_json *j, const char *key, bool value);
void kseg_json_null(kseg_json *j, const char *key);
void kseg_json_open_object(kseg_json *j, const char *key);
void kseg_json_close_object(kseg_json *j);
void kseg_json_open_array(kseg_json *j, const char *key);
void kseg_json_close_array(kseg_json *j);

/* Elements of the innermost array. */
void kseg_json_array_num(kseg_json *j, double value);
void kseg_json_array_int(kseg_json *j, int64_t value);
void kseg_json_array_str(kseg_json *j, const char *value);

/* Close every scope still open, the top object last, and end the text with
 * a newline. Returns KSEG_OK, or the recorded failure (KSEG_ERR_IO, the
 * message already set); the text stays in j->buf either way. */
int kseg_json_end(kseg_json *j);

/* Free the text and zero *j. NULL-safe. */
void kseg_json_clear(kseg_json *j);

#ifdef __cplusplus
}
#endif

#endif
