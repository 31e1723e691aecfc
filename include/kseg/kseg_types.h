/* kseg_types.h - the data kseg passes between modules: a rank's row block of
 * an N x D matrix and of the columnar raw table. Plain data, no I/O: the
 * HDF5 layouts they are read from and written to are in kseg_h5io.h.
 *
 * Every rank owns rows [row0, row0 + n_local) of kseg_partition(N, P, rank).
 */
#ifndef KSEG_TYPES_H
#define KSEG_TYPES_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum kseg_dtype { KSEG_F64 = 0, KSEG_F32 = 1, KSEG_I32 = 2, KSEG_I64 = 3 } kseg_dtype;

size_t kseg_dtype_size(kseg_dtype t);

/* A row block of an N x D matrix held by this rank. */
typedef struct kseg_matrix {
  int64_t n_global; /* N */
  int64_t row0;     /* first global row held here */
  int64_t n_local;  /* rows held here */
  int64_t d;        /* columns */
  kseg_dtype dtype; /* KSEG_F64 or KSEG_F32 */
  void *data;       /* n_local x d, row-major; owned */
  char **columns;   /* d names (owned), or NULL when the file has none */
} kseg_matrix;

/* Free what m owns and zero it (m itself is the caller's). NULL-safe. Local. */
void kseg_matrix_clear(kseg_matrix *m);

/* ---- the raw table ---- */

typedef enum kseg_col_kind {
  KSEG_COL_NUMERIC = 0,     /* float64, NaN missing */
  KSEG_COL_DATE = 1,        /* float64 days since 1970-01-01, NaN missing */
  KSEG_COL_CATEGORICAL = 2, /* int32 codes into levels, -1 missing */
  KSEG_COL_STRING = 3       /* fixed-width strings (identifiers) */
} kseg_col_kind;

const char *kseg_col_kind_name(kseg_col_kind k); /* "numeric", "date", ... */

/* How a column's values were written in the text they came from, so that
 * new rows of the same source are read the same way (kseg assign from a CSV)
 * and units are not lost. All empty for columns that did not come from text.
 * Stored as attributes of /raw/<column> (kseg_h5io.h) when not empty. */
typedef struct kseg_col_format {
  char decimal;       /* numeric written with a decimal comma: ','; else 0 (a point, or not from text) */
  char date_order[4]; /* date: "DMY" or "MDY" when the year came last, "YMD" when first; "" unknown */
  char unit[12];      /* numeric: "%" (stored as fractions: 12 % -> 0.12), a currency ("EUR", "$", "GBP",
                         ...) or "" */
} kseg_col_format;

typedef struct kseg_column {
  char *name;
  kseg_col_kind kind;
  kseg_col_format format;
  double *num;      /* NUMERIC, DATE: n_local values */
  int32_t *codes;   /* CATEGORICAL: n_local codes */
  char **levels;    /* CATEGORICAL: n_levels strings, same on every rank */
  int32_t n_levels;
  char *str;        /* STRING: n_local x str_width bytes, NUL-padded */
  int32_t str_width;/* STRING: bytes per value (global, same on every rank) */
} kseg_column;

typedef struct kseg_table {
  int64_t n_global, row0, n_local;
  int n_cols;
  kseg_column *cols; /* n_cols, owned */
  char *id_column;   /* the identifier column's name when recorded (an import's), else NULL; owned */
} kseg_table;

/* Free what t owns and zero it (t itself is the caller's). NULL-safe. Local. */
void kseg_table_clear(kseg_table *t);
/* The text of local row i's value as the table shows it: a string as
 * stored, a category's level, a number as an integer when it is one (below
 * 1e15 in magnitude) else with 17 significant digits, "" when missing.
 * Returns its length; buf is always NUL-terminated (cut to len - 1). Local. */
size_t kseg_column_text(const kseg_column *c, int64_t i, char *buf, size_t len);
/* Index of column `name`, -1 if absent. Local. */
int kseg_table_find(const kseg_table *t, const char *name);
/* The same, but names compared without ASCII case when no name matches
 * exactly (`response` finds `Response`). Local. */
int kseg_table_find_nocase(const kseg_table *t, const char *name);

#ifdef __cplusplus
}
#endif

#endif
