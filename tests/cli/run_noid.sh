# A table without an ID column: segments.csv is keyed by `row`, and a warm
# start after rows were appended matches old customers by row position;
# drift.json is the same bytes at 1 and 3 ranks.
source "$(dirname "$0")/lib.sh"
"$PY" - "$T" <<'PYEOF'
import sys
import numpy as np
rng = np.random.default_rng(4)
centers = np.array([[0, 0, 0], [6, 0, 1], [0, 6, 2], [6, 6, 3]], float)
X = centers[rng.integers(0, 4, 400)] + rng.normal(0, 1.0, (400, 3))
for name, n in (("old", 320), ("new", 400)):
    with open(f"{sys.argv[1]}/{name}.csv", "w") as f:
        f.write("spend;visits;tenure\n")
        for r in X[:n]:
            f.write(";".join(f"{v:.6f}" for v in r) + "\n")
PYEOF
kseg_np 2 run --in "$T/old.csv" --out "$T/old" --k 3:6 --n-init 3 --no-report 2>/dev/null
head -1 "$T/old/segments.csv" | grep -qx 'row,segment,segment_name,distance,rule_segment' || fail "header: $(head -1 "$T/old/segments.csv")"
[ "$(sed -n 2p "$T/old/segments.csv" | cut -d, -f1)" = 0 ] || fail "the first row should be row 0"
[ "$(tail -1 "$T/old/segments.csv" | cut -d, -f1)" = 319 ] || fail "the last row should be row 319"
for np in 1 3; do
  kseg_np $np run --in "$T/new.csv" --out "$T/new$np" --warm-start "$T/old/model.h5" --no-report 2>/dev/null
done
same_file "$T/new1/drift.json" "$T/new3/drift.json"
h5_same "$T/new1/result.h5" "$T/new3/result.h5" /labels /centroids
"$PY" - "$T/new1/drift.json" "$T/old/result.h5" "$T/new1/result.h5" <<'PYEOF'
import json, sys
import h5py, numpy as np
d = json.load(open(sys.argv[1]))
old = h5py.File(sys.argv[2])["/labels"][...]
new = h5py.File(sys.argv[3])["/labels"][...][:320]
assert d["matched_by"] == "row position" and d["old_customers"] == 320 and d["matched"] == 320, d
assert d["k_old"] == d["k_new"] == 4, d  # four blobs found, and the old k kept
kept = float(np.mean(old == new))
assert abs(kept - d["kept_share"]) < 1e-12 and kept >= 0.95, (kept, d["kept_share"])
PYEOF
