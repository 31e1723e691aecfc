# kseg-report with pieces missing: each absent input turns its section into a
# sentence (and no stale PNG survives from an earlier report, no profile of
# another labelling is used); nothing to
# report, no such directory or bad usage is exit 1, a blocked write exit 2
# with the old report kept; no h5py is exit 3 with the apt-get line kseg run
# prints; --out elsewhere puts plots/ beside it.
source "$KSEG_TESTS/cli/lib.sh"
REPORT="$KSEG_SOURCE/scripts/kseg-report"
S=$T/src
mkdir -p "$S"
kseg_np 1 generate --rows 1200 --segments 3 --seed 3 --out "$S/raw.h5" >/dev/null
kseg_np 1 prep --in "$S/raw.h5" --out "$S/features.h5" >/dev/null
# no --gap, no --stability: those panels must be left out, not drawn empty
kseg_np 1 sweep --in "$S/features.h5" --k 2:5 --out "$S/sweep.h5" --n-init 1 >/dev/null
kseg_np 1 fit --in "$S/features.h5" --k 3 --out "$S/result.h5" >/dev/null

# sweep only
mkdir -p "$T/a" && cp "$S/sweep.h5" "$T/a/"
"$REPORT" "$T/a" 2>/dev/null || fail "sweep only: exit $?"
"$PY" "$KSEG_TESTS/oracle/report_check.py" "$T/a" --figures elbow,validation \
  --absent pca,silhouette,sizes_response,profile_heatmap --missing "no segment labels" --missing "no segment profiles"

# sweep + features + labels, no profiles; then a stale heat map must go
mkdir -p "$T/b" && cp "$S/sweep.h5" "$S/features.h5" "$S/result.h5" "$T/b/"
if "$KSEG_BIN" profile --help >/dev/null 2>&1; then
  kseg_np 1 profile --raw "$S/raw.h5" --labels "$S/result.h5" --out "$T/b/profiles.csv" >/dev/null
  "$REPORT" "$T/b" 2>/dev/null
  [ -e "$T/b/plots/profile_heatmap.png" ] || fail "no heat map with profiles"
  rm "$T/b/profiles.json"
fi
"$REPORT" "$T/b" 2>/dev/null || fail "no profiles: exit $?"
"$PY" "$KSEG_TESTS/oracle/report_check.py" "$T/b" --figures elbow,validation,pca,silhouette,sizes_response \
  --absent profile_heatmap --missing "no segment profiles yet" --missing "kseg profile"

# profiles of another labelling (k = 2) beside labels at k = 3: not used, and said so
if "$KSEG_BIN" profile --help >/dev/null 2>&1; then
  mkdir -p "$T/e" && cp "$S/sweep.h5" "$S/features.h5" "$S/result.h5" "$T/e/"
  kseg_np 1 fit --in "$S/features.h5" --k 2 --out "$T/k2.h5" >/dev/null
  kseg_np 1 profile --raw "$S/raw.h5" --labels "$T/k2.h5" --out "$T/e/profiles.csv" >/dev/null
  "$REPORT" "$T/e" 2>/dev/null || fail "stale profiles: exit $?"
  "$PY" "$KSEG_TESTS/oracle/report_check.py" "$T/e" --figures elbow,validation,pca,silhouette,sizes_response \
    --absent profile_heatmap --stale-profiles --missing "customers in 2 segments, not these 1200 in 3: rerun kseg profile"
fi

# labels without a sweep: the segments are drawn, the sweep sections say why not
mkdir -p "$T/c" && cp "$S/features.h5" "$S/result.h5" "$T/c/"
"$REPORT" "$T/c" 2>/dev/null || fail "no sweep: exit $?"
"$PY" "$KSEG_TESTS/oracle/report_check.py" "$T/c" --figures pca,silhouette,sizes_response \
  --absent elbow,validation --missing "no sweep.h5"

# features of other customers: no scatter from mismatched rows
mkdir -p "$T/d" && cp "$S/result.h5" "$T/d/"
"$PY" -c 'import h5py, numpy as np, sys; h5py.File(sys.argv[1], "w")["features"] = np.zeros((7, 3))' "$T/d/features.h5"
"$REPORT" "$T/d" 2>/dev/null || fail "mismatched features: exit $?"
"$PY" "$KSEG_TESTS/oracle/report_check.py" "$T/d" --figures sizes_response --absent pca,silhouette \
  --missing "not the same customers"

# --out in another directory
"$REPORT" "$T/b" --out "$T/elsewhere.html" 2>/dev/null
"$PY" "$KSEG_TESTS/oracle/report_check.py" "$T/b" --html "$T/elsewhere.html" \
  --figures elbow,validation,pca,silhouette,sizes_response

# nothing to report, no directory, bad option
mkdir -p "$T/empty"
st=0; "$REPORT" "$T/empty" 2>"$T/err" || st=$?
[ "$st" = 1 ] && grep -q "nothing to report" "$T/err" || fail "empty directory: exit $st, $(cat "$T/err")"
st=0; "$REPORT" "$T/nowhere" 2>"$T/err" || st=$?
[ "$st" = 1 ] && grep -q "not a directory" "$T/err" || fail "no directory: exit $st, $(cat "$T/err")"
[ ! -e "$T/empty/report.html" ] || fail "a report was written for an empty directory"
st=0; "$REPORT" "$T/b" --sample 1 2>"$T/err" || st=$?
[ "$st" = 1 ] && grep -q "at least 2" "$T/err" || fail "--sample 1: exit $st, $(cat "$T/err")"
st=0; "$REPORT" "$T/b" --no-such-flag 2>"$T/err" || st=$?
[ "$st" = 1 ] || fail "unknown flag: exit $st, expected 1"
st=0; "$REPORT" 2>"$T/err" || st=$?
[ "$st" = 1 ] || fail "no DIR: exit $st, expected 1"
"$REPORT" --help | grep -q -- "--sample" || fail "--help does not list --sample"
st=0; "$REPORT" "$T/b" --out "$T/no/such/dir/r.html" 2>"$T/err" || st=$?
[ "$st" = 1 ] && grep -q "does not exist" "$T/err" || fail "--out in a missing directory: exit $st, $(cat "$T/err")"
[ ! -e "$T/no" ] || fail "--out in a missing directory created it"
# plots/ cannot be made (a file is in the way): an I/O failure, exit 2, the old report kept
mkdir -p "$T/io" && touch "$T/io/plots" && echo old >"$T/io/r.html"
st=0; "$REPORT" "$T/b" --out "$T/io/r.html" 2>"$T/err" || st=$?
[ "$st" = 2 ] && grep -q "cannot write" "$T/err" || fail "plots/ blocked: exit $st, $(cat "$T/err")"
[ "$(cat "$T/io/r.html")" = old ] || fail "a failed report replaced the old one"
[ -z "$(ls -A "$T/io" | grep -v -x -e plots -e r.html)" ] || fail "temporary files left: $(ls -A "$T/io")"

# no h5py: exit 3 and the line that says what to install
mkdir -p "$T/fake"
echo 'raise ImportError("No module named h5py", name="h5py")' >"$T/fake/h5py.py"
st=0; PYTHONPATH="$T/fake" "$REPORT" "$T/b" 2>"$T/err" || st=$?
[ "$st" = 3 ] || fail "without h5py: exit $st, expected 3"
grep -qF "apt-get install python3-h5py python3-matplotlib" "$T/err" || fail "no install hint: $(cat "$T/err")"
[ "$(wc -l <"$T/err")" = 1 ] || fail "the message is not one line: $(cat "$T/err")"
echo "report_missing ok"
