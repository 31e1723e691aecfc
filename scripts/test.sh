#!/usr/bin/env bash
# test.sh - set up if needed, build, run every test (unit, MPI at 1/2/3 ranks,
# CLI, scikit-learn oracles).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cd build
ctest --output-on-failure -j "$(nproc)" "$@"
