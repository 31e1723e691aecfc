/* kseg_outputs.h - the files of a segmentation that no single module owns,
 * one writer each, shared by `kseg run` (kseg_run_pipeline) and the
 * single-step commands (`kseg prep`, `fit`, `assign`):
 *
 *   raw.h5       the raw table (/raw) and the file it came from;
 *   features.h5  the feature matrix with its column names and the fitted
 *                preparation under /prep (kseg_prep_save);
 *   result.h5    a label (and distance) per row, the centroids and how the
 *                fit went; also labels.h5 of `kseg assign`;
 *   segments.csv one line per customer: id, segment, name, distance (and the
 *                scored CSV of kseg assign, the same layout).
 *
 * Every writer is collective with its status agreed, and writes under a
 * temporary name renamed only when every rank succeeded, so a failure
 * leaves an earlier file of the same name as it was. The sweep, profiles,
 * model and drift files have their modules' writers (kseg_sweep_write,
 * kseg_profile_write, kseg_model_save, kseg_warmstart_write_json).
 */
#ifndef KSEG_OUTPUTS_H
#define KSEG_OUTPUTS_H

#include <mpi.h>
#include <stdbool.h>
#include <stdint.h>

#include "kseg/kseg_kmeans.h"
#include "kseg/kseg_prep.h"
#include "kseg/kseg_profile.h"
#include "kseg/kseg_types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* raw.h5: the table under /raw (kseg_h5_write_table) with attribute
 * `source` (the input it was read from) on /raw. */
int kseg_outputs_write_raw(MPI_Comm comm, const char *path, const kseg_table *raw, const char *source);

/* features.h5: this rank's rows of x (float64) at `dataset` with attribute
 * `columns` (x->columns; none when NULL), the fitted preparation under
 * /prep, and when fit_mask is given (x->n_local entries, 1 = the row was
 * used to fit the statistics) /prep/fit_mask as int32 over every row. */
int kseg_outputs_write_features(MPI_Comm comm, const char *path, const char *dataset, const kseg_matrix *x,
                                const kseg_prep_model *prep, const int8_t *fit_mask);

/* What a result file holds; every pointer is borrowed, and a NULL pointer
 * (0 for recommended_k) leaves its part out. */
typedef struct kseg_result_file {
  int64_t n_global, row0, n_local;   /* all rows, and this rank's block */
  const int32_t *labels;             /* /labels: n_local segment ids; required */
  const double *distance;            /* /distance: n_local distances to the own centroid */
  int64_t k;                         /* attribute k on "/" */
  const char *const *segment_names;  /* k names: attribute segment_names of /labels */
  const kseg_kmeans_result *fit;     /* /centroids (k x d) and attributes inertia, n_iter, converged */
  const char *const *columns;        /* d names: attribute columns of /centroids */
  const kseg_kmeans_options *options; /* how the fit was asked for: attributes init, n_init, max_iter,
                                         tol, seed, algorithm and kernel (the one that ran; needs fit) */
  const char *init, *algorithm;      /* with options, as the user named them: "k-means++",
                                        "FILE.h5:/DATASET", "warm-start"; "auto", "lloyd", ... */
  int64_t recommended_k;             /* the sweep's choice */
  const char *model, *input, *dataset; /* attributes naming where the result came from */
} kseg_result_file;

/* result.h5 (or labels.h5) as described by *f. KSEG_ERR_INPUT when labels
 * are missing, or `options` come without `fit`. */
int kseg_outputs_write_result(MPI_Comm comm, const char *path, const kseg_result_file *f);

/* What a per-customer file holds (segments.csv of kseg run, the scored CSV
 * of kseg assign); every pointer is borrowed. */
typedef struct kseg_segments_file {
  const kseg_table *raw;          /* this rank's rows (row0, n_local) and the id column's values */
  int id_col;                     /* the id column of raw, written first under its own name, byte for
                                     byte; < 0: a `row` column (the 0-based global row) */
  const int32_t *labels;          /* n_local segment ids in [0, k) */
  const double *distance;         /* n_local distances to the own centroid */
  int k;
  const char *const *names;       /* k segment names; NULL: empty */
  const char *const *decisions;   /* k campaign decisions ("contact", "test", "skip"); NULL: no column */
  const int32_t *previous;        /* n_local segments of a previous model (-1: not in it); NULL: no column */
  bool rule_column;               /* a rule_segment column after distance (kseg run) */
  const int32_t *rule_segment;    /* n_local segments the rules give (kseg_rules.h); NULL: the column is empty */
} kseg_segments_file;

/* A per-customer CSV for this rank's rows: header `<id column>` (or `row`),
 * segment, segment_name, distance[, decision][, previous_segment]; fields
 * holding a comma, quote or line end quoted (RFC 4180). Each rank formats
 * its rows a block at a time, twice (to count its bytes, then to write
 * them: it never holds the text of all its rows), byte offsets come from an
 * exclusive scan, MPI-IO writes at the offsets (in pieces below 2^31
 * bytes), into a temporary name renamed when complete: the same bytes for
 * any number of ranks. */
int kseg_outputs_write_segments(MPI_Comm comm, const char *path, const kseg_segments_file *f);

#ifdef __cplusplus
}
#endif

#endif
