"""Check a kseg sweep output against scikit-learn on the sweep's own labels.

usage: sweep_check.py FEATURES.h5 SWEEP.h5 [--expect-k K] [--silhouette exact|sample|none]

For each k, rows are assigned to /sweep/centroids/k<k> (nearest, ties to the
lowest index, as kseg does), and inertia, Calinski-Harabasz, Davies-Bouldin
and (exact) silhouette from scikit-learn on those labels must equal the
sweep's values to 1e-9 relative. The recommendation attributes must be
consistent with the table.
"""
import argparse

import h5py
import numpy as np
from sklearn.metrics import calinski_harabasz_score, davies_bouldin_score, silhouette_score

ap = argparse.ArgumentParser()
ap.add_argument("features")
ap.add_argument("sweep")
ap.add_argument("--expect-k", type=int)
ap.add_argument("--silhouette", default="exact")
a = ap.parse_args()

X = h5py.File(a.features, "r")["/features"][...].astype(np.float64)
f = h5py.File(a.sweep, "r")
s = f["/sweep"]
ks = s["k"][...]
bad = 0


def check(name, k, expect, got, rtol=1e-9):
    global bad
    ok = abs(expect - got) <= rtol * max(abs(expect), 1e-300)
    if not ok:
        print(f"k={k} {name}: scikit-learn {expect!r} kseg {got!r} MISMATCH")
        bad += 1
    return ok


for i, k in enumerate(ks):
    C = s[f"centroids/k{k}"][...]
    assert C.shape == (k, X.shape[1]), C.shape
    d2 = ((X[:, None, :] - C[None, :, :]) ** 2).sum(axis=2)
    labels = np.argmin(d2, axis=1)
    inertia = d2[np.arange(len(X)), labels].sum()
    check("inertia", k, inertia, s["inertia"][i], 1e-8)
    check("calinski_harabasz", k, calinski_harabasz_score(X, labels), s["calinski_harabasz"][i])
    check("davies_bouldin", k, davies_bouldin_score(X, labels), s["davies_bouldin"][i])
    sil = s["silhouette"][i]
    if a.silhouette == "exact":
        check("silhouette", k, silhouette_score(X, labels), sil)
    elif a.silhouette == "sample":
        check("silhouette (sampled, loose)", k, silhouette_score(X, labels), sil, 0.15)
    else:
        assert np.isnan(sil), sil
    assert s["n_iter"][i] >= 1 and s["converged"][i] in (0, 1)
    print(f"k={k:3d} inertia {inertia:.6g} CH {s['calinski_harabasz'][i]:.6g} DB {s['davies_bouldin'][i]:.6g} "
          f"sil {sil:.6g} gap {s['gap'][i]:.4g} stability {s['stability'][i]:.4g}")

rec = int(s.attrs["recommended_k"])
print("recommended", rec, "-", s.attrs["recommendation"])
assert rec in ks and rec <= int(s.attrs["max_segments"]), rec
assert int(s.attrs["elbow_k"]) in ks
if a.expect_k is not None and rec != a.expect_k:
    print(f"recommended k {rec}, expected {a.expect_k}")
    bad += 1
raise SystemExit(1 if bad else 0)
