"""Ookla internet speeds by country: yearly means 2019-2024 and the Global Index (Aug 2024).

Examples
--------
>>> load_ookla_speed.__name__
'load_ookla_speed'
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import pandas as pd

from egovstudy.errors import DataFormatError
from egovstudy.public._schema import check_duplicates, check_policy, require_columns, to_number
from egovstudy.public.countries import to_iso3
from egovstudy.public.sources import find_file

__all__ = ["load_ookla_global_index", "load_ookla_speed"]


def load_ookla_speed(*, wide: bool = False, path: str | Path | None = None,
                     mirror: str | Path | None = None, duplicates: str = "warn") -> pd.DataFrame:
    """Mean download speed (Mbps) by country, year and connection type, from Ookla open data.

    Returns ``iso3, country, year, connection`` (fixed / mobile), ``mbps`` (weighted by
    tests), ``mbps_pop`` (population-weighted), ``k_tests`` (thousands of tests). With
    ``wide=True``: one row per country-year, columns ``fixed_mbps, mobile_mbps,
    fixed_mbps_pop, mobile_mbps_pop``.

    Examples
    --------
    >>> import io
    >>> csv = io.StringIO("Country,avg_d_mbps,avg_d_mbps_w,k_tests,year,d_type\\n"
    ...                   "Indonesia,20.1,18.0,900.0,2022,fixed\\n")
    >>> load_ookla_speed(path=csv)[["iso3", "connection", "mbps"]].values.tolist()
    [['IDN', 'fixed', 20.1]]
    """
    src = path if path is not None else find_file(
        "ookla_speed_2019_2024", "internet_speed_summary_by_country.csv", mirror=mirror)
    raw = pd.read_csv(src)
    cols = {"Country": "country", "year": "year", "d_type": "connection",
            "avg_d_mbps": "mbps", "avg_d_mbps_w": "mbps_pop", "k_tests": "k_tests"}
    require_columns(raw, cols, source="Ookla speed", path=str(src))
    out = raw.rename(columns=cols)[list(cols.values())]
    out["country"] = out["country"].astype(str).str.strip()
    out.insert(0, "iso3", to_iso3(out["country"], source="Ookla speed").codes)
    out["year"] = out["year"].astype("Int64")
    for col in ("mbps", "mbps_pop", "k_tests"):
        out[col] = to_number(out[col])
    check_duplicates(out, ["iso3", "year", "connection"], source="Ookla speed",
                     policy=check_policy(duplicates))
    if not wide:
        return out.reset_index(drop=True)
    w = out.dropna(subset=["iso3"]).pivot_table(index=["iso3", "year"], columns="connection",
                                                values=["mbps", "mbps_pop"], aggfunc="first")
    w.columns = [f"{conn}_{val}" for val, conn in w.columns]
    return w.reset_index()


def load_ookla_global_index(connection: Literal["fixed", "mobile"] = "fixed", *,
                            mirror: str | Path | None = None) -> pd.DataFrame:
    """Ookla Speedtest Global Index, August 2024 medians: ``iso3, country, mbps, major_area,
    region``.

    Examples
    --------
    >>> load_ookla_global_index.__name__
    'load_ookla_global_index'
    """
    files = {"fixed": "sgi_fb_aug_2024_upd.csv", "mobile": "sgi_mob_aug_2024.csv"}
    if connection not in files:
        raise DataFormatError(f"connection={connection!r}; use 'fixed' or 'mobile'")
    src = find_file("ookla_sgi_aug2024", files[connection], mirror=mirror)
    raw = pd.read_csv(src)
    require_columns(raw, ["mbps", "country", "major_area", "region"], source="Ookla SGI",
                    path=str(src))
    raw["country"] = raw["country"].astype(str).str.strip()
    raw.insert(0, "iso3", to_iso3(raw["country"], source="Ookla SGI").codes)
    raw["mbps"] = to_number(raw["mbps"])
    check_duplicates(raw, ["iso3"], source="Ookla SGI")
    return raw[["iso3", "country", "mbps", "major_area", "region"]].reset_index(drop=True)
