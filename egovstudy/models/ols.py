"""Ordinary least squares with a formula interface and a choice of covariance."""

from __future__ import annotations

from typing import Any

import pandas as pd

from egovstudy.errors import DataQualityError
from egovstudy.models._lstsq import lstsq
from egovstudy.models.covariance import compute_vcov, parse_vcov
from egovstudy.models.design import build_design
from egovstudy.models.results import OLSResult

__all__ = ["ols"]


def ols(formula: str, data: pd.DataFrame, *, vcov: str | dict[str, Any] = "classical",
        conf_level: float = 0.95) -> OLSResult:
    """Fit a linear regression by ordinary least squares.

    Parameters
    ----------
    formula : str
        Formula in the grammar of ``docs/formula.md`` (patsy's, never evaluated as code),
        e.g. ``"perf ~ hrq + bud + np.log(mbps) + C(region)"``.
    data : pandas.DataFrame
        The data; rows with a missing value in any used column are dropped listwise (the count
        is reported in a :class:`~egovstudy.errors.DataQualityWarning`, ``fit_stats()`` and
        ``summary()``).
    vcov : {"classical", "HC0", "HC1", "HC2", "HC3"} or {"cluster": col or [col1, col2]}
        Covariance of the coefficients. Cluster-robust errors use the Stata small-sample
        correction ``G/(G-1) * (n-1)/(n-k)`` and t inference with ``G - 1`` df; two columns
        give Cameron-Gelbach-Miller two-way clustering.
    conf_level : float
        Level of the confidence intervals in ``tidy()``.

    Returns
    -------
    OLSResult

    Notes
    -----
    The fit is a centred, column-scaled, pivoted QR (no pseudo-inverse): it matches every
    NIST StRD linear regression dataset to at least 7 significant digits (Wampler5: 9).
    See :mod:`egovstudy.models._lstsq`.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"y": [1.0, 3.1, 4.9, 7.2, 8.8], "x": [0.0, 1, 2, 3, 4]})
    >>> res = ols("y ~ x", df)
    >>> res.tidy()[["term", "estimate"]].round(3)
            term  estimate
    0  Intercept      1.06
    1          x      1.97
    >>> round(res.fit_stats()["r2"], 4)
    0.9977
    """
    kind, cluster_cols = parse_vcov(vcov)
    design = build_design(formula, data, extra=cluster_cols, eval_env=1)
    _check_outcome_varies(design.y, design.response)
    fit = lstsq(design.X, design.y, design.terms)
    clusters = [design.data[c] for c in cluster_cols]
    vc = compute_vcov(kind, design.X, fit.resid, fit.xtx_inv, fit.ssr, clusters=clusters)
    label = kind if kind != "cluster" else f"cluster({', '.join(cluster_cols)})"
    return OLSResult(
        formula=formula, response=design.response, terms=design.terms, coef=fit.coef,
        cov=vc.matrix, vcov_type=label,
        vcov_note=vc.note, df_inference=vc.df_inference, X=design.X, y=design.y,
        resid=fit.resid, fitted=fit.fitted, ssr=fit.ssr, xtx_inv=fit.xtx_inv,
        has_intercept=design.has_intercept, term_columns=design.term_columns,
        data=design.data, n_dropped=design.n_dropped, dropped_by=design.dropped_by,
        conf_level=conf_level,
    )


def _check_outcome_varies(y: Any, name: str) -> None:
    """Refuse a constant outcome: its t and p values would be rounding noise."""
    import numpy as np

    values = np.asarray(y, dtype=float)
    if values.size and float(np.ptp(values)) == 0.0:
        raise DataQualityError(
            f"the outcome {name!r} is constant: all {values.size} complete cases equal "
            f"{values[0]:g}, so there is no variance to explain (R², t and p would be rounding "
            "noise). Fix: check the column and its codebook scale, or the respondent filter")
