"""prep_csv2raw.py CSV OUT.h5 - write a CSV as the /raw layout (DESIGN.md):
one 1-D dataset per column with attribute `kind`; numeric/date float64 (NaN
missing, dates as days since 1970-01-01), categorical int32 codes + `levels`,
string fixed-length bytes; `columns` on /raw in file order. A stand-in for
`kseg import` in the prep tests (types inferred the simple way)."""
import csv
import datetime
import sys

import h5py
import numpy as np


def parse_float(s):
    try:
        return float(s)
    except ValueError:
        return None


def parse_date(s):
    for fmt in ("%d-%m-%Y", "%Y-%m-%d"):
        try:
            d = datetime.datetime.strptime(s, fmt).date()
            return float((d - datetime.date(1970, 1, 1)).days)
        except ValueError:
            pass
    return None


def main(src, dst):
    with open(src, newline="") as f:
        head = f.readline()
        delim = "\t" if "\t" in head else ("," if "," in head else ";")
        f.seek(0)
        rows = list(csv.reader(f, delimiter=delim))
    names, data = rows[0], rows[1:]
    with h5py.File(dst, "w") as h:
        g = h.create_group("raw")
        str_t = h5py.string_dtype()
        for j, name in enumerate(names):
            vals = [r[j].strip() for r in data]
            present = [v for v in vals if v != ""]
            if all(parse_float(v) is not None for v in present):
                arr = np.array([parse_float(v) if v else np.nan for v in vals], dtype=np.float64)
                d = g.create_dataset(name, data=arr)
                d.attrs["kind"] = "numeric"
            elif present and all(parse_date(v) is not None for v in present):
                arr = np.array([parse_date(v) if v else np.nan for v in vals], dtype=np.float64)
                d = g.create_dataset(name, data=arr)
                d.attrs["kind"] = "date"
            elif len(set(present)) == len(vals):
                w = max(len(v) for v in vals)
                d = g.create_dataset(name, data=np.array([v.encode() for v in vals], dtype="S%d" % w))
                d.attrs["kind"] = "string"
            else:
                levels = sorted(set(present))
                code = {v: i for i, v in enumerate(levels)}
                arr = np.array([code[v] if v else -1 for v in vals], dtype=np.int32)
                d = g.create_dataset(name, data=arr)
                d.attrs["kind"] = "categorical"
                d.attrs.create("levels", levels, dtype=str_t)
        g.attrs.create("columns", names, dtype=str_t)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
