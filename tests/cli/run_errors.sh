# Bad input to kseg run: exit 1 (input) or 2 (I/O) with a message naming the
# step and the file, and a failed run leaves the previous outputs of DIR
# exactly as they were, with no staging or temporary files behind.
source "$(dirname "$0")/lib.sh"
kseg_np 2 generate --rows 600 --segments 3 --seed 5 --out "$T/raw.h5" >/dev/null 2>&1
kseg_np 2 run --in "$T/raw.h5" --out "$T/o" --k 3:4 --n-init 2 --no-report 2>/dev/null
( cd "$T/o" && md5sum * >"$T/before.md5" )
intact() {
  ( cd "$T/o" && md5sum -c --quiet "$T/before.md5" ) || fail "$1: previous outputs changed"
  [ "$(ls -A "$T/o" | wc -l)" = "$(wc -l <"$T/before.md5")" ] || fail "$1: files left behind: $(ls -A "$T/o")"
}

expect_status 1 2 run --in "$T/nope.csv" --out "$T/o"
expect_message "run: input"
expect_message "nope.csv"
intact "missing input"

printf 'a,b,c\n1,2,3\n4,5\n' >"$T/ragged.csv"
expect_status 1 2 run --in "$T/ragged.csv" --out "$T/o"
expect_message "run: import"
expect_message "ragged.csv"
intact "bad CSV"

# a warm start from a model of another feature set (credit cards vs the
# Customer Personality columns) names the step, the model and the column
printf 'CUST_ID,BALANCE,PURCHASES\nC1,10.5,5.5\nC2,20.5,7\nC3,5.5,1\nC4,50.5,9\nC5,1.5,0\nC6,7.5,3\n' >"$T/cc.csv"
# six customers are too few for two segments (10 per segment): refused, named, nothing written ...
expect_status 1 1 run --in "$T/cc.csv" --out "$T/cc" --k 2 --no-report
expect_message "6 customers are too few for 2 segments"
expect_message "--force"
[ ! -e "$T/cc" ] || fail "a refused run left $T/cc"
# ... unless forced
kseg_np 1 run --in "$T/cc.csv" --out "$T/cc" --k 2 --no-report --force 2>/dev/null
expect_status 1 2 run --in "$T/raw.h5" --out "$T/o" --warm-start "$T/cc/model.h5"
expect_message "run: warm start from $T/cc/model.h5"
expect_message "BALANCE"
intact "warm start with another feature set"

expect_status 1 2 run --in "$T/raw.h5" --out "$T/o" --warm-start "$T/raw.h5"
expect_message "not a kseg model"
intact "warm start from a file that is not a model"

# an I/O failure on one rank while writing: agreed, exit 2, nothing replaced
if have_fault_injection "failure injected at run:write"; then
  KSEG_FAIL_RANK=1 KSEG_FAIL_AT=run:write expect_status 2 2 run --in "$T/raw.h5" --out "$T/o" --k 3:4 --n-init 2 --no-report
  expect_message "run: segments"
  intact "failure while writing"
fi

expect_status 1 2 run --in "$T/raw.h5" --out "$T/raw.h5"
expect_message "not a directory"
expect_status 1 1 run --in "$T/raw.h5" --out "$T/o" --transactions "$T/log.txt"
expect_message "--transactions"
expect_status 1 1 run --in "$T/raw.h5" --out "$T/o" --k 1:3
expect_message "--k"
expect_status 1 1 run --in "$T/raw.h5"
expect_message "--out"
intact "usage errors"
# a failed first run does not leave an empty output directory
expect_status 1 2 run --in "$T/nope.csv" --out "$T/fresh"
[ ! -e "$T/fresh" ] || fail "a failed run left $T/fresh"
