#!/bin/bash
# Bad input: exit 1 with a message naming the column or flag; I/O: exit 2;
# a failed run leaves no output behind.
source "$(dirname "$0")/lib.sh"
"$PY" "$KSEG_TESTS/oracle/prep_make_raw.py" "$T/r.h5" 200
# every case at 3 ranks (ranks must agree on the failure), the first ones at 1 too
for np in 1 3; do
  expect_status 1 $np prep --in "$T/r.h5" --out "$T/o.h5" --columns normal,nosuch
  expect_message "unknown column 'nosuch'"
  expect_status 1 $np prep --in "$T/r.h5" --out "$T/o.h5" --columns normal,segment
  expect_message "column 'segment' is categorical, not numeric"
  expect_status 1 $np prep --in "$T/r.h5" --out "$T/o.h5" --recipe generic --columns normal,empty
  expect_message "column 'empty' has no values"
  expect_status 1 $np prep --in "$T/r.h5" --out "$T/o.h5" --recipe generic --columns ties,normal --target NORMAL
  expect_message "column 'normal' is the target (--target normal)"
  [ $np = 1 ] && continue
  expect_status 1 $np prep --in "$T/r.h5" --out "$T/o.h5" --columns normal,const
  expect_message "column 'const' is constant"
  expect_status 1 $np prep --in "$T/r.h5" --out "$T/o.h5" --exclude empty --log1p ties
  expect_message "'ties' has negative values"
  expect_status 1 $np prep --in "$T/r.h5" --out "$T/o.h5" --scale fancy
  expect_message "--scale must be"
  expect_status 1 $np prep --in "$T/r.h5" --out "$T/o.h5" --outliers clip:70
  expect_message "--outliers"
  expect_status 1 $np prep --in "$T/r.h5" --out "$T/o.h5" --recipe marketing
  expect_message "recipe marketing needs column"
  expect_status 1 $np prep --in "$T/missing.h5" --out "$T/o.h5"
  expect_message "missing.h5"
  expect_status 2 $np prep --in "$T/r.h5" --out "$T/no/such/dir/o.h5" --exclude empty
  [ ! -e "$T/o.h5" ] || fail "a failed run left $T/o.h5"
done
# the constant and the empty column are warnings when not asked for by name
expect_status 0 2 prep --in "$T/r.h5" --out "$T/o.h5" --exclude empty
expect_message "warning: not a feature: 'const' (constant (4))"
expect_status 0 2 prep --in "$T/r.h5" --out "$T/o.h5"
expect_message "warning: not a feature: 'empty' (all 200 values missing)"
expect_status 0 1 prep --help
grep -q -- "--outliers" "$T/stdout" || fail "help does not list --outliers"
# one rank failing while writing: every rank exits 2 (no hang), the previous
# output is left as it was and no temporary file stays behind
cp "$T/o.h5" "$T/before.h5"
if have_fault_injection "failures injected at prep:write and prep:read"; then
  KSEG_FAIL_RANK=1 KSEG_FAIL_AT=prep:write expect_status 2 3 prep --in "$T/r.h5" --out "$T/o.h5" --exclude empty \
    --scale robust
  expect_message "injected failure at prep:write on rank 1"
  same_file "$T/o.h5" "$T/before.h5"
  ls "$T" | grep -q "o.h5.tmp" && fail "a temporary file was left behind"
  KSEG_FAIL_RANK=2 KSEG_FAIL_AT=prep:read expect_status 2 3 prep --in "$T/r.h5" --out "$T/o.h5" --exclude empty
  expect_message "injected failure at prep:read on rank 2"
fi
echo "prep_errors: ok"
