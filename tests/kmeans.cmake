# k-means: rank/thread invariance, errors, helpers (C, 1-3 ranks x 2 threads);
# scikit-learn oracle and CLI tests (bash + Debian's python3).
kseg_mpi_test(kmeans test_kmeans.c THREADS 2)
# 3 ranks x 2 threads oversubscribe the cores: OpenMP threads spinning at
# barriers while their peers are descheduled make the run 40x slower.
foreach(np 1 2 3)
  set_property(TEST kmeans_np${np} APPEND PROPERTY ENVIRONMENT OMP_WAIT_POLICY=passive)
endforeach()
kseg_cli_test(fit_oracle fit_oracle.sh LABELS oracle)
kseg_cli_test(fit_init fit_init.sh LABELS oracle)
kseg_cli_test(fit_errors fit_errors.sh)
