"""Benchmark (issue 11, item 3): 10,000,000 respondents x 40 Likert items through Dask.

A synthetic Parquet dataset (eight 5-item constructs driven by a latent factor, Int8 codes,
an ``agency`` id and a continuous ``outcome``) is written file by file, in row groups, to a
temporary folder. A fresh driver process then starts a ``dask.distributed.LocalCluster``
(worker processes) and runs, from the folder, :func:`egovstudy.scale.descriptives_dask`
on all 40 items, :func:`egovstudy.scale.reliability_dask` on each construct's items and
:func:`egovstudy.scale.ols_dask` with agency-clustered errors (two passes). The driver's
peak memory (``VmHWM`` of the driver process; workers are separate processes and are
reported separately) must stay under 1 GB. With ``check=True`` (the ``--quick`` size) the
numbers are compared with the in-memory functions on the same data.

Run: ``.venv/bin/python -m benchmarks.bench_scale [n_rows]``.
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks._common import run_child

N_ITEMS = 40
ITEMS_PER_CONSTRUCT = 5
ROWS_PER_FILE = 500_000
ROW_GROUP = 125_000


def write_dataset(folder: Path, n: int, seed: int = 2026) -> dict[str, Any]:
    """Write ``n`` rows as Parquet files of at most ``ROWS_PER_FILE`` rows, chunk by chunk."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    root = np.random.SeedSequence(seed)
    folder.mkdir(parents=True, exist_ok=True)
    n_files = 0
    total_bytes = 0
    n_con = N_ITEMS // ITEMS_PER_CONSTRUCT
    for start, child in zip(range(0, n, ROWS_PER_FILE), root.spawn((n - 1) // ROWS_PER_FILE + 1)):
        rng = np.random.default_rng(child)
        m = min(ROWS_PER_FILE, n - start)
        f = rng.normal(size=(m, n_con)).astype(np.float32)
        latent = np.repeat(f, ITEMS_PER_CONSTRUCT, axis=1) + rng.normal(
            size=(m, N_ITEMS)).astype(np.float32)
        codes = np.digitize(latent, np.array([-1.9, -0.8, 0.3, 1.4], dtype=np.float32))
        codes = (codes + 1).astype(np.int8)
        agency = rng.integers(0, 500, m).astype(np.int32)
        outcome = (0.5 * f[:, 0] + 0.3 * f[:, 1] + 0.1 * (agency % 7)
                   + rng.normal(size=m)).astype(np.float64)
        cols = {f"q{j + 1:02d}": pa.array(codes[:, j]) for j in range(N_ITEMS)}
        cols["agency"] = pa.array(agency)
        cols["outcome"] = pa.array(outcome)
        path = folder / f"part-{n_files:04d}.parquet"
        pq.write_table(pa.table(cols), path, row_group_size=ROW_GROUP)
        total_bytes += path.stat().st_size
        n_files += 1
    return {"rows": n, "files": n_files, "mb_on_disk": total_bytes / 2**20}


_DRIVER = r"""
folder, check, n_workers = _sys.argv[1], _sys.argv[2] == "1", int(_sys.argv[3])
import numpy as np
from dask.distributed import Client, LocalCluster
from egovstudy.scale import descriptives_dask, ols_dask, reliability_dask
items = [f"q{j + 1:02d}" for j in range(40)]
constructs = [items[i:i + 5] for i in range(0, 40, 5)]
formula = "outcome ~ q01 + q06 + q11 + q16 + q21 + q26"
cluster = LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True,
                       dashboard_address=":0", memory_limit="3GiB", silence_logs=40)
client = Client(cluster)
baseline = _peak_mb()
steps, out = {}, {}
t = _time.perf_counter()
desc = descriptives_dask(folder, items, values=[1, 2, 3, 4, 5])
steps["descriptives_40_items"] = _time.perf_counter() - t; t = _time.perf_counter()
rel = [reliability_dask(folder, c, use="complete") for c in constructs]
steps["reliability_8_constructs"] = _time.perf_counter() - t; t = _time.perf_counter()
fit = ols_dask(formula, folder, vcov={"cluster": "agency"})
steps["ols_cluster_2_passes"] = _time.perf_counter() - t
worker_peaks = client.run(lambda: int([ln for ln in open("/proc/self/status")
                                       if ln.startswith("VmHWM:")][0].split()[1]) / 1024.0)
out = {"n": int(fit.n), "alpha_first": rel[0].alpha, "mean_q01": float(desc.loc[0, "mean"]),
       "b": fit.params.tolist(), "partitions": fit.n_partitions}
seconds = sum(steps.values())
driver_peak = _peak_mb()
if check:
    import pandas as pd
    from egovstudy.measurement import reliability
    from egovstudy.models import ols
    from egovstudy.report.tables import describe
    df = pd.read_parquet(folder)
    mem_fit = ols(formula, df, vcov={"cluster": "agency"})
    a, b = fit.tidy(), mem_fit.tidy()
    num = [c for c in b.columns if c != "term"]
    rel_diff = lambda x, y: float(np.nanmax(np.abs(x - y) / np.maximum(np.abs(y), 1e-12)))
    d_ols = rel_diff(a[num].to_numpy(float), b[num].to_numpy(float))
    d_desc = rel_diff(desc[["n", "mean", "sd", "skew", "kurtosis"]].to_numpy(float),
                      describe(df.astype({c: float for c in items}), items)[
                          ["n", "mean", "sd", "skew", "kurtosis"]].to_numpy(float))
    d_rel = max(abs(r.alpha - reliability(df[c].astype(float), c, use="complete").alpha)
                for r, c in zip(rel, constructs))
    out["max_rel_diff_vs_in_memory"] = {"ols": d_ols, "descriptives": d_desc,
                                        "reliability_abs": d_rel}
client.close(); cluster.close()
_emit(seconds=seconds, steps=steps, driver_peak_mb=driver_peak, driver_baseline_mb=baseline,
      worker_peak_mb=sorted(worker_peaks.values()), **out)
"""


def run(n: int = 10_000_000, repeats: int = 1, n_workers: int = 2, check: bool | None = None,
        folder: str | None = None) -> dict[str, Any]:
    """Write the dataset, run the Dask path ``repeats`` times; driver memory and times."""
    check = n <= 1_000_000 if check is None else check
    tmp = Path(folder) if folder else Path(tempfile.mkdtemp(prefix="egov-scale-"))
    try:
        t0 = time.perf_counter()
        info = write_dataset(tmp / "survey", n)
        info["write_seconds"] = time.perf_counter() - t0
        runs = [run_child(_DRIVER, str(tmp / "survey"), "1" if check else "0", str(n_workers))
                for _ in range(repeats)]
    finally:
        if folder is None:
            shutil.rmtree(tmp, ignore_errors=True)
    import statistics

    last = runs[-1]
    driver_peak = max(r["driver_peak_mb"] for r in runs)
    return {
        "case": "scale", "dataset": info, "repeats": repeats, "n_workers": n_workers,
        "ours": {"name": "egovstudy.scale on a LocalCluster",
                 "median_s": statistics.median(r["seconds"] for r in runs),
                 "times_s": [r["seconds"] for r in runs], "peak_mb": driver_peak,
                 "steps": last["steps"]},
        "peer": None, "driver_peak_mb": driver_peak, "worker_peak_mb": last["worker_peak_mb"],
        "driver_baseline_mb": last["driver_baseline_mb"],
        "target": "driver peak memory < 1 GB (1024 MB)", "met": driver_peak < 1024,
        "check": last.get("max_rel_diff_vs_in_memory"), "partitions": last["partitions"],
    }


if __name__ == "__main__":
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000_000
    print(json.dumps(run(rows), indent=2))
