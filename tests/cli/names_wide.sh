# A wide generic table (300 columns x1..x300 centred near zero, plus a few
# columns with SNAKE_CASE and camelCase names): names carry no raw column
# names, no near-zero-mean column, no contradictions, distinct names and
# actions (tests/oracle/names_check.py).
source "$(dirname "$0")/lib.sh"
"$PY" - "$T/wide.csv" <<'PYEOF'
import sys, numpy as np
rng = np.random.default_rng(5)
n, k, d = 1200, 4, 300
lab = rng.integers(0, k, n)
shift = rng.normal(0, 1.5, (k, d))
x = shift[lab] + rng.normal(0, 1, (n, d))
spend = np.round(np.exp(4 + lab + rng.normal(0, 0.3, n)), 2)
visits = rng.poisson(2 + 3 * (lab == 1))
with open(sys.argv[1], "w") as f:
    f.write("customer_id," + ",".join(f"x{j + 1}" for j in range(d)) + ",MONTHLY_SPEND_AMOUNT,webVisitCount\n")
    for i in range(n):
        f.write(f"C{i}," + ",".join(f"{v:.4f}" for v in x[i]) + f",{spend[i]:.2f},{visits[i]}\n")
PYEOF
kseg_np 2 run --in "$T/wide.csv" --out "$T/w" --k 4 --n-init 2 --gap 0 --no-report --currency EUR 2>"$T/err" || { cat "$T/err"; fail "run"; }
head -1 "$T/wide.csv" >"$T/columns.txt"
"$PY" "$KSEG_TESTS/oracle/names_check.py" "$T/w/profiles.json" "$T/columns.txt"
"$PY" - "$T/w/profiles.json" <<'PYEOF'
import json, re, sys
segs = [s for s in json.load(open(sys.argv[1]))["segments"] if s["segment"] != "all"]
for s in segs:
    assert not re.search(r"\bx\d+\b", s["name"]), s["name"]
    assert not re.search(r"\bx\d+\b", s["action"]), s["action"]
    # an amount column's money carries --currency
    if "spend amount:" in s["action"]:
        assert "EUR" in s["action"], s["action"]
print("wide table names:", [s["name"] for s in segs])
PYEOF
# the 300-column table also gets its rules, reproduced by rules.sql in SQLite
"$PY" "$KSEG_TESTS/oracle/rules_sql.py" "$T/wide.csv" "$T/w/rules.sql" "$T/w/segments.csv"
