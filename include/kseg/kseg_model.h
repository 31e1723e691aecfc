/* kseg_model.h - the saved segmentation model (model.h5, group /model):
 * everything needed to score a raw customer row, plus what a later retraining
 * needs to keep segment ids stable and to measure drift.
 *
 * Layout of /model (format version 1):
 *   attributes  version ("kseg 0.1.0"), format (1), k, train_rows,
 *               train_hash (hex text of the rank-invariant data fingerprint),
 *               id_column ("" when the rows were keyed by position),
 *               segment_names [k], segment_actions [k] (from the profile)
 *   /model/prep          the preprocessing chain (kseg_prep_save layout,
 *                        projection included)
 *   /model/centroids     k x D float64 in the feature space, attribute columns
 *   /model/original      k x F float64: each segment's mean of the derived,
 *                        imputed features in original units (stage 2 of prep),
 *                        attribute columns; what drift compares
 *   /model/train/key_hi, key_lo, labels   N int32 each: the 64-bit key of
 *                        every training customer (hash of its ID, or its row
 *                        position) split in two halves, and its segment
 *   /model/schema        the training table's layout as a /raw table of zero
 *                        rows (kseg_h5io.h): every column's kind, format
 *                        (decimal mark, unit, date order) and categorical
 *                        levels, and attribute id_column: how new customers
 *                        of the same source are read (kseg_csv_options.schema)
 *   attribute segment_decisions [k] (optional): each segment's campaign
 *                        decision ("contact", "test", "skip"), when the run
 *                        had a campaign plan; scored CSVs carry it
 *
 * Keys, not the IDs themselves, are stored: a fixed-width 64-bit value per
 * customer whatever the ID looks like, joined by hashing across ranks
 * (kseg_warmstart.h). Two IDs with the same 64-bit hash would be taken for
 * one customer; at 10^7 customers the chance is about 3e-6.
 */
#ifndef KSEG_MODEL_H
#define KSEG_MODEL_H

#include <mpi.h>
#include <stdint.h>

#include "kseg/kseg_csv.h"
#include "kseg/kseg_h5io.h"
#include "kseg/kseg_prep.h"

#ifdef __cplusplus
extern "C" {
#endif

#define KSEG_MODEL_VERSION "kseg 0.1.0"
#define KSEG_MODEL_FORMAT 1

typedef struct kseg_model {
  kseg_prep_model *prep;     /* owned */
  int k;
  int64_t d;                 /* feature width (kseg_prep_width(prep)) */
  double *centroids;         /* k x d */
  int n_original;            /* F */
  double *original;          /* k x F, original units; NULL when unknown */
  char **segment_names;      /* k, or NULL */
  char **segment_actions;    /* k, or NULL */
  char *id_column;           /* NULL: customers keyed by row position */
  char **segment_decisions;  /* k campaign decisions, or NULL (no plan) */
  kseg_table schema;         /* the training table's columns, zero rows (n_cols 0: not recorded) */
  int64_t train_rows;
  uint64_t train_hash;
} kseg_model;

/* This rank's part of the training set: key and segment of rows
 * [row0, row0 + n_local) of n_global. Borrowed. */
typedef struct kseg_model_train {
  int64_t n_global, row0, n_local;
  const uint64_t *keys;
  const int32_t *labels;
} kseg_model_train;

/* The identifier column of a raw table: the one its import recorded
 * (raw->id_column), else the first with an id name (kseg_csv_is_id_name),
 * else the first string column; -1 when there is none. Local. */
int kseg_model_id_column(const kseg_table *raw);

/* The layout of `raw` without its rows (names, kinds, formats, levels, string
 * widths, the id column), for m->schema: *out owns copies; free with
 * kseg_table_clear. KSEG_ERR_IO when out of memory. Local. */
int kseg_model_schema_of(const kseg_table *raw, kseg_table *out);

/* 64-bit keys of this rank's rows (keys[raw->n_local], caller-allocated): a
 * hash of the value in column `id_col`, or the global row index when
 * id_col < 0. Local. */
void kseg_model_row_keys(const kseg_table *raw, int id_col, uint64_t *keys);

/* Fingerprint of a raw table: N and the wrapping sum over rows of a 64-bit
 * hash of (global row index, every value of the row), reduced exactly, so
 * the same for any partition. Collective. */
int kseg_model_fingerprint(MPI_Comm comm, const kseg_table *raw, int64_t *n, uint64_t *hash);

/* Write `m` (and the training keys/labels when train != NULL) as group
 * /model of the open writer w. Collective. */
int kseg_model_write(kseg_h5_writer *w, const kseg_model *m, const kseg_model_train *train);

/* Write `m` to `path` alone, atomically (temporary name, renamed when
 * complete). Collective; status agreed. */
int kseg_model_save(MPI_Comm comm, const char *path, const kseg_model *m, const kseg_model_train *train);

/* Load /model of `path` onto every rank (the training keys are not loaded:
 * kseg_model_read_train). KSEG_ERR_INPUT naming the file when it is missing,
 * not a kseg model, or of another format version. Collective; agreed. */
int kseg_model_load(MPI_Comm comm, const char *path, kseg_model **out);

/* Read this rank's block (kseg_partition of the stored N) of the training
 * keys and labels; *keys and *labels are owned by the caller. A model saved
 * without them is KSEG_ERR_INPUT. Collective; agreed. */
int kseg_model_read_train(MPI_Comm comm, const char *path, int64_t *n_global, int64_t *row0, int64_t *n_local,
                          uint64_t **keys, int32_t **labels);

/* Score this rank's rows of a raw table: the model's preprocessing
 * (kseg_prep_apply) then the nearest centroid (kseg_kmeans_assign, the fit's
 * kernel, so training rows get their training labels back).
 * labels[raw->n_local]; distance[raw->n_local] (may be NULL) is the
 * Euclidean distance to the assigned centroid in feature space; features
 * (may be NULL) receives the n_local x d feature rows, owned by the caller.
 * A needed column absent from the table is KSEG_ERR_INPUT naming it.
 * Collective (status agreed). */
int kseg_model_assign(MPI_Comm comm, const kseg_model *m, const kseg_table *raw, int32_t *labels, double *distance,
                      double **features);

/* Read new customers from a CSV export as the model's training table was
 * read: the model's schema (m->schema: kinds, decimal marks, units, date
 * orders, categorical levels) drives kseg_csv_read, so a batch of any size -
 * one row too - reads as training did; a category not seen in training is
 * missing (then imputed by the preparation) and counted in the summary's
 * notes. The id column is opt->id_column, else the schema's. Without a
 * schema (a model from an earlier kseg) the kinds are inferred from the
 * file. opt may be NULL. *out and *summary as kseg_csv_read gives them.
 * Collective; status agreed. */
int kseg_model_read_csv(MPI_Comm comm, const kseg_model *m, const char *path, const kseg_csv_options *opt,
                        kseg_table *out, kseg_csv_summary *summary);

/* Each segment's mean of the derived, imputed features (stage 2 of the
 * preparation, original units): out[k x F], F = m->prep->n_features, rows
 * of empty segments NaN. Exact sums. Collective. */
int kseg_model_original_means(MPI_Comm comm, const kseg_prep_model *prep, const kseg_table *raw,
                              const int32_t *labels, int k, double *out);

/* NULL-safe; sets *m = NULL. */
void kseg_model_free(kseg_model **m);

#ifdef __cplusplus
}
#endif

#endif
