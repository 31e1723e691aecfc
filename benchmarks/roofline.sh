#!/usr/bin/env bash
# How close the Lloyd kernel runs to the machine's ceilings. Builds and runs
# roofline.c (STREAM-like triad bandwidth, FMA peak, all THREADS threads),
# then times `kseg fit --algorithm lloyd` on one rank x THREADS threads for
# float64 and float32 data and prints one JSON object: per iteration, the
# bytes the kernel must move (the rows read once, each label read and written)
# and the flops it does (the dot-product form: one fused multiply-add, 2
# flops, per row, centroid and column; the rare near ties searched again are
# not counted), the time each ceiling allows, and the measured
# time as a percent of the binding ceiling (100 % = at the bound).
# Environment: ROWS (1000000), COLS (32), K (16), ITERS (20, as compare_sklearn.sh; the
# time per iteration includes the final E-step, so fewer iterations read higher), REPS (3),
# THREADS (2), CC (cc), KSEG_BIN (build/kseg), PY (/usr/bin/python3).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
ROWS=${ROWS:-1000000} COLS=${COLS:-32} K=${K:-16} ITERS=${ITERS:-20} REPS=${REPS:-3} THREADS=${THREADS:-2}
KSEG_BIN=${KSEG_BIN:-$here/../build/kseg}
PY=${PY:-/usr/bin/python3}
CC=${CC:-cc}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
dir=$(mktemp -d "${TMPDIR:-/tmp}/kseg-roofline.XXXXXX")
trap 'rm -rf "$dir"' EXIT

"$CC" -O3 -march=native -fopenmp -o "$dir/roofline" "$here/roofline.c"
load0=$(cut -d' ' -f1 /proc/loadavg)
OMP_NUM_THREADS=$THREADS "$dir/roofline" 16 "$REPS" >"$dir/machine.json"
for dtype in float64 float32; do
  "$PY" "$here/compare_sklearn.py" gen "$dir/$dtype.h5" --rows "$ROWS" --cols "$COLS" --k "$K" --dtype "$dtype"
  for rep in $(seq "$REPS"); do
    OMP_NUM_THREADS=$THREADS "$KSEG_BIN" fit --in "$dir/$dtype.h5" --k "$K" --init "$dir/$dtype.h5:/init" \
      --max-iter "$ITERS" --tol 0 --algorithm lloyd --out "$dir/r.h5" --json >"$dir/$dtype.$rep.json"
  done
  rm -f "$dir/$dtype.h5"
done
load1=$(cut -d' ' -f1 /proc/loadavg)

"$PY" - "$dir" "$ROWS" "$COLS" "$K" "$REPS" "$load0" "$load1" <<'PY'
import json, sys
d, rows, cols, k, reps = sys.argv[1], *map(int, sys.argv[2:6])
m = json.load(open(f"{d}/machine.json"))
out = {"rows": rows, "cols": cols, "k": k, "reps": reps, "threads": m["threads"],
       "loadavg_1min": [float(sys.argv[6]), float(sys.argv[7])],
       "machine": {"bandwidth_bytes_per_s": m["bandwidth_bytes_per_s"],
                   "peak_flops_f64": m["peak_flops_f64"], "peak_flops_f32": m["peak_flops_f32"]}}
for dtype, size in (("float64", 8), ("float32", 4)):
    runs = [json.load(open(f"{d}/{dtype}.{r}.json")) for r in range(1, reps + 1)]
    per = min(j["iter_seconds"] / j["n_iter"] for j in runs)
    bytes_ = rows * cols * size + rows * (4 + 4)   # rows read; label read and written
    flops = 2.0 * rows * k * cols
    t_mem = bytes_ / m["bandwidth_bytes_per_s"]
    t_flop = flops / m["peak_flops_f64" if size == 8 else "peak_flops_f32"]
    bound = max(t_mem, t_flop)
    out[dtype] = {"per_iter_seconds": per, "bytes_per_iter": bytes_, "flops_per_iter": flops,
                  "memory_bound_seconds": t_mem, "compute_bound_seconds": t_flop,
                  "binding": "memory" if t_mem > t_flop else "compute",
                  "percent_of_bound": 100.0 * bound / per, "within_2x_of_bound": per <= 2 * bound,
                  "achieved_flops": flops / per, "achieved_bytes_per_s": bytes_ / per}
print(json.dumps(out, indent=1))
PY
