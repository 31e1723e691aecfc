/* mstep.c - the M-step every k-means kernel shares: centroids from the exact
 * sums, and how far they moved. */
#include "kmeans/mstep.h"

#include <math.h>

/* The M-step from reduced sums and counts (packed as k x d, k): centroids =
 * sums / counts (a cluster with no rows keeps its zero sum, as
 * scikit-learn's _average_centers), the total squared shift from `cold`
 * (scikit-learn's center_shift_tot, for tol) and, when moved != NULL, each
 * centroid's own shift |new - old| in double (not widened). Local. */
double kseg_km_update_centroids(const kseg_km_data *data, int64_t k, const kseg_i128 *packed, const double *cold,
                                double *centroids, double *moved)
{
  const int64_t d = data->x->d, kd = k * d;
  const kseg_i128 *counts = packed + kd;
  double shift = 0;
  for (int64_t c = 0; c < k; c++) {
    double dc = 0;
    for (int64_t j = 0; j < d; j++) {
      double v = kseg_fixed_to_double(&data->fx, packed[c * d + j]);
      if (counts[c] > 0) v /= (double)counts[c];
      const double dv = v - cold[c * d + j];
      shift += dv * dv;
      dc += dv * dv;
      centroids[c * d + j] = v;
    }
    if (moved) moved[c] = sqrt(dc);
  }
  return shift;
}
