# lib.sh - helpers for CLI tests. Source it; it sets -eu and a temp dir $T.
#
# Exit status: 0 passed, 1 failed, 77 skipped (SKIP_RETURN_CODE on every
# test): `skip` skips the whole test; `skip_part` one case, and a test that
# otherwise passes then ends with 77, so a missing case never reads as passed.
set -euo pipefail
: "${KSEG_BIN:?run under ctest}"
T=$(mktemp -d "${TMPDIR:-/tmp}/kseg-test.XXXXXX")
KSEG_SKIPPED=() KSEG_AT_EXIT=()
# at_exit CMD: run CMD (a shell word list) when the test ends, before $T goes;
# a test must not set its own EXIT trap.
at_exit() { KSEG_AT_EXIT+=("$*"); }
_kseg_test_exit() {
  local rc=$? c
  for c in "${KSEG_AT_EXIT[@]}"; do eval "$c" || true; done
  rm -rf "$T"
  if [ "$rc" = 0 ] && [ ${#KSEG_SKIPPED[@]} -gt 0 ]; then
    printf 'SKIPPED: %s\n' "${KSEG_SKIPPED[@]}"
    exit 77
  fi
}
trap _kseg_test_exit EXIT
PY=${KSEG_PYTHON:-/usr/bin/python3}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
export OMPI_MCA_btl_vader_single_copy_mechanism=none
export OMPI_MCA_pml=${OMPI_MCA_pml:-ob1} OMPI_MCA_btl=${OMPI_MCA_btl:-self,vader} # tests/CMakeLists.txt
export OMPI_MCA_odls_base_sigkill_timeout=${OMPI_MCA_odls_base_sigkill_timeout:-0}
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1} OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-passive}

fail() { echo "FAIL: $*" >&2; exit 1; }
skip() { echo "SKIPPED: $*"; exit 77; }
skip_part() { echo "SKIPPED (the test goes on): $*"; KSEG_SKIPPED+=("$*"); }

# have_fault_injection WHAT: true when kseg honours KSEG_FAIL_RANK and
# KSEG_FAIL_AT (built with KSEG_FAULT_INJECTION, the developer default);
# otherwise WHAT is recorded as skipped.
have_fault_injection() {
  [ "${KSEG_FAULT_INJECTION:-1}" = 1 ] && return 0
  skip_part "${1:-injected failures}: kseg built without KSEG_FAULT_INJECTION"
  return 1
}

# KSEG_AS: a command prefix for kseg_np and expect_status (as_unprivileged).
KSEG_AS=()

# kseg_np NP ARGS...: run kseg on NP ranks.
kseg_np() {
  local np=$1; shift
  "${KSEG_AS[@]}" "$MPIEXEC" -n "$np" --oversubscribe "$KSEG_BIN" "$@"
}

# expect_status CODE NP ARGS...: kseg must exit with CODE within 60 s; its
# stderr goes to $T/stderr.
expect_status() {
  local want=$1 np=$2; shift 2
  local got=0
  timeout 60 "${KSEG_AS[@]}" "$MPIEXEC" -n "$np" --oversubscribe "$KSEG_BIN" "$@" >"$T/stdout" 2>"$T/stderr" || got=$?
  if [ "$got" != "$want" ]; then
    cat "$T/stderr" >&2
    fail "kseg $* on $np ranks: exit $got, expected $want"
  fi
}

# expect_message TEXT: the last expect_status stderr names TEXT.
expect_message() {
  grep -qF -- "$1" "$T/stderr" || { cat "$T/stderr" >&2; fail "stderr does not mention '$1'"; }
}

# same_file A B: byte-identical files.
same_file() { cmp -s "$1" "$2" || fail "$1 and $2 differ"; }

# h5_same A B [OBJECT...]: HDF5 contents identical (h5diff, exact).
h5_same() {
  local a=$1 b=$2; shift 2
  if [ $# -eq 0 ]; then h5diff "$a" "$b" >/dev/null || { h5diff "$a" "$b" | head -20 >&2; fail "$a and $b differ"; }
  else for o in "$@"; do h5diff "$a" "$b" "$o" "$o" >/dev/null || { h5diff "$a" "$b" "$o" "$o" | head -20 >&2; fail "$o differs between $a and $b"; }; done; fi
}

# same_results A.json B.json: the JSON outputs are identical except timings
# (keys ending in "seconds", and "ranks"/"threads").
same_results() {
  "$PY" - "$1" "$2" <<'PYEOF' || fail "$1 and $2 differ beyond timings"
import json, sys
def strip(o):
    if isinstance(o, dict):
        return {k: strip(v) for k, v in o.items() if not k.endswith("seconds") and k not in ("ranks", "threads")}
    if isinstance(o, list):
        return [strip(v) for v in o]
    return o
a, b = (strip(json.load(open(p))) for p in sys.argv[1:3])
if a != b:
    print("differ:", a, b, file=sys.stderr)
    sys.exit(1)
PYEOF
}

# unreadable SRC DEST: DEST becomes a copy of SRC that kseg may not read (mode
# 000). Root reads anything, so as root the case needs `as_unprivileged` and
# setpriv; without it the case is skipped (status 1).
unreadable() {
  cp "$1" "$2"
  chmod 000 "$2"
  [ "$(id -u)" != 0 ] && return 0
  command -v setpriv >/dev/null && id nobody >/dev/null 2>&1 && return 0
  skip_part "unreadable-file case: root reads anything and there is no setpriv to run kseg as nobody"
  return 1
}

# as_unprivileged CMD...: CMD's kseg runs (kseg_np, expect_status) as the
# user nobody when the test runs as root, else as it is; the folders under $T
# are opened to nobody (files keep their modes).
as_unprivileged() {
  if [ "$(id -u)" = 0 ]; then
    find "$T" -type d -exec chmod 777 {} +
    KSEG_AS=(env HOME="$T" setpriv --reuid="$(id -u nobody)" --regid="$(id -g nobody)" --clear-groups)
  fi
  "$@"
  KSEG_AS=()
}
