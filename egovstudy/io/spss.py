"""SPSS ``.sav``/``.zsav`` and Stata ``.dta`` files through pyreadstat.

Codes are read as numbers (no label strings are materialised, which keeps a
large file fast and small); value labels, variable labels and SPSS
user-missing ranges come along in the :class:`RawTable` and are applied by
:func:`egovstudy.load_survey`.

Examples
--------
>>> import tempfile, os
>>> import pandas as pd, pyreadstat
>>> path = os.path.join(tempfile.mkdtemp(), "x.sav")
>>> pyreadstat.write_sav(pd.DataFrame({"q1": [1.0, 4.0, 9.0]}), path,
...                      variable_value_labels={"q1": {1: "Sangat Tidak Setuju", 4: "Setuju"}},
...                      missing_ranges={"q1": [9]})
>>> raw = read_spss(path)
>>> raw.value_labels["q1"][4], raw.user_missing["q1"]
('Setuju', [(9.0, 9.0)])
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from egovstudy.errors import DataFormatError
from egovstudy.io._base import RawTable
from egovstudy.io.limits import LimitsLike, check_file_size, check_shape, resolve_limits

__all__ = ["read_spss", "read_stata"]


def _ranges(meta: Any) -> dict[str, list[tuple[float, float]]]:
    out: dict[str, list[tuple[float, float]]] = {}
    for col, spec in (getattr(meta, "missing_ranges", None) or {}).items():
        pairs = []
        for r in spec:
            try:
                pairs.append((float(r["lo"]), float(r["hi"])))
            except (TypeError, ValueError, KeyError):
                continue
        if pairs:
            out[col] = pairs
    for col, values in (getattr(meta, "missing_user_values", None) or {}).items():
        for v in values:
            try:
                out.setdefault(col, []).append((float(v), float(v)))
            except (TypeError, ValueError):
                continue
    return out


def _read(path: str | Path, kind: str, columns: list[str] | None,
          limits: LimitsLike = None) -> RawTable:
    import pyreadstat

    p = Path(path)
    if not p.is_file():
        raise DataFormatError(f"file {p}: not found. Fix: check the path")
    if p.stat().st_size == 0:
        raise DataFormatError(f"file {p}: the file is empty (0 bytes). Fix: save it again")
    lim = resolve_limits(limits)
    check_file_size(p, lim)
    reader = pyreadstat.read_sav if kind == "spss" else pyreadstat.read_dta
    try:
        # the header first: pyreadstat allocates its arrays from the declared row
        # count, so an absurd header is refused before any data is read
        _empty, head = reader(str(p), metadataonly=True)
        n_cols = len(columns) if columns is not None else int(head.number_columns or 0)
        declared = head.number_rows
        if declared is not None and declared >= 0:
            check_shape(p, int(declared), n_cols, lim)
        else:  # row count not in the header: read at most what the limit allows
            check_shape(p, 0, n_cols, lim)
        row_limit = lim.max_cells // max(n_cols, 1) + 1
        # user_missing: SPSS user-missing codes and Stata's extended missing values
        # (.a-.z) come back as themselves, so their distinction is not lost
        frame, meta = reader(str(p), apply_value_formats=False, user_missing=True,
                             usecols=columns, row_limit=row_limit)
    except Exception as exc:  # pyreadstat raises ReadstatError/PyreadstatError for bad files
        if isinstance(exc, DataFormatError):
            raise
        raise DataFormatError(f"file {p}: cannot read as {kind.upper()} ({type(exc).__name__}: "
                              f"{exc}). Fix: save the file again from {kind.upper()} (the "
                              "file may be truncated)") from None
    if frame.shape[0] >= row_limit:  # more rows than the header said
        check_shape(p, frame.shape[0], frame.shape[1], lim, verb="holds over")
    if frame.shape[0] == 0:
        raise DataFormatError(f"file {p}: has variables but no cases. Fix: save the data "
                              "again with the responses")
    labels = {k: dict(v) for k, v in (meta.variable_value_labels or {}).items()}
    col_labels = {k: v for k, v in (meta.column_names_to_labels or {}).items() if v}
    notes = [f"{kind} file, {frame.shape[1]} variables"]
    extended: dict[str, Any] = {}
    if kind == "stata":
        extended, more = _extended_missing(frame, meta)
        notes += more
    return RawTable(frame=frame, path=str(p), format=kind, encoding=meta.file_encoding,
                    first_row=1, value_labels=labels,
                    user_missing={} if kind == "stata" else _ranges(meta),
                    column_labels=col_labels, extended_missing=extended, notes=notes)


_LETTERS = [chr(c) for c in range(ord("a"), ord("z") + 1)]


def _extended_missing(frame: Any, meta: Any) -> tuple[dict[str, Any], list[str]]:
    """Turn Stata's extended missing values (.a-.z) of numeric variables into NaN, in place.

    Returns ``column -> letters at the rows that had them`` (a string Series indexed
    like the frame) and one note per column with the counts of each letter.
    """
    import pandas as pd

    types = getattr(meta, "readstat_variable_types", None) or {}
    out: dict[str, Any] = {}
    notes: list[str] = []
    for col in frame.columns:
        series = frame[col]
        if series.dtype != object or types.get(col, "string") == "string":
            continue
        coded = series.isin(_LETTERS)
        if not coded.any():
            continue
        letters = series[coded].astype("string")
        frame[col] = pd.to_numeric(series.where(~coded), errors="coerce").astype("float64")
        out[col] = letters
        counts = letters.value_counts().sort_index()
        notes.append(f"{col}: {int(coded.sum())} Stata extended missing value(s) read as "
                     f"missing ({', '.join(f'.{k} x{v}' for k, v in counts.items())}); the "
                     "codes are kept in RawTable.extended_missing")
    return out, notes


def read_spss(path: str | Path, *, columns: list[str] | None = None,
              limits: LimitsLike = None) -> RawTable:
    """Read a ``.sav``/``.zsav`` file: codes, value labels, user-missing ranges.

    ``first_row`` is 1: error messages give case numbers as SPSS shows them. The
    header's declared cases x variables are checked against ``limits`` (see
    ``docs/limits.md``) before the data are read.
    """
    return _read(path, "spss", columns, limits)


def read_stata(path: str | Path, *, columns: list[str] | None = None,
               limits: LimitsLike = None) -> RawTable:
    """Read a Stata ``.dta`` file: codes and value labels.

    Extended missing values (``.a``-``.z``) of numeric variables are read as missing;
    which letter each row had is kept in ``RawTable.extended_missing`` and counted in
    ``RawTable.notes``. The header's declared size is checked against ``limits``
    as for :func:`read_spss`.
    """
    return _read(path, "stata", columns, limits)
