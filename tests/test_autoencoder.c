/* autoencoder: gradient against central finite differences, the first Adam
 * step against the double-precision reference gradient (so the fixed-point
 * gradient sum is the true gradient), the same weights on any partition (the
 * full communicator vs each rank alone on all rows, with a mask and
 * validation), save/load round trip, bad options, divergence. */
#include <stdlib.h>
#include <unistd.h>

#include "kseg/kseg_autoencoder.h"
#include "kseg/kseg_comm.h"
#include "kseg/kseg_error.h"
#include "kseg/kseg_h5io.h"
#include "kseg/kseg_rng.h"
#include "test.h"

#define N 403
#define D 6

static void row(int64_t i, double *x)
{
  kseg_rng_key key = {7, 9};
  double a = kseg_rng_normal(key, (uint64_t)i, 0), b = kseg_rng_normal(key, (uint64_t)i, 1);
  for (int f = 0; f < D; f++)
    x[f] = a * (f - 2) * 0.4 + b * (f % 3 == 0 ? 1.0 : -0.3) + 0.1 * kseg_rng_normal(key, (uint64_t)i, 2 + f);
}

static void gradient_check(const double *all)
{
  /* tiny net, two ReLU layers, a linear bottleneck: D -> 5 -> 3 -> 2 -> 3 -> 5 -> D */
  int widths[3] = {5, 3, 2};
  kseg_ae ae;
  ASSERT_OK(kseg_ae_init(&ae, D, widths, 3, 42));
  const int64_t n = 9, P = ae.n_params;
  /* non-zero biases, so their gradients are exercised off the origin */
  for (int64_t p = 0; p < P; p++) ae.params[p] += 0.05 * kseg_rng_normal((kseg_rng_key){3, 3}, (uint64_t)p, 0);
  double *g = malloc(sizeof(double) * (size_t)P), *g2 = malloc(sizeof(double) * (size_t)P), loss;
  ASSERT_OK(kseg_ae_loss_grad(&ae, all, n, &loss, g));
  ASSERT_NEAR(loss, kseg_ae_loss(&ae, all, n), 1e-15);
  double num = 0, den = 0, worst = 0;
  for (int64_t p = 0; p < P; p++) {
    const double h = 1e-6, keep = ae.params[p];
    ae.params[p] = keep + h;
    double up = kseg_ae_loss(&ae, all, n);
    ae.params[p] = keep - h;
    double down = kseg_ae_loss(&ae, all, n);
    ae.params[p] = keep;
    double fd = (up - down) / (2 * h);
    num += (g[p] - fd) * (g[p] - fd);
    den += (fabs(g[p]) + fabs(fd)) * (fabs(g[p]) + fabs(fd));
    if (fabs(g[p]) > 1e-3) {
      double rel = fabs(g[p] - fd) / fabs(g[p]);
      worst = rel > worst ? rel : worst;
    }
  }
  ASSERT(sqrt(num / den) < 1e-5);
  ASSERT(worst < 1e-5);
  /* the reference is deterministic */
  ASSERT_OK(kseg_ae_loss_grad(&ae, all, n, &loss, g2));
  ASSERT_SAME_BITS(g, g2, P);
  free(g);
  free(g2);
  kseg_ae_clear(&ae);
}

/* One Adam step on all rows as one batch moves each weight by
 * lr * g / (|g| + eps) where g is the mean gradient: compare with the
 * reference gradient, which checks the distributed fixed-point sum. */
static void first_step(MPI_Comm comm, const double *all, int64_t row0, int64_t n_local)
{
  kseg_ae_options o;
  kseg_ae_default_options(&o);
  ASSERT_OK(kseg_ae_parse_layers("8,3", &o));
  o.epochs = 1;
  o.batch = N;
  o.val_fraction = 0;
  o.lr = 1e-3;
  o.seed = 5;
  kseg_ae init, trained;
  ASSERT_OK(kseg_ae_init(&init, D, o.widths, o.n_widths, o.seed));
  ASSERT_OK(kseg_ae_train(comm, all + row0 * D, n_local, row0, N, D, NULL, &o, NULL, NULL, &trained));
  ASSERT_EQ(trained.n_epochs, 1);
  ASSERT_EQ(trained.train_rows, N);
  ASSERT_EQ(trained.val_rows, 0);
  const int64_t P = init.n_params;
  double *g = malloc(sizeof(double) * (size_t)P), loss;
  ASSERT_OK(kseg_ae_loss_grad(&init, all, N, &loss, g));
  ASSERT_NEAR(trained.loss[0], loss, 1e-11);
  ASSERT(isnan(trained.val_loss[0]));
  int checked = 0;
  for (int64_t p = 0; p < P; p++) {
    if (fabs(g[p]) < 1e-7) continue; /* the sign of a vanishing gradient is noise */
    double want = init.params[p] - o.lr * g[p] / (fabs(g[p]) + 1e-8);
    ASSERT_NEAR(trained.params[p], want, 1e-12);
    checked++;
  }
  ASSERT(checked > P / 2);
  free(g);
  kseg_ae_clear(&init);
  kseg_ae_clear(&trained);
}

static void progress(void *ctx, int epoch, int epochs, double loss, double val_loss, double seconds)
{
  (void)epochs;
  (void)seconds;
  int *seen = ctx;
  ASSERT_EQ(epoch, *seen + 1);
  ASSERT(isfinite(loss));
  ASSERT(isfinite(val_loss));
  *seen = epoch;
}

int main(int argc, char **argv)
{
  MPI_Comm comm, self;
  kseg_test_init(&argc, &argv, &comm, &self);
  int size = kseg_comm_size(comm), rank = kseg_comm_rank(comm);
  int64_t row0, n_local;
  kseg_partition(N, size, rank, &row0, &n_local);
  double *all = malloc(sizeof(double) * N * D);
  for (int64_t i = 0; i < N; i++) row(i, all + i * D);
  const double *mine = all + row0 * D;
  int8_t *mask_all = malloc(N);
  for (int64_t i = 0; i < N; i++) mask_all[i] = i % 7 != 3; /* e.g. --impute drop */

  gradient_check(all);
  first_step(comm, all, row0, n_local);

  /* several epochs, a mask and a validation split: the same bits on this
   * partition as on one rank. Batch 37: many steps, the last one short, some
   * with no row on a rank; batch 200: ~137 rows a step, two threads on one
   * rank (under THREADS 2), one on 2-3 ranks. */
  kseg_ae_options o;
  kseg_ae a, b;
  const int64_t batches[2] = {200, 37};
  for (int run = 0; run < 2; run++) {
    kseg_ae_default_options(&o);
    ASSERT_OK(kseg_ae_parse_layers("16,8,2", &o));
    o.epochs = 12;
    o.batch = batches[run];
    o.lr = 3e-3;
    o.seed = 11;
    o.val_fraction = 0.2;
    o.patience = 3;
    int seen = 0;
    if (run) {
      kseg_ae_clear(&a);
      kseg_ae_clear(&b);
    }
    ASSERT_OK(kseg_ae_train(comm, mine, n_local, row0, N, D, mask_all + row0, &o, progress, &seen, &a));
    ASSERT_EQ(seen, a.n_epochs);
    ASSERT_OK(kseg_ae_train(self, all, N, 0, N, D, mask_all, &o, NULL, NULL, &b));
    ASSERT_EQ(a.n_params, b.n_params);
    ASSERT_SAME_BITS(a.params, b.params, a.n_params);
    ASSERT_EQ(a.n_epochs, b.n_epochs);
    ASSERT_SAME_BITS(a.loss, b.loss, a.n_epochs);
    ASSERT_SAME_BITS(a.val_loss, b.val_loss, a.n_epochs);
    ASSERT_EQ(a.best_epoch, b.best_epoch);
    int64_t used = 0;
    for (int64_t i = 0; i < N; i++) used += mask_all[i];
    ASSERT_EQ(a.train_rows + a.val_rows, used);
    ASSERT(a.val_rows > used / 10 && a.val_rows < used * 3 / 10);
    ASSERT(a.loss[a.n_epochs - 1] < a.loss[0]);
    /* early stopping keeps the best epoch: the lowest validation loss */
    for (int e = 0; e < a.n_epochs; e++) ASSERT(a.val_loss[a.best_epoch - 1] <= a.val_loss[e]);
    if (a.n_epochs < o.epochs) ASSERT_EQ(a.best_epoch, a.n_epochs - o.patience);
    ASSERT_EQ(kseg_ae_width(&a), 2);
  }

  /* encoding: rows are independent of their block */
  double *e1 = malloc(sizeof(double) * N * 2), *e2 = malloc(sizeof(double) * N * 2);
  ASSERT_OK(kseg_ae_encode(&a, all, N, e1));
  for (int64_t i = 0; i < N; i += 50) ASSERT_OK(kseg_ae_encode(&a, all + i * D, N - i < 50 ? N - i : 50, e2 + i * 2));
  ASSERT_SAME_BITS(e1, e2, N * 2);

  /* save and load round trip (collective writer on the full communicator) */
  char path[64] = "ae_roundtrip.h5";
  if (rank == 0) snprintf(path, sizeof path, "ae_rt_%d.h5", (int)getpid());
  MPI_Bcast(path, sizeof path, MPI_CHAR, 0, MPI_COMM_WORLD);
  kseg_h5_writer *w = NULL;
  ASSERT_OK(kseg_h5_create(comm, path, &w));
  int st = kseg_ae_save(w, "/prep/autoencoder", &a);
  ASSERT_OK(kseg_h5_finish(&w, st));
  kseg_ae c;
  ASSERT_OK(kseg_ae_load(comm, path, "/prep/autoencoder", &c));
  ASSERT_EQ(c.n_layers, 6);
  for (int l = 0; l <= 6; l++) ASSERT_EQ(c.sizes[l], a.sizes[l]);
  ASSERT_SAME_BITS(c.params, a.params, a.n_params);
  ASSERT_EQ(c.n_epochs, a.n_epochs);
  ASSERT_SAME_BITS(c.loss, a.loss, a.n_epochs);
  ASSERT_EQ(c.best_epoch, a.best_epoch);
  ASSERT_OK(kseg_ae_encode(&c, all, N, e2));
  ASSERT_SAME_BITS(e1, e2, N * 2);
  kseg_ae_clear(&c); /* kseg_ae_load overwrites its output: release the model first */
  ASSERT_STATUS(kseg_ae_load(comm, path, "/prep/nothing", &c), KSEG_ERR_INPUT);
  kseg_error_clear();
  MPI_Barrier(MPI_COMM_WORLD);
  if (rank == 0) unlink(path);
  kseg_ae_clear(&c);

  /* bad options */
  kseg_ae_options bad;
  kseg_ae_default_options(&bad);
  ASSERT_STATUS(kseg_ae_parse_layers("0,4", &bad), KSEG_ERR_INPUT);
  ASSERT_CONTAINS(kseg_error_message(), "--autoencoder");
  kseg_error_clear();
  ASSERT_STATUS(kseg_ae_parse_layers("abc", &bad), KSEG_ERR_INPUT);
  ASSERT_STATUS(kseg_ae_parse_layers("8,,2", &bad), KSEG_ERR_INPUT);
  ASSERT_STATUS(kseg_ae_parse_layers("8,2,", &bad), KSEG_ERR_INPUT);
  ASSERT_OK(kseg_ae_parse_layers("8,2", &bad));
  kseg_error_clear();
  bad.epochs = 0;
  ASSERT_STATUS(kseg_ae_train(comm, mine, n_local, row0, N, D, NULL, &bad, NULL, NULL, &c), KSEG_ERR_INPUT);
  ASSERT_CONTAINS(kseg_error_message(), "--epochs");
  kseg_error_clear();
  bad.epochs = 2;
  bad.val_fraction = 1.0;
  ASSERT_STATUS(kseg_ae_train(comm, mine, n_local, row0, N, D, NULL, &bad, NULL, NULL, &c), KSEG_ERR_INPUT);
  kseg_error_clear();
  /* a step far too large blows the activations up: reported, on every rank */
  bad.val_fraction = 0.1;
  bad.lr = 1e7;
  bad.batch = 16;
  ASSERT_STATUS(kseg_ae_train(comm, mine, n_local, row0, N, D, NULL, &bad, NULL, NULL, &c), KSEG_ERR_INPUT);
  ASSERT_CONTAINS(kseg_error_message(), "diverged");
  kseg_error_clear();

  free(e1);
  free(e2);
  kseg_ae_clear(&a);
  kseg_ae_clear(&b);
  free(all);
  free(mask_all);
  kseg_test_finalize(&comm, &self);
  if (rank == 0) printf("autoencoder: ok (%d ranks)\n", size);
  return 0;
}
