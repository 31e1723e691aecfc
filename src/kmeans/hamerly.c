/* hamerly.c - Hamerly's k-means (Hamerly 2010, "Making k-means even faster")
 * with Lloyd's results bit for bit. */
#include "kmeans/hamerly.h"

#if defined(__AVX512F__) && defined(__AVX512VL__)
#include <immintrin.h>
#endif
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "kmeans/estep.h"
#include "kmeans/kernels/kernels.h"
#include "kmeans/mstep.h"
#include "kmeans/rows.h"
#include "kseg/kseg_error.h"

/* One iteration's bound update over rows [a, b): each row's upper bound u
 * grows by its centroid's shift delta[c], its lower bound l shrinks by the
 * largest shift of another centroid (dmax2 for the one that moved most,
 * far1, else dmax1), both widened by the rounding margins; the rows whose
 * bounds no longer prove the label (or that have none: label -1) are listed
 * in out[], in increasing order. Returns how many. */
static int64_t hamerly_bounds(const int32_t *restrict labels, double *restrict u, double *restrict l,
                              const double *restrict delta, int64_t far1, double dmax1, double dmax2, double rel,
                              double am, int64_t a, int64_t b, int64_t *restrict out)
{
  int64_t m = 0, i = a;
#if defined(__AVX512F__) && defined(__AVX512VL__)
  /* 8 rows at a time: the shifts gathered by label, the rows to search
   * compressed into out[] (a tenth of a row's search, where the scalar loop
   * took a third) */
  const __m512d up = _mm512_set1_pd(1 + rel), down = _mm512_set1_pd(1 - rel);
  const __m512d amv = _mm512_set1_pd(am), nam = _mm512_set1_pd(-am);
  const __m512d d1 = _mm512_set1_pd(dmax1), d2 = _mm512_set1_pd(dmax2);
  const __m256i farv = _mm256_set1_epi32((int32_t)far1), zero = _mm256_setzero_si256();
  const __m512i step = _mm512_set_epi64(7, 6, 5, 4, 3, 2, 1, 0);
  for (; i + 8 <= b; i += 8) {
    const __m256i c = _mm256_loadu_si256((const __m256i *)(labels + i));
    const __mmask8 has = _mm256_cmp_epi32_mask(c, zero, _MM_CMPINT_NLT);
    const __m512d dc = _mm512_mask_i32gather_pd(_mm512_setzero_pd(), has, c, delta, 8);
    const __m512d lsub = _mm512_mask_blend_pd(_mm256_cmp_epi32_mask(c, farv, _MM_CMPINT_EQ), d1, d2);
    const __m512d un = _mm512_fmadd_pd(_mm512_add_pd(_mm512_loadu_pd(u + i), dc), up, amv);
    const __m512d ln = _mm512_fmadd_pd(_mm512_sub_pd(_mm512_loadu_pd(l + i), lsub), down, nam);
    _mm512_mask_storeu_pd(u + i, has, un);
    _mm512_mask_storeu_pd(l + i, has, ln);
    const __mmask8 sure = _mm512_cmp_pd_mask(_mm512_fmadd_pd(un, up, amv), _mm512_fmadd_pd(ln, down, nam), _CMP_LT_OQ);
    const __mmask8 need = (__mmask8)(~(has & sure));
    _mm512_mask_compressstoreu_epi64(out + m, need, _mm512_add_epi64(_mm512_set1_epi64(i), step));
    m += __builtin_popcount(need);
  }
#endif
  for (; i < b; i++) {
    const int32_t c = labels[i];
    if (c < 0) {
      out[m++] = i;
      continue;
    }
    u[i] = (u[i] + delta[c]) * (1 + rel) + am;
    l[i] = (l[i] - (c == far1 ? dmax2 : dmax1)) * (1 - rel) - am;
    if (u[i] * (1 + rel) + am < l[i] * (1 - rel) - am) continue;
    out[m++] = i;
  }
  return m;
}

/* One Hamerly run: its E-step workspace, bounds and shifts, and where it
 * stands. */
typedef struct ham_run {
  kseg_km_data data;  /* the fit's, with this run's restart and assigned */
  kseg_km_estep w;    /* tables, exact sums, panel buffers */
  double *centroids;  /* the caller's: current, then final */
  int32_t *labels;    /* the caller's */
  kseg_km_run *run;
  double *u, *l;      /* per row: upper bound to its centroid, lower bound to any other */
  double *delta;      /* k: each centroid's last shift, widened */
  int64_t far1;       /* the centroid that moved most; its shift and the runner-up's */
  double dmax1, dmax2;
  double abs_margin;  /* this iteration's absolute rounding margin */
  int64_t searched;   /* rows searched this iteration (all threads) */
  bool running, strict, converged;
  bool probing;       /* auto: watching the share of rows searched */
  bool lloyd;         /* searching every row with Lloyd's pass, bounds dropped */
} ham_run;

static void ham_clear(ham_run *h)
{
  kseg_km_estep_clear(&h->w);
  free(h->u);
  free(h->l);
  free(h->delta);
}

/* Local: the caller agrees the status. */
static int ham_alloc(ham_run *h, const kseg_km_data *data, int64_t k, size_t nls)
{
  if (kseg_km_estep_alloc(&h->w, data, k) != KSEG_OK) return KSEG_ERR_IO;
  h->u = kseg_malloc(nls * sizeof(double), "Hamerly bounds");
  h->l = kseg_malloc(nls * sizeof(double), "Hamerly bounds");
  h->delta = kseg_malloc((size_t)k * sizeof(double), "Hamerly shifts");
  return h->u && h->l && h->delta ? KSEG_OK : KSEG_ERR_IO;
}

/* No bounds yet: every row's label -1, so the first pass searches it, and
 * its bounds written (0, never read as bounds). Written, not left to the
 * first pass: that pass reads u and l before the search writes them, and a
 * fresh page read first maps the shared zero page, so the write after
 * faults again and must flush the TLB of every other thread of the process
 * (an interprocessor interrupt per 4 KiB page; 10-15 % of a 1M-customer
 * sweep on 1 rank x 2 threads went to those). */
static void ham_first_touch(ham_run *h, int64_t nl, int nt)
{
#pragma omp parallel for num_threads(nt) schedule(static)
  for (int64_t i = 0; i < nl; i++) {
    h->labels[i] = -1;
    h->u[i] = h->l[i] = 0;
  }
}

/* Before an iteration's pass: the tables against the current centroids,
 * the rounding margin, the thread partials zeroed. */
static void ham_begin(ham_run *h, int64_t k, int64_t d, double eps)
{
  const int64_t kd = k * d;
  memcpy(h->w.cold, h->centroids, (size_t)kd * sizeof(double));
  kseg_km_estep_tables(&h->w, &h->data, h->w.cold);
  h->abs_margin = 4.0 * sqrt((double)d) * (h->data.max_abs + kseg_km_max_abs_of(h->w.cold, kd)) * eps;
  kseg_km_partials_zero(&h->w.acc);
  h->searched = 0;
}

/* Thread t's rows [a, b) for the runs h[0 .. n) switched to Lloyd's pass:
 * every row searched by it, once for all of them (dot_rows packs each panel
 * once). */
static void ham_lloyd_rows(ham_run *const *h, int n, int t, int64_t a, int64_t b)
{
  kseg_km_dot_run run[KSEG_KM_RUNS];
  for (int q = 0; q < n; q++) run[q] = kseg_km_estep_dot_run(&h[q]->w, h[q]->labels, t);
  h[0]->data.ops->dot_rows(h[0]->data.x->data, h[0]->data.packed, a, b, n, run, KSEG_KM_MOVED_ROWS,
                           h[0]->data.fx.scale, kseg_km_estep_panel(&h[0]->w, t));
}

/* Thread t's rows [a, b) for a run that keeps its bounds: the bounds moved,
 * the rows they cannot spare searched (idx: scratch for b - a rows).
 * Returns the rows searched. */
static int64_t ham_rows(ham_run *h, int t, int64_t a, int64_t b, double rel, int64_t *idx)
{
  kseg_km_partials *acc = &h->w.acc;
  const int64_t kd = acc->kd;
  const int64_t m = hamerly_bounds(h->labels, h->u, h->l, h->delta, h->far1, h->dmax1, h->dmax2, rel, h->abs_margin,
                                   a, b, idx);
  h->data.ops->search_rows(h->data.x->data, idx, m, &h->w.tab, h->labels, h->u, h->l, rel, h->abs_margin,
                           h->data.fx.scale, acc->thi + t * kd, acc->tlo + t * kd, acc->tcounts + t * acc->k,
                           &acc->tchanged[t], kseg_km_estep_panel(&h->w, t));
  return m;
}

/* After the pass: the one allreduce, the M-step, the widened shifts and
 * the stopping rule. Collective, result agreed. */
static int ham_end(MPI_Comm comm, ham_run *h, int64_t k, int64_t d, double rel, double eps, int it, int max_iter)
{
  const int64_t kd = k * d;
  const double cmax = kseg_km_max_abs_of(h->w.cold, kd);
  h->run->rows_searched += h->searched;
  h->run->rows_visited += h->data.x->n_local;
  if (h->probing && it >= 1) {
    /* auto: the same sum on every rank, so the same switch */
    int64_t searched = h->searched;
    const int st = kseg_comm_agree(comm, kseg_comm_sum_i64(comm, &searched, 1));
    if (st != KSEG_OK) return st;
    if ((double)searched <= KSEG_KM_LLOYD_SHARE * (double)h->data.x->n_global) h->probing = false;
    else if (it == KSEG_KM_PROBE_ITERS) {
      h->probing = false;
      h->lloyd = h->run->switched_to_lloyd = true;
    }
  }
  int64_t changed;
  const int st =
      kseg_km_partials_reduce(comm, &h->data, &h->w.acc, h->w.cold, h->labels, &changed, &h->run->allreduce_seconds);
  if (st != KSEG_OK) return st;
  const double shift = kseg_km_update_centroids(&h->data, k, h->w.acc.packed, h->w.cold, h->centroids, h->delta);
  h->far1 = -1;
  h->dmax1 = h->dmax2 = 0;
  for (int64_t c = 0; c < k; c++) {
    h->delta[c] = h->delta[c] * (1 + rel) + 4.0 * sqrt((double)d) * cmax * eps;
    if (h->delta[c] > h->dmax1) {
      h->dmax2 = h->dmax1;
      h->dmax1 = h->delta[c];
      h->far1 = c;
    } else if (h->delta[c] > h->dmax2) {
      h->dmax2 = h->delta[c];
    }
  }
  h->run->n_iter = it + 1;
  if (h->data.progress) h->data.progress(h->data.progress_ctx, h->data.restart, it + 1, NAN, changed);
  if (changed == 0) h->strict = h->converged = true;
  else if (shift <= h->data.tol_scaled) h->converged = true;
  if (h->converged || it + 1 >= max_iter) h->running = false;
  return KSEG_OK;
}

/* After the last iteration of the runs h[0 .. R): the centroids each
 * one's labels answer to, the final E-step of the runs whose last iteration
 * moved labels (scikit-learn reruns it; one pass for all of them), the
 * inertia. Collective, result agreed. */
static int ham_finish(MPI_Comm comm, ham_run *h, int R, int64_t k, int64_t d)
{
  const int64_t kd = k * d;
  kseg_km_estep *w[KSEG_KM_RUNS];
  const double *centers[KSEG_KM_RUNS];
  int32_t *labels[KSEG_KM_RUNS];
  int n = 0;
  for (int r = 0; r < R; r++) {
    if (h[r].data.assigned)
      memcpy(h[r].data.assigned, h[r].strict ? h[r].w.cold : h[r].centroids, (size_t)kd * sizeof(double));
    if (h[r].strict) continue;
    w[n] = &h[r].w, centers[n] = h[r].centroids, labels[n++] = h[r].labels;
  }
  if (n > 0) kseg_km_estep_runs(w, n, &h[0].data, centers, labels, KSEG_KM_LABELS_ONLY);
  const double *cs[KSEG_KM_RUNS];
  const int32_t *ls[KSEG_KM_RUNS];
  double in[KSEG_KM_RUNS];
  for (int r = 0; r < R; r++) {
    h[r].run->converged = h[r].converged;
    cs[r] = h[r].centroids, ls[r] = h[r].labels;
  }
  const int st = kseg_km_inertia_runs(comm, h[0].data.x, h[0].data.max_abs, R, cs, k, ls, in);
  for (int r = 0; st == KSEG_OK && r < R; r++) h[r].run->inertia = in[r];
  return st;
}

/* Rows per block when several runs share the pass: a block of the data
 * (about 512 KiB) stays in L2 while every run searches it, so the runs after
 * the first read their rows from cache. */
static int64_t ham_block_rows(const kseg_km_data *data, int runs)
{
  if (runs == 1) return KSEG_KM_SLICE;
  const int64_t bytes = data->x->d * (int64_t)data->ops->size;
  const int64_t rows = ((int64_t)512 << 10) / (bytes > 0 ? bytes : 1);
  return rows < 256 ? 256 : rows;
}

/* Hamerly (2010) with the same results as kseg_km_lloyd, bit for bit, for
 * R runs side by side (run r from centroids[r], into labels[r], assigned[r]
 * and runs[r]; R = 1: kseg_km_hamerly). Each row keeps an upper bound u on
 * the distance to its centroid and a lower bound l on the distance to every
 * other one, moved by how far the centroids moved; only rows with u >= l
 * are searched, with Lloyd's kernel. The bounds are widened by the kernel's
 * worst rounding error (relative (d + 8) 4 eps, absolute 4 sqrt(d) (max|x|
 * + max|c|) eps, eps of the data's type), so a skipped row is one whose
 * computed distances Lloyd would have ordered the same way. The exact
 * fixed-point sums are kept per cluster and updated only by rows that
 * moved; one allreduce of the changes per run and iteration. Empty clusters
 * (rare) take a full Lloyd E-step for the distances the relocation rule
 * needs, and relocate on a copy of the sums, as Lloyd recomputes them from
 * the labels each iteration.
 *
 * Several runs go through the rows block by block, each block searched by
 * every running run in turn: the rows are read from memory once per block
 * for all of them (Hamerly's searches are bound by reading the rows), and a
 * run's arithmetic on a row is the same as alone, so its bits are too. A
 * run that stops leaves the others going. */
int kseg_km_hamerly_runs(MPI_Comm comm, const kseg_km_data *data, int64_t k, int max_iter, int R,
                         double *const *centroids, int32_t *const *labels, double *const *assigned,
                         kseg_km_run *runs, bool may_switch)
{
  const kseg_matrix *x = data->x;
  const int64_t d = x->d, nl = x->n_local;
  const size_t nls = (size_t)(nl > 0 ? nl : 1);
  ham_run h[KSEG_KM_RUNS];
  memset(h, 0, sizeof h);
  int64_t *idx = kseg_malloc(nls * sizeof(int64_t), "Hamerly rows");
  int st = R >= 1 && R <= KSEG_KM_RUNS && idx ? KSEG_OK : KSEG_ERR_IO;
  for (int r = 0; r < R && st == KSEG_OK; r++) {
    h[r].data = *data;
    h[r].data.restart = data->restart + r;
    h[r].data.assigned = assigned ? assigned[r] : NULL;
    h[r].centroids = centroids[r];
    h[r].labels = labels[r];
    h[r].run = &runs[r];
    st = ham_alloc(&h[r], data, k, nls);
  }
  st = kseg_comm_agree(comm, st);
  if (st != KSEG_OK) goto done;
  const double eps = data->ops->eps;
  const double rel = 4.0 * (double)(d + 8) * eps;
  const int nt = h[0].w.acc.nt;
  for (int r = 0; r < R; r++) {
    memset(h[r].run, 0, sizeof *h[r].run);
    ham_first_touch(&h[r], nl, nt);
    h[r].far1 = -1;
    h[r].running = true;
    h[r].probing = may_switch;
  }
  const int64_t block = ham_block_rows(data, R);
  const double t0 = kseg_now();
  for (int it = 0; it < max_iter; it++) {
    int live[KSEG_KM_RUNS], nlive = 0;
    for (int r = 0; r < R; r++)
      if (h[r].running) live[nlive++] = r;
    if (nlive == 0) break;
    for (int q = 0; q < nlive; q++) ham_begin(&h[live[q]], k, d, eps);
#pragma omp parallel num_threads(nt)
    {
      const int t = omp_get_thread_num();
      int64_t i0, n;
      kseg_partition(nl, omp_get_num_threads(), t, &i0, &n);
      for (int64_t a = i0, b; a < i0 + n; a = b) {
        b = i0 + n - a < KSEG_KM_SLICE ? i0 + n : a + KSEG_KM_SLICE;
        for (int q = 0; q < nlive; q++) kseg_km_partials_slice_begin(&h[live[q]].w.acc, t);
        int64_t searched[KSEG_KM_RUNS] = {0};
        ham_run *side[KSEG_KM_RUNS];
        int nside = 0;
        for (int q = 0; q < nlive; q++)
          if (h[live[q]].lloyd) side[nside++] = &h[live[q]], searched[q] += b - a;
        for (int64_t c = a, e; c < b; c = e) {
          e = b - c < block ? b : c + block;
          if (nside) ham_lloyd_rows(side, nside, t, c, e);
          for (int q = 0; q < nlive; q++)
            if (!h[live[q]].lloyd) searched[q] += ham_rows(&h[live[q]], t, c, e, rel, idx + c);
        }
        for (int q = 0; q < nlive; q++) {
#pragma omp atomic
          h[live[q]].searched += searched[q];
        }
        for (int q = 0; q < nlive; q++) kseg_km_partials_slice_end(&h[live[q]].w.acc, t);
      }
    }
    /* every rank reduces the same runs in the same order */
    for (int q = 0; q < nlive && st == KSEG_OK; q++) st = ham_end(comm, &h[live[q]], k, d, rel, eps, it, max_iter);
    if (st != KSEG_OK) goto done;
  }
  const double seconds = kseg_now() - t0;
  st = ham_finish(comm, h, R, k, d);
  for (int r = 0; r < R; r++) runs[r].iter_seconds = seconds / R;
done:
  for (int r = 0; r < R; r++) ham_clear(&h[r]);
  free(idx);
  return kseg_comm_agree(comm, st);
}

int kseg_km_hamerly(MPI_Comm comm, const kseg_km_data *data, int64_t k, int max_iter, double *centroids,
                    int32_t *labels, kseg_km_run *run)
{
  double *assigned = data->assigned;
  return kseg_km_hamerly_runs(comm, data, k, max_iter, 1, &centroids, &labels, &assigned, run, false);
}

int kseg_km_auto(MPI_Comm comm, const kseg_km_data *data, int64_t k, int max_iter, double *centroids,
                 int32_t *labels, kseg_km_run *run)
{
  double *assigned = data->assigned;
  return kseg_km_hamerly_runs(comm, data, k, max_iter, 1, &centroids, &labels, &assigned, run, true);
}

int kseg_km_hamerly_side(MPI_Comm comm, const kseg_km_data *data, int64_t k, int max_iter, int R,
                         double *const *centroids, int32_t *const *labels, double *const *assigned,
                         kseg_km_run *runs)
{
  return kseg_km_hamerly_runs(comm, data, k, max_iter, R, centroids, labels, assigned, runs, false);
}

int kseg_km_auto_side(MPI_Comm comm, const kseg_km_data *data, int64_t k, int max_iter, int R,
                      double *const *centroids, int32_t *const *labels, double *const *assigned, kseg_km_run *runs)
{
  return kseg_km_hamerly_runs(comm, data, k, max_iter, R, centroids, labels, assigned, runs, true);
}
