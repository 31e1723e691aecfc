# kseg run on real exports: a European export of the real table segments
# exactly as the clean one (options detected; the same segments.csv), a
# renamed export falls to the generic recipe without the target leaking into
# the features, ids kept as written (leading zeros, 18 digits, --id), columns
# without information noted instead of breaking the profile (columns with
# data that the generic recipe does not use named in one line), previous
# segments on a warm start, and an earlier report removed by a run that does
# not write one.
. "$(dirname "$0")/lib.sh"
MKT="$KSEG_DATA/marketing_campaign.csv"
FAST="--n-init 2 --gap 0 --k 3:4 --no-report"
"$PY" "$KSEG_TESTS/oracle/messy_exports.py" make "$KSEG_DATA" "$T/v" >/dev/null
kseg_np 2 run --in "$MKT" --out "$T/clean" $FAST >/dev/null 2>&1

# 1. the European spreadsheet (';', decimal comma, '.' thousands, dotted dates, BOM, sep=): the same segments
expect_status 0 2 run --in "$T/v/mk_eu_semicolon.csv" --out "$T/eu" $FAST
same_file "$T/eu/segments.csv" "$T/clean/segments.csv"
h5_same "$T/eu/features.h5" "$T/clean/features.h5" /features
# the US export with zero-padded ids and NA markers: the same segments, the ids as written
expect_status 0 3 run --in "$T/v/mk_us_currency.csv" --out "$T/us" $FAST
"$PY" - "$T/us/segments.csv" "$T/clean/segments.csv" <<'PY'
import csv, sys
us, clean = (list(csv.reader(open(p, newline=""))) for p in sys.argv[1:3])
assert us[0] == clean[0], us[0]
assert [r[1:] for r in us] == [r[1:] for r in clean]
assert [r[0] for r in us[1:]] == [f"{int(r[0]):06d}" for r in clean[1:]], us[1]
print("US export: the same segments, ids with their leading zeros")
PY

# 2. renamed columns: no recipe fits, the generic one clusters - never on the target
"$PY" - "$MKT" "$T/renamed.csv" <<'PY'
import sys
lines = open(sys.argv[1], encoding="utf-8", newline="").read().split("\r\n")
head = ["Customer_No" if c == "ID" else ("RESPONSE" if c == "Response" else "x_" + c) for c in lines[0].split("\t")]
body = [l.split("\t") for l in lines[1:] if l]
for r in body:
    r[0] = "%018d" % (10 ** 17 + int(r[0]))  # 18-digit ids
open(sys.argv[2], "w").write("\n".join(["\t".join(head)] + ["\t".join(r) for r in body]) + "\n")
PY
expect_status 0 2 run --in "$T/renamed.csv" --out "$T/gen" $FAST --id Customer_No --exclude x_Z_CostContact
expect_message "not a feature: 'RESPONSE' (the target (--target): a feature on it would make the response lift circular)"
"$PY" - "$T/gen" "$T/renamed.csv" <<'PY'
import csv, sys, h5py
d, src = sys.argv[1:3]
cols = [c.decode() if isinstance(c, bytes) else c for c in h5py.File(f"{d}/features.h5", "r")["features"].attrs["columns"]]
assert "RESPONSE" not in cols and "x_Z_CostContact" not in cols and "Customer_No" not in cols, cols
assert "x_Income" in cols, cols
seg = list(csv.reader(open(f"{d}/segments.csv", newline="")))
ids = [l.split("\t")[0] for l in open(src).read().split("\n")[1:] if l]
assert seg[0][0] == "Customer_No" and [r[0] for r in seg[1:]] == ids, seg[1]
assert len(set(r[0] for r in seg[1:])) == 2240  # 18 digits, none rounded together
print("generic recipe: no target among", len(cols), "features; 2240 distinct 18-digit ids")
PY
if grep -q "repeat" "$T/stderr"; then fail "18-digit ids reported as repeated"; fi
# the target named in another case, and kept out by name in every recipe
expect_status 0 1 run --in "$T/renamed.csv" --out "$T/gen2" $FAST --target response --recipe generic
expect_message "not a feature: 'RESPONSE'"

# 3. columns without information: noted, left out, the run completes (profile included)
"$PY" - "$MKT" "$T/extra.csv" <<'PY'
import sys
lines = open(sys.argv[1], encoding="utf-8", newline="").read().split("\r\n")
out = [lines[0] + "\tNotes\tRegion\tScore"] + [l + "\t\tNorth\t7" for l in lines[1:] if l]
open(sys.argv[2], "w").write("\n".join(out) + "\n")
PY
expect_status 0 2 run --in "$T/extra.csv" --out "$T/extra" $FAST --recipe generic
expect_message "not a feature: 'Notes' (all 2240 values missing)"
expect_message "not a feature: 'Score' (constant (7))"
[ -s "$T/extra/profiles.csv" ] || fail "no profiles"
[ "$(grep -c "'Notes'" "$T/stderr")" = 1 ] || fail "the empty column is noted more than once"
# columns appended by a Unix tool to a CRLF file (a CR before the new fields): the CR is space, the target
# is still found; the categorical and date columns the generic recipe does not use are named in one line
"$PY" - "$MKT" "$T/appended.csv" <<'PY'
import sys
lines = open(sys.argv[1], encoding="utf-8", newline="").read().split("\n")
out = [lines[0] + "\tColor"] + [l + "\t" + ("red" if i % 3 else "blue") for i, l in enumerate(lines[1:]) if l]
open(sys.argv[2], "w", newline="").write("\n".join(out) + "\n")
PY
expect_status 0 2 run --in "$T/appended.csv" --out "$T/appended" $FAST --recipe generic
expect_message "not a feature: 'Response' (the target"
expect_message "columns with data that are not features: 'Education', 'Marital_Status', 'Color' (categorical); 'Dt_Customer' (date: name it in --columns to use it)"
if grep -q "no target column" "$T/stderr"; then fail "the target behind a CR was not found"; fi

# 4. a warm start: previous_segment is each customer's old segment; new customers have none
"$PY" - "$MKT" "$T/first.csv" <<'PY'
import sys
lines = open(sys.argv[1], encoding="utf-8", newline="").read().split("\r\n")
open(sys.argv[2], "w").write("\n".join([lines[0]] + [l for l in lines[1:1801] if l]) + "\n")
PY
kseg_np 2 run --in "$T/first.csv" --out "$T/old" $FAST >/dev/null 2>&1
expect_status 0 3 run --in "$MKT" --out "$T/new" $FAST --warm-start "$T/old/model.h5"
"$PY" - "$T/old/segments.csv" "$T/new/segments.csv" <<'PY'
import csv, sys
old = {r[0]: r[1] for r in list(csv.reader(open(sys.argv[1], newline="")))[1:]}
new = list(csv.reader(open(sys.argv[2], newline="")))
assert new[0][-1] == "previous_segment", new[0]
for r in new[1:]:
    assert r[-1] == old.get(r[0], ""), r
print("previous_segment: the old segment of", len(old), "customers, empty for", len(new) - 1 - len(old))
PY

# 5. an earlier report is not left beside new results; a failed run leaves everything as it was
mkdir -p "$T/clean/plots"
echo "old" >"$T/clean/report.html"
echo "old" >"$T/clean/plots/elbow.png"
expect_status 1 2 run --in "$T/nope.csv" --out "$T/clean" $FAST
[ -e "$T/clean/report.html" ] && [ -e "$T/clean/plots/elbow.png" ] || fail "a failed run removed the old report"
expect_status 0 2 run --in "$MKT" --out "$T/clean" $FAST
[ ! -e "$T/clean/report.html" ] && [ ! -e "$T/clean/plots" ] || fail "the earlier report is still beside the new results"
[ -z "$(ls -A "$T/clean" | grep '^\.kseg-run')" ] || fail "staging left behind"
echo "run_exports: ok"
