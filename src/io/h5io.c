/* h5io.c - partitioned parallel HDF5 (layouts in kseg_h5io.h).
 *
 * Every function that touches a file is collective over the communicator it
 * was given and agrees on its status before returning, so a failure seen by
 * one rank (a bad dataset shape, an MPI-IO error) reaches every rank.
 * HDF5's own error printing is switched off: messages are ours. Every HDF5
 * status is checked (h5_ok); identifiers are released through close_id,
 * which reports a failed close on a path that had not failed yet.
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

/* HDF5 signals failure with a negative value (herr_t, hid_t, htri_t, ...). */
static int h5_ok(int64_t rc, const char *what, const char *path)
{
  if (rc >= 0) return KSEG_OK;
  return kseg_error_set(KSEG_ERR_IO, "%s: HDF5 %s failed", path ? path : "HDF5", what);
}

/* Release any identifier kseg opened (not a predefined type); NULL-safe for
 * H5I_INVALID_HID. A failure becomes the status when st was KSEG_OK. */
static int close_id(hid_t id, int st)
{
  if (id < 0) return st;
  herr_t rc;
  switch (H5Iget_type(id)) {
  case H5I_FILE: rc = H5Fclose(id); break;
  case H5I_GROUP: rc = H5Gclose(id); break;
  case H5I_DATATYPE: rc = H5Tclose(id); break;
  case H5I_DATASPACE: rc = H5Sclose(id); break;
  case H5I_DATASET: rc = H5Dclose(id); break;
  case H5I_ATTR: rc = H5Aclose(id); break;
  case H5I_GENPROP_LST: rc = H5Pclose(id); break;
  default: rc = H5Idec_ref(id) < 0 ? -1 : 0; break;
  }
  if (rc < 0 && st == KSEG_OK) st = kseg_error_set(KSEG_ERR_IO, "HDF5 close of an object failed");
  return st;
}

static int quiet_hdf5(void) { return h5_ok(H5Eset_auto2(H5E_DEFAULT, NULL, NULL), "H5Eset_auto2", NULL); }

/* ---- opening ---- */

/* A file access list for collective MPI-IO; < 0 (recorded) on failure.
 * Collective (it duplicates comm): call it on every rank or on none. */
static hid_t mpio_fapl(MPI_Comm comm, const char *path)
{
  hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
  int st = h5_ok(fapl, "H5Pcreate (file access)", path);
  if (!st) st = h5_ok(H5Pset_fapl_mpio(fapl, comm, MPI_INFO_NULL), "H5Pset_fapl_mpio", path);
  /* Metadata reads and writes collective: one rank reads, the rest receive. */
  if (!st) st = h5_ok(H5Pset_all_coll_metadata_ops(fapl, 1), "H5Pset_all_coll_metadata_ops", path);
  if (!st) st = h5_ok(H5Pset_coll_metadata_write(fapl, 1), "H5Pset_coll_metadata_write", path);
  if (!st) return fapl;
  close_id(fapl, st);
  return H5I_INVALID_HID;
}

/* Does the absolute object path exist (every component)? 1 or 0, or < 0
 * (recorded) when HDF5 cannot tell. */
static int object_exists(hid_t file, const char *path)
{
  if (strcmp(path, "/") == 0) return 1;
  char buf[1024];
  snprintf(buf, sizeof buf, "%s", path);
  for (char *p = buf + 1;; p++) {
    if (*p == '/' || *p == '\0') {
      char saved = *p;
      *p = '\0';
      htri_t e = H5Lexists(file, buf, H5P_DEFAULT);
      if (e < 0) return h5_ok(e, "H5Lexists", path), -1;
      if (e == 0) return 0;
      if (saved == '\0') break;
      *p = saved;
    }
  }
  htri_t e = H5Oexists_by_name(file, path, H5P_DEFAULT);
  if (e < 0) return h5_ok(e, "H5Oexists_by_name", path), -1;
  return e > 0;
}

/* Open `path` read-only on every rank; *file < 0 on failure. Agreed. */
static int open_for_read(MPI_Comm comm, const char *path, hid_t *file)
{
  *file = H5I_INVALID_HID;
  int st = quiet_hdf5();
  htri_t is_h5 = 0;
  if (st) {
  } else if (access(path, R_OK) != 0) {
    st = kseg_error_set(KSEG_ERR_INPUT, "cannot read %s: %s", path, strerror(errno));
  } else if ((is_h5 = H5Fis_hdf5(path)) <= 0) {
    st = is_h5 < 0 ? kseg_error_set(KSEG_ERR_INPUT, "%s cannot be read as HDF5", path)
                   : kseg_error_set(KSEG_ERR_INPUT, "%s is not an HDF5 file", path);
  }
  st = kseg_comm_agree(comm, st);
  if (st) return st;
  hid_t fapl = mpio_fapl(comm, path);
  if (fapl >= 0) {
    *file = H5Fopen(path, H5F_ACC_RDONLY, fapl);
    if (*file < 0) st = kseg_error_set(KSEG_ERR_IO, "cannot open %s with parallel HDF5", path);
    st = close_id(fapl, st);
  } else {
    st = KSEG_ERR_IO;
  }
  st = kseg_comm_agree(comm, st);
  if (st) {
    close_id(*file, st);
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
  int exists = object_exists(file, dataset);
  if (exists < 0) return KSEG_ERR_IO;
  if (!exists) return kseg_error_set(KSEG_ERR_INPUT, "%s has no dataset %s", path, dataset);
  H5O_info_t info;
  if (H5Oget_info_by_name(file, dataset, &info, H5P_DEFAULT) < 0 || info.type != H5O_TYPE_DATASET)
    return kseg_error_set(KSEG_ERR_INPUT, "%s: %s is not a dataset", path, dataset);
  *dset = H5Dopen2(file, dataset, H5P_DEFAULT);
  if (*dset < 0) return kseg_error_set(KSEG_ERR_IO, "%s: cannot open dataset %s", path, dataset);
  return KSEG_OK;
}

/* Dimensions of a dataspace (rank <= 2 reported in dims). */
static int space_shape(hid_t space, int *ndims, hsize_t dims[2])
{
  int n = H5Sget_simple_extent_ndims(space);
  hsize_t all[H5S_MAX_RANK];
  if (n < 0 || (n > 0 && H5Sget_simple_extent_dims(space, all, NULL) < 0))
    return kseg_error_set(KSEG_ERR_IO, "cannot read a dataspace's shape");
  *ndims = n;
  dims[0] = n > 0 ? all[0] : 1;
  dims[1] = n > 1 ? all[1] : 1;
  return KSEG_OK;
}

/* Dimensions of a dataset (rank <= 2 reported in dims). */
static int dataset_shape(hid_t dset, int *ndims, hsize_t dims[2])
{
  hid_t space = H5Dget_space(dset);
  if (space < 0) return kseg_error_set(KSEG_ERR_IO, "cannot read a dataspace");
  return close_id(space, space_shape(space, ndims, dims));
}

/* Select this rank's rows [row0, row0 + n_local) of an N x d (ndims 1 or 2)
 * dataspace, and make the matching memory space (*mspace); a rank with no
 * rows selects nothing (it still takes part in the collective call). */
static int select_block(hid_t fspace, int ndims, int64_t row0, int64_t n_local, hsize_t d, hid_t *mspace)
{
  hsize_t start[2] = {(hsize_t)row0, 0}, count[2] = {(hsize_t)n_local, d};
  hsize_t mdims[2] = {n_local > 0 ? (hsize_t)n_local : 1, d > 0 ? d : 1};
  *mspace = H5Screate_simple(ndims, mdims, NULL);
  int st = h5_ok(*mspace, "H5Screate_simple", NULL);
  if (!st && n_local > 0 && d > 0) {
    st = h5_ok(H5Sselect_hyperslab(fspace, H5S_SELECT_SET, start, NULL, count, NULL), "H5Sselect_hyperslab", NULL);
  } else if (!st) {
    st = h5_ok(H5Sselect_none(fspace), "H5Sselect_none", NULL);
    if (!st) st = h5_ok(H5Sselect_none(*mspace), "H5Sselect_none", NULL);
  }
  return st;
}

/* A transfer list for collective MPI-IO; < 0 (recorded) on failure. */
static hid_t collective_dxpl(void)
{
  hid_t dxpl = H5Pcreate(H5P_DATASET_XFER);
  int st = h5_ok(dxpl, "H5Pcreate (transfer)", NULL);
  if (!st) st = h5_ok(H5Pset_dxpl_mpio(dxpl, H5FD_MPIO_COLLECTIVE), "H5Pset_dxpl_mpio", NULL);
  if (!st) return dxpl;
  close_id(dxpl, st);
  return H5I_INVALID_HID;
}

/* Collective read of rows [row0, row0 + n_local) of a 1-D or 2-D dataset.
 * Agreed (the set-up is agreed on before the collective read). */
static int read_rows(MPI_Comm comm, hid_t dset, hid_t memtype, int ndims, hsize_t d, int64_t row0, int64_t n_local,
                     void *buf, const char *path, const char *dataset)
{
  hid_t fspace = H5Dget_space(dset), mspace = H5I_INVALID_HID, dxpl = H5I_INVALID_HID;
  int st = h5_ok(fspace, "H5Dget_space", path);
  hssize_t total = st ? 0 : H5Sget_simple_extent_npoints(fspace);
  if (!st) st = h5_ok(total, "H5Sget_simple_extent_npoints", path);
  st = kseg_comm_agree(comm, st);
  if (!st && total > 0) { /* an empty dataset: every rank skips alike */
    st = select_block(fspace, ndims, row0, n_local, d, &mspace);
    if (!st && (dxpl = collective_dxpl()) < 0) st = KSEG_ERR_IO;
    st = kseg_comm_agree(comm, st);
    char dummy[16];
    if (!st && H5Dread(dset, memtype, mspace, fspace, dxpl, buf ? buf : dummy) < 0)
      st = kseg_error_set(KSEG_ERR_IO, "%s:%s: collective read failed", path, dataset);
  }
  st = close_id(dxpl, st);
  st = close_id(mspace, st);
  st = close_id(fspace, st);
  return kseg_comm_agree(comm, st);
}

/* A string memory type of `size` bytes (H5T_VARIABLE: variable length) in
 * character set `cset`, padded as `pad` (fixed length); < 0 (recorded) on failure. */
static hid_t string_type(size_t size, H5T_cset_t cset, H5T_str_t pad)
{
  hid_t t = H5Tcopy(H5T_C_S1);
  int st = h5_ok(t, "H5Tcopy", NULL);
  if (!st) st = h5_ok(H5Tset_size(t, size), "H5Tset_size", NULL);
  if (!st) st = h5_ok(H5Tset_cset(t, cset), "H5Tset_cset", NULL);
  if (!st && size != H5T_VARIABLE) st = h5_ok(H5Tset_strpad(t, pad), "H5Tset_strpad", NULL);
  if (!st) return t;
  close_id(t, st);
  return H5I_INVALID_HID;
}

/* Read a string-array attribute (variable or fixed length); *out NULL when
 * absent. *out owned by caller. */
static int read_string_attr(hid_t obj, const char *name, char ***out, int64_t *count)
{
  *out = NULL;
  *count = 0;
  htri_t exists = H5Aexists(obj, name);
  if (exists <= 0) return h5_ok(exists, "H5Aexists", name);
  hid_t attr = H5Aopen(obj, name, H5P_DEFAULT), ftype = H5I_INVALID_HID, space = H5I_INVALID_HID,
        mtype = H5I_INVALID_HID;
  int st = h5_ok(attr, "H5Aopen", name);
  if (!st) st = h5_ok(ftype = H5Aget_type(attr), "H5Aget_type", name);
  if (!st) st = h5_ok(space = H5Aget_space(attr), "H5Aget_space", name);
  hssize_t n = st ? -1 : H5Sget_simple_extent_npoints(space);
  H5T_class_t cls = st ? H5T_NO_CLASS : H5Tget_class(ftype);
  if (!st && (cls != H5T_STRING || n < 0))
    st = kseg_error_set(KSEG_ERR_INPUT, "attribute %s is not a list of strings", name);
  char **names = NULL;
  if (!st && !(names = kseg_calloc((size_t)n + 1, sizeof *names, "attribute strings"))) st = KSEG_ERR_IO;
  htri_t vlen = st ? 0 : H5Tis_variable_str(ftype);
  H5T_cset_t cset = st ? H5T_CSET_ERROR : H5Tget_cset(ftype);
  if (!st && (vlen < 0 || cset < 0)) st = h5_ok(-1, "string type query", name);
  if (!st && vlen) {
    char **raw = kseg_calloc((size_t)n + 1, sizeof *raw, "attribute strings");
    if (!raw || (mtype = string_type(H5T_VARIABLE, cset, H5T_STR_NULLTERM)) < 0) st = KSEG_ERR_IO;
    else if (H5Aread(attr, mtype, raw) < 0) st = kseg_error_set(KSEG_ERR_IO, "cannot read attribute %s", name);
    else {
      for (hssize_t i = 0; i < n; i++) names[i] = kseg_strings_dup(raw[i] ? raw[i] : "");
      if (H5Dvlen_reclaim(mtype, space, H5P_DEFAULT, raw) < 0) st = h5_ok(-1, "H5Dvlen_reclaim", name);
    }
    free(raw);
  } else if (!st) {
    size_t w = H5Tget_size(ftype);
    char *flat = w ? kseg_calloc((size_t)n, w + 1, "attribute strings") : NULL;
    if (!w) st = h5_ok(-1, "H5Tget_size", name);
    else if (!flat || (mtype = string_type(w + 1, H5T_CSET_ASCII, H5T_STR_NULLTERM)) < 0) st = KSEG_ERR_IO;
    else if (H5Aread(attr, mtype, flat) < 0) st = kseg_error_set(KSEG_ERR_IO, "cannot read attribute %s", name);
    else
      for (hssize_t i = 0; i < n; i++) names[i] = kseg_strings_dup(flat + (size_t)i * (w + 1));
    free(flat);
  }
  for (hssize_t i = 0; st == KSEG_OK && i < n; i++)
    if (!names[i]) st = KSEG_ERR_IO;
  if (st) {
    kseg_strings_free(&names, n);
  } else {
    *out = names;
    *count = n;
  }
  st = close_id(mtype, st);
  st = close_id(space, st);
  st = close_id(ftype, st);
  return close_id(attr, st);
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

/* The class and size in bytes of a dataset's element type. */
static int dataset_type(hid_t dset, H5T_class_t *cls, size_t *size)
{
  hid_t t = H5Dget_type(dset);
  int st = h5_ok(t, "H5Dget_type", NULL);
  *cls = st ? H5T_NO_CLASS : H5Tget_class(t);
  *size = st ? 0 : H5Tget_size(t);
  if (!st && (*cls == H5T_NO_CLASS || *size == 0)) st = h5_ok(-1, "datatype query", NULL);
  return close_id(t, st);
}

/* ---- matrices ---- */

int kseg_h5_read_matrix(MPI_Comm comm, const char *path, const char *dataset, kseg_matrix *out)
{
  memset(out, 0, sizeof *out);
  hid_t file, dset = H5I_INVALID_HID;
  KSEG_CHECK(open_for_read(comm, path, &file));
  int st = open_dataset(file, path, dataset, &dset);
  int ndims = 0;
  hsize_t dims[2] = {0, 0};
  H5T_class_t cls = H5T_NO_CLASS;
  size_t size = 0;
  if (!st) st = dataset_shape(dset, &ndims, dims);
  if (!st && ndims != 2)
    st = kseg_error_set(KSEG_ERR_INPUT, "%s:%s is %d-D; expected a 2-D matrix (rows x columns)", path, dataset,
                        ndims);
  if (!st) st = dataset_type(dset, &cls, &size);
  if (!st && cls != H5T_FLOAT)
    st = kseg_error_set(KSEG_ERR_INPUT, "%s:%s is not floating point (float32 or float64 expected)", path, dataset);
  st = kseg_comm_agree(comm, st);
  if (st) goto fail;

  out->n_global = (int64_t)dims[0];
  out->d = (int64_t)dims[1];
  out->dtype = size <= 4 ? KSEG_F32 : KSEG_F64;
  kseg_partition(out->n_global, kseg_comm_size(comm), kseg_comm_rank(comm), &out->row0, &out->n_local);
  size_t bytes = (size_t)out->n_local * (size_t)out->d * kseg_dtype_size(out->dtype);
  out->data = kseg_malloc_big(bytes, "matrix rows");
  st = kseg_comm_agree(comm, out->data ? KSEG_OK : KSEG_ERR_IO);
  if (st) goto fail;
  st = read_rows(comm, dset, native_type(out->dtype), 2, dims[1], out->row0, out->n_local, out->data, path, dataset);
  if (!st) st = kseg_comm_fault(comm, "read");
  if (!st) {
    char **names = NULL;
    int64_t n = 0;
    st = read_string_attr(dset, "columns", &names, &n);
    if (!st && names && n == out->d) out->columns = names;
    else kseg_strings_free(&names, n);
  }
fail:
  st = close_id(dset, st);
  st = kseg_comm_agree(comm, close_id(file, st));
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
  H5T_class_t cls = H5T_NO_CLASS;
  size_t size = 0;
  if (!st) st = dataset_shape(dset, &ndims, dims);
  if (!st && ndims != 1) st = kseg_error_set(KSEG_ERR_INPUT, "%s:%s is %d-D; expected 1-D labels", path, dataset, ndims);
  if (!st) st = dataset_type(dset, &cls, &size);
  if (!st && cls != H5T_INTEGER) st = kseg_error_set(KSEG_ERR_INPUT, "%s:%s is not an integer dataset", path, dataset);
  st = kseg_comm_agree(comm, st);
  if (!st) {
    *n_global = (int64_t)dims[0];
    kseg_partition(*n_global, kseg_comm_size(comm), kseg_comm_rank(comm), row0, n_local);
    *labels = kseg_malloc((size_t)*n_local * sizeof **labels, "labels");
    st = kseg_comm_agree(comm, *labels ? KSEG_OK : KSEG_ERR_IO);
  }
  if (!st) st = read_rows(comm, dset, H5T_NATIVE_INT32, 1, 1, *row0, *n_local, *labels, path, dataset);
  st = close_id(dset, st);
  st = kseg_comm_agree(comm, close_id(file, st));
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
  H5T_class_t cls = H5T_NO_CLASS;
  size_t size = 0;
  if (!st) st = dataset_shape(dset, &ndims, dims);
  if (!st && (ndims < 1 || ndims > 2))
    st = kseg_error_set(KSEG_ERR_INPUT, "%s:%s is %d-D; expected 1-D or 2-D", path, dataset, ndims);
  if (!st) st = dataset_type(dset, &cls, &size);
  if (!st && cls != H5T_FLOAT && cls != H5T_INTEGER)
    st = kseg_error_set(KSEG_ERR_INPUT, "%s:%s is not numeric", path, dataset);
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
  st = close_id(dset, st);
  st = kseg_comm_agree(comm, close_id(file, st));
  if (st) {
    free(*data);
    *data = NULL;
  }
  return st;
}

/* ---- the raw table ---- */

/* The dataset of column `name` in `group`: the name as written, except
 * '%' -> %25, '/' -> %2F and a leading '.' -> %2E (HDF5 would take a '/'
 * for a group and "." for the group itself); the `columns` attribute keeps
 * the names as written. */
static void column_path(const char *group, const char *name, char *buf, size_t len)
{
  size_t o = (size_t)snprintf(buf, len, "%s/", group);
  for (size_t i = 0; name[i] && o + 4 < len; i++) {
    const char c = name[i];
    if (c == '%' || c == '/' || (i == 0 && c == '.')) o += (size_t)snprintf(buf + o, len - o, "%%%02X", (unsigned char)c);
    else buf[o++] = c;
  }
  buf[o < len ? o : len - 1] = '\0';
}

/* The format attributes of a column (kseg_col_format), each when set. */
static int read_format(hid_t dset, kseg_col_format *f)
{
  char *v = NULL;
  memset(f, 0, sizeof *f);
  int st = read_scalar_string_attr(dset, "decimal", &v);
  if (!st && v && v[0] == ',') f->decimal = ',';
  free(v);
  v = NULL;
  if (!st) st = read_scalar_string_attr(dset, "date_order", &v);
  if (!st && v) snprintf(f->date_order, sizeof f->date_order, "%s", v);
  free(v);
  v = NULL;
  if (!st) st = read_scalar_string_attr(dset, "unit", &v);
  if (!st && v) snprintf(f->unit, sizeof f->unit, "%s", v);
  free(v);
  return st;
}

static kseg_col_kind kind_from_name(const char *kind, H5T_class_t cls)
{
  if (kind) {
    if (strcmp(kind, "date") == 0) return KSEG_COL_DATE;
    if (strcmp(kind, "categorical") == 0) return KSEG_COL_CATEGORICAL;
    if (strcmp(kind, "string") == 0) return KSEG_COL_STRING;
    if (strcmp(kind, "numeric") == 0) return KSEG_COL_NUMERIC;
  }
  return cls == H5T_STRING ? KSEG_COL_STRING : KSEG_COL_NUMERIC;
}

/* Read one column's row block. Collective. */
static int read_column(hid_t file, const char *path, const char *group, const char *name, int64_t *n_global,
                       kseg_column *c, MPI_Comm comm)
{
  char dpath[1200];
  column_path(group, name, dpath, sizeof dpath);
  hid_t dset = H5I_INVALID_HID, ftype = H5I_INVALID_HID, mtype = H5I_INVALID_HID;
  int st = open_dataset(file, path, dpath, &dset);
  if (st == KSEG_ERR_INPUT && object_exists(file, dpath) == 0) {
    kseg_error_clear();
    st = kseg_error_set(KSEG_ERR_INPUT, "%s: no column '%s' in %s", path, name, group);
  }
  int ndims = 0;
  hsize_t dims[2] = {0, 0};
  if (!st) st = dataset_shape(dset, &ndims, dims);
  if (!st && ndims != 1) st = kseg_error_set(KSEG_ERR_INPUT, "%s: column %s is not 1-D", path, name);
  if (!st && *n_global >= 0 && (int64_t)dims[0] != *n_global)
    st = kseg_error_set(KSEG_ERR_INPUT, "%s: column %s has %llu rows, the first column %lld", path, name,
                        (unsigned long long)dims[0], (long long)*n_global);
  char *kind = NULL;
  if (!st) st = h5_ok(ftype = H5Dget_type(dset), "H5Dget_type", path);
  if (!st) st = read_scalar_string_attr(dset, "kind", &kind);
  if (!st) st = read_format(dset, &c->format);
  H5T_class_t cls = st ? H5T_NO_CLASS : H5Tget_class(ftype);
  if (!st && cls == H5T_NO_CLASS) st = h5_ok(-1, "H5Tget_class", path);
  st = kseg_comm_agree(comm, st);
  if (st) goto done;
  if (*n_global < 0) *n_global = (int64_t)dims[0];
  int64_t row0, n_local;
  kseg_partition(*n_global, kseg_comm_size(comm), kseg_comm_rank(comm), &row0, &n_local);
  c->name = kseg_strings_dup(name);
  c->kind = kind_from_name(kind, cls);
  size_t n = (size_t)n_local;
  void *buf = NULL;
  switch (c->kind) {
  case KSEG_COL_NUMERIC:
  case KSEG_COL_DATE:
    buf = c->num = kseg_malloc(n * sizeof(double), "column");
    st = h5_ok(mtype = H5Tcopy(H5T_NATIVE_DOUBLE), "H5Tcopy", path);
    break;
  case KSEG_COL_CATEGORICAL: {
    buf = c->codes = kseg_malloc(n * sizeof(int32_t), "column");
    st = h5_ok(mtype = H5Tcopy(H5T_NATIVE_INT32), "H5Tcopy", path);
    int64_t n_levels = 0;
    if (!st) st = read_string_attr(dset, "levels", &c->levels, &n_levels);
    c->n_levels = (int32_t)n_levels;
    break;
  }
  case KSEG_COL_STRING: {
    htri_t vlen = H5Tis_variable_str(ftype);
    H5T_cset_t cset = H5Tget_cset(ftype);
    if (vlen > 0) {
      st = kseg_error_set(KSEG_ERR_INPUT, "%s: column %s holds variable-length strings; kseg reads fixed-length",
                          path, name);
      break;
    }
    c->str_width = (int32_t)H5Tget_size(ftype);
    if (vlen < 0 || cset < 0 || c->str_width <= 0) {
      st = h5_ok(-1, "string type query", path);
      break;
    }
    buf = c->str = kseg_calloc(n ? n : 1, (size_t)c->str_width, "column");
    /* HDF5 will not convert ASCII <-> UTF-8: read in the file's set */
    if ((mtype = string_type((size_t)c->str_width, cset, H5T_STR_NULLPAD)) < 0) st = KSEG_ERR_IO;
    break;
  }
  }
  if (!st && (!c->name || !buf)) st = KSEG_ERR_IO;
  st = kseg_comm_agree(comm, st);
  if (!st) st = read_rows(comm, dset, mtype, 1, 1, row0, n_local, buf, path, dpath);
done:
  free(kind);
  st = close_id(mtype, st);
  st = close_id(ftype, st);
  return kseg_comm_agree(comm, close_id(dset, st));
}

int kseg_h5_read_table_at(MPI_Comm comm, const char *path, const char *group, const char *const *names, int n_names,
                          kseg_table *out)
{
  memset(out, 0, sizeof *out);
  hid_t file, raw = H5I_INVALID_HID;
  KSEG_CHECK(open_for_read(comm, path, &file));
  char **all = NULL;
  int64_t n_all = 0;
  int exists = object_exists(file, group);
  int st = exists < 0 ? KSEG_ERR_IO : KSEG_OK;
  if (exists == 0)
    st = kseg_error_set(KSEG_ERR_INPUT, "%s has no %s table (write one with kseg import or kseg generate)", path,
                        group);
  if (!st) st = h5_ok(raw = H5Gopen2(file, group, H5P_DEFAULT), "H5Gopen2 (table)", path);
  if (!st) st = read_string_attr(raw, "columns", &all, &n_all);
  if (!st && !all) st = kseg_error_set(KSEG_ERR_INPUT, "%s: %s has no 'columns' attribute", path, group);
  if (!st) st = read_scalar_string_attr(raw, "id_column", &out->id_column);
  st = kseg_comm_agree(comm, st);
  if (st) goto done;
  int n = names ? n_names : (int)n_all;
  out->cols = kseg_calloc((size_t)n + 1, sizeof *out->cols, "table columns");
  st = kseg_comm_agree(comm, out->cols ? KSEG_OK : KSEG_ERR_IO);
  if (st) goto done;
  out->n_global = -1;
  for (int i = 0; i < n && !st; i++) {
    st = read_column(file, path, group, names ? names[i] : all[i], &out->n_global, &out->cols[i], comm);
    out->n_cols = i + 1;
  }
  if (out->n_global < 0) out->n_global = 0;
  kseg_partition(out->n_global, kseg_comm_size(comm), kseg_comm_rank(comm), &out->row0, &out->n_local);
done:
  kseg_strings_free(&all, n_all);
  st = close_id(raw, st);
  st = kseg_comm_agree(comm, close_id(file, st));
  if (st) kseg_table_clear(out);
  return st;
}

int kseg_h5_read_table(MPI_Comm comm, const char *path, const char *const *names, int n_names, kseg_table *out)
{
  return kseg_h5_read_table_at(comm, path, "/raw", names, n_names, out);
}

/* ---- writing ---- */

int kseg_h5_create(MPI_Comm comm, const char *path, kseg_h5_writer **out)
{
  *out = NULL;
  kseg_h5_writer *w = kseg_calloc(1, sizeof *w, "writer");
  int st = w ? quiet_hdf5() : KSEG_ERR_IO;
  if (kseg_comm_agree(comm, st)) {
    free(w);
    return KSEG_ERR_IO;
  }
  w->comm = comm;
  w->file = H5I_INVALID_HID;
  /* The temporary name is beside the output (rename is atomic within a
   * directory) and unique per job: the root's pid, broadcast. */
  int64_t pid = (int64_t)getpid();
  st = kseg_comm_bcast(comm, &pid, sizeof pid, 0);
  size_t len = strlen(path) + 64;
  w->path = kseg_strings_dup(path);
  w->tmp = kseg_malloc(len, "path");
  if (!st && (!w->path || !w->tmp)) st = KSEG_ERR_IO;
  struct stat sb;
  if (!st && path[0] == '\0') st = kseg_error_set(KSEG_ERR_INPUT, "the output path is empty");
  else if (!st && stat(path, &sb) == 0 && S_ISDIR(sb.st_mode))
    st = kseg_error_set(KSEG_ERR_INPUT, "cannot write %s: it is a directory", path);
  if (!st) {
    snprintf(w->tmp, len, "%s.tmp.%lld", path, (long long)pid);
    if (kseg_comm_rank(comm) == 0) {
      char *copy = kseg_strings_dup(path);
      const char *dir = copy ? dirname(copy) : ".";
      if (access(dir, W_OK) != 0) st = kseg_error_set(KSEG_ERR_IO, "cannot write %s: %s", path, strerror(errno));
      free(copy);
    }
  }
  hid_t fapl = H5I_INVALID_HID;
  st = kseg_comm_agree(comm, st);
  /* H5Pset_fapl_mpio duplicates the communicator: collective */
  if (!st && (fapl = mpio_fapl(comm, path)) < 0) st = KSEG_ERR_IO;
  st = kseg_comm_agree(comm, st);
  if (!st) {
    w->file = H5Fcreate(w->tmp, H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
    if (w->file < 0) st = kseg_error_set(KSEG_ERR_IO, "cannot create %s", w->tmp);
  }
  st = kseg_comm_agree(comm, close_id(fapl, st));
  if (st) {
    kseg_h5_finish(&w, st);
    return st;
  }
  *out = w;
  return KSEG_OK;
}

/* Object creation properties: no timestamps, so files are byte-identical
 * whatever the rank count or time of day. < 0 (recorded) on failure. */
static hid_t untimed_ocpl(hid_t cls)
{
  hid_t p = H5Pcreate(cls);
  int st = h5_ok(p, "H5Pcreate (creation)", NULL);
  if (!st) st = h5_ok(H5Pset_obj_track_times(p, 0), "H5Pset_obj_track_times", NULL);
  if (!st) return p;
  close_id(p, st);
  return H5I_INVALID_HID;
}

int kseg_h5_group(kseg_h5_writer *w, const char *group)
{
  char buf[1024];
  snprintf(buf, sizeof buf, "%s", group);
  hid_t gcpl = untimed_ocpl(H5P_GROUP_CREATE);
  int st = kseg_comm_agree(w->comm, gcpl < 0 ? KSEG_ERR_IO : KSEG_OK);
  for (char *p = buf + 1; !st; p++) {
    if (*p == '/' || *p == '\0') {
      char saved = *p;
      *p = '\0';
      htri_t e = buf[0] && strcmp(buf, "/") != 0 ? H5Lexists(w->file, buf, H5P_DEFAULT) : 1;
      if (e < 0) st = h5_ok(e, "H5Lexists", w->path);
      st = kseg_comm_agree(w->comm, st); /* before the collective creation */
      if (!st && e == 0) {
        hid_t g = H5Gcreate2(w->file, buf, H5P_DEFAULT, gcpl, H5P_DEFAULT);
        if (g < 0) st = kseg_error_set(KSEG_ERR_IO, "%s: cannot create group %s", w->path, buf);
        st = close_id(g, st);
      }
      if (saved == '\0') break;
      *p = saved;
    }
  }
  return kseg_comm_agree(w->comm, close_id(gcpl, st));
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

/* Collective creation of a dataset (replacing one of that name). Agreed. */
static int create_dataset(kseg_h5_writer *w, const char *dataset, hid_t ftype, int ndims, const hsize_t *dims)
{
  hid_t space = H5Screate_simple(ndims, dims, NULL), dcpl = untimed_ocpl(H5P_DATASET_CREATE), d = H5I_INVALID_HID;
  int st = h5_ok(space, "H5Screate_simple", w->path);
  if (!st && dcpl < 0) st = KSEG_ERR_IO;
  if (!st) st = h5_ok(H5Pset_fill_time(dcpl, H5D_FILL_TIME_NEVER), "H5Pset_fill_time", w->path);
  if (!st) st = h5_ok(H5Pset_alloc_time(dcpl, H5D_ALLOC_TIME_EARLY), "H5Pset_alloc_time", w->path);
  htri_t e = st ? 0 : H5Lexists(w->file, dataset, H5P_DEFAULT);
  if (!st) st = h5_ok(e, "H5Lexists", w->path);
  st = kseg_comm_agree(w->comm, st); /* before the collective calls */
  if (!st && e > 0) st = kseg_comm_agree(w->comm, h5_ok(H5Ldelete(w->file, dataset, H5P_DEFAULT), "H5Ldelete", w->path));
  if (!st) {
    d = H5Dcreate2(w->file, dataset, ftype, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    if (d < 0) st = kseg_error_set(KSEG_ERR_IO, "%s: cannot create dataset %s", w->path, dataset);
  }
  st = close_id(d, st);
  st = close_id(dcpl, st);
  return kseg_comm_agree(w->comm, close_id(space, st));
}

/* Collective creation of an N x D (d == 0: 1-D) dataset of file type ftype. */
static int create_rows_typed(kseg_h5_writer *w, const char *dataset, hid_t ftype, int64_t n_global, int64_t d)
{
  KSEG_CHECK(ensure_parent(w, dataset));
  hsize_t dims[2] = {(hsize_t)n_global, (hsize_t)(d > 0 ? d : 1)};
  return create_dataset(w, dataset, ftype, d > 0 ? 2 : 1, dims);
}

/* Collective write of rows [row0, row0 + n_local) into an existing dataset;
 * mtype < 0: the dataset's own type (fixed-width strings). */
static int write_rows_at_typed(kseg_h5_writer *w, const char *dataset, hid_t mtype, int64_t row0, int64_t n_local,
                               const void *data)
{
  int st = KSEG_OK;
  hid_t dset = H5Dopen2(w->file, dataset, H5P_DEFAULT), fspace = H5I_INVALID_HID, own_type = H5I_INVALID_HID,
        mspace = H5I_INVALID_HID, dxpl = H5I_INVALID_HID;
  if (dset < 0) st = kseg_error_set(KSEG_ERR_IO, "%s: no dataset %s to write rows into", w->path, dataset);
  st = kseg_comm_agree(w->comm, st);
  if (st) return st;
  st = h5_ok(fspace = H5Dget_space(dset), "H5Dget_space", w->path);
  if (!st && mtype < 0) st = h5_ok(mtype = own_type = H5Dget_type(dset), "H5Dget_type", w->path);
  int ndims = 0;
  hsize_t dims[2] = {0, 1};
  if (!st) st = space_shape(fspace, &ndims, dims);
  st = kseg_comm_agree(w->comm, st);
  if (!st && dims[0] > 0 && dims[1] > 0) { /* an empty dataset: every rank skips alike */
    st = select_block(fspace, ndims, row0, n_local, dims[1], &mspace);
    if (!st && (dxpl = collective_dxpl()) < 0) st = KSEG_ERR_IO;
    st = kseg_comm_agree(w->comm, st);
    static const char dummy[16];
    if (!st && H5Dwrite(dset, mtype, mspace, fspace, dxpl, data ? data : dummy) < 0)
      st = kseg_error_set(KSEG_ERR_IO, "%s: collective write of %s failed", w->path, dataset);
  }
  st = close_id(dxpl, st);
  st = close_id(mspace, st);
  st = close_id(own_type, st);
  st = close_id(fspace, st);
  return kseg_comm_agree(w->comm, close_id(dset, st));
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
  int st = KSEG_OK;
  if (probe >= 0) { /* string datasets are written in their own fixed width */
    H5T_class_t cls = H5T_NO_CLASS;
    size_t size = 0;
    st = dataset_type(probe, &cls, &size);
    if (!st && cls == H5T_STRING) t = H5I_INVALID_HID;
    st = close_id(probe, st);
  } /* else: write_rows_at_typed reports the missing dataset */
  KSEG_CHECK(kseg_comm_agree(w->comm, st));
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

/* Write attribute `name` on `object` (replacing one of that name): a scalar
 * (count < 0), an empty list (0) or a list of count values. Agreed. */
static int write_attr(kseg_h5_writer *w, const char *object, const char *name, hid_t ftype, hid_t mtype,
                      int64_t count, const void *value)
{
  hsize_t dims[1] = {(hsize_t)(count > 0 ? count : 0)};
  hid_t space = count < 0 ? H5Screate(H5S_SCALAR) : count == 0 ? H5Screate(H5S_NULL) : H5Screate_simple(1, dims, NULL);
  hid_t obj = H5I_INVALID_HID, a = H5I_INVALID_HID;
  int st = h5_ok(space, "H5Screate", w->path);
  if (!st && (obj = H5Oopen(w->file, object, H5P_DEFAULT)) < 0)
    st = kseg_error_set(KSEG_ERR_IO, "%s: no object %s for attribute %s", w->path, object, name);
  htri_t e = st ? 0 : H5Aexists(obj, name);
  if (!st) st = h5_ok(e, "H5Aexists", w->path);
  st = kseg_comm_agree(w->comm, st); /* before the collective metadata writes */
  if (!st && e > 0) st = kseg_comm_agree(w->comm, h5_ok(H5Adelete(obj, name), "H5Adelete", w->path));
  if (!st) {
    a = H5Acreate2(obj, name, ftype, space, H5P_DEFAULT, H5P_DEFAULT);
    if (a < 0 || H5Awrite(a, mtype, value) < 0)
      st = kseg_error_set(KSEG_ERR_IO, "%s: cannot write attribute %s on %s", w->path, name, object);
  }
  st = close_id(a, st);
  st = close_id(obj, st);
  return kseg_comm_agree(w->comm, close_id(space, st));
}

int kseg_h5_attr_f64(kseg_h5_writer *w, const char *object, const char *name, double value)
{
  return write_attr(w, object, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, -1, &value);
}

int kseg_h5_attr_i64(kseg_h5_writer *w, const char *object, const char *name, int64_t value)
{
  return write_attr(w, object, name, H5T_STD_I64LE, H5T_NATIVE_INT64, -1, &value);
}

int kseg_h5_attr_str(kseg_h5_writer *w, const char *object, const char *name, const char *value)
{
  hid_t t = string_type(H5T_VARIABLE, H5T_CSET_UTF8, H5T_STR_NULLTERM);
  int st = kseg_comm_agree(w->comm, t < 0 ? KSEG_ERR_IO : KSEG_OK);
  if (!st) st = write_attr(w, object, name, t, t, -1, &value);
  return kseg_comm_agree(w->comm, close_id(t, st));
}

int kseg_h5_attr_strings(kseg_h5_writer *w, const char *object, const char *name, const char *const *values,
                         int64_t count)
{
  hid_t t = string_type(H5T_VARIABLE, H5T_CSET_UTF8, H5T_STR_NULLTERM);
  int st = kseg_comm_agree(w->comm, t < 0 ? KSEG_ERR_IO : KSEG_OK);
  if (!st) st = write_attr(w, object, name, t, t, count, values);
  return kseg_comm_agree(w->comm, close_id(t, st));
}

int kseg_h5_create_table_at(kseg_h5_writer *w, const char *group, const kseg_table *t)
{
  KSEG_CHECK(kseg_h5_group(w, group));
  const char **names = kseg_calloc((size_t)t->n_cols + 1, sizeof *names, "column names");
  KSEG_CHECK(kseg_comm_agree(w->comm, names ? KSEG_OK : KSEG_ERR_IO));
  int st = KSEG_OK;
  char dpath[1200];
  for (int i = 0; i < t->n_cols && !st; i++) {
    const kseg_column *c = &t->cols[i];
    names[i] = c->name;
    column_path(group, c->name, dpath, sizeof dpath);
    switch (c->kind) {
    case KSEG_COL_NUMERIC:
    case KSEG_COL_DATE: st = kseg_h5_create_rows(w, dpath, KSEG_F64, t->n_global, 0); break;
    case KSEG_COL_CATEGORICAL:
      st = kseg_h5_create_rows(w, dpath, KSEG_I32, t->n_global, 0);
      if (!st) st = kseg_h5_attr_strings(w, dpath, "levels", (const char *const *)c->levels, c->n_levels);
      break;
    case KSEG_COL_STRING: {
      hid_t st_type = string_type((size_t)(c->str_width > 0 ? c->str_width : 1), H5T_CSET_UTF8, H5T_STR_NULLPAD);
      st = kseg_comm_agree(w->comm, st_type < 0 ? KSEG_ERR_IO : KSEG_OK);
      if (!st) st = create_rows_typed(w, dpath, st_type, t->n_global, 0);
      st = kseg_comm_agree(w->comm, close_id(st_type, st));
      break;
    }
    }
    if (!st) st = kseg_h5_attr_str(w, dpath, "kind", kseg_col_kind_name(c->kind));
    /* how the values were written, when they came from text (only what is set: a table from
       elsewhere keeps its layout) */
    if (!st && c->format.decimal == ',') st = kseg_h5_attr_str(w, dpath, "decimal", ",");
    if (!st && c->format.unit[0]) st = kseg_h5_attr_str(w, dpath, "unit", c->format.unit);
    if (!st && c->format.date_order[0]) st = kseg_h5_attr_str(w, dpath, "date_order", c->format.date_order);
  }
  if (!st) st = kseg_h5_attr_strings(w, group, "columns", names, t->n_cols);
  if (!st && t->id_column) st = kseg_h5_attr_str(w, group, "id_column", t->id_column);
  free(names);
  return st;
}

int kseg_h5_create_table(kseg_h5_writer *w, const kseg_table *t)
{
  return kseg_h5_create_table_at(w, "/raw", t);
}

int kseg_h5_write_table_rows(kseg_h5_writer *w, const kseg_table *t)
{
  int st = KSEG_OK;
  char dpath[1200];
  for (int i = 0; i < t->n_cols && !st; i++) {
    const kseg_column *c = &t->cols[i];
    column_path("/raw", c->name, dpath, sizeof dpath);
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
  int exists = object_exists(*file, object);
  int st = exists < 0 ? KSEG_ERR_IO : KSEG_OK;
  if (exists == 0) st = kseg_error_set(KSEG_ERR_INPUT, "%s has no object %s", path, object);
  else if (exists > 0 && (*obj = H5Oopen(*file, object, H5P_DEFAULT)) < 0)
    st = kseg_error_set(KSEG_ERR_IO, "%s: cannot open %s", path, object);
  st = kseg_comm_agree(comm, st);
  if (st) {
    close_id(*obj, st);
    close_id(*file, st);
    *obj = *file = H5I_INVALID_HID;
  }
  return st;
}

/* Close what open_object_for_attr opened; the status agreed. */
static int close_object_for_attr(MPI_Comm comm, hid_t file, hid_t obj, int st)
{
  st = close_id(obj, st);
  return kseg_comm_agree(comm, close_id(file, st));
}

/* Does `obj` have attribute `name`? 1 or 0; KSEG_ERR_INPUT naming it when
 * absent, KSEG_ERR_IO when HDF5 cannot tell. */
static int require_attr(hid_t obj, const char *path, const char *object, const char *name)
{
  htri_t e = H5Aexists(obj, name);
  if (e < 0) return h5_ok(e, "H5Aexists", path);
  if (e == 0) return kseg_error_set(KSEG_ERR_INPUT, "%s: %s has no attribute '%s'", path, object, name);
  return KSEG_OK;
}

int kseg_h5_read_attr_f64(MPI_Comm comm, const char *path, const char *object, const char *name, double *value)
{
  hid_t file, obj, a = H5I_INVALID_HID;
  KSEG_CHECK(open_object_for_attr(comm, path, object, &file, &obj));
  int st = require_attr(obj, path, object, name);
  if (!st) st = h5_ok(a = H5Aopen(obj, name, H5P_DEFAULT), "H5Aopen", path);
  if (!st && H5Aread(a, H5T_NATIVE_DOUBLE, value) < 0)
    st = kseg_error_set(KSEG_ERR_INPUT, "%s: attribute %s of %s is not a number", path, name, object);
  return close_object_for_attr(comm, file, obj, close_id(a, st));
}

int kseg_h5_read_attr_str(MPI_Comm comm, const char *path, const char *object, const char *name, char **value)
{
  hid_t file, obj;
  KSEG_CHECK(open_object_for_attr(comm, path, object, &file, &obj));
  int st = read_scalar_string_attr(obj, name, value);
  if (!st && !*value) st = kseg_error_set(KSEG_ERR_INPUT, "%s: %s has no attribute '%s'", path, object, name);
  st = close_object_for_attr(comm, file, obj, st);
  if (st) {
    free(*value);
    *value = NULL;
  }
  return st;
}

int kseg_h5_read_attr_strings(MPI_Comm comm, const char *path, const char *object, const char *name,
                              char ***values, int64_t *count)
{
  hid_t file, obj;
  *values = NULL;
  *count = 0;
  KSEG_CHECK(open_object_for_attr(comm, path, object, &file, &obj));
  int st = require_attr(obj, path, object, name);
  if (!st) st = read_string_attr(obj, name, values, count);
  st = close_object_for_attr(comm, file, obj, st);
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
  int e = object_exists(file, object);
  int st = kseg_comm_agree(comm, close_id(file, e < 0 ? KSEG_ERR_IO : KSEG_OK));
  if (!st) *exists = e;
  return st;
}

MPI_Comm kseg_h5_writer_comm(const kseg_h5_writer *w) { return w->comm; }
