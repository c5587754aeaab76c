"""Where data lives: the repository tree, the user's mirror, the reference data.

Public data files and reference datasets are never committed; code reaches them
through folders the user names with environment variables.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["DATA_MIRROR_ENV", "REFERENCE_DATA_ENV", "data_mirror", "project_root",
           "reference_data_dir"]

DATA_MIRROR_ENV = "EGOVSTUDY_DATA_MIRROR"
REFERENCE_DATA_ENV = "EGOVSTUDY_REFERENCE_DATA"


def project_root() -> Path:
    """Return the repository root (the folder holding ``pyproject.toml``)."""
    return Path(__file__).resolve().parent.parent


def _env_dir(name: str) -> Path | None:
    value = os.environ.get(name, "").strip()
    if not value:
        return None
    path = Path(value).expanduser()
    return path if path.is_dir() else None


def data_mirror() -> Path | None:
    """Return the public-data mirror named by ``EGOVSTUDY_DATA_MIRROR``, if it exists."""
    return _env_dir(DATA_MIRROR_ENV)


def reference_data_dir() -> Path | None:
    """Return the reference-data folder named by ``EGOVSTUDY_REFERENCE_DATA``, if it exists."""
    return _env_dir(REFERENCE_DATA_ENV)
