/* estep.c - Lloyd's E-step over the local rows (the dot-product kernel with
 * its tables, into the exact partials), shared by Lloyd and Hamerly. */
#include "kmeans/estep.h"

#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "kmeans/kernels/kernels.h"
#include "kseg/kseg_error.h"

void kseg_km_estep_clear(kseg_km_estep *w)
{
  if (!w) return;
  free(w->ct);
  free(w->cb);
  free(w->h);
  free(w->cr);
  free(w->panels);
  free(w->cold);
  kseg_km_partials_clear(&w->acc);
  memset(w, 0, sizeof *w);
}

int kseg_km_estep_alloc(kseg_km_estep *w, const kseg_km_data *data, int64_t k)
{
  const kseg_matrix *x = data->x;
  memset(w, 0, sizeof *w);
  w->k = k;
  w->d = x->d;
  w->kp = (k + KSEG_KM_KB - 1) / KSEG_KM_KB * KSEG_KM_KB;
  w->n_local = x->n_local;
  w->ops = data->ops;
  const int64_t kd = k * x->d;
  /* calloc: the padding columns of ct stay zero and are never read as labels. */
  const size_t esz = w->ops->size;
  if (!(w->ct = kseg_calloc((size_t)(x->d * w->kp), esz, "k-means centroid table")) ||
      !(w->cb = kseg_calloc((size_t)kd, esz, "k-means centroid blocks")) ||
      !(w->h = kseg_calloc((size_t)k, esz, "k-means centroid norms")) ||
      !(w->cr = kseg_calloc((size_t)kd, esz, "k-means centroids")) ||
      !(w->cold = kseg_malloc((size_t)kd * sizeof(double), "k-means centroids")) ||
      kseg_km_partials_alloc(&w->acc, k, x->d) != KSEG_OK) {
    kseg_km_estep_clear(w);
    return KSEG_ERR_IO;
  }
  /* whole cache lines per thread, so no two threads write one */
  w->panel_bytes = ((size_t)KSEG_KM_PANEL_ROWS * (size_t)x->d * esz + 63) / 64 * 64;
  const size_t bytes = w->panel_bytes * (size_t)w->acc.nt;
  if (posix_memalign(&w->panels, 64, bytes > 0 ? bytes : 64) != 0) {
    w->panels = NULL;
    kseg_error_nomem("k-means row panels", bytes);
    kseg_km_estep_clear(w);
    return KSEG_ERR_IO;
  }
  return KSEG_OK;
}

void *kseg_km_estep_pack(const kseg_km_data *data)
{
  const kseg_matrix *x = data->x;
  const int64_t size = (int64_t)data->ops->size, pw = KSEG_KM_PANEL_BYTES / size;
  const int64_t np = (x->n_local + pw - 1) / pw;
  if (np == 0 || x->d == 0 || x->n_local * x->d * size > KSEG_KM_PACK_MAX_BYTES) return NULL;
  void *out = NULL;
  if (posix_memalign(&out, 64, (size_t)np * (size_t)(x->d + 1) * KSEG_KM_PANEL_BYTES) != 0) return NULL;
#pragma omp parallel
  {
    int64_t p0, n;
    kseg_partition(np, omp_get_num_threads(), omp_get_thread_num(), &p0, &n);
    data->ops->pack_panels(x->data, p0, p0 + n, x->n_local, x->d, out);
  }
  return out;
}

void kseg_km_estep_tables(kseg_km_estep *w, const kseg_km_data *data, const double *centers)
{
  const kseg_km_ops *ops = w->ops;
  const int64_t k = w->k, d = w->d;
  ops->centroid_table(centers, k, d, w->kp, w->ct);
  ops->centroid_rows(centers, k * d, w->cr);
  const double cn = ops->panel_tables(centers, k, d, w->cb, w->h);
  /* dot_rows' margins (see there): 8 (d + 2) eps (|x| + max|c|)^2, twice the
   * sum of both forms' worst errors, plus underflow's absolute share. */
  const double eps = ops->eps;
  const double gam = 8.0 * (double)(d + 2) * eps;
  /* Underflow's share, taken at the smallest normal number rather than the
   * smallest subnormal: a subnormal operand costs a microcode assist of
   * about 100 cycles in the per-row test. */
  const double tiny = (double)(4 * d + 16) * ops->min_normal;
  const double reach = sqrt((double)d) * data->max_abs + cn;
  w->tab = (kseg_km_tables){.k = k, .d = d, .kp = w->kp, .ct = w->ct, .cb = w->cb, .h = w->h, .cn = cn,
                            .m1 = gam * reach * reach + tiny, .gam = gam, .tiny = tiny};
}

void kseg_km_estep_runs(kseg_km_estep *const *w, int R, const kseg_km_data *data, const double *const *centers,
                        int32_t *const *labels, int mode)
{
  /* The inertia only for progress reports: one more pass over the rows. */
  const bool inertia = data->progress && mode != KSEG_KM_LABELS_ONLY;
  const kseg_matrix *x = data->x;
  const kseg_km_ops *ops = w[0]->ops;
  const int64_t d = w[0]->d;
  for (int q = 0; q < R; q++) {
    kseg_km_estep_tables(w[q], data, centers[q]);
    if (inertia) {
      /* any row's distance to any centroid is below sqrt(d) r */
      const double r = data->max_abs + kseg_km_max_abs_of(centers[q], w[q]->k * d);
      w[q]->fd = kseg_fixed_for_bound((double)d * r * r);
    }
    kseg_km_partials_zero(&w[q]->acc);
  }
#pragma omp parallel num_threads(w[0]->acc.nt)
  {
    const int t = omp_get_thread_num();
    int64_t i0, n;
    kseg_partition(w[0]->n_local, omp_get_num_threads(), t, &i0, &n);
    kseg_km_dot_run run[KSEG_KM_DOT_RUNS];
    for (int q = 0; q < R; q++) run[q] = kseg_km_estep_dot_run(w[q], labels[q], t);
    for (int64_t a = i0, b; a < i0 + n; a = b) {
      b = i0 + n - a < KSEG_KM_SLICE ? i0 + n : a + KSEG_KM_SLICE;
      if (mode != KSEG_KM_LABELS_ONLY)
        for (int q = 0; q < R; q++) kseg_km_partials_slice_begin(&w[q]->acc, t);
      ops->dot_rows(x->data, data->packed, a, b, R, run, mode, data->fx.scale, kseg_km_estep_panel(w[0], t));
      if (mode != KSEG_KM_LABELS_ONLY)
        for (int q = 0; q < R; q++) kseg_km_partials_slice_end(&w[q]->acc, t);
    }
    if (inertia)
      for (int q = 0; q < R; q++)
        w[q]->acc.tinert[t] = ops->label_fixed(x->data, i0, i0 + n, d, w[q]->cr, labels[q], w[q]->fd.scale);
  }
}

void kseg_km_estep_run(kseg_km_estep *w, const kseg_km_data *data, const double *centers, int32_t *labels,
                       int mode)
{
  kseg_km_estep_runs(&w, 1, data, &centers, &labels, mode);
}
