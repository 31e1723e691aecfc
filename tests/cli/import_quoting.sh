# kseg import on generated CSVs that use every format feature: semicolons,
# CRLF, a byte order mark, RFC 4180 quotes with delimiters, doubled quotes
# and newlines inside, blank lines, missing markers, month-first and ISO
# dates, no line end at the end. Quoted newlines fall on rank boundaries.
. "$(dirname "$0")/lib.sh"
ORACLE="$KSEG_TESTS/oracle/import_oracle.py"

"$PY" - "$T/semi.csv" "$T/comma.csv" <<'PY'
import random, sys
rnd = random.Random(7)
names = ['Ann', 'Bo "the boss" Li', 'Smith; Jr.', 'two\r\nlines', 'Zoë', 'a,b', '"quoted"']
rows = []
for i in range(3000):
    amount = rnd.choice(['', 'NA', 'null', f'{rnd.uniform(-1e4, 1e4):.6f}', f'{rnd.random():.3e}', str(rnd.randint(0, 99))])
    seg = rnd.choice(['A', 'B', '"B;x"', '"multi\nline"', '  C  ', 'N/A'])
    m, d = rnd.randint(1, 12), rnd.randint(1, 28)
    us = f'{m:02d}/{d:02d}/{rnd.randint(1990, 2024)}' if i % 50 else ''
    iso = f'{rnd.randint(1990, 2024)}-{m}-{d}'
    name = rnd.choice(names)
    q = '"' + name.replace('"', '""') + '"' if any(c in name for c in ';"\r\n') else name
    rows.append(f'C{i:06d};{q};{seg};{amount};{us};{iso};')
    if i % 997 == 0:
        rows.append('')
# Some first fields > 12 make the dates month-first unambiguous.
rows.append(f'C999999;x;A;1;12/31/2020;2020-12-31;')
text = '\ufeffid;"Customer Name";segment;amount;signup;iso_day;empty\r\n' + '\r\n'.join(rows) + '\r\n'
open(sys.argv[1], 'w', encoding='utf-8', newline='').write(text)
# The same rows comma-delimited, LF only, no final line end.
rows2 = [f'{i},"v{i % 5},x",{i * 0.25},{"" if i % 7 == 0 else i % 3}' for i in range(2000)]
open(sys.argv[2], 'w', newline='').write('k,label,value,small\n' + '\n'.join(rows2))
PY

for np in 1 2 3; do
  expect_status 0 "$np" import --in "$T/semi.csv" --out "$T/semi$np.h5" --block-size 1024
  expect_message "semicolon-delimited"
  expect_status 0 "$np" import --in "$T/comma.csv" --out "$T/comma$np.h5"
done
expect_status 0 3 import --in "$T/semi.csv" --out "$T/semi_big.h5"
for f in semi1 semi2 semi_big; do h5_same "$T/$f.h5" "$T/semi3.h5"; done
h5_same "$T/comma1.h5" "$T/comma3.h5"
h5_same "$T/comma2.h5" "$T/comma3.h5"

"$PY" "$ORACLE" "$T/semi.csv" "$T/semi3.h5" rows=3001 cols=7 kind:id=string "kind:Customer Name=categorical" \
  kind:segment=categorical kind:amount=numeric kind:signup=date kind:iso_day=date kind:empty=numeric missing:signup=60
"$PY" "$ORACLE" "$T/comma.csv" "$T/comma2.h5" rows=2000 cols=4 kind:label=categorical kind:small=numeric

"$PY" - "$T/semi3.h5" <<'PY'
import sys, h5py, datetime
f = h5py.File(sys.argv[1], "r")["raw"]
dec = lambda xs: [x.decode() if isinstance(x, bytes) else x for x in xs]
assert dec(f.attrs["columns"]) == ["id", "Customer Name", "segment", "amount", "signup", "iso_day", "empty"]
names = dec(f["Customer Name"].attrs["levels"])
assert "two\r\nlines" in names and 'Bo "the boss" Li' in names and "Smith; Jr." in names and "Zoë" in names, names
seg = dec(f["segment"].attrs["levels"])
assert seg == sorted(["A", "B", "B;x", "C", "multi\nline"]), seg  # "  C  " trimmed, N/A missing
assert f["signup"][-1] == (datetime.date(2020, 12, 31) - datetime.date(1970, 1, 1)).days  # month first
print("quoting checks ok")
PY

# More ranks than rows, no final line end, and one quoted field longer than a
# rank's whole byte range and the read block: every rank count gives the same file.
printf 'a,b\n1,x' > "$T/one.csv"
"$PY" -c "open('$T/span.csv', 'w').write('id,text\n1,\"' + 'long\nline,with,commas\n' * 500 + '\"\n2,short\n3,\n')"
for f in one span; do
  for np in 1 3 5; do expect_status 0 "$np" import --in "$T/$f.csv" --out "$T/$f$np.h5" --block-size 1024; done
  h5_same "$T/${f}1.h5" "$T/${f}3.h5"
  h5_same "$T/${f}1.h5" "$T/${f}5.h5"
done
"$PY" - "$T/span5.h5" <<'PY'
import sys, h5py
f = h5py.File(sys.argv[1], "r")["raw"]
text = [x.decode() for x in f["text"][()]]
assert text == ["long\nline,with,commas\n" * 500, "short", ""], [t[:30] for t in text]
assert [x.decode() for x in f["id"][()]] == ["1", "2", "3"]  # the id column: verbatim text
print("long quoted field ok")
PY
