"""One reader per source format, all returning a :class:`RawTable`.

:func:`read_raw` picks the reader from the file extension (or ``source=``):
CSV (``csv.py``), Excel (``excel.py``), SPSS/Stata (``spss.py``), Parquet
(``parquet.py``); Google Forms and KoboToolbox conventions live in
``google_forms.py`` and ``kobo.py`` and are applied by :func:`egovstudy.load_survey`.
"""

from __future__ import annotations

from pathlib import Path

from egovstudy.errors import DataFormatError
from egovstudy.io._base import RawTable
from egovstudy.io.limits import Limits, LimitsLike

__all__ = ["SOURCES", "Limits", "RawTable", "read_raw"]

#: ``source=`` values accepted by :func:`read_raw` and :func:`egovstudy.load_survey`.
SOURCES = ("csv", "excel", "spss", "stata", "parquet", "google_forms", "kobo")
_EXT = {".csv": "csv", ".txt": "csv", ".tsv": "csv", ".xlsx": "excel", ".xlsm": "excel",
        ".xls": "excel", ".xlsb": "excel", ".ods": "excel", ".sav": "spss", ".zsav": "spss",
        ".dta": "stata", ".parquet": "parquet", ".pq": "parquet"}


def file_format(path: str | Path, source: str | None = None) -> str:
    """Return the file format (csv, excel, spss, stata, parquet) of an export."""
    p = Path(path)
    if source is not None and source not in SOURCES:
        raise DataFormatError(f"source={source!r} is not known. Fix: use one of "
                              f"{', '.join(SOURCES)}")
    if source in ("csv", "excel", "spss", "stata", "parquet"):
        return source
    fmt = _EXT.get(p.suffix.lower())
    if fmt is None:
        raise DataFormatError(f"file {p}: unknown extension {p.suffix!r}. Fix: pass source= "
                              f"(one of {', '.join(SOURCES)}) or rename the file")
    return fmt


def read_raw(path: str | Path, *, source: str | None = None, encoding: str | None = None,
             delimiter: str | None = None, decimal: str | None = None,
             sheet: str | int | None = None, header_rows: int | None = None,
             columns: list[str] | None = None, limits: LimitsLike = None) -> RawTable:
    """Read any supported export into a :class:`RawTable`.

    ``limits`` (a :class:`Limits` or a dict such as ``{"max_cells": 10**8}``)
    overrides the resource limits every reader enforces before allocating (see
    ``docs/limits.md``; default from ``EGOVSTUDY_*`` environment variables).

    Examples
    --------
    >>> import tempfile, os
    >>> with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False) as fh:
    ...     _ = fh.write("a,b\\n1,2\\n")
    >>> read_raw(fh.name).frame.shape
    (1, 2)
    >>> os.remove(fh.name)
    """
    fmt = file_format(path, source)
    if fmt == "csv":
        from egovstudy.io.csv import read_csv

        return read_csv(path, encoding=encoding, delimiter=delimiter, decimal=decimal,
                        columns=columns, limits=limits)
    if fmt == "excel":
        from egovstudy.io.excel import read_excel

        return read_excel(path, sheet=sheet, header_rows=header_rows, limits=limits)
    if fmt == "spss":
        from egovstudy.io.spss import read_spss

        return read_spss(path, columns=columns, limits=limits)
    if fmt == "stata":
        from egovstudy.io.spss import read_stata

        return read_stata(path, columns=columns, limits=limits)
    from egovstudy.io.parquet import read_parquet

    return read_parquet(path, columns=columns, limits=limits)
