# kseg metrics refuses bad input with exit 1 and a message naming the problem.
source "$KSEG_TESTS/cli/lib.sh"
"$PY" - "$T" <<'PYEOF'
import sys, h5py, numpy as np
d = sys.argv[1]
with h5py.File(f"{d}/f.h5", "w") as f:
    f["/features"] = np.random.default_rng(1).normal(size=(50, 3))
with h5py.File(f"{d}/one.h5", "w") as f:
    f["/labels"] = np.zeros(50, dtype=np.int32)
with h5py.File(f"{d}/short.h5", "w") as f:
    f["/labels"] = np.zeros(49, dtype=np.int32)
with h5py.File(f"{d}/neg.h5", "w") as f:
    l = np.arange(50, dtype=np.int32) % 3; l[47] = -1
    f["/labels"] = l
PYEOF
expect_status 1 3 metrics --in "$T/f.h5" --labels "$T/one.h5"
expect_message "between 2 and n-1"
expect_status 1 3 metrics --in "$T/f.h5" --labels "$T/short.h5"
expect_message "49 labels"
expect_status 1 3 metrics --in "$T/f.h5" --labels "$T/neg.h5"
expect_message "row 47"
expect_status 1 3 metrics --in "$T/missing.h5" --labels "$T/one.h5"
expect_message "missing.h5"
expect_status 1 3 metrics --in "$T/f.h5" --labels "$T/one.h5" --silhouette bogus
expect_message "--silhouette"
expect_status 1 2 metrics --in "$T/f.h5" --labels "$T/one.h5" --bogus-flag
expect_message "unknown option '--bogus-flag'"
expect_status 1 2 metrics --in "$T/f.h5"
expect_message "missing required option --labels"
echo "bad inputs refused"
