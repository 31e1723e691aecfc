/* features/prep/io.c - saving a fitted preparation under /prep and loading it back
 * (the replay path of kseg assign / kseg model).
 *
 * Layout of group G (default /prep), every array identical on all ranks:
 *   attributes  recipe, impute, outliers, scale (strings), version, fit_rows,
 *               features (F names), output_columns (width names)
 *   G/offset, fill, log1p (0/1), clip_lo, clip_hi, center, scale   [F] float64
 *   G/terms/feature (int64), coef, lo, hi, other, n_map (int64)   [T]
 *               attribute `columns` on G/terms: the raw column of each term
 *   G/levelmap/value [M] float64, attribute `levels` [M]: the level maps of
 *               the categorical terms, concatenated in term order
 *   G/pca/components [C x F], mean [F], explained_variance [C],
 *               explained_variance_ratio [C]    (only with a projection)
 *   G/autoencoder   the trained network (kseg_ae_save; only with
 *               --autoencoder): its encoder is the projection
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kseg/kseg_comm.h"
#include "kseg/kseg_error.h"
#include "kseg/kseg_h5io.h"
#include "kseg/kseg_prep.h"
#include "kseg/kseg_strings.h"

#define KSEG_PREP_VERSION 1

static int write_vec(kseg_h5_writer *w, const char *group, const char *name, kseg_dtype type, int64_t n,
                     const void *data)
{
  char path[512];
  snprintf(path, sizeof path, "%s/%s", group, name);
  return kseg_h5_write_small(w, path, type, 1, &n, data);
}

int kseg_prep_save(MPI_Comm comm, kseg_h5_writer *w, const char *group, const kseg_prep_model *m)
{
  const int F = m->n_features, T = m->n_terms, C = m->n_components;
  int M = 0;
  for (int t = 0; t < T; t++) M += m->terms[t].n_map;
  int W = kseg_prep_width(m);
  size_t cap = (size_t)(F + T + M + W + 1);
  double *dv = kseg_malloc(sizeof(double) * cap, "prep save");
  int64_t *iv = kseg_malloc(sizeof(int64_t) * cap, "prep save");
  const char **sv = kseg_calloc(cap, sizeof *sv, "prep save");
  char (*pcnames)[16] = kseg_calloc((size_t)W + 1, sizeof *pcnames, "prep save");
  int st = dv && iv && sv && pcnames ? KSEG_OK : KSEG_ERR_IO;
  KSEG_CHECK_GOTO(kseg_comm_agree(comm, st), st, done);

  char sub[512];
  KSEG_CHECK_GOTO(kseg_h5_group(w, group), st, done);
  KSEG_CHECK_GOTO(kseg_h5_attr_i64(w, group, "version", KSEG_PREP_VERSION), st, done);
  KSEG_CHECK_GOTO(kseg_h5_attr_i64(w, group, "fit_rows", m->fit_rows), st, done);
  KSEG_CHECK_GOTO(kseg_h5_attr_str(w, group, "recipe", m->recipe ? m->recipe : ""), st, done);
  KSEG_CHECK_GOTO(kseg_h5_attr_str(w, group, "impute", m->impute ? m->impute : ""), st, done);
  KSEG_CHECK_GOTO(kseg_h5_attr_str(w, group, "outliers", m->outliers ? m->outliers : ""), st, done);
  KSEG_CHECK_GOTO(kseg_h5_attr_str(w, group, "scale", m->scale ? m->scale : ""), st, done);
  KSEG_CHECK_GOTO(kseg_h5_attr_strings(w, group, "features", (const char *const *)m->features, F), st, done);
  for (int j = 0; j < W; j++) sv[j] = kseg_prep_output_name(m, j, pcnames[j], sizeof pcnames[j]);
  KSEG_CHECK_GOTO(kseg_h5_attr_strings(w, group, "output_columns", sv, W), st, done);

  KSEG_CHECK_GOTO(write_vec(w, group, "offset", KSEG_F64, F, m->offset), st, done);
  KSEG_CHECK_GOTO(write_vec(w, group, "fill", KSEG_F64, F, m->fill), st, done);
  for (int f = 0; f < F; f++) dv[f] = m->log1p[f];
  KSEG_CHECK_GOTO(write_vec(w, group, "log1p", KSEG_F64, F, dv), st, done);
  KSEG_CHECK_GOTO(write_vec(w, group, "clip_lo", KSEG_F64, F, m->clip_lo), st, done);
  KSEG_CHECK_GOTO(write_vec(w, group, "clip_hi", KSEG_F64, F, m->clip_hi), st, done);
  KSEG_CHECK_GOTO(write_vec(w, group, "center", KSEG_F64, F, m->center), st, done);
  KSEG_CHECK_GOTO(write_vec(w, group, "scale", KSEG_F64, F, m->scale_by), st, done);

  snprintf(sub, sizeof sub, "%s/terms", group);
  for (int t = 0; t < T; t++) iv[t] = m->terms[t].feature;
  KSEG_CHECK_GOTO(write_vec(w, sub, "feature", KSEG_I64, T, iv), st, done);
  for (int t = 0; t < T; t++) iv[t] = m->terms[t].n_map;
  KSEG_CHECK_GOTO(write_vec(w, sub, "n_map", KSEG_I64, T, iv), st, done);
#define KSEG_TERM_FIELD(field)                                                         \
  for (int t = 0; t < T; t++) dv[t] = m->terms[t].field;                              \
  KSEG_CHECK_GOTO(write_vec(w, sub, #field, KSEG_F64, T, dv), st, done)
  KSEG_TERM_FIELD(coef);
  KSEG_TERM_FIELD(lo);
  KSEG_TERM_FIELD(hi);
  KSEG_TERM_FIELD(other);
#undef KSEG_TERM_FIELD
  for (int t = 0; t < T; t++) sv[t] = m->terms[t].column;
  KSEG_CHECK_GOTO(kseg_h5_attr_strings(w, sub, "columns", sv, T), st, done);

  if (M > 0) {
    snprintf(sub, sizeof sub, "%s/levelmap", group);
    int k = 0;
    for (int t = 0; t < T; t++)
      for (int i = 0; i < m->terms[t].n_map; i++, k++) {
        dv[k] = m->terms[t].map_values[i];
        sv[k] = m->terms[t].map_levels[i];
      }
    KSEG_CHECK_GOTO(write_vec(w, sub, "value", KSEG_F64, M, dv), st, done);
    KSEG_CHECK_GOTO(kseg_h5_attr_strings(w, sub, "levels", sv, M), st, done);
  }

  if (C > 0) {
    snprintf(sub, sizeof sub, "%s/pca", group);
    int64_t dims[2] = {C, F};
    char path[600];
    snprintf(path, sizeof path, "%s/components", sub);
    KSEG_CHECK_GOTO(kseg_h5_write_small(w, path, KSEG_F64, 2, dims, m->components), st, done);
    KSEG_CHECK_GOTO(write_vec(w, sub, "mean", KSEG_F64, F, m->pca_mean), st, done);
    KSEG_CHECK_GOTO(write_vec(w, sub, "explained_variance", KSEG_F64, C, m->explained_variance), st, done);
    KSEG_CHECK_GOTO(write_vec(w, sub, "explained_variance_ratio", KSEG_F64, C, m->explained_variance_ratio), st,
                    done);
  }
  if (m->autoencoder) {
    snprintf(sub, sizeof sub, "%s/autoencoder", group);
    KSEG_CHECK_GOTO(kseg_ae_save(w, sub, m->autoencoder), st, done);
  }
done:
  free(dv);
  free(iv);
  free(sv);
  free(pcnames);
  return kseg_comm_agree(comm, st);
}

/* ---- loading ---- */

static int read_string_list(MPI_Comm comm, const char *path, const char *object, const char *name, char ***out,
                            int64_t *count)
{
  int st = kseg_h5_read_attr_strings(comm, path, object, name, out, count);
  if (st == KSEG_ERR_INPUT) { /* say where the attribute should come from */
    char why[1024];
    snprintf(why, sizeof why, "%s (not written by kseg prep?)", kseg_error_message());
    kseg_error_replace(why);
  }
  return st;
}

/* A 1-D dataset of exactly n values (n < 0: any length, returned in *n). */
static int read_vec(MPI_Comm comm, const char *path, const char *group, const char *name, int64_t *n, double **out)
{
  char ds[600];
  snprintf(ds, sizeof ds, "%s/%s", group, name);
  int64_t dims[2];
  KSEG_CHECK(kseg_h5_read_small_f64(comm, path, ds, dims, out));
  int st = KSEG_OK;
  int64_t len = dims[0] * dims[1];
  if (*n >= 0 && len != *n)
    st = kseg_error_set(KSEG_ERR_INPUT, "%s:%s has %lld values, expected %lld", path, ds, (long long)len,
                        (long long)*n);
  *n = len;
  if (st) {
    free(*out);
    *out = NULL;
  }
  return st; /* the same on every rank: the shape was read by all */
}

int kseg_prep_load(MPI_Comm comm, const char *path, const char *group, kseg_prep_model **out)
{
  *out = NULL;
  int st = KSEG_OK;
  kseg_prep_model *m = kseg_calloc(1, sizeof *m, "prep model");
  char **features = NULL, **tcols = NULL, **levels = NULL;
  int64_t nf = 0, nt = 0, nl = 0;
  double *v = NULL, *tfeat = NULL, *tmap = NULL, *lvals = NULL, *log1p = NULL;
  KSEG_CHECK_GOTO(kseg_comm_agree(comm, m ? KSEG_OK : KSEG_ERR_IO), st, fail);

  double version = 0;
  KSEG_CHECK_GOTO(kseg_h5_read_attr_f64(comm, path, group, "version", &version), st, fail);
  if (version != KSEG_PREP_VERSION)
    st = kseg_error_set(KSEG_ERR_INPUT, "%s:%s has version %g; this kseg reads version %d", path, group, version,
                        KSEG_PREP_VERSION);
  KSEG_CHECK_GOTO(kseg_comm_agree(comm, st), st, fail);
  double fit_rows = 0;
  KSEG_CHECK_GOTO(kseg_h5_read_attr_f64(comm, path, group, "fit_rows", &fit_rows), st, fail);
  m->fit_rows = (int64_t)fit_rows;
  KSEG_CHECK_GOTO(kseg_h5_read_attr_str(comm, path, group, "recipe", &m->recipe), st, fail);
  KSEG_CHECK_GOTO(kseg_h5_read_attr_str(comm, path, group, "impute", &m->impute), st, fail);
  KSEG_CHECK_GOTO(kseg_h5_read_attr_str(comm, path, group, "outliers", &m->outliers), st, fail);
  KSEG_CHECK_GOTO(kseg_h5_read_attr_str(comm, path, group, "scale", &m->scale), st, fail);
  KSEG_CHECK_GOTO(read_string_list(comm, path, group, "features", &features, &nf), st, fail);
  m->features = features;
  m->n_features = (int)nf;
  features = NULL;
  int64_t F = nf;
  KSEG_CHECK_GOTO(read_vec(comm, path, group, "offset", &F, &m->offset), st, fail);
  KSEG_CHECK_GOTO(read_vec(comm, path, group, "fill", &F, &m->fill), st, fail);
  KSEG_CHECK_GOTO(read_vec(comm, path, group, "log1p", &F, &log1p), st, fail);
  KSEG_CHECK_GOTO(read_vec(comm, path, group, "clip_lo", &F, &m->clip_lo), st, fail);
  KSEG_CHECK_GOTO(read_vec(comm, path, group, "clip_hi", &F, &m->clip_hi), st, fail);
  KSEG_CHECK_GOTO(read_vec(comm, path, group, "center", &F, &m->center), st, fail);
  KSEG_CHECK_GOTO(read_vec(comm, path, group, "scale", &F, &m->scale_by), st, fail);
  m->log1p = kseg_calloc((size_t)F + 1, 1, "prep log1p");
  KSEG_CHECK_GOTO(kseg_comm_agree(comm, m->log1p ? KSEG_OK : KSEG_ERR_IO), st, fail);
  for (int64_t f = 0; f < F; f++) m->log1p[f] = log1p[f] != 0;

  char sub[600];
  snprintf(sub, sizeof sub, "%s/terms", group);
  KSEG_CHECK_GOTO(read_string_list(comm, path, sub, "columns", &tcols, &nt), st, fail);
  int64_t T = nt;
  KSEG_CHECK_GOTO(read_vec(comm, path, sub, "feature", &T, &tfeat), st, fail);
  KSEG_CHECK_GOTO(read_vec(comm, path, sub, "n_map", &T, &tmap), st, fail);
  m->terms = kseg_calloc((size_t)T + 1, sizeof *m->terms, "prep terms");
  KSEG_CHECK_GOTO(kseg_comm_agree(comm, m->terms ? KSEG_OK : KSEG_ERR_IO), st, fail);
  m->n_terms = (int)T;
  int64_t M = 0;
  for (int64_t t = 0; t < T; t++) {
    kseg_prep_term *tm = &m->terms[t];
    tm->column = tcols[t];
    tcols[t] = NULL;
    tm->feature = (int)tfeat[t];
    tm->n_map = (int)tmap[t];
    if (tm->feature < 0 || tm->feature >= F || tm->n_map < 0)
      st = kseg_error_set(KSEG_ERR_INPUT, "%s:%s is inconsistent (term %lld)", path, sub, (long long)t);
    M += tm->n_map;
  }
  KSEG_CHECK_GOTO(kseg_comm_agree(comm, st), st, fail);
#define KSEG_TERM_FIELD(field)                                                             \
  do {                                                                                     \
    KSEG_CHECK_GOTO(read_vec(comm, path, sub, #field, &T, &v), st, fail);                  \
    for (int64_t t = 0; t < T; t++) m->terms[t].field = v[t];                              \
    free(v);                                                                               \
    v = NULL;                                                                              \
  } while (0)
  KSEG_TERM_FIELD(coef);
  KSEG_TERM_FIELD(lo);
  KSEG_TERM_FIELD(hi);
  KSEG_TERM_FIELD(other);
#undef KSEG_TERM_FIELD

  if (M > 0) {
    snprintf(sub, sizeof sub, "%s/levelmap", group);
    KSEG_CHECK_GOTO(read_string_list(comm, path, sub, "levels", &levels, &nl), st, fail);
    int64_t n = M;
    KSEG_CHECK_GOTO(read_vec(comm, path, sub, "value", &n, &lvals), st, fail);
    if (nl != M) st = kseg_error_set(KSEG_ERR_INPUT, "%s:%s has %lld levels, expected %lld", path, sub, (long long)nl,
                                     (long long)M);
    int64_t k = 0;
    for (int64_t t = 0; !st && t < T; t++) {
      kseg_prep_term *tm = &m->terms[t];
      if (tm->n_map == 0) continue;
      tm->map_levels = kseg_calloc((size_t)tm->n_map, sizeof *tm->map_levels, "level map");
      tm->map_values = kseg_calloc((size_t)tm->n_map, sizeof *tm->map_values, "level map");
      if (!tm->map_levels || !tm->map_values) { st = KSEG_ERR_IO; break; }
      for (int i = 0; i < tm->n_map; i++, k++) {
        tm->map_levels[i] = levels[k];
        levels[k] = NULL;
        tm->map_values[i] = lvals[k];
      }
    }
    KSEG_CHECK_GOTO(kseg_comm_agree(comm, st), st, fail);
  }

  /* the projection is optional: present iff the group has pca/components */
  double *comp = NULL;
  int64_t dims[2] = {0, 0};
  snprintf(sub, sizeof sub, "%s/pca/components", group);
  int has_pca = 0;
  KSEG_CHECK_GOTO(kseg_h5_exists(comm, path, sub, &has_pca), st, fail);
  if (has_pca) {
    KSEG_CHECK_GOTO(kseg_h5_read_small_f64(comm, path, sub, dims, &comp), st, fail);
    m->components = comp;
    m->n_components = (int)dims[0];
    if (dims[1] != F)
      st = kseg_error_set(KSEG_ERR_INPUT, "%s:%s has %lld columns, expected %lld features", path, sub,
                          (long long)dims[1], (long long)F);
    KSEG_CHECK_GOTO(kseg_comm_agree(comm, st), st, fail);
    int64_t C = dims[0];
    snprintf(sub, sizeof sub, "%s/pca", group);
    KSEG_CHECK_GOTO(read_vec(comm, path, sub, "mean", &F, &m->pca_mean), st, fail);
    KSEG_CHECK_GOTO(read_vec(comm, path, sub, "explained_variance", &C, &m->explained_variance), st, fail);
    KSEG_CHECK_GOTO(read_vec(comm, path, sub, "explained_variance_ratio", &C, &m->explained_variance_ratio), st,
                    fail);
  }
  int has_ae = 0;
  snprintf(sub, sizeof sub, "%s/autoencoder", group);
  KSEG_CHECK_GOTO(kseg_h5_exists(comm, path, sub, &has_ae), st, fail);
  if (has_ae) {
    kseg_ae ae;
    KSEG_CHECK_GOTO(kseg_ae_load(comm, path, sub, &ae), st, fail);
    if (ae.sizes[0] != F)
      st = kseg_error_set(KSEG_ERR_INPUT, "%s:%s takes %d inputs, expected %lld features", path, sub, ae.sizes[0],
                          (long long)F);
    if (!st) st = kseg_prep_set_autoencoder(m, &ae);
    kseg_ae_clear(&ae);
    KSEG_CHECK_GOTO(kseg_comm_agree(comm, st), st, fail);
  }
  *out = m;
  m = NULL;
fail:
  kseg_strings_free(&features, nf);
  kseg_strings_free(&tcols, nt);
  kseg_strings_free(&levels, nl);
  free(v);
  free(tfeat);
  free(tmap);
  free(lvals);
  free(log1p);
  kseg_prep_free(&m);
  return kseg_comm_agree(comm, st);
}
