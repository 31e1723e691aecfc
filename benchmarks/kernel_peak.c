/* kernel_peak.c - the E-step micro-kernel (src/kmeans/kernels/panel.h)
 * against the machine's FMA peak, one thread, in cache: Lloyd's dot_rows
 * (labels only) over ROWS rows that fit the L2 cache, repeated, and the
 * flops it must do (the dot form: one fused multiply-add, 2 flops, per row,
 * centroid and column), as a percent of the peak of a loop of twelve
 * independent FMA chains (as roofline.c), both timed in thread CPU time, so
 * other processes on the machine slow neither. Prints one JSON object.
 * D:K:R times R runs side by side in one pass (restarts, each with its own
 * k centroids; the flops of all R). Each shape is timed both ways Lloyd's
 * pass runs: from the rows packed into panels once (the copy a fit makes of
 * rows that stay in cache: percent_of_fma_peak) and packing each panel in
 * the pass (rows too many for a copy: percent_of_fma_peak_packing).
 * At k = 2 to 4 the pass from the copy computes only the differences from
 * the first centroid's value (kp_two_diff: k - 1 FMAs per row and column,
 * (k - 1) / k of the flops counted here), so there percent_of_fma_peak is
 * the time the dot form's flops would take at the peak against the time
 * measured, not the rate of the FMAs issued (that times (k - 1) / k).
 * Usage: kernel_peak ROWS REPS D:K[:R][,D:K[:R]...]  (built and run by roofline.sh) */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kmeans/kernels/kernels.h"

static double cpu(void)
{
  struct timespec t;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

typedef double vd __attribute__((vector_size(64)));
typedef float vf __attribute__((vector_size(64)));

/* Twelve chains, each through an empty asm every step (identical chains
 * would be merged by the compiler). */
#define FMA_LOOP(V, T, ITERS, SINK)                                                   \
  do {                                                                               \
    V a[12], m, c;                                                                   \
    for (size_t q = 0; q < sizeof(V) / sizeof(T); q++) {                             \
      m[q] = (T)0.999999, c[q] = (T)1e-7;                                            \
      for (int r = 0; r < 12; r++) a[r][q] = (T)(0.1 * (r + 1));                     \
    }                                                                                \
    for (long it = 0; it < (ITERS); it++) {                                          \
      _Pragma("GCC unroll 12") for (int r = 0; r < 12; r++) a[r] = a[r] * m + c;     \
      __asm__ volatile("" : "+v"(a[0]), "+v"(a[1]), "+v"(a[2]), "+v"(a[3]), "+v"(a[4]), "+v"(a[5])); \
      __asm__ volatile("" : "+v"(a[6]), "+v"(a[7]), "+v"(a[8]), "+v"(a[9]), "+v"(a[10]), "+v"(a[11])); \
    }                                                                                \
    for (int r = 0; r < 12; r++) SINK += (double)a[r][0];                            \
  } while (0)

static double peak(int f32, int reps)
{
  const long iters = 20000000L;
  double best = 1e300, sink = 0;
  for (int r = 0; r < reps; r++) {
    const double t0 = cpu();
    if (f32) FMA_LOOP(vf, float, iters, sink);
    else FMA_LOOP(vd, double, iters, sink);
    const double t = cpu() - t0;
    if (t < best) best = t;
  }
  if (sink == 42) puts("");
  return 12.0 * (f32 ? 16 : 8) * 2 * (double)iters / best;
}

/* Bytes per second of a read-only pass over the n bytes at p (a multiple of
 * 512), eight streams of vectors summed, best of reps: the cache level the
 * rows come from, with no arithmetic in the way. */
static double read_rate(const void *p, size_t n, int reps)
{
  const vd *v = p;
  const size_t nv = n / sizeof(vd);
  const long passes = (long)(((size_t)64 << 20) / n) + 1;
  double best = 1e300, sink = 0;
  for (int r = 0; r < reps; r++) {
    vd a[8] = {0};
    const double t0 = cpu();
    for (long it = 0; it < passes; it++) {
      for (size_t i = 0; i + 8 <= nv; i += 8)
        _Pragma("GCC unroll 8") for (int q = 0; q < 8; q++) a[q] += v[i + q];
      __asm__ volatile("" : "+v"(a[0]), "+v"(a[1]), "+v"(a[2]), "+v"(a[3]));
      __asm__ volatile("" : "+v"(a[4]), "+v"(a[5]), "+v"(a[6]), "+v"(a[7]));
    }
    const double t = cpu() - t0;
    if (t < best) best = t;
    for (int q = 0; q < 8; q++) sink += a[q][0];
  }
  if (sink == 42) puts("");
  return (double)(nv / 8 * 8 * sizeof(vd)) * (double)passes / best;
}

static double uniform(unsigned long long *s)
{
  *s = *s * 6364136223846793005ull + 1442695040888963407ull;
  return (double)(*s >> 11) * 0x1p-53;
}

/* Seconds per pass of dot_rows over n rows of d columns for R runs side by
 * side (restarts), each against its own k centroids, best of reps; from a
 * packed copy of the rows when packed. */
static double time_pass(const kseg_km_ops *ops, int64_t n, int64_t d, int64_t k, int R, int reps, int packed,
                        double *copy_bytes, double *copy_rate)
{
  const size_t es = ops->size;
  double *x = malloc((size_t)(n * d) * sizeof *x), *c = malloc((size_t)(k * d) * sizeof *c);
  void *xt = malloc((size_t)(n * d) * es), *panel, *copy = NULL;
  const int64_t np = (n + KSEG_KM_PANEL_BYTES / (int64_t)es - 1) / (KSEG_KM_PANEL_BYTES / (int64_t)es);
  const int64_t kp = (k + KSEG_KM_KB - 1) / KSEG_KM_KB * KSEG_KM_KB;
  void *ct[KSEG_KM_DOT_RUNS], *cb[KSEG_KM_DOT_RUNS], *h[KSEG_KM_DOT_RUNS];
  int32_t *labels[KSEG_KM_DOT_RUNS];
  int ok = x && c && xt && posix_memalign(&panel, 64, (size_t)KSEG_KM_PANEL_ROWS * (size_t)d * es + 64) == 0 &&
           posix_memalign(&copy, 64, (size_t)np * (size_t)(d + 1) * KSEG_KM_PANEL_BYTES) == 0;
  for (int q = 0; q < R; q++) {
    ct[q] = calloc((size_t)(d * kp), es), cb[q] = calloc((size_t)(k * d), es), h[q] = calloc((size_t)k, es);
    labels[q] = calloc((size_t)n, sizeof *labels[q]);
    ok = ok && ct[q] && cb[q] && h[q] && labels[q];
  }
  if (!ok) {
    fprintf(stderr, "kernel_peak: out of memory\n");
    exit(2);
  }
  unsigned long long s = 1;
  double max_abs = 0;
  for (int64_t i = 0; i < n * d; i++) max_abs = fmax(max_abs, fabs(x[i] = uniform(&s) * 2 - 1 + (double)((i / d) % 7)));
  ops->centroid_rows(x, n * d, xt);
  ops->pack_panels(xt, 0, np, n, d, copy);
  kseg_km_tables t[KSEG_KM_DOT_RUNS];
  kseg_km_dot_run run[KSEG_KM_DOT_RUNS];
  int64_t changed = 0;
  for (int q = 0; q < R; q++) {
    for (int64_t i = 0; i < k * d; i++) c[i] = x[((i / d) * 131 % n) * d + i % d] + 0.01 * uniform(&s);
    ops->centroid_table(c, k, d, kp, ct[q]);
    const double cn = ops->panel_tables(c, k, d, cb[q], h[q]);
    const double gam = 8.0 * (double)(d + 2) * ops->eps, tiny = (double)(4 * d + 16) * ops->min_normal;
    const double reach = sqrt((double)d) * max_abs + cn;
    t[q] = (kseg_km_tables){.k = k, .d = d, .kp = kp, .ct = ct[q], .cb = cb[q], .h = h[q], .cn = cn,
                            .m1 = gam * reach * reach + tiny, .gam = gam, .tiny = tiny};
    run[q] = (kseg_km_dot_run){.t = &t[q], .labels = labels[q], .changed = &changed};
  }
  if (copy_bytes) {
    *copy_bytes = (double)np * (double)(d + 1) * KSEG_KM_PANEL_BYTES;
    *copy_rate = read_rate(copy, (size_t)np * (size_t)(d + 1) * KSEG_KM_PANEL_BYTES / 512 * 512, reps);
  }
  double best = 1e300;
  for (int r = 0; r < reps; r++) {
    const double t0 = cpu();
    for (int q = 0; q < 20; q++) ops->dot_rows(xt, packed ? copy : NULL, 0, n, R, run, KSEG_KM_LABELS_ONLY, 1.0, panel);
    const double dt = (cpu() - t0) / 20;
    if (dt < best) best = dt;
  }
  free(x);
  free(c);
  free(xt);
  free(panel);
  free(copy);
  for (int q = 0; q < R; q++) {
    free(ct[q]);
    free(cb[q]);
    free(h[q]);
    free(labels[q]);
  }
  return best;
}

int main(int argc, char **argv)
{
  if (argc < 4) {
    fprintf(stderr, "usage: kernel_peak ROWS REPS D:K[:R][,D:K[:R]...]\n");
    return 1;
  }
  const int64_t n = atoll(argv[1]);
  const int reps = atoi(argv[2]);
  const double peak64 = peak(0, reps), peak32 = peak(1, reps);
  printf("{\"rows\": %lld, \"reps\": %d, \"threads\": 1, \"peak_flops_f64\": %.6g, \"peak_flops_f32\": %.6g, "
         "\"shapes\": [", (long long)n, reps, peak64, peak32);
  char *list = strdup(argv[3]);
  int first = 1;
  for (char *tok = strtok(list, ","); tok; tok = strtok(NULL, ",")) {
    long long d = 0, k = 0;
    int R = 1;
    if (sscanf(tok, "%lld:%lld:%d", &d, &k, &R) < 2 || d < 1 || k < 1 || R < 1 || R > KSEG_KM_DOT_RUNS) continue;
    for (int f32 = 0; f32 < 2; f32++) {
      const kseg_km_ops *ops = kseg_km_ops_of(f32 ? KSEG_F32 : KSEG_F64);
      double bytes = 0, rate = 0;
      const double sec = time_pass(ops, n, d, k, R, reps, 1, &bytes, &rate);
      const double sec_packing = time_pass(ops, n, d, k, R, reps, 0, NULL, NULL);
      const double flops = 2.0 * (double)n * (double)k * (double)d * R, pk = f32 ? peak32 : peak64;
      /* the packed pass reads the copy once (every run after the first
       * finds a panel in L1): the ceiling is the FMA peak or that read */
      const double t_fma = flops / pk, t_read = bytes / rate;
      printf("%s{\"d\": %lld, \"k\": %lld, \"runs\": %d, \"dtype\": \"%s\", \"seconds_per_pass\": %.6g, "
             "\"ns_per_row\": %.4g, \"percent_of_fma_peak\": %.1f, \"copy_bytes\": %.0f, "
             "\"copy_read_bytes_per_s\": %.4g, \"percent_of_copy_read\": %.1f, \"binding\": \"%s\", "
             "\"percent_of_binding\": %.1f, \"seconds_per_pass_packing\": %.6g, "
             "\"percent_of_fma_peak_packing\": %.1f}",
             first ? "" : ", ", d, k, R, f32 ? "float32" : "float64", sec, sec / (double)n * 1e9,
             100.0 * t_fma / sec, bytes, rate, 100.0 * t_read / sec, t_read > t_fma ? "read" : "fma",
             100.0 * (t_read > t_fma ? t_read : t_fma) / sec, sec_packing, 100.0 * flops / sec_packing / pk);
      first = 0;
    }
  }
  printf("]}\n");
  free(list);
  return 0;
}
