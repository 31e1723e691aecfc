/* cmd_prep.c - `kseg prep`: raw table -> feature matrix + replayable /prep. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "kseg/kseg_autoencoder.h"
#include "kseg/kseg_comm.h"
#include "kseg/kseg_error.h"
#include "kseg/kseg_h5io.h"
#include "kseg/kseg_outputs.h"
#include "kseg/kseg_prep.h"
#include "kseg/kseg_projection.h"

static void json_report(kseg_json *j, const kseg_prep_model *m)
{
  kseg_json_open_array(j, "features");
  for (int f = 0; f < m->n_features; f++) {
    const kseg_colstats *s = &m->input_stats[f];
    kseg_json_open_object(j, NULL);
    kseg_json_str(j, "name", m->features[f]);
    kseg_json_int(j, "count", s->count);
    kseg_json_int(j, "missing", s->missing);
    kseg_json_num(j, "mean", s->mean);
    kseg_json_num(j, "std", sqrt(s->var));
    kseg_json_num(j, "skew", s->skew);
    kseg_json_num(j, "min", s->min);
    kseg_json_num(j, "q1", m->input_quartiles[3 * f]);
    kseg_json_num(j, "median", m->input_quartiles[3 * f + 1]);
    kseg_json_num(j, "q3", m->input_quartiles[3 * f + 2]);
    kseg_json_num(j, "max", s->max);
    kseg_json_num(j, "fill", m->fill[f]);
    kseg_json_bool(j, "log1p", m->log1p[f] != 0);
    kseg_json_num(j, "clip_lo", m->clip_lo[f]);
    kseg_json_num(j, "clip_hi", m->clip_hi[f]);
    kseg_json_num(j, "center", m->center[f]);
    kseg_json_num(j, "scale", m->scale_by[f]);
    kseg_json_close_object(j);
  }
  kseg_json_close_array(j);
  kseg_json_open_array(j, "dropped");
  for (int i = 0; i < m->n_dropped; i++) {
    kseg_json_open_object(j, NULL);
    kseg_json_str(j, "name", m->dropped[i]);
    kseg_json_str(j, "reason", m->dropped_reason[i]);
    kseg_json_close_object(j);
  }
  kseg_json_close_array(j);
}

static void json_pca(kseg_json *j, const kseg_prep_model *m)
{
  kseg_json_open_object(j, "pca");
  kseg_json_int(j, "n_components", m->n_components);
  kseg_json_open_array(j, "explained_variance");
  for (int c = 0; c < m->n_components; c++) kseg_json_array_num(j, m->explained_variance[c]);
  kseg_json_close_array(j);
  kseg_json_open_array(j, "explained_variance_ratio");
  for (int c = 0; c < m->n_components; c++) kseg_json_array_num(j, m->explained_variance_ratio[c]);
  kseg_json_close_array(j);
  kseg_json_close_object(j);
}

static void ae_progress(void *ctx, int epoch, int epochs, double loss, double val_loss, double seconds)
{
  const kseg_cli *cli = ctx;
  if (isnan(val_loss))
    kseg_cli_progress(cli, "autoencoder: epoch %d/%d  loss %.6g  (%.1f s)", epoch, epochs, loss, seconds);
  else
    kseg_cli_progress(cli, "autoencoder: epoch %d/%d  loss %.6g  val_loss %.6g  (%.1f s)", epoch, epochs, loss,
                      val_loss, seconds);
}

static void json_autoencoder(kseg_json *j, const kseg_ae *ae, const char *layers, const kseg_projection_times *t)
{
  const double seconds = t->seconds;
  kseg_json_open_object(j, "autoencoder");
  kseg_json_str(j, "layers", layers);
  kseg_json_int(j, "parameters", ae->n_params);
  kseg_json_int(j, "train_rows", ae->train_rows);
  kseg_json_int(j, "val_rows", ae->val_rows);
  kseg_json_int(j, "epochs_run", ae->n_epochs);
  kseg_json_int(j, "best_epoch", ae->best_epoch);
  kseg_json_open_array(j, "loss");
  for (int e = 0; e < ae->n_epochs; e++) kseg_json_array_num(j, ae->loss[e]);
  kseg_json_close_array(j);
  kseg_json_open_array(j, "val_loss");
  for (int e = 0; e < ae->n_epochs; e++) kseg_json_array_num(j, ae->val_loss[e]);
  kseg_json_close_array(j);
  kseg_json_num(j, "train_seconds", seconds);
  kseg_json_num(j, "epoch_seconds", ae->n_epochs ? seconds / ae->n_epochs : 0.0);
  /* samples per second = train_rows * epochs_run / train_seconds; the two
   * phases are the slowest rank's */
  kseg_json_num(j, "gradient_seconds", t->gradient_seconds);
  kseg_json_num(j, "allreduce_seconds", t->allreduce_seconds);
  /* ranks of one node share each step's work (no allreduce per step) */
  kseg_json_int(j, "shared_step_ranks", t->shared_ranks);
  kseg_json_close_object(j);
}

int kseg_cmd_prep(kseg_cli *cli, int argc, char **argv)
{
  const char *in = NULL, *out = NULL, *recipe = "auto", *impute = NULL, *outliers = NULL, *scale = NULL;
  const char *dataset = "/features", *pca = NULL, *autoencoder = NULL;
  kseg_prep_options o = {0};
  kseg_ae_options ao;
  kseg_ae_default_options(&ao);
  int64_t epochs = ao.epochs, batch = ao.batch, ae_seed = 0, patience = ao.patience;
  kseg_opt opts[] = {
      {"in", KSEG_OPT_STRING, &in, "RAW.h5", "raw table (/raw, from kseg import or generate)", true, false},
      {"out", KSEG_OPT_STRING, &out, "FEATURES.h5", "output: /features N x D and the fitted /prep", true, false},
      {"recipe", KSEG_OPT_STRING, &recipe, "NAME", "auto (default), generic, marketing, ccgeneral or rfm", false, false},
      {"impute", KSEG_OPT_STRING, &impute, "HOW", "median (default), mean, or drop (fit on complete rows only)",
       false, false},
      {"outliers", KSEG_OPT_STRING, &outliers, "HOW", "none (default), iqr[:F] (Tukey fences) or clip:P (percentiles)",
       false, false},
      {"log1p", KSEG_OPT_STRING, &o.log1p, "COLS", "log1p of these features, auto (skew > 1, >= 0) or none", false,
       false},
      {"scale", KSEG_OPT_STRING, &scale, "HOW", "standard (default), robust, minmax or none", false, false},
      {"columns", KSEG_OPT_STRING, &o.columns, "A,B,..", "use exactly these features, in this order", false, false},
      {"exclude", KSEG_OPT_STRING, &o.exclude, "A,B,..",
       "leave these features out, and every feature built on raw columns of these names", false, false},
      {"target", KSEG_OPT_STRING, &o.target, "COL",
       "the outcome column, never a feature in any recipe (default Response, any case)", false, false},
      {"pca", KSEG_OPT_STRING, &pca, "N|FRACTION", "project on N principal components, or the fewest explaining FRACTION",
       false, false},
      {"autoencoder", KSEG_OPT_STRING, &autoencoder, "W1,W2,..",
       "project with the encoder of an autoencoder (D -> W1 -> .. -> Wk -> .. -> D); not with --pca", false, false},
      {"epochs", KSEG_OPT_INT, &epochs, "E", "autoencoder: at most E epochs (default 50)", false, false},
      {"batch", KSEG_OPT_INT, &batch, "B", "autoencoder: global minibatch rows (default 256)", false, false},
      {"lr", KSEG_OPT_DOUBLE, &ao.lr, "L", "autoencoder: Adam learning rate (default 1e-3)", false, false},
      {"ae-seed", KSEG_OPT_INT, &ae_seed, "S", "autoencoder: seed of weights, batch order, validation (default 0)",
       false, false},
      {"val-fraction", KSEG_OPT_DOUBLE, &ao.val_fraction, "F",
       "autoencoder: held-out rows for early stopping (default 0.1; 0: none)", false, false},
      {"patience", KSEG_OPT_INT, &patience, "P", "autoencoder: stop after P epochs without a better val loss (default 10)",
       false, false},
      {"dataset", KSEG_OPT_STRING, &dataset, "PATH", "output matrix dataset (default /features)", false, false},
  };
  const int n_opts = (int)(sizeof opts / sizeof opts[0]);
  int st = kseg_args_parse(cli, argc, argv, opts, n_opts);
  if (st == KSEG_ARGS_HELP) {
    kseg_args_usage(cli, "prep --in RAW.h5 --out FEATURES.h5 [options]",
                    "Clean and scale the raw customer table into a feature matrix. Every fitted parameter is saved\n"
                    "under /prep so new customers get the same transformation (see docs/prep.md).",
                    opts, n_opts);
    return KSEG_ARGS_HELP;
  }
  static const char *const recipes[] = {"generic", "marketing", "ccgeneral", "rfm"};
  static const char *const imputes[] = {"median", "mean", "drop"};
  static const char *const scales[] = {"standard", "robust", "minmax", "none"};
  int v = 0;
  if (!st && strcmp(recipe, "auto") != 0 && !(st = kseg_cli_parse_choice(recipe, "recipe", recipes, 4, &v))) o.recipe = v;
  if (!st && impute && !(st = kseg_cli_parse_choice(impute, "impute", imputes, 3, &v))) o.impute = v;
  if (!st && scale && !(st = kseg_cli_parse_choice(scale, "scale", scales, 4, &v))) o.scale = v;
  if (!st && outliers) st = kseg_cli_parse_outliers(outliers, &o);
  double pca_want = 0;
  if (!st && pca) st = kseg_cli_parse_pca(pca, &pca_want);
  if (!st && autoencoder && pca)
    st = kseg_error_set(KSEG_ERR_INPUT, "--autoencoder and --pca are alternative projections; give one");
  if (!st && autoencoder) st = kseg_ae_parse_layers(autoencoder, &ao);
  const void *ae_only[] = {&epochs, &batch, &ao.lr, &ae_seed, &ao.val_fraction, &patience};
  for (int i = 0; !st && !autoencoder && i < n_opts; i++)
    for (int k = 0; k < 6; k++)
      if (opts[i].seen && opts[i].dest == ae_only[k])
        st = kseg_error_set(KSEG_ERR_INPUT, "--%s needs --autoencoder", opts[i].name);
  if (!st && autoencoder) {
    if (epochs < 1 || epochs > 1000000) st = kseg_error_set(KSEG_ERR_INPUT, "--epochs must be >= 1, got %lld",
                                                            (long long)epochs);
    else if (patience < 1 || patience > 1000000)
      st = kseg_error_set(KSEG_ERR_INPUT, "--patience must be >= 1, got %lld", (long long)patience);
    ao.epochs = (int)epochs;
    ao.patience = (int)patience;
    ao.batch = batch;
    ao.seed = (uint64_t)ae_seed;
    if (!st) st = kseg_ae_check_options(&ao);
  }
  KSEG_CHECK(kseg_comm_agree(cli->comm, st));

  double t0 = kseg_now();
  kseg_projection_times ae_times = {0};
  kseg_table raw = {0};
  kseg_prep_model *m = NULL;
  int8_t *mask = NULL;
  kseg_matrix features = {0};
  kseg_cli_progress(cli, "prep: reading %s", in);
  KSEG_CHECK_GOTO(kseg_h5_read_table(cli->comm, in, NULL, 0, &raw), st, done);
  double t_read = kseg_now();
  kseg_cli_progress(cli, "prep: fitting on %lld rows", (long long)raw.n_global);
  KSEG_CHECK_GOTO(kseg_comm_agree(cli->comm, kseg_comm_fault(cli->comm, "prep:read")), st, done);
  KSEG_CHECK_GOTO(kseg_prep_fit(cli->comm, &raw, &o, &m, &mask), st, done);
  if (pca_want > 0) {
    st = kseg_projection_fit_pca(cli->comm, m, &raw, mask, pca_want);
    char few[64];
    snprintf(few, sizeof few, "only %d features to project", m->n_features);
    if (st == KSEG_ERR_INPUT && strcmp(kseg_error_message(), few) == 0) { /* say which flag asked too much */
      char msg[1200];
      snprintf(msg, sizeof msg, "--pca %s: %s", pca, few);
      kseg_error_replace(msg);
    }
    if (st) goto done;
  }
  if (autoencoder) {
    kseg_cli_progress(cli, "autoencoder: %d -> %s, %lld rows, batch %lld", m->n_features, autoencoder,
                      (long long)raw.n_global, (long long)ao.batch);
    KSEG_CHECK_GOTO(kseg_projection_fit_autoencoder(cli->comm, m, &raw, mask, &ao, ae_progress, cli, &ae_times),
                    st, done);
  }
  double t_fit = kseg_now();

  const int W = kseg_prep_width(m);
  KSEG_CHECK_GOTO(kseg_prep_apply_matrix(cli->comm, m, &raw, &features), st, done);
  kseg_cli_progress(cli, "prep: writing %s", out);
  KSEG_CHECK_GOTO(kseg_outputs_write_features(cli->comm, out, dataset, &features, m, mask), st, done);
  double t_end = kseg_now();

  kseg_cli_prep_notes(cli, m);
  if (!cli->json)
    kseg_cli_info(cli, "prep: %lld rows x %d features (recipe %s, impute %s, outliers %s, scale %s%s) -> %s:%s",
                  (long long)raw.n_global, W, m->recipe, m->impute, m->outliers, m->scale,
                  m->n_components ? ", pca" : m->autoencoder ? ", autoencoder" : "", out, dataset);
  if (!cli->json && m->autoencoder) {
    const kseg_ae *ae = m->autoencoder;
    kseg_cli_info(cli, "autoencoder %s: %d epochs, best %d (loss %.6g, val_loss %.6g), %.2f s", autoencoder,
                  ae->n_epochs, ae->best_epoch, ae->loss[ae->best_epoch - 1], ae->val_loss[ae->best_epoch - 1],
                  ae_times.seconds);
  }
  if (cli->json) {
    kseg_json j;
    kseg_json_begin(&j, KSEG_JSON_COMPACT);
    kseg_json_str(&j, "command", "prep");
    kseg_json_str(&j, "in", in);
    kseg_json_str(&j, "out", out);
    kseg_json_int(&j, "rows", raw.n_global);
    kseg_json_int(&j, "fit_rows", m->fit_rows);
    kseg_json_int(&j, "columns", W);
    kseg_json_str(&j, "recipe", m->recipe);
    kseg_json_str(&j, "impute", m->impute);
    kseg_json_str(&j, "outliers", m->outliers);
    kseg_json_str(&j, "scale", m->scale);
    kseg_json_int(&j, "ranks", cli->size);
    json_report(&j, m);
    if (m->n_components > 0) json_pca(&j, m);
    if (m->autoencoder) json_autoencoder(&j, m->autoencoder, autoencoder, &ae_times);
    kseg_json_open_object(&j, "seconds_by_phase");
    kseg_json_num(&j, "read", t_read - t0);
    kseg_json_num(&j, "fit", t_fit - t_read);
    kseg_json_num(&j, "apply_write", t_end - t_fit);
    kseg_json_close_object(&j);
    kseg_json_num(&j, "seconds", t_end - t0);
    kseg_cli_json_print(cli, &j);
  }
done:
  kseg_matrix_clear(&features);
  free(mask);
  kseg_prep_free(&m);
  kseg_table_clear(&raw);
  return kseg_comm_agree(cli->comm, st);
}
