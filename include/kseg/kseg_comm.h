/* kseg_comm.h - MPI helpers: row partitions, error agreement, reductions.
 *
 * All functions marked Collective must be called by every rank of `comm` in
 * the same order. Counts are 64-bit; MPI calls above 2^30 elements are chunked
 * (kseg_comm_set_chunk_limit).
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

/* All-to-all exchange of records of `size` bytes: send_counts[r] records of
 * `send`, grouped by destination in rank order, go to rank r. *recv gets the
 * records received (malloc'd, free with free(); in source-rank order, each
 * source's in its order) and *n_recv their number; recv_counts (P entries,
 * may be NULL) how many came from each rank. Counts of any size: calls that
 * would pass more than the chunk limit are split into rounds of at most that
 * many records (through round buffers). Collective; status agreed. */
int kseg_comm_exchange(MPI_Comm comm, const void *send, const int64_t *send_counts, size_t size, void **recv,
                       int64_t *n_recv, int64_t *recv_counts);

/* Send `send_count` elements of `type` (`elem` bytes each) to rank `dest`
 * and receive `recv_count` from rank `source`, as MPI_Sendrecv with 64-bit
 * counts: pieces of at most the chunk limit, in order. The two ranks must
 * agree on the count between them. Local to the pair (point to point). */
int kseg_comm_sendrecv(MPI_Comm comm, const void *send, int64_t send_count, int dest, void *recv, int64_t recv_count,
                       int source, MPI_Datatype type, size_t elem, int tag);

/* The most elements one MPI call is given by the helpers above (a call with
 * more is split): 2^30 unless changed. Set it to `limit` (> 0; 0 restores
 * the default) and return the previous value; tests use a tiny limit to run
 * the chunked paths. In builds with KSEG_FAULT_INJECTION the environment
 * variable KSEG_MPI_CHUNK sets the initial value. Not thread-safe; Local
 * (every rank must set the same value). */
int64_t kseg_comm_set_chunk_limit(int64_t limit);

/* Wall-clock seconds (MPI_Wtime). Local. */
double kseg_now(void);

#ifdef __cplusplus
}
#endif

#endif
