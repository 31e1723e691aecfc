/* evaluate/sweep/io.c - the sweep file (final output and checkpoint share one layout)
 * and the options fingerprint that guards --resume. */
#include <inttypes.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kseg/kseg_comm.h"
#include "kseg/kseg_error.h"
#include "kseg/kseg_h5io.h"
#include "kseg/kseg_hash.h"
#include "kseg/kseg_strings.h"
#include "kseg/kseg_sweep.h"

static const char *silhouette_name(const kseg_sweep_options *opt, char *buf, size_t size)
{
  switch (opt->silhouette) {
  case KSEG_SWEEP_SIL_EXACT: return "exact";
  case KSEG_SWEEP_SIL_NONE: return "none";
  case KSEG_SWEEP_SIL_SAMPLE: snprintf(buf, size, "sample:%lld", (long long)opt->silhouette_sample); return buf;
  }
  return "unknown";
}

int kseg_sweep_fingerprint(MPI_Comm comm, const kseg_matrix *x, const kseg_sweep_options *opt, char **fingerprint)
{
  uint64_t h = 0;
  KSEG_CHECK(kseg_hash_matrix_rows(comm, x, &h));
  char sil[64];
  char buf[2048];
  snprintf(buf, sizeof buf,
           "kseg-sweep-1 k=%lld:%lld n_init=%d max_iter=%d tol=%.17g seed=%" PRIu64
           " silhouette=%s gap=%d stability=%d rows=%lld columns=%lld dtype=%s data_hash=%016" PRIx64,
           (long long)opt->k_min, (long long)opt->k_max, opt->n_init, opt->max_iter, opt->tol, opt->seed,
           silhouette_name(opt, sil, sizeof sil), opt->gap_b, opt->stability_b,
           (long long)x->n_global, (long long)x->d, x->dtype == KSEG_F32 ? "float32" : "float64", h);
  *fingerprint = kseg_strings_dup(buf);
  return kseg_comm_agree(comm, *fingerprint ? KSEG_OK : KSEG_ERR_IO);
}

/* Write one 1-D column of the table gathered from rows. */
static int write_column(MPI_Comm comm, kseg_h5_writer *w, const char *name, const kseg_sweep_result *r, size_t offset,
                        kseg_dtype type)
{
  const int64_t n = r->n_k;
  const size_t es = kseg_dtype_size(type);
  char *buf = kseg_malloc((size_t)n * es + 1, "sweep column");
  int st = buf ? KSEG_OK : KSEG_ERR_IO;
  if (!st)
    for (int64_t i = 0; i < n; i++) memcpy(buf + (size_t)i * es, (const char *)&r->rows[i] + offset, es);
  char path[128];
  snprintf(path, sizeof path, "/sweep/%s", name);
  /* Every rank writes (collective); a local failure is agreed on first. */
  st = kseg_comm_agree(comm, st);
  if (!st) st = kseg_h5_write_small(w, path, type, 1, &n, buf);
  free(buf);
  return st;
}

int kseg_sweep_write(MPI_Comm comm, const char *path, const kseg_sweep_result *r, const kseg_sweep_options *opt,
                     const char *fingerprint, bool final)
{
  kseg_h5_writer *w = NULL;
  KSEG_CHECK(kseg_h5_create(comm, path, &w));
  int st = kseg_h5_group(w, "/sweep");
  static const struct {
    const char *name;
    size_t offset;
    kseg_dtype type;
  } cols[] = {
      {"k", offsetof(kseg_sweep_row, k), KSEG_I64},
      {"inertia", offsetof(kseg_sweep_row, inertia), KSEG_F64},
      {"silhouette", offsetof(kseg_sweep_row, silhouette), KSEG_F64},
      {"calinski_harabasz", offsetof(kseg_sweep_row, calinski_harabasz), KSEG_F64},
      {"davies_bouldin", offsetof(kseg_sweep_row, davies_bouldin), KSEG_F64},
      {"gap", offsetof(kseg_sweep_row, gap), KSEG_F64},
      {"gap_se", offsetof(kseg_sweep_row, gap_se), KSEG_F64},
      {"stability", offsetof(kseg_sweep_row, stability), KSEG_F64},
      {"n_iter", offsetof(kseg_sweep_row, n_iter), KSEG_I64},
      {"converged", offsetof(kseg_sweep_row, converged), KSEG_I32},
      {"seconds", offsetof(kseg_sweep_row, seconds), KSEG_F64},
  };
  for (size_t c = 0; !st && c < sizeof cols / sizeof cols[0]; c++)
    st = write_column(comm, w, cols[c].name, r, cols[c].offset, cols[c].type);
  if (!st) st = kseg_h5_group(w, "/sweep/centroids");
  for (int64_t i = 0; !st && i < r->n_k; i++) {
    char name[64];
    snprintf(name, sizeof name, "/sweep/centroids/k%lld", (long long)r->rows[i].k);
    const int64_t dims[2] = {r->rows[i].k, r->d};
    st = kseg_h5_write_small(w, name, KSEG_F64, 2, dims, r->rows[i].centroids);
  }
  char sil[64];
  if (!st) st = kseg_h5_attr_i64(w, "/sweep", "k_min", opt->k_min);
  if (!st) st = kseg_h5_attr_i64(w, "/sweep", "k_max", opt->k_max);
  if (!st) st = kseg_h5_attr_i64(w, "/sweep", "n_init", opt->n_init);
  if (!st) st = kseg_h5_attr_i64(w, "/sweep", "max_iter", opt->max_iter);
  if (!st) st = kseg_h5_attr_f64(w, "/sweep", "tol", opt->tol);
  if (!st) st = kseg_h5_attr_i64(w, "/sweep", "seed", (int64_t)opt->seed);
  if (!st) st = kseg_h5_attr_str(w, "/sweep", "silhouette", silhouette_name(opt, sil, sizeof sil));
  if (!st) st = kseg_h5_attr_i64(w, "/sweep", "gap_references", opt->gap_b);
  if (!st) st = kseg_h5_attr_i64(w, "/sweep", "stability_subsamples", opt->stability_b);
  if (!st) st = kseg_h5_attr_i64(w, "/sweep", "max_segments", opt->max_segments);
  if (!st && opt->input) st = kseg_h5_attr_str(w, "/sweep", "input", opt->input);
  if (!st) st = kseg_h5_attr_i64(w, "/sweep", "rows", r->n);
  if (!st) st = kseg_h5_attr_i64(w, "/sweep", "columns", r->d);
  if (!st && final) {
    st = kseg_h5_attr_i64(w, "/sweep", "recommended_k", r->recommended_k);
    if (!st) st = kseg_h5_attr_str(w, "/sweep", "recommendation", r->recommendation);
    if (!st) st = kseg_h5_attr_i64(w, "/sweep", "elbow_k", r->elbow_k);
    if (!st) st = kseg_h5_attr_i64(w, "/sweep", "gap_k", r->gap_k);
    for (int i = 0; !st && i < r->n_extra; i++) {
      char name[128];
      snprintf(name, sizeof name, "/sweep/%s", r->extra[i].name);
      const int64_t n = r->n_k;
      st = kseg_h5_write_small(w, name, KSEG_F64, 1, &n, r->extra[i].values);
    }
    if (!st && r->k_internal > 0) {
      st = kseg_h5_attr_i64(w, "/sweep", "k_internal", r->k_internal);
      if (!st) st = kseg_h5_attr_str(w, "/sweep", "internal_recommendation", r->internal_recommendation);
      if (!st) st = kseg_h5_attr_i64(w, "/sweep", "k_business", r->k_business);
      if (!st) st = kseg_h5_attr_str(w, "/sweep", "business_rule", r->business_rule);
    }
  }
  if (!st && fingerprint) st = kseg_h5_attr_str(w, "/sweep", "fingerprint", fingerprint);
  return kseg_h5_finish(&w, st);
}

/* The first space-separated item where two fingerprints differ. */
static void first_difference(const char *a, const char *b, char *out, size_t size)
{
  while (*a && *b) {
    size_t la = strcspn(a, " "), lb = strcspn(b, " ");
    if (la != lb || strncmp(a, b, la) != 0) {
      snprintf(out, size, "the checkpoint has '%.*s', this run '%.*s'", (int)la, a, (int)lb, b);
      return;
    }
    a += la + (a[la] == ' ');
    b += lb + (b[lb] == ' ');
  }
  snprintf(out, size, "the fingerprints differ");
}

int kseg_sweep_checkpoint_read(MPI_Comm comm, const char *path, const char *fingerprint, int64_t d,
                               kseg_sweep_result *r)
{
  int st = KSEG_OK;
  if (kseg_comm_rank(comm) == 0 && access(path, R_OK) != 0)
    st = kseg_error_set(KSEG_ERR_INPUT, "--resume: checkpoint %s does not exist or cannot be read", path);
  KSEG_CHECK(kseg_comm_agree(comm, st));
  char *fp = NULL;
  st = kseg_h5_read_attr_str(comm, path, "/sweep", "fingerprint", &fp);
  if (st) {
    kseg_error_clear();
    return kseg_comm_agree(comm, kseg_error_set(KSEG_ERR_INPUT, "--resume: %s is not a kseg sweep checkpoint", path));
  }
  if (strcmp(fp, fingerprint) != 0) {
    char diff[1024];
    first_difference(fp, fingerprint, diff, sizeof diff);
    st = kseg_error_set(KSEG_ERR_INPUT,
                        "--resume: checkpoint %s was made with other options or input (%s); remove it or rerun "
                        "with the same options",
                        path, diff);
  }
  free(fp);
  KSEG_CHECK(kseg_comm_agree(comm, st));

  static const struct {
    const char *name;
    size_t offset;
    int kind; /* 0 double, 1 int64, 2 int32 */
  } cols[] = {
      {"k", offsetof(kseg_sweep_row, k), 1},
      {"inertia", offsetof(kseg_sweep_row, inertia), 0},
      {"silhouette", offsetof(kseg_sweep_row, silhouette), 0},
      {"calinski_harabasz", offsetof(kseg_sweep_row, calinski_harabasz), 0},
      {"davies_bouldin", offsetof(kseg_sweep_row, davies_bouldin), 0},
      {"gap", offsetof(kseg_sweep_row, gap), 0},
      {"gap_se", offsetof(kseg_sweep_row, gap_se), 0},
      {"stability", offsetof(kseg_sweep_row, stability), 0},
      {"n_iter", offsetof(kseg_sweep_row, n_iter), 1},
      {"converged", offsetof(kseg_sweep_row, converged), 2},
      {"seconds", offsetof(kseg_sweep_row, seconds), 0},
  };
  memset(r, 0, sizeof *r);
  for (size_t c = 0; !st && c < sizeof cols / sizeof cols[0]; c++) {
    char name[128];
    snprintf(name, sizeof name, "/sweep/%s", cols[c].name);
    int64_t dims[2];
    double *v = NULL;
    st = kseg_h5_read_small_f64(comm, path, name, dims, &v);
    if (st) break;
    if (c == 0) {
      r->n_k = dims[0];
      r->rows = kseg_calloc((size_t)(dims[0] > 0 ? dims[0] : 1), sizeof *r->rows, "checkpoint rows");
      st = kseg_comm_agree(comm, r->rows ? KSEG_OK : KSEG_ERR_IO);
    } else if (dims[0] != r->n_k) {
      st = kseg_comm_agree(comm, kseg_error_set(KSEG_ERR_INPUT, "--resume: %s:%s has %lld values, /sweep/k %lld",
                                                path, name, (long long)dims[0], (long long)r->n_k));
    }
    /* Integers below 2^53 and doubles pass through float64 unchanged. */
    for (int64_t i = 0; !st && i < r->n_k; i++) {
      char *dst = (char *)&r->rows[i] + cols[c].offset;
      if (cols[c].kind == 0) *(double *)dst = v[i];
      else if (cols[c].kind == 1) *(int64_t *)dst = (int64_t)v[i];
      else *(int32_t *)dst = (int32_t)v[i];
    }
    free(v);
  }
  for (int64_t i = 0; !st && i < r->n_k; i++) {
    char name[64];
    snprintf(name, sizeof name, "/sweep/centroids/k%lld", (long long)r->rows[i].k);
    int64_t dims[2];
    st = kseg_h5_read_small_f64(comm, path, name, dims, &r->rows[i].centroids);
    if (!st && (dims[0] != r->rows[i].k || dims[1] != d))
      st = kseg_comm_agree(comm, kseg_error_set(KSEG_ERR_INPUT, "--resume: %s:%s is %lld x %lld, expected %lld x %lld",
                                                path, name, (long long)dims[0], (long long)dims[1],
                                                (long long)r->rows[i].k, (long long)d));
  }
  if (st) kseg_sweep_result_clear(r);
  return st;
}
