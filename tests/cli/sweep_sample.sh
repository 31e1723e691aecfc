#!/usr/bin/env bash
# Big N: `sweep --sample N` sweeps a seeded uniform sample and fits the
# recommended k on every row; `run --sweep-sample N` does the same inside the
# pipeline. Checks: the sweep file (table, centroids, refit) is identical at
# 1, 2 and 3 ranks (the sample's rows are tested in test_sample.c); the
# refit is a fit of all rows from the sample's centroids (same centroids and
# inertia as `kseg fit --init`); run --sweep-sample reports the sample, labels every
# customer and keeps its results rank-invariant; a negative sample is refused.
. "$(dirname "$0")/lib.sh"
kseg_np 2 generate --rows 6000 --segments 4 --seed 5 --out "$T/raw.h5" >/dev/null
kseg_np 2 prep --in "$T/raw.h5" --out "$T/f.h5" --recipe marketing >/dev/null
for np in 1 2 3; do
  kseg_np $np sweep --in "$T/f.h5" --k 2:5 --n-init 2 --sample 1500 --silhouette sample:500 --out "$T/s$np.h5" \
    --json >"$T/s$np.json"
done
objs=(/sweep/k /sweep/inertia /sweep/silhouette /sweep/calinski_harabasz /sweep/davies_bouldin /sweep/n_iter
  /sweep/centroids /sweep/refit/centroids)
h5_same "$T/s1.h5" "$T/s2.h5" "${objs[@]}"
h5_same "$T/s1.h5" "$T/s3.h5" "${objs[@]}"
same_results "$T/s1.json" "$T/s3.json"

# what the outputs say of the sample
"$PY" - "$T" "$KSEG_BIN" <<'PYEOF'
import json, subprocess, sys
import h5py, numpy as np
t = sys.argv[1]
j = json.load(open(f"{t}/s1.json"))
assert j["sample"] == 1500 and j["input_rows"] == 6000, j
assert j["refit"]["k"] == j["recommended_k"], j["refit"]
s = h5py.File(f"{t}/s1.h5", "r")["/sweep"]
assert s.attrs["rows"] == 1500 and s.attrs["input_rows"] == 6000
assert s["refit/centroids"].shape == (j["recommended_k"], 21)
PYEOF
# the refit equals `kseg fit --init` from the sample's centroids on all rows
k=$("$PY" -c "import json; print(json.load(open('$T/s1.json'))['recommended_k'])")
"$PY" - "$T" "$k" <<'PYEOF'
import sys, h5py
t, k = sys.argv[1], int(sys.argv[2])
c = h5py.File(f"{t}/s1.h5", "r")[f"/sweep/centroids/k{k}"][...]
with h5py.File(f"{t}/init.h5", "w") as f:
    f["/init"] = c
PYEOF
kseg_np 2 fit --in "$T/f.h5" --k "$k" --init "$T/init.h5:/init" --out "$T/refit.h5" --json >"$T/refit.json"
"$PY" - "$T" <<'PYEOF'
import json, sys
import h5py, numpy as np
t = sys.argv[1]
fit = json.load(open(f"{t}/refit.json"))
r = json.load(open(f"{t}/s1.json"))["refit"]
assert fit["inertia"] == r["inertia"] and fit["n_iter"] == r["n_iter"], (fit, r)
a = h5py.File(f"{t}/refit.h5", "r")["/centroids"][...]
b = h5py.File(f"{t}/s1.h5", "r")["/sweep/refit/centroids"][...]
assert np.array_equal(a, b), "refit centroids differ from kseg fit --init"
PYEOF

# the pipeline: a sample of 2000 of the 6000 customers, every customer labelled
for np in 1 3; do
  kseg_np $np run --in "$T/raw.h5" --out "$T/run$np" --k 3:5 --n-init 2 --gap 0 --sweep-sample 2000 --no-report \
    --json >"$T/run$np.json" 2>"$T/run$np.err"
done
grep -q "the sweep ran on a seeded sample of 2000 of the 6000 customers; k = " "$T/run1.err" ||
  fail "run --sweep-sample did not say that the sweep ran on a sample"
"$PY" - "$T" <<'PYEOF' || fail "run --sweep-sample differs between 1 and 3 ranks"
import json, sys
t = sys.argv[1]
a, b = (json.load(open(f"{t}/run{n}.json")) for n in (1, 3))
for j in (a, b):
    for key in ("out", "seconds", "seconds_by_step", "ranks", "threads"):
        j.pop(key, None)
sys.exit(a != b)
PYEOF
h5_same "$T/run1/result.h5" "$T/run3/result.h5" /labels /centroids
"$PY" - "$T" <<'PYEOF'
import json, sys
import h5py
t = sys.argv[1]
j = json.load(open(f"{t}/run1.json"))
assert j["sweep_sample"] == 2000 and j["sweep_sample_default"] is False, j
assert h5py.File(f"{t}/run1/result.h5", "r")["/labels"].shape == (6000,)
assert h5py.File(f"{t}/run1/sweep.h5", "r")["/sweep"].attrs["rows"] == 2000
PYEOF
# below the default threshold nothing is sampled and the JSON says nothing of it
kseg_np 2 run --in "$T/raw.h5" --out "$T/full" --k 3:4 --n-init 2 --gap 0 --no-report --json >"$T/full.json"
"$PY" -c "import json,sys; j=json.load(open('$T/full.json')); sys.exit('sweep_sample' in j)" ||
  fail "a run below 2,000,000 customers reported a sweep sample"

expect_status 1 2 sweep --in "$T/f.h5" --k 2:3 --sample -5 --out "$T/bad.h5"
expect_message "--sample must be a number of rows >= 0"
expect_status 1 2 run --in "$T/raw.h5" --out "$T/bad" --sweep-sample -1 --no-report
expect_message "--sweep-sample must be a number of customers >= 0"
echo "sweep_sample: ok"
