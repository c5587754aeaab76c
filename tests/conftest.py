"""Shared fixtures: the committed reference data, the public-data mirror (skipped when absent)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

os.environ.setdefault("MPLBACKEND", "Agg")

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_STUDY = ROOT / "data" / "raw" / "default_study"
REFERENCE_DATA = ROOT / "tests" / "data"


def _mirror_dir() -> Path | None:
    value = os.environ.get("EGOVSTUDY_DATA_MIRROR", "").strip()
    if value and Path(value).is_dir():
        return Path(value)
    fallback = ROOT.parent / "shared" / "data"
    return fallback if fallback.is_dir() else None


@pytest.fixture(scope="session")
def reference_data() -> Path:
    """The committed reference datasets, ``tests/data`` (sources and licences in its README).

    Never skipped and independent of ``EGOVSTUDY_REFERENCE_DATA``: a file missing there
    makes the test that reads it fail.
    """
    return REFERENCE_DATA


@pytest.fixture(scope="session")
def data_mirror() -> Path:
    """Folder of public e-government data (``EGOVSTUDY_DATA_MIRROR``)."""
    path = _mirror_dir()
    if path is None:
        pytest.skip("public data mirror not found: set EGOVSTUDY_DATA_MIRROR "
                    "(see egovstudy.public)")
    return path


@pytest.fixture()
def no_public_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """``tmp_path``, with no public data anywhere: no mirror, an empty cache, no project copy."""
    monkeypatch.setenv("EGOVSTUDY_DATA_MIRROR", str(tmp_path / "no_mirror"))
    monkeypatch.setenv("EGOVSTUDY_CACHE", str(tmp_path / "empty_cache"))
    monkeypatch.setattr("egovstudy.public.sources.project_root", lambda: tmp_path)
    return tmp_path


@pytest.fixture()
def rng() -> np.random.Generator:
    return np.random.default_rng(20261128)


@pytest.fixture(autouse=True)
def _close_figures() -> Iterator[None]:
    yield
    import sys

    if "matplotlib.pyplot" in sys.modules:
        import matplotlib.pyplot as plt

        plt.close("all")
