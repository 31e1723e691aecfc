/* main.c - the `kseg` command: MPI set-up, subcommand dispatch, exit status. */
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "kseg/kseg_comm.h"
#include "kseg/kseg_cores.h"
#include "kseg/kseg_error.h"

typedef struct kseg_cmd {
  const char *name;
  kseg_cmd_fn fn;
  const char *summary;
} kseg_cmd;

/* One line per subcommand, in pipeline order; the NULL entry ends the table. */
static const kseg_cmd commands[] = {
    {"run", kseg_cmd_run, "the whole job: --in customers.csv|raw.h5 --out DIR (import .. report)"},
    {"generate", kseg_cmd_generate, "synthetic customers with known latent segments"},
    {"import", kseg_cmd_import, "CSV with a header row -> raw.h5 (types inferred)"},
    {"rfm", kseg_cmd_rfm, "transaction log -> one row per customer with RFM features and scores"},
    {"prep", kseg_cmd_prep, "clean, derive and scale features (+ PCA or autoencoder); saves /prep"},
    {"sweep", kseg_cmd_sweep, "k-means over a range of k, validation metrics, recommended k"},
    {"fit", kseg_cmd_fit, "k-means at one k: --in features.h5 --k K --out result.h5"},
    {"metrics", kseg_cmd_metrics, "silhouette, Calinski-Harabasz, Davies-Bouldin of any labelling"},
    {"profile", kseg_cmd_profile, "segment profiles in original units: sizes, means, lift, names, actions"},
    {"rules", kseg_cmd_rules, "segment rules in raw units: rules.json, rules.txt and one SQL statement for a CRM"},
    {"assign", kseg_cmd_assign, "score customers with a saved model: --model model.h5 --in raw.h5 --out labels.h5"},
    {NULL, NULL, NULL},
};

static void print_usage(FILE *out)
{
  fprintf(out, "usage: kseg <command> [options]   (run under mpirun/srun for several ranks)\n\ncommands:\n");
  for (int i = 0; commands[i].name; i++) fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
  fprintf(out, "\n`kseg <command> --help` describes a command. Exit status: 0 ok, 1 bad usage or input,\n"
               "2 I/O or MPI failure.\n");
}

int main(int argc, char **argv)
{
  /* OpenMP threads that wait at a barrier spin by default (libgomp: some
   * 300,000 pauses, milliseconds) before they sleep: on a shared machine a
   * thread whose partner lost its core burns its own core meanwhile (a 2x
   * slower sweep at load 4 on 2 cores). The policy is read once, when the
   * OpenMP runtime loads, so kseg runs itself again with passive waits
   * unless the user chose a policy. */
  if (!getenv("OMP_WAIT_POLICY") && !getenv("GOMP_SPINCOUNT") && setenv("OMP_WAIT_POLICY", "passive", 1) == 0)
    execv("/proc/self/exe", argv); /* returns only on failure: then run as is */
  kseg_malloc_keep_freed();
  int provided = 0;
  if (MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS) {
    fprintf(stderr, "kseg: MPI_Init_thread failed\n");
    return 2;
  }
  kseg_cli cli = {0};
  if (kseg_comm_dup(MPI_COMM_WORLD, &cli.comm) != KSEG_OK) {
    fprintf(stderr, "kseg: %s\n", kseg_error_message());
    MPI_Finalize();
    return 2;
  }
  cli.rank = kseg_comm_rank(cli.comm);
  cli.size = kseg_comm_size(cli.comm);
  /* OpenMP threads per rank, before the first parallel region: the fair
   * share of the cores unless OMP_NUM_THREADS says otherwise. */
  const char *omp = getenv("OMP_NUM_THREADS");
  kseg_cores cores;
  if (kseg_cores_plan(cli.comm, omp && *omp ? omp_get_max_threads() : 0, &cores) == KSEG_OK) {
    if (!omp || !*omp) omp_set_num_threads(cores.threads);
    if (cores.oversubscribed && cli.rank == 0)
      fprintf(stderr, "kseg: warning: %d rank(s) x %d thread(s) on a node with %d core(s): the ranks will wait for "
                      "each other's turn on the cores; run fewer ranks or threads (docs/operations.md)\n",
              cores.worst_ranks, cores.worst_threads, cores.worst_cores);
  }

  int status = KSEG_OK;
  if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
    if (cli.rank == 0) print_usage(argc < 2 ? stderr : stdout);
    status = argc < 2 ? KSEG_ERR_INPUT : KSEG_OK;
  } else if (strcmp(argv[1], "--version") == 0) {
    if (cli.rank == 0) printf("kseg 0.1.0\n");
  } else {
    const kseg_cmd *cmd = NULL;
    for (int i = 0; commands[i].name; i++)
      if (strcmp(argv[1], commands[i].name) == 0) cmd = &commands[i];
    if (!cmd) {
      status = kseg_error_set(KSEG_ERR_INPUT, "unknown command '%s' (see kseg --help)", argv[1]);
    } else {
      cli.command = cmd->name;
      status = cmd->fn(&cli, argc - 1, argv + 1);
      if (status == KSEG_ARGS_HELP) status = KSEG_OK;
    }
    /* Commands agree on their status; this is a safety net for early exits. */
    status = kseg_comm_agree(cli.comm, status);
    if (status != KSEG_OK && cli.rank == 0) {
      fprintf(stderr, "kseg%s%s: error: %s\n", cli.command ? " " : "", cli.command ? cli.command : "",
              kseg_error_message());
      if (cli.verbose && kseg_error_where()[0]) fprintf(stderr, "  (at %s)\n", kseg_error_where());
    }
  }
  MPI_Comm_free(&cli.comm);
  MPI_Finalize();
  return status == KSEG_OK ? 0 : (status == KSEG_ERR_INPUT ? 1 : 2);
}
