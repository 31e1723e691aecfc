#!/usr/bin/env bash
# sanitize.sh - build the library, the CLI and the tests with AddressSanitizer
# + UndefinedBehaviorSanitizer in build-asan/ and run a subset of ctest there:
# the unit tests, the MPI tests at 1-3 ranks and the CLI tests of bad input and
# fault handling (the oracle tests re-run the same code paths on larger data
# and would take several times longer under ASan).
#
# LeakSanitizer is on: a leak fails the test that leaked, except what Open MPI
# (with PMIx, hwloc, libevent), HDF5 and OpenBLAS allocate for themselves and
# keep until exit, which scripts/lsan.supp suppresses by library. Open MPI
# unloads its plugins at MPI_Finalize, before LeakSanitizer reports at exit, and
# a leak from an unloaded plugin names no library; scripts/keep-loaded.c,
# preloaded, keeps them mapped. Any other ASan report or any UBSan report
# aborts the test that hit it.
#
# Then Valgrind memcheck over the serial C unit tests (ctest label "unit") in
# build-valgrind/, built without -march=native (Valgrind does not decode
# AVX-512), with Open MPI's own suppression file
# (/usr/share/openmpi/openmpi-valgrind.supp: MPI_Init's uninitialised
# padding and the like) and scripts/valgrind.supp (the same libraries' leaks);
# a definite leak is an error. KSEG_VALGRIND=0 skips it.
#
# Usage: scripts/sanitize.sh [extra ctest args]   (KSEG_ASAN_ALL=1: every test)
set -euo pipefail
cd "$(dirname "$0")/.."
here=$PWD
jobs=${KSEG_JOBS:-$(nproc)}
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DKSEG_SANITIZE=ON -DKSEG_DEVELOPER=ON >/dev/null
cmake --build build-asan -j "$jobs"
# No detect_stack_use_after_return: its fake stack frames are not 64-byte
# aligned, and GCC's aligned moves of the k-means kernel's 64-byte vector
# locals then fault (a false SEGV in km_nearest_*).
# verify_asan_link_order=0: keep-loaded.so comes before the ASan runtime.
export ASAN_OPTIONS=detect_leaks=1:verify_asan_link_order=0:abort_on_error=1:strict_string_checks=1
export LSAN_OPTIONS=suppressions=$here/scripts/lsan.supp:print_suppressions=0
cc -shared -fPIC -O2 -o build-asan/keep-loaded.so scripts/keep-loaded.c
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
# run_ctest ARGS...: ctest ARGS; the tests that failed only because
# LeakSanitizer's own tracer crashed ("Tracer caught signal 11 ... LeakSanitizer
# has encountered a fatal error": an intermittent LSan bug when it stops a
# process's threads at exit, google/sanitizers#1353) run once more. Any other
# failure, a leak included, stands.
run_ctest() {
  ctest --output-on-failure -j "$jobs" "$@" && return 0
  /usr/bin/python3 - <<'PYEOF' || return 1
import re, sys
failed = [l.split(":", 1)[1].strip() for l in open("Testing/Temporary/LastTestsFailed.log") if ":" in l]
log = open("Testing/Temporary/LastTest.log", errors="replace").read()
out = {m.group(1): m.group(2) for m in re.finditer(r"\d+/\d+ Testing: (\S+)\n(.*?)(?=\n\d+/\d+ Testing: |\Z)", log, re.S)}
tracer = [t for t in failed if "LeakSanitizer has encountered a fatal error" in out.get(t, "")]
print("sanitize.sh: LeakSanitizer's tracer crashed in: " + (", ".join(tracer) or "none"), file=sys.stderr)
sys.exit(0 if failed and len(tracer) == len(failed) else 1)
PYEOF
  ctest --output-on-failure --rerun-failed
}
rc=0
(
  export LD_PRELOAD=$here/build-asan/keep-loaded.so
  cd build-asan
  st=0
  if [ "${KSEG_ASAN_ALL:-0}" = 1 ]; then
    run_ctest "$@" || st=1
  else
    run_ctest -L 'unit|mpi' "$@" || st=1
    run_ctest -R '_errors$|_bad_input$|^reliability_|^fuzz_' "$@" || st=1
  fi
  exit $st
) || rc=1
if [ "${KSEG_VALGRIND:-1}" = 1 ] && command -v valgrind >/dev/null; then
  cmake -S . -B build-valgrind -DCMAKE_BUILD_TYPE=RelWithDebInfo -DKSEG_NATIVE=OFF >/dev/null
  cmake --build build-valgrind -j "$jobs"
  supp=(--suppressions="$here/scripts/valgrind.supp")
  [ -r /usr/share/openmpi/openmpi-valgrind.supp ] && supp+=(--suppressions=/usr/share/openmpi/openmpi-valgrind.supp)
  # The C unit tests' command lines, from ctest itself (not the Python ones).
  mapfile -t cmds < <(cd build-valgrind && ctest -N -L unit --show-only=json-v1 | /usr/bin/python3 -c '
import json, os, shlex, sys
for t in json.load(sys.stdin)["tests"]:
    cmd = t.get("command") or []
    if not cmd or not os.path.realpath(cmd[0]).startswith(os.path.realpath(".") + "/"):
        continue
    wd = next((p["value"] for p in t.get("properties", []) if p["name"] == "WORKING_DIRECTORY"), ".")
    print(shlex.quote(wd) + " " + " ".join(shlex.quote(a) for a in cmd))')
  for c in "${cmds[@]}"; do
    eval "set -- $c"
    wd=$1; shift
    echo "valgrind: $(basename "$1")"
    st=0
    (cd "$wd" && OMP_NUM_THREADS=2 HWLOC_COMPONENTS=-x86 valgrind -q --error-exitcode=99 --num-callers=40 \
      --leak-check=full --show-leak-kinds=definite --errors-for-leak-kinds=definite "${supp[@]}" \
      "$@" >/dev/null) || st=$?
    # 77: the test skips here (fp_contract without FMA)
    [ "$st" = 0 ] || [ "$st" = 77 ] || { echo "valgrind: $(basename "$1") FAILED (exit $st)" >&2; rc=1; }
  done
fi
exit $rc
