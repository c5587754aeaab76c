"""Benchmark: ``egovstudy run`` on the default study against its statistics alone.

Three things are measured side by side, each run in a fresh interpreter (imports
included, as a user experiences them), the repetitions interleaved so that a busy
machine slows every side alike:

* ``run``: ``egovstudy run data/raw/default_study/study.yaml --output DIR --overwrite``
  (every table in CSV/XLSX/DOCX/TeX/MD/HTML, every figure in PNG/SVG/PDF at 300 dpi,
  the chapter as DOCX/MD/HTML, the manifest);
* ``statistics``: the same analyses without writing anything: the study file read and
  validated, the survey loaded, and the chapter's sections built (every model, test,
  bootstrap, table and figure object) for the study's language, nothing saved;
* ``byte_identical``: the sha256 of every file of two runs into two folders compared
  (the manifest included).

The target of issue 21: ``run`` at most 1.5x ``statistics``.

Run: ``.venv/bin/python -m benchmarks.bench_run``.
"""

from __future__ import annotations

import hashlib
import json
import statistics
import tempfile
from pathlib import Path
from typing import Any

from benchmarks._common import ROOT, run_child

STUDY = ROOT / "data" / "raw" / "default_study" / "study.yaml"

_RUN = r"""
study, out = _sys.argv[1], _sys.argv[2]
from egovstudy.cli import main
code = main(["run", study, "--output", out, "--overwrite"])
_emit(seconds=_time.perf_counter() - _T0, code=code)
"""

# the chapter's own steps (egovstudy.report.chapter), minus every save and render
_STATS = r"""
study = _sys.argv[1]
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
from egovstudy.study import read_study
from egovstudy.report.chapter import _build, _resolve
from egovstudy.report.language import check_decimal
spec = read_study(study)
inp = _resolve(spec, model=None, hypotheses=None, n_boot=None, seed=None, pls=None)
doc = _build(inp, spec.language, check_decimal("," if spec.decimal_comma else None,
                                                spec.language), 4, {})
n_tables, n_figures = len(doc.tables), len(doc.figures)
plt.close("all")
_emit(seconds=_time.perf_counter() - _T0, tables=n_tables, figures=n_figures)
"""


def _digests(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def run(repeats: int = 3) -> dict[str, Any]:
    """Median wall time of ``egovstudy run`` and of its statistics alone; byte identity."""
    out: dict[str, Any] = {"case": "run", "repeats": repeats, "study": str(STUDY.relative_to(ROOT))}
    runs: list[dict[str, Any]] = []
    stats: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        folders = [Path(tmp) / "one", Path(tmp) / "two"]
        for r in range(repeats):  # interleaved: the machine's load hits both sides alike
            stats.append(run_child(_STATS, str(STUDY)))
            runs.append(run_child(_RUN, str(STUDY), str(folders[r % 2])))
            if runs[-1].get("code") != 0:
                raise RuntimeError(f"egovstudy run exited with {runs[-1].get('code')}")
        if repeats < 2:
            runs.append(run_child(_RUN, str(STUDY), str(folders[1])))
        one, two = (_digests(f) for f in folders)
        out["files"] = len(one)
        out["byte_identical"] = bool(one) and one == two
        out["differing_files"] = sorted(k for k in one.keys() | two.keys()
                                        if one.get(k) != two.get(k))
    out["run"] = {"median_s": statistics.median(r["seconds"] for r in runs),
                  "times_s": [r["seconds"] for r in runs],
                  "peak_mb": max(r["peak_mb"] for r in runs)}
    out["statistics"] = {"median_s": statistics.median(s["seconds"] for s in stats),
                         "times_s": [s["seconds"] for s in stats],
                         "peak_mb": max(s["peak_mb"] for s in stats),
                         "tables": stats[-1]["tables"], "figures": stats[-1]["figures"]}
    out["ratio"] = out["run"]["median_s"] / out["statistics"]["median_s"]
    out["target"] = 1.5
    out["met"] = out["ratio"] <= out["target"] and out["byte_identical"]
    return out


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
