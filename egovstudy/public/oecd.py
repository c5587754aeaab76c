"""OECD Digital Government Index 2023 (six dimensions and the composite, 0-1).

Examples
--------
>>> DGI_DIMENSIONS[0]
'digital_design'
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from egovstudy.public._schema import check_duplicates, check_policy, require_columns, to_number
from egovstudy.public.sources import find_file

__all__ = ["DGI_DIMENSIONS", "load_oecd_dgi"]

DGI_DIMENSIONS = ("digital_design", "data_driven", "govt_as_platform", "open_default",
                  "user_driven", "proactiveness")


def load_oecd_dgi(path: str | Path | None = None, *, mirror: str | Path | None = None,
                  duplicates: str = "warn") -> pd.DataFrame:
    """OECD DGI 2023: one row per country with ``iso3, year`` and the six dimensions,
    ``composite_index`` and ``composite_rank``.

    Reads the long extraction (``cc_iso3c, ref_year, variable, value``) of the
    scores published in the OECD 2023 Digital Government Index paper.

    Examples
    --------
    >>> import io
    >>> csv = io.StringIO('cc_iso3c,ref_year,variable,value\\nKOR,2023,composite_index,0.935\\n')
    >>> load_oecd_dgi(csv)[["iso3", "composite_index"]].values.tolist()
    [['KOR', 0.935]]
    """
    src = path if path is not None else find_file("bipa2024_public_admin",
                                                  "raw/oecd_dgi_2023.csv", mirror=mirror)
    raw = pd.read_csv(src, encoding="utf-8-sig")
    require_columns(raw, ["cc_iso3c", "ref_year", "variable", "value"], source="OECD DGI",
                    path=str(src))
    raw["value"] = to_number(raw["value"])
    check_duplicates(raw, ["cc_iso3c", "ref_year", "variable"], source="OECD DGI",
                     policy=check_policy(duplicates))
    wide = raw.pivot_table(index=["cc_iso3c", "ref_year"], columns="variable", values="value",
                           aggfunc="first").reset_index()
    wide.columns.name = None
    wide = wide.rename(columns={"cc_iso3c": "iso3", "ref_year": "year"})
    wide["iso3"] = wide["iso3"].astype("string")
    wide["year"] = wide["year"].astype("Int64")
    if "composite_rank" in wide:
        wide["composite_rank"] = wide["composite_rank"].astype("Int64")
    return wide.sort_values("iso3").reset_index(drop=True)
