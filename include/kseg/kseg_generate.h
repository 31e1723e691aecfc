/* kseg_generate.h - synthetic customers with the 29 columns of the Kaggle
 * Customer Personality table, drawn from K latent segments whose ids are
 * written beside them (/truth/segment) so clustering can be scored.
 *
 * Every value of row i is a pure function of (seed, i): the draws come from
 * the counter-based RNG keyed by the global row index (stream
 * KSEG_STREAM_GENERATE), never by rank or thread, so the output does not
 * depend on how rows are partitioned. Segment parameters depend on (seed, K)
 * only and are computed identically on every rank.
 */
#ifndef KSEG_GENERATE_H
#define KSEG_GENERATE_H

#include <mpi.h>
#include <stdint.h>

#include "kseg/kseg_types.h"

#ifdef __cplusplus
extern "C" {
#endif

enum {
  KSEG_GENERATE_NCOLS = 29,         /* columns of the Customer Personality table */
  KSEG_GENERATE_MAX_SEGMENTS = 64,  /* --segments upper bound */
  KSEG_GENERATE_DEFAULT_SEGMENTS = 4,
  KSEG_GENERATE_ROUND_ROWS = 1 << 19 /* default rows per rank per write round (~120 MB) */
};

typedef struct kseg_generate_opts {
  int64_t rows;       /* N >= 1 */
  int segments;       /* K in [1, KSEG_GENERATE_MAX_SEGMENTS] */
  int64_t seed;       /* any value; stored as the file attribute `seed` */
  int64_t round_rows; /* rows per rank generated and written per collective
                         round; 0: KSEG_GENERATE_ROUND_ROWS. Bounds memory;
                         the file does not depend on it. */
} kseg_generate_opts;

/* Global figures of a generated table (identical on every rank). */
typedef struct kseg_generate_summary {
  int64_t rows;
  int segments;
  int64_t rounds;                                     /* collective write rounds */
  int64_t segment_rows[KSEG_GENERATE_MAX_SEGMENTS];   /* rows per latent segment */
  int64_t income_missing;                             /* rows with Income NaN */
  int64_t responders;                                 /* rows with Response = 1 */
  double seconds;                                     /* whole call, max over ranks */
  double generate_seconds;                            /* drawing the rows, max over ranks */
  double write_seconds;                               /* HDF5 writes and rename, max over ranks */
} kseg_generate_summary;

/* Column names in file order, and their kinds. Local. */
extern const char *const kseg_generate_columns[KSEG_GENERATE_NCOLS];
kseg_col_kind kseg_generate_column_kind(int col);

/* Validate options: rows < 1 or segments outside [1, 64] are KSEG_ERR_INPUT
 * with a message naming the flag. Local. */
int kseg_generate_check(const kseg_generate_opts *o);

/* Latent segment weights (sum 1, unequal, largest first) for K segments into
 * weights[K]. Local. */
void kseg_generate_weights(int segments, double *weights);

/* Allocate an empty table of n rows with the generator's columns (levels
 * filled in); rows are filled by kseg_generate_fill. Free with
 * kseg_table_clear. Local; KSEG_ERR_IO on out of memory. */
int kseg_generate_table_alloc(int64_t n_global, int64_t row0, int64_t n_local, kseg_table *t);

/* Fill rows [t->row0, t->row0 + t->n_local) of table t (from
 * kseg_generate_table_alloc) and their latent segments segment[n_local].
 * Threads split the rows; results do not depend on the thread count. Local. */
int kseg_generate_fill(const kseg_generate_opts *o, kseg_table *t, int32_t *segment);

/* Generate o->rows customers into the HDF5 file `path` (written under a
 * temporary name and renamed when complete): /raw (table layout of
 * kseg_h5io.h), /truth/segment (N int32), /truth/weights (K float64, the
 * segment probabilities), attributes generator, seed, segments on "/".
 * Every rank generates and writes its own row block in rounds of at most
 * round_rows rows (about 240 bytes a row in memory), every rank doing the
 * same number of collective writes. Output is byte-identical for any number
 * of ranks and any round size. `summary` may be NULL.
 * Errors: bad options KSEG_ERR_INPUT, unwritable path KSEG_ERR_IO; on failure
 * no output is left. Collective; the result is agreed. */
int kseg_generate_write(MPI_Comm comm, const char *path, const kseg_generate_opts *o,
                        kseg_generate_summary *summary);

#ifdef __cplusplus
}
#endif

#endif
