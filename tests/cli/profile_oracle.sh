#!/bin/bash
# kseg profile against numpy on the two real tables (labels from scikit-learn
# KMeans on kseg prep features), and the same bytes at 1, 2 and 3 ranks.
source "$(dirname "$0")/lib.sh"
O="$KSEG_TESTS/oracle"

# labels: KMeans(k, random_state=0) on the prepared features, as /labels
kmeans_labels() {
  "$PY" - "$1" "$2" "$3" <<'PY'
import sys, h5py, numpy as np
from sklearn.cluster import KMeans
X = h5py.File(sys.argv[1], "r")["/features"][:]
lab = KMeans(n_clusters=int(sys.argv[3]), random_state=0, n_init=10).fit_predict(X).astype(np.int32)
with h5py.File(sys.argv[2], "w") as f:
    f["/labels"] = lab
PY
}

for data in marketing_campaign:marketing cc_general:generic; do
  name=${data%%:*} recipe=${data##*:}
  kseg_np 1 import --in "$KSEG_DATA/$name.csv" --out "$T/$name.h5" >/dev/null 2>&1
  kseg_np 1 prep --in "$T/$name.h5" --out "$T/$name.feat.h5" >/dev/null 2>&1
  kmeans_labels "$T/$name.feat.h5" "$T/$name.labels.h5" 4
  for np in 1 2 3; do
    mkdir -p "$T/$name.$np"
    kseg_np $np profile --raw "$T/$name.h5" --labels "$T/$name.labels.h5" --out "$T/$name.$np/profiles.csv" \
      2>"$T/$name.$np/stderr"
    [ -s "$T/$name.$np/profiles.json" ] && [ -s "$T/$name.$np/profiles.h5" ] || fail "$name: outputs missing at $np ranks"
  done
  "$PY" "$O/profile_oracle.py" "$KSEG_DATA/$name.csv" "$T/$name.labels.h5" "$T/$name.1/profiles.json" $recipe
  for np in 2 3; do
    same_file "$T/$name.1/profiles.csv" "$T/$name.$np/profiles.csv"
    same_file "$T/$name.1/profiles.json" "$T/$name.$np/profiles.json"
    h5_same "$T/$name.1/profiles.h5" "$T/$name.$np/profiles.h5"
  done
  # the CSV, the JSON and the HDF5 file hold the same numbers
  "$PY" - "$T/$name.1/profiles" <<'PY'
import csv, json, sys, h5py, math
stem = sys.argv[1]
rows = list(csv.DictReader(open(stem + ".csv", newline="")))
prof = json.load(open(stem + ".json"))
h5 = h5py.File(stem + ".h5", "r")["/profile"]
names = [v.decode() if isinstance(v, bytes) else v for v in h5.attrs["names"]]
assert [r["name"] for r in rows] == [s["name"] for s in prof["segments"]] == names, names
for r, s in zip(rows, prof["segments"]):
    assert r["segment"] == str(s["segment"]) and int(r["size"]) == s["size"]
    for col, m in s["metrics"].items():
        for key in ("mean", "median", "index"):
            v = r[f"{key}_{col}"]
            assert (v == "" and m[key] is None) or abs(float(v) - m[key]) <= 1e-9 * max(1, abs(m[key])), (col, key, v, m[key])
    if "lift" in s:
        assert abs(float(r["lift"]) - s["lift"]) <= 1e-9 * s["lift"]
for key in ("size", "share", "mean_" + next(iter(prof["segments"][0]["metrics"]))):
    assert len(h5[key]) == len(rows), key
    for r, v in zip(rows, h5[key][:]):
        assert abs(float(r[key]) - v) <= 1e-9 * max(1, abs(v)), (key, r[key], v)
print("csv, json and h5 agree:", len(rows), "rows")
PY
  cat "$T/$name.1/stderr"
done
echo "profile oracle ok"
