#!/usr/bin/env bash
# benchmarks/autoencoder.sh - autoencoder training throughput against ranks, as
# JSON on stdout.
#
#   ROWS=200000 LAYERS=32,16,4 EPOCHS=2 BATCH=256 RANKS="1 2" THREADS=1 benchmarks/autoencoder.sh
#
# `kseg generate` ROWS customers, then for each rank count `kseg prep
# --autoencoder LAYERS --epochs EPOCHS --val-fraction 0` (no early stopping:
# every run does the same EPOCHS): seconds per epoch, training samples per
# second, and the slowest rank's seconds in the per-row gradient work and in
# the per-step MPI_Allreduce. The weights are identical for every rank count
# (checked: the runs' /prep/autoencoder must match). Progress goes to stderr.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
KSEG=${KSEG_BIN:-$ROOT/build/kseg}
PY=${KSEG_PYTHON:-/usr/bin/python3}
ROWS=${ROWS:-200000} LAYERS=${LAYERS:-32,16,4} EPOCHS=${EPOCHS:-2} BATCH=${BATCH:-256}
RANKS=${RANKS:-"1 2"} THREADS=${THREADS:-1}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-passive}
export OMP_NUM_THREADS=$THREADS
W=$(mktemp -d "${TMPDIR:-/tmp}/kseg-bench-ae.XXXXXX")
trap 'rm -rf "$W"' EXIT

mpiexec -n 2 --oversubscribe "$KSEG" generate --rows "$ROWS" --segments 4 --seed 1 --out "$W/raw.h5" >&2
for np in $RANKS; do
  echo "autoencoder: $np rank(s)" >&2
  mpiexec -n "$np" --oversubscribe "$KSEG" prep --in "$W/raw.h5" --out "$W/f$np.h5" --autoencoder "$LAYERS" \
    --epochs "$EPOCHS" --batch "$BATCH" --val-fraction 0 --json >"$W/r$np.json"
done
first=$(echo $RANKS | cut -d' ' -f1)
for np in $RANKS; do
  h5diff "$W/f$first.h5" "$W/f$np.h5" /prep/autoencoder /prep/autoencoder >/dev/null \
    || { echo "weights differ between $first and $np ranks" >&2; exit 1; }
done

"$PY" - "$W" "$ROWS" "$LAYERS" "$EPOCHS" "$BATCH" "$THREADS" $RANKS <<'PYEOF'
import json, sys
w, rows, layers, epochs, batch, threads = sys.argv[1:7]
out = {"benchmark": "autoencoder", "rows": int(rows), "layers": layers, "epochs": int(epochs),
       "batch": int(batch), "threads_per_rank": int(threads), "weights_identical_across_ranks": True, "runs": []}
for np_ in sys.argv[7:]:
    a = json.load(open(f"{w}/r{np_}.json"))["autoencoder"]
    sec = a["train_seconds"]
    out["parameters"] = a["parameters"]
    out["runs"].append({"ranks": int(np_), "epochs_run": a["epochs_run"], "train_seconds": sec,
                        "epoch_seconds": a["epoch_seconds"],
                        "samples_per_second": a["train_rows"] * a["epochs_run"] / sec,
                        "gradient_seconds": a["gradient_seconds"], "allreduce_seconds": a["allreduce_seconds"],
                        "final_loss": a["loss"][-1]})
print(json.dumps(out))
PYEOF
