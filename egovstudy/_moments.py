"""Skewness and kurtosis from central moments (the three estimator types of R's e1071).

Shared by :func:`egovstudy.report.tables.describe` (moments of a column in memory) and
:func:`egovstudy.scale.descriptives_dask` (moments summed over partitions).
"""

from __future__ import annotations

import numpy as np

__all__ = ["skew_kurt"]


def skew_kurt(n: int, m2: float, m3: float, m4: float, type_: int) -> tuple[float, float]:
    """Skewness and excess kurtosis from ``n`` and the central moments ``m2, m3, m4``.

    ``type_`` 1: ``g1, g2``; 2: the SAS/SPSS adjusted estimators; 3: ``b1, b2`` (R's
    e1071 and psych default). ``NaN`` for ``n < 4`` or no variance.

    Examples
    --------
    Symmetric data: no skew; m2 = 2 and m4 = 6.8 give g2 = 6.8 / 4 - 3 = -1.3.

    >>> d = np.array([1.0, 2.0, 3.0, 4.0, 5.0]) - 3.0
    >>> [round(v, 4) for v in skew_kurt(5, (d**2).mean(), (d**3).mean(), (d**4).mean(), 1)]
    [0.0, -1.3]
    """
    if n < 4 or not m2 > 0:
        return float("nan"), float("nan")
    g1 = m3 / m2**1.5
    g2 = m4 / m2**2 - 3
    if type_ == 1:
        return float(g1), float(g2)
    if type_ == 2:
        return (float(g1 * np.sqrt(n * (n - 1)) / (n - 2)),
                float(((n + 1) * g2 + 6) * (n - 1) / ((n - 2) * (n - 3))))
    return float(g1 * ((n - 1) / n) ** 1.5), float((g2 + 3) * (1 - 1 / n) ** 2 - 3)
