"""Messy exports of the real tables, made in the test (never committed), and
the check that each imports to the same numbers, dates and ids as the clean
table.

  messy_exports.py make DATA_DIR OUT_DIR     writes OUT_DIR/<variant>.csv and
                                             OUT_DIR/variants.json (what each is)
  messy_exports.py check CLEAN.h5 VARIANT.h5 VARIANTS.json NAME
                                             every column of the variant's /raw
                                             equals the clean one: numbers and
                                             dates bit for bit, categories by
                                             their text, ids as the exported text

Every variant is written from the text of the real file, changing only how
values are written (a decimal comma, thousands separators, currencies,
percentages, parentheses, NA markers, date layouts, encodings, delimiters,
sep= lines, trailing delimiters, id shapes, column names), so a correct
import gives back the clean table's values exactly.
"""
import csv
import io
import json
import math
import os
import sys

import h5py
import numpy as np

MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
MONTHS_LONG = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
               "November", "December"]


def read_table(path):
    text = open(path, "rb").read().decode("utf-8")
    first = text.split("\n", 1)[0]
    delim = "\t" if "\t" in first else ","
    rows = [r for r in csv.reader(io.StringIO(text, newline=""), delimiter=delim) if r]
    return rows[0], rows[1:]


def group(intpart, sep):
    """Thousands groups of a digit string, from the right."""
    neg = intpart.startswith("-")
    digits = intpart[1:] if neg else intpart
    parts = []
    while len(digits) > 3:
        parts.insert(0, digits[-3:])
        digits = digits[:-3]
    parts.insert(0, digits)
    return ("-" if neg else "") + sep.join(parts)


def number_text(v, decimal=".", thousands="", decimals=None):
    """Rewrite the decimal text v (as in the file) with another decimal mark
    and thousands separator, digits unchanged (optionally padded to
    `decimals` places with zeros, which leaves the value as it is)."""
    intpart, _, frac = v.partition(".")
    if decimals is not None and len(frac) < decimals:
        frac = frac + "0" * (decimals - len(frac))
    out = group(intpart, thousands) if thousands else intpart
    return out + (decimal + frac if frac else "")


def percent_text(v, decimal="."):
    """v as a percentage of the same digits: 0.818182 -> 81.8182%."""
    intpart, _, frac = v.partition(".")
    frac = frac + "00"
    digits = (intpart + frac[:2]).lstrip("0") or "0"
    rest = frac[2:].rstrip("0")
    return digits + (decimal + rest if rest else "") + "%"


def dmy_parts(v):
    d, m, y = v.split("-")
    return int(d), int(m), int(y)


def write(path, header, rows, delim, encoding="utf-8", bom=False, sep_line=False, trailing=False, eol="\r\n"):
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delim, lineterminator=eol, quoting=csv.QUOTE_MINIMAL)
    if sep_line:
        buf.write(f"sep={delim}{eol}")
    for r in [header] + rows:
        w.writerow(r + [""] if trailing else r)
    data = buf.getvalue().encode(encoding)
    if bom:
        data = b"\xef\xbb\xbf" + data
    open(path, "wb").write(data)


def make(data_dir, out):
    os.makedirs(out, exist_ok=True)
    variants = {}
    mh, mrows = read_table(os.path.join(data_dir, "marketing_campaign.csv"))
    ch, crows = read_table(os.path.join(data_dir, "cc_general.csv"))
    mi = {n: k for k, n in enumerate(mh)}
    ci = {n: k for k, n in enumerate(ch)}
    money_m = ["Income", "MntWines", "MntFruits", "MntMeatProducts", "MntFishProducts", "MntSweetProducts",
               "MntGoldProds"]
    money_c = ["BALANCE", "PURCHASES", "ONEOFF_PURCHASES", "INSTALLMENTS_PURCHASES", "CASH_ADVANCE",
               "CREDIT_LIMIT", "PAYMENTS", "MINIMUM_PAYMENTS"]
    freq_c = [n for n in ch if n.endswith("_FREQUENCY") or n == "PRC_FULL_PAYMENT"]

    def variant(name, table, header, rows, renames=None, ids=None, negate=(), **kw):
        write(os.path.join(out, name + ".csv"), header, rows, **kw)
        variants[name] = {"table": table, "renames": renames or {}, "ids": ids, "negate": list(negate),
                          "encoding": kw.get("encoding", "utf-8")}

    def mk_rows(fn):
        return [fn(list(r)) for r in mrows]

    def cc_rows(fn):
        return [fn(list(r)) for r in crows]

    missing_cycle = ["-", "?", "#N/A", "N/A", "NULL", "null", "NaN", "None", "n/a", ""]

    # 1. European spreadsheet: ';', decimal comma, '.' thousands, dotted dates, BOM, sep= line
    def eu(r):
        for n in money_m:
            if r[mi[n]]:
                r[mi[n]] = number_text(r[mi[n]], ",", ".", decimals=2)
        d, m, y = dmy_parts(r[mi["Dt_Customer"]])
        r[mi["Dt_Customer"]] = f"{d:02d}.{m:02d}.{y}"
        return r
    variant("mk_eu_semicolon", "marketing", mh, mk_rows(eu), delim=";", bom=True, sep_line=True)

    # 2. US export: currency with ',' thousands, month-first dates, NA markers, zero-padded ids
    ids = {}
    k = [0]

    def us(r):
        for n in money_m:
            if r[mi[n]]:
                r[mi[n]] = "$" + number_text(r[mi[n]], ".", ",", decimals=2)
            elif n == "Income":
                r[mi[n]] = missing_cycle[k[0] % len(missing_cycle)]
                k[0] += 1
        d, m, y = dmy_parts(r[mi["Dt_Customer"]])
        r[mi["Dt_Customer"]] = f"{m}/{d}/{y}"
        padded = f"{int(r[mi['ID']]):06d}"
        ids[r[mi["ID"]]] = padded
        r[mi["ID"]] = padded
        return r
    variant("mk_us_currency", "marketing", mh, mk_rows(us), ids=dict(ids), delim=",", eol="\n")

    # 3. Latin-1, tab, renamed columns with accents and symbols, an extra text column
    hdr = list(mh)
    renames = {"Income": "Revenu annuel (£)", "Year_Birth": "Année_Naissance", "Education": "Éducation"}
    hdr = [renames.get(n, n) for n in hdr] + ["Ville"]
    towns = ["Zürich", "Besançon", "Málaga", "Øresund", "Genève"]

    def latin(r):
        if r[mi["Income"]]:
            r[mi["Income"]] = number_text(r[mi["Income"]], ",", " ") + " £"
        return r + [towns[int(r[mi["ID"]]) % len(towns)]]
    variant("mk_latin1", "marketing", hdr, mk_rows(latin), renames=renames, delim="\t", encoding="latin-1")

    # 4. Windows-1252: euro sign after the number, no-break space thousands, ';'
    def cp(r):
        for n in money_m:
            if r[mi[n]]:
                r[mi[n]] = number_text(r[mi[n]], ",", "\u00a0", decimals=2) + "\u00a0€"
        return r
    variant("mk_cp1252", "marketing", mh, mk_rows(cp), delim=";", encoding="cp1252")

    # 5. trailing delimiter on every line, ISO dates with a time, 18-digit ids, NULL markers
    ids18 = {}

    def trail(r):
        d, m, y = dmy_parts(r[mi["Dt_Customer"]])
        r[mi["Dt_Customer"]] = f"{y}-{m:02d}-{d:02d} 00:00:00"
        long_id = str(10 ** 17 + int(r[mi["ID"]]))
        ids18[r[mi["ID"]]] = long_id
        r[mi["ID"]] = long_id
        if not r[mi["Income"]]:
            r[mi["Income"]] = "NULL"
        return r
    variant("mk_trailing_iso", "marketing", mh, mk_rows(trail), ids=dict(ids18), delim=",", trailing=True)

    # 6. ISO 8601 with T and Z, apostrophe thousands (Swiss), LF
    def swiss(r):
        d, m, y = dmy_parts(r[mi["Dt_Customer"]])
        r[mi["Dt_Customer"]] = f"{y}-{m:02d}-{d:02d}T00:00:00Z"
        if r[mi["Income"]]:
            r[mi["Income"]] = "CHF " + number_text(r[mi["Income"]], ".", "'", decimals=2)
        return r
    variant("mk_swiss_isoT", "marketing", mh, mk_rows(swiss), delim="\t", eol="\n")

    # 7. month names, and column names no HDF5 dataset could carry as they are
    renames7 = {"Income": "Income/Year", "MntWines": "Amount (€) wine", "Recency": ".recency", "Kidhome": "50% kids"}
    hdr7 = [renames7.get(n, n) for n in mh]

    def named(r):
        d, m, y = dmy_parts(r[mi["Dt_Customer"]])
        r[mi["Dt_Customer"]] = f"{d:02d}-{MONTHS[m - 1]}-{y}" if int(r[mi["ID"]]) % 2 else f"{MONTHS_LONG[m - 1]} {d}, {y}"
        return r
    variant("mk_names_months", "marketing", hdr7, mk_rows(named), renames=renames7, delim=",")

    # 8. CC GENERAL from a European spreadsheet: every number with a decimal comma, '.' thousands
    def cc_eu(r):
        for n in ch[1:]:
            if r[ci[n]]:
                r[ci[n]] = number_text(r[ci[n]], ",", ".")
        return r
    variant("cc_eu", "ccgeneral", ch, cc_rows(cc_eu), delim=";")

    # 9. percentages, currencies, NA markers
    j = [0]

    def cc_pct(r):
        for n in freq_c:
            r[ci[n]] = percent_text(r[ci[n]])
        for n in money_c:
            if r[ci[n]]:
                r[ci[n]] = "$" + number_text(r[ci[n]], ".", ",")
            else:
                r[ci[n]] = missing_cycle[j[0] % len(missing_cycle)]
                j[0] += 1
        return r
    variant("cc_percent_currency", "ccgeneral", ch, cc_rows(cc_pct), delim=",")

    # 10. accounting negatives: BALANCE negated and written (x), thin and narrow no-break spaces
    def cc_neg(r):
        b = r[ci["BALANCE"]]
        r[ci["BALANCE"]] = "(" + number_text(b, ",", "\u2009") + ")" if b != "0" else "0"
        if r[ci["PAYMENTS"]]:
            r[ci["PAYMENTS"]] = number_text(r[ci["PAYMENTS"]], ",", "\u202f") + " EUR"
        return r
    variant("cc_parentheses", "ccgeneral", ch, cc_rows(cc_neg), negate=["BALANCE"], delim=";", bom=True)

    json.dump(variants, open(os.path.join(out, "variants.json"), "w"), indent=1)
    print(f"messy exports: {len(variants)} variants in {out}")


def text(x):
    return x.decode("utf-8") if isinstance(x, bytes) else str(x)


def column(raw, name):
    """A column of /raw by its name as written (the dataset name is escaped)."""
    ds = name.replace("%", "%25").replace("/", "%2F")
    if ds.startswith("."):
        ds = "%2E" + ds[1:]
    return raw[ds]


def check(clean_path, var_path, manifest, name):
    spec = json.load(open(manifest))[name]
    clean = h5py.File(clean_path, "r")["raw"]
    var = h5py.File(var_path, "r")["raw"]
    cnames = [text(x) for x in clean.attrs["columns"]]
    vnames = [text(x) for x in var.attrs["columns"]]
    errors = []
    for cn in cnames:
        vn = spec["renames"].get(cn, cn)
        if vn not in vnames:
            errors.append(f"{name}: column {vn!r} missing (has {vnames})")
            continue
        a, b = column(clean, cn), column(var, vn)
        ka, kb = text(a.attrs["kind"]), text(b.attrs["kind"])
        if ka != kb:
            errors.append(f"{name}: {vn}: kind {kb}, clean {ka}")
            continue
        x, y = a[()], b[()]
        if ka in ("numeric", "date"):
            if cn in spec["negate"]:
                x = -x
            same = np.array_equal(x.view(np.uint64), y.view(np.uint64)) or (
                np.array_equal(np.isnan(x), np.isnan(y)) and np.array_equal(x[~np.isnan(x)], y[~np.isnan(y)]))
            if not same:
                bad = np.nonzero(~((x == y) | (np.isnan(x) & np.isnan(y))))[0][:5]
                errors.append(f"{name}: {vn}: values differ at rows {list(bad)}: {x[bad]} vs {y[bad]}")
        elif ka == "categorical":
            la = [text(v) for v in a.attrs["levels"]]
            lb = [text(v) for v in b.attrs["levels"]]
            ta = [la[c] if c >= 0 else None for c in x]
            tb = [lb[c] if c >= 0 else None for c in y]
            if ta != tb:
                errors.append(f"{name}: {vn}: categories differ")
        else:
            ta, tb = [text(v) for v in x], [text(v) for v in y]
            if spec["ids"] and cn == "ID":
                ta = [spec["ids"][v] for v in ta]
            if ta != tb:
                bad = [i for i in range(len(ta)) if ta[i] != tb[i]][:3]
                errors.append(f"{name}: {vn}: text differs at rows {bad}: {[ta[i] for i in bad]} vs {[tb[i] for i in bad]}")
    if len(vnames) < len(cnames):
        errors.append(f"{name}: {len(vnames)} columns, the clean table has {len(cnames)}")
    for e in errors[:10]:
        print("MISMATCH:", e)
    if errors:
        sys.exit(1)
    print(f"messy export {name}: {len(cnames)} columns equal the clean table's")


if __name__ == "__main__":
    if sys.argv[1] == "make":
        make(sys.argv[2], sys.argv[3])
    else:
        check(*sys.argv[2:6])
