# model, warm start and the main job: C tests of the pieces (1-3 ranks) and
# CLI tests on the real tables, generated customers and bad input.
kseg_mpi_test(model test_model.c)
kseg_mpi_test(segments_csv test_segments_csv.c)
kseg_cli_test(run_marketing run_marketing.sh LABELS oracle)
kseg_cli_test(run_ranks run_ranks.sh)
kseg_cli_test(run_ccgeneral run_ccgeneral.sh LABELS oracle)
kseg_cli_test(run_errors run_errors.sh RANKS 2)
kseg_cli_test(assign_errors assign_errors.sh)
kseg_cli_test(run_noid run_noid.sh LABELS oracle)
kseg_cli_test(run_transactions run_transactions.sh)
kseg_cli_test(assign_csv assign_csv.sh LABELS oracle)
kseg_cli_test(run_exports run_exports.sh LABELS oracle)
