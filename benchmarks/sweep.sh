#!/usr/bin/env bash
# benchmarks/sweep.sh - k sweep throughput and silhouette cost, as JSON on stdout.
#
#   ROWS=1000000 D=8 K=2:12 N_INIT=10 RANKS=2 SIL_N=20000 SAMPLE=2000 benchmarks/sweep.sh
#
# 1. ROWS x D Gaussian blobs (8 centres, scikit-learn's make_blobs) in HDF5;
# 2. `kseg sweep --k K --n-init N_INIT --silhouette none` on RANKS ranks:
#    seconds, and customers x k per second (ROWS x number of k / seconds);
# 3. silhouette of the k=8 labels on the first SIL_N rows: kseg exact (ring),
#    kseg sampled (SAMPLE rows), scikit-learn's silhouette_score exact and with
#    sample_size=SAMPLE, on the same rows and labels;
# 4. with SKLEARN_SWEEP=1 (default), scikit-learn's KMeans(n_init=N_INIT) over
#    the same k on the same data, for scale (it uses all cores of the machine).
# Progress and tool output go to stderr. Needs build/kseg and Debian's python3.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
KSEG=${KSEG_BIN:-$ROOT/build/kseg}
PY=${KSEG_PYTHON:-/usr/bin/python3}
ROWS=${ROWS:-1000000} D=${D:-8} K=${K:-2:12} N_INIT=${N_INIT:-10} RANKS=${RANKS:-2}
SIL_N=${SIL_N:-20000} SAMPLE=${SAMPLE:-2000} SKLEARN_SWEEP=${SKLEARN_SWEEP:-1}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-passive}
W=$(mktemp -d "${TMPDIR:-/tmp}/kseg-bench-sweep.XXXXXX")
trap 'rm -rf "$W"' EXIT
run() { mpiexec -n "$RANKS" --oversubscribe "$KSEG" "$@"; }

"$PY" - "$W" "$ROWS" "$D" "$SIL_N" <<'PYEOF' >&2
import sys, h5py, numpy as np
from sklearn.datasets import make_blobs
w, n, d, s = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
X, _ = make_blobs(n_samples=n, centers=8, n_features=d, cluster_std=2.0, random_state=0)
with h5py.File(f"{w}/bench.h5", "w") as f:
    f["/features"] = X
with h5py.File(f"{w}/small.h5", "w") as f:
    f["/features"] = X[:min(s, n)]
PYEOF

run sweep --in "$W/bench.h5" --k "$K" --n-init "$N_INIT" --silhouette none --out "$W/sweep.h5" --json \
  > "$W/sweep.json"

# labels of the small set: nearest of the sweep's k=8 centroids (or its largest k)
"$PY" - "$W" <<'PYEOF' >&2
import sys, h5py, numpy as np
w = sys.argv[1]
s = h5py.File(f"{w}/sweep.h5", "r")["/sweep"]
ks = list(s["k"][...])
k = 8 if 8 in ks else ks[-1]
C = s[f"centroids/k{k}"][...]
X = h5py.File(f"{w}/small.h5", "r")["/features"][...]
lab = np.argmin(((X[:, None, :] - C[None]) ** 2).sum(axis=2), axis=1).astype(np.int32)
with h5py.File(f"{w}/labels.h5", "w") as f:
    f["/labels"] = lab
PYEOF
run metrics --in "$W/small.h5" --labels "$W/labels.h5" --silhouette exact --silhouette-exact-max 100000000 --json \
  > "$W/exact.json"
run metrics --in "$W/small.h5" --labels "$W/labels.h5" --silhouette "sample:$SAMPLE" --json > "$W/sampled.json"

"$PY" - "$W" "$ROWS" "$D" "$N_INIT" "$RANKS" "$SAMPLE" "$SKLEARN_SWEEP" <<'PYEOF'
import json, os, sys, time
import h5py, numpy as np
from sklearn.cluster import KMeans
from sklearn.metrics import silhouette_score
w, rows, d, n_init, ranks, sample, sk_sweep = sys.argv[1], *map(int, sys.argv[2:8])
sw = json.load(open(f"{w}/sweep.json"))
ex, sa = json.load(open(f"{w}/exact.json")), json.load(open(f"{w}/sampled.json"))
X = h5py.File(f"{w}/small.h5", "r")["/features"][...]
lab = h5py.File(f"{w}/labels.h5", "r")["/labels"][...]
t = time.perf_counter(); sk_exact = silhouette_score(X, lab); sk_exact_s = time.perf_counter() - t
t = time.perf_counter(); sk_sample = silhouette_score(X, lab, sample_size=sample, random_state=0)
sk_sample_s = time.perf_counter() - t
n_k = len(sw["table"])
sk_sweep_s = None
if sk_sweep:
    B = h5py.File(f"{w}/bench.h5", "r")["/features"][...]
    t = time.perf_counter()
    for r in sw["table"]:
        KMeans(r["k"], n_init=n_init, random_state=0).fit(B)
    sk_sweep_s = time.perf_counter() - t
print(json.dumps({
    "benchmark": "sweep", "rows": rows, "d": d, "k": [r["k"] for r in sw["table"]], "n_init": n_init,
    "ranks": ranks, "threads": int(os.environ.get("OMP_NUM_THREADS", "0")) or None,
    "sweep_seconds": sw["seconds"], "customer_k_per_second": rows * n_k / sw["seconds"],
    "recommended_k": sw["recommended_k"],
    "sklearn_kmeans_sweep_seconds": sk_sweep_s,
    "seconds_per_k": {str(r["k"]): r["seconds"] for r in sw["table"]},
    "silhouette": {
        "rows": int(len(X)), "sample": sample,
        "kseg_exact_seconds": ex["silhouette_seconds"], "kseg_exact": ex["silhouette"],
        "kseg_sampled_seconds": sa["silhouette_seconds"], "kseg_sampled": sa["silhouette"],
        "sklearn_exact_seconds": sk_exact_s, "sklearn_exact": float(sk_exact),
        "sklearn_sampled_seconds": sk_sample_s, "sklearn_sampled": float(sk_sample),
    },
}, indent=1))
PYEOF
