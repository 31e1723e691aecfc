# k-means: rank/thread invariance, errors, helpers (C, 1-3 ranks x 2 threads);
# scikit-learn oracle and CLI tests (bash + Debian's python3).
kseg_mpi_test(kmeans test_kmeans.c THREADS 2)
kseg_cli_test(fit_oracle fit_oracle.sh LABELS oracle)
kseg_cli_test(fit_init fit_init.sh LABELS oracle)
kseg_cli_test(fit_errors fit_errors.sh)
kseg_cli_test(fit_real fit_real.sh LABELS oracle)
kseg_cli_test(fit_hamerly fit_hamerly.sh)
kseg_cli_test(fit_elkan fit_elkan.sh LABELS oracle)
kseg_cli_test(fit_timers fit_timers.sh RANKS 2)
kseg_unit_test(kmeans_kernel test_kmeans_kernel.c)
kseg_mpi_test(kmeans_dot test_kmeans_dot.c THREADS 2)
kseg_unit_test(kmeans_pairdist test_kmeans_pairdist.c)
target_include_directories(test_kmeans_pairdist PRIVATE ${PROJECT_SOURCE_DIR}/src)
