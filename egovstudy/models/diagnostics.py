"""The classical assumption tests ("uji asumsi klasik") of an OLS fit, in one tidy table.

Every row gives ``test, statistic, df, p_value, threshold, verdict, sentence_en, sentence_id``.
Definitions (all checked in ``tests/test_models_diagnostics.py``):

* Shapiro-Wilk (scipy); Kolmogorov-Smirnov as SPSS ``NPAR TESTS /K-S(NORMAL)`` reports it
  (mean and SD estimated from the residuals, asymptotic Kolmogorov p-value) and with the
  Lilliefors correction (statistic and p value as R ``nortest::lillie.test``; see
  :func:`lilliefors_test`); Jarque-Bera.
* VIF and tolerance per predictor (``1 / (1 - R_j^2)``, as R ``car::vif`` for 1-df terms);
  a factor coded by several columns gets one generalized VIF (Fox & Monette 1992).
* Breusch-Pagan in Koenker's studentized form (``n R^2`` of ``e^2`` on X; R
  ``lmtest::bptest`` default) and the original form (``ESS / 2`` of ``e^2 / (SSR/n)`` on X);
  White (``n R^2`` of ``e^2`` on X, squares and cross-products); Glejser (F test of ``|e|``
  on X).
* Durbin-Watson with the exact bounds dL, dU for the actual n and k (Imhof; see
  :mod:`egovstudy.models._dwbounds`) and the verdict zone; Breusch-Godfrey (``n R^2``, R
  ``lmtest::bgtest`` with the missing lags set to 0).
* Ramsey RESET with powers 2 and 3 of the fitted values (F form, R ``lmtest::resettest``).
* Influence: Cook's distance (threshold 4/n), leverage (threshold 2k/n) and externally
  studentized residuals (Bonferroni outlier test, as ``car::outlierTest``).
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from egovstudy._text import fmt, fmt_p, localize
from egovstudy.errors import DataQualityError, InsufficientDataError, ModelSpecError
from egovstudy.models.covariance import leverage
from egovstudy.models.results import OLSResult

__all__ = [
    "AssumptionTests",
    "assumption_tests",
    "breusch_pagan",
    "lilliefors_test",
    "vif_table",
    "white_test",
]

COLUMNS = ["test", "statistic", "df", "p_value", "threshold", "verdict", "sentence_en",
           "sentence_id"]


def _num(v: float, lang: str = "en", digits: int = 3) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "NA"
    if abs(v) >= 10 ** (-digits) or v == 0:
        return fmt(v, digits, lang)
    return localize(f"{v:.2e}", lang)


def _p(v: float, lang: str = "en") -> str:
    return fmt_p(v, lang)  # APA: p = .023, p < .001 (the package's one formatter)


# --------------------------------------------------------------------------------------------
# auxiliary regressions on cross-products (no n x n or n x k^2 temporaries)
# --------------------------------------------------------------------------------------------
def _aux_r2_from_cross(ztz: np.ndarray, zty: np.ndarray, yty: float, ysum: float, n: int,
                       intercept: bool = True) -> tuple[float, float, int]:
    """R^2, explained SS and rank of the regression of y on Z from Z'Z, Z'y, y'y."""
    d = np.sqrt(np.diag(ztz))
    d[d == 0] = 1.0
    A = ztz / np.outer(d, d)
    b = zty / d
    evals, evecs = np.linalg.eigh(A)
    keep = evals > evals.max() * 1e-12
    coef = evecs[:, keep] @ ((evecs[:, keep].T @ b) / evals[keep])
    ess_raw = float(b @ coef)
    tss = yty - ysum * ysum / n if intercept else yty
    ess = ess_raw - ysum * ysum / n if intercept else ess_raw
    return ess / tss, ess, int(keep.sum())


def _regress_r2(y: np.ndarray, Z: np.ndarray) -> tuple[float, float, float, int]:
    """R^2, ESS, SSR and rank of y on Z (Z holds the intercept) by pivoted QR."""
    import scipy.linalg as sl

    s = np.linalg.norm(Z, axis=0)
    s[s == 0] = 1
    Q, R, _ = sl.qr(Z / s, mode="economic", pivoting=True)
    dd = np.abs(np.diag(R))
    rank = int(np.sum(dd > dd[0] * 1e-10))
    Q = Q[:, :rank]
    fitted = Q @ (Q.T @ y)
    resid = y - fitted
    ssr = float(resid @ resid)
    yc = y - y.mean()
    tss = float(yc @ yc)
    return 1 - ssr / tss, tss - ssr, ssr, rank


def _white_columns(X: np.ndarray, names: list[str]) -> tuple[np.ndarray, list[str]]:
    """X plus all squares and cross-products of its non-constant columns."""
    const = np.all(X[0:1] == X, axis=0)
    idx = [j for j in range(X.shape[1]) if not const[j]]
    cols = [np.ones(X.shape[0])] + [X[:, j] for j in idx]
    labels = ["const"] + [names[j] for j in idx]
    for a in range(len(idx)):
        for b in range(a, len(idx)):
            cols.append(X[:, idx[a]] * X[:, idx[b]])
            labels.append(f"{names[idx[a]]}*{names[idx[b]]}")
    return np.column_stack(cols), labels


def breusch_pagan(resid: np.ndarray, X: np.ndarray, *, koenker: bool = True
                  ) -> tuple[float, int, float]:
    """Breusch-Pagan LM statistic, df and chi-square p-value.

    ``koenker=True`` gives the studentized form ``n R^2`` (R ``lmtest::bptest`` default);
    ``False`` the original ``ESS / 2`` with ``e^2 / (SSR / n)`` as response.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> X = np.column_stack([np.ones(200), rng.normal(size=200)])
    >>> e = rng.normal(size=200) * (1 + np.abs(X[:, 1]))
    >>> lm, df, p = breusch_pagan(e - e.mean(), X)
    >>> df, bool(lm > 0)
    (1, True)
    """
    from scipy import stats

    n = len(resid)
    e2 = resid ** 2
    if koenker:
        r2, _, _, rank = _regress_r2(e2, X)
        lm = n * r2
    else:
        g = e2 / (e2.sum() / n)
        _, ess, _, rank = _regress_r2(g, X)
        lm = ess / 2
    df = rank - 1
    return float(lm), df, float(stats.chi2.sf(lm, df))


def white_test(resid: np.ndarray, X: np.ndarray, names: list[str] | None = None
               ) -> tuple[float, int, float]:
    """White's test: ``n R^2`` of ``e^2`` on X, squares and cross-products; chi-square df =
    rank of that design minus 1 (duplicate columns such as squared dummies are dropped)."""
    from scipy import stats

    names = names or [f"x{j}" for j in range(X.shape[1])]
    Z, _ = _white_columns(X, names)
    r2, _, _, rank = _regress_r2(resid ** 2, Z)
    lm = len(resid) * r2
    df = rank - 1
    return float(lm), df, float(stats.chi2.sf(lm, df))


def vif_table(X: np.ndarray, names: list[str],
              term_columns: dict[str, list[int]] | None = None) -> pd.DataFrame:
    """VIF and tolerance of every non-constant column of X (centred, i.e. with intercept).

    With ``term_columns`` (formula term -> its columns), a term coded by several columns
    (a factor such as ``C(region)``) gets one generalized VIF (Fox & Monette 1992, as
    ``car::vif``): ``GVIF = det(R_tt) det(R_oo) / det(R)`` from the correlation matrix
    ``R`` of the predictors, with ``df`` its number of columns and
    ``gvif_adj = GVIF^(1 / (2 df))``, comparable to the square root of a VIF. A 1-df
    term's GVIF is its VIF. Columns: term, vif (the GVIF), tolerance, df, gvif_adj.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.arange(10.0)
    >>> X = np.column_stack([np.ones(10), x, x ** 2])
    >>> vif_table(X, ["Intercept", "x", "x2"]).round(2)["vif"].tolist()
    [13.66, 13.66]
    """
    const = np.all(X[0:1] == X, axis=0)
    idx = [j for j in range(X.shape[1]) if not const[j]]
    groups: list[tuple[str, list[int]]] = []
    if term_columns:
        for term, cols in term_columns.items():
            keep = [idx.index(c) for c in cols if c in idx]
            if keep:
                groups.append((term, keep))
    else:
        groups = [(names[j], [i]) for i, j in enumerate(idx)]
    if len(idx) < 2:
        return pd.DataFrame({"term": [t for t, _ in groups], "vif": [1.0] * len(groups),
                             "tolerance": [1.0] * len(groups),
                             "df": [len(c) for _, c in groups],
                             "gvif_adj": [1.0] * len(groups)})
    Xc = X[:, idx] - X[:, idx].mean(axis=0)
    R = np.corrcoef(Xc, rowvar=False)
    inv_diag = np.diag(np.linalg.inv(R))
    _, logdet_all = np.linalg.slogdet(R)
    gvif = []
    for _, cols in groups:
        if len(cols) == 1:
            gvif.append(float(inv_diag[cols[0]]))
            continue
        rest = [i for i in range(len(idx)) if i not in cols]
        _, ld_t = np.linalg.slogdet(R[np.ix_(cols, cols)])
        ld_o = np.linalg.slogdet(R[np.ix_(rest, rest)])[1] if rest else 0.0
        gvif.append(float(np.exp(ld_t + ld_o - logdet_all)))
    g = np.asarray(gvif)
    dfs = np.array([len(c) for _, c in groups])
    return pd.DataFrame({"term": [t for t, _ in groups], "vif": g, "tolerance": 1 / g,
                         "df": dfs, "gvif_adj": g ** (1 / (2 * dfs))})


# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class AssumptionTests:
    """The assumption-test table plus per-term VIF and per-case influence measures."""

    table: pd.DataFrame
    vif: pd.DataFrame
    influence: pd.DataFrame
    dw_bounds: tuple[float, float] | None
    alpha: float

    def tidy(self) -> pd.DataFrame:
        """One row per test: test, statistic, df, p_value, threshold, verdict, sentences."""
        return self.table.copy()

    def sentences(self, lang: str = "en") -> list[str]:
        """The report sentences in ``"en"`` or ``"id"``."""
        if lang not in ("en", "id"):
            raise ModelSpecError(f"lang must be 'en' or 'id', got {lang!r}")
        return self.table[f"sentence_{lang}"].tolist()

    def summary(self) -> str:
        """Plain-text table of the tests."""
        cols = ["test", "statistic", "df", "p_value", "threshold", "verdict"]
        return "Classical assumption tests\n" + self.table[cols].to_string(
            index=False, float_format=lambda v: f"{v:.4g}")

    def __str__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        cols = ["test", "statistic", "df", "p_value", "threshold", "verdict"]
        return "<h4>Classical assumption tests</h4>" + self.table[cols].to_html(
            index=False, float_format="{:.4g}".format, escape=True) + "".join(
            f"<p>{html.escape(s)}</p>" for s in self.table["sentence_en"])


def _row(test: str, stat: float, df: str, p: float, threshold: str, verdict: str,
         en: str, idn: str) -> dict[str, Any]:
    return {"test": test, "statistic": float(stat), "df": df, "p_value": float(p),
            "threshold": threshold, "verdict": verdict, "sentence_en": en, "sentence_id": idn}


def _dw_verdict(d: float, dl: float, du: float) -> tuple[str, str, str]:
    if d < dl:
        return ("positive autocorrelation", "there is positive autocorrelation",
                "terdapat autokorelasi positif")
    if d <= du:
        return ("inconclusive", "the test is inconclusive (dL <= d <= dU)",
                "hasil uji tidak dapat disimpulkan (dL <= d <= dU)")
    if d < 4 - du:
        return ("no autocorrelation", "there is no first-order autocorrelation",
                "tidak terdapat autokorelasi")
    if d <= 4 - dl:
        return ("inconclusive", "the test is inconclusive (4-dU <= d <= 4-dL)",
                "hasil uji tidak dapat disimpulkan (4-dU <= d <= 4-dL)")
    return ("negative autocorrelation", "there is negative autocorrelation",
            "terdapat autokorelasi negatif")


def _check_not_exact(result: OLSResult) -> None:
    """Refuse residual diagnostics of an exact fit: its residuals are rounding noise."""
    tss = float(np.sum((result.y - result.y.mean()) ** 2)) if result.has_intercept else float(
        np.sum(result.y ** 2))
    # R² equal to 1 to double precision: every residual verdict would judge noise
    if tss > 0 and result.ssr <= 1e-24 * tss:
        raise ModelSpecError(
            f"{result.formula!r} fits the data exactly (residual sum of squares "
            f"{result.ssr:.3g} against a total of {tss:.3g}): residual-based assumption tests "
            "would judge rounding noise. Fix: check that the outcome is not computed from the "
            "predictors (e.g. a total score regressed on its own items)")


def lilliefors_test(x: Any) -> tuple[float, float]:
    """Kolmogorov-Smirnov test of normality with Lilliefors' correction, as ``nortest``.

    The statistic is ``D = max(D+, D-)`` of the standardised sample (mean and ``sd`` with
    ``n - 1``) against the standard normal. The p value is the one R's
    ``nortest::lillie.test`` prints: Dallal & Wilkinson's (1986) analytic approximation,
    and, where it exceeds 0.1, Stephens' (1974) polynomials in the modified statistic
    ``(sqrt(n) - 0.01 + 0.85 / sqrt(n)) D``. statsmodels' default interpolates a table and
    can put the same sample on the other side of .05. SPSS ``EXAMINE`` prints a table value
    bounded at ".200" instead.

    Parameters
    ----------
    x : array-like
        The sample (residuals); missing values are dropped. At least 5 values.

    Returns
    -------
    tuple of float
        ``(D, p_value)``.

    References
    ----------
    Dallal, G. E. & Wilkinson, L. (1986). An analytic approximation to the distribution of
    Lilliefors's test statistic for normality. *The American Statistician*, 40, 294-296.

    Examples
    --------
    R's ``lillie.test(c(2.1, 3.4, 1.9, 5.6, 4.4, 3.8, 2.9, 4.1, 3.3, 2.7))`` prints
    ``D = 0.1071597, p-value = 0.9863091``:

    >>> d, p = lilliefors_test([2.1, 3.4, 1.9, 5.6, 4.4, 3.8, 2.9, 4.1, 3.3, 2.7])
    >>> round(d, 4), round(p, 4)
    (0.1072, 0.9863)
    """
    from scipy.special import ndtr

    values = np.asarray(x, dtype=float)
    values = np.sort(values[np.isfinite(values)])
    n = values.size
    if n < 5:
        raise InsufficientDataError(
            f"the Lilliefors test needs at least 5 values, got {n}")
    sd = float(values.std(ddof=1))
    if sd == 0:
        raise DataQualityError("the Lilliefors test needs values that vary; all are equal")
    p = ndtr((values - values.mean()) / sd)
    i = np.arange(1, n + 1)
    d = float(max(np.max(i / n - p), np.max(p - (i - 1) / n)))
    kd, nd = (d, float(n)) if n <= 100 else (d * (n / 100) ** 0.49, 100.0)
    pvalue = math.exp(-7.01256 * kd ** 2 * (nd + 2.78019) + 2.99587 * kd * math.sqrt(nd + 2.78019)
                      - 0.122119 + 0.974598 / math.sqrt(nd) + 1.67997 / nd)
    if pvalue > 0.1:
        kk = (math.sqrt(n) - 0.01 + 0.85 / math.sqrt(n)) * d
        if kk <= 0.302:
            pvalue = 1.0
        elif kk <= 0.5:
            pvalue = 2.76773 - 19.828315 * kk + 80.709644 * kk ** 2 - 138.55152 * kk ** 3 \
                + 81.218052 * kk ** 4
        elif kk <= 0.9:
            pvalue = -4.901232 + 40.662806 * kk - 97.490286 * kk ** 2 + 94.029866 * kk ** 3 \
                - 32.355711 * kk ** 4
        elif kk <= 1.31:
            pvalue = 6.198765 - 19.558097 * kk + 23.186922 * kk ** 2 - 12.234627 * kk ** 3 \
                + 2.423045 * kk ** 4
        else:
            pvalue = 0.0
    return d, float(pvalue)


def assumption_tests(result: OLSResult, *, alpha: float = 0.05, bg_lags: int = 1,
                     vif_threshold: float = 10.0) -> AssumptionTests:
    """Run the classical assumption tests on an OLS result.

    Each row names the R function it matches (``shapiro.test``, ``nortest::lillie.test``,
    ``car::vif``, ``lmtest::bptest``/``bgtest``/``dwtest``/``resettest``,
    ``car::outlierTest``); compared in ``make crosscheck``.

    Parameters
    ----------
    result : OLSResult
        From :func:`egovstudy.models.ols` (its residuals are those of the classical fit).
    alpha : float
        Significance level of every test and of the Durbin-Watson bounds.
    bg_lags : int
        Order of the Breusch-Godfrey test.
    vif_threshold : float
        VIF above which a predictor is flagged (tolerance below its inverse).

    Returns
    -------
    AssumptionTests

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from egovstudy.models import ols
    >>> rng = np.random.default_rng(1)
    >>> df = pd.DataFrame({"x": rng.normal(size=60), "z": rng.normal(size=60)})
    >>> df["y"] = 1 + 0.5 * df.x + rng.normal(size=60)
    >>> at = assumption_tests(ols("y ~ x + z", df))
    >>> at.tidy().loc[0, ["test", "verdict"]].tolist()
    ['Shapiro-Wilk', 'normal']
    """
    from scipy import stats

    if not isinstance(result, OLSResult):
        raise ModelSpecError(
            f"assumption_tests needs an OLSResult from egovstudy.models.ols, got "
            f"{type(result).__name__}")
    if not 0 < alpha < 1:
        raise ModelSpecError(f"alpha must lie in (0, 1), got {alpha!r}")
    e = result.resid
    X = result.X
    n, k = X.shape
    _check_not_exact(result)
    names = result.terms
    rows: list[dict[str, Any]] = []
    a = _num(alpha)
    a_id = _num(alpha, "id")

    def decision(p: float, ok: str, bad: str, ok_id: str, bad_id: str, label: str,
                 stat_txt: str) -> tuple[str, str, str]:
        if p > alpha:
            return (ok, f"{label} ({stat_txt}, {_p(p)}) is not significant at {a}: {ok}.",
                    f"{label} ({localize(stat_txt, 'id')}, {_p(p, 'id')}) tidak signifikan "
                    f"pada {a_id}: {ok_id}.")
        return (bad, f"{label} ({stat_txt}, {_p(p)}) is significant at {a}: {bad}.",
                f"{label} ({localize(stat_txt, 'id')}, {_p(p, 'id')}) signifikan pada "
                f"{a_id}: {bad_id}.")

    # -- normality --------------------------------------------------------------------------
    sw = stats.shapiro(e)
    v, en, idn = decision(sw.pvalue, "normal", "not normal", "residual berdistribusi normal",
                          "residual tidak berdistribusi normal", "Shapiro-Wilk",
                          f"W = {sw.statistic:.4f}")
    rows.append(_row("Shapiro-Wilk", sw.statistic, "", sw.pvalue, f"p > {a}", v, en, idn))
    z = (e - e.mean()) / e.std(ddof=1)
    d_ks = float(stats.kstest(z, "norm").statistic)
    p_ks = float(stats.kstwobign.sf(math.sqrt(n) * d_ks))
    v, en, idn = decision(p_ks, "normal", "not normal", "residual berdistribusi normal",
                          "residual tidak berdistribusi normal",
                          "Kolmogorov-Smirnov (SPSS asymptotic)", f"D = {d_ks:.4f}")
    rows.append(_row("Kolmogorov-Smirnov (SPSS asymptotic)", d_ks, "", p_ks, f"p > {a}",
                     v, en, idn))
    d_l, p_l = lilliefors_test(e)
    v, en, idn = decision(p_l, "normal", "not normal", "residual berdistribusi normal",
                          "residual tidak berdistribusi normal",
                          "Kolmogorov-Smirnov (Lilliefors)", f"D = {d_l:.4f}")
    rows.append(_row("Kolmogorov-Smirnov (Lilliefors)", d_l, "", p_l, f"p > {a}", v, en, idn))
    m = e - e.mean()
    m2 = float(np.mean(m ** 2))
    skew = float(np.mean(m ** 3)) / m2 ** 1.5
    kurt = float(np.mean(m ** 4)) / m2 ** 2
    jb = n / 6 * (skew ** 2 + (kurt - 3) ** 2 / 4)
    p_jb = float(stats.chi2.sf(jb, 2))
    v, en, idn = decision(p_jb, "normal", "not normal", "residual berdistribusi normal",
                          "residual tidak berdistribusi normal", "Jarque-Bera",
                          f"JB = {jb:.3f}")
    rows.append(_row("Jarque-Bera", jb, "2", p_jb, f"p > {a}", v, en, idn))

    # -- multicollinearity -----------------------------------------------------------------
    vt = vif_table(X, names, getattr(result, "term_columns", None))
    for term, vif, tol, dfv, adj in vt.itertuples(index=False):
        factor = dfv > 1          # a factor: GVIF^(1/(2 df)), squared, against the threshold
        ok = (adj ** 2 if factor else vif) < vif_threshold
        verdict = "no multicollinearity" if ok else "multicollinearity"
        if factor:
            what_en = (f"GVIF of {term} = {vif:.3f} ({dfv} df; GVIF^(1/(2df)) = {adj:.3f}, "
                       f"squared {adj ** 2:.3f})")
            what_id = (f"GVIF {term} = {_num(vif, 'id')} ({dfv} df; GVIF^(1/(2df)) = "
                       f"{_num(adj, 'id')}, kuadratnya {_num(adj ** 2, 'id')})")
            label, df_txt, rule = f"GVIF: {term}", str(dfv), f"GVIF^(1/df) < {vif_threshold:g}"
        else:
            what_en = f"VIF of {term} = {vif:.3f} (tolerance {tol:.3f})"
            what_id = f"VIF {term} = {_num(vif, 'id')} (toleransi {_num(tol, 'id')})"
            label, df_txt = f"VIF: {term}", ""
            rule = f"VIF < {vif_threshold:g} (tolerance > {1 / vif_threshold:g})"
        en = f"{what_en} is {'below' if ok else 'above'} {vif_threshold:g}: {verdict}."
        idn = (f"{what_id} {'di bawah' if ok else 'di atas'} {vif_threshold:g}: "
               f"{'tidak terjadi multikolinearitas' if ok else 'terjadi multikolinearitas'}.")
        rows.append(_row(label, vif, df_txt, math.nan, rule, verdict, en, idn))

    # -- heteroskedasticity ----------------------------------------------------------------
    het = ("homoskedastic", "heteroskedastic", "tidak terjadi heteroskedastisitas",
           "terjadi heteroskedastisitas")
    if k > 1:
        lm, df, p = breusch_pagan(e, X, koenker=True)
        v, en, idn = decision(p, *het, "Breusch-Pagan (Koenker)", f"LM = {lm:.3f}, df = {df}")
        rows.append(_row("Breusch-Pagan (Koenker)", lm, str(df), p, f"p > {a}", v, en, idn))
        lm, df, p = breusch_pagan(e, X, koenker=False)
        v, en, idn = decision(p, *het, "Breusch-Pagan (original)",
                              f"LM = {lm:.3f}, df = {df}")
        rows.append(_row("Breusch-Pagan (original)", lm, str(df), p, f"p > {a}", v, en, idn))
        lm, df, p = white_test(e, X, names)
        v, en, idn = decision(p, *het, "White", f"LM = {lm:.3f}, df = {df}")
        rows.append(_row("White", lm, str(df), p, f"p > {a}", v, en, idn))
        _r2g, essg, ssrg, rank = _regress_r2(np.abs(e), X)
        df1, df2 = rank - 1, n - rank
        fg = (essg / df1) / (ssrg / df2)
        pg = float(stats.f.sf(fg, df1, df2))
        v, en, idn = decision(pg, *het, "Glejser", f"F = {fg:.3f}")
        rows.append(_row("Glejser", fg, f"{df1}, {df2}", pg, f"p > {a}", v, en, idn))

    # -- autocorrelation -------------------------------------------------------------------
    dw = float(np.sum(np.diff(e) ** 2) / np.sum(e ** 2))
    bounds: tuple[float, float] | None = None
    if result.has_intercept and n - k >= 1:
        from egovstudy.models._dwbounds import dw_bounds

        dl, du = dw_bounds(n, k - 1, alpha)
        bounds = (dl, du)
        verdict, en_v, id_v = _dw_verdict(dw, dl, du)
        thr = f"dU < d < 4-dU (dL = {dl:.3f}, dU = {du:.3f})"
        en = (f"Durbin-Watson d = {dw:.3f} with dL = {dl:.3f} and dU = {du:.3f} "
              f"(n = {n}, k = {k - 1}, alpha = {a}): {en_v}.")
        idn = (f"Durbin-Watson d = {_num(dw, 'id')} dengan dL = {_num(dl, 'id')} dan "
               f"dU = {_num(du, 'id')} (n = {n}, k = {k - 1}, alpha = {a_id}): {id_v}.")
    else:
        verdict, thr = "not assessed", "needs an intercept"
        en = f"Durbin-Watson d = {dw:.3f}; bounds are not defined without an intercept."
        idn = f"Durbin-Watson d = {_num(dw, 'id')}; batas dL/dU tidak berlaku tanpa konstanta."
    rows.append(_row("Durbin-Watson", dw, "", math.nan, thr, verdict, en, idn))
    lagged = np.column_stack([np.r_[np.zeros(j), e[:-j]] for j in range(1, bg_lags + 1)])
    r2b, _, _, _ = _regress_r2(e, np.column_stack([X, lagged]))
    lm_bg = n * r2b
    p_bg = float(stats.chi2.sf(lm_bg, bg_lags))
    v, en, idn = decision(p_bg, "no autocorrelation", "autocorrelation",
                          "tidak terjadi autokorelasi", "terjadi autokorelasi",
                          f"Breusch-Godfrey (order {bg_lags})", f"LM = {lm_bg:.3f}")
    rows.append(_row("Breusch-Godfrey", lm_bg, str(bg_lags), p_bg, f"p > {a}", v, en, idn))

    # -- specification ---------------------------------------------------------------------
    yhat = result.fitted
    sc = np.std(yhat) or 1.0
    aug = np.column_stack([X, (yhat / sc) ** 2, (yhat / sc) ** 3])
    _, _, ssr_u, rank_u = _regress_r2(result.y, aug)
    q = rank_u - k
    if q > 0:
        f_reset = ((result.ssr - ssr_u) / q) / (ssr_u / (n - rank_u))
        p_reset = float(stats.f.sf(f_reset, q, n - rank_u))
        v, en, idn = decision(p_reset, "correctly specified", "misspecified",
                              "spesifikasi model tepat (linear)",
                              "terdapat kesalahan spesifikasi", "Ramsey RESET",
                              f"F = {f_reset:.3f}")
        rows.append(_row("Ramsey RESET", f_reset, f"{q}, {n - rank_u}", p_reset, f"p > {a}",
                         v, en, idn))

    # -- influence -------------------------------------------------------------------------
    h = leverage(X, result.xtx_inv)
    s2 = result.ssr / (n - k)
    with np.errstate(divide="ignore", invalid="ignore"):
        r_int = e / np.sqrt(s2 * (1 - h))
        cooks = r_int ** 2 * h / (k * (1 - h))
        s2_i = (result.ssr - e ** 2 / (1 - h)) / (n - k - 1)
        t_ext = e / np.sqrt(s2_i * (1 - h))
    infl = pd.DataFrame({"row": result.data.index, "leverage": h, "cooks_d": cooks,
                         "student_resid": t_ext})
    cut_c = 4 / n
    n_c = int(np.sum(cooks > cut_c))
    rows.append(_row(
        "Cook's distance (max)", float(np.nanmax(cooks)), "", math.nan, f"D <= 4/n = {cut_c:.4f}",
        "no influential cases" if n_c == 0 else f"{n_c} influential cases",
        f"Cook's distance: {n_c} of {n} cases exceed 4/n = {cut_c:.4f} "
        f"(max {np.nanmax(cooks):.3f}).",
        f"Jarak Cook: {n_c} dari {n} kasus melebihi 4/n = {_num(cut_c, 'id', 4)} "
        f"(maks {_num(float(np.nanmax(cooks)), 'id')})."))
    cut_h = 2 * k / n
    n_h = int(np.sum(h > cut_h))
    rows.append(_row(
        "Leverage (max)", float(h.max()), "", math.nan, f"h <= 2k/n = {cut_h:.4f}",
        "no high-leverage cases" if n_h == 0 else f"{n_h} high-leverage cases",
        f"Leverage: {n_h} of {n} cases exceed 2k/n = {cut_h:.4f} (max {h.max():.3f}).",
        f"Leverage: {n_h} dari {n} kasus melebihi 2k/n = {_num(cut_h, 'id', 4)} "
        f"(maks {_num(float(h.max()), 'id')})."))
    tmax = float(np.nanmax(np.abs(t_ext)))
    p_bonf = float(min(1.0, n * 2 * stats.t.sf(tmax, n - k - 1)))
    v = "no outliers" if p_bonf > alpha else "outlier present"
    rows.append(_row(
        "Studentized residual (max |t|)", tmax, str(n - k - 1), p_bonf,
        f"Bonferroni p > {a}", v,
        f"Largest externally studentized residual |t| = {tmax:.3f}, Bonferroni {_p(p_bonf)}: "
        f"{'no outlier' if p_bonf > alpha else 'at least one outlier'}.",
        f"Residual terstudentisasi terbesar |t| = {_num(tmax, 'id')}, Bonferroni "
        f"{_p(p_bonf, 'id')}: {'tidak ada pencilan' if p_bonf > alpha else 'ada pencilan'}."))
    table = pd.DataFrame(rows, columns=COLUMNS)
    return AssumptionTests(table=table, vif=vt, influence=infl, dw_bounds=bounds, alpha=alpha)
