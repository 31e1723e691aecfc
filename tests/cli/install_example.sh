# cmake --install gives a package another C program finds with find_package(kseg).
source "$KSEG_TESTS/cli/lib.sh"
cmake --install "$KSEG_BUILD" --prefix "$T/prefix" >/dev/null
test -x "$T/prefix/bin/kseg" || fail "kseg not installed"
test -f "$T/prefix/include/kseg/kseg_h5io.h" || fail "headers not installed"
test -x "$T/prefix/bin/kseg-report" && test -f "$T/prefix/bin/kseg_report/main.py" || fail "report script not installed"
cmake -S "$KSEG_SOURCE/examples" -B "$T/ex" -DCMAKE_PREFIX_PATH="$T/prefix" >/dev/null
cmake --build "$T/ex" >/dev/null
# a matrix to read, written by h5py
"$PY" - "$T/m.h5" <<'PYEOF'
import sys, h5py, numpy as np
with h5py.File(sys.argv[1], "w") as f:
    f["/features"] = np.arange(35, dtype=np.float64).reshape(7, 5)
PYEOF
out=$("$MPIEXEC" -n 3 --oversubscribe "$T/ex/matrix_shape" "$T/m.h5" /features)
echo "$out"
echo "$out" | grep -q "rank 0: rows 0..3 of 7 x 5 (sum of blocks 7)" || fail "unexpected example output"
echo "$out" | grep -q "rank 2: rows 5..7 of 7 x 5" || fail "uneven partition not as documented"
