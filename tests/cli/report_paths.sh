# Where `kseg run` finds the report renderer (src/cli/cmd_run.c): a kseg
# built outside the source tree writes report.html (the source tree's script,
# by the path set at configure time; here the build's binary copied to a
# folder with no scripts/ above it, and the build folder itself when it is out
# of tree), and KSEG_REPORT overrides the search. The installed kseg:
# install_example.sh.
source "$KSEG_TESTS/cli/lib.sh"
kseg_np 1 generate --rows 400 --segments 3 --seed 5 --out "$T/raw.h5" >/dev/null 2>&1
# run_with KSEG OUT [VAR=VALUE...]: kseg run on 1 rank, KSEG_REPORT unset and a
# PATH without kseg-report unless given.
run_with() {
  local kseg=$1 out=$2; shift 2
  env -u KSEG_REPORT PATH=/usr/bin:/bin "$@" "$MPIEXEC" -n 1 "$kseg" run --in "$T/raw.h5" --out "$out" --k 2:3 \
    --n-init 1 2>"$T/err" || { cat "$T/err" >&2; fail "kseg run ($kseg) failed"; }
}

mkdir -p "$T/elsewhere/bin"
cp "$KSEG_BIN" "$T/elsewhere/bin/kseg"
run_with "$T/elsewhere/bin/kseg" "$T/copy"
test -s "$T/copy/report.html" || { cat "$T/err" >&2; fail "a kseg outside the source tree wrote no report.html"; }
case "$KSEG_BUILD/" in
  "$KSEG_SOURCE"/*) ;;
  *) run_with "$KSEG_BIN" "$T/oot"
     test -s "$T/oot/report.html" || { cat "$T/err" >&2; fail "the out-of-tree build's kseg wrote no report.html"; } ;;
esac

# KSEG_REPORT first: a stand-in renderer that only marks the report.
cat >"$T/fake-report" <<'PYEOF'
import sys
open(sys.argv[1] + "/report.html", "w").write("stand-in")
PYEOF
run_with "$KSEG_BIN" "$T/override" KSEG_REPORT="$T/fake-report"
[ "$(cat "$T/override/report.html")" = stand-in ] || fail "KSEG_REPORT was not used"
# a KSEG_REPORT that does not exist: no report, a warning naming it, the run still succeeds
run_with "$KSEG_BIN" "$T/missing" KSEG_REPORT="$T/no-such-report"
[ ! -e "$T/missing/report.html" ] || fail "a report without a renderer"
grep -q "KSEG_REPORT=$T/no-such-report" "$T/err" || { cat "$T/err" >&2; fail "no warning naming KSEG_REPORT"; }
echo "report_paths: ok"
