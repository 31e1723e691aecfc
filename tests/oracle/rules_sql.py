"""rules_sql.py TABLE RULES.sql SEGMENTS.csv: run rules.sql in SQLite (Python's
sqlite3) on the customers table and check that it reproduces rule_segment of
segments.csv for every customer.

TABLE is the raw export as a CSV (loaded as a CRM would hold it: numbers as
numbers, empty cells NULL) or a kseg raw table (raw.h5: /raw, categorical
codes as their level names, missing as NULL). The statement runs unchanged.
"""
import csv
import sqlite3
import sys


def load_csv(path):
    with open(path, newline="", encoding="utf-8-sig") as f:
        sample = f.read(65536)
        f.seek(0)
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
        rows = list(csv.reader(f, dialect))
    head, body = rows[0], rows[1:]

    def value(v):
        v = v.strip()
        if v == "":
            return None
        for kind in (int, float):
            try:
                return kind(v)
            except ValueError:
                pass
        return v
    return head, [[value(v) for v in r] for r in body]


def load_h5(path):
    import h5py
    import numpy as np
    with h5py.File(path, "r") as f:
        g = f["raw"]
        cols = [c.decode() if isinstance(c, bytes) else str(c) for c in g.attrs["columns"]]
        data = []
        for c in cols:
            ds = g[c]
            v = ds[...]
            if "levels" in ds.attrs:
                lv = [x.decode() if isinstance(x, bytes) else str(x) for x in ds.attrs["levels"]]
                data.append([lv[i] if i >= 0 else None for i in v])
            elif v.dtype.kind in "SO":
                data.append([(x.decode() if isinstance(x, bytes) else str(x)).rstrip("\x00") for x in v])
            else:
                data.append([None if np.isnan(x) else float(x) for x in v])
    return cols, [list(r) for r in zip(*data)]


def key(v):
    if isinstance(v, float) and v == int(v):
        return str(int(v))
    return str(v)


def main():
    table, sql_path, seg_path = sys.argv[1:4]
    head, rows = load_h5(table) if table.endswith(".h5") else load_csv(table)
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE customers (%s)" % ", ".join('"%s"' % h.replace('"', '""') for h in head))
    db.executemany("INSERT INTO customers VALUES (%s)" % ",".join("?" * len(head)), rows)
    sql = open(sql_path, encoding="utf-8").read()
    got = db.execute(sql).fetchall()
    with open(seg_path, newline="", encoding="utf-8") as f:
        seg = list(csv.DictReader(f))
    id_col = next(iter(seg[0]))
    if len(got) != len(seg):
        sys.exit(f"FAIL: the SELECT returned {len(got)} rows, segments.csv has {len(seg)}")
    if id_col == "row":  # no id column: the statement numbers the rows in table order
        want = [int(r["rule_segment"]) for r in seg]
        bad = [i for i, (g, w) in enumerate(zip(got, want)) if g[1] != w]
    else:
        want = {r[id_col]: int(r["rule_segment"]) for r in seg}
        bad = [(key(i), s, want.get(key(i))) for i, s in got if want.get(key(i)) != s]
    if bad:
        sys.exit(f"FAIL: {len(bad)} customers get another segment from rules.sql than rule_segment: {bad[:5]}")
    print(f"rules.sql in SQLite {sqlite3.sqlite_version}: {len(got)} customers, every rule_segment reproduced")


if __name__ == "__main__":
    main()
