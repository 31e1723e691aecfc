# kseg import (and generate): every bad input and an injected failure at
# each phase, at 3 ranks (reliability_lib.sh lists what each case must hold).
source "$KSEG_TESTS/cli/lib.sh"
source "$KSEG_TESTS/cli/reliability_lib.sh"
C="$T/ok.csv"
{ echo "id,spend,segment"; for i in $(seq 1 60); do echo "C$i,$((i * 7 % 13)).5,s$((i % 3))"; done; } >"$C"
: >"$T/empty.csv"
echo "id,spend,segment" >"$T/header.csv"
{ head -40 "$C"; echo "C99,1.5"; tail -20 "$C"; } >"$T/ragged.csv"   # row 40 on the last rank
{ head -30 "$C"; head -c 3000 /dev/urandom | tr -d '\n\r' | tr '\000' x; echo; } >"$T/binary.csv"
printf '\000\001\002\003PK\003\004%s' "$(head -c 500 /dev/urandom | tr -d '\000')" >"$T/zip.csv"
mkdir "$T/dir.csv"

bad 1 "missing.csv" import --in "$T/missing.csv" --out "$OUT"
if unreadable "$C" "$T/locked.csv"; then
  as_unprivileged bad 1 "locked.csv" import --in "$T/locked.csv" --out "$OUT"
fi
bad 1 "empty.csv" import --in "$T/empty.csv" --out "$OUT"
bad 1 "header.csv" import --in "$T/header.csv" --out "$OUT"
bad 1 "line 41 has 2 fields" import --in "$T/ragged.csv" --out "$OUT"
bad 1 "binary.csv" import --in "$T/binary.csv" --out "$OUT"
bad 1 "zip.csv" import --in "$T/zip.csv" --out "$OUT"
bad 1 "dir.csv" import --in "$T/dir.csv" --out "$OUT"
bad 1 "unknown option '--frobnicate'" import --in "$C" --out "$OUT" --frobnicate
bad 2 "/proc/o.h5" import --in "$C" --out /proc/o.h5
bad 2 "$T/no/such/dir" import --in "$C" --out "$T/no/such/dir/o.h5"

for phase in csv_scan csv_infer csv_convert write; do
  inject "$phase" import --in "$C" --out "$OUT"
done
for phase in generate write; do
  inject "$phase" generate --rows 90 --out "$OUT"
done
bad 1 "--rows" generate --rows 0 --out "$OUT"
bad 1 "unknown option '--frobnicate'" generate --rows 10 --out "$OUT" --frobnicate
expect_status 0 3 import --in "$C" --out "$OUT"
h5dump -H -g /raw "$OUT" >/dev/null || fail "no table written"
echo "reliability_import: ok"
