"""The package imports light, exposes what it promises, and never writes data/raw."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys

import pytest

import egovstudy
from egovstudy import _LAZY
from egovstudy.errors import EgovStudyError

HEAVY = ["scipy", "statsmodels", "matplotlib", "seaborn", "semopy", "dask", "sklearn", "pandas"]


def test_import_egovstudy_loads_no_heavy_library() -> None:
    code = ("import sys, json, egovstudy; "
            f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == []


@pytest.mark.parametrize("name", sorted(_LAZY))
def test_every_public_name_resolves(name: str) -> None:
    obj = getattr(egovstudy, name)
    assert obj is getattr(importlib.import_module(_LAZY[name]), name)


def test_unknown_attribute_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'nonexistent'"):
        egovstudy.nonexistent  # noqa: B018


def test_errors_share_one_base() -> None:
    for name in ("CodebookError", "DataFormatError", "LabelError", "ModelSpecError",
                 "InsufficientDataError", "OutputError", "DataSourceError"):
        assert issubclass(getattr(egovstudy, name), EgovStudyError)
