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

/* The cut points of m value arrays at once: one reduction per bisection step
 * for all of them (each step is latency-bound; 64 steps, not 64 m). */
int kseg_rfm_quintiles_many(MPI_Comm comm, const double *const *x, int m, int64_t n, double (*q)[4])
{
  enum { MAXM = 8 };
  if (m < 1 || m > MAXM) return kseg_error_set(KSEG_ERR_INPUT, "rfm quintiles: %d arrays (1..%d)", m, MAXM);
  int64_t total = n;
  KSEG_CHECK(kseg_comm_sum_i64(comm, &total, 1));
  if (total == 0) {
    for (int a = 0; a < m; a++)
      for (int k = 0; k < 4; k++) q[a][k] = NAN;
    return KSEG_OK;
  }
  /* Smallest and largest images, reduced as the min of lo and of ~hi, shifted
   * into int64 order. */
  int64_t bounds[2 * MAXM];
  for (int a = 0; a < m; a++) {
    uint64_t lo = UINT64_MAX, hi = 0;
    for (int64_t i = 0; i < n; i++) {
      uint64_t u = ordered(x[a][i]);
      if (u < lo) lo = u;
      if (u > hi) hi = u;
    }
    bounds[2 * a] = (int64_t)(lo ^ 0x8000000000000000ULL);
    bounds[2 * a + 1] = (int64_t)(~hi ^ 0x8000000000000000ULL);
  }
  KSEG_CHECK(kseg_comm_min_i64(comm, bounds, 2 * m));
  uint64_t lo[MAXM][4], hi[MAXM][4];
  int64_t need[4];
  for (int k = 0; k < 4; k++) need[k] = ((int64_t)(k + 1) * total + 4) / 5; /* ceil((k+1) N / 5) */
  for (int a = 0; a < m; a++)
    for (int k = 0; k < 4; k++) {
      lo[a][k] = (uint64_t)bounds[2 * a] ^ 0x8000000000000000ULL;
      hi[a][k] = ~((uint64_t)bounds[2 * a + 1] ^ 0x8000000000000000ULL);
    }
  for (;;) {
    int open = 0;
    uint64_t mid[MAXM][4];
    for (int a = 0; a < m; a++)
      for (int k = 0; k < 4; k++) {
        mid[a][k] = lo[a][k] + (hi[a][k] - lo[a][k]) / 2;
        open |= lo[a][k] < hi[a][k];
      }
    if (!open) break; /* the same on every rank: lo/hi follow reduced counts */
    int64_t c[MAXM * 4];
    memset(c, 0, sizeof c);
    for (int a = 0; a < m; a++) {
      int64_t c0 = 0, c1 = 0, c2 = 0, c3 = 0;
#pragma omp parallel for reduction(+ : c0, c1, c2, c3) schedule(static) if (n > 65536)
      for (int64_t i = 0; i < n; i++) {
        uint64_t u = ordered(x[a][i]);
        c0 += u <= mid[a][0];
        c1 += u <= mid[a][1];
        c2 += u <= mid[a][2];
        c3 += u <= mid[a][3];
      }
      c[4 * a] = c0;
      c[4 * a + 1] = c1;
      c[4 * a + 2] = c2;
      c[4 * a + 3] = c3;
    }
    KSEG_CHECK(kseg_comm_sum_i64(comm, c, 4 * m));
    for (int a = 0; a < m; a++)
      for (int k = 0; k < 4; k++) {
        if (lo[a][k] >= hi[a][k]) continue;
        if (c[4 * a + k] >= need[k]) hi[a][k] = mid[a][k];
        else lo[a][k] = mid[a][k] + 1;
      }
  }
  for (int a = 0; a < m; a++)
    for (int k = 0; k < 4; k++) q[a][k] = from_ordered(lo[a][k]);
  return KSEG_OK;
}

int kseg_rfm_quintiles(MPI_Comm comm, const double *x, int64_t n, double q[4])
{
  return kseg_rfm_quintiles_many(comm, &x, 1, n, (double(*)[4])q);
}

int kseg_rfm_score(double v, const double q[4])
{
  int s = 1;
  for (int k = 0; k < 4; k++) s += v > q[k];
  return s;
}
