"""Cross-check suite: egovstudy against R (``make crosscheck``; see docs/crosscheck.md).

Fixtures and the session summary; the data generators and comparison helpers live in
:mod:`crosscheck._support`. Not collected by ``make test`` (pytest's ``testpaths`` are
``tests`` and ``egovstudy``).
"""

from __future__ import annotations

import json
import os
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from crosscheck._support import (
    SEEDS,
    SHAPES,
    TOPICS,
    Comparer,
    Dataset,
    _run_r,
    _synthetic_spec,
    default_study,
    make_survey,
    r_available,
)


@pytest.fixture(scope="session")
def datasets(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Dataset]:
    """Every dataset, with R's answers for every topic (computed once per session)."""
    reason = r_available()
    if reason:
        pytest.skip(reason)
    folder = tmp_path_factory.mktemp("crosscheck")
    found: dict[str, Dataset] = {}
    for shape in SHAPES:
        for seed in SEEDS:
            frame, blanks = make_survey(shape, seed)
            found[f"{shape}-s{seed}"] = Dataset(f"{shape}-s{seed}", frame, _synthetic_spec(),
                                                blanks)
    frame, spec = default_study()
    blanks = bool(frame[spec["efa_items"]].isna().any().any())
    found["default_study"] = Dataset("default_study", frame, spec, blanks)
    for ds in found.values():
        ds.frame.to_csv(folder / f"{ds.name}.csv", index=False, na_rep="NA")
        (folder / f"{ds.name}.spec.json").write_text(json.dumps(ds.spec))
    jobs = int(os.environ.get("CROSSCHECK_JOBS", "2"))
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        list(pool.map(lambda a: _run_r(*a, folder),
                      [(t, ds) for ds in found.values() for t in TOPICS]))
    return found



def pytest_terminal_summary(terminalreporter: Any) -> None:
    terminalreporter.write_line(f"crosscheck: {Comparer.count} comparisons")
