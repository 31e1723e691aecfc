/* kseg_checkpoint.h - a k-means fit's state in a file, so that a killed fit
 * continues bit-identically to an uninterrupted one, on any number of ranks
 * (`kseg fit --checkpoint FILE [--resume]`).
 *
 * The file holds the kseg_kmeans_checkpoint fields: attributes restart,
 * iter, best_restart, best_inertia, best_n_iter, best_converged (float64)
 * and fingerprint (string) on "/"; datasets /centroids and /prev (k x d),
 * and /best_centroids and /best_assigned when an earlier restart exists. It
 * is written through the h5io writer, so a kill mid-write leaves the
 * previous checkpoint whole.
 *
 * The fingerprint names everything the iterations depend on: the data
 * (shape, type and an order-independent hash of every value), k, the
 * initialisation and any given centroids, n_init, max_iter, tol, seed and
 * the algorithm. A checkpoint of other data or options is refused.
 */
#ifndef KSEG_CHECKPOINT_H
#define KSEG_CHECKPOINT_H

#include <mpi.h>
#include <stddef.h>
#include <stdint.h>

#include "kseg/kseg_kmeans.h"
#include "kseg/kseg_types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Called on every rank after each checkpoint is whole on disk. */
typedef void (*kseg_checkpoint_saved_fn)(void *ctx, const char *path, int restart, int iter);

/* A fit's checkpoint file; the caller's struct, released with
 * kseg_checkpoint_clear. */
typedef struct kseg_checkpoint {
  const char *path;               /* borrowed */
  char fingerprint[512];
  int64_t k, d;
  kseg_checkpoint_saved_fn saved; /* NULL: none */
  void *saved_ctx;
  kseg_kmeans_checkpoint resumed; /* the state kseg_checkpoint_resume read */
  double *centroids, *prev, *best_centroids, *best_assigned; /* owned arrays behind `resumed` */
} kseg_checkpoint;

/* The fingerprint of a fit of x with *opt (opt->k, and opt->init_centroids
 * k x d when the start is given) into buf (at most `size` bytes; 512
 * suffice). Collective (one reduction over the rows); status agreed. */
int kseg_checkpoint_fingerprint(MPI_Comm comm, const kseg_matrix *x, const kseg_kmeans_options *opt, char *buf,
                                size_t size);

/* Set up *c for `path` (borrowed; c->saved and c->saved_ctx are kept) and
 * make the fit of x with *opt save there every `every` >= 1 iterations:
 * opt->checkpoint, checkpoint_ctx (= c) and checkpoint_every are set. c must
 * outlive the fit. Collective; status agreed. */
int kseg_checkpoint_attach(MPI_Comm comm, kseg_checkpoint *c, const char *path, int every, const kseg_matrix *x,
                           kseg_kmeans_options *opt);

/* The kseg_kmeans_checkpoint_fn that kseg_checkpoint_attach installs (ctx:
 * the kseg_checkpoint). Collective; status agreed. */
int kseg_checkpoint_save(MPI_Comm comm, const kseg_kmeans_checkpoint *cp, void *ctx);

/* Read the attached checkpoint back into c->resumed and make the fit
 * continue from it (opt->resume). KSEG_ERR_INPUT when the file does not
 * exist, was written for other data or options, or holds arrays of another
 * shape. Collective; status agreed. */
int kseg_checkpoint_resume(MPI_Comm comm, kseg_checkpoint *c, kseg_kmeans_options *opt);

/* Remove the file (root), once the fit's result is whole: a later resume
 * must not reuse the state. Collective. */
void kseg_checkpoint_discard(MPI_Comm comm, const kseg_checkpoint *c);

/* Free what c owns and zero it. NULL-safe. Local. */
void kseg_checkpoint_clear(kseg_checkpoint *c);

#ifdef __cplusplus
}
#endif

#endif
