"""Maps: a world choropleth by ISO3 code and a map of Indonesia's provinces, offline.

Names are imported lazily (``import egovstudy.maps`` loads no plotting code).

Examples
--------
>>> from egovstudy.maps import world_map, province_map
>>> callable(world_map) and callable(province_map)
True
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = ["PROVINCES", "equal_earth", "match_countries", "match_provinces", "province_map",
           "world_map"]

_LAZY = {"world_map": "draw", "province_map": "draw", "match_countries": "draw",
         "equal_earth": "projection", "PROVINCES": "provinces",
         "match_provinces": "provinces"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(f"egovstudy.maps.{_LAZY[name]}"), name)
    raise AttributeError(f"module 'egovstudy.maps' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
