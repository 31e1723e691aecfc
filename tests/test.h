/* test.h - what the C tests share: assertions that survive NDEBUG and print
 * both sides and the rank, bit-for-bit comparisons, MPI set-up, and a
 * partitioned matrix filled from a function of the global row. Header only. */
#ifndef KSEG_TEST_H
#define KSEG_TEST_H

#include <inttypes.h>
#include <math.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kseg/kseg_comm.h"
#include "kseg/kseg_error.h"
#include "kseg/kseg_types.h"

static inline int kseg_test_rank(void)
{
  int init = 0, r = 0;
  MPI_Initialized(&init);
  if (init) MPI_Comm_rank(MPI_COMM_WORLD, &r);
  return r;
}

static inline void kseg_test_fail(void)
{
  int init = 0, fin = 0;
  MPI_Initialized(&init);
  MPI_Finalized(&fin);
  if (init && !fin) MPI_Abort(MPI_COMM_WORLD, 1);
  exit(1);
}

#define KSEG_TEST_FAIL_(fmt, ...)                                                             \
  do {                                                                                        \
    fprintf(stderr, "%s:%d: [rank %d] " fmt "\n", __FILE__, __LINE__, kseg_test_rank(), __VA_ARGS__); \
    kseg_test_fail();                                                                         \
  } while (0)

#define ASSERT(cond)                                                                          \
  do {                                                                                        \
    if (!(cond)) KSEG_TEST_FAIL_("assertion failed: %s", #cond);                              \
  } while (0)

#define ASSERT_EQ(a, b)                                                                       \
  do {                                                                                        \
    int64_t a_ = (int64_t)(a), b_ = (int64_t)(b);                                             \
    if (a_ != b_) KSEG_TEST_FAIL_("%s == %s failed: %" PRId64 " != %" PRId64, #a, #b, a_, b_); \
  } while (0)

#define ASSERT_OK(call)                                                                       \
  do {                                                                                        \
    int s_ = (call);                                                                          \
    if (s_ != 0) KSEG_TEST_FAIL_("%s returned %d: %s", #call, s_, kseg_error_message());      \
  } while (0)

#define ASSERT_STATUS(call, expected)                                                         \
  do {                                                                                        \
    int s_ = (call);                                                                          \
    if (s_ != (expected)) KSEG_TEST_FAIL_("%s returned %d, expected %d (message: %s)", #call, s_, \
                                          (int)(expected), kseg_error_message());             \
  } while (0)

#define ASSERT_NEAR(a, b, tol)                                                                \
  do {                                                                                        \
    double a_ = (double)(a), b_ = (double)(b);                                                \
    if (!(fabs(a_ - b_) <= (tol)))                                                            \
      KSEG_TEST_FAIL_("%s ~ %s failed: %.17g vs %.17g (tol %g)", #a, #b, a_, b_, (double)(tol)); \
  } while (0)

#define ASSERT_STREQ(a, b)                                                                    \
  do {                                                                                        \
    const char *a_ = (a), *b_ = (b);                                                          \
    if (!a_ || !b_ || strcmp(a_, b_) != 0)                                                    \
      KSEG_TEST_FAIL_("%s == %s failed: \"%s\" != \"%s\"", #a, #b, a_ ? a_ : "(null)", b_ ? b_ : "(null)"); \
  } while (0)

#define ASSERT_CONTAINS(haystack, needle)                                                     \
  do {                                                                                        \
    const char *h_ = (haystack), *n_ = (needle);                                              \
    if (!h_ || !strstr(h_, n_)) KSEG_TEST_FAIL_("\"%s\" does not contain \"%s\"", h_ ? h_ : "(null)", n_); \
  } while (0)

/* Index of the first of n doubles whose bits differ between a and b, -1 when
 * all are identical (so +0/-0 differ and a NaN equals only the same NaN). */
static inline int64_t kseg_test_first_diff(const double *a, const double *b, int64_t n)
{
  for (int64_t i = 0; i < n; i++)
    if (memcmp(&a[i], &b[i], sizeof(double)) != 0) return i;
  return -1;
}

/* n doubles at a and b identical bit for bit; prints the first difference. */
#define ASSERT_SAME_BITS(a, b, n)                                                             \
  do {                                                                                        \
    const double *sa_ = (a), *sb_ = (b);                                                      \
    int64_t at_ = kseg_test_first_diff(sa_, sb_, (int64_t)(n));                               \
    if (at_ >= 0)                                                                             \
      KSEG_TEST_FAIL_("%s and %s differ at [%" PRId64 "] of %" PRId64 ": %.17g != %.17g (%a != %a)", #a, \
                      #b, at_, (int64_t)(n), sa_[at_], sb_[at_], sa_[at_], sb_[at_]);         \
  } while (0)

/* Two doubles identical bit for bit, or both NaN (any payload). */
#define ASSERT_SAME_VALUE(a, b)                                                               \
  do {                                                                                        \
    double va_ = (a), vb_ = (b);                                                              \
    if (memcmp(&va_, &vb_, sizeof va_) != 0 && !(isnan(va_) && isnan(vb_)))                  \
      KSEG_TEST_FAIL_("%s and %s differ: %.17g != %.17g (%a != %a)", #a, #b, va_, vb_, va_, vb_); \
  } while (0)

/* MPI for a test: MPI_Init_thread at MPI_THREAD_FUNNELED (as the kseg command:
 * OpenMP threads inside, MPI from the master thread), then MPI_COMM_WORLD
 * duplicated into *world with kseg's error handling, and MPI_COMM_SELF into
 * *self when self is not NULL. */
static inline void kseg_test_init(int *argc, char ***argv, MPI_Comm *world, MPI_Comm *self)
{
  int provided = 0;
  MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided);
  ASSERT(provided >= MPI_THREAD_FUNNELED);
  if (world) ASSERT_OK(kseg_comm_dup(MPI_COMM_WORLD, world));
  if (self) ASSERT_OK(kseg_comm_dup(MPI_COMM_SELF, self));
}

/* Frees what kseg_test_init duplicated (either may be NULL) and finalizes MPI. */
static inline void kseg_test_finalize(MPI_Comm *world, MPI_Comm *self)
{
  if (self) MPI_Comm_free(self);
  if (world) MPI_Comm_free(world);
  MPI_Finalize();
}

/* A value of the test matrix: global row, column, the caller's context. */
typedef double (*kseg_test_value_fn)(int64_t row, int64_t col, const void *ctx);

/* *m becomes rows [row0, row0 + n_local) of an n_global x d matrix of dtype
 * (KSEG_F64 or KSEG_F32, rounded from the double) with m[i][j] =
 * value(row0 + i, j, ctx), so every rank count builds the same matrix.
 * Release with kseg_matrix_clear. */
static inline void kseg_test_matrix(kseg_matrix *m, int64_t n_global, int64_t row0, int64_t n_local, int64_t d,
                                    kseg_dtype dtype, kseg_test_value_fn value, const void *ctx)
{
  memset(m, 0, sizeof *m);
  m->n_global = n_global;
  m->row0 = row0;
  m->n_local = n_local;
  m->d = d;
  m->dtype = dtype;
  m->data = malloc((size_t)((n_local > 0 ? n_local : 1) * d) * (dtype == KSEG_F32 ? sizeof(float) : sizeof(double)));
  ASSERT(m->data != NULL);
  for (int64_t i = 0; i < n_local; i++)
    for (int64_t j = 0; j < d; j++) {
      const double v = value(row0 + i, j, ctx);
      if (dtype == KSEG_F32) ((float *)m->data)[i * d + j] = (float)v;
      else ((double *)m->data)[i * d + j] = v;
    }
}

#endif
