# kseg run on the real credit-card table (comma CSV, string IDs, missing
# values): every customer labelled under CUST_ID, as good as scikit-learn.
source "$(dirname "$0")/lib.sh"
CSV=$KSEG_DATA/cc_general.csv
kseg_np 2 run --in "$CSV" --out "$T/cc" --k 3:4 --n-init 4 --no-report 2>"$T/err" || { cat "$T/err"; fail "run"; }
grep -q 'recipe ccgeneral' "$T/err" || { cat "$T/err"; fail "the ccgeneral recipe was not detected"; }
"$PY" "$KSEG_SOURCE/tests/oracle/run_check.py" "$T/cc" "$CSV" CUST_ID --sklearn
kseg_np 3 assign --model "$T/cc/model.h5" --in "$T/cc/raw.h5" --out "$T/a.h5" 2>/dev/null
h5_same "$T/cc/result.h5" "$T/a.h5" /labels
