/* cmd_metrics.c - `kseg metrics`: validation metrics of any labelling. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "kseg/kseg_comm.h"
#include "kseg/kseg_error.h"
#include "kseg/kseg_h5io.h"
#include "kseg/kseg_kmeans.h"
#include "kseg/kseg_metrics.h"

int kseg_cmd_metrics(kseg_cli *cli, int argc, char **argv)
{
  const char *in = NULL, *labels_path = NULL, *dataset = "/features", *labels_dataset = "/labels";
  const char *silhouette = "exact";
  int64_t seed = 0, exact_max = 50000;
  kseg_opt opts[] = {
      {"in", KSEG_OPT_STRING, &in, "FILE.h5", "feature matrix", true, false},
      {"labels", KSEG_OPT_STRING, &labels_path, "FILE.h5", "labels to evaluate (e.g. kseg fit output)", true, false},
      {"dataset", KSEG_OPT_STRING, &dataset, "PATH", "matrix dataset in --in (default /features)", false, false},
      {"labels-dataset", KSEG_OPT_STRING, &labels_dataset, "PATH", "labels dataset (default /labels)", false, false},
      {"silhouette", KSEG_OPT_STRING, &silhouette, "KIND",
       "exact | sample:N | sqeuclidean (Spark's squared-Euclidean variant) | none (default exact)", false, false},
      {"silhouette-exact-max", KSEG_OPT_INT, &exact_max, "N",
       "above N rows, exact falls back to a sample of N rows, with a warning (default 50000)", false, false},
      {"seed", KSEG_OPT_INT, &seed, "S", "seed of the silhouette sample (default 0)", false, false},
  };
  int n_opts = (int)(sizeof opts / sizeof opts[0]);
  int st = kseg_comm_agree(cli->comm, kseg_args_parse(cli, argc, argv, opts, n_opts));
  if (st == KSEG_ARGS_HELP) {
    kseg_args_usage(cli, "metrics --in features.h5 --labels result.h5 [options]",
                    "Inertia, silhouette, Calinski-Harabasz and Davies-Bouldin of a labelling, computed across "
                    "ranks.",
                    opts, n_opts);
    return KSEG_ARGS_HELP;
  }
  if (st) return st;
  int64_t sample = 0;
  if (strncmp(silhouette, "sample:", 7) == 0) {
    char *end;
    sample = strtoll(silhouette + 7, &end, 10);
    if (*end || sample < 2) st = kseg_error_set(KSEG_ERR_INPUT, "--silhouette sample:N needs N >= 2, got '%s'", silhouette);
  } else if (strcmp(silhouette, "exact") && strcmp(silhouette, "sqeuclidean") && strcmp(silhouette, "none")) {
    st = kseg_error_set(KSEG_ERR_INPUT, "--silhouette must be exact, sample:N, sqeuclidean or none, got '%s'",
                        silhouette);
  }
  KSEG_CHECK(kseg_comm_agree(cli->comm, st));

  double t0 = kseg_now();
  kseg_matrix x;
  KSEG_CHECK(kseg_h5_read_matrix(cli->comm, in, dataset, &x));
  int32_t *labels = NULL;
  int64_t n_lab, row0, n_local;
  st = kseg_h5_read_labels(cli->comm, labels_path, labels_dataset, &n_lab, &row0, &n_local, &labels);
  if (!st && n_lab != x.n_global)
    st = kseg_error_set(KSEG_ERR_INPUT, "%s:%s has %lld labels but %s:%s has %lld rows", labels_path,
                        labels_dataset, (long long)n_lab, in, dataset, (long long)x.n_global);
  st = kseg_comm_agree(cli->comm, st);
  /* A NaN or Inf would silently turn every metric into garbage (a negative
   * inertia from the fixed-point sums): refuse it as fit does. */
  char matrix[1100];
  snprintf(matrix, sizeof matrix, "%s:%s", in, dataset);
  if (!st) st = kseg_cli_name_input(kseg_kmeans_check_finite(cli->comm, &x), matrix);
  int64_t k = 0;
  if (!st) st = kseg_cli_name_input(kseg_metrics_label_k(cli->comm, labels, n_local, row0, &k), labels_path);
  double inertia = NAN, ch = NAN, db = NAN, sil = NAN, t_sil = 0;
  const char *sil_kind = "none";
  if (!st) st = kseg_metrics_internal(cli->comm, &x, labels, (int)k, &inertia, &ch, &db);
  if (!st && strcmp(silhouette, "none") != 0) {
    double t1 = kseg_now();
    if (strcmp(silhouette, "sqeuclidean") == 0) {
      sil_kind = "sqeuclidean (Spark ClusteringEvaluator)";
      st = kseg_metrics_silhouette_sqeuclidean(cli->comm, &x, labels, (int)k, &sil);
    } else {
      if (sample == 0 && x.n_global > exact_max) {
        kseg_cli_warn(cli, "%lld rows is above --silhouette-exact-max %lld: using a sample of %lld rows",
                      (long long)x.n_global, (long long)exact_max, (long long)exact_max);
        sample = exact_max;
      }
      sil_kind = sample > 0 && sample < x.n_global ? "euclidean, sampled" : "euclidean, exact";
      st = sample > 0 ? kseg_metrics_silhouette_sampled(cli->comm, &x, labels, (int)k, sample, (uint64_t)seed, &sil)
                      : kseg_metrics_silhouette_exact(cli->comm, &x, labels, (int)k, &sil);
    }
    t_sil = kseg_now() - t1;
  }
  double seconds = kseg_now() - t0;
  if (!st) st = kseg_comm_agree(cli->comm, kseg_comm_max_f64(cli->comm, &seconds, 1));
  if (!st) {
    if (cli->json) {
      kseg_json j;
      kseg_json_begin(&j, KSEG_JSON_COMPACT);
      kseg_json_int(&j, "n", x.n_global);
      kseg_json_int(&j, "k", k);
      kseg_json_num(&j, "inertia", inertia);
      kseg_json_num(&j, "silhouette", sil);
      kseg_json_str(&j, "silhouette_kind", sil_kind);
      if (sample > 0) kseg_json_int(&j, "silhouette_sample", sample < x.n_global ? sample : x.n_global);
      kseg_json_num(&j, "calinski_harabasz", ch);
      kseg_json_num(&j, "davies_bouldin", db);
      kseg_json_num(&j, "silhouette_seconds", t_sil);
      kseg_json_num(&j, "seconds", seconds);
      kseg_json_int(&j, "ranks", cli->size);
      kseg_cli_json_print(cli, &j);
    } else {
      kseg_cli_info(cli, "rows %lld, k %lld\ninertia            %.10g\nsilhouette         %.10g (%s)\n"
                         "calinski_harabasz  %.10g\ndavies_bouldin     %.10g",
                    (long long)x.n_global, (long long)k, inertia, sil, sil_kind, ch, db);
    }
  }
  free(labels);
  kseg_matrix_clear(&x);
  return st;
}
