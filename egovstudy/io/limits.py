"""Resource limits of the readers: refuse hostile or absurd files before reading them.

A spreadsheet library fills a dense grid from the first cell to the last one
used, so one cell at ``XFD1048576`` in an otherwise empty 2 KB workbook asks for
17 billion cells (calamine then aborts the whole process, no Python error); a
4 MB zip can expand to gigabytes of XML; a SAV/DTA/Parquet header can declare
any number of rows. The checks here run before the library allocates anything:

- **Workbooks** (XLSX/XLSM/XLSB/ODS/XLS): :func:`egovstudy.io.workbook_limits.check_workbook`
  finds each sheet's last used cell (and zip bombs) without a spreadsheet library.
- **CSV, SPSS/Stata, Parquet**: the readers call :func:`check_shape` with the
  declared (or counted) rows and columns, and :func:`check_file_size`.

Every refusal is a one-line :class:`~egovstudy.errors.ResourceLimitError`
naming the file, the limit and how to raise it: the ``limits=`` argument of the
readers (a :class:`Limits` or a dict such as ``{"max_cells": 10**8}``) or an
environment variable ``EGOVSTUDY_<NAME>`` (``EGOVSTUDY_MAX_CELLS=100000000``).
See ``docs/limits.md``.

Examples
--------
>>> resolve_limits({"max_cells": 1000}).max_cells
1000
>>> resolve_limits(None).max_columns
20000
>>> resolve_limits({"max_cell": 5})  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
egovstudy.errors.ResourceLimitError: limits={'max_cell': ...}: ... did you mean 'max_cells'? ...
"""

from __future__ import annotations

import dataclasses
import difflib
import math
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from egovstudy.errors import ResourceLimitError

__all__ = ["Limits", "check_file_size", "check_shape", "refuse", "resolve_limits"]

MB = 1 << 20


@dataclasses.dataclass(frozen=True)
class Limits:
    """Resource limits applied by every reader (defaults documented in ``docs/limits.md``).

    Attributes
    ----------
    max_cells : int
        Rows x columns of one table (a worksheet's used grid, a CSV as it is
        read, a SAV/DTA/Parquet header's declared size). Reading costs about
        40-100 bytes per cell, so 50 million cells need a few GB.
    max_columns : int
        Columns of one table (CSV header fields, SAV/DTA/Parquet variables).
    max_uncompressed_mb : float
        Total declared uncompressed size of a workbook's zip members.
    max_compression_ratio : float
        Uncompressed / compressed size of any zip member above 1 MB (zip bombs).
    max_zip_members : int
        Members of a workbook's zip.
    max_header_kb : float
        Bytes of a CSV header line.
    max_line_mb : float
        Bytes of one CSV data line.
    max_file_mb : float
        Size of a file read whole or by a library with no cheaper check (legacy
        ``.xls``, a CSV that is not UTF-8, SAV/DTA/Parquet).
    max_sparsity : float
        A worksheet grid of more than a million cells may be at most this many
        times the cells actually written (a stray far cell makes a library fill
        the whole grid).
    """

    max_cells: int = 50_000_000
    max_columns: int = 20_000
    max_uncompressed_mb: float = 200.0
    max_compression_ratio: float = 100.0
    max_zip_members: int = 10_000
    max_header_kb: float = 1024.0
    max_line_mb: float = 16.0
    max_file_mb: float = 2048.0
    max_sparsity: float = 1000.0


_FIELDS = {f.name: f for f in dataclasses.fields(Limits)}
LimitsLike = Limits | Mapping[str, float] | None


def env_name(name: str) -> str:
    """The environment variable overriding limit ``name`` (``EGOVSTUDY_MAX_CELLS``)."""
    return "EGOVSTUDY_" + name.upper()


def _number(name: str, value: Any, where: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = math.nan
    if not math.isfinite(number) or number <= 0:
        raise ResourceLimitError(f"{where}: {name}={value!r} is not a positive number. Fix: "
                                 f"give a number above 0, e.g. {name}={getattr(Limits(), name)}")
    return int(number) if _FIELDS[name].type in (int, "int") else number


def resolve_limits(limits: LimitsLike = None) -> Limits:
    """Return the limits in force: ``limits=`` first, then ``EGOVSTUDY_*`` variables, then defaults.

    Raises
    ------
    ResourceLimitError
        An unknown limit name (with a suggestion) or a value that is not a positive number.
    """
    if isinstance(limits, Limits):
        return limits
    values: dict[str, float] = {}
    for name in _FIELDS:
        raw = os.environ.get(env_name(name))
        if raw is not None and raw.strip():
            values[name] = _number(name, raw.strip(), f"environment variable {env_name(name)}")
    if limits is not None:
        if not isinstance(limits, Mapping):
            raise ResourceLimitError(f"limits={limits!r}: not a Limits or a dict. Fix: pass "
                                     "e.g. limits={'max_cells': 100_000_000}")
        for name, value in limits.items():
            if name not in _FIELDS:
                close = difflib.get_close_matches(str(name), list(_FIELDS), n=1)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                raise ResourceLimitError(f"limits={{{name!r}: ...}}: unknown limit {name!r}{hint} "
                                         f"Fix: use one of {', '.join(_FIELDS)}")
            values[name] = _number(name, value, f"limits={{{name!r}: ...}}")
    return dataclasses.replace(Limits(), **values)  # type: ignore[arg-type]


def _fix(name: str, limits: Limits) -> str:
    value = getattr(limits, name)
    bigger = value * 4 if isinstance(value, int) else round(value * 4, 1)
    return (f"Fix: if the file is trusted, raise the limit with limits={{'{name}': {bigger}}} "
            f"or the environment variable {env_name(name)}={bigger} (see docs/limits.md)")


def refuse(path: Path | str, what: str, name: str, limits: Limits) -> ResourceLimitError:
    """Build the one-line error for a file ``what`` exceeds limit ``name``."""
    value = getattr(limits, name)
    shown = f"{value:,}" if isinstance(value, int) else f"{value:g}"
    return ResourceLimitError(f"file {path}: {what}, above the limit {name}={shown}. "
                              + _fix(name, limits))


def check_file_size(path: Path, limits: Limits, why: str = "") -> int:
    """Refuse a file larger than ``max_file_mb``; return its size in bytes."""
    size = path.stat().st_size
    if size > limits.max_file_mb * MB:
        raise refuse(path, f"is {size / MB:,.1f} MB{why}", "max_file_mb", limits)
    return size


def check_shape(path: Path | str, rows: int, columns: int, limits: Limits,
                verb: str = "declares") -> None:
    """Refuse a table of more than ``max_columns`` columns or ``max_cells`` cells."""
    if columns > limits.max_columns:
        raise refuse(path, f"{verb} {columns:,} columns", "max_columns", limits)
    if rows * columns > limits.max_cells:
        raise refuse(path, f"{verb} {rows:,} rows x {columns:,} columns = "
                     f"{rows * columns:,} cells", "max_cells", limits)
