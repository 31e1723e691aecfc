/* lloyd.c - Lloyd iterations with scikit-learn's semantics
 * (_kmeans_single_lloyd, sklearn 1.2), from exact running sums. */
#include "kmeans/lloyd.h"

#include <string.h>

#include "kmeans/estep.h"
#include "kmeans/kernels/kernels.h"
#include "kmeans/mstep.h"
#include "kmeans/rows.h"
#include "kseg/kseg_error.h"

/* Lloyd's algorithm (scikit-learn's _kmeans_single_lloyd): every row is
 * assigned every iteration (dot_rows, canonical labels) and the centroids are
 * the means of their rows. The exact integer sums are kept as running
 * totals that each iteration corrects by the rows that changed label (one
 * allreduce of the changes): the same integers a fresh sum would give, for
 * a fraction of the work once few rows move. */
int kseg_km_lloyd(MPI_Comm comm, const kseg_km_data *data, int64_t k, int max_iter, double *centroids,
                  int32_t *labels, kseg_km_run *run)
{
  const kseg_matrix *x = data->x;
  const int64_t d = x->d, kd = k * d;
  kseg_km_estep w;
  int st = kseg_comm_agree(comm, kseg_km_estep_alloc(&w, data, k));
  if (st != KSEG_OK) return st;
  memset(run, 0, sizeof *run);
  /* scikit-learn's labels_old starts at -1, so the first iteration never
   * counts as converged. */
  for (int64_t i = 0; i < x->n_local; i++) labels[i] = -1;
  const double t0 = kseg_now();
  bool strict = false, converged = false;
  int it0 = 0, mode = KSEG_KM_MOVED_ROWS; /* from labels -1, every row moves: a full sum */
  if (data->cp_start) {
    /* Resuming: the caller put the checkpoint's centroids in `centroids`;
     * the labels the next iteration compares against are the assignment to
     * the centroids before the checkpointed iteration, and the first sums
     * are taken over all rows. */
    kseg_km_estep_run(&w, data, data->cp_start->prev, labels, KSEG_KM_LABELS_ONLY);
    it0 = data->cp_start->iter;
    run->n_iter = it0;
    mode = KSEG_KM_ALL_ROWS;
  }
  const kseg_kmeans_options *opt = data->opt;
  for (int it = it0; it < max_iter; it++) {
    memcpy(w.cold, centroids, (size_t)kd * sizeof(double));
    kseg_km_estep_run(&w, data, w.cold, labels, mode);
    mode = KSEG_KM_MOVED_ROWS;
    int64_t changed;
    st = kseg_km_partials_reduce(comm, data, &w.acc, w.cold, labels, &changed, &run->allreduce_seconds);
    if (st != KSEG_OK) goto done;
    const double shift = kseg_km_update_centroids(data, k, w.acc.packed, w.cold, centroids, NULL);
    run->n_iter = it + 1;
    if (data->progress)
      data->progress(data->progress_ctx, data->restart, it + 1, kseg_fixed_to_double(&w.fd, w.acc.packed[kd + k]),
                     changed);
    if (changed == 0) {
      strict = converged = true;
      break;
    }
    if (shift <= data->tol_scaled) {
      converged = true;
      break;
    }
    if (data->cp && opt->checkpoint_every > 0 && (it + 1) % opt->checkpoint_every == 0 && it + 1 < max_iter) {
      data->cp->iter = it + 1;
      data->cp->centroids = centroids;
      data->cp->prev = w.cold;
      st = kseg_comm_agree(comm, opt->checkpoint(comm, data->cp, opt->checkpoint_ctx));
      if (st != KSEG_OK) goto done;
    }
  }
  if (data->assigned) memcpy(data->assigned, strict ? w.cold : centroids, (size_t)kd * sizeof(double));
  /* Labels must match the final centroids (scikit-learn reruns the E-step). */
  if (!strict) kseg_km_estep_run(&w, data, centroids, labels, KSEG_KM_LABELS_ONLY);
  run->iter_seconds = kseg_now() - t0;
  run->converged = converged;
  st = kseg_km_inertia(comm, x, data->max_abs, centroids, k, labels, &run->inertia);
done:
  kseg_km_estep_clear(&w);
  return kseg_comm_agree(comm, st);
}
