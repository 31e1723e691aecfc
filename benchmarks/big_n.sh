#!/usr/bin/env bash
# Big N on this machine: ROWS generated customers (`kseg generate --segments
# 5 --seed 1`), then
#   1. `kseg run` on RANKS ranks under /usr/bin/time -v (wall time, CPU time
#      and peak memory per rank in WORK/time.RANK; the sweep samples
#      1,000,000 customers by default above 2,000,000, and run says so);
#   2. `kseg sweep --k 2:8 --n-init 4 --silhouette sample:10000` on run's
#      features, once on a 1,000,000-row sample (--sample) and once on every
#      row: the recommended k of each and the seconds.
# Prints what it measured with the load average around each step. Keeps its
# files in WORK (default /tmp/kseg-bign/ROWS; 20M customers need about 25 GB
# of disk and 6.5 GB of memory per rank at 2 ranks).
# Usage: benchmarks/big_n.sh ROWS   Environment: RANKS (2), WORK, KSEG_BIN, PY.
set -u
ROWS=$1 RANKS=${RANKS:-2}
here=$(cd "$(dirname "$0")" && pwd)
K=${KSEG_BIN:-$here/../build/kseg} PY=${PY:-/usr/bin/python3}
W=${WORK:-/tmp/kseg-bign/$ROWS}
mkdir -p "$W"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
load() { cut -d' ' -f1 /proc/loadavg; }
m() { mpiexec -n "$RANKS" --oversubscribe --bind-to none "$@"; }
echo "start $(date -u +%T) load $(load)"
[ -f "$W/raw.h5" ] || m "$K" generate --rows "$ROWS" --segments 5 --seed 1 --out "$W/raw.h5" --json >"$W/gen.json"
l0=$(load)
export W K
m sh -c '/usr/bin/time -v -o "$W/time.$OMPI_COMM_WORLD_RANK" "$K" run --in "$W/raw.h5" --out "$W/run" --no-report --json' \
  >"$W/run.json" 2>"$W/run.err"
echo "run: rc $? load $l0-$(load)"
grep -hE "Elapsed|User time|System time|Maximum resident" "$W"/time.*
"$PY" -c "import json; j = json.load(open('$W/run.json')); print('seconds', j['seconds'], 'k', j['k'], 'sweep_sample', j.get('sweep_sample'), j['seconds_by_step'])"
grep "seeded sample" "$W/run.err"
for s in 1000000 0; do
  l0=$(load)
  m "$K" sweep --in "$W/run/features.h5" --k 2:8 --n-init 4 --silhouette sample:10000 --sample "$s" \
    --out "$W/sweep$s.h5" --json >"$W/sweep$s.json"
  echo "sweep --sample $s: load $l0-$(load): $("$PY" -c "import json; j = json.load(open('$W/sweep$s.json')); print('k', j['recommended_k'], 'seconds', round(j['seconds'], 1))")"
done
echo "end $(date -u +%T)"
