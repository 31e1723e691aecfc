kseg_mpi_test(h5io test_h5io.c)
