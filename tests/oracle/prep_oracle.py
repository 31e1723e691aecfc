"""prep_oracle.py MODE ... - compare kseg prep output with scikit-learn/numpy.

  generic CSV FEATURES.h5      SimpleImputer(median) + StandardScaler on every
                               numeric column of the CSV (file order, no CUST_ID)
  ccgeneral CSV FEATURES.h5    median impute, log1p of the money columns, standard
  marketing CSV FEATURES.h5    the marketing recipe's features computed here from
                               the CSV (docs/prep.md), median impute, log1p, standard
  pca CSV FEATURES.h5 WANT     generic + PCA(WANT): as many components as sklearn,
                               ratios to 1e-9, projections equal up to sign
  quantiles RAW.h5 JSON        the per-feature count/mean/std/min/quartiles/max
                               that `kseg prep --json` reports vs numpy
"""
import csv
import json
import sys

import h5py
import numpy as np


def fail(msg):
    print("FAIL:", msg, file=sys.stderr)
    sys.exit(1)


def read_numeric_csv(path):
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    names, data = rows[0], rows[1:]
    keep = [j for j, n in enumerate(names) if n != "CUST_ID"]
    X = np.array([[float(r[j]) if r[j].strip() else np.nan for j in keep] for r in data])
    return [names[j] for j in keep], X


def generic(csv_path, h5_path):
    from sklearn.impute import SimpleImputer
    from sklearn.preprocessing import StandardScaler
    names, X = read_numeric_csv(csv_path)
    want = StandardScaler().fit_transform(SimpleImputer(strategy="median").fit_transform(X))
    with h5py.File(h5_path, "r") as h:
        got = h["features"][...]
        cols = [c.decode() if isinstance(c, bytes) else c for c in h["features"].attrs["columns"]]
    if cols != names:
        fail("columns %s != %s" % (cols, names))
    err = np.max(np.abs(got - want))
    if not err <= 1e-9:
        j = int(np.argmax(np.max(np.abs(got - want), axis=0)))
        fail("max |kseg - sklearn| = %g (column %s)" % (err, names[j]))
    print("generic: %d x %d, max abs diff %.3g" % (got.shape[0], got.shape[1], err))


def compare(h5_path, names, want):
    with h5py.File(h5_path, "r") as h:
        got = h["features"][...]
        cols = [c.decode() if isinstance(c, bytes) else c for c in h["features"].attrs["columns"]]
    if cols != names:
        fail("columns %s != %s" % (cols, names))
    diff = np.max(np.abs(got - want), axis=0)
    if not np.max(diff) <= 1e-9:
        j = int(np.argmax(diff))
        fail("max |kseg - python| = %g (column %s)" % (diff[j], names[j]))
    print("%d x %d, max abs diff %.3g" % (got.shape[0], got.shape[1], np.max(diff)))


def impute_log_scale(X, names, logged):
    from sklearn.impute import SimpleImputer
    from sklearn.preprocessing import StandardScaler
    X = SimpleImputer(strategy="median").fit_transform(X)
    for j, n in enumerate(names):
        if n in logged:
            X[:, j] = np.log1p(X[:, j])
    return StandardScaler().fit_transform(X)


def ccgeneral(csv_path, h5_path):
    names, X = read_numeric_csv(csv_path)
    money = {"BALANCE", "PURCHASES", "ONEOFF_PURCHASES", "INSTALLMENTS_PURCHASES", "CASH_ADVANCE",
             "CREDIT_LIMIT", "PAYMENTS", "MINIMUM_PAYMENTS"}
    compare(h5_path, names, impute_log_scale(X, names, money))


def marketing(csv_path, h5_path):
    import datetime
    with open(csv_path, newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))

    def num(r, k):
        return float(r[k]) if r[k].strip() else np.nan

    epoch = datetime.date(1970, 1, 1)
    days = [(datetime.datetime.strptime(r["Dt_Customer"], "%d-%m-%Y").date() - epoch).days for r in rows]
    ref = max(days)
    ref_year = (epoch + datetime.timedelta(days=ref)).year
    edu = {"Basic": 0, "2n Cycle": 1, "Graduation": 2, "Master": 3, "PhD": 4}
    mnt = ["MntWines", "MntFruits", "MntMeatProducts", "MntFishProducts", "MntSweetProducts", "MntGoldProds"]
    ch = ["NumWebPurchases", "NumCatalogPurchases", "NumStorePurchases"]
    names = (["Age", "Education", "Living_With_Partner", "Children", "Income", "Recency", "Tenure_Days",
              "Total_Spent"] + mnt + ["Total_Purchases"] + ch +
             ["NumDealsPurchases", "NumWebVisitsMonth", "Total_Accepted"])
    X = []
    for r, d in zip(rows, days):
        yb = num(r, "Year_Birth")
        inc = num(r, "Income")
        X.append([ref_year - yb if ref_year - 100 <= yb <= ref_year else np.nan,
                  edu.get(r["Education"], np.nan),
                  1.0 if r["Marital_Status"] in ("Married", "Together") else 0.0,
                  num(r, "Kidhome") + num(r, "Teenhome"),
                  inc if 0 <= inc <= 600000 else np.nan,
                  num(r, "Recency"), ref - d, sum(num(r, k) for k in mnt)] +
                 [num(r, k) for k in mnt] + [sum(num(r, k) for k in ch)] + [num(r, k) for k in ch] +
                 [num(r, "NumDealsPurchases"), num(r, "NumWebVisitsMonth"),
                  sum(num(r, "AcceptedCmp%d" % i) for i in range(1, 6))])
    X = np.array(X)
    compare(h5_path, names, impute_log_scale(X, names, set(mnt) | {"Total_Spent"}))


def pca(csv_path, h5_path, want):
    from sklearn.decomposition import PCA
    from sklearn.impute import SimpleImputer
    from sklearn.preprocessing import StandardScaler
    names, X = read_numeric_csv(csv_path)
    Z = StandardScaler().fit_transform(SimpleImputer(strategy="median").fit_transform(X))
    w = float(want)
    p = PCA(int(w) if w >= 1 else w, svd_solver="full").fit(Z)
    ref = p.transform(Z)
    with h5py.File(h5_path, "r") as h:
        got = h["features"][...]
        ratio = h["prep/pca/explained_variance_ratio"][...]
        var = h["prep/pca/explained_variance"][...]
        comp = h["prep/pca/components"][...]
        cols = [c.decode() if isinstance(c, bytes) else c for c in h["features"].attrs["columns"]]
    k = p.n_components_
    if got.shape[1] != k or len(ratio) != k:
        fail("kseg kept %d components, sklearn %d" % (got.shape[1], k))
    if cols != ["PC%d" % (i + 1) for i in range(k)]:
        fail("columns %s" % cols)
    if not np.max(np.abs(ratio - p.explained_variance_ratio_)) <= 1e-9:
        fail("ratios %s vs %s" % (ratio, p.explained_variance_ratio_))
    if not np.max(np.abs(var - p.explained_variance_)) <= 1e-9 * max(1.0, var[0]):
        fail("variances %s vs %s" % (var, p.explained_variance_))
    for c in range(k):
        s = 1.0 if np.dot(got[:, c], ref[:, c]) >= 0 else -1.0
        err = np.max(np.abs(got[:, c] - s * ref[:, c]))
        if not err <= 1e-9:
            fail("component %d: projections differ by %g" % (c + 1, err))
        big = np.argmax(np.abs(comp[c]))
        if comp[c][big] <= 0:
            fail("component %d: largest loading %g is not positive" % (c + 1, comp[c][big]))
    print("pca(%s): %d components, ratios and projections agree" % (want, k))


def quantiles(raw_path, json_path):
    rep = json.load(open(json_path))
    with h5py.File(raw_path, "r") as h:
        for feat in rep["features"]:
            x = h["raw"][feat["name"]][...]
            v = x[~np.isnan(x)]
            q = np.quantile(v, [0.25, 0.5, 0.75])
            want = {"count": len(v), "missing": int(np.isnan(x).sum()), "mean": v.mean(), "std": v.std(),
                    "min": v.min(), "q1": q[0], "median": q[1], "q3": q[2], "max": v.max()}
            for k, w in want.items():
                g = feat[k]
                exact = k in ("count", "missing", "min", "max", "q1", "median", "q3")
                tol = 0.0 if exact else 1e-12 * max(1.0, abs(w))
                if not abs(g - w) <= tol:
                    fail("%s %s: kseg %r numpy %r" % (feat["name"], k, g, w))
    print("quantiles: %d features agree with numpy" % len(rep["features"]))


if __name__ == "__main__":
    {"generic": generic, "quantiles": quantiles, "ccgeneral": ccgeneral, "marketing": marketing, "pca": pca}[sys.argv[1]](*sys.argv[2:])
