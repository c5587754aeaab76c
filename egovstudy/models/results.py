"""Result objects of the regression module: tidy tables, fit statistics, text and HTML."""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from egovstudy.errors import ModelSpecError

__all__ = ["TIDY_COLUMNS", "LinearFitMixin", "OLSResult", "TidyResult", "tidy_frame"]

TIDY_COLUMNS = ["term", "estimate", "std_error", "statistic", "p_value", "ci_low", "ci_high",
                "std_estimate"]


def tidy_frame(terms: list[str], estimate: np.ndarray, std_error: np.ndarray, *,
               df: float | None, conf_level: float = 0.95,
               std_estimate: np.ndarray | None = None) -> pd.DataFrame:
    """Build the broom-style table; ``df=None`` means normal (z) inference.

    Examples
    --------
    >>> import numpy as np
    >>> t = tidy_frame(["a"], np.array([2.0]), np.array([1.0]), df=None)
    >>> round(float(t.loc[0, "p_value"]), 4)
    0.0455
    """
    from scipy import stats

    if not 0 < conf_level < 1:
        raise ModelSpecError(f"conf_level must lie in (0, 1), got {conf_level!r}")
    est = np.asarray(estimate, dtype=float)
    se = np.asarray(std_error, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        stat = est / se
    dist: Any = stats.norm if df is None else stats.t(df)
    p = 2 * dist.sf(np.abs(stat))
    q = dist.ppf(0.5 + conf_level / 2)
    return pd.DataFrame({
        "term": terms,
        "estimate": est,
        "std_error": se,
        "statistic": stat,
        "p_value": p,
        "ci_low": est - q * se,
        "ci_high": est + q * se,
        "std_estimate": (np.full(len(terms), np.nan) if std_estimate is None
                         else np.asarray(std_estimate, dtype=float)),
    })


def _fmt_table(frame: pd.DataFrame, digits: int = 4) -> str:
    return frame.to_string(index=False, float_format=lambda v: f"{v:.{digits}g}"
                           if abs(v) < 1e-3 or abs(v) >= 1e5 else f"{v:.{digits}f}")


@dataclass(frozen=True)
class TidyResult:
    """Generic model result: a tidy coefficient table plus fit statistics and notes."""

    model: str
    table: pd.DataFrame
    stats: dict[str, Any]
    notes: list[str] = field(default_factory=list)
    raw: Any = None

    def tidy(self) -> pd.DataFrame:
        """Coefficient table with broom column names."""
        return self.table.copy()

    def fit_stats(self) -> dict[str, Any]:
        """Fit statistics as a dict."""
        return dict(self.stats)

    def summary(self) -> str:
        """Plain-text summary."""
        lines = [self.model, "=" * len(self.model), _fmt_table(self.tidy()), ""]
        lines += [f"{k}: {v:.6g}" if isinstance(v, float) else f"{k}: {v}"
                  for k, v in self.stats.items()]
        lines += [f"Note: {n}" for n in self.notes]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        head = f"<h4>{html.escape(self.model)}</h4>"
        stats = ", ".join(f"{html.escape(str(k))} = {v:.4g}" if isinstance(v, float)
                          else f"{html.escape(str(k))} = {html.escape(str(v))}"
                          for k, v in self.stats.items())
        notes = "".join(f"<p><i>{html.escape(n)}</i></p>" for n in self.notes)
        return head + self.tidy().to_html(index=False, float_format="{:.4f}".format) + \
            f"<p>{stats}</p>" + notes


class LinearFitMixin:
    """What every least-squares result shares: tests, tables, text and HTML.

    Used by :class:`OLSResult` (in memory) and ``egovstudy.scale.DaskOLSResult``
    (out of core). A subclass provides ``terms, coef, cov, ssr, tss, n, k,
    has_intercept, df_inference, conf_level, std_estimate, formula, vcov_type,
    vcov_note, n_dropped, dropped_by``.
    """

    terms: list[str]
    coef: np.ndarray
    cov: np.ndarray
    ssr: float
    has_intercept: bool
    df_inference: int
    conf_level: float
    formula: str
    vcov_type: str
    vcov_note: str
    n_dropped: int
    dropped_by: dict[str, int]

    if TYPE_CHECKING:
        @property
        def n(self) -> int: ...
        @property
        def k(self) -> int: ...
        @property
        def tss(self) -> float: ...
        @property
        def std_estimate(self) -> np.ndarray: ...

    _title_prefix = "OLS"

    @property
    def df_resid(self) -> int:
        """Residual degrees of freedom ``n - k``."""
        return self.n - self.k

    @property
    def df_model(self) -> int:
        """Model degrees of freedom (coefficients other than the intercept)."""
        return self.k - int(self.has_intercept)

    @property
    def params(self) -> pd.Series:
        """Coefficients by term."""
        return pd.Series(self.coef, index=self.terms, name="estimate")

    @property
    def bse(self) -> pd.Series:
        """Standard errors by term (of the chosen covariance)."""
        return pd.Series(np.sqrt(np.diag(self.cov)), index=self.terms, name="std_error")

    @property
    def vcov(self) -> pd.DataFrame:
        """Covariance matrix of the coefficients."""
        return pd.DataFrame(self.cov, index=self.terms, columns=self.terms)

    @property
    def sigma(self) -> float:
        """Residual standard error ``sqrt(SSR / (n - k))``."""
        return float(np.sqrt(self.ssr / self.df_resid))

    @property
    def r2(self) -> float:
        """Coefficient of determination (uncentred without an intercept, as R and Stata)."""
        return 1.0 - self.ssr / self.tss

    # -- tests ---------------------------------------------------------------------------
    def wald_test(self, R: np.ndarray, r: np.ndarray | None = None) -> dict[str, float]:
        """F form of the Wald test of ``R b = r`` with this result's covariance.

        With the classical covariance this is exactly the textbook partial F test.
        """
        from scipy import stats

        R = np.atleast_2d(np.asarray(R, dtype=float))
        r = np.zeros(R.shape[0]) if r is None else np.asarray(r, dtype=float)
        diff = R @ self.coef - r
        mid = R @ self.cov @ R.T
        q = R.shape[0]
        f = float(diff @ np.linalg.solve(mid, diff) / q)
        df2 = self.df_inference
        return {"f": f, "df1": float(q), "df2": float(df2),
                "p_value": float(stats.f.sf(f, q, df2))}

    def model_f_test(self) -> dict[str, float]:
        """Overall F test that every slope is zero (Wald form under robust covariances)."""
        slopes = [j for j, t in enumerate(self.terms) if t != "Intercept"]
        if not slopes or not self.has_intercept:
            slopes = list(range(self.k))
        R = np.eye(self.k)[slopes]
        return self.wald_test(R)

    # -- tables --------------------------------------------------------------------------
    def tidy(self, conf_level: float | None = None) -> pd.DataFrame:
        """Coefficient table: term, estimate, std_error, statistic, p_value, ci_low, ci_high,
        std_estimate (t inference with ``df_inference`` degrees of freedom)."""
        return tidy_frame(self.terms, self.coef, np.sqrt(np.diag(self.cov)),
                          df=self.df_inference, conf_level=conf_level or self.conf_level,
                          std_estimate=self.std_estimate)

    def fit_stats(self) -> dict[str, Any]:
        """r2, adj_r2, f, f_df1, f_df2, f_p_value, n, df_model, df_resid, sigma, loglik, aic,
        bic, n_dropped, vcov.

        AIC/BIC count the ``k`` coefficients as statsmodels does (R's ``AIC(lm)`` adds 2 for
        sigma). Under a robust covariance ``f`` is the Wald F with that covariance, and its
        p value belongs to ``F(f_df1, f_df2)``: ``f_df2`` is the df of that covariance
        (``G - 1`` under cluster-robust errors), which differs from ``df_resid``. Report
        ``F(f_df1, f_df2)``, never ``F(df_model, df_resid)`` beside a robust F.
        """
        n, k = self.n, self.k
        llf = -n / 2 * (np.log(2 * np.pi) + np.log(self.ssr / n) + 1) + self._loglik_offset()
        ftest = self.model_f_test()
        r2 = self.r2
        dfr = self.df_resid
        adj = 1 - (1 - r2) * (n - int(self.has_intercept)) / dfr
        return {
            "r2": r2, "adj_r2": adj, "f": ftest["f"], "f_df1": int(ftest["df1"]),
            "f_df2": int(ftest["df2"]), "f_p_value": ftest["p_value"],
            "n": n, "df_model": self.df_model, "df_resid": dfr, "sigma": self.sigma,
            "loglik": float(llf), "aic": float(-2 * llf + 2 * k),
            "bic": float(-2 * llf + k * np.log(n)), "n_dropped": self.n_dropped,
            "vcov": self.vcov_type, **self._extra_stats(),
        }

    def _extra_stats(self) -> dict[str, Any]:
        return {}

    def _loglik_offset(self) -> float:
        return 0.0

    def summary(self) -> str:
        """Plain-text regression table with fit statistics and notes."""
        fs = self.fit_stats()
        title = f"{self._title_prefix}: {self.formula}"
        lines = [title, "=" * len(title), _fmt_table(self.tidy()), "",
                 f"n = {fs['n']}  R2 = {fs['r2']:.4f}  adj. R2 = {fs['adj_r2']:.4f}  "
                 f"F({fs['df_model']}, {self.df_inference}) = {fs['f']:.4f}  "
                 f"p = {fs['f_p_value']:.4g}",
                 f"sigma = {fs['sigma']:.4g}  AIC = {fs['aic']:.2f}  BIC = {fs['bic']:.2f}",
                 f"Standard errors: {self.vcov_note}"]
        if self.n_dropped:
            detail = ", ".join(f"{c}: {v}" for c, v in self.dropped_by.items())
            lines.append(f"Listwise deletion dropped {self.n_dropped} rows ({detail}).")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        fs = self.fit_stats()
        table = self.tidy().to_html(index=False, float_format="{:.4f}".format)
        foot = (f"<p>n = {fs['n']}, R² = {fs['r2']:.4f}, adj. R² = {fs['adj_r2']:.4f}, "
                f"F = {fs['f']:.3f} (p = {fs['f_p_value']:.4g}); "
                f"{html.escape(self.vcov_note)}"
                + (f"; {self.n_dropped} rows dropped (missing values)" if self.n_dropped
                   else "") + "</p>")
        return f"<h4>{self._title_prefix}: {html.escape(self.formula)}</h4>{table}{foot}"


@dataclass(frozen=True)
class OLSResult(LinearFitMixin):
    """An OLS fit. Build with :func:`egovstudy.models.ols`.

    Main attributes: ``params``, ``bse`` (Series by term), ``vcov`` (DataFrame), ``resid``,
    ``fitted``, ``n``, ``k``, ``df_resid``, ``vcov_note``; methods ``tidy()``,
    ``fit_stats()``, ``summary()``, ``wald_test()``.
    """

    formula: str
    response: str
    terms: list[str]
    coef: np.ndarray
    cov: np.ndarray
    vcov_type: str
    vcov_note: str
    df_inference: int
    X: np.ndarray
    y: np.ndarray
    resid: np.ndarray
    fitted: np.ndarray
    ssr: float
    xtx_inv: np.ndarray
    has_intercept: bool
    term_columns: dict[str, list[int]]
    data: pd.DataFrame
    n_dropped: int
    dropped_by: dict[str, int]
    conf_level: float = 0.95
    weights: np.ndarray | None = None
    design_effects: dict[str, float] | None = None

    def _extra_stats(self) -> dict[str, Any]:
        return {} if self.design_effects is None else {"deff": dict(self.design_effects)}

    # -- basic quantities ----------------------------------------------------------------
    @property
    def n(self) -> int:
        """Number of complete cases used."""
        return int(self.X.shape[0])

    def _loglik_offset(self) -> float:
        # R's logLik.lm with weights adds sum(log w) / 2 (the Gaussian density of y_i has
        # variance sigma^2 / w_i)
        return 0.0 if self.weights is None else float(np.log(self.weights).sum() / 2)

    @property
    def k(self) -> int:
        """Number of coefficients."""
        return int(self.X.shape[1])

    @property
    def tss(self) -> float:
        """Total sum of squares (centred when the model has an intercept; weighted as R's
        ``summary.lm`` when the fit has weights)."""
        if self.weights is not None:
            sw = np.sqrt(self.weights)
            ybar = float(sw @ self.y / self.weights.sum())
            yc = self.y - sw * ybar if self.has_intercept else self.y
            return float(yc @ yc)
        yc = self.y - self.y.mean() if self.has_intercept else self.y
        return float(yc @ yc)

    @property
    def std_estimate(self) -> np.ndarray:
        """Standardized coefficients (SPSS 'Beta'): ``b_j * sd(x_j) / sd(y)``; intercept NaN."""
        if self.weights is not None:
            sw = np.sqrt(self.weights)
            xo, yo = self.X / sw[:, None], self.y / sw
            sd_x = np.sqrt(np.cov(xo, rowvar=False, aweights=self.weights).diagonal()
                           if xo.shape[1] > 1 else np.atleast_1d(
                               np.cov(xo[:, 0], aweights=self.weights)))
            sd_y = float(np.sqrt(np.cov(yo, aweights=self.weights)))
        else:
            sd_x = self.X.std(axis=0, ddof=1)
            sd_y = self.y.std(ddof=1)
        out = self.coef * sd_x / sd_y
        out[sd_x == 0] = np.nan
        return out
