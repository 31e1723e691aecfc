# kseg generate: bad usage exits 1, an unwritable or failing output exits 2,
# and nothing (no file, no temporary) is left behind; an old file survives.
source "$KSEG_TESTS/cli/lib.sh"
expect_status 1 1 generate --rows 0 --out "$T/a.h5"
expect_message "--rows must be at least 1"
expect_status 1 1 generate --rows -5 --out "$T/a.h5"
expect_message "--rows"
expect_status 1 1 generate --rows 100 --segments 0 --out "$T/a.h5"
expect_message "--segments must be between 1 and 64"
expect_status 1 1 generate --rows 100 --segments 65 --out "$T/a.h5"
expect_message "--segments"
expect_status 1 1 generate --rows 100 --round-rows 0 --out "$T/a.h5"
expect_message "--round-rows must be at least 1"
expect_status 1 1 generate --rows 100
expect_message "missing required option --out"
expect_status 1 1 generate --out "$T/a.h5"
expect_message "--rows"
expect_status 1 1 generate --rows ten --out "$T/a.h5"
expect_message "--rows expects an integer"
expect_status 1 1 generate --rows 10 --out "$T/a.h5" --colour blue
expect_message "unknown option '--colour'"
[ -z "$(ls -A "$T" | grep -v -e '^stdout$' -e '^stderr$')" ] || { ls "$T"; fail "bad usage left files"; }

expect_status 2 3 generate --rows 100 --out "$T/no/such/dir/a.h5"
expect_message "$T/no/such/dir/a.h5"
expect_status 1 1 generate --rows 100 --out ""
expect_message "--out needs a file name"
mkdir "$T/adir"
expect_status 1 2 generate --rows 100 --out "$T/adir"
expect_message "$T/adir: it is a directory"
[ -z "$(ls -A "$T/adir")" ] && [ -z "$(ls "$T" | grep tmp)" ] || { ls -R "$T"; fail "a failed write left files"; }

# A failure on one rank after generating: agreed, exit 2, old output intact.
expect_status 0 2 generate --rows 100 --seed 1 --out "$T/keep.h5"
cp "$T/keep.h5" "$T/orig.h5"
if have_fault_injection "failures injected at generate and write"; then
  KSEG_FAIL_RANK=1 KSEG_FAIL_AT=generate expect_status 2 2 generate --rows 100 --seed 2 --out "$T/keep.h5"
  expect_message "injected failure at generate on rank 1"
  KSEG_FAIL_RANK=0 KSEG_FAIL_AT=write expect_status 2 3 generate --rows 100 --seed 2 --out "$T/keep.h5"
  KSEG_FAIL_RANK=2 KSEG_FAIL_AT=write expect_status 2 3 generate --rows 100 --seed 2 --round-rows 7 --out "$T/keep.h5"
  expect_message "injected failure at write on rank 2"
  same_file "$T/keep.h5" "$T/orig.h5"
  ls "$T" | grep -q tmp && { ls "$T"; fail "temporary file left behind"; }
fi

expect_status 0 1 generate --help
grep -q -- "--segments K" "$T/stdout" || fail "--help does not describe --segments"
echo "generate usage ok"
