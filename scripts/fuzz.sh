#!/usr/bin/env bash
# fuzz.sh - build the libFuzzer targets with clang in build-fuzz/ and run each
# for a bounded time (KSEG_FUZZ_SECONDS, default 50) from the seeds in
# tests/fuzz/corpus/<target>. A crash leaves its input in
# build-fuzz/crashes/<target>/; copy it to tests/fuzz/regressions/<target>/
# (ctest replays those in every build) after fixing the bug.
#
# Usage: scripts/fuzz.sh [target...]   (targets: csv args; default both)
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${KSEG_FUZZ_SECONDS:-50}
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(csv args)
if ! command -v clang >/dev/null; then
  echo "fuzz.sh: clang not found (Debian: apt-get install clang)" >&2
  exit 1
fi
CC=clang cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DKSEG_FUZZ=ON -DKSEG_TESTING=OFF >/dev/null
cmake --build build-fuzz -j "${KSEG_JOBS:-$(nproc)}" --target $(printf 'fuzz_%s ' "${targets[@]}")
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
rc=0
for t in "${targets[@]}"; do
  work=build-fuzz/corpus/$t crashes=build-fuzz/crashes/$t
  mkdir -p "$work" "$crashes"
  # The work corpus grows across runs; the seeds stay as they are in git.
  echo "fuzz.sh: fuzz_$t for ${secs} s"
  if ! build-fuzz/tests/fuzz/fuzz_"$t" -max_total_time="$secs" -max_len=4096 -timeout=10 -rss_limit_mb=2048 \
      -artifact_prefix="$crashes/" -print_final_stats=1 "$work" "tests/fuzz/corpus/$t" \
      2>"build-fuzz/fuzz_$t.log"; then
    rc=1
    tail -40 "build-fuzz/fuzz_$t.log" >&2
    echo "fuzz.sh: fuzz_$t found a failure; input in $crashes/" >&2
  else
    grep -E "stat::number_of_executed_units|stat::new_units_added" "build-fuzz/fuzz_$t.log" | sed "s/^/fuzz_$t: /"
  fi
done
exit $rc
