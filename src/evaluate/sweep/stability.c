/* evaluate/sweep/stability.c - stability of a k-means solution under subsampling:
 * refit on ~80 % subsamples, compare with the full fit by the adjusted Rand
 * index on the shared rows (Ben-Hur, Elisseeff, Guyon 2002; Lange et al.
 * 2004 in spirit).
 *
 * Row i belongs to subsample b when a hash of (seed, b, i) falls below 0.8,
 * so the subsample does not depend on the partition; the kept rows are packed
 * in global order (each rank its own, offsets by an exclusive scan), which
 * keeps the subsample a valid row-block matrix for kseg_kmeans_fit. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kseg/kseg_ari.h"
#include "kseg/kseg_comm.h"
#include "kseg/kseg_error.h"
#include "kseg/kseg_kmeans.h"
#include "kseg/kseg_rng.h"
#include "kseg/kseg_sweep.h"

#define KSEG_STABILITY_FRACTION 0.8
/* Sub-id of KSEG_STREAM_SAMPLE reserved for stability subsamples (the plain
 * stream is the silhouette sample). */
#define KSEG_STABILITY_SUBSTREAM 0x57AB

int kseg_sweep_stability(MPI_Comm comm, const kseg_matrix *x, const int32_t *labels, int64_t k,
                         const kseg_sweep_options *opt, double *stability)
{
  const int B = opt->stability_b;
  const int64_t d = x->d, nl = x->n_local > 0 ? x->n_local : 1;
  const size_t es = kseg_dtype_size(x->dtype);
  void *sub = kseg_malloc((size_t)(nl * d) * es, "stability subsample");
  int32_t *full = kseg_malloc((size_t)nl * sizeof *full, "stability labels");
  int st = (sub && full) ? KSEG_OK : KSEG_ERR_IO;
  KSEG_CHECK_GOTO(kseg_comm_agree(comm, st), st, done);
  kseg_kmeans_options ko;
  kseg_kmeans_options_default(&ko);
  ko.k = k;
  ko.n_init = opt->n_init;
  ko.max_iter = opt->max_iter;
  ko.tol = opt->tol;
  ko.seed = opt->seed;
  double sum = 0;
  for (int b = 0; b < B; b++) {
    const kseg_rng_key key = {opt->seed, kseg_rng_substream(KSEG_STREAM_SAMPLE, KSEG_STABILITY_SUBSTREAM, (uint64_t)b)};
    int64_t m = 0;
    for (int64_t i = 0; i < x->n_local; i++) {
      if (kseg_rng_uniform(key, (uint64_t)(x->row0 + i), 0) >= KSEG_STABILITY_FRACTION) continue;
      memcpy((char *)sub + (size_t)(m * d) * es, (const char *)x->data + (size_t)(i * d) * es, (size_t)d * es);
      full[m++] = labels[i];
    }
    kseg_i128 before = 0;
    int64_t total = m;
    st = kseg_comm_exscan_i128(comm, m, &before);
    if (!st) st = kseg_comm_sum_i64(comm, &total, 1);
    KSEG_CHECK_GOTO(kseg_comm_agree(comm, st), st, done);
    if (total < k) {
      st = kseg_comm_agree(comm, kseg_error_set(KSEG_ERR_INPUT, "stability subsample %d holds %lld rows, fewer than k=%lld",
                                                b, (long long)total, (long long)k));
      goto done;
    }
    kseg_matrix sm = {.n_global = total, .row0 = (int64_t)before, .n_local = m, .d = d,
                      .dtype = x->dtype, .data = sub, .columns = x->columns};
    kseg_kmeans_result kr;
    KSEG_CHECK_GOTO(kseg_kmeans_fit(comm, &sm, &ko, &kr), st, done);
    double ari = 0;
    st = kseg_ari_compute(comm, full, (int)k, kr.labels, (int)k, m, &ari);
    kseg_kmeans_result_clear(&kr);
    if (st) goto done;
    sum += ari; /* the same values in the same order on every rank */
  }
  *stability = fmin(1.0, fmax(0.0, sum / B));
done:
  free(sub);
  free(full);
  return st;
}
