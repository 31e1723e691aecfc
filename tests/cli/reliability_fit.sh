# kseg fit: every bad input and an injected failure at each phase, at 3
# ranks (reliability_lib.sh lists what each case must hold).
source "$KSEG_TESTS/cli/lib.sh"
source "$KSEG_TESTS/cli/reliability_lib.sh"
make_matrices
F="$T/f.h5"
bad 1 "missing.h5" fit --in "$T/missing.h5" --k 3 --out "$OUT"
if unreadable "$F" "$T/locked.h5"; then
  as_unprivileged bad 1 "locked.h5" fit --in "$T/locked.h5" --k 3 --out "$OUT"
fi
bad 1 "text.h5" fit --in "$T/text.h5" --k 3 --out "$OUT"
bad 1 "random.h5" fit --in "$T/random.h5" --k 3 --out "$OUT"
bad 1 "/nope" fit --in "$F" --dataset /nope --k 3 --out "$OUT"
bad 1 "/vector" fit --in "$F" --dataset /vector --k 3 --out "$OUT"
bad 1 "/cube" fit --in "$F" --dataset /cube --k 3 --out "$OUT"
bad 1 "NaN at row 55, column 2" fit --in "$T/nan.h5" --k 3 --out "$OUT"
bad 1 "+Inf at row 58, column 1" fit --in "$T/inf.h5" --k 3 --out "$OUT"
bad 1 "--k must be at least 1" fit --in "$F" --k 0 --out "$OUT"
bad 1 "--k must be at least 1" fit --in "$F" --k -4 --out "$OUT"
bad 1 "exceeds the number of rows (60)" fit --in "$F" --k 61 --out "$OUT"
bad 1 "unknown option '--frobnicate'" fit --in "$F" --k 3 --out "$OUT" --frobnicate
bad 1 "--k expects an integer" fit --in "$F" --k 2:5 --out "$OUT"
bad 1 "is 4 x 2; expected 3 x 3" fit --in "$F" --k 3 --init "$F:/init_bad" --out "$OUT"
bad 1 "text.h5 is not an HDF5 file" fit --in "$F" --k 3 --init "$T/text.h5:/features" --out "$OUT"
bad 2 "/proc/o.h5" fit --in "$F" --k 3 --out /proc/o.h5
bad 2 "$T/no/such/dir" fit --in "$F" --k 3 --out "$T/no/such/dir/o.h5"
bad 1 "must be different files" fit --in "$F" --k 3 --out "$OUT" --checkpoint "$OUT"
# the output is a directory
mkdir "$T/adir"
expect_status 1 3 fit --in "$F" --k 3 --out "$T/adir"
expect_message "$T/adir"
[ -d "$T/adir" ] && [ -z "$(ls -A "$T/adir")" ] || fail "the directory output was changed"

for phase in read kmeans write; do
  inject "$phase" fit --in "$F" --k 3 --out "$OUT"
done
inject fit_checkpoint fit --in "$F" --k 3 --out "$OUT" --checkpoint "$OUTDIR/ck.h5" --checkpoint-every 1 --tol 0
# and the same command, unfaulted, replaces the output
expect_status 0 3 fit --in "$F" --k 3 --out "$OUT"
h5dump -a /k "$OUT" >/dev/null || fail "no result written"
echo "reliability_fit: ok"
