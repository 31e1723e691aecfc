/* hash: the primitives against published values, and the fingerprints equal
 * to their formula on the whole matrix for any rank count (and pinned: the
 * values are stored in model.h5, sweep.h5 and fit checkpoints). */
#include <stdlib.h>

#include "kseg/kseg_comm.h"
#include "kseg/kseg_error.h"
#include "kseg/kseg_hash.h"
#include "test.h"

enum { N = 1003, D = 5 };

static double value(int64_t i, int64_t j) { return sin((double)(i * 7 + j)) * 1e3 + (double)j; }

/* This rank's block of the N x D test matrix. */
static kseg_matrix block(MPI_Comm comm, kseg_dtype dtype)
{
  kseg_matrix x = {.n_global = N, .d = D, .dtype = dtype};
  kseg_partition(N, kseg_comm_size(comm), kseg_comm_rank(comm), &x.row0, &x.n_local);
  x.data = malloc((size_t)(x.n_local * D + 1) * kseg_dtype_size(dtype));
  ASSERT(x.data);
  for (int64_t i = 0; i < x.n_local; i++)
    for (int64_t j = 0; j < D; j++) {
      double v = value(x.row0 + i, j);
      if (dtype == KSEG_F32) ((float *)x.data)[i * D + j] = (float)v;
      else ((double *)x.data)[i * D + j] = v;
    }
  return x;
}

/* The documented formulas, serially over all N rows. */
static uint64_t rows_formula(kseg_dtype dtype)
{
  uint64_t sum = 0;
  for (int64_t i = 0; i < N; i++) {
    unsigned char row[D * 8];
    size_t w = kseg_dtype_size(dtype);
    for (int64_t j = 0; j < D; j++) {
      double v = value(i, j);
      float f = (float)v;
      memcpy(row + j * w, dtype == KSEG_F32 ? (const void *)&f : (const void *)&v, w);
    }
    uint64_t h = 0xcbf29ce484222325ull ^ (uint64_t)i;
    for (size_t b = 0; b < D * w; b++) h = (h ^ row[b]) * 0x100000001b3ull;
    sum += h;
  }
  return sum;
}

static uint64_t values_formula(kseg_dtype dtype)
{
  uint64_t sum = 0;
  for (int64_t p = 0; p < N * D; p++) {
    double v = value(p / D, p % D);
    float f = (float)v;
    uint64_t bits = 0;
    if (dtype == KSEG_F32) {
      uint32_t b32;
      memcpy(&b32, &f, sizeof b32);
      bits = b32;
    } else {
      memcpy(&bits, &v, sizeof bits);
    }
    sum += kseg_hash_mix64(kseg_hash_mix64((uint64_t)p) ^ bits);
  }
  return sum;
}

int main(int argc, char **argv)
{
  MPI_Comm comm;
  kseg_test_init(&argc, &argv, &comm, NULL);

  /* FNV-1a 64 test vectors (Fowler, Noll, Vo) and chaining. */
  ASSERT(kseg_hash_fnv1a(KSEG_HASH_FNV1A_INIT, "", 0) == 0xcbf29ce484222325ull);
  ASSERT(kseg_hash_fnv1a(KSEG_HASH_FNV1A_INIT, "a", 1) == 0xaf63dc4c8601ec8cull);
  ASSERT(kseg_hash_fnv1a(KSEG_HASH_FNV1A_INIT, "foobar", 6) == 0x85944171f73967e8ull);
  ASSERT(kseg_hash_fnv1a(kseg_hash_fnv1a(KSEG_HASH_FNV1A_INIT, "foo", 3), "bar", 3) == 0x85944171f73967e8ull);
  /* splitmix64's first output from seed 0 is the finalizer of its increment. */
  ASSERT(kseg_hash_mix64(0x9E3779B97F4A7C15ull) == 0xe220a8397b1dcdafull);
  ASSERT(kseg_hash_mix64(0) == 0);

  /* Every rank adds its rank + 1: the sum wraps modulo 2^64. */
  int rank = kseg_comm_rank(comm), size = kseg_comm_size(comm);
  uint64_t total = 0;
  ASSERT_OK(kseg_hash_sum(comm, UINT64_MAX - 1 + (uint64_t)(rank + 1), &total));
  ASSERT(total == (uint64_t)size * (UINT64_MAX - 1) + (uint64_t)(size * (size + 1) / 2));

  const kseg_dtype types[2] = {KSEG_F64, KSEG_F32};
  /* Pinned: a change here changes stored fingerprints. */
  const uint64_t pinned_rows[2] = {0xcb06c2c9b97d21e9ull, 0xac59b84dabdf65c4ull};
  const uint64_t pinned_values[2] = {0x34742e0a329cc5cfull, 0x5f404f6cdfa6df3eull};
  for (int t = 0; t < 2; t++) {
    kseg_matrix x = block(comm, types[t]);
    uint64_t h = 0;
    ASSERT_OK(kseg_hash_matrix_rows(comm, &x, &h));
    if (h != rows_formula(types[t]) || h != pinned_rows[t])
      KSEG_TEST_FAIL_("rows fingerprint %s: %016" PRIx64 ", formula %016" PRIx64 ", pinned %016" PRIx64,
                      t ? "f32" : "f64", h, rows_formula(types[t]), pinned_rows[t]);
    ASSERT_OK(kseg_hash_matrix_values(comm, &x, &h));
    if (h != values_formula(types[t]) || h != pinned_values[t])
      KSEG_TEST_FAIL_("values fingerprint %s: %016" PRIx64 ", formula %016" PRIx64 ", pinned %016" PRIx64,
                      t ? "f32" : "f64", h, values_formula(types[t]), pinned_values[t]);
    kseg_matrix_clear(&x);
  }
  /* One changed bit anywhere changes the fingerprint. */
  kseg_matrix x = block(comm, KSEG_F64);
  uint64_t before = 0, after = 0;
  ASSERT_OK(kseg_hash_matrix_rows(comm, &x, &before));
  if (x.row0 <= N / 2 && N / 2 < x.row0 + x.n_local) ((unsigned char *)x.data)[(N / 2 - x.row0) * D * 8 + 3] ^= 1;
  ASSERT_OK(kseg_hash_matrix_rows(comm, &x, &after));
  ASSERT(before != after);
  kseg_matrix_clear(&x);

  kseg_test_finalize(&comm, NULL);
  return 0;
}
