/* block.h - kernel template: nearest() over whole row blocks (the canonical
 * labels of kseg_kmeans_assign, Hamerly's search) and the centroids rounded
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

/* Hamerly: a full search of the rows idx[0..m) whose bounds could not rule
 * out a label change, in blocks of KM_RB with the same nearest() as Lloyd
 * (so the same labels). Sets the label, the bounds u = |x - nearest| and
 * l = |x - second nearest| (widened by the rounding margins rel and abs so
 * they hold for the exact distances), and for a row whose label changed
 * moves its fixed-point value between the split sums (old label -1: only
 * added) and counts. */
void KM_FN(search_rows)(const void *xv, const int64_t *restrict idx, int64_t m, int64_t d, const void *ctv,
                        int64_t kp, int64_t k, int32_t *restrict labels, double *restrict u, double *restrict l,
                        double rel, double abs_margin, double xscale, int64_t *restrict hi, uint64_t *restrict lo,
                        int64_t *restrict counts, int64_t *changed)
{
  const KM_T *restrict x = xv, *restrict ct = ctv;
  int64_t moved = 0;
  for (int64_t t = 0; t < m; t += KM_RB) {
    const int nr = m - t < KM_RB ? (int)(m - t) : KM_RB;
    const KM_T *xr[KM_RB];
    for (int r = 0; r < KM_RB; r++) xr[r] = x + idx[t + (r < nr ? r : nr - 1)] * d;
    int32_t lab[KM_RB];
    KM_T best[KM_RB], second[KM_RB];
    nearest(xr, d, ct, kp, k, lab, best, second);
    for (int r = 0; r < nr; r++) {
      const int64_t row = idx[t + r];
      u[row] = sqrt((double)best[r]) * (1 + rel) + abs_margin;
      l[row] = sqrt((double)second[r]) * (1 - rel) - abs_margin;
      const int32_t old = labels[row];
      if (old == lab[r]) continue;
      moved++;
      labels[row] = lab[r];
      move_row(xr[r], d, xscale, hi, lo, counts, old, lab[r]);
    }
  }
  *changed += moved;
}
