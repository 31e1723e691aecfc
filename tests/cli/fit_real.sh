# kseg fit on the real credit-card data (cc_general.csv, standardized, k = 8):
# scikit-learn's labels, centroids, inertia and n_iter from the same initial
# centroids, with tol 0 and the default tol, identical at 1 and 3 ranks and
# with Hamerly's algorithm.
source "$(dirname "$0")/lib.sh"
O="$KSEG_TESTS/oracle/kmeans_oracle.py"
"$PY" "$O" real "$KSEG_DATA/cc_general.csv" "$T/cc.h5" --k 8
for tol in 0 1e-4; do
  for np in 1 3; do
    kseg_np $np fit --in "$T/cc.h5" --k 8 --init "$T/cc.h5:/init" --tol $tol --out "$T/cc.$tol.$np.h5" \
      || fail "tol $tol on $np ranks failed"
  done
  kseg_np 2 fit --in "$T/cc.h5" --k 8 --init "$T/cc.h5:/init" --tol $tol --algorithm hamerly --out "$T/cc.$tol.h.h5" \
    || fail "tol $tol with hamerly failed"
  "$PY" "$O" check "$T/cc.h5" "$T/cc.$tol.1.h5" "$T/cc.$tol.3.h5" "$T/cc.$tol.h.h5" --tol $tol \
    || fail "tol $tol differs from scikit-learn or across runs"
done
echo "fit_real: ok"
