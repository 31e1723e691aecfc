#!/bin/bash
# kseg prep --pca against scikit-learn's PCA on cc_general.csv, the same bits
# at 1, 2, 3 ranks (and again: the root's LAPACK call must be deterministic),
# and --pca with --impute drop (fitted on complete rows, every row projected).
source "$(dirname "$0")/lib.sh"
O="$KSEG_TESTS/oracle"
kseg_np 1 import --in "$KSEG_DATA/cc_general.csv" --out "$T/cc.h5" >/dev/null 2>&1
for np in 1 2 3; do
  OMP_NUM_THREADS=2 kseg_np $np prep --in "$T/cc.h5" --out "$T/p$np.h5" --recipe generic --pca 0.9
done
kseg_np 3 prep --in "$T/cc.h5" --out "$T/again.h5" --recipe generic --pca 0.9
"$PY" "$O/prep_oracle.py" pca "$KSEG_DATA/cc_general.csv" "$T/p1.h5" 0.9
h5_same "$T/p1.h5" "$T/p2.h5"
h5_same "$T/p1.h5" "$T/p3.h5"
h5_same "$T/p1.h5" "$T/again.h5"
kseg_np 2 prep --in "$T/cc.h5" --out "$T/p4.h5" --recipe generic --pca 4 --json >"$T/p4.json"
"$PY" "$O/prep_oracle.py" pca "$KSEG_DATA/cc_general.csv" "$T/p4.h5" 4
grep -q '"n_components":4' "$T/p4.json" || fail "--json lacks the pca block"

kseg_np 2 prep --in "$T/cc.h5" --out "$T/drop.h5" --recipe ccgeneral --impute drop --pca 0.8
"$PY" - "$T/drop.h5" "$T/cc.h5" <<'PY'
import sys, h5py, numpy as np
h = h5py.File(sys.argv[1], "r")
x, mask = h["features"][...], h["prep/fit_mask"][...]
assert x.shape[0] == 8950 and np.isfinite(x).all()
raw = h5py.File(sys.argv[2], "r")["raw"]
complete = ~np.isnan(raw["MINIMUM_PAYMENTS"][...]) & ~np.isnan(raw["CREDIT_LIMIT"][...])
assert (mask == complete).all() and mask.sum() == 8950 - 313 - 1, mask.sum()
assert abs(x[mask == 1].mean(axis=0)).max() < 1e-9   # centred on the fitted rows
PY
expect_status 1 1 prep --in "$T/cc.h5" --out "$T/bad.h5" --recipe generic --pca 40
expect_message "--pca 40"
expect_status 1 2 prep --in "$T/cc.h5" --out "$T/bad.h5" --pca 1.7
expect_message "--pca"
echo "prep_pca: ok"
