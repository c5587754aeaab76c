"""The optional compiled extensions, and the one switch that turns them all off.

``egovstudy._countcore`` (bootstrap draws) and ``egovstudy.io._csvcore`` (CSV
parsing) are built by ``make install`` when a C compiler is present; each has a
Python path that gives the same results. ``EGOVSTUDY_NO_EXTENSION=1`` makes every
caller take the Python path.
"""

from __future__ import annotations

import importlib
import os
from typing import Any

__all__ = ["compiled"]


def compiled(name: str) -> Any:
    """The compiled module ``name``, or ``None`` (not built, or switched off).

    Parameters
    ----------
    name : str
        Its dotted name, e.g. ``"egovstudy._countcore"``.

    Examples
    --------
    >>> compiled("egovstudy._no_such_extension") is None
    True
    """
    if os.environ.get("EGOVSTUDY_NO_EXTENSION", "").strip().lower() in ("1", "true", "yes"):
        return None
    try:
        return importlib.import_module(name)
    except ImportError:
        return None
