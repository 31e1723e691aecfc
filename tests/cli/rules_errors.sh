# Bad input: --rule-leaves outside k..4k (kseg rules and kseg run), a model
# without its preparation chain, labels of another length: exit 1, a clear
# message, nothing written.
source "$(dirname "$0")/lib.sh"
kseg_np 1 generate --rows 600 --segments 3 --seed 2 --out "$T/raw.h5" >/dev/null 2>&1
kseg_np 1 run --in "$T/raw.h5" --out "$T/run" --k 3 --n-init 1 --gap 0 --no-report 2>/dev/null || fail "run"
expect_status 1 2 rules --raw "$T/run/raw.h5" --model "$T/run/model.h5" --out "$T/o/rules.json" --rule-leaves 2
expect_message "--rule-leaves 2 is outside 3..12"
expect_status 1 2 rules --raw "$T/run/raw.h5" --model "$T/run/model.h5" --out "$T/o/rules.json" --rule-leaves 13
expect_message "--rule-leaves 13 is outside 3..12"
[ ! -e "$T/o" ] || fail "a refused kseg rules wrote $T/o"
expect_status 1 1 run --in "$T/raw.h5" --out "$T/bad" --k 3 --rule-leaves 20 --no-report
expect_message "--rule-leaves 20 is outside 3..12"
[ ! -e "$T/bad" ] || fail "a refused run left $T/bad"
expect_status 1 2 run --in "$T/raw.h5" --out "$T/bad2" --k 3:4 --n-init 1 --gap 0 --rule-leaves 2 --no-report
expect_message "--rule-leaves 2 is outside"
[ ! -e "$T/bad2/rules.json" ] || fail "a refused run left rules"
cp "$T/run/model.h5" "$T/noprep.h5"
"$PY" -c "import h5py,sys; f=h5py.File(sys.argv[1],'a'); del f['model/prep']" "$T/noprep.h5"
expect_status 1 2 rules --raw "$T/run/raw.h5" --model "$T/noprep.h5" --out "$T/o/rules.json"
expect_message "carries no preparation chain (/model/prep)"
"$PY" -c "import h5py,numpy as np,sys; h5py.File(sys.argv[1],'w')['labels']=np.zeros(5,np.int32)" "$T/short.h5"
expect_status 1 2 rules --raw "$T/run/raw.h5" --model "$T/run/model.h5" --labels "$T/short.h5" --out "$T/o/rules.json"
expect_message "has 5 labels but"
[ ! -e "$T/o" ] || fail "a refused kseg rules wrote $T/o"
expect_status 1 1 rules --raw "$T/run/raw.h5" --model "$T/run/model.h5" --out "$T/o/rules.json" --currency ABCDEFGHIJ
expect_message "--currency takes a short code or symbol"
expect_status 1 1 profile --raw "$T/run/raw.h5" --labels "$T/run/result.h5" --out "$T/o/p.csv" --currency ""
expect_message "--currency takes a short code or symbol"
[ ! -e "$T/o" ] || fail "a refused command wrote $T/o"
# a run on PCA components has no rules (a warning, an empty rule_segment), and
# kseg rules refuses its model
kseg_np 1 run --in "$T/raw.h5" --out "$T/pca" --k 3 --n-init 1 --gap 0 --no-report --pca 0.9 2>"$T/err" || { cat "$T/err"; fail "pca run"; }
grep -q "no segment rules: the model clusters PCA components" "$T/err" || fail "the PCA run does not say why it has no rules"
[ ! -e "$T/pca/rules.json" ] || fail "a PCA run wrote rules"
expect_status 1 1 rules --raw "$T/pca/raw.h5" --model "$T/pca/model.h5" --out "$T/o/rules.json"
expect_message "the model clusters PCA components"
[ ! -e "$T/o" ] || fail "a refused kseg rules wrote $T/o"
