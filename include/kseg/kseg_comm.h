/* kseg_comm.h - MPI helpers: row partitions, error agreement, reductions.
 *
 * All functions marked Collective must be called by every rank of `comm` in
 * the same order. Counts are 64-bit; MPI calls above 2^31 elements are chunked.
 */
#ifndef KSEG_COMM_H
#define KSEG_COMM_H

#include <mpi.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef __int128 kseg_i128;

/* Contiguous block partition of n rows over `nranks`: the first n % nranks
 * ranks take one extra row. Local. */
void kseg_partition(int64_t n, int nranks, int rank, int64_t *row0, int64_t *n_local);

/* Owner rank of global row `row` under kseg_partition. Local. */
int kseg_partition_owner(int64_t n, int nranks, int64_t row);

int kseg_comm_rank(MPI_Comm comm);
int kseg_comm_size(MPI_Comm comm);

/* Duplicate `comm` with MPI_ERRORS_RETURN so MPI failures come back as codes
 * (which kseg turns into KSEG_ERR_IO). Collective. Free with MPI_Comm_free. */
int kseg_comm_dup(MPI_Comm comm, MPI_Comm *out);

/* Agree on the worst status across ranks. When some rank failed, every rank
 * returns that status and holds the message of the lowest failing rank with
 * the worst status (kseg_error_message). Collective; call at phase
 * boundaries, before the next collective that a failed rank would skip. */
int kseg_comm_agree(MPI_Comm comm, int status);

/* Turn an MPI return code into a kseg status with a message. Local. */
int kseg_comm_check(int mpi_code, const char *what);

/* Test builds (KSEG_FAULT_INJECTION): return KSEG_ERR_IO with a message when
 * the environment asks for a failure at `phase` on this rank
 * (KSEG_FAIL_RANK=r, KSEG_FAIL_AT=phase). KSEG_OK otherwise. Local. */
int kseg_comm_fault(MPI_Comm comm, const char *phase);

/* In-place sums / extrema over all ranks. Collective. */
int kseg_comm_sum_i128(MPI_Comm comm, kseg_i128 *buf, int64_t count);
int kseg_comm_sum_i64(MPI_Comm comm, int64_t *buf, int64_t count);
int kseg_comm_max_f64(MPI_Comm comm, double *buf, int64_t count);
int kseg_comm_min_f64(MPI_Comm comm, double *buf, int64_t count);
int kseg_comm_max_i64(MPI_Comm comm, int64_t *buf, int64_t count);
int kseg_comm_min_i64(MPI_Comm comm, int64_t *buf, int64_t count);
/* Exclusive prefix sum of one int128 (rank 0 gets 0). Collective. */
int kseg_comm_exscan_i128(MPI_Comm comm, kseg_i128 value, kseg_i128 *prefix);
/* Broadcast `bytes` bytes from `root`, chunked. Collective. */
int kseg_comm_bcast(MPI_Comm comm, void *buf, int64_t bytes, int root);

/* Wall-clock seconds (MPI_Wtime). Local. */
double kseg_now(void);

#ifdef __cplusplus
}
#endif

#endif
