#!/usr/bin/env bash
# Per-iteration time of `kseg fit` (Lloyd) against scikit-learn's KMeans
# (algorithm="lloyd") from the same initial centroids on the same 2 cores;
# prints one JSON object. Environment: ROWS (1000000), COLS (32), K (16),
# ITERS (20), KSEG_BIN (build/kseg), PY (/usr/bin/python3), MPIEXEC (mpiexec).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
ROWS=${ROWS:-1000000} COLS=${COLS:-32} K=${K:-16} ITERS=${ITERS:-20}
KSEG_BIN=${KSEG_BIN:-$here/../build/kseg}
PY=${PY:-/usr/bin/python3}
MPIEXEC=${MPIEXEC:-mpiexec}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_btl_vader_single_copy_mechanism=none
dir=$(mktemp -d "${TMPDIR:-/tmp}/kseg-bench.XXXXXX")
trap 'rm -rf "$dir"' EXIT

"$PY" "$here/compare_sklearn.py" gen "$dir/x.h5" --rows "$ROWS" --cols "$COLS" --k "$K"
fit() { # RANKS THREADS OUT
  OMP_NUM_THREADS=$2 OMP_PROC_BIND=false "$MPIEXEC" -n "$1" --oversubscribe --bind-to none "$KSEG_BIN" fit \
    --in "$dir/x.h5" --k "$K" --init "$dir/x.h5:/init" --max-iter "$ITERS" --tol 0 --out "$3" --json
}
fit 2 1 "$dir/r2x1.h5" >"$dir/r2x1.json"
fit 1 2 "$dir/r1x2.h5" >"$dir/r1x2.json"
OMP_NUM_THREADS=2 env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$PY" "$here/compare_sklearn.py" sklearn \
  --max-iter "$ITERS" "$dir/x.h5" "$dir/r2x1.h5" "$dir/r1x2.h5" >"$dir/sk.json"

"$PY" - "$dir" "$ROWS" "$COLS" "$K" <<'PY'
import json, sys
d, rows, cols, k = sys.argv[1], *map(int, sys.argv[2:])
sk = json.load(open(f"{d}/sk.json"))
out = {"rows": rows, "cols": cols, "k": k, "dtype": "float64",
       "sklearn": {"per_iter_seconds": sk["per_iter_seconds"], "n_iter": sk["n_iter"], "seconds": sk["seconds"]},
       "kseg": {}}
for name, res in zip(("2x1", "1x2"), sk["results"]):
    j = json.load(open(f"{d}/r{name}.json"))
    per = j["iter_seconds"] / j["n_iter"]
    out["kseg"][f"{j['ranks']}_ranks_x_{j['threads']}_threads"] = {
        "per_iter_seconds": per, "n_iter": j["n_iter"], "iter_seconds": j["iter_seconds"],
        "seconds": j["seconds"], "speedup_vs_sklearn": sk["per_iter_seconds"] / per,
        "labels_differ_from_sklearn": res["labels_differ"],
        "labels_agree": res["labels_differ"] == 0,
        "centroid_max_rel_diff": res["centroid_max_rel_diff"]}
print(json.dumps(out, indent=1))
PY
