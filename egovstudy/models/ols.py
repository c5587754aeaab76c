"""Ordinary least squares with a formula interface and a choice of covariance."""

from __future__ import annotations

import difflib
from typing import Any

import pandas as pd

from egovstudy.errors import DataQualityError, InsufficientDataError, ModelSpecError
from egovstudy.models._lstsq import lstsq
from egovstudy.models.covariance import compute_vcov, parse_vcov
from egovstudy.models.design import build_design
from egovstudy.models.results import OLSResult
from egovstudy.models.survey_design import SurveyDesign, check_weights

__all__ = ["ols"]


def ols(formula: str, data: pd.DataFrame, *, vcov: str | dict[str, Any] = "classical",
        conf_level: float = 0.95, weights: str | None = None,
        design: SurveyDesign | None = None) -> OLSResult:
    """Fit a linear regression by ordinary (or weighted) least squares.

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
    weights : str, optional
        Column of positive analytic or probability weights: weighted least squares as R's
        ``lm(weights = w)``. Every ``vcov`` is then the weighted one (``"HC1"`` and
        ``{"cluster": ...}`` are Stata's ``[pw = w], vce(robust)`` / ``vce(cluster)`` and
        sandwich's ``vcovHC``/``vcovCL`` on the weighted ``lm``). ``X``, ``y``, ``resid`` and
        ``fitted`` of the result are then the ``sqrt(w)``-scaled working quantities.
    design : SurveyDesign, optional
        A complex survey design built on the same ``data``: the weights are the design's and
        the standard errors are design-based (Taylor linearisation), as R's
        ``svyglm(formula, design)``; t inference uses ``degf + 1 - k`` degrees of freedom.
        ``fit_stats()["deff"]`` then gives each coefficient's design effect
        (``svyglm(..., deff = TRUE)``).
        Cannot be combined with ``vcov``.

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
    import numpy as np

    kind, cluster_cols = parse_vcov(vcov)
    weight_col = _weight_column(data, weights, design, vcov)
    extra = cluster_cols + ([weight_col] if weight_col else [])
    dsg = build_design(formula, data, extra=extra, eval_env=1)
    _check_outcome_varies(dsg.y, dsg.response)
    X, y, w = dsg.X, dsg.y, None
    if weight_col is not None:
        # WLS as OLS on sqrt(w)-scaled rows: the same algebra gives R's lm(weights=) and,
        # through the scaled scores x_i w_i e_i, sandwich's weighted HC and cluster meats.
        w = (check_weights(dsg.data[weight_col], weight_col) if design is None
             else design.weights_at(dsg.data.index))
        sw = np.sqrt(w)
        X, y = X * sw[:, None], y * sw
    fit = lstsq(X, y, dsg.terms)
    if design is not None:
        k = X.shape[1]
        pos = design.data.index.get_indexer(dsg.data.index)
        z = np.zeros((design.n, k))
        z[pos] = (X * fit.resid[:, None]) @ fit.xtx_inv
        cov = design.total_variance(z)
        df_inf = design.degf_of(pos) + 1 - k
        if df_inf < 1:
            raise InsufficientDataError(
                f"the design has {design.degf_of(pos)} degrees of freedom (PSUs minus strata), "
                f"too few for {k} coefficients; use fewer terms or a design with more PSUs")
        # svyglm(deff = TRUE): design variance over the classical weighted-lm variance
        srs = fit.ssr / (X.shape[0] - k) * np.diag(fit.xtx_inv)
        deff = dict(zip(dsg.terms, (np.diag(cov) / srs).tolist()))
        label = "survey design"
        note = (f"design-based (Taylor linearisation, as R svyglm): {design.describe()}; "
                f"t with {df_inf} df")
    else:
        deff = None
        clusters = [dsg.data[c] for c in cluster_cols]
        vc = compute_vcov(kind, X, fit.resid, fit.xtx_inv, fit.ssr, clusters=clusters)
        cov, note, df_inf = vc.matrix, vc.note, vc.df_inference
        label = kind if kind != "cluster" else f"cluster({', '.join(cluster_cols)})"
        if weight_col is not None:
            note = f"{note}; weighted by {weight_col!r}"
    return OLSResult(
        formula=formula, response=dsg.response, terms=dsg.terms, coef=fit.coef,
        cov=cov, vcov_type=label,
        vcov_note=note, df_inference=df_inf, X=X, y=y,
        resid=fit.resid, fitted=fit.fitted, ssr=fit.ssr, xtx_inv=fit.xtx_inv,
        has_intercept=dsg.has_intercept, term_columns=dsg.term_columns,
        data=dsg.data, n_dropped=dsg.n_dropped, dropped_by=dsg.dropped_by,
        conf_level=conf_level, weights=w, design_effects=deff,
    )


def _weight_column(data: pd.DataFrame, weights: str | None, design: SurveyDesign | None,
                   vcov: object) -> str | None:
    """Validate ``weights=``/``design=``; return the weight column (or None)."""
    if design is None:
        if weights is None:
            return None
        if not isinstance(weights, str):
            raise ModelSpecError(
                f"weights={type(weights).__name__} is not allowed; give the name of a column "
                "of positive weights, e.g. weights='w'")
        if weights not in data.columns:
            close = difflib.get_close_matches(weights, [str(c) for c in data.columns], n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise ModelSpecError(f"weights={weights!r} is not a column of the data{hint}")
        check_weights(data[weights], weights)
        return weights
    if not isinstance(design, SurveyDesign):
        raise ModelSpecError(
            f"design={type(design).__name__} is not allowed; build one with "
            "egovstudy.SurveyDesign(data, weights=..., ids=..., strata=..., fpc=...)")
    if weights is not None and weights != design.weights:
        raise ModelSpecError(
            f"weights={weights!r} differs from the design's weights {design.weights!r}; "
            "with design= leave weights out (the design's weights are used)")
    if vcov != "classical":
        raise ModelSpecError(
            f"vcov={vcov!r} cannot be combined with design=: the design gives the standard "
            "errors; drop vcov")
    if not (data is design.data or (data.index.equals(design.data.index)
                                    and data.index.is_unique)):
        raise ModelSpecError(
            "data= is not the data frame of the design (different rows or index); pass "
            "ols(formula, design.data, design=design)")
    return design.weights


def _check_outcome_varies(y: Any, name: str) -> None:
    """Refuse a constant outcome: its t and p values would be rounding noise."""
    import numpy as np

    values = np.asarray(y, dtype=float)
    if values.size and float(np.ptp(values)) == 0.0:
        raise DataQualityError(
            f"the outcome {name!r} is constant: all {values.size} complete cases equal "
            f"{values[0]:g}, so there is no variance to explain (R², t and p would be rounding "
            "noise). Fix: check the column and its codebook scale, or the respondent filter")
