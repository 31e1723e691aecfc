/* estep.h - Lloyd's E-step over the local rows, shared by Lloyd and Hamerly;
 * not part of the public API. */
#ifndef KSEG_KMEANS_ESTEP_H
#define KSEG_KMEANS_ESTEP_H

#include <stdint.h>

#include "kmeans/internal.h"
#include "kmeans/kernels/kernels.h"
#include "kmeans/partials.h"

/* Everything an E-step touches, allocated before the first iteration so the
 * iterations themselves never allocate. */
typedef struct kseg_km_estep {
  int64_t k, d, kp, n_local;
  const kseg_km_ops *ops; /* the kernels of the data's type */
  void *ct;              /* d x kp centroid table in the data's type (nearest()) */
  void *cb;              /* k x d: the micro-kernel's centroid blocks (panel_tables) */
  void *h;               /* k: -||c||^2 / 2 */
  void *cr;              /* k x d centroids in the data's type, row-major (inertia for progress) */
  void *panels;          /* per thread: KSEG_KM_PANEL_ROWS x d values, 64-byte aligned */
  size_t panel_bytes;    /* one thread's share of panels */
  kseg_km_tables tab;    /* the tables above and the dot form's margins */
  kseg_fixed fd;         /* scale of the progress inertia */
  double *cold;          /* k x d centroids the current iteration assigns against */
  kseg_km_partials acc;  /* the exact sums */
} kseg_km_estep;

/* For the rows of data->x and k clusters. Local: the caller agrees the
 * status. */
int kseg_km_estep_alloc(kseg_km_estep *w, const kseg_km_data *data, int64_t k);
void kseg_km_estep_clear(kseg_km_estep *w);

/* The tables of an E-step against `centers` (nearest()'s ct, the
 * micro-kernel's cb and h, cr) and the dot form's margins in w->tab, from
 * the data's max |x|. Local. */
void kseg_km_estep_tables(kseg_km_estep *w, const kseg_km_data *data, const double *centers);

/* Local rows of at most this many bytes are packed into the micro-kernel's
 * panel order once per fit (kseg_km_estep_pack). */
#define KSEG_KM_PACK_MAX_BYTES ((int64_t)8 << 20)

/* A copy of data->x's local rows in the micro-kernel's panel order
 * (kernels.h), packed by all threads, for data->packed; free() it. Made
 * only where the rows are at most KSEG_KM_PACK_MAX_BYTES, so they stay in
 * cache between passes: there Lloyd's pass is bound by its arithmetic, and
 * packing each panel in every pass (the register transpose of every row)
 * was about a fifth of it; from memory the pass waits on the reads and the
 * copy, a pass of its own, made whole fits slower (docs/speed.md). NULL
 * where not made (or no memory): Lloyd's pass packs each panel itself, with
 * the same bits. Local. */
void *kseg_km_estep_pack(const kseg_km_data *data);

/* Thread t's panel buffer. */
static inline void *kseg_km_estep_panel(const kseg_km_estep *w, int t)
{
  return (char *)w->panels + (size_t)t * w->panel_bytes;
}

/* What dot_rows needs of this E-step for thread t: its tables, the labels
 * and the thread's split sums, counts and changed count. */
static inline kseg_km_dot_run kseg_km_estep_dot_run(kseg_km_estep *w, int32_t *labels, int t)
{
  kseg_km_partials *acc = &w->acc;
  return (kseg_km_dot_run){.t = &w->tab, .labels = labels, .hi = acc->thi + t * acc->kd,
                           .lo = acc->tlo + t * acc->kd, .counts = acc->tcounts + t * acc->k,
                           .changed = &acc->tchanged[t]};
}

/* Lloyd's E-step with dot_rows (the micro-kernel) over the local rows against `centers`: the
 * canonical labels, and by mode (KSEG_KM_LABELS_ONLY, KSEG_KM_MOVED_ROWS,
 * KSEG_KM_ALL_ROWS) the fixed-point sums and counts of the rows that changed
 * label or of all rows, with the changed count (and, for progress reports,
 * the inertia) in w->acc's thread partials, not yet reduced. Local. */
void kseg_km_estep_run(kseg_km_estep *w, const kseg_km_data *data, const double *centers, int32_t *labels,
                       int mode);
/* The same for R <= KSEG_KM_DOT_RUNS runs side by side, run q into w[q]
 * and labels[q] against centers[q]: one read of the rows for all (w[0]'s
 * panel buffers), each run's bits what they are alone. Local. */
void kseg_km_estep_runs(kseg_km_estep *const *w, int R, const kseg_km_data *data, const double *const *centers,
                        int32_t *const *labels, int mode);

#endif
