"""Reading a kseg run directory: every piece optional, nothing read whole.

The labels and the feature matrix may hold 100M rows, so only three things
touch them: a streamed bincount of the labels (fixed-size blocks), and a
seeded row sample read as one HDF5 point selection (one call, however
scattered the rows: h5py's list indexing is quadratic in the row count).
"""
import json
import os

import h5py
import numpy as np

# Labels are counted in blocks of this many rows: 16 MiB of int32 at a time.
LABEL_BLOCK = 4 << 20


class Missing(Exception):
    """An input the report cannot use; the message says which and why."""


def _attr(obj, name, default=None):
    if name not in obj.attrs:
        return default
    v = obj.attrs[name]
    if isinstance(v, bytes):
        return v.decode("utf-8", "replace")
    if isinstance(v, np.ndarray) and v.shape == ():
        v = v[()]
    if isinstance(v, np.generic):
        return v.item()
    return v


def _strings(v):
    if v is None:
        return None
    return [x.decode("utf-8", "replace") if isinstance(x, bytes) else str(x) for x in np.ravel(v)]


def read_sweep(path):
    """The /sweep table and its attributes, or None when there is no file."""
    if not os.path.exists(path):
        return None
    with h5py.File(path, "r") as f:
        if "sweep" not in f or "k" not in f["sweep"]:
            raise Missing(f"{path} has no /sweep/k (not a kseg sweep output)")
        g = f["sweep"]
        out = {"path": path, "k": g["k"][...].astype(np.int64)}
        for name in ("inertia", "silhouette", "calinski_harabasz", "davies_bouldin", "gap", "gap_se", "stability"):
            out[name] = g[name][...].astype(np.float64) if name in g else np.full(out["k"].shape, np.nan)
        for name in ("recommended_k", "elbow_k", "gap_k", "recommendation", "rows", "silhouette", "k_internal",
                     "k_business", "business_rule", "internal_recommendation", "max_segments"):
            out["attr_" + name] = _attr(g, name)
        # kseg run's per-k campaign score (docs/plan.md): cross-validated profit, or
        # without economics the responses captured in the top 20 % of customers
        out["business"] = None
        for name in ("cv_profit", "cv_captured"):
            if name in g:
                out["business"] = name
                for col in (name, name + "_sd", name + "_se"):
                    out[col] = g[col][...].astype(np.float64)
    return out


def find_labels(run_dir):
    """(path, dataset) of the segment labels: kseg fit's result.h5, else the model file."""
    for name in ("result.h5", "model.h5", "labels.h5"):
        p = os.path.join(run_dir, name)
        if not os.path.exists(p):
            continue
        with h5py.File(p, "r") as f:
            for ds in ("labels", "model/labels"):
                if ds in f and isinstance(f[ds], h5py.Dataset) and f[ds].ndim == 1:
                    return p, "/" + ds
    return None, None


def read_result(path, labels="/labels"):
    """k, inertia, centroids (K x D, or None) and segment names (or None) of a fit output."""
    with h5py.File(path, "r") as f:
        names = _strings(_attr(f[labels], "segment_names")) if labels in f else None
        cent = None
        for ds in ("centroids", "model/centroids"):
            if ds in f and f[ds].ndim == 2:
                cent = f[ds][...].astype(np.float64)
                break
        return {"k": _attr(f, "k"), "inertia": _attr(f, "inertia"), "centroids": cent, "names": names}


def count_labels(path, dataset):
    """Customers per segment, streamed: (counts[K], n_rows, n_unlabelled)."""
    with h5py.File(path, "r") as f:
        d = f[dataset]
        n = d.shape[0]
        counts = np.zeros(0, dtype=np.int64)
        bad = 0
        for r0 in range(0, n, LABEL_BLOCK):
            lab = d[r0:min(n, r0 + LABEL_BLOCK)].astype(np.int64)
            ok = lab >= 0
            bad += int(lab.size - ok.sum())
            c = np.bincount(lab[ok])
            if c.size > counts.size:
                counts = np.pad(counts, (0, c.size - counts.size))
            counts[:c.size] += c
    return counts, n, bad


def sample_rows(n, size, seed):
    """Sorted global row indices of a seeded sample (all rows when n <= size)."""
    if n <= size:
        return np.arange(n, dtype=np.int64)
    rng = np.random.default_rng(seed)
    return np.sort(rng.choice(n, size=size, replace=False)).astype(np.int64)


def read_points(dset, rows):
    """dset[rows] (rows sorted) as one point selection: O(len(rows)) time."""
    shape = (len(rows),) + dset.shape[1:]
    if len(rows) == 0:
        return np.empty(shape, dtype=dset.dtype)
    if len(rows) == dset.shape[0]:
        return dset[...]
    width = int(np.prod(dset.shape[1:], dtype=np.int64)) if dset.ndim > 1 else 1
    coords = np.empty((len(rows) * width, dset.ndim), dtype=np.uint64)
    coords[:, 0] = np.repeat(rows, width)
    if dset.ndim == 2:
        coords[:, 1] = np.tile(np.arange(width, dtype=np.uint64), len(rows))
    elif dset.ndim != 1:
        raise Missing(f"{dset.name} has {dset.ndim} dimensions")
    space = dset.id.get_space()
    space.select_elements(coords)
    out = np.empty(shape, dtype=dset.dtype)
    mem = h5py.h5s.create_simple((coords.shape[0],))
    dset.id.read(mem, space, out.reshape(-1))
    return out


def read_features_info(path, dataset="/features"):
    """Shape, column names and how they were made (PCA or not) of a feature file."""
    with h5py.File(path, "r") as f:
        if dataset not in f:
            raise Missing(f"{path} has no {dataset}")
        d = f[dataset]
        info = {"path": path, "dataset": dataset, "rows": d.shape[0], "dims": d.shape[1] if d.ndim == 2 else 1,
                "columns": _strings(_attr(d, "columns")), "pca": False, "encoder": None, "inputs": None,
                "evr": None, "recipe": None, "scale": None}
        if "prep" in f:
            p = f["prep"]
            info["inputs"] = _strings(_attr(p, "features"))
            info["recipe"] = _attr(p, "recipe")
            info["scale"] = _attr(p, "scale")
            if "autoencoder" in p:
                info["encoder"] = _attr(p["autoencoder"], "layers") or "?"
            if "pca" in p and "explained_variance_ratio" in p["pca"]:
                info["pca"] = True
                info["evr"] = p["pca/explained_variance_ratio"][...].astype(np.float64)
    return info


def read_sample(feat_path, dataset, lab_path, lab_dataset, rows):
    """(X[rows] as float64, labels[rows]) for sorted global rows."""
    with h5py.File(feat_path, "r") as f:
        x = read_points(f[dataset], rows).astype(np.float64)
    with h5py.File(lab_path, "r") as f:
        lab = read_points(f[lab_dataset], rows).astype(np.int64)
    if x.ndim == 1:
        x = x[:, None]
    return x, lab


def read_run_json(run_dir, name):
    """The JSON file `name` of a run folder, parsed; None when absent, Missing
    (naming the file) when it cannot be read or parsed."""
    p = os.path.join(run_dir, name)
    if not os.path.exists(p):
        return None
    try:
        with open(p, encoding="utf-8") as fh:
            return json.load(fh)
    except (OSError, ValueError) as e:
        raise Missing(f"{p}: {e}")


def read_profiles(run_dir):
    """profiles.json of kseg profile, or None when absent."""
    prof = read_run_json(run_dir, "profiles.json")
    if prof is None:
        return None
    segs = prof.get("segments") or []
    prof["by_id"] = {s["segment"]: s for s in segs if isinstance(s.get("segment"), int)}
    prof["base"] = next((s for s in segs if s.get("segment") == "all"), None)
    prof["path"] = os.path.join(run_dir, "profiles.json")
    return prof


def read_plan(run_dir):
    """plan.json of kseg run (the campaign plan), or None when absent."""
    plan = read_run_json(run_dir, "plan.json")
    if plan is None:
        return None
    plan["path"] = os.path.join(run_dir, "plan.json")
    return plan
