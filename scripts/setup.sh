#!/usr/bin/env bash
# setup.sh - install what kseg needs on Debian 12 when it is missing, then
# configure and build (Release) into build/: a developer build (KSEG_DEVELOPER:
# -march=native and fault injection, which the tests use). Idempotent; quiet
# when all is there.
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES="cmake make gcc g++ pkg-config openmpi-bin libopenmpi-dev libhdf5-openmpi-dev hdf5-tools
  libopenblas-dev liblapacke-dev python3 python3-numpy python3-sklearn python3-h5py python3-matplotlib
  clang libclang-rt-14-dev valgrind iproute2"

missing=""
for p in $PACKAGES; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  echo "setup: installing$missing" >&2
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

mkdir -p build
log=build/setup.log
if ! { cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DKSEG_DEVELOPER=ON && cmake --build build -j "$(nproc)"; } >"$log" 2>&1; then
  tail -40 "$log" >&2
  echo "setup: build failed (full log: $log)" >&2
  exit 1
fi
