/* sources/rfm/scores.c - exact, rank-invariant quintile cut points and RFM scores. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kseg/kseg_comm.h"
#include "kseg/kseg_error.h"
#include "kseg/kseg_rfm.h"

/* Order-preserving image of a double in uint64 (no NaN): selecting on its
 * digits selects on the values, and the result is a value that occurs. */
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

/* The cut points of m value arrays at once, by radix selection on the
 * order-preserving images: four passes of 16-bit digits, each a histogram per
 * (array, cut) of the values whose higher digits match the cut's prefix so
 * far, summed over ranks in one reduction. Exact, and the counts are
 * integers, so any partition of the values gives the same cuts. */
int kseg_rfm_quintiles_many(MPI_Comm comm, const double *const *x, int m, int64_t n, double (*q)[4])
{
  enum { MAXM = 8, BITS = 16, BINS = 1 << BITS };
  if (m < 1 || m > MAXM) return kseg_error_set(KSEG_ERR_INPUT, "rfm quintiles: %d arrays (1..%d)", m, MAXM);
  int64_t total = n;
  KSEG_CHECK(kseg_comm_sum_i64(comm, &total, 1));
  if (total == 0) {
    for (int a = 0; a < m; a++)
      for (int k = 0; k < 4; k++) q[a][k] = NAN;
    return KSEG_OK;
  }
  uint64_t *keys = kseg_malloc((size_t)(n ? n : 1) * (size_t)m * sizeof *keys, "rfm quintile keys");
  int64_t *hist = kseg_malloc((size_t)m * 4 * BINS * sizeof *hist, "rfm quintile histograms");
  int st = kseg_comm_agree(comm, keys && hist ? KSEG_OK : KSEG_ERR_IO);
  if (st) {
    free(keys);
    free(hist);
    return st;
  }
  for (int a = 0; a < m; a++)
    for (int64_t i = 0; i < n; i++) keys[(size_t)a * (size_t)n + (size_t)i] = ordered(x[a][i]);
  uint64_t prefix[MAXM][4];
  int64_t need[MAXM][4];
  for (int a = 0; a < m; a++)
    for (int k = 0; k < 4; k++) {
      prefix[a][k] = 0;
      need[a][k] = ((int64_t)(k + 1) * total + 4) / 5; /* ceil((k+1) N / 5): rank of the cut */
    }
  for (int pass = 0; pass < 4 && !st; pass++) {
    int shift = 64 - BITS * (pass + 1);
    uint64_t high = pass == 0 ? 0 : ~((UINT64_C(1) << (shift + BITS)) - 1); /* digits decided so far */
    memset(hist, 0, (size_t)m * 4 * BINS * sizeof *hist);
    for (int a = 0; a < m; a++) {
      const uint64_t *u = keys + (size_t)a * (size_t)n;
      int64_t *h = hist + (size_t)a * 4 * BINS;
      for (int64_t i = 0; i < n; i++) {
        uint64_t v = u[i], hv = v & high;
        size_t d = (size_t)((v >> shift) & (BINS - 1));
        for (int k = 0; k < 4; k++) h[(size_t)k * BINS + d] += hv == prefix[a][k];
      }
    }
    st = kseg_comm_agree(comm, kseg_comm_sum_i64(comm, hist, (int64_t)m * 4 * BINS));
    for (int a = 0; a < m && !st; a++)
      for (int k = 0; k < 4; k++) {
        const int64_t *h = hist + ((size_t)a * 4 + (size_t)k) * BINS;
        int64_t below = 0;
        size_t d = 0;
        while (d + 1 < BINS && below + h[d] < need[a][k]) below += h[d++];
        need[a][k] -= below;
        prefix[a][k] |= (uint64_t)d << shift;
      }
  }
  for (int a = 0; a < m && !st; a++)
    for (int k = 0; k < 4; k++) q[a][k] = from_ordered(prefix[a][k]);
  free(keys);
  free(hist);
  return st;
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
