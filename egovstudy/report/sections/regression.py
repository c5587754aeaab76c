"""Regression text of an Indonesian thesis: the equation, t tabel and F tabel."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["critical_values", "equation"]


def critical_values(df: float, df1: float, df2: float, alpha: float = 0.05
                    ) -> tuple[float, float]:
    """Two-sided critical t (``t tabel``) and critical F (``F tabel``) at ``alpha``.

    ``df`` is the fit's inference df (``fit.df_inference``: residual df, or G - 1 with
    cluster-robust errors) and ``df1, df2`` those of its F test (``fit_stats()``).
    Same values as R's ``qt(1 - alpha/2, df)`` and ``qf(1 - alpha, df1, df2)``.

    Examples
    --------
    >>> t, f = critical_values(29, 5, 29)
    >>> round(t, 4), round(f, 4)
    (2.0452, 2.5454)
    """
    from scipy import stats

    return (float(stats.t.ppf(1 - alpha / 2, df)), float(stats.f.ppf(1 - alpha, df1, df2)))


def equation(tidy: Any, y: str, labels: Mapping[str, str],
             num: Callable[..., str]) -> str:
    """``Y = a + b1 X1 + ...`` with the estimates of a tidy coefficient frame.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"term": ["Intercept", "x", "z"], "estimate": [1.5, 0.25, -0.1]})
    >>> equation(t, "Y", {"x": "X"}, lambda v, d: f"{v:.{d}f}")
    'Y = 1.500 + 0.250 X − 0.100 z'
    """
    parts: list[str] = []
    for term, est in zip(tidy["term"], tidy["estimate"]):
        est = float(est)
        if str(term).lower() in ("intercept", "(intercept)", "const"):
            parts.insert(0, num(est, 3))
            continue
        sign = "−" if est < 0 else "+"
        parts.append(f"{sign} {num(abs(est), 3)} {labels.get(str(term), str(term))}")
    head = parts[0] if parts and not parts[0].startswith(("+", "−")) else "0"
    rest = parts[1:] if head != "0" else parts
    return f"{y} = {head} " + " ".join(rest) if rest else f"{y} = {head}"
