/* kseg_projection.h - fitting the optional last stage of a preparation
 * (stage 6 of kseg_prep.h): PCA (kseg_pca.h) or the encoder of an
 * autoencoder (kseg_autoencoder.h). Either is fitted on the scaled features
 * (stage 5) of the rows the preparation itself was fitted on, and installed
 * in the model, so that kseg_prep_apply (and every replay of a saved /prep)
 * projects. With kseg_prep_fit and kseg_outputs_write_features this is what
 * `kseg prep` does.
 */
#ifndef KSEG_PROJECTION_H
#define KSEG_PROJECTION_H

#include <mpi.h>
#include <stdint.h>

#include "kseg/kseg_autoencoder.h"
#include "kseg/kseg_prep.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Fit PCA on this rank's block of `raw` (the rows whose fit_mask entry is
 * non-zero; fit_mask NULL: all, as kseg_prep_fit returned it) and install
 * it in m. want >= 1: that many components (an integer); 0 < want < 1: the
 * fewest whose cumulative explained-variance ratio exceeds it. Errors:
 * KSEG_ERR_INPUT "only F features to project" when want >= 1 exceeds the F
 * features, and those of kseg_pca_fit. Collective; status agreed. */
int kseg_projection_fit_pca(MPI_Comm comm, kseg_prep_model *m, const kseg_table *raw, const int8_t *fit_mask,
                            double want);

/* Where an autoencoder's training time went. */
typedef struct kseg_projection_times {
  double seconds;           /* the whole training, this rank */
  double gradient_seconds;  /* in the per-row work, the slowest rank */
  double allreduce_seconds; /* in the gradient reductions, the slowest rank */
  int shared_ranks;         /* ranks that shared each step through shared memory (0: static split) */
} kseg_projection_times;

/* Train an autoencoder with options `opt` (kseg_ae_check_options) on the
 * same rows and install its encoder in m, replacing any PCA. `progress`
 * (NULL: none) is called once per epoch with `ctx` (kseg_ae_progress_fn);
 * `times` may be NULL. Errors: those of kseg_ae_train. Collective; status
 * agreed. */
int kseg_projection_fit_autoencoder(MPI_Comm comm, kseg_prep_model *m, const kseg_table *raw,
                                    const int8_t *fit_mask, const kseg_ae_options *opt, kseg_ae_progress_fn progress,
                                    void *ctx, kseg_projection_times *times);

#ifdef __cplusplus
}
#endif

#endif
