#!/usr/bin/env bash
# Strong and weak scaling of `kseg fit` (Lloyd, fixed iterations, tol 0)
# over ranks x threads; prints one JSON object.
#   strong: ROWS rows whatever the shape; efficiency = t(1x1) / (P t(P)).
#   weak:   ROWS rows per core (ranks x threads); efficiency = t(1x1) / t(P).
# Each shape reports the best of REPS per-iteration times, the allreduce's
# share of the iteration time (fit --json allreduce_seconds / iter_seconds:
# the wait for the slowest rank included) and the load average around it.
# Environment: SHAPES ("1x1 1x2 2x1"; on a cluster e.g. "1x1 4x1 16x1 64x8"),
# ROWS (1000000), COLS (32), K (16), ITERS (10), REPS (3), ALGORITHM (lloyd),
# DTYPE (float64), KSEG_BIN (build/kseg), PY (/usr/bin/python3), MPIEXEC
# (mpiexec), MPIEXEC_FLAGS ("--oversubscribe --bind-to none"; set it for your
# launcher, e.g. srun flags).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
SHAPES=${SHAPES:-"1x1 1x2 2x1"}
ROWS=${ROWS:-1000000} COLS=${COLS:-32} K=${K:-16} ITERS=${ITERS:-10} REPS=${REPS:-3}
ALGORITHM=${ALGORITHM:-lloyd} DTYPE=${DTYPE:-float64}
bench_tools
MPIEXEC_FLAGS=${MPIEXEC_FLAGS:---oversubscribe --bind-to none}
export OMPI_MCA_btl_vader_single_copy_mechanism=none
bench_workdir scaling

gen() { # ROWS OUT
  [ -f "$2" ] || "$PY" "$here/compare_sklearn.py" gen "$2" --rows "$1" --cols "$COLS" --k "$K" --dtype "$DTYPE"
}
fit() { # RANKS THREADS IN JSON
  # shellcheck disable=SC2086
  OMP_NUM_THREADS=$2 OMP_PROC_BIND=false "$MPIEXEC" -n "$1" $MPIEXEC_FLAGS "$KSEG_BIN" fit --in "$3" \
    --k "$K" --init "$3:/init" --max-iter "$ITERS" --tol 0 --algorithm "$ALGORITHM" --out "$W/r.h5" --json >"$4"
}
gen "$ROWS" "$W/strong.h5"
for shape in $SHAPES; do
  p=$(( ${shape%%x*} * ${shape#*x} ))
  gen $((ROWS * p)) "$W/weak.$p.h5"
  for rep in $(seq "$REPS"); do
    echo "$(cut -d' ' -f1 /proc/loadavg)" >"$W/load.$shape.$rep"
    fit "${shape%%x*}" "${shape#*x}" "$W/strong.h5" "$W/strong.$shape.$rep.json"
    fit "${shape%%x*}" "${shape#*x}" "$W/weak.$p.h5" "$W/weak.$shape.$rep.json"
  done
  [ "$p" = 1 ] || rm -f "$W/weak.$p.h5"
done

"$PY" - "$W" "$ROWS" "$COLS" "$K" "$REPS" "$ALGORITHM" "$DTYPE" $SHAPES <<'PY'
import json, sys
d, rows, cols, k, reps, algo, dtype = sys.argv[1], *map(int, sys.argv[2:6]), sys.argv[6], sys.argv[7]
shapes = sys.argv[8:]
def best(kind, shape):
    runs = [json.load(open(f"{d}/{kind}.{shape}.{r}.json")) for r in range(1, reps + 1)]
    j = min(runs, key=lambda j: j["iter_seconds"] / j["n_iter"])
    return j["iter_seconds"] / j["n_iter"], j["allreduce_seconds"] / j["iter_seconds"]
loads = {s: [float(open(f"{d}/load.{s}.{r}").read()) for r in range(1, reps + 1)] for s in shapes}
out = {"rows": rows, "cols": cols, "k": k, "iters": None, "reps": reps, "algorithm": algo, "dtype": dtype,
       "strong": {}, "weak": {"rows_per_core": rows}}
base = {kind: best(kind, "1x1")[0] if "1x1" in shapes else None for kind in ("strong", "weak")}
for s in shapes:
    ranks, threads = map(int, s.split("x"))
    p = ranks * threads
    for kind in ("strong", "weak"):
        per, share = best(kind, s)
        e = None
        if base[kind]:
            e = base[kind] / (p * per) if kind == "strong" else base[kind] / per
        out[kind][s] = {"ranks": ranks, "threads": threads, "per_iter_seconds": per,
                        "efficiency": e, "allreduce_share": share, "loadavg_1min": loads[s]}
del out["iters"]
print(json.dumps(out, indent=1))
PY
