"""After the model: odds ratios, average marginal effects, predictions and simple slopes.

* :func:`odds_ratios` - ``exp`` of the log-odds and of their Wald interval (logit and
  ordinal logit).
* :func:`average_marginal_effects` - AMEs with delta-method standard errors: on
  ``P(y = 1)`` for :func:`~egovstudy.models.logit`, on every category probability for
  :func:`~egovstudy.models.ordinal_logit`.
* :func:`predicted_probabilities` - probabilities at chosen predictor values, the other
  predictors held at their means (R ``emmeans(..., type = "response")``).
* :func:`interaction_predictions` - OLS predictions and simple slopes of a focal
  predictor at chosen moderator values (R ``emmeans`` / ``emtrends``).

We compute these ourselves (a few lines on the fitted coefficients) because statsmodels'
``get_margeff`` has no ordinal models and no link to our tidy results; every number is
checked against R in ``tests/test_margins.py``.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from egovstudy.errors import ModelSpecError
from egovstudy.models.results import OLSResult, TidyResult

__all__ = ["average_marginal_effects", "interaction_predictions", "odds_ratios",
           "predicted_probabilities"]


def _did_you_mean(name: str, options: Sequence[str]) -> str:
    import difflib

    close = difflib.get_close_matches(name, list(options), n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


def _kind(result: Any, what: str) -> str:
    if isinstance(result, TidyResult):
        if result.model.startswith("Logit:"):
            return "logit"
        if result.model.startswith("Ordinal logit:"):
            return "ordinal"
    raise ModelSpecError(f"{what} needs a result of egovstudy.logit or egovstudy.ordinal_logit; "
                         f"got {type(result).__name__}")


def _z(conf_level: float) -> float:
    from scipy import stats

    if not 0 < conf_level < 1:
        raise ModelSpecError(f"conf_level={conf_level!r} must lie in (0, 1), e.g. 0.95")
    return float(stats.norm.ppf(0.5 + conf_level / 2))


def _with_inference(frame: pd.DataFrame, conf_level: float) -> pd.DataFrame:
    from scipy import stats

    q = _z(conf_level)
    est, se = frame["estimate"].to_numpy(), frame["std_error"].to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        frame["statistic"] = est / se
    frame["p_value"] = 2 * stats.norm.sf(np.abs(frame["statistic"].to_numpy()))
    frame["ci_low"] = est - q * se
    frame["ci_high"] = est + q * se
    return frame


def odds_ratios(result: TidyResult, *, conf_level: float = 0.95) -> pd.DataFrame:
    """Odds ratios ``exp(b)`` with the exponentiated Wald interval.

    Parameters
    ----------
    result : TidyResult
        A fit of :func:`egovstudy.logit` or :func:`egovstudy.ordinal_logit` (thresholds
        are left out; an ordinal odds ratio is the odds of a *higher* category).
    conf_level : float
        Confidence level.

    Returns
    -------
    pandas.DataFrame
        ``term, odds_ratio, ci_low, ci_high, p_value`` (the interval is
        ``exp(b -/+ z * se)``, as R ``exp(confint.default(fit))``).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from egovstudy.models import logit
    >>> rng = np.random.default_rng(0)
    >>> df = pd.DataFrame({"x": rng.normal(size=300)})
    >>> df["y"] = (rng.random(300) < 1 / (1 + np.exp(-df.x))).astype(int)
    >>> odds_ratios(logit("y ~ x", df))["term"].tolist()
    ['Intercept', 'x']
    """
    kind = _kind(result, "odds_ratios")
    q = _z(conf_level)
    t = result.tidy()
    if kind == "ordinal":
        t = t[~t["term"].str.contains("|", regex=False)]
    est, se = t["estimate"].to_numpy(), t["std_error"].to_numpy()
    return pd.DataFrame({"term": t["term"].to_numpy(), "odds_ratio": np.exp(est),
                         "ci_low": np.exp(est - q * se), "ci_high": np.exp(est + q * se),
                         "p_value": t["p_value"].to_numpy()})


# ------------------------------------------------------------------ model internals
class _Fitted:
    """Design, coefficients and covariance of a logit or ordinal logit fit."""

    def __init__(self, result: TidyResult, kind: str) -> None:
        fit = result.raw if kind == "logit" else result.raw["fit"]
        self.kind = kind
        self.X = np.asarray(fit.model.exog, dtype=float)
        self.params = np.asarray(fit.params, dtype=float)
        self.cov = np.asarray(fit.cov_params(), dtype=float)
        self.p = self.X.shape[1]
        terms = result.table["term"].tolist()
        self.terms = terms[:self.p]
        self.categories = [] if kind == "logit" else self._categories(terms[self.p:])

    @staticmethod
    def _categories(thresholds: list[str]) -> list[str]:
        labels = [t.split("|")[0] for t in thresholds]
        return [*labels, thresholds[-1].split("|")[1]]

    def probs(self, X: np.ndarray, params: np.ndarray) -> np.ndarray:
        """n x J probabilities (J = 1 for logit: P(y = 1))."""
        from scipy.special import expit

        if self.kind == "logit":
            return np.asarray(expit(X @ params))[:, None]
        b, raw = params[:self.p], params[self.p:]
        theta = np.cumsum(np.r_[raw[0], np.exp(raw[1:])])
        cum = expit(theta[None, :] - (X @ b)[:, None])
        cum = np.column_stack([np.zeros(len(X)), cum, np.ones(len(X))])
        return np.asarray(np.diff(cum, axis=1))

    def dprobs(self, X: np.ndarray, params: np.ndarray, k: int) -> np.ndarray:
        """n x J derivatives of the probabilities with respect to column k of X."""
        from scipy.special import expit

        if self.kind == "logit":
            pr = expit(X @ params)
            return np.asarray(pr * (1 - pr) * params[k])[:, None]
        b, raw = params[:self.p], params[self.p:]
        theta = np.cumsum(np.r_[raw[0], np.exp(raw[1:])])
        c = expit(theta[None, :] - (X @ b)[:, None])
        dens = np.column_stack([np.zeros(len(X)), c * (1 - c), np.zeros(len(X))])
        return np.asarray(-b[k] * np.diff(dens, axis=1))

    def delta(self, g: Callable[[np.ndarray], np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        """Estimate and delta-method SEs of g(params) (central-difference Jacobian)."""
        est = g(self.params)
        jac = np.empty((est.size, self.params.size))
        for j in range(self.params.size):
            h = 1e-6 * max(1.0, abs(self.params[j]))
            up, dn = self.params.copy(), self.params.copy()
            up[j] += h
            dn[j] -= h
            jac[:, j] = (g(up) - g(dn)).ravel() / (2 * h)
        se = np.sqrt(np.einsum("ij,jk,ik->i", jac, self.cov, jac))
        return est.ravel(), se


def _is_binary(col: np.ndarray) -> bool:
    return bool(set(np.unique(col).tolist()) <= {0.0, 1.0})


def average_marginal_effects(result: TidyResult, *, conf_level: float = 0.95) -> pd.DataFrame:
    """Average marginal effects (AME) with delta-method standard errors.

    For a continuous predictor the AME is the mean over respondents of the derivative of
    the probability (logit: ``mean(dlogis(x'b)) * b_k``); for a 0/1 predictor (a dummy)
    it is the mean discrete change ``P(x_k = 1) - P(x_k = 0)``, as Stata ``margins,
    dydx(*)`` with factor variables. For an ordinal logit there is one AME per term and
    response category (they sum to 0 over categories).

    Parameters
    ----------
    result : TidyResult
        A fit of :func:`egovstudy.logit` or :func:`egovstudy.ordinal_logit`.
    conf_level : float
        Confidence level of the normal intervals.

    Returns
    -------
    pandas.DataFrame
        ``term, [category,] type ("derivative" or "discrete change"), estimate,
        std_error, statistic, p_value, ci_low, ci_high``.

    Notes
    -----
    Interaction or polynomial columns are treated as separate predictors (their AME is
    not a meaningful effect); report the main-effect rows only.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from egovstudy.models import logit
    >>> rng = np.random.default_rng(0)
    >>> df = pd.DataFrame({"x": rng.normal(size=300)})
    >>> df["y"] = (rng.random(300) < 1 / (1 + np.exp(-df.x))).astype(int)
    >>> ame = average_marginal_effects(logit("y ~ x", df))
    >>> ame["term"].tolist(), bool(0 < ame.loc[0, "estimate"] < 0.25)
    (['x'], True)
    """
    kind = _kind(result, "average_marginal_effects")
    m = _Fitted(result, kind)
    rows = []
    for k, term in enumerate(m.terms):
        if term == "Intercept":
            continue
        binary = _is_binary(m.X[:, k])

        def g(params: np.ndarray, k: int = k, binary: bool = binary) -> np.ndarray:
            if binary:
                x1, x0 = m.X.copy(), m.X.copy()
                x1[:, k], x0[:, k] = 1.0, 0.0
                return np.asarray((m.probs(x1, params) - m.probs(x0, params)).mean(axis=0))
            return np.asarray(m.dprobs(m.X, params, k).mean(axis=0))

        est, se = m.delta(g)
        cats: list[str | None] = [*m.categories] or [None]
        for j, cat in enumerate(cats):
            row: dict[str, Any] = {"term": term}
            if kind == "ordinal":
                row["category"] = cat
            row.update({"type": "discrete change" if binary else "derivative",
                        "estimate": est[j], "std_error": se[j]})
            rows.append(row)
    return _with_inference(pd.DataFrame(rows), conf_level)


def predicted_probabilities(result: TidyResult, at: Mapping[str, Sequence[float]], *,
                            conf_level: float = 0.95) -> pd.DataFrame:
    """Predicted probabilities at chosen values, the other predictors at their means.

    Parameters
    ----------
    result : TidyResult
        A fit of :func:`egovstudy.logit` or :func:`egovstudy.ordinal_logit`.
    at : mapping
        Term (a column of the design, as in ``tidy()["term"]``) -> values; every
        combination is predicted. Terms not named are held at their sample mean (the
        reference grid of R ``emmeans`` for numeric covariates).
    conf_level : float
        Confidence level (standard errors by the delta method on the probability scale).

    Returns
    -------
    pandas.DataFrame
        One row per combination (and category, for ordinal): the ``at`` terms,
        ``[category,] estimate, std_error, ci_low, ci_high``. For a logit the interval is
        back-transformed from the logit scale (``emmeans``); for an ordinal logit it is
        the symmetric delta-method interval (``emmeans(..., mode = "prob")``).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from egovstudy.models import logit
    >>> rng = np.random.default_rng(0)
    >>> df = pd.DataFrame({"x": rng.normal(size=300)})
    >>> df["y"] = (rng.random(300) < 1 / (1 + np.exp(-df.x))).astype(int)
    >>> pp = predicted_probabilities(logit("y ~ x", df), {"x": [-1, 0, 1]})
    >>> bool(pp["estimate"].is_monotonic_increasing)
    True
    """
    kind = _kind(result, "predicted_probabilities")
    m = _Fitted(result, kind)
    if not isinstance(at, Mapping) or not at:
        raise ModelSpecError("at must be a non-empty mapping term -> values, e.g. "
                             "{'trust': [1, 3, 5]}")
    inter = [t for t in m.terms if ":" in t]
    if inter:
        raise ModelSpecError(f"predicted_probabilities holds terms at their means, which is "
                             f"wrong for the interaction terms {inter}; fit the model without "
                             "them or predict by hand")
    for name in at:
        if name not in m.terms or name == "Intercept":
            raise ModelSpecError(f"at names {name!r}, which is not a term of the model "
                                 f"{[t for t in m.terms if t != 'Intercept']}"
                                 f"{_did_you_mean(str(name), m.terms)}")
    names = list(at)
    values = [np.atleast_1d(np.asarray(at[n], dtype=float)) for n in names]
    grid = list(itertools.product(*values))
    X = np.tile(m.X.mean(axis=0), (len(grid), 1))
    for j, name in enumerate(names):
        X[:, m.terms.index(name)] = [g[j] for g in grid]
    est, se = m.delta(lambda params: m.probs(X, params))
    cats: list[str | None] = [*m.categories] or [None]
    rows = []
    for i, g in enumerate(grid):
        for j, cat in enumerate(cats):
            row: dict[str, Any] = dict(zip(names, g))
            if kind == "ordinal":
                row["category"] = cat
            row.update({"estimate": est[i * len(cats) + j], "std_error": se[i * len(cats) + j]})
            rows.append(row)
    out = _with_inference(pd.DataFrame(rows), conf_level).drop(columns=["statistic", "p_value"])
    if kind == "logit":
        # as emmeans(type = "response"): the interval is back-transformed from the logit
        # scale, so it stays inside (0, 1)
        from scipy.special import expit

        eta = X @ m.params
        se_eta = np.sqrt(np.einsum("ij,jk,ik->i", X, m.cov, X))
        q = _z(conf_level)
        out["ci_low"], out["ci_high"] = expit(eta - q * se_eta), expit(eta + q * se_eta)
    return out


# ------------------------------------------------------------------ OLS interactions
def _design_at(result: OLSResult, grid: pd.DataFrame) -> np.ndarray:
    """Design rows of ``grid`` built with the model's formula (factor levels of the data)."""
    from egovstudy.models.design import build_design

    base = result.data.copy()
    g = grid.copy()
    g[result.response] = float(np.mean(result.y))
    both = pd.concat([base, g[base.columns]], ignore_index=True)
    d = build_design(result.formula, both)
    if d.terms != result.terms or d.n != len(both):
        raise ModelSpecError(f"the prediction grid does not give the design of {result.formula!r}"
                             "; check the values given for each variable")
    return d.X[len(base):]


def interaction_predictions(result: OLSResult, focal: str, moderator: str, *,
                            focal_values: Sequence[float] | None = None,
                            moderator_values: Sequence[float] | None = None,
                            conf_level: float = 0.95) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Predictions and simple slopes of ``focal`` at values of ``moderator`` (OLS).

    Parameters
    ----------
    result : OLSResult
        A fit of :func:`egovstudy.ols` whose formula has ``focal * moderator`` (or
        ``focal + moderator + focal:moderator``).
    focal, moderator : str
        Numeric data columns.
    focal_values : sequence of float, optional
        Default: 20 points from the minimum to the maximum of ``focal``.
    moderator_values : sequence of float, optional
        Default: mean - SD, mean, mean + SD (Aiken & West, 1991).
    conf_level : float
        Confidence level (t on the model's inference df, with its covariance matrix).

    Returns
    -------
    (predictions, slopes) : tuple of pandas.DataFrame
        ``predictions``: focal, moderator, estimate, std_error, ci_low, ci_high (the
        other numeric variables at their mean, other categorical variables at their most
        frequent level, as R ``emmeans``); ``slopes``: moderator, estimate, std_error,
        statistic, p_value, ci_low, ci_high (R ``emtrends``).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from egovstudy.models import ols
    >>> rng = np.random.default_rng(0)
    >>> df = pd.DataFrame({"x": rng.normal(size=200), "z": rng.normal(size=200)})
    >>> df["y"] = df.x + df.z + 0.5 * df.x * df.z + rng.normal(size=200)
    >>> pred, slopes = interaction_predictions(ols("y ~ x * z", df), "x", "z",
    ...                                        moderator_values=[-1, 0, 1])
    >>> bool(slopes["estimate"].is_monotonic_increasing)
    True
    """
    from scipy import stats

    if not isinstance(result, OLSResult):
        raise ModelSpecError(f"interaction_predictions needs a result of egovstudy.ols; got "
                             f"{type(result).__name__}")
    data = result.data
    for arg, col in (("focal", focal), ("moderator", moderator)):
        if col not in data.columns or col == result.response:
            cols = [str(c) for c in data.columns if c != result.response]
            raise ModelSpecError(f"{arg}={col!r} is not a predictor of {result.formula!r}"
                                 f"{_did_you_mean(str(col), cols)}")
        if not pd.api.types.is_numeric_dtype(data[col]):
            raise ModelSpecError(f"{arg}={col!r} must be numeric; for a categorical moderator "
                                 "fit one model per group or use C() contrasts")
    if focal == moderator:
        raise ModelSpecError("focal and moderator must be different columns")
    fv = (np.linspace(data[focal].min(), data[focal].max(), 20) if focal_values is None
          else np.asarray(focal_values, dtype=float))
    if moderator_values is None:
        mu, sd = float(data[moderator].mean()), float(data[moderator].std(ddof=1))
        mv = np.array([mu - sd, mu, mu + sd])
    else:
        mv = np.asarray(moderator_values, dtype=float)
    fixed: dict[str, Any] = {}
    for c in data.columns:
        if c in (focal, moderator, result.response):
            continue
        s = data[c]
        fixed[c] = float(s.mean()) if pd.api.types.is_numeric_dtype(s) else s.mode().iloc[0]
    grid = pd.DataFrame([{focal: f, moderator: z, **fixed} for z in mv for f in fv])
    X = _design_at(result, grid)
    b, V = result.coef, result.cov
    dfi = result.df_inference
    if not 0 < conf_level < 1:
        raise ModelSpecError(f"conf_level={conf_level!r} must lie in (0, 1), e.g. 0.95")
    q = float(stats.t.ppf(0.5 + conf_level / 2, dfi))
    est = X @ b
    se = np.sqrt(np.einsum("ij,jk,ik->i", X, V, X))
    pred = grid[[focal, moderator]].assign(estimate=est, std_error=se, ci_low=est - q * se,
                                           ci_high=est + q * se)
    # simple slope: the change of the prediction for a one-unit step of focal (exact for a
    # focal that enters linearly and through its products with the moderator)
    g1 = pd.DataFrame([{focal: 1.0, moderator: z, **fixed} for z in mv])
    g0 = g1.assign(**{focal: 0.0})
    D = _design_at(result, g1) - _design_at(result, g0)
    s_est = D @ b
    s_se = np.sqrt(np.einsum("ij,jk,ik->i", D, V, D))
    tstat = s_est / s_se
    slopes = pd.DataFrame({moderator: mv, "estimate": s_est, "std_error": s_se,
                           "statistic": tstat, "p_value": 2 * stats.t.sf(np.abs(tstat), dfi),
                           "ci_low": s_est - q * s_se, "ci_high": s_est + q * s_se})
    return pred, slopes
