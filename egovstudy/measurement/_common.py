"""Shared input checks and small matrix helpers of the measurement package."""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from egovstudy.errors import (
    DataFormatError,
    DataQualityWarning,
    InsufficientDataError,
    ModelSpecError,
)

__all__ = [
    "check_choice",
    "check_constructs",
    "item_frame",
    "pairwise_cor",
    "pairwise_cov",
]


def check_choice(name: str, value: Any, allowed: Sequence[Any]) -> None:
    """Raise :class:`ModelSpecError` unless ``value`` is one of ``allowed``."""
    if value not in allowed:
        raise ModelSpecError(f"{name}={value!r} is not supported; use one of "
                             f"{', '.join(repr(a) for a in allowed)}")


def item_frame(data: Any, items: Sequence[str] | None, *, min_items: int = 2,
               what: str = "this statistic") -> pd.DataFrame:
    """Return the item columns of ``data`` as a float frame after checking them.

    Checks (each with a message naming the culprit): ``data`` is a DataFrame, the
    items exist, are numeric, are not constant, there are at least ``min_items``
    items and more complete cases than items. Items with more than half of their
    values missing raise a :class:`DataQualityWarning`.
    """
    if not isinstance(data, pd.DataFrame):
        raise DataFormatError(f"data is a {type(data).__name__}; pass a pandas DataFrame with "
                              "one column per item")
    if items is None:
        items = [str(c) for c in data.columns]
    if isinstance(items, str):
        raise ModelSpecError(f"items={items!r} is a single string; pass a list of column "
                             "names, e.g. ['q1', 'q2', 'q3']")
    items = list(items)
    dup = sorted({i for i in items if items.count(i) > 1})
    if dup:
        raise ModelSpecError(f"items lists {dup} more than once; list each item once")
    missing = [i for i in items if i not in data.columns]
    if missing:
        raise ModelSpecError(f"items {missing} are not columns of data; available columns "
                             f"include {list(map(str, data.columns[:12]))}")
    if len(items) < min_items:
        raise InsufficientDataError(
            f"{what} needs at least {min_items} items but got {len(items)} ({items}); a "
            "one-item construct has no internal consistency: add items or report the item "
            "on its own")
    frame = data[items]
    out = pd.DataFrame(index=frame.index)
    for col in items:
        s = frame[col]
        if not (pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s)):
            raise DataFormatError(f"item column {col!r} has dtype {s.dtype}, not numeric; "
                                  "convert Likert labels to codes first (egovstudy.load_survey "
                                  "does this from the codebook)")
        out[col] = pd.to_numeric(s, errors="coerce").astype(float)
    n_obs = out.notna().sum()
    few = [c for c in items if n_obs[c] < 3]
    if few:
        raise InsufficientDataError(f"items {few} have fewer than 3 non-missing answers; "
                                    "drop them or collect more data")
    sd = out.std(ddof=1)
    const = [c for c in items if not np.isfinite(sd[c]) or sd[c] == 0]
    if const:
        raise InsufficientDataError(
            f"items {const} are constant (every respondent gave the same answer), so they "
            "cannot correlate with anything; drop them from the construct or check the "
            "coding")
    n_complete = int(out.dropna().shape[0])
    n_any = int(out.notna().any(axis=1).sum())
    if n_any <= len(items):
        raise InsufficientDataError(
            f"{what} needs more cases than items: {n_any} cases with answers for "
            f"{len(items)} items; collect more responses or use fewer items")
    share_missing = out.isna().mean()
    heavy = [c for c in items if share_missing[c] > 0.5]
    if heavy:
        warnings.warn(f"items {heavy} are missing for more than half of the respondents; "
                      "pairwise correlations for them rest on few cases",
                      DataQualityWarning, stacklevel=3)
    if n_complete < n_any and n_complete <= len(items):
        warnings.warn(f"only {n_complete} respondents answered all of {items}; "
                      "statistics use pairwise-complete cases",
                      DataQualityWarning, stacklevel=3)
    return out


def pairwise_cov(frame: pd.DataFrame) -> np.ndarray:
    """Pairwise-complete covariance matrix (divisor n - 1), as ``cov(use="pairwise")``."""
    cov = frame.cov(min_periods=2).to_numpy(dtype=float, copy=True)
    if not np.isfinite(cov).all():
        bad = [(frame.columns[i], frame.columns[j]) for i, j in zip(*np.where(~np.isfinite(cov)))
               if i < j]
        raise InsufficientDataError(f"item pairs {bad[:5]} share fewer than 2 respondents; "
                                    "their covariance cannot be computed")
    return cov


def pairwise_cor(frame: pd.DataFrame) -> np.ndarray:
    """Pairwise-complete Pearson correlations, as ``cor(x, use="pairwise")`` (psych).

    Each correlation uses the means and SDs of the rows answering both items; with
    blanks this differs from ``cov2cor`` of the pairwise covariance matrix, which mixes
    each item's SD over all its answers with covariances over the pair's rows.
    """
    pairwise_cov(frame)            # same checks: every pair shares at least 2 rows
    r = frame.corr(min_periods=2).to_numpy(dtype=float, copy=True)
    if not np.isfinite(r).all():
        bad = [(frame.columns[i], frame.columns[j]) for i, j in zip(*np.where(~np.isfinite(r)))
               if i < j]
        raise InsufficientDataError(f"item pairs {bad[:5]} have no variance among the "
                                    "respondents answering both; their correlation cannot be "
                                    "computed")
    np.fill_diagonal(r, 1.0)
    return r


def cov2cor(cov: np.ndarray) -> np.ndarray:
    """Correlation matrix from a covariance matrix."""
    d = 1.0 / np.sqrt(np.diag(cov))
    return np.asarray(cov * d[:, None] * d[None, :])


def check_constructs(data: pd.DataFrame, constructs: Mapping[str, Sequence[str]],
                     *, min_items: int = 1, min_constructs: int = 1) -> dict[str, list[str]]:
    """Validate a ``{construct: [items]}`` mapping against ``data``."""
    if not isinstance(constructs, Mapping) or not constructs:
        raise ModelSpecError("constructs must be a non-empty dict {construct: [item, ...]}, "
                             "e.g. {'budget': ['bud1', 'bud2', 'bud3']}")
    out: dict[str, list[str]] = {}
    seen: dict[str, str] = {}
    for name, items in constructs.items():
        if isinstance(items, str) or not isinstance(items, Sequence):
            raise ModelSpecError(f"construct {name!r}: items must be a list of column names, "
                                 f"got {items!r}")
        items = [str(i) for i in items]
        if len(items) < min_items:
            raise InsufficientDataError(f"construct {name!r} has {len(items)} item(s); at least "
                                        f"{min_items} are needed here")
        missing = [i for i in items if i not in data.columns]
        if missing:
            raise ModelSpecError(f"construct {name!r}: items {missing} are not columns of data")
        for i in items:
            if i in seen:
                raise ModelSpecError(f"item {i!r} is listed under both {seen[i]!r} and "
                                     f"{name!r}; give each item one construct")
            seen[i] = str(name)
        out[str(name)] = items
    if len(out) < min_constructs:
        raise InsufficientDataError(f"this statistic compares constructs and needs at least "
                                    f"{min_constructs}; got {list(out)}")
    return out


def html_table(title: str, frame: pd.DataFrame, note: str = "") -> str:
    """Small HTML rendering used by the result objects' ``_repr_html_``."""
    note_html = f"<p><em>{note}</em></p>" if note else ""
    return f"<h4>{title}</h4>{frame.to_html(float_format=lambda x: f'{x:.3f}')}{note_html}"
