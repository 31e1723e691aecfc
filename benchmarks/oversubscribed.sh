#!/usr/bin/env bash
# More ranks than cores: the wall time of the sweep users run (ROWS generated
# customers, marketing recipe, k = K, N_INIT restarts, sampled silhouette)
# with RANKS_OVER (3) unpinned ranks against RANKS_FIT (2), threads left to
# kseg (OMP_NUM_THREADS and OMP_WAIT_POLICY unset: each rank takes its fair
# share of the cores, kseg_cores.h), as one JSON object. On a 2-core machine
# the default is 3 ranks on 2 cores against 2 ranks; the target of issue 18
# is a ratio of at most 2.5. Interleaved, REPS (3) times, each repetition
# after the machine is quiet (benchmarks/lib.sh); best of each, loads printed.
# Environment: ROWS (200000), K (2:8), N_INIT (4), SIL (10000), RANKS_FIT (2),
# RANKS_OVER (3), REPS (3), KSEG_BIN (build/kseg), PY (/usr/bin/python3).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
ROWS=${ROWS:-200000} K=${K:-2:8} N_INIT=${N_INIT:-4} SIL=${SIL:-10000} REPS=${REPS:-3}
RANKS_FIT=${RANKS_FIT:-2} RANKS_OVER=${RANKS_OVER:-3}
bench_tools
unset OMP_NUM_THREADS OMP_WAIT_POLICY GOMP_SPINCOUNT OMP_PROC_BIND
bench_workdir bench-over

mpiexec -n 2 --oversubscribe "$KSEG_BIN" generate --rows "$ROWS" --segments 5 --seed 1 --out "$W/raw.h5" >&2
mpiexec -n 2 --oversubscribe "$KSEG_BIN" prep --in "$W/raw.h5" --out "$W/f.h5" --recipe marketing >&2

loads=()
for rep in $(seq "$REPS"); do
  wait_quiet
  l0=$(loadavg)
  for np in "$RANKS_FIT" "$RANKS_OVER"; do
    t0=$(date +%s.%N)
    mpiexec -n "$np" --oversubscribe --bind-to none "$KSEG_BIN" sweep --in "$W/f.h5" --k "$K" --n-init "$N_INIT" \
      --silhouette "sample:$SIL" --out "$W/s$np.h5" --json >"$W/s$np.$rep.json" 2>"$W/s$np.$rep.err"
    echo "$(date +%s.%N) - $t0" | bc >"$W/t$np.$rep"
  done
  loads+=("[$l0, $(loadavg)]")
done

"$PY" - "$W" "$ROWS" "$K" "$N_INIT" "$REPS" "$RANKS_FIT" "$RANKS_OVER" "[$(IFS=,; echo "${loads[*]}")]" <<'PYEOF'
import json, os, sys
w, rows, krange, n_init, reps, a, b, loads = sys.argv[1], int(sys.argv[2]), sys.argv[3], *map(int, sys.argv[4:8]), \
    json.loads(sys.argv[8])
def best(np):
    return min(float(open(f"{w}/t{np}.{r}").read()) for r in range(1, reps + 1))
ta, tb = best(a), best(b)
same = json.load(open(f"{w}/s{a}.1.json"))["recommended_k"] == json.load(open(f"{w}/s{b}.1.json"))["recommended_k"]
print(json.dumps({"benchmark": "oversubscribed", "rows": rows, "k": krange, "n_init": n_init, "reps": reps,
                  "cores": os.cpu_count(), "loadavg_1min_per_rep": loads,
                  f"wall_seconds_{a}_ranks": ta, f"wall_seconds_{b}_ranks": tb, "ratio": tb / ta,
                  "same_recommended_k": same}, indent=1))
PYEOF
