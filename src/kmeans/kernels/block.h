/* block.h - kernel template: nearest() over whole row blocks (the canonical
 * labels of kseg_kmeans_assign and of the near ties) and the centroids rounded
 * to the data's type. Compiled once per type by block_f64.c and block_f32.c;
 * see kernels.h. */
#include "kmeans/kernels/row.h"

/* The k x d centroids transposed into nearest()'s table ct (d x kp, kp >= k,
 * in KM_T; the padding columns are left as they are). */
void KM_FN(centroid_table)(const double *centers, int64_t k, int64_t d, int64_t kp, void *table)
{
  KM_T *ct = table;
  for (int64_t c = 0; c < k; c++)
    for (int64_t j = 0; j < d; j++) ct[j * kp + c] = (KM_T)centers[c * d + j];
}

/* n values rounded to KM_T (exact for double). */
void KM_FN(centroid_rows)(const double *centers, int64_t n, void *out)
{
  KM_T *o = out;
  for (int64_t i = 0; i < n; i++) o[i] = (KM_T)centers[i];
}

/* pair_dist2 of one row xi to one centroid c (d values of KM_T each), widened
 * to double (exact): the single distances of the bounded kernels, for tests
 * that hold them against nearest(). */
double KM_FN(pair_dist2)(const void *xi, const void *c, int64_t d) { return (double)pair_dist2(xi, c, d); }

/* Rows [i0, i1) with the canonical kernel: labels, and the squared distance
 * to the nearest centroid in mind (kseg_kmeans_assign). */
void KM_FN(assign_rows)(const void *xv, int64_t i0, int64_t i1, int64_t d, const void *ctv, int64_t kp, int64_t k,
                        int32_t *restrict labels, double *restrict mind)
{
  const KM_T *restrict x = xv, *restrict ct = ctv;
  for (int64_t i = i0; i < i1; i += KM_RB) {
    const int nr = i1 - i < KM_RB ? (int)(i1 - i) : KM_RB;
    const KM_T *xr[KM_RB];
    for (int r = 0; r < KM_RB; r++) xr[r] = x + (i + (r < nr ? r : nr - 1)) * d;
    int32_t lab[KM_RB];
    KM_T best[KM_RB];
    nearest(xr, d, ct, kp, k, lab, best, NULL);
    for (int r = 0; r < nr; r++) {
      labels[i + r] = lab[r];
      mind[i + r] = (double)best[r];
    }
  }
}
