"""Reference RFM aggregation in plain Python, compared with kseg rfm's output.

usage: rfm_check.py LOG OUT.h5 [--as-of YYYY-MM-DD] [--expect-customers N]
                    [--expect-lines N] [--expect-monetary X]

LOG is whitespace-separated (CDNOW) or comma-separated with a header naming
customer_id, date, amount/dollar_value and optionally quantity/number_of_cds.
The rules are the ones of docs/rfm.md: amount >= 0 is a purchase, < 0 a
return (subtracts money and quantity, no purchase); lines after the as-of day
are left out; customers without a purchase are left out; R/F/M are quintile
scores 1 + #{k: v > q_k} with q_k the smallest value having at least
ceil((k+1) N / 5) values <= it (R on -recency).
"""
import csv
import datetime
import math
import sys

import h5py
import numpy as np

EPOCH = datetime.date(1970, 1, 1)


def day(text):
    text = text.strip()
    if len(text) == 8 and text.isdigit():
        d = datetime.date(int(text[:4]), int(text[4:6]), int(text[6:]))
    elif len(text) >= 8 and text[4] in "-/":
        y, m, dd = text.replace("/", "-").split("-")
        d = datetime.date(int(y), int(m), int(dd))
    else:
        a, b, y = text.replace("/", "-").split("-")
        d = datetime.date(int(y), int(b), int(a))  # day first
    return (d - EPOCH).days


def read_log(path):
    with open(path, newline="") as f:
        first = f.readline()
        if "," in first:
            f.seek(0)
            rows = list(csv.reader(f))
            header, body = rows[0], rows[1:]
        else:
            header = first.split()
            body = [line.split() for line in f if line.strip()]
    names = [h.strip().lower() for h in header]

    def col(*cands):
        for c in cands:
            if c in names:
                return names.index(c)
        return None

    ci = col("customer_id", "customerid")
    di = col("date")
    ai = col("amount", "dollar_value")
    qi = col("quantity", "number_of_cds")
    out = []
    for r in body:
        q = float(r[qi]) if qi is not None else 0.0
        out.append((r[ci].strip(), day(r[di]), float(r[ai]), q))
    return out, qi is not None


def cuts(values):
    s = sorted(values)
    n = len(s)
    return [s[-(-(k + 1) * n // 5) - 1] for k in range(4)]


def score(v, q):
    return 1 + sum(1 for x in q if v > x)


def main():
    args = sys.argv[1:]
    log, out = args[0], args[1]
    opts = dict(zip(args[2::2], args[3::2]))
    lines, has_q = read_log(log)
    as_of = day(opts["--as-of"]) if "--as-of" in opts else max(d for _, d, _, _ in lines) + 1
    # integers as written (no leading zero, no "-0"); an id like 00042 is a code: text, verbatim
    int_ids = all(i.lstrip("-").isdigit() and len(i.lstrip("-")) <= 15 and str(int(i)) == i for i, _, _, _ in lines)
    cust = {}
    for i, d, a, q in lines:
        key = int(i) if int_ids else i
        c = cust.setdefault(key, {"days": [], "money": 0.0, "qty": 0.0, "freq": 0})
        if d > as_of:
            continue
        c["money"] += a
        c["qty"] += q
        if a < 0:
            continue
        c["freq"] += 1
        c["days"].append(d)
    keys = sorted(k for k, c in cust.items() if c["freq"] > 0)
    if not int_ids:
        keys = sorted(keys, key=lambda s: s.encode())

    f = h5py.File(out, "r")
    raw = f["raw"]
    cols = [c.decode() if isinstance(c, bytes) else c for c in raw.attrs["columns"]]
    idcol = cols[0]
    got_ids = raw[idcol][:]
    n = len(keys)
    bad = []
    if len(got_ids) != n:
        print(f"FAIL: {len(got_ids)} customers, expected {n}")
        return 1
    if int_ids:
        if not np.array_equal(got_ids, np.array(keys, dtype=float)):
            bad.append("customer ids / order")
    else:
        if [g.decode() for g in got_ids] != keys:
            bad.append("customer ids / order")

    ref = {name: [] for name in ["recency_days", "frequency", "purchase_days", "monetary_total", "monetary_mean",
                                 "quantity_total", "tenure_days", "mean_interpurchase_days", "first_purchase",
                                 "last_purchase"]}
    for k in keys:
        c = cust[k]
        first, last, pd = min(c["days"]), max(c["days"]), len(set(c["days"]))
        ref["recency_days"].append(as_of - last)
        ref["frequency"].append(c["freq"])
        ref["purchase_days"].append(pd)
        ref["monetary_total"].append(c["money"])
        ref["monetary_mean"].append(c["money"] / c["freq"])
        ref["quantity_total"].append(c["qty"])
        ref["tenure_days"].append(as_of - first)
        ref["mean_interpurchase_days"].append((last - first) / (pd - 1) if pd > 1 else math.nan)
        ref["first_purchase"].append(first)
        ref["last_purchase"].append(last)
    if not has_q:
        del ref["quantity_total"]
    exact = {"recency_days", "frequency", "purchase_days", "tenure_days", "first_purchase", "last_purchase"}
    for name, want in ref.items():
        got = raw[name][:]
        want = np.array(want, dtype=float)
        if name in exact:
            ok = np.array_equal(got, want)
        else:
            ok = np.allclose(got, want, rtol=1e-12, atol=1e-9, equal_nan=True)
        if not ok:
            i = int(np.argmax(~np.isclose(got, want, rtol=1e-12, atol=1e-9, equal_nan=True)))
            bad.append(f"{name} (first difference at row {i}: {got[i]!r} vs {want[i]!r})")

    qr = cuts([-x for x in ref["recency_days"]])
    qf = cuts(ref["frequency"])
    qm = cuts(raw["monetary_total"][:].tolist())  # kseg's own sums: rounding of the last bit must not move a cut
    R = [score(-x, qr) for x in ref["recency_days"]]
    F = [score(x, qf) for x in ref["frequency"]]
    M = [score(x, qm) for x in raw["monetary_total"][:].tolist()]
    for name, want in (("R", R), ("F", F), ("M", M)):
        if not np.array_equal(raw[name][:], np.array(want, dtype=float)):
            bad.append(name)
    cell = [r * 100 + f_ * 10 + m for r, f_, m in zip(R, F, M)]
    if not np.array_equal(raw["RFM"][:], np.array(cell, dtype=float)):
        bad.append("RFM")
    levels = [x.decode() if isinstance(x, bytes) else x for x in raw["RFM_cell"].attrs["levels"]]
    if [levels[c] for c in raw["RFM_cell"][:]] != [str(c) for c in cell]:
        bad.append("RFM_cell")

    total_freq = int(raw["frequency"][:].sum())
    total_money = float(raw["monetary_total"][:].sum())
    print(f"customers={n} frequency_sum={total_freq} monetary_sum={total_money:.2f} as_of={as_of}")
    if "--expect-customers" in opts and n != int(opts["--expect-customers"]):
        bad.append(f"customers {n} != {opts['--expect-customers']}")
    if "--expect-lines" in opts and total_freq != int(opts["--expect-lines"]):
        bad.append(f"frequency sum {total_freq} != {opts['--expect-lines']}")
    if "--expect-monetary" in opts and round(total_money, 2) != float(opts["--expect-monetary"]):
        bad.append(f"monetary sum {total_money:.2f} != {opts['--expect-monetary']}")
    if bad:
        print("FAIL: " + "; ".join(bad))
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
