# reliability_lib.sh - the bad-input and injected-failure checks shared by
# tests/cli/reliability_*.sh. Source after lib.sh.
#
# Every case runs at 3 ranks under `timeout 60` (expect_status) and must:
# exit with the expected status, print exactly one "error:" line (from the
# root) that names the problem, leave no temporary file, and leave an
# existing output of the same name byte-identical.

OUTDIR="$T/out"
mkdir -p "$OUTDIR"
OUT="$OUTDIR/o.h5"
echo "previous output, must survive a failed run" >"$OUT"
OUT_SUM=$(sha256sum <"$OUT")
NP=${KSEG_RELIABILITY_NP:-3}

_rel_after() {
  [ "$(grep -c 'error:' "$T/stderr")" = 1 ] ||
    { cat "$T/stderr" >&2; fail "expected exactly one 'error:' line on stderr"; }
  [ "$(sha256sum <"$OUT")" = "$OUT_SUM" ] || fail "a failed run changed the existing output $OUT"
  local extra
  extra=$(ls -A "$OUTDIR" | grep -v "^o\.h5$" | grep -vx "${REL_KEEP:-}" || true)
  [ -z "$extra" ] || fail "a failed run left files behind: $extra"
}

# bad STATUS MESSAGE ARGS...: kseg ARGS on $NP ranks fails with STATUS and
# MESSAGE, the output untouched.
bad() {
  local want=$1 msg=$2; shift 2
  expect_status "$want" "$NP" "$@"
  expect_message "$msg"
  _rel_after
}

# REL_KEEP: a file name that a failed run may leave on purpose (a
# checkpoint to resume from).

# inject PHASE ARGS...: with a failure injected on rank 2 of 3 at PHASE,
# every rank exits 2 (no hang) and the message names the phase.
inject() {
  local phase=$1; shift
  have_fault_injection "failure injected at $phase" || return 0
  KSEG_FAIL_RANK=2 KSEG_FAIL_AT=$phase expect_status 2 3 "$@"
  expect_message "injected failure at $phase on rank 2"
  _rel_after
}

# Inputs every script shares: a feature matrix and its broken variants.
make_matrices() {
  "$PY" - "$T" <<'PYEOF'
import sys, h5py, numpy as np
d = sys.argv[1]
x = np.random.default_rng(7).normal(size=(60, 3))
with h5py.File(f"{d}/f.h5", "w") as f:
    f["/features"] = x
    f["/vector"] = x[:, 0]
    f["/cube"] = x.reshape(60, 3, 1)
    f["/init_bad"] = x[:4, :2]
    f["/labels"] = (np.arange(60) % 3).astype(np.int32)
    f["/short_labels"] = (np.arange(59) % 3).astype(np.int32)
for name, (i, j, v) in {"nan": (55, 2, np.nan), "inf": (58, 1, np.inf)}.items():
    y = x.copy(); y[i, j] = v  # rows 40.. are on the last of 3 ranks
    with h5py.File(f"{d}/{name}.h5", "w") as f:
        f["/features"] = y
PYEOF
  printf 'this is not HDF5\n' >"$T/text.h5"
  head -c 4096 /dev/urandom >"$T/random.h5"
}
