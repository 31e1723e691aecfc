# rules.json, rules.txt and rules.sql are the same bytes at 1, 2 and 3 ranks
# and with 2 threads (kseg rules on one saved model).
source "$(dirname "$0")/lib.sh"
kseg_np 2 generate --rows 5000 --segments 5 --seed 11 --out "$T/raw.h5" >/dev/null 2>&1
kseg_np 2 run --in "$T/raw.h5" --out "$T/run" --k 5 --n-init 2 --gap 0 --no-report 2>/dev/null || fail "run"
for np in 1 2 3; do
  mkdir -p "$T/r$np"
  kseg_np $np rules --raw "$T/run/raw.h5" --model "$T/run/model.h5" --out "$T/r$np/rules.json" --rule-leaves 12 2>"$T/err" ||
    { cat "$T/err"; fail "rules on $np ranks"; }
done
mkdir -p "$T/t2"
OMP_NUM_THREADS=2 kseg_np 2 rules --raw "$T/run/raw.h5" --model "$T/run/model.h5" --out "$T/t2/rules.json" --rule-leaves 12 2>/dev/null ||
  fail "rules with 2 threads"
for d in r2 r3 t2; do
  for f in rules.json rules.txt rules.sql; do same_file "$T/r1/$f" "$T/$d/$f"; done
done
"$PY" -c "import json,sys; d=json.load(open(sys.argv[1])); assert d['leaves'] <= 12 and d['k'] == 5; print('fidelity', d['fidelity'], 'price', d['price'])" "$T/r1/rules.json"
