# Real exports, as spreadsheets and CRMs write them: ten variants of the two
# real tables made here (tests/oracle/messy_exports.py; never committed), each
# imported at 1, 2 and 3 ranks to the same numbers, dates and ids as the clean
# table, the same bytes at every rank count; then the rules that need the
# user (ambiguous decimal marks and dates), the warnings that name values
# and lines, --strict, --na, --id and repeated ids.
. "$(dirname "$0")/lib.sh"
M="$KSEG_TESTS/oracle/messy_exports.py"
"$PY" "$M" make "$KSEG_DATA" "$T/v"
kseg_np 2 import --in "$KSEG_DATA/marketing_campaign.csv" --out "$T/mk.h5" >/dev/null 2>&1
kseg_np 2 import --in "$KSEG_DATA/cc_general.csv" --out "$T/cc.h5" >/dev/null 2>&1

for csv in "$T"/v/*.csv; do
  name=$(basename "$csv" .csv)
  enc=utf-8
  case $name in mk_latin1) enc=latin1 ;; mk_cp1252) enc=cp1252 ;; esac
  case $name in cc_*) clean="$T/cc.h5" ;; *) clean="$T/mk.h5" ;; esac
  for np in 1 2 3; do
    expect_status 0 "$np" import --in "$csv" --out "$T/$name.$np.h5" --encoding "$enc" --block-size 4096
  done
  "$PY" "$M" check "$clean" "$T/$name.3.h5" "$T/v/variants.json" "$name"
  h5_same "$T/$name.1.h5" "$T/$name.3.h5"
  h5_same "$T/$name.2.h5" "$T/$name.3.h5"
done
# the units and marks are noted on the columns
"$PY" - "$T/cc_percent_currency.1.h5" "$T/mk_eu_semicolon.1.h5" "$T/mk_us_currency.1.h5" <<'PY'
import sys, h5py
t = lambda v: v.decode() if isinstance(v, bytes) else str(v)
cc, eu, us = (h5py.File(p, "r")["raw"] for p in sys.argv[1:4])
assert t(cc["PURCHASES_FREQUENCY"].attrs["unit"]) == "%" and t(cc["BALANCE"].attrs["unit"]) == "$"
assert t(eu["Income"].attrs["decimal"]) == "," and t(eu["Dt_Customer"].attrs["date_order"]) == "DMY"
assert t(us["Dt_Customer"].attrs["date_order"]) == "MDY" and t(us.attrs["id_column"]) == "ID"
assert us["ID"].dtype.kind == "S" and t(us["ID"][0]) == "005524"
print("units and formats noted")
PY

# --- what the values cannot tell is refused, naming the file, line, column and value ---
printf 'ID;Signup;Amount\n1;04/09/2012;1,5\n2;05/06/2013;2,5\n' >"$T/ambiguous_dates.csv"
expect_status 1 2 import --in "$T/ambiguous_dates.csv" --out "$T/x.h5"
expect_message "ambiguous_dates.csv: column 'Signup'"
expect_message "('04/09/2012', line 2)"
expect_message "--date-order"
[ ! -e "$T/x.h5" ] || fail "a refused import wrote $T/x.h5"
expect_status 0 2 import --in "$T/ambiguous_dates.csv" --out "$T/x.h5" --date-order MDY --json
"$PY" -c "
import json, h5py, datetime
j = json.load(open('$T/stdout'))
col = {c['name']: c for c in j['per_column']}
assert col['Signup']['date_order'] == 'MDY' and col['Amount']['decimal'] == ',', col
f = h5py.File('$T/x.h5', 'r')['raw']
assert f['Signup'][0] == (datetime.date(2012, 4, 9) - datetime.date(1970, 1, 1)).days
assert list(f['Amount'][()]) == [1.5, 2.5]
"
printf 'CustomerId,Income\n1,"1,234"\n2,"5,678"\n3,12\n' >"$T/ambiguous_decimal.csv"
expect_status 1 1 import --in "$T/ambiguous_decimal.csv" --out "$T/x2.h5"
expect_message "column 'Income': '1,234' (line 2) reads as a number with a decimal point and also with a decimal comma"
expect_message "--decimal"
expect_status 0 1 import --in "$T/ambiguous_decimal.csv" --out "$T/x2.h5" --decimal .
"$PY" -c "import h5py; assert list(h5py.File('$T/x2.h5','r')['raw/Income'][()]) == [1234, 5678, 12]"
expect_status 0 1 import --in "$T/ambiguous_decimal.csv" --out "$T/x2.h5" --decimal ,
"$PY" -c "import h5py; assert list(h5py.File('$T/x2.h5','r')['raw/Income'][()]) == [1.234, 5.678, 12]"

# --- a few values that are not numbers: missing, named with their lines; --strict refuses ---
"$PY" - "$T" <<'PY'
import sys
t = sys.argv[1]
rows = [f"{i:05d};{i * 10},5;{'Gold' if i % 2 else 'Silver'};{2000 + i % 20}-01-{1 + i % 28:02d}" for i in range(300)]
rows[40] = rows[40].replace(",5;", ",5 €;")         # the one value with a currency: the column's unit
rows[100] = "00100;n.a.;Gold;2003-01-05"              # not a number
rows[201] = "00201;201,5;Gold;not yet"                # not a date
rows[250] = "00007;2500,5;Gold;2010-01-11"            # a repeated id
open(f"{t}/few_bad.csv", "w").write("Customer_No;Spend;Tier;Joined\n" + "\n".join(rows) + "\n")
# mostly numbers, but too many words: text, said so
rows = [str(i) if i % 5 else "unknown" for i in range(100)]
open(f"{t}/mostly.csv", "w").write("Age,x\n" + "\n".join(f"{r},{i}" for i, r in enumerate(rows)) + "\n")
# two-digit years are not guessed
open(f"{t}/short_years.csv", "w").write("id,Joined\n" + "\n".join(f"{i},04.09.{10 + i % 9}" for i in range(20)) + "\n")
PY
expect_status 0 3 import --in "$T/few_bad.csv" --out "$T/few.h5" --id Customer_No --block-size 1024
expect_message "few_bad.csv: column 'Spend': 1 value is not numbers in EUR with a decimal comma and is read as missing: 'n.a.' (line 102)"
expect_message "column 'Joined': 1 value is not dates (YMD) and is read as missing: 'not yet' (line 203)"
expect_message "id column 'Customer_No': 1 row repeats the id of an earlier row: '00007' (line 252)"
"$PY" -c "
import h5py, math
f = h5py.File('$T/few.h5', 'r')['raw']
assert f['Customer_No'][0] == b'00000' and f['Customer_No'][250] == b'00007', f['Customer_No'][:3]
assert math.isnan(f['Spend'][100]) and f['Spend'][40] == 400.5 and f['Spend'][3] == 30.5
assert f['Spend'].attrs['unit'] in (b'EUR', 'EUR')
"
expect_status 1 3 import --in "$T/few_bad.csv" --out "$T/few_strict.h5" --strict
expect_message "column 'Spend': 1 value is not numbers in EUR with a decimal comma: 'n.a.' (line 102) (--strict)"
[ ! -e "$T/few_strict.h5" ] || fail "--strict wrote an output"
expect_status 0 2 import --in "$T/few_bad.csv" --out "$T/few_na.h5" --na "n.a.,not yet"
if grep -q "read as missing" "$T/stderr"; then fail "--na markers still warned"; fi
expect_status 0 2 import --in "$T/mostly.csv" --out "$T/mostly.h5"
expect_message "column 'Age': 80 of its 100 values are numbers, but 20 are not (first 'unknown', line 2), so it is read as text"
expect_status 1 2 import --in "$T/mostly.csv" --out "$T/mostly.h5" --strict
expect_message "(--strict)"
expect_status 0 2 import --in "$T/short_years.csv" --out "$T/short.h5"
expect_message "'04.09.10' (line 2) is a date with a two-digit year; kseg does not guess the century"
# zip codes with leading zeros are codes: text, no zero lost
printf 'CustomerId,Zip,Visits\n1,01234,5\n2,80331,6\n3,00501,7\n4,01234,1\n' >"$T/zip.csv"
expect_status 0 1 import --in "$T/zip.csv" --out "$T/zip.h5"
expect_message "column 'Zip': values such as '01234' (line 2) are written with leading zeros"
"$PY" -c "
import h5py; f = h5py.File('$T/zip.h5', 'r')['raw/Zip']
assert [x.decode() for x in f[()]] == ['01234', '80331', '00501', '01234'], f[()]
"
expect_status 1 2 import --in "$T/few_bad.csv" --out "$T/x3.h5" --id Nope
expect_message "--id column 'Nope' is not in the header"
echo "import_messy: ok"
