# kseg metrics equals scikit-learn (1e-9) and is bit-identical at 1, 2, 3 ranks.
source "$KSEG_TESTS/cli/lib.sh"
for case in blobs empty; do
  mkdir -p "$T/$case"
  "$PY" "$KSEG_TESTS/oracle/metrics_case.py" "$T/$case" "$case"
  for np in 1 2 3; do
    for threads in 1 2; do
      OMP_NUM_THREADS=$threads kseg_np $np metrics --in "$T/$case/features.h5" --labels "$T/$case/labels.h5" \
        --json > "$T/$case/got_$np.$threads.json"
      same_results "$T/$case/got_1.1.json" "$T/$case/got_$np.$threads.json"
    done
    kseg_np $np metrics --in "$T/$case/features.h5" --labels "$T/$case/labels.h5" --silhouette sqeuclidean \
      --json > "$T/$case/sq_$np.json"
    kseg_np $np metrics --in "$T/$case/features.h5" --labels "$T/$case/labels.h5" --silhouette sample:200 \
      --seed 5 --json > "$T/$case/sample_$np.json"
  done
  "$PY" "$KSEG_TESTS/oracle/compare_json.py" "$T/$case/expect.json" "$T/$case/got_3.2.json" \
    inertia silhouette calinski_harabasz davies_bouldin
  "$PY" "$KSEG_TESTS/oracle/compare_json.py" "$T/$case/expect.json" "$T/$case/sq_2.json" sqeuclidean=silhouette
  "$PY" - "$T/$case" <<'PYEOF'
import json, sys
d = sys.argv[1]
s = [json.load(open(f"{d}/sample_{n}.json")) for n in (1, 2, 3)]
assert s[0]["silhouette"] == s[1]["silhouette"] == s[2]["silhouette"], s
assert s[0]["silhouette_sample"] == 200
exact = json.load(open(f"{d}/expect.json"))["silhouette"]
assert abs(s[0]["silhouette"] - exact) < 0.1, (s[0]["silhouette"], exact)
sq = [json.load(open(f"{d}/sq_{n}.json"))["silhouette"] for n in (1, 2, 3)]
assert sq[0] == sq[1] == sq[2], sq
print("sampled", s[0]["silhouette"], "exact", exact)
PYEOF
done
# the sampled silhouette equals scikit-learn's silhouette_score on the same rows
# when the sample is everything
kseg_np 2 metrics --in "$T/blobs/features.h5" --labels "$T/blobs/labels.h5" --silhouette sample:5000 --json > "$T/all.json"
"$PY" "$KSEG_TESTS/oracle/compare_json.py" "$T/blobs/expect.json" "$T/all.json" silhouette
