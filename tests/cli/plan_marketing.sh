#!/bin/bash
# kseg run on the real Customer Personality table (economics from its own
# Z_CostContact / Z_Revenue): plan.json, plan.csv, profiles.json and the
# per-k business columns of sweep.h5 agree with an independent numpy oracle
# (plan_oracle.py: folds, counts, Wilson intervals, decisions, the ranked
# plan, cross-validated profit, the k rule) to 1e-12; the plan earns out of
# sample, more than contacting everyone; the fitted k is the k that pays,
# and the run's JSON and terminal show both choices and why they differ.
source "$(dirname "$0")/lib.sh"
CSV=$KSEG_DATA/marketing_campaign.csv
kseg_np 2 run --in "$CSV" --out "$T/m" --no-report --json >"$T/run.json" 2>"$T/run.err" || { cat "$T/run.err"; fail "run"; }
[ -s "$T/m/plan.csv" ] && [ -s "$T/m/plan.json" ] || fail "no plan.csv / plan.json"
"$PY" "$KSEG_SOURCE/tests/oracle/plan_oracle.py" run "$T/m" --sweep
"$PY" - "$T/m/plan.json" "$T/run.json" "$T/m/sweep.h5" <<'PYEOF'
import json, sys, h5py
p = json.load(open(sys.argv[1]))
r = json.load(open(sys.argv[2]))
sw = h5py.File(sys.argv[3], "r")["/sweep"]
for key in ("contact_cost", "response_revenue", "economics_source", "break_even_rate", "segments_contacted",
            "customers_contacted", "expected_profit", "profit_contact_all", "cv_folds", "cv_profit", "cv_profit_sd",
            "k", "k_internal", "summary"):
    assert key in p, f"plan.json lacks {key}"
assert p["economics_source"] == "table" and "Z_CostContact / Z_Revenue" in p["economics"], p["economics"]
assert p["contact_cost"] == 3 and p["response_revenue"] == 11, (p["contact_cost"], p["response_revenue"])
assert p["cv_profit"] > 0, f"the plan earns nothing out of sample: {p['cv_profit']}"
assert p["cv_profit"] > p["profit_contact_all"], (p["cv_profit"], p["profit_contact_all"])
assert p["profit_contact_all"] < 0, "contacting everyone should lose money at 3 per contact and 11 per response"
assert p["segments_contacted"] and p["customers_contacted"] < p["customers"], p["segments_contacted"]
# the k that pays is the one fitted, and the internal vote is recorded beside it
assert p["k"] == r["k"] == p["k_business"] == r["k_business"] == int(sw.attrs["recommended_k"]), (p["k"], r["k"])
assert r["k_internal"] == p["k_internal"] == int(sw.attrs["k_internal"])
assert p["k_rule"] == r["k_rule"] and f"k={p['k']} pays" in p["k_rule"], p["k_rule"]
if p["k"] != p["k_internal"]:
    assert f"internal metrics alone pick k={p['k_internal']}" in p["k_rule"], p["k_rule"]
# the plan at the fitted k is the sweep's plan at that k (same centroids, same kernel)
row = list(sw["k"][...]).index(p["k"])
assert sw["cv_profit"][row] == p["cv_profit"] and sw["cv_profit_sd"][row] == p["cv_profit_sd"]
assert r["plan"]["cv_profit"] == p["cv_profit"] and r["plan"]["summary"] == p["summary"]
assert str(p["segments_contacted"][0]) in p["summary"] and "cross-validated" in p["summary"], p["summary"]
print(f"k={p['k']} (internal {p['k_internal']}): contact {p['segments_contacted']} ({p['customers_contacted']} "
      f"customers), expected {p['expected_profit']}, cv {p['cv_profit']} sd {p['cv_profit_sd']:.1f}, "
      f"contact all {p['profit_contact_all']}")
PYEOF
grep -q "choice of k: k=[0-9]* pays" "$T/run.err" || { cat "$T/run.err"; fail "the terminal does not say which k pays"; }
grep -q "the internal metrics alone: k=" "$T/run.err" || fail "the terminal does not show the internal choice"
grep -q "^economics: contact cost 3, revenue 11 per response (from the table's Z_CostContact / Z_Revenue)" "$T/run.err" \
  || fail "the terminal does not say where the economics came from"
grep -q "^plan: Contact segment" "$T/run.err" || fail "no plan sentence on the terminal"
