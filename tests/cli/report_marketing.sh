# kseg-report on the real Customer Personality table (import -> prep --pca
# -> sweep -> fit -> profile when the build has it): every figure exists,
# decodes, is not blank and is embedded; the summary names the principal
# components and the prepared features they came from; with autoencoder
# features (and no sweep) it names the codes and draws the segment plots.
source "$KSEG_TESTS/cli/lib.sh"
REPORT="$KSEG_SOURCE/scripts/kseg-report"
D=$T/mkt
mkdir -p "$D"
kseg_np 2 import --in "$KSEG_DATA/marketing_campaign.csv" --out "$D/raw.h5" >/dev/null
kseg_np 2 prep --in "$D/raw.h5" --out "$D/features.h5" --pca 0.9 >/dev/null
kseg_np 2 sweep --in "$D/features.h5" --k 2:8 --out "$D/sweep.h5" --n-init 2 --gap 2 --json >"$D/sweep.json"
k=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["recommended_k"])' "$D/sweep.json")
kseg_np 2 fit --in "$D/features.h5" --k "$k" --out "$D/result.h5" >/dev/null
figures=elbow,validation,pca,silhouette,sizes_response
if "$KSEG_BIN" profile --help >/dev/null 2>&1; then
  kseg_np 2 profile --raw "$D/raw.h5" --labels "$D/result.h5" --out "$D/profiles.csv" >/dev/null
  figures=$figures,profile_heatmap
fi
"$REPORT" "$D" 2>"$T/err" || { cat "$T/err" >&2; fail "kseg-report failed"; }
"$PY" "$KSEG_TESTS/oracle/report_check.py" "$D" --figures "$figures" --missing "2,240" \
  --missing "principal components of 21 prepared features" --missing "Income"

A=$T/ae
mkdir -p "$A"
kseg_np 2 prep --in "$D/raw.h5" --out "$A/features.h5" --autoencoder 16,4 --epochs 5 >/dev/null
kseg_np 2 fit --in "$A/features.h5" --k 3 --out "$A/result.h5" >/dev/null
figures=pca,silhouette,sizes_response
if [ -e "$D/profiles.csv" ]; then
  kseg_np 2 profile --raw "$D/raw.h5" --labels "$A/result.h5" --out "$A/profiles.csv" >/dev/null
  figures=$figures,profile_heatmap
fi
"$REPORT" "$A" 2>"$T/err" || { cat "$T/err" >&2; fail "kseg-report on autoencoder features failed"; }
"$PY" "$KSEG_TESTS/oracle/report_check.py" "$A" --figures "$figures" --absent elbow,validation \
  --missing "4 autoencoder codes (layers 16,4) of 21 prepared features" --missing "no sweep.h5"
echo "report_marketing ok"
