#!/bin/bash
# kseg profile refuses bad input with exit 1 and a clear message, leaves no
# output behind and does not touch an existing one.
source "$(dirname "$0")/lib.sh"
kseg_np 1 generate --rows 200 --seed 3 --out "$T/raw.h5" >/dev/null 2>&1
"$PY" - "$T" <<'PY'
import sys, h5py, numpy as np
d = sys.argv[1]
lab = np.arange(200, dtype=np.int32) % 3
with h5py.File(f"{d}/lab.h5", "w") as f:
    f["/labels"] = lab
with h5py.File(f"{d}/short.h5", "w") as f:
    f["/labels"] = lab[:199]
neg = lab.copy(); neg[123] = -2
with h5py.File(f"{d}/neg.h5", "w") as f:
    f["/labels"] = neg
PY
mkdir "$T/out"
echo "previous csv" >"$T/out/p.csv"
echo "previous json" >"$T/out/p.json"
check_untouched() {
  [ "$(cat "$T/out/p.csv")" = "previous csv" ] && [ "$(cat "$T/out/p.json")" = "previous json" ] \
    || fail "existing output was modified"
  [ ! -e "$T/out/p.h5" ] || fail "an .h5 output was left"
  [ -z "$(ls "$T/out" | grep tmp || true)" ] || fail "temporary files left: $(ls "$T/out")"
}
expect_status 1 3 profile --raw "$T/raw.h5" --labels "$T/short.h5" --out "$T/out/p.csv"
expect_message "199 labels"
check_untouched
expect_status 1 2 profile --raw "$T/raw.h5" --labels "$T/lab.h5" --out "$T/out/p.csv" --target Nope
expect_message "'Nope'"
check_untouched
expect_status 1 2 profile --raw "$T/raw.h5" --labels "$T/lab.h5" --out "$T/out/p.csv" --target Income
expect_message "not a 0/1 column"
check_untouched
expect_status 1 3 profile --raw "$T/raw.h5" --labels "$T/missing.h5" --out "$T/out/p.csv"
expect_message "missing.h5"
check_untouched
expect_status 1 3 profile --raw "$T/raw.h5" --labels "$T/neg.h5" --out "$T/out/p.csv"
expect_message "row 123"
check_untouched
expect_status 1 2 profile --raw "$T/raw.h5" --labels "$T/lab.h5" --labels-dataset /nope --out "$T/out/p.csv"
expect_message "/nope"
check_untouched
expect_status 1 2 profile --raw "$T/raw.h5" --labels "$T/lab.h5" --out "$T/out"
expect_message "directory"
expect_status 1 1 profile --raw "$T/raw.h5" --labels "$T/lab.h5"
expect_message "missing required option --out"
# an unwritable place is an I/O failure (exit 2), still nothing left
expect_status 2 2 profile --raw "$T/raw.h5" --labels "$T/lab.h5" --out "$T/no/such/dir/p.csv"
expect_message "no/such/dir"
# a failure on one rank, while computing or while writing: all ranks stop
# (exit 2), nothing is left and the old files stay
if have_fault_injection "failures injected at profile:compute and profile:write"; then
  for phase in profile:compute profile:write; do
    KSEG_FAIL_RANK=1 KSEG_FAIL_AT=$phase expect_status 2 3 profile --raw "$T/raw.h5" --labels "$T/lab.h5" \
      --out "$T/out/p.csv"
    expect_message "injected failure at $phase"
    check_untouched
  done
fi
# and a good run replaces the old files
expect_status 0 2 profile --raw "$T/raw.h5" --labels "$T/lab.h5" --out "$T/out/p.csv" --target Complain
head -1 "$T/out/p.csv" | grep -q "^segment,name,action,size,share" || fail "new csv not written"
[ -s "$T/out/p.h5" ] || fail "new h5 not written"
[ -z "$(ls "$T/out" | grep tmp || true)" ] || fail "temporary files left: $(ls "$T/out")"
# a label never used is an empty segment, not an error
"$PY" -c "
import h5py, numpy as np
with h5py.File('$T/gap.h5', 'w') as f:
    f['/labels'] = (np.arange(200, dtype=np.int32) % 2) * 2
"
expect_status 0 3 profile --raw "$T/raw.h5" --labels "$T/gap.h5" --out "$T/gap.csv"
grep -q "^1,Empty segment 1,None: no customer in this segment,0,0," "$T/gap.csv" || fail "empty segment row: $(sed -n 3p "$T/gap.csv")"
echo "bad inputs refused"
