# kseg assign with bad input: a missing model or table, a file that is not a
# model, a table missing a column the model needs (named) -> exit 1, and the
# output is not created.
source "$(dirname "$0")/lib.sh"
kseg_np 2 generate --rows 500 --segments 3 --seed 2 --out "$T/raw.h5" >/dev/null 2>&1
kseg_np 2 run --in "$T/raw.h5" --out "$T/o" --k 3 --n-init 2 --no-report 2>/dev/null

expect_status 1 2 assign --model "$T/none.h5" --in "$T/raw.h5" --out "$T/l.h5"
expect_message "none.h5"
expect_status 1 2 assign --model "$T/raw.h5" --in "$T/raw.h5" --out "$T/l.h5"
expect_message "not a kseg model"
expect_status 1 2 assign --model "$T/o/model.h5" --in "$T/none.h5" --out "$T/l.h5"
expect_message "none.h5"

# the same customers without their Income column
"$PY" - "$T/raw.h5" "$T/noincome.h5" <<'PYEOF'
import sys, h5py
with h5py.File(sys.argv[1]) as a, h5py.File(sys.argv[2], "w") as b:
    g = b.create_group("raw")
    cols = [c for c in a["/raw"].attrs["columns"] if (c.decode() if isinstance(c, bytes) else c) != "Income"]
    for c in cols:
        c = c.decode() if isinstance(c, bytes) else c
        a.copy(a["/raw"][c], g, c)
    g.attrs["columns"] = cols
PYEOF
expect_status 1 3 assign --model "$T/o/model.h5" --in "$T/noincome.h5" --out "$T/l.h5"
expect_message "Income"
expect_message "noincome.h5"
[ ! -e "$T/l.h5" ] || fail "a failed assign left $T/l.h5"
ls "$T" | grep -q '\.tmp' && fail "temporary files left: $(ls "$T")"

# a good one, for contrast: the training labels back, segment names attached
kseg_np 2 assign --model "$T/o/model.h5" --in "$T/raw.h5" --out "$T/l.h5" --json >"$T/a.json" 2>/dev/null
h5_same "$T/o/result.h5" "$T/l.h5" /labels /distance
"$PY" - "$T/l.h5" "$T/a.json" <<'PYEOF'
import json, sys, h5py
names = h5py.File(sys.argv[1])["/labels"].attrs["segment_names"]
j = json.load(open(sys.argv[2]))
assert len(names) == j["k"] == 3 and sum(s["size"] for s in j["segments"]) == j["rows"] == 500, j
PYEOF
