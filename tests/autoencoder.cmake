# autoencoder: training, reproducibility, `kseg prep --autoencoder`.
kseg_mpi_test(autoencoder test_autoencoder.c)
kseg_mpi_test(autoencoder_threads test_autoencoder.c RANKS 1 2 THREADS 2)
# 2-3 ranks of one thread share each step's work (team.c); the same bits
# with the static split (KSEG_AE_TEAM=0), and when rank 1 naps after
# claiming chunks, so the others compute them, and the ring holds 2 steps,
# so the others wait for it (the last two in test builds only)
kseg_mpi_test(autoencoder_static test_autoencoder.c RANKS 2 3 ENV KSEG_AE_TEAM=0)
kseg_mpi_test(autoencoder_team_naps test_autoencoder.c RANKS 2 3 ENV KSEG_AE_NAP_RANK=1 KSEG_AE_RING=2)
kseg_cli_test(autoencoder_errors autoencoder_errors.sh)
# rank/thread invariance, loss falls, replay of /prep by a separate program
# (test_prep_replay, from tests/prep.cmake)
kseg_cli_test(autoencoder_prep autoencoder_prep.sh ENV KSEG_REPLAY=$<TARGET_FILE:test_prep_replay>)
