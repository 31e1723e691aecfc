# fit --json reports the allreduce's share of the iterations: present for
# every kernel, never negative, never more than iter_seconds, and the same
# labels whichever rank count measured it (timers must not touch results).
source "$(dirname "$0")/lib.sh"
"$PY" - "$T" <<'PY'
import sys, h5py, numpy as np
rng = np.random.default_rng(4)
with h5py.File(f"{sys.argv[1]}/x.h5", "w") as f:
    f["features"] = rng.normal(0, 1, size=(2000, 4)) + rng.integers(0, 5, size=(2000, 1))
PY
for algo in lloyd hamerly; do
  for np in 1 2; do
    kseg_np $np fit --in "$T/x.h5" --k 5 --seed 2 --algorithm $algo --out "$T/$algo.$np.h5" --json \
      >"$T/$algo.$np.json" || fail "$algo at $np ranks failed"
    "$PY" - "$T/$algo.$np.json" <<'PY' || fail "$algo at $np ranks: bad timers"
import json, sys
j = json.load(open(sys.argv[1]))
a, it = j["allreduce_seconds"], j["iter_seconds"]
assert 0 <= a <= it, (a, it)
assert it <= j["fit_seconds"], (it, j["fit_seconds"])
PY
  done
  h5_same "$T/$algo.1.h5" "$T/$algo.2.h5" /labels /centroids
done
echo "fit_timers: ok"
