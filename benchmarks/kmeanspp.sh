#!/usr/bin/env bash
# k-means++ seeding against scikit-learn's kmeans_plusplus on the same cores,
# as one JSON object: ROWS x COLS Gaussian blobs (compare_sklearn.py gen,
# float64), K centroids (256), both greedy with 2 + ln k trials per centroid.
#   kseg:         `kseg fit --k K --n-init 1 --max-iter 1` on 1 rank x
#                 THREADS; its seeding time is fit_seconds - iter_seconds
#                 (k-means++, plus the final E-step: one pass over the rows
#                 against k * (2 + ln k) passes of the seeding);
#   scikit-learn: sklearn.cluster.kmeans_plusplus(X, K, random_state=0) with
#                 OMP_NUM_THREADS=THREADS and its best BLAS kernel
#                 (OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE unset).
# They run interleaved, REPS (3) times, each repetition after the machine is
# quiet (benchmarks/lib.sh); the best of each is reported with the loads.
# Environment: ROWS (200000), COLS (16), K (256), THREADS (2), REPS (3),
# KSEG_BIN (build/kseg), PY (/usr/bin/python3).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
ROWS=${ROWS:-200000} COLS=${COLS:-16} K=${K:-256} THREADS=${THREADS:-2} REPS=${REPS:-3}
bench_tools
bench_workdir bench-kpp

"$PY" "$here/compare_sklearn.py" gen "$W/x.h5" --rows "$ROWS" --cols "$COLS" --k 16 --dtype float64

cat >"$W/sk.py" <<'PYEOF'
import json, sys, time
import h5py
from sklearn.cluster import kmeans_plusplus
X = h5py.File(sys.argv[1], "r")["/features"][...]
t0 = time.perf_counter()
kmeans_plusplus(X, int(sys.argv[2]), random_state=0)
print(json.dumps({"seconds": time.perf_counter() - t0}))
PYEOF

loads=()
for rep in $(seq "$REPS"); do
  wait_quiet
  l0=$(loadavg)
  OMP_NUM_THREADS=$THREADS "$KSEG_BIN" fit --in "$W/x.h5" --k "$K" --n-init 1 --max-iter 1 --out "$W/f.h5" \
    --json >"$W/kseg.$rep.json"
  OMP_NUM_THREADS=$THREADS env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$PY" "$W/sk.py" "$W/x.h5" "$K" \
    >"$W/sk.$rep.json"
  loads+=("[$l0, $(loadavg)]")
done

"$PY" - "$W" "$ROWS" "$COLS" "$K" "$THREADS" "$REPS" "[$(IFS=,; echo "${loads[*]}")]" <<'PYEOF'
import json, sys
w, rows, cols, k, threads, reps, loads = sys.argv[1], *map(int, sys.argv[2:7]), json.loads(sys.argv[7])
ks = [json.load(open(f"{w}/kseg.{r}.json")) for r in range(1, reps + 1)]
sk = min(json.load(open(f"{w}/sk.{r}.json"))["seconds"] for r in range(1, reps + 1))
seed = min(j["fit_seconds"] - j["iter_seconds"] for j in ks)
print(json.dumps({"benchmark": "kmeanspp", "rows": rows, "cols": cols, "k": k, "threads": threads, "reps": reps,
                  "loadavg_1min_per_rep": loads, "kseg_seeding_seconds": seed, "sklearn_kmeans_plusplus_seconds": sk,
                  "speedup_vs_sklearn": sk / seed}, indent=1))
PYEOF
