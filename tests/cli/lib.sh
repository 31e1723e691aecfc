# lib.sh - helpers for CLI tests. Source it; it sets -eu and a temp dir $T.
set -euo pipefail
: "${KSEG_BIN:?run under ctest}"
T=$(mktemp -d "${TMPDIR:-/tmp}/kseg-test.XXXXXX")
trap 'rm -rf "$T"' EXIT
PY=${KSEG_PYTHON:-/usr/bin/python3}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
export OMPI_MCA_btl_vader_single_copy_mechanism=none
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1} OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-passive}

fail() { echo "FAIL: $*" >&2; exit 1; }

# kseg_np NP ARGS...: run kseg on NP ranks.
kseg_np() {
  local np=$1; shift
  "$MPIEXEC" -n "$np" --oversubscribe "$KSEG_BIN" "$@"
}

# expect_status CODE NP ARGS...: kseg must exit with CODE within 60 s; its
# stderr goes to $T/stderr.
expect_status() {
  local want=$1 np=$2; shift 2
  local got=0
  timeout 60 "$MPIEXEC" -n "$np" --oversubscribe "$KSEG_BIN" "$@" >"$T/stdout" 2>"$T/stderr" || got=$?
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
