#!/usr/bin/env bash
# The measured table behind `--algorithm auto`, as one JSON object: for each
# data shape and k, the seconds per iteration of every k-means kernel (lloyd,
# hamerly, elkan, yinyang) and of auto, the share of rows Hamerly searched
# per iteration (rows_searched_share: 1 - its pruning rate), whether auto
# switched restarts to Lloyd's pass, the fastest kernel and auto's time over
# the fastest one's. All give Lloyd's bits, so every kernel runs the same
# iterations: `kseg fit --k K --n-init N_INIT (2) --max-iter ITERS (20)
# --tol 0` on SHAPE (RANKSxTHREADS, default 2x1).
# Cases (CASES, default all):
#   customers  ROWS (200000) generated customers, marketing recipe (d = 21), k 2 5 8 12
#   blobs      ROWS x 32, 16 well separated Gaussian blobs, k 16 64 256
#   noise8 / noise32 / noise128   ROWS x d standard normal, k 8 64
#   noise1024  ROWS / 5 x 1024 standard normal, k 4 16
# The kernels run interleaved, REPS (2) times, each repetition after the
# machine is quiet (benchmarks/lib.sh); the best time of each is reported
# with the load every repetition started and ended at.
# Needs build/kseg and Debian's python3 (numpy, h5py).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
ROOT=$(cd "$here/.." && pwd)
KSEG=${KSEG_BIN:-$ROOT/build/kseg}
PY=${PY:-/usr/bin/python3}
ROWS=${ROWS:-200000} N_INIT=${N_INIT:-2} ITERS=${ITERS:-20} REPS=${REPS:-2} SHAPE=${SHAPE:-2x1}
CASES=${CASES:-"customers blobs noise8 noise32 noise128 noise1024"}
ALGOS="lloyd hamerly elkan yinyang auto"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
W=$(mktemp -d "${TMPDIR:-/tmp}/kseg-bench-auto.XXXXXX")
trap 'rm -rf "$W"' EXIT

ks_of() {
  case $1 in
  customers) echo "2 5 8 12" ;;
  blobs) echo "16 64 256" ;;
  noise1024) echo "4 16" ;;
  *) echo "8 64" ;;
  esac
}

for c in $CASES; do
  case $c in
  customers)
    "$KSEG" generate --rows "$ROWS" --segments 5 --seed 1 --out "$W/raw.h5" >&2
    "$KSEG" prep --in "$W/raw.h5" --out "$W/$c.h5" --recipe marketing >&2 ;;
  *)
    "$PY" - "$W/$c.h5" "$c" "$ROWS" <<'PY'
import sys, h5py, numpy as np
path, case, rows = sys.argv[1], sys.argv[2], int(sys.argv[3])
rng = np.random.default_rng(7)
if case == "blobs":
    centers = rng.uniform(-10, 10, size=(16, 32))
    x = centers[rng.integers(0, 16, size=rows)] + rng.standard_normal((rows, 32))
elif case == "noise1024":
    x = rng.standard_normal((rows // 5, 1024))
else:
    x = rng.standard_normal((rows, int(case[len("noise"):])))
with h5py.File(path, "w") as f:
    f["features"] = x
PY
    ;;
  esac
done

: >"$W/runs.jsonl"
for rep in $(seq "$REPS"); do
  wait_quiet
  l0=$(loadavg)
  for c in $CASES; do
    for k in $(ks_of "$c"); do
      for a in $ALGOS; do
        OMP_NUM_THREADS=${SHAPE#*x} mpiexec -n "${SHAPE%%x*}" --oversubscribe --bind-to none "$KSEG" fit \
          --in "$W/$c.h5" --k "$k" --n-init "$N_INIT" --max-iter "$ITERS" --tol 0 --algorithm "$a" \
          --out "$W/fit.h5" --json >"$W/fit.json"
        "$PY" -c 'import json, sys; j = json.load(open(sys.argv[1])); j.update(case=sys.argv[2], rep=int(sys.argv[3])); print(json.dumps(j))' \
          "$W/fit.json" "$c" "$rep" >>"$W/runs.jsonl"
      done
    done
  done
  echo "$rep $l0 $(loadavg)" >>"$W/loads.txt"
done

"$PY" - "$W/runs.jsonl" "$W/loads.txt" "$SHAPE" "$N_INIT" "$ITERS" <<'PY'
import json, sys
runs = [json.loads(l) for l in open(sys.argv[1])]
loads = [[float(v) for v in l.split()[1:]] for l in open(sys.argv[2])]
best = {}
for r in runs:
    key = (r["case"], r["k"], r["algorithm"])
    per_iter = r["iter_seconds"] / max(1, r["n_iter"]) / int(sys.argv[4])
    if key not in best or per_iter < best[key]["seconds_per_iteration"]:
        best[key] = {"seconds_per_iteration": per_iter, "n_iter": r["n_iter"], "inertia": r["inertia"],
                     "rows_searched_share": r.get("rows_searched_share"),
                     "restarts_switched_to_lloyd": r.get("restarts_switched_to_lloyd"),
                     "rows": r["rows"], "columns": r["columns"]}
table = []
for case, k in sorted({(c, k) for c, k, _ in best}, key=lambda t: (t[0], t[1])):
    row = {"case": case, "k": k}
    algos = {a: best[(case, k, a)] for c, kk, a in best if c == case and kk == k}
    row["rows"], row["columns"] = algos["lloyd"]["rows"], algos["lloyd"]["columns"]
    row["seconds_per_iteration"] = {a: round(v["seconds_per_iteration"], 6) for a, v in algos.items()}
    row["same_inertia"] = len({v["inertia"] for v in algos.values()}) == 1
    row["hamerly_rows_searched_share"] = algos["hamerly"]["rows_searched_share"]
    row["auto_restarts_switched_to_lloyd"] = algos["auto"]["restarts_switched_to_lloyd"]
    kernels = {a: v for a, v in row["seconds_per_iteration"].items() if a != "auto"}
    row["fastest_kernel"] = min(kernels, key=kernels.get)
    row["auto_over_fastest"] = round(row["seconds_per_iteration"]["auto"] / kernels[row["fastest_kernel"]], 3)
    table.append(row)
print(json.dumps({"benchmark": "auto_rule", "shape": sys.argv[3], "n_init": int(sys.argv[4]),
                  "iterations": int(sys.argv[5]), "loadavg_1min_per_rep": loads, "table": table}, indent=1))
PY
