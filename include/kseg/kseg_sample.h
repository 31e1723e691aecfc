/* kseg_sample.h - a seeded, uniform sample of a matrix's rows that is the
 * same for any number of ranks: what a sweep on a few million customers
 * runs on instead of all of them (kseg_sweep_options.sample). */
#ifndef KSEG_SAMPLE_H
#define KSEG_SAMPLE_H

#include <mpi.h>
#include <stdint.h>

#include "kseg/kseg_types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The m rows of x whose keys kseg_rng_u64({seed, sample stream}, global row)
 * are the smallest (ties to the lowest global row): a uniform sample without
 * replacement, chosen by a pure function of (seed, row), so the same rows
 * for any rank count. They come out in global row order as an ordinary
 * m x d matrix partitioned by kseg_partition(m, P, rank) (out->data and
 * out->columns owned; kseg_matrix_clear). m >= N copies every row.
 * Memory: the keys of the local rows (8 bytes each) and the sample's rows.
 * Collective; KSEG_ERR_INPUT when m < 1, KSEG_ERR_IO on memory or MPI
 * failure (agreed). */
int kseg_matrix_sample(MPI_Comm comm, const kseg_matrix *x, int64_t m, uint64_t seed, kseg_matrix *out);

#ifdef __cplusplus
}
#endif

#endif
