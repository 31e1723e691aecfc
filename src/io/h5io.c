/* h5io.c - partitioned parallel HDF5 (layouts in kseg_h5io.h).
 *
 * Every function that touches a file is collective over the communicator it
 * was given and agrees on its status before returning, so a failure seen by
 * one rank (a bad dataset shape, an MPI-IO error) reaches every rank.
 * HDF5's own error printing is switched off: messages are ours.
 */
#include "kseg/kseg_h5io.h"

#include <errno.h>
#include <hdf5.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kseg/kseg_comm.h"
#include "kseg/kseg_error.h"
#include "kseg/kseg_strings.h"

struct kseg_h5_writer {
  MPI_Comm comm;
  hid_t file;
  char *path; /* final name */
  char *tmp;  /* name while being written */
};

static hid_t native_type(kseg_dtype t)
{
  switch (t) {
  case KSEG_F64: return H5T_NATIVE_DOUBLE;
  case KSEG_F32: return H5T_NATIVE_FLOAT;
  case KSEG_I32: return H5T_NATIVE_INT32;
  case KSEG_I64: return H5T_NATIVE_INT64;
  }
  return H5T_NATIVE_DOUBLE;
}

static void quiet_hdf5(void) { H5Eset_auto2(H5E_DEFAULT, NULL, NULL); }

/* ---- opening ---- */

static hid_t mpio_fapl(MPI_Comm comm)
{
  hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
  if (fapl < 0) return fapl;
  H5Pset_fapl_mpio(fapl, comm, MPI_INFO_NULL);
  /* Metadata reads and writes collective: one rank reads, the rest receive. */
  H5Pset_all_coll_metadata_ops(fapl, 1);
  H5Pset_coll_metadata_write(fapl, 1);
  return fapl;
}

/* Does the absolute object path exist (every component)? */
static int object_exists(hid_t file, const char *path)
{
  if (strcmp(path, "/") == 0) return 1;
  char buf[1024];
  snprintf(buf, sizeof buf, "%s", path);
  for (char *p = buf + 1;; p++) {
    if (*p == '/' || *p == '\0') {
      char saved = *p;
      *p = '\0';
      if (H5Lexists(file, buf, H5P_DEFAULT) <= 0) return 0;
      if (saved == '\0') break;
      *p = saved;
    }
  }
  return H5Oexists_by_name(file, path, H5P_DEFAULT) > 0;
}

/* Open `path` read-only on every rank; *file < 0 on failure. Agreed. */
static int open_for_read(MPI_Comm comm, const char *path, hid_t *file)
{
  quiet_hdf5();
  *file = H5I_INVALID_HID;
  int st = KSEG_OK;
  if (access(path, R_OK) != 0)
    st = kseg_error_set(KSEG_ERR_INPUT, "cannot read %s: %s", path, strerror(errno));
  else if (H5Fis_hdf5(path) <= 0)
    st = kseg_error_set(KSEG_ERR_INPUT, "%s is not an HDF5 file", path);
  st = kseg_comm_agree(comm, st);
  if (st) return st;
  hid_t fapl = mpio_fapl(comm);
  *file = H5Fopen(path, H5F_ACC_RDONLY, fapl);
  H5Pclose(fapl);
  if (*file < 0) st = kseg_error_set(KSEG_ERR_IO, "cannot open %s with parallel HDF5", path);
  st = kseg_comm_agree(comm, st);
  if (st && *file >= 0) {
    H5Fclose(*file);
    *file = H5I_INVALID_HID;
  }
  return st;
}

/* Open a dataset, with a message naming file and dataset when absent. */
static int open_dataset(hid_t file, const char *path, const char *dataset, hid_t *dset)
{
  *dset = H5I_INVALID_HID;
  if (!dataset || dataset[0] != '/')
    return kseg_error_set(KSEG_ERR_INPUT, "dataset path '%s' must start with '/'", dataset ? dataset : "");
  if (!object_exists(file, dataset))
    return kseg_error_set(KSEG_ERR_INPUT, "%s has no dataset %s", path, dataset);
  H5O_info_t info;
  if (H5Oget_info_by_name(file, dataset, &info, H5P_DEFAULT) < 0 || info.type != H5O_TYPE_DATASET)
    return kseg_error_set(KSEG_ERR_INPUT, "%s: %s is not a dataset", path, dataset);
  *dset = H5Dopen2(file, dataset, H5P_DEFAULT);
  if (*dset < 0) return kseg_error_set(KSEG_ERR_IO, "%s: cannot open dataset %s", path, dataset);
  return KSEG_OK;
}

/* Dimensions of a dataset (rank <= 2 reported in dims). */
static int dataset_shape(hid_t dset, int *ndims, hsize_t dims[2])
{
  hid_t space = H5Dget_space(dset);
  if (space < 0) return kseg_error_set(KSEG_ERR_IO, "cannot read a dataspace");
  int n = H5Sget_simple_extent_ndims(space);
  hsize_t all[H5S_MAX_RANK];
  if (n > 0) H5Sget_simple_extent_dims(space, all, NULL);
  H5Sclose(space);
  *ndims = n;
  dims[0] = n > 0 ? all[0] : 1;
  dims[1] = n > 1 ? all[1] : 1;
  return KSEG_OK;
}

/* Select this rank's rows [row0, row0 + n_local) of an N x d (ndims 1 or 2)
 * dataspace, and make the matching memory space; a rank with no rows selects
 * nothing (it still takes part in the collective call). */
static hid_t select_block(hid_t fspace, int ndims, int64_t row0, int64_t n_local, hsize_t d)
{
  hsize_t start[2] = {(hsize_t)row0, 0}, count[2] = {(hsize_t)n_local, d};
  hsize_t mdims[2] = {n_local > 0 ? (hsize_t)n_local : 1, d > 0 ? d : 1};
  hid_t mspace = H5Screate_simple(ndims, mdims, NULL);
  if (n_local > 0 && d > 0) {
    H5Sselect_hyperslab(fspace, H5S_SELECT_SET, start, NULL, count, NULL);
  } else {
    H5Sselect_none(fspace);
    H5Sselect_none(mspace);
  }
  return mspace;
}

static hid_t collective_dxpl(void)
{
  hid_t dxpl = H5Pcreate(H5P_DATASET_XFER);
  H5Pset_dxpl_mpio(dxpl, H5FD_MPIO_COLLECTIVE);
  return dxpl;
}

/* Collective read of rows [row0, row0 + n_local) of a 1-D or 2-D dataset. */
static int read_rows(hid_t dset, hid_t memtype, int ndims, hsize_t d, int64_t row0, int64_t n_local, void *buf,
                     const char *path, const char *dataset)
{
  hid_t fspace = H5Dget_space(dset);
  hssize_t total = H5Sget_simple_extent_npoints(fspace);
  if (total == 0) { /* empty dataset: every rank skips alike */
    H5Sclose(fspace);
    return KSEG_OK;
  }
  hid_t mspace = select_block(fspace, ndims, row0, n_local, d);
  hid_t dxpl = collective_dxpl();
  char dummy[16];
  herr_t rc = H5Dread(dset, memtype, mspace, fspace, dxpl, buf ? buf : dummy);
  H5Pclose(dxpl);
  H5Sclose(mspace);
  H5Sclose(fspace);
  return rc < 0 ? kseg_error_set(KSEG_ERR_IO, "%s:%s: collective read failed", path, dataset) : KSEG_OK;
}

/* Read a string-array attribute (variable or fixed length). *out owned by caller. */
static int read_string_attr(hid_t obj, const char *name, char ***out, int64_t *count)
{
  *out = NULL;
  *count = 0;
  if (H5Aexists(obj, name) <= 0) return KSEG_OK;
  int st = KSEG_OK;
  hid_t attr = H5Aopen(obj, name, H5P_DEFAULT);
  hid_t ftype = H5Aget_type(attr), space = H5Aget_space(attr);
  hssize_t n = H5Sget_simple_extent_npoints(space);
  if (H5Tget_class(ftype) != H5T_STRING || n < 0) {
    st = kseg_error_set(KSEG_ERR_INPUT, "attribute %s is not a list of strings", name);
    goto done;
  }
  char **names = kseg_calloc((size_t)n + 1, sizeof *names, "attribute strings");
  if (!names) { st = KSEG_ERR_IO; goto done; }
  if (H5Tis_variable_str(ftype) > 0) {
    hid_t mtype = H5Tcopy(H5T_C_S1);
    H5Tset_size(mtype, H5T_VARIABLE);
    H5Tset_cset(mtype, H5Tget_cset(ftype));
    char **raw = kseg_calloc((size_t)n + 1, sizeof *raw, "attribute strings");
    if (raw && H5Aread(attr, mtype, raw) >= 0) {
      for (hssize_t i = 0; i < n; i++) names[i] = kseg_strings_dup(raw[i] ? raw[i] : "");
      H5Dvlen_reclaim(mtype, space, H5P_DEFAULT, raw);
    } else {
      st = kseg_error_set(KSEG_ERR_IO, "cannot read attribute %s", name);
    }
    free(raw);
    H5Tclose(mtype);
  } else {
    size_t w = H5Tget_size(ftype);
    char *flat = kseg_calloc((size_t)n, w + 1, "attribute strings");
    hid_t mtype = H5Tcopy(H5T_C_S1);
    H5Tset_size(mtype, w + 1);
    H5Tset_strpad(mtype, H5T_STR_NULLTERM);
    if (flat && H5Aread(attr, mtype, flat) >= 0) {
      for (hssize_t i = 0; i < n; i++) names[i] = kseg_strings_dup(flat + (size_t)i * (w + 1));
    } else {
      st = kseg_error_set(KSEG_ERR_IO, "cannot read attribute %s", name);
    }
    free(flat);
    H5Tclose(mtype);
  }
  for (hssize_t i = 0; st == KSEG_OK && i < n; i++)
    if (!names[i]) st = KSEG_ERR_IO;
  if (st) {
    kseg_strings_free(&names, n);
  } else {
    *out = names;
    *count = n;
  }
done:
  H5Sclose(space);
  H5Tclose(ftype);
  H5Aclose(attr);
  return st;
}

/* Read a scalar string attribute; *out NULL when absent. */
static int read_scalar_string_attr(hid_t obj, const char *name, char **out)
{
  char **list = NULL;
  int64_t n = 0;
  *out = NULL;
  KSEG_CHECK(read_string_attr(obj, name, &list, &n));
  if (n >= 1) *out = list[0];
  for (int64_t i = 1; i < n; i++) free(list[i]);
  free(list);
  return KSEG_OK;
}

/* ---- matrices ---- */

int kseg_h5_read_matrix(MPI_Comm comm, const char *path, const char *dataset, kseg_matrix *out)
{
  memset(out, 0, sizeof *out);
  hid_t file, dset = H5I_INVALID_HID, ftype = H5I_INVALID_HID;
  KSEG_CHECK(open_for_read(comm, path, &file));
  int st = open_dataset(file, path, dataset, &dset);
  int ndims = 0;
  hsize_t dims[2] = {0, 0};
  if (!st) st = dataset_shape(dset, &ndims, dims);
  if (!st && ndims != 2)
    st = kseg_error_set(KSEG_ERR_INPUT, "%s:%s is %d-D; expected a 2-D matrix (rows x columns)", path, dataset,
                        ndims);
  if (!st) {
    ftype = H5Dget_type(dset);
    if (H5Tget_class(ftype) != H5T_FLOAT)
      st = kseg_error_set(KSEG_ERR_INPUT, "%s:%s is not floating point (float32 or float64 expected)", path,
                          dataset);
  }
  st = kseg_comm_agree(comm, st);
  if (st) goto fail;

  out->n_global = (int64_t)dims[0];
  out->d = (int64_t)dims[1];
  out->dtype = H5Tget_size(ftype) <= 4 ? KSEG_F32 : KSEG_F64;
  kseg_partition(out->n_global, kseg_comm_size(comm), kseg_comm_rank(comm), &out->row0, &out->n_local);
  size_t bytes = (size_t)out->n_local * (size_t)out->d * kseg_dtype_size(out->dtype);
  out->data = kseg_malloc_big(bytes, "matrix rows");
  st = kseg_comm_agree(comm, out->data ? KSEG_OK : KSEG_ERR_IO);
  if (st) goto fail;
  st = read_rows(dset, native_type(out->dtype), 2, dims[1], out->row0, out->n_local, out->data, path, dataset);
  if (!st) st = kseg_comm_fault(comm, "read");
  if (!st) {
    char **names = NULL;
    int64_t n = 0;
    st = read_string_attr(dset, "columns", &names, &n);
    if (!st && names && n == out->d) out->columns = names;
    else kseg_strings_free(&names, n);
  }
  st = kseg_comm_agree(comm, st);
fail:
  if (ftype >= 0) H5Tclose(ftype);
  if (dset >= 0) H5Dclose(dset);
  H5Fclose(file);
  if (st) kseg_matrix_clear(out);
  return st;
}

int kseg_h5_read_labels(MPI_Comm comm, const char *path, const char *dataset, int64_t *n_global, int64_t *row0,
                        int64_t *n_local, int32_t **labels)
{
  *labels = NULL;
  hid_t file, dset = H5I_INVALID_HID;
  KSEG_CHECK(open_for_read(comm, path, &file));
  int st = open_dataset(file, path, dataset, &dset);
  int ndims = 0;
  hsize_t dims[2] = {0, 0};
  if (!st) st = dataset_shape(dset, &ndims, dims);
  if (!st && ndims != 1) st = kseg_error_set(KSEG_ERR_INPUT, "%s:%s is %d-D; expected 1-D labels", path, dataset, ndims);
  if (!st) {
    hid_t t = H5Dget_type(dset);
    if (H5Tget_class(t) != H5T_INTEGER)
      st = kseg_error_set(KSEG_ERR_INPUT, "%s:%s is not an integer dataset", path, dataset);
    H5Tclose(t);
  }
  st = kseg_comm_agree(comm, st);
  if (!st) {
    *n_global = (int64_t)dims[0];
    kseg_partition(*n_global, kseg_comm_size(comm), kseg_comm_rank(comm), row0, n_local);
    *labels = kseg_malloc((size_t)*n_local * sizeof **labels, "labels");
    st = kseg_comm_agree(comm, *labels ? KSEG_OK : KSEG_ERR_IO);
  }
  if (!st) st = kseg_comm_agree(comm, read_rows(dset, H5T_NATIVE_INT32, 1, 1, *row0, *n_local, *labels, path, dataset));
  if (dset >= 0) H5Dclose(dset);
  H5Fclose(file);
  if (st) {
    free(*labels);
    *labels = NULL;
  }
  return st;
}

int kseg_h5_read_small_f64(MPI_Comm comm, const char *path, const char *dataset, int64_t dims_out[2], double **data)
{
  *data = NULL;
  hid_t file, dset = H5I_INVALID_HID;
  KSEG_CHECK(open_for_read(comm, path, &file));
  int st = open_dataset(file, path, dataset, &dset);
  int ndims = 0;
  hsize_t dims[2] = {0, 0};
  if (!st) st = dataset_shape(dset, &ndims, dims);
  if (!st && (ndims < 1 || ndims > 2))
    st = kseg_error_set(KSEG_ERR_INPUT, "%s:%s is %d-D; expected 1-D or 2-D", path, dataset, ndims);
  if (!st) {
    hid_t t = H5Dget_type(dset);
    H5T_class_t c = H5Tget_class(t);
    if (c != H5T_FLOAT && c != H5T_INTEGER)
      st = kseg_error_set(KSEG_ERR_INPUT, "%s:%s is not numeric", path, dataset);
    H5Tclose(t);
  }
  st = kseg_comm_agree(comm, st);
  if (!st) {
    dims_out[0] = (int64_t)dims[0];
    dims_out[1] = (int64_t)dims[1];
    *data = kseg_malloc((size_t)(dims[0] * dims[1]) * sizeof **data, "small dataset");
    st = kseg_comm_agree(comm, *data ? KSEG_OK : KSEG_ERR_IO);
  }
  if (!st) {
    /* Small: every rank reads all of it (independent I/O). */
    herr_t rc = H5Dread(dset, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, *data);
    st = kseg_comm_agree(comm, rc < 0 ? kseg_error_set(KSEG_ERR_IO, "%s:%s: read failed", path, dataset) : KSEG_OK);
  }
  if (dset >= 0) H5Dclose(dset);
  H5Fclose(file);
  if (st) {
    free(*data);
    *data = NULL;
  }
  return st;
}

/* ---- the raw table ---- */

static kseg_col_kind kind_from_name(const char *kind, hid_t ftype)
{
  if (kind) {
    if (strcmp(kind, "date") == 0) return KSEG_COL_DATE;
    if (strcmp(kind, "categorical") == 0) return KSEG_COL_CATEGORICAL;
    if (strcmp(kind, "string") == 0) return KSEG_COL_STRING;
    if (strcmp(kind, "numeric") == 0) return KSEG_COL_NUMERIC;
  }
  return H5Tget_class(ftype) == H5T_STRING ? KSEG_COL_STRING : KSEG_COL_NUMERIC;
}

/* Read one column's row block. Collective. */
static int read_column(hid_t file, const char *path, const char *name, int64_t *n_global, kseg_column *c,
                       MPI_Comm comm)
{
  char dpath[1200];
  snprintf(dpath, sizeof dpath, "/raw/%s", name);
  hid_t dset = H5I_INVALID_HID, ftype = H5I_INVALID_HID;
  int st = open_dataset(file, path, dpath, &dset);
  if (st == KSEG_ERR_INPUT && !object_exists(file, dpath)) {
    kseg_error_clear();
    st = kseg_error_set(KSEG_ERR_INPUT, "%s: no column '%s' in /raw", path, name);
  }
  int ndims = 0;
  hsize_t dims[2] = {0, 0};
  if (!st) st = dataset_shape(dset, &ndims, dims);
  if (!st && ndims != 1) st = kseg_error_set(KSEG_ERR_INPUT, "%s: column %s is not 1-D", path, name);
  if (!st && *n_global >= 0 && (int64_t)dims[0] != *n_global)
    st = kseg_error_set(KSEG_ERR_INPUT, "%s: column %s has %llu rows, the first column %lld", path, name,
                        (unsigned long long)dims[0], (long long)*n_global);
  char *kind = NULL;
  if (!st) {
    ftype = H5Dget_type(dset);
    st = read_scalar_string_attr(dset, "kind", &kind);
  }
  st = kseg_comm_agree(comm, st);
  if (st) goto done;
  if (*n_global < 0) *n_global = (int64_t)dims[0];
  int64_t row0, n_local;
  kseg_partition(*n_global, kseg_comm_size(comm), kseg_comm_rank(comm), &row0, &n_local);
  c->name = kseg_strings_dup(name);
  c->kind = kind_from_name(kind, ftype);
  size_t n = (size_t)n_local;
  hid_t mtype = H5I_INVALID_HID;
  void *buf = NULL;
  switch (c->kind) {
  case KSEG_COL_NUMERIC:
  case KSEG_COL_DATE:
    buf = c->num = kseg_malloc(n * sizeof(double), "column");
    mtype = H5Tcopy(H5T_NATIVE_DOUBLE);
    break;
  case KSEG_COL_CATEGORICAL:
    buf = c->codes = kseg_malloc(n * sizeof(int32_t), "column");
    mtype = H5Tcopy(H5T_NATIVE_INT32);
    int64_t n_levels = 0;
    st = read_string_attr(dset, "levels", &c->levels, &n_levels);
    c->n_levels = (int32_t)n_levels;
    break;
  case KSEG_COL_STRING:
    if (H5Tis_variable_str(ftype) > 0) {
      st = kseg_error_set(KSEG_ERR_INPUT, "%s: column %s holds variable-length strings; kseg reads fixed-length",
                          path, name);
      break;
    }
    c->str_width = (int32_t)H5Tget_size(ftype);
    buf = c->str = kseg_calloc(n ? n : 1, (size_t)c->str_width, "column");
    mtype = H5Tcopy(H5T_C_S1);
    H5Tset_size(mtype, (size_t)c->str_width);
    H5Tset_strpad(mtype, H5T_STR_NULLPAD);
    H5Tset_cset(mtype, H5Tget_cset(ftype)); /* HDF5 will not convert ASCII <-> UTF-8 */
    break;
  }
  if (!st && (!c->name || !buf)) st = KSEG_ERR_IO;
  st = kseg_comm_agree(comm, st);
  if (!st) {
    st = read_rows(dset, mtype, 1, 1, row0, n_local, buf, path, dpath);
    st = kseg_comm_agree(comm, st);
  }
  if (mtype >= 0) H5Tclose(mtype);
done:
  free(kind);
  if (ftype >= 0) H5Tclose(ftype);
  if (dset >= 0) H5Dclose(dset);
  return st;
}

int kseg_h5_read_table(MPI_Comm comm, const char *path, const char *const *names, int n_names, kseg_table *out)
{
  memset(out, 0, sizeof *out);
  hid_t file, raw = H5I_INVALID_HID;
  KSEG_CHECK(open_for_read(comm, path, &file));
  int st = KSEG_OK;
  char **all = NULL;
  int64_t n_all = 0;
  if (!object_exists(file, "/raw"))
    st = kseg_error_set(KSEG_ERR_INPUT, "%s has no /raw table (write one with kseg import or kseg generate)", path);
  if (!st) {
    raw = H5Gopen2(file, "/raw", H5P_DEFAULT);
    st = read_string_attr(raw, "columns", &all, &n_all);
    if (!st && !all) st = kseg_error_set(KSEG_ERR_INPUT, "%s: /raw has no 'columns' attribute", path);
  }
  st = kseg_comm_agree(comm, st);
  if (st) goto done;
  int n = names ? n_names : (int)n_all;
  out->cols = kseg_calloc((size_t)n, sizeof *out->cols, "table columns");
  st = kseg_comm_agree(comm, out->cols ? KSEG_OK : KSEG_ERR_IO);
  if (st) goto done;
  out->n_global = -1;
  for (int i = 0; i < n && !st; i++) {
    st = read_column(file, path, names ? names[i] : all[i], &out->n_global, &out->cols[i], comm);
    out->n_cols = i + 1;
  }
  if (out->n_global < 0) out->n_global = 0;
  kseg_partition(out->n_global, kseg_comm_size(comm), kseg_comm_rank(comm), &out->row0, &out->n_local);
done:
  kseg_strings_free(&all, n_all);
  if (raw >= 0) H5Gclose(raw);
  H5Fclose(file);
  if (st) kseg_table_clear(out);
  return st;
}

/* ---- writing ---- */

int kseg_h5_create(MPI_Comm comm, const char *path, kseg_h5_writer **out)
{
  quiet_hdf5();
  *out = NULL;
  int st = KSEG_OK;
  kseg_h5_writer *w = kseg_calloc(1, sizeof *w, "writer");
  if (!w) return kseg_comm_agree(comm, KSEG_ERR_IO);
  w->comm = comm;
  w->file = H5I_INVALID_HID;
  /* The temporary name is beside the output (rename is atomic within a
   * directory) and unique per job: the root's pid, broadcast. */
  long pid = (long)getpid();
  MPI_Bcast(&pid, 1, MPI_LONG, 0, comm);
  size_t len = strlen(path) + 64;
  w->path = kseg_strings_dup(path);
  w->tmp = kseg_malloc(len, "path");
  if (!w->path || !w->tmp) st = KSEG_ERR_IO;
  struct stat sb;
  if (!st && path[0] == '\0') st = kseg_error_set(KSEG_ERR_INPUT, "the output path is empty");
  else if (!st && stat(path, &sb) == 0 && S_ISDIR(sb.st_mode))
    st = kseg_error_set(KSEG_ERR_INPUT, "cannot write %s: it is a directory", path);
  if (!st) {
    snprintf(w->tmp, len, "%s.tmp.%ld", path, pid);
    if (kseg_comm_rank(comm) == 0) {
      char *copy = kseg_strings_dup(path);
      const char *dir = copy ? dirname(copy) : ".";
      if (access(dir, W_OK) != 0) st = kseg_error_set(KSEG_ERR_IO, "cannot write %s: %s", path, strerror(errno));
      free(copy);
    }
  }
  st = kseg_comm_agree(comm, st);
  if (!st) {
    hid_t fapl = mpio_fapl(comm);
    w->file = H5Fcreate(w->tmp, H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
    H5Pclose(fapl);
    if (w->file < 0) st = kseg_error_set(KSEG_ERR_IO, "cannot create %s", w->tmp);
    st = kseg_comm_agree(comm, st);
  }
  if (st) {
    kseg_h5_finish(&w, st);
    return st;
  }
  *out = w;
  return KSEG_OK;
}

/* Object creation properties: no timestamps, so files are byte-identical
 * whatever the rank count or time of day. */
static hid_t untimed_ocpl(hid_t cls)
{
  hid_t p = H5Pcreate(cls);
  H5Pset_obj_track_times(p, 0);
  return p;
}

int kseg_h5_group(kseg_h5_writer *w, const char *group)
{
  char buf[1024];
  snprintf(buf, sizeof buf, "%s", group);
  int st = KSEG_OK;
  hid_t gcpl = untimed_ocpl(H5P_GROUP_CREATE);
  for (char *p = buf + 1; !st; p++) {
    if (*p == '/' || *p == '\0') {
      char saved = *p;
      *p = '\0';
      if (buf[0] && strcmp(buf, "/") != 0 && H5Lexists(w->file, buf, H5P_DEFAULT) <= 0) {
        hid_t g = H5Gcreate2(w->file, buf, H5P_DEFAULT, gcpl, H5P_DEFAULT);
        if (g < 0) st = kseg_error_set(KSEG_ERR_IO, "%s: cannot create group %s", w->path, buf);
        else H5Gclose(g);
      }
      if (saved == '\0') break;
      *p = saved;
    }
  }
  H5Pclose(gcpl);
  return kseg_comm_agree(w->comm, st);
}

/* Ensure the parent group of a dataset path exists. */
static int ensure_parent(kseg_h5_writer *w, const char *dataset)
{
  const char *slash = strrchr(dataset, '/');
  if (!slash || slash == dataset) return KSEG_OK;
  char parent[1024];
  snprintf(parent, sizeof parent, "%.*s", (int)(slash - dataset), dataset);
  return kseg_h5_group(w, parent);
}

static hid_t create_dataset(kseg_h5_writer *w, const char *dataset, hid_t ftype, int ndims, const hsize_t *dims)
{
  hid_t space = H5Screate_simple(ndims, dims, NULL);
  hid_t dcpl = untimed_ocpl(H5P_DATASET_CREATE);
  H5Pset_fill_time(dcpl, H5D_FILL_TIME_NEVER);
  H5Pset_alloc_time(dcpl, H5D_ALLOC_TIME_EARLY);
  if (H5Lexists(w->file, dataset, H5P_DEFAULT) > 0) H5Ldelete(w->file, dataset, H5P_DEFAULT);
  hid_t d = H5Dcreate2(w->file, dataset, ftype, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
  H5Pclose(dcpl);
  H5Sclose(space);
  return d;
}

/* Collective creation of an N x D (d == 0: 1-D) dataset of file type ftype. */
static int create_rows_typed(kseg_h5_writer *w, const char *dataset, hid_t ftype, int64_t n_global, int64_t d)
{
  KSEG_CHECK(ensure_parent(w, dataset));
  hsize_t dims[2] = {(hsize_t)n_global, (hsize_t)(d > 0 ? d : 1)};
  hid_t dset = create_dataset(w, dataset, ftype, d > 0 ? 2 : 1, dims);
  int st = dset < 0 ? kseg_error_set(KSEG_ERR_IO, "%s: cannot create dataset %s", w->path, dataset) : KSEG_OK;
  if (dset >= 0) H5Dclose(dset);
  return kseg_comm_agree(w->comm, st);
}

/* Collective write of rows [row0, row0 + n_local) into an existing dataset;
 * mtype < 0: the dataset's own type (fixed-width strings). */
static int write_rows_at_typed(kseg_h5_writer *w, const char *dataset, hid_t mtype, int64_t row0, int64_t n_local,
                               const void *data)
{
  int st = KSEG_OK;
  hid_t dset = H5Dopen2(w->file, dataset, H5P_DEFAULT);
  if (dset < 0) st = kseg_error_set(KSEG_ERR_IO, "%s: no dataset %s to write rows into", w->path, dataset);
  st = kseg_comm_agree(w->comm, st);
  if (st) return st;
  hid_t fspace = H5Dget_space(dset), own_type = H5I_INVALID_HID;
  if (mtype < 0) mtype = own_type = H5Dget_type(dset);
  int ndims = H5Sget_simple_extent_ndims(fspace);
  hsize_t dims[2] = {0, 1};
  H5Sget_simple_extent_dims(fspace, dims, NULL);
  if (ndims < 2) dims[1] = 1;
  if (dims[0] > 0 && dims[1] > 0) { /* an empty dataset: every rank skips alike */
    hid_t mspace = select_block(fspace, ndims, row0, n_local, dims[1]);
    hid_t dxpl = collective_dxpl();
    static const char dummy[16];
    if (H5Dwrite(dset, mtype, mspace, fspace, dxpl, data ? data : dummy) < 0)
      st = kseg_error_set(KSEG_ERR_IO, "%s: collective write of %s failed", w->path, dataset);
    H5Pclose(dxpl);
    H5Sclose(mspace);
  }
  if (own_type >= 0) H5Tclose(own_type);
  H5Sclose(fspace);
  H5Dclose(dset);
  return kseg_comm_agree(w->comm, st);
}

static int write_rows_typed(kseg_h5_writer *w, const char *dataset, hid_t ftype, hid_t mtype, int64_t n_global,
                            int64_t d, int64_t row0, int64_t n_local, const void *data)
{
  KSEG_CHECK(create_rows_typed(w, dataset, ftype, n_global, d));
  return write_rows_at_typed(w, dataset, mtype, row0, n_local, data);
}

int kseg_h5_create_rows(kseg_h5_writer *w, const char *dataset, kseg_dtype type, int64_t n_global, int64_t d)
{
  return create_rows_typed(w, dataset, native_type(type), n_global, d);
}

int kseg_h5_write_rows_at(kseg_h5_writer *w, const char *dataset, kseg_dtype type, int64_t row0, int64_t n_local,
                          const void *data)
{
  hid_t t = native_type(type);
  hid_t probe = H5Dopen2(w->file, dataset, H5P_DEFAULT);
  if (probe >= 0) { /* string datasets are written in their own fixed width */
    hid_t ft = H5Dget_type(probe);
    if (H5Tget_class(ft) == H5T_STRING) t = H5I_INVALID_HID;
    H5Tclose(ft);
    H5Dclose(probe);
  }
  return write_rows_at_typed(w, dataset, t, row0, n_local, data);
}

int kseg_h5_write_rows(kseg_h5_writer *w, const char *dataset, kseg_dtype type, int64_t n_global, int64_t d,
                       int64_t row0, int64_t n_local, const void *data)
{
  hid_t t = native_type(type);
  return write_rows_typed(w, dataset, t, t, n_global, d, row0, n_local, data);
}

int kseg_h5_write_small(kseg_h5_writer *w, const char *dataset, kseg_dtype type, int ndims, const int64_t *dims,
                        const void *data)
{
  int64_t n = dims[0], d = ndims > 1 ? dims[1] : 0;
  int root = kseg_comm_rank(w->comm) == 0;
  hid_t t = native_type(type);
  return write_rows_typed(w, dataset, t, t, n, d, 0, root ? n : 0, data);
}

static int write_attr(kseg_h5_writer *w, const char *object, const char *name, hid_t ftype, hid_t mtype,
                      hid_t space, const void *value)
{
  int st = KSEG_OK;
  hid_t obj = H5Oopen(w->file, object, H5P_DEFAULT);
  if (obj < 0) {
    st = kseg_error_set(KSEG_ERR_IO, "%s: no object %s for attribute %s", w->path, object, name);
  } else {
    if (H5Aexists(obj, name) > 0) H5Adelete(obj, name);
    hid_t a = H5Acreate2(obj, name, ftype, space, H5P_DEFAULT, H5P_DEFAULT);
    if (a < 0 || H5Awrite(a, mtype, value) < 0)
      st = kseg_error_set(KSEG_ERR_IO, "%s: cannot write attribute %s on %s", w->path, name, object);
    if (a >= 0) H5Aclose(a);
    H5Oclose(obj);
  }
  H5Sclose(space);
  return kseg_comm_agree(w->comm, st);
}

int kseg_h5_attr_f64(kseg_h5_writer *w, const char *object, const char *name, double value)
{
  return write_attr(w, object, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, H5Screate(H5S_SCALAR), &value);
}

int kseg_h5_attr_i64(kseg_h5_writer *w, const char *object, const char *name, int64_t value)
{
  return write_attr(w, object, name, H5T_STD_I64LE, H5T_NATIVE_INT64, H5Screate(H5S_SCALAR), &value);
}

static hid_t vlen_string_type(void)
{
  hid_t t = H5Tcopy(H5T_C_S1);
  H5Tset_size(t, H5T_VARIABLE);
  H5Tset_cset(t, H5T_CSET_UTF8);
  return t;
}

int kseg_h5_attr_str(kseg_h5_writer *w, const char *object, const char *name, const char *value)
{
  hid_t t = vlen_string_type();
  int st = write_attr(w, object, name, t, t, H5Screate(H5S_SCALAR), &value);
  H5Tclose(t);
  return st;
}

int kseg_h5_attr_strings(kseg_h5_writer *w, const char *object, const char *name, const char *const *values,
                         int64_t count)
{
  hid_t t = vlen_string_type();
  hsize_t dims[1] = {(hsize_t)count};
  hid_t space = count > 0 ? H5Screate_simple(1, dims, NULL) : H5Screate(H5S_NULL);
  int st = write_attr(w, object, name, t, t, space, values);
  H5Tclose(t);
  return st;
}

int kseg_h5_create_table(kseg_h5_writer *w, const kseg_table *t)
{
  KSEG_CHECK(kseg_h5_group(w, "/raw"));
  const char **names = kseg_calloc((size_t)t->n_cols + 1, sizeof *names, "column names");
  KSEG_CHECK(kseg_comm_agree(w->comm, names ? KSEG_OK : KSEG_ERR_IO));
  int st = KSEG_OK;
  char dpath[1200];
  for (int i = 0; i < t->n_cols && !st; i++) {
    const kseg_column *c = &t->cols[i];
    names[i] = c->name;
    snprintf(dpath, sizeof dpath, "/raw/%s", c->name);
    switch (c->kind) {
    case KSEG_COL_NUMERIC:
    case KSEG_COL_DATE: st = kseg_h5_create_rows(w, dpath, KSEG_F64, t->n_global, 0); break;
    case KSEG_COL_CATEGORICAL:
      st = kseg_h5_create_rows(w, dpath, KSEG_I32, t->n_global, 0);
      if (!st) st = kseg_h5_attr_strings(w, dpath, "levels", (const char *const *)c->levels, c->n_levels);
      break;
    case KSEG_COL_STRING: {
      hid_t st_type = H5Tcopy(H5T_C_S1);
      H5Tset_size(st_type, (size_t)(c->str_width > 0 ? c->str_width : 1));
      H5Tset_strpad(st_type, H5T_STR_NULLPAD);
      H5Tset_cset(st_type, H5T_CSET_UTF8);
      st = create_rows_typed(w, dpath, st_type, t->n_global, 0);
      H5Tclose(st_type);
      break;
    }
    }
    if (!st) st = kseg_h5_attr_str(w, dpath, "kind", kseg_col_kind_name(c->kind));
  }
  if (!st) st = kseg_h5_attr_strings(w, "/raw", "columns", names, t->n_cols);
  free(names);
  return st;
}

int kseg_h5_write_table_rows(kseg_h5_writer *w, const kseg_table *t)
{
  int st = KSEG_OK;
  char dpath[1200];
  for (int i = 0; i < t->n_cols && !st; i++) {
    const kseg_column *c = &t->cols[i];
    snprintf(dpath, sizeof dpath, "/raw/%s", c->name);
    switch (c->kind) {
    case KSEG_COL_NUMERIC:
    case KSEG_COL_DATE: st = kseg_h5_write_rows_at(w, dpath, KSEG_F64, t->row0, t->n_local, c->num); break;
    case KSEG_COL_CATEGORICAL: st = kseg_h5_write_rows_at(w, dpath, KSEG_I32, t->row0, t->n_local, c->codes); break;
    case KSEG_COL_STRING: st = write_rows_at_typed(w, dpath, H5I_INVALID_HID, t->row0, t->n_local, c->str); break;
    }
  }
  return st;
}

int kseg_h5_write_table(kseg_h5_writer *w, const kseg_table *t)
{
  KSEG_CHECK(kseg_h5_create_table(w, t));
  return kseg_h5_write_table_rows(w, t);
}

int kseg_h5_finish(kseg_h5_writer **wp, int status)
{
  kseg_h5_writer *w = *wp;
  if (!w) return status;
  if (status == KSEG_OK) status = kseg_comm_fault(w->comm, "write"); /* test builds: a late failure */
  int st = kseg_comm_agree(w->comm, status);
  if (w->file >= 0 && H5Fclose(w->file) < 0 && !st)
    st = kseg_error_set(KSEG_ERR_IO, "%s: closing the file failed", w->path);
  w->file = H5I_INVALID_HID;
  st = kseg_comm_agree(w->comm, st);
  if (kseg_comm_rank(w->comm) == 0 && w->tmp) {
    if (st == KSEG_OK) {
      if (rename(w->tmp, w->path) != 0) {
        st = kseg_error_set(KSEG_ERR_IO, "cannot rename %s to %s: %s", w->tmp, w->path, strerror(errno));
        unlink(w->tmp);
      }
    } else {
      unlink(w->tmp);
    }
  }
  st = kseg_comm_agree(w->comm, st);
  free(w->path);
  free(w->tmp);
  free(w);
  *wp = NULL;
  return st;
}

/* ---- attributes ---- */

static int open_object_for_attr(MPI_Comm comm, const char *path, const char *object, hid_t *file, hid_t *obj)
{
  *obj = H5I_INVALID_HID;
  KSEG_CHECK(open_for_read(comm, path, file));
  int st = KSEG_OK;
  if (!object_exists(*file, object)) st = kseg_error_set(KSEG_ERR_INPUT, "%s has no object %s", path, object);
  else *obj = H5Oopen(*file, object, H5P_DEFAULT);
  st = kseg_comm_agree(comm, st);
  if (st) H5Fclose(*file);
  return st;
}

int kseg_h5_read_attr_f64(MPI_Comm comm, const char *path, const char *object, const char *name, double *value)
{
  hid_t file, obj;
  KSEG_CHECK(open_object_for_attr(comm, path, object, &file, &obj));
  int st = KSEG_OK;
  if (H5Aexists(obj, name) <= 0) {
    st = kseg_error_set(KSEG_ERR_INPUT, "%s: %s has no attribute '%s'", path, object, name);
  } else {
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
    if (H5Aread(a, H5T_NATIVE_DOUBLE, value) < 0)
      st = kseg_error_set(KSEG_ERR_INPUT, "%s: attribute %s of %s is not a number", path, name, object);
    H5Aclose(a);
  }
  H5Oclose(obj);
  H5Fclose(file);
  return kseg_comm_agree(comm, st);
}

int kseg_h5_read_attr_str(MPI_Comm comm, const char *path, const char *object, const char *name, char **value)
{
  hid_t file, obj;
  KSEG_CHECK(open_object_for_attr(comm, path, object, &file, &obj));
  int st = read_scalar_string_attr(obj, name, value);
  if (!st && !*value) st = kseg_error_set(KSEG_ERR_INPUT, "%s: %s has no attribute '%s'", path, object, name);
  H5Oclose(obj);
  H5Fclose(file);
  return kseg_comm_agree(comm, st);
}

int kseg_h5_read_attr_strings(MPI_Comm comm, const char *path, const char *object, const char *name,
                              char ***values, int64_t *count)
{
  hid_t file, obj;
  *values = NULL;
  *count = 0;
  KSEG_CHECK(open_object_for_attr(comm, path, object, &file, &obj));
  int st = KSEG_OK;
  if (H5Aexists(obj, name) <= 0) st = kseg_error_set(KSEG_ERR_INPUT, "%s: %s has no attribute '%s'", path, object, name);
  else st = read_string_attr(obj, name, values, count);
  H5Oclose(obj);
  H5Fclose(file);
  st = kseg_comm_agree(comm, st);
  if (st) {
    kseg_strings_free(values, *count);
    *count = 0;
  }
  return st;
}

int kseg_h5_exists(MPI_Comm comm, const char *path, const char *object, int *exists)
{
  hid_t file;
  *exists = 0;
  KSEG_CHECK(open_for_read(comm, path, &file));
  *exists = object_exists(file, object);
  H5Fclose(file);
  return KSEG_OK;
}

MPI_Comm kseg_h5_writer_comm(const kseg_h5_writer *w) { return w->comm; }
