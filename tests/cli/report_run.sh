# kseg run ends with a complete report: on generated customers (marketing
# columns, a Response target) and on the real credit-card table (generic
# columns, no target: the heat map takes the columns that differ most and
# the sizes plot has no response panel, and there is no campaign plan); a
# warm-started run reports what changed since the previous model
# (drift.json). With a target the report has the campaign plan in words
# (whom to contact, what it returns in and out of sample, the economics'
# source, the plan's summary), the cumulative gains / profit chart and the
# cross-validated score per k.
source "$KSEG_TESTS/cli/lib.sh"
all=sizes_response,profile_heatmap,pca,silhouette,elbow,validation
kseg_np 1 generate --rows 2000 --segments 4 --seed 11 --out "$T/raw.h5" >/dev/null
kseg_np 2 run --in "$T/raw.h5" --out "$T/gen" --k 2:6 --n-init 2 >/dev/null 2>"$T/err" ||
  { cat "$T/err" >&2; fail "kseg run failed"; }
"$PY" "$KSEG_TESTS/oracle/report_check.py" "$T/gen" --figures "$all,campaign_gains,k_pays" --missing "Response rate" \
  --missing "Lift" --missing "Campaign plan" --missing "Whom to contact" --missing "Out of sample" \
  --missing "from the table&#x27;s Z_CostContact / Z_Revenue" --missing "$(sed -n 's/.*"summary": "\([^"]*\)".*/\1/p' "$T/gen/plan.json" | sed 's/&/\&amp;/g; s/'"'"'/\&#x27;/g')"

kseg_np 2 run --in "$KSEG_DATA/cc_general.csv" --out "$T/cc" --k 2:4 --n-init 1 >/dev/null 2>"$T/err" ||
  { cat "$T/err" >&2; fail "kseg run on cc_general failed"; }
"$PY" "$KSEG_TESTS/oracle/report_check.py" "$T/cc" --figures "$all" --missing "8,950" \
  --missing "no response column" --missing "there is no campaign plan" --absent campaign_gains,k_pays
if grep -q "Lift" "$T/cc/report.html"; then fail "a lift column without a target"; fi

kseg_np 2 run --in "$T/raw.h5" --out "$T/warm" --k 2:6 --n-init 2 --warm-start "$T/gen/model.h5" >/dev/null \
  2>"$T/err" || { cat "$T/err" >&2; fail "warm-started kseg run failed"; }
[ -e "$T/warm/drift.json" ] || fail "no drift.json after a warm start"
"$PY" "$KSEG_TESTS/oracle/report_check.py" "$T/warm" --figures "$all,campaign_gains,k_pays" --missing "Changes since the previous model" \
  --missing "Kept their segment" --missing "2,000 of 2,000"
if grep -q "Changes since the previous model" "$T/gen/report.html"; then fail "a drift section without a warm start"; fi
echo "report_run ok"
