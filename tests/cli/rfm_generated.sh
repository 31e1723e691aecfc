# kseg generate --transactions: the same log bytes at 1 and 3 ranks; its RFM
# table (returns included) equals the Python reference, is byte-identical at
# 1, 2, 3 ranks, and the HDF5 form of the log gives the same customers.
source "$(dirname "$0")/lib.sh"
expect_status 0 1 generate --transactions 20000 --customers 1500 --seed 5 --out "$T/a.csv"
expect_status 0 3 generate --transactions 20000 --customers 1500 --seed 5 --out "$T/b.csv" --json
same_file "$T/a.csv" "$T/b.csv"
grep -q '"transactions":20000' "$T/stdout" || fail "json: $(cat "$T/stdout")"
[ "$(head -1 "$T/a.csv")" = "customer_id,date,amount,quantity" ] || fail "header: $(head -1 "$T/a.csv")"
[ "$(wc -l <"$T/a.csv")" = 20001 ] || fail "line count"
grep -q ',-[0-9]*\.[0-9][0-9],-' "$T/a.csv" || fail "no returns in the generated log"
expect_status 0 2 generate --transactions 20000 --customers 1500 --seed 5 --out "$T/log.h5"
expect_status 1 1 generate --transactions -5 --out "$T/c.csv"
expect_message "--transactions"

for np in 1 2 3; do expect_status 0 "$np" rfm --in "$T/a.csv" --out "$T/r$np.h5" --json; done
grep -q '"returns":[1-9]' "$T/stdout" || fail "returns not counted: $(cat "$T/stdout")"
same_file "$T/r1.h5" "$T/r2.h5"
same_file "$T/r1.h5" "$T/r3.h5"
"$PY" "$KSEG_TESTS/oracle/rfm_check.py" "$T/a.csv" "$T/r1.h5" || fail "reference check"
expect_status 0 2 rfm --in "$T/log.h5" --out "$T/h.h5"
cols=$("$PY" -c "import h5py,sys; print(' '.join('/raw/'+c for c in h5py.File(sys.argv[1])['raw'].attrs['columns']))" "$T/r1.h5")
h5_same "$T/r1.h5" "$T/h.h5" $cols

# String ids (C00042 style): byte-order rows, the reference agrees, and the
# same table from the log imported into HDF5 (a string or categorical column).
"$PY" - "$T/a.csv" "$T/s.csv" <<'PYEOF'
import sys
with open(sys.argv[1]) as f, open(sys.argv[2], "w") as o:
    o.write(f.readline())
    for line in f:
        c, rest = line.split(",", 1)
        o.write(f"C{int(c):05d},{rest}")
PYEOF
expect_status 0 3 rfm --in "$T/s.csv" --out "$T/s3.h5" --json
grep -q '"ids":"string"' "$T/stdout" || fail "ids not strings: $(cat "$T/stdout")"
expect_status 0 1 rfm --in "$T/s.csv" --out "$T/s1.h5"
same_file "$T/s1.h5" "$T/s3.h5"
"$PY" "$KSEG_TESTS/oracle/rfm_check.py" "$T/s.csv" "$T/s1.h5" || fail "reference check (string ids)"
expect_status 0 2 import --in "$T/s.csv" --out "$T/slog.h5"
expect_status 0 2 rfm --in "$T/slog.h5" --out "$T/sh.h5"
h5_same "$T/s1.h5" "$T/sh.h5" $cols
echo OK
