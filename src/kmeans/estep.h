/* estep.h - Lloyd's E-step over the local rows, shared by Lloyd and Hamerly;
 * not part of the public API. */
#ifndef KSEG_KMEANS_ESTEP_H
#define KSEG_KMEANS_ESTEP_H

#include <stdint.h>

#include "kmeans/internal.h"
#include "kmeans/partials.h"

/* Everything an E-step touches, allocated before the first iteration so the
 * iterations themselves never allocate. */
typedef struct kseg_km_estep {
  int64_t k, d, kp, n_local;
  const kseg_km_ops *ops; /* the kernels of the data's type */
  void *ct;              /* d x kp centroid table in the data's type */
  void *cr;              /* k x d centroids in the data's type, row-major (inertia for progress) */
  void *cc;              /* kp squared norms of ct's columns (padding: +inf), the data's type */
  kseg_fixed fd;         /* scale of the progress inertia */
  double cn;             /* max over centroids of the norm of ct's column */
  double *cold;          /* k x d centroids the current iteration assigns against */
  kseg_km_partials acc;  /* the exact sums */
} kseg_km_estep;

/* For the rows of data->x and k clusters. Local: the caller agrees the
 * status. */
int kseg_km_estep_alloc(kseg_km_estep *w, const kseg_km_data *data, int64_t k);
void kseg_km_estep_clear(kseg_km_estep *w);

/* The centroid table ct in the data's type, the squared norms cc of its
 * columns (computed in double from the rounded values, padding +inf) and
 * their largest norm cn (rounded up), for dot_rows' error bound. Local. */
void kseg_km_estep_tables(kseg_km_estep *w, const double *centers);

/* Lloyd's E-step with dot_rows over the local rows against `centers`: the
 * canonical labels, and by mode (KSEG_KM_LABELS_ONLY, KSEG_KM_MOVED_ROWS,
 * KSEG_KM_ALL_ROWS) the fixed-point sums and counts of the rows that changed
 * label or of all rows, with the changed count (and, for progress reports,
 * the inertia) in w->acc's thread partials, not yet reduced. Local. */
void kseg_km_estep_run(kseg_km_estep *w, const kseg_km_data *data, const double *centers, int32_t *labels,
                       int mode);

#endif
