/* kseg_h5io.h - partitioned parallel HDF5: matrices, the columnar raw table,
 * small root-identical datasets and attributes, written under a temporary name
 * and renamed when complete.
 *
 * Layouts (DESIGN.md): a matrix is a 2-D dataset N x D (float64 or float32,
 * attribute `columns`); the raw table is group /raw with one 1-D dataset of
 * length N per column (numeric/date: float64, NaN = missing; categorical:
 * int32 codes with attribute `levels`; string: fixed-length strings), attribute
 * `kind` on each column and attribute `columns` on /raw in file order (the
 * names as written). A column's dataset is named as the column, except that
 * '%', '/' and a leading '.' are written %25, %2F and %2E. Optional
 * attributes: on a column `decimal` (","), `unit` ("%", a currency) and
 * `date_order` ("DMY", "MDY", "YMD"): kseg_col_format, how its text was
 * written; on /raw `id_column`, the identifier column.
 *
 * Every rank owns rows [row0, row0 + n_local) of kseg_partition(N, P, rank);
 * reads and writes are collective MPI-IO hyperslabs. Ranks with no rows work.
 */
#ifndef KSEG_H5IO_H
#define KSEG_H5IO_H

#include <mpi.h>
#include <stddef.h>
#include <stdint.h>

#include "kseg/kseg_types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Read this rank's row block of the 2-D dataset `dataset` of `path` (float64
 * or float32 kept as stored). Errors: missing file (KSEG_ERR_INPUT, names the
 * file), not HDF5, missing dataset, not 2-D, not floating point: all
 * KSEG_ERR_INPUT naming file and dataset. Collective; result agreed. */
int kseg_h5_read_matrix(MPI_Comm comm, const char *path, const char *dataset, kseg_matrix *out);

/* Read a 1-D int32 dataset's row block (e.g. /labels). Collective. */
int kseg_h5_read_labels(MPI_Comm comm, const char *path, const char *dataset, int64_t *n_global,
                        int64_t *row0, int64_t *n_local, int32_t **labels);

/* Read a whole small dataset (any rank, any shape <= 2-D) onto every rank,
 * converted to float64. dims[1] = 1 for 1-D. Collective. */
int kseg_h5_read_small_f64(MPI_Comm comm, const char *path, const char *dataset, int64_t dims[2],
                           double **data);

/* ---- the raw table ---- */

/* Read this rank's row block of /raw (all columns when names == NULL, else
 * the n_names listed, in that order; a missing one is KSEG_ERR_INPUT naming it).
 * Collective; result agreed. */
int kseg_h5_read_table(MPI_Comm comm, const char *path, const char *const *names, int n_names,
                       kseg_table *out);
/* The same for a table laid out as /raw under another group (a model's
 * schema: a table of zero rows). */
int kseg_h5_read_table_at(MPI_Comm comm, const char *path, const char *group, const char *const *names,
                          int n_names, kseg_table *out);

/* ---- writing ---- */

typedef struct kseg_h5_writer kseg_h5_writer;

/* Create `path` for writing under a temporary name beside it. An empty path
 * or a directory is KSEG_ERR_INPUT; a failure to create (directory missing,
 * not writable) is KSEG_ERR_IO naming the path.
 * Collective; result agreed. */
int kseg_h5_create(MPI_Comm comm, const char *path, kseg_h5_writer **w);

/* Write this rank's block of an N x D dataset (d == 0: 1-D of length N).
 * Intermediate groups are created. Collective. */
int kseg_h5_write_rows(kseg_h5_writer *w, const char *dataset, kseg_dtype type, int64_t n_global,
                       int64_t d, int64_t row0, int64_t n_local, const void *data);

/* Create an N x D dataset (d == 0: 1-D) without writing rows, to be filled
 * by kseg_h5_write_rows_at, e.g. in rounds that bound memory. Collective. */
int kseg_h5_create_rows(kseg_h5_writer *w, const char *dataset, kseg_dtype type, int64_t n_global, int64_t d);

/* Write this rank's rows [row0, row0 + n_local) into an existing dataset
 * (from kseg_h5_create_rows or kseg_h5_write_rows; string datasets take
 * fixed-width bytes, `type` ignored). Every rank makes the same number of
 * calls; n_local may be 0. Collective. */
int kseg_h5_write_rows_at(kseg_h5_writer *w, const char *dataset, kseg_dtype type, int64_t row0, int64_t n_local,
                          const void *data);

/* Write a small dataset whose content is identical on every rank (root
 * writes it). ndims 1 or 2. Collective. */
int kseg_h5_write_small(kseg_h5_writer *w, const char *dataset, kseg_dtype type, int ndims,
                        const int64_t *dims, const void *data);

/* Attributes on an existing object (group or dataset; "/" for the file);
 * values identical on every rank. Collective. */
int kseg_h5_attr_f64(kseg_h5_writer *w, const char *object, const char *name, double value);
int kseg_h5_attr_i64(kseg_h5_writer *w, const char *object, const char *name, int64_t value);
int kseg_h5_attr_str(kseg_h5_writer *w, const char *object, const char *name, const char *value);
int kseg_h5_attr_strings(kseg_h5_writer *w, const char *object, const char *name,
                         const char *const *values, int64_t count);
/* Create a group (and parents) if absent. Collective. */
int kseg_h5_group(kseg_h5_writer *w, const char *group);

/* Write a whole raw table as /raw (layout above): kseg_h5_create_table then
 * kseg_h5_write_table_rows. Collective. */
int kseg_h5_write_table(kseg_h5_writer *w, const kseg_table *t);

/* Create the /raw layout of `t` (every column at length t->n_global, kinds,
 * levels, formats, the `columns` and `id_column` attributes) without rows.
 * Collective. */
int kseg_h5_create_table(kseg_h5_writer *w, const kseg_table *t);
/* The same layout under another group (no rows are ever written there by
 * kseg_h5_write_table_rows, which writes /raw: for a zero-row schema). */
int kseg_h5_create_table_at(kseg_h5_writer *w, const char *group, const kseg_table *t);

/* Write t's current row block [t->row0, t->row0 + t->n_local) of every
 * column into a layout made by kseg_h5_create_table; call it once per round
 * with the block of that round. Collective. */
int kseg_h5_write_table_rows(kseg_h5_writer *w, const kseg_table *t);

/* Close and rename the temporary file to its final name (replacing any old
 * file). `status` is the caller's status so far; the ranks agree on it first,
 * and on failure the temporary file is removed and the old output is left
 * untouched. Returns the agreed status. *w is freed and set to NULL. Collective. */
int kseg_h5_finish(kseg_h5_writer **w, int status);

/* ---- reading attributes ---- */
/* Read a scalar attribute of `object` in `path`; KSEG_ERR_INPUT if absent. Collective. */
int kseg_h5_read_attr_f64(MPI_Comm comm, const char *path, const char *object, const char *name, double *value);
int kseg_h5_read_attr_str(MPI_Comm comm, const char *path, const char *object, const char *name, char **value);
/* Read a list-of-strings attribute: *values (count strings, each and the
 * array owned by the caller: free each, then the array). KSEG_ERR_INPUT if
 * absent or not strings. Collective. */
int kseg_h5_read_attr_strings(MPI_Comm comm, const char *path, const char *object, const char *name,
                              char ***values, int64_t *count);
/* *exists = 1 when `object` (a group or dataset path) is in the HDF5 file
 * `path`, else 0; a missing or non-HDF5 file is KSEG_ERR_INPUT. Collective. */
int kseg_h5_exists(MPI_Comm comm, const char *path, const char *object, int *exists);

/* The communicator a writer was created on. Local. */
MPI_Comm kseg_h5_writer_comm(const kseg_h5_writer *w);

#ifdef __cplusplus
}
#endif

#endif
