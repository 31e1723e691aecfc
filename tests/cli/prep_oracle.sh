#!/bin/bash
# kseg prep against numpy/scikit-learn, and the same bits at 1, 2, 3 ranks.
source "$(dirname "$0")/lib.sh"
O="$KSEG_TESTS/oracle"

# quantiles and moments of random data with ties, NaNs and signed zeros
"$PY" "$O/prep_make_raw.py" "$T/rand.h5" 1001
for np in 1 2 3; do
  kseg_np $np prep --in "$T/rand.h5" --out "$T/rand$np.h5" --recipe generic --exclude empty \
    --scale none --json >"$T/rand$np.json"
  "$PY" "$O/prep_oracle.py" quantiles "$T/rand.h5" "$T/rand$np.json"
done
h5_same "$T/rand1.h5" "$T/rand2.h5"
h5_same "$T/rand1.h5" "$T/rand3.h5"
"$PY" - "$T/rand1.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
names = [f["name"] for f in r["features"]]
assert names == ["ties", "normal", "zeros", "skewed", "money"], names
dropped = {d["name"]: d["reason"] for d in r["dropped"]}
assert dropped["row_id"].startswith("identifier"), dropped
assert dropped["const"] == "constant (4)", dropped
assert "segment" in dropped and "name" in dropped, dropped
PY

# cc_general: SimpleImputer(median) + StandardScaler to 1e-9, at 1 and 3 ranks
kseg_np 1 import --in "$KSEG_DATA/cc_general.csv" --out "$T/cc.h5" >/dev/null 2>&1
for np in 1 3; do
  kseg_np $np prep --in "$T/cc.h5" --out "$T/cc$np.h5" --recipe generic --impute median --outliers none \
    --scale standard
  "$PY" "$O/prep_oracle.py" generic "$KSEG_DATA/cc_general.csv" "$T/cc$np.h5"
done
h5_same "$T/cc1.h5" "$T/cc3.h5"
echo "prep_oracle: ok"
