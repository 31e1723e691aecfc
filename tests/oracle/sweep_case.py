"""Write a sweep test case: a feature matrix in OUT_DIR/features.h5.

usage: sweep_case.py OUT_DIR CASE
CASE: wine (scikit-learn's bundled wine data, standardized: the acceptance
case), blobs (4 well-separated float64 blobs, 5 columns), blobs32 (the same
in float32), big (12000 x 8 blobs: a 2:14 sweep takes a few seconds).
"""
import sys

import h5py
import numpy as np
from sklearn.datasets import load_wine, make_blobs
from sklearn.preprocessing import StandardScaler

out, case = sys.argv[1], sys.argv[2]
if case == "wine":
    X = StandardScaler().fit_transform(load_wine().data)
elif case in ("blobs", "blobs32"):
    X, _ = make_blobs(n_samples=503, centers=4, n_features=5, cluster_std=1.0, center_box=(-12, 12),
                      random_state=11)
    if case == "blobs32":
        X = X.astype(np.float32)
elif case == "big":
    X, _ = make_blobs(n_samples=12000, centers=10, n_features=8, cluster_std=3.0, random_state=5)
else:
    raise SystemExit(f"unknown case {case}")
with h5py.File(f"{out}/features.h5", "w") as f:
    f["/features"] = X
