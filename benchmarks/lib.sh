# lib.sh - what the benchmark scripts share: sourced, never run.
#
# A speed figure counts only when kseg and its peer ran interleaved on a
# quiet machine, so every measurement starts with wait_quiet: it polls the
# 1-minute load average every POLL seconds (120) until it is at most
# MAX_LOAD (1.5), or gives up after MAX_WAIT seconds (7200; 0: never wait)
# and lets the measurement run anyway. Either way the scripts print the load
# each measurement started and ended at, so a loaded figure shows as one.
MAX_LOAD=${MAX_LOAD:-1.5} POLL=${POLL:-120} MAX_WAIT=${MAX_WAIT:-7200}

loadavg() { cut -d' ' -f1 /proc/loadavg; }

wait_quiet() {
  local waited=0
  while awk -v l="$(loadavg)" -v m="$MAX_LOAD" 'BEGIN { exit !(l > m) }'; do
    [ "$waited" -ge "$MAX_WAIT" ] && { echo "wait_quiet: load $(loadavg) after ${waited} s; measuring anyway" >&2; return 0; }
    echo "wait_quiet: load $(loadavg) > $MAX_LOAD, waiting ${POLL} s" >&2
    sleep "$POLL"
    waited=$((waited + POLL))
  done
}

# The tools a benchmark runs, each overridable: KSEG_BIN (build/kseg), PY
# (/usr/bin/python3), MPIEXEC (mpiexec); and Open MPI's leave to run as root.
# Needs `here`, the benchmarks folder.
bench_tools() {
  KSEG_BIN=${KSEG_BIN:-$here/../build/kseg} PY=${PY:-/usr/bin/python3} MPIEXEC=${MPIEXEC:-mpiexec}
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
}

# bench_workdir NAME: a scratch folder in W, removed when the script exits.
bench_workdir() {
  W=$(mktemp -d "${TMPDIR:-/tmp}/kseg-$1.XXXXXX")
  trap 'rm -rf "$W"' EXIT
}
