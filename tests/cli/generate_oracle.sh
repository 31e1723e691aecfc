# kseg generate against scikit-learn: layout, marginals in the real table's
# ranges, and k-means recovering the latent segments (adjusted Rand index).
# Thresholds sit below the ARI measured over seeds 1-5 (K=4, 20k rows:
# 0.76-0.77; K=8: 0.36-0.41).
source "$KSEG_TESTS/cli/lib.sh"
check="$KSEG_TESTS/oracle/generate_check.py"
kseg_np 2 generate --rows 20000 --out "$T/k4.h5" 2>/dev/null
"$PY" "$check" "$T/k4.h5" 4 0.65
kseg_np 3 generate --rows 20000 --segments 8 --seed 3 --out "$T/k8.h5" 2>/dev/null
"$PY" "$check" "$T/k8.h5" 8 0.25
# The extremes: one population, and the largest K (layout and ranges only).
kseg_np 1 generate --rows 3000 --segments 1 --out "$T/k1.h5" 2>/dev/null
"$PY" "$check" "$T/k1.h5" 1 0.99
kseg_np 3 generate --rows 6400 --segments 64 --out "$T/k64.h5" 2>/dev/null
"$PY" "$check" "$T/k64.h5" 64 -1
echo "generate oracle ok"
