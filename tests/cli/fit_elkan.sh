# Elkan's and Yinyang's algorithms give Lloyd's bits (labels, centroids,
# inertia, n_iter, converged) on data built to stress their bounds: exact
# ties on an integer grid, duplicated rows, tiny spread far from the origin
# (float64 and float32), 21 columns, k = 5, 40 and 120 (Yinyang: 1, 4 and 12 groups),
# at 1, 2 and 3 ranks with 1 and 2 threads each; forced empty clusters; and
# the labels of scikit-learn's KMeans(algorithm="elkan") from the same init.
source "$(dirname "$0")/lib.sh"
ALGOS=${ALGOS:-"elkan yinyang"}
"$PY" - "$T" <<'PY'
import sys, h5py, numpy as np
rng = np.random.default_rng(1)
n = 3000
cases = {
    "grid": rng.integers(0, 4, size=(n, 3)).astype(np.float64),
    "dup": rng.normal(0, 1, size=(40, 4))[rng.integers(0, 40, size=n)],
    "offset": 1e6 + rng.normal(0, 1e-3, size=(n, 5)) + rng.integers(0, 3, size=(n, 1)) * 1e-2,
    "f32offset": (1e3 + rng.normal(0, 0.05, size=(n, 6)) + rng.integers(0, 4, size=(n, 1)) * 0.3).astype(np.float32),
    # d = 21: longer sums than the kernel's vector width, rounding in each
    "wide": 100 + rng.normal(0, 1, size=(12, 21))[rng.integers(0, 12, size=n)] + rng.normal(0, 0.3, size=(n, 21)),
}
cases["f32wide"] = cases["wide"].astype(np.float32)
for name, x in cases.items():
    with h5py.File(f"{sys.argv[1]}/{name}.h5", "w") as f:
        f["features"] = x
PY

same_attrs() { # A.h5 B.h5 WHAT
  "$PY" - "$1" "$2" <<'PY' || fail "$3: attributes differ"
import h5py, sys
a, b = (h5py.File(p, "r").attrs for p in sys.argv[1:])
for key in ("inertia", "n_iter", "converged"):
    assert a[key] == b[key], (key, a[key], b[key])
PY
}

# Shapes RANKSxTHREADS, rotated over the cases so each algorithm meets all six.
shapes=(1x1 2x1 3x1 1x2 2x2 3x2)
s=0
for name in grid dup offset f32offset wide f32wide; do
  for k in 5 40 120; do
    kseg_np 1 fit --in "$T/$name.h5" --k $k --seed 3 --tol 0 --algorithm lloyd --out "$T/l.h5" \
      || fail "$name k=$k: lloyd failed"
    for algo in $ALGOS; do
      for rep in 1 2; do
        shape=${shapes[$((s % 6))]}; s=$((s + 1))
        OMP_NUM_THREADS=${shape#*x} kseg_np "${shape%x*}" fit --in "$T/$name.h5" --k $k --seed 3 --tol 0 \
          --algorithm $algo --out "$T/a.h5" || fail "$name k=$k: $algo at $shape failed"
        h5_same "$T/l.h5" "$T/a.h5" /labels /centroids
        same_attrs "$T/l.h5" "$T/a.h5" "$name k=$k $algo $shape"
      done
    done
  done
done

# Empty clusters: a duplicated and a far-away initial centroid (relocated),
# and a max-iter stop (final E-step against the last centroids).
O="$KSEG_TESTS/oracle/kmeans_oracle.py"
"$PY" "$O" gen "$T/empty.h5" --k 6 --seed 3 --empty
for extra in "--max-iter 300" "--max-iter 2"; do
  kseg_np 2 fit --in "$T/empty.h5" --init "$T/empty.h5:/init" --k 6 --tol 0 $extra --algorithm lloyd \
    --out "$T/l.h5" || fail "empty: lloyd failed"
  for algo in $ALGOS; do
    OMP_NUM_THREADS=2 kseg_np 3 fit --in "$T/empty.h5" --init "$T/empty.h5:/init" --k 6 --tol 0 $extra \
      --algorithm $algo --out "$T/a.h5" || fail "empty: $algo failed"
    h5_same "$T/l.h5" "$T/a.h5" /labels /centroids
    same_attrs "$T/l.h5" "$T/a.h5" "empty $extra $algo"
  done
  "$PY" "$O" check "$T/empty.h5" "$T/l.h5" --tol 0 $extra || fail "empty $extra: lloyd differs from scikit-learn"
done

# scikit-learn's Elkan from the same initial centroids: the same labels.
"$PY" "$O" gen "$T/blobs.h5" --k 8 --seed 5
for algo in $ALGOS; do
  kseg_np 2 fit --in "$T/blobs.h5" --init "$T/blobs.h5:/init" --k 8 --tol 0 --algorithm $algo \
    --out "$T/$algo.h5" || fail "blobs: $algo failed"
done
"$PY" - "$T/blobs.h5" $ALGOS <<'PY' || fail "labels differ from scikit-learn's Elkan"
import sys, h5py, numpy as np
from sklearn.cluster import KMeans
with h5py.File(sys.argv[1], "r") as f:
    x, init = f["features"][()], f["init"][()]
km = KMeans(n_clusters=len(init), init=init, n_init=1, tol=0, max_iter=300, algorithm="elkan").fit(x)
for algo in sys.argv[2:]:
    with h5py.File(f"{sys.argv[1][:-len('blobs.h5')]}{algo}.h5", "r") as f:
        labels = f["labels"][()]
    differ = int(np.sum(labels != km.labels_))
    assert differ == 0, (algo, differ)
PY
echo "fit_elkan: ok"
