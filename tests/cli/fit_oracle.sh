# kseg fit against scikit-learn's KMeans (Lloyd) from the same initial
# centroids, at 1, 2 and 3 ranks and 1 or 2 threads: labels identical,
# centroids and inertia within 1e-9 relative, n_iter equal; outputs
# bit-identical across rank and thread counts.
source "$(dirname "$0")/lib.sh"
O="$KSEG_TESTS/oracle/kmeans_oracle.py"

check_all() { # NAME GEN_ARGS... -- FIT_ARGS... -- CHECK_ARGS...
  local name=$1; shift
  local gen=() fit=() chk=() outs=()
  while [ "$1" != -- ]; do gen+=("$1"); shift; done; shift
  while [ "$1" != -- ]; do fit+=("$1"); shift; done; shift
  chk=("$@")
  "$PY" "$O" gen "$T/$name.h5" "${gen[@]}"
  for np in 1 2 3; do
    kseg_np $np fit --in "$T/$name.h5" --init "$T/$name.h5:/init" --out "$T/$name.np$np.h5" "${fit[@]}" \
      || fail "$name: kseg fit on $np ranks failed"
    outs+=("$T/$name.np$np.h5")
  done
  OMP_NUM_THREADS=2 OMP_WAIT_POLICY=passive kseg_np 1 fit --in "$T/$name.h5" --init "$T/$name.h5:/init" --out "$T/$name.t2.h5" "${fit[@]}" \
    || fail "$name: kseg fit with 2 threads failed"
  outs+=("$T/$name.t2.h5")
  for other in "${outs[@]:1}"; do h5_same "${outs[0]}" "$other" /labels /centroids; done
  "$PY" "$O" check "$T/$name.h5" "${outs[@]}" "${chk[@]}" || fail "$name: differs from scikit-learn or across runs"
}

# Blobs + noise, more clusters than blobs: several iterations, tol 0.
check_all plain --k 6 --seed 1 -- --k 6 --tol 0 -- --tol 0
# A duplicate and a far-away initial centroid: two empty clusters relocated.
check_all empty --k 6 --seed 3 --empty -- --k 6 --tol 0 -- --tol 0
# Stopped by max-iter (labels re-assigned to the final centroids).
check_all maxiter --k 8 --seed 5 -- --k 8 --tol 0 --max-iter 3 -- --tol 0 --max-iter 3
# Stopped by the centroid shift within tol x mean variance.
check_all tol --k 8 --seed 5 -- --k 8 --tol 0.01 -- --tol 0.01
# float32 data on well-separated blobs: labels as scikit-learn's.
check_all f32 --k 5 --seed 4 --float32 --spread 30 -- --k 5 --tol 0 -- --tol 0 --labels-only
echo "fit_oracle: ok"
