# Reliability: checkpoint/resume after kill -9, bad input and injected
# failures for every subcommand at 3 ranks, fuzz regressions, two hosts.
kseg_cli_test(reliability_fit_resume reliability_fit_resume.sh)
