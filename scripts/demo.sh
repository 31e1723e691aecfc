#!/usr/bin/env bash
# demo.sh - the main job on a fresh machine: set up if needed, generate
# synthetic customers, `kseg run` them on 2 ranks (import .. report), say where
# the results are.  Environment: ROWS (default 50000), SEGMENTS (5), NP (2),
# OUT (out/demo), K (the sweep range, 3:10).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

ROWS=${ROWS:-50000}
SEGMENTS=${SEGMENTS:-5}
NP=${NP:-2}
OUT=${OUT:-out/demo}
K=${K:-3:10}
mkdir -p "$OUT"
if [ "$(id -u)" -eq 0 ]; then export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1; fi
export OMPI_MCA_rmaps_base_oversubscribe=1 OMP_WAIT_POLICY=passive
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}
kseg() { mpirun -n "$NP" build/kseg "$@"; }

echo "== generating $ROWS synthetic customers from $SEGMENTS latent segments"
kseg generate --rows "$ROWS" --segments "$SEGMENTS" --seed 1 --out "$OUT/customers.h5"
echo "== kseg run: prep (recipe detected), k sweep $K with validation, fit at the recommended k, profiles,"
echo "   model, segments.csv and the report"
kseg run --in "$OUT/customers.h5" --out "$OUT" --k "$K" --json > "$OUT/run.json"
echo "== results in $OUT: segments.csv (one line per customer), profiles.csv/.json/.h5, model.h5 (kseg assign),"
echo "   result.h5 (/labels, /centroids), sweep.h5, features.h5, raw.h5, run.json, report.html (when rendered)"
