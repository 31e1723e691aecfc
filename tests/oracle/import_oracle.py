"""Oracle for `kseg import`: re-reads the CSV with Python's csv module, applies
the documented inference rules independently (include/kseg/kseg_csv.h) and
compares every value of /raw in the HDF5 file written by kseg.

usage: import_oracle.py FILE.csv RAW.h5 [rows=N] [cols=N] [missing:COL=N] [kind:COL=KIND] ...
Exit status 0 when everything matches; the first mismatches are printed."""
import csv
import datetime
import io
import math
import re
import sys

import h5py
import numpy as np

MISSING = {"", "na", "n/a", "#n/a", "nan", "null", "none", "-", "?"}
NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
YMD = re.compile(r"^(\d{4})([-/])(\d{1,2})\2(\d{1,2})$")
XYY = re.compile(r"^(\d{1,2})([-/])(\d{1,2})\2(\d{4})$")
EPOCH = datetime.date(1970, 1, 1)


def valid(y, m, d):
    try:
        datetime.date(y, m, d)
        return True
    except ValueError:
        return False


def is_id_name(name):
    """kseg_csv_is_id_name: ID, *_ID, *-ID, *.ID, "* ID" (any case), camel-case ...Id/...ID."""
    low = name.lower()
    if low == "id":
        return True
    if len(name) > 3 and low.endswith("id"):
        sep = name[-3]
        return sep in "_-. " or (name[-2] == "I" and sep.islower())
    return False


def is_number(v):
    return bool(NUMBER.match(v)) and math.isfinite(float(v))


def read_csv(path):
    raw = open(path, "rb").read()
    text = raw.decode("utf-8")
    if text.startswith("\ufeff"):
        text = text[1:]
    first = text.split("\n", 1)[0]
    counts = {d: first.count(d) for d in "\t;,"}
    delim = max("\t;,", key=lambda d: (counts[d], "\t;,".index(d) * -1))
    if counts[delim] == 0:
        delim = ","
    rows = [r for r in csv.reader(io.StringIO(text, newline=""), delimiter=delim) if r]
    strip = " " if delim == "\t" else " \t"
    rows = [[f.strip(strip) for f in r] for r in rows]
    return rows[0], rows[1:]


def infer(values):
    present = [v for v in values if v.lower() not in MISSING]
    if not present or all(is_number(v) for v in present):
        return "numeric", None
    ymd = [YMD.match(v) for v in present]
    if all(m and valid(int(m[1]), int(m[3]), int(m[4])) for m in ymd):
        return "date", "ymd"
    xyy = [XYY.match(v) for v in present]
    if all(xyy):
        if all(valid(int(m[4]), int(m[3]), int(m[1])) for m in xyy):
            return "date", "dmy"
        if all(valid(int(m[4]), int(m[1]), int(m[3])) for m in xyy):
            return "date", "mdy"
    levels = sorted(set(present))
    if len(levels) <= 256 and 2 * len(levels) <= len(present):
        return "categorical", levels
    return "string", None


def days(v, order):
    m = (YMD if order == "ymd" else XYY).match(v)
    if order == "ymd":
        y, mo, d = int(m[1]), int(m[3]), int(m[4])
    elif order == "dmy":
        y, mo, d = int(m[4]), int(m[3]), int(m[1])
    else:
        y, mo, d = int(m[4]), int(m[1]), int(m[3])
    return float((datetime.date(y, mo, d) - EPOCH).days)


def attr_str(a):
    return a.decode() if isinstance(a, bytes) else str(a)


def main():
    path, h5path = sys.argv[1], sys.argv[2]
    header, rows = read_csv(path)
    errors = []
    f = h5py.File(h5path, "r")
    raw = f["raw"]
    names = [attr_str(x) for x in raw.attrs["columns"]]
    if names != header:
        errors.append(f"columns attribute {names} != header {header}")
    kinds, missing = {}, {}
    id_col = next((n for n in header if is_id_name(n)), None)
    for j, name in enumerate(header):
        col = [r[j] for r in rows]
        kind, extra = infer(col)
        if name == id_col:  # the id column: text, verbatim, no missing markers
            kind = "id"
        kinds[name] = "string" if kind == "id" else kind
        missing[name] = sum(v == "" for v in col) if kind == "id" else sum(v.lower() in MISSING for v in col)
        if name not in raw:
            errors.append(f"{name}: no dataset /raw/{name}")
            continue
        ds = raw[name]
        got_kind = attr_str(ds.attrs["kind"])
        if got_kind != kinds[name]:
            errors.append(f"{name}: kind {got_kind}, expected {kind}")
            continue
        data = ds[()]
        if len(data) != len(rows):
            errors.append(f"{name}: {len(data)} rows, expected {len(rows)}")
            continue
        if kind in ("numeric", "date"):
            assert data.dtype == np.float64, data.dtype
            for i, v in enumerate(col):
                want = math.nan if v.lower() in MISSING else (float(v) if kind == "numeric" else days(v, extra))
                got = float(data[i])
                if not (got == want or (math.isnan(got) and math.isnan(want))):
                    errors.append(f"{name} row {i}: {got!r} != {want!r} (text {v!r})")
        elif kind == "categorical":
            levels = [attr_str(x) for x in ds.attrs["levels"]]
            if levels != extra:
                errors.append(f"{name}: levels {levels} != {extra}")
            code = {l: k for k, l in enumerate(extra)}
            want = np.array([-1 if v.lower() in MISSING else code[v] for v in col], dtype=np.int32)
            if data.dtype != np.int32 or not np.array_equal(data, want):
                errors.append(f"{name}: codes differ at rows {np.nonzero(data != want)[0][:5]}")
        else:
            for i, v in enumerate(col):
                want = v if kind == "id" or v.lower() not in MISSING else ""
                got = data[i].decode("utf-8") if isinstance(data[i], bytes) else str(data[i])
                if got != want:
                    errors.append(f"{name} row {i}: {got!r} != {want!r}")
        if len(errors) > 20:
            break
    for spec in sys.argv[3:]:
        key, want = spec.split("=", 1)
        if key == "rows":
            got = len(rows)
        elif key == "cols":
            got = len(header)
        elif key.startswith("missing:"):
            got = missing.get(key[8:])
        elif key.startswith("kind:"):
            got = kinds.get(key[5:])
        else:
            raise SystemExit(f"unknown expectation {spec}")
        if str(got) != want:
            errors.append(f"expected {key} = {want}, the CSV gives {got}")
    for e in errors[:20]:
        print("MISMATCH:", e)
    if errors:
        sys.exit(1)
    print(f"oracle: {path}: {len(rows)} rows x {len(header)} columns match {h5path}")


main()
