# autoencoder: training, reproducibility, `kseg prep --autoencoder`.
kseg_mpi_test(autoencoder test_autoencoder.c)
kseg_mpi_test(autoencoder_threads test_autoencoder.c RANKS 1 2 THREADS 2)
kseg_cli_test(autoencoder_errors autoencoder_errors.sh)
# rank/thread invariance, loss falls, replay of /prep by a separate program
# (test_prep_replay, from tests/prep.cmake)
kseg_cli_test(autoencoder_prep autoencoder_prep.sh ENV KSEG_REPLAY=$<TARGET_FILE:test_prep_replay>)
