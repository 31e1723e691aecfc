"""plan_oracle.py - recompute kseg's campaign plan independently (numpy) and
compare, to 1e-12, with what kseg wrote (docs/plan.md):

  plan_oracle.py run DIR [--sweep] [--expect-k K]
      DIR from `kseg run`: raw.h5 (the target, Z_CostContact / Z_Revenue),
      result.h5 (/labels) -> profiles.json, plan.json, plan.csv; with
      --sweep also every swept k: labels from sweep.h5's centroids on
      features.h5 (nearest centroid), the per-k columns of sweep.h5 and the k
      rule (k_business, recommended_k).
  plan_oracle.py profile PROFILES.json RAW.h5 LABELS.h5 [--cost C --revenue R] [--folds F]
      the per-segment columns and economics of `kseg profile`.

Every quantity is rebuilt from the rows: the fold of global row i is
splitmix64's finaliser of i modulo F, Wilson intervals from the normal
quantile (statistics.NormalDist), decisions, the ranked plan and its cumulative
columns, expected profits, the cross-validated profit (or, without economics,
the responses captured in the top 20 %), its sample sd and sqrt(F) x sd.
Prints what it checked."""
import csv
import json
import math
import statistics
import sys

import h5py
import numpy as np

TOL = 1e-12
MASK = (1 << 64) - 1
Z = statistics.NormalDist().inv_cdf(0.975)
TOP = 0.2


def fail(msg):
    print("FAIL:", msg, file=sys.stderr)
    sys.exit(1)


def close(a, b, what, tol=TOL):
    if a is None or b is None or (isinstance(a, float) and math.isnan(a)) or (isinstance(b, float) and math.isnan(b)):
        same = (a is None or (isinstance(a, float) and math.isnan(a))) and \
               (b is None or (isinstance(b, float) and math.isnan(b)))
        if not same:
            fail(f"{what}: kseg {a!r}, oracle {b!r}")
        return
    if abs(a - b) > tol * max(1.0, abs(b)):
        fail(f"{what}: kseg {a!r}, oracle {b!r}")


def mix64(z):
    """splitmix64's finaliser on a uint64 array (wrapping products)."""
    z = z.astype(np.uint64)
    with np.errstate(over="ignore"):
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def folds_of(n, F):
    return (mix64(np.arange(n, dtype=np.uint64)) % np.uint64(F)).astype(np.int64)


def wilson(r, n):
    if n == 0:
        return math.nan, math.nan
    p = r / n
    centre = p + Z * Z / (2 * n)
    half = Z * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n))
    d = 1 + Z * Z / n
    lo = 0.0 if r == 0 else max(0.0, (centre - half) / d)
    hi = 1.0 if r == n else min(1.0, (centre + half) / d)
    return lo, hi


def counts(labels, y, fold, k, F):
    """n[s, f], r[s, f] over rows with a known target."""
    ok = ~np.isnan(y)
    n = np.zeros((k, F), dtype=np.int64)
    r = np.zeros((k, F), dtype=np.int64)
    np.add.at(n, (labels[ok], fold[ok]), 1)
    np.add.at(r, (labels[ok], fold[ok]), (y[ok] == 1).astype(np.int64))
    return n, r


def rank(resp, n):
    """Segment ids by rate, highest first, exact (fractions); ties: smaller id; n == 0 last."""
    from fractions import Fraction
    keys = []
    for s in range(len(n)):
        keys.append((0 if n[s] > 0 else 1, -Fraction(int(resp[s]), int(n[s])) if n[s] > 0 else 0, s))
    return [s for _, _, s in sorted(keys)]


def top_capture(resp, n, order, budget):
    captured, left, took = 0.0, budget, 0.0
    for s in order:
        if left <= 0:
            break
        if n[s] <= 0:
            continue
        take = min(float(n[s]), left)
        captured += float(resp[s]) * (take / float(n[s]))
        took += take
        left -= take
    return captured, took


def cross_validate(n, r, C, R):
    """(kind, fold values, total, sd, se, baseline) of one labelling."""
    k, F = n.shape
    known, resp = int(n.sum()), int(r.sum())
    if resp == 0 or resp == known or F < 2:
        return None, None, math.nan, math.nan, math.nan, math.nan
    money = C is not None
    vals = []
    for f in range(F):
        nt, rt = n.sum(1) - n[:, f], r.sum(1) - r[:, f]
        if money:
            v = 0.0
            for s in range(k):
                if nt[s] > 0 and float(rt[s]) * R > float(nt[s]) * C:
                    v += float(r[s, f]) * R - float(n[s, f]) * C
        else:
            v, _ = top_capture(r[:, f], n[:, f], rank(rt, nt), TOP * float(n[:, f].sum()))
        vals.append(v)
    vals = np.array(vals)
    total = float(vals.sum())
    sd = float(np.std(vals, ddof=1))
    return ("cv_profit" if money else "cv_captured"), vals, total, sd, math.sqrt(F) * sd, \
        (0.0 if money else TOP * resp)


def economics(raw, cost, revenue):
    if cost is not None:
        return cost, revenue, "flags"
    g = raw["/raw"]
    if "Z_CostContact" in g and "Z_Revenue" in g:
        c, v = g["Z_CostContact"][...], g["Z_Revenue"][...]
        c, v = c[~np.isnan(c)], v[~np.isnan(v)]
        if len(c) and len(v) and c.min() == c.max() and v.min() == v.max() and c[0] > 0 and v[0] > 0:
            return float(c[0]), float(v[0]), "table"
    return None, None, "none"


def plan_of(labels, y, k, F, C, R):
    """Everything plan.json states about one labelling."""
    fold = folds_of(len(y), F)
    n, r = counts(labels, y, fold, k, F)
    N, Rr = n.sum(1), r.sum(1)
    known, resp = int(N.sum()), int(Rr.sum())
    money = C is not None and 0 < resp < known
    base = resp / known
    segs = []
    for s in range(k):
        rate = Rr[s] / N[s] if N[s] else math.nan
        lo, hi = wilson(int(Rr[s]), int(N[s]))
        d = {"customers": int(N[s]), "responders": int(Rr[s]), "response_rate": rate, "response_rate_low": lo,
             "response_rate_high": hi, "lift": rate / base if base > 0 else math.nan}
        if money:
            be = C / R
            d["expected_profit"] = float(Rr[s]) * R - float(N[s]) * C
            d["decision"] = ("contact" if N[s] and lo > be else "skip" if N[s] and hi < be else "test")
        segs.append(d)
    order = rank(Rr, N)
    contacted = []
    if money:
        for s in order:
            if N[s] > 0 and float(Rr[s]) * R > float(N[s]) * C:
                contacted.append(s)
            else:
                break
    kind, vals, total, sd, se, baseline = cross_validate(n, r, C, R)
    out = {"segments": segs, "order": order, "contacted": contacted, "money": money, "known": known,
           "responders": resp, "kind": kind, "fold_values": vals, "cv_total": total, "cv_sd": sd, "cv_se": se,
           "baseline": baseline, "n": N, "r": Rr,
           "top_captured": top_capture(Rr, N, order, TOP * known)[0]}
    if money:
        out["expected_profit"] = sum(segs[s]["expected_profit"] for s in contacted)
        out["customers_contacted"] = int(sum(N[s] for s in contacted))
        out["profit_contact_all"] = float(resp) * R - float(known) * C
    return out


def check_plan_json(pj, o, C, R, source, k):
    if pj["k"] != k:
        fail(f"plan.json k {pj['k']}, labels {k}")
    if pj["economics_source"] != source:
        fail(f"economics_source {pj['economics_source']}, oracle {source}")
    if source != "none":
        close(pj["contact_cost"], C, "contact_cost")
        close(pj["response_revenue"], R, "response_revenue")
        close(pj["break_even_rate"], C / R, "break_even_rate")
        if "Z_CostContact" not in pj["economics"] and source == "table":
            fail("plan.json does not say the economics came from Z_CostContact / Z_Revenue")
    else:
        for key in ("contact_cost", "response_revenue", "break_even_rate", "expected_profit", "cv_profit"):
            if pj[key] is not None:
                fail(f"{key} is {pj[key]} without economics: money must be left out, never guessed")
    if pj["customers"] != o["known"] or pj["responders"] != o["responders"]:
        fail(f"customers/responders {pj['customers']}/{pj['responders']}, oracle {o['known']}/{o['responders']}")
    if pj["profit_claims"] != o["money"]:
        fail(f"profit_claims {pj['profit_claims']}, oracle {o['money']}")
    ranked = [s["segment"] for s in pj["segments"]]
    if ranked != o["order"]:
        fail(f"plan order {ranked}, oracle {o['order']}")
    cum_n = cum_r = 0
    for s in pj["segments"]:
        ref = o["segments"][s["segment"]]
        for key in ("customers", "responders"):
            if s[key] != ref[key]:
                fail(f"segment {s['segment']} {key} {s[key]}, oracle {ref[key]}")
        for key in ("response_rate", "response_rate_low", "response_rate_high", "lift"):
            close(s[key], ref[key], f"segment {s['segment']} {key}")
        cum_n += ref["customers"]
        cum_r += ref["responders"]
        if s["cum_customers"] != cum_n or s["cum_responders"] != cum_r:
            fail(f"cumulative counts at rank {s['rank']}")
        if o["money"]:
            close(s["expected_profit"], ref["expected_profit"], f"segment {s['segment']} expected_profit")
            if s["decision"] != ref["decision"]:
                fail(f"segment {s['segment']} decision {s['decision']}, oracle {ref['decision']}")
            close(s["cum_profit"], cum_r * R - cum_n * C, f"cum_profit at rank {s['rank']}")
            if s["contact"] != (s["segment"] in o["contacted"]):
                fail(f"segment {s['segment']} contact {s['contact']}")
    if o["money"]:
        if pj["segments_contacted"] != o["contacted"]:
            fail(f"segments_contacted {pj['segments_contacted']}, oracle {o['contacted']}")
        if pj["customers_contacted"] != o["customers_contacted"]:
            fail(f"customers_contacted {pj['customers_contacted']}, oracle {o['customers_contacted']}")
        close(pj["expected_profit"], o["expected_profit"], "expected_profit")
        close(pj["profit_contact_all"], o["profit_contact_all"], "profit_contact_all")
    else:
        for key in ("segments_contacted", "expected_profit", "profit_contact_all"):
            if pj[key] is not None:
                fail(f"{key} is {pj[key]} without profit claims")
    close(pj["top_captured"], o["top_captured"], "top_captured")
    if pj["cv_score"] != (o["kind"] or ""):
        fail(f"cv_score {pj['cv_score']!r}, oracle {o['kind']!r}")
    if o["kind"]:
        name = o["kind"]
        close(pj[name], o["cv_total"], name)
        close(pj[name + "_sd"], o["cv_sd"], name + "_sd")
        close(pj[name + "_se"], o["cv_se"], name + "_se")
        if len(pj["cv_fold_values"]) != len(o["fold_values"]):
            fail("cv_fold_values has the wrong length")
        for f, (a, b) in enumerate(zip(pj["cv_fold_values"], o["fold_values"])):
            close(a, float(b), f"fold {f} value")


def check_profiles(prof, o, C, R, source):
    segs = prof["segments"]
    econ = prof.get("economics")
    if econ is None:
        fail("profiles.json has no economics object")
    if econ["source"] != source:
        fail(f"profiles.json economics source {econ['source']}, oracle {source}")
    for s in segs:
        i = s["segment"]
        if i == "all":
            ref = {"response_rate_low": wilson(o["responders"], o["known"])[0],
                   "response_rate_high": wilson(o["responders"], o["known"])[1]}
            if o["money"]:
                close(s["expected_profit"], o["profit_contact_all"], "profiles.json all expected_profit")
        else:
            ref = o["segments"][i]
            close(s["response_rate"], ref["response_rate"], f"profiles.json segment {i} response_rate")
            if o["money"]:
                close(s["expected_profit"], ref["expected_profit"], f"profiles.json segment {i} expected_profit")
                if s["decision"] != ref["decision"]:
                    fail(f"profiles.json segment {i} decision {s['decision']}, oracle {ref['decision']}")
        for key in ("response_rate_low", "response_rate_high"):
            close(s[key], ref[key], f"profiles.json segment {i} {key}")
        if source != "none":
            close(s["break_even_rate"], C / R, f"profiles.json segment {i} break_even_rate")
        elif "break_even_rate" in s or "expected_profit" in s or "decision" in s:
            fail(f"profiles.json segment {i} has money columns without economics")
        if not o["money"] and ("expected_profit" in s or "decision" in s):
            fail(f"profiles.json segment {i} claims a profit without both outcomes in the target")


def check_plan_csv(path, pj):
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    if [int(r["segment"]) for r in rows] != [s["segment"] for s in pj["segments"]]:
        fail("plan.csv order differs from plan.json")
    for r, s in zip(rows, pj["segments"]):
        close(float(r["response_rate"]), s["response_rate"], "plan.csv response_rate", 1e-9)
        if pj["profit_claims"]:
            close(float(r["cum_profit"]), s["cum_profit"], "plan.csv cum_profit", 1e-9)
        if r["economics_source"] != pj["economics_source"]:
            fail(f"plan.csv economics_source {r['economics_source']}, plan.json {pj['economics_source']}")


def k_rule(rows, min_k, max_k, k_internal):
    """(k, k_business) by the documented rule from per-k (k, kind, total, se, baseline)."""
    cand = [x for x in rows if min_k <= x[0] <= max_k and x[1] and not math.isnan(x[2])]
    if not cand:
        return k_internal, -1
    best = max(cand, key=lambda x: (x[2], -x[0]))
    if not best[2] > best[4]:
        return k_internal, -1
    pick = next(x for x in cand if x[2] >= best[2] - best[3])
    return pick[0], pick[0]


def main():
    args = sys.argv[1:]
    mode = args[0]
    if mode == "run":
        d = args[1]
        raw = h5py.File(f"{d}/raw.h5", "r")
        labels = h5py.File(f"{d}/result.h5", "r")["/labels"][...].astype(np.int64)
        pj = json.load(open(f"{d}/plan.json"))
        prof = json.load(open(f"{d}/profiles.json"))
        target = pj["target"]
        if target is None:
            fail("plan_oracle run needs a target")
        y = raw[f"/raw/{target}"][...].astype(np.float64)
        C, R, source = economics(raw, None, None)
        if pj["economics_source"] == "flags":
            C, R, source = pj["contact_cost"], pj["response_revenue"], "flags"
        F = pj["cv_folds"]
        k = int(labels.max()) + 1
        o = plan_of(labels, y, k, F, C, R)
        check_plan_json(pj, o, C, R, source, k)
        check_profiles(prof, o, C, R, source)
        check_plan_csv(f"{d}/plan.csv", pj)
        print(f"plan.json, plan.csv, profiles.json agree with the oracle: k={k} folds={F} economics={source} "
              f"contacted={o['contacted']} {o['kind']}={o['cv_total']:.6g} sd={o['cv_sd']:.6g}")
        if "--sweep" in args:
            sw = h5py.File(f"{d}/sweep.h5", "r")["/sweep"]
            X = h5py.File(f"{d}/features.h5", "r")["/features"][...].astype(np.float64)
            ks = sw["k"][...]
            name = o["kind"]
            rows = []
            for i, kk in enumerate(ks):
                c = sw[f"centroids/k{kk}"][...]
                d2 = (X * X).sum(1)[:, None] - 2 * X @ c.T + (c * c).sum(1)[None, :]
                lab = np.argmin(d2, axis=1)
                ok_ = plan_of(lab, y, int(kk), F, C, R)
                rows.append((int(kk), ok_["kind"], ok_["cv_total"], ok_["cv_se"], ok_["baseline"]))
                close(float(sw[name][i]), ok_["cv_total"], f"sweep.h5 {name} at k={kk}")
                close(float(sw[name + "_sd"][i]), ok_["cv_sd"], f"sweep.h5 {name}_sd at k={kk}")
                close(float(sw[name + "_se"][i]), ok_["cv_se"], f"sweep.h5 {name}_se at k={kk}")
                if name == "cv_profit":
                    if int(sw["plan_segments"][i]) != len(ok_["contacted"]):
                        fail(f"sweep.h5 plan_segments at k={kk}")
                    if int(sw["plan_customers"][i]) != ok_["customers_contacted"]:
                        fail(f"sweep.h5 plan_customers at k={kk}")
                print(f"  k={kk}: {name}={ok_['cv_total']:.6g} sd={ok_['cv_sd']:.6g} se={ok_['cv_se']:.6g}"
                      + (f" segments={len(ok_['contacted'])} customers={ok_['customers_contacted']}"
                         if name == "cv_profit" else ""))
            a = sw.attrs
            want_k, want_b = k_rule(rows, int(a["min_segments"]) if "min_segments" in a else int(ks.min()),
                                    int(a["max_segments"]), int(a["k_internal"]))
            if int(a["k_business"]) != want_b or int(a["recommended_k"]) != want_k:
                fail(f"sweep.h5 k_business {a['k_business']} recommended_k {a['recommended_k']}, "
                     f"oracle {want_b} / {want_k}")
            if pj["k_business"] != (want_b if want_b >= 0 else None) or pj["k_internal"] != int(a["k_internal"]):
                fail("plan.json k_business / k_internal disagree with sweep.h5")
            print(f"  k rule: k_business={want_b} recommended_k={want_k} (k_internal={int(a['k_internal'])})")
        if "--expect-k" in args:
            want = int(args[args.index("--expect-k") + 1])
            if k != want:
                fail(f"fitted k={k}, expected {want}")
    elif mode == "profile":
        prof = json.load(open(args[1]))
        raw = h5py.File(args[2], "r")
        lf = h5py.File(args[3], "r")
        labels = (lf["/labels"] if "/labels" in lf else lf["/truth/segment"])[...].astype(np.int64)
        C = R = None
        if "--cost" in args:
            C = float(args[args.index("--cost") + 1])
            R = float(args[args.index("--revenue") + 1])
        C, R, source = economics(raw, C, R)
        F = int(args[args.index("--folds") + 1]) if "--folds" in args else 5
        y = raw[f"/raw/{prof['target']}"][...].astype(np.float64)
        k = prof["k"]
        o = plan_of(labels, y, k, F, C, R)
        check_profiles(prof, o, C, R, source)
        econ = prof["economics"]
        if o["kind"] == "cv_profit":
            close(econ["cv_profit"], o["cv_total"], "profiles.json cv_profit")
            close(econ["cv_profit_sd"], o["cv_sd"], "profiles.json cv_profit_sd")
        print(f"profiles.json agrees with the oracle: economics={source} folds={F} {o['kind']}={o['cv_total']:.6g}")
    else:
        fail(f"unknown mode {mode}")


main()
