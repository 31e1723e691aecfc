"""Oracle for `kseg fit`: generates blob data and compares kseg's output with
scikit-learn's KMeans (Lloyd) from the same initial centroids.

  gen OUT.h5 [--n N] [--d D] [--blobs B] [--k K] [--seed S] [--float32]
             [--empty] [--nan ROW,COL] [--inf ROW,COL] [--spread X] [--noise F]
      /features (N x D, attribute `columns`), /truth (N), /init (K x D: K rows
      of the data, or with --empty a duplicate and a far-away centroid so two
      clusters are empty after the first assignment), /init_bad (K+1 x D).
  check FEATURES.h5 RESULT.h5... [--max-iter M] [--tol T] [--labels-only]
      all results bit-identical to the first; labels identical, centroids and inertia within 1e-9 relative, n_iter
      and converged equal to scikit-learn's KMeans(init=/init, n_init=1,
      algorithm="lloyd").
  ari FEATURES.h5 RESULT.h5   adjusted Rand index against /truth must be 1.
"""
import argparse
import sys
import warnings

import h5py
import numpy as np
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score


def gen(a):
    rng = np.random.default_rng(a.seed)
    centers = rng.uniform(-a.spread, a.spread, size=(a.blobs, a.d))
    truth = rng.integers(0, a.blobs, size=a.n)
    x = centers[truth] + rng.normal(0, 1.0, size=(a.n, a.d))
    # A little uniform noise so some rows sit between blobs.
    noisy = rng.random(a.n) < a.noise
    x[noisy] = rng.uniform(-a.spread, a.spread, size=(noisy.sum(), a.d))
    if a.empty:
        init = x[rng.choice(a.n, a.k - 2, replace=False)].copy()
        init = np.vstack([init, init[0:1], np.full((1, a.d), 50.0 * a.spread)])
    else:
        init = x[rng.choice(a.n, a.k, replace=False)].copy()
    dtype = np.float32 if a.float32 else np.float64
    x = x.astype(dtype)
    for spec, value in ((a.nan, np.nan), (a.inf, -np.inf)):
        if spec:
            r, c = (int(v) for v in spec.split(","))
            x[r, c] = value
    with h5py.File(a.out, "w") as f:
        ds = f.create_dataset("features", data=x)
        ds.attrs["columns"] = [f"f{j}" for j in range(a.d)]
        f.create_dataset("truth", data=truth.astype(np.int32))
        f.create_dataset("init", data=init.astype(np.float64))
        f.create_dataset("init_bad", data=np.vstack([init, init[:1]]).astype(np.float64))
        f.create_dataset("vector", data=np.arange(a.n, dtype=np.float64))


def rel(a, b):
    return float(np.max(np.abs(a - b)) / max(np.max(np.abs(b)), 1e-300))


def load(path):
    with h5py.File(path, "r") as f:
        return (f["labels"][...], f["centroids"][...], float(f.attrs["inertia"]), int(f.attrs["n_iter"]),
                int(f.attrs["converged"]), int(f.attrs["k"]))


def check(a):
    with h5py.File(a.features, "r") as f:
        x = f["features"][...]
        init = f["init"][...]
    first = load(a.results[0])
    errors = []
    # Every result (other rank or thread counts) must hold the same bits.
    for path in a.results[1:]:
        other = load(path)
        for name, u, v in zip(("labels", "centroids", "inertia", "n_iter", "converged"), first, other):
            if not np.array_equal(np.asarray(u), np.asarray(v)):
                errors.append(f"{name} of {path} differs from {a.results[0]}")
    labels, cent, inertia, n_iter, converged, k = first
    km = KMeans(n_clusters=k, init=init.astype(x.dtype), n_init=1, algorithm="lloyd", tol=a.tol,
                max_iter=a.max_iter)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        km.fit(x)
    diff = int(np.sum(km.labels_ != labels))
    if diff:
        errors.append(f"{diff} labels differ from scikit-learn's")
    if km.n_iter_ != n_iter:
        errors.append(f"n_iter {n_iter} != scikit-learn's {km.n_iter_}")
    if a.expect_iter is not None and n_iter != a.expect_iter:
        errors.append(f"n_iter {n_iter}, expected {a.expect_iter}")
    if not a.labels_only:
        r = rel(cent, km.cluster_centers_.astype(np.float64))
        if r > 1e-9:
            errors.append(f"centroids differ by {r:.3g} relative")
        ri = abs(inertia - km.inertia_) / km.inertia_
        if ri > 1e-9:
            errors.append(f"inertia {inertia!r} vs scikit-learn's {km.inertia_!r} ({ri:.3g} relative)")
    if errors:
        print("FAIL: " + "; ".join(errors), file=sys.stderr)
        sys.exit(1)
    print(f"ok: {len(a.results)} results, {len(labels)} rows, k={k}, n_iter={n_iter}, converged={converged}, "
          f"inertia={inertia:.12g}")


def ari(a):
    with h5py.File(a.features, "r") as f:
        truth = f["truth"][...]
    with h5py.File(a.result, "r") as f:
        labels = f["labels"][...]
    s = adjusted_rand_score(truth, labels)
    if s != 1.0:
        print(f"FAIL: adjusted Rand index {s} against the true blobs", file=sys.stderr)
        sys.exit(1)
    print("ok: ARI 1")


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    g = sub.add_parser("gen")
    g.add_argument("out")
    g.add_argument("--n", type=int, default=3000)
    g.add_argument("--d", type=int, default=7)
    g.add_argument("--blobs", type=int, default=5)
    g.add_argument("--k", type=int, default=5)
    g.add_argument("--seed", type=int, default=1)
    g.add_argument("--spread", type=float, default=10.0)
    g.add_argument("--noise", type=float, default=0.03, help="fraction of uniform rows")
    g.add_argument("--float32", action="store_true")
    g.add_argument("--empty", action="store_true")
    g.add_argument("--nan", help="ROW,COL to set to NaN")
    g.add_argument("--inf", help="ROW,COL to set to -Inf")
    c = sub.add_parser("check")
    c.add_argument("features")
    c.add_argument("results", nargs="+", help="kseg outputs, all expected bit-identical")
    c.add_argument("--expect-iter", type=int)
    c.add_argument("--max-iter", type=int, default=300)
    c.add_argument("--tol", type=float, default=0.0)
    c.add_argument("--labels-only", action="store_true")
    r = sub.add_parser("ari")
    r.add_argument("features")
    r.add_argument("result")
    a = p.parse_args()
    {"gen": gen, "check": check, "ari": ari}[a.cmd](a)


if __name__ == "__main__":
    main()
