# kseg generate: the generator's rows, the written layout, rank invariance of
# the file, marginals and segment recoverability (scikit-learn), bad usage.
kseg_mpi_test(generate test_generate.c)
kseg_mpi_test(generate_threads test_generate.c RANKS 2 THREADS 2)
kseg_cli_test(generate_ranks generate_ranks.sh)
kseg_cli_test(generate_oracle generate_oracle.sh LABELS oracle)
kseg_cli_test(generate_usage generate_usage.sh)
kseg_cli_test(generate_vs_import generate_vs_import.sh RANKS 2)
