/* checkpoint.c - a k-means fit's state on disk and back (kseg_checkpoint.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kseg/kseg_checkpoint.h"
#include "kseg/kseg_comm.h"
#include "kseg/kseg_error.h"
#include "kseg/kseg_h5io.h"
#include "kseg/kseg_hash.h"

int kseg_checkpoint_fingerprint(MPI_Comm comm, const kseg_matrix *x, const kseg_kmeans_options *opt, char *buf,
                                size_t size)
{
  uint64_t h = 0, g = 0;
  KSEG_CHECK(kseg_hash_matrix_values(comm, x, &h));
  if (opt->init == KSEG_INIT_GIVEN) g = kseg_hash_values(opt->init_centroids, opt->k * x->d, KSEG_F64, 0);
  snprintf(buf, size, "kseg-fit-checkpoint 1 n=%lld d=%lld dtype=%d data=%016llx k=%lld init=%s given=%016llx "
           "n_init=%d max_iter=%d tol=%a seed=%llu algorithm=%s",
           (long long)x->n_global, (long long)x->d, (int)x->dtype, (unsigned long long)h, (long long)opt->k,
           kseg_kmeans_init_name(opt->init), (unsigned long long)g, opt->n_init, opt->max_iter, opt->tol,
           (unsigned long long)opt->seed, kseg_kmeans_algorithm_name(opt->algorithm));
  return KSEG_OK;
}

int kseg_checkpoint_attach(MPI_Comm comm, kseg_checkpoint *c, const char *path, int every, const kseg_matrix *x,
                           kseg_kmeans_options *opt)
{
  const kseg_checkpoint_saved_fn saved = c->saved;
  void *saved_ctx = c->saved_ctx;
  kseg_checkpoint_clear(c);
  *c = (kseg_checkpoint){.path = path, .k = opt->k, .d = x->d, .saved = saved, .saved_ctx = saved_ctx};
  KSEG_CHECK(kseg_checkpoint_fingerprint(comm, x, opt, c->fingerprint, sizeof c->fingerprint));
  opt->checkpoint = kseg_checkpoint_save;
  opt->checkpoint_ctx = c;
  opt->checkpoint_every = every;
  return KSEG_OK;
}

int kseg_checkpoint_save(MPI_Comm comm, const kseg_kmeans_checkpoint *cp, void *ctx)
{
  const kseg_checkpoint *c = ctx;
  const int64_t dims[2] = {c->k, c->d};
  kseg_h5_writer *w = NULL;
  KSEG_CHECK(kseg_h5_create(comm, c->path, &w));
  int st = kseg_h5_write_small(w, "/centroids", KSEG_F64, 2, dims, cp->centroids);
  if (!st) st = kseg_h5_write_small(w, "/prev", KSEG_F64, 2, dims, cp->prev);
  if (!st && cp->best_restart >= 0) st = kseg_h5_write_small(w, "/best_centroids", KSEG_F64, 2, dims, cp->best_centroids);
  if (!st && cp->best_restart >= 0) st = kseg_h5_write_small(w, "/best_assigned", KSEG_F64, 2, dims, cp->best_assigned);
  if (!st) st = kseg_h5_attr_str(w, "/", "fingerprint", c->fingerprint);
  if (!st) st = kseg_h5_attr_f64(w, "/", "restart", cp->restart);
  if (!st) st = kseg_h5_attr_f64(w, "/", "iter", cp->iter);
  if (!st) st = kseg_h5_attr_f64(w, "/", "best_restart", cp->best_restart);
  if (!st) st = kseg_h5_attr_f64(w, "/", "best_inertia", cp->best_inertia);
  if (!st) st = kseg_h5_attr_f64(w, "/", "best_n_iter", cp->best_n_iter);
  if (!st) st = kseg_h5_attr_f64(w, "/", "best_converged", cp->best_converged ? 1 : 0);
  if (!st) st = kseg_comm_fault(comm, "fit_checkpoint"); /* test builds: a failure mid-write */
  st = kseg_h5_finish(&w, st);
  if (!st && c->saved) c->saved(c->saved_ctx, c->path, cp->restart, cp->iter);
  return st;
}

static int read_k_by_d(MPI_Comm comm, const kseg_checkpoint *c, const char *dataset, double **out)
{
  int64_t dims[2] = {0, 0};
  KSEG_CHECK(kseg_h5_read_small_f64(comm, c->path, dataset, dims, out));
  if (dims[0] != c->k || dims[1] != c->d)
    return kseg_error_set(KSEG_ERR_INPUT, "checkpoint %s:%s is %lld x %lld; expected %lld x %lld", c->path, dataset,
                          (long long)dims[0], (long long)dims[1], (long long)c->k, (long long)c->d);
  return KSEG_OK;
}

int kseg_checkpoint_resume(MPI_Comm comm, kseg_checkpoint *c, kseg_kmeans_options *opt)
{
  int exists = kseg_comm_rank(comm) == 0 ? access(c->path, F_OK) == 0 : 0;
  KSEG_CHECK(kseg_comm_agree(comm, kseg_comm_bcast(comm, &exists, sizeof exists, 0)));
  if (!exists)
    return kseg_error_set(KSEG_ERR_INPUT, "checkpoint %s does not exist (run without --resume to start afresh)",
                          c->path);
  char *fp = NULL;
  int st = kseg_h5_read_attr_str(comm, c->path, "/", "fingerprint", &fp);
  if (!st && strcmp(fp, c->fingerprint) != 0)
    st = kseg_error_set(KSEG_ERR_INPUT,
                        "checkpoint %s was written for other data or options (%s); this run is %s; remove it or "
                        "use another --checkpoint", c->path, fp, c->fingerprint);
  free(fp);
  KSEG_CHECK(kseg_comm_agree(comm, st));
  double v[6];
  static const char *const names[6] = {"restart", "iter", "best_restart", "best_inertia", "best_n_iter",
                                       "best_converged"};
  for (int i = 0; i < 6; i++) KSEG_CHECK(kseg_h5_read_attr_f64(comm, c->path, "/", names[i], &v[i]));
  kseg_kmeans_checkpoint *r = &c->resumed;
  r->restart = (int)v[0];
  r->iter = (int)v[1];
  r->best_restart = (int)v[2];
  r->best_inertia = v[3];
  r->best_n_iter = (int)v[4];
  r->best_converged = v[5] != 0;
  st = read_k_by_d(comm, c, "/centroids", &c->centroids);
  if (!st) st = read_k_by_d(comm, c, "/prev", &c->prev);
  if (!st && r->best_restart >= 0) st = read_k_by_d(comm, c, "/best_centroids", &c->best_centroids);
  if (!st && r->best_restart >= 0) st = read_k_by_d(comm, c, "/best_assigned", &c->best_assigned);
  r->centroids = c->centroids;
  r->prev = c->prev;
  r->best_centroids = c->best_centroids;
  r->best_assigned = c->best_assigned;
  st = kseg_comm_agree(comm, st);
  if (!st) opt->resume = r;
  return st;
}

void kseg_checkpoint_discard(MPI_Comm comm, const kseg_checkpoint *c)
{
  if (kseg_comm_rank(comm) == 0 && c->path) remove(c->path);
}

void kseg_checkpoint_clear(kseg_checkpoint *c)
{
  if (!c) return;
  free(c->centroids);
  free(c->prev);
  free(c->best_centroids);
  free(c->best_assigned);
  memset(c, 0, sizeof *c);
}
