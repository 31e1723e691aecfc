#!/usr/bin/env bash
# sanitize.sh - build the library, the CLI and the tests with AddressSanitizer
# + UndefinedBehaviorSanitizer in build-asan/ and run a subset of ctest there:
# the unit tests, the MPI tests at 1-3 ranks and the CLI tests of bad input and
# fault handling (the oracle tests re-run the same code paths on larger data
# and would take several times longer under ASan).
#
# Leak detection is off: Open MPI and HDF5 keep allocations alive until exit
# (hundreds of reports per rank that are not kseg's). Any other ASan report or
# any UBSan report aborts the test that hit it.
#
# Usage: scripts/sanitize.sh [extra ctest args]   (KSEG_ASAN_ALL=1: every test)
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=${KSEG_JOBS:-$(nproc)}
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DKSEG_SANITIZE=ON >/dev/null
cmake --build build-asan -j "$jobs"
export ASAN_OPTIONS=detect_leaks=0:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
cd build-asan
if [ "${KSEG_ASAN_ALL:-0}" = 1 ]; then
  ctest --output-on-failure -j "$jobs" "$@"
else
  ctest --output-on-failure -j "$jobs" -L 'unit|mpi' "$@"
  ctest --output-on-failure -j "$jobs" -R '_errors$|_bad_input$|^reliability_' "$@"
fi
