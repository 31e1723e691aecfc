# kseg run on generated customers (a raw HDF5 table as --in) is the same
# bits at 1, 2 and 3 ranks and with 2 threads: labels, distances, centroids,
# the model, features, profiles and segments.csv.
source "$(dirname "$0")/lib.sh"
kseg_np 2 generate --rows 3000 --segments 4 --seed 3 --out "$T/raw.h5" >/dev/null 2>&1
for np in 1 2 3; do
  kseg_np $np run --in "$T/raw.h5" --out "$T/r$np" --k 3:5 --n-init 2 --no-report 2>"$T/err$np" ||
    { cat "$T/err$np"; fail "run on $np ranks"; }
done
OMP_NUM_THREADS=2 kseg_np 2 run --in "$T/raw.h5" --out "$T/t2" --k 3:5 --n-init 2 --no-report 2>/dev/null
[ "$(wc -l <"$T/r1/segments.csv")" = 3001 ] || fail "segments.csv should have 3000 customers + header"
head -1 "$T/r1/segments.csv" | grep -qx 'ID,segment,segment_name,distance,rule_segment' || fail "segments.csv header: $(head -1 "$T/r1/segments.csv")"
for d in r2 r3 t2; do
  h5_same "$T/r1/result.h5" "$T/$d/result.h5" /labels /distance /centroids
  h5_same "$T/r1/model.h5" "$T/$d/model.h5"
  h5_same "$T/r1/features.h5" "$T/$d/features.h5"
  h5_same "$T/r1/raw.h5" "$T/$d/raw.h5"
  same_file "$T/r1/segments.csv" "$T/$d/segments.csv"
  same_file "$T/r1/profiles.csv" "$T/$d/profiles.csv"
  for f in rules.json rules.txt rules.sql; do same_file "$T/r1/$f" "$T/$d/$f"; done
done
# the generated table keeps its latent segments: the fit should find them
"$PY" - "$T/raw.h5" "$T/r1/result.h5" <<'PYEOF'
import sys, h5py
from sklearn.metrics import adjusted_rand_score
truth = h5py.File(sys.argv[1])["/truth/segment"][...]
lab = h5py.File(sys.argv[2])["/labels"][...]
ari = adjusted_rand_score(truth, lab)
print(f"generated customers: ARI with the latent segments {ari:.3f}")
assert ari > 0.3, ari
PYEOF
