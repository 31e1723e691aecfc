# A table with other column names (camelCase and snake_case, a categorical
# region, a date, a 0/1 response column, missing incomes), with economics and
# --currency '$': names in words with no raw column names, distinct actions
# (tests/oracle/names_check.py), every money figure of the plan and the
# actions with the currency, and rules.sql reproducing rule_segment in SQLite.
source "$(dirname "$0")/lib.sh"
"$PY" - "$T/shop.csv" <<'PYEOF'
import csv, sys
import numpy as np
rng = np.random.default_rng(1)
n = 3000
seg = rng.integers(0, 4, n)
regions = ["North", "South", "East", "West"]
with open(sys.argv[1], "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["customerId", "annualIncome", "total_orders", "avgBasketValue", "days_since_last_order",
                "loyaltyPoints", "webShareOfOrders", "salesRegion", "signupDate", "respondedLastPromo"])
    for i in range(n):
        s = seg[i]
        inc = [30000, 60000, 90000, 45000][s] * rng.lognormal(0, 0.2)
        w.writerow([f"C{i:05d}", round(inc, 2) if rng.random() > 0.03 else "", rng.poisson([2, 8, 15, 4][s]),
                    round([20, 45, 80, 30][s] * rng.lognormal(0, 0.3), 2), int(rng.exponential([300, 60, 20, 150][s])),
                    rng.poisson([10, 200, 800, 50][s]), round(rng.beta([2, 5, 8, 1][s], 4), 3),
                    regions[(s + rng.integers(0, 2)) % 4], f"2020-{1 + i % 12:02d}-{1 + i % 28:02d}",
                    int(rng.random() < [0.05, 0.1, 0.3, 0.08][s])])
PYEOF
kseg_np 2 run --in "$T/shop.csv" --out "$T/o" --n-init 3 --gap 0 --no-report --target respondedLastPromo \
  --contact-cost 2 --response-revenue 30 --currency '$' 2>"$T/out" || { cat "$T/out"; fail "run"; }
head -1 "$T/shop.csv" >"$T/columns.txt"
"$PY" "$KSEG_TESTS/oracle/names_check.py" "$T/o/profiles.json" "$T/columns.txt"
"$PY" "$KSEG_TESTS/oracle/rules_sql.py" "$T/shop.csv" "$T/o/rules.sql" "$T/o/segments.csv"
"$PY" - "$T/o" "$T/out" <<'PYEOF'
import json, re, sys
d = sys.argv[1]
plan = json.load(open(f"{d}/plan.json"))
assert plan["currency"] == "$", plan.get("currency")
# every amount in the plan's sentences carries the currency: "$6,720", "-$307"
for text in (plan["summary"], plan.get("k_rule") or ""):
    for m in re.finditer(r"(profit|returns?|standard error|everyone) (-?\$?[0-9][0-9,.]*)", text):
        assert "$" in m.group(2), f"an amount without the currency: '{m.group(0)}' in '{text}'"
out = open(sys.argv[2]).read()
assert re.search(r"contact cost \$2, revenue \$30", out), "the economics line has no currency"
rules = json.load(open(f"{d}/rules.json"))
assert rules["currency"] == "$" and "$" in open(f"{d}/rules.txt").read()
print("currency: plan, economics and rules carry $")
PYEOF
