#!/usr/bin/env bash
# How close the Lloyd kernel runs to the machine's ceilings, as one JSON
# object.
#  1. roofline.c, all THREADS threads: the read-only bandwidth of several
#     streams per thread (the E-step only reads rows: the memory ceiling it
#     is held to), a STREAM triad for reference, and the FMA peak in float64
#     and float32 (twelve independent chains).
#  2. `kseg fit --algorithm lloyd` on 1 rank x THREADS threads, float64 and
#     float32, ROWS x COLS, K clusters, ITERS iterations from the same start:
#     per iteration, the bytes it must move (each row read once, each label
#     read and written) and the flops it must do (the dot form: one fused
#     multiply-add, 2 flops, per row, centroid and column; the near ties
#     searched again are not counted), the time each ceiling allows, and the
#     measured time as a percent of the binding one (100 % = at the bound).
#     The iteration time includes the M-step, the allreduce and the final
#     E-step spread over ITERS.
#  3. kernel_peak.c: the E-step micro-kernel alone, one thread, rows in
#     cache, against the FMA peak, both in thread CPU time, for the shapes
#     SHAPES (D:K list; default 32:16 and the marketing shape, d = 21,
#     k = 2, 3, 4, 8, 12; D:K:R times R restarts side by side in one pass,
#     as Lloyd's fits with --n-init run them: 32:16:4, 21:2:4, 21:8:4 and
#     21:12:4 by default),
#     each from rows packed once (what a fit of rows that stay in cache
#     reads: percent_of_fma_peak; and against a read-only pass over the
#     copy: percent_of_copy_read, with the ceiling that binds, binding and
#     percent_of_binding) and packing each panel in the pass (larger rows:
#     percent_of_fma_peak_packing).
# The measurement waits for a quiet machine first (benchmarks/lib.sh) and
# prints the load average it started and ended at.
# Environment: ROWS (1000000), COLS (32), K (16), ITERS (20), REPS (3),
# THREADS (2), SHAPES, CC (cc), MPICC (mpicc), KSEG_BIN (build/kseg),
# PY (/usr/bin/python3), and MAX_LOAD, POLL, MAX_WAIT (lib.sh).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
ROWS=${ROWS:-1000000} COLS=${COLS:-32} K=${K:-16} ITERS=${ITERS:-20} REPS=${REPS:-3} THREADS=${THREADS:-2}
SHAPES=${SHAPES:-32:16,21:2,21:3,21:4,21:8,21:12,32:16:4,21:2:4,21:8:4,21:12:4}
bench_tools
CC=${CC:-cc} MPICC=${MPICC:-mpicc}
bench_workdir roofline

"$CC" -O3 -march=native -fopenmp -o "$W/roofline" "$here/roofline.c"
"$MPICC" -O3 -march=native -fno-fast-math -fopenmp -I"$here/../src" -I"$here/../include" -o "$W/kernel_peak" \
  "$here/kernel_peak.c" "$here/../build/libkseg.a" -lm
for dtype in float64 float32; do
  "$PY" "$here/compare_sklearn.py" gen "$W/$dtype.h5" --rows "$ROWS" --cols "$COLS" --k "$K" --dtype "$dtype"
done
wait_quiet
load0=$(loadavg)
OMP_NUM_THREADS=$THREADS "$W/roofline" 16 "$REPS" >"$W/machine.json"
for rep in $(seq "$REPS"); do
  for dtype in float64 float32; do
    OMP_NUM_THREADS=$THREADS "$KSEG_BIN" fit --in "$W/$dtype.h5" --k "$K" --init "$W/$dtype.h5:/init" \
      --max-iter "$ITERS" --tol 0 --algorithm lloyd --out "$W/r.h5" --json >"$W/$dtype.$rep.json"
  done
done
"$W/kernel_peak" 4096 "$REPS" "$SHAPES" >"$W/kernel.json"
load1=$(loadavg)

"$PY" - "$W" "$ROWS" "$COLS" "$K" "$REPS" "$load0" "$load1" <<'PY'
import json, sys
d, rows, cols, k, reps = sys.argv[1], *map(int, sys.argv[2:6])
m = json.load(open(f"{d}/machine.json"))
out = {"rows": rows, "cols": cols, "k": k, "reps": reps, "threads": m["threads"],
       "loadavg_1min": [float(sys.argv[6]), float(sys.argv[7])],
       "machine": {"read_bandwidth_bytes_per_s": m["read_bandwidth_bytes_per_s"],
                   "read_streams_per_thread": m["read_streams_per_thread"],
                   "triad_bandwidth_bytes_per_s": m["triad_bandwidth_bytes_per_s"],
                   "peak_flops_f64": m["peak_flops_f64"], "peak_flops_f32": m["peak_flops_f32"]}}
for dtype, size in (("float64", 8), ("float32", 4)):
    runs = [json.load(open(f"{d}/{dtype}.{r}.json")) for r in range(1, reps + 1)]
    per = min(j["iter_seconds"] / j["n_iter"] for j in runs)
    bytes_ = rows * cols * size + rows * (4 + 4)   # rows read; label read and written
    flops = 2.0 * rows * k * cols
    t_mem = bytes_ / m["read_bandwidth_bytes_per_s"]
    peak = m["peak_flops_f64" if size == 8 else "peak_flops_f32"]
    t_flop = flops / peak
    bound = max(t_mem, t_flop)
    out[dtype] = {"per_iter_seconds": per, "bytes_per_iter": bytes_, "flops_per_iter": flops,
                  "memory_bound_seconds": t_mem, "compute_bound_seconds": t_flop,
                  "binding": "memory" if t_mem > t_flop else "compute",
                  "percent_of_bound": 100.0 * bound / per, "percent_of_fma_peak": 100.0 * t_flop / per,
                  "within_2x_of_bound": per <= 2 * bound,
                  "achieved_flops": flops / per, "achieved_bytes_per_s": bytes_ / per}
out["kernel_in_cache"] = json.load(open(f"{d}/kernel.json"))
print(json.dumps(out, indent=1))
PY
