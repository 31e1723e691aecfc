# kseg fit initializations: k-means++ and k-means|| recover well-separated
# blobs (adjusted Rand index 1); every init gives bit-identical outputs at 1,
# 2 and 3 ranks and with 2 threads; restarts keep the lowest inertia.
source "$(dirname "$0")/lib.sh"
O="$KSEG_TESTS/oracle/kmeans_oracle.py"
"$PY" "$O" gen "$T/b.h5" --n 2500 --d 6 --blobs 6 --k 6 --seed 11 --spread 40 --noise 0

for init in k-means++ kmeans-par random; do
  for np in 1 2 3; do
    kseg_np $np fit --in "$T/b.h5" --k 6 --init $init --n-init 3 --seed 9 --out "$T/$init.$np.h5" --json \
      >"$T/$init.$np.json" || fail "$init on $np ranks failed"
  done
  OMP_NUM_THREADS=2 OMP_WAIT_POLICY=passive kseg_np 2 fit --in "$T/b.h5" --k 6 --init $init --n-init 3 --seed 9 --out "$T/$init.t2.h5" \
    || fail "$init with 2 threads failed"
  for other in "$T/$init.2.h5" "$T/$init.3.h5" "$T/$init.t2.h5"; do h5_same "$T/$init.1.h5" "$other"; done
  "$PY" - "$T/$init.1.json" "$T/$init.3.json" <<'PY' || fail "$init: JSON differs or lacks fields"
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:])
for key in ("k", "inertia", "n_iter", "converged", "seconds", "iter_seconds", "ranks", "threads"):
    assert key in a, key
assert a["k"] == 6 and a["ranks"] == 1 and b["ranks"] == 3
assert a["inertia"] == b["inertia"] and a["n_iter"] == b["n_iter"], (a, b)
assert 0 <= a["iter_seconds"] <= a["seconds"]
PY
done
"$PY" "$O" ari "$T/b.h5" "$T/k-means++.1.h5" || fail "k-means++ did not recover the blobs"
"$PY" "$O" ari "$T/b.h5" "$T/kmeans-par.1.h5" || fail "k-means|| did not recover the blobs"

# Restarts: the kept run is the best of the single runs with the same seeds.
kseg_np 1 fit --in "$T/b.h5" --k 6 --init random --n-init 1 --seed 9 --out "$T/r1.h5" || fail "random n-init 1"
"$PY" - "$T/r1.h5" "$T/random.1.h5" <<'PY' || fail "3 restarts gave a worse inertia than the first alone"
import h5py, sys
one, three = (h5py.File(p, "r").attrs["inertia"] for p in sys.argv[1:])
assert three <= one, (three, one)
PY

# Attributes and layout of the output.
"$PY" - "$T/k-means++.1.h5" <<'PY' || fail "output layout"
import h5py, sys
f = h5py.File(sys.argv[1], "r")
assert f["labels"].shape == (2500,) and f["labels"].dtype == "int32"
assert f["centroids"].shape == (6, 6) and f["centroids"].dtype == "float64"
assert [c.decode() if isinstance(c, bytes) else c for c in f["centroids"].attrs["columns"]] == [f"f{j}" for j in range(6)]
for a in ("k", "inertia", "n_iter", "converged", "init", "n_init", "max_iter", "tol", "seed", "algorithm", "input", "dataset"):
    assert a in f.attrs, a
assert f.attrs["k"] == 6 and f.attrs["converged"] == 1 and f.attrs["init"] == "k-means++"
assert f.attrs["dataset"] == "/features" and f.attrs["seed"] == 9
PY
echo "fit_init: ok"
