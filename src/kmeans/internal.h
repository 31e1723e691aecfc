/* kmeans_internal.h - pieces shared by kmeans.c, kmeans_init.c and
 * kmeans_lloyd.c; not part of the public API. */
#ifndef KSEG_KMEANS_INTERNAL_H
#define KSEG_KMEANS_INTERNAL_H

#include <math.h>
#include <stdbool.h>
#include <stdint.h>

#include "kseg/kseg_comm.h"
#include "kseg/kseg_fixed.h"
#include "kseg/kseg_kmeans.h"

/* Centroids per register block of the assignment kernel (kmeans_kernel.inc);
 * the centroid table is padded to a multiple of it. */
#define KSEG_KM_KB 16

/* Facts about the whole matrix, found once per fit and identical on every
 * rank. */
typedef struct kseg_km_data {
  const kseg_matrix *x;
  double max_abs;    /* global max |x| */
  kseg_fixed fx;     /* fixed-point scale of row values (bound max_abs) */
  double tol_scaled; /* tol x mean feature variance (scikit-learn's _tolerance) */
  kseg_kmeans_progress_fn progress; /* per-iteration report, or NULL */
  void *progress_ctx;
  int restart;
  /* Checkpoint/resume (kseg_kmeans_options): the kernel fills cp's restart-
   * local fields and calls opt->checkpoint; it starts from cp_start when that
   * is set. assigned (k x d) receives the centroids the final labels were
   * assigned against. All NULL when unused. */
  const kseg_kmeans_options *opt;
  kseg_kmeans_checkpoint *cp;
  const kseg_kmeans_checkpoint *cp_start;
  double *assigned;
} kseg_km_data;

/* What one single k-means run reports. */
typedef struct kseg_km_run {
  int n_iter;
  bool converged;
  double inertia;
  double iter_seconds; /* local */
  double allreduce_seconds; /* local: inside the per-iteration sum of the partials */
} kseg_km_run;

/* One k-means algorithm: from the k x d centroids in `centroids` (replaced
 * by the final ones) to labels[n_local] and a kseg_km_run. All kernels share
 * this signature so accelerated variants (Hamerly, Elkan, Yinyang) slot into
 * the table in kmeans_lloyd.c. Collective, result agreed. */
typedef int (*kseg_km_kernel_fn)(MPI_Comm comm, const kseg_km_data *data, int64_t k, int max_iter,
                                 double *centroids, int32_t *labels, kseg_km_run *run);

typedef struct kseg_km_kernel {
  kseg_kmeans_algorithm algorithm;
  const char *name;
  kseg_km_kernel_fn run;
} kseg_km_kernel;

/* kseg_fixed_from without the libm call: rint rounds to nearest-even like
 * llrint, so both give the same integer (|v| <= 2^62 by the choice of scale),
 * and rint inlines to one instruction. */
static inline int64_t kseg_km_fix(const kseg_fixed *f, double v) { return (int64_t)rint(v * f->scale); }

/* min without fmin's libm call (the values are never NaN). */
static inline double kseg_km_min(double a, double b) { return b < a ? b : a; }

/* The kernel for an algorithm; AUTO picks one by k and d (the same on
 * every rank). NULL if unknown. */
const kseg_km_kernel *kseg_km_kernel_find(kseg_kmeans_algorithm algorithm, int64_t k, int64_t d);

int kseg_km_lloyd(MPI_Comm comm, const kseg_km_data *data, int64_t k, int max_iter, double *centroids,
                  int32_t *labels, kseg_km_run *run);
int kseg_km_hamerly(MPI_Comm comm, const kseg_km_data *data, int64_t k, int max_iter, double *centroids,
                    int32_t *labels, kseg_km_run *run);

/* The k x d centroids transposed into a kernel's table ct (d x kp, kp >= k,
 * in dtype; the padding columns are left as they are). Local. */
void kseg_km_centroid_table(const double *centers, int64_t k, int64_t d, int64_t kp, kseg_dtype dtype, void *ct);

/* max |v[i]| over n values (0 for none). */
static inline double kseg_km_max_abs_of(const double *v, int64_t n)
{
  double m = 0;
  for (int64_t i = 0; i < n; i++) m = fmax(m, fabs(v[i]));
  return m;
}

/* Rows per slice of the kernels' split sums: each row adds or moves +-1 in
 * the int64 halves, so 2^30 rows keep them exact before a fold. */
#define KSEG_KM_SLICE ((int64_t)1 << 30)

/* The exact per-cluster sums every kernel keeps. A pass over the rows fills
 * each thread's split sums (thi/tlo, v >> 32 and the low 32 bits of each
 * fixed-point value), folded into tsums once per slice, plus its counts,
 * changed labels and (optionally) inertia; the reduce packs them, runs the
 * iteration's one allreduce and adds the result to the running totals. */
typedef struct kseg_km_partials {
  int nt;
  int64_t k, kd;
  kseg_i128 *tsums;  /* nt x kd */
  int64_t *thi;      /* nt x kd: high parts of the kernels' split sums */
  uint64_t *tlo;     /* nt x kd: low 32-bit parts */
  int64_t *tcounts;  /* nt x k */
  int64_t *tchanged; /* nt */
  kseg_i128 *tinert; /* nt: fixed-point inertia, for progress reports (0 if unused) */
  kseg_i128 *packed; /* kd sums, k counts, inertia, changed; after the reduce: the totals */
  kseg_i128 *sums;   /* kd sums and k counts: the running totals */
} kseg_km_partials;

/* For omp_get_max_threads() threads, k clusters of d columns; totals zero.
 * Local: the caller agrees the status. */
int kseg_km_partials_alloc(kseg_km_partials *p, int64_t k, int64_t d);
void kseg_km_partials_clear(kseg_km_partials *p);
/* Zero every thread's partials, before a pass. */
void kseg_km_partials_zero(kseg_km_partials *p);
/* Thread t's split sums zeroed for a slice / folded into its tsums after it. */
void kseg_km_partials_slice_begin(kseg_km_partials *p, int t);
void kseg_km_partials_slice_end(kseg_km_partials *p, int t);
/* Pack the threads' partials, allreduce them (its wait added to
 * *allreduce_seconds), add them to the running totals and leave the totals
 * in packed, with empty clusters relocated there (kseg_km_relocate_empty
 * against `cold`, the centroids the labels were assigned against); packed
 * keeps the reduced inertia and *changed gets the rows that changed label.
 * Collective, result agreed. */
int kseg_km_partials_reduce(MPI_Comm comm, const kseg_km_data *data, kseg_km_partials *p, const double *cold,
                            const int32_t *labels, int64_t *changed, double *allreduce_seconds);

/* Empty clusters after a reduce: scikit-learn's relocation rule applied to
 * the reduced sums and counts in packed (k x d sums, then k counts), with the
 * distances to `assigned` (the centroids the labels were assigned against)
 * from one canonical pass. Labels are not changed. Every kernel calls it, so
 * all relocate identically. Collective, result agreed. */
int kseg_km_relocate_empty(MPI_Comm comm, const kseg_km_data *data, int64_t k, const double *assigned,
                           const int32_t *labels, kseg_i128 *packed);

/* The M-step shared by every kernel: centroids from the reduced packed sums
 * and counts; returns the total squared shift from cold and, if moved is not
 * NULL, each centroid's shift |new - old| (not widened). Local. */
double kseg_km_update_centroids(const kseg_km_data *data, int64_t k, const kseg_i128 *packed, const double *cold,
                                double *centroids, double *moved);

/* kseg_kmeans_inertia with the matrix's max |x| already known. Collective. */
int kseg_km_inertia(MPI_Comm comm, const kseg_matrix *x, double max_abs, const double *centroids, int64_t k,
                    const int32_t *labels, double *inertia);

/* Global max |x| (0 for an empty matrix). Collective. */
int kseg_km_max_abs(MPI_Comm comm, const kseg_matrix *x, double *max_abs);

/* Squared distance of local row i to c[d], in double whatever the dtype:
 * the one scalar distance used outside the Lloyd kernel (initialization,
 * inertia). Eight interleaved partial sums combined in a fixed tree
 * vectorize, and a row's distance still depends only on the row and the
 * centroid. Inline: it is called once per row and candidate. Local. */
#define KSEG_KM_DIST_BODY(XT)                                                 \
  const XT *xi = (const XT *)x->data + i * d;                                 \
  double s[8] = {0};                                                          \
  int64_t j = 0;                                                              \
  for (; j + 8 <= d; j += 8)                                                  \
    for (int q = 0; q < 8; q++) {                                             \
      const double t = (double)xi[j + q] - c[j + q];                          \
      s[q] += t * t;                                                          \
    }                                                                         \
  for (int q = 0; j < d; j++, q++) {                                          \
    const double t = (double)xi[j] - c[j];                                    \
    s[q] += t * t;                                                            \
  }                                                                           \
  return ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));

static inline double kseg_km_row_dist2(const kseg_matrix *x, int64_t i, const double *c)
{
  const int64_t d = x->d;
  if (x->dtype == KSEG_F32) {
    KSEG_KM_DIST_BODY(float)
  } else {
    KSEG_KM_DIST_BODY(double)
  }
}
#undef KSEG_KM_DIST_BODY

/* Copy global rows idx[0..m) (as double) into out[m x d] on every rank. The
 * owner contributes the bytes and the others zeros, combined with a bitwise
 * OR, so the rows arrive bit-exact in one collective. Collective. */
int kseg_km_fetch_rows(MPI_Comm comm, const kseg_matrix *x, const int64_t *idx, int64_t m, double *out);

/* Fixed-point scale for squared distances between points whose coordinates
 * are bounded by `max_abs`: d x (2 max_abs)^2 bounds every such distance. */
kseg_fixed kseg_km_dist_fixed(int64_t d, double max_abs);

/* Greedy k-means++ with optional int64 row weights (NULL: 1 each), shared by
 * k-means++ and the final step of k-means||; max_abs is the matrix's max |x|
 * (negative: computed here). Collective over comm. */
int kseg_km_plusplus_weighted(MPI_Comm comm, const kseg_matrix *x, const int64_t *weight, int64_t k,
                              kseg_rng_key key, double max_abs, double *centroids);

#endif
