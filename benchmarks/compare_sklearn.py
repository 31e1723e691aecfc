"""Helper for compare_sklearn.sh.

  gen OUT.h5 --rows N --cols D --k K [--seed S] [--dtype float64|float32]
      N x D Gaussian blobs (K centres) as /features, K random rows as /init
      (float64 whatever the dtype: kseg and scikit-learn start from the same
      values).
  sklearn [--max-iter M] FEATURES.h5 RESULT.h5...
      times scikit-learn's KMeans(algorithm="lloyd", init=/init, n_init=1,
      tol=0) and prints one JSON object: its seconds, n_iter, per-iteration
      seconds, and for each kseg result the number of labels that differ and
      the largest relative centroid difference.
  faiss [--max-iter M] [--threads T] FEATURES.h5 RESULT.h5...
      the same for FAISS's k-means (faiss.Clustering over every point, no
      subsampling, from /init, exactly M iterations: FAISS has no tolerance),
      in float32 as FAISS computes (float64 data are converted first,
      outside the timing), on T OpenMP threads.
"""
import argparse
import json
import time
import warnings

import h5py
import numpy as np
from sklearn.cluster import KMeans


def gen(a):
    rng = np.random.default_rng(a.seed)
    centers = rng.uniform(-10, 10, size=(a.k, a.cols))
    with h5py.File(a.out, "w") as f:
        ds = f.create_dataset("features", shape=(a.rows, a.cols), dtype="f4" if a.dtype == "float32" else "f8")
        step = 1 << 17
        for r0 in range(0, a.rows, step):
            n = min(step, a.rows - r0)
            truth = rng.integers(0, a.k, size=n)
            ds[r0:r0 + n] = centers[truth] + rng.normal(0, 2.0, size=(n, a.cols))
        init_rows = np.sort(rng.choice(a.rows, a.k, replace=False))
        f.create_dataset("init", data=ds[init_rows, :].astype(np.float64))


def run_sklearn(a):
    with h5py.File(a.features, "r") as f:
        x = f["features"][...]
        init = f["init"][...]
    km = KMeans(n_clusters=init.shape[0], init=init, n_init=1, algorithm="lloyd", tol=0, max_iter=a.max_iter)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t0 = time.perf_counter()
        km.fit(x)
        seconds = time.perf_counter() - t0
    out = {"seconds": seconds, "n_iter": int(km.n_iter_), "per_iter_seconds": seconds / km.n_iter_,
           "inertia": float(km.inertia_), "results": []}
    for path in a.results:
        with h5py.File(path, "r") as f:
            labels = f["labels"][...]
            cent = f["centroids"][...]
        ref = km.cluster_centers_
        out["results"].append({
            "path": path,
            "labels_differ": int(np.sum(labels != km.labels_)),
            "centroid_max_rel_diff": float(np.max(np.abs(cent - ref)) / np.max(np.abs(ref))),
        })
    print(json.dumps(out))


def run_faiss(a):
    import faiss
    faiss.omp_set_num_threads(a.threads)
    with h5py.File(a.features, "r") as f:
        x = np.ascontiguousarray(f["features"][...], dtype=np.float32)
        init = f["init"][...]
    k, d = init.shape
    clus = faiss.Clustering(d, k)
    clus.niter = a.max_iter
    clus.nredo = 1
    clus.verbose = False
    clus.max_points_per_centroid = (1 << 31) - 1  # every point, as kseg and scikit-learn
    clus.min_points_per_centroid = 1
    faiss.copy_array_to_vector(np.ascontiguousarray(init, dtype=np.float32).ravel(), clus.centroids)
    index = faiss.IndexFlatL2(d)
    t0 = time.perf_counter()
    clus.train(x, index)
    seconds = time.perf_counter() - t0
    cent = faiss.vector_to_array(clus.centroids).reshape(k, d)
    _, lab = index.search(x, 1)
    lab = lab.ravel()
    out = {"seconds": seconds, "n_iter": a.max_iter, "per_iter_seconds": seconds / a.max_iter,
           "threads": a.threads, "faiss_version": faiss.__version__, "results": []}
    for path in a.results:
        with h5py.File(path, "r") as f:
            out["results"].append({"path": path, "labels_differ": int(np.sum(f["labels"][...] != lab))})
    print(json.dumps(out))


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    g = sub.add_parser("gen")
    g.add_argument("out")
    g.add_argument("--rows", type=int, default=1_000_000)
    g.add_argument("--cols", type=int, default=32)
    g.add_argument("--k", type=int, default=16)
    g.add_argument("--seed", type=int, default=0)
    g.add_argument("--dtype", choices=("float64", "float32"), default="float64")
    s = sub.add_parser("sklearn")
    s.add_argument("features")
    s.add_argument("--max-iter", type=int, default=20)
    s.add_argument("results", nargs="*")
    fa = sub.add_parser("faiss")
    fa.add_argument("features")
    fa.add_argument("--max-iter", type=int, default=20)
    fa.add_argument("--threads", type=int, default=1)
    fa.add_argument("results", nargs="*")
    a = p.parse_args()
    {"gen": gen, "sklearn": run_sklearn, "faiss": run_faiss}[a.cmd](a)


if __name__ == "__main__":
    main()
