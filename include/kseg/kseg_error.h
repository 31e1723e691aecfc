/* kseg_error.h - errors as values.
 *
 * Every library function returns a kseg status and, on failure, records one
 * message (per thread) with kseg_error_set. Nothing here exits or prints.
 * Statuses are ordered by severity so ranks can agree on the worst with MAX.
 */
#ifndef KSEG_ERROR_H
#define KSEG_ERROR_H

#include <stdarg.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum kseg_status {
  KSEG_OK = 0,
  KSEG_ERR_INPUT = 1, /* bad usage or bad input: exit status 1 */
  KSEG_ERR_IO = 2     /* I/O, MPI or out-of-memory failure: exit status 2 */
} kseg_status;

/* Record a message for the calling thread and return `status`. The first
 * message since the last kseg_error_clear() wins: the innermost failure is the
 * most specific. Local. */
int kseg_error_set_at(const char *file, int line, int status, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
#define kseg_error_set(status, ...) kseg_error_set_at(__FILE__, __LINE__, (status), __VA_ARGS__)

/* Replace the message (used when agreeing on the failing rank's message). */
void kseg_error_replace(const char *message);

/* The calling thread's message, "" when none. Owned by kseg. */
const char *kseg_error_message(void);
/* "file:line" where the message was set, "" when none or when replaced. */
const char *kseg_error_where(void);
void kseg_error_clear(void);

/* Out of memory: records "out of memory (<what>, <bytes> bytes)". */
int kseg_error_nomem(const char *what, size_t bytes);

/* A worker thread's outcome, carried to the thread that reports it (the
 * messages are per thread). */
typedef struct kseg_error_slot {
  int status;
  char *message; /* owned; NULL when the status is KSEG_OK */
} kseg_error_slot;

/* In a worker thread: keep `status` in *slot and, on failure, a copy of the
 * thread's message, which is then cleared (pool threads live on: no stale
 * first message next time). Local. */
void kseg_error_keep(kseg_error_slot *slot, int status);

/* In the reporting thread: the status of the first failed of n slots, in
 * order, with its message recorded for this thread; KSEG_OK when none failed.
 * Frees every slot's message. Local. */
int kseg_error_first(kseg_error_slot *slots, int n);

/* Propagate a failing status upward. */
#define KSEG_CHECK(call)                                                      \
  do {                                                                        \
    int kseg_check_status_ = (call);                                          \
    if (kseg_check_status_ != KSEG_OK) return kseg_check_status_;             \
  } while (0)

/* Store the status in `st` and jump to `label` on failure (one cleanup path). */
#define KSEG_CHECK_GOTO(call, st, label)                                      \
  do {                                                                        \
    (st) = (call);                                                            \
    if ((st) != KSEG_OK) goto label;                                          \
  } while (0)

/* malloc that records the failure: p = kseg_malloc(bytes, "what"). */
void *kseg_malloc(size_t bytes, const char *what);
/* kseg_malloc for large arrays streamed every iteration (the feature
 * matrix): aligned to 2 MiB and advised to use transparent huge pages, which
 * spares the kernels a TLB miss every 4 KiB. Released with free(). */
void *kseg_malloc_big(size_t bytes, const char *what);
void *kseg_calloc(size_t count, size_t size, const char *what);
/* Keep freed memory in the process for the next allocation instead of
 * returning it to the system (glibc: no mmap per block, no trimming), unless
 * GLIBC_TUNABLES says otherwise. A sweep allocates and frees arrays of the
 * same sizes for every k and restart; each fresh one cost page faults and
 * the kernel's zeroing of its pages. Peaks rise a little (freed blocks a
 * later request does not fit stay mapped: +1.5 % for one fit of 1M-10M
 * rows, +5.6 % for the 1M customers' sweep); memory goes back when more
 * than 2 GiB lies free at the top of the heap, and at exit. Call once, first
 * thing (the `kseg` command does). */
void kseg_malloc_keep_freed(void);

#ifdef __cplusplus
}
#endif

#endif
