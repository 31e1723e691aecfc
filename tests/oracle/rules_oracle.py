"""rules_oracle.py RUN_DIR [--leaves L]: recompute the segment rules of a kseg
run by brute force, from the run's own features, centroids and labels, and
compare them with rules.json (docs/rules.md).

The reference is written for clarity, not speed: every (node, feature,
candidate) is counted directly from the rows (no difference arrays, no
histograms), so it checks kseg's distributed split search. It compares the
tree node by node (feature, cut, mistakes, children, leaf segments and
sizes), then fidelity and price, then that each customer's rule_segment in
segments.csv is the leaf its features reach (the thresholds in original
units send every customer where the cut in feature space does).
"""
import csv
import json
import os
import sys

import h5py
import numpy as np

BINS = 256


def fail(msg):
    print("FAIL:", msg, file=sys.stderr)
    sys.exit(1)


def strs(v):
    return [x.decode() if isinstance(x, bytes) else str(x) for x in v]


def main():
    run = sys.argv[1]
    rules = json.load(open(os.path.join(run, "rules.json")))
    with h5py.File(os.path.join(run, "features.h5"), "r") as f:
        X = f["features"][...].astype(np.float64)
        names = strs(f["features"].attrs["columns"])
    with h5py.File(os.path.join(run, "model.h5"), "r") as f:
        C = f["model/centroids"][...]
    with h5py.File(os.path.join(run, "result.h5"), "r") as f:
        y = f["labels"][...].astype(np.int64)
    n, d = X.shape
    k = C.shape[0]
    L = rules["max_leaves"]
    usable = [i for i, ft in enumerate(rules["features"]) if ft["usable"]]
    assert [ft["name"] for ft in rules["features"]] == names, "rules.json features are the prepared features"

    # candidates: exact quantiles at i/256 and centroid midpoints, sorted, unique
    cand, bins, cbin = [], [], []
    for f in usable:
        q = np.quantile(X[:, f], np.arange(1, BINS) / BINS)
        cs = np.unique(C[:, f])
        mids = cs[:-1] / 2 + cs[1:] / 2
        c = np.unique(np.concatenate([q[np.isfinite(q)], mids]))
        cand.append(c)
        bins.append(np.searchsorted(c, X[:, f], side="left"))
        cbin.append(np.searchsorted(c, C[:, f], side="left"))
    nu = len(usable)

    # the tree: nodes as dicts, ids in creation order (as kseg)
    nodes = [dict(parent=-1, left=-1, right=-1, centres=set(range(k)), u=-1, j=-1, mistakes=0, imm=False)]
    node = np.zeros(n, np.int64)
    valid = np.ones(n, bool)
    level = [0]
    while level:
        cuts = []
        for a in level:
            at = (node == a) & valid
            best = None
            for u in range(nu):
                cq = [cbin[u][c] for c in nodes[a]["centres"]]
                lo, hi = min(cq), max(cq)
                xb, yb = bins[u][at], cbin[u][y[at]]
                for j in range(lo, hi):
                    m = int(np.count_nonzero((xb <= j) != (yb <= j)))
                    if best is None or m < best[0]:
                        best = (m, u, j)
            cuts.append(best)
        new = []
        for a, best in zip(level, cuts):
            if best is None:
                continue
            m, u, j = best
            nd = nodes[a]
            nd.update(u=u, j=j, mistakes=m, imm=True, left=len(nodes), right=len(nodes) + 1)
            for side in (True, False):
                nodes.append(dict(parent=a, left=-1, right=-1, u=-1, j=-1, mistakes=0, imm=False,
                                  centres={c for c in nd["centres"] if (cbin[u][c] <= j) == side}))
            new += [nd["left"], nd["right"]]
        for a, best in zip(level, cuts):
            if best is None:
                continue
            _, u, j = best
            at = node == a
            left = bins[u] <= j
            valid &= ~(at & (left != (cbin[u][y] <= j)))
            node[at & left] = nodes[a]["left"]
            node[at & ~left] = nodes[a]["right"]
        level = [i for i in new if len(nodes[i]["centres"]) >= 2]
    imm_leaves = sum(1 for nd in nodes if nd["left"] < 0)

    def tally(i):
        """counts per segment, majority label, and the best cut of leaf i"""
        at = node == i
        tot = np.bincount(y[at], minlength=k)
        nd = nodes[i]
        seg = nd["pref"]
        for s in range(k):
            if tot[s] > tot[seg]:
                seg = s
        nd["segment"], nd["counts"] = seg, tot
        nn = int(tot.sum())
        sq = 0.0
        for s in range(k):
            sq += float(tot[s]) * float(tot[s])
        pm = nn - int(tot.max())
        pg = float(nn) - sq / float(nn) if nn > 0 else 0.0
        best = (0, 0.0, -1, -1)
        for u in range(nu):
            for j in range(len(cand[u])):
                lm = at & (bins[u] <= j)
                lc = np.bincount(y[lm], minlength=k)
                rc = tot - lc
                nl, nr = int(lc.sum()), int(rc.sum())
                if nl == 0 or nr == 0:
                    continue
                ql = qr = 0.0
                for s in range(k):
                    ql += float(lc[s]) * float(lc[s])
                    qr += float(rc[s]) * float(rc[s])
                gain = pm - ((nl - int(lc.max())) + (nr - int(rc.max())))
                gini = pg - ((float(nl) - ql / float(nl)) + (float(nr) - qr / float(nr)))
                if gain > best[0] or (gain == best[0] and gain > 0 and gini > best[1]):
                    best = (gain, gini, u, j)
        nd["best"] = best

    for i, nd in enumerate(nodes):
        if nd["left"] < 0:
            nd["pref"] = min(nd["centres"]) if nd["centres"] else 0
            tally(i)
    while True:
        leaves = [i for i, nd in enumerate(nodes) if nd["left"] < 0]
        pick = None
        for i in leaves:
            g = nodes[i]["best"]
            if g[2] < 0 or g[0] <= 0:
                continue
            if pick is None or g[0] > nodes[pick]["best"][0] or (g[0] == nodes[pick]["best"][0] and g[1] > nodes[pick]["best"][1]):
                pick = i
        if len(leaves) >= L or pick is None:
            break
        _, _, u, j = nodes[pick]["best"]
        nd = nodes[pick]
        nd.update(u=u, j=j, left=len(nodes), right=len(nodes) + 1)
        for _ in range(2):
            nodes.append(dict(parent=pick, left=-1, right=-1, u=-1, j=-1, mistakes=0, imm=False, centres=set(),
                              pref=nd["segment"]))
        at = node == pick
        node[at & (bins[u] <= j)] = nd["left"]
        node[at & (bins[u] > j)] = nd["right"]
        tally(nd["left"])
        tally(nd["right"])

    # compare with rules.json
    tree = rules["tree"]
    if len(tree) != len(nodes):
        fail(f"{len(tree)} nodes in rules.json, {len(nodes)} in the reference")
    for i, (got, nd) in enumerate(zip(tree, nodes)):
        if nd["left"] >= 0:
            u, j = nd["u"], nd["j"]
            want = (names[usable[u]], nd["left"], nd["right"], "imm" if nd["imm"] else "expansion")
            have = (got.get("feature"), got.get("left"), got.get("right"), got.get("split"))
            if want != have:
                fail(f"node {i}: rules.json {have}, reference {want}")
            if abs(got["cut"] - cand[u][j]) > 1e-12 * max(1.0, abs(cand[u][j])):
                fail(f"node {i}: cut {got['cut']} vs {cand[u][j]}")
            if nd["imm"] and got["mistakes"] != nd["mistakes"]:
                fail(f"node {i}: {got['mistakes']} mistakes vs {nd['mistakes']}")
        else:
            if got.get("segment") != nd["segment"] or got["size"] != int(nd["counts"].sum()) or \
                    got["in_segment"] != int(nd["counts"][nd["segment"]]):
                fail(f"leaf {i}: rules.json {got}, reference segment {nd['segment']} counts {nd['counts']}")
    if rules["leaves"] != sum(1 for nd in nodes if nd["left"] < 0) or rules["imm_leaves"] != imm_leaves:
        fail("leaf counts")
    pred = np.array([nodes[i]["segment"] for i in node])
    fid = float(np.mean(pred == y))
    if abs(rules["fidelity"] - fid) > 1e-15:
        fail(f"fidelity {rules['fidelity']} vs {fid}")

    def cost(part):
        tot = 0.0
        for s in range(k):
            m = part == s
            if m.any():
                tot += float(((X[m] - X[m].mean(0)) ** 2).sum())
        return tot
    price = cost(pred) / cost(y)
    if abs(rules["price"] - price) > 1e-9 * price:
        fail(f"price {rules['price']} vs {price}")
    # the thresholds in original units send every customer where the cut does
    with open(os.path.join(run, "segments.csv"), newline="") as fh:
        rs = np.array([int(r["rule_segment"]) for r in csv.DictReader(fh)])
    if not np.array_equal(rs, pred):
        bad = np.flatnonzero(rs != pred)
        fail(f"{len(bad)} customers' rule_segment differs from the tree's leaf (first rows {bad[:5]})")
    print(f"rules oracle: {len(nodes)} nodes, {imm_leaves} IMM leaves, {rules['leaves']} leaves, "
          f"fidelity {fid:.4f}, price {price:.4f}: as the reference")


if __name__ == "__main__":
    main()
