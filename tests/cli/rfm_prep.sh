# CDNOW's RFM table through `kseg prep`: auto-detected rfm recipe (log1p of
# counts and money, standard scaling), equal to numpy/scikit-learn-style
# scaling of the raw columns, the same bits at 1 and 3 ranks; a table without
# the columns is refused naming the column.
source "$(dirname "$0")/lib.sh"
expect_status 0 2 rfm --in "$KSEG_DATA/cdnow_master.txt" --out "$T/raw.h5"
expect_status 0 1 prep --in "$T/raw.h5" --out "$T/f1.h5" --json
grep -q '"recipe":"rfm"' "$T/stdout" || fail "recipe not detected: $(cat "$T/stdout")"
expect_status 0 3 prep --in "$T/raw.h5" --out "$T/f3.h5" --recipe rfm
h5_same "$T/f1.h5" "$T/f3.h5" /features
"$PY" - "$T/raw.h5" "$T/f1.h5" <<'PYEOF' || fail "features differ from the reference"
import sys
import h5py
import numpy as np
raw = h5py.File(sys.argv[1])["raw"]
f = h5py.File(sys.argv[2])
names = [n.decode() if isinstance(n, bytes) else n for n in f["features"].attrs["columns"]]
want = ["recency_days", "frequency", "purchase_days", "monetary_total", "monetary_mean", "tenure_days"]
assert names == want, names
logged = {"frequency", "purchase_days", "monetary_total", "monetary_mean"}
X = f["features"][:]
for j, name in enumerate(want):
    x = raw[name][:]
    if name in logged:
        x = np.log1p(np.maximum(x, 0))
    z = (x - x.mean()) / x.std()
    err = np.max(np.abs(X[:, j] - z))
    assert err < 1e-9, (name, err)
print("features OK")
PYEOF
expect_status 1 1 prep --in "$T/raw.h5" --out "$T/bad.h5" --recipe rfm --columns frequency,nothing
expect_message "unknown column 'nothing'"
expect_status 0 1 import --in "$KSEG_DATA/marketing_campaign.csv" --out "$T/mk.h5"
expect_status 1 2 prep --in "$T/mk.h5" --out "$T/bad.h5" --recipe rfm
expect_message "recipe rfm needs column 'recency_days'"
echo OK
