/* internal.h - what the CSV import's files share (not installed): the
 * reductions of per-column evidence and offending values across ranks. */
#ifndef KSEG_IO_CSV_INTERNAL_H
#define KSEG_IO_CSV_INTERNAL_H

#include <mpi.h>

#include "kseg/kseg_csv.h"

/* Merge every rank's evidence of n columns into every rank's ev[n]
 * (kseg_csv_evidence_merge, commutative). Collective; status agreed. */
int kseg_csv_allreduce_evidence(MPI_Comm comm, kseg_csv_evidence *ev, int n);

/* The same for offending values (kseg_csv_offending_merge). */
int kseg_csv_allreduce_offending(MPI_Comm comm, kseg_csv_offending *o, int n);

#endif
