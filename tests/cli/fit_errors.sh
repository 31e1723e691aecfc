# kseg fit on bad input, at 3 ranks: exit 1 (input) or 2 (I/O) quickly, one
# message naming the problem, no output written and an existing output left
# untouched, even when only the last rank's block holds the problem.
source "$(dirname "$0")/lib.sh"
O="$KSEG_TESTS/oracle/kmeans_oracle.py"
"$PY" "$O" gen "$T/ok.h5" --n 300 --d 4 --k 3
# Rows 200.. are on the last of 3 ranks; the first bad row is the one named.
"$PY" "$O" gen "$T/nan.h5" --n 300 --d 4 --k 3 --nan 290,2 --inf 295,1
"$PY" "$O" gen "$T/inf.h5" --n 300 --d 4 --k 3 --inf 250,3
echo "previous result" >"$T/out.h5"
cp "$T/out.h5" "$T/before.h5"

untouched() {
  same_file "$T/out.h5" "$T/before.h5"
  if ls "$T" | grep -q '\.tmp\.'; then fail "a temporary file was left behind: $(ls "$T")"; fi
}
one_message() {
  [ "$(grep -c 'error:' "$T/stderr")" = 1 ] || { cat "$T/stderr" >&2; fail "expected exactly one error message"; }
}

expect_status 1 3 fit --in "$T/missing.h5" --k 3 --out "$T/out.h5"
expect_message "missing.h5"; one_message; untouched

expect_status 1 3 fit --in "$T/ok.h5" --dataset /nope --k 3 --out "$T/out.h5"
expect_message "/nope"; one_message; untouched

expect_status 1 3 fit --in "$T/ok.h5" --dataset /vector --k 3 --out "$T/out.h5"
expect_message "/vector"; expect_message "1-D"; one_message; untouched

expect_status 1 3 fit --in "$T/nan.h5" --k 3 --out "$T/out.h5"
expect_message "NaN at row 290, column 2 ('f2')"; expect_message "nan.h5:/features"; one_message; untouched

expect_status 1 3 fit --in "$T/inf.h5" --k 3 --out "$T/out.h5"
expect_message "-Inf at row 250, column 3 ('f3')"; one_message; untouched

expect_status 1 3 fit --in "$T/ok.h5" --k 0 --out "$T/out.h5"
expect_message "--k must be at least 1"; one_message; untouched

expect_status 1 3 fit --in "$T/ok.h5" --k 301 --out "$T/out.h5"
expect_message "exceeds the number of rows (300)"; one_message; untouched

expect_status 1 3 fit --in "$T/ok.h5" --k 3 --init "$T/ok.h5:/init_bad" --out "$T/out.h5"
expect_message "ok.h5:/init_bad is 4 x 4; expected 3 x 4"; one_message; untouched

expect_status 1 3 fit --in "$T/ok.h5" --k 3 --init "$T/ok.h5:/absent" --out "$T/out.h5"
expect_message "/absent"; one_message; untouched

expect_status 1 3 fit --in "$T/ok.h5" --k 3 --init bogus --out "$T/out.h5"
expect_message "--init expects"; one_message; untouched

expect_status 1 3 fit --in "$T/ok.h5" --k 3 --algorithm minibatch --out "$T/out.h5"
expect_message "--algorithm expects lloyd, hamerly, elkan, yinyang"; one_message; untouched

expect_status 1 3 fit --in "$T/ok.h5" --k 3 --max-iter 0 --out "$T/out.h5"
expect_message "--max-iter"; one_message; untouched

expect_status 1 3 fit --in "$T/ok.h5" --out "$T/out.h5"
expect_message "missing required option --k"; one_message; untouched

expect_status 2 3 fit --in "$T/ok.h5" --k 3 --out "$T/no/such/dir/out.h5"
expect_message "$T/no/such/dir/out.h5"; one_message; untouched

# An I/O failure on one rank just before the rename (test builds).
if have_fault_injection "failures injected at write and kmeans"; then
  KSEG_FAIL_RANK=2 KSEG_FAIL_AT=write expect_status 2 3 fit --in "$T/ok.h5" --k 3 --out "$T/out.h5"
  expect_message "injected failure"; one_message; untouched

  # A failure on one rank in the middle of the computation.
  KSEG_FAIL_RANK=1 KSEG_FAIL_AT=kmeans expect_status 2 3 fit --in "$T/ok.h5" --k 3 --out "$T/out.h5"
  expect_message "injected failure at kmeans on rank 1"; one_message; untouched
fi

# And the same command without faults replaces the old output.
expect_status 0 3 fit --in "$T/ok.h5" --k 3 --out "$T/out.h5"
h5dump -a /k "$T/out.h5" >/dev/null || fail "no result written"
echo "fit_errors: ok"
