"""Parquet files (as written by :func:`egovstudy.build_processed` or by users)."""

from __future__ import annotations

from pathlib import Path

from egovstudy.errors import DataFormatError
from egovstudy.io._base import RawTable
from egovstudy.io.limits import MB, LimitsLike, check_shape, refuse, resolve_limits

__all__ = ["read_parquet"]


def read_parquet(path: str | Path, *, columns: list[str] | None = None,
                 limits: LimitsLike = None) -> RawTable:
    """Read a Parquet file into a :class:`RawTable` (``first_row`` 1: row positions).

    The footer's declared rows x columns are checked against ``limits`` (see
    ``docs/limits.md``) before any column is decoded: a few KB of run-length
    encoded data can declare billions of rows.
    """
    import pandas as pd
    import pyarrow.parquet as pq

    p = Path(path)
    if not p.is_file():
        raise DataFormatError(f"file {p}: not found. Fix: check the path")
    lim = resolve_limits(limits)
    try:
        meta = pq.ParquetFile(p).metadata
        n_cols = len(columns) if columns is not None else meta.num_columns
        check_shape(p, meta.num_rows, n_cols, lim)
        # each page is decompressed whole: the footer's uncompressed sizes bound that
        expands = sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
        if expands > lim.max_file_mb * MB:
            raise refuse(p, f"expands to {expands / MB:,.1f} MB of columns", "max_file_mb", lim)
        frame = pd.read_parquet(p, columns=columns)
    except Exception as exc:  # pyarrow raises ArrowInvalid/OSError for corrupt files
        if isinstance(exc, DataFormatError):
            raise
        raise DataFormatError(f"file {p}: cannot read as Parquet ({type(exc).__name__}: "
                              f"{exc}). Fix: write the file again") from None
    if frame.shape[0] == 0:
        raise DataFormatError(f"file {p}: has columns but no rows. Fix: write the data again")
    return RawTable(frame=frame.reset_index(drop=True), path=str(p), format="parquet",
                    first_row=1)
