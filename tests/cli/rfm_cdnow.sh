# rfm on CDNOW (whitespace-separated, CRLF, YYYYMMDD): 23,570 customers,
# frequencies summing to 69,659, money to 2,500,315.63, every value equal to
# the Python reference; byte-identical at 1, 2, 3 ranks, with 3 threads per
# rank and with tiny read blocks and exchange rounds; the same customers from
# a comma CSV of the log and from that CSV imported into HDF5.
source "$(dirname "$0")/lib.sh"
LOG=$KSEG_DATA/cdnow_master.txt
[ -r "$LOG" ] || fail "missing $LOG"

expect_status 0 1 rfm --in "$LOG" --out "$T/np1.h5" --json
grep -q '"customers":23570' "$T/stdout" || fail "json: $(cat "$T/stdout")"
grep -q '"lines":69659' "$T/stdout" || fail "json lines"
"$PY" "$KSEG_TESTS/oracle/rfm_check.py" "$LOG" "$T/np1.h5" --expect-customers 23570 --expect-lines 69659 \
  --expect-monetary 2500315.63 || fail "reference check"
for np in 2 3; do
  expect_status 0 "$np" rfm --in "$LOG" --out "$T/np$np.h5"
  same_file "$T/np1.h5" "$T/np$np.h5"
done
expect_status 0 3 rfm --in "$LOG" --out "$T/small.h5" --block-size 1024 --round-size 5
same_file "$T/np1.h5" "$T/small.h5"
# Threads split the byte range and the fold (69,659 lines on one rank: three
# fold ranges); the file is the same.
OMP_NUM_THREADS=3 expect_status 0 1 rfm --in "$LOG" --out "$T/threads.h5" --block-size 4096
same_file "$T/np1.h5" "$T/threads.h5"

# The same log as a comma CSV (dates YYYY-MM-DD, quoted ids), and imported.
"$PY" - "$LOG" "$T/cdnow.csv" <<'PYEOF'
import sys
src, dst = sys.argv[1], sys.argv[2]
with open(src) as f, open(dst, "w", newline="") as o:
    f.readline()
    o.write("customer_id,date,number_of_cds,dollar_value\r\n")
    for line in f:
        c, d, n, v = line.split()
        o.write(f'"{c}",{d[:4]}-{d[4:6]}-{d[6:]},{n},{v}\r\n')
PYEOF
expect_status 0 2 rfm --in "$T/cdnow.csv" --out "$T/csv.h5"
cols=$("$PY" -c "import h5py,sys; print(' '.join('/raw/'+c for c in h5py.File(sys.argv[1])['raw'].attrs['columns']))" "$T/np1.h5")
h5_same "$T/np1.h5" "$T/csv.h5" $cols
expect_status 0 2 import --in "$T/cdnow.csv" --out "$T/log.h5"
expect_status 0 3 rfm --in "$T/log.h5" --out "$T/fromh5.h5"
h5_same "$T/np1.h5" "$T/fromh5.h5" $cols

# An as-of day inside the log: later lines are left out, recency counts to it.
expect_status 0 2 rfm --in "$LOG" --out "$T/asof.h5" --as-of 1997-09-30 --json
grep -q '"as_of":"1997-09-30"' "$T/stdout" || fail "as_of not reported"
"$PY" "$KSEG_TESTS/oracle/rfm_check.py" "$LOG" "$T/asof.h5" --as-of 1997-09-30 || fail "as-of reference check"
echo OK
