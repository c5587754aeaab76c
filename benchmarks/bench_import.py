"""Benchmark (issue 2, item 8): ``import egovstudy`` against ``import statsmodels.api, seaborn``.

Each import runs in a fresh interpreter (``repeats`` times per side, alternating sides,
after one discarded warm-up each so both read from the same warm file cache); the time
is measured inside the child around the import statement only. Target: egovstudy takes at
most a third of the stack's time (ratio stack / egovstudy >= 3).

Run: ``.venv/bin/python -m benchmarks.bench_import``.
"""

from __future__ import annotations

import json
from typing import Any

from benchmarks._common import run_child, summarize

SIDES = {
    "egovstudy": "import egovstudy",
    "statsmodels.api + seaborn": "import statsmodels.api, seaborn",
}

_CHILD = r"""
stmt = _sys.argv[1]
t = _time.perf_counter()
exec(stmt)
el = _time.perf_counter() - t
_emit(seconds=el, modules=len(_sys.modules))
"""


def run(repeats: int = 7) -> dict[str, Any]:
    """Median import time of both sides; returns ``{"ours", "peer", "ratio", ...}``."""
    for stmt in SIDES.values():  # warm the file cache
        run_child(_CHILD, stmt)
    runs: dict[str, list[dict[str, Any]]] = {k: [] for k in SIDES}
    for _ in range(repeats):
        for name, stmt in SIDES.items():
            runs[name].append(run_child(_CHILD, stmt))
    ours = summarize(runs["egovstudy"])
    peer = summarize(runs["statsmodels.api + seaborn"])
    ours["modules"] = runs["egovstudy"][0]["modules"]
    peer["modules"] = runs["statsmodels.api + seaborn"][0]["modules"]
    ratio = peer["median_s"] / ours["median_s"]
    return {"case": "import", "repeats": repeats,
            "ours": {"name": "import egovstudy", **ours},
            "peer": {"name": "import statsmodels.api, seaborn", **peer},
            "ratio": ratio, "target": "egovstudy <= 1/3 of the stack (ratio >= 3)",
            "met": ratio >= 3}


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
