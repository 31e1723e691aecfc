# kseg prep: every bad input and an injected failure at each phase, at 3
# ranks (reliability_lib.sh lists what each case must hold).
source "$KSEG_TESTS/cli/lib.sh"
source "$KSEG_TESTS/cli/reliability_lib.sh"
make_matrices
R="$T/raw.h5"
kseg_np 1 generate --rows 90 --out "$R" >/dev/null 2>&1
"$PY" - "$R" "$T" <<'PYEOF'
import sys, shutil, h5py, numpy as np
raw, d = sys.argv[1:3]
for name, edit in {
    "rank2": lambda f: (f["/raw"].__delitem__("Income"),
                        f["/raw"].create_dataset("Income", data=np.ones((90, 2)))),
    "short": lambda f: (f["/raw"].__delitem__("Income"),
                        f["/raw"].create_dataset("Income", data=np.ones(80))),
    "inf": lambda f: f["/raw/Recency"].__setitem__(75, np.inf),  # Income has a plausible range: Inf -> missing
}.items():
    shutil.copy(raw, f"{d}/{name}.h5")
    with h5py.File(f"{d}/{name}.h5", "r+") as f:
        edit(f)
PYEOF
bad 1 "missing.h5" prep --in "$T/missing.h5" --out "$OUT"
if unreadable "$R" "$T/locked.h5"; then
  as_unprivileged bad 1 "locked.h5" prep --in "$T/locked.h5" --out "$OUT"
fi
bad 1 "text.h5" prep --in "$T/text.h5" --out "$OUT"
bad 1 "random.h5" prep --in "$T/random.h5" --out "$OUT"
bad 1 "/raw" prep --in "$T/f.h5" --out "$OUT"
bad 1 "Income" prep --in "$T/rank2.h5" --out "$OUT"
bad 1 "Income" prep --in "$T/short.h5" --out "$OUT"
bad 1 "column 'Recency' has an infinite value (row 76)" prep --in "$T/inf.h5" --out "$OUT"
bad 1 "unknown option '--frobnicate'" prep --in "$R" --out "$OUT" --frobnicate
bad 1 "unknown column 'nosuch'" prep --in "$R" --out "$OUT" --columns Income,nosuch
bad 1 "--pca" prep --in "$R" --out "$OUT" --pca 0
bad 2 "/proc/o.h5" prep --in "$R" --out /proc/o.h5
bad 2 "$T/no/such/dir" prep --in "$R" --out "$T/no/such/dir/o.h5"

for phase in prep:read prep:write write; do
  inject "$phase" prep --in "$R" --out "$OUT"
done
expect_status 0 3 prep --in "$R" --out "$OUT"
h5dump -H -d /features "$OUT" >/dev/null || fail "no features written"
echo "reliability_prep: ok"
