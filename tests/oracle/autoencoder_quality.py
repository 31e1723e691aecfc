"""Segment quality with and without the autoencoder (docs/autoencoder.md).

  autoencoder_quality.py ari TRUTH_RAW.h5 K NAME=FEATURES.h5 ...
      k-means (scikit-learn, n_init=10, random_state=0) at K on each /features,
      adjusted Rand index against /truth/segment of TRUTH_RAW.h5.
  autoencoder_quality.py silhouette SCALED.h5 K NAME=FEATURES.h5 ...
      k-means at K on each /features, silhouette of those labels measured on
      the /features of SCALED.h5 (the scaled, non-embedded space).
An item NAME=FEATURES.h5@RESULT.h5 takes the labels from /labels of RESULT.h5
(e.g. `kseg fit --in FEATURES.h5 --k K --out RESULT.h5`) instead of running
scikit-learn's KMeans. Prints one JSON object.
"""
import json
import sys

import h5py
import numpy as np
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score, silhouette_score


def labels(path, k):
    x = h5py.File(path, "r")["features"][...]
    return KMeans(n_clusters=k, n_init=10, random_state=0).fit_predict(x), x.shape[1]


def main():
    mode, ref, k = sys.argv[1], sys.argv[2], int(sys.argv[3])
    out = {"measure": mode, "k": k, "results": {}}
    if mode == "ari":
        truth = h5py.File(ref, "r")["truth/segment"][...]
    else:
        scaled = h5py.File(ref, "r")["features"][...]
    for item in sys.argv[4:]:
        name, path = item.split("=", 1)
        if "@" in path:
            path, result = path.split("@", 1)
            lab = h5py.File(result, "r")["labels"][...]
            d = h5py.File(path, "r")["features"].shape[1]
        else:
            lab, d = labels(path, k)
        if mode == "ari":
            value = adjusted_rand_score(truth, lab)
        else:
            value = silhouette_score(scaled, lab)
        out["results"][name] = {"columns": d, mode: round(float(value), 4)}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
