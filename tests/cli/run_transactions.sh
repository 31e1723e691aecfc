# kseg run --transactions: a transaction log (CDNOW) aggregated per customer,
# then prep (rfm recipe), sweep, fit and profiles; the same at 1 and 3 ranks.
source "$KSEG_TESTS/cli/lib.sh"
LOG="$KSEG_DATA/cdnow_master.txt"
[ -f "$LOG" ] || fail "missing $LOG"
kseg_np 2 run --transactions "$LOG" --out "$T/r2" --no-report --k 3:5 --n-init 2 --json > "$T/r2.json"
"$PY" - "$T/r2" "$T/r2.json" <<'PYEOF'
import csv, json, sys, h5py
d, j = sys.argv[1], json.load(open(sys.argv[2]))
assert j["rows"] == 23570, j["rows"]
assert j["recipe"] == "rfm", j["recipe"]
assert 3 <= j["k"] <= 5, j["k"]
rows = list(csv.DictReader(open(f"{d}/segments.csv")))
assert len(rows) == 23570 and "customer_id" in rows[0], rows[0]
with h5py.File(f"{d}/raw.h5") as f:
    assert int(f["/raw/frequency"][:].sum()) == 69659
with h5py.File(f"{d}/result.h5") as f:
    labels = f["/labels"][:]
assert [int(r["segment"]) for r in rows] == labels.tolist()
names = [r["segment_name"] for r in rows]
words = ("Recent buyers", "Lapsed", "Frequent buyers", "One-off buyers", "Big spenders", "Small spenders")
assert all(any(w in n for w in words) for n in set(names)), set(names)  # the RFM vocabulary, not column names
print("rfm run ok: k =", j["k"], sorted(set(names)))
PYEOF
kseg_np 3 run --transactions "$LOG" --out "$T/r3" --no-report --k 3:5 --n-init 2 > /dev/null
h5_same "$T/r2/result.h5" "$T/r3/result.h5" /labels /centroids
same_file "$T/r2/segments.csv" "$T/r3/segments.csv"
# one input, not two
expect_status 1 1 run --transactions "$LOG" --in "$LOG" --out "$T/x"
expect_message "one of the two"
