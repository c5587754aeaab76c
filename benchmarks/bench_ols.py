"""Benchmark (issue 5, item 7): OLS + VIF + Breusch-Pagan + White + Durbin-Watson +
Jarque-Bera + RESET on n x k data, egovstudy's ``fast_diagnostics`` against statsmodels.

Run: ``.venv/bin/python benchmarks/bench_ols.py [n] [k]``. ``run()`` returns a dict with the
best-of-``repeats`` wall times, their ratio, the tracemalloc peak of each side (measured in a
fresh subprocess each, data generated before tracing starts) and the largest relative
difference between the two sets of numbers (target: ratio >= 20, memory <= 1/4, diff <= 1e-8).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
import tracemalloc
import warnings
from pathlib import Path
from typing import Any

import numpy as np


def _data(n: int, k: int, seed: int = 20261128) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = np.column_stack([np.ones(n), rng.normal(size=(n, k))])
    beta = np.linspace(0.5, 1.5, k + 1)
    y = X @ beta + rng.normal(size=n) * (1 + 0.3 * np.abs(X[:, 1]))
    return y, X


def _ours(y: np.ndarray, X: np.ndarray) -> dict[str, Any]:
    from egovstudy.models import fast_diagnostics

    o = fast_diagnostics(y, X)
    return {"params": o["params"], "bse": o["bse"], "vif": o["vif"],
            "bp": [o["bp_lm"], o["bp_pvalue"], o["bp_f"], o["bp_f_pvalue"]],
            "white": [o["white_lm"], o["white_pvalue"], o["white_f"], o["white_f_pvalue"]],
            "dw": [o["dw"]], "jb": [o["jb"], o["jb_pvalue"], o["skew"], o["kurtosis"]],
            "reset": [o["reset_chi2"], o["reset_chi2_pvalue"]]}


def _statsmodels(y: np.ndarray, X: np.ndarray) -> dict[str, Any]:
    import statsmodels.api as sm
    from statsmodels.stats.diagnostic import het_breuschpagan, het_white, linear_reset
    from statsmodels.stats.outliers_influence import variance_inflation_factor
    from statsmodels.stats.stattools import durbin_watson, jarque_bera

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = sm.OLS(y, X).fit()
        vif = [variance_inflation_factor(X, j) for j in range(1, X.shape[1])]
        bp = het_breuschpagan(res.resid, X)
        wh = het_white(res.resid, X)
        dw = durbin_watson(res.resid)
        jb = jarque_bera(res.resid)
        rs = linear_reset(res, power=3, use_f=False)
    return {"params": res.params, "bse": res.bse, "vif": vif, "bp": list(bp),
            "white": list(wh), "dw": [dw], "jb": list(jb),
            "reset": [float(rs.statistic), float(rs.pvalue)]}


def _measure(side: str, n: int, k: int, repeats: int) -> dict[str, Any]:
    y, X = _data(n, k)
    fn = _ours if side == "ours" else _statsmodels
    fn(y[:1000], X[:1000])  # warm imports
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn(y, X)
        times.append(time.perf_counter() - t0)
    tracemalloc.start()
    fn(y, X)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {"time": min(times), "peak_bytes": peak,
            "values": {key: np.asarray(v, dtype=float).tolist() for key, v in out.items()}}


def _subprocess(side: str, n: int, k: int, repeats: int) -> dict[str, Any]:
    here = str(Path(__file__).resolve().parent)
    code = (f"import json, sys; sys.path.insert(0, {here!r}); import bench_ols as b; "
            f"print(json.dumps(b._measure({side!r}, {n}, {k}, {repeats})))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def run(n: int = 1_000_000, k: int = 6, repeats: int = 3) -> dict[str, Any]:
    """Time both sides, compare peak memory and numbers; return a summary dict."""
    ours = _subprocess("ours", n, k, repeats)
    sm = _subprocess("statsmodels", n, k, repeats)
    diffs = {}
    for key, ref in sm["values"].items():
        a = np.asarray(ours["values"][key])
        b = np.asarray(ref)
        diffs[key] = float(np.max(np.abs(a - b) / np.maximum(np.abs(b), 1e-300)))
    return {
        "n": n, "k": k, "repeats": repeats,
        "time_ours_s": ours["time"], "time_statsmodels_s": sm["time"],
        "speedup": sm["time"] / ours["time"],
        "peak_ours_mb": ours["peak_bytes"] / 2**20,
        "peak_statsmodels_mb": sm["peak_bytes"] / 2**20,
        "memory_ratio": ours["peak_bytes"] / sm["peak_bytes"],
        "max_rel_diff": max(diffs.values()), "rel_diff": diffs,
    }


if __name__ == "__main__":
    n_arg = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    k_arg = int(sys.argv[2]) if len(sys.argv) > 2 else 6
    print(json.dumps(run(n_arg, k_arg), indent=2))
