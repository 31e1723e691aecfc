/* projection.c - PCA or an autoencoder fitted on the scaled features and
 * installed as a preparation's projection (kseg_projection.h). */
#include <stdlib.h>

#include "kseg/kseg_comm.h"
#include "kseg/kseg_error.h"
#include "kseg/kseg_pca.h"
#include "kseg/kseg_projection.h"

/* The scaled features (stage 5) of this rank's rows: *out n_local x F. */
static int scaled_features(MPI_Comm comm, const kseg_prep_model *m, const kseg_table *raw, double **out)
{
  *out = kseg_malloc(sizeof(double) * (size_t)(raw->n_local > 0 ? raw->n_local : 1) * (size_t)m->n_features,
                     "feature matrix");
  int st = *out ? kseg_prep_transform(m, raw, 5, *out) : KSEG_ERR_IO;
  st = kseg_comm_agree(comm, st);
  if (st) {
    free(*out);
    *out = NULL;
  }
  return st;
}

int kseg_projection_fit_pca(MPI_Comm comm, kseg_prep_model *m, const kseg_table *raw, const int8_t *fit_mask,
                            double want)
{
  const int F = m->n_features;
  int st = KSEG_OK;
  if (want >= 1 && want > F) st = kseg_error_set(KSEG_ERR_INPUT, "only %d features to project", F);
  KSEG_CHECK(kseg_comm_agree(comm, st));
  double *x = NULL;
  KSEG_CHECK(scaled_features(comm, m, raw, &x));
  kseg_pca p = {0};
  st = kseg_pca_fit(comm, x, raw->n_local, F, fit_mask, want, &p);
  if (!st)
    st = kseg_comm_agree(comm, kseg_prep_set_projection(m, p.n_components, p.mean, p.components,
                                                         p.explained_variance, p.explained_variance_ratio));
  kseg_pca_clear(&p);
  free(x);
  return st;
}

int kseg_projection_fit_autoencoder(MPI_Comm comm, kseg_prep_model *m, const kseg_table *raw,
                                    const int8_t *fit_mask, const kseg_ae_options *opt, kseg_ae_progress_fn progress,
                                    void *ctx, kseg_projection_times *times)
{
  const int F = m->n_features;
  double *x = NULL;
  KSEG_CHECK(scaled_features(comm, m, raw, &x));
  kseg_ae ae = {0};
  const double t0 = kseg_now();
  int st = kseg_ae_train(comm, x, raw->n_local, raw->row0, raw->n_global, F, fit_mask, opt, progress, ctx, &ae);
  double phases[2] = {ae.seconds_grad, ae.seconds_reduce};
  const int shared_ranks = ae.shared_ranks;
  const double seconds = kseg_now() - t0;
  free(x);
  if (!st) st = kseg_comm_agree(comm, kseg_prep_set_autoencoder(m, &ae));
  kseg_ae_clear(&ae);
  if (!st) st = kseg_comm_agree(comm, kseg_comm_max_f64(comm, phases, 2));
  if (!st && times) *times = (kseg_projection_times){seconds, phases[0], phases[1], shared_ranks};
  return st;
}
