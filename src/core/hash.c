/* hash.c - fingerprints of distributed data that do not depend on the
 * partition (kseg_hash.h; the primitives are inline there). */
#include "kseg/kseg_hash.h"

#include <string.h>

#include "kseg/kseg_comm.h"
#include "kseg/kseg_error.h"

int kseg_hash_sum(MPI_Comm comm, uint64_t local, uint64_t *global)
{
  /* Each rank's part is below 2^64, so the int128 sum cannot overflow; its
   * low 64 bits are the wrapping sum. */
  kseg_i128 s = (kseg_i128)local;
  KSEG_CHECK(kseg_comm_agree(comm, kseg_comm_sum_i128(comm, &s, 1)));
  *global = (uint64_t)s;
  return KSEG_OK;
}

int kseg_hash_matrix_rows(MPI_Comm comm, const kseg_matrix *x, uint64_t *hash)
{
  const size_t rb = (size_t)x->d * kseg_dtype_size(x->dtype);
  const unsigned char *data = x->data;
  uint64_t local = 0;
#pragma omp parallel for schedule(static) reduction(+ : local)
  for (int64_t i = 0; i < x->n_local; i++)
    local += kseg_hash_fnv1a(KSEG_HASH_FNV1A_INIT ^ (uint64_t)(x->row0 + i), data + (size_t)i * rb, rb);
  return kseg_hash_sum(comm, local, hash);
}

uint64_t kseg_hash_values(const void *v, int64_t n, kseg_dtype dtype, uint64_t first)
{
  uint64_t h = 0;
#pragma omp parallel for reduction(+ : h) schedule(static)
  for (int64_t i = 0; i < n; i++) {
    uint64_t bits;
    if (dtype == KSEG_F32) {
      uint32_t b32;
      memcpy(&b32, (const float *)v + i, sizeof b32);
      bits = b32;
    } else {
      memcpy(&bits, (const double *)v + i, sizeof bits);
    }
    h += kseg_hash_mix64(kseg_hash_mix64(first + (uint64_t)i) ^ bits);
  }
  return h;
}

int kseg_hash_matrix_values(MPI_Comm comm, const kseg_matrix *x, uint64_t *hash)
{
  uint64_t local = kseg_hash_values(x->data, x->n_local * x->d, x->dtype, (uint64_t)(x->row0 * x->d));
  return kseg_hash_sum(comm, local, hash);
}
