/* cores.c - ranks x threads that fit the machine (kseg_cores.h). */
#define _GNU_SOURCE /* sched_getaffinity, CPU_SET */
#include "kseg/kseg_cores.h"

#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include "kseg/kseg_comm.h"
#include "kseg/kseg_error.h"

/* This rank's affinity mask; every CPU when it cannot be read. */
static void own_mask(cpu_set_t *set)
{
  CPU_ZERO(set);
  if (sched_getaffinity(0, sizeof *set, set) != 0 || CPU_COUNT(set) == 0)
    for (int c = 0; c < CPU_SETSIZE; c++) CPU_SET(c, set);
}

int kseg_cores_plan(MPI_Comm comm, int requested, kseg_cores *out)
{
  memset(out, 0, sizeof *out);
  MPI_Comm node = MPI_COMM_NULL;
  int st = kseg_comm_check(MPI_Comm_split_type(comm, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &node),
                           "MPI_Comm_split_type");
  KSEG_CHECK(kseg_comm_agree(comm, st));
  const int nr = kseg_comm_size(node), me = kseg_comm_rank(node);
  cpu_set_t mine;
  own_mask(&mine);
  cpu_set_t *all = kseg_malloc((size_t)nr * sizeof *all, "affinity masks");
  int *want = kseg_malloc((size_t)nr * sizeof *want, "thread counts");
  st = all && want ? KSEG_OK : KSEG_ERR_IO;
  if (!st)
    st = kseg_comm_check(MPI_Allgather(&mine, (int)sizeof mine, MPI_BYTE, all, (int)sizeof mine, MPI_BYTE, node),
                         "MPI_Allgather (affinity masks)");
  st = kseg_comm_agree(comm, st);
  if (st) goto done;
  cpu_set_t any;
  CPU_ZERO(&any);
  out->node_ranks = nr;
  out->mask_cores = CPU_COUNT(&mine);
  for (int r = 0; r < nr; r++) {
    CPU_OR(&any, &any, &all[r]);
    cpu_set_t both;
    CPU_AND(&both, &mine, &all[r]);
    out->sharers += CPU_COUNT(&both) > 0;
  }
  out->node_cores = CPU_COUNT(&any);
  out->threads = out->mask_cores / (out->sharers > 0 ? out->sharers : 1);
  if (out->threads < 1) out->threads = 1;
  const int runs = requested > 0 ? requested : out->threads;
  st = kseg_comm_check(MPI_Allgather(&runs, 1, MPI_INT, want, 1, MPI_INT, node), "MPI_Allgather (threads)");
  st = kseg_comm_agree(comm, st);
  if (st) goto done;
  int most = 0;
  for (int r = 0; r < nr; r++) {
    out->node_threads += want[r];
    most = want[r] > most ? want[r] : most;
  }
  /* the lowest world rank of an oversubscribed node reports it */
  const int world = kseg_comm_rank(comm), size = kseg_comm_size(comm);
  int report[4] = {out->node_threads > out->node_cores && me == 0 ? world : size, nr, most, out->node_cores};
  int first = report[0];
  st = kseg_comm_check(MPI_Allreduce(MPI_IN_PLACE, &first, 1, MPI_INT, MPI_MIN, comm), "MPI_Allreduce");
  if (!st && first < size)
    st = kseg_comm_check(MPI_Bcast(report + 1, 3, MPI_INT, first, comm), "MPI_Bcast (oversubscribed node)");
  st = kseg_comm_agree(comm, st);
  if (st) goto done;
  out->oversubscribed = first < size;
  if (out->oversubscribed) {
    out->worst_ranks = report[1];
    out->worst_threads = report[2];
    out->worst_cores = report[3];
  }
done:
  free(all);
  free(want);
  if (node != MPI_COMM_NULL) MPI_Comm_free(&node);
  return st;
}
