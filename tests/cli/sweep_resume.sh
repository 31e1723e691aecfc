# kseg sweep --resume: after kill -9 of the whole job once the checkpoint
# holds at least one k, resuming ends bit-identical to an uninterrupted run
# (timings aside) and removes the checkpoint; a checkpoint made with other
# options or input is refused.
source "$KSEG_TESTS/cli/lib.sh"
export OMP_WAIT_POLICY=passive # oversubscribed ranks: no spinning threads
"$PY" "$KSEG_TESTS/oracle/sweep_case.py" "$T" big
args=(sweep --in "$T/features.h5" --k 2:14 --n-init 1 --silhouette sample:500 --max-segments 14 --seed 3)
sweep_same() {
  h5diff --exclude-path /sweep/seconds "$1" "$2" >/dev/null ||
    { h5diff --exclude-path /sweep/seconds "$1" "$2" | head -20 >&2; fail "$1 and $2 differ"; }
}
kseg_np 2 "${args[@]}" --out "$T/full.h5" >/dev/null 2>&1
[ ! -e "$T/full.h5.ckpt.h5" ] || fail "checkpoint left after success"

# kill -9 mpiexec and its ranks (its children: Open MPI gives them process
# groups of their own) at once, as a node failure would.
"$MPIEXEC" -n 3 --oversubscribe "$KSEG_BIN" "${args[@]}" --out "$T/cut.h5" \
  --checkpoint "$T/cut.ckpt.h5" >/dev/null 2>&1 &
job=$!
for _ in $(seq 1 600); do
  [ -e "$T/cut.ckpt.h5" ] && break
  sleep 0.05
done
ranks=$(pgrep -P "$job" || true)
kill -9 "$job" $ranks 2>/dev/null || true
[ -e "$T/cut.ckpt.h5" ] || fail "no checkpoint appeared within 30 s"
wait "$job" 2>/dev/null || true
sleep 0.5
[ ! -e "$T/cut.h5" ] || fail "the sweep finished before it could be killed: make the case bigger"
done_k=$("$PY" -c "import h5py,sys; print(len(h5py.File(sys.argv[1])['/sweep/k']))" "$T/cut.ckpt.h5")
echo "killed with $done_k k in the checkpoint"
[ "$done_k" -ge 1 ] && [ "$done_k" -lt 13 ] || fail "checkpoint holds $done_k k"

# other options or other data: refused, the checkpoint kept
expect_status 1 2 "${args[@]/--seed/--tol}" --out "$T/cut.h5" --checkpoint "$T/cut.ckpt.h5" --resume
expect_status 1 2 sweep --in "$T/features.h5" --k 2:14 --n-init 2 --silhouette sample:500 --max-segments 14 \
  --seed 3 --out "$T/cut.h5" --checkpoint "$T/cut.ckpt.h5" --resume
expect_message "n_init=1"
expect_message "n_init=2"
"$PY" -c "
import h5py, sys
with h5py.File(sys.argv[1]) as f, h5py.File(sys.argv[2], 'w') as g:
    x = f['/features'][...]; x[5, 2] += 1e-9; g['/features'] = x" "$T/features.h5" "$T/other.h5"
cp "$T/cut.ckpt.h5" "$T/other.ckpt.h5"
expect_status 1 2 sweep --in "$T/other.h5" --k 2:14 --n-init 1 --silhouette sample:500 --max-segments 14 --seed 3 \
  --out "$T/o.h5" --checkpoint "$T/other.ckpt.h5" --resume
expect_message "other options or input"
expect_status 1 2 "${args[@]}" --out "$T/x.h5" --checkpoint "$T/none.ckpt.h5" --resume
expect_message "does not exist"
[ -e "$T/cut.ckpt.h5" ] || fail "a refused resume removed the checkpoint"

# resume on another rank count: identical to the uninterrupted run
kseg_np 1 "${args[@]}" --out "$T/cut.h5" --checkpoint "$T/cut.ckpt.h5" --resume --json > "$T/resumed.json"
sweep_same "$T/full.h5" "$T/cut.h5"
"$PY" -c "import json,sys; j=json.load(open(sys.argv[1])); assert j['k_resumed']==int(sys.argv[2]), j['k_resumed']" \
  "$T/resumed.json" "$done_k"
[ ! -e "$T/cut.ckpt.h5" ] || fail "checkpoint left after a successful resume"
echo "resume after kill -9 is bit-identical"
