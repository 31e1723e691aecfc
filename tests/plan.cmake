# The campaign plan (docs/plan.md): the k rule and the counts in C at 1-3
# ranks, and the CLI against a numpy oracle, across ranks, on bad input and
# on targets with a single outcome.
kseg_mpi_test(plan test_plan.c)
kseg_cli_test(plan_marketing plan_marketing.sh LABELS oracle)
kseg_cli_test(plan_ranks plan_ranks.sh LABELS oracle)
kseg_cli_test(plan_errors plan_errors.sh)
kseg_cli_test(plan_degenerate plan_degenerate.sh LABELS oracle)
