/* partials.h - the exact per-cluster sums every k-means kernel keeps; not
 * part of the public API. */
#ifndef KSEG_KMEANS_PARTIALS_H
#define KSEG_KMEANS_PARTIALS_H

#include <stdint.h>

#include "kmeans/internal.h"

/* A pass over the rows fills each thread's split sums (thi/tlo, v >> 32 and
 * the low 32 bits of each fixed-point value), folded into tsums once per
 * slice, plus its counts, changed labels and (optionally) inertia; the
 * reduce packs them, runs the iteration's one allreduce and adds the result
 * to the running totals. */
typedef struct kseg_km_partials {
  int nt;
  int64_t k, kd;
  kseg_i128 *tsums;  /* nt x kd */
  int64_t *thi;      /* nt x kd: high parts of the kernels' split sums */
  uint64_t *tlo;     /* nt x kd: low 32-bit parts */
  int64_t *tcounts;  /* nt x k */
  int64_t *tchanged; /* nt */
  kseg_i128 *tinert; /* nt: fixed-point inertia, for progress reports (0 if unused) */
  kseg_i128 *packed; /* kd sums, k counts, inertia, changed; after the reduce: the totals */
  kseg_i128 *sums;   /* kd sums and k counts: the running totals */
} kseg_km_partials;

/* For omp_get_max_threads() threads, k clusters of d columns; totals zero.
 * Local: the caller agrees the status. */
int kseg_km_partials_alloc(kseg_km_partials *p, int64_t k, int64_t d);
void kseg_km_partials_clear(kseg_km_partials *p);
/* Zero every thread's partials, before a pass. */
void kseg_km_partials_zero(kseg_km_partials *p);
/* Thread t's split sums zeroed for a slice / folded into its tsums after it. */
void kseg_km_partials_slice_begin(kseg_km_partials *p, int t);
void kseg_km_partials_slice_end(kseg_km_partials *p, int t);
/* Pack the threads' partials, allreduce them (its wait added to
 * *allreduce_seconds), add them to the running totals and leave the totals
 * in packed, with empty clusters relocated there (kseg_km_relocate_empty
 * against `cold`, the centroids the labels were assigned against); packed
 * keeps the reduced inertia and *changed gets the rows that changed label.
 * Collective, result agreed. */
int kseg_km_partials_reduce(MPI_Comm comm, const kseg_km_data *data, kseg_km_partials *p, const double *cold,
                            const int32_t *labels, int64_t *changed, double *allreduce_seconds);

#endif
