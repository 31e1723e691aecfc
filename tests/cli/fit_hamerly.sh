# Hamerly's algorithm gives Lloyd's bits on data built to stress its bounds:
# exact ties on an integer grid, duplicated rows, tiny spread far from the
# origin (float64 and float32), k from 5 to 40, at 2 and 3 ranks.
source "$(dirname "$0")/lib.sh"
"$PY" - "$T" <<'PY'
import sys, h5py, numpy as np
rng = np.random.default_rng(1)
n = 3000
cases = {
    "grid": rng.integers(0, 4, size=(n, 3)).astype(np.float64),
    "dup": rng.normal(0, 1, size=(40, 4))[rng.integers(0, 40, size=n)],
    "offset": 1e6 + rng.normal(0, 1e-3, size=(n, 5)) + rng.integers(0, 3, size=(n, 1)) * 1e-2,
    "f32offset": (1e3 + rng.normal(0, 0.05, size=(n, 6)) + rng.integers(0, 4, size=(n, 1)) * 0.3).astype(np.float32),
    # wide rows: side-by-side restarts go through a rank's rows in several
    # cache blocks (512 KiB: 256 rows here)
    "wide": rng.normal(0, 1, size=(n, 256)) + rng.integers(0, 6, size=(n, 1)),
}
for name, x in cases.items():
    with h5py.File(f"{sys.argv[1]}/{name}.h5", "w") as f:
        f["features"] = x
PY
# same_fit A.h5 B.h5 WHAT: the same labels, centroids, inertia, iterations
# and convergence
same_fit() {
  h5_same "$1" "$2" /labels /centroids
  "$PY" - "$1" "$2" <<'PY' || fail "$3: attributes differ"
import h5py, sys
a, b = (h5py.File(p, "r").attrs for p in sys.argv[1:])
for key in ("inertia", "n_iter", "converged"):
    assert a[key] == b[key], (key, a[key], b[key])
PY
}
for name in grid dup offset f32offset; do  # (wide: below)
  for k in 5 40; do
    kseg_np 2 fit --in "$T/$name.h5" --k $k --seed 3 --tol 0 --algorithm lloyd --out "$T/l.h5" \
      || fail "$name k=$k: lloyd failed"
    kseg_np 3 fit --in "$T/$name.h5" --k $k --seed 3 --tol 0 --algorithm hamerly --out "$T/h.h5" \
      || fail "$name k=$k: hamerly failed"
    same_fit "$T/l.h5" "$T/h.h5" "$name k=$k"
  done
done
# Restarts run side by side (four at a time, then the rest): each one's bits
# are Lloyd's one by one, so the same best restart, centroids and labels, at
# any rank and thread count.
for name in grid offset f32offset wide; do
  OMP_NUM_THREADS=1 kseg_np 2 fit --in "$T/$name.h5" --k 7 --n-init 6 --seed 5 --algorithm lloyd --out "$T/l.h5" \
    || fail "$name n-init 6: lloyd failed"
  for shape in "1 2" "3 1"; do
    set -- $shape
    OMP_NUM_THREADS=$2 kseg_np $1 fit --in "$T/$name.h5" --k 7 --n-init 6 --seed 5 --algorithm hamerly \
      --out "$T/h.h5" || fail "$name n-init 6: hamerly failed ($1 ranks x $2 threads)"
    same_fit "$T/l.h5" "$T/h.h5" "$name n-init 6 ($1 ranks x $2 threads)"
  done
done
# auto: on noise in 256 dimensions the bounds spare almost no row, so each
# restart goes on with Lloyd's pass (restarts_switched_to_lloyd), still with
# Lloyd's bits; on the clustered wide rows none switches.
"$PY" - "$T" <<'PY'
import sys, h5py, numpy as np
with h5py.File(f"{sys.argv[1]}/noise.h5", "w") as f:
    f["features"] = np.random.default_rng(2).standard_normal((3000, 256))
PY
for name in noise wide; do
  kseg_np 2 fit --in "$T/$name.h5" --k 8 --n-init 3 --seed 5 --algorithm lloyd --out "$T/l.h5" \
    || fail "$name: lloyd failed"
  OMP_NUM_THREADS=2 kseg_np 3 fit --in "$T/$name.h5" --k 8 --n-init 3 --seed 5 --algorithm auto --out "$T/a.h5" \
    --json >"$T/a.json" || fail "$name: auto failed"
  same_fit "$T/l.h5" "$T/a.h5" "$name: auto"
  "$PY" - "$T/a.json" "$name" <<'PY' || fail "$name: auto's switch to Lloyd is not as expected"
import json, sys
j = json.load(open(sys.argv[1]))
switched = j["restarts_switched_to_lloyd"]
if sys.argv[2] == "noise":
    assert switched == 3 and j["rows_searched_share"] > 0.99, j
else:
    assert switched == 0 and j["rows_searched_share"] < 0.5, j
PY
done
echo "fit_hamerly: ok"
