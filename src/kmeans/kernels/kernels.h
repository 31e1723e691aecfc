/* kernels.h - the typed k-means kernels behind one table per data type; not
 * part of the public API.
 *
 * Every loop that reads the rows in their own type (float64 or float32) is a
 * kernel: written once as a template (block.h, panel.h, elkan.h, yinyang.h,
 * scan.h, seed.h; shared inline pieces in row.h) and compiled once per type
 * (block_f64.c, block_f32.c, ...). The rest of k-means is written once, in
 * double, and reaches a kernel only through the kseg_km_ops of the data's
 * type, looked up once (kseg_km_ops_of, or the fit's kernel cell in
 * registry.h): rows and tables are `void *` here and typed inside.
 *
 * Layouts: rows x are n x d row-major. A centroid table ct is d x kp (the
 * k centroids transposed, kp = k rounded up to KSEG_KM_KB, padding ignored),
 * so nearest()'s innermost loop runs over 16 centroids with unit stride. */
#ifndef KSEG_KMEANS_KERNELS_H
#define KSEG_KMEANS_KERNELS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kmeans/internal.h"

/* Centroids per register block of nearest(); centroid tables are padded to
 * a multiple of it. */
#define KSEG_KM_KB 16

/* Rows of the largest panel the E-step's micro-kernel packs (panel.h: 24
 * doubles or 48 floats); each thread's panel buffer holds this many rows of
 * d values, 64-byte aligned. */
#define KSEG_KM_PANEL_ROWS 48

/* Bytes of one column of a panel (24 doubles or 48 floats). The rows in
 * panel order (pack_panels) are, for each run of KSEG_KM_PANEL_BYTES / size
 * consecutive rows (the last run repeats the last row), d + 1 columns one
 * after the other: the rows' values of column j side by side, then their
 * norms ||x||, rounded up. */
#define KSEG_KM_PANEL_BYTES 192

/* The centroid tables one E-step searches with (estep.c fills them) and the
 * dot form's margins (panel.h, dot_rows). Tables are in the data's type. */
typedef struct kseg_km_tables {
  int64_t k, d, kp;
  const void *ct;       /* d x kp: nearest()'s table */
  const void *cb;       /* k x d in the micro-kernel's blocks (panel_tables) */
  const void *h;        /* k: -||c||^2 / 2 */
  double cn;            /* the largest ||c||, rounded up */
  double m1, gam, tiny; /* a gap in squared distance above m1, or above gam (||x|| + cn)^2 + tiny, is sure */
} kseg_km_tables;

/* What the dot-product E-step does with the fixed-point sums. */
enum {
  KSEG_KM_LABELS_ONLY = 0, /* labels only */
  KSEG_KM_MOVED_ROWS = 1,  /* move each row whose label changed (deltas for a running total) */
  KSEG_KM_ALL_ROWS = 2     /* add every row to its new label's sums (a fresh total) */
};

/* What a bounded kernel (Elkan, Yinyang) sees of one iteration; filled by
 * the driver in pruned.c. */
typedef struct kseg_km_pruned_ctx {
  const kseg_km_data *data;
  const kseg_km_ops *ops; /* data->ops */
  int64_t k, d;
  int iter;               /* 0-based */
  const double *cold;     /* k x d centroids this iteration assigns against */
  const void *cx;         /* the same rounded to the data's type, k x d row-major */
  const double *shift;    /* k: upper bounds on how far each rounded centroid moved
                             into this iteration (0 in the first) */
  double rel, abs_margin; /* the canonical distance's rounding margins (bounds.h) */
  double xscale;          /* data->fx.scale: fixed point of row values */
} kseg_km_pruned_ctx;

/* Elkan's state (elkan.c allocates it and explains the bounds). */
typedef struct kseg_km_elkan_state {
  void *ct;      /* d x kp centroid table of the first iteration (Lloyd's layout) */
  int64_t kp;
  /* n_local x k lower bounds on exact distances, stored plus the drift of
   * their centroid at the time (rounded down): the bound now is the stored
   * value minus the drift now, so moving the centroids does not rewrite
   * n_local x k values each iteration. */
  float *lower;
  double *drift; /* k: sum of each centroid's widened shifts so far (rounded up) */
  double *upper; /* n_local upper bounds on the exact distance to the label */
  double *cc;    /* k x k lower bounds on centroid-centroid distances */
  double *half;  /* k: half the smallest cc to another centroid */
  uint8_t *keep; /* threads x k: candidates of a row */
  int32_t *idx;  /* threads x k */
  int64_t stride; /* k rounded up to whole cache lines: threads write these per row */
} kseg_km_elkan_state;

/* Yinyang's state (yinyang.c allocates it and explains the filters). */
typedef struct kseg_km_yinyang_state {
  void *ct;      /* d x kp centroid table of the first iteration (Lloyd's layout) */
  int64_t kp;
  int64_t t;       /* groups */
  int32_t *group;  /* k: each centroid's group */
  int32_t *order;  /* k: centroids sorted by group, then index */
  int32_t *gstart; /* t + 1: group g is order[gstart[g] .. gstart[g + 1]) */
  double *gshift;  /* t: largest widened shift in each group */
  double *lb;      /* n_local x t lower bounds */
  double *upper;   /* n_local upper bounds */
  void *gt;        /* each group's centroids transposed (d x w_g, w_g = size rounded up to a vector), for
                      searching a whole group with the block kernel's lane arithmetic */
  int64_t *goff;   /* t: group g's table starts at gt + goff[g] (elements) */
  int64_t *gw;     /* t: w_g */
  double *scratch; /* threads x (t doubles, k + 16 distances) */
  int64_t scratch_stride; /* doubles per thread */
} kseg_km_yinyang_state;

/* The kernels' signatures, one per kernel; each is documented at its
 * template. Local (no MPI); a kernel over rows [i0, i1) is run by one
 * thread unless its comment says it opens its own OpenMP region. */

/* block.h: nearest() in blocks, the canonical (difference) form. */
typedef void kseg_km_centroid_table_fn(const double *centers, int64_t k, int64_t d, int64_t kp, void *ct);
typedef void kseg_km_centroid_rows_fn(const double *centers, int64_t n, void *out);
typedef void kseg_km_assign_rows_fn(const void *x, int64_t i0, int64_t i1, int64_t d, const void *ct, int64_t kp,
                                    int64_t k, int32_t *labels, double *mind);
typedef double kseg_km_pair_dist2_fn(const void *xi, const void *c, int64_t d);

/* panel.h: the E-step's micro-kernel: Lloyd's dot form over consecutive
 * rows, Hamerly's search of gathered rows, their tables; the progress
 * inertia. */
typedef double kseg_km_panel_tables_fn(const double *centers, int64_t k, int64_t d, void *cb, void *h);
/* One run's share of a dot_rows pass: the tables it searches with, its
 * labels, and the calling thread's split sums, counts and changed count
 * (the sums unused in KSEG_KM_LABELS_ONLY). */
typedef struct kseg_km_dot_run {
  const kseg_km_tables *t;
  int32_t *labels;
  int64_t *hi;
  uint64_t *lo;
  int64_t *counts, *changed;
} kseg_km_dot_run;
/* Runs one dot_rows pass serves at most: each panel of rows is packed once
 * and searched once per run. */
#define KSEG_KM_DOT_RUNS 8
typedef void kseg_km_dot_rows_fn(const void *x, const void *packed, int64_t i0, int64_t i1, int R,
                                 const kseg_km_dot_run *runs, int mode, double xscale, void *panel);
typedef void kseg_km_pack_panels_fn(const void *x, int64_t p0, int64_t p1, int64_t n, int64_t d, void *out);
typedef void kseg_km_search_rows_fn(const void *x, const int64_t *idx, int64_t m, const kseg_km_tables *t,
                                    int32_t *labels, double *u, double *l, double rel, double abs_margin,
                                    double xscale, int64_t *hi, uint64_t *lo, int64_t *counts, int64_t *changed,
                                    void *panel);
typedef kseg_i128 kseg_km_label_fixed_fn(const void *x, int64_t i0, int64_t i1, int64_t d, const void *cr,
                                         const int32_t *labels, double scale);

/* elkan.h, yinyang.h: the bounded kernels' row searches. */
typedef void kseg_km_elkan_gaps_fn(kseg_km_elkan_state *e, const kseg_km_pruned_ctx *ctx);
typedef void kseg_km_elkan_rows_fn(const kseg_km_elkan_state *e, const kseg_km_pruned_ctx *ctx, const void *x,
                                   uint8_t *keep, int32_t *idx, int32_t *labels, int64_t i0, int64_t i1,
                                   int64_t *hi, uint64_t *lo, int64_t *counts, int64_t *changed);
typedef void kseg_km_yinyang_tables_fn(kseg_km_yinyang_state *y, const kseg_km_pruned_ctx *ctx);
typedef void kseg_km_yinyang_rows_fn(const kseg_km_yinyang_state *y, const kseg_km_pruned_ctx *ctx, const void *x,
                                     double *newlb, void *dist, int32_t *labels, int64_t i0, int64_t i1,
                                     int64_t *hi, uint64_t *lo, int64_t *counts, int64_t *changed);

/* scan.h: passes over the rows in double (facts, helpers). */
typedef double kseg_km_max_abs_fn(const void *x, int64_t n);
typedef void kseg_km_row_double_fn(const void *x, int64_t i, int64_t d, double *out);
typedef int64_t kseg_km_first_nonfinite_fn(const void *x, int64_t n, int64_t d, double *value);
typedef void kseg_km_column_sums_fn(const void *x, int64_t n, int64_t d, double scale, const double *mean,
                                    kseg_i128 *s);
typedef kseg_i128 kseg_km_inertia_rows_fn(const void *x, int64_t i0, int64_t i1, int64_t d,
                                          const double *centroids, const int32_t *labels, double scale);

/* seed.h: the distances of k-means++ and k-means||, in double. */
typedef void kseg_km_pp_trials_fn(const void *x, int64_t i0, int64_t i1, int64_t d, const double *ct, int trials,
                                  int per_run, const double *const *closest, const int64_t *weight, bool split,
                                  double scale, kseg_i128 *part, int64_t *hi, uint64_t *lo, double *const *tc);
typedef kseg_i128 kseg_km_par_nearest_fn(const void *x, int64_t i0, int64_t i1, int64_t d, const double *cands,
                                         int64_t m0, int64_t m, double *closest, int64_t *near, double scale);

/* One data type's kernels. */
struct kseg_km_ops {
  kseg_dtype dtype;
  size_t size; /* bytes per value */
  double eps;  /* unit roundoff: 2^-53 (float64) or 2^-24 (float32) */
  double min_normal; /* the smallest normal number: DBL_MIN or FLT_MIN */
  kseg_km_centroid_table_fn *centroid_table;
  kseg_km_centroid_rows_fn *centroid_rows;
  kseg_km_assign_rows_fn *assign_rows;
  kseg_km_search_rows_fn *search_rows;
  kseg_km_pair_dist2_fn *pair_dist2;
  kseg_km_panel_tables_fn *panel_tables;
  kseg_km_dot_rows_fn *dot_rows;
  kseg_km_pack_panels_fn *pack_panels;
  kseg_km_label_fixed_fn *label_fixed;
  kseg_km_elkan_gaps_fn *elkan_gaps;
  kseg_km_elkan_rows_fn *elkan_rows;
  kseg_km_yinyang_tables_fn *yinyang_tables;
  kseg_km_yinyang_rows_fn *yinyang_rows;
  kseg_km_max_abs_fn *max_abs;
  kseg_km_row_double_fn *row_double;
  kseg_km_first_nonfinite_fn *first_nonfinite;
  kseg_km_column_sums_fn *column_sums;
  kseg_km_inertia_rows_fn *inertia_rows;
  kseg_km_pp_trials_fn *pp_trials;
  kseg_km_par_nearest_fn *par_nearest;
};

/* The kernels of each data type, and the one for a dtype (NULL unless
 * KSEG_F64 or KSEG_F32). Local. */
extern const kseg_km_ops kseg_km_ops_f64, kseg_km_ops_f32;
const kseg_km_ops *kseg_km_ops_of(kseg_dtype dtype);

/* The kernels' definitions, one per type (kernels/<template>_f64.c and
 * _f32.c); reached only through kseg_km_ops_of. */
extern kseg_km_centroid_table_fn kseg_km_centroid_table_f64, kseg_km_centroid_table_f32;
extern kseg_km_centroid_rows_fn kseg_km_centroid_rows_f64, kseg_km_centroid_rows_f32;
extern kseg_km_assign_rows_fn kseg_km_assign_rows_f64, kseg_km_assign_rows_f32;
extern kseg_km_search_rows_fn kseg_km_search_rows_f64, kseg_km_search_rows_f32;
extern kseg_km_pair_dist2_fn kseg_km_pair_dist2_f64, kseg_km_pair_dist2_f32;
extern kseg_km_panel_tables_fn kseg_km_panel_tables_f64, kseg_km_panel_tables_f32;
extern kseg_km_dot_rows_fn kseg_km_dot_rows_f64, kseg_km_dot_rows_f32;
extern kseg_km_pack_panels_fn kseg_km_pack_panels_f64, kseg_km_pack_panels_f32;
extern kseg_km_label_fixed_fn kseg_km_label_fixed_f64, kseg_km_label_fixed_f32;
extern kseg_km_elkan_gaps_fn kseg_km_elkan_gaps_f64, kseg_km_elkan_gaps_f32;
extern kseg_km_elkan_rows_fn kseg_km_elkan_rows_f64, kseg_km_elkan_rows_f32;
extern kseg_km_yinyang_tables_fn kseg_km_yinyang_tables_f64, kseg_km_yinyang_tables_f32;
extern kseg_km_yinyang_rows_fn kseg_km_yinyang_rows_f64, kseg_km_yinyang_rows_f32;
extern kseg_km_max_abs_fn kseg_km_max_abs_f64, kseg_km_max_abs_f32;
extern kseg_km_row_double_fn kseg_km_row_double_f64, kseg_km_row_double_f32;
extern kseg_km_first_nonfinite_fn kseg_km_first_nonfinite_f64, kseg_km_first_nonfinite_f32;
extern kseg_km_column_sums_fn kseg_km_column_sums_f64, kseg_km_column_sums_f32;
extern kseg_km_inertia_rows_fn kseg_km_inertia_rows_f64, kseg_km_inertia_rows_f32;
extern kseg_km_pp_trials_fn kseg_km_pp_trials_f64, kseg_km_pp_trials_f32;
extern kseg_km_par_nearest_fn kseg_km_par_nearest_f64, kseg_km_par_nearest_f32;

#endif
