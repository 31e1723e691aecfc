/* rfm_scores.c - exact, rank-invariant quintile cut points and RFM scores. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "kseg/kseg_comm.h"
#include "kseg/kseg_error.h"
#include "kseg/kseg_rfm.h"

/* Order-preserving image of a double in uint64 (no NaN): the bisection runs
 * over integers, so it ends on a value that occurs, after at most 64 steps. */
static uint64_t ordered(double x)
{
  if (x == 0.0) x = 0.0; /* -0 and +0 are one value */
  uint64_t u;
  memcpy(&u, &x, sizeof u);
  return (u >> 63) ? ~u : u | 0x8000000000000000ULL;
}

static double from_ordered(uint64_t u)
{
  u = (u >> 63) ? u & 0x7FFFFFFFFFFFFFFFULL : ~u;
  double x;
  memcpy(&x, &u, sizeof x);
  return x;
}

int kseg_rfm_quintiles(MPI_Comm comm, const double *x, int64_t n, double q[4])
{
  int64_t total = n;
  KSEG_CHECK(kseg_comm_sum_i64(comm, &total, 1));
  if (total == 0) {
    for (int k = 0; k < 4; k++) q[k] = NAN;
    return KSEG_OK;
  }
  /* lo: the smallest image, hi: the largest (reduced as min of lo and of ~hi). */
  int64_t bounds[2] = {INT64_MAX, INT64_MAX};
  uint64_t lo_local = UINT64_MAX, hi_local = 0;
  for (int64_t i = 0; i < n; i++) {
    uint64_t u = ordered(x[i]);
    if (u < lo_local) lo_local = u;
    if (u > hi_local) hi_local = u;
  }
  /* Shift into int64 order for the reduction. */
  if (n > 0) {
    bounds[0] = (int64_t)(lo_local ^ 0x8000000000000000ULL);
    bounds[1] = (int64_t)(~hi_local ^ 0x8000000000000000ULL);
  }
  KSEG_CHECK(kseg_comm_min_i64(comm, bounds, 2));
  uint64_t lo[4], hi[4];
  int64_t need[4];
  for (int k = 0; k < 4; k++) {
    lo[k] = (uint64_t)bounds[0] ^ 0x8000000000000000ULL;
    hi[k] = ~((uint64_t)bounds[1] ^ 0x8000000000000000ULL);
    need[k] = ((int64_t)(k + 1) * total + 4) / 5; /* ceil((k+1) N / 5) */
  }
  for (;;) {
    int open = 0;
    uint64_t mid[4];
    for (int k = 0; k < 4; k++) {
      mid[k] = lo[k] + (hi[k] - lo[k]) / 2;
      open |= lo[k] < hi[k];
    }
    if (!open) break; /* the same on every rank: lo/hi follow reduced counts */
    int64_t c[4] = {0, 0, 0, 0};
    for (int64_t i = 0; i < n; i++) {
      uint64_t u = ordered(x[i]);
      for (int k = 0; k < 4; k++) c[k] += u <= mid[k];
    }
    KSEG_CHECK(kseg_comm_sum_i64(comm, c, 4));
    for (int k = 0; k < 4; k++) {
      if (lo[k] >= hi[k]) continue;
      if (c[k] >= need[k]) hi[k] = mid[k];
      else lo[k] = mid[k] + 1;
    }
  }
  for (int k = 0; k < 4; k++) q[k] = from_ordered(lo[k]);
  return KSEG_OK;
}

int kseg_rfm_score(double v, const double q[4])
{
  int s = 1;
  for (int k = 0; k < 4; k++) s += v > q[k];
  return s;
}
