"""Benchmark: ``egovstudy.pls_multigroup`` (PLS-MGA, MICOM) against ``plspm`` refitted per resample.

The default study (589 respondents; 7 constructs, 37 indicators; the chapter's PLS
model: five resources -> digitalisation -> performance, plus the direct paths), groups
by gender. Our side: :func:`egovstudy.pls_multigroup.pls_mga` with 5,000 permutations (path
permutation test, MICOM steps 2 and 3) and 5,000 bootstrap resamples per group
(Henseler's PLS-MGA, parametric and Welch tests).

No Python package does PLS-MGA or MICOM, so the peer is the ``plspm`` package (0.5.7,
in its own virtual environment with pandas < 3, as in ``bench_pls.py``) doing the
same work the plain way: per permutation it fits both groups and computes the path
differences and MICOM's ``c`` from the two groups' outer weights; per bootstrap
resample it fits the resampled group. plspm needs about a tenth of a second per fit,
so it is timed on ``peer_n`` permutations and ``peer_n`` resamples per group and its
time is scaled to the full run (``seconds_extrapolated``). The group path estimates
of both sides must agree to 0.005 (plspm's estimates differ from seminr's, which ours
reproduce, in the third decimal).

Run: ``.venv/bin/python benchmarks/bench_pls_mga.py`` (prints a JSON dict).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from benchmarks.bench_pls import ensure_bench_venv

PEER = r"""
import json, sys, time
import numpy as np, pandas as pd
import plspm.config as c
from plspm.plspm import Plspm
from plspm.scheme import Scheme
from plspm.mode import Mode
d = pd.read_csv(sys.argv[1]); spec = json.load(open(sys.argv[2])); n_perm = int(sys.argv[3])
seed = int(sys.argv[4])
lvs = spec["constructs"]
path = pd.DataFrame(0, index=lvs, columns=lvs)
for f, t in spec["paths"]:
    path.loc[t, f] = 1
g = d.pop("group").to_numpy()
X = d

def fit(data):
    cfg = c.Config(path, scaled=True)
    for k, lv in enumerate(lvs):
        cfg.add_lv_with_columns_named(lv, Mode.A, data, f"c{k}x")
    p = Plspm(data, cfg, Scheme.PATH)
    pc = p.path_coefficients()
    return np.array([pc.loc[t, f] for f, t in spec["paths"]]), p.outer_model()["weight"]

first = g == spec["groups"][0]
b1, _ = fit(X[first].reset_index(drop=True))
b2, _ = fit(X[~first].reset_index(drop=True))
Z = ((X - X.mean()) / X.std()).to_numpy()
cols = list(X.columns)
rng = np.random.default_rng(seed)
t = time.perf_counter()
diffs, cs = [], []
for _ in range(n_perm):
    m = rng.permutation(first)
    p1, w1 = fit(X[m].reset_index(drop=True))
    p2, w2 = fit(X[~m].reset_index(drop=True))
    diffs.append(p1 - p2)
    c_k = []
    for k in range(len(lvs)):
        idx = [j for j, col in enumerate(cols) if col.startswith(f"c{k}x")]
        s1 = Z[:, idx] @ w1[[cols[j] for j in idx]].to_numpy()
        s2 = Z[:, idx] @ w2[[cols[j] for j in idx]].to_numpy()
        c_k.append(np.corrcoef(s1, s2)[0, 1])
    cs.append(c_k)
t_perm = time.perf_counter() - t
t = time.perf_counter()
for grp in (first, ~first):
    Xg = X[grp].reset_index(drop=True)
    for _ in range(n_perm):
        fit(Xg.iloc[rng.integers(0, len(Xg), len(Xg))].reset_index(drop=True))
t_boot = time.perf_counter() - t
print(json.dumps({"seconds_perm": t_perm, "seconds_boot": t_boot, "n": n_perm,
                  "estimate_1": b1.tolist(), "estimate_2": b2.tolist(),
                  "pandas": pd.__version__}))
"""


def default_study_model() -> tuple[pd.DataFrame, dict[str, list[str]], list[tuple[str, str]]]:
    """The default study's data, and its chapter PLS model (as report.chapter builds it)."""
    import egovstudy as eg
    from egovstudy.datasets.default_study import default_study_dir

    d = default_study_dir()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        s = eg.load_survey(d / "survei_asn_opd.csv", d / "codebook.yaml")
    cb = s.codebook
    preds = ["hr_quality", "hr_quantity", "budget", "internet", "computers"]
    meas: dict[str, list[str]] = {}
    for c in [*preds, "digitalisation", "performance"]:
        con = cb.constructs[c]
        meas[c] = list(con.items) or [i for dim in con.dimensions
                                      for i in cb.constructs[dim].items]
    structural = [(p, "digitalisation") for p in preds] + [(p, "performance") for p in preds]
    structural.append(("digitalisation", "performance"))
    return s.data, meas, structural


def run(n_perm: int = 5000, n_boot: int = 5000, peer_n: int = 20, seed: int = 2026,
        repeats: int = 3, peer: bool = True) -> dict[str, Any]:
    """Time our PLS-MGA with MICOM against plspm refitted per resample; return the ratio."""
    from egovstudy.pls_multigroup import pls_mga

    data, meas, structural = default_study_model()
    items = [i for v in meas.values() for i in v]
    # the missing answers mean-replaced once, so both sides get the very same numbers
    data = data.assign(**{i: data[i].astype(float).fillna(data[i].astype(float).mean())
                          for i in items})
    kw: dict[str, Any] = {"group": "gender", "groups": ["male", "female"],
                          "measurement": meas, "structural": structural}
    pls_mga(data, n_perm=100, n_boot=100, seed=seed, **kw)                # warm-up
    times = []
    res = None
    for r in range(repeats):
        t = time.perf_counter()
        res = pls_mga(data, n_perm=n_perm, n_boot=n_boot, seed=seed + r, **kw)
        times.append(time.perf_counter() - t)
    assert res is not None
    ours = float(np.median(times))
    out: dict[str, Any] = {
        "n": int(res.groups["n"].sum()), "groups": res.groups.to_dict("list"),
        "n_perm": n_perm, "n_boot": n_boot, "target": 100,
        "indicators": sum(len(v) for v in meas.values()), "constructs": len(meas),
        "ours": {"seconds": ours, "seconds_all": times,
                 "micom": res.micom.overall, "n_failed": res.options["n_failed"]}}
    if not peer:
        return out
    py = ensure_bench_venv()
    cons = list(meas)
    cols = {it: f"c{k}x{j}" for k, c in enumerate(cons) for j, it in enumerate(meas[c])}
    sub = data[[*cols, "gender"]].rename(columns={**cols, "gender": "group"})
    spec = {"constructs": cons, "paths": structural, "groups": ["male", "female"]}
    with tempfile.TemporaryDirectory() as tmp:
        f = Path(tmp) / "data.csv"
        sub.assign(group=sub["group"].astype(str)).to_csv(f, index=False)
        sp = Path(tmp) / "spec.json"
        sp.write_text(json.dumps(spec))
        proc = subprocess.run([str(py), "-c", PEER, str(f), str(sp), str(peer_n), str(seed)],
                              capture_output=True, text=True, check=True, cwd=tmp)
    theirs = json.loads(proc.stdout.strip().splitlines()[-1])
    full = theirs["seconds_perm"] / peer_n * n_perm + theirs["seconds_boot"] / peer_n * n_boot
    theirs["seconds_extrapolated"] = full
    out["plspm"] = theirs
    out["speedup"] = full / ours
    agree = True
    for col, key in (("estimate_1", "estimate_1"), ("estimate_2", "estimate_2")):
        agree &= bool(np.allclose(res.paths[col].to_numpy(), theirs[key], atol=0.005))
    out["estimate_agree"] = agree
    return out


if __name__ == "__main__":
    args = {k: int(v) for k, v in (a.split("=") for a in sys.argv[1:])}
    print(json.dumps(run(**args), indent=2))
