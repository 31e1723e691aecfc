"""names_check.py PROFILES.json RAW_COLUMNS_CSV_HEADER_FILE: the names rules as
properties (docs/profile.md), not frozen strings:
  - no name holds a raw column name that is an identifier rather than a word
    (one with an underscore, a digit or an inner capital: CASH_ADVANCE,
    x291, MntGoldProds);
  - no name holds two words that contradict each other;
  - names are distinct, and so are actions (campaign actions included), unless
    the segments' names share the word that says why (e.g. both "Low spenders");
  - a product word ("Gold", "wine") only for a segment whose spend on that
    product is at least the base's.
"""
import json
import re
import sys

CONFLICTS = [("Large baskets", "Small spenders"), ("Small baskets", "Big spenders"),
             ("Transactors who pay in full", "Revolvers carrying balances"), ("Dormant cards", "One-off big spenders"),
             ("Dormant cards", "Instalment buyers"), ("Dormant cards", "Cash-advance users"),
             ("High spenders", "Low spenders"), ("High income", "Low income"), ("Lapsed", "Recent"),
             ("Frequent buyers", "One-off buyers"), ("Deal seekers", "Full-price buyers")]
PRODUCTS = {"wine": "MntWines", "meat": "MntMeatProducts", "fish": "MntFishProducts", "fruit": "MntFruits",
            "sweets": "MntSweetProducts", "gold": "MntGoldProds"}
REASONS = ["Low spenders", "Lapsed", "High spenders", "Deal seekers", "Web browsers", "Responsive", "Cash-advance users",
           "Revolvers carrying balances", "One-off big spenders", "Instalment buyers", "Transactors who pay in full",
           "Dormant cards", "High-limit prime", "Large baskets", "Small baskets", "Frequent buyers", "One-off buyers",
           "Unresponsive"]


def action_kind(a):
    a = a.split(";")[0]
    return re.sub(r"[-0-9.,%]+|EUR|USD|\$", "#", a.split(":")[0]).strip()


def main():
    prof = json.load(open(sys.argv[1]))
    columns = [c for c in open(sys.argv[2]).read().strip().split(",") if c]
    idents = [c for c in columns if "_" in c or re.search(r"\d", c) or re.search(r"[a-z][A-Z]", c)]
    segs = [s for s in prof["segments"] if s["segment"] != "all"]
    base = next(s for s in prof["segments"] if s["segment"] == "all")
    names = [s["name"] for s in segs]
    for s in segs:
        n = s["name"]
        for c in idents:
            assert c not in n, f"segment {s['segment']}: raw column {c} in the name '{n}'"
        for a, b in CONFLICTS:
            assert not (a in n and b in n), f"segment {s['segment']}: '{a}' and '{b}' in '{n}'"
        words = n.replace("&", "·").split("·")
        for w in words:
            w = w.strip().lower()
            if w in PRODUCTS and PRODUCTS[w] in s.get("metrics", {}):
                idx = s["metrics"][PRODUCTS[w]]["index"]
                assert idx is not None and idx >= 100, f"segment {s['segment']}: '{w}' in '{n}' but spend index {idx}"
    assert len(set(names)) == len(names), names
    kinds = {}
    for s in segs:
        kinds.setdefault(action_kind(s["action"]), []).append(s)
    for k, group in kinds.items():
        # campaign actions carry what sets the segment apart, so they differ by text;
        # "Tailor the offer to <column words>" names the segment's own column
        if len(group) < 2 or k.startswith(("Responsive", "Tailor", "None")):
            continue
        shared = [r for r in REASONS if all(r in g["name"] for g in group)]
        assert shared, f"segments {[g['segment'] for g in group]} share the action '{k}' but no name word says why: " \
                       f"{[g['name'] for g in group]}"
    print(f"names: {len(segs)} segments, no raw column names, no contradictions, distinct names; "
          f"{len(kinds)} kinds of action")
    for s in segs:
        print(f"  {s['segment']}: {s['name']} -> {s['action']}")


if __name__ == "__main__":
    main()
