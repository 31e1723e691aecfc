/* ari.c - distributed adjusted Rand index (see kseg_ari.h). */
#include "kseg/kseg_ari.h"

#include <stdlib.h>

#include "kseg/kseg_comm.h"
#include "kseg/kseg_error.h"

double kseg_ari_from_table(const int64_t *table, int k_a, int k_b)
{
  /* sklearn's pair_confusion_matrix: counts of ordered pairs, here in
   * __int128 so that n^2 and the products below stay exact. */
  kseg_i128 n = 0, sum_sq = 0, sum_a = 0, sum_b = 0;
  for (int i = 0; i < k_a; i++) {
    kseg_i128 row = 0;
    for (int j = 0; j < k_b; j++) {
      const kseg_i128 c = table[(int64_t)i * k_b + j];
      row += c;
      sum_sq += c * c;
    }
    n += row;
    sum_a += row * row;
  }
  for (int j = 0; j < k_b; j++) {
    kseg_i128 col = 0;
    for (int i = 0; i < k_a; i++) col += table[(int64_t)i * k_b + j];
    sum_b += col * col;
  }
  const kseg_i128 tp = sum_sq - n, fp = sum_b - sum_sq, fn = sum_a - sum_sq;
  const kseg_i128 tn = n * n - fp - fn - sum_sq;
  if (fn == 0 && fp == 0) return 1.0;
  /* Python evaluates 2.0 * int / int as float(num) * 2 / float(den), each
   * int rounded once to the nearest double, as the casts below do. */
  const kseg_i128 num = tp * tn - fn * fp;
  const kseg_i128 den = (tp + fn) * (fn + tn) + (tp + fp) * (fp + tn);
  return 2.0 * (double)num / (double)den;
}

int kseg_ari_compute(MPI_Comm comm, const int32_t *a, int k_a, const int32_t *b, int k_b, int64_t n_local,
                     double *ari)
{
  int st = (k_a >= 1 && k_b >= 1) ? KSEG_OK
                                   : kseg_error_set(KSEG_ERR_INPUT, "ARI needs k >= 1 (got %d and %d)", k_a, k_b);
  KSEG_CHECK(kseg_comm_agree(comm, st));
  int64_t *table = kseg_calloc((size_t)k_a * (size_t)k_b, sizeof *table, "contingency table");
  KSEG_CHECK(kseg_comm_agree(comm, table ? KSEG_OK : KSEG_ERR_IO));
  for (int64_t i = 0; i < n_local; i++) {
    if (a[i] < 0 || a[i] >= k_a || b[i] < 0 || b[i] >= k_b) {
      st = kseg_error_set(KSEG_ERR_INPUT, "ARI: local row %lld has labels %d, %d outside [0, %d) x [0, %d)",
                          (long long)i, a[i], b[i], k_a, k_b);
      break;
    }
    table[(int64_t)a[i] * k_b + b[i]]++;
  }
  st = kseg_comm_agree(comm, st);
  if (!st) st = kseg_comm_agree(comm, kseg_comm_sum_i64(comm, table, (int64_t)k_a * k_b));
  if (!st) *ari = kseg_ari_from_table(table, k_a, k_b);
  free(table);
  return st;
}
