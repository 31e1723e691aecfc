/* team.h - the autoencoder's training steps shared by the ranks of one node.
 *
 * With a static split of each batch, every step ends in an allreduce, so a
 * step progresses only while every rank holds a core: beside another busy
 * process, 2 ranks on 2 cores were slower than 1. In a team, the ranks of a
 * node put their rows in shared memory and any rank computes any part of a
 * step: a batch is cut into chunks, each rank claims chunks until none is
 * left, computes the ones another rank claimed but has not finished (a peer
 * off its core), and adds the chunks' exact sums itself. A rank that was
 * descheduled finds the steps it missed already summed and only applies
 * them. The sums are exact integers, so the weights are the bits of the
 * static split whoever computes which chunk.
 *
 * Private to features/autoencoder. */
#ifndef KSEG_AE_TEAM_H
#define KSEG_AE_TEAM_H

#include <mpi.h>
#include <stdint.h>

#include "kseg/kseg_comm.h"

typedef struct ae_team ae_team;

/* The sums of one chunk: rows[0..m) (pointers into the team's shared rows)
 * through the network, their exact gradient, loss and counts into
 * out[0..len). */
typedef void (*ae_team_work)(void *ctx, const double *const *rows, int64_t m, kseg_i128 *out);

/* Set up a team of the ranks of comm for X (n_local x D, this rank's rows)
 * and sums of len values, for epochs of at most n_batches batches.
 * *out = NULL where a team does not apply: one rank, ranks on several
 * nodes, a rank with several threads (they share its steps already), sums
 * too large for the shared ring, or KSEG_AE_TEAM=0 in the environment.
 * A team holds a copy of the rows in shared memory (8 D bytes a row) and a
 * ring of at most 64 MiB.
 * Collective; status agreed. */
int ae_team_open(MPI_Comm comm, const double *X, int64_t n_local, int D, int threads, int64_t len,
                 int64_t n_batches, ae_team **out);

/* Where this rank writes its epoch's training rows in batch order (local
 * indices, at most n_local) and where each batch starts (n_batches + 1
 * values: first[b] the first of batch b, first[n_batches] their count): its
 * arrays in the shared memory, which the other ranks read once
 * ae_team_epoch has made them visible. Write them only when every rank has
 * finished the previous epoch's steps. Local. */
int64_t *ae_team_rows(ae_team *t);
int64_t *ae_team_first(ae_team *t);

/* This rank's rows and batch starts of the epoch made visible to the team.
 * Collective. */
int ae_team_epoch(ae_team *t);

/* Step `step` (counted over all epochs, the same on every rank), batch b of
 * the epoch: the batch's sums over the whole team into buf[0..len). Local:
 * it waits for another rank only when that one is a whole ring of steps
 * behind. */
void ae_team_step(ae_team *t, int64_t step, int64_t b, ae_team_work work, void *ctx, kseg_i128 *buf);

/* Release the team (NULL is fine). Collective where *t is set. */
void ae_team_close(ae_team **t);

#endif
