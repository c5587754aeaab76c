"""Shared fixtures: reference data and the public-data mirror, skipped when absent."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

os.environ.setdefault("MPLBACKEND", "Agg")

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_STUDY = ROOT / "data" / "raw" / "default_study"


def _env_dir(name: str) -> Path | None:
    value = os.environ.get(name, "").strip()
    if value and Path(value).is_dir():
        return Path(value)
    fallback = ROOT.parent / "shared" / ("data" if "MIRROR" in name else "reference-data")
    return fallback if fallback.is_dir() else None


@pytest.fixture(scope="session")
def reference_data() -> Path:
    """Folder of public reference datasets (``EGOVSTUDY_REFERENCE_DATA``)."""
    path = _env_dir("EGOVSTUDY_REFERENCE_DATA")
    if path is None:
        pytest.skip("reference datasets not found: set EGOVSTUDY_REFERENCE_DATA to the folder "
                    "holding nist/, rdatasets/, lavaan/, seminr/")
    return path


@pytest.fixture(scope="session")
def data_mirror() -> Path:
    """Folder of public e-government data (``EGOVSTUDY_DATA_MIRROR``)."""
    path = _env_dir("EGOVSTUDY_DATA_MIRROR")
    if path is None:
        pytest.skip("public data mirror not found: set EGOVSTUDY_DATA_MIRROR "
                    "(see egovstudy.public)")
    return path


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
