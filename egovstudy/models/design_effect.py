"""Intraclass correlation ICC(1) and the Kish design effect of a clustered sample.

ICC(1) is the one-way ANOVA estimator of R's ``multilevel::ICC1`` (Bliese 2000):
``(MSB - MSW) / (MSB + (m - 1) MSW)`` with ``m = n / G`` the mean cluster size. The design
effect of a mean is Kish's ``1 + (m - 1) ICC``; with unequal cluster sizes Kish's version
``1 + (sum m_j^2 / n - 1) ICC`` is reported too. Ten lines of numpy: no library to call.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

import numpy as np
import pandas as pd

from egovstudy.errors import InsufficientDataError, ModelSpecError

__all__ = ["DesignEffect", "design_effect"]


@dataclass(frozen=True)
class DesignEffect:
    """ICC(1), mean cluster size and the Kish design effects of one outcome."""

    y: str
    cluster: str
    n: int
    n_clusters: int
    mean_cluster_size: float
    msb: float
    msw: float
    icc1: float
    deff: float
    deff_unequal: float

    @property
    def effective_n(self) -> float:
        """Effective sample size ``n / deff_unequal``."""
        return self.n / self.deff_unequal


def design_effect(data: pd.DataFrame, y: str, cluster: str) -> DesignEffect:
    """ICC(1) and Kish design effect of ``y`` clustered by ``cluster``.

    Rows with ``y`` or ``cluster`` missing are left out.

    Examples
    --------
    >>> df = pd.DataFrame({"y": [1.0, 2, 3, 5, 6, 7], "g": ["a", "a", "a", "b", "b", "b"]})
    >>> d = design_effect(df, "y", "g")
    >>> round(d.icc1, 4), round(d.deff, 4)  # R: aov(y ~ g), (MSB - MSW) / (MSB + 2 MSW)
    (0.8846, 2.7692)
    """
    for arg, col in (("y", y), ("cluster", cluster)):
        if col not in data.columns:
            close = difflib.get_close_matches(str(col), [str(c) for c in data.columns], n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise ModelSpecError(f"{arg}={col!r} is not a column of the data{hint}")
    sub = data[[y, cluster]].dropna()
    values = pd.to_numeric(sub[y], errors="coerce")
    if values.isna().any():
        raise ModelSpecError(f"y={y!r} must be numeric (found {sub[y].dtype})")
    groups = values.groupby(sub[cluster].to_numpy())
    sizes = groups.size().to_numpy(dtype=float)
    n, g = int(sizes.sum()), len(sizes)
    if g < 2 or n - g < 1:
        raise InsufficientDataError(
            f"design_effect needs at least 2 clusters of {cluster!r} and more rows than "
            f"clusters (got {g} clusters, {n} rows)")
    means = groups.mean().to_numpy()
    grand = float(values.mean())
    msb = float((sizes * (means - grand) ** 2).sum() / (g - 1))
    msw = float(((values - groups.transform("mean")) ** 2).sum() / (n - g))
    m = n / g
    icc = (msb - msw) / (msb + (m - 1) * msw)
    return DesignEffect(y=y, cluster=cluster, n=n, n_clusters=g, mean_cluster_size=m,
                        msb=msb, msw=msw, icc1=float(icc), deff=float(1 + (m - 1) * icc),
                        deff_unequal=float(1 + (np.sum(sizes ** 2) / n - 1) * icc))
