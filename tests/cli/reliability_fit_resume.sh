# kseg fit --checkpoint/--resume: kill -9 of the whole job (mpiexec and its
# ranks) in the first restart and again in a later one (so the best earlier
# restart comes from the checkpoint); each resume, on another rank count, ends
# bit-identical to an uninterrupted run and removes the checkpoint. A
# checkpoint of other options or data is refused and kept.
source "$KSEG_TESTS/cli/lib.sh"
"$PY" - "$T/f.h5" <<'PYEOF'
import numpy as np, h5py, sys
r = np.random.default_rng(5); n, d = 30000, 6
c = r.normal(0, 3, (12, d)); x = c[r.integers(0, 12, n)] + r.normal(0, 2.5, (n, d))
with h5py.File(sys.argv[1], "w") as f: f["/features"] = x
PYEOF
# same_fit A.json B.json: identical results, timings and output name aside
same_fit() {
  sed -e 's/"output":"[^"]*",//' "$1" > "$1.cmp"
  sed -e 's/"output":"[^"]*",//' "$2" > "$2.cmp"
  same_results "$1.cmp" "$2.cmp"
}
# Seed 5: restart 0 is the best of 3, so after the kill in restart 1 the
# final labels are the ones recomputed from the checkpoint's best restart.
args=(fit --in "$T/f.h5" --k 12 --n-init 3 --tol 0 --seed 5)
# The reference is an uninterrupted run with the same options, checkpoints
# included (a checkpointing fit runs Lloyd's kernel, which the accelerated
# kernels equal bit for bit; the `kernel` attribute says which one ran).
kseg_np 2 "${args[@]}" --out "$T/full.h5" --checkpoint "$T/ck_full.h5" --checkpoint-every 1 --json > "$T/full.json"
[ ! -e "$T/ck_full.h5" ] || fail "checkpoint left after a successful run"
grep -q '"best_restart":0,' "$T/full.json" || fail "the case no longer has restart 0 as the best: $(cat "$T/full.json")"

# run_and_kill NP PATTERN: start a checkpointed fit on NP ranks and kill -9
# mpiexec and its ranks (their own process groups) once the progress log
# shows PATTERN.
run_and_kill() {
  local np=$1 pattern=$2
  rm -f "$T/log" "$T/cut.h5"
  "$MPIEXEC" -n "$np" --oversubscribe "$KSEG_BIN" "${args[@]}" --out "$T/cut.h5" --checkpoint "$T/ck.h5" \
    --checkpoint-every 1 --verbose >/dev/null 2>"$T/log" &
  local job=$! found=0
  for _ in $(seq 1 1200); do
    if grep -q "$pattern" "$T/log" 2>/dev/null; then found=1; break; fi
    sleep 0.05
  done
  local ranks
  ranks=$(pgrep -P "$job" || true)
  kill -9 "$job" $ranks 2>/dev/null || true
  wait "$job" 2>/dev/null || true
  sleep 0.3
  [ "$found" = 1 ] || { cat "$T/log" >&2; fail "no '$pattern' checkpoint within 60 s"; }
  [ ! -e "$T/cut.h5" ] || fail "the fit finished before it was killed"
  [ -e "$T/ck.h5" ] || fail "no checkpoint left after kill -9"
}

# killed in restart 0, resumed on 1 rank
run_and_kill 3 "checkpoint at restart 0, iteration 5 "
kseg_np 1 "${args[@]}" --out "$T/cut.h5" --checkpoint "$T/ck.h5" --resume --json > "$T/r1.json"
h5_same "$T/full.h5" "$T/cut.h5"
same_fit "$T/full.json" "$T/r1.json"
[ ! -e "$T/ck.h5" ] || fail "checkpoint left after a successful resume"

# killed in restart 1 (restart 0's result lives only in the checkpoint), resumed on 2 ranks
run_and_kill 3 "checkpoint at restart 1, iteration 3 "
ri=$("$PY" -c "import h5py,sys; f=h5py.File(sys.argv[1]); print(int(f.attrs['restart']), int(f.attrs['best_restart']))" "$T/ck.h5")
echo "killed at restart/best_restart $ri"
case "$ri" in "1 0"|"2 0") ;; *) fail "checkpoint holds restart/best $ri";; esac

# other options, other data: refused, checkpoint kept, no output
expect_status 1 2 "${args[@]/--seed/--max-iter}" --out "$T/cut.h5" --checkpoint "$T/ck.h5" --resume
expect_message "other data or options"
"$PY" -c "
import h5py, sys
with h5py.File(sys.argv[1]) as f, h5py.File(sys.argv[2], 'w') as g:
    x = f['/features'][...]; x[7, 3] += 1e-9; g['/features'] = x" "$T/f.h5" "$T/other.h5"
expect_status 1 2 fit --in "$T/other.h5" --k 12 --n-init 3 --tol 0 --seed 4 --out "$T/cut.h5" \
  --checkpoint "$T/ck.h5" --resume
expect_message "other data or options"
expect_status 1 2 "${args[@]}" --out "$T/cut.h5" --checkpoint "$T/none.h5" --resume
expect_message "does not exist"
expect_status 1 1 "${args[@]}" --out "$T/cut.h5" --resume
expect_message "--resume needs --checkpoint"
[ -e "$T/ck.h5" ] || fail "a refused resume removed the checkpoint"
[ ! -e "$T/cut.h5" ] || fail "a refused resume wrote an output"

kseg_np 2 "${args[@]}" --out "$T/cut.h5" --checkpoint "$T/ck.h5" --resume --json > "$T/r2.json"
h5_same "$T/full.h5" "$T/cut.h5"
same_fit "$T/full.json" "$T/r2.json"
[ ! -e "$T/ck.h5" ] || fail "checkpoint left after a successful resume"

# an injected failure while writing a checkpoint: exit 2 on every rank, the
# previous checkpoint whole (it still resumes to the same result)
if have_fault_injection "failure injected while writing a checkpoint"; then
  KSEG_FAIL_RANK=2 KSEG_FAIL_AT=fit_checkpoint expect_status 2 3 "${args[@]}" --out "$T/cut2.h5" \
    --checkpoint "$T/ck2.h5" --checkpoint-every 1
  expect_message "injected failure at fit_checkpoint"
  [ ! -e "$T/ck2.h5" ] && [ ! -e "$T/cut2.h5" ] || fail "a failed first checkpoint left a file"
fi
echo "fit resume after kill -9 is bit-identical"
