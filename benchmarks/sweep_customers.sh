#!/usr/bin/env bash
# The sweep users run, against scikit-learn on the same cores, as one JSON
# object: ROWS generated customers (`kseg generate --segments 5`), the
# marketing recipe (`kseg prep --recipe marketing`: 21 standardised
# features), k = K (2:8), N_INIT (4) restarts per k, the silhouette on a
# seeded sample of SIL rows (10000), Calinski-Harabasz and Davies-Bouldin.
#   kseg:         `kseg sweep --k K --n-init N_INIT --silhouette sample:SIL`
#                 on each SHAPES entry (RANKSxTHREADS; default "2x1 1x2");
#   scikit-learn: for each k, KMeans(k, n_init=N_INIT, random_state=0) (its
#                 Lloyd, k-means++), silhouette_score(sample_size=SIL),
#                 calinski_harabasz_score, davies_bouldin_score, with
#                 OMP_NUM_THREADS=THREADS_SK (2) and its best BLAS kernel
#                 (OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE unset).
# They run interleaved, REPS (3) times, each repetition after the machine is
# quiet (benchmarks/lib.sh: MAX_LOAD, POLL, MAX_WAIT); the best time of each
# is reported with the load average every repetition started and ended at.
# Needs build/kseg and Debian's python3 (scikit-learn, h5py).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
ROOT=$(cd "$here/.." && pwd)
KSEG=${KSEG_BIN:-$ROOT/build/kseg}
PY=${PY:-/usr/bin/python3}
ROWS=${ROWS:-1000000} K=${K:-2:8} N_INIT=${N_INIT:-4} SIL=${SIL:-10000} REPS=${REPS:-3}
SHAPES=${SHAPES:-"2x1 1x2"} THREADS_SK=${THREADS_SK:-2}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
W=$(mktemp -d "${TMPDIR:-/tmp}/kseg-bench-customers.XXXXXX")
trap 'rm -rf "$W"' EXIT

"$KSEG" generate --rows "$ROWS" --segments 5 --seed 1 --out "$W/raw.h5" >&2
"$KSEG" prep --in "$W/raw.h5" --out "$W/f.h5" --recipe marketing >&2

cat >"$W/sk.py" <<'PYEOF'
import json, sys, time, warnings
import h5py, numpy as np
from sklearn.cluster import KMeans
from sklearn.metrics import calinski_harabasz_score, davies_bouldin_score, silhouette_score
path, k0, k1, n_init, sil = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
X = h5py.File(path, "r")["/features"][...]
t0 = time.perf_counter()
table = []
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    for k in range(k0, k1 + 1):
        km = KMeans(k, n_init=n_init, random_state=0).fit(X)
        table.append({"k": k, "inertia": float(km.inertia_), "n_iter": int(km.n_iter_),
                      "silhouette": float(silhouette_score(X, km.labels_, sample_size=sil, random_state=0)),
                      "calinski_harabasz": float(calinski_harabasz_score(X, km.labels_)),
                      "davies_bouldin": float(davies_bouldin_score(X, km.labels_))})
print(json.dumps({"seconds": time.perf_counter() - t0, "table": table}))
PYEOF

k0=${K%%:*} k1=${K##*:}
loads=()
for rep in $(seq "$REPS"); do
  wait_quiet
  l0=$(loadavg)
  for shape in $SHAPES; do
    OMP_NUM_THREADS=${shape#*x} mpiexec -n "${shape%%x*}" --oversubscribe --bind-to none "$KSEG" sweep \
      --in "$W/f.h5" --k "$K" --n-init "$N_INIT" --silhouette "sample:$SIL" --out "$W/s.h5" --json \
      >"$W/kseg_$shape.$rep.json"
  done
  OMP_NUM_THREADS=$THREADS_SK env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$PY" "$W/sk.py" "$W/f.h5" "$k0" "$k1" \
    "$N_INIT" "$SIL" >"$W/sk.$rep.json"
  loads+=("[$l0, $(loadavg)]")
done

"$PY" - "$W" "$ROWS" "$K" "$N_INIT" "$SIL" "$REPS" "[$(IFS=,; echo "${loads[*]}")]" $SHAPES <<'PYEOF'
import json, sys
w, rows, krange, n_init, sil, reps, loads = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), \
    int(sys.argv[5]), int(sys.argv[6]), json.loads(sys.argv[7])
shapes = sys.argv[8:]
sk = min((json.load(open(f"{w}/sk.{r}.json")) for r in range(1, reps + 1)), key=lambda j: j["seconds"])
out = {"benchmark": "sweep_customers", "rows": rows, "features": 21, "k": krange, "n_init": n_init,
       "silhouette_sample": sil, "reps": reps, "loadavg_1min_per_rep": loads,
       "sklearn": {"seconds": sk["seconds"], "table": sk["table"]}, "kseg": {}}
for shape in shapes:
    j = min((json.load(open(f"{w}/kseg_{shape}.{r}.json")) for r in range(1, reps + 1)), key=lambda j: j["seconds"])
    out["kseg"][shape] = {"seconds": j["seconds"], "speedup_vs_sklearn": sk["seconds"] / j["seconds"],
                          "recommended_k": j["recommended_k"],
                          "table": [{key: r[key] for key in ("k", "inertia", "n_iter", "silhouette",
                                                               "calinski_harabasz", "davies_bouldin", "seconds")}
                                    for r in j["table"]]}
print(json.dumps(out, indent=1))
PYEOF
