/* model.c - the saved segmentation model: write/read /model, fingerprint and
 * keys of a raw table, scoring through the same chain as training. */
#include <ctype.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "kseg/kseg_comm.h"
#include "kseg/kseg_csv.h"
#include "kseg/kseg_error.h"
#include "kseg/kseg_h5io.h"
#include "kseg/kseg_hash.h"
#include "kseg/kseg_kmeans.h"
#include "kseg/kseg_metrics.h"
#include "kseg/kseg_model.h"
#include "kseg/kseg_strings.h"

int kseg_model_id_column(const kseg_table *raw)
{
  if (raw->id_column) {
    int c = kseg_table_find(raw, raw->id_column);
    if (c >= 0) return c;
  }
  for (int c = 0; c < raw->n_cols; c++)
    if (kseg_csv_is_id_name(raw->cols[c].name)) return c;
  for (int c = 0; c < raw->n_cols; c++)
    if (raw->cols[c].kind == KSEG_COL_STRING) return c;
  return -1;
}

int kseg_model_schema_of(const kseg_table *raw, kseg_table *out)
{
  memset(out, 0, sizeof *out);
  out->cols = kseg_calloc((size_t)raw->n_cols + 1, sizeof *out->cols, "model schema");
  int st = out->cols ? KSEG_OK : KSEG_ERR_IO;
  const int id = kseg_model_id_column(raw);
  if (!st && id >= 0 && !(out->id_column = kseg_strings_dup(raw->cols[id].name))) st = KSEG_ERR_IO;
  for (int c = 0; !st && c < raw->n_cols; c++) {
    const kseg_column *from = &raw->cols[c];
    kseg_column *to = &out->cols[out->n_cols++];
    to->kind = from->kind;
    to->format = from->format;
    to->str_width = from->str_width;
    if (!(to->name = kseg_strings_dup(from->name))) st = KSEG_ERR_IO;
    if (!st && from->kind == KSEG_COL_CATEGORICAL) {
      to->levels = kseg_calloc((size_t)from->n_levels + 1, sizeof *to->levels, "model schema levels");
      if (!to->levels) st = KSEG_ERR_IO;
      for (int32_t l = 0; !st && l < from->n_levels; l++, to->n_levels++)
        if (!(to->levels[l] = kseg_strings_dup(from->levels[l]))) st = KSEG_ERR_IO;
    }
  }
  if (st) kseg_table_clear(out);
  return st;
}

/* The text of a value, so that an ID read as a number in one file and as a
 * string in another (C10001 vs 10001 aside) gives the same key. */
static size_t value_text(const kseg_column *col, int64_t i, char *buf, size_t len)
{
  return kseg_column_text(col, i, buf, len);
}

void kseg_model_row_keys(const kseg_table *raw, int id_col, uint64_t *keys)
{
#pragma omp parallel for schedule(static)
  for (int64_t i = 0; i < raw->n_local; i++) {
    if (id_col < 0) {
      keys[i] = kseg_hash_mix64((uint64_t)(raw->row0 + i));
    } else {
      char buf[512];
      size_t n = value_text(&raw->cols[id_col], i, buf, sizeof buf);
      /* mixed: FNV's low bits are weak, and keys pick owner ranks */
      keys[i] = kseg_hash_mix64(kseg_hash_fnv1a(KSEG_HASH_FNV1A_INIT, buf, n));
    }
  }
}

int kseg_model_fingerprint(MPI_Comm comm, const kseg_table *raw, int64_t *n, uint64_t *hash)
{
  uint64_t local = 0;
#pragma omp parallel for schedule(static) reduction(+ : local)
  for (int64_t i = 0; i < raw->n_local; i++) {
    uint64_t g = (uint64_t)(raw->row0 + i);
    uint64_t h = kseg_hash_fnv1a(KSEG_HASH_FNV1A_INIT, &g, sizeof g);
    for (int c = 0; c < raw->n_cols; c++) {
      const kseg_column *col = &raw->cols[c];
      if (col->kind == KSEG_COL_STRING) h = kseg_hash_fnv1a(h, col->str + (size_t)i * (size_t)col->str_width, (size_t)col->str_width);
      else if (col->kind == KSEG_COL_CATEGORICAL) h = kseg_hash_fnv1a(h, &col->codes[i], sizeof(int32_t));
      else h = kseg_hash_fnv1a(h, &col->num[i], sizeof(double));
    }
    local += h;
  }
  /* a wrapping sum of per-row hashes: addition commutes, so any partition
   * and any thread split give the same 64 bits */
  KSEG_CHECK(kseg_hash_sum(comm, local, hash));
  *n = raw->n_global;
  return KSEG_OK;
}

static int write_names(kseg_h5_writer *w, const char *object, const char *name, char **values, int k)
{
  const char **v = kseg_calloc((size_t)k + 1, sizeof *v, "model names");
  int st = kseg_comm_agree(kseg_h5_writer_comm(w), v ? KSEG_OK : KSEG_ERR_IO);
  if (st) return st;
  for (int s = 0; s < k; s++) v[s] = values && values[s] ? values[s] : "";
  st = kseg_h5_attr_strings(w, object, name, v, k);
  free(v);
  return st;
}

int kseg_model_write(kseg_h5_writer *w, const kseg_model *m, const kseg_model_train *train)
{
  MPI_Comm comm = kseg_h5_writer_comm(w);
  const int W = kseg_prep_width(m->prep), F = m->prep->n_features;
  KSEG_CHECK(kseg_h5_group(w, "/model"));
  KSEG_CHECK(kseg_h5_attr_str(w, "/model", "version", KSEG_MODEL_VERSION));
  KSEG_CHECK(kseg_h5_attr_i64(w, "/model", "format", KSEG_MODEL_FORMAT));
  KSEG_CHECK(kseg_h5_attr_i64(w, "/model", "k", m->k));
  KSEG_CHECK(kseg_h5_attr_i64(w, "/model", "train_rows", m->train_rows));
  char hex[32];
  snprintf(hex, sizeof hex, "%016" PRIx64, m->train_hash);
  KSEG_CHECK(kseg_h5_attr_str(w, "/model", "train_hash", hex));
  KSEG_CHECK(kseg_h5_attr_str(w, "/model", "id_column", m->id_column ? m->id_column : ""));
  KSEG_CHECK(write_names(w, "/model", "segment_names", m->segment_names, m->k));
  KSEG_CHECK(write_names(w, "/model", "segment_actions", m->segment_actions, m->k));
  if (m->segment_decisions) KSEG_CHECK(write_names(w, "/model", "segment_decisions", m->segment_decisions, m->k));
  if (m->schema.n_cols > 0) KSEG_CHECK(kseg_h5_create_table_at(w, "/model/schema", &m->schema));
  KSEG_CHECK(kseg_prep_save(comm, w, "/model/prep", m->prep));

  int64_t dims[2] = {m->k, W};
  KSEG_CHECK(kseg_h5_write_small(w, "/model/centroids", KSEG_F64, 2, dims, m->centroids));
  char **cols = kseg_calloc((size_t)W + (size_t)F + 1, sizeof *cols, "model columns");
  char (*buf)[16] = kseg_calloc((size_t)W + 1, sizeof *buf, "model columns");
  int st = kseg_comm_agree(comm, cols && buf ? KSEG_OK : KSEG_ERR_IO);
  if (!st) {
    for (int j = 0; j < W; j++) cols[j] = (char *)kseg_prep_output_name(m->prep, j, buf[j], sizeof buf[j]);
    st = kseg_h5_attr_strings(w, "/model/centroids", "columns", (const char *const *)cols, W);
  }
  free(cols);
  free(buf);
  KSEG_CHECK(st);
  if (m->original) {
    int64_t od[2] = {m->k, F};
    KSEG_CHECK(kseg_h5_write_small(w, "/model/original", KSEG_F64, 2, od, m->original));
    KSEG_CHECK(kseg_h5_attr_strings(w, "/model/original", "columns", (const char *const *)m->prep->features, F));
  }
  if (train) {
    int32_t *half = kseg_malloc(sizeof(int32_t) * (size_t)(train->n_local + 1), "training keys");
    KSEG_CHECK(kseg_comm_agree(comm, half ? KSEG_OK : KSEG_ERR_IO));
    for (int64_t i = 0; i < train->n_local; i++) half[i] = (int32_t)(uint32_t)(train->keys[i] >> 32);
    st = kseg_h5_write_rows(w, "/model/train/key_hi", KSEG_I32, train->n_global, 0, train->row0, train->n_local, half);
    for (int64_t i = 0; !st && i < train->n_local; i++) half[i] = (int32_t)(uint32_t)train->keys[i];
    if (!st)
      st = kseg_h5_write_rows(w, "/model/train/key_lo", KSEG_I32, train->n_global, 0, train->row0, train->n_local, half);
    free(half);
    if (!st)
      st = kseg_h5_write_rows(w, "/model/train/labels", KSEG_I32, train->n_global, 0, train->row0, train->n_local,
                              train->labels);
    KSEG_CHECK(st);
  }
  return KSEG_OK;
}

int kseg_model_save(MPI_Comm comm, const char *path, const kseg_model *m, const kseg_model_train *train)
{
  kseg_h5_writer *w = NULL;
  KSEG_CHECK(kseg_h5_create(comm, path, &w));
  int st = kseg_model_write(w, m, train);
  return kseg_h5_finish(&w, st);
}

static int read_names(MPI_Comm comm, const char *path, const char *name, int k, char ***out)
{
  char **v = NULL;
  int64_t n = 0;
  KSEG_CHECK(kseg_h5_read_attr_strings(comm, path, "/model", name, &v, &n));
  int st = KSEG_OK;
  if (n != k) st = kseg_error_set(KSEG_ERR_INPUT, "%s:/model attribute %s has %lld entries, expected k = %d", path, name,
                                  (long long)n, k);
  if (st) kseg_strings_free(&v, n);
  *out = v;
  return kseg_comm_agree(comm, st);
}

int kseg_model_load(MPI_Comm comm, const char *path, kseg_model **out)
{
  *out = NULL;
  int exists = 0;
  int st = kseg_h5_exists(comm, path, "/model", &exists);
  if (st) return st;
  if (!exists)
    return kseg_comm_agree(comm, kseg_error_set(KSEG_ERR_INPUT, "%s is not a kseg model (no /model group)", path));
  double format = 0;
  KSEG_CHECK(kseg_h5_read_attr_f64(comm, path, "/model", "format", &format));
  if (format != KSEG_MODEL_FORMAT)
    return kseg_comm_agree(comm, kseg_error_set(KSEG_ERR_INPUT, "%s: model format %g; this kseg reads format %d",
                                                path, format, KSEG_MODEL_FORMAT));
  kseg_model *m = kseg_calloc(1, sizeof *m, "model");
  KSEG_CHECK(kseg_comm_agree(comm, m ? KSEG_OK : KSEG_ERR_IO));
  double v = 0;
  char *text = NULL;
  int64_t dims[2] = {0, 0};
  KSEG_CHECK_GOTO(kseg_h5_read_attr_f64(comm, path, "/model", "k", &v), st, fail);
  m->k = (int)v;
  KSEG_CHECK_GOTO(kseg_h5_read_attr_f64(comm, path, "/model", "train_rows", &v), st, fail);
  m->train_rows = (int64_t)v;
  KSEG_CHECK_GOTO(kseg_h5_read_attr_str(comm, path, "/model", "train_hash", &text), st, fail);
  m->train_hash = strtoull(text, NULL, 16);
  free(text);
  text = NULL;
  KSEG_CHECK_GOTO(kseg_h5_read_attr_str(comm, path, "/model", "id_column", &text), st, fail);
  if (text[0]) m->id_column = text;
  else free(text);
  text = NULL;
  KSEG_CHECK_GOTO(kseg_prep_load(comm, path, "/model/prep", &m->prep), st, fail);
  KSEG_CHECK_GOTO(kseg_h5_read_small_f64(comm, path, "/model/centroids", dims, &m->centroids), st, fail);
  m->d = kseg_prep_width(m->prep);
  if (dims[0] != m->k || dims[1] != m->d || m->k < 1)
    st = kseg_error_set(KSEG_ERR_INPUT, "%s:/model/centroids is %lld x %lld; expected k = %d rows of %lld features",
                        path, (long long)dims[0], (long long)dims[1], m->k, (long long)m->d);
  KSEG_CHECK_GOTO(kseg_comm_agree(comm, st), st, fail);
  KSEG_CHECK_GOTO(read_names(comm, path, "segment_names", m->k, &m->segment_names), st, fail);
  KSEG_CHECK_GOTO(read_names(comm, path, "segment_actions", m->k, &m->segment_actions), st, fail);
  int has = 0;
  KSEG_CHECK_GOTO(kseg_h5_exists(comm, path, "/model/schema", &has), st, fail);
  if (has) KSEG_CHECK_GOTO(kseg_h5_read_table_at(comm, path, "/model/schema", NULL, 0, &m->schema), st, fail);
  char **decisions = NULL;
  int64_t n_decisions = 0;
  if (kseg_h5_read_attr_strings(comm, path, "/model", "segment_decisions", &decisions, &n_decisions) == KSEG_OK) {
    if (n_decisions == m->k) m->segment_decisions = decisions;
    else kseg_strings_free(&decisions, n_decisions);
  } else {
    kseg_error_clear(); /* optional: a model without a campaign plan */
  }
  KSEG_CHECK_GOTO(kseg_h5_exists(comm, path, "/model/original", &has), st, fail);
  if (has) {
    KSEG_CHECK_GOTO(kseg_h5_read_small_f64(comm, path, "/model/original", dims, &m->original), st, fail);
    m->n_original = (int)dims[1];
    if (dims[0] != m->k || dims[1] != m->prep->n_features)
      st = kseg_error_set(KSEG_ERR_INPUT, "%s:/model/original is %lld x %lld; expected %d x %d", path,
                          (long long)dims[0], (long long)dims[1], m->k, m->prep->n_features);
    KSEG_CHECK_GOTO(kseg_comm_agree(comm, st), st, fail);
  }
  *out = m;
  return KSEG_OK;
fail:
  kseg_model_free(&m);
  return kseg_comm_agree(comm, st);
}

int kseg_model_read_train(MPI_Comm comm, const char *path, int64_t *n_global, int64_t *row0, int64_t *n_local,
                          uint64_t **keys, int32_t **labels)
{
  *keys = NULL;
  *labels = NULL;
  int has = 0;
  KSEG_CHECK(kseg_h5_exists(comm, path, "/model/train/labels", &has));
  if (!has)
    return kseg_comm_agree(comm, kseg_error_set(KSEG_ERR_INPUT,
                                                "%s holds no training customers (/model/train); it cannot be a warm "
                                                "start for drift",
                                                path));
  int32_t *hi = NULL, *lo = NULL;
  int64_t n2, r2, l2, n3, r3, l3;
  int st = kseg_h5_read_labels(comm, path, "/model/train/key_hi", n_global, row0, n_local, &hi);
  if (!st) st = kseg_h5_read_labels(comm, path, "/model/train/key_lo", &n2, &r2, &l2, &lo);
  if (!st) st = kseg_h5_read_labels(comm, path, "/model/train/labels", &n3, &r3, &l3, labels);
  if (!st && (n2 != *n_global || n3 != *n_global))
    st = kseg_error_set(KSEG_ERR_INPUT, "%s:/model/train datasets differ in length", path);
  if (!st) {
    *keys = kseg_malloc(sizeof(uint64_t) * (size_t)(*n_local + 1), "training keys");
    if (!*keys) st = KSEG_ERR_IO;
    for (int64_t i = 0; !st && i < *n_local; i++) (*keys)[i] = ((uint64_t)(uint32_t)hi[i] << 32) | (uint32_t)lo[i];
  }
  free(hi);
  free(lo);
  st = kseg_comm_agree(comm, st);
  if (st) {
    free(*keys);
    free(*labels);
    *keys = NULL;
    *labels = NULL;
  }
  return st;
}

int kseg_model_assign(MPI_Comm comm, const kseg_model *m, const kseg_table *raw, int32_t *labels, double *distance,
                      double **features)
{
  if (features) *features = NULL;
  const size_t n = (size_t)(raw->n_local > 0 ? raw->n_local : 1);
  double *x = kseg_malloc(sizeof(double) * n * (size_t)m->d, "features");
  double *d2 = kseg_malloc(sizeof(double) * n, "distances");
  int st = x && d2 ? KSEG_OK : KSEG_ERR_IO;
  if (!st) st = kseg_prep_apply(m->prep, raw, x);
  st = kseg_comm_agree(comm, st);
  if (!st) {
    kseg_matrix xm = {.n_global = raw->n_global, .row0 = raw->row0, .n_local = raw->n_local, .d = m->d,
                      .dtype = KSEG_F64, .data = x};
    st = kseg_kmeans_assign(&xm, m->centroids, m->k, labels, d2);
    if (!st && distance)
      for (int64_t i = 0; i < raw->n_local; i++) distance[i] = sqrt(d2[i]);
  }
  st = kseg_comm_agree(comm, st);
  free(d2);
  if (!st && features) *features = x;
  else free(x);
  return st;
}

int kseg_model_read_csv(MPI_Comm comm, const kseg_model *m, const char *path, const kseg_csv_options *opt,
                        kseg_table *out, kseg_csv_summary *summary)
{
  kseg_csv_options o = {0};
  if (opt) o = *opt;
  if (m->schema.n_cols > 0) o.schema = &m->schema;
  if (!o.id_column && m->schema.id_column) {
    o.id_column = m->schema.id_column;
    o.id_optional = true; /* a batch may come without it: then the file's own id column, if any */
  }
  return kseg_csv_read(comm, path, &o, out, summary);
}

/* Rows [i0, i1) of stage 2 of the preparation (derived and imputed: the
 * customers' own units, before any log, clipping or scaling). */
static void original_rows(const void *ctx, int64_t i0, int64_t i1, double *out)
{
  kseg_prep_transform_bound(ctx, 2, i0, i1, out);
}

/* Rows per block of the original means: they are computed a block at a
 * time rather than held for every row (8 bytes a row and feature, at the
 * end of a run when the rest is still held). */
#define ORIGINAL_BLOCK 8192

int kseg_model_original_means(MPI_Comm comm, const kseg_prep_model *prep, const kseg_table *raw,
                              const int32_t *labels, int k, double *out)
{
  const int F = prep->n_features;
  kseg_prep_bound *pb = NULL;
  KSEG_CHECK(kseg_comm_agree(comm, kseg_prep_bind(prep, raw, &pb)));
  const kseg_row_source src = {.row0 = raw->row0, .n_local = raw->n_local, .d = F, .block = ORIGINAL_BLOCK,
                               .rows = original_rows, .ctx = pb};
  kseg_cluster_stats cs = {0};
  int st = kseg_cluster_stats_by_blocks(comm, &src, labels, k, &cs);
  if (!st)
    for (int s = 0; s < k; s++)
      for (int f = 0; f < F; f++) out[(size_t)s * F + f] = cs.counts[s] > 0 ? cs.centroids[(size_t)s * F + f] : NAN;
  kseg_cluster_stats_clear(&cs);
  kseg_prep_unbind(pb);
  return st;
}

void kseg_model_free(kseg_model **mp)
{
  if (!mp || !*mp) return;
  kseg_model *m = *mp;
  kseg_prep_free(&m->prep);
  free(m->centroids);
  free(m->original);
  kseg_strings_free(&m->segment_names, m->k);
  kseg_strings_free(&m->segment_actions, m->k);
  kseg_strings_free(&m->segment_decisions, m->k);
  kseg_table_clear(&m->schema);
  free(m->id_column);
  free(m);
  *mp = NULL;
}
