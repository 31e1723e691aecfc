kseg_mpi_test(pipeline test_pipeline.c THREADS 2)
