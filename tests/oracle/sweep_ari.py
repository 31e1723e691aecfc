"""Label pairs and scikit-learn's adjusted_rand_score for the ARI test.

usage: sweep_ari.py OUT.h5
Writes /a<i>, /b<i> (int32) with attribute `ari` on /a<i>, and attribute
`pairs` on the root. Cases: random labellings of different sizes and k,
near-identical labellings, identical ones, permuted labels, all in one
cluster against all apart."""
import sys

import h5py
import numpy as np
from sklearn.metrics import adjusted_rand_score

rng = np.random.default_rng(2024)
pairs = []
for n, ka, kb in ((10, 2, 3), (257, 4, 4), (1000, 7, 3), (5003, 12, 12)):
    pairs.append((rng.integers(0, ka, n), rng.integers(0, kb, n)))
a = rng.integers(0, 5, 2001)
b = a.copy()
flip = rng.random(2001) < 0.1
b[flip] = rng.integers(0, 5, flip.sum())
pairs.append((a, b))                      # mostly agreeing
pairs.append((a, (a + 2) % 5))            # same partition, other names: 1.0
pairs.append((np.zeros(40, int), np.arange(40)))  # 0.0
pairs.append((np.array([0, 0, 1, 1]), np.array([0, 1, 0, 1])))  # -0.5
with h5py.File(sys.argv[1], "w") as f:
    for i, (x, y) in enumerate(pairs):
        f[f"/a{i}"] = x.astype(np.int32)
        f[f"/b{i}"] = y.astype(np.int32)
        f[f"/a{i}"].attrs["ari"] = adjusted_rand_score(x, y)
    f.attrs["pairs"] = len(pairs)
