"""Check a `kseg generate` file: layout, marginals against the ranges of the
real Customer Personality table, and that k-means on standardized columns
recovers the latent segments (adjusted Rand index).

usage: generate_check.py FILE.h5 K MIN_ARI
Exits non-zero with a message on the first failed check; prints the figures.
"""
import sys

import h5py
import numpy as np
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score
from sklearn.preprocessing import StandardScaler

COLUMNS = ["ID", "Year_Birth", "Education", "Marital_Status", "Income", "Kidhome", "Teenhome",
           "Dt_Customer", "Recency", "MntWines", "MntFruits", "MntMeatProducts", "MntFishProducts",
           "MntSweetProducts", "MntGoldProds", "NumDealsPurchases", "NumWebPurchases",
           "NumCatalogPurchases", "NumStorePurchases", "NumWebVisitsMonth", "AcceptedCmp3",
           "AcceptedCmp4", "AcceptedCmp5", "AcceptedCmp1", "AcceptedCmp2", "Complain",
           "Z_CostContact", "Z_Revenue", "Response"]
EDUCATION = ["2n Cycle", "Basic", "Graduation", "Master", "PhD"]
MARITAL = ["Absurd", "Alone", "Divorced", "Married", "Single", "Together", "Widow", "YOLO"]
DT_FIRST, DT_LAST = 15551, 16250  # 2012-07-30, 2014-06-29


def fail(msg):
    print("FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


def check(cond, msg):
    if not cond:
        fail(msg)


def text(v):
    return v.decode() if isinstance(v, bytes) else str(v)


def main():
    path, k, min_ari = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    f = h5py.File(path, "r")
    check(text(f.attrs["generator"]) == "kseg generate", "generator attribute")
    check(int(f.attrs["segments"]) == k, "segments attribute")
    check("seed" in f.attrs, "seed attribute")
    raw = f["raw"]
    check([text(c) for c in raw.attrs["columns"]] == COLUMNS, "columns attribute / order")
    n = raw["ID"].shape[0]
    col = {}
    for name in COLUMNS:
        d = raw[name]
        kind = text(d.attrs["kind"])
        check(d.shape == (n,), f"{name}: shape {d.shape}")
        if name in ("Education", "Marital_Status"):
            check(kind == "categorical" and d.dtype == np.int32, f"{name}: {kind} {d.dtype}")
            want = EDUCATION if name == "Education" else MARITAL
            check([text(v) for v in d.attrs["levels"]] == want, f"{name}: levels")
        elif name == "Dt_Customer":
            check(kind == "date" and d.dtype == np.float64, f"{name}: {kind} {d.dtype}")
        else:
            check(kind == "numeric" and d.dtype == np.float64, f"{name}: {kind} {d.dtype}")
        col[name] = d[...]
    seg = f["truth/segment"][...]
    check(seg.dtype == np.int32 and seg.shape == (n,), "truth/segment: int32 of length N")
    check(seg.min() >= 0 and seg.max() < k, "segment ids in 0..K-1")
    sizes = np.bincount(seg, minlength=k) / n

    # Centres and correlations of the real table come from the mix of
    # segments, so they are only expected from the default K = 4 up.
    realistic = k >= 4

    # Exact structure.
    check(np.array_equal(col["ID"], np.arange(1, n + 1, dtype=float)), "ID = row + 1")
    check(np.all(col["Z_CostContact"] == 3) and np.all(col["Z_Revenue"] == 11), "Z_ constants 3 and 11")
    for name in COLUMNS:
        if name not in ("Income", "Education", "Marital_Status"):
            v = col[name]
            check(not np.isnan(v).any(), f"{name}: only Income may be missing")
            check(np.all(v == np.round(v)), f"{name}: whole numbers")
    check(np.isin(col["Education"], range(5)).all() and np.isin(col["Marital_Status"], range(8)).all(),
          "category codes in range")
    mshare = np.bincount(col["Marital_Status"].astype(int), minlength=8) / n
    check(all(mshare[MARITAL.index(v)] < 0.005 for v in ("Absurd", "Alone", "YOLO")),
          f"odd marital statuses stay rare: {mshare}")
    eshare = np.bincount(col["Education"].astype(int), minlength=5) / n
    check(not realistic or eshare[EDUCATION.index("Graduation")] == eshare.max(),
          f"Graduation is the commonest education, as in the real table: {eshare}")
    dt = col["Dt_Customer"]
    check(dt.min() >= DT_FIRST and dt.max() <= DT_LAST, f"Dt_Customer in range: {dt.min()}..{dt.max()}")
    for name in ("AcceptedCmp1", "AcceptedCmp2", "AcceptedCmp3", "AcceptedCmp4", "AcceptedCmp5",
                 "Complain", "Response"):
        check(np.isin(col[name], (0, 1)).all(), f"{name}: 0/1")

    # Marginals: the real table's ranges, with room for sampling noise.
    inc = col["Income"]
    miss = np.isnan(inc).mean()
    check(0.005 < miss < 0.02, f"Income missing share {miss:.4f} (real 1.07 %)")
    med = np.nanmedian(inc)
    check(not realistic or 42000 < med < 62000, f"Income median {med} (real 51.4k)")
    q = np.nanpercentile(inc, [1, 99])
    check(q[0] >= 1730 and q[1] <= 160000, f"Income 1-99 % range {q}")
    yb = col["Year_Birth"]
    q = np.percentile(yb, [1, 50, 99])
    check(q[0] >= 1938 and q[2] <= 1996 and (not realistic or 1962 < q[1] < 1976), f"Year_Birth 1/50/99 % {q}")
    check(yb.max() <= 1996, "Year_Birth <= 1996")
    for name, lo, hi, mlo, mhi in (("Recency", 0, 99, 44, 55), ("Kidhome", 0, 2, 0.3, 0.6),
                                   ("Teenhome", 0, 2, 0.35, 0.65), ("MntWines", 0, 1500, 120, 260),
                                   ("NumWebVisitsMonth", 0, 20, 3, 8), ("NumStorePurchases", 0, 13, 3, 8)):
        v = col[name]
        m = np.median(v)
        check(v.min() >= lo and v.max() <= hi, f"{name}: range {v.min()}..{v.max()} (want {lo}..{hi})")
        check(not realistic or mlo <= (m if name not in ("Kidhome", "Teenhome") else v.mean()) <= mhi,
              f"{name}: centre {m} / mean {v.mean():.3f} outside [{mlo}, {mhi}]")
    rr = col["Response"].mean()
    check(not realistic or 0.10 < rr < 0.20, f"Response rate {rr:.3f} (real 14.9 %)")
    ok = ~np.isnan(inc)
    spend = sum(col[c] for c in ("MntWines", "MntFruits", "MntMeatProducts", "MntFishProducts",
                                 "MntSweetProducts", "MntGoldProds"))
    r_inc_spend = np.corrcoef(inc[ok], spend[ok])[0, 1]
    r_kid_spend = np.corrcoef(col["Kidhome"], spend)[0, 1]
    r_inc_visits = np.corrcoef(inc[ok], col["NumWebVisitsMonth"][ok])[0, 1]
    check(r_inc_spend > 0.4, f"income drives spend: r = {r_inc_spend:.2f}")
    check(not realistic or r_kid_spend < -0.2, f"children lower spend: r = {r_kid_spend:.2f}")
    check(not realistic or r_inc_visits < -0.2, f"web visits go with lower income: r = {r_inc_visits:.2f}")
    if k > 1:
        check(sizes.max() / sizes.min() > 1.3, f"segment proportions unequal: {sizes}")
        rates = [col["Response"][seg == j].mean() for j in range(k)]
        check(max(rates) - min(rates) > 0.05, f"Response depends on the segment: {rates}")

    # Recoverability: k-means on the standardized numeric columns.
    skip = {"ID", "Z_CostContact", "Z_Revenue", "Education", "Marital_Status"}
    X = np.column_stack([col[c] for c in COLUMNS if c not in skip])
    med = np.nanmedian(X, axis=0)
    r, c = np.where(np.isnan(X))
    X[r, c] = med[c]
    X = StandardScaler().fit_transform(X)
    labels = KMeans(n_clusters=k, n_init=4, random_state=0).fit_predict(X)
    ari = adjusted_rand_score(seg, labels)
    print(f"rows {n} K {k} sizes {np.round(sizes, 3).tolist()} income_missing {miss:.4f} "
          f"response {rr:.3f} r(income,spend) {r_inc_spend:.2f} ARI {ari:.3f}")
    check(ari > min_ari, f"k-means ARI {ari:.3f} <= {min_ari}")


if __name__ == "__main__":
    main()
