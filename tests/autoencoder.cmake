# autoencoder: training, reproducibility, `kseg prep --autoencoder`.
kseg_mpi_test(autoencoder test_autoencoder.c)
kseg_mpi_test(autoencoder_threads test_autoencoder.c RANKS 1 2 THREADS 2)
kseg_cli_test(autoencoder_errors autoencoder_errors.sh)
# rank/thread invariance, loss falls, replay of /prep by a separate program
# (test_prep_replay, from tests/prep.cmake)
add_test(NAME autoencoder_prep COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/cli/autoencoder_prep.sh
  WORKING_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR})
set_tests_properties(autoencoder_prep PROPERTIES TIMEOUT 600 LABELS cli
  ENVIRONMENT "${KSEG_TEST_ENV};KSEG_REPLAY=$<TARGET_FILE:test_prep_replay>")
