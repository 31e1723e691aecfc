/* features/autoencoder/autoencoder.c - dense autoencoder, data-parallel training (kseg_autoencoder.h). */
#include "kseg/kseg_autoencoder.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "kseg/kseg_comm.h"
#include "kseg/kseg_error.h"
#include "kseg/kseg_rng.h"
#include "features/autoencoder/team.h"

#define MAXL (2 * KSEG_AE_MAX_LAYERS)

/* Fixed point of the per-row gradient and loss terms: value * 2^40, kept
 * below 2^62 in magnitude, so a row's term may reach 2^22 (far beyond any
 * non-diverging step on scaled features) with a resolution of 1e-12. */
#define FX_SCALE 0x1p40
#define FX_INV 0x1p-40
#define FX_LIMIT 0x1p61
/* Adding then subtracting 1.5 * 2^52 rounds |t| < 2^51 to an integer (ties to
 * even, like llrint) with plain double arithmetic, which vectorizes. */
#define FX_MAGIC 0x1.8p52

/* Sub-streams of KSEG_STREAM_AUTOENCODER. */
enum { SUB_INIT = 1, SUB_ORDER = 2, SUB_VALIDATION = 3 };

void kseg_ae_default_options(kseg_ae_options *o)
{
  memset(o, 0, sizeof *o);
  o->epochs = 50;
  o->batch = 256;
  o->lr = 1e-3;
  o->seed = 0;
  o->val_fraction = 0.1;
  o->patience = 10;
}

int kseg_ae_parse_layers(const char *text, kseg_ae_options *o)
{
  o->n_widths = 0;
  const char *p = text;
  if (!text || !*text) return kseg_error_set(KSEG_ERR_INPUT, "--autoencoder expects widths like 32,16,4, got ''");
  for (;;) {
    char *end = NULL;
    long v = strtol(p, &end, 10);
    if (end == p || (*end != ',' && *end != '\0') || v < 1 || v > 100000)
      return kseg_error_set(KSEG_ERR_INPUT,
                            "--autoencoder expects comma-separated layer widths >= 1 (e.g. 32,16,4), got '%s'", text);
    if (o->n_widths == KSEG_AE_MAX_LAYERS)
      return kseg_error_set(KSEG_ERR_INPUT, "--autoencoder: at most %d encoder layers, got '%s'", KSEG_AE_MAX_LAYERS,
                            text);
    o->widths[o->n_widths++] = (int)v;
    if (*end == '\0') break;
    p = end + 1;
  }
  return KSEG_OK;
}

int kseg_ae_check_options(const kseg_ae_options *o)
{
  if (o->n_widths < 1) return kseg_error_set(KSEG_ERR_INPUT, "--autoencoder: no layer widths given");
  if (o->epochs < 1) return kseg_error_set(KSEG_ERR_INPUT, "--epochs must be >= 1, got %d", o->epochs);
  if (o->batch < 1) return kseg_error_set(KSEG_ERR_INPUT, "--batch must be >= 1, got %lld", (long long)o->batch);
  if (!(o->lr > 0) || !isfinite(o->lr)) return kseg_error_set(KSEG_ERR_INPUT, "--lr must be > 0, got %g", o->lr);
  if (!(o->val_fraction >= 0 && o->val_fraction < 1))
    return kseg_error_set(KSEG_ERR_INPUT, "--val-fraction must be in [0, 1), got %g", o->val_fraction);
  if (o->patience < 1) return kseg_error_set(KSEG_ERR_INPUT, "--patience must be >= 1, got %d", o->patience);
  return KSEG_OK;
}

/* ---- layout ---- */

typedef struct layout {
  int L, enc;
  int64_t poff[MAXL + 1]; /* offset of layer l's kernel in params */
  int64_t aoff[MAXL + 2]; /* offset of activation l (l = 0: the input) in a row buffer */
} layout;

static void make_layout(const kseg_ae *ae, layout *ly)
{
  ly->L = ae->n_layers;
  ly->enc = ae->n_encoder;
  ly->poff[0] = 0;
  ly->aoff[0] = 0;
  for (int l = 0; l < ae->n_layers; l++) {
    ly->poff[l + 1] = ly->poff[l] + (int64_t)ae->sizes[l] * ae->sizes[l + 1] + ae->sizes[l + 1];
    ly->aoff[l + 1] = ly->aoff[l] + ae->sizes[l];
  }
  ly->aoff[ae->n_layers + 1] = ly->aoff[ae->n_layers] + ae->sizes[ae->n_layers];
}

/* Activation l (1..L-1) is ReLU unless it is the bottleneck. */
static inline int is_relu(const layout *ly, int l) { return l > 0 && l < ly->L && l != ly->enc; }

void kseg_ae_clear(kseg_ae *ae)
{
  if (!ae) return;
  free(ae->sizes);
  free(ae->params);
  free(ae->loss);
  free(ae->val_loss);
  memset(ae, 0, sizeof *ae);
}

int kseg_ae_width(const kseg_ae *ae) { return ae->sizes[ae->n_encoder]; }

static int alloc_net(kseg_ae *ae, int d, const int *widths, int n)
{
  memset(ae, 0, sizeof *ae);
  if (n < 1 || n > KSEG_AE_MAX_LAYERS || d < 1)
    return kseg_error_set(KSEG_ERR_INPUT, "autoencoder: %d layers on %d inputs", n, d);
  ae->n_encoder = n;
  ae->n_layers = 2 * n;
  ae->sizes = kseg_malloc(sizeof(int) * (size_t)(2 * n + 1), "autoencoder sizes");
  if (!ae->sizes) return KSEG_ERR_IO;
  ae->sizes[0] = ae->sizes[2 * n] = d;
  for (int l = 0; l < n; l++) ae->sizes[l + 1] = ae->sizes[2 * n - 1 - l] = widths[l];
  layout ly;
  make_layout(ae, &ly);
  ae->n_params = ly.poff[ae->n_layers];
  ae->params = kseg_calloc((size_t)ae->n_params, sizeof(double), "autoencoder weights");
  if (!ae->params) {
    kseg_ae_clear(ae);
    return KSEG_ERR_IO;
  }
  return KSEG_OK;
}

int kseg_ae_init(kseg_ae *ae, int d, const int *widths, int n, uint64_t seed)
{
  KSEG_CHECK(alloc_net(ae, d, widths, n));
  layout ly;
  make_layout(ae, &ly);
  for (int l = 0; l < ae->n_layers; l++) {
    const int in = ae->sizes[l], out = ae->sizes[l + 1];
    /* He for layers feeding a ReLU, Glorot for the linear bottleneck and output */
    double sd = is_relu(&ly, l + 1) ? sqrt(2.0 / in) : sqrt(2.0 / (in + out));
    kseg_rng_key key = {seed, kseg_rng_substream(KSEG_STREAM_AUTOENCODER, SUB_INIT, (uint64_t)l)};
    double *k = ae->params + ly.poff[l];
    for (int64_t i = 0; i < (int64_t)in * out; i++) k[i] = sd * kseg_rng_normal(key, (uint64_t)i, 0);
  }
  return KSEG_OK;
}

/* ---- one row ---- */

/* act[aoff[l] ..] = activation l for l = 0..upto (act[0..D) must hold the
 * input). A fixed loop order: the row's bits do not depend on its neighbours. */
static void row_forward(const kseg_ae *ae, const layout *ly, int upto, double *act)
{
  for (int l = 0; l < upto; l++) {
    const int in = ae->sizes[l], out = ae->sizes[l + 1];
    const double *restrict a = act + ly->aoff[l];
    double *restrict z = act + ly->aoff[l + 1];
    const double *restrict k = ae->params + ly->poff[l];
    const double *restrict b = k + (int64_t)in * out;
    for (int j = 0; j < out; j++) z[j] = b[j];
    for (int i = 0; i < in; i++) {
      const double ai = a[i];
      const double *restrict ki = k + (int64_t)i * out;
      for (int j = 0; j < out; j++) z[j] += ai * ki[j];
    }
    if (is_relu(ly, l + 1))
      for (int j = 0; j < out; j++) z[j] = z[j] > 0.0 ? z[j] : 0.0;
  }
}

/* After row_forward(L): dl[aoff[l+1] ..] = d loss_row / d (pre-activation of
 * layer l's output) for l = 0..L-1, where loss_row = mean over D of
 * (output - input)^2. Returns loss_row. */
static double row_backward(const kseg_ae *ae, const layout *ly, const double *act, double *dl)
{
  const int L = ly->L, D = ae->sizes[0];
  const double *x = act, *y = act + ly->aoff[L];
  double *dy = dl + ly->aoff[L], loss = 0.0;
  for (int j = 0; j < D; j++) {
    double e = y[j] - x[j];
    loss += e * e;
    dy[j] = 2.0 * e / D;
  }
  for (int l = L - 1; l >= 1; l--) {
    const int in = ae->sizes[l], out = ae->sizes[l + 1];
    const double *restrict k = ae->params + ly->poff[l];
    const double *restrict dout = dl + ly->aoff[l + 1];
    const double *restrict a = act + ly->aoff[l];
    double *restrict din = dl + ly->aoff[l];
    const int relu = is_relu(ly, l);
    for (int i = 0; i < in; i++) {
      const double *restrict ki = k + (int64_t)i * out;
      double s = 0.0;
      for (int j = 0; j < out; j++) s += ki[j] * dout[j];
      din[i] = relu && !(a[i] > 0.0) ? 0.0 : s;
    }
  }
  return loss / D;
}

/* ---- exact per-thread accumulation ---- */

/* round(v) for |v| < 2^62, split as hi * 2^31 + lo so both parts fit int64
 * sums over 2^31 rows and the loop vectorizes (no int128 in the inner loop). */
static inline void fx_split(double v, int64_t *hi, int64_t *lo)
{
  double h = (v * 0x1p-31 + FX_MAGIC) - FX_MAGIC;
  double r = v - h * 0x1p31; /* exact: |r| <= 2^30 and v, h * 2^31 share the grid */
  double l = (r + FX_MAGIC) - FX_MAGIC;
  *hi += (int64_t)h;
  *lo += (int64_t)l;
}

typedef struct accum {
  int64_t *hi, *lo; /* n_params each */
  kseg_i128 loss;
  int64_t rows, bad;
} accum;

static double absmax(const double *v, int n)
{
  double m = 0.0;
  for (int i = 0; i < n; i++) m = fabs(v[i]) > m ? fabs(v[i]) : m;
  return m;
}

/* Add one row's gradient (from act, dl) and loss to the accumulator. A row
 * whose terms would leave the fixed-point range (or are NaN) counts as bad. */
static void row_accumulate(const kseg_ae *ae, const layout *ly, const double *act, const double *dl, double loss,
                           accum *acc)
{
  int ok = loss * FX_SCALE < FX_LIMIT; /* false for NaN */
  for (int l = 0; ok && l < ly->L; l++) {
    double ma = absmax(act + ly->aoff[l], ae->sizes[l]), md = absmax(dl + ly->aoff[l + 1], ae->sizes[l + 1]);
    ok = (ma > 1.0 ? ma : 1.0) * md * FX_SCALE < FX_LIMIT;
  }
  if (!ok) {
    acc->bad++;
    return;
  }
  acc->rows++;
  acc->loss += (kseg_i128)llrint(loss * FX_SCALE);
  for (int l = 0; l < ly->L; l++) {
    const int in = ae->sizes[l], out = ae->sizes[l + 1];
    const double *restrict a = act + ly->aoff[l];
    const double *restrict d = dl + ly->aoff[l + 1];
    int64_t *restrict hi = acc->hi + ly->poff[l], *restrict lo = acc->lo + ly->poff[l];
    for (int i = 0; i < in; i++) {
      const double ai = a[i] * FX_SCALE;
      if (ai == 0.0) continue; /* ReLU zeros add nothing */
      int64_t *restrict h = hi + (int64_t)i * out, *restrict o = lo + (int64_t)i * out;
      for (int j = 0; j < out; j++) fx_split(ai * d[j], &h[j], &o[j]);
    }
    int64_t *restrict h = hi + (int64_t)in * out, *restrict o = lo + (int64_t)in * out;
    for (int j = 0; j < out; j++) fx_split(d[j] * FX_SCALE, &h[j], &o[j]);
  }
}

/* ---- reference and encoding ---- */

int kseg_ae_loss_grad(const kseg_ae *ae, const double *X, int64_t n, double *loss, double *grad)
{
  layout ly;
  make_layout(ae, &ly);
  const int D = ae->sizes[0];
  double *act = kseg_malloc(sizeof(double) * (size_t)ly.aoff[ly.L + 1] * 2, "autoencoder row");
  if (!act) return KSEG_ERR_IO;
  double *dl = act + ly.aoff[ly.L + 1];
  memset(grad, 0, sizeof(double) * (size_t)ae->n_params);
  double total = 0.0;
  for (int64_t r = 0; r < n; r++) {
    memcpy(act, X + r * D, sizeof(double) * (size_t)D);
    row_forward(ae, &ly, ly.L, act);
    total += row_backward(ae, &ly, act, dl);
    for (int l = 0; l < ly.L; l++) {
      const int in = ae->sizes[l], out = ae->sizes[l + 1];
      double *g = grad + ly.poff[l];
      for (int i = 0; i < in; i++)
        for (int j = 0; j < out; j++) g[(int64_t)i * out + j] += act[ly.aoff[l] + i] * dl[ly.aoff[l + 1] + j];
      for (int j = 0; j < out; j++) g[(int64_t)in * out + j] += dl[ly.aoff[l + 1] + j];
    }
  }
  for (int64_t p = 0; p < ae->n_params; p++) grad[p] /= (double)n;
  *loss = total / (double)n;
  free(act);
  return KSEG_OK;
}

double kseg_ae_loss(const kseg_ae *ae, const double *X, int64_t n)
{
  layout ly;
  make_layout(ae, &ly);
  const int D = ae->sizes[0];
  double total = 0.0;
  double *act = malloc(sizeof(double) * (size_t)ly.aoff[ly.L + 1] * 2);
  if (!act) return NAN;
  for (int64_t r = 0; r < n; r++) {
    memcpy(act, X + r * D, sizeof(double) * (size_t)D);
    row_forward(ae, &ly, ly.L, act);
    total += row_backward(ae, &ly, act, act + ly.aoff[ly.L + 1]);
  }
  free(act);
  return total / (double)n;
}

int kseg_ae_encode(const kseg_ae *ae, const double *X, int64_t n, double *out)
{
  layout ly;
  make_layout(ae, &ly);
  const int D = ae->sizes[0], E = ae->sizes[ae->n_encoder];
  int nt = 1;
#ifdef _OPENMP
  nt = omp_get_max_threads();
#endif
  const int64_t len = ly.aoff[ly.enc + 1]; /* the input and the encoder activations */
  double *buf = kseg_malloc(sizeof(double) * (size_t)(len * nt), "autoencoder rows");
  if (!buf) return KSEG_ERR_IO;
#pragma omp parallel num_threads(nt)
  {
    int k = 0;
#ifdef _OPENMP
    k = omp_get_thread_num();
#endif
    double *act = buf + k * len;
#pragma omp for schedule(static)
    for (int64_t r = 0; r < n; r++) {
      memcpy(act, X + r * D, sizeof(double) * (size_t)D);
      row_forward(ae, &ly, ly.enc, act);
      memcpy(out + r * E, act + ly.aoff[ly.enc], sizeof(double) * (size_t)E);
    }
  }
  free(buf);
  return KSEG_OK;
}

/* ---- batch order: a Feistel permutation of [0, n) ---- */

typedef struct feistel {
  kseg_rng_key key;
  uint64_t n, mask;
  int half;
} feistel;

static feistel feistel_make(uint64_t seed, int epoch, uint64_t n)
{
  feistel f = {{seed, kseg_rng_substream(KSEG_STREAM_AUTOENCODER, SUB_ORDER, (uint64_t)epoch)}, n, 0, 1};
  int bits = 2;
  while (bits < 64 && (UINT64_C(1) << bits) < n) bits++;
  bits += bits & 1;
  f.half = bits / 2;
  f.mask = (UINT64_C(1) << f.half) - 1;
  return f;
}

/* Position of row r: 4 balanced Feistel rounds on 2^(2 half) >= n values,
 * cycle-walking until the value falls in [0, n) (fewer than 4 steps on
 * average since 2^(2 half) < 4 n): a bijection of [0, n), no table. */
static uint64_t feistel_apply(const feistel *f, uint64_t r)
{
  uint64_t x = r;
  do {
    uint64_t lo = x & f->mask, hi = x >> f->half;
    for (uint64_t round = 0; round < 4; round++) {
      uint64_t t = hi ^ (kseg_rng_u64(f->key, lo, round) & f->mask);
      hi = lo;
      lo = t;
    }
    x = (hi << f->half) | lo;
  } while (x >= f->n);
  return x;
}

typedef struct posrow {
  uint64_t pos;
  int64_t row; /* local index */
} posrow;

static int cmp_pos(const void *a, const void *b)
{
  uint64_t x = ((const posrow *)a)->pos, y = ((const posrow *)b)->pos;
  return (x > y) - (x < y);
}

/* ---- training ---- */

typedef struct trainer {
  const kseg_ae *ae;
  layout ly;
  int nt;
  double *rowbuf; /* nt x (2 * activations) */
  int64_t rowlen;
  accum *acc;     /* nt */
} trainer;

static void accum_zero(trainer *t)
{
  for (int k = 0; k < t->nt; k++) {
    memset(t->acc[k].hi, 0, sizeof(int64_t) * (size_t)t->ae->n_params);
    memset(t->acc[k].lo, 0, sizeof(int64_t) * (size_t)t->ae->n_params);
    t->acc[k].loss = 0;
    t->acc[k].rows = t->acc[k].bad = 0;
  }
}

/* Rows rows[0..m) through forward (+ backward when grad) into the
 * per-thread accumulators; thread k takes a contiguous share. */
static void run_rows(trainer *t, const double *const *rows, int64_t m, int grad)
{
  const kseg_ae *ae = t->ae;
  const int D = ae->sizes[0];
  /* a step's share of rows is small (batch / ranks): below ~64 rows per
   * thread, waking threads costs more than the rows (the bits are the same
   * for any thread count) */
  int nt = (int)(m / 64 < t->nt ? m / 64 : t->nt);
  nt = nt < 1 ? 1 : nt;
#pragma omp parallel num_threads(nt)
  {
    int k = 0;
#ifdef _OPENMP
    k = omp_get_thread_num();
#endif
    double *act = t->rowbuf + (int64_t)k * t->rowlen, *dl = act + t->rowlen / 2;
    accum *acc = &t->acc[k];
#pragma omp for schedule(static)
    for (int64_t q = 0; q < m; q++) {
      memcpy(act, rows[q], sizeof(double) * (size_t)D);
      row_forward(ae, &t->ly, t->ly.L, act);
      double loss = row_backward(ae, &t->ly, act, dl);
      if (grad) {
        row_accumulate(ae, &t->ly, act, dl, loss, acc);
      } else if (loss * FX_SCALE < FX_LIMIT) {
        acc->rows++;
        acc->loss += (kseg_i128)llrint(loss * FX_SCALE);
      } else {
        acc->bad++;
      }
    }
  }
}

/* Combine the thread accumulators into buf[0..P) (gradient sums), then
 * buf[P] loss sum, buf[P+1] rows, buf[P+2] bad rows. Exact, any order. */
static void accum_fold(trainer *t, kseg_i128 *buf, int grad)
{
  const int64_t P = grad ? t->ae->n_params : 0;
#pragma omp parallel for schedule(static) num_threads(t->nt) if (P >= 65536)
  for (int64_t p = 0; p < P; p++) {
    kseg_i128 s = 0;
    for (int k = 0; k < t->nt; k++) s += (kseg_i128)t->acc[k].hi[p] * ((kseg_i128)1 << 31) + t->acc[k].lo[p];
    buf[p] = s;
  }
  buf[P] = buf[P + 1] = buf[P + 2] = 0;
  for (int k = 0; k < t->nt; k++) {
    buf[P] += t->acc[k].loss;
    buf[P + 1] += t->acc[k].rows;
    buf[P + 2] += t->acc[k].bad;
  }
}

/* One chunk of a team's step (team.h): its rows' exact sums. */
static void team_chunk(void *ctx, const double *const *rows, int64_t m, kseg_i128 *out)
{
  trainer *t = ctx;
  accum_zero(t);
  run_rows(t, rows, m, 1);
  accum_fold(t, out, 1);
}

int kseg_ae_train(MPI_Comm comm, const double *X, int64_t n_local, int64_t row0, int64_t n_global, int d,
                  const int8_t *mask, const kseg_ae_options *opt, kseg_ae_progress_fn progress, void *ctx,
                  kseg_ae *out)
{
  memset(out, 0, sizeof *out);
  int st = kseg_ae_check_options(opt);
  KSEG_CHECK(kseg_comm_agree(comm, st));
  KSEG_CHECK(kseg_comm_agree(comm, kseg_ae_init(out, d, opt->widths, opt->n_widths, opt->seed)));

  const double t0 = kseg_now();
  kseg_ae *ae = out;
  const int64_t P = ae->n_params;
  trainer t = {.ae = ae};
  ae_team *team = NULL;
  make_layout(ae, &t.ly);
  t.nt = 1;
#ifdef _OPENMP
  t.nt = omp_get_max_threads();
#endif
  t.rowlen = 2 * t.ly.aoff[t.ly.L + 1];
  posrow *order = kseg_malloc(sizeof *order * (size_t)(n_local + 1), "autoencoder batch order");
  int64_t *val = kseg_malloc(sizeof *val * (size_t)(n_local + 1), "autoencoder validation rows");
  int8_t *is_val = kseg_calloc((size_t)n_local + 1, 1, "autoencoder validation rows");
  const double **rows = kseg_malloc(sizeof *rows * (size_t)(n_local + 1), "autoencoder batch rows");
  kseg_i128 *buf = kseg_malloc(sizeof *buf * (size_t)(P + 3), "autoencoder gradient");
  double *m1 = kseg_calloc((size_t)P, sizeof(double), "adam moments");
  double *m2 = kseg_calloc((size_t)P, sizeof(double), "adam moments");
  double *best = kseg_malloc(sizeof(double) * (size_t)P, "autoencoder best weights");
  t.rowbuf = kseg_malloc(sizeof(double) * (size_t)(t.rowlen * t.nt), "autoencoder rows");
  t.acc = kseg_calloc((size_t)t.nt, sizeof *t.acc, "autoencoder accumulators");
  ae->loss = kseg_malloc(sizeof(double) * (size_t)opt->epochs, "autoencoder losses");
  ae->val_loss = kseg_malloc(sizeof(double) * (size_t)opt->epochs, "autoencoder losses");
  st = order && val && is_val && rows && buf && m1 && m2 && best && t.rowbuf && t.acc && ae->loss && ae->val_loss
           ? KSEG_OK
           : KSEG_ERR_IO;
  for (int k = 0; !st && k < t.nt; k++) {
    t.acc[k].hi = kseg_malloc(sizeof(int64_t) * (size_t)P, "autoencoder accumulators");
    t.acc[k].lo = kseg_malloc(sizeof(int64_t) * (size_t)P, "autoencoder accumulators");
    if (!t.acc[k].hi || !t.acc[k].lo) st = KSEG_ERR_IO;
  }
  KSEG_CHECK_GOTO(kseg_comm_agree(comm, st), st, done);

  /* validation rows: a hash of (seed, global row), the same for any partition */
  kseg_rng_key vkey = {opt->seed, kseg_rng_substream(KSEG_STREAM_AUTOENCODER, SUB_VALIDATION, 0)};
  int64_t n_val = 0, n_train = 0;
  for (int64_t i = 0; i < n_local; i++) {
    if (mask && !mask[i]) continue;
    if (opt->val_fraction > 0 && kseg_rng_uniform(vkey, (uint64_t)(row0 + i), 0) < opt->val_fraction) {
      is_val[i] = 1;
      val[n_val++] = i;
    } else {
      n_train++;
    }
  }
  int64_t counts[2] = {n_train, n_val};
  KSEG_CHECK_GOTO(kseg_comm_sum_i64(comm, counts, 2), st, done);
  ae->train_rows = counts[0];
  ae->val_rows = counts[1];
  if (counts[0] < 1) st = kseg_error_set(KSEG_ERR_INPUT, "autoencoder: no training rows (validation fraction %g)",
                                         opt->val_fraction);
  KSEG_CHECK_GOTO(kseg_comm_agree(comm, st), st, done);
  const int validate = counts[1] > 0;

  const double b1 = 0.9, b2 = 0.999, eps = 1e-8;
  const int64_t B = opt->batch, n_batches = (n_global + B - 1) / B;
  /* the ranks of one node share each step's work (team.h) */
  KSEG_CHECK_GOTO(ae_team_open(comm, X, n_local, d, t.nt, P + 3, n_batches, &team), st, done);
  ae->shared_ranks = team ? kseg_comm_size(comm) : 0;
  int64_t step = 0;
  double best_val = INFINITY;
  int wait = 0;
  ae->best_epoch = 0;
  for (int epoch = 1; epoch <= opt->epochs; epoch++) {
    feistel fp = feistel_make(opt->seed, epoch, (uint64_t)n_global);
    int64_t m = 0;
    for (int64_t i = 0; i < n_local; i++)
      if (!(mask && !mask[i]) && !is_val[i]) order[m++] = (posrow){feistel_apply(&fp, (uint64_t)(row0 + i)), i};
    qsort(order, (size_t)m, sizeof *order, cmp_pos);
    if (team) { /* every rank finished the last epoch's steps: its agree */
      int64_t *team_rows = ae_team_rows(team), *first = ae_team_first(team), q = 0;
      for (int64_t b = 0; b <= n_batches; b++) {
        while (q < m && order[q].pos < (uint64_t)(b * B)) q++;
        first[b] = b < n_batches ? q : m;
      }
      for (int64_t i = 0; i < m; i++) team_rows[i] = order[i].row;
      KSEG_CHECK_GOTO(kseg_comm_agree(comm, ae_team_epoch(team)), st, done);
    }

    kseg_i128 epoch_loss = 0, epoch_rows = 0;
    int64_t q = 0;
    /* Batch b is the rows at permuted positions [b B, (b + 1) B), minus the
     * held-out ones; every rank walks all batches (its share may be empty). */
    for (int64_t b = 0; b < n_batches; b++) {
      const double tg = kseg_now();
      if (team) {
        ae_team_step(team, (int64_t)(epoch - 1) * n_batches + b, b, team_chunk, &t, buf);
        ae->seconds_grad += kseg_now() - tg;
      } else {
        int64_t q1 = q;
        for (; q1 < m && order[q1].pos < (uint64_t)((b + 1) * B); q1++) rows[q1 - q] = X + order[q1].row * d;
        accum_zero(&t);
        run_rows(&t, rows, q1 - q, 1);
        accum_fold(&t, buf, 1);
        q = q1;
        const double tr = kseg_now();
        ae->seconds_grad += tr - tg;
        KSEG_CHECK_GOTO(kseg_comm_sum_i128(comm, buf, P + 3), st, done);
        ae->seconds_reduce += kseg_now() - tr;
      }
      if (buf[P + 2] > 0) {
        st = kseg_error_set(KSEG_ERR_INPUT,
                            "autoencoder training diverged at epoch %d (a gradient left the fixed-point range); "
                            "try a smaller --lr than %g",
                            epoch, opt->lr);
        goto done; /* buf is identical on all ranks: all stop here */
      }
      const int64_t rows = (int64_t)buf[P + 1];
      if (rows == 0) continue;
      epoch_loss += buf[P];
      epoch_rows += rows;
      step++;
      const double c1 = 1.0 / (1.0 - pow(b1, (double)step)), c2 = 1.0 / (1.0 - pow(b2, (double)step));
      const double inv = FX_INV / (double)rows;
      double *w = ae->params;
#pragma omp parallel for schedule(static) num_threads(t.nt) if (P >= 65536)
      for (int64_t p = 0; p < P; p++) {
        double g = (double)buf[p] * inv;
        m1[p] = b1 * m1[p] + (1.0 - b1) * g;
        m2[p] = b2 * m2[p] + (1.0 - b2) * g * g;
        w[p] -= opt->lr * (m1[p] * c1) / (sqrt(m2[p] * c2) + eps);
      }
    }
    ae->loss[epoch - 1] = (double)epoch_loss * FX_INV / (double)(epoch_rows > 0 ? epoch_rows : 1);
    ae->val_loss[epoch - 1] = NAN;
    ae->n_epochs = epoch;
    if (validate) {
      for (int64_t i = 0; i < n_val; i++) rows[i] = X + val[i] * d;
      accum_zero(&t);
      run_rows(&t, rows, n_val, 0);
      accum_fold(&t, buf, 0);
      KSEG_CHECK_GOTO(kseg_comm_sum_i128(comm, buf, 3), st, done);
      if (buf[2] > 0) {
        st = kseg_error_set(KSEG_ERR_INPUT, "autoencoder validation loss out of range at epoch %d; try a smaller --lr",
                            epoch);
        goto done;
      }
      ae->val_loss[epoch - 1] = (double)buf[0] * FX_INV / (double)buf[1];
    }
    /* an epoch is a phase boundary: a rank that failed (or a test's injected
     * failure) stops every rank here rather than in the next allreduce */
    KSEG_CHECK_GOTO(kseg_comm_agree(comm, kseg_comm_fault(comm, "autoencoder:epoch")), st, done);
    if (progress) progress(ctx, epoch, opt->epochs, ae->loss[epoch - 1], ae->val_loss[epoch - 1], kseg_now() - t0);
    if (!validate) {
      ae->best_epoch = epoch;
      continue;
    }
    if (ae->val_loss[epoch - 1] < best_val) {
      best_val = ae->val_loss[epoch - 1];
      ae->best_epoch = epoch;
      memcpy(best, ae->params, sizeof(double) * (size_t)P);
      wait = 0;
    } else if (++wait >= opt->patience) {
      break;
    }
  }
  if (validate && ae->best_epoch > 0) memcpy(ae->params, best, sizeof(double) * (size_t)P);
done:
  ae_team_close(&team);
  for (int k = 0; t.acc && k < t.nt; k++) {
    free(t.acc[k].hi);
    free(t.acc[k].lo);
  }
  free(t.acc);
  free(t.rowbuf);
  free(order);
  free(val);
  free(is_val);
  free(rows);
  free(buf);
  free(m1);
  free(m2);
  free(best);
  st = kseg_comm_agree(comm, st);
  if (st) kseg_ae_clear(out);
  return st;
}
