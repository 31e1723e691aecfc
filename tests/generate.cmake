# kseg generate: the generator's rows, the written layout, rank invariance of
# the file, marginals and segment recoverability (scikit-learn), bad usage.
kseg_mpi_test(generate test_generate.c)
kseg_mpi_test(generate_threads test_generate.c RANKS 2 THREADS 2)
