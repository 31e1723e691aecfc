# comm chunking: a tiny MPI count limit gives what one call gives.
kseg_mpi_test(comm_chunks test_comm_chunks.c)
