# kseg sweep refuses bad ranges, bad options, missing input and an
# unwritable output with exit 1 and a message, on every rank count.
source "$KSEG_TESTS/cli/lib.sh"
export OMP_WAIT_POLICY=passive
"$PY" -c "
import sys, h5py, numpy as np
with h5py.File(sys.argv[1], 'w') as f:
    f['/features'] = np.random.default_rng(1).normal(size=(30, 3))
with h5py.File(sys.argv[2], 'w') as f:
    x = np.random.default_rng(1).normal(size=(30, 3)); x[17, 1] = np.nan
    f['/features'] = x" "$T/f.h5" "$T/nan.h5"
# every check at 2 ranks (mpiexec start-up dominates), a few at 1 and 3 below
for np in 2; do
  expect_status 1 $np sweep --in "$T/f.h5" --k 12:2 --out "$T/s.h5"
  expect_message "empty k range 12:2"
  expect_status 1 $np sweep --in "$T/f.h5" --k 0:3 --out "$T/s.h5"
  expect_message "k >= 2"
  expect_status 1 $np sweep --in "$T/f.h5" --k 1:3 --out "$T/s.h5"
  expect_message "k >= 2"
  expect_status 1 $np sweep --in "$T/f.h5" --k 2:30 --out "$T/s.h5"
  expect_message "30 the input has"
  expect_status 1 $np sweep --in "$T/f.h5" --k 2:x --out "$T/s.h5"
  expect_message "--k expects A:B"
  expect_status 1 $np sweep --in "$T/f.h5" --k 5 --out "$T/s.h5"
  expect_message "--k expects a range"
  expect_status 1 $np sweep --in "$T/missing.h5" --k 2:3 --out "$T/s.h5"
  expect_message "missing.h5"
  expect_status 1 $np sweep --in "$T/f.h5" --k 2:3 --out "$T/no/such/dir/s.h5"
  expect_message "directory $T/no/such/dir does not exist"
  expect_status 1 $np sweep --in "$T/nan.h5" --k 2:3 --out "$T/s.h5"
  expect_message "row 17, column 1"
  expect_status 1 $np sweep --in "$T/f.h5" --k 2:3 --out "$T/s.h5" --silhouette bogus
  expect_message "--silhouette"
  expect_status 1 $np sweep --in "$T/f.h5" --k 2:3 --out "$T/s.h5" --n-init 0
  expect_message "--n-init"
  expect_status 1 $np sweep --in "$T/f.h5" --k 3:5 --out "$T/s.h5" --max-segments 2
  expect_message "--max-segments"
  expect_status 1 $np sweep --in "$T/f.h5" --k 2:3 --out "$T/s.h5" --gap -1
  expect_message "--gap"
  [ ! -e "$T/s.h5" ] || fail "a refused sweep wrote output"
done
expect_status 1 1 sweep --in "$T/f.h5" --k 1:3 --out "$T/s.h5"
expect_message "k >= 2"
expect_status 1 3 sweep --in "$T/f.h5" --k 2:30 --out "$T/s.h5"
expect_message "30 the input has"
# an old output is left untouched by a failed run
expect_status 0 2 sweep --in "$T/f.h5" --k 2:3 --out "$T/s.h5" --n-init 1
cp "$T/s.h5" "$T/s.keep.h5"
expect_status 1 2 sweep --in "$T/nan.h5" --k 2:3 --out "$T/s.h5"
same_file "$T/s.h5" "$T/s.keep.h5"
# a checkpoint write failure midway (fault injection) is agreed on and exits 2
if have_fault_injection "failure injected while writing a checkpoint"; then
  KSEG_FAIL_RANK=1 KSEG_FAIL_AT=sweep_checkpoint expect_status 2 3 sweep --in "$T/f.h5" --k 2:4 --out "$T/s.h5" \
    --n-init 1
  same_file "$T/s.h5" "$T/s.keep.h5"
fi
expect_status 0 1 sweep --help
grep -q -- "--max-segments" "$T/stdout" || fail "--help does not list --max-segments"
echo "bad inputs refused"
