"""report_units.py TMPDIR: the report's readers and numbers against plain
numpy / h5py / scikit-learn.

- read_points (one HDF5 point selection) returns exactly dset[rows], 1-D and 2-D;
- sample_rows is seeded (same seed, same rows; other seed, other rows),
  sorted, distinct, in range, and all rows when n <= size;
- count_labels streams in blocks (block size forced small) and equals bincount;
- silhouette_values equals sklearn.metrics.silhouette_samples, singletons included;
- pca_project: the projected centroids are the projections of the segment
  means (so they land on their customers), and PCA features pass through;
- heat_columns keeps the marketing set when present and otherwise drops
  columns equal in every segment;
- names with '$' (matplotlib's math mode) are drawn as text;
- without profiles, segment names come from kseg run's /labels attribute.
"""
import os
import sys

import h5py
import numpy as np
from sklearn.metrics import silhouette_samples

sys.path.insert(0, os.path.join(os.environ["KSEG_SOURCE"], "scripts"))
import matplotlib  # noqa: E402
matplotlib.use("Agg")
from kseg_report import data, main, plots  # noqa: E402


def check(cond, msg):
    if not cond:
        print(f"FAIL: {msg}", file=sys.stderr)
        sys.exit(1)


tmp = sys.argv[1]
rng = np.random.default_rng(5)

# read_points
path = os.path.join(tmp, "m.h5")
x = rng.normal(size=(1000, 7))
lab = rng.integers(0, 5, size=1000).astype(np.int32)
with h5py.File(path, "w") as f:
    f["x"] = x
    f["x32"] = x.astype(np.float32)
    f["labels"] = lab
with h5py.File(path, "r") as f:
    for rows in (np.array([0]), np.array([999]), np.sort(rng.choice(1000, 137, replace=False)), np.arange(1000),
                 np.array([], dtype=np.int64)):
        check(np.array_equal(data.read_points(f["x"], rows), x[rows]), f"read_points 2-D, {len(rows)} rows")
        check(np.array_equal(data.read_points(f["x32"], rows), x.astype(np.float32)[rows]), "read_points float32")
        check(np.array_equal(data.read_points(f["labels"], rows), lab[rows]), f"read_points 1-D, {len(rows)} rows")

# sample_rows
a, b, c = data.sample_rows(10 ** 8, 2000, 3), data.sample_rows(10 ** 8, 2000, 3), data.sample_rows(10 ** 8, 2000, 4)
check(np.array_equal(a, b), "sample_rows is not reproducible")
check(not np.array_equal(a, c), "sample_rows ignores the seed")
check(len(a) == 2000 and np.all(np.diff(a) > 0) and a[0] >= 0 and a[-1] < 10 ** 8, "sample_rows: sorted, distinct, in range")
check(np.array_equal(data.sample_rows(50, 2000, 3), np.arange(50)), "sample_rows of a small file: every row")

# count_labels in small blocks, negatives counted apart
lab2 = lab.copy()
lab2[[3, 500]] = -1
with h5py.File(path, "a") as f:
    f["labels2"] = lab2
saved, data.LABEL_BLOCK = data.LABEL_BLOCK, 7
counts, n, bad = data.count_labels(path, "/labels2")
data.LABEL_BLOCK = saved
check(n == 1000 and bad == 2, f"count_labels: n={n} bad={bad}")
check(np.array_equal(counts, np.bincount(lab2[lab2 >= 0])), f"count_labels: {counts}")

# silhouette: blobs, plus a segment of one customer (silhouette 0 by convention)
centres = np.array([[0, 0, 0], [6, 0, 0], [0, 6, 0]], dtype=float)
y = np.repeat([0, 1, 2], 150)
xs = centres[y] + rng.normal(size=(450, 3))
y[17] = 3
for block in (1024, 64):
    got = plots.silhouette_values(xs, y, block=block)
    want = silhouette_samples(xs, y)
    check(np.allclose(got, want, atol=1e-9), f"silhouette (block {block}): max diff {np.abs(got - want).max()}")

# pca_project: centroids of the segments land on the mean of their projected customers
cent = np.stack([xs[y == s].mean(axis=0) for s in range(4)])
xy, cxy, labels = plots.pca_project(xs, cent, {"pca": False})
for s in range(4):
    check(np.allclose(cxy[s], xy[y == s].mean(axis=0)), f"projected centroid {s}")
check(abs(np.corrcoef(xy[:, 0], xy[:, 1])[0, 1]) < 1e-8, "components are uncorrelated")
check("%" in labels[0] and "%" in labels[1], f"axis labels give the variance share: {labels}")
xy2, cxy2, labels2 = plots.pca_project(xs, cent, {"pca": True, "evr": np.array([0.5, 0.25, 0.1])})
check(np.array_equal(xy2, xs[:, :2]) and np.array_equal(cxy2, cent[:, :2]), "PCA features are used as they are")
check(labels2[0].startswith("PC1 (50%"), f"PCA axis label: {labels2[0]}")


# heat_columns
def prof_of(metric_index):
    segs = [{"segment": s, "metrics": {m: {"index": v[s]} for m, v in metric_index.items()}} for s in range(2)]
    base = {"segment": "all", "metrics": {m: {"index": 100.0} for m in metric_index}}
    return {"by_id": {s["segment"]: s for s in segs}, "base": base}


generic = prof_of({"a": [100, 100], "b": [50, 150], "c": [90, 110], "d": [float("nan"), 100]})
check([m for m, _ in plots.heat_columns(generic)] == ["b", "c"], f"generic: {plots.heat_columns(generic)}")
mk = prof_of({m: [80, 120] for m in ("Income", "Age", "Total_Spent", "MntWines", "Other")})
check([m for m, _ in plots.heat_columns(mk)] == ["Income", "Age", "Total_Spent", "MntWines"],
      f"marketing: {plots.heat_columns(mk)}")

# '$' in data-derived text: a '$x$' pair would otherwise render as math, a lone one fail to parse
names = {0: "Spend $ high", 1: "$10k$ income"}
check(plots.seg_label(1, names) == r"1 · \$10k\$ income", plots.seg_label(1, names))
png = main.png_bytes(plots.fig_sizes(np.array([5, 7]), None, names))
check(png[:8] == b"\x89PNG\r\n\x1a\n", "a figure with '$' in names renders")

# names: the profile's first, else /labels segment_names, else none
prof = {"by_id": {0: {"name": "A"}, 1: {"name": "B"}}}
check(main.names_of(prof, 2, ["x", "y"]) == {0: "A", 1: "B"}, "names from the profile")
check(main.names_of(None, 2, ["x", "y", "z"]) == {0: "x", 1: "y"}, "names from /labels")
check(main.names_of(None, 2, None) == {}, "no names")
with h5py.File(path, "a") as f:
    f["labels"].attrs["segment_names"] = ["first", "second"]
check(data.read_result(path)["names"] == ["first", "second"], "read_result reads /labels segment_names")
print("report units ok")
