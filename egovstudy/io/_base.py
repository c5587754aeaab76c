"""The common result of every reader: a raw table plus what was learnt reading it."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from egovstudy.errors import DataQualityWarning

__all__ = ["RawTable", "dedupe_columns", "warn"]


@dataclass
class RawTable:
    """A parsed export before the codebook is applied.

    Attributes
    ----------
    frame : DataFrame
        One column per export column (duplicated names get ``.1``, ``.2``
        suffixes); text as categorical/object, numbers as float.
    path : str
        The file read.
    format : str
        ``csv``, ``excel``, ``spss``, ``stata`` or ``parquet``.
    encoding, delimiter, decimal : str or None
        As detected (text formats).
    first_row : int
        Spreadsheet row number of the first data row (header = row 1).
    value_labels : dict
        ``column -> {code: label}`` (SPSS/Stata).
    user_missing : dict
        ``column -> [(low, high), ...]`` user-missing ranges (SPSS).
    column_labels : dict
        ``column -> variable label`` (SPSS/Stata).
    extended_missing : dict
        ``column -> letters`` (Stata): for each numeric variable with extended missing
        values (``.a``-``.z``), a string Series of the letters at the rows that had
        them; the values themselves are read as missing.
    duplicated_columns : dict
        ``header -> [positions]`` for headers that occur more than once.
    notes : list of str
        What the reader detected (encoding, merged headers, ...).
    """

    frame: pd.DataFrame
    path: str
    format: str
    encoding: str | None = None
    delimiter: str | None = None
    decimal: str | None = None
    first_row: int = 2
    value_labels: dict[str, dict[Any, str]] = field(default_factory=dict)
    user_missing: dict[str, list[tuple[float, float]]] = field(default_factory=dict)
    column_labels: dict[str, str] = field(default_factory=dict)
    extended_missing: dict[str, Any] = field(default_factory=dict)
    duplicated_columns: dict[str, list[int]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def options(self) -> dict[str, Any]:
        """What was detected, for manifests."""
        return {"format": self.format, "encoding": self.encoding, "delimiter": self.delimiter,
                "decimal": self.decimal, "first_row": self.first_row}


def dedupe_columns(names: list[str]) -> tuple[list[str], dict[str, list[int]]]:
    """Return unique names (``x``, ``x.1``, ...) and the duplicated headers' positions."""
    seen: dict[str, int] = {}
    positions: dict[str, list[int]] = {}
    out = []
    for i, name in enumerate(names):
        positions.setdefault(name, []).append(i + 1)
        if name in seen:
            seen[name] += 1
            new = f"{name}.{seen[name]}"
            while new in positions:
                seen[name] += 1
                new = f"{name}.{seen[name]}"
            out.append(new)
        else:
            seen[name] = 0
            out.append(name)
    return out, {k: v for k, v in positions.items() if len(v) > 1}


def warn(message: str) -> None:
    """Emit a :class:`DataQualityWarning` attributed to the caller of the loader."""
    warnings.warn(message, DataQualityWarning, stacklevel=4)
