# Reliability: checkpoint/resume after kill -9, bad input and injected
# failures for every subcommand at 3 ranks, fuzz regressions, two hosts.
kseg_cli_test(reliability_fit_resume reliability_fit_resume.sh)
kseg_cli_test(reliability_fit reliability_fit.sh LABELS badinput)
kseg_cli_test(reliability_sweep reliability_sweep.sh LABELS badinput)
kseg_cli_test(reliability_metrics reliability_metrics.sh LABELS badinput)
kseg_cli_test(reliability_prep reliability_prep.sh LABELS badinput)
kseg_cli_test(reliability_import reliability_import.sh LABELS badinput)
