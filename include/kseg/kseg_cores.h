/* kseg_cores.h - ranks x threads that fit the machine.
 *
 * A rank's OpenMP threads should use the cores it may run on (its affinity
 * mask) shared fairly with the other ranks of its node that may run there
 * too, never more: on a 2-core machine, 1 rank runs 2 threads, 2 or 3
 * unpinned ranks 1 each; 4 ranks bound to 8 cores each run 8. Results never
 * depend on the counts (every sum is exact), only the speed does. */
#ifndef KSEG_CORES_H
#define KSEG_CORES_H

#include <mpi.h>
#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct kseg_cores {
  int node_ranks;      /* ranks on this rank's node (MPI_COMM_TYPE_SHARED) */
  int sharers;         /* ranks of the node whose affinity masks overlap this rank's, itself included */
  int mask_cores;      /* CPUs in this rank's affinity mask */
  int node_cores;      /* CPUs in the union of the node's masks */
  int threads;         /* the fair share: mask_cores / sharers, at least 1 */
  int node_threads;    /* threads the node's ranks run, with `requested` where given */
  bool oversubscribed; /* some node runs more threads than it has cores (the same on every rank) */
  /* the oversubscribed node with the lowest rank, for the warning: its ranks,
   * threads per rank (the most) and cores; 0 when none */
  int worst_ranks, worst_threads, worst_cores;
} kseg_cores;

/* Plan the threads of every rank of comm: `requested` is the thread count a
 * rank will run when the user chose it (OMP_NUM_THREADS), 0 to take the fair
 * share. Fills *out on every rank. Collective. KSEG_ERR_IO on an MPI
 * failure (agreed). */
int kseg_cores_plan(MPI_Comm comm, int requested, kseg_cores *out);

#ifdef __cplusplus
}
#endif

#endif
