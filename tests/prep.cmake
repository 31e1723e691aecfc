# stats, prep and pca: distributed statistics, `kseg prep`, projections.
kseg_mpi_test(stats test_stats.c)
kseg_mpi_test(stats_threads test_stats.c RANKS 1 2 THREADS 2)
kseg_mpi_test(prep test_prep.c)
kseg_mpi_test(prep_threads test_prep.c RANKS 2 THREADS 2)
kseg_cli_test(prep_oracle prep_oracle.sh)
kseg_cli_test(prep_recipes prep_recipes.sh)
kseg_cli_test(prep_errors prep_errors.sh)
