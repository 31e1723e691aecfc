#!/usr/bin/env bash
# Whole k-means fits with several restarts against scikit-learn on the same
# cores, as one JSON object: ROWS x COLS overlapping Gaussian blobs (so no
# restart converges within ITERS iterations and both do the same work),
# K clusters, N_INIT k-means++ restarts of exactly ITERS Lloyd iterations
# each (tol 0).
#   kseg:         `kseg fit --n-init N_INIT --max-iter ITERS --tol 0` for each
#                 RANKSxTHREADS:ALGORITHM in RUNS; Lloyd's restarts run side
#                 by side, up to four through one pass over the rows
#                 (docs/speed.md, "Restarts side by side"); reports
#                 fit_seconds and iter_seconds / (N_INIT x n_iter), the time
#                 of one restart's iteration;
#   scikit-learn: KMeans(n_clusters=K, n_init=N_INIT, init="k-means++",
#                 algorithm="lloyd", tol=0, max_iter=ITERS) with
#                 OMP_NUM_THREADS=2 and its best BLAS kernel
#                 (OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE unset).
# They run interleaved, REPS (2) times, each repetition after the machine is
# quiet (benchmarks/lib.sh); the best of each is reported with the loads.
# Environment: ROWS (1000000), COLS (32), K (16), N_INIT (4), ITERS (20),
# REPS (2), RUNS ("2x1:lloyd 1x2:lloyd"), DTYPE (float64 | float32),
# KSEG_BIN (build/kseg), PY (/usr/bin/python3), MPIEXEC (mpiexec).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
ROWS=${ROWS:-1000000} COLS=${COLS:-32} K=${K:-16} N_INIT=${N_INIT:-4} ITERS=${ITERS:-20} REPS=${REPS:-2}
RUNS=${RUNS:-"2x1:lloyd 1x2:lloyd"} DTYPE=${DTYPE:-float64}
bench_tools
export OMPI_MCA_btl_vader_single_copy_mechanism=none
bench_workdir bench-restarts

"$PY" - "$W/x.h5" "$ROWS" "$COLS" "$K" "$DTYPE" <<'PYEOF'
import sys, h5py, numpy as np
path, rows, cols, k, dtype = sys.argv[1], *map(int, sys.argv[2:5]), sys.argv[5]
rng = np.random.default_rng(0)
centers = rng.uniform(-1, 1, size=(k, cols))
with h5py.File(path, "w") as f:
    ds = f.create_dataset("features", shape=(rows, cols), dtype="f4" if dtype == "float32" else "f8")
    for r0 in range(0, rows, 1 << 17):
        n = min(1 << 17, rows - r0)
        ds[r0:r0 + n] = centers[rng.integers(0, k, size=n)] + rng.normal(0, 1.0, size=(n, cols))
PYEOF

cat >"$W/sk.py" <<'PYEOF'
import json, sys, time, warnings
import h5py
from sklearn.cluster import KMeans
X = h5py.File(sys.argv[1], "r")["/features"][...]
k, n_init, iters = map(int, sys.argv[2:5])
km = KMeans(n_clusters=k, n_init=n_init, init="k-means++", algorithm="lloyd", tol=0, max_iter=iters, random_state=0)
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    t0 = time.perf_counter()
    km.fit(X)
    seconds = time.perf_counter() - t0
print(json.dumps({"seconds": seconds, "n_iter": int(km.n_iter_), "inertia": float(km.inertia_)}))
PYEOF

loads=()
for rep in $(seq "$REPS"); do
  wait_quiet
  l0=$(loadavg)
  for run in $RUNS; do
    shape=${run%%:*} algo=${run#*:}
    OMP_NUM_THREADS=${shape#*x} OMP_PROC_BIND=false "$MPIEXEC" -n "${shape%%x*}" --oversubscribe --bind-to none \
      "$KSEG_BIN" fit --in "$W/x.h5" --k "$K" --n-init "$N_INIT" --max-iter "$ITERS" --tol 0 --algorithm "$algo" \
      --seed 0 --out "$W/$shape.$algo.h5" --json >"$W/$shape.$algo.$rep.json"
  done
  OMP_NUM_THREADS=2 env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$PY" "$W/sk.py" "$W/x.h5" "$K" "$N_INIT" "$ITERS" \
    >"$W/sk.$rep.json"
  loads+=("[$l0, $(loadavg)]")
done
loads_json="[$(IFS=,; echo "${loads[*]}")]"

"$PY" - "$W" "$REPS" "$ROWS" "$COLS" "$K" "$N_INIT" "$ITERS" "$DTYPE" "$loads_json" $RUNS <<'PYEOF'
import json, sys
w, reps, rows, cols, k, n_init, iters, dtype, loads = sys.argv[1], *map(int, sys.argv[2:8]), sys.argv[8], json.loads(sys.argv[9])
runs = sys.argv[10:]
def best(prefix, key):
    return min((json.load(open(f"{w}/{prefix}.{r}.json")) for r in range(1, reps + 1)), key=lambda j: j[key])
sk = best("sk", "seconds")
out = {"rows": rows, "cols": cols, "k": k, "n_init": n_init, "iters": iters, "dtype": dtype, "reps": reps,
       "loadavg_1min_per_rep": loads,
       "sklearn": {"seconds": sk["seconds"], "n_iter_of_best": sk["n_iter"], "inertia": sk["inertia"]}, "kseg": {}}
for run in runs:
    shape, algo = run.split(":")
    j = best(f"{shape}.{algo}", "fit_seconds")
    out["kseg"][f"{algo}_{j['ranks']}_ranks_x_{j['threads']}_threads"] = {
        "fit_seconds": j["fit_seconds"], "iter_seconds": j["iter_seconds"], "n_iter_of_best": j["n_iter"],
        "seconds_per_restart_iteration": j["iter_seconds"] / (n_init * j["n_iter"]),
        "seeding_seconds": j["fit_seconds"] - j["iter_seconds"], "inertia": j["inertia"],
        "speedup_vs_sklearn_whole_fit": sk["seconds"] / j["fit_seconds"]}
print(json.dumps(out, indent=1))
PYEOF
