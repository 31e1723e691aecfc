#!/usr/bin/env bash
# demo.sh - the main job on a fresh machine: set up if needed, generate
# synthetic customers, run the segmentation pipeline on 2 ranks, say where the
# results are.  Environment: ROWS (default 50000), SEGMENTS (5), NP (2),
# OUT (out/demo), K (the sweep range, 2:10).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

ROWS=${ROWS:-50000}
SEGMENTS=${SEGMENTS:-5}
NP=${NP:-2}
OUT=${OUT:-out/demo}
K=${K:-2:10}
mkdir -p "$OUT"
if [ "$(id -u)" -eq 0 ]; then export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1; fi
export OMPI_MCA_rmaps_base_oversubscribe=1 OMP_WAIT_POLICY=passive
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}
kseg() { mpirun -n "$NP" build/kseg "$@"; }

echo "== generating $ROWS synthetic customers from $SEGMENTS latent segments"
kseg generate --rows "$ROWS" --segments "$SEGMENTS" --seed 1 --out "$OUT/raw.h5"
echo "== preparing features (marketing recipe: derived age, children, totals; median imputation; scaling)"
kseg prep --in "$OUT/raw.h5" --out "$OUT/features.h5"
echo "== sweeping k = $K with validation (silhouette on a sample, Calinski-Harabasz, Davies-Bouldin, gap, stability)"
kseg sweep --in "$OUT/features.h5" --k "$K" --out "$OUT/sweep.h5" --silhouette sample:5000 --gap 3 \
  --stability 3 --json > "$OUT/sweep.json"
k=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["recommended_k"])' "$OUT/sweep.json")
python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["recommendation"])' "$OUT/sweep.json"
echo "== fitting k = $k"
kseg fit --in "$OUT/features.h5" --k "$k" --n-init 4 --out "$OUT/result.h5" --json > "$OUT/fit.json"
kseg metrics --in "$OUT/features.h5" --labels "$OUT/result.h5" --silhouette sample:5000 --json > "$OUT/metrics.json"
python3 - "$OUT" <<'PYEOF'
import json, sys
out = sys.argv[1]
fit, met = json.load(open(f"{out}/fit.json")), json.load(open(f"{out}/metrics.json"))
print(f"k={fit['k']}  inertia={fit['inertia']:.1f}  iterations={fit['n_iter']}  "
      f"silhouette={met['silhouette']:.3f}  Calinski-Harabasz={met['calinski_harabasz']:.1f}  "
      f"Davies-Bouldin={met['davies_bouldin']:.3f}")
PYEOF
echo "== results in $OUT: raw.h5 (customers), features.h5 (/features, /prep), sweep.h5 (/sweep),"
echo "   result.h5 (/labels, /centroids), sweep.json, fit.json, metrics.json"
