# scripts/kseg-report: readers and numbers against numpy/scikit-learn; whole
# reports on generated customers and on the real Customer Personality table
# (figures exist, decode, are not blank, are embedded; nothing fetched);
# missing pieces, bad input, and the exit 3 without h5py.
kseg_cli_test(report_units report_units.sh TIMEOUT 120 RANKS 1)
kseg_cli_test(report_generated report_generated.sh TIMEOUT 300 RANKS 2)
kseg_cli_test(report_marketing report_marketing.sh TIMEOUT 300 RANKS 2)
kseg_cli_test(report_missing report_missing.sh TIMEOUT 300 RANKS 1)
kseg_cli_test(report_run report_run.sh TIMEOUT 300 RANKS 2)
kseg_cli_test(report_paths report_paths.sh TIMEOUT 300 RANKS 1)
