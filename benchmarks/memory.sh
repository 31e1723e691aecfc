#!/usr/bin/env bash
# memory.sh - peak resident memory per rank of `kseg fit` for several row
# counts and rank counts, printed as one JSON object per run (one per line),
# next to the model of docs/operations.md:
#   bytes/rank ~ base + rows_local x (8 D + 24) + K x D x (32 threads + 48)
# Peak memory must follow rows per rank, not N: doubling N and the ranks
# together keeps it flat.
#
# Usage: benchmarks/memory.sh [ROWS...]   (default 1000000 2000000 4000000;
#        KSEG_MEM_BIG=1 adds 10000000 on 2 ranks). D = 32, K = 8, 5 iterations.
#        Needs /usr/bin/time (Debian package time) and build/kseg.
set -euo pipefail
cd "$(dirname "$0")/.."
KSEG=${KSEG_BIN:-$PWD/build/kseg}
MPIEXEC=${MPIEXEC:-mpiexec}
PY=${KSEG_PYTHON:-/usr/bin/python3}
D=32 K=8
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}
[ -x /usr/bin/time ] || { echo "memory.sh: needs /usr/bin/time (apt-get install time)" >&2; exit 1; }
W=$(mktemp -d "${TMPDIR:-/tmp}/kseg-mem.XXXXXX")
trap 'rm -rf "$W"' EXIT
rows=("$@")
[ ${#rows[@]} -gt 0 ] || rows=(1000000 2000000 4000000)
runs=()
for n in "${rows[@]}"; do runs+=("$n:1" "$n:2"); done
[ "${KSEG_MEM_BIG:-0}" = 1 ] && runs+=("10000000:2")

# Features written in slabs, so this script's own memory stays small.
make_features() {
  "$PY" - "$1" "$2" "$D" <<'PYEOF'
import sys, h5py, numpy as np
path, n, d = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rng = np.random.default_rng(1)
centers = rng.normal(0, 3, (8, d))
with h5py.File(path, "w") as f:
    ds = f.create_dataset("/features", (n, d), dtype="f8")
    for a in range(0, n, 500000):
        b = min(n, a + 500000)
        ds[a:b] = centers[rng.integers(0, 8, b - a)] + rng.normal(0, 1, (b - a, d))
PYEOF
}

for run in "${runs[@]}"; do
  n=${run%:*} np=${run#*:}
  [ -e "$W/f$n.h5" ] || make_features "$W/f$n.h5" "$n"
  rm -f "$W"/rss.*
  t0=$(date +%s.%N)
  "$MPIEXEC" -n "$np" --oversubscribe sh -c \
    'exec /usr/bin/time -f %M -o "$0.$OMPI_COMM_WORLD_RANK" "$@"' "$W/rss" \
    "$KSEG" fit --in "$W/f$n.h5" --k $K --max-iter 5 --tol 0 --out "$W/out.h5" >/dev/null 2>"$W/err" ||
    { cat "$W/err" >&2; exit 1; }
  t1=$(date +%s.%N)
  rm -f "$W/out.h5"
  "$PY" - "$W" "$n" "$np" "$D" "$K" "$OMP_NUM_THREADS" "$t0" "$t1" <<'PYEOF'
import glob, json, sys
w, n, np_, d, k, nt, t0, t1 = sys.argv[1], *map(int, sys.argv[2:7]), float(sys.argv[7]), float(sys.argv[8])
peaks = [int(open(p).read().split()[-1]) * 1024 for p in sorted(glob.glob(f"{w}/rss.*"))]
rows_local = -(-n // np_)
model = rows_local * (8 * d + 24) + k * d * (32 * nt + 48)
print(json.dumps({"rows": n, "d": d, "k": k, "ranks": np_, "threads": nt, "rows_per_rank": rows_local,
                  "peak_rss_mib_per_rank": [round(p / 2**20, 1) for p in peaks],
                  "model_data_mib": round(model / 2**20, 1),
                  "base_mib": round((max(peaks) - model) / 2**20, 1),
                  "seconds": round(t1 - t0, 2)}))
PYEOF
done
