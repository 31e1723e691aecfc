# stats, prep and pca: distributed statistics, `kseg prep`, projections.
kseg_mpi_test(stats test_stats.c)
kseg_mpi_test(stats_threads test_stats.c RANKS 1 2 THREADS 2)
