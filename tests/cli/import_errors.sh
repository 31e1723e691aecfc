# Bad CSV input: exit 1, one message naming the file and line, no output and
# an existing output left as it was. Run at 3 ranks with the fault near the end
# of the file, where only the last rank sees it; the others must not hang.
. "$(dirname "$0")/lib.sh"

# A valid 29-column, 600-row tab file to corrupt (rows in the last third are rank 2's).
"$PY" - "$T" <<'PY'
import sys
t = sys.argv[1]
cols = [f"c{j}" for j in range(29)]
rows = [str(i) + "\t" + "\t".join(str((i * 31 + j) % 97) for j in range(28)) for i in range(600)]
def write(name, lines, raw=None):
    with open(f"{t}/{name}", "wb") as f:
        f.write(raw if raw is not None else ("\r\n".join(lines) + "\r\n").encode())
head = "\t".join(cols)
write("good.csv", [head] + rows)
bad = list(rows); bad[585] = "1\t2\t3\t4\t5"          # file line 587
write("ragged.csv", [head] + bad)
bad = list(rows); bad[590] = bad[590] + "\t7"        # line 592: one field too many
write("extra.csv", [head] + bad)
bad = list(rows); bad[580] = '"open' + bad[580]      # line 582: quote never closed
write("unterminated.csv", [head] + bad)
data = ("\r\n".join([head] + rows) + "\r\n").encode()
cut = data.index(("\r\n" + rows[595]).encode()) + 2  # start of line 597
write("nul.csv", None, data[:cut] + b"12\x00\x01\x02" + data[cut:])
write("latin1.csv", None, data[:cut] + "Zürich\t".encode("latin-1") + data[cut:])
write("ctrl.csv", None, data[:cut] + b"\x07" + data[cut:])
write("afterquote.csv", None, data[:cut] + b'"a"b' + data[cut:])
bad = list(rows); bad[500] = '5" screen' + bad[500]; bad[510] = '7" screen' + bad[510]
write("stray.csv", [head] + bad)                     # lines 502-512 become one record
write("empty.csv", None, b"")
write("header_only.csv", [head])
write("blank_only.csv", None, b"\r\n\r\n")
write("dup.csv", ["a,b,c,b", "1,2,3,4"])
write("utf16.csv", None, "ID,a\r\n1,2\r\n".encode("utf-16"))
write("cp1252bad.csv", None, b"a,b\r\n1,x\x81y\r\n")
write("binary.csv", None, bytes(range(256)) * 64)
PY

OUT="$T/out.h5"
"$PY" -c "import h5py; h5py.File('$OUT', 'w').create_dataset('old', data=[1, 2, 3])"
cp "$OUT" "$T/out.orig"

# bad_input FILE MESSAGE...: exit 1 at 3 ranks, message named, out.h5 untouched, no temp left.
bad_input() {
  local file=$1; shift
  expect_status 1 3 import --in "$T/$file" --out "$OUT" --block-size 1024
  [ "$(grep -c 'error:' "$T/stderr")" = 1 ] || { cat "$T/stderr" >&2; fail "$file: expected one error message"; }
  expect_message "$T/$file"
  for m in "$@"; do expect_message "$m"; done
  same_file "$OUT" "$T/out.orig"
  if ls "$T" | grep -q 'out.h5.tmp'; then fail "$file: temporary output left behind"; fi
}

expect_status 0 3 import --in "$T/good.csv" --out "$T/good.h5" --block-size 1024
expect_message "600 rows x 29 columns"
bad_input ragged.csv "line 587 has 5 fields, the header has 29"
bad_input extra.csv "line 592 has 30 fields, the header has 29"
bad_input unterminated.csv "line 582: unterminated quoted field"
bad_input stray.csv "line 502 has 309 fields, the header has 29 (a quoted field makes this record run to line 512)"
bad_input nul.csv "line 597: binary data (a NUL byte)"
bad_input latin1.csv "line 597" "not valid UTF-8" "--encoding latin1" "Z\xFCrich"
bad_input ctrl.csv "line 597" "control byte"
bad_input afterquote.csv "line 597" "text after the closing quote"
bad_input empty.csv "the file is empty"
bad_input header_only.csv "no data rows"
bad_input blank_only.csv "no header row"
bad_input dup.csv "line 1: duplicate column name 'b' (columns 2 and 4)"
bad_input utf16.csv "UTF-16 (little-endian byte order mark FF FE)" "iconv"
expect_status 1 2 import --in "$T/cp1252bad.csv" --out "$OUT" --encoding cp1252
expect_message "line 2: byte 0x81 is not a character in cp1252"
same_file "$OUT" "$T/out.orig"
bad_input binary.csv "binary data"
bad_input missing.csv "cannot open"

expect_status 1 2 import --in "$T/good.csv" --out "$OUT" --delimiter colon
expect_message "--delimiter expects tab, comma, semicolon or pipe"
expect_status 1 1 import --out "$OUT"
expect_message "missing required option --in"
# An explicit delimiter wins over detection: this tab file is then one column.
expect_status 0 2 import --in "$T/good.csv" --out "$T/onecol.h5" --delimiter comma
expect_message "600 rows x 1 columns (comma-delimited"
same_file "$OUT" "$T/out.orig"

# I/O failures (injected on one rank) are exit 2 and leave the old output too.
if have_fault_injection "failures injected at each import phase"; then
  for phase in csv_scan csv_infer csv_convert write; do
    KSEG_FAIL_RANK=2 KSEG_FAIL_AT=$phase expect_status 2 3 import --in "$T/good.csv" --out "$OUT"
    expect_message "injected failure at $phase"
    same_file "$OUT" "$T/out.orig"
  done
fi
# An output directory that does not exist: exit 2, naming it.
expect_status 2 2 import --in "$T/good.csv" --out "$T/no/such/dir/x.h5"
expect_message "$T/no/such/dir/x.h5"
