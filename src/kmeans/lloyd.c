/* kmeans_lloyd.c - Lloyd iterations with scikit-learn's semantics
 * (_kmeans_single_lloyd, sklearn 1.2), the assignment kernels and the table
 * that selects a k-means algorithm. */
#if defined(__AVX512F__)
#include <immintrin.h>
#endif
#include <float.h>
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "kmeans/internal.h"
#include "kmeans/pruned.h"
#include "kseg/kseg_error.h"

/* How dot_rows treats the fixed-point sums. */
enum { KM_LABELS_ONLY = 0, KM_MOVED_ROWS = 1, KM_ALL_ROWS = 2 };

#define KM_T double
#define KM_FN(name) km_##name##_f64
#define KM_RB 4
#define KM_DB 8
#include "kmeans/kernels/block.inc"
#include "kmeans/kernels/dot.inc"
#undef KM_T
#undef KM_FN
#undef KM_RB
#undef KM_DB

#define KM_T float
#define KM_FN(name) km_##name##_f32
#define KM_RB 8
#define KM_DB 8
#include "kmeans/kernels/block.inc"
#include "kmeans/kernels/dot.inc"
#undef KM_T
#undef KM_FN
#undef KM_RB
#undef KM_DB

static const kseg_km_kernel kernels[] = {
    {KSEG_ALGO_LLOYD, "lloyd", kseg_km_lloyd},
    {KSEG_ALGO_HAMERLY, "hamerly", kseg_km_hamerly},
    {KSEG_ALGO_ELKAN, "elkan", kseg_km_elkan},
    {KSEG_ALGO_YINYANG, "yinyang", kseg_km_yinyang},
};

/* AUTO's choice for k clusters of d columns. Every kernel gives Lloyd's
 * bits, so this changes only the speed. Measured (docs/speed.md, "Elkan and
 * Yinyang": 200k rows to convergence, d 8-128, k 8-1024): Hamerly was the
 * fastest at every point, Elkan 1.2-9x and Yinyang 1.6-7.6x slower (their
 * searches compute one distance at a time, Hamerly's run Lloyd's block
 * kernel), so the rule is Hamerly for every k and d until a measurement
 * says otherwise; k and d are here for that rule. */
static kseg_kmeans_algorithm auto_algorithm(int64_t k, int64_t d)
{
  (void)k;
  (void)d;
  return KSEG_ALGO_HAMERLY;
}

const kseg_km_kernel *kseg_km_kernel_find(kseg_kmeans_algorithm algorithm, int64_t k, int64_t d)
{
  if (algorithm == KSEG_ALGO_AUTO) algorithm = auto_algorithm(k, d);
  for (size_t i = 0; i < sizeof kernels / sizeof kernels[0]; i++)
    if (kernels[i].algorithm == algorithm) return &kernels[i];
  return NULL;
}

/* Everything one Lloyd run touches, allocated before the first iteration so
 * the loop itself never allocates. */
typedef struct lloyd_ws {
  int64_t k, d, kp, n_local;
  kseg_dtype dtype;
  void *ct;              /* d x kp centroid table in the data's type */
  void *cr;              /* k x d centroids in the data's type, row-major (inertia for progress) */
  void *cc;              /* kp squared norms of ct's columns (padding: +inf), the data's type */
  kseg_fixed fd;         /* scale of the progress inertia */
  double cn;             /* max over centroids of the norm of ct's column */
  double *cold;          /* k x d centroids the current iteration assigns against */
  kseg_km_partials acc;  /* the exact sums */
} lloyd_ws;

static void ws_free(lloyd_ws *w)
{
  free(w->ct);
  free(w->cc);
  free(w->cr);
  free(w->cold);
  kseg_km_partials_clear(&w->acc);
  memset(w, 0, sizeof *w);
}

static int ws_alloc(lloyd_ws *w, const kseg_matrix *x, int64_t k)
{
  memset(w, 0, sizeof *w);
  w->k = k;
  w->d = x->d;
  w->kp = (k + KSEG_KM_KB - 1) / KSEG_KM_KB * KSEG_KM_KB;
  w->n_local = x->n_local;
  w->dtype = x->dtype;
  const int64_t kd = k * x->d;
  /* calloc: the padding columns of ct stay zero and are never read as labels. */
  const size_t esz = x->dtype == KSEG_F32 ? sizeof(float) : sizeof(double);
  if (!(w->ct = kseg_calloc((size_t)(x->d * w->kp), esz, "k-means centroid table")) ||
      !(w->cc = kseg_calloc((size_t)w->kp, esz, "k-means centroid norms")) ||
      !(w->cr = kseg_calloc((size_t)kd, esz, "k-means centroids")) ||
      !(w->cold = kseg_malloc((size_t)kd * sizeof(double), "k-means centroids")) ||
      kseg_km_partials_alloc(&w->acc, k, x->d) != KSEG_OK) {
    ws_free(w);
    return KSEG_ERR_IO;
  }
  return KSEG_OK;
}

/* The centroid table ct in the data's type, the squared norms cc of its
 * columns (computed in double from the rounded values, padding +inf) and
 * their largest norm cn (rounded up), for dot_rows' error bound. */
static void fill_table(lloyd_ws *w, const double *centers)
{
  const int64_t k = w->k, d = w->d, kp = w->kp;
  kseg_km_centroid_table(centers, k, d, kp, w->dtype, w->ct);
  double cn2 = 0;
  for (int64_t c = 0; c < kp; c++) {
    double s = 0;
    for (int64_t j = 0; j < d && c < k; j++) {
      double v;
      if (w->dtype == KSEG_F32) v = ((float *)w->cr)[c * d + j] = (float)centers[c * d + j];
      else v = ((double *)w->cr)[c * d + j] = centers[c * d + j];
      s += v * v;
    }
    if (c >= k) s = INFINITY;
    else cn2 = fmax(cn2, s);
    if (w->dtype == KSEG_F32) ((float *)w->cc)[c] = (float)s;
    else ((double *)w->cc)[c] = s;
  }
  w->cn = sqrt(cn2) * (1 + 1e-12);
}

void kseg_km_centroid_table(const double *centers, int64_t k, int64_t d, int64_t kp, kseg_dtype dtype, void *ct)
{
  for (int64_t c = 0; c < k; c++)
    for (int64_t j = 0; j < d; j++) {
      if (dtype == KSEG_F32) ((float *)ct)[j * kp + c] = (float)centers[c * d + j];
      else ((double *)ct)[j * kp + c] = centers[c * d + j];
    }
}

/* Lloyd's E-step with dot_rows over the local rows against `centers`: the
 * canonical labels, and by mode (KM_LABELS_ONLY, KM_MOVED_ROWS,
 * KM_ALL_ROWS) the fixed-point sums and counts of the rows that changed
 * label or of all rows, with the changed count (and, for progress reports,
 * the inertia) in w->acc's thread partials, not yet reduced. */
static void dot_step(lloyd_ws *w, const kseg_km_data *data, const double *centers, int32_t *labels, int mode)
{
  /* The inertia only for progress reports: one more pass over the rows. */
  const bool inertia = data->progress && mode != KM_LABELS_ONLY;
  const kseg_matrix *x = data->x;
  const int64_t k = w->k, d = w->d, kd = k * d;
  fill_table(w, centers);
  /* dot_rows' margins (see there): 8 (d + 2) eps (|x| + max|c|)^2, twice the
   * sum of both forms' worst errors, plus underflow's absolute share. */
  const bool f32 = w->dtype == KSEG_F32;
  const double eps = f32 ? ldexp(1.0, -24) : ldexp(1.0, -53);
  const double gam = 8.0 * (double)(d + 2) * eps;
  /* Underflow's share, taken at the smallest normal number rather than the
   * smallest subnormal: a subnormal operand costs a microcode assist of
   * about 100 cycles in the per-row test. */
  const double tiny = (double)(4 * d + 16) * (f32 ? (double)FLT_MIN : DBL_MIN);
  const double reach = sqrt((double)d) * data->max_abs + w->cn;
  const double m1 = gam * reach * reach + tiny;
  if (inertia) {
    /* any row's distance to any centroid is below sqrt(d) r */
    const double r = data->max_abs + kseg_km_max_abs_of(centers, kd);
    w->fd = kseg_fixed_for_bound((double)d * r * r);
  }
  kseg_km_partials *acc = &w->acc;
  kseg_km_partials_zero(acc);
#pragma omp parallel num_threads(w->acc.nt)
  {
    const int t = omp_get_thread_num();
    int64_t i0, n;
    kseg_partition(w->n_local, omp_get_num_threads(), t, &i0, &n);
    int64_t *hi = acc->thi + t * kd, *counts = acc->tcounts + t * k;
    uint64_t *lo = acc->tlo + t * kd;
    for (int64_t a = i0, b; a < i0 + n; a = b) {
      b = i0 + n - a < KSEG_KM_SLICE ? i0 + n : a + KSEG_KM_SLICE;
      if (mode != KM_LABELS_ONLY) kseg_km_partials_slice_begin(acc, t);
      if (f32)
        km_dot_rows_f32(x->data, a, b, d, w->ct, w->cc, w->kp, k, labels, m1, gam, w->cn, tiny, mode,
                        data->fx.scale, hi, lo, counts, &acc->tchanged[t]);
      else
        km_dot_rows_f64(x->data, a, b, d, w->ct, w->cc, w->kp, k, labels, m1, gam, w->cn, tiny, mode,
                        data->fx.scale, hi, lo, counts, &acc->tchanged[t]);
      if (mode != KM_LABELS_ONLY) kseg_km_partials_slice_end(acc, t);
    }
    if (inertia) {
      kseg_i128 in = 0;
      for (int64_t i = i0; i < i0 + n; i++) {
        const double d2 = f32 ? (double)km_pair_dist2_f32((const float *)x->data + i * d, (const float *)w->cr + labels[i] * d, d)
                              : km_pair_dist2_f64((const double *)x->data + i * d, (const double *)w->cr + labels[i] * d, d);
        in += (int64_t)rint(d2 * w->fd.scale);
      }
      acc->tinert[t] = in;
    }
  }
}

/* scikit-learn's _relocate_empty_clusters_dense, the one place kseg handles
 * empty clusters: each empty cluster, in index order, takes the row farthest
 * from the centroid it was just assigned against (next farthest for the next
 * empty cluster; ties to the lowest global row). The row leaves its old
 * cluster's sum and count and becomes the empty cluster's sum with count 1;
 * its label is left unchanged, as in scikit-learn. scikit-learn takes the
 * farthest rows from an argpartition, unordered beyond the first; kseg takes
 * them in decreasing distance. Works on the reduced sums, so it is exact and
 * identical on every rank. The distances come from one pass of the
 * canonical kernel (kseg_kmeans_assign), whatever kernel ran the iteration:
 * empty clusters are rare, and every kernel's labels equal that pass's.
 * Collective. */
int kseg_km_relocate_empty(MPI_Comm comm, const kseg_km_data *data, int64_t k, const double *assigned,
                           const int32_t *labels, kseg_i128 *packed)
{
  const kseg_matrix *x = data->x;
  const int64_t d = x->d, kd = k * d, nl = x->n_local;
  kseg_i128 *sums = packed, *counts = packed + kd;
  const size_t nls = (size_t)(nl > 0 ? nl : 1);
  double *mind = kseg_malloc(nls * sizeof(double), "k-means distances");
  int32_t *scratch = kseg_malloc(nls * sizeof(int32_t), "k-means labels");
  int64_t *empty = kseg_malloc((size_t)k * sizeof(int64_t), "k-means empty clusters");
  int64_t *taken = kseg_malloc((size_t)k * sizeof(int64_t), "k-means empty clusters");
  double *row = kseg_malloc((size_t)d * sizeof(double), "k-means row");
  int st = (mind && scratch && empty && taken && row) ? KSEG_OK : KSEG_ERR_IO;
  if (st == KSEG_OK) st = kseg_kmeans_assign(x, assigned, k, scratch, mind);
  st = kseg_comm_agree(comm, st);
  int64_t n_empty = 0;
  if (st == KSEG_OK)
    for (int64_t c = 0; c < k; c++)
      if (counts[c] == 0) empty[n_empty++] = c;
  for (int64_t e = 0; e < n_empty && st == KSEG_OK; e++) {
    double best = -INFINITY;
    int64_t best_row = INT64_MAX;
    for (int64_t i = 0; i < nl; i++) {
      if (!(mind[i] > best)) continue;
      bool is_taken = false;
      for (int64_t t = 0; t < e; t++) is_taken |= taken[t] == x->row0 + i;
      if (is_taken) continue;
      best = mind[i];
      best_row = x->row0 + i;
    }
    double global_best = best;
    KSEG_CHECK_GOTO(kseg_comm_max_f64(comm, &global_best, 1), st, out);
    int64_t r = best == global_best ? best_row : INT64_MAX;
    KSEG_CHECK_GOTO(kseg_comm_min_i64(comm, &r, 1), st, out);
    if (r == INT64_MAX) {
      st = kseg_error_set(KSEG_ERR_INPUT, "fewer rows than clusters to relocate");
      goto out;
    }
    int64_t old = r >= x->row0 && r < x->row0 + nl ? labels[r - x->row0] : -1;
    KSEG_CHECK_GOTO(kseg_comm_max_i64(comm, &old, 1), st, out);
    KSEG_CHECK_GOTO(kseg_km_fetch_rows(comm, x, &r, 1, row), st, out);
    const int64_t c = empty[e];
    for (int64_t j = 0; j < d; j++) {
      const int64_t v = kseg_km_fix(&data->fx, row[j]);
      sums[old * d + j] -= v;
      sums[c * d + j] = v;
    }
    counts[old] -= 1;
    counts[c] = 1;
    taken[e] = r;
  }
out:
  free(mind);
  free(scratch);
  free(empty);
  free(taken);
  free(row);
  return kseg_comm_agree(comm, st);
}

/* The M-step from reduced sums and counts (packed as k x d, k): centroids =
 * sums / counts (a cluster with no rows keeps its zero sum, as
 * scikit-learn's _average_centers), the total squared shift from `cold`
 * (scikit-learn's center_shift_tot, for tol) and, when moved != NULL, each
 * centroid's own shift |new - old| in double (not widened). Local. */
double kseg_km_update_centroids(const kseg_km_data *data, int64_t k, const kseg_i128 *packed, const double *cold,
                                double *centroids, double *moved)
{
  const int64_t d = data->x->d, kd = k * d;
  const kseg_i128 *counts = packed + kd;
  double shift = 0;
  for (int64_t c = 0; c < k; c++) {
    double dc = 0;
    for (int64_t j = 0; j < d; j++) {
      double v = kseg_fixed_to_double(&data->fx, packed[c * d + j]);
      if (counts[c] > 0) v /= (double)counts[c];
      const double dv = v - cold[c * d + j];
      shift += dv * dv;
      dc += dv * dv;
      centroids[c * d + j] = v;
    }
    if (moved) moved[c] = sqrt(dc);
  }
  return shift;
}

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
  lloyd_ws w;
  int st = kseg_comm_agree(comm, ws_alloc(&w, x, k));
  if (st != KSEG_OK) return st;
  memset(run, 0, sizeof *run);
  /* scikit-learn's labels_old starts at -1, so the first iteration never
   * counts as converged. */
  for (int64_t i = 0; i < x->n_local; i++) labels[i] = -1;
  const double t0 = kseg_now();
  bool strict = false, converged = false;
  int it0 = 0, mode = KM_MOVED_ROWS; /* from labels -1, every row moves: a full sum */
  if (data->cp_start) {
    /* Resuming: the caller put the checkpoint's centroids in `centroids`;
     * the labels the next iteration compares against are the assignment to
     * the centroids before the checkpointed iteration, and the first sums
     * are taken over all rows. */
    dot_step(&w, data, data->cp_start->prev, labels, KM_LABELS_ONLY);
    it0 = data->cp_start->iter;
    run->n_iter = it0;
    mode = KM_ALL_ROWS;
  }
  const kseg_kmeans_options *opt = data->opt;
  for (int it = it0; it < max_iter; it++) {
    memcpy(w.cold, centroids, (size_t)kd * sizeof(double));
    dot_step(&w, data, w.cold, labels, mode);
    mode = KM_MOVED_ROWS;
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
  if (!strict) dot_step(&w, data, centroids, labels, KM_LABELS_ONLY);
  run->iter_seconds = kseg_now() - t0;
  run->converged = converged;
  st = kseg_km_inertia(comm, x, data->max_abs, centroids, k, labels, &run->inertia);
done:
  ws_free(&w);
  return kseg_comm_agree(comm, st);
}

/* Hamerly (2010) with the same results as kseg_km_lloyd, bit for bit: each
 * row keeps an upper bound u on the distance to its centroid and a lower
 * bound l on the distance to every other one, moved by how far the
 * centroids moved; only rows with u >= l are searched, with Lloyd's kernel.
 * The bounds are widened by the kernel's worst rounding error (relative
 * (d + 8) 4 eps, absolute 4 sqrt(d) (max|x| + max|c|) eps, eps of the data's
 * type), so a skipped row is one whose computed distances Lloyd would have
 * ordered the same way. The exact fixed-point sums are kept per cluster and
 * updated only by rows that moved; one allreduce of the changes per
 * iteration. Empty clusters (rare) take a full Lloyd E-step for the
 * distances the relocation rule needs, and relocate on a copy of the sums,
 * as Lloyd recomputes them from the labels each iteration. */
int kseg_km_hamerly(MPI_Comm comm, const kseg_km_data *data, int64_t k, int max_iter, double *centroids,
                    int32_t *labels, kseg_km_run *run)
{
  const kseg_matrix *x = data->x;
  const int64_t d = x->d, kd = k * d, nl = x->n_local;
  lloyd_ws w;
  int st = kseg_comm_agree(comm, ws_alloc(&w, x, k));
  if (st != KSEG_OK) return st;
  const size_t nls = (size_t)(nl > 0 ? nl : 1);
  double *u = kseg_malloc(nls * sizeof(double), "Hamerly bounds");
  double *l = kseg_malloc(nls * sizeof(double), "Hamerly bounds");
  int64_t *idx = kseg_malloc(nls * sizeof(int64_t), "Hamerly rows");
  double *delta = kseg_malloc((size_t)k * sizeof(double), "Hamerly shifts");
  st = kseg_comm_agree(comm, (u && l && idx && delta) ? KSEG_OK : KSEG_ERR_IO);
  if (st != KSEG_OK) goto done;
  memset(run, 0, sizeof *run);
  for (int64_t i = 0; i < nl; i++) labels[i] = -1;
  const double eps = x->dtype == KSEG_F32 ? ldexp(1.0, -24) : ldexp(1.0, -53);
  const double rel = 4.0 * (double)(d + 8) * eps;
  int64_t far1 = -1; /* cluster that moved most; its shift and the runner-up's */
  double dmax1 = 0, dmax2 = 0;
  const double t0 = kseg_now();
  bool strict = false, converged = false;
  for (int it = 0; it < max_iter; it++) {
    memcpy(w.cold, centroids, (size_t)kd * sizeof(double));
    fill_table(&w, w.cold);
    const double cmax = kseg_km_max_abs_of(w.cold, kd);
    const double abs_margin = 4.0 * sqrt((double)d) * (data->max_abs + cmax) * eps;
    kseg_km_partials *acc = &w.acc;
    kseg_km_partials_zero(acc);
#pragma omp parallel num_threads(w.acc.nt)
    {
      const int t = omp_get_thread_num();
      int64_t i0, n;
      kseg_partition(nl, omp_get_num_threads(), t, &i0, &n);
      int64_t *hi = acc->thi + t * kd, *counts = acc->tcounts + t * k;
      uint64_t *lo = acc->tlo + t * kd;
      for (int64_t a = i0, b; a < i0 + n; a = b) {
        b = i0 + n - a < KSEG_KM_SLICE ? i0 + n : a + KSEG_KM_SLICE;
        int64_t m = 0;
        for (int64_t i = a; i < b; i++) {
          const int32_t c = labels[i];
          if (c < 0) {
            idx[a + m++] = i;
            continue;
          }
          u[i] = (u[i] + delta[c]) * (1 + rel) + abs_margin;
          l[i] = (l[i] - (c == far1 ? dmax2 : dmax1)) * (1 - rel) - abs_margin;
          if (u[i] * (1 + rel) + abs_margin < l[i] * (1 - rel) - abs_margin) continue;
          idx[a + m++] = i;
        }
        kseg_km_partials_slice_begin(acc, t);
        if (w.dtype == KSEG_F32)
          km_search_rows_f32(x->data, idx + a, m, d, w.ct, w.kp, k, labels, u, l, rel, abs_margin,
                             data->fx.scale, hi, lo, counts, &acc->tchanged[t]);
        else
          km_search_rows_f64(x->data, idx + a, m, d, w.ct, w.kp, k, labels, u, l, rel, abs_margin,
                             data->fx.scale, hi, lo, counts, &acc->tchanged[t]);
        kseg_km_partials_slice_end(acc, t);
      }
    }
    int64_t changed;
    st = kseg_km_partials_reduce(comm, data, acc, w.cold, labels, &changed, &run->allreduce_seconds);
    if (st != KSEG_OK) goto done;
    const double shift = kseg_km_update_centroids(data, k, acc->packed, w.cold, centroids, delta);
    far1 = -1;
    dmax1 = dmax2 = 0;
    for (int64_t c = 0; c < k; c++) {
      delta[c] = delta[c] * (1 + rel) + 4.0 * sqrt((double)d) * cmax * eps;
      if (delta[c] > dmax1) {
        dmax2 = dmax1;
        dmax1 = delta[c];
        far1 = c;
      } else if (delta[c] > dmax2) {
        dmax2 = delta[c];
      }
    }
    run->n_iter = it + 1;
    if (data->progress) data->progress(data->progress_ctx, data->restart, it + 1, NAN, changed);
    if (changed == 0) {
      strict = converged = true;
      break;
    }
    if (shift <= data->tol_scaled) {
      converged = true;
      break;
    }
  }
  if (!strict) dot_step(&w, data, centroids, labels, KM_LABELS_ONLY);
  run->iter_seconds = kseg_now() - t0;
  run->converged = converged;
  st = kseg_km_inertia(comm, x, data->max_abs, centroids, k, labels, &run->inertia);
done:
  free(u);
  free(l);
  free(idx);
  free(delta);
  ws_free(&w);
  return kseg_comm_agree(comm, st);
}

int kseg_kmeans_assign(const kseg_matrix *x, const double *centroids, int64_t k, int32_t *labels, double *dist2)
{
  if (k < 1) return kseg_error_set(KSEG_ERR_INPUT, "k must be at least 1 (got %lld)", (long long)k);
  const int64_t d = x->d, kp = (k + KSEG_KM_KB - 1) / KSEG_KM_KB * KSEG_KM_KB;
  void *ct = kseg_calloc((size_t)(d * kp), (x->dtype == KSEG_F32 ? sizeof(float) : sizeof(double)), "centroid table");
  double *mind = dist2 ? dist2 : kseg_malloc((size_t)(x->n_local > 0 ? x->n_local : 1) * sizeof(double), "distances");
  if (!ct || !mind) {
    free(ct);
    if (!dist2) free(mind);
    return KSEG_ERR_IO;
  }
  kseg_km_centroid_table(centroids, k, d, kp, x->dtype, ct);
#pragma omp parallel
  {
    int64_t i0, n;
    kseg_partition(x->n_local, omp_get_num_threads(), omp_get_thread_num(), &i0, &n);
    if (x->dtype == KSEG_F32)
      km_assign_rows_f32(x->data, i0, i0 + n, d, ct, kp, k, labels, mind);
    else
      km_assign_rows_f64(x->data, i0, i0 + n, d, ct, kp, k, labels, mind);
  }
  free(ct);
  if (!dist2) free(mind);
  return KSEG_OK;
}
