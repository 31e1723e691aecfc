"""compare_json.py EXPECT.json GOT.json KEY[=GOTKEY] ... [--rtol R]: values equal to rtol."""
import json
import sys

args = sys.argv[1:]
rtol = 1e-9
if "--rtol" in args:
    i = args.index("--rtol")
    rtol = float(args[i + 1])
    del args[i:i + 2]
expect, got = json.load(open(args[0])), json.load(open(args[1]))
bad = 0
for spec in args[2:]:
    key, _, gkey = spec.partition("=")
    e, g = expect[key], got[gkey or key]
    ok = abs(e - g) <= rtol * max(abs(e), 1e-300)
    print(f"{key:20s} expected {e!r:24} got {g!r:24} {'ok' if ok else 'MISMATCH'}")
    bad += not ok
sys.exit(1 if bad else 0)
