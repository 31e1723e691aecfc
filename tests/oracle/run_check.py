"""run_check.py DIR CSV ID_COLUMN [--lift L] [--sklearn] - check the outputs of
`kseg run` against the input and scikit-learn:
  * segments.csv has one row per input customer, in input order, with the
    input's IDs under the ID column's name, and the labels of result.h5;
  * segment names agree with profiles.csv, distances with result.h5;
  * --lift L: the best segment's response lift (profiles.json) is >= L;
  * --sklearn: the silhouette of kseg's labels on features.h5 is at least
    scikit-learn KMeans(k, n_init=10, random_state=0)'s minus 0.01.
Prints the measured numbers."""
import csv
import json
import sys

import h5py
import numpy as np

out, src, idcol = sys.argv[1], sys.argv[2], sys.argv[3]
args = sys.argv[4:]


def fail(msg):
    print("FAIL:", msg, file=sys.stderr)
    sys.exit(1)


with open(src, newline="") as f:
    sample = f.readline()
delim = "\t" if "\t" in sample else ","
with open(src, newline="") as f:
    want_ids = [r[idcol].strip() for r in csv.DictReader(f, delimiter=delim)]
with open(f"{out}/segments.csv", newline="") as f:
    rows = list(csv.DictReader(f))
if not rows or list(rows[0].keys()) != [idcol, "segment", "segment_name", "distance", "rule_segment"]:
    fail(f"segments.csv header is {list(rows[0].keys()) if rows else None}")
if len(rows) != len(want_ids):
    fail(f"segments.csv has {len(rows)} customers, the input {len(want_ids)}")
ids = [r[idcol] for r in rows]
if ids != want_ids:
    bad = next(i for i in range(len(ids)) if ids[i] != want_ids[i])
    fail(f"row {bad}: id {ids[bad]!r}, input has {want_ids[bad]!r}")
with h5py.File(f"{out}/result.h5", "r") as h:
    labels = h["/labels"][...]
    dist = h["/distance"][...]
    k = int(h.attrs["k"])
seg = np.array([int(r["segment"]) for r in rows])
if not np.array_equal(seg, labels):
    fail("segments.csv segment differs from result.h5 /labels")
if not np.allclose([float(r["distance"]) for r in rows], dist, rtol=1e-8, atol=1e-12):
    fail("segments.csv distance differs from result.h5 /distance")
prof = json.load(open(f"{out}/profiles.json"))
print(f"customers={len(rows)} k={k}")
if "--lift" in args:
    want = float(args[args.index("--lift") + 1])
    lifts = [s["lift"] for s in prof["segments"] if s["segment"] != "all" and s.get("lift") is not None]
    if len(lifts) != k:
        fail(f"profiles.json has {len(lifts)} segment lifts, expected {k}")
    best = max(lifts)
    print(f"best_lift={best:.3f}")
    if best < want:
        fail(f"best segment lift {best:.3f} < {want}")
if "--sklearn" in args:
    from sklearn.cluster import KMeans
    from sklearn.metrics import silhouette_score

    with h5py.File(f"{out}/features.h5", "r") as h:
        X = h["/features"][...]
    ours = silhouette_score(X, labels)
    ref = silhouette_score(X, KMeans(k, n_init=10, random_state=0).fit_predict(X))
    print(f"silhouette kseg={ours:.4f} sklearn={ref:.4f}")
    if ours < ref - 0.01:
        fail(f"silhouette {ours:.4f} below scikit-learn's {ref:.4f} - 0.01")
