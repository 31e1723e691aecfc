"""report_check.py DIR --figures a,b,... [--absent x,y] [--missing TEXT]...:
check a kseg-report output against its inputs.

- every listed figure is DIR/plots/<name>.png, decodes, and is not blank
  (grey-level spread and number of distinct colours above a floor);
- the HTML embeds exactly those PNGs (byte-identical, as data: URIs), holds
  no <img> that is not a data: URI, fetches nothing (no http(s)://, no
  <script src>, no <link href>);
- the HTML holds the sweep's recommendation sentence (when DIR/sweep.h5
  exists) and every segment name of DIR/profiles.json (when it exists);
- each segment's palette colour (the report's fixed palette, indexed by
  segment id) is drawn solid in the sizes plot, and the heat map;
- figures named by --absent do not exist; every --missing TEXT is in the HTML;
- with --stale-profiles, no action of DIR/profiles.json is shown.
"""
import argparse
import base64
import html
import json
import os
import re
import sys

import h5py
import matplotlib
import numpy as np

matplotlib.use("Agg")
import matplotlib.image as mpimg  # noqa: E402

sys.path.insert(0, os.path.join(os.environ.get("KSEG_SOURCE", os.path.dirname(__file__) + "/../.."), "scripts"))
from kseg_report import plots  # noqa: E402


def fail(msg):
    print(f"FAIL: {msg}", file=sys.stderr)
    sys.exit(1)


def hex_rgb(h):
    return np.array([int(h[i:i + 2], 16) for i in (1, 3, 5)])


def check_png(path):
    if not os.path.exists(path):
        fail(f"{path} is missing")
    img = mpimg.imread(path)
    if img.ndim != 3 or img.shape[0] < 300 or img.shape[1] < 500:
        fail(f"{path}: unexpected image shape {img.shape}")
    rgb = (img[..., :3] * 255).round().astype(np.int64)
    grey = rgb.mean(axis=2)
    if grey.std() < 8:
        fail(f"{path} looks blank: grey-level spread {grey.std():.2f}")
    colours = np.unique(rgb.reshape(-1, 3) @ np.array([65536, 256, 1]))
    if colours.size < 40:
        fail(f"{path} looks blank: only {colours.size} distinct colours")
    return rgb


def has_colour(rgb, hexcol, min_pixels=50):
    want = hex_rgb(hexcol)
    return int(np.all(np.abs(rgb - want) <= 1, axis=2).sum()) >= min_pixels


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--html")
    ap.add_argument("--figures", default="")
    ap.add_argument("--absent", default="")
    ap.add_argument("--missing", action="append", default=[])
    ap.add_argument("--stale-profiles", action="store_true",
                    help="DIR/profiles.json belongs to another labelling: its names must not appear")
    a = ap.parse_args()
    page_path = a.html or os.path.join(a.dir, "report.html")
    page = open(page_path, encoding="utf-8").read()
    plot_dir = os.path.join(os.path.dirname(os.path.abspath(page_path)), "plots")
    figures = [f for f in a.figures.split(",") if f]
    images = {}
    for f in figures:
        path = os.path.join(plot_dir, f + ".png")
        images[f] = check_png(path)
        b64 = base64.b64encode(open(path, "rb").read()).decode("ascii")
        if f'src="data:image/png;base64,{b64}"' not in page:
            fail(f"{page_path} does not embed {path} as a data: URI")
    srcs = re.findall(r'<img[^>]*\ssrc="([^"]*)"', page)
    if len(srcs) != len(figures):
        fail(f"{page_path} has {len(srcs)} images, expected {len(figures)}")
    if any(not s.startswith("data:image/png;base64,") for s in srcs):
        fail(f"{page_path} has an image that is not a data: URI")
    for bad in ("http://", "https://", "<script src", "<link ", "@import", "url("):
        if bad in page:
            fail(f"{page_path} contains '{bad}': it would fetch something")
    for f in [f for f in a.absent.split(",") if f]:
        if os.path.exists(os.path.join(plot_dir, f + ".png")):
            fail(f"{f}.png exists but its input is missing")
    for text in a.missing:
        if text not in page:
            fail(f"{page_path} does not say '{text}'")

    sweep = os.path.join(a.dir, "sweep.h5")
    if os.path.exists(sweep):
        with h5py.File(sweep, "r") as fh:
            rec = fh["sweep"].attrs["recommendation"]
        rec = rec.decode() if isinstance(rec, bytes) else str(rec)
        if html.escape(rec, quote=True) not in page:
            fail(f"{page_path} lacks the recommendation '{rec}'")
    prof_path = os.path.join(a.dir, "profiles.json")
    if os.path.exists(prof_path) and a.stale_profiles:
        prof = json.load(open(prof_path, encoding="utf-8"))
        for s in prof["segments"]:
            if s["segment"] != "all" and s["action"] and html.escape(s["action"], quote=True) in page:
                fail(f"{page_path} shows the stale profile's action '{s['action']}'")
    elif os.path.exists(prof_path):
        prof = json.load(open(prof_path, encoding="utf-8"))
        segs = [s for s in prof["segments"] if s["segment"] != "all"]
        for s in segs:
            for field in ("name", "action"):
                if html.escape(s[field], quote=True) not in page:
                    fail(f"{page_path} lacks segment {s['segment']}'s {field} '{s[field]}'")
        for key in ("sizes_response", "profile_heatmap"):
            if key in images:
                for s in segs:
                    if s["size"] > 0 and not has_colour(images[key], plots.colour(s["segment"])):
                        fail(f"{key}.png has no pixels of segment {s['segment']}'s colour "
                             f"{plots.colour(s['segment'])}")
    print(f"report ok: {len(figures)} figures in {page_path}")


if __name__ == "__main__":
    main()
