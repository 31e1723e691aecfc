# The Slurm and PBS job templates run end to end here, with stand-ins for
# srun/mpirun that keep the rank count and drop the placement options (no
# scheduler on this machine; sbatch --test-only is not available either),
# on the real marketing table with a short k range. Then the requeue path: a
# second run with the scratch directory holding a sweep checkpoint resumes
# and gives the same files. bash -n and, when installed, shellcheck check
# their syntax.
source "$KSEG_TESTS/cli/lib.sh"
S="$KSEG_SOURCE/scripts"
for f in "$S"/slurm/*.sbatch "$S"/pbs/*.pbs; do
  bash -n "$f" || fail "$f: syntax"
  if command -v shellcheck >/dev/null; then shellcheck -S warning "$f" || fail "$f: shellcheck"; fi
done
mkdir -p "$T/bin"
# srun stand-in: 2 ranks, options before the program dropped.
cat >"$T/bin/srun" <<SH
#!/bin/bash
while [ \$# -gt 0 ] && [ "\${1#-}" != "\$1" ]; do shift; done
exec "$MPIEXEC" -n 2 --oversubscribe "\$@"
SH
# mpirun stand-in: the template's -np kept, placement dropped, -x kept.
cat >"$T/bin/mpirun" <<SH
#!/bin/bash
args=()
while [ \$# -gt 0 ]; do
  case "\$1" in
    -np) args+=(-n "\$2"); shift 2 ;;
    --map-by|--bind-to) shift 2 ;;
    -x) args+=(-x "\$2"); shift 2 ;;
    *) break ;;
  esac
done
exec "$MPIEXEC" --oversubscribe "\${args[@]}" "\$@"
SH
chmod +x "$T/bin/srun" "$T/bin/mpirun"
export PATH="$T/bin:$PATH" KSEG="$KSEG_BIN" IN="$KSEG_DATA/marketing_campaign.csv" K_RANGE=2:4
export OMP_PROC_BIND=false # the machine's 2 cores are shared with the other tests

SLURM_JOB_ID=77 SLURM_CPUS_PER_TASK=1 SLURM_JOB_NUM_NODES=1 SLURM_NTASKS=2 SCRATCH_DIR="$T/scratch" \
  OUT="$T/slurm" bash "$S/slurm/kseg-run.sbatch" >"$T/slurm.log" 2>&1 || { cat "$T/slurm.log" >&2; fail "sbatch template"; }
for f in sweep.h5 result.h5 features.h5 fit.json sweep.json; do [ -s "$T/slurm/$f" ] || fail "slurm: no $f"; done
[ ! -e "$T/scratch/kseg-77" ] || fail "slurm: scratch left behind"
k=$(h5dump -a /sweep/recommended_k "$T/slurm/sweep.h5" | awk '/\(0\)/ {print $2}')
[ "$(h5dump -a /k "$T/slurm/result.h5" | awk '/\(0\)/ {print $2}')" = "$k" ] || fail "fit not at the recommended k $k"

# same_outputs A B: the same results (the files name their scratch paths
# and timings, which differ).
same_outputs() {
  h5_same "$1/features.h5" "$2/features.h5" /features
  h5_same "$1/result.h5" "$2/result.h5" /labels /centroids
  h5_same "$1/sweep.h5" "$2/sweep.h5" /sweep/k /sweep/inertia /sweep/silhouette /sweep/calinski_harabasz \
    /sweep/davies_bouldin
}

# PBS on 3 "nodes" x 4 ranks: 12 ranks (the rank count changes nothing).
sort -R <<<"$(printf 'n1\nn2\nn3\n')" >"$T/nodes"
PBS_NODEFILE="$T/nodes" PBS_JOBID=88.server PBS_O_WORKDIR="$T" SCRATCH_DIR="$T/scratch" OUT="$T/pbs" \
  bash "$S/pbs/kseg-run.pbs" >"$T/pbs.log" 2>&1 || { cat "$T/pbs.log" >&2; fail "pbs template"; }
same_outputs "$T/slurm" "$T/pbs"

# Requeue: the first attempt fails just after the sweep's first checkpoint
# (an injected failure standing in for a node loss); the requeued attempt
# (same job id, same scratch) skips import and prep, resumes the sweep from
# its checkpoint and ends with the same files.
if have_fault_injection "requeue after a failure injected at the first sweep checkpoint"; then
  job=(env SLURM_JOB_ID=99 SLURM_CPUS_PER_TASK=1 SLURM_JOB_NUM_NODES=1 SLURM_NTASKS=2 SCRATCH_DIR="$T/scratch"
    OUT="$T/requeued")
  if KSEG_FAIL_RANK=1 KSEG_FAIL_AT=sweep_checkpoint "${job[@]}" bash "$S/slurm/kseg-run.sbatch" >"$T/rq1.log" 2>&1; then
    fail "the faulted attempt succeeded"
  fi
  [ -e "$T/scratch/kseg-99/sweep.ckpt.h5" ] || { cat "$T/rq1.log" >&2; fail "no sweep checkpoint after the failed attempt"; }
  SLURM_RESTART_COUNT=1 "${job[@]}" bash "$S/slurm/kseg-run.sbatch" >"$T/rq2.log" 2>&1 ||
    { cat "$T/rq2.log" >&2; fail "requeued sbatch template"; }
  "$PY" -c "import json,sys; j=json.load(open(sys.argv[1])); assert j['k_resumed'] >= 1, j" "$T/requeued/sweep.json" ||
    fail "the requeued sweep did not resume"
  [ ! -e "$T/scratch/kseg-99" ] || fail "scratch left after the requeued job"
  same_outputs "$T/slurm" "$T/requeued"
fi
echo "job templates run end to end, requeue resumes"
