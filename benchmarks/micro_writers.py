"""Micro-benchmark of the writers alone (CPU seconds, best of runs).

DOCX tables through python-docx's cell API (the previous code, kept as the reference in
``tests/test_report_docx_tables.py``) against the one-pass XML; ``save_docx`` against
save-and-restamp; figures saved one format at a time against one layout for all formats.

Run: ``PYTHONPATH=. .venv/bin/python -m benchmarks.micro_writers``.
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks._common import ROOT


def _cpu(fn: Callable[[], Any], repeats: int = 3) -> float:
    best = float("inf")
    for _ in range(repeats):
        t = time.process_time()
        fn()
        best = min(best, time.process_time() - t)
    return best


def run() -> dict[str, float]:
    """CPU seconds of each writer, old way and new way."""
    import docx
    import matplotlib

    matplotlib.use("Agg")
    import numpy as np
    import pandas as pd

    sys.path.insert(0, str(ROOT / "tests"))
    from test_report_docx_tables import _cellwise, _tables

    from egovstudy.report import figures as F
    from egovstudy.report import writers as W
    from egovstudy.report.save import save_figure
    from egovstudy.report.style import house_style

    tmp = Path(tempfile.mkdtemp())
    tables = _tables() * 6  # 18 tables, as in the default study's chapter

    def build(add: Callable[..., Any]) -> Any:
        d = docx.Document()
        for t in tables:
            add(d, t)
        return d

    out = {"docx_18_tables_cell_api": _cpu(lambda: build(_cellwise)),
           "docx_18_tables_one_pass": _cpu(lambda: build(W.add_table_to_docx))}
    d = build(W.add_table_to_docx)
    out["save_docx_restamped"] = _cpu(lambda: W._save_docx_restamped(d, tmp / "a.docx"))
    out["save_docx_one_pass"] = _cpu(lambda: W.save_docx(d, tmp / "b.docx"))
    rng = np.random.default_rng(1)
    data = pd.DataFrame(rng.integers(1, 6, (500, 10)), columns=[f"q{i}" for i in range(10)])

    def figs() -> list[Any]:
        with house_style():
            return [F.likert_bars(data, list(data.columns)).figure,
                    F.correlation_heatmap(data.astype(float)).figure]

    def separate() -> None:
        for k, f in enumerate(figs()):
            for fmt in ("png", "svg", "pdf"):
                save_figure(f, tmp / f"s{k}", formats=(fmt,), overwrite=True)

    def together() -> None:
        for k, f in enumerate(figs()):
            save_figure(f, tmp / f"t{k}", formats=("png", "svg", "pdf"), overwrite=True)

    out["figures_2x3_format_by_format"] = _cpu(separate, 2)
    out["figures_2x3_one_layout"] = _cpu(together, 2)
    return out


if __name__ == "__main__":
    for key, value in run().items():
        print(f"{key:32s} {value:.3f} s CPU")
