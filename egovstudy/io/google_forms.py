"""Google Forms conventions: the Timestamp column and grid headers ``Question [row]``.

Examples
--------
>>> import pandas as pd
>>> parse_timestamp(pd.Series(["2026/09/01 7:31:05 AM GMT+7", None])).tolist()
[Timestamp('2026-09-01 07:31:05'), NaT]
>>> split_grid_header("Kualitas layanan [Kecepatan]")
('Kualitas layanan', 'Kecepatan')
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from egovstudy.errors import DataFormatError
from egovstudy.io._base import warn

__all__ = ["parse_timestamp", "split_grid_header"]

_GRID = re.compile(r"^(?P<q>.*\S)\s*\[(?P<row>[^\[\]]+)\]\s*$")
_TZ = re.compile(r"\s*(GMT|UTC)\s*[+-]?\d{0,2}(:?\d{2})?\s*$", re.IGNORECASE)
_FORMATS = [
    "%Y/%m/%d %I:%M:%S %p", "%Y/%m/%d %H:%M:%S", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H.%M.%S",
    "%m/%d/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d-%m-%Y %H:%M:%S", "%Y-%m-%d %H:%M:%S",
    "%m/%d/%Y %I:%M:%S %p", "%d/%m/%Y", "%Y-%m-%d",
]
_EXCEL_EPOCH = pd.Timestamp("1899-12-30")


def split_grid_header(header: str) -> tuple[str, str | None]:
    """Split a Google Forms grid header ``"Question [row]"`` into its two parts."""
    m = _GRID.match(str(header))
    if not m:
        return str(header).strip(), None
    return m.group("q").strip(), m.group("row").strip()


def parse_timestamp(series: pd.Series, fmt: str | None = None, *, column: str = "Timestamp",
                    file: str | None = None, first_row: int = 2) -> pd.Series:
    """Parse submission times (Google Forms, Kobo ISO 8601, Excel serial numbers).

    Time-zone suffixes (``GMT+7``) are dropped and aware times are kept as wall-clock
    time. Excel serial numbers (``46266.31``) are converted with a
    :class:`~egovstudy.errors.DataQualityWarning`.

    Raises
    ------
    DataFormatError
        Naming the rows whose text is not a time in the format found.
    """
    where = f"file {file}, " if file else ""
    if pd.api.types.is_datetime64_any_dtype(series):
        out = pd.to_datetime(series)
        return out.dt.tz_localize(None) if out.dt.tz is not None else out
    if isinstance(series.dtype, pd.CategoricalDtype):
        series = series.astype(object)
    text = series.astype("string").str.strip()
    present = text.notna() & (text != "")
    nums = pd.to_numeric(text, errors="coerce")
    if present.any() and nums[present].notna().all():
        vals = nums[present]
        if vals.between(1, 2_958_465).all():
            warn(f"{where}column '{column}': times stored as Excel serial numbers (e.g. "
                 f"{vals.iloc[0]:g}); converted from the 1899-12-30 epoch. Fix: format the "
                 "column as a date in the spreadsheet before exporting")
            days = nums.to_numpy(dtype="float64")
            out = _EXCEL_EPOCH + pd.to_timedelta(np.round(days * 86400), unit="s")
            return pd.Series(out, index=series.index)
    text = text.str.replace(_TZ, "", regex=True)
    candidates = [fmt] if fmt else _FORMATS
    best: pd.Series | None = None
    best_bad = None
    for f in candidates:
        parsed = pd.to_datetime(text, format=f, errors="coerce")
        bad = present & parsed.isna()
        if not bad.any():
            best = parsed
            break
        if best_bad is None or bad.sum() < best_bad.sum():
            best, best_bad = parsed, bad
    if fmt is None and best_bad is not None:  # ISO 8601 (Kobo), with time zones
        try:
            iso = pd.to_datetime(text, format="ISO8601", errors="coerce", utc=False)
            if iso.dt.tz is not None:
                iso = iso.dt.tz_localize(None)
            bad = present & iso.isna()
            if not bad.any() or bad.sum() < best_bad.sum():
                best, best_bad = iso, bad if bad.any() else None
        except (ValueError, TypeError, AttributeError):
            pass
    assert best is not None
    bad_mask = present & best.isna()
    if bad_mask.any():
        rows = (np.flatnonzero(bad_mask.to_numpy()) + first_row).tolist()
        examples = text[bad_mask].head(3).tolist()
        hint = f"the format {fmt!r}" if fmt else "any known date format"
        raise DataFormatError(
            f"{where}column '{column}': {int(bad_mask.sum())} value(s) do not match {hint} "
            f"(rows {', '.join(map(str, rows[:8]))}; e.g. {examples}). Fix: set "
            "columns.timestamp_format in the codebook (e.g. '%d/%m/%Y %H:%M:%S') or correct "
            "the values")
    return pd.Series(best, index=series.index)
