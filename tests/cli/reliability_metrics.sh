# kseg metrics: every bad input and an injected failure while reading, at 3
# ranks (reliability_lib.sh lists what each case must hold; metrics writes
# no file, so "untouched" only checks nothing appears beside $OUT).
source "$KSEG_TESTS/cli/lib.sh"
source "$KSEG_TESTS/cli/reliability_lib.sh"
make_matrices
F="$T/f.h5"
L=(--labels "$F" --silhouette none)
bad 1 "missing.h5" metrics --in "$T/missing.h5" "${L[@]}"
if unreadable "$F" "$T/locked.h5"; then
  as_unprivileged bad 1 "locked.h5" metrics --in "$T/locked.h5" "${L[@]}"
fi
bad 1 "text.h5" metrics --in "$T/text.h5" "${L[@]}"
bad 1 "random.h5" metrics --in "$T/random.h5" "${L[@]}"
bad 1 "text.h5" metrics --in "$F" --labels "$T/text.h5"
bad 1 "/nope" metrics --in "$F" --dataset /nope "${L[@]}"
bad 1 "/nope" metrics --in "$F" --labels "$F" --labels-dataset /nope
bad 1 "/vector" metrics --in "$F" --dataset /vector "${L[@]}"
bad 1 "/cube" metrics --in "$F" --dataset /cube "${L[@]}"
bad 1 "59 labels" metrics --in "$F" --labels "$F" --labels-dataset /short_labels
bad 1 "NaN at row 55, column 2" metrics --in "$T/nan.h5" "${L[@]}"
bad 1 "+Inf at row 58, column 1" metrics --in "$T/inf.h5" "${L[@]}"
bad 1 "unknown option '--frobnicate'" metrics --in "$F" "${L[@]}" --frobnicate
inject read metrics --in "$F" "${L[@]}"
expect_status 0 3 metrics --in "$F" "${L[@]}"
echo "reliability_metrics: ok"
