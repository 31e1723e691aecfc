# stats, prep and pca: distributed statistics, `kseg prep`, projections.
kseg_mpi_test(stats test_stats.c)
kseg_mpi_test(stats_threads test_stats.c RANKS 1 2 THREADS 2)
kseg_mpi_test(prep test_prep.c)
kseg_mpi_test(prep_threads test_prep.c RANKS 2 THREADS 2)
kseg_cli_test(prep_oracle prep_oracle.sh)
kseg_cli_test(prep_recipes prep_recipes.sh)
kseg_cli_test(prep_errors prep_errors.sh)
kseg_mpi_test(prep_pca test_prep_pca.c)
kseg_mpi_test(prep_pca_threads test_prep_pca.c RANKS 2 THREADS 2)
kseg_cli_test(prep_pca prep_pca.sh)

# Replay of a `kseg prep` output by a separate program (argv: raw, features).
add_executable(test_prep_replay test_prep_replay.c)
target_link_libraries(test_prep_replay PRIVATE kseg_lib)
target_include_directories(test_prep_replay PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})
kseg_cli_test(prep_replay prep_replay.sh ENV KSEG_REPLAY=$<TARGET_FILE:test_prep_replay>)
# the exact quantiles a column or two at a time (as for many rows) give the same bits
kseg_mpi_test(stats_batches test_stats.c ENV KSEG_QUANTILE_BATCH=1)
kseg_mpi_test(stats_batches2 test_stats.c RANKS 3 ENV KSEG_QUANTILE_BATCH=2)
