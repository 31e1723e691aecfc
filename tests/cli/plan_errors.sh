#!/bin/bash
# Bad campaign input, as issue 16 lists it: a target that is not 0/1, a cost
# or revenue that is not a positive finite number (or one without the
# other), --cv-folds below 2 or above the number of responders. kseg run and
# kseg profile exit 1 with a message naming the flag or column and write
# nothing: no new output directory, an old one untouched.
source "$(dirname "$0")/lib.sh"
CSV=$KSEG_DATA/marketing_campaign.csv
mkdir "$T/old"
echo "previous plan" >"$T/old/plan.json"
# run: each case on its own fresh directory (must not be created) and on the old one (must not change)
bad_run() {
  local msg=$1; shift
  expect_status 1 2 run --in "$CSV" --out "$T/new" --no-report --k 3 "$@"
  expect_message "$msg"
  [ ! -e "$T/new" ] || fail "run $* left $T/new behind"
  expect_status 1 2 run --in "$CSV" --out "$T/old" --no-report --k 3 "$@"
  [ "$(cat "$T/old/plan.json")" = "previous plan" ] && [ "$(ls -A "$T/old")" = plan.json ] ||
    fail "run $* changed the old output: $(ls -A "$T/old")"
}
bad_run "--contact-cost must be a positive finite number" --contact-cost 0 --response-revenue 11
bad_run "--contact-cost must be a positive finite number" --contact-cost -3 --response-revenue 11
bad_run "--response-revenue must be a positive finite number" --contact-cost 3 --response-revenue -0.5
bad_run "--contact-cost expects a number" --contact-cost inf --response-revenue 11
bad_run "--response-revenue expects a number" --contact-cost 3 --response-revenue nan
bad_run "--contact-cost needs --response-revenue" --contact-cost 3
bad_run "--response-revenue needs --contact-cost" --response-revenue 11
bad_run "--cv-folds must be in 2..1000" --cv-folds 1
bad_run "--cv-folds must be in 2..1000" --cv-folds 0
bad_run "--cv-folds 335 is above the number of responders in 'Response' (334)" --cv-folds 335
bad_run "target column 'Income' is not a 0/1 column" --target Income
bad_run "--target column 'Education' is categorical, not a 0/1 column" --target Education
bad_run "--target column 'Nope' is not in the table" --target Nope
# a Response column with a 2 in it
"$PY" - "$CSV" "$T/two.csv" <<'PYEOF'
import sys
lines = open(sys.argv[1]).read().splitlines()
lines[5] = lines[5][:-1] + "2"
open(sys.argv[2], "w").write("\n".join(lines) + "\n")
PYEOF
expect_status 1 3 run --in "$T/two.csv" --out "$T/new" --no-report --k 3
expect_message "target column 'Response' is not a 0/1 column (values other than 0 and 1)"
[ ! -e "$T/new" ] || fail "a bad target left $T/new behind"
# --cv-folds 334 (as many as the responders) is fine
expect_status 0 1 run --in "$CSV" --out "$T/ok" --no-report --k 3 --n-init 1 --gap 0 --cv-folds 334
grep -q '"cv_folds": 334' "$T/ok/plan.json" || fail "--cv-folds 334 not used"

# profile: the same checks, no file written
kseg_np 2 run --in "$CSV" --out "$T/m" --no-report --k 3 --n-init 1 --gap 0 2>/dev/null
bad_profile() {
  local msg=$1; shift
  expect_status 1 3 profile --raw "$T/m/raw.h5" --labels "$T/m/result.h5" --out "$T/p/p.csv" "$@"
  expect_message "$msg"
  [ -z "$(ls -A "$T/p")" ] || fail "profile $* left $(ls -A "$T/p")"
}
mkdir "$T/p"
bad_profile "--contact-cost must be a positive finite number" --contact-cost 0 --response-revenue 11
bad_profile "--response-revenue needs --contact-cost" --response-revenue 11
bad_profile "--cv-folds must be in 2..1000" --cv-folds 1
bad_profile "--cv-folds 400 is above the number of responders in 'Response' (334)" --cv-folds 400
bad_profile "target column 'MntWines' is not a 0/1 column" --target MntWines
echo "bad campaign input refused, nothing written"
