# k sweep: selection rules, ARI and sweep/fit consistency (C, 1-3 ranks x 2
# threads); scikit-learn oracles, rank invariance, resume after kill -9 and
# bad input (bash + Debian's python3).
kseg_mpi_test(sweep test_sweep.c THREADS 2)
# Oversubscribed ranks x threads: spinning OpenMP threads starve each other.
set_property(TEST sweep_np1 sweep_np2 sweep_np3 APPEND PROPERTY ENVIRONMENT OMP_WAIT_POLICY=passive)
kseg_cli_test(sweep_oracle sweep_oracle.sh)
kseg_cli_test(sweep_resume sweep_resume.sh)
kseg_cli_test(sweep_bad_input sweep_bad_input.sh)
kseg_cli_test(sweep_sample sweep_sample.sh)
