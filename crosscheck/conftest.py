"""Cross-check suite: egovstudy against R (``make crosscheck``; see docs/crosscheck.md).

Fixtures and the session summary; the data generators and comparison helpers live in
:mod:`crosscheck._support`. Not collected by ``make test`` (pytest's ``testpaths`` are
``tests`` and ``egovstudy``).
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from crosscheck._support import (
    SEEDS,
    SESSION,
    SHAPES,
    Comparer,
    Dataset,
    Session,
    _synthetic_spec,
    default_study,
    make_survey,
    r_available,
)


@pytest.fixture(scope="session")
def datasets(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Dataset]:
    """Every dataset, written as CSV + spec; R runs a topic on all of them at first use."""
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
    SESSION.append(Session(folder, found))
    return found



def pytest_terminal_summary(terminalreporter: Any) -> None:
    terminalreporter.write_line(f"crosscheck: {Comparer.count} comparisons")
