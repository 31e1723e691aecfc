/* kseg_autoencoder.h - a dense autoencoder trained data-parallel across ranks,
 * whose encoder is a nonlinear projection of the scaled features (the
 * alternative to PCA in kseg prep; docs/autoencoder.md).
 *
 * Network: D -> w1 -> ... -> wk (encoder, as given) -> w(k-1) -> ... -> w1 -> D
 * (mirrored decoder). Hidden layers are ReLU; the bottleneck (wk) and the
 * output are linear. Loss: mean squared error over rows and the D outputs.
 * Optimizer: Adam (beta1 0.9, beta2 0.999, eps 1e-8).
 *
 * Reproducibility (weights bit-identical for any rank and thread count):
 *  - initial weights are counter-based draws keyed by (seed, layer, weight
 *    index): every rank makes the same ones without communication;
 *  - the global minibatch order is a seeded Feistel permutation of global
 *    row ids; each rank evaluates it on its own rows only, so batch b holds
 *    the same rows whatever the partition;
 *  - every row's forward/backward pass is a fixed-order loop (not BLAS gemm,
 *    whose rounding for a row depends on the shape of the block it is in);
 *  - every row's gradient and loss are rounded to fixed point (2^-40) and
 *    summed exactly in int128, per thread then over ranks with one
 *    MPI_Allreduce per step; the Adam update is then the same on all ranks.
 */
#ifndef KSEG_AUTOENCODER_H
#define KSEG_AUTOENCODER_H

#include <mpi.h>
#include <stdint.h>

#include "kseg/kseg_h5io.h"

#ifdef __cplusplus
extern "C" {
#endif

#define KSEG_AE_MAX_LAYERS 16 /* encoder widths at most */

/* Training options; kseg_ae_default_options fills the defaults. */
typedef struct kseg_ae_options {
  int n_widths;                    /* encoder layers */
  int widths[KSEG_AE_MAX_LAYERS];  /* encoder widths; the last is the embedding */
  int epochs;                      /* >= 1 (default 50) */
  int64_t batch;                   /* global minibatch rows, >= 1 (default 256) */
  double lr;                       /* Adam step, > 0 (default 1e-3) */
  uint64_t seed;                   /* init, batch order, validation split (default 0) */
  double val_fraction;             /* [0, 1): held-out rows (default 0.1); 0: no early stopping */
  int patience;                    /* epochs without a better val loss before stopping, >= 1 (default 10) */
} kseg_ae_options;

/* A network. All arrays owned; identical on every rank. */
typedef struct kseg_ae {
  int n_layers;      /* L = 2 * encoder layers */
  int n_encoder;     /* encoder layers: the first n_encoder layers */
  int *sizes;        /* L + 1 widths: sizes[0] = D = sizes[L] */
  int64_t n_params;
  double *params;    /* per layer l: kernel [sizes[l] x sizes[l+1]] row-major (in x out), then bias [sizes[l+1]] */
  /* training record (not needed to encode) */
  int n_epochs;      /* epochs run */
  double *loss;      /* n_epochs: mean training loss of each epoch (during the epoch) */
  double *val_loss;  /* n_epochs: validation loss after each epoch (NaN without validation) */
  int best_epoch;    /* 1-based epoch whose weights were kept */
  int64_t train_rows, val_rows;
  double seconds_grad, seconds_reduce; /* this rank's time in the per-row work and in the allreduce */
  int shared_ranks;  /* ranks that shared each step's work through shared memory; 0: a static split */
} kseg_ae;

void kseg_ae_default_options(kseg_ae_options *o);

/* Parse "32,16,4" into o->widths / o->n_widths. KSEG_ERR_INPUT naming the
 * flag `--autoencoder` when a width is not an integer >= 1 or there are too
 * many. Local. */
int kseg_ae_parse_layers(const char *text, kseg_ae_options *o);

/* Check epochs, batch, lr, val_fraction, patience (KSEG_ERR_INPUT naming the
 * flag). Local. */
int kseg_ae_check_options(const kseg_ae_options *o);

/* Build the network for D inputs with the initial weights of `seed`: He
 * normal for ReLU layers, Glorot normal for the linear ones, zero biases.
 * Local. Free with kseg_ae_clear. */
int kseg_ae_init(kseg_ae *ae, int d, const int *widths, int n_widths, uint64_t seed);

/* Called once per epoch on every rank with agreed values (the CLI prints
 * on the root). val_loss is NaN without validation. */
typedef void (*kseg_ae_progress_fn)(void *ctx, int epoch, int epochs, double loss, double val_loss, double seconds);

/* Train on this rank's rows X[n_local x d] (row-major, finite), global rows
 * [row0, row0 + n_local) of n_global, using the rows whose mask entry is
 * non-zero (mask NULL: all). Rows whose hash of (seed, row) falls below
 * val_fraction are held out for validation; with validation, training stops
 * after `patience` epochs without a lower validation loss and the weights of
 * the best epoch are kept. Errors: bad options, no training row
 * (KSEG_ERR_INPUT), a gradient or loss out of the fixed-point range, i.e.
 * diverging training (KSEG_ERR_INPUT, suggests a lower --lr), memory
 * (KSEG_ERR_IO). Collective; status agreed. *out freed with kseg_ae_clear. */
int kseg_ae_train(MPI_Comm comm, const double *X, int64_t n_local, int64_t row0, int64_t n_global, int d,
                  const int8_t *mask, const kseg_ae_options *opt, kseg_ae_progress_fn progress, void *ctx,
                  kseg_ae *out);

/* Embedding width (the last encoder width). */
int kseg_ae_width(const kseg_ae *ae);

/* out[i x width] = encoder(X[i]), fixed order per row. KSEG_ERR_IO when out of
 * memory. Local; OpenMP. */
int kseg_ae_encode(const kseg_ae *ae, const double *X, int64_t n, double *out);

/* Reference: mean loss over the n rows of X and its gradient (n_params,
 * plain double sums in row order). For tests (gradient check). Local. */
int kseg_ae_loss_grad(const kseg_ae *ae, const double *X, int64_t n, double *loss, double *grad);

/* Mean loss over the rows of X. Local. */
double kseg_ae_loss(const kseg_ae *ae, const double *X, int64_t n);

/* Save under `group` (e.g. /prep/autoencoder): attribute `layers` ("32,16,4",
 * the encoder widths), `input_dim`, `best_epoch`, datasets `sizes`,
 * `layer<l>/kernel` [in x out], `layer<l>/bias` [out] for every layer (the
 * decoder too), `loss` and `val_loss` [epochs]. Collective. */
int kseg_ae_save(kseg_h5_writer *w, const char *group, const kseg_ae *ae);

/* Load what kseg_ae_save wrote. Collective; status agreed. */
int kseg_ae_load(MPI_Comm comm, const char *path, const char *group, kseg_ae *out);

/* NULL-safe; leaves *ae zeroed. */
void kseg_ae_clear(kseg_ae *ae);

#ifdef __cplusplus
}
#endif

#endif
