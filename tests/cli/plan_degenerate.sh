#!/bin/bash
# Targets with one outcome and tables without economics:
#  * no responders / only responders: exit 0, plan.json and plan.csv written
#    with rates and intervals, no profit claim anywhere (money columns left
#    out or null), no contact decision, a warning on stderr, and the k from
#    the internal metrics (no campaign score);
#  * a table without Z_CostContact / Z_Revenue and no flags: no money
#    anywhere, the score is the responses captured in the top 20 % (oracle),
#    and every output says there are no economics;
#  * a Z_CostContact that is not constant: a warning, no economics;
#  * kseg profile with the flags: the oracle agrees with profiles.json.
source "$(dirname "$0")/lib.sh"
CSV=$KSEG_DATA/marketing_campaign.csv
"$PY" - "$CSV" "$T" <<'PYEOF'
import sys
src, d = sys.argv[1], sys.argv[2]
lines = open(src).read().splitlines()
head = lines[0].split("\t")
r, zc, zr = head.index("Response"), head.index("Z_CostContact"), head.index("Z_Revenue")
def write(name, fix, drop=()):
    keep = [i for i in range(len(head)) if i not in drop]
    with open(f"{d}/{name}", "w") as f:
        f.write("\t".join(head[i] for i in keep) + "\n")
        for n, line in enumerate(lines[1:]):
            v = line.split("\t")
            fix(n, v)
            f.write("\t".join(v[i] for i in keep) + "\n")
write("none.csv", lambda n, v: v.__setitem__(r, "0"))
write("all.csv", lambda n, v: v.__setitem__(r, "1"))
write("noecon.csv", lambda n, v: None, drop=(zc, zr))
write("varcost.csv", lambda n, v: v.__setitem__(zc, "3" if n % 2 else "4"))
PYEOF
for case in none all; do
  kseg_np 2 run --in "$T/$case.csv" --out "$T/$case" --no-report --json >"$T/$case.json" 2>"$T/$case.err" ||
    { cat "$T/$case.err"; fail "run on $case.csv"; }
  grep -q "warning: target 'Response' has $([ $case = none ] && echo no || echo only) responders: the plan gives rates only and claims no profit" "$T/$case.err" ||
    { cat "$T/$case.err"; fail "no warning for $case"; }
  [ -s "$T/$case/plan.csv" ] || fail "no plan.csv for $case"
  "$PY" - "$T/$case" "$T/$case.json" "$case" <<'PYEOF'
import csv, json, sys
d, case = sys.argv[1], sys.argv[3]
p = json.load(open(f"{d}/plan.json"))
r = json.load(open(sys.argv[2]))
prof = json.load(open(f"{d}/profiles.json"))
assert p["profit_claims"] is False and p["economics_source"] == "table", p
for key in ("expected_profit", "profit_contact_all", "cv_profit", "cv_profit_sd", "segments_contacted"):
    assert p[key] is None, f"{case}: {key} = {p[key]}: no profit claims without both outcomes"
want = 0.0 if case == "none" else 1.0
assert all(s["response_rate"] == want for s in p["segments"]), p["segments"]
assert all("decision" not in s and "expected_profit" not in s for s in p["segments"] + prof["segments"])
assert all(s["response_rate_low"] <= want <= s["response_rate_high"] for s in p["segments"])
assert ("no responders" if case == "none" else "only responders") in p["summary"], p["summary"]
assert p["k"] == p["k_internal"] and p["k_business"] is None, (p["k"], p["k_internal"], p["k_business"])
assert "internal metrics alone" in p["k_rule"] and "no campaign score" in p["k_rule"], p["k_rule"]
assert r["plan"]["note"] and r["k_business"] is None
head = next(csv.reader(open(f"{d}/plan.csv")))
assert "expected_profit" not in head and "cum_profit" not in head and "decision" not in head, head
head = next(csv.reader(open(f"{d}/profiles.csv")))
assert "response_rate_low" in head and "expected_profit" not in head and "decision" not in head, head
print(f"{case}: rates only, k={p['k']} from the internal metrics")
PYEOF
done

# no economics at all: rates, lifts and the captured-responses score only
kseg_np 2 run --in "$T/noecon.csv" --out "$T/noecon" --no-report --k 3:6 --n-init 3 --gap 0 2>"$T/noecon.err" ||
  { cat "$T/noecon.err"; fail "run without economics"; }
"$PY" "$KSEG_SOURCE/tests/oracle/plan_oracle.py" run "$T/noecon" --sweep
"$PY" - "$T/noecon" <<'PYEOF'
import csv, json, sys, h5py
d = sys.argv[1]
p = json.load(open(f"{d}/plan.json"))
assert p["economics_source"] == "none" and "no economics" in p["economics"], p["economics"]
assert p["cv_score"] == "cv_captured" and p["cv_captured"] > 0.2 * p["responders"], p
assert p["contact_cost"] is None and p["cv_profit"] is None and p["expected_profit"] is None
assert "no profit is claimed" in p["summary"], p["summary"]
sw = h5py.File(f"{d}/sweep.h5", "r")["/sweep"]
assert "cv_captured" in sw and "cv_captured_se" in sw and "cv_profit" not in sw, list(sw)
prof = json.load(open(f"{d}/profiles.json"))
assert prof["economics"]["source"] == "none" and prof["economics"]["cv_profit"] is None
assert all("break_even_rate" not in s and "expected_profit" not in s for s in prof["segments"])
head = next(csv.reader(open(f"{d}/profiles.csv")))
assert "response_rate_low" in head and "break_even_rate" not in head and "expected_profit" not in head, head
rows = list(csv.DictReader(open(f"{d}/profiles.csv")))
assert all(r["economics_source"] == "none" for r in rows), [r["economics_source"] for r in rows]
rows = list(csv.DictReader(open(f"{d}/plan.csv")))
assert all(r["economics_source"] == "none" for r in rows) and "cum_profit" not in rows[0], rows[0]
print(f"no economics: captured {p['cv_captured']:.2f} of {p['responders']} responders cross-validated, k={p['k']}")
PYEOF

# a Z_CostContact that varies is not economics
kseg_np 2 run --in "$T/varcost.csv" --out "$T/varcost" --no-report --k 3 --n-init 1 --gap 0 2>"$T/varcost.err" ||
  { cat "$T/varcost.err"; fail "run with a varying Z_CostContact"; }
grep -q "warning: the table's Z_CostContact is not constant (3 to 4): no economics taken from it" "$T/varcost.err" ||
  { cat "$T/varcost.err"; fail "no warning about the varying Z_CostContact"; }
grep -q '"economics_source": "none"' "$T/varcost/plan.json" || fail "economics taken from a varying column"

# kseg profile with the flags, 5 folds, at 3 ranks: the oracle agrees
kseg_np 3 profile --raw "$T/noecon/raw.h5" --labels "$T/noecon/result.h5" --out "$T/p.csv" --contact-cost 2 \
  --response-revenue 9 --cv-folds 3 2>"$T/p.err" || { cat "$T/p.err"; fail "profile with flags"; }
grep -q "^economics: contact cost 2, revenue 9 per response (from --contact-cost / --response-revenue)" "$T/p.err" ||
  { cat "$T/p.err"; fail "profile does not say where the economics came from"; }
"$PY" "$KSEG_SOURCE/tests/oracle/plan_oracle.py" profile "$T/p.json" "$T/noecon/raw.h5" "$T/noecon/result.h5" \
  --cost 2 --revenue 9 --folds 3
