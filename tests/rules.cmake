# Segment rules (docs/rules.md): the tree against a brute-force reference,
# rules.sql in SQLite against rule_segment, rank invariance, bad input; the
# names and actions as properties on a wide table and one with other column names.
kseg_cli_test(rules_real rules_real.sh RANKS 3)
kseg_cli_test(rules_small rules_small.sh RANKS 2)
kseg_cli_test(rules_ranks rules_ranks.sh RANKS 3)
kseg_cli_test(rules_errors rules_errors.sh RANKS 2)
kseg_cli_test(names_wide names_wide.sh RANKS 2)
kseg_cli_test(names_other names_other.sh RANKS 2)
