"""run_subset.py IN.csv OUT.csv FRACTION SEED - a random FRACTION of the
customers of a CSV (header kept, rows in their original order), as the
"old" base of a retraining test. Byte-exact lines: only whole records are
kept or dropped."""
import sys

import numpy as np

src, dst, frac, seed = sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4])
with open(src, "rb") as f:
    lines = f.read().split(b"\n")
header, rows = lines[0], [l for l in lines[1:] if l.strip()]
keep = np.sort(np.random.default_rng(seed).choice(len(rows), int(round(frac * len(rows))), replace=False))
with open(dst, "wb") as f:
    f.write(header + b"\n")
    for i in keep:
        f.write(rows[i] + b"\n")
print(len(keep))
