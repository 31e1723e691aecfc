/* kseg_rng.h - counter-based random numbers (Philox4x32-10, Salmon et al.
 * 2011). A draw is a pure function of (seed, stream, index, draw number), so
 * the value for global row i is the same whichever rank or thread computes it,
 * and no generator state is carried between rows. Local, thread-safe. */
#ifndef KSEG_RNG_H
#define KSEG_RNG_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Streams keep unrelated uses of one seed apart. Add new ones at the end. */
enum kseg_rng_stream {
  KSEG_STREAM_GENERATE = 1,   /* synthetic customers: index = global row */
  KSEG_STREAM_INIT = 2,       /* k-means initialization draws */
  KSEG_STREAM_SAMPLE = 3,     /* sampling rows (silhouette, stability) */
  KSEG_STREAM_REFERENCE = 4,  /* gap statistic reference sets */
  KSEG_STREAM_AUTOENCODER = 5,
  KSEG_STREAM_TRANSACTIONS = 6
};

typedef struct kseg_rng_key {
  uint64_t seed;
  uint64_t stream; /* enum kseg_rng_stream, optionally combined with a sub-id */
} kseg_rng_key;

/* Four 32-bit random words for counter (index, block). */
void kseg_rng_block(kseg_rng_key key, uint64_t index, uint64_t block, uint32_t out[4]);

/* 64 random bits: draw number `draw` of item `index`. */
uint64_t kseg_rng_u64(kseg_rng_key key, uint64_t index, uint64_t draw);

/* Uniform in [0, 1) with 53 random bits. */
double kseg_rng_uniform(kseg_rng_key key, uint64_t index, uint64_t draw);

/* Draws 0 .. n of item index as uniforms: out[j] = kseg_rng_uniform(key,
 * index, j), bit for bit, each block computed once (two draws a block) and,
 * with AVX-512, eight blocks at a time. */
void kseg_rng_uniform_run(kseg_rng_key key, uint64_t index, int64_t n, double *out);

/* Standard normal (Box-Muller on draws 2*draw and 2*draw+1). */
double kseg_rng_normal(kseg_rng_key key, uint64_t index, uint64_t draw);

/* Stream id that combines a base stream with sub-ids (e.g. k, restart). */
uint64_t kseg_rng_substream(uint64_t stream, uint64_t a, uint64_t b);

#ifdef __cplusplus
}
#endif

#endif
