"""Logit and ordinal (proportional-odds) logit with the same ``.tidy()`` shape as OLS."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from egovstudy.errors import ConvergenceError, InsufficientDataError, ModelSpecError
from egovstudy.models.design import build_design
from egovstudy.models.results import TidyResult, tidy_frame
from egovstudy.models.survey_design import SurveyDesign

__all__ = ["brant_test", "logit", "ordinal_logit"]


def logit(formula: str, data: pd.DataFrame, *, conf_level: float = 0.95,
          weights: str | None = None, design: SurveyDesign | None = None) -> TidyResult:
    """Binary logistic regression by maximum likelihood (statsmodels ``Logit``).

    The response must be coded 0/1. ``tidy()`` has log-odds estimates with Wald z tests;
    ``fit_stats()`` gives loglik, McFadden's pseudo R2, AIC, BIC and n.

    With ``weights`` (a column of probability weights) or ``design`` (a
    :class:`~egovstudy.models.SurveyDesign` on the same data) the estimates are the weighted
    pseudo-likelihood ones and the standard errors are design-based (sandwich, Taylor
    linearisation) with t inference on ``degf + 1 - k`` df, as R's
    ``svyglm(..., family = quasibinomial())``; ``weights`` alone is the design with every row
    its own PSU (``svydesign(ids = ~1, weights = ~w)``, Stata ``logit [pw = w]`` up to its
    ``z`` inference). ``fit_stats()`` then has n, the sum of weights and the df only.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> df = pd.DataFrame({"x": rng.normal(size=300)})
    >>> df["y"] = (rng.random(300) < 1 / (1 + np.exp(-(0.5 + 1.0 * df.x)))).astype(int)
    >>> res = logit("y ~ x", df)
    >>> res.tidy()["term"].tolist()
    ['Intercept', 'x']
    """
    import statsmodels.api as sm

    from egovstudy.models.ols import _weight_column

    weight_col = _weight_column(data, weights, design, "classical")
    d = build_design(formula, data, eval_env=1, extra=[weight_col] if weight_col else [])
    values = set(np.unique(d.y).tolist())
    if not values <= {0.0, 1.0} or len(values) < 2:
        raise ModelSpecError(
            f"logit response {d.response!r} must be coded 0/1 with both values present; "
            f"found values {sorted(values)[:6]}")
    if weight_col is not None:
        if design is None:
            design = SurveyDesign(data, weights=weight_col)
        return _weighted_logit(formula, d, design, weight_col, conf_level)
    fit = _converged(lambda: sm.Logit(d.y, d.X).fit(disp=0, method="newton", maxiter=100),
                     f"logit {formula!r}")
    table = tidy_frame(d.terms, fit.params, fit.bse, df=None, conf_level=conf_level)
    stats = {"n": d.n, "loglik": float(fit.llf), "pseudo_r2": float(fit.prsquared),
             "aic": float(fit.aic), "bic": float(fit.bic), "n_dropped": d.n_dropped,
             "lr_chi2": float(fit.llr), "lr_p_value": float(fit.llr_pvalue)}
    return TidyResult(model=f"Logit: {formula}", table=table, stats=stats,
                      notes=["estimates are log-odds; exp(estimate) is the odds ratio"],
                      raw=fit)


def _converged(fit: Callable[[], Any], what: str) -> Any:
    """Run a Newton fit; a singular problem or no convergence is a clear error."""
    try:
        res = fit()
    except np.linalg.LinAlgError as exc:
        raise ModelSpecError(f"{what} cannot be estimated: {exc}") from exc
    if not res.mle_retvals.get("converged", True):
        raise ConvergenceError(f"{what} did not converge (perfect separation?); check "
                               "predictors that perfectly predict the outcome")
    return res


def _weighted_logit(formula: str, d: Any, design: SurveyDesign, weight_col: str,
                    conf_level: float) -> TidyResult:
    """Pseudo-maximum-likelihood logit with design-based standard errors (R ``svyglm``)."""
    import statsmodels.api as sm

    w = design.weights_at(d.data.index)
    w = w / w.mean()  # svyglm rescales the weights to mean 1 (no effect on the estimates)
    fit = _converged(lambda: sm.GLM(d.y, d.X, family=sm.families.Binomial(),
                                    var_weights=w).fit(method="newton", maxiter=100),
                     f"weighted logit {formula!r}")
    X = d.X
    p = np.asarray(fit.fittedvalues, dtype=float)
    bread = np.linalg.inv(X.T @ (X * (w * p * (1 - p))[:, None]))
    pos = design.data.index.get_indexer(d.data.index)
    z = np.zeros((design.n, X.shape[1]))
    z[pos] = (X * (w * (d.y - p))[:, None]) @ bread
    V = design.total_variance(z)
    df = design.degf_of(pos) + 1 - X.shape[1]
    if df < 1:
        raise InsufficientDataError(
            f"the design has {design.degf_of(pos)} degrees of freedom, too few for "
            f"{X.shape[1]} coefficients")
    table = tidy_frame(d.terms, np.asarray(fit.params), np.sqrt(np.diag(V)), df=df,
                       conf_level=conf_level)
    stats = {"n": d.n, "sum_weights": float(d.data[weight_col].sum()), "df": df,
             "n_dropped": d.n_dropped}
    return TidyResult(model=f"Logit (survey-weighted): {formula}", table=table, stats=stats,
                      notes=["estimates are log-odds; exp(estimate) is the odds ratio",
                             f"design-based standard errors (as R svyglm): "
                             f"{design.describe()}; t with {df} df"],
                      raw=fit)


def _brant(d: Any, levels: np.ndarray) -> pd.DataFrame:
    """Brant (1990) Wald test of parallel slopes from J-1 separate binary logits."""
    import statsmodels.api as sm
    from scipy import stats

    X = d.X
    _n, k = X.shape
    slope_idx = [j for j, t in enumerate(d.terms) if t != "Intercept"]
    p = len(slope_idx)
    J = len(levels)
    betas, pis, infos = [], [], []
    for j in range(J - 1):
        yj = (d.y > levels[j]).astype(float)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fj = sm.Logit(yj, X).fit(disp=0, method="newton", maxiter=100)
        pi = fj.predict(X)
        betas.append(np.asarray(fj.params))
        pis.append(pi)
        infos.append(np.linalg.inv(X.T @ (X * (pi * (1 - pi))[:, None])))
    m = J - 1
    V = np.zeros((m * k, m * k))
    for a in range(m):
        for b in range(a, m):
            w = pis[b] - pis[a] * pis[b]
            block = infos[a] @ (X.T @ (X * w[:, None])) @ infos[b]
            V[a * k:(a + 1) * k, b * k:(b + 1) * k] = block
            V[b * k:(b + 1) * k, a * k:(a + 1) * k] = block.T
    beta = np.concatenate(betas)
    rows = []

    def wald(cols: list[int]) -> tuple[float, int]:
        D = []
        for j in range(1, m):
            for c in cols:
                r = np.zeros(m * k)
                r[c] = 1
                r[j * k + c] = -1
                D.append(r)
        Dm = np.array(D)
        diff = Dm @ beta
        stat = float(diff @ np.linalg.solve(Dm @ V @ Dm.T, diff))
        return stat, Dm.shape[0]

    stat, df = wald(slope_idx)
    rows.append({"term": "Omnibus", "statistic": stat, "df": df,
                 "p_value": float(stats.chi2.sf(stat, df))})
    if p > 1:
        for c in slope_idx:
            s, dfc = wald([c])
            rows.append({"term": d.terms[c], "statistic": s, "df": dfc,
                         "p_value": float(stats.chi2.sf(s, dfc))})
    out = pd.DataFrame(rows)
    out["verdict"] = np.where(out["p_value"] > 0.05, "parallel (assumption holds)",
                              "not parallel (assumption violated)")
    return out


def brant_test(result: TidyResult) -> pd.DataFrame:
    """The Brant test table stored on an :func:`ordinal_logit` result."""
    if "brant" not in (result.raw or {}):
        raise ModelSpecError("brant_test needs a result of ordinal_logit")
    return result.raw["brant"].copy()


def ordinal_logit(formula: str, data: pd.DataFrame, *, conf_level: float = 0.95,
                  brant: bool = True) -> TidyResult:
    """Proportional-odds (cumulative logit) model, parameterised as R ``ordinal::clm``:
    ``logit P(Y <= j) = theta_j - x'beta``.

    The response may be numeric codes or an ordered Categorical. ``tidy()`` lists the slopes
    then the thresholds (``"1|2"``, ...; delta-method SEs). With ``brant=True`` the Brant
    (1990) test of parallel slopes (omnibus and per term) is in ``raw["brant"]`` and
    :func:`brant_test`; its omnibus row is also in ``fit_stats()``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(2)
    >>> x = rng.normal(size=400)
    >>> y = np.digitize(x + rng.logistic(size=400), [-1.0, 0.0, 1.0])
    >>> res = ordinal_logit("y ~ x", pd.DataFrame({"y": y, "x": x}))
    >>> res.tidy()["term"].tolist()
    ['x', '0|1', '1|2', '2|3']
    """
    from statsmodels.miscmodels.ordinal_model import OrderedModel

    work = data
    resp = formula.split("~")[0].strip()
    if resp in data.columns and isinstance(data[resp].dtype, pd.CategoricalDtype):
        work = data.copy()
        work[resp] = data[resp].cat.codes.astype(float).where(data[resp].notna())
        labels = [str(c) for c in data[resp].cat.categories]
    else:
        labels = []
    d = build_design(formula, work, eval_env=1)
    keep = [j for j, t in enumerate(d.terms) if t != "Intercept"]
    if not keep:
        raise ModelSpecError(f"ordinal_logit {formula!r} needs at least one predictor")
    X = d.X[:, keep]
    terms = [d.terms[j] for j in keep]
    levels = np.unique(d.y)
    if len(levels) < 3:
        raise ModelSpecError(
            f"ordinal response {d.response!r} has {len(levels)} categories; use logit for 2")
    if not labels:
        labels = [f"{v:g}" for v in levels]
    else:
        labels = [labels[int(v)] for v in levels]
    codes = np.searchsorted(levels, d.y)
    mod = OrderedModel(codes, X, distr="logit")
    fit = mod.fit(method="bfgs", disp=0, maxiter=2000, gtol=1e-8)
    if not fit.mle_retvals.get("converged", True):
        raise ConvergenceError(f"ordinal_logit {formula!r} did not converge")
    params = np.asarray(fit.params)
    cov = np.asarray(fit.cov_params())
    p = len(terms)
    raw_t = params[p:]
    theta = np.cumsum(np.r_[raw_t[0], np.exp(raw_t[1:])])
    J = np.zeros((len(theta), len(raw_t)))
    for i in range(len(theta)):
        J[i, 0] = 1
        for m in range(1, i + 1):
            J[i, m] = np.exp(raw_t[m])
    cov_t = J @ cov[p:, p:] @ J.T
    est = np.r_[params[:p], theta]
    se = np.sqrt(np.r_[np.diag(cov)[:p], np.diag(cov_t)])
    names = terms + [f"{labels[i]}|{labels[i + 1]}" for i in range(len(theta))]
    table = tidy_frame(names, est, se, df=None, conf_level=conf_level)
    stats: dict[str, Any] = {"n": d.n, "loglik": float(fit.llf), "aic": float(fit.aic),
                             "bic": float(fit.bic), "n_dropped": d.n_dropped}
    raw: dict[str, Any] = {"fit": fit}
    notes = ["logit P(Y <= j) = theta_j - x'beta (as ordinal::clm); estimates are log-odds"]
    if brant:
        bt = _brant(d, levels)
        raw["brant"] = bt
        stats["brant_chi2"] = float(bt.loc[0, "statistic"])
        stats["brant_df"] = int(bt.loc[0, "df"])
        stats["brant_p_value"] = float(bt.loc[0, "p_value"])
        notes.append(f"Brant test of proportional odds: chi2({stats['brant_df']}) = "
                     f"{stats['brant_chi2']:.3f}, p = {stats['brant_p_value']:.4g}")
    return TidyResult(model=f"Ordinal logit: {formula}", table=table, stats=stats,
                      notes=notes, raw=raw)
