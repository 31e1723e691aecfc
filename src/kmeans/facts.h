/* facts.h - what a fit needs to know about the matrix alone; not part of the
 * public API. */
#ifndef KSEG_KMEANS_FACTS_H
#define KSEG_KMEANS_FACTS_H

#include <stdbool.h>

#include "kmeans/internal.h"

/* kseg_kmeans_facts_compute, with the mean variance (two more passes over
 * the rows) only when `variance`. Collective, result agreed. */
int kseg_km_facts(MPI_Comm comm, const kseg_matrix *x, bool variance, kseg_kmeans_facts *facts);

#endif
