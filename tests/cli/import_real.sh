# kseg import on the two real tables: every value checked by the Python
# oracle, identical files at 1, 2 and 3 ranks, also with small read blocks.
. "$(dirname "$0")/lib.sh"
ORACLE="$KSEG_TESTS/oracle/import_oracle.py"
MKT="$KSEG_DATA/marketing_campaign.csv"
CC="$KSEG_DATA/cc_general.csv"

for np in 1 2 3; do
  expect_status 0 "$np" import --in "$MKT" --out "$T/mkt$np.h5"
  expect_message "2240 rows x 29 columns"
  expect_status 0 "$np" import --in "$CC" --out "$T/cc$np.h5" --json
  cp "$T/stdout" "$T/cc$np.json"
done
"$PY" "$ORACLE" "$MKT" "$T/mkt3.h5" rows=2240 cols=29 missing:Income=24 kind:Income=numeric \
  kind:Education=categorical kind:Marital_Status=categorical kind:Dt_Customer=date kind:ID=string
"$PY" "$ORACLE" "$CC" "$T/cc3.h5" rows=8950 cols=18 missing:MINIMUM_PAYMENTS=313 missing:CREDIT_LIMIT=1 \
  kind:CUST_ID=string kind:BALANCE=numeric
for np in 1 2; do
  h5_same "$T/mkt$np.h5" "$T/mkt3.h5"
  h5_same "$T/cc$np.h5" "$T/cc3.h5"
done

# Read blocks far smaller than the file: records straddle blocks and ranges.
expect_status 0 3 import --in "$MKT" --out "$T/mkt_small.h5" --block-size 1024
h5_same "$T/mkt_small.h5" "$T/mkt1.h5"
expect_status 0 2 import --in "$CC" --out "$T/cc_small.h5" --block-size 1500 --delimiter comma
h5_same "$T/cc_small.h5" "$T/cc1.h5"

# Spot checks against values read by eye from the CSV, and the JSON summary.
"$PY" - "$T/mkt1.h5" "$T/cc3.json" <<'PY'
import json, math, sys, datetime
import h5py
f = h5py.File(sys.argv[1], "r")["raw"]
lv = [x.decode() if isinstance(x, bytes) else x for x in f["Education"].attrs["levels"]]
assert lv == sorted(lv) and "Graduation" in lv and "PhD" in lv, lv
assert lv[f["Education"][0]] == "Graduation"
assert f["Dt_Customer"][0] == (datetime.date(2012, 9, 4) - datetime.date(1970, 1, 1)).days  # 04-09-2012
assert f["Income"][0] == 58138.0 and sum(math.isnan(x) for x in f["Income"][()]) == 24
assert f["Dt_Customer"].attrs["kind"] in ("date", b"date")
j = json.load(open(sys.argv[2]))
assert j["rows"] == 8950 and j["columns"] == 18, j
per = {c["name"]: c for c in j["per_column"]}
assert per["MINIMUM_PAYMENTS"]["missing"] == 313 and per["CREDIT_LIMIT"]["missing"] == 1
assert per["CUST_ID"]["kind"] == "string" and j["missing"] == 314
assert j["seconds"] > 0 and j["mb_per_s"] > 0
print("spot checks ok")
PY
