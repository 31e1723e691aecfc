# rfm and run --transactions on logs that are not UTF-8: the same log
# written in UTF-8, Latin-1 and Windows-1252 (customer ids with accented
# letters, amounts in pounds; one in euros, which Latin-1 cannot write)
# aggregates to the same customers and numbers with --encoding, the ids
# coming out in UTF-8, at 1, 2 and 3 ranks and with blocks small enough to
# cut records; without it, the log is refused with a hint; a byte that
# Windows-1252 does not define, and a UTF-8 byte order mark with --encoding
# latin1, are refused naming the line or the flag. Dates written with
# German or French month names read as the numeric ones. run --transactions takes
# the same --encoding and rfm's --id, --date, --amount and --as-of, and its
# raw.h5 is rfm's.
source "$(dirname "$0")/lib.sh"
"$PY" - "$T" <<'PY'
import random, sys
d = sys.argv[1]
rng = random.Random(7)
names = ["Müller", "Café", "Øster", "Ñandú", "Smith", "Gómez", "Æbelø", "Straße"]
lines = []
for i in range(3000):
    cust = f"{rng.choice(names)}-{rng.randrange(400):03d}"
    day = f"{rng.randrange(1, 29):02d}.{rng.randrange(1, 13):02d}.{rng.choice([2021, 2022])}"
    cents = rng.randrange(100, 500000)
    amount = f"{cents // 100},{cents % 100:02d}"
    lines.append((cust, day, amount))
for cur, encs in (("£", ("utf-8", "latin-1", "cp1252")), ("€", ("utf-8", "cp1252"))):
    tag = "gbp" if cur == "£" else "eur"
    for enc in encs:
        with open(f"{d}/{tag}_{enc}.csv", "w", encoding=enc, newline="") as o:
            o.write("customer;date;amount\r\n")
            for c, day, a in lines:
                o.write(f"{c};{day};{cur} {a}\r\n")
# the same euro log with German column names, for run's --date and --amount
with open(f"{d}/eur_de.csv", "w", encoding="cp1252", newline="") as o:
    o.write("Kunde;Datum;Betrag\r\n")
    for c, day, a in lines:
        o.write(f"{c};{day};€ {a}\r\n")
# the same log with its dates written out in German ("4. März 2021"), and
# with abbreviated French months ("4 févr. 2021"), in Windows-1252
de = ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober", "November",
      "Dezember"]
fr = ["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."]
for tag, names_ in (("de_months", de), ("fr_months", fr)):
    with open(f"{d}/{tag}.csv", "w", encoding="cp1252", newline="") as o:
        o.write("customer;date;amount\r\n")
        for c, day, a in lines:
            dd, mm, yy = day.split(".")
            o.write(f"{c};{int(dd)}{'.' if tag == 'de_months' else ''} {names_[int(mm) - 1]} {yy};€ {a}\r\n")
with open(f"{d}/undefined.csv", "wb") as o:
    o.write(b"customer;date;amount\nA-1;01.02.2021;5,00\nB\x81-2;01.02.2021;6,00\n")
with open(f"{d}/bom.csv", "wb") as o:
    o.write(b"\xef\xbb\xbfcustomer;date;amount\nA-1;01.02.2021;5,00\n")
PY
# same_raw A.h5 B.h5: every column of /raw equal (floats bit for bit)
same_raw() {
  "$PY" - "$1" "$2" <<'PY' || fail "$2 differs from $1"
import sys, h5py, numpy as np
a, b = (h5py.File(p, "r")["raw"] for p in sys.argv[1:3])
assert list(a.attrs["columns"]) == list(b.attrs["columns"])
for c in a.attrs["columns"]:
    va, vb = a[c][()], b[c][()]
    same = np.array_equal(va.view(np.uint64), vb.view(np.uint64)) if va.dtype.kind == "f" else np.array_equal(va, vb)
    assert same, c
ids = [v.decode("utf-8") for v in a["customer"][()]]
assert any(v.startswith("Müller-") for v in ids) and any(v.startswith("Straße-") for v in ids), ids[:5]
PY
}
for tag in gbp eur; do
  expect_status 0 1 rfm --in "$T/${tag}_utf-8.csv" --out "$T/${tag}_utf8.h5"
  for enc in latin1 cp1252; do
    file=$T/${tag}_$([ $enc = latin1 ] && echo latin-1 || echo cp1252).csv
    [ -f "$file" ] || continue
    for np in 1 2 3; do
      expect_status 0 "$np" rfm --in "$file" --out "$T/$tag.$enc.$np.h5" --encoding $enc --block-size 1024
      same_raw "$T/${tag}_utf8.h5" "$T/$tag.$enc.$np.h5"
    done
  done
done
for tag in de_months fr_months; do
  expect_status 0 2 rfm --in "$T/$tag.csv" --out "$T/$tag.h5" --encoding cp1252
  same_raw "$T/eur_utf8.h5" "$T/$tag.h5"
done
echo "UTF-8, Latin-1 and Windows-1252 logs, dates with German and French month names: the same customers"

expect_status 1 2 rfm --in "$T/gbp_latin-1.csv" --out "$T/x.h5"
expect_message "gbp_latin-1.csv: line 2: bytes that are not valid UTF-8 (a Latin-1 or Windows-1252 log: give --encoding latin1 or --encoding cp1252)"
[ ! -e "$T/x.h5" ] || fail "a refused log left $T/x.h5"
expect_status 1 2 rfm --in "$T/undefined.csv" --out "$T/x.h5" --encoding cp1252
expect_message "undefined.csv: line 3: byte 0x81 is not a character in cp1252"
expect_status 1 1 rfm --in "$T/bom.csv" --out "$T/x.h5" --encoding latin1
expect_message "bom.csv: the log starts with a UTF-8 byte order mark, but --encoding latin1 was given"
expect_status 1 1 rfm --in "$T/bom.csv" --out "$T/x.h5" --encoding ebcdic
expect_message "--encoding expects utf-8, latin1 or cp1252, got 'ebcdic'"

# run --transactions reads the log with the same --encoding, and names its
# columns with rfm's --id, --date and --amount: the customers of raw.h5 are
# rfm's, and segments.csv keys every one by its UTF-8 id
expect_status 0 2 run --transactions "$T/eur_de.csv" --encoding cp1252 --id Kunde --date Datum --amount Betrag \
  --out "$T/run" --no-report --k 2:3
expect_status 0 1 rfm --in "$T/eur_de.csv" --encoding cp1252 --id Kunde --date Datum --amount Betrag --out "$T/de.h5"
h5_same "$T/de.h5" "$T/run/raw.h5" /raw/Kunde /raw/monetary_total /raw/recency_days /raw/frequency
"$PY" - "$T/run/segments.csv" "$T/eur_utf8.h5" <<'PY' || fail "run --transactions --encoding: segments.csv ids"
import csv, sys, h5py
rows = list(csv.reader(open(sys.argv[1], encoding="utf-8")))
ids = sorted(r[0] for r in rows[1:])
want = sorted(v.decode("utf-8") for v in h5py.File(sys.argv[2], "r")["raw"]["customer"][()])
assert ids == want, (ids[:3], want[:3])
PY
# --as-of leaves the later lines out, as in kseg rfm
expect_status 0 1 run --transactions "$T/eur_de.csv" --encoding cp1252 --id Kunde --date Datum --amount Betrag \
  --as-of 2022-01-01 --out "$T/run2021" --no-report --k 2:3
expect_status 0 1 rfm --in "$T/eur_de.csv" --encoding cp1252 --id Kunde --date Datum --amount Betrag \
  --as-of 2022-01-01 --out "$T/de2021.h5"
h5_same "$T/de2021.h5" "$T/run2021/raw.h5" /raw/Kunde /raw/monetary_total /raw/recency_days
# the log's flags without a log
expect_status 1 1 run --in "$T/de.h5" --date Datum --out "$T/x"
expect_message "--date, --amount, --quantity and --as-of are a transaction log's: give them with --transactions LOG"
echo "rfm_encoding: ok"
