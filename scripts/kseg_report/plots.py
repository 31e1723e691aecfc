"""The report's figures: each function takes plain arrays and returns a
matplotlib Figure (Agg), so every plot can be rendered and tested alone.

Segment s is drawn in PALETTE[s % len(PALETTE)] in every figure, so a reader
who learns "segment 2 is green" on one plot can trust it on all of them.
"""
import textwrap

import numpy as np
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.patches import Patch, Rectangle

# Fixed qualitative palette (matplotlib's tab10 reordered so that grey, which
# reads as "the base / not a segment", comes last); repeats beyond 12 segments.
PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
           "#e377c2", "#17becf", "#bcbd22", "#aec7e8", "#ffbb78", "#7f7f7f"]
CHOSEN = "#d62728"   # the chosen k on the sweep plots
NEUTRAL = "#333333"  # curves and the overall-rate line
SIZE = (8, 5)        # inches; at 100 dpi readable on a normal screen
DPI = 100

# Marketing (Customer Personality) columns worth a row on the heat map, with
# the words a marketing team uses for them; other tables fall back to the
# columns that differ most between segments.
MARKETING_KEYS = [
    ("Income", "Income"), ("Age", "Age"), ("Children", "Children at home"),
    ("Tenure_Days", "Tenure"), ("Recency", "Days since last purchase"),
    ("Total_Spent", "Total spend"), ("MntWines", "Wine spend"), ("MntMeatProducts", "Meat spend"),
    ("MntFishProducts", "Fish spend"), ("MntFruits", "Fruit spend"), ("MntSweetProducts", "Sweets spend"),
    ("MntGoldProds", "Gold spend"), ("Total_Purchases", "Purchases"), ("NumDealsPurchases", "Deal purchases"),
    ("NumWebPurchases", "Web purchases"), ("NumCatalogPurchases", "Catalogue purchases"),
    ("NumStorePurchases", "Store purchases"), ("NumWebVisitsMonth", "Web visits / month"),
    ("Total_Accepted", "Campaigns accepted"),
]
MAX_HEAT_COLUMNS = 18


def colour(s):
    return PALETTE[int(s) % len(PALETTE)]


def plain(text):
    """Text from the data (column and segment names) drawn as it is: an
    unescaped '$' would start matplotlib's math mode (or fail to parse)."""
    return str(text).replace("$", r"\$")


def seg_label(s, names, width=30):
    """'2 · name' wrapped to `width` characters, for axes and legends."""
    name = plain(names.get(int(s))) if names and names.get(int(s)) else None
    text = f"{s} · {name}" if name else f"Segment {s}"
    # Column names are long words (CASH_ADVANCE_FREQUENCY): never cut one in two.
    return "\n".join(textwrap.wrap(text, width, break_long_words=False, break_on_hyphens=False)) or text


def _figure(size=SIZE):
    fig = Figure(figsize=size, dpi=DPI, layout="constrained")
    return fig


def _mark_k(ax, chosen_k):
    if chosen_k is not None:
        ax.axvline(chosen_k, color=CHOSEN, alpha=0.25, linewidth=10, zorder=0)


def _k_axis(ax, ks):
    ax.set_xticks(ks)
    ax.set_xlabel("Number of segments k")
    ax.grid(True, alpha=0.3)


def fig_elbow(sweep, chosen_k):
    ks, inertia = sweep["k"], sweep["inertia"]
    fig = _figure()
    ax = fig.add_subplot()
    _mark_k(ax, chosen_k)
    ax.plot(ks, inertia, "-o", color=NEUTRAL, label="inertia")
    elbow = sweep.get("attr_elbow_k")
    if elbow is not None and elbow in ks:
        y = inertia[list(ks).index(elbow)]
        ax.plot([elbow], [y], "o", markersize=16, markerfacecolor="none", markeredgecolor="#1f77b4",
                markeredgewidth=2.5, label=f"elbow (knee) at k = {elbow}")
        # The label goes toward the middle of the range so it never leaves the axes.
        right = elbow > (ks.min() + ks.max()) / 2
        ax.annotate(f"elbow k = {elbow}", (elbow, y), textcoords="offset points", xytext=(-18 if right else 18, 18),
                    ha="right" if right else "left", fontsize=11, color="#1f77b4",
                    arrowprops=dict(arrowstyle="->", color="#1f77b4"))
    handles, labels = ax.get_legend_handles_labels()
    if chosen_k is not None:
        handles.append(Patch(color=CHOSEN, alpha=0.25))
        labels.append(f"chosen k = {chosen_k}")
    ax.legend(handles, labels, loc="upper right", framealpha=0.9)
    ax.set_title("Elbow curve: how much tighter the segments get with each extra segment")
    ax.set_ylabel("Inertia (sum of squared distances,\nscaled feature units²)")
    _k_axis(ax, ks)
    return fig


VALIDATION = [
    ("silhouette", "Silhouette (−1 to 1)", "higher is better"),
    ("calinski_harabasz", "Calinski–Harabasz (ratio)", "higher is better"),
    ("davies_bouldin", "Davies–Bouldin (ratio)", "lower is better"),
    ("gap", "Gap statistic (log units, ± 1 SE)", "1-SE rule"),
    ("stability", "Stability (adjusted Rand, 0 to 1)", "higher is better"),
]


def fig_validation(sweep, chosen_k):
    """One panel per computed metric (NaN everywhere: not computed, no panel)."""
    ks = sweep["k"]
    panels = [v for v in VALIDATION if np.isfinite(sweep[v[0]]).any()]
    if not panels:
        return None
    ncols = 2 if len(panels) <= 4 else 3
    nrows = (len(panels) + ncols - 1) // ncols
    fig = _figure((4.2 * ncols, 3.3 * nrows))
    for i, (name, ylabel, better) in enumerate(panels):
        ax = fig.add_subplot(nrows, ncols, i + 1)
        _mark_k(ax, chosen_k)
        y = sweep[name]
        ok = np.isfinite(y)
        if name == "gap":
            se = np.where(np.isfinite(sweep["gap_se"]), sweep["gap_se"], 0.0)
            ax.errorbar(ks[ok], y[ok], yerr=se[ok], fmt="-o", color=NEUTRAL, capsize=4)
        else:
            ax.plot(ks[ok], y[ok], "-o", color=NEUTRAL)
        if chosen_k is not None and chosen_k in ks and ok[list(ks).index(chosen_k)]:
            ax.plot([chosen_k], [y[list(ks).index(chosen_k)]], "o", color=CHOSEN, markersize=10, zorder=3)
        if name == "gap" and sweep.get("attr_gap_k"):
            better += f" picks k = {sweep['attr_gap_k']}"
        ax.set_title(f"{ylabel.split(' (')[0]} ({better})", fontsize=11)
        ax.set_ylabel(ylabel, fontsize=9)
        _k_axis(ax, ks)
    fig.suptitle("Validation metrics against k" + (f" (chosen k = {chosen_k} in red)" if chosen_k else ""),
                 fontsize=13)
    return fig


def pca_project(x, centroids, info):
    """2-D coordinates of the sample and centroids, and the axis labels.

    Features that are already principal components (prep --pca) are used as
    they are; otherwise the two leading components of the centred sample
    (numpy SVD) project both, so centroids land where their customers are."""
    if info.get("pca") and x.shape[1] >= 2:
        evr = info.get("evr")
        lab = [f"PC{i + 1}" + (f" ({100 * evr[i]:.0f}% of variance)" if evr is not None and len(evr) > i else "")
               for i in range(2)]
        c2 = centroids[:, :2] if centroids is not None else None
        return x[:, :2], c2, lab
    mu = x.mean(axis=0)
    _, s, vt = np.linalg.svd(x - mu, full_matrices=False)
    share = s ** 2 / max(np.sum(s ** 2), np.finfo(float).tiny)
    v = vt[:2].T
    lab = [f"Component {i + 1} ({100 * share[i]:.0f}% of the sample's variance)" for i in range(2)]
    c2 = (centroids - mu) @ v if centroids is not None else None
    return (x - mu) @ v, c2, lab


def fig_pca(xy, lab, cxy, axis_labels, names, n_total):
    fig = _figure((9, 6))
    ax = fig.add_subplot()
    segs = np.unique(lab[lab >= 0])
    # Smaller segments last so a large one cannot bury them.
    order = sorted(segs, key=lambda s: -np.sum(lab == s))
    alpha = 0.6 if len(lab) < 5000 else 0.35
    for s in order:
        m = lab == s
        ax.scatter(xy[m, 0], xy[m, 1], s=7, color=colour(s), alpha=alpha, linewidths=0, rasterized=True)
    if cxy is not None:
        for s in range(cxy.shape[0]):
            ax.scatter(cxy[s, 0], cxy[s, 1], marker="X", s=260, color=colour(s), edgecolors="black",
                       linewidths=1.5, zorder=4)
            ax.annotate(str(s), (cxy[s, 0], cxy[s, 1]), textcoords="offset points", xytext=(9, 7),
                        fontsize=12, fontweight="bold", zorder=5)
    handles = [Patch(color=colour(s), label=seg_label(s, names, 40)) for s in segs]
    if cxy is not None:
        handles.append(ax.scatter([], [], marker="X", s=120, color="white", edgecolors="black",
                                  label="segment centre"))
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=9, frameon=False)
    shown = f"{len(lab):,} of {n_total:,} customers" if len(lab) < n_total else f"all {n_total:,} customers"
    ax.set_title(f"Customers on the first two principal components\n({shown}, coloured by segment)")
    ax.set_xlabel(axis_labels[0] + " (scaled units)")
    ax.set_ylabel(axis_labels[1] + " (scaled units)")
    ax.grid(True, alpha=0.3)
    return fig


def silhouette_values(x, lab, block=1024):
    """Per-row silhouette (Euclidean, scikit-learn's convention: 0 for a
    row alone in its segment), in row blocks: O(block x n) memory."""
    n = x.shape[0]
    segs, inv = np.unique(lab, return_inverse=True)
    onehot = np.zeros((n, len(segs)))
    onehot[np.arange(n), inv] = 1.0
    size = onehot.sum(axis=0)
    sq = np.einsum("ij,ij->i", x, x)
    out = np.zeros(n)
    for r0 in range(0, n, block):
        r1 = min(n, r0 + block)
        d2 = sq[r0:r1, None] + sq[None, :] - 2.0 * (x[r0:r1] @ x.T)
        d = np.sqrt(np.maximum(d2, 0.0))
        d[np.arange(r1 - r0), np.arange(r0, r1)] = 0.0
        tot = d @ onehot
        own = inv[r0:r1]
        own_n = size[own]
        a = np.where(own_n > 1, tot[np.arange(r1 - r0), own] / np.maximum(own_n - 1, 1), 0.0)
        mean_other = tot / size
        mean_other[np.arange(r1 - r0), own] = np.inf
        b = mean_other.min(axis=1) if len(segs) > 1 else np.zeros(r1 - r0)
        s = (b - a) / np.maximum(np.maximum(a, b), np.finfo(float).tiny)
        out[r0:r1] = np.where(own_n > 1, s, 0.0)
    return out


def fig_silhouette(sil, lab, names, n_total):
    segs = np.unique(lab)
    # Each segment's label needs about an inch, however few customers it has.
    fig = _figure((8.5, max(6.0, 1.0 * len(segs) + 1.5)))
    ax = fig.add_subplot()
    y0, gap = 0, max(10, len(lab) // 60)
    ticks, ticklabels = [], []
    for s in segs:
        v = np.sort(sil[lab == s])[::-1]
        ax.fill_betweenx(np.arange(y0, y0 + len(v)), 0, v, color=colour(s), alpha=0.85, linewidth=0)
        ticks.append(y0 + len(v) / 2)
        ticklabels.append(seg_label(s, names, 34) + f"\n(mean {v.mean():.2f})")
        y0 += len(v) + gap
    mean = float(sil.mean())
    ax.axvline(mean, color=NEUTRAL, linestyle="--", linewidth=1.5)
    ax.text(mean, y0, f" mean {mean:.2f}", va="bottom", ha="left", fontsize=10, color=NEUTRAL)
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_yticks(ticks)
    ax.set_yticklabels(ticklabels, fontsize=9)
    ax.invert_yaxis()
    # Up to 1 only when some customer gets near it: real silhouettes are often below 0.5.
    ax.set_xlim(min(-0.1, float(sil.min()) - 0.05), min(1.0, max(0.5, float(sil.max()) + 0.1)))
    ax.set_ylim(y0 + gap, -gap)
    ax.set_xlabel("Silhouette coefficient (−1 to 1; below 0: closer to another segment)")
    shown = f"a sample of {len(lab):,} of {n_total:,} customers" if len(lab) < n_total else f"all {n_total:,} customers"
    ax.set_title(f"How well each customer fits its segment\n({shown})")
    ax.grid(True, axis="x", alpha=0.3)
    return fig


def heat_columns(prof):
    """[(metric name, display label)] for the heat map: the marketing set
    when the table has it, else the numeric columns that differ most."""
    base = prof["base"] or {}
    metrics = base.get("metrics", {})
    segs = list(prof["by_id"].values())

    def usable(name):
        vals = [s.get("metrics", {}).get(name, {}).get("index") for s in segs]
        return all(v is not None and np.isfinite(v) for v in vals)

    keys = [(m, label) for m, label in MARKETING_KEYS if m in metrics and usable(m)]
    if len(keys) >= 4:
        return keys[:MAX_HEAT_COLUMNS]
    spread = []
    for j, m in enumerate(metrics):
        if not usable(m):
            continue
        idx = np.array([s["metrics"][m]["index"] for s in segs])
        spread.append((np.max(np.abs(np.log2(np.clip(idx, 1, None) / 100.0))), j, m))
    # A column equal in every segment (index 100 throughout) says nothing.
    spread = sorted((t for t in spread if t[0] > 0), key=lambda t: (-t[0], t[1]))
    chosen = sorted(spread[:MAX_HEAT_COLUMNS], key=lambda t: t[1])
    return [(m, m) for _, _, m in chosen]


def fig_heatmap(prof, names):
    """Features down, segments across: feature names stay horizontal and a
    segment's column reads top to bottom like a profile card."""
    cols = heat_columns(prof)
    segs = sorted(prof["by_id"])
    if not cols or not segs:
        return None
    idx = np.array([[prof["by_id"][s]["metrics"][m]["index"] for s in segs] for m, _ in cols], dtype=float)
    # log2(index / 100): 50 and 200 sit equally far from the average.
    z = np.log2(np.clip(idx, 25, 400) / 100.0)
    # Room for the longest unbreakable word of a segment label, and for the
    # longest feature name (about 0.08 inch per character at 9-10 pt).
    seg_labels = [seg_label(s, names, 16) for s in segs]
    longest = max(len(w) for t in seg_labels for w in t.split())
    col_w = max(1.25, 0.085 * longest + 0.2)
    feat_w = 0.08 * max(len(label) for _, label in cols)
    fig = _figure((max(8, col_w * len(segs) + feat_w + 2.2), max(5, 0.36 * len(cols) + 2.6)))
    ax = fig.add_subplot()
    im = ax.imshow(z, cmap="RdBu_r", norm=Normalize(-2, 2), aspect="auto")
    for i in range(len(cols)):
        for j in range(len(segs)):
            ax.text(j, i, f"{idx[i, j]:.0f}", ha="center", va="center", fontsize=9,
                    color="white" if abs(z[i, j]) > 1.2 else "black")
    ax.set_yticks(range(len(cols)))
    ax.set_yticklabels([plain(label) for _, label in cols], fontsize=10)
    ax.set_xticks(range(len(segs)))
    ax.set_xticklabels(seg_labels, fontsize=9)
    ax.xaxis.tick_top()
    for tick, s in zip(ax.get_xticklabels(), segs):
        tick.set_color(colour(s))
        tick.set_fontweight("bold")
    # A bar of each segment's colour under its column ties the map to the other plots.
    for j, s in enumerate(segs):
        ax.add_patch(Rectangle((j - 0.5, -0.5 - 0.25), 1, 0.22, color=colour(s), clip_on=False))
    cb = fig.colorbar(im, ax=ax, ticks=np.log2([0.25, 0.5, 1, 2, 4]), shrink=0.8)
    cb.ax.set_yticklabels(["≤25", "50", "100", "200", "≥400"])
    cb.set_label("Index vs. all customers (100 = average)")
    ax.set_title("Segment profiles\neach feature's mean as an index, 100 = the average customer", pad=12)
    return fig


def fig_sizes(sizes, prof, names):
    """Share of customers per segment, and response rate with its lift when
    the profile has a target column."""
    segs = list(range(len(sizes)))
    total = max(int(np.sum(sizes)), 1)
    target = prof.get("target") if prof else None
    has_rate = bool(target) and all(
        prof["by_id"].get(s, {}).get("response_rate") is not None for s in segs if sizes[s] > 0)
    fig = _figure((11 if has_rate else 8, max(4.5, 0.7 * len(segs) + 2)))
    axes = [fig.add_subplot(1, 2 if has_rate else 1, 1)]
    y = np.arange(len(segs))
    share = 100.0 * np.asarray(sizes, dtype=float) / total
    ax = axes[0]
    ax.barh(y, share, color=[colour(s) for s in segs])
    for i, s in enumerate(segs):
        ax.text(share[i], i, f" {share[i]:.1f}% ({int(sizes[s]):,})", va="center", fontsize=9)
    ax.set_yticks(y)
    ax.set_yticklabels([seg_label(s, names, 30) for s in segs], fontsize=9)
    ax.invert_yaxis()
    ax.set_xlim(0, max(share.max() * 1.45, 1))
    ax.set_xlabel("Share of customers (%)")
    ax.set_title("Segment sizes", pad=18 if has_rate else 6)
    ax.grid(True, axis="x", alpha=0.3)
    if has_rate:
        ax2 = fig.add_subplot(1, 2, 2, sharey=ax)
        rate = np.array([100.0 * (prof["by_id"].get(s, {}).get("response_rate") or 0.0) for s in segs])
        lift = [prof["by_id"].get(s, {}).get("lift") for s in segs]
        base_rate = (prof["base"] or {}).get("response_rate")  # JSON null when undefined
        overall = 100.0 * base_rate if base_rate is not None else float("nan")
        ax2.barh(y, rate, color=[colour(s) for s in segs])
        for i in range(len(segs)):
            txt = f"{rate[i]:.1f}%" + (f"  lift ×{lift[i]:.2f}" if lift[i] is not None else "")
            # A white box keeps the text legible where it crosses the overall-rate line.
            ax2.annotate(txt, (rate[i], i), xytext=(4, 0), textcoords="offset points", va="center", fontsize=9,
                         bbox=dict(facecolor="white", edgecolor="none", alpha=0.85, pad=1))
        if np.isfinite(overall):
            ax2.axvline(overall, color=NEUTRAL, linestyle="--", linewidth=1.5)
            # Named above the axes, where no bar or label can be under it (a legend inside would hide data).
            ax2.annotate(f"overall {overall:.1f}%", xy=(overall, 1.0), xycoords=("data", "axes fraction"),
                         xytext=(0, 3), textcoords="offset points", ha="center", va="bottom", fontsize=9,
                         color=NEUTRAL)
        ax2.tick_params(axis="y", labelleft=False)
        ax2.set_xlim(0, max(float(np.nanmax(rate)) * 1.6, 1))
        ax2.set_xlabel(f"{plain(target)} rate (% of the segment's customers)")
        ax2.set_title(f"{plain(target)} rate and lift against the overall rate", pad=18)
        ax2.grid(True, axis="x", alpha=0.3)
    return fig


def fig_gains(plan, names):
    """The ranked plan as curves: cumulative share of responders against the
    share of customers contacted (segments by response rate, best first;
    the diagonal is random targeting) and, with economics, the cumulative
    profit, with the plan's stopping point marked."""
    segs = plan.get("segments") or []
    if not segs:
        return None
    money = bool(plan.get("profit_claims"))
    cur = plan.get("currency") or ""

    def amount(text):
        """text with the plan's currency: "EUR 528", "$528"."""
        if not cur:
            return text
        if cur[0].isalpha():
            return f"{cur} {text}"
        return f"-{cur}{text[1:]}" if text.startswith("-") else f"{cur}{text}"
    fig = _figure((12, 5) if money else (7.5, 5.5))
    ax = fig.add_subplot(1, 2 if money else 1, 1)
    x = [0.0] + [100.0 * s["cum_share_customers"] for s in segs]
    y = [0.0] + [100.0 * s["cum_share_responders"] for s in segs]
    ax.plot([0, 100], [0, 100], "--", color="#999999", linewidth=1.2, label="random targeting")
    ax.plot(x, y, "-", color=NEUTRAL, linewidth=1.8, zorder=2, label="segments by response rate")
    for i, s in enumerate(segs):
        ax.plot([x[i + 1]], [y[i + 1]], "o", color=colour(s["segment"]), markersize=9, zorder=3)
        ax.annotate(str(s["segment"]), (x[i + 1], y[i + 1]), textcoords="offset points", xytext=(6, -12), fontsize=9)
    if not money:  # the score without economics: what the top 20 % reach
        top = 100.0 * plan.get("top_share", 0.2)
        ax.axvline(top, color="#1f77b4", alpha=0.25, linewidth=8, zorder=0, label=f"top {top:.0f}% of customers")
    ax.set_xlim(0, 100)
    ax.set_ylim(0, 102)
    ax.set_xlabel("Customers contacted (% of those with a known response, best segments first)")
    ax.set_ylabel(f"{plain(plan['target'])} responders reached (%)")
    ax.set_title("Cumulative gains: responders reached by contacting\nsegments in order of response rate")
    ax.grid(True, alpha=0.3)
    ax.legend(loc="lower right", fontsize=9, framealpha=0.9)
    if money:
        ax2 = fig.add_subplot(1, 2, 2)
        cx = [0] + [s["cum_customers"] for s in segs]
        cy = [0.0] + [s["cum_profit"] for s in segs]
        ax2.axhline(0, color="black", linewidth=0.8)
        ax2.plot(cx, cy, "-", color=NEUTRAL, linewidth=1.8, zorder=2)
        for i, s in enumerate(segs):
            ax2.plot([cx[i + 1]], [cy[i + 1]], "o", color=colour(s["segment"]), markersize=9, zorder=3)
            ax2.annotate(str(s["segment"]), (cx[i + 1], cy[i + 1]), textcoords="offset points", xytext=(6, 6),
                         fontsize=9)
        n_plan = len(plan.get("segments_contacted") or [])
        ax2.plot([cx[n_plan]], [cy[n_plan]], "o", markersize=20, markerfacecolor="none", markeredgecolor=CHOSEN,
                 markeredgewidth=2.5, zorder=4)
        label = (f"the plan: {cx[n_plan]:,} customers, profit {amount(f'{cy[n_plan]:,.0f}')}" if n_plan
                 else "the plan: contact no one")
        ax2.annotate(label, (cx[n_plan], cy[n_plan]), textcoords="offset points", xytext=(14, -22), fontsize=10,
                     color=CHOSEN)
        cv = plan.get("cv_profit")
        if cv is not None:
            ax2.axhline(cv, color=CHOSEN, linestyle=":", linewidth=1.5)
            ax2.annotate(f"cross-validated {amount(f'{cv:,.0f}')}", xy=(1.0, cv), xycoords=("axes fraction", "data"),
                         xytext=(-4, 4), textcoords="offset points", ha="right", fontsize=9, color=CHOSEN)
        ax2.set_xlabel("Customers contacted (best segments first)")
        ax2.set_ylabel(f"Cumulative profit ({amount(format(plan['response_revenue'], 'g'))} per response − "
                       f"{amount(format(plan['contact_cost'], 'g'))} per contact)")
        ax2.set_title("Cumulative profit: where contacting more stops paying")
        ax2.grid(True, alpha=0.3)
    return fig


def fig_k_business(sweep, chosen_k, currency=None):
    """kseg run's campaign score per k with ± one standard error: the k that
    pays beside the internal metrics' choice."""
    name = sweep.get("business")
    if not name:
        return None
    ks, y, se = sweep["k"], sweep[name], sweep[name + "_se"]
    ok = np.isfinite(y)
    if not ok.any():
        return None
    fig = _figure()
    ax = fig.add_subplot()
    _mark_k(ax, chosen_k)
    top = sweep.get("attr_max_segments")
    if top is not None and ks.max() > top:
        ax.axvspan(top + 0.5, ks.max() + 0.5, color="#dddddd", alpha=0.6, zorder=0,
                   label=f"above --max-segments {top}: not a candidate")
    ax.errorbar(ks[ok], y[ok], yerr=np.where(np.isfinite(se), se, 0.0)[ok], fmt="-o", color=NEUTRAL, capsize=4,
                label="± one standard error (√F × sd of the fold values)")
    kb, ki = sweep.get("attr_k_business"), sweep.get("attr_k_internal")
    if ki is not None and ki in ks:
        yi = y[list(ks).index(ki)]
        if np.isfinite(yi):
            ax.plot([ki], [yi], "s", markersize=13, markerfacecolor="none", markeredgecolor="#1f77b4",
                    markeredgewidth=2.5, label=f"internal metrics alone: k = {ki}")
    if kb is not None and kb >= 0 and kb in ks:
        ax.plot([kb], [y[list(ks).index(kb)]], "o", color=CHOSEN, markersize=11, zorder=3,
                label=f"the k that pays: k = {kb}")
    if name == "cv_profit":
        ax.axhline(0, color="black", linewidth=0.8)
        ax.set_ylabel("Cross-validated campaign profit" + (f" ({currency})" if currency else ""))
        ax.set_title("Out-of-sample profit of the campaign plan at each k")
    else:
        ax.set_ylabel("Responders captured in the top 20% (cross-validated)")
        ax.set_title("Out-of-sample responders reached by contacting the top 20% at each k")
    ax.legend(loc="best", fontsize=9, framealpha=0.9)
    _k_axis(ax, ks)
    return fig
