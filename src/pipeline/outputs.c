/* outputs.c - raw.h5, features.h5 and result.h5 (kseg_outputs.h); the
 * h5io writer gives each its temporary name and the rename at the end. */
#include <stdlib.h>

#include "kseg/kseg_comm.h"
#include "kseg/kseg_error.h"
#include "kseg/kseg_h5io.h"
#include "kseg/kseg_outputs.h"

int kseg_outputs_write_raw(MPI_Comm comm, const char *path, const kseg_table *raw, const char *source)
{
  kseg_h5_writer *w = NULL;
  KSEG_CHECK(kseg_h5_create(comm, path, &w));
  int st = kseg_h5_write_table(w, raw);
  if (!st) st = kseg_h5_attr_str(w, "/raw", "source", source);
  return kseg_h5_finish(&w, st);
}

int kseg_outputs_write_features(MPI_Comm comm, const char *path, const char *dataset, const kseg_matrix *x,
                                const kseg_prep_model *prep, const int8_t *fit_mask)
{
  kseg_h5_writer *w = NULL;
  KSEG_CHECK(kseg_h5_create(comm, path, &w));
  int st = kseg_h5_write_rows(w, dataset, KSEG_F64, x->n_global, x->d, x->row0, x->n_local, x->data);
  if (!st && x->columns) st = kseg_h5_attr_strings(w, dataset, "columns", (const char *const *)x->columns, x->d);
  if (!st) st = kseg_prep_save(comm, w, "/prep", prep);
  if (!st && fit_mask) {
    int32_t *m32 = kseg_malloc(sizeof(int32_t) * (size_t)(x->n_local + 1), "fit mask");
    st = kseg_comm_agree(comm, m32 ? KSEG_OK : KSEG_ERR_IO);
    for (int64_t i = 0; !st && i < x->n_local; i++) m32[i] = fit_mask[i];
    if (!st) st = kseg_h5_write_rows(w, "/prep/fit_mask", KSEG_I32, x->n_global, 0, x->row0, x->n_local, m32);
    free(m32);
  }
  if (!st) st = kseg_comm_fault(comm, "prep:write"); /* test builds: a failure before the rename */
  return kseg_h5_finish(&w, st);
}

/* The attributes that record how a fit was asked for. */
static int write_fit_options(kseg_h5_writer *w, const kseg_result_file *f)
{
  const kseg_kmeans_options *o = f->options;
  int st = kseg_h5_attr_str(w, "/", "init", f->init ? f->init : kseg_kmeans_init_name(o->init));
  /* a given start makes every restart the same, so one is run */
  if (!st) st = kseg_h5_attr_i64(w, "/", "n_init", o->init == KSEG_INIT_GIVEN ? 1 : o->n_init);
  if (!st) st = kseg_h5_attr_i64(w, "/", "max_iter", o->max_iter);
  if (!st) st = kseg_h5_attr_f64(w, "/", "tol", o->tol);
  if (!st) st = kseg_h5_attr_i64(w, "/", "seed", (int64_t)o->seed);
  if (!st) st = kseg_h5_attr_str(w, "/", "algorithm", f->algorithm ? f->algorithm : kseg_kmeans_algorithm_name(o->algorithm));
  if (!st) st = kseg_h5_attr_str(w, "/", "kernel", kseg_kmeans_algorithm_name(f->fit->algorithm));
  return st;
}

int kseg_outputs_write_result(MPI_Comm comm, const char *path, const kseg_result_file *f)
{
  int st = KSEG_OK;
  if (!f->labels && f->n_local > 0) st = kseg_error_set(KSEG_ERR_INPUT, "result %s: no labels to write", path);
  else if (f->options && !f->fit) st = kseg_error_set(KSEG_ERR_INPUT, "result %s: fit options without a fit", path);
  KSEG_CHECK(kseg_comm_agree(comm, st));
  kseg_h5_writer *w = NULL;
  KSEG_CHECK(kseg_h5_create(comm, path, &w));
  st = kseg_h5_write_rows(w, "/labels", KSEG_I32, f->n_global, 0, f->row0, f->n_local, f->labels);
  if (!st && f->distance) st = kseg_h5_write_rows(w, "/distance", KSEG_F64, f->n_global, 0, f->row0, f->n_local, f->distance);
  if (!st && f->segment_names) st = kseg_h5_attr_strings(w, "/labels", "segment_names", f->segment_names, f->k);
  if (!st && f->fit) {
    const int64_t dims[2] = {f->fit->k, f->fit->d};
    st = kseg_h5_write_small(w, "/centroids", KSEG_F64, 2, dims, f->fit->centroids);
    if (!st && f->columns) st = kseg_h5_attr_strings(w, "/centroids", "columns", f->columns, f->fit->d);
  }
  if (!st) st = kseg_h5_attr_i64(w, "/", "k", f->k);
  if (!st && f->fit) {
    st = kseg_h5_attr_f64(w, "/", "inertia", f->fit->inertia);
    if (!st) st = kseg_h5_attr_i64(w, "/", "n_iter", f->fit->n_iter);
    if (!st) st = kseg_h5_attr_i64(w, "/", "converged", f->fit->converged ? 1 : 0);
  }
  if (!st && f->options) st = write_fit_options(w, f);
  if (!st && f->recommended_k) st = kseg_h5_attr_i64(w, "/", "recommended_k", f->recommended_k);
  if (!st && f->model) st = kseg_h5_attr_str(w, "/", "model", f->model);
  if (!st && f->input) st = kseg_h5_attr_str(w, "/", "input", f->input);
  if (!st && f->dataset) st = kseg_h5_attr_str(w, "/", "dataset", f->dataset);
  return kseg_h5_finish(&w, st);
}
