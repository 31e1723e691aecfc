/* roofline.c - the machine's two ceilings for the Lloyd kernel, measured
 * rather than taken from a datasheet (the cores are shared and virtualized):
 *   read:  what the E-step does to memory: read-only, several streams per
 *          thread (STREAMS, 4: the hardware prefetcher follows each), summed
 *          into vector accumulators, over arrays far larger than the caches;
 *          this is the memory ceiling the kernel is held to;
 *   triad: a STREAM-like a[i] = b[i] + s c[i] (24 bytes per element), for
 *          reference: a write stream and its read-for-ownership halve what a
 *          read-only kernel gets;
 *   fma:   independent chains of 64-byte vector FMAs, 2 flops per lane, in
 *          double and in float.
 * Each is best of REPS, all OpenMP threads at once. Prints one JSON object.
 * Usage: roofline [MEGA_ELEMENTS (16)] [REPS (5)] [STREAMS (4)]. Built by
 * roofline.sh. */
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

typedef double vd __attribute__((vector_size(64)));
typedef float vf __attribute__((vector_size(64)));

/* 12 chains hide the FMA latency (4 cycles x 2 ports + margin). Each chain
 * starts from a different value and all twelve pass through an empty asm
 * every iteration: identical chains would be merged by the compiler (an
 * earlier version counted 12 FMAs per iteration where GCC issued 5, and
 * reported 2.4 times the real peak). */
#define FMA_LOOP(V, T, ITERS, SINK)                                                   \
  do {                                                                               \
    V a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11;                              \
    V m, c;                                                                          \
    for (size_t q = 0; q < sizeof(V) / sizeof(T); q++) {                             \
      m[q] = (T)0.999999, c[q] = (T)1e-7;                                            \
      a0[q] = (T)0.1, a1[q] = (T)0.2, a2[q] = (T)0.3, a3[q] = (T)0.4, a4[q] = (T)0.5;  \
      a5[q] = (T)0.6, a6[q] = (T)0.7, a7[q] = (T)0.8, a8[q] = (T)0.9, a9[q] = (T)1.1;  \
      a10[q] = (T)1.2, a11[q] = (T)1.3;                                              \
    }                                                                                \
    for (long it = 0; it < (ITERS); it++) {                                          \
      a0 = a0 * m + c, a1 = a1 * m + c, a2 = a2 * m + c, a3 = a3 * m + c;            \
      a4 = a4 * m + c, a5 = a5 * m + c, a6 = a6 * m + c, a7 = a7 * m + c;            \
      a8 = a8 * m + c, a9 = a9 * m + c, a10 = a10 * m + c, a11 = a11 * m + c;        \
      __asm__ volatile("" : "+v"(a0), "+v"(a1), "+v"(a2), "+v"(a3), "+v"(a4), "+v"(a5)); \
      __asm__ volatile("" : "+v"(a6), "+v"(a7), "+v"(a8), "+v"(a9), "+v"(a10), "+v"(a11)); \
    }                                                                                \
    V s = ((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7)) + ((a8 + a9) + (a10 + a11)); \
    SINK += (double)s[0];                                                            \
  } while (0)

int main(int argc, char **argv)
{
  const long n = (argc > 1 ? atol(argv[1]) : 16) * 1000000L;
  const int reps = argc > 2 ? atoi(argv[2]) : 5;
  const int streams = argc > 3 && atoi(argv[3]) > 0 && atoi(argv[3]) <= 8 ? atoi(argv[3]) : 4;
  const int nt = omp_get_max_threads();
  double *a = malloc((size_t)n * sizeof *a), *b = malloc((size_t)n * sizeof *b), *c = malloc((size_t)n * sizeof *c);
  if (!a || !b || !c) {
    fprintf(stderr, "roofline: out of memory for %ld elements\n", n);
    return 2;
  }
#pragma omp parallel for schedule(static)
  for (long i = 0; i < n; i++) a[i] = 0, b[i] = 1, c[i] = 2; /* first touch by the thread that uses it */
  double best_triad = 1e300;
  for (int r = 0; r < reps; r++) {
    const double t0 = now();
#pragma omp parallel for schedule(static)
    for (long i = 0; i < n; i++) a[i] = b[i] + 3.0 * c[i];
    const double t = now() - t0;
    if (t < best_triad) best_triad = t;
  }
  /* read-only: each thread sums `streams` equal parts of its share of b
   * and c side by side (2 x streams sequential read streams) */
  double best_read = 1e300, rsink = 0;
  for (int r = 0; r < reps; r++) {
    const double t0 = now();
#pragma omp parallel reduction(+ : rsink)
    {
      const int t = omp_get_thread_num(), nth = omp_get_num_threads();
      const long per = n / nth, lo = t * per, part = per / streams / 8 * 8;
      vd acc[16] = {{0}};
      for (long i = 0; i < part; i += 8)
        for (int s = 0; s < streams; s++) {
          vd vb, vc;
          memcpy(&vb, b + lo + s * part + i, sizeof vb);
          memcpy(&vc, c + lo + s * part + i, sizeof vc);
          acc[2 * s] += vb, acc[2 * s + 1] += vc;
        }
      for (int s = 0; s < 16; s++) rsink += acc[s][0];
    }
    const double t = now() - t0;
    if (t < best_read) best_read = t;
  }
  /* bytes actually read: 2 arrays, each thread's share rounded down */
  const double read_bytes = 2.0 * 8.0 * (double)(n / nt / streams / 8 * 8) * streams * nt;
  const long fma_iters = 20000000L;
  double best_d = 1e300, best_f = 1e300, sink = 0;
  for (int r = 0; r < reps; r++) {
    double t0 = now();
#pragma omp parallel reduction(+ : sink)
    FMA_LOOP(vd, double, fma_iters, sink);
    double t = now() - t0;
    if (t < best_d) best_d = t;
    t0 = now();
#pragma omp parallel reduction(+ : sink)
    FMA_LOOP(vf, float, fma_iters, sink);
    t = now() - t0;
    if (t < best_f) best_f = t;
  }
  const double flops_d = 12.0 * 8 * 2 * (double)fma_iters * nt, flops_f = 12.0 * 16 * 2 * (double)fma_iters * nt;
  printf("{\"threads\": %d, \"read_streams_per_thread\": %d, \"read_bandwidth_bytes_per_s\": %.6g, "
         "\"triad_bytes\": %.0f, \"triad_bandwidth_bytes_per_s\": %.6g, "
         "\"peak_flops_f64\": %.6g, \"peak_flops_f32\": %.6g, \"check\": %g}\n",
         nt, 2 * streams, read_bytes / best_read, 24.0 * (double)n, 24.0 * (double)n / best_triad, flops_d / best_d,
         flops_f / best_f, a[n / 2] + (sink + rsink) * 0);
  free(a);
  free(b);
  free(c);
  return 0;
}
