/* test.h - assertions that survive NDEBUG and print both sides and the rank. */
#ifndef KSEG_TEST_H
#define KSEG_TEST_H

#include <inttypes.h>
#include <math.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

#endif
