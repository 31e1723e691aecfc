#!/usr/bin/env bash
# Time of `kseg fit` against scikit-learn's KMeans (algorithm="lloyd") from
# the same initial centroids on the same cores, tol 0 for both; prints one
# JSON object with per-iteration and whole-fit speedups, the labels that
# differ from scikit-learn's, and the load average while it ran.
#   Per iteration (defaults): 1M x 32, k 16, 20 iterations; RUNS lists the
#   kseg configurations as RANKSxTHREADS:ALGORITHM.
#   To convergence: ITERS=300 (tol 0: both stop when no label changes), e.g.
#   ROWS=500000 K=64 ITERS=300 RUNS="2x1:auto 2x1:lloyd" compares `auto`
#   with scikit-learn's Lloyd to the same labels.
#   SKLEARN=0 skips scikit-learn (kernel against kernel, e.g. the grid in
#   docs/speed.md); each run then reports whether its labels and centroids
#   equal the first run's.
#   FAISS (default "1 2"): FAISS's k-means as a second peer on each listed
#   thread count (faiss.Clustering over every point, float32, exactly ITERS
#   iterations from /init; per-iteration figures only, as FAISS has no
#   tolerance); FAISS= skips it. Needs python3-faiss (Debian).
#   Each repetition waits for a quiet machine first (benchmarks/lib.sh:
#   MAX_LOAD, POLL, MAX_WAIT) and records the load it started and ended at.
# Environment: ROWS (1000000), COLS (32), K (16), ITERS (20), REPS (2),
# DTYPE (float64 | float32: the matrix kseg and scikit-learn both read),
# RUNS ("2x1:lloyd 1x2:lloyd 2x1:hamerly"), KSEG_BIN (build/kseg),
# PY (/usr/bin/python3), MPIEXEC (mpiexec).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
ROWS=${ROWS:-1000000} COLS=${COLS:-32} K=${K:-16} ITERS=${ITERS:-20} DTYPE=${DTYPE:-float64}
RUNS=${RUNS:-"2x1:lloyd 1x2:lloyd 2x1:hamerly"}
REPS=${REPS:-2}
SKLEARN=${SKLEARN:-1}
FAISS=${FAISS-1 2}
bench_tools
# Before any work: a missing peer would otherwise fail after the data and
# the first repetition's fits.
if [ "$SKLEARN" != 0 ] && [ -n "$FAISS" ] && ! "$PY" -c 'import faiss' 2>/dev/null; then
  echo "compare_sklearn.sh: FAISS is a peer by default (FAISS=\"$FAISS\") but $PY cannot import faiss;" \
    "install it (apt-get install python3-faiss) or run with FAISS= to leave it out" >&2
  exit 1
fi
export OMPI_MCA_btl_vader_single_copy_mechanism=none
bench_workdir bench

"$PY" "$here/compare_sklearn.py" gen "$W/x.h5" --rows "$ROWS" --cols "$COLS" --k "$K" --dtype "$DTYPE"
fit() { # RANKS THREADS ALGORITHM OUT
  OMP_NUM_THREADS=$2 OMP_PROC_BIND=false "$MPIEXEC" -n "$1" --oversubscribe --bind-to none "$KSEG_BIN" fit \
    --in "$W/x.h5" --k "$K" --init "$W/x.h5:/init" --max-iter "$ITERS" --tol 0 --out "$4" --json \
    --algorithm "$3"
}
# REPS runs of each (default 2), the fastest reported: the cores are shared.
load0=$(loadavg)
loads=()
for rep in $(seq "$REPS"); do
  wait_quiet
  l0=$(loadavg)
  results=()
  for run in $RUNS; do
    shape=${run%%:*} algo=${run#*:}
    name="${shape}_$algo"
    fit "${shape%%x*}" "${shape#*x}" "$algo" "$W/$name.h5" >"$W/$name.$rep.json"
    results+=("$W/$name.h5")
  done
  if [ "$SKLEARN" != 0 ]; then
    OMP_NUM_THREADS=2 env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$PY" "$here/compare_sklearn.py" sklearn \
      --max-iter "$ITERS" "$W/x.h5" "${results[@]}" >"$W/sk.$rep.json"
    for t in $FAISS; do
      env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$PY" "$here/compare_sklearn.py" faiss --threads "$t" \
        --max-iter "$ITERS" "$W/x.h5" "${results[@]}" >"$W/faiss$t.$rep.json"
    done
  fi
  loads+=("[$l0, $(loadavg)]")
done
load1=$(loadavg)
loads_json="[$(IFS=,; echo "${loads[*]}")]"

"$PY" - "$W" "$ROWS" "$COLS" "$K" "$REPS" "$DTYPE" "$load0" "$load1" "$SKLEARN" "$loads_json" "$FAISS" $RUNS <<'PY'
import json, sys
d, rows, cols, k, reps, dtype, load0, load1 = sys.argv[1], *map(int, sys.argv[2:6]), sys.argv[6], *map(float, sys.argv[7:9])
with_sklearn = sys.argv[9] != "0"
loads = json.loads(sys.argv[10])
faiss_threads = sys.argv[11].split()
runs = sys.argv[12:]
def best(prefix, per):
    got = [json.load(open(f"{d}/{prefix}.{r}.json")) for r in range(1, reps + 1)]
    return min(got, key=per)
if not with_sklearn:
    import h5py, numpy as np
    out = {"rows": rows, "cols": cols, "k": k, "dtype": dtype, "reps": reps, "loadavg_1min": [load0, load1],
           "loadavg_1min_per_rep": loads, "kseg": {}}
    first = None
    for run in runs:
        shape, algo = run.split(":")
        j = best(f"{shape}_{algo}", lambda j: j["iter_seconds"])
        with h5py.File(f"{d}/{shape}_{algo}.h5", "r") as f:
            got = (f["labels"][()], f["centroids"][()])
        first = first or got
        out["kseg"][f"{algo}_{j['kernel']}_{j['ranks']}_ranks_x_{j['threads']}_threads"] = {
            "per_iter_seconds": j["iter_seconds"] / j["n_iter"], "n_iter": j["n_iter"],
            "iter_seconds": j["iter_seconds"], "fit_seconds": j["fit_seconds"],
            "same_as_first_run": bool(np.array_equal(got[0], first[0]) and np.array_equal(got[1], first[1]))}
    print(json.dumps(out, indent=1))
    sys.exit(0)
sk = best("sk", lambda j: j["seconds"])
out = {"rows": rows, "cols": cols, "k": k, "dtype": dtype, "reps": reps, "loadavg_1min": [load0, load1],
       "loadavg_1min_per_rep": loads,
       "sklearn": {"per_iter_seconds": sk["per_iter_seconds"], "n_iter": sk["n_iter"], "seconds": sk["seconds"]},
       "kseg": {}}
fa = {t: best(f"faiss{t}", lambda j: j["per_iter_seconds"]) for t in faiss_threads}
if fa:
    out["faiss"] = {f"{t}_threads": {"per_iter_seconds": j["per_iter_seconds"], "n_iter": j["n_iter"],
                                      "labels_differ_from_kseg_first_run": j["results"][0]["labels_differ"]}
                    for t, j in fa.items()}
    out["faiss"]["best_per_iter_seconds"] = min(j["per_iter_seconds"] for j in fa.values())
for i, run in enumerate(runs):
    shape, algo = run.split(":")
    j = best(f"{shape}_{algo}", lambda j: j["iter_seconds"])
    res = sk["results"][i]
    per = j["iter_seconds"] / j["n_iter"]
    out["kseg"][f"{algo}_{j['kernel']}_{j['ranks']}_ranks_x_{j['threads']}_threads"] = {
        "per_iter_seconds": per, "n_iter": j["n_iter"], "iter_seconds": j["iter_seconds"],
        "allreduce_seconds": j["allreduce_seconds"], "seconds": j["seconds"],
        "speedup_vs_sklearn_per_iter": sk["per_iter_seconds"] / per,
        **({"speedup_vs_faiss_best_per_iter": out["faiss"]["best_per_iter_seconds"] / per,
            "speedup_vs_faiss_1_thread_per_iter": fa["1"]["per_iter_seconds"] / per if "1" in fa else None}
           if fa else {}),
        "fit_seconds": j["fit_seconds"], "speedup_vs_sklearn_whole_fit": sk["seconds"] / j["fit_seconds"],
        "labels_differ_from_sklearn": res["labels_differ"],
        "labels_agree": res["labels_differ"] == 0,
        "centroid_max_rel_diff": res["centroid_max_rel_diff"]}
print(json.dumps(out, indent=1))
PY
