# rfm: RFM aggregation of transaction logs and the synthetic log generator.
kseg_mpi_test(rfm test_rfm.c RANKS 1 2 3)
