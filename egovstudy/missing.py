"""Missing data: Little's MCAR test, multiple imputation with Rubin's rules, a report.

* :func:`little_mcar_test` -- Little's (1988) chi-square test that the data are missing
  completely at random, from maximum-likelihood (EM) estimates of the means and covariance.
* :func:`impute` -- ``m`` multiply imputed copies of the data by chained equations
  (scikit-learn's ``IterativeImputer`` with Bayesian-ridge posterior draws, seeded).
* :func:`pool`, :func:`mi_ols`, :func:`mi_logit`, :func:`mi_process` -- fit a model in every
  imputed copy and pool with Rubin's rules (Barnard-Rubin df, fraction of missing
  information), the numbers of R ``mice::pool``.
* :func:`missing_report` -- missing shares per column and row, patterns, Little's test and
  a sentence for the methods section in English or Indonesian.

Full-information ML for CFA is not here yet (see ``docs/missing.md``).
"""

from __future__ import annotations

import difflib
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from egovstudy.errors import ConvergenceError, InsufficientDataError, ModelSpecError

if TYPE_CHECKING:  # pragma: no cover
    from egovstudy.mediation import ProcessResult

__all__ = [
    "ImputedData",
    "LittleResult",
    "MissingReport",
    "PooledResult",
    "em_normal",
    "impute",
    "little_mcar_test",
    "mi_logit",
    "mi_ols",
    "mi_process",
    "missing_report",
    "pool",
    "rubin_pool",
]

ImputeMethod = Literal["norm"]
_METHODS: tuple[str, ...] = ("norm",)


# --------------------------------------------------------------------------- checks
def _near(name: str, known: Sequence[str]) -> str:
    near = difflib.get_close_matches(str(name), [str(k) for k in known], n=1)
    return f"; did you mean {near[0]!r}?" if near else ""


def _numeric_block(data: pd.DataFrame, columns: Sequence[str] | None,
                   who: str) -> pd.DataFrame:
    """The columns as floats, checked: present, numeric, not entirely missing."""
    if not isinstance(data, pd.DataFrame):
        raise ModelSpecError(f"{who}: data must be a pandas DataFrame, got "
                             f"{type(data).__name__}")
    cols = list(data.columns) if columns is None else list(columns)
    if isinstance(columns, str):
        raise ModelSpecError(f"{who}: columns={columns!r} must be a list of column names, "
                             f"e.g. [{columns!r}]")
    if len(cols) == 0:
        raise ModelSpecError(f"{who}: columns is empty; name at least one column")
    for c in cols:
        if c not in data.columns:
            raise ModelSpecError(f"{who}: column {c!r} is not in the data"
                                 f"{_near(c, list(map(str, data.columns)))}")
    block = data[cols]
    for c in cols:
        if not (pd.api.types.is_numeric_dtype(block[c])
                or pd.api.types.is_bool_dtype(block[c])):
            raise ModelSpecError(f"{who}: column {c!r} is not numeric "
                                 f"(dtype {block[c].dtype}); recode it to numbers or leave "
                                 "it out of columns")
        if block[c].isna().all():
            raise InsufficientDataError(f"{who}: column {c!r} is entirely missing; leave it "
                                        "out of columns")
    return block.astype(float)


# --------------------------------------------------------------------------- EM + Little
def _patterns(miss: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Unique missingness patterns (rows of booleans, True = missing) and each row's index."""
    pats, inverse = np.unique(miss, axis=0, return_inverse=True)
    return pats, np.asarray(inverse).ravel()


def em_normal(x: np.ndarray, *, tol: float = 1e-12,
              max_iter: int = 10_000) -> tuple[np.ndarray, np.ndarray, int]:
    """Maximum-likelihood mean and covariance of a multivariate normal with missing values.

    The EM algorithm (Dempster, Laird & Rubin 1977; Little & Rubin 2019, sec. 11.2) over
    missingness patterns; the covariance has divisor N. Rows with no observed value are left
    out. Written here because neither statsmodels nor scikit-learn offer EM for a normal
    with missing values (R uses ``norm::em.norm``).

    Returns
    -------
    mu, sigma, iterations

    Examples
    --------
    >>> x = np.array([[1.0, 2.0], [2.0, np.nan], [3.0, 5.0], [4.0, 7.0]])
    >>> mu, sigma, _ = em_normal(x)
    >>> mu.round(4).tolist()
    [2.5, 4.3929]
    """
    miss = np.isnan(x)
    keep = ~miss.all(axis=1)
    x, miss = x[keep], miss[keep]
    n, p = x.shape
    pats, idx = _patterns(miss)
    mu = np.nanmean(x, axis=0)
    var = np.nanvar(x, axis=0)
    sigma = np.diag(np.where(var > 0, var, 1.0))
    groups = [(~pats[g], np.flatnonzero(idx == g)) for g in range(len(pats))]
    for it in range(1, max_iter + 1):
        t1 = np.zeros(p)
        t2 = np.zeros((p, p))
        for obs, rows in groups:
            mis = ~obs
            xo = x[np.ix_(rows, obs)]
            if not mis.any():
                t1 += xo.sum(axis=0)
                t2 += xo.T @ xo
                continue
            s_oo = sigma[np.ix_(obs, obs)]
            s_mo = sigma[np.ix_(mis, obs)]
            beta = np.linalg.solve(s_oo, s_mo.T).T if obs.any() else np.zeros((mis.sum(), 0))
            xhat = np.empty((len(rows), p))
            xhat[:, obs] = xo
            xhat[:, mis] = mu[mis] + (xo - mu[obs]) @ beta.T
            cond = sigma[np.ix_(mis, mis)] - beta @ s_mo.T
            t1 += xhat.sum(axis=0)
            t2 += xhat.T @ xhat
            t2[np.ix_(mis, mis)] += len(rows) * cond
        new_mu = t1 / n
        new_sigma = t2 / n - np.outer(new_mu, new_mu)
        change = max(np.max(np.abs(new_mu - mu)), np.max(np.abs(new_sigma - sigma)))
        scale = max(1.0, float(np.max(np.abs(new_sigma))))
        mu, sigma = new_mu, new_sigma
        if change <= tol * scale:
            return mu, sigma, it
    raise ConvergenceError(f"EM for the means and covariance did not converge in {max_iter} "
                           "iterations; check for constant or collinear columns")


@dataclass(frozen=True, eq=False)
class LittleResult:
    """Little's (1988) MCAR test.

    Attributes
    ----------
    statistic, df, p_value : chi-square d^2, its degrees of freedom and p value
    n_patterns : number of distinct missing-data patterns (an all-missing row counts)
    n : rows used (rows with at least one observed value)
    mean, cov : EM (maximum-likelihood) estimates, indexed by column
    """

    statistic: float
    df: int
    p_value: float
    n_patterns: int
    n: int
    mean: pd.Series
    cov: pd.DataFrame

    def tidy(self) -> pd.DataFrame:
        """One row: statistic, df, p_value, n_patterns, n."""
        return pd.DataFrame([{"statistic": self.statistic, "df": self.df,
                              "p_value": self.p_value, "n_patterns": self.n_patterns,
                              "n": self.n}])

    def summary(self) -> str:
        """Little's test in one line."""
        return (f"Little's MCAR test: chi2({self.df}) = {self.statistic:.3f}, "
                f"p = {self.p_value:.4g}, {self.n_patterns} missing-data patterns, "
                f"n = {self.n}")

    def __str__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        return self.tidy().to_html(index=False)


def little_mcar_test(data: pd.DataFrame, columns: Sequence[str] | None = None) -> LittleResult:
    """Little's (1988) test that values are missing completely at random (MCAR).

    d^2 = sum over patterns j of n_j (ybar_j - mu_j)' Sigma_j^-1 (ybar_j - mu_j), with mu and
    Sigma the EM estimates (:func:`em_normal`) restricted to the variables observed in
    pattern j; df = sum of observed variables over patterns - number of variables.

    Parameters
    ----------
    data : pandas.DataFrame
    columns : list of str, optional
        Numeric columns to test (default: all columns).

    Returns
    -------
    LittleResult

    Notes
    -----
    Checked against R ``naniar::mcar_test(airquality)`` (chi2 = 35.106, df 14, 4 patterns)
    and against Little's statistic computed in R with an inline EM
    (``tests/r/missing_reference.R``). naniar stops ``norm::em.norm`` at a looser
    tolerance, so its statistic agrees to about 6 significant digits.

    References
    ----------
    Little, R. J. A. (1988). A test of missing completely at random for multivariate data
    with missing values. *JASA* 83(404), 1198-1202.

    Examples
    --------
    >>> d = pd.DataFrame({"a": [1.0, 2, 3, 4, 5, 6], "b": [2.0, np.nan, 3, 5, 4, np.nan]})
    >>> res = little_mcar_test(d)
    >>> res.df, res.n_patterns
    (1, 2)
    """
    from scipy import stats

    from egovstudy._blas import single_thread_blas

    block = _numeric_block(data, columns, "little_mcar_test")
    x = block.to_numpy()
    miss = np.isnan(x)
    pats_all, _ = _patterns(miss)
    with single_thread_blas():  # many small solves: BLAS threads only compete
        mu, sigma, _ = em_normal(x)
    keep = ~miss.all(axis=1)
    xk, mk = x[keep], miss[keep]
    pats, idx = _patterns(mk)
    d2 = 0.0
    df = 0
    for g, pat in enumerate(pats):
        obs = ~pat
        rows = idx == g
        diff = np.nanmean(xk[np.ix_(rows, obs)], axis=0) - mu[obs]
        d2 += rows.sum() * float(diff @ np.linalg.solve(sigma[np.ix_(obs, obs)], diff))
        df += int(obs.sum())
    df -= x.shape[1]
    p_value = float(stats.chi2.sf(d2, df)) if df > 0 else float("nan")
    cols = list(block.columns)
    return LittleResult(statistic=float(d2), df=df, p_value=p_value, n_patterns=len(pats_all),
                        n=int(keep.sum()), mean=pd.Series(mu, index=cols),
                        cov=pd.DataFrame(sigma, index=cols, columns=cols))


# --------------------------------------------------------------------------- imputation
@dataclass(frozen=True, eq=False)
class ImputedData:
    """``m`` completed copies of a dataset (from :func:`impute`).

    Attributes
    ----------
    datasets : tuple of DataFrame
        The completed data, all columns of the input (only ``columns`` are imputed).
    columns : tuple of str
        The imputed (and predictor) columns.
    method : str
    seed : int
        Entropy of the seed sequence (re-run with it to get the same imputations).
    n_missing : dict
        Missing cells per column before imputation.
    share_imputed : float
        Share of the cells in ``columns`` that were imputed.
    """

    datasets: tuple[pd.DataFrame, ...]
    columns: tuple[str, ...]
    method: str
    seed: int
    n_missing: dict[str, int]
    share_imputed: float
    max_iter: int = 10

    @property
    def m(self) -> int:
        """Number of imputations."""
        return len(self.datasets)

    def __len__(self) -> int:
        return len(self.datasets)

    def __getitem__(self, i: int) -> pd.DataFrame:
        return self.datasets[i]

    def summary(self) -> str:
        """What was imputed, how."""
        return (f"{self.m} imputations by chained equations (method {self.method!r}, "
                f"{self.max_iter} iterations, seed {self.seed}); "
                f"{self.share_imputed:.1%} of the cells in {len(self.columns)} columns imputed")

    def __str__(self) -> str:
        return self.summary()


def _check_choice(value: str, allowed: Sequence[str], name: str) -> None:
    if value not in allowed:
        raise ModelSpecError(f"{name}={value!r} is not one of {list(allowed)}"
                             f"{_near(value, allowed)}")


def impute(data: pd.DataFrame, columns: Sequence[str] | None = None, *, m: int = 20,
           method: ImputeMethod = "norm", max_iter: int = 10,
           seed: int | np.random.SeedSequence | None = None) -> ImputedData:
    """Multiple imputation by chained equations (MICE).

    Each column in ``columns`` with missing values is regressed on the others in turn
    (Bayesian ridge regression) and its missing cells are drawn from the posterior
    predictive distribution (``method="norm"``, like R ``mice`` method ``"norm"``),
    cycling ``max_iter`` times; this is repeated with ``m`` independent random streams.

    Parameters
    ----------
    data : pandas.DataFrame
    columns : list of str, optional
        Numeric columns to impute and to use as predictors (default: all columns). Other
        columns are carried over unchanged.
    m : int
        Number of imputations (>= 2; 20 or more when much is missing).
    method : {"norm"}
        Imputation model.
    max_iter : int
        Chained-equation cycles per imputation.
    seed : int or numpy.random.SeedSequence
        Same seed, same imputations (``None``: fresh entropy, reported in ``seed``).

    Returns
    -------
    ImputedData

    Notes
    -----
    Uses scikit-learn's ``IterativeImputer(sample_posterior=True)``, a maintained chained-
    equations implementation; imputation ``i`` uses the ``i``-th child of the seed sequence.
    Imputed Likert answers are continuous (not rounded), as recommended for pooled
    regression estimates.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> d = pd.DataFrame(rng.normal(size=(50, 3)), columns=["a", "b", "c"])
    >>> d.loc[::7, "b"] = np.nan
    >>> imp = impute(d, m=3, seed=1)
    >>> imp.m, bool(imp.datasets[0]["b"].notna().all())
    (3, True)
    """
    from sklearn.experimental import enable_iterative_imputer  # noqa: F401
    from sklearn.impute import IterativeImputer
    from sklearn.linear_model import BayesianRidge

    from egovstudy._blas import single_thread_blas
    from egovstudy.bootstrap import seed_sequence

    _check_choice(method, _METHODS, "method")
    if isinstance(m, bool) or not isinstance(m, int | np.integer) or m < 2:
        raise InsufficientDataError(f"impute: m={m!r}; pooling needs at least 2 imputations, "
                                    "pass m=20 (or at least 5)")
    if isinstance(max_iter, bool) or not isinstance(max_iter, int | np.integer) or max_iter < 1:
        raise ModelSpecError(f"impute: max_iter={max_iter!r} must be a positive int, e.g. 10")
    block = _numeric_block(data, columns, "impute")
    ss = seed_sequence(seed)
    miss = block.isna().to_numpy()
    out: list[pd.DataFrame] = []
    for child in ss.spawn(int(m)):
        state = int(child.generate_state(1, dtype=np.uint32)[0])
        imp = IterativeImputer(estimator=BayesianRidge(), sample_posterior=True,
                               max_iter=int(max_iter), random_state=state,
                               keep_empty_features=True)
        # one BLAS thread: the many small regressions are 25x slower when BLAS threads
        # compete (measured on bfi, 2,800 x 25), and the draws are then byte-reproducible
        with warnings.catch_warnings(), single_thread_blas():
            # with posterior draws the chain never "converges": the warning is expected
            warnings.simplefilter("ignore")
            filled = imp.fit_transform(block.to_numpy(dtype=float, copy=True))
        d = data.copy()
        for j, c in enumerate(block.columns):
            if miss[:, j].any():
                col = d[c].astype(float)
                col[miss[:, j]] = filled[miss[:, j], j]
                d[c] = col
        out.append(d)
    entropy = ss.entropy if isinstance(ss.entropy, int) else 0
    return ImputedData(datasets=tuple(out), columns=tuple(block.columns), method=method,
                       seed=int(entropy),
                       n_missing={c: int(miss[:, j].sum()) for j, c in enumerate(block.columns)},
                       share_imputed=float(miss.mean()), max_iter=int(max_iter))


# --------------------------------------------------------------------------- Rubin's rules
def rubin_pool(estimates: np.ndarray, variances: np.ndarray, *,
               dfcom: float | np.ndarray = np.inf) -> pd.DataFrame:
    """Rubin's rules for ``m`` estimates of ``k`` parameters (the formulas of ``mice::pool``).

    qbar = mean estimate, ubar = mean within variance, b = between variance (divisor
    m - 1), t = ubar + (1 + 1/m) b, riv = (1 + 1/m) b / ubar, lambda = (1 + 1/m) b / t,
    df = Barnard & Rubin (1999) with complete-data df ``dfcom`` (Rubin's 1987 df when
    infinite), fmi = (riv + 2 / (df + 3)) / (1 + riv).

    Parameters
    ----------
    estimates, variances : array (m, k)
    dfcom : float or array (k,)
        Complete-data residual degrees of freedom (``inf`` for large-sample statistics).

    Returns
    -------
    pandas.DataFrame
        Columns estimate, ubar, b, t, dfcom, df, riv, lambda, fmi, std_error.

    Examples
    --------
    >>> r = rubin_pool(np.array([[1.0], [1.2], [0.8]]), np.array([[0.04], [0.05], [0.03]]))
    >>> r[["estimate", "b", "t"]].round(4).values.tolist()
    [[1.0, 0.04, 0.0933]]
    """
    q = np.asarray(estimates, dtype=float)
    u = np.asarray(variances, dtype=float)
    if q.ndim != 2 or q.shape != u.shape:
        raise ModelSpecError("rubin_pool: estimates and variances must be (m, k) arrays of "
                             f"the same shape; got {q.shape} and {u.shape}")
    m = q.shape[0]
    if m < 2:
        raise InsufficientDataError(f"rubin_pool: {m} imputation(s); Rubin's rules need at "
                                    "least 2 (impute with m >= 2)")
    qbar = q.mean(axis=0)
    ubar = u.mean(axis=0)
    b = q.var(axis=0, ddof=1)
    t = ubar + (1 + 1 / m) * b
    dfc = np.broadcast_to(np.asarray(dfcom, dtype=float), qbar.shape)
    with np.errstate(divide="ignore", invalid="ignore"):
        lam = (1 + 1 / m) * b / t
        riv = (1 + 1 / m) * b / ubar
        # mice::barnard.rubin: lambda floored at 1e-4 so df stays finite
        lam_df = np.maximum(lam, 1e-4)
        dfold = (m - 1) / lam_df**2
        dfobs = (dfc + 1) / (dfc + 3) * dfc * (1 - lam_df)
        df = np.where(np.isinf(dfc), dfold, dfold * dfobs / (dfold + dfobs))
        fmi = (riv + 2 / (df + 3)) / (1 + riv)
    return pd.DataFrame({"estimate": qbar, "ubar": ubar, "b": b, "t": t, "dfcom": dfc,
                         "df": df, "riv": riv, "lambda": lam, "fmi": fmi,
                         "std_error": np.sqrt(t)})


@dataclass(frozen=True, eq=False)
class PooledResult:
    """Estimates pooled over imputations by Rubin's rules.

    ``tidy()`` columns: the key columns (``term``; for PROCESS also part, outcome,
    w_value), estimate, std_error, statistic, df, p_value, ci_low, ci_high, and Rubin's
    ubar, b, t, riv, lambda, fmi, dfcom.
    """

    model: str
    table: pd.DataFrame
    m: int
    fits: tuple[Any, ...] = ()
    notes: list[str] = field(default_factory=list)

    def tidy(self) -> pd.DataFrame:
        """The pooled table (a copy)."""
        return self.table.copy()

    def summary(self) -> str:
        """Text table with the notes."""
        cols = [c for c in ["part", "outcome", "term", "w_value", "estimate", "std_error",
                            "statistic", "df", "p_value", "ci_low", "ci_high", "fmi"]
                if c in self.table.columns]
        lines = [f"{self.model} -- pooled over m = {self.m} imputations (Rubin's rules)",
                 self.table[cols].to_string(index=False, float_format=lambda v: f"{v:.4f}")]
        lines += [f"Note: {n}" for n in self.notes]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        return (f"<p><b>{self.model}</b> (m = {self.m}, Rubin's rules)</p>"
                + self.table.to_html(index=False, float_format=lambda v: f"{v:.4f}"))


def _finish(pooled: pd.DataFrame, keys: pd.DataFrame, conf_level: float) -> pd.DataFrame:
    from scipy import stats

    est = pooled["estimate"].to_numpy()
    se = pooled["std_error"].to_numpy()
    df = pooled["df"].to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        stat = est / se
        p = 2 * stats.t.sf(np.abs(stat), df)
        crit = stats.t.ppf(0.5 + conf_level / 2, df)
    out = keys.reset_index(drop=True).copy()
    out["estimate"] = est
    out["std_error"] = se
    out["statistic"] = stat
    out["df"] = df
    out["p_value"] = p
    out["ci_low"] = est - crit * se
    out["ci_high"] = est + crit * se
    for c in ["ubar", "b", "t", "riv", "lambda", "fmi", "dfcom"]:
        out[c] = pooled[c].to_numpy()
    return out


def _frame_of(fit: Any) -> tuple[pd.DataFrame, float]:
    """Tidy frame and complete-data df of one fitted model."""
    from egovstudy.models.results import LinearFitMixin, TidyResult

    if isinstance(fit, LinearFitMixin):
        return fit.tidy(), float(fit.df_resid)
    if isinstance(fit, TidyResult):
        n = fit.stats.get("n")
        dfcom = float(n - len(fit.table)) if n is not None else np.inf
        return fit.tidy(), dfcom
    if isinstance(fit, pd.DataFrame):
        lacking = [c for c in ("term", "estimate", "std_error") if c not in fit.columns]
        if lacking:
            raise ModelSpecError(f"pool: a tidy frame lacks column(s) {lacking}; pass frames "
                                 "with term, estimate, std_error (e.g. result.tidy())")
        return fit, np.inf
    raise ModelSpecError(f"pool: cannot pool a {type(fit).__name__}; pass results of "
                         "egovstudy.ols / egovstudy.models.logit or tidy frames with term, "
                         "estimate, std_error")


def pool(fits: Sequence[Any], *, dfcom: float | None = None,
         conf_level: float = 0.95) -> PooledResult:
    """Pool models fitted in each imputed dataset by Rubin's rules (as R ``mice::pool``).

    Parameters
    ----------
    fits : list
        One fit per imputation: :func:`egovstudy.ols` results (complete-data df n - k),
        :func:`egovstudy.models.logit` results (df n - k, as ``mice`` takes
        ``df.residual``), or tidy frames with ``term, estimate, std_error`` (df infinite).
    dfcom : float, optional
        Override the complete-data degrees of freedom.
    conf_level : float

    Returns
    -------
    PooledResult

    Examples
    --------
    >>> from egovstudy.models import ols
    >>> rng = np.random.default_rng(0)
    >>> d = pd.DataFrame({"x": rng.normal(size=60)})
    >>> d["y"] = 1 + d.x + rng.normal(size=60)
    >>> d.loc[::6, "x"] = np.nan
    >>> imp = impute(d, m=5, seed=3)
    >>> res = pool([ols("y ~ x", df) for df in imp.datasets])
    >>> res.tidy()["term"].tolist()
    ['Intercept', 'x']
    """
    fits = list(fits)
    if len(fits) < 2:
        raise InsufficientDataError(f"pool: {len(fits)} fit(s); Rubin's rules need at least "
                                    "2 (impute with m >= 2)")
    frames, dfcoms = zip(*(_frame_of(f) for f in fits), strict=True)
    terms = list(frames[0]["term"])
    for i, fr in enumerate(frames[1:], start=2):
        if list(fr["term"]) != terms:
            raise ModelSpecError(f"pool: fit {i} has terms {list(fr['term'])}, fit 1 has "
                                 f"{terms}; fit the same model in every imputation")
    q = np.vstack([fr["estimate"].to_numpy(float) for fr in frames])
    u = np.vstack([fr["std_error"].to_numpy(float) ** 2 for fr in frames])
    dfc = float(dfcom) if dfcom is not None else float(np.mean(dfcoms))
    pooled = rubin_pool(q, u, dfcom=dfc)
    table = _finish(pooled, pd.DataFrame({"term": terms}), conf_level)
    model = getattr(fits[0], "model", None) or getattr(fits[0], "formula", "model")
    return PooledResult(model=str(model), table=table, m=len(fits), fits=tuple(fits),
                        notes=[f"complete-data df {dfc:g}; Barnard-Rubin df"])


def _fit_each(imputed: ImputedData, fn: Callable[[pd.DataFrame], Any]) -> list[Any]:
    if not isinstance(imputed, ImputedData):
        raise ModelSpecError(f"expected the ImputedData returned by impute(), got "
                             f"{type(imputed).__name__}; run imputed = impute(data, ...)")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=UserWarning)
        return [fn(d) for d in imputed.datasets]


def mi_ols(formula: str, imputed: ImputedData, **kwargs: Any) -> PooledResult:
    """:func:`egovstudy.ols` in each imputed dataset, pooled by Rubin's rules.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> d = pd.DataFrame({"x": rng.normal(size=80)})
    >>> d["y"] = 2 * d.x + rng.normal(size=80)
    >>> d.loc[::5, "y"] = np.nan
    >>> res = mi_ols("y ~ x", impute(d, m=5, seed=2))
    >>> bool(res.tidy().set_index("term").loc["x", "estimate"] > 1.5)
    True
    """
    from egovstudy.models import ols

    conf = kwargs.get("conf_level", 0.95)
    fits = _fit_each(imputed, lambda d: ols(formula, d, **kwargs))
    return pool(fits, conf_level=conf)


def mi_logit(formula: str, imputed: ImputedData, **kwargs: Any) -> PooledResult:
    """:func:`egovstudy.models.logit` in each imputed dataset, pooled by Rubin's rules.

    The 0/1 response should not be imputed (leave it out of ``columns``) or be complete.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> d = pd.DataFrame({"x": rng.normal(size=200)})
    >>> d["y"] = (rng.random(200) < 1 / (1 + np.exp(-d.x))).astype(int)
    >>> d.loc[::9, "x"] = np.nan
    >>> res = mi_logit("y ~ x", impute(d, ["x"], m=3, seed=1))
    >>> res.tidy()["term"].tolist()
    ['Intercept', 'x']
    """
    from egovstudy.models import logit

    conf = kwargs.get("conf_level", 0.95)
    fits = _fit_each(imputed, lambda d: logit(formula, d, **kwargs))
    return pool(fits, conf_level=conf)


def mi_process(imputed: ImputedData, *, conf_level: float = 0.95,
               **kwargs: Any) -> PooledResult:
    """:func:`egovstudy.process` in each imputed dataset, pooled by Rubin's rules.

    Coefficients are pooled with their OLS standard errors (complete-data df of their
    equation); direct, total and indirect effects with the standard error reported in
    each imputation (for indirect effects the bootstrap SE; large-sample df). The pooled
    estimate of an indirect effect is the mean of the per-imputation estimates.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> d = pd.DataFrame({"x": rng.normal(size=120)})
    >>> d["m"] = 0.5 * d.x + rng.normal(size=120)
    >>> d["y"] = 0.5 * d.m + rng.normal(size=120)
    >>> d.loc[::8, "m"] = np.nan
    >>> res = mi_process(impute(d, m=3, seed=1), model=4, x="x", m="m", y="y",
    ...                  n_boot=200, seed=1)
    >>> "indirect" in set(res.tidy()["part"])
    True
    """
    from egovstudy.mediation import process

    fits: list[ProcessResult] = _fit_each(imputed, lambda d: process(d, **kwargs))
    keys = ["part", "outcome", "term", "w_value"]
    frames = [f.tidy() for f in fits]
    first = frames[0][keys]
    for i, fr in enumerate(frames[1:], start=2):
        if not fr[keys].equals(first):
            raise ModelSpecError(f"mi_process: imputation {i} gave different effects than "
                                 "imputation 1 (probe values of W differ?); pass w_values=")
    q = np.vstack([fr["estimate"].to_numpy(float) for fr in frames])
    u = np.vstack([fr["std_error"].to_numpy(float) ** 2 for fr in frames])
    df2 = fits[0].model_fit.set_index("outcome")["df2"]
    dfcom = np.array([float(df2.get(o, np.inf)) if p == "coefficient" else np.inf
                      for p, o in zip(first["part"], first["outcome"], strict=True)])
    pooled = rubin_pool(q, u, dfcom=dfcom)
    table = _finish(pooled, first, conf_level)
    return PooledResult(model=f"PROCESS model {fits[0].model}", table=table, m=len(fits),
                        fits=tuple(fits),
                        notes=["effects pooled with the per-imputation standard errors "
                               "(bootstrap SE for indirect effects); large-sample df"])


# --------------------------------------------------------------------------- report
_SENTENCES = {
    "en": {
        "share": ("Of the {n} respondents, {rows:.1%} left at least one of the {k} items "
                  "unanswered ({cells:.1%} of all answers missing, {pat} patterns)."),
        "little": ("Little's MCAR test: chi2({df}) = {stat:.2f}, p {p}."),
        "listwise": "Incomplete cases were excluded listwise.",
        "mi": ("Missing answers ({share:.1%} of the values) were multiply imputed by chained "
               "equations (m = {m}) and estimates pooled with Rubin's rules."),
    },
    "id": {
        "share": ("Dari {n} responden, {rows:.1%} tidak menjawab sedikitnya satu dari {k} "
                  "butir ({cells:.1%} dari seluruh jawaban hilang, {pat} pola)."),
        "little": ("Uji MCAR Little: chi2({df}) = {stat:.2f}, p {p}."),
        "listwise": "Kasus yang tidak lengkap dikeluarkan (listwise deletion).",
        "mi": ("Jawaban yang hilang ({share:.1%} dari nilai) diimputasi ganda dengan chained "
               "equations (m = {m}) dan estimasi digabung dengan aturan Rubin."),
    },
}


def _p_text(p: float, language: str) -> str:
    if language == "id":  # Indonesian keeps the leading zero: p = 0,012
        return "< 0.001" if p < 0.001 else f"= {p:.3f}"
    return "< .001" if p < 0.001 else f"= {p:.3f}".replace("0.", ".", 1)


@dataclass(frozen=True, eq=False)
class MissingReport:
    """Missing data in a set of columns (from :func:`missing_report`).

    Attributes
    ----------
    by_column : DataFrame  column, n_missing, share_missing
    by_row : DataFrame  n_missing (per row), n_rows, share_rows
    patterns : DataFrame  one row per pattern: the columns (True = missing), n_rows
    little : LittleResult or None  (None when nothing is missing)
    n : int  rows
    imputed : ImputedData or None
    """

    by_column: pd.DataFrame
    by_row: pd.DataFrame
    patterns: pd.DataFrame
    little: LittleResult | None
    n: int
    imputed: ImputedData | None = None

    @property
    def share_cells(self) -> float:
        """Share of all cells missing."""
        return float(self.by_column["n_missing"].sum() / (self.n * len(self.by_column)))

    @property
    def share_rows(self) -> float:
        """Share of rows with at least one missing value."""
        r = self.by_row
        return float(r.loc[r["n_missing"] > 0, "share_rows"].sum())

    def sentence(self, language: Literal["en", "id"] = "en") -> str:
        """Methods-section sentences: shares missing, Little's test, the method used.

        Examples
        --------
        >>> d = pd.DataFrame({"a": [1.0, 2, np.nan, 4], "b": [1.0, 2, 3, 4]})
        >>> missing_report(d).sentence("en")[:40]
        'Of the 4 respondents, 25.0% left at leas'
        """
        _check_choice(language, list(_SENTENCES), "language")
        s = _SENTENCES[language]
        parts = [s["share"].format(n=self.n, rows=self.share_rows, k=len(self.by_column),
                                   cells=self.share_cells, pat=len(self.patterns))]
        if self.little is not None and self.little.df > 0:
            parts.append(s["little"].format(df=self.little.df, stat=self.little.statistic,
                                            p=_p_text(self.little.p_value, language)))
        if self.imputed is not None:
            parts.append(s["mi"].format(share=self.imputed.share_imputed, m=self.imputed.m))
        elif self.share_cells > 0:
            parts.append(s["listwise"])
        text = " ".join(parts)
        return text if language == "en" else _id_decimal(text)

    def summary(self) -> str:
        """Text report."""
        lines = ["Missing values per column:", self.by_column.to_string(index=False),
                 f"Patterns: {len(self.patterns)}"]
        if self.little is not None:
            lines.append(self.little.summary())
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        little = f"<p>{self.little.summary()}</p>" if self.little is not None else ""
        return ("<p><b>Missing values per column</b></p>" + self.by_column.to_html(index=False)
                + little)


def _id_decimal(text: str) -> str:
    """Indonesian decimal comma in percentages and statistics (1.5% -> 1,5%)."""
    import re

    return re.sub(r"(?<=\d)\.(?=\d)", ",", text)


def missing_report(data: pd.DataFrame, columns: Sequence[str] | None = None, *,
                   imputed: ImputedData | None = None) -> MissingReport:
    """Missing shares per column and per row, patterns and Little's MCAR test.

    Parameters
    ----------
    data : pandas.DataFrame
    columns : list of str, optional
        Numeric columns (default: all).
    imputed : ImputedData, optional
        The imputations used, for the sentence (otherwise listwise deletion is stated).

    Returns
    -------
    MissingReport

    Examples
    --------
    >>> d = pd.DataFrame({"a": [1.0, 2, np.nan, 4, 5], "b": [1.0, np.nan, 3, 4, 6]})
    >>> rep = missing_report(d)
    >>> rep.by_column["n_missing"].tolist(), len(rep.patterns)
    ([1, 1], 3)
    """
    block = _numeric_block(data, columns, "missing_report")
    miss = block.isna()
    n = len(block)
    by_column = pd.DataFrame({"column": list(block.columns),
                              "n_missing": miss.sum().astype(int).to_numpy(),
                              "share_missing": miss.mean().to_numpy()})
    per_row = miss.sum(axis=1).value_counts().sort_index()
    by_row = pd.DataFrame({"n_missing": per_row.index.astype(int),
                           "n_rows": per_row.to_numpy(dtype=int),
                           "share_rows": per_row.to_numpy() / n})
    patterns = (miss.value_counts(sort=False).rename("n_rows").reset_index()
                .sort_values("n_rows", ascending=False, kind="stable").reset_index(drop=True))
    little = little_mcar_test(block) if miss.to_numpy().any() else None
    return MissingReport(by_column=by_column, by_row=by_row, patterns=patterns,
                         little=little, n=n, imputed=imputed)
