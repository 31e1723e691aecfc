# kseg sweep: every bad input and an injected failure at each phase, at 3
# ranks (reliability_lib.sh lists what each case must hold). Its default
# checkpoint <out>.ckpt.h5 lands beside the output, so "nothing left behind"
# also covers it.
source "$KSEG_TESTS/cli/lib.sh"
source "$KSEG_TESTS/cli/reliability_lib.sh"
make_matrices
F="$T/f.h5"
S=(--n-init 1 --silhouette none)
bad 1 "missing.h5" sweep --in "$T/missing.h5" --k 2:4 --out "$OUT"
if unreadable "$F" "$T/locked.h5"; then
  as_unprivileged bad 1 "locked.h5" sweep --in "$T/locked.h5" --k 2:4 --out "$OUT"
fi
bad 1 "text.h5" sweep --in "$T/text.h5" --k 2:4 --out "$OUT"
bad 1 "random.h5" sweep --in "$T/random.h5" --k 2:4 --out "$OUT"
bad 1 "/nope" sweep --in "$F" --dataset /nope --k 2:4 --out "$OUT"
bad 1 "/vector" sweep --in "$F" --dataset /vector --k 2:4 --out "$OUT"
bad 1 "/cube" sweep --in "$F" --dataset /cube --k 2:4 --out "$OUT"
bad 1 "NaN at row 55, column 2" sweep --in "$T/nan.h5" --k 2:4 --out "$OUT"
bad 1 "+Inf at row 58, column 1" sweep --in "$T/inf.h5" --k 2:4 --out "$OUT"
bad 1 "k >= 2" sweep --in "$F" --k 0:4 --out "$OUT"
bad 1 "empty k range 5:2" sweep --in "$F" --k 5:2 --out "$OUT"
bad 1 "61" sweep --in "$F" --k 2:61 --out "$OUT"
bad 1 "unknown option '--frobnicate'" sweep --in "$F" --k 2:4 --out "$OUT" --frobnicate
bad 2 "/proc" sweep --in "$F" --k 2:4 --out /proc/o.h5
bad 1 "$T/no/such/dir" sweep --in "$F" --k 2:4 --out "$T/no/such/dir/o.h5"

if have_fault_injection "failures injected at each phase, and the resume after one"; then
  # A failure after the first k leaves the checkpoint on purpose, and it
  # resumes to the same result as an unfaulted run.
  expect_status 0 1 sweep --in "$F" --k 2:4 "${S[@]}" --out "$T/ref.h5"
  REL_KEEP=o.h5.ckpt.h5
  for phase in read write kmeans sweep_checkpoint; do
    rm -f "$OUTDIR/o.h5.ckpt.h5"
    inject "$phase" sweep --in "$F" --k 2:4 "${S[@]}" --out "$OUT"
  done
  # (sweep_checkpoint fails just after the first checkpoint is written)
  [ -e "$OUTDIR/o.h5.ckpt.h5" ] || fail "a failure after the first checkpoint left none"
  expect_status 0 3 sweep --in "$F" --k 2:4 "${S[@]}" --out "$T/resumed.h5" --checkpoint "$OUTDIR/o.h5.ckpt.h5" --resume
  h5diff --exclude-path /sweep/seconds "$T/ref.h5" "$T/resumed.h5" >/dev/null || fail "resume after a failure differs"
  REL_KEEP=
fi
expect_status 0 3 sweep --in "$F" --k 2:4 "${S[@]}" --out "$OUT"
h5dump -a /sweep/recommended_k "$OUT" >/dev/null || fail "no sweep written"
echo "reliability_sweep: ok"
