# kseg generate gives the types `kseg import` gives the real Customer
# Personality file: same columns in order, kinds, dtypes, levels, and dates in
# the real range. The one difference: an import keeps the ID column verbatim
# as text (leading zeros, any length), generate numbers its customers.
source "$KSEG_TESTS/cli/lib.sh"
kseg_np 2 import --in "$KSEG_DATA/marketing_campaign.csv" --out "$T/real.h5" >/dev/null 2>&1
kseg_np 2 generate --rows 3000 --out "$T/gen.h5" 2>/dev/null
"$PY" - "$T/real.h5" "$T/gen.h5" <<'PYEOF'
import sys, h5py, numpy as np
real, gen = (h5py.File(p, "r") for p in sys.argv[1:3])
t = lambda v: v.decode() if isinstance(v, bytes) else str(v)
cols = lambda f: [t(c) for c in f["raw"].attrs["columns"]]
assert cols(real) == cols(gen), (cols(real), cols(gen))
for c in cols(real):
    a, b = real["raw"][c], gen["raw"][c]
    ka, kb = t(a.attrs["kind"]), t(b.attrs["kind"])
    if c == "ID":
        assert (ka, kb) == ("string", "numeric"), (ka, kb)
        continue
    assert (ka, a.dtype) == (kb, b.dtype), (c, ka, a.dtype, kb, b.dtype)
    if "levels" in a.attrs or "levels" in b.attrs:
        la, lb = [t(v) for v in a.attrs["levels"]], [t(v) for v in b.attrs["levels"]]
        assert la == lb, (c, la, lb)
    if ka == "date":
        ra, rb = a[...], b[...]
        assert ra.min() <= rb.min() and rb.max() <= ra.max(), (c, ra.min(), ra.max(), rb.min(), rb.max())
    if c in ("Z_CostContact", "Z_Revenue"):
        assert np.all(a[...] == a[0]) and np.all(b[...] == a[0]), c
print("generate matches the import of the real table:", len(cols(real)), "columns")
PYEOF
