/* kseg_hash.h - 64-bit hashing: FNV-1a over bytes, the splitmix64 finalizer,
 * and fingerprints of distributed data that come out the same for any number
 * of ranks and threads (a wrapping sum of per-row or per-value hashes: the
 * sum commutes, so the partition does not matter).
 *
 * Values built from these are stored (model.h5 train_hash, sweep.h5 and fit
 * checkpoint fingerprints) or decide owner ranks: never change what a
 * function here computes.
 */
#ifndef KSEG_HASH_H
#define KSEG_HASH_H

#include <mpi.h>
#include <stddef.h>
#include <stdint.h>

#include "kseg/kseg_types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* FNV-1a's 64-bit offset basis: the state to start kseg_hash_fnv1a from. */
#define KSEG_HASH_FNV1A_INIT 0xcbf29ce484222325ull

/* The two primitives are inline: they sit in per-row and per-field loops
 * (CSV level tables, RFM owner ranks), and the fuzz targets compile the CSV
 * parser without the rest of the library. */

/* FNV-1a over n bytes, continuing from state h (KSEG_HASH_FNV1A_INIT for a
 * fresh hash); chain calls to hash several pieces as one. Local. */
static inline uint64_t kseg_hash_fnv1a(uint64_t h, const void *bytes, size_t n)
{
  const unsigned char *b = (const unsigned char *)bytes;
  for (size_t i = 0; i < n; i++) h = (h ^ b[i]) * 0x100000001b3ull;
  return h;
}

/* The splitmix64 finalizer (Stafford's mix 13): a bijection whose output bits
 * all depend on every input bit; spreads consecutive ids and FNV's weak low
 * bits. Local. */
static inline uint64_t kseg_hash_mix64(uint64_t z)
{
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

/* Sum of every rank's `local` modulo 2^64 into *global. Collective; status
 * agreed. */
int kseg_hash_sum(MPI_Comm comm, uint64_t local, uint64_t *global);

/* Fingerprint of a distributed matrix, row by row: the sum over rows of
 * FNV-1a of the row's bytes started from KSEG_HASH_FNV1A_INIT ^ global row
 * index. Sensitive to every value, the dtype's bytes and the row order. The
 * sweep's resume guard (sweep.h5). Collective; status agreed. */
int kseg_hash_matrix_rows(MPI_Comm comm, const kseg_matrix *x, uint64_t *hash);

/* Sum over i < n of mix64(mix64(first + i) ^ bits of v[i]), modulo 2^64, for
 * n values of dtype KSEG_F64 (64 bits each) or KSEG_F32 (32 bits, zero
 * extended). Local. */
uint64_t kseg_hash_values(const void *v, int64_t n, kseg_dtype dtype, uint64_t first);

/* Fingerprint of a distributed matrix value by value: kseg_hash_values over
 * the row-major data with `first` the global position row0 * d, summed over
 * ranks. The fit checkpoint's data guard. Collective; status agreed. */
int kseg_hash_matrix_values(MPI_Comm comm, const kseg_matrix *x, uint64_t *hash);

#ifdef __cplusplus
}
#endif

#endif
