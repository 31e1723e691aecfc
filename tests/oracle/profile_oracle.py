"""Independent check of `kseg profile` against numpy, from the CSV itself.

usage: profile_oracle.py DATA.csv LABELS.h5 PROFILE.json [marketing|generic]

Re-reads the CSV (not raw.h5), recomputes per segment with numpy: sizes,
shares, means (nanmean), medians (nanmedian), indices, 0/1 rates, the target's
rate and lift, spend share, product and channel mix, categorical level shares
and, for the Customer Personality table, the derived columns (Age, Children,
Living_With_Partner, Tenure_Days, Total_Spent, Total_Purchases,
Total_Accepted), and compares them with the JSON kseg wrote.
"""
import csv
import datetime as dt
import json
import math
import sys

import h5py
import numpy as np

data_path, labels_path, json_path, recipe = sys.argv[1:5]
REL = 1e-9


def close(a, b, what):
    if a is None or b is None or (isinstance(b, float) and math.isnan(b)):
        ok = (a is None or (isinstance(a, float) and math.isnan(a))) and (
            b is None or (isinstance(b, float) and math.isnan(b)))
    else:
        ok = abs(a - b) <= REL * max(1.0, abs(b))
    if not ok:
        sys.exit(f"FAIL {what}: kseg {a!r}, numpy {b!r}")


with open(data_path, newline="") as f:
    head = f.readline()
    delim = "\t" if "\t" in head else ","
    f.seek(0)
    rows = list(csv.reader(f, delimiter=delim))
header, body = rows[0], [r for r in rows[1:] if r]
cols = {h: [r[i].strip() for r in body] for i, h in enumerate(header)}
n = len(body)
labels = h5py.File(labels_path, "r")["/labels"][:].astype(np.int64)
assert labels.shape == (n,), (labels.shape, n)
K = int(labels.max()) + 1
prof = json.load(open(json_path))
segs = prof["segments"]
assert len(segs) == K + 1 and segs[-1]["segment"] == "all", [s["segment"] for s in segs]
assert prof["rows"] == n and prof["k"] == K


def as_float(values):
    out = np.empty(len(values))
    for i, v in enumerate(values):
        if v == "":
            out[i] = np.nan
        else:
            out[i] = float(v)  # ValueError: not numeric
    return out


numeric = {}
for h, vals in cols.items():
    try:
        numeric[h] = as_float(vals)
    except ValueError:
        pass


def is_identifier(name, x):
    if name.upper() == "ID" or name.upper().endswith("_ID"):
        return True
    return (not np.isnan(x).any()) and np.all(x == np.round(x)) and len(np.unique(x)) == len(x)


target = "Response" if "Response" in numeric else None
values = {}  # profiled columns: name -> array
for h, x in numeric.items():
    if h == target or is_identifier(h, x):
        continue
    v = x[~np.isnan(x)]
    if v.size == 0 or v.min() == v.max():
        continue
    values[h] = x

if recipe == "marketing":
    dates = [dt.datetime.strptime(s, "%d-%m-%Y").date() for s in cols["Dt_Customer"]]
    ref = max(dates)
    yb = numeric["Year_Birth"]
    age = ref.year - yb
    age[(age > 100) | (age < 0)] = np.nan  # prep's rule: older than 100 is a typing error
    values["Age"] = age
    values["Children"] = numeric["Kidhome"] + numeric["Teenhome"]
    values["Living_With_Partner"] = np.array([1.0 if m in ("Married", "Together") else 0.0
                                              for m in cols["Marital_Status"]])
    values["Tenure_Days"] = np.array([(ref - d).days for d in dates], dtype=float)
    mnt = ["MntWines", "MntFruits", "MntMeatProducts", "MntFishProducts", "MntSweetProducts", "MntGoldProds"]
    values["Total_Spent"] = sum(numeric[m] for m in mnt)
    chans = ["NumWebPurchases", "NumCatalogPurchases", "NumStorePurchases"]
    values["Total_Purchases"] = sum(numeric[c] for c in chans)
    values["Total_Accepted"] = sum(numeric[f"AcceptedCmp{i}"] for i in range(1, 6))

binary = {h for h, x in values.items() if set(np.unique(x[~np.isnan(x)])) <= {0.0, 1.0}}
got_metrics = set(segs[0]["metrics"]) | set(segs[0]["rates"])
if got_metrics != set(values):
    sys.exit(f"FAIL profiled columns: kseg {sorted(got_metrics)}, numpy {sorted(values)}")
assert set(segs[0]["rates"]) == binary, (sorted(segs[0]["rates"]), sorted(binary))
assert prof["target"] == target

masks = [labels == s for s in range(K)] + [np.ones(n, bool)]
for s, m in enumerate(masks):
    seg = segs[s]
    tag = f"segment {seg['segment']}"
    assert seg["size"] == int(m.sum()), (tag, seg["size"], m.sum())
    close(seg["share"], m.sum() / n, f"{tag} share")
    for h, x in values.items():
        xs = x[m]
        xs = xs[~np.isnan(xs)]
        mean = xs.mean() if xs.size else None
        base = np.nanmean(x)
        if h in binary:
            r = seg["rates"][h]
            close(r["rate"], mean, f"{tag} rate {h}")
        else:
            r = seg["metrics"][h]
            close(r["mean"], mean, f"{tag} mean {h}")
            close(r["median"], float(np.median(xs)) if xs.size else None, f"{tag} median {h}")
        assert r["count"] == xs.size, (tag, h, r["count"], xs.size)
        close(r["index"], mean / base * 100 if base > 0 and mean is not None else None, f"{tag} index {h}")
    if target:
        y = numeric[target]
        rate, base = np.nanmean(y[m]), np.nanmean(y)
        close(seg["response_rate"], rate, f"{tag} response_rate")
        close(seg["lift"], rate / base, f"{tag} lift")
    else:
        assert "response_rate" not in seg and "lift" not in seg
    if recipe == "marketing":
        spend = values["Total_Spent"]
        close(seg["spend_share"], spend[m].sum() / spend.sum(), f"{tag} spend_share")
        for c in mnt:
            share, base = numeric[c][m].sum() / spend[m].sum(), numeric[c].sum() / spend.sum()
            close(seg["mix"][c]["share"], share, f"{tag} mix {c}")
            close(seg["mix"][c]["index"], share / base * 100, f"{tag} mix index {c}")
        tp = values["Total_Purchases"]
        for c in chans:
            close(seg["mix"][c]["share"], numeric[c][m].sum() / tp[m].sum(), f"{tag} channel {c}")
        for cat in ("Education", "Marital_Status"):
            levels = seg["levels"][cat]
            assert set(levels) == set(cols[cat]), (cat, sorted(levels))
            for lv, share in levels.items():
                want = sum(1 for i in np.nonzero(m)[0] if cols[cat][i] == lv) / m.sum()
                close(share, want, f"{tag} share {cat}={lv}")
    else:
        assert "spend_share" not in seg and seg["mix"] == {} and seg["levels"] == {}, seg.keys()

names = [s["name"] for s in segs[:-1]]
assert len(set(names)) == K, f"names not unique: {names}"
assert all(s["action"] for s in segs[:-1]), [s["action"] for s in segs]
print(f"profile oracle: {recipe}, {n} rows, k={K}, {len(values)} columns agree")
