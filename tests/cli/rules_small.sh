# A generic table made here: missing values (imputed, said in the rules),
# negative and fractional values, a constant column, no id column; the tree
# at several --rule-leaves against the brute-force reference, and rules.sql
# in SQLite.
source "$(dirname "$0")/lib.sh"
"$PY" - "$T/small.csv" <<'PYEOF'
import sys, numpy as np
rng = np.random.default_rng(7)
n = 400
centres = np.array([[0, 0, 0, 5], [4, 1, -2, 5], [1, 5, 3, 5], [-3, -2, 4, 5]], float)
lab = rng.integers(0, 4, n)
x = centres[lab] + rng.normal(0, 1.0, (n, 4))
x[:, 0] = np.round(x[:, 0] * 1000, 2)   # money-like, two decimals
x[:, 1] = np.round(x[:, 1], 3)
x[:, 2] = np.round(x[:, 2])             # integers, negative too
x[:, 3] = 5                             # constant: dropped by prep
with open(sys.argv[1], "w") as f:
    f.write("spendAmount,visit_score,DELTA_COUNT,constant\n")
    for i in range(n):
        v = [f"{x[i, 0]:.2f}", f"{x[i, 1]:.3f}", f"{x[i, 2]:.0f}", "5"]
        if i % 17 == 3: v[0] = ""
        if i % 23 == 5: v[1] = ""
        f.write(",".join(v) + "\n")
PYEOF
for L in 4 7 16; do
  kseg_np 2 run --in "$T/small.csv" --out "$T/s$L" --k 4 --n-init 2 --gap 0 --no-report --rule-leaves $L 2>"$T/err" ||
    { cat "$T/err"; fail "run --rule-leaves $L"; }
  "$PY" "$KSEG_TESTS/oracle/rules_oracle.py" "$T/s$L"
  "$PY" "$KSEG_TESTS/oracle/rules_sql.py" "$T/small.csv" "$T/s$L/rules.sql" "$T/s$L/segments.csv"
done
"$PY" - "$T/s4/rules.json" "$T/s16/rules.json" <<'PYEOF'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
assert a["leaves"] == 4 and a["imm_leaves"] == 4, a["leaves"]
assert 4 < b["leaves"] <= 16 and b["fidelity"] >= a["fidelity"], (b["leaves"], a["fidelity"], b["fidelity"])
miss = [f for f in a["features"] if f["missing"] > 0]
assert {f["name"] for f in miss} == {"spendAmount", "visit_score"}, miss
print("small table: leaves", a["leaves"], b["leaves"], "fidelity", a["fidelity"], b["fidelity"])
PYEOF
grep -q "missing counts as" "$T/s16/rules.txt" || grep -q "visit_score\|spendAmount" "$T/s16/rules.txt" || fail "rules.txt names the columns"
