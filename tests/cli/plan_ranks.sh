#!/bin/bash
# The campaign plan is the same bytes at 1, 2 and 3 ranks and with 2
# threads: plan.json, plan.csv, profiles.* and the business columns of
# sweep.h5 (folds come from the global row id, counts are integers reduced
# once). Economics from flags, so the flags path is covered too.
source "$(dirname "$0")/lib.sh"
CSV=$KSEG_DATA/marketing_campaign.csv
for np in 1 2 3; do
  kseg_np $np run --in "$CSV" --out "$T/r$np" --k 3:7 --n-init 3 --gap 0 --contact-cost 2.5 --response-revenue 12 \
    --cv-folds 4 --no-report 2>"$T/err$np" || { cat "$T/err$np"; fail "run on $np ranks"; }
done
OMP_NUM_THREADS=2 kseg_np 2 run --in "$CSV" --out "$T/t2" --k 3:7 --n-init 3 --gap 0 --contact-cost 2.5 \
  --response-revenue 12 --cv-folds 4 --no-report 2>/dev/null
for d in r2 r3 t2; do
  for f in plan.json plan.csv profiles.json profiles.csv; do same_file "$T/r1/$f" "$T/$d/$f"; done
  h5_same "$T/r1/sweep.h5" "$T/$d/sweep.h5" /sweep/cv_profit /sweep/cv_profit_sd /sweep/cv_profit_se \
    /sweep/plan_segments /sweep/plan_customers
  h5_same "$T/r1/profiles.h5" "$T/$d/profiles.h5"
done
grep -q '"economics_source": "flags"' "$T/r1/plan.json" || fail "economics from the flags: $(head -3 "$T/r1/plan.json")"
grep -q '"cv_folds": 4' "$T/r1/plan.json" || fail "--cv-folds 4 not used"
"$PY" "$KSEG_SOURCE/tests/oracle/plan_oracle.py" run "$T/r1" --sweep
