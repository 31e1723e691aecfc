kseg_unit_test(rng test_rng.c)
kseg_mpi_test(comm test_comm.c)
kseg_mpi_test(sample test_sample.c)
