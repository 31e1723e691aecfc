/* kseg_strings.h - the string chores every layer repeats: copies that record
 * their failure, lists of owned strings, splitting a separated list.
 *
 * Allocation failures are recorded in kseg_error (kseg_error_nomem) like any
 * kseg allocation, so a caller only checks for NULL / the status. All Local.
 */
#ifndef KSEG_STRINGS_H
#define KSEG_STRINGS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A malloc'd copy of s; NULL (recorded) when out of memory. Free with free(). */
char *kseg_strings_dup(const char *s);

/* A malloc'd NUL-terminated copy of the n bytes at s (a slice that need not
 * be terminated, such as a field of a record buffer); NULL (recorded) when
 * out of memory. Free with free(). */
char *kseg_strings_dup_n(const char *s, size_t n);

/* Free the first n strings of *list and the array, and set *list to NULL.
 * NULL-safe (a NULL *list or NULL entries). */
void kseg_strings_free(char ***list, int64_t n);

/* Split text at every `sep` into *count malloc'd items with spaces around
 * each trimmed (isspace); an empty item stays "" for the caller to judge.
 * *out has *count + 1 entries, the last NULL; free with kseg_strings_free.
 * KSEG_ERR_IO (recorded) when out of memory, then *out is NULL. */
int kseg_strings_split(const char *text, char sep, char ***out, int *count);

/* Write s to f as one CSV field: as is, or quoted (quotes doubled) when it
 * holds a comma, quote, CR or newline (RFC 4180). */
void kseg_strings_write_csv_field(FILE *f, const char *s);

#ifdef __cplusplus
}
#endif

#endif
