# rfm on transaction logs as exports write them: a German log (';',
# decimal comma, '€' after, dotted dates) and a US log (quoted "$1,234.50",
# month-first dates with a time) aggregate to the same customers, numbers
# and dates as CDNOW itself, at 1, 2 and 3 ranks; amounts that read both
# ways take the mark the log's other amounts prove, and without one, like
# dates that read day first and month first, are refused until --decimal or
# --date-order says; a log that mixes marks is refused with both lines.
source "$(dirname "$0")/lib.sh"
LOG=$KSEG_DATA/cdnow_master.txt
expect_status 0 1 rfm --in "$LOG" --out "$T/clean.h5"
"$PY" - "$LOG" "$T" <<'PY'
import sys
src, d = sys.argv[1:3]
rows = [l.split() for l in open(src).read().splitlines()[1:] if l.strip()]
def group(ip, sep):
    parts = []
    while len(ip) > 3:
        parts.insert(0, ip[-3:]); ip = ip[:-3]
    return sep.join([ip] + parts)
with open(f"{d}/de.csv", "w", encoding="utf-8") as o:
    o.write("Kunde;Datum;Menge;Betrag\n")
    for c, day, q, a in rows:
        ip, _, fr = a.partition(".")
        o.write(f"{c};{day[6:]}.{day[4:6]}.{day[:4]};{q};{group(ip, '.')},{fr or '00'} €\n")
with open(f"{d}/us.csv", "w", encoding="utf-8") as o:
    o.write("customer,date,qty,amount\n")
    for c, day, q, a in rows:
        ip, _, fr = a.partition(".")
        o.write(f'{c},{int(day[4:6])}/{int(day[6:])}/{day[:4]} 10:00,{q},"${group(ip, ",")}.{fr or "00"}"\n')
# amounts that read both ways: 1.234 is a thousand with a decimal comma
with open(f"{d}/amb.csv", "w") as o:
    o.write("customer;date;amount\n1;2020-01-05;1.234\n2;2020-01-06;5\n")
with open(f"{d}/amb_comma.csv", "w") as o:
    o.write("customer;date;amount\n1;2020-01-05;1.234\n2;2020-01-06;5,5\n")
with open(f"{d}/mixed.csv", "w") as o:
    o.write("customer;date;amount\n1;2020-01-05;12.5\n2;2020-01-06;7\n3;2020-01-07;5,5\n")
with open(f"{d}/either.csv", "w") as o:
    o.write("customer,date,amount\n1,01/02/2020,5\n2,03/04/2020,6\n")
PY
for np in 1 2 3; do
  for v in de us; do
    names=""
    [ $v = de ] && names="--id Kunde --date Datum --amount Betrag --quantity Menge"
    expect_status 0 "$np" rfm --in "$T/$v.csv" --out "$T/$v$np.h5" $names
    "$PY" - "$T/clean.h5" "$T/$v$np.h5" <<'PY'
import sys, h5py, numpy as np
a, b = (h5py.File(p, "r")["raw"] for p in sys.argv[1:3])
ca, cb = list(a.attrs["columns"]), list(b.attrs["columns"])
assert ca[1:] == cb[1:], (ca, cb)
for x, y in zip(ca, cb):
    va, vb = a[x][()], b[y][()]
    same = np.array_equal(va.view(np.uint64), vb.view(np.uint64)) if va.dtype.kind == "f" else np.array_equal(va, vb)
    assert same, (sys.argv[2], x)
PY
  done
done
echo "German and US logs: the same customers as CDNOW at 1/2/3 ranks"

expect_status 1 2 rfm --in "$T/amb.csv" --out "$T/amb.h5"
expect_message "amb.csv: the amounts of the amount column read with a decimal point and also with a decimal comma (line 2)"
expect_message "--decimal"
[ ! -e "$T/amb.h5" ] || fail "a refused log left an output"
expect_status 0 2 rfm --in "$T/amb.csv" --out "$T/amb.h5" --decimal ,
expect_status 0 3 rfm --in "$T/amb_comma.csv" --out "$T/amb_comma.h5"
"$PY" - "$T/amb.h5" "$T/amb_comma.h5" <<'PY'
import sys, h5py
a = h5py.File(sys.argv[1], "r")["raw/monetary_total"][()]
b = h5py.File(sys.argv[2], "r")["raw/monetary_total"][()]
assert list(a) == [1234.0, 5.0] and list(b) == [1234.0, 5.5], (a, b)
PY
expect_status 1 3 rfm --in "$T/mixed.csv" --out "$T/mixed.h5"
expect_message "the amount column mixes a decimal point (line 2) and a decimal comma (line 4)"
expect_status 1 1 rfm --in "$T/either.csv" --out "$T/either.h5"
expect_message "every date of the date column reads both day first and month first (line 2)"
expect_status 0 1 rfm --in "$T/either.csv" --out "$T/either.h5" --date-order MDY --json
grep -q '"first_day":"2020-01-02"' "$T/stdout" || grep -q '2020-01-02' "$T/stdout" || fail "MDY not applied: $(cat "$T/stdout")"
echo "rfm_exports: ok"
