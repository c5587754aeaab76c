"""Speed and peak memory of loading Likert exports (issue 3, item 8).

Two comparisons, each approach run in a fresh Python subprocess; peak memory is the
process's high-water mark (``VmHWM``), reported in total (``peak_mb``) and above the
resident size after imports (``op_peak_mb``; the mark is reset through
``/proc/self/clear_refs`` before the timed call):

* CSV, ``n`` respondents x ``k`` Likert items as Indonesian text labels:
  ``pandas.read_csv(path)`` (C engine), ``pandas.read_csv(path, engine="pyarrow")`` and
  ``polars.read_csv(path)`` alone versus ``egovstudy.load_survey`` (read, map labels
  to Int8, validate every quality rule, reverse-key and score the constructs).
* SPSS ``.sav`` with value labels: ``pyreadstat.read_sav(path,
  apply_value_formats=True)`` (pyreadstat's own labelled read) versus
  ``load_survey`` on the same file.

Run: ``.venv/bin/python benchmarks/bench_loading.py [--n 1000000 --k 40 --repeats 3]``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

#: CSV readers compared: pandas' default C engine (the memory reference), pandas with
#: pyarrow's multithreaded engine, and polars
CSV_PEERS = ("pandas_csv", "pandas_pyarrow_csv", "polars_csv")
LABELS = ["Sangat Tidak Setuju", "Tidak Setuju", "Netral", "Setuju", "Sangat Setuju"]

_CHILD = r"""
import json, sys, time, warnings
warnings.simplefilter("ignore")
kind, path, codebook = sys.argv[1], sys.argv[2], sys.argv[3]
import pandas as pd
import pyarrow, pyarrow.csv
import pyreadstat
from egovstudy.survey import load_survey


def status(key):
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(key):
                return int(line.split()[1]) / 1024
    return float("nan")


base = status("VmRSS")
with open("/proc/self/clear_refs", "w") as fh:  # reset the high-water mark after imports
    fh.write("5")
t0 = time.perf_counter()
if kind == "pandas_csv":
    out = pd.read_csv(path)
    rows = len(out)
elif kind == "pandas_pyarrow_csv":
    out = pd.read_csv(path, engine="pyarrow")
    rows = len(out)
elif kind == "polars_csv":
    import polars as pl
    base = status("VmRSS")  # polars is imported here: its import is not the read's memory
    with open("/proc/self/clear_refs", "w") as fh:
        fh.write("5")
    t0 = time.perf_counter()
    out = pl.read_csv(path)
    rows = out.height
elif kind == "pyreadstat_labelled":
    out, meta = pyreadstat.read_sav(path, apply_value_formats=True)
    rows = len(out)
else:
    out = load_survey(path, codebook)
    rows = len(out.data)
elapsed = time.perf_counter() - t0
peak = status("VmHWM")
print(json.dumps({"seconds": elapsed, "peak_mb": peak, "baseline_mb": base,
                  "op_peak_mb": peak - base, "rows": rows}))
"""


def _codebook(folder: Path, k: int) -> Path:
    import yaml

    per = 5
    spec = {
        "study": {"name": "bench"},
        "columns": {"id": "NIP"},
        "items": [{"name": f"q{j}", "column": f"Q{j}", "construct": f"c{(j - 1) // per}",
                   "scale": "agree5", "reverse": j % 5 == 0} for j in range(1, k + 1)],
        "constructs": [{"name": f"c{i}", "min_items": 3} for i in range((k - 1) // per + 1)],
    }
    path = folder / "codebook.yaml"
    path.write_text(yaml.safe_dump(spec), encoding="utf-8")
    return path


def make_files(folder: Path, n: int, k: int, seed: int = 2026) -> tuple[Path, Path]:
    """Write the CSV (text labels) and the .sav (codes + value labels) of one dataset."""
    import numpy as np
    import pandas as pd
    import pyarrow as pa
    import pyarrow.csv as pacsv
    import pyreadstat

    rng = np.random.default_rng(seed)
    csv_path = folder / "likert.csv"
    labels = pa.array(LABELS)
    chunk = 100_000
    codes_all = np.empty((n, k), dtype=np.int8)
    schema = pa.schema([("NIP", pa.string())] + [(f"Q{j}", pa.string())
                                                 for j in range(1, k + 1)])
    with pacsv.CSVWriter(csv_path, schema) as writer:
        for start in range(0, n, chunk):
            m = min(chunk, n - start)
            # a respondent tendency plus noise: realistic, correlated answers
            base = rng.normal(0, 1, (m, 1))
            latent = base + rng.normal(0, 1, (m, k))
            codes = np.digitize(latent, [-1.9, -0.8, 0.3, 1.4]).astype(np.int8)
            codes_all[start:start + m] = codes + 1
            cols = [pa.array([f"{19700101 + start + i:018d}" for i in range(m)])]
            cols += [pa.DictionaryArray.from_arrays(pa.array(codes[:, j]), labels).cast(
                pa.string()) for j in range(k)]
            writer.write_table(pa.Table.from_arrays(cols, names=schema.names))
    sav_path = folder / "likert.sav"
    frame = pd.DataFrame(codes_all.astype("float64"), columns=[f"Q{j}" for j in range(1, k + 1)])
    frame.insert(0, "NIP", [f"{19700101 + i:018d}" for i in range(n)])
    pyreadstat.write_sav(frame, str(sav_path), variable_value_labels={
        f"Q{j}": {float(i + 1): lab for i, lab in enumerate(LABELS)} for j in range(1, k + 1)})
    return csv_path, sav_path


def _child(kind: str, path: Path, codebook: Path) -> dict[str, Any]:
    res = subprocess.run([sys.executable, "-c", _CHILD, kind, str(path), str(codebook)],
                         capture_output=True, text=True, check=False)
    if res.returncode != 0:
        raise RuntimeError(res.stderr[-2000:])
    return json.loads(res.stdout.strip().splitlines()[-1])


def run(n: int = 1_000_000, k: int = 40, repeats: int = 3) -> dict[str, Any]:
    """Measure both comparisons; return seconds (best of ``repeats``) and peak MB.

    Returns
    -------
    dict
        ``{"csv": {"pandas_csv": {...}, "pandas_pyarrow_csv": {...}, "polars_csv": {...},
        "load_survey": {...}, "fastest_reader", "time_ratio_fastest", "time_ratio",
        "memory_ratio"}, "sav": {...}, "n", "k"}``; ratios are egovstudy / reference
        (time: lower is faster; memory: peak RSS against pandas' C engine).
    """
    out: dict[str, Any] = {"n": n, "k": k, "repeats": repeats}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        t0 = time.perf_counter()
        csv_path, sav_path = make_files(folder, n, k)
        out["generate_seconds"] = time.perf_counter() - t0
        out["csv_mb"] = csv_path.stat().st_size / 2**20
        codebook = _codebook(folder, k)
        for label, path, refs in (("csv", csv_path, CSV_PEERS),
                                  ("sav", sav_path, ("pyreadstat_labelled",))):
            ref = refs[0]
            runs: dict[str, list[dict[str, Any]]] = {r: [] for r in (*refs, "load_survey")}
            for _ in range(repeats):  # interleaved: the machine's load hits every side alike
                for kind in runs:
                    try:
                        runs[kind].append(_child(kind, path, codebook))
                    except RuntimeError as exc:  # e.g. polars not installed
                        runs[kind].append({"error": str(exc).splitlines()[-1][:200]})
            summary: dict[str, Any] = {}
            for kind, results in runs.items():
                if any("error" in r for r in results):
                    summary[kind] = {"error": results[0].get("error", "failed")}
                    continue
                summary[kind] = {"seconds": min(r["seconds"] for r in results),
                                 "peak_mb": max(r["peak_mb"] for r in results),
                                 "baseline_mb": min(r["baseline_mb"] for r in results),
                                 "op_peak_mb": max(r["op_peak_mb"] for r in results),
                                 "rows": results[0]["rows"]}
            timed = [k for k in refs if "seconds" in summary[k]]
            fastest = min(timed, key=lambda k: summary[k]["seconds"])
            summary["fastest_reader"] = fastest
            summary["time_ratio_fastest"] = (summary["load_survey"]["seconds"]
                                             / summary[fastest]["seconds"])
            summary["time_ratio"] = summary["load_survey"]["seconds"] / summary[ref]["seconds"]
            summary["memory_ratio"] = summary["load_survey"]["peak_mb"] / summary[ref]["peak_mb"]
            summary["memory_ratio_above_imports"] = (summary["load_survey"]["op_peak_mb"]
                                                     / summary[ref]["op_peak_mb"])
            out[label] = summary
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--k", type=int, default=40)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    print(json.dumps(run(args.n, args.k, args.repeats), indent=2))


if __name__ == "__main__":
    main()
