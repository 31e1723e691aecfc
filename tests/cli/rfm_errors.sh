# rfm refuses bad logs and bad usage with exit 1 and a message naming the
# file and line (or the column); an I/O failure is exit 2; a failed run
# leaves no output and an existing output untouched.
source "$(dirname "$0")/lib.sh"
printf 'customer_id,date,amount\r\n1,2024-01-02,5.00\r\n2,2024-01-03,7\r\n' >"$T/good.csv"
expect_status 0 1 rfm --in "$T/good.csv" --out "$T/out.h5"
cp "$T/out.h5" "$T/keep.h5"

printf 'customer_id,date,amount\n1,2024-01-02,5\n2,2024-02-30,7\n3,2024-01-03,1\n' >"$T/bad_date.csv"
for np in 1 2 3; do
  expect_status 1 "$np" rfm --in "$T/bad_date.csv" --out "$T/out.h5"
  expect_message "bad_date.csv: line 3: date '2024-02-30'"
  same_file "$T/out.h5" "$T/keep.h5"
done
printf 'customer_id  date  amount\n1  20240102  5\n2  20240103  7,5x\n' >"$T/bad_amount.txt"
expect_status 1 2 rfm --in "$T/bad_amount.txt" --out "$T/new.h5"
expect_message "bad_amount.txt: line 3: amount '7,5x'"
[ ! -e "$T/new.h5" ] || fail "output written after a refused log"
printf 'customer_id;when;amount\n1;2024-01-02;5\n' >"$T/no_date.csv"
expect_status 1 2 rfm --in "$T/no_date.csv" --out "$T/new.h5"
expect_message "no date column"
expect_message "--date COL"
expect_status 1 1 rfm --in "$T/good.csv" --out "$T/new.h5" --amount price
expect_message "no column 'price'"
expect_status 1 1 rfm --in "$T/good.csv" --out "$T/new.h5" --as-of tomorrow
expect_message "--as-of"
expect_status 1 2 rfm --in "$T/missing.csv" --out "$T/new.h5"
expect_message "missing.csv"
expect_status 1 1 rfm --out "$T/new.h5"
expect_message "--in"
[ ! -e "$T/new.h5" ] || fail "output written after bad usage"

# A failure on one rank stops every rank (no hang) with exit 2.
if have_fault_injection "failures injected at rfm-read and write"; then
  KSEG_FAIL_RANK=1 KSEG_FAIL_AT=rfm-read expect_status 2 2 rfm --in "$T/good.csv" --out "$T/out.h5"
  expect_message "injected failure"
  KSEG_FAIL_RANK=1 KSEG_FAIL_AT=write expect_status 2 3 rfm --in "$T/good.csv" --out "$T/out.h5"
  same_file "$T/out.h5" "$T/keep.h5"
fi
expect_status 0 1 rfm --help
echo OK
