"""Linear mixed models (random intercepts and slopes) fitted by REML as lme4 does.

The fit follows ``lme4::lmer`` (Bates, Maechler, Bolker & Walker 2015, JSS 67(1)): the
profiled REML deviance is minimised over the relative covariance factor ``theta``
(Cholesky parameterisation, diagonal bounded below by 0) with a bounded optimiser from
several starts, among them points on the boundary; standard errors are lme4's
``vcov`` = ``s2 (X'V^-1X)^-1`` and the t tests use lmerTest's Satterthwaite df
(:mod:`egovstudy.models.satterthwaite`), all from the same optimum.

Our own code rather than statsmodels' ``MixedLM``: MixedLM optimises an unbounded
parameterisation and does not reach boundary optima (a random-slope correlation of -1, a
zero variance). On the default study, ``performance ~ digitalisation + hr_quality +
(digitalisation | agency)``, it stopped at a REML criterion of 1287.28 with variance
components 16-18% below lme4's singular optimum (1286.994, correlation -1), which this
module reaches (tests/test_models_other.py); and its standard errors come from the
observed Hessian, not from ``(X'V^-1X)^-1`` as lme4/lmerTest report them.
"""

from __future__ import annotations

import difflib
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from egovstudy.errors import ConvergenceError, InsufficientDataError, ModelSpecError
from egovstudy.models._lstsq import lstsq
from egovstudy.models.design import build_design
from egovstudy.models.results import TidyResult, tidy_frame
from egovstudy.models.satterthwaite import (
    GroupSums,
    estimates,
    lower_bounds,
    profiled_deviance,
    satterthwaite_df,
    theta_to_lambda,
)

__all__ = ["MixedFit", "mixed_model"]


@dataclass(frozen=True)
class MixedFit:
    """The optimum of a mixed-model fit (``raw["fit"]`` of :func:`mixed_model`).

    ``theta`` is lme4's ``getME(fit, "theta")``, ``vcov`` its ``vcov(fit)``, ``deviance``
    the REML criterion (or ML deviance), ``singular`` lme4's ``isSingular``.
    """

    theta: np.ndarray
    beta: np.ndarray
    vcov: np.ndarray
    sigma2: float
    cov_re: np.ndarray
    deviance: float
    reml: bool
    singular: bool


def _starts(q: int) -> list[np.ndarray]:
    """Starting values: lme4's (identity), smaller and larger ones, and boundary points
    (each variance but the intercept's at 0; rank-one factors with correlation +/-1)."""
    rows, cols = np.tril_indices(q)
    order = np.lexsort((rows, cols))
    r, c = rows[order], cols[order]
    diag = (r == c).astype(float)
    starts = [diag.copy(), 0.3 * diag, 3.0 * diag]
    if q > 1:
        for sign in (1.0, -1.0):
            rank1 = np.where(c == 0, np.where(r == 0, 1.0, sign * 0.5), 0.0)
            starts.append(rank1)
        starts.append(np.where((r == 0) & (c == 0), 1.0, 0.0))
    return starts


def _fit_theta(sums: GroupSums, reml: bool, formula: str, group: str
               ) -> tuple[np.ndarray, float]:
    """Minimise the profiled deviance over ``theta`` (L-BFGS-B from several starts,
    then a Nelder-Mead polish of the best point, projected onto the bounds)."""
    from scipy.optimize import minimize

    bounds = lower_bounds(sums.q)
    lo = np.array([b[0] if b[0] is not None else -np.inf for b in bounds])

    def dev(t: np.ndarray) -> float:
        t = np.maximum(t, lo)
        try:
            return profiled_deviance(sums, t, reml)
        except np.linalg.LinAlgError:
            return np.inf

    best: tuple[np.ndarray, float] | None = None
    with warnings.catch_warnings():
        # an infinite deviance at a trial point makes scipy's finite differences warn
        warnings.simplefilter("ignore", RuntimeWarning)
        for start in _starts(sums.q):
            res = minimize(dev, start, method="L-BFGS-B", bounds=bounds,
                           options={"maxiter": 2000, "ftol": 1e-15, "gtol": 1e-9})
            if np.isfinite(res.fun) and (best is None or res.fun < best[1]):
                best = (np.maximum(np.asarray(res.x), lo), float(res.fun))
    if best is None:
        raise ConvergenceError(f"mixed model {formula!r} (group {group!r}) did not converge: "
                               "the deviance could not be evaluated; check for constant or "
                               "collinear predictors")
    polish = minimize(dev, best[0], method="Nelder-Mead",
                      options={"xatol": 1e-10, "fatol": 1e-12, "maxiter": 4000})
    cand = np.maximum(np.asarray(polish.x), lo)
    val = dev(cand)
    if val < best[1]:
        best = (cand, val)
    theta = best[0].copy()
    # values within rounding of the bound are the bound (lme4 reports exact zeros)
    diag_idx = [k for k, b in enumerate(bounds) if b[0] is not None]
    for k in diag_idx:
        if theta[k] < 1e-6:
            trial = theta.copy()
            trial[k] = 0.0
            if dev(trial) <= best[1] + 1e-9:
                theta = trial
    return theta, dev(theta)


def mixed_model(formula: str, data: pd.DataFrame, *, group: str,
                random_slopes: Sequence[str] = (), reml: bool = True,
                conf_level: float = 0.95,
                df_method: Literal["satterthwaite", "z"] = "satterthwaite") -> TidyResult:
    """Linear mixed model ``y ~ fixed + (1 + slopes | group)`` fitted by REML.

    Equivalent to ``lme4::lmer(y ~ fixed + (1 + slopes | group))`` (unstructured covariance of
    the random effects). ``tidy()`` lists the fixed effects with t tests on Satterthwaite
    degrees of freedom (column ``df``), as ``lmerTest`` and SAS ``PROC MIXED`` report them
    (``df_method="z"``: Wald z tests; where the deviance has no curvature in the variance
    parameters the df are undefined and z tests are reported, with a note). Standard errors
    are lme4's ``vcov()``; a singular fit (a zero variance, a correlation of +/-1) is
    reported in the notes as lme4's ``isSingular`` does. ``raw["fit"]`` is a
    :class:`MixedFit`; ``raw["random_effects"]`` and the notes give the random effect SDs
    and correlations, ``fit_stats()`` the REML criterion (``-2 logLik_REML``), the number
    of groups and, for a random-intercept model, the ICC.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> g = np.repeat(np.arange(20), 10)
    >>> x = rng.normal(size=200)
    >>> y = 1 + 0.5 * x + rng.normal(size=20)[g] + rng.normal(size=200)
    >>> res = mixed_model("y ~ x", pd.DataFrame({"y": y, "x": x, "g": g}), group="g")
    >>> res.tidy()["term"].tolist()
    ['Intercept', 'x']
    """
    if df_method not in ("satterthwaite", "z"):
        raise ModelSpecError(f"df_method={df_method!r}: choose 'satterthwaite' or 'z'")
    d = build_design(formula, data, extra=[group, *random_slopes], eval_env=1)
    n_groups = d.data[group].nunique()
    if n_groups < 2:
        raise InsufficientDataError(
            f"group variable {group!r} has {n_groups} level(s); a mixed model needs several")
    for s in random_slopes:
        if s not in d.terms:
            close = difflib.get_close_matches(str(s), d.terms, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise ModelSpecError(
                f"random slope {s!r} must also be a fixed-effect term; terms are {d.terms}"
                f"{hint}")
    lstsq(d.X, d.y, d.terms)    # perfect collinearity: ModelSpecError naming the terms
    Z = np.column_stack([np.ones(d.n)] + [d.X[:, d.terms.index(s)] for s in random_slopes])
    sums = GroupSums(d.X, d.y, Z, d.data[group].to_numpy())
    if sums.n <= sums.p:
        raise InsufficientDataError(f"mixed model {formula!r}: {sums.n} complete rows for "
                                    f"{sums.p} fixed effects; collect more data")
    theta, dev = _fit_theta(sums, reml, formula, group)
    beta, vcov, s2 = estimates(sums, theta, reml)
    if d.has_intercept and np.all(d.X[0:1] == d.X, axis=0).any():
        # GroupSums centres y; put the mean back into the coefficient of the constant
        const = int(np.flatnonzero(np.all(d.X[0:1] == d.X, axis=0))[0])
        beta = beta.copy()
        beta[const] += float(d.y.mean()) / float(d.X[0, const])
    fe = list(d.terms)
    lam = theta_to_lambda(theta, sums.q)
    cov_re = s2 * lam @ lam.T
    singular = bool(np.any(np.abs(np.diag(lam)) < 1e-4))
    ddf: Any = None
    if df_method == "satterthwaite":
        ddf = satterthwaite_df(sums, theta, reml=reml)
        if not np.isfinite(ddf).all():
            ddf = None
    table = tidy_frame(fe, beta, np.sqrt(np.diag(vcov)), df=ddf, conf_level=conf_level)
    table.insert(3, "df", np.nan if ddf is None else ddf)
    loglik = -0.5 * dev
    fit = MixedFit(theta=theta, beta=beta, vcov=vcov, sigma2=s2, cov_re=cov_re,
                   deviance=dev, reml=reml, singular=singular)
    names_re = ["(Intercept)", *random_slopes]
    sd = np.sqrt(np.maximum(np.diag(cov_re), 0.0))
    re_rows: list[dict[str, Any]] = [
        {"group": group, "term": t, "sd": float(s), "variance": float(s * s)}
        for t, s in zip(names_re, sd)]
    with np.errstate(divide="ignore", invalid="ignore"):
        corr = np.clip(cov_re / np.outer(sd, sd), -1.0, 1.0)
    sigma = float(np.sqrt(s2))
    re_rows.append({"group": "Residual", "term": "", "sd": sigma, "variance": sigma ** 2})
    re = pd.DataFrame(re_rows)
    stats: dict[str, Any] = {"n": d.n, "n_groups": int(n_groups), "loglik": loglik,
                             "reml": reml, "sigma": sigma, "n_dropped": d.n_dropped}
    if reml:
        stats["reml_criterion"] = dev
    else:
        k = len(fe) + len(names_re) * (len(names_re) + 1) // 2 + 1
        stats["aic"] = float(dev + 2 * k)
    if not random_slopes:
        stats["icc"] = float(cov_re[0, 0] / (cov_re[0, 0] + s2))
    notes = ["random effects: " + ", ".join(f"SD({t}) = {s:.4g}" for t, s in zip(names_re, sd))
             + f", residual SD = {sigma:.4g}"]
    if singular:
        notes.append("singular fit (as lme4 reports it): a random-effect variance is 0 or a "
                     "correlation is +/-1; the random-effects structure may be too rich")
    if df_method == "satterthwaite" and ddf is None:
        notes.append("Satterthwaite df could not be computed (the deviance has no "
                     "curvature in the variance parameters); Wald z tests are reported")
    else:
        notes.append("t tests with Satterthwaite df (as lmerTest)" if ddf is not None
                     else "Wald z tests")
    if len(names_re) > 1:
        notes.append("random-effect correlations: " + ", ".join(
            f"corr({names_re[i]}, {names_re[j]}) = {corr[i, j]:.3f}"
            for i in range(len(names_re)) for j in range(i + 1, len(names_re))))
    return TidyResult(model=f"Linear mixed model (REML={reml}): {formula} | {group}",
                      table=table, stats=stats, notes=notes,
                      raw={"fit": fit, "random_effects": re, "re_corr": corr})
