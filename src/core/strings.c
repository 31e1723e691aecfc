/* strings.c - copies, owned string lists, splitting, CSV fields (kseg_strings.h). */
#include "kseg/kseg_strings.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "kseg/kseg_error.h"

char *kseg_strings_dup(const char *s) { return kseg_strings_dup_n(s, strlen(s)); }

char *kseg_strings_dup_n(const char *s, size_t n)
{
  char *p = kseg_malloc(n + 1, "string");
  if (!p) return NULL;
  memcpy(p, s, n);
  p[n] = '\0';
  return p;
}

void kseg_strings_free(char ***list, int64_t n)
{
  if (!list || !*list) return;
  for (int64_t i = 0; i < n; i++) free((*list)[i]);
  free(*list);
  *list = NULL;
}

int kseg_strings_split(const char *text, char sep, char ***out, int *count)
{
  *out = NULL;
  *count = 0;
  int n = 1;
  for (const char *c = text; *c; c++) n += *c == sep;
  char **list = kseg_calloc((size_t)n + 1, sizeof *list, "string list");
  if (!list) return KSEG_ERR_IO;
  const char *p = text;
  for (int k = 0; k < n; k++) {
    const char *e = strchr(p, sep);
    size_t l = e ? (size_t)(e - p) : strlen(p);
    while (l && isspace((unsigned char)*p)) p++, l--;
    while (l && isspace((unsigned char)p[l - 1])) l--;
    if (!(list[k] = kseg_strings_dup_n(p, l))) {
      kseg_strings_free(&list, k);
      return KSEG_ERR_IO;
    }
    if (e) p = e + 1;
  }
  *out = list;
  *count = n;
  return KSEG_OK;
}

void kseg_strings_write_csv_field(FILE *f, const char *s)
{
  if (!strpbrk(s, ",\"\r\n")) {
    fputs(s, f);
    return;
  }
  fputc('"', f);
  for (; *s; s++) {
    if (*s == '"') fputc('"', f);
    fputc(*s, f);
  }
  fputc('"', f);
}
