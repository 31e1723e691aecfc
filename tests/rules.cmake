# Segment rules (docs/rules.md): the tree against a brute-force reference,
# rules.sql in SQLite against rule_segment, rank invariance, bad input.
kseg_cli_test(rules_real rules_real.sh)
kseg_cli_test(rules_small rules_small.sh)
kseg_cli_test(rules_ranks rules_ranks.sh)
kseg_cli_test(rules_errors rules_errors.sh)
kseg_cli_test(names_wide names_wide.sh)
kseg_cli_test(names_other names_other.sh)
