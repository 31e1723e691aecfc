# The three real tables: the rules recomputed by brute force from the run's
# features (tests/oracle/rules_oracle.py), and rules.sql run in SQLite on the
# raw export reproducing every customer's rule_segment.
source "$(dirname "$0")/lib.sh"
D=${KSEG_DATA:?}
[ -f "$D/marketing_campaign.csv" ] || skip "no real data in $D"
kseg_np 2 run --in "$D/marketing_campaign.csv" --out "$T/mk" --k 5 --n-init 3 --gap 0 --no-report --currency EUR 2>"$T/err" ||
  { cat "$T/err"; fail "run marketing"; }
"$PY" "$KSEG_TESTS/oracle/rules_oracle.py" "$T/mk"
"$PY" "$KSEG_TESTS/oracle/rules_sql.py" "$D/marketing_campaign.csv" "$T/mk/rules.sql" "$T/mk/segments.csv"
grep -q "^Segment 0" "$T/mk/rules.txt" || fail "rules.txt has no rule for segment 0"
grep -q "Tenure_Days: built on the date column Dt_Customer" "$T/mk/rules.txt" || fail "the date feature is said to be left out"
kseg_np 2 run --in "$D/cc_general.csv" --out "$T/cc" --k 3 --n-init 3 --gap 0 --no-report 2>"$T/err" ||
  { cat "$T/err"; fail "run cc_general"; }
"$PY" "$KSEG_TESTS/oracle/rules_oracle.py" "$T/cc"
"$PY" "$KSEG_TESTS/oracle/rules_sql.py" "$D/cc_general.csv" "$T/cc/rules.sql" "$T/cc/segments.csv"
kseg_np 2 run --transactions "$D/cdnow_master.txt" --out "$T/cd" --k 3 --n-init 3 --gap 0 --no-report 2>"$T/err" ||
  { cat "$T/err"; fail "run cdnow"; }
"$PY" "$KSEG_TESTS/oracle/rules_oracle.py" "$T/cd"
"$PY" "$KSEG_TESTS/oracle/rules_sql.py" "$T/cd/raw.h5" "$T/cd/rules.sql" "$T/cd/segments.csv"
# kseg rules on the saved model gives the run's files back
mkdir -p "$T/cc2"
kseg_np 3 rules --raw "$T/cc/raw.h5" --model "$T/cc/model.h5" --labels "$T/cc/result.h5" --out "$T/cc2/rules.json" \
  2>"$T/err" || { cat "$T/err"; fail "kseg rules"; }
same_file "$T/cc/rules.json" "$T/cc2/rules.json"
same_file "$T/cc/rules.sql" "$T/cc2/rules.sql"
same_file "$T/cc/rules.txt" "$T/cc2/rules.txt"
# names and actions of the three tables, as properties (tests/oracle/names_check.py)
for d in mk cc cd; do
  "$PY" -c "import h5py,sys; print(','.join(c.decode() if isinstance(c,bytes) else c for c in h5py.File(sys.argv[1])['raw'].attrs['columns']))" \
    "$T/$d/raw.h5" >"$T/$d/columns.txt"
  "$PY" "$KSEG_TESTS/oracle/names_check.py" "$T/$d/profiles.json" "$T/$d/columns.txt"
done
grep -q "EUR" "$T/mk/profiles.csv" || fail "--currency EUR is not on the marketing actions' money"
