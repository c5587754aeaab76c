"""Checks of the user's columns for the group comparisons, with messages that name the fix."""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from egovstudy.errors import InsufficientDataError, ModelSpecError


def check_frame(data: Any) -> pd.DataFrame:
    """Raise :class:`ModelSpecError` unless ``data`` is a DataFrame."""
    if not isinstance(data, pd.DataFrame):
        raise ModelSpecError(f"data must be a pandas DataFrame, got {type(data).__name__}; "
                             "load the survey first (e.g. load_survey(...).data)")
    return data


def check_column(data: pd.DataFrame, name: Any, role: str) -> str:
    """Return ``name`` if it is a column of ``data``; else raise with "did you mean ...?"."""
    if not isinstance(name, str):
        raise ModelSpecError(f"{role}={name!r}: pass one column name as a string")
    if name not in data.columns:
        near = difflib.get_close_matches(name, [str(c) for c in data.columns], n=1)
        hint = f" (did you mean '{near[0]}'?)" if near else ""
        raise ModelSpecError(f"{role}: column '{name}' is not in the data{hint}")
    return name


def check_columns(data: pd.DataFrame, names: Any, role: str) -> list[str]:
    """A list of existing column names (a single string is accepted)."""
    if isinstance(names, str):
        names = [names]
    if names is None or len(list(names)) == 0:
        raise ModelSpecError(f"{role}: pass at least one column name")
    return [check_column(data, n, role) for n in names]


def numeric(data: pd.DataFrame, name: str, role: str) -> np.ndarray:
    """The column as float (NaN for missing); text columns raise :class:`ModelSpecError`."""
    s = data[name]
    if isinstance(s.dtype, pd.CategoricalDtype) or not (
            pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s)):
        bad = s.dropna()
        example = f" (e.g. {bad.iloc[0]!r})" if len(bad) else ""
        raise ModelSpecError(f"{role}: column '{name}' is text{example}, not a number; score "
                             "the items first (score_constructs) or pick a numeric column")
    return s.to_numpy(dtype=float, na_value=np.nan)


def split(data: pd.DataFrame, outcome: str, group: str,
          levels: Sequence[Any] | None = None,
          min_n: int = 2) -> tuple[list[Any], list[np.ndarray], int]:
    """Outcome values per level of ``group`` (complete cases), checked.

    Returns the levels (sorted as R sorts a factor, or in the order of ``levels``), the
    arrays and the number of cases used. Raises :class:`InsufficientDataError` for a level
    with fewer than ``min_n`` cases, fewer than two levels or a constant outcome.
    """
    y = numeric(data, outcome, "outcome")
    g = data[group]
    ok = ~np.isnan(y) & g.notna().to_numpy()
    y, g = y[ok], g[ok]
    present = pd.unique(g)
    if levels is None:
        if isinstance(g.dtype, pd.CategoricalDtype):
            use = [c for c in g.cat.categories if c in set(present)]
        else:
            try:
                use = sorted(present)
            except TypeError:
                use = sorted(present, key=str)
    else:
        use = list(levels)
        missing = [lv for lv in use if lv not in set(present)]
        if missing:
            raise ModelSpecError(f"levels: {missing!r} not found in column '{group}' (with a "
                                 f"value of '{outcome}'); its levels are {list(present)!r}")
    if len(use) < 2:
        raise InsufficientDataError(f"group column '{group}' has {len(use)} level(s) with data "
                                    f"on '{outcome}': a comparison needs at least two groups")
    gv = g.to_numpy()
    arrays = [y[gv == lv] for lv in use]
    for lv, arr in zip(use, arrays):
        if arr.size < min_n:
            raise InsufficientDataError(
                f"group '{lv}' of column '{group}' has {arr.size} case(s) with a value of "
                f"'{outcome}' (at least {min_n} needed); merge it with a neighbouring "
                f"category or leave it out with levels=[...]")
    allv = np.concatenate(arrays)
    if np.ptp(allv) == 0:
        raise InsufficientDataError(f"outcome '{outcome}' is constant ({allv[0]:g}) in the "
                                    f"groups of '{group}': there is nothing to compare")
    return use, arrays, int(allv.size)


def describe(levels: Sequence[Any], arrays: Sequence[np.ndarray],
             mean_rank: Sequence[float] | None = None) -> pd.DataFrame:
    """Per-level n, mean, sd, median (and mean rank for rank tests)."""
    out = pd.DataFrame({"level": [str(lv) for lv in levels],
                        "n": [a.size for a in arrays],
                        "mean": [a.mean() for a in arrays],
                        "sd": [a.std(ddof=1) for a in arrays],
                        "median": [np.median(a) for a in arrays]})
    if mean_rank is not None:
        out["mean_rank"] = list(mean_rank)
    return out


def check_spread(levels: Sequence[Any], arrays: Sequence[np.ndarray], outcome: str,
                 group: str, test: str, every: bool) -> None:
    """Raise :class:`InsufficientDataError` when a group's variance is zero where ``test``
    divides by it (Welch's ANOVA and Games-Howell: any group; Welch's t: both groups)."""
    flat = [lv for lv, a in zip(levels, arrays) if np.ptp(a) == 0]
    if (every and flat) or (not every and len(flat) == len(arrays)):
        raise InsufficientDataError(
            f"{test}: '{outcome}' has no spread within group(s) {flat!r} of '{group}' (every "
            f"value equal), and the test divides by the group variance; use the rank test "
            f"(method='nonparametric') or Student's version (equal_var=True)")
