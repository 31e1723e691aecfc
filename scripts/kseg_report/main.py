"""kseg-report: gather what a run directory holds, draw the figures, write
DIR/plots/*.png and one self-contained HTML file (docs/report.md).

Every input is optional: a missing piece turns its section into a sentence
saying what is missing and which command makes it, so `kseg run` gets a
report even when a late stage failed.
"""
import argparse
import base64
import html
import io
import os
import sys
import tempfile

import numpy as np

from . import data, plots

EXIT_INPUT, EXIT_IO = 1, 2


class Section:
    """One report section: a heading, a figure (or None) and/or HTML text."""

    def __init__(self, key, title, fig=None, text="", missing=None, body=""):
        self.key, self.title, self.fig, self.text, self.missing, self.body = key, title, fig, text, missing, body
        self.png = None


def esc(s):
    return html.escape(str(s), quote=True)


def fmt_int(n):
    return f"{int(n):,}"


def png_bytes(fig):
    buf = io.BytesIO()
    # No Software tag: the PNG would otherwise carry matplotlib's web address.
    fig.savefig(buf, format="png", dpi=plots.DPI, metadata={"Software": None})
    return buf.getvalue()


def write_atomic(path, payload):
    """Write bytes under a temporary name in the same directory, then rename:
    a reader never sees half a file, a failure keeps the old one."""
    d = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".kseg-report.", dir=d)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


class Parser(argparse.ArgumentParser):
    """Bad usage exits 1 like every kseg command (argparse's own is 2, which
    kseg keeps for I/O failures)."""

    def error(self, message):
        self.print_usage(sys.stderr)
        print(f"kseg-report: {message}", file=sys.stderr)
        sys.exit(EXIT_INPUT)


def parse(argv):
    ap = Parser(prog="kseg-report", description="Render DIR/report.html and DIR/plots/*.png "
                                 "from the outputs of a kseg run (sweep.h5, result.h5, features.h5, profiles.json).")
    ap.add_argument("dir", metavar="DIR", help="run directory (kseg run --out DIR)")
    ap.add_argument("--out", metavar="FILE.html", help="report file (default DIR/report.html); plots go to "
                    "plots/ beside it")
    ap.add_argument("--sample", type=int, default=20000, metavar="N",
                    help="customers drawn (seeded) for the component scatter (default 20000)")
    ap.add_argument("--silhouette-sample", type=int, default=4000, metavar="N",
                    help="customers of that sample used for the silhouette plot: O(N^2) distances (default 4000)")
    ap.add_argument("--seed", type=int, default=0, help="seed of the sample (default 0)")
    a = ap.parse_args(argv)
    if a.sample < 2 or a.silhouette_sample < 2:
        ap.error("--sample and --silhouette-sample need at least 2 customers")
    return a


def gather(a):
    """Everything the figures need, plus notes on what was not found."""
    d = a.dir
    g = {"notes": [], "sweep": None, "labels": (None, None), "result": None, "counts": None, "n": None,
         "profiles": None, "features": None, "plan": None}
    try:
        g["sweep"] = data.read_sweep(os.path.join(d, "sweep.h5"))
    except (data.Missing, OSError, KeyError) as e:
        g["notes"].append(str(e))
    lp, ld = data.find_labels(d)
    if lp:
        g["labels"] = (lp, ld)
        g["result"] = data.read_result(lp, ld)
        g["counts"], g["n"], bad = data.count_labels(lp, ld)
        if bad:
            g["notes"].append(f"{fmt_int(bad)} customers of {lp} have no segment (negative label)")
    try:
        g["profiles"] = data.read_profiles(d)
    except data.Missing as e:
        g["notes"].append(str(e))
    try:
        g["plan"] = data.read_plan(d)
    except data.Missing as e:
        g["notes"].append(str(e))
    g["currency"] = ((g.get("plan") or {}).get("currency") or (read_rules(d) or {}).get("currency")
                     or (g.get("profiles") or {}).get("currency"))
    CURRENCY["code"] = g["currency"] or ""
    fp = os.path.join(d, "features.h5")
    if os.path.exists(fp):
        try:
            g["features"] = data.read_features_info(fp)
        except (data.Missing, OSError) as e:
            g["notes"].append(str(e))
    return g


def names_of(prof, k, label_names=None):
    """Segment names: the profile's, else those kseg run stores on /labels."""
    if prof:
        return {s: prof["by_id"][s].get("name") for s in range(k) if s in prof["by_id"]}
    return {s: n for s, n in enumerate(label_names or []) if s < k and n}


def plain_k(g, chosen_k):
    """The choice of k in plain words: what the chosen number of segments
    gives, and what another would (docs/report.md)."""
    sw, plan = g["sweep"], g.get("plan") or {}
    if not sw or not chosen_k:
        return None
    ks = [int(k) for k in sw["k"]]
    cap = sw.get("attr_max_segments")
    keep = [i for i, k in enumerate(ks) if not cap or k <= cap]
    if not keep:
        return None
    cur = g.get("currency") or ""

    def amount(v):
        return f"{cur + ' ' if cur else ''}{v:,.0f}"
    kb = sw.get("attr_k_business")
    by_k = {row["k"]: row for row in plan.get("by_k") or [] if "k" in row}
    if kb is not None and kb >= 0 and plan.get("profit_claims") and plan.get("segments_contacted"):
        segs = {s["segment"]: s for s in plan.get("segments") or []}
        top = [segs[i] for i in plan["segments_contacted"] if i in segs]
        who = " and ".join(f"a group of {fmt_int(t['customers'])} that responds at {pct(t['response_rate'], 0)}"
                           for t in top[:2])
        text = (f"{chosen_k} segments: {who} stands apart, profitable out of sample (cross-validated profit "
                f"{amount(plan['cv_profit'])}, standard error {amount(plan['cv_profit_se'])})")
        ki = sw.get("attr_k_internal")
        if ki and ki != chosen_k:
            other = by_k.get(ki, {})
            earns = other.get("cv_profit")
            text += (f"; {ki} segments separate best by the internal measures"
                     + (f", but their plan earns {amount(earns)}" if earns is not None else ""))
        return text + "."
    # the internal vote: which measures prefer the chosen k
    prefs = []
    for name, key, best in (("silhouette", "silhouette", max), ("Calinski–Harabasz", "calinski_harabasz", max),
                            ("Davies–Bouldin", "davies_bouldin", min)):
        vals = [(sw[key][i], ks[i]) for i in keep if np.isfinite(sw[key][i])]
        if vals:
            prefs.append((name, best(vals)[1]))
    gk = sw.get("attr_gap_k")
    if gk is not None and gk > 0:
        prefs.append(("the gap statistic", int(gk)))
    agree = [n for n, k in prefs if k == chosen_k]
    other = [f"{n} prefers {k}" for n, k in prefs if k != chosen_k]
    if prefs and len(agree) == len(prefs):
        return f"{chosen_k} segments: the clearest separation by every measure ({', '.join(agree)})."
    if agree:
        return (f"{chosen_k} segments: the clearest separation by {len(agree)} of {len(prefs)} measures "
                f"({', '.join(agree)}; {', '.join(other)}).")
    return None


def summary_html(g, chosen_k):
    rows = []
    n = g["n"] or (g["features"] or {}).get("rows") or (g["profiles"] or {}).get("rows") \
        or (g["sweep"] or {}).get("attr_rows")
    if n:
        rows.append(("Customers", fmt_int(n)))
    f = g["features"]
    if f:
        cols = f["columns"] or []
        if f["pca"] and f["inputs"]:
            used = (f"{len(cols)} principal components of {len(f['inputs'])} prepared features: "
                    + ", ".join(f["inputs"]))
        elif f["encoder"] and f["inputs"]:
            used = (f"{f['dims']} autoencoder codes (layers {f['encoder']}) of {len(f['inputs'])} prepared "
                    "features: " + ", ".join(f["inputs"]))
        else:
            used = f"{f['dims']} prepared features: " + ", ".join(cols) if cols else f"{f['dims']} columns"
        rows.append(("Features used", used))
    if chosen_k:
        rows.append(("Number of segments", str(chosen_k)))
    sw = g["sweep"]
    if sw:
        rec = sw.get("attr_recommendation")
        rk = sw.get("attr_recommended_k")
        why = rec or (f"recommended k = {rk}" if rk else "")
        if rk and chosen_k and rk != chosen_k:
            why += f" (the segments in this report were fitted at k = {chosen_k}, not the recommended {rk})"
        plain = plain_k(g, chosen_k)
        rows.append(("Why this many", plain or why))
        if plain and why:
            rows.append(("The rule, in full", why))
        ki = sw.get("attr_k_internal")
        if sw.get("attr_k_business") is not None and sw["attr_k_business"] >= 0 and ki is not None:
            rows.append(("Internal metrics alone", sw.get("attr_internal_recommendation") or f"k = {ki}"))
        rows.append(("k swept", f"{int(sw['k'].min())} to {int(sw['k'].max())}"))
    else:
        rows.append(("Why this many", "no sweep.h5 in this directory: the number of segments was set by hand "
                     "(kseg sweep gives a recommendation)"))
    prof = g["profiles"]
    rate = ((prof or {}).get("base") or {}).get("response_rate")  # JSON null when undefined
    if prof and prof.get("target") and rate is not None:
        rows.append((f"{prof['target']} rate", f"{100 * rate:.1f}% of all customers"))
    plan = g.get("plan")
    if plan:
        rows.append(("Campaign plan", plan.get("summary", "")))
    body = "".join(f"<tr><th>{esc(k)}</th><td>{esc(v)}</td></tr>" for k, v in rows)
    return f'<table class="summary">{body}</table>'


def profile_table_html(prof, names, k):
    if not prof:
        return None
    base = prof["base"] or {}
    has_spend = base.get("spend_share") is not None
    has_rate = prof.get("target") and base.get("response_rate") is not None
    keys = [m for m in ("Income", "Total_Spent") if m in base.get("metrics", {})]
    head = ["Segment", "Name", "Customers", "Share"]
    if has_spend:
        head.append("Share of spend")
    if has_rate:
        head += [f"{prof['target']} rate", "Lift"]
    head += [f"Mean {m.replace('_', ' ').lower()}" for m in keys]
    head.append("Suggested action")

    def cells(s, seg):
        swatch = "" if s is None else f'<span class="sw" style="background:{plots.colour(s)}"></span>'
        c = [f"{swatch}{esc(s if s is not None else 'all')}", esc(seg.get("name") if s is not None else
                                                                    "All customers"),
             fmt_int(seg.get("size", 0)), f"{100 * seg.get('share', 0):.1f}%"]
        if has_spend:
            v = seg.get("spend_share")
            c.append("" if v is None else f"{100 * v:.1f}%")
        if has_rate:
            r, lift = seg.get("response_rate"), seg.get("lift")
            c.append("" if r is None else f"{100 * r:.1f}%")
            c.append("" if lift is None else f"×{lift:.2f}")
        for m in keys:
            v = seg.get("metrics", {}).get(m, {}).get("mean")
            c.append("" if v is None else esc(with_currency(f"{v:,.0f}")))
        c.append(esc(seg.get("action", "")) if s is not None else "")
        return c

    trs = []
    for s in range(k):
        if s in prof["by_id"]:
            trs.append("<tr>" + "".join(f"<td>{x}</td>" for x in cells(s, prof["by_id"][s])) + "</tr>")
    trs.append('<tr class="base">' + "".join(f"<td>{x}</td>" for x in cells(None, base)) + "</tr>")
    return ('<table class="profile"><thead><tr>' + "".join(f"<th>{esc(h)}</th>" for h in head)
            + "</tr></thead><tbody>" + "".join(trs) + "</tbody></table>")


def read_drift(run_dir):
    """drift.json of a warm-started kseg run, or None (a run from scratch has none)."""
    try:
        return data.read_run_json(run_dir, "drift.json")
    except data.Missing:
        return None


def drift_html(drift, prof):
    """What changed since the model this run was warm-started from: how many
    customers kept their segment, and per old segment where it went and the
    three features whose segment mean moved most (relative to the overall mean)."""
    def pct(v):
        return "" if v is None else f"{100 * v:.1f}%"

    rows = [("Customers matched to the previous run", f"{fmt_int(drift.get('matched', 0))} of "
             f"{fmt_int(drift.get('old_customers', 0))} (by {drift.get('matched_by', 'id')})"),
            ("Kept their segment", pct(drift.get("kept_share"))),
            ("Moved to another segment", f"{fmt_int(drift.get('moved', 0))} ({pct(drift.get('moved_share'))})"),
            ("Agreement (adjusted Rand index, 1 = identical)",
             "" if drift.get("ari") is None else f"{drift['ari']:.2f}"),
            ("Segments", f"{drift.get('k_old', '?')} before, {drift.get('k_new', '?')} now")]
    out = '<table class="summary">' + "".join(f"<tr><th>{esc(k)}</th><td>{esc(v)}</td></tr>" for k, v in rows)
    out += "</table>"
    base = ((prof or {}).get("base") or {}).get("metrics", {})
    trs = []
    for seg in drift.get("segments", []):
        new = seg.get("new_id", -1)
        if new is None or new < 0:
            where = "gone: its customers joined other segments"
        else:
            where = f'<span class="sw" style="background:{plots.colour(new)}"></span>{new} · ' \
                    f'{esc(seg.get("new_name", ""))}'
        shifts = []
        for name, d in (seg.get("shift") or {}).items():
            m = base.get(name, {}).get("mean")
            if d is not None and m:
                shifts.append((abs(d / m), name, d, m))
        shifts.sort(reverse=True)
        moved = ", ".join(f"{esc(n)} {d:+,.3g} ({100 * d / m:+.0f}%)" for _, n, d, m in shifts[:3])
        trs.append(f"<tr><td>{esc(seg.get('old_id'))} · {esc(seg.get('old_name', ''))}</td><td>{where}</td>"
                   f"<td>{moved}</td></tr>")
    for j in drift.get("appeared", []):
        trs.append(f'<tr><td>new</td><td><span class="sw" style="background:{plots.colour(j)}"></span>{esc(j)}'
                   "</td><td></td></tr>")
    if trs:
        out += ('<table class="profile"><thead><tr><th>Previous segment</th><th>Now</th>'
                "<th>Largest shifts of the segment mean (vs. the overall mean)</th></tr></thead><tbody>"
                + "".join(trs) + "</tbody></table>")
    return out


CURRENCY = {"code": ""}


def with_currency(number):
    """An amount's text with --currency: "EUR 528", "$528", "-$3,046"."""
    cur = CURRENCY["code"]
    if not cur:
        return number
    if cur[0].isalpha():
        return f"{cur} {number}"
    return f"-{cur}{number[1:]}" if number.startswith("-") else f"{cur}{number}"


def money(v):
    return "n/a" if v is None else with_currency(f"{v:,.0f}")


def pct(v, digits=1):
    return "" if v is None else f"{100 * v:.{digits}f}%"


def plan_html(plan, names):
    """The campaign plan in plain words: whom to contact, what it returns in
    sample and out of sample, and how sure each decision is (docs/plan.md)."""
    if not plan.get("target"):
        return ("<p>This table has no response column, so there is no campaign plan: the segments are described, "
                "not priced. Give <code>--target COLUMN</code> (a 0/1 column) to get one.</p>")
    out = []
    be = plan.get("break_even_rate")
    if plan.get("economics_source") != "none":
        cost = esc(with_currency(f"{plan['contact_cost']:g}"))
        revenue = esc(with_currency(f"{plan['response_revenue']:g}"))
        out.append(f"<p><b>Economics.</b> A contact costs {cost} and a response brings {revenue} "
                   f"({esc(plan['economics'])}), so a segment pays when more than "
                   f"{pct(be)} of its customers respond (the break-even rate).</p>")
    else:
        out.append(f"<p><b>Economics.</b> {esc(plan['economics'])[0].upper() + esc(plan['economics'])[1:]}. "
                   "Rates, intervals and lifts are shown; no profit is claimed.</p>")
    if plan.get("note"):
        out.append(f'<p class="missing">{esc(plan["note"])}.</p>')
    segs = plan.get("segments") or []
    if plan.get("profit_claims"):
        chosen = plan.get("segments_contacted") or []
        if chosen:
            who = ", ".join(f'<span class="sw" style="background:{plots.colour(s)}"></span>{s} '
                            f'({esc(names.get(s) or "")})' for s in chosen)
            out.append(f"<p><b>Whom to contact.</b> Segment{'s' if len(chosen) > 1 else ''} {who}: "
                       f"{fmt_int(plan['customers_contacted'])} of {fmt_int(plan['customers'])} customers "
                       f"({pct(plan['customers_contacted'] / plan['customers'])}), every segment whose response rate "
                       f"is above break-even.</p>")
            out.append(f"<p><b>What it returns.</b> On the customers it was measured on, the plan brings "
                       f"{fmt_int(plan['responders_contacted'])} responses and a profit of "
                       f"{money(plan['expected_profit'])}; contacting everyone would return "
                       f"{money(plan['profit_contact_all'])}.</p>")
        else:
            out.append(f"<p><b>Whom to contact.</b> No one: no segment responds above the break-even rate; "
                       f"contacting everyone would return {money(plan['profit_contact_all'])}.</p>")
        if plan.get("cv_profit") is not None:
            folds = ", ".join(money(v) for v in plan.get("cv_fold_values") or [])
            out.append(f"<p><b>Out of sample.</b> Split into {plan['cv_folds']} folds by customer, each fold's "
                       f"contact decisions made from the other folds' rates only, the plan returns "
                       f"{money(plan['cv_profit'])} (standard error {money(plan['cv_profit_se'])}; per fold: "
                       f"{folds}). This is the figure to expect from a new campaign of the same kind, not the "
                       "in-sample profit above.</p>")
    elif plan.get("cv_captured") is not None:
        out.append(f"<p><b>Whom to contact.</b> Without economics the plan ranks segments by response rate. "
                   f"Contacting the top {pct(plan['top_share'], 0)} of customers reaches "
                   f"{pct(plan['top_captured'] / plan['responders'])} of the responders in sample, and "
                   f"{pct(plan['cv_capture_rate'])} cross-validated over {plan['cv_folds']} folds, against "
                   f"{pct(plan['top_share'], 0)} for random targeting.</p>")
    out.append("<p><b>How sure.</b> Each segment's response rate comes with a 95% interval (Wilson): "
               + ("a segment is <i>contact</i> when the whole interval lies above break-even, <i>test</i> when it "
                  "contains it (a small test campaign first), <i>skip</i> when it lies below." if
                  plan.get("profit_claims") else "the narrower, the surer.") + "</p>")
    head = ["Rank", "Segment", "Customers", "Responders", "Rate", "95% interval", "Lift"]
    if plan.get("profit_claims"):
        head += ["Decision", "In the plan", "Expected profit", "Cumulative profit"]
    trs = []
    for s in segs:
        c = [str(s["rank"]), f'<span class="sw" style="background:{plots.colour(s["segment"])}"></span>'
             f'{s["segment"]} · {esc(names.get(s["segment"]) or "")}', fmt_int(s["customers"]),
             fmt_int(s["responders"]), pct(s["response_rate"]),
             f'{pct(s["response_rate_low"])}–{pct(s["response_rate_high"])}',
             "" if s["lift"] is None else f'×{s["lift"]:.2f}']
        if plan.get("profit_claims"):
            c += [esc(s["decision"]), "yes" if s["contact"] else "no", money(s["expected_profit"]),
                  money(s["cum_profit"])]
        trs.append("<tr>" + "".join(f"<td>{x}</td>" for x in c) + "</tr>")
    if trs:
        out.append('<table class="profile"><thead><tr>' + "".join(f"<th>{esc(h)}</th>" for h in head)
                   + "</tr></thead><tbody>" + "".join(trs) + "</tbody></table>")
    if plan.get("k_rule"):
        out.append(f"<p><b>Why {plan['k']} segments.</b> {esc(plan['k_rule'])}.</p>")
    return "".join(out)


def read_rules(run_dir):
    """rules.json and rules.txt of kseg run / kseg rules, or None."""
    try:
        r = data.read_run_json(run_dir, "rules.json")
        if r is None:
            return None
        t = os.path.join(run_dir, "rules.txt")
        r["text"] = open(t, encoding="utf-8").read() if os.path.exists(t) else ""
        return r
    except (data.Missing, OSError, ValueError):
        return None


def rules_html(r, names):
    """The segment rules: fidelity and price in words, one rule per segment,
    and the tree as an indented outline (docs/rules.md)."""
    out = [f"<p>A tree of {r['leaves']} leaves over the raw columns gives <b>{pct(r['fidelity'])}</b> of the "
           f"customers their own segment ({fmt_int(r['agree'])} of {fmt_int(r['rows'])}). Its segments are "
           f"{pct(r['price'] - 1)} less compact than the k-means ones (price {r['price']:.3f}). "
           "<code>rules.sql</code> rebuilds them in a CRM with one SQL statement; <code>rules.txt</code> has "
           "the rules below with their definitions.</p>"]
    trs = []
    for seg in r.get("segments", []):
        s = seg["segment"]
        swatch = f'<span class="sw" style="background:{plots.colour(s)}"></span>'
        rule = seg.get("rule") or "no rule: no leaf of the tree has this segment"
        trs.append(f"<tr><td>{swatch}{s}</td><td>{esc(names.get(s) or seg.get('name', ''))}</td>"
                   f"<td>{fmt_int(seg['size'])}</td><td>{esc(rule)}</td><td>{pct(seg.get('precision'))}</td>"
                   f"<td>{pct(seg.get('recall'))}</td></tr>")
    out.append('<table class="profile"><thead><tr><th>Segment</th><th>Name</th><th>Customers</th><th>Rule</th>'
               "<th>Rule's customers in the segment</th><th>Segment's customers the rule finds</th></tr></thead>"
               "<tbody>" + "".join(trs) + "</tbody></table>")
    tree = r.get("tree", [])

    def walk(i, depth, cond, lines):
        nd = tree[i]
        pad = "&nbsp;" * 4 * depth
        label = esc(cond) if cond else "all customers"
        if "segment" in nd:
            lines.append(f"{pad}{label} → segment {nd['segment']} ({fmt_int(nd['size'])} customers, "
                         f"{pct(nd.get('fraction'))} of them in it)")
            return
        lines.append(f"{pad}{label} ({fmt_int(nd['size'])} customers)")
        walk(nd["left"], depth + 1, nd.get("left_rule") or f"{nd['feature']} < {nd['threshold_text']}", lines)
        walk(nd["right"], depth + 1, nd.get("right_rule") or f"{nd['feature']} >= {nd['threshold_text']}", lines)
    if tree:
        lines = []
        walk(0, 0, "", lines)
        out.append("<p><b>The tree</b> (thresholds in the columns' own units; definitions in rules.txt):</p>"
                   '<p class="note">' + "<br>".join(lines) + "</p>")
    return "".join(out)


def distance_text(f):
    """What the `distance` column of segments.csv (and of kseg assign's scored CSV) measures."""
    scale = {"standard": "one standard deviation of the feature", "robust": "one interquartile range of the feature",
             "minmax": "the feature's whole range", "none": "the feature's own unit"}
    unit = scale.get(str((f or {}).get("scale") or "standard"), "one standard deviation of the feature")
    space = "principal components of the scaled features" if f and f.get("pca") else \
        "the autoencoder's embedding of the scaled features" if f and f.get("encoder") else "scaled features"
    return ("segments.csv gives every customer its segment and a distance: the Euclidean distance from the customer "
            f"to the centre of its segment in the space the segments were fitted in ({space}; one unit along a "
            f"feature is {unit}, after log1p where the recipe takes it). It is not money or days: it says how typical "
            "a customer is of its segment, small for the typical ones, large for the ones at the edge, and compares "
            "customers of the same run.")


def build_sections(a, g):
    sw, prof = g["sweep"], g["profiles"]
    res = g["result"] or {}
    counts = g["counts"]
    k = res.get("k") or (len(counts) if counts is not None else None) or (sw or {}).get("attr_recommended_k")
    chosen_k = int(k) if k else None
    no_prof = "no segment profiles yet (profiles.json from kseg profile) in this directory"
    if prof and counts is not None and (prof.get("rows") != g["n"] or prof.get("k") != chosen_k):
        # A profile of another labelling (an older run) would put wrong names on these segments.
        no_prof = (f"{prof['path']} describes {prof.get('rows')} customers in {prof.get('k')} segments, not these "
                   f"{g['n']} in {chosen_k}: rerun kseg profile")
        g["profiles"] = prof = None
    names = names_of(prof, chosen_k or 0, res.get("names"))
    no_sweep = "no sweep.h5 in this directory (kseg sweep makes it)"
    no_labels = "no segment labels (result.h5 /labels from kseg fit) in this directory"
    out = [Section("summary", "Summary", body=summary_html(g, chosen_k))]

    if sw:
        out.append(Section("elbow", "Elbow curve", plots.fig_elbow(sw, chosen_k),
                           "Inertia always falls as k grows; the knee (Kneedle rule) is where extra segments stop "
                           "paying off. The shaded band is the chosen k."))
        fig = plots.fig_validation(sw, chosen_k)
        out.append(Section("validation", "Validation metrics", fig,
                           "Each metric scores how separated and compact the segments are; the recommendation "
                           "takes a vote among silhouette, Calinski–Harabasz, Davies–Bouldin and the gap "
                           "statistic's 1-SE rule.",
                           missing=None if fig else "the sweep computed no validation metric"))
    else:
        out += [Section("elbow", "Elbow curve", missing=no_sweep),
                Section("validation", "Validation metrics", missing=no_sweep)]

    f, (lp, ld) = g["features"], g["labels"]
    pca_sec = Section("pca", "Customers on the first two principal components")
    sil_sec = Section("silhouette", "Silhouette per segment")
    if not lp:
        pca_sec.missing = sil_sec.missing = no_labels
    elif not f:
        pca_sec.missing = sil_sec.missing = "no features.h5 in this directory (kseg prep makes it)"
    elif f["rows"] != g["n"]:
        pca_sec.missing = sil_sec.missing = (f"{f['path']} has {fmt_int(f['rows'])} rows but {lp} has "
                                             f"{fmt_int(g['n'])} labels: not the same customers")
    else:
        rows = data.sample_rows(g["n"], a.sample, a.seed)
        x, lab = data.read_sample(f["path"], f["dataset"], lp, ld, rows)
        ok = np.isfinite(x).all(axis=1) & (lab >= 0)
        x, lab = x[ok], lab[ok]
        cent = res.get("centroids")
        if cent is not None and cent.shape[1] != x.shape[1]:
            cent = None
        if x.shape[1] >= 2 and len(lab) >= 3:
            xy, cxy, axl = plots.pca_project(x, cent, f)
            pca_sec.fig = plots.fig_pca(xy, lab, cxy, axl, names, g["n"])
            pca_sec.text = ("Each dot is a customer, coloured by segment; crosses mark the segment centres. "
                            "Segments that overlap here may still separate in the other dimensions.")
        else:
            pca_sec.missing = "fewer than two feature columns or three customers: nothing to project"
        m = min(len(lab), a.silhouette_sample)
        # A seeded subsample of the sample keeps the O(m^2) distances small.
        pick = np.sort(np.random.default_rng(a.seed + 1).choice(len(lab), m, replace=False))
        if len(np.unique(lab[pick])) >= 2:
            sil = plots.silhouette_values(x[pick], lab[pick])
            sil_sec.fig = plots.fig_silhouette(sil, lab[pick], names, g["n"])
            sil_sec.text = ("Each bar is one customer's silhouette, sorted within its segment: long bars to the "
                            "right mean customers clearly closer to their own segment than to any other; bars "
                            "below zero fit another segment better. The dashed line is the mean.")
        else:
            sil_sec.missing = "fewer than two segments in the sample: no silhouette"
    out += [pca_sec, sil_sec]

    if prof:
        fig = plots.fig_heatmap(prof, names)
        out.append(Section("profile_heatmap", "Segment profiles", fig,
                           "Each cell is a segment's mean divided by the mean of all customers, × 100: 100 is "
                           "average, 200 twice the average, 50 half. Red is above average, blue below.",
                           missing=None if fig else "the profile has no numeric column to index"))
    else:
        out.append(Section("profile_heatmap", "Segment profiles", missing=no_prof))

    sizes = counts
    if sizes is None and prof:
        sizes = np.array([prof["by_id"].get(s, {}).get("size", 0) for s in range(chosen_k or 0)])
    if sizes is not None and len(sizes):
        if chosen_k and len(sizes) < chosen_k:
            sizes = np.pad(sizes, (0, chosen_k - len(sizes)))
        text = "How many customers each segment holds"
        if prof and prof.get("target"):
            text += (f", and the share who responded ({prof['target']}) with the lift against the overall rate "
                     "(×1.00 = average)")
        elif prof:
            text += " (the profile has no response column, so no response rates)"
        else:
            text += "; response rates and lift come with the segment profiles (kseg profile)"
        out.append(Section("sizes_response", "Segment sizes and response", plots.fig_sizes(sizes, prof, names),
                           text + "."))
    else:
        out.append(Section("sizes_response", "Segment sizes and response", missing=no_labels))

    drift = read_drift(a.dir)
    if drift:
        out.append(Section("drift", "Changes since the previous model", body=drift_html(drift, prof),
                           text="This run started from an earlier model (kseg run --warm-start): segment ids were "
                           "kept where the segments still exist."))
    plan = g["plan"]
    if plan and (plan.get("k") != chosen_k or (g["n"] and plan.get("rows") != g["n"])):
        g["notes"].append(f"{plan['path']} plans {plan.get('k')} segments of {plan.get('rows')} customers, not these: "
                          "rerun kseg run")
        g["plan"] = plan = None
    if plan:
        out.append(Section("plan", "Campaign plan", body=plan_html(plan, names)))
        if plan.get("segments"):
            out.append(Section("campaign_gains", "Cumulative gains and profit", plots.fig_gains(plan, names),
                               "Segments are contacted in order of response rate, best first. Left: the share of "
                               "all responders reached against the share of customers contacted (the diagonal is "
                               "random targeting). "
                               + ("Right: the cumulative profit; the circle marks the plan, where the next segment "
                                  "would respond below break-even." if plan.get("profit_claims") else "")))
    if sw and sw.get("business"):
        fig = plots.fig_k_business(sw, chosen_k, g.get("currency"))
        if fig is not None:
            out.append(Section("k_pays", "The k that pays", fig,
                               "For each number of segments, the campaign plan's "
                               + ("cross-validated profit" if sw["business"] == "cv_profit" else
                                  "cross-validated responders reached in the top 20% of customers")
                               + " with one standard error. kseg run picks the smallest k within one standard "
                               "error of the best; the internal metrics alone measure only how compact and "
                               "separated the segments are."))
    rules = read_rules(a.dir)
    if rules and rules.get("k") == chosen_k and (not g["n"] or rules.get("rows") == g["n"]):
        out.append(Section("rules", "Segment rules", body=rules_html(rules, names)))
    else:
        out.append(Section("rules", "Segment rules", missing="no rules.json for these segments in this directory "
                           "(kseg run or kseg rules makes it)"))
    table = profile_table_html(prof, names, chosen_k or 0)
    out.append(Section("profile_table", "Segments, names and suggested actions", body=table or "",
                       missing=None if table else no_prof, text=distance_text(g["features"])))
    # People read from the top: who the segments are first, how k was chosen last.
    order = ["summary", "plan", "campaign_gains", "profile_table", "rules", "drift", "sizes_response", "profile_heatmap", "pca",
             "silhouette", "k_pays", "elbow", "validation"]
    out.sort(key=lambda s: order.index(s.key))
    return out, chosen_k


CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; margin: 2em auto;
       max-width: 1150px; color: #222; line-height: 1.45; padding: 0 1em; }
h1 { margin-bottom: 0.2em; } h2 { margin-top: 2em; border-bottom: 1px solid #ddd; padding-bottom: 0.2em; }
img { max-width: 100%; height: auto; display: block; margin: 0.5em 0; }
table { border-collapse: collapse; font-size: 0.92em; }
th, td { border: 1px solid #ddd; padding: 0.35em 0.6em; text-align: left; vertical-align: top; }
table.summary th { background: #f4f4f4; width: 12em; }
table.profile th { background: #f4f4f4; }
table.profile td:nth-child(n+3) { white-space: nowrap; }
table.profile td:last-child { white-space: normal; }
tr.base td { font-weight: bold; background: #fafafa; }
.sw { display: inline-block; width: 0.9em; height: 0.9em; margin-right: 0.4em; vertical-align: -0.1em; }
.missing { color: #8a6d3b; background: #fcf8e3; padding: 0.6em 0.8em; border: 1px solid #faebcc; }
.note { color: #555; font-size: 0.9em; }
"""


def render_html(sections, g, title):
    parts = [f"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{esc(title)}</title>"
             f"<style>{CSS}</style></head><body>",
             f"<h1>{esc(title)}</h1>"]
    for s in sections:
        parts.append(f'<section id="{esc(s.key)}"><h2>{esc(s.title)}</h2>')
        if s.missing:
            parts.append(f'<p class="missing">Not available: {esc(s.missing)}.</p>')
        if s.text and not s.missing:
            parts.append(f"<p>{esc(s.text)}</p>")
        if s.png is not None:
            b64 = base64.b64encode(s.png).decode("ascii")
            parts.append(f'<img src="data:image/png;base64,{b64}" alt="{esc(s.title)}">')
        if s.body:
            parts.append(s.body)
        parts.append("</section>")
    if g["notes"]:
        parts.append("<h2>Notes</h2><ul>" + "".join(f"<li>{esc(n)}</li>" for n in g["notes"]) + "</ul>")
    parts.append(f'<p class="note">Rendered by kseg-report from {esc(os.path.abspath(g["dir"]))}.</p>')
    parts.append("</body></html>\n")
    return "".join(parts)


def main(argv):
    a = parse(argv)
    if not os.path.isdir(a.dir):
        print(f"kseg-report: {a.dir} is not a directory", file=sys.stderr)
        return EXIT_INPUT
    out = a.out or os.path.join(a.dir, "report.html")
    if not os.path.isdir(os.path.dirname(os.path.abspath(out))):
        print(f"kseg-report: the directory of {out} does not exist", file=sys.stderr)
        return EXIT_INPUT
    try:
        g = gather(a)
    except (OSError, KeyError, ValueError) as e:
        print(f"kseg-report: cannot read {a.dir}: {e}", file=sys.stderr)
        return EXIT_INPUT
    g["dir"] = a.dir
    if g["sweep"] is None and g["labels"][0] is None and g["profiles"] is None:
        print(f"kseg-report: nothing to report in {a.dir}: no sweep.h5, result.h5 or profiles.json",
              file=sys.stderr)
        return EXIT_INPUT
    try:
        sections, chosen_k = build_sections(a, g)
    except (OSError, KeyError, ValueError, data.Missing) as e:
        print(f"kseg-report: cannot read {a.dir}: {e}", file=sys.stderr)
        return EXIT_INPUT
    plot_dir = os.path.join(os.path.dirname(os.path.abspath(out)), "plots")
    try:
        os.makedirs(plot_dir, exist_ok=True)
        for s in sections:
            path = os.path.join(plot_dir, s.key + ".png")
            if s.fig is not None:
                s.png = png_bytes(s.fig)
                write_atomic(path, s.png)
            elif os.path.exists(path):
                os.unlink(path)  # from an earlier report: it would contradict this one
        title = "Customer segmentation report" + (f": {chosen_k} segments" if chosen_k else "")
        write_atomic(out, render_html(sections, g, title).encode("utf-8"))
    except OSError as e:
        print(f"kseg-report: cannot write the report: {e}", file=sys.stderr)
        return EXIT_IO
    n_fig = sum(s.png is not None for s in sections)
    print(f"kseg-report: wrote {out} ({n_fig} plots, also in {plot_dir}/)", file=sys.stderr)
    return 0
