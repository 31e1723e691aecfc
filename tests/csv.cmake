# csv: parsing pieces (unit), and `kseg import` end to end (CLI + oracle).
kseg_unit_test(csv_parse test_csv_parse.c)
kseg_cli_test(import_real import_real.sh)
kseg_cli_test(import_quoting import_quoting.sh RANKS 5)
kseg_cli_test(import_errors import_errors.sh)
kseg_mpi_test(csv_import test_csv_import.c)
kseg_cli_test(import_messy import_messy.sh LABELS oracle)
