/* features/autoencoder/io.c - saving a trained autoencoder under a group (e.g.
 * /prep/autoencoder) and loading it back for replay (kseg_autoencoder.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kseg/kseg_autoencoder.h"
#include "kseg/kseg_comm.h"
#include "kseg/kseg_error.h"
#include "kseg/kseg_h5io.h"

int kseg_ae_save(kseg_h5_writer *w, const char *group, const kseg_ae *ae)
{
  MPI_Comm comm = kseg_h5_writer_comm(w);
  const int L = ae->n_layers;
  char path[600], layers[16 * KSEG_AE_MAX_LAYERS] = "";
  for (int l = 1; l <= ae->n_encoder; l++)
    snprintf(layers + strlen(layers), sizeof layers - strlen(layers), "%s%d", l > 1 ? "," : "", ae->sizes[l]);
  int64_t sizes[2 * KSEG_AE_MAX_LAYERS + 1];
  for (int l = 0; l <= L; l++) sizes[l] = ae->sizes[l];

  KSEG_CHECK(kseg_h5_group(w, group));
  KSEG_CHECK(kseg_h5_attr_str(w, group, "layers", layers));
  KSEG_CHECK(kseg_h5_attr_str(w, group, "activation", "relu (hidden), linear (bottleneck, output)"));
  KSEG_CHECK(kseg_h5_attr_i64(w, group, "input_dim", ae->sizes[0]));
  KSEG_CHECK(kseg_h5_attr_i64(w, group, "best_epoch", ae->best_epoch));
  KSEG_CHECK(kseg_h5_attr_i64(w, group, "train_rows", ae->train_rows));
  KSEG_CHECK(kseg_h5_attr_i64(w, group, "val_rows", ae->val_rows));
  int64_t n = L + 1;
  snprintf(path, sizeof path, "%s/sizes", group);
  KSEG_CHECK(kseg_h5_write_small(w, path, KSEG_I64, 1, &n, sizes));
  int64_t off = 0;
  for (int l = 0; l < L; l++) {
    int64_t dims[2] = {ae->sizes[l], ae->sizes[l + 1]};
    snprintf(path, sizeof path, "%s/layer%d/kernel", group, l);
    KSEG_CHECK(kseg_h5_write_small(w, path, KSEG_F64, 2, dims, ae->params + off));
    off += dims[0] * dims[1];
    snprintf(path, sizeof path, "%s/layer%d/bias", group, l);
    KSEG_CHECK(kseg_h5_write_small(w, path, KSEG_F64, 1, &dims[1], ae->params + off));
    off += dims[1];
  }
  if (ae->n_epochs > 0) {
    int64_t e = ae->n_epochs;
    snprintf(path, sizeof path, "%s/loss", group);
    KSEG_CHECK(kseg_h5_write_small(w, path, KSEG_F64, 1, &e, ae->loss));
    snprintf(path, sizeof path, "%s/val_loss", group);
    KSEG_CHECK(kseg_h5_write_small(w, path, KSEG_F64, 1, &e, ae->val_loss));
  }
  return kseg_comm_agree(comm, KSEG_OK);
}

int kseg_ae_load(MPI_Comm comm, const char *path, const char *group, kseg_ae *out)
{
  memset(out, 0, sizeof *out);
  char ds[600];
  int64_t dims[2] = {0, 0};
  double *v = NULL;
  int st = KSEG_OK;
  snprintf(ds, sizeof ds, "%s/sizes", group);
  KSEG_CHECK(kseg_h5_read_small_f64(comm, path, ds, dims, &v));
  const int64_t L = dims[0] * dims[1] - 1;
  if (L < 2 || L % 2 || L > 2 * KSEG_AE_MAX_LAYERS) {
    st = kseg_error_set(KSEG_ERR_INPUT, "%s:%s has %lld entries; expected an odd count >= 3", path, ds,
                        (long long)(L + 1));
  } else {
    for (int64_t l = 0; l <= L; l++)
      if (!(v[l] >= 1 && v[l] == floor(v[l]) && v[l] == v[L - l]))
        st = kseg_error_set(KSEG_ERR_INPUT, "%s:%s is not a mirrored list of layer widths", path, ds);
  }
  int widths[KSEG_AE_MAX_LAYERS];
  for (int64_t l = 0; !st && l < L / 2; l++) widths[l] = (int)v[l + 1];
  /* the initial weights are overwritten below; init only sizes the network */
  if (!st) st = kseg_ae_init(out, (int)v[0], widths, (int)(L / 2), 0);
  free(v);
  v = NULL;
  KSEG_CHECK_GOTO(kseg_comm_agree(comm, st), st, fail);

  int64_t off = 0;
  for (int l = 0; l < out->n_layers; l++) {
    const int64_t in = out->sizes[l], o = out->sizes[l + 1];
    for (int part = 0; part < 2; part++) {
      snprintf(ds, sizeof ds, "%s/layer%d/%s", group, l, part ? "bias" : "kernel");
      KSEG_CHECK_GOTO(kseg_h5_read_small_f64(comm, path, ds, dims, &v), st, fail);
      int64_t want0 = part ? o : in, want1 = part ? 1 : o;
      if (dims[0] != want0 || dims[1] != want1)
        st = kseg_error_set(KSEG_ERR_INPUT, "%s:%s is %lld x %lld, expected %lld x %lld", path, ds,
                            (long long)dims[0], (long long)dims[1], (long long)want0, (long long)want1);
      else
        memcpy(out->params + off, v, sizeof(double) * (size_t)(want0 * want1));
      off += want0 * want1;
      free(v);
      v = NULL;
      KSEG_CHECK_GOTO(kseg_comm_agree(comm, st), st, fail);
    }
  }

  double best = 0;
  KSEG_CHECK_GOTO(kseg_h5_read_attr_f64(comm, path, group, "best_epoch", &best), st, fail);
  out->best_epoch = (int)best;
  int has_loss = 0;
  snprintf(ds, sizeof ds, "%s/loss", group);
  KSEG_CHECK_GOTO(kseg_h5_exists(comm, path, ds, &has_loss), st, fail);
  if (has_loss) {
    KSEG_CHECK_GOTO(kseg_h5_read_small_f64(comm, path, ds, dims, &out->loss), st, fail);
    out->n_epochs = (int)(dims[0] * dims[1]);
    snprintf(ds, sizeof ds, "%s/val_loss", group);
    KSEG_CHECK_GOTO(kseg_h5_read_small_f64(comm, path, ds, dims, &out->val_loss), st, fail);
    if (dims[0] * dims[1] != out->n_epochs)
      st = kseg_error_set(KSEG_ERR_INPUT, "%s:%s has %lld values, expected %d", path, ds,
                          (long long)(dims[0] * dims[1]), out->n_epochs);
  }
fail:
  free(v);
  st = kseg_comm_agree(comm, st);
  if (st) kseg_ae_clear(out);
  return st;
}
