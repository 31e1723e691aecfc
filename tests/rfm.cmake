# rfm: RFM aggregation of transaction logs and the synthetic log generator.
kseg_mpi_test(rfm test_rfm.c RANKS 1 2 3)
kseg_mpi_test(rfm_threads test_rfm.c RANKS 2 THREADS 2)
kseg_cli_test(rfm_cdnow rfm_cdnow.sh LABELS rfm)
kseg_cli_test(rfm_errors rfm_errors.sh LABELS rfm)
kseg_cli_test(rfm_generated rfm_generated.sh LABELS rfm)
kseg_cli_test(rfm_prep rfm_prep.sh LABELS rfm)
kseg_cli_test(rfm_exports rfm_exports.sh LABELS rfm)
kseg_cli_test(rfm_encoding rfm_encoding.sh LABELS rfm)
