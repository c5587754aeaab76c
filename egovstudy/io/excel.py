"""Excel exports (XLSX, XLSM, XLS, ODS) through the fast calamine engine.

A header spread over two rows (a merged cell above its sub-columns, as in a
Google Forms grid or a hand-made sheet) is detected and combined as
``"Top [bottom]"`` with a :class:`~egovstudy.errors.DataQualityWarning`; pass
``header_rows=1`` to switch detection off.

Examples
--------
>>> import tempfile, os
>>> import pandas as pd
>>> path = os.path.join(tempfile.mkdtemp(), "x.xlsx")
>>> pd.DataFrame({"NIP": ["1", "2"], "Q1": ["Setuju", "Netral"]}).to_excel(path, index=False)
>>> raw = read_excel(path)
>>> raw.frame["Q1"].tolist(), raw.first_row
(['Setuju', 'Netral'], 2)
"""

from __future__ import annotations

import datetime as _dt
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from egovstudy.errors import DataFormatError
from egovstudy.io._base import RawTable, dedupe_columns, warn
from egovstudy.io.limits import LimitsLike, check_shape, resolve_limits
from egovstudy.io.workbook_limits import check_workbook

__all__ = ["read_excel"]


def _blank(v: Any) -> bool:
    return v is None or (isinstance(v, float) and np.isnan(v)) or (isinstance(v, str)
                                                                    and not v.strip())


def _text(v: Any) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def _tidy_column(values: list[Any]) -> pd.Series:
    """One export column: numbers -> float, dates -> datetime, otherwise text."""
    present = [v for v in values if not _blank(v)]
    if present and all(isinstance(v, int | float) and not isinstance(v, bool) for v in present):
        return pd.Series([np.nan if _blank(v) else float(v) for v in values], dtype="float64")
    if present and all(isinstance(v, _dt.datetime | _dt.date | pd.Timestamp) for v in present):
        return pd.Series(pd.to_datetime([None if _blank(v) else v for v in values]))
    return pd.Series([None if _blank(v) else _text(v) for v in values], dtype="object")


def read_excel(path: str | Path, *, sheet: str | int | None = None,
               header_rows: int | None = None, limits: LimitsLike = None) -> RawTable:
    """Read one sheet of a workbook into a :class:`RawTable`.

    Parameters
    ----------
    path : str or Path
    sheet : str or int, optional
        Sheet name or position (default: the first sheet).
    header_rows : int, optional
        Number of header rows; detected when omitted (1 or 2).
    limits : Limits or dict, optional
        Resource limits (``{"max_cells": ...}``); default from ``EGOVSTUDY_*``
        environment variables, see :mod:`egovstudy.io.limits` and ``docs/limits.md``.

    Raises
    ------
    DataFormatError
        Unreadable workbook, unknown sheet, empty sheet or a sheet with no data rows.
    ResourceLimitError
        A zip bomb, a sheet whose used grid is above ``max_cells``, ... (checked
        before the workbook is read).
    """
    p = Path(path)
    if not p.is_file():
        raise DataFormatError(f"file {p}: not found. Fix: check the path")
    if p.stat().st_size == 0:
        raise DataFormatError(f"file {p}: the file is empty (0 bytes). Fix: export again")
    lim = resolve_limits(limits)
    check_workbook(p, lim)
    try:
        grid = pd.read_excel(p, sheet_name=0 if sheet is None else sheet, header=None,
                             dtype=object, engine="calamine")
    except ValueError as exc:
        if "sheet" in str(exc).lower() or "worksheet" in str(exc).lower():
            raise DataFormatError(f"file {p}: no sheet {sheet!r} ({exc}). Fix: pass sheet= "
                                  "with an existing sheet name") from None
        raise DataFormatError(f"file {p}: cannot read as a workbook ({exc}). Fix: open it in "
                              "Excel and save it again as .xlsx") from None
    except BaseException as exc:  # calamine's own errors, and its Rust panics (BaseException)
        if isinstance(exc, KeyboardInterrupt | SystemExit | GeneratorExit | MemoryError):
            raise
        raise DataFormatError(f"file {p}: cannot read as a workbook ({type(exc).__name__}: "
                              f"{exc}). Fix: open it in Excel and save it again as .xlsx"
                              ) from None
    check_shape(p, grid.shape[0], grid.shape[1], lim, verb="holds")
    rows = grid.to_numpy(dtype=object).tolist()
    while rows and all(_blank(v) for v in rows[0]):  # leading blank rows
        rows.pop(0)
    if not rows:
        raise DataFormatError(f"file {p}: the sheet is empty. Fix: pass sheet= naming the "
                              "sheet with the responses")
    top = rows[0]
    notes: list[str] = []
    n_header = header_rows
    if n_header is None:
        n_header = 1
        if len(rows) >= 3:
            second = rows[1]
            gaps = [j for j, v in enumerate(top) if _blank(v)]
            filled_below = [j for j in gaps if isinstance(second[j], str) and second[j].strip()]
            second_text = all(isinstance(v, str) or _blank(v) for v in second)
            labels = [_text(v) for v in second if not _blank(v)]
            repeated = any(_text(second[j]) == _text(r[j]) for j in filled_below
                           for r in rows[2:22] if not _blank(r[j]))
            if (filled_below and second_text and len(set(labels)) == len(labels)
                    and not repeated):
                n_header = 2
    if n_header == 2:
        second = rows[1]
        names = []
        current = ""
        for j, (a, b) in enumerate(zip(top, second)):
            if not _blank(a):
                current = _text(a)
            elif _blank(b):
                current = ""
            upper = current if (not _blank(a) or not _blank(b)) else ""
            lower = "" if _blank(b) else _text(b)
            if upper and lower:
                names.append(f"{upper} [{lower}]")
            else:
                names.append(upper or lower or f"column{j + 1}")
        warn(f"file {p}: rows 1-2 form a two-row (merged) header; columns were named "
             "'Top [bottom]' (e.g. " + repr(next((n for n in names if "[" in n), names[0]))
             + "). Fix: pass header_rows=1 if row 2 is data")
        notes.append("two-row merged header combined as 'Top [bottom]'")
    elif n_header == 1:
        names = [_text(v) if not _blank(v) else f"column{j + 1}" for j, v in enumerate(top)]
    else:
        raise DataFormatError(f"file {p}: header_rows={header_rows} is not supported. "
                              "Fix: use 1 or 2")
    body = rows[n_header:]
    # drop trailing blank rows
    while body and all(_blank(v) for v in body[-1]):
        body.pop()
    if not body:
        raise DataFormatError(f"file {p}: has a header but no data rows. Fix: export again "
                              "after responses have been collected")
    unique, dups = dedupe_columns(names)
    columns = {name: _tidy_column([r[j] for r in body]) for j, name in enumerate(unique)}
    frame = pd.DataFrame(columns)
    return RawTable(frame=frame, path=str(p), format="excel", first_row=n_header + 1,
                    duplicated_columns=dups, notes=notes)
