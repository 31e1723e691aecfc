"""Write a metrics test case (features + labels) and scikit-learn's values.

usage: metrics_case.py OUT_DIR CASE
CASE: blobs (float64, labels from KMeans), empty (float32, label 2 of 5 unused,
one singleton cluster).
"""
import json
import sys

import h5py
import numpy as np
from sklearn.cluster import KMeans
from sklearn.datasets import make_blobs
from sklearn.metrics import calinski_harabasz_score, davies_bouldin_score, silhouette_score

out, case = sys.argv[1], sys.argv[2]
rng = np.random.default_rng(7)
if case == "blobs":
    X, _ = make_blobs(n_samples=1237, centers=4, n_features=6, cluster_std=2.0, random_state=3)
    X = X * np.array([1, 10, 0.1, 100, 1, 5])  # uneven scales
    labels = KMeans(4, n_init=3, random_state=0).fit_predict(X).astype(np.int32)
else:
    X = rng.normal(size=(301, 3)).astype(np.float32)
    labels = rng.choice([0, 1, 3, 4], size=301).astype(np.int32)
    labels[17] = 5  # a singleton cluster; label 2 never occurs
    X[labels == 1] += 2.0

with h5py.File(f"{out}/features.h5", "w") as f:
    f["/features"] = X
with h5py.File(f"{out}/labels.h5", "w") as f:
    f["/labels"] = labels

Xd = X.astype(np.float64)
# Spark ClusteringEvaluator's squared-Euclidean silhouette, from its definition
def spark_silhouette(X, y):
    ks = np.unique(y)
    n_k = np.array([(y == k).sum() for k in ks])
    cen = np.array([X[y == k].mean(axis=0) for k in ks])
    sq = np.array([(X[y == k] ** 2).sum(axis=1).mean() for k in ks])
    norms = (X ** 2).sum(axis=1)
    avg = norms[:, None] + sq[None, :] - 2 * X @ cen.T
    idx = np.searchsorted(ks, y)
    s = np.zeros(len(X))
    for i in range(len(X)):
        own = idx[i]
        if n_k[own] == 1:
            continue
        a = avg[i, own] * n_k[own] / (n_k[own] - 1)
        b = np.min(np.delete(avg[i], own))
        s[i] = 1 - a / b if a < b else (b / a - 1 if a > b else 0.0)
    return s.mean()

cen_of = {k: Xd[labels == k].mean(axis=0) for k in np.unique(labels)}
inertia = sum(((Xd[labels == k] - c) ** 2).sum() for k, c in cen_of.items())
expect = {
    "inertia": float(inertia),
    "silhouette": float(silhouette_score(Xd, labels)),
    "calinski_harabasz": float(calinski_harabasz_score(Xd, labels)),
    "davies_bouldin": float(davies_bouldin_score(Xd, labels)),
    "sqeuclidean": float(spark_silhouette(Xd, labels)),
}
json.dump(expect, open(f"{out}/expect.json", "w"))
