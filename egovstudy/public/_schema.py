"""Schema and duplicate checks shared by the public-data loaders."""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Literal

import pandas as pd

from egovstudy.errors import DataFormatError, DataQualityError, DataQualityWarning

DuplicatePolicy = Literal["warn", "raise", "ignore"]
_POLICIES = ("warn", "raise", "ignore")


def require_columns(frame: pd.DataFrame, expected: Iterable[str], *, source: str,
                    path: str | Path | None = None) -> None:
    """Raise a DataFormatError naming the expected and the found columns.

    Examples
    --------
    >>> require_columns(pd.DataFrame({"a": [1]}), ["a"], source="demo")
    >>> try:
    ...     require_columns(pd.DataFrame({"b": [1]}), ["a"], source="demo")
    ... except DataFormatError as err:
    ...     print(str(err).split(";")[0])
    demo: column(s) ['a'] not found
    """
    expected = list(expected)
    missing = [c for c in expected if c not in frame.columns]
    if missing:
        where = f" in {path}" if path is not None else ""
        raise DataFormatError(
            f"{source}: column(s) {missing} not found{where}; expected columns {expected}, "
            f"found columns {list(map(str, frame.columns))}. A new edition may have renamed "
            "columns: rename them to the expected names or pass the file to the loader of "
            "the matching edition"
        )


def check_duplicates(frame: pd.DataFrame, keys: Sequence[str], *, source: str,
                     policy: DuplicatePolicy = "warn") -> pd.DataFrame:
    """Report rows sharing the same ``keys`` (e.g. iso3 and year); return the duplicates.

    Duplicates are never dropped silently: ``policy="warn"`` issues a
    :class:`DataQualityWarning` listing them, ``"raise"`` raises
    :class:`DataQualityError`, ``"ignore"`` only returns them.

    Examples
    --------
    >>> df = pd.DataFrame({"iso3": ["IDN", "IDN"], "year": [2022, 2022]})
    >>> len(check_duplicates(df, ["iso3", "year"], source="demo", policy="ignore"))
    2
    """
    if policy not in _POLICIES:
        raise DataFormatError(f"duplicates={policy!r} is not allowed; use one of {_POLICIES}")
    sub = frame.dropna(subset=list(keys))
    dup = sub[sub.duplicated(subset=list(keys), keep=False)]
    if len(dup) and policy != "ignore":
        shown = dup[list(keys)].drop_duplicates().head(10).to_dict("records")
        msg = (f"{source}: {len(dup)} rows share the same {list(keys)} (first: {shown}); "
               "keep one row per key before analysing, e.g. frame.drop_duplicates("
               f"subset={list(keys)})")
        if policy == "raise":
            raise DataQualityError(msg)
        warnings.warn(msg, DataQualityWarning, stacklevel=3)
    return dup


def to_number(values: pd.Series) -> pd.Series:
    """Coerce text to float: thousands separators removed, codes like 'D' or 'N/A' -> NaN.

    Examples
    --------
    >>> to_number(pd.Series(["1,200", "D", 3])).tolist()
    [1200.0, nan, 3.0]
    """
    if values.dtype.kind in "if":
        return values.astype(float)
    text = values.astype("string").str.replace(",", "", regex=False).str.strip()
    return pd.to_numeric(text, errors="coerce").astype(float)


def check_policy(policy: str) -> DuplicatePolicy:
    if policy not in _POLICIES:
        raise DataFormatError(f"duplicates={policy!r} is not allowed; use one of {_POLICIES}")
    return policy  # type: ignore[return-value]
