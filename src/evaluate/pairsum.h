/* pairsum.h - the silhouette's inner sums: for each row of a block A, the sum
 * over the rows of a block B of each cluster of the Euclidean distance, in
 * exact fixed point; not part of the public API. */
#ifndef KSEG_EVALUATE_PAIRSUM_H
#define KSEG_EVALUATE_PAIRSUM_H

#include <stdint.h>

#include "kseg/kseg_fixed.h"

/* acc[i * k + c] += sum over rows j of B with label c of
 * (int64_t)(|a_i - b_j| * fe->scale + 0.5), for the na rows a (na x d) and
 * the nb rows b (nb x d, labels lb in 0..k-1), on every OpenMP thread (rows
 * of A split between them). Exact integers, so neither the order of B nor
 * the split changes acc. The distance of a pair is computed by the same
 * operations wherever the pair falls, and as the code before it did (see
 * pairsum.c), so sums and silhouettes keep their bits. Returns KSEG_OK, or
 * KSEG_ERR_IO when out of memory (message set). Local. */
int kseg_pairsum_accumulate(const double *a, int64_t na, const double *b, const int32_t *lb, int64_t nb, int64_t d,
                            int k, const kseg_fixed *fe, kseg_i128 *acc);

/* The same sums for the n rows x (labels lx) against themselves, the share
 * `part` of `parts` (a rank's) of the work: added to acc (n x k, all rows),
 * which summed over the parts (an allreduce) is what
 * kseg_pairsum_accumulate(x, n, x, lx, n, ...) gives, bit for bit. A pair's
 * distance is symmetric to the bit ((a - b)^2 = (b - a)^2), so each pair is
 * computed once and added to both rows' sums: half the arithmetic. Above a
 * memory cap (256 MiB of per-thread sums) the part's rows go against all
 * instead. Local; KSEG_ERR_IO when out of memory (message set). */
int kseg_pairsum_sample(const double *x, const int32_t *lx, int64_t n, int64_t d, int k, const kseg_fixed *fe,
                        int part, int parts, kseg_i128 *acc);

#endif
