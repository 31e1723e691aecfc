# cmake --install gives a relocatable package: installed to one prefix and
# then moved, another C program still finds it with find_package(kseg) and
# runs, the installed kseg still writes its report, no installed CMake file
# names a path of this machine, and every public header compiles as C++ with
# its declarations in extern "C" (the C++ part needs g++; skipped without).
source "$KSEG_TESTS/cli/lib.sh"
cmake --install "$KSEG_BUILD" --prefix "$T/staging" >"$T/install.log" 2>&1 || { cat "$T/install.log" >&2; fail "cmake --install"; }
mv "$T/staging" "$T/prefix" # the package must not remember where it was installed
P="$T/prefix"
test -x "$P/bin/kseg" || fail "kseg not installed"
test -f "$P/include/kseg/kseg_h5io.h" || fail "headers not installed"
test -x "$P/bin/kseg-report" && test -f "$P/bin/kseg_report/main.py" || fail "report script not installed"
if grep -rlE "$T/staging|$KSEG_BUILD|$KSEG_SOURCE|/usr/lib|/usr/include" "$P/lib/cmake/kseg"; then
  fail "the installed CMake package names absolute paths (above)"
fi

cmake -S "$KSEG_SOURCE/examples" -B "$T/ex" -DCMAKE_PREFIX_PATH="$P" >"$T/ex.log" 2>&1 &&
  cmake --build "$T/ex" >>"$T/ex.log" 2>&1 || { cat "$T/ex.log" >&2; fail "the example does not build against the moved prefix"; }
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

# The moved kseg finds the report renderer installed beside it, not the
# source tree's (KSEG_REPORT unset; PATH without either): the installed
# script, wrapped to leave a mark, renders the report.
mv "$P/bin/kseg-report" "$P/bin/kseg-report.real"
cat >"$P/bin/kseg-report" <<PYEOF
#!/usr/bin/python3
import os, sys
open("$T/installed-report-used", "w").close()
real = os.path.join(os.path.dirname(os.path.realpath(__file__)), "kseg-report.real")
os.execv(sys.executable, [sys.executable, real] + sys.argv[1:])
PYEOF
chmod +x "$P/bin/kseg-report"
kseg_np 1 generate --rows 400 --segments 3 --seed 2 --out "$T/raw.h5" >/dev/null 2>&1
env -u KSEG_REPORT PATH=/usr/bin:/bin "$MPIEXEC" -n 2 --oversubscribe "$P/bin/kseg" run --in "$T/raw.h5" --out "$T/run" \
  --k 2:3 --n-init 1 2>"$T/run.err" || { cat "$T/run.err" >&2; fail "the installed kseg run failed"; }
test -s "$T/run/report.html" || { cat "$T/run.err" >&2; fail "the installed kseg wrote no report.html"; }
test -e "$T/installed-report-used" || fail "the installed kseg did not use the installed kseg-report"
grep -q "warning" "$T/run.err" && { cat "$T/run.err" >&2; fail "the installed kseg warned"; }

# C++: every header compiles with g++, and each wraps its declarations in extern "C".
for h in "$P"/include/kseg/*.h; do
  grep -q 'extern "C"' "$h" || fail "$h has no extern \"C\" guard"
done
if ! command -v g++ >/dev/null; then
  skip_part "C++ compile of the headers: no g++"
else
  for h in "$P"/include/kseg/*.h; do echo "#include <kseg/$(basename "$h")>"; done >"$T/all.cpp"
  echo 'int main() { return kseg_error_message() == nullptr; }' >>"$T/all.cpp"
  # OMPI_SKIP_MPICXX: Open MPI's deprecated C++ bindings warn on their own.
  g++ -std=c++11 -Wall -Wextra -Werror -DOMPI_SKIP_MPICXX=1 -fsyntax-only -I"$P/include" \
    $(mpicc --showme:compile) "$T/all.cpp" || fail "the public headers do not compile as C++"
fi
echo "install_example: ok"
