#!/bin/bash
# kseg prep --autoencoder on generated customers: /features and
# /prep/autoencoder identical at 1, 2, 3 ranks and at 2 threads; the training
# loss falls well under half its first-epoch value; the saved /prep replayed
# by a separate program (kseg_prep_apply) at another rank count gives
# /features bit for bit; numpy applying the saved encoder to the scaled
# features agrees to rounding.
source "$(dirname "$0")/lib.sh"
: "${KSEG_REPLAY:?set by tests/autoencoder.cmake}"
replay() { local np=$1; shift; "$MPIEXEC" -n "$np" --oversubscribe "$KSEG_REPLAY" "$@"; }
kseg_np 2 generate --rows 3000 --segments 4 --seed 3 --out "$T/g.h5" >/dev/null 2>&1
AE=(--autoencoder 32,16,4 --epochs 30 --ae-seed 7 --patience 4)
for np in 1 2 3; do
  kseg_np $np prep --in "$T/g.h5" --out "$T/f$np.h5" "${AE[@]}" --json >"$T/f$np.json"
done
OMP_NUM_THREADS=2 kseg_np 1 prep --in "$T/g.h5" --out "$T/ft.h5" "${AE[@]}"
for f in f2 f3 ft; do h5_same "$T/f1.h5" "$T/$f.h5" /features /prep/autoencoder; done
"$PY" - "$T"/f[123].json <<'PY' || fail "the --json autoencoder reports differ between rank counts"
import json, sys
a = [json.load(open(p))["autoencoder"] for p in sys.argv[1:]]
r = [{k: v for k, v in x.items() if not k.endswith("seconds") and k != "shared_step_ranks"} for x in a]
assert r[0] == r[1] == r[2]
# 2 and 3 ranks of one thread on one node share each step (0: a static split)
assert [x["shared_step_ranks"] for x in a] in ([0, 2, 3], [0, 0, 0]), [x["shared_step_ranks"] for x in a]
PY
kseg_np 2 prep --in "$T/g.h5" --out "$T/scaled.h5"
"$PY" - "$T/f1.h5" "$T/f1.json" "$T/scaled.h5" <<'PY'
import sys, json, h5py, numpy as np
h = h5py.File(sys.argv[1], "r")
x = h["features"][...]
assert x.shape == (3000, 4) and np.isfinite(x).all(), x.shape
cols = [c.decode() if isinstance(c, bytes) else c for c in h["features"].attrs["columns"]]
assert cols == ["ae1", "ae2", "ae3", "ae4"], cols
g = h["prep/autoencoder"]
layers = g.attrs["layers"]
layers = layers.decode() if isinstance(layers, bytes) else layers
assert layers == "32,16,4", layers
D = int(g.attrs["input_dim"])
assert list(g["sizes"][...]) == [D, 32, 16, 4, 16, 32, D]
loss, val = g["loss"][...], g["val_loss"][...]
j = json.load(open(sys.argv[2]))["autoencoder"]
assert j["loss"] == list(loss) and j["epochs_run"] == len(loss)
best = int(g.attrs["best_epoch"])
assert val[best - 1] == val.min(), (best, val)
assert loss[-1] < 0.4 * loss[0], loss            # well under half the first epoch
# the saved encoder applied by numpy to the scaled features (kseg prep
# without a projection fits the same statistics) reproduces /features, to
# rounding: numpy's dot products sum in another order
a = h5py.File(sys.argv[3], "r")["features"][...]
for l in range(3):
    a = a @ g[f"layer{l}/kernel"][...] + g[f"layer{l}/bias"][...]
    if l < 2:
        a = np.maximum(a, 0)
assert np.abs(a - x).max() < 1e-10 * max(1, np.abs(x).max()), np.abs(a - x).max()
print("loss", loss[0], "->", loss[-1], "best epoch", best, "of", len(loss))
PY
for np in 1 3; do replay $np "$T/g.h5" "$T/f2.h5"; done
echo "autoencoder_prep: ok"
