"""Parquet files (as written by :func:`egovstudy.build_processed` or by users)."""

from __future__ import annotations

from pathlib import Path

from egovstudy.errors import DataFormatError
from egovstudy.io._base import RawTable

__all__ = ["read_parquet"]


def read_parquet(path: str | Path, *, columns: list[str] | None = None) -> RawTable:
    """Read a Parquet file into a :class:`RawTable` (``first_row`` 1: row positions)."""
    import pandas as pd

    p = Path(path)
    if not p.is_file():
        raise DataFormatError(f"file {p}: not found. Fix: check the path")
    try:
        frame = pd.read_parquet(p, columns=columns)
    except Exception as exc:  # pyarrow raises ArrowInvalid/OSError for corrupt files
        raise DataFormatError(f"file {p}: cannot read as Parquet ({type(exc).__name__}: "
                              f"{exc}). Fix: write the file again") from None
    if frame.shape[0] == 0:
        raise DataFormatError(f"file {p}: has columns but no rows. Fix: write the data again")
    return RawTable(frame=frame.reset_index(drop=True), path=str(p), format="parquet",
                    first_row=1)
