"""prep_make_raw.py OUT.h5 [N] [SEED] - a small random /raw table for the prep
tests: ties, NaNs, signed zeros, a skewed column, a constant, an identifier,
an all-missing column, a categorical and a string column."""
import sys

import h5py
import numpy as np

out = sys.argv[1]
n = int(sys.argv[2]) if len(sys.argv) > 2 else 1001
rng = np.random.default_rng(int(sys.argv[3]) if len(sys.argv) > 3 else 5)


def with_nan(x, frac):
    x = x.astype(np.float64)
    x[rng.random(len(x)) < frac] = np.nan
    return x


cols = {
    "ties": ("numeric", with_nan(rng.integers(-3, 4, n), 0.1)),
    "normal": ("numeric", with_nan(rng.normal(50.0, 12.0, n), 0.03)),
    "zeros": ("numeric", with_nan(np.where(rng.random(n) < 0.5, -0.0, 0.0) + (rng.random(n) < 0.2), 0.2)),
    "skewed": ("numeric", with_nan(rng.lognormal(3.0, 1.2, n), 0.05)),
    "money": ("numeric", np.round(rng.gamma(1.5, 300.0, n), 2)),
    "const": ("numeric", np.full(n, 4.0)),
    "row_id": ("numeric", rng.permutation(n).astype(np.float64) + 10),
    "empty": ("numeric", np.full(n, np.nan)),
}
with h5py.File(out, "w") as h:
    g = h.create_group("raw")
    names = list(cols)
    for name, (kind, x) in cols.items():
        d = g.create_dataset(name, data=x)
        d.attrs["kind"] = kind
    d = g.create_dataset("segment", data=rng.integers(-1, 3, n).astype(np.int32))
    d.attrs["kind"] = "categorical"
    d.attrs.create("levels", ["gold", "silver", "bronze"], dtype=h5py.string_dtype())
    d = g.create_dataset("name", data=np.array([b"N%06d" % i for i in range(n)], dtype="S7"))
    d.attrs["kind"] = "string"
    names += ["segment", "name"]
    g.attrs.create("columns", names, dtype=h5py.string_dtype())
