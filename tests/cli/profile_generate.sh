#!/bin/bash
# On generated customers with their true segments as labels, the segment
# that answers campaigns best is named for it and its action follows its
# campaign decision (generated tables carry Z_CostContact / Z_Revenue),
# quoting the measured lift; names are unique and the same on
# any rank count; --json prints what profiles.json holds.
source "$(dirname "$0")/lib.sh"
kseg_np 2 generate --rows 3000 --segments 5 --seed 7 --out "$T/gen.h5" >/dev/null 2>&1
for np in 1 3; do
  kseg_np $np profile --raw "$T/gen.h5" --labels "$T/gen.h5" --labels-dataset /truth/segment \
    --out "$T/p$np.csv" --json >"$T/stdout$np.json"
done
same_file "$T/p1.csv" "$T/p3.csv"
same_file "$T/p1.json" "$T/p3.json"
same_file "$T/p1.json" "$T/stdout3.json"
"$PY" - "$T/p1.json" "$T/gen.h5" <<'PY'
import json, sys, h5py, numpy as np
prof = json.load(open(sys.argv[1]))
segs = prof["segments"][:-1]
truth = h5py.File(sys.argv[2], "r")["/truth/segment"][:]
assert [s["size"] for s in segs] == np.bincount(truth, minlength=len(segs)).tolist()
names = [s["name"] for s in segs]
assert len(set(names)) == len(names), names
best = max(segs, key=lambda s: s["lift"])
assert best["lift"] >= 1.5, f"generated data has no responsive segment: {best['lift']}"
assert best["name"].startswith("Responsive"), best["name"]
# the table's Z_CostContact / Z_Revenue give economics: the advice follows the
# segment's decision (its rate's 95 % interval against break-even), quoting the lift
assert prof["economics"]["source"] == "table", prof["economics"]
lead = {"contact": "Prioritise", "test": "Test before a full campaign", "skip": "Responsive (lift"}[best["decision"]]
assert best["action"].startswith(lead) and f"lift {best['lift']:.2f}" in best["action"], best["action"]
for s in segs:
    if s is not best and s["lift"] < 1.5:
        assert "Prioritise" not in s["action"] and not s["name"].startswith("Responsive"), s
    if s["decision"] == "skip":
        assert "Prioritise" not in s["action"] and "Test before" not in s["action"], s
print("\n".join(f"{s['segment']}: lift {s['lift']:.2f} | {s['name']} | {s['action']}" for s in segs))
PY
echo "profile on generated customers ok"
