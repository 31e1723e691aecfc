#include "kseg/kseg_error.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <string.h>
#if defined(__GLIBC__) /* set by the headers above */
#include <malloc.h>
#endif

enum { KSEG_MESSAGE_MAX = 1024 };

static _Thread_local char error_message[KSEG_MESSAGE_MAX];
static _Thread_local char error_where[256];

int kseg_error_set_at(const char *file, int line, int status, const char *fmt, ...)
{
  if (status == KSEG_OK || error_message[0] != '\0') return status;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(error_message, sizeof error_message, fmt, ap);
  va_end(ap);
  const char *base = strrchr(file, '/');
  snprintf(error_where, sizeof error_where, "%s:%d", base ? base + 1 : file, line);
  return status;
}

void kseg_error_replace(const char *message)
{
  snprintf(error_message, sizeof error_message, "%s", message ? message : "");
  error_where[0] = '\0';
}

const char *kseg_error_message(void) { return error_message; }
const char *kseg_error_where(void) { return error_where; }

void kseg_error_clear(void)
{
  error_message[0] = '\0';
  error_where[0] = '\0';
}

int kseg_error_nomem(const char *what, size_t bytes)
{
  return kseg_error_set(KSEG_ERR_IO, "out of memory (%s, %zu bytes)", what, bytes);
}

void kseg_error_keep(kseg_error_slot *slot, int status)
{
  slot->status = status;
  slot->message = NULL;
  if (status == KSEG_OK) return;
  slot->message = strdup(error_message);
  kseg_error_clear();
}

int kseg_error_first(kseg_error_slot *slots, int n)
{
  int st = KSEG_OK;
  for (int t = 0; t < n; t++) {
    if (slots[t].status && !st)
      st = kseg_error_set(slots[t].status, "%s", slots[t].message ? slots[t].message : "out of memory");
    free(slots[t].message);
    slots[t].message = NULL;
  }
  return st;
}

void *kseg_malloc(size_t bytes, const char *what)
{
  void *p = malloc(bytes ? bytes : 1);
  if (!p) kseg_error_nomem(what, bytes);
  return p;
}

void *kseg_malloc_big(size_t bytes, const char *what)
{
  const size_t huge = (size_t)2 << 20;
  if (bytes < 2 * huge) return kseg_malloc(bytes, what);
  void *p = NULL;
  if (posix_memalign(&p, huge, bytes) != 0) {
    kseg_error_nomem(what, bytes);
    return NULL;
  }
#ifdef MADV_HUGEPAGE
  madvise(p, bytes, MADV_HUGEPAGE); /* advice only: failure changes nothing */
#endif
  return p;
}

void kseg_malloc_keep_freed(void)
{
#if defined(__GLIBC__) && defined(M_MMAP_MAX) && defined(M_TRIM_THRESHOLD)
  if (getenv("GLIBC_TUNABLES")) return; /* the user's own malloc settings */
  mallopt(M_MMAP_MAX, 0);
  mallopt(M_TRIM_THRESHOLD, INT_MAX); /* an int: trimmed only past 2 GiB free at the top */
#endif
}

void *kseg_calloc(size_t count, size_t size, const char *what)
{
  void *p = calloc(count ? count : 1, size ? size : 1);
  if (!p) kseg_error_nomem(what, count * size);
  return p;
}
