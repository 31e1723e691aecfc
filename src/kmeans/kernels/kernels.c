/* kernels.c - the kernels of each data type: the one table the rest of
 * k-means reaches them through (kernels.h). */
#include "kmeans/kernels/kernels.h"

#include <float.h>

/* Both tables from one list, so neither can miss a kernel. */
#define KSEG_KM_OPS(dt, T, unit_roundoff, smallest, sfx)                                                  \
  {                                                                                                         \
    .dtype = dt, .size = sizeof(T), .eps = unit_roundoff, .min_normal = smallest,                           \
    .centroid_table = kseg_km_centroid_table_##sfx, .centroid_rows = kseg_km_centroid_rows_##sfx,           \
    .assign_rows = kseg_km_assign_rows_##sfx, .search_rows = kseg_km_search_rows_##sfx,                     \
    .pair_dist2 = kseg_km_pair_dist2_##sfx, .panel_tables = kseg_km_panel_tables_##sfx,                       \
    .dot_rows = kseg_km_dot_rows_##sfx, .pack_panels = kseg_km_pack_panels_##sfx,                           \
    .label_fixed = kseg_km_label_fixed_##sfx,                                                               \
    .elkan_gaps = kseg_km_elkan_gaps_##sfx, .elkan_rows = kseg_km_elkan_rows_##sfx,                         \
    .yinyang_tables = kseg_km_yinyang_tables_##sfx, .yinyang_rows = kseg_km_yinyang_rows_##sfx,             \
    .max_abs = kseg_km_max_abs_##sfx, .row_double = kseg_km_row_double_##sfx,                               \
    .first_nonfinite = kseg_km_first_nonfinite_##sfx, .column_sums = kseg_km_column_sums_##sfx,             \
    .inertia_rows = kseg_km_inertia_rows_##sfx, .pp_trials = kseg_km_pp_trials_##sfx,                       \
    .par_nearest = kseg_km_par_nearest_##sfx,                                                               \
  }

const kseg_km_ops kseg_km_ops_f64 = KSEG_KM_OPS(KSEG_F64, double, 0x1p-53, DBL_MIN, f64);
const kseg_km_ops kseg_km_ops_f32 = KSEG_KM_OPS(KSEG_F32, float, 0x1p-24, (double)FLT_MIN, f32);

const kseg_km_ops *kseg_km_ops_of(kseg_dtype dtype)
{
  switch (dtype) {
  case KSEG_F64: return &kseg_km_ops_f64;
  case KSEG_F32: return &kseg_km_ops_f32;
  default: return NULL;
  }
}
