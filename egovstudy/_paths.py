"""Where data lives: the repository tree, the user's mirror, the reference data.

Public e-government data are never committed; code reaches them through a folder
the user names (``EGOVSTUDY_DATA_MIRROR``). The small public reference datasets the
tests check against are committed in ``tests/data`` (see its README for sources and
licences); ``EGOVSTUDY_REFERENCE_DATA`` may point elsewhere.
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
    """Return the folder of reference datasets (``nist/``, ``rdatasets/``, ...).

    ``EGOVSTUDY_REFERENCE_DATA`` when it is set (``None`` when that folder does not
    exist); otherwise the repository's ``tests/data`` when present (a source checkout),
    else ``None`` (an installed package ships no test data).

    Examples
    --------
    >>> from egovstudy._paths import reference_data_dir
    >>> folder = reference_data_dir()
    >>> folder is None or folder.is_dir()
    True
    """
    if os.environ.get(REFERENCE_DATA_ENV, "").strip():
        return _env_dir(REFERENCE_DATA_ENV)
    bundled = project_root() / "tests" / "data"
    return bundled if bundled.is_dir() else None
