# kseg-report's readers and numbers against numpy, h5py and scikit-learn.
source "$KSEG_TESTS/cli/lib.sh"
"$PY" "$KSEG_TESTS/oracle/report_units.py" "$T"
