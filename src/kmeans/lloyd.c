/* lloyd.c - Lloyd iterations with scikit-learn's semantics
 * (_kmeans_single_lloyd, sklearn 1.2), from exact running sums. */
#include "kmeans/lloyd.h"

#include <string.h>

#include "kmeans/estep.h"
#include "kmeans/kernels/kernels.h"
#include "kmeans/mstep.h"
#include "kmeans/rows.h"
#include "kseg/kseg_error.h"

/* One Lloyd run of several side by side: its E-step workspace and where it
 * stands. */
typedef struct lloyd_run {
  kseg_km_estep w;   /* tables, exact sums (w.cold: the centroids assigned against) */
  double *centroids; /* the caller's: current, then final */
  int32_t *labels;   /* the caller's */
  kseg_km_run *run;
  bool running, strict, converged;
} lloyd_run;

/* After a pass: run q's allreduce, M-step, progress report, stopping rule
 * and, with cp (a run alone), checkpoint. Collective, result agreed. */
static int lloyd_end(MPI_Comm comm, const kseg_km_data *data, lloyd_run *L, int q, int64_t k, int it,
                     int max_iter, kseg_kmeans_checkpoint *cp)
{
  const int64_t kd = k * data->x->d;
  int64_t changed;
  int st = kseg_km_partials_reduce(comm, data, &L->w.acc, L->w.cold, L->labels, &changed,
                                   &L->run->allreduce_seconds);
  if (st != KSEG_OK) return st;
  const double shift = kseg_km_update_centroids(data, k, L->w.acc.packed, L->w.cold, L->centroids, NULL);
  L->run->n_iter = it + 1;
  if (data->progress)
    data->progress(data->progress_ctx, data->restart + q, it + 1,
                   kseg_fixed_to_double(&L->w.fd, L->w.acc.packed[kd + k]), changed);
  if (changed == 0) L->strict = L->converged = true;
  else if (shift <= data->tol_scaled) L->converged = true;
  if (L->converged || it + 1 >= max_iter) {
    L->running = false;
    return KSEG_OK;
  }
  const kseg_kmeans_options *opt = data->opt;
  if (cp && opt->checkpoint_every > 0 && (it + 1) % opt->checkpoint_every == 0) {
    cp->iter = it + 1;
    cp->centroids = L->centroids;
    cp->prev = L->w.cold;
    st = kseg_comm_agree(comm, opt->checkpoint(comm, cp, opt->checkpoint_ctx));
  }
  return st;
}

/* Lloyd's algorithm (scikit-learn's _kmeans_single_lloyd) for R runs side
 * by side: every row is assigned every iteration (dot_rows, canonical
 * labels) and the centroids are the means of their rows. The exact integer
 * sums are kept as running totals that each iteration corrects by the rows
 * that changed label (one allreduce of the changes per run): the same
 * integers a fresh sum would give, for a fraction of the work once few rows
 * move. The runs share each pass over the rows (kseg_km_estep_runs: every
 * panel read and packed once for all of them); a run's arithmetic is what
 * it is alone, so its bits are too, and a run that stops leaves the others
 * going. */
int kseg_km_lloyd_runs(MPI_Comm comm, const kseg_km_data *data, int64_t k, int max_iter, int R,
                       double *const *centroids, int32_t *const *labels, double *const *assigned,
                       kseg_km_run *runs)
{
  const kseg_matrix *x = data->x;
  const int64_t kd = k * x->d;
  lloyd_run L[KSEG_KM_RUNS];
  memset(L, 0, sizeof L);
  /* checkpoints and resuming hold one run */
  int st = R >= 1 && R <= KSEG_KM_RUNS && (R == 1 || !data->cp_start) ? KSEG_OK : KSEG_ERR_IO;
  kseg_kmeans_checkpoint *cp = R == 1 ? data->cp : NULL;
  for (int q = 0; q < R && st == KSEG_OK; q++) {
    L[q] = (lloyd_run){.centroids = centroids[q], .labels = labels[q], .run = &runs[q], .running = true};
    st = kseg_km_estep_alloc(&L[q].w, data, k);
  }
  st = kseg_comm_agree(comm, st);
  if (st != KSEG_OK) goto done;
  for (int q = 0; q < R; q++) {
    memset(L[q].run, 0, sizeof *L[q].run);
    /* scikit-learn's labels_old starts at -1, so the first iteration never
     * counts as converged. */
    for (int64_t i = 0; i < x->n_local; i++) L[q].labels[i] = -1;
  }
  const double t0 = kseg_now();
  int it0 = 0, mode = KSEG_KM_MOVED_ROWS; /* from labels -1, every row moves: a full sum */
  if (data->cp_start) {
    /* Resuming: the caller put the checkpoint's centroids in `centroids`;
     * the labels the next iteration compares against are the assignment to
     * the centroids before the checkpointed iteration, and the first sums
     * are taken over all rows. */
    kseg_km_estep_run(&L[0].w, data, data->cp_start->prev, L[0].labels, KSEG_KM_LABELS_ONLY);
    it0 = data->cp_start->iter;
    L[0].run->n_iter = it0;
    mode = KSEG_KM_ALL_ROWS;
  }
  kseg_km_estep *w[KSEG_KM_RUNS];
  const double *cold[KSEG_KM_RUNS];
  int32_t *lab[KSEG_KM_RUNS];
  int live[KSEG_KM_RUNS];
  for (int it = it0; it < max_iter; it++) {
    int nlive = 0;
    for (int q = 0; q < R; q++) {
      if (!L[q].running) continue;
      memcpy(L[q].w.cold, L[q].centroids, (size_t)kd * sizeof(double));
      w[nlive] = &L[q].w, cold[nlive] = L[q].w.cold, lab[nlive] = L[q].labels, live[nlive++] = q;
    }
    if (nlive == 0) break;
    kseg_km_estep_runs(w, nlive, data, cold, lab, mode);
    mode = KSEG_KM_MOVED_ROWS;
    /* every rank reduces the same runs in the same order */
    for (int p = 0; p < nlive && st == KSEG_OK; p++)
      st = lloyd_end(comm, data, &L[live[p]], live[p], k, it, max_iter, cp);
    if (st != KSEG_OK) goto done;
  }
  /* Labels must match the final centroids (scikit-learn reruns the E-step),
   * for the runs whose last iteration moved labels: one pass for all. */
  int nfinal = 0;
  for (int q = 0; q < R; q++) {
    if (assigned && assigned[q])
      memcpy(assigned[q], L[q].strict ? L[q].w.cold : L[q].centroids, (size_t)kd * sizeof(double));
    if (L[q].strict) continue;
    w[nfinal] = &L[q].w, cold[nfinal] = L[q].centroids, lab[nfinal++] = L[q].labels;
  }
  if (nfinal > 0) kseg_km_estep_runs(w, nfinal, data, cold, lab, KSEG_KM_LABELS_ONLY);
  const double seconds = kseg_now() - t0;
  const double *cs[KSEG_KM_RUNS];
  const int32_t *ls[KSEG_KM_RUNS];
  double in[KSEG_KM_RUNS];
  for (int q = 0; q < R; q++) {
    runs[q].iter_seconds = seconds / R;
    runs[q].converged = L[q].converged;
    cs[q] = L[q].centroids, ls[q] = L[q].labels;
  }
  if (st == KSEG_OK) st = kseg_km_inertia_runs(comm, x, data->max_abs, R, cs, k, ls, in);
  for (int q = 0; st == KSEG_OK && q < R; q++) runs[q].inertia = in[q];
done:
  for (int q = 0; q < R; q++) kseg_km_estep_clear(&L[q].w);
  return kseg_comm_agree(comm, st);
}

int kseg_km_lloyd(MPI_Comm comm, const kseg_km_data *data, int64_t k, int max_iter, double *centroids,
                  int32_t *labels, kseg_km_run *run)
{
  double *assigned = data->assigned;
  return kseg_km_lloyd_runs(comm, data, k, max_iter, 1, &centroids, &labels, &assigned, run);
}
