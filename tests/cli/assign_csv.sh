# Scoring new customers from a CSV export: batches of 1, 5 and 300 rows of
# the real table, read with the model's import schema, get exactly the
# labels and distances `kseg run` gave them, at 1, 2 and 3 ranks; the scored
# CSV carries the id under its own name, the segment name, the distance and
# the campaign decision. Unseen categories are missing and reported; a
# batch exported another way (a decimal comma) reads with --decimal; a
# missing column and a bad value are refused naming the file, column, value.
. "$(dirname "$0")/lib.sh"
MKT="$KSEG_DATA/marketing_campaign.csv"
kseg_np 2 run --in "$MKT" --out "$T/r" --no-report --n-init 3 --gap 0 >/dev/null 2>&1
[ -s "$T/r/model.h5" ] || fail "no model"
"$PY" - "$MKT" "$T" <<'PY'
import sys
mkt, t = sys.argv[1:3]
lines = open(mkt, encoding="utf-8", newline="").read().split("\r\n")
head, rows = lines[0], [l for l in lines[1:] if l]
for n, first in ((1, 0), (5, 3), (300, 1000)):
    open(f"{t}/b{n}.csv", "w").write("\r\n".join([head] + rows[first:first + n]) + "\r\n")
# the same 300 customers from a European spreadsheet: ';', decimal comma, dotted dates
cols = head.split("\t")
inc, dt = cols.index("Income"), cols.index("Dt_Customer")
out = [";".join(cols)]
for r in rows[1000:1300]:
    f = r.split("\t")
    if f[inc]:
        f[inc] = f[inc] + ",00"
    f[dt] = f[dt].replace("-", ".")
    out.append(";".join(f))
open(f"{t}/b300_eu.csv", "w").write("\n".join(out) + "\n")
# an education never seen in training, and a batch without Income
f = rows[7].split("\t")
f[cols.index("Education")] = "Doctorate"
open(f"{t}/unseen.csv", "w").write(head + "\n" + "\t".join(f) + "\n" + rows[8] + "\n")
keep = [i for i in range(len(cols)) if i != inc]
open(f"{t}/noincome.csv", "w").write("\n".join("\t".join(l.split("\t")[i] for i in keep) for l in [head] + rows[:5]) + "\n")
f = rows[9].split("\t")
f[cols.index("Recency")] = "soon"
open(f"{t}/badvalue.csv", "w").write(head + "\n" + "\t".join(f) + "\n")
PY

# the run's own lines for the customers of each batch
check() { # CSV FIRST N
  "$PY" - "$1" "$T/r/segments.csv" "$2" "$3" <<'PY'
import csv, sys
got = list(csv.reader(open(sys.argv[1], newline="")))
run = list(csv.reader(open(sys.argv[2], newline="")))
first, n = int(sys.argv[3]), int(sys.argv[4])
assert got[0] == ["ID", "segment", "segment_name", "distance", "decision"], got[0]
assert len(got) == n + 1, len(got)
for g, r in zip(got[1:], run[1 + first:1 + first + n]):
    assert g[:4] == r[:4], (g, r)  # the same id text, segment, name and distance
    assert g[4] in ("contact", "test", "skip"), g
print(f"{sys.argv[1]}: {n} customers as kseg run labelled them")
PY
}
for np in 1 2 3; do
  expect_status 0 "$np" assign --model "$T/r/model.h5" --in "$T/b1.csv" --out "$T/s1.$np.csv"
  expect_status 0 "$np" assign --model "$T/r/model.h5" --in "$T/b5.csv" --out "$T/s5.$np.csv"
  expect_status 0 "$np" assign --model "$T/r/model.h5" --in "$T/b300.csv" --out "$T/s300.$np.csv" --json
  same_file "$T/s300.$np.csv" "$T/s300.1.csv"
done
check "$T/s1.3.csv" 0 1
check "$T/s5.2.csv" 3 5
check "$T/s300.3.csv" 1000 300
"$PY" -c "
import json; j = json.load(open('$T/stdout'))
assert j['rows'] == 300 and j['id_column'] == 'ID' and j['unseen_levels'] == 0, j
"
# another export of the same customers: the model's schema says a decimal point, the flag says a comma
expect_status 0 2 assign --model "$T/r/model.h5" --in "$T/b300_eu.csv" --out "$T/s300_eu.csv" --decimal ,
same_file "$T/s300_eu.csv" "$T/s300.1.csv"
# without the flag the values do not fit the model's schema: refused, naming the column and values
expect_status 1 2 assign --model "$T/r/model.h5" --in "$T/b300_eu.csv" --out "$T/no.csv"
expect_message "b300_eu.csv: column 'Income'"
expect_message "as the model's training data was"
[ ! -e "$T/no.csv" ] || fail "a refused scoring wrote $T/no.csv"
# an unseen category: missing (imputed as training did), counted and named
expect_status 0 1 assign --model "$T/r/model.h5" --in "$T/unseen.csv" --out "$T/unseen.scored.csv" --json
expect_message "column 'Education': 1 value not seen in training, read as missing"
expect_message "'Doctorate' (line 2)"
"$PY" -c "import json; assert json.load(open('$T/stdout'))['unseen_levels'] == 1"
# a column the model needs is missing; a value that is not a number
expect_status 1 2 assign --model "$T/r/model.h5" --in "$T/noincome.csv" --out "$T/no.csv"
expect_message "noincome.csv does not fit model $T/r/model.h5: column 'Income'"
expect_status 1 2 assign --model "$T/r/model.h5" --in "$T/badvalue.csv" --out "$T/no.csv"
expect_message "badvalue.csv: column 'Recency': 1 of 1 values are not numbers with a decimal point"
expect_message "'soon' (line 2)"
[ ! -e "$T/no.csv" ] || fail "a refused scoring wrote $T/no.csv"
# the HDF5 way still works and agrees
expect_status 0 2 assign --model "$T/r/model.h5" --in "$T/r/raw.h5" --out "$T/all.h5"
"$PY" - "$T/all.h5" "$T/r/result.h5" <<'PY'
import sys, h5py, numpy as np
a, b = (h5py.File(p, "r") for p in sys.argv[1:3])
assert np.array_equal(a["labels"][()], b["labels"][()]) and np.array_equal(a["distance"][()], b["distance"][()])
print("raw.h5 scored as run labelled it")
PY
echo "assign_csv: ok"
