# kseg across two hosts: two network namespaces on this machine joined by a
# veth pair (10.77.0.1 and 10.77.0.2), Open MPI over TCP between them, one
# rank per "host", the remote one started through an ssh stand-in that runs
# Open MPI's daemon in the other namespace (with a hostname of its own). The
# fit and the sweep equal the one-rank results bit for bit, and the traffic
# went over the veth link. Needs root and network namespaces: otherwise it
# prints SKIPPED and exits 77 (ctest: skipped).
source "$KSEG_TESTS/cli/lib.sh"
[ "$(id -u)" = 0 ] || skip "needs root for network namespaces"
command -v ip >/dev/null || skip "no ip command (iproute2)"
command -v unshare >/dev/null || skip "no unshare (util-linux)"
h1=kseg_h1_$$ h2=kseg_h2_$$ v1=ksv1_$$ v2=ksv2_$$
remove_namespaces() {
  ip netns del "$h1" 2>/dev/null || true
  ip netns del "$h2" 2>/dev/null || true # the veth pair goes with its namespaces
}
at_exit remove_namespaces
ip netns add "$h1" 2>/dev/null || skip "cannot create network namespaces (ip netns add failed)"
ip netns add "$h2"
ip link add "$v1" type veth peer name "$v2" || skip "cannot create a veth pair"
ip link set "$v1" netns "$h1"
ip link set "$v2" netns "$h2"
ip -n "$h1" addr add 10.77.0.1/24 dev "$v1"
ip -n "$h2" addr add 10.77.0.2/24 dev "$v2"
for n in "$h1" "$h2"; do ip -n "$n" link set lo up; done
ip -n "$h1" link set "$v1" up
ip -n "$h2" link set "$v2" up

# ssh stand-in for Open MPI's rsh launcher: AGENT HOST COMMAND runs COMMAND
# with a shell in HOST's namespace, as sshd would.
cat >"$T/agent.sh" <<AGENT
#!/bin/bash
host=\$1; shift
case "\$host" in
  10.77.0.1) ns=$h1 name=kseg-h1 ;;
  10.77.0.2) ns=$h2 name=kseg-h2 ;;
  *) echo "agent: unknown host \$host" >&2; exit 255 ;;
esac
exec ip netns exec "\$ns" unshare --uts /bin/sh -c "hostname \$name; \$*"
AGENT
chmod +x "$T/agent.sh"

two_hosts() {
  timeout 120 ip netns exec "$h1" "$MPIEXEC" --host 10.77.0.1:1,10.77.0.2:1 -n 2 \
    --mca plm_rsh_agent "$T/agent.sh" --mca btl tcp,self \
    --mca btl_tcp_if_include 10.77.0.0/24 --mca oob_tcp_if_include 10.77.0.0/24 \
    -x PATH -x LD_LIBRARY_PATH -x OMP_NUM_THREADS -x OMP_WAIT_POLICY "$@"
}
hosts=$(two_hosts hostname | sort | tr '\n' ' ') || skip "Open MPI could not start across the namespaces"
[ "$hosts" = "$(printf '%s\n' kseg-h2 "$(hostname)" | sort | tr '\n' ' ')" ] || fail "ranks ran on: $hosts"

"$PY" - "$T/f.h5" <<'PYEOF'
import numpy as np, h5py, sys
r = np.random.default_rng(11); n, d = 5000, 5
c = r.normal(0, 4, (6, d)); x = c[r.integers(0, 6, n)] + r.normal(0, 1.5, (n, d))
with h5py.File(sys.argv[1], "w") as f: f["/features"] = x
PYEOF
before=$(ip -n "$h1" -s -j link show "$v1" | "$PY" -c "import json,sys; print(json.load(sys.stdin)[0]['stats64']['tx']['bytes'])")
kseg_np 1 fit --in "$T/f.h5" --k 6 --n-init 3 --out "$T/one.h5" >/dev/null
two_hosts "$KSEG_BIN" fit --in "$T/f.h5" --k 6 --n-init 3 --out "$T/two.h5" >/dev/null
h5_same "$T/one.h5" "$T/two.h5"
kseg_np 1 sweep --in "$T/f.h5" --k 2:5 --n-init 1 --silhouette sample:500 --out "$T/s1.h5" >/dev/null
two_hosts "$KSEG_BIN" sweep --in "$T/f.h5" --k 2:5 --n-init 1 --silhouette sample:500 --out "$T/s2.h5" >/dev/null
h5diff --exclude-path /sweep/seconds "$T/s1.h5" "$T/s2.h5" >/dev/null || fail "the two-host sweep differs"
# the autoencoder across nodes: the static split (no shared memory between
# the hosts), the weights those of one rank
kseg_np 1 generate --rows 2000 --segments 3 --seed 5 --out "$T/g.h5" >/dev/null 2>&1
AE=(prep --in "$T/g.h5" --autoencoder 8,3 --epochs 3 --batch 64 --json)
OMP_NUM_THREADS=1 kseg_np 1 "${AE[@]}" --out "$T/a1.h5" >"$T/a1.json" 2>/dev/null
OMP_NUM_THREADS=1 two_hosts "$KSEG_BIN" "${AE[@]}" --out "$T/a2.h5" >"$T/a2.json" 2>/dev/null
h5_same "$T/a1.h5" "$T/a2.h5" /features /prep/autoencoder
shared=$("$PY" -c "import json,sys; print(json.load(open(sys.argv[1]))['autoencoder']['shared_step_ranks'])" "$T/a2.json")
[ "$shared" = 0 ] || fail "the autoencoder shared its steps across two hosts: shared_step_ranks $shared"
after=$(ip -n "$h1" -s -j link show "$v1" | "$PY" -c "import json,sys; print(json.load(sys.stdin)[0]['stats64']['tx']['bytes'])")
echo "veth traffic from host 1: $((after - before)) bytes"
[ $((after - before)) -gt 10000 ] || fail "almost no traffic over the veth link: $((after - before)) bytes"
echo "two hosts: fit, sweep and autoencoder identical to one rank"
