#!/bin/bash
# Replay: the /prep written by `kseg prep` (recipes with level maps, offsets,
# implausible-value ranges, fences, PCA), loaded and applied at another rank
# count, reproduces /features bit for bit; so does applying it to "new
# customers" cut from the table with their category levels reordered.
source "$(dirname "$0")/lib.sh"
: "${KSEG_REPLAY:?set by tests/prep.cmake}"
O="$KSEG_TESTS/oracle"
replay() { local np=$1; shift; "$MPIEXEC" -n "$np" --oversubscribe "$KSEG_REPLAY" "$@"; }
kseg_np 1 import --in "$KSEG_DATA/marketing_campaign.csv" --out "$T/mk.h5" >/dev/null 2>&1
kseg_np 1 import --in "$KSEG_DATA/cc_general.csv" --out "$T/cc.h5" >/dev/null 2>&1

kseg_np 2 prep --in "$T/mk.h5" --out "$T/mk.h5.f" --outliers iqr:2 --log1p auto
kseg_np 3 prep --in "$T/mk.h5" --out "$T/mkpca.h5.f" --impute drop --scale robust --pca 0.9
kseg_np 1 prep --in "$T/cc.h5" --out "$T/cc.h5.f" --outliers clip:1 --pca 5
for np in 1 3; do
  replay $np "$T/mk.h5" "$T/mk.h5.f"
  replay $np "$T/mk.h5" "$T/mkpca.h5.f"
  replay $np "$T/cc.h5" "$T/cc.h5.f"
done
"$PY" "$O/prep_subset.py" "$T/mk.h5" "$T/new.h5" 1500 300
replay 2 "$T/new.h5" "$T/mk.h5.f" 1500
replay 2 "$T/new.h5" "$T/mkpca.h5.f" 1500
echo "prep_replay: ok"
