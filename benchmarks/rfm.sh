#!/usr/bin/env bash
# benchmarks/rfm.sh - RFM aggregation throughput and memory on a generated log.
#
# usage: benchmarks/rfm.sh [TRANSACTIONS] [RANKS] [WORKDIR]
#   TRANSACTIONS  lines of the synthetic log (default 10000000; the issue asks
#                 for 100000000 on 2 ranks: about 2.5 GB of CSV and ~5 GB of
#                 memory per rank)
#   RANKS         MPI ranks for the aggregation (default 2)
#   WORKDIR       where the log and the output go (default a temp dir, removed)
# Prints one JSON object: the generation, the aggregation's own --json report
# (lines/s, phase seconds, peak RSS per rank from getrusage) and the wall time
# of the whole mpiexec.
set -euo pipefail
N=${1:-10000000}
NP=${2:-2}
HERE=$(cd "$(dirname "$0")/.." && pwd)
KSEG=${KSEG_BIN:-$HERE/build/kseg}
MPIEXEC=${MPIEXEC:-mpiexec}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}
if [ $# -ge 3 ]; then W=$3; mkdir -p "$W"; else W=$(mktemp -d); trap 'rm -rf "$W"' EXIT; fi

gen=$("$MPIEXEC" -n "$NP" "$KSEG" generate --transactions "$N" --out "$W/tx.csv" --seed 11 --json 2>/dev/null)
t0=$(date +%s.%N)
agg=$("$MPIEXEC" -n "$NP" "$KSEG" rfm --in "$W/tx.csv" --out "$W/rfm.h5" --json 2>/dev/null)
t1=$(date +%s.%N)
wall=$(echo "$t1 - $t0" | bc)
printf '{"benchmark":"rfm","transactions":%s,"ranks":%s,"host_cores":%s,"wall_seconds":%s,"wall_lines_per_s":%s,"generate":%s,"rfm":%s}\n' \
  "$N" "$NP" "$(nproc --all)" "$wall" "$(echo "$N / $wall" | bc)" "$gen" "$agg"
