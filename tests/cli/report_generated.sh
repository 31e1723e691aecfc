# kseg-report on generated customers (generate -> prep -> sweep -> fit ->
# profile when the build has it): every figure is a non-blank PNG embedded
# byte for byte in one HTML file that fetches nothing and carries the
# recommendation, segment names and actions; a sample smaller than the data
# is used and gives the same pictures on a second run; a fit at a k other
# than the recommended one is said so.
source "$KSEG_TESTS/cli/lib.sh"
REPORT="$KSEG_SOURCE/scripts/kseg-report"
D=$T/gen
mkdir -p "$D"
kseg_np 2 generate --rows 3000 --segments 4 --seed 7 --out "$D/raw.h5" >/dev/null
kseg_np 2 prep --in "$D/raw.h5" --out "$D/features.h5" >/dev/null
kseg_np 2 sweep --in "$D/features.h5" --k 2:6 --out "$D/sweep.h5" --n-init 2 --silhouette sample:1000 \
  --gap 2 --stability 2 --json >"$D/sweep.json"
k=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["recommended_k"])' "$D/sweep.json")
kseg_np 2 fit --in "$D/features.h5" --k "$k" --out "$D/result.h5" >/dev/null
figures=elbow,validation,pca,silhouette,sizes_response
if "$KSEG_BIN" profile --help >/dev/null 2>&1; then
  kseg_np 2 profile --raw "$D/raw.h5" --labels "$D/result.h5" --out "$D/profiles.csv" >/dev/null
  figures=$figures,profile_heatmap
fi

"$REPORT" "$D" --sample 1500 --silhouette-sample 800 2>"$T/err" || { cat "$T/err" >&2; fail "kseg-report exit $?"; }
grep -q "wrote $D/report.html" "$T/err" || fail "no summary line: $(cat "$T/err")"
"$PY" "$KSEG_TESTS/oracle/report_check.py" "$D" --figures "$figures" --missing "3,000" --missing "Customers"
# The seeded sample: the same pictures again.
mkdir -p "$T/again"
"$REPORT" "$D" --sample 1500 --silhouette-sample 800 --out "$T/again/r.html" 2>/dev/null
for f in pca silhouette; do same_file "$D/plots/$f.png" "$T/again/plots/$f.png"; done
"$PY" "$KSEG_TESTS/oracle/report_check.py" "$D" --html "$T/again/r.html" --figures "$figures"

# Five segments fitted by hand: the report says it is not the recommended k.
if [ "$k" != 5 ]; then
  kseg_np 2 fit --in "$D/features.h5" --k 5 --out "$D/result.h5" >/dev/null
  if [ -e "$D/profiles.csv" ]; then
    kseg_np 2 profile --raw "$D/raw.h5" --labels "$D/result.h5" --out "$D/profiles.csv" >/dev/null
  fi
  "$REPORT" "$D" 2>/dev/null
  "$PY" "$KSEG_TESTS/oracle/report_check.py" "$D" --figures "$figures" \
    --missing "fitted at k = 5, not the recommended $k" --missing "5 segments"
fi
echo "report_generated ok"
