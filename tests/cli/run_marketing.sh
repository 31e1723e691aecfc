# kseg run on the real Customer Personality table under 2 ranks: every
# customer labelled with its ID, a responsive segment (lift >= 1.5), segments
# as good as scikit-learn's KMeans at the same k, kseg assign reproduces the
# labels at 1-3 ranks, and retraining after the base grew by a quarter keeps
# at least 85 % of the old customers in their segment.
source "$(dirname "$0")/lib.sh"
CSV=$KSEG_DATA/marketing_campaign.csv
kseg_np 2 run --in "$CSV" --out "$T/m" --no-report --json >"$T/run.json" 2>"$T/run.err" || { cat "$T/run.err"; fail "run"; }
for f in raw.h5 features.h5 sweep.h5 model.h5 result.h5 segments.csv profiles.csv profiles.json profiles.h5 plan.csv \
  plan.json rules.json rules.txt rules.sql; do
  [ -s "$T/m/$f" ] || fail "missing $T/m/$f"
done
[ -z "$(ls -A "$T/m" | grep -v -E '^(raw|features|sweep|model|result|profiles)\.h5$|^segments\.csv$|^(profiles|plan)\.(csv|json)$|^rules\.(json|txt|sql)$')" ] ||
  fail "unexpected files in the output: $(ls -A "$T/m")"
grep -q 'segment *size' "$T/run.err" || { cat "$T/run.err"; fail "run printed no segment table"; }
"$PY" "$KSEG_SOURCE/tests/oracle/run_check.py" "$T/m" "$CSV" ID --lift 1.5 --sklearn

# scoring the training customers gives their labels back, at any rank count
for np in 1 2 3; do
  kseg_np $np assign --model "$T/m/model.h5" --in "$T/m/raw.h5" --out "$T/a$np.h5" 2>/dev/null
  h5_same "$T/m/result.h5" "$T/a$np.h5" /labels /distance
done

# retraining: the old model saw a random 80 % of the customers
"$PY" "$KSEG_SOURCE/tests/oracle/run_subset.py" "$CSV" "$T/old.csv" 0.8 7 >/dev/null
kseg_np 2 run --in "$T/old.csv" --out "$T/old" --no-report 2>/dev/null
kseg_np 2 run --in "$CSV" --out "$T/new" --warm-start "$T/old/model.h5" --no-report --json >"$T/warm.json" 2>/dev/null
[ -s "$T/new/drift.json" ] || fail "no drift.json"
"$PY" - "$T/new/drift.json" "$T/old/model.h5" "$T/old/result.h5" "$T/new/result.h5" "$T/old.csv" "$CSV" <<'PYEOF'
import csv, json, sys
import h5py, numpy as np
d = json.load(open(sys.argv[1]))
assert d["old_customers"] == 1792 and d["matched"] == 1792 and d["matched_by"] == "id", d
# recompute moved_share from the labels joined by ID
def ids(p):
    with open(p, newline="") as f:
        return [r["ID"] for r in csv.DictReader(f, delimiter="\t")]
old_lab = h5py.File(sys.argv[3])["/labels"][...]
new_lab = h5py.File(sys.argv[4])["/labels"][...]
pos = {i: n for n, i in enumerate(ids(sys.argv[6]))}
newl = np.array([new_lab[pos[i]] for i in ids(sys.argv[5])])
kept = float(np.mean(newl == old_lab))
from sklearn.metrics import adjusted_rand_score
ari = adjusted_rand_score(old_lab, newl)
print(f"warm start: kept {kept:.4f} (drift.json {1 - d['moved_share']:.4f}), ARI {ari:.4f} (drift.json {d['ari']:.4f})")
assert abs(kept - (1 - d["moved_share"])) < 1e-12, "moved_share disagrees with the labels"
assert abs(ari - d["ari"]) < 1e-12, "ari disagrees with scikit-learn"
assert kept >= 0.85, f"only {kept:.3f} of the old customers kept their segment id"
assert len(d["segments"]) == d["k_old"] and not d["vanished"] and not d["appeared"], d
PYEOF

# kseg fit --warm-start on the new features gives the retrained run's segments
kseg_np 3 fit --in "$T/new/features.h5" --warm-start "$T/old/model.h5" --raw "$T/new/raw.h5" --out "$T/fw.h5" 2>/dev/null
h5_same "$T/fw.h5" "$T/new/result.h5" /centroids
"$PY" -c 'import sys, h5py, numpy as np; a, b = (h5py.File(p)["/labels"][...] for p in sys.argv[1:]); sys.exit(0 if np.array_equal(a, b) else 1)' \
  "$T/fw.h5" "$T/new/result.h5" || fail "fit --warm-start labels differ from run --warm-start"

# new customers: the real-data model scores generated customers (same
# columns, other rows, level sets in another order) into its segments
kseg_np 2 generate --rows 1000 --seed 9 --out "$T/gen.h5" >/dev/null 2>&1
kseg_np 3 assign --model "$T/m/model.h5" --in "$T/gen.h5" --out "$T/gen_labels.h5" --json >"$T/gen.json" 2>/dev/null
"$PY" - "$T/gen_labels.h5" "$T/gen.json" "$T/m/result.h5" <<'PYEOF'
import json, sys, h5py, numpy as np
lab = h5py.File(sys.argv[1])["/labels"][...]
dist = h5py.File(sys.argv[1])["/distance"][...]
k = int(h5py.File(sys.argv[3]).attrs["k"])
j = json.load(open(sys.argv[2]))
assert lab.shape == (1000,) and lab.min() >= 0 and lab.max() < k and np.isfinite(dist).all() and (dist >= 0).all()
assert [s["size"] for s in j["segments"]] == np.bincount(lab, minlength=k).tolist(), j
print("generated customers per segment:", np.bincount(lab, minlength=k).tolist())
PYEOF
