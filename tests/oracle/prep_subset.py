"""prep_subset.py RAW.h5 OUT.h5 FIRST COUNT - "new customers": rows
FIRST..FIRST+COUNT of a /raw table, with every categorical column's levels
listed in reverse order (codes remapped), so a replay must match levels by
name, not by code."""
import sys

import h5py
import numpy as np

src, dst, first, count = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
with h5py.File(src, "r") as a, h5py.File(dst, "w") as b:
    g = b.create_group("raw")
    for name in a["raw"].attrs["columns"]:
        d = a["raw"][name]
        x = d[first:first + count]
        kind = d.attrs["kind"]
        if kind == "categorical":
            levels = list(d.attrs["levels"])
            n = len(levels)
            x = np.where(x >= 0, n - 1 - x, x).astype(np.int32)
            out = g.create_dataset(name, data=x)
            out.attrs.create("levels", levels[::-1], dtype=h5py.string_dtype())
        else:
            out = g.create_dataset(name, data=x)
        out.attrs["kind"] = kind
    g.attrs.create("columns", list(a["raw"].attrs["columns"]), dtype=h5py.string_dtype())
