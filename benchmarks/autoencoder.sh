#!/usr/bin/env bash
# benchmarks/autoencoder.sh - autoencoder training throughput against ranks, as
# JSON on stdout.
#
#   ROWS=200000 LAYERS=32,16,4 EPOCHS=2 BATCH=256 RANKS="1 2" THREADS=1 benchmarks/autoencoder.sh
#   BUSY=1 ...: one other busy process (a shell spinning) runs beside each
#   training, started after the machine is quiet (benchmarks/lib.sh), as on
#   a shared laptop; REPS (1) repetitions per rank count, the best kept.
#
# `kseg generate` ROWS customers, then for each rank count `kseg prep
# --autoencoder LAYERS --epochs EPOCHS --val-fraction 0` (no early stopping:
# every run does the same EPOCHS): seconds per epoch, training samples per
# second, and the slowest rank's seconds in the per-row gradient work and in
# the per-step MPI_Allreduce. The weights are identical for every rank count
# (checked: the runs' /prep/autoencoder must match). Progress goes to stderr.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/.." && pwd)
KSEG=${KSEG_BIN:-$ROOT/build/kseg}
PY=${KSEG_PYTHON:-/usr/bin/python3}
ROWS=${ROWS:-200000} LAYERS=${LAYERS:-32,16,4} EPOCHS=${EPOCHS:-2} BATCH=${BATCH:-256}
RANKS=${RANKS:-"1 2"} THREADS=${THREADS:-1} BUSY=${BUSY:-0} REPS=${REPS:-1}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-passive}
export OMP_NUM_THREADS=$THREADS
W=$(mktemp -d "${TMPDIR:-/tmp}/kseg-bench-ae.XXXXXX")
busy_pid=
trap '[ -n "$busy_pid" ] && kill "$busy_pid" 2>/dev/null; rm -rf "$W"' EXIT

mpiexec -n 2 --oversubscribe "$KSEG" generate --rows "$ROWS" --segments 4 --seed 1 --out "$W/raw.h5" >&2
for rep in $(seq "$REPS"); do
  for np in $RANKS; do
    wait_quiet
    l0=$(loadavg)
    if [ "$BUSY" = 1 ]; then
      bash -c 'while :; do :; done' &
      busy_pid=$!
    fi
    echo "autoencoder: $np rank(s), repetition $rep, busy $BUSY" >&2
    mpiexec -n "$np" --oversubscribe "$KSEG" prep --in "$W/raw.h5" --out "$W/f$np.h5" --autoencoder "$LAYERS" \
      --epochs "$EPOCHS" --batch "$BATCH" --val-fraction 0 --json >"$W/r$np.$rep.json"
    if [ -n "$busy_pid" ]; then
      kill "$busy_pid"
      wait "$busy_pid" 2>/dev/null || true
      busy_pid=
    fi
    echo "$l0 $(loadavg)" >"$W/load$np.$rep"
  done
done
first=$(echo $RANKS | cut -d' ' -f1)
for np in $RANKS; do
  h5diff "$W/f$first.h5" "$W/f$np.h5" /prep/autoencoder /prep/autoencoder >/dev/null \
    || { echo "weights differ between $first and $np ranks" >&2; exit 1; }
done

"$PY" - "$W" "$ROWS" "$LAYERS" "$EPOCHS" "$BATCH" "$THREADS" "$BUSY" "$REPS" $RANKS <<'PYEOF'
import json, sys
w, rows, layers, epochs, batch, threads, busy, reps = sys.argv[1:9]
out = {"benchmark": "autoencoder", "rows": int(rows), "layers": layers, "epochs": int(epochs),
       "batch": int(batch), "threads_per_rank": int(threads), "busy_process": busy == "1",
       "weights_identical_across_ranks": True, "runs": []}
for np_ in sys.argv[9:]:
    tries = [(json.load(open(f"{w}/r{np_}.{r}.json"))["autoencoder"],
              [float(v) for v in open(f"{w}/load{np_}.{r}").read().split()]) for r in range(1, int(reps) + 1)]
    a, load = min(tries, key=lambda t: t[0]["train_seconds"])
    sec = a["train_seconds"]
    out["parameters"] = a["parameters"]
    out["runs"].append({"ranks": int(np_), "epochs_run": a["epochs_run"], "train_seconds": sec,
                        "epoch_seconds": a["epoch_seconds"],
                        "samples_per_second": a["train_rows"] * a["epochs_run"] / sec,
                        "gradient_seconds": a["gradient_seconds"], "allreduce_seconds": a["allreduce_seconds"],
                        "shared_step_ranks": a.get("shared_step_ranks", 0),
                        "final_loss": a["loss"][-1], "loadavg_1min_start_end": load,
                        "loadavg_1min_per_rep": [l for _, l in tries]})
print(json.dumps(out))
PYEOF
