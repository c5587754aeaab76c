"""Common-method bias (CMB) checks: Harman, marker variable, full collinearity VIF, CLF.

Four checks a reviewer asks for when every construct comes from one questionnaire:

* :func:`harman_test` - Harman's single-factor test: the share of item variance one
  unrotated factor explains (the classic rule: below 50% no single factor dominates).
* :func:`marker_correction` - Lindell & Whitney's (2001) marker-variable correction of
  every construct correlation, with its t test.
* :func:`full_collinearity_vif` - Kock's (2015) full collinearity VIFs of construct
  (PLS) scores; a VIF above 3.3 suggests common-method bias.
* :func:`clf_comparison` - the common latent factor (CLF) comparison in CFA: the
  measurement model with and without a method factor loading equally on every item.

Each result has ``tidy()``, ``summary()``, ``_repr_html_`` and ``verdict(lang)`` giving
a one-sentence verdict in English (``"en"``) or Bahasa Indonesia (``"id"``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from egovstudy.errors import (
    ConvergenceError,
    DataFormatError,
    InsufficientDataError,
    ModelSpecError,
)
from egovstudy.measurement._common import check_choice, html_table, item_frame, pairwise_cor

__all__ = [
    "CLFResult",
    "FullCollinearityResult",
    "HarmanResult",
    "MarkerResult",
    "clf_comparison",
    "full_collinearity_vif",
    "harman_test",
    "marker_correction",
]

Lang = Literal["en", "id"]
_LANGS = ("en", "id")
HarmanMethod = Literal["pca", "pa"]
#: Kock (2015): a full collinearity VIF above 3.3 suggests common-method bias.
KOCK_THRESHOLD = 3.3


def _did_you_mean(name: str, options: Sequence[str]) -> str:
    import difflib

    close = difflib.get_close_matches(name, list(options), n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


def _check_lang(lang: str) -> None:
    check_choice("lang", lang, _LANGS)


# --------------------------------------------------------------------------- Harman
@dataclass(frozen=True)
class HarmanResult:
    """Harman's single-factor test (see :func:`harman_test`)."""

    method: str
    n: int
    n_items: int
    loadings: pd.Series
    ss_loadings: float
    threshold: float = 0.50

    @property
    def variance_explained(self) -> float:
        """Proportion (0-1) of the items' total variance explained by the single factor."""
        return self.ss_loadings / self.n_items

    @property
    def dominant(self) -> bool:
        """True when the single factor explains at least ``threshold`` of the variance."""
        return self.variance_explained >= self.threshold

    def tidy(self) -> pd.DataFrame:
        """One row: method, n, items, SS loadings, proportion of variance, flag."""
        return pd.DataFrame([{"method": self.method, "n": self.n, "n_items": self.n_items,
                              "ss_loadings": self.ss_loadings,
                              "variance_explained": self.variance_explained,
                              "threshold": self.threshold, "cmb_flag": self.dominant}])

    def verdict(self, lang: Lang = "en") -> str:
        """One-sentence verdict in English (``"en"``) or Bahasa Indonesia (``"id"``)."""
        _check_lang(lang)
        pct = f"{100 * self.variance_explained:.1f}%"
        lim = f"{100 * self.threshold:.0f}%"
        how = {"pca": ("principal components", "komponen utama"),
               "pa": ("principal axis factoring", "principal axis factoring")}[self.method]
        if lang == "id":
            pct, lim = pct.replace(".", ","), lim
            tail = ("melebihi batas sehingga bias metode umum (common-method bias) patut "
                    "diwaspadai" if self.dominant else
                    "di bawah batas sehingga tidak ada satu faktor yang dominan dan bias "
                    "metode umum tidak menjadi masalah serius")
            return (f"Uji faktor tunggal Harman ({how[1]}, tanpa rotasi) menunjukkan satu faktor "
                    f"menjelaskan {pct} varians {self.n_items} butir, {tail} (batas {lim}).")
        tail = ("above the threshold, so common-method bias is a concern" if self.dominant else
                "below the threshold, so no single factor dominates and common-method bias "
                "is unlikely to be a serious problem")
        return (f"Harman's single-factor test ({how[0]}, unrotated) shows one factor explaining "
                f"{pct} of the variance of {self.n_items} items, {tail} (threshold {lim}).")

    def summary(self) -> str:
        """Plain-text summary with the verdict."""
        return (f"Harman's single-factor test ({self.method}), n = {self.n}\n"
                f"{self.tidy().to_string(index=False)}\n{self.verdict()}")

    def _repr_html_(self) -> str:
        return html_table("Harman's single-factor test", self.tidy(), self.verdict())


def _principal_axis(r: np.ndarray, *, min_err: float = 0.001,
                     max_iter: int = 50) -> np.ndarray:
    """One-factor principal axis loadings exactly as ``psych::fa(fm="pa")``.

    psych starts from the squared multiple correlations and iterates the communalities
    until the sum changes by less than ``min.err = .001`` (at most 50 iterations); we
    copy that stopping rule so the printed values agree with psych (statsmodels and
    factor_analyzer stop on other rules).
    """
    from egovstudy.measurement.factor import _smc

    mat = r.copy()
    np.fill_diagonal(mat, _smc(r))
    comm = float(np.trace(mat))
    err = comm
    i = 1
    loadings = np.zeros(r.shape[0])
    while err > min_err:
        vals, vecs = np.linalg.eigh(mat)
        loadings = vecs[:, -1] * np.sqrt(max(vals[-1], 0.0))
        new = loadings ** 2
        comm1 = float(new.sum())
        np.fill_diagonal(mat, new)
        err = abs(comm - comm1)
        comm = comm1
        i += 1
        if i > max_iter:
            break
    return loadings


def harman_test(data: pd.DataFrame, items: Sequence[str] | None = None, *,
                method: HarmanMethod = "pca", threshold: float = 0.50) -> HarmanResult:
    """Harman's single-factor test: one unrotated factor of all items.

    Parameters
    ----------
    data : pandas.DataFrame
        Item responses, one row per respondent.
    items : sequence of str, optional
        Item columns (default: every column). Use every item of every construct.
    method : {"pca", "pa"}
        ``"pca"`` (default) is the classic test as run in SPSS (Analyze > Dimension
        Reduction > Factor, Principal components, 1 factor, no rotation): the "Extraction
        Sums of Squared Loadings" % of variance, which the "< 50%" rule refers to
        (Podsakoff et al., 2003); equal to ``psych::principal(nfactors=1,
        rotate="none")``. ``"pa"`` is principal axis factoring, ``psych::fa(nfactors=1,
        rotate="none", fm="pa")``; it excludes unique variance, so its share is smaller.
    threshold : float
        Share of variance (0-1) at or above which a single factor is said to dominate.

    Returns
    -------
    HarmanResult
        ``variance_explained`` (0-1), ``loadings``, ``tidy()`` and ``verdict(lang)``.

    Notes
    -----
    Correlations are pairwise-complete, as psych. Checked against R psych 2.x on the
    ``bfi`` items (``tests/test_cmb.py``). The test is weak evidence: passing it does not
    rule out common-method bias (Podsakoff et al., 2003); report a second check too.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(1)
    >>> f = rng.normal(size=(200, 2))
    >>> df = pd.DataFrame(np.repeat(f, 3, axis=1) + rng.normal(size=(200, 6)),
    ...                   columns=[f"q{i}" for i in range(6)])
    >>> res = harman_test(df)
    >>> res.dominant, round(res.variance_explained, 2)
    (False, 0.38)
    """
    check_choice("method", method, ("pca", "pa"))
    if not isinstance(threshold, (int, float)) or not 0 < float(threshold) < 1:
        raise ModelSpecError(f"threshold={threshold!r} must be a share between 0 and 1, "
                             "e.g. 0.50 for the usual 50% rule")
    frame = item_frame(data, items, min_items=3, what="Harman's single-factor test")
    r = pairwise_cor(frame)
    if method == "pca":
        vals, vecs = np.linalg.eigh(r)
        lam = vecs[:, -1] * np.sqrt(vals[-1])
    else:
        lam = _principal_axis(r)
    if lam.sum() < 0:           # sign is arbitrary: make most loadings positive, as psych
        lam = -lam
    loadings = pd.Series(lam, index=list(frame.columns), name="loading")
    n = int(frame.notna().any(axis=1).sum())
    return HarmanResult(method=method, n=n, n_items=len(lam), loadings=loadings,
                        ss_loadings=float((lam ** 2).sum()), threshold=float(threshold))


# --------------------------------------------------------------------------- marker
@dataclass(frozen=True)
class MarkerResult:
    """Lindell & Whitney's marker-variable correction (see :func:`marker_correction`)."""

    table: pd.DataFrame
    marker: str
    r_m: float
    n: int
    alpha: float = 0.05

    def tidy(self) -> pd.DataFrame:
        """Columns ``var1, var2, r_unadjusted, r_adjusted, statistic, df, p_value,
        significant, still_significant``."""
        return self.table.copy()

    def verdict(self, lang: Lang = "en") -> str:
        """One-sentence verdict in English or Bahasa Indonesia."""
        _check_lang(lang)
        t = self.table
        sig = int(t["significant"].sum())
        kept = int((t["significant"] & t["still_significant"]).sum())
        rm = f"{self.r_m:.3f}"
        if lang == "id":
            rm = rm.replace(".", ",")
            tail = ("sehingga bias metode umum tidak mengubah kesimpulan" if kept == sig else
                    "sehingga sebagian hubungan dapat disebabkan oleh bias metode umum")
            return (f"Setelah koreksi variabel penanda (Lindell & Whitney, 2001) dengan "
                    f"{self.marker} (r_M = {rm}), {kept} dari {sig} korelasi antarkonstruk yang "
                    f"signifikan tetap signifikan, {tail}.")
        tail = ("so common-method bias does not change the conclusions" if kept == sig else
                "so some relationships may be inflated by common-method bias")
        return (f"After the marker-variable correction (Lindell & Whitney, 2001) with "
                f"{self.marker} (r_M = {rm}), {kept} of {sig} significant construct "
                f"correlations remain significant, {tail}.")

    def summary(self) -> str:
        """Plain-text summary with the verdict."""
        return (f"Marker-variable correction, marker {self.marker}, r_M = {self.r_m:.4f}, "
                f"n = {self.n}\n{self.table.to_string(index=False)}\n{self.verdict()}")

    def _repr_html_(self) -> str:
        return html_table("Marker-variable correction", self.tidy(), self.verdict())


def _corr_t(r: np.ndarray | float, df: int) -> tuple[Any, Any]:
    from scipy import stats

    r = np.asarray(r, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = r / np.sqrt((1 - r ** 2) / df)
    return t, 2 * stats.t.sf(np.abs(t), df)


def marker_correction(data: pd.DataFrame, variables: Sequence[str], marker: str, *,
                      r_m: float | Literal["min"] = "min",
                      alpha: float = 0.05) -> MarkerResult:
    """Lindell & Whitney (2001) marker-variable correction of every correlation.

    For each pair of ``variables`` (construct scores or items) the correlation is
    corrected as ``r_A = (r_U - r_M) / (1 - r_M)`` and tested with
    ``t = r_A / sqrt((1 - r_A^2) / (n - 3))`` on ``n - 3`` degrees of freedom
    (one df is lost to the estimated ``r_M``; Lindell & Whitney, 2001, eq. 4).

    Parameters
    ----------
    data : pandas.DataFrame
        One row per respondent; complete cases of ``variables`` and ``marker`` are used.
    variables : sequence of str
        The substantive variables (at least 2).
    marker : str
        A column theoretically unrelated to the substantive variables but measured with
        the same method.
    r_m : float or "min"
        The method-variance estimate. ``"min"`` (default) is the smallest correlation of
        the marker with a substantive variable (Lindell & Whitney's conservative choice),
        floored at 0; or pass a value in [0, 1).
    alpha : float
        Significance level of the ``significant`` columns.

    Returns
    -------
    MarkerResult

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(3)
    >>> m = rng.normal(size=300)
    >>> x = rng.normal(size=300) + 0.3 * m
    >>> df = pd.DataFrame({"x": x, "y": x + rng.normal(size=300) + 0.3 * m,
    ...                    "mk": m + rng.normal(size=300)})
    >>> res = marker_correction(df, ["x", "y"], "mk")
    >>> res.tidy()[["var1", "var2"]].values.tolist()
    [['x', 'y']]
    """
    if isinstance(variables, str) or len(list(variables)) < 2:
        raise ModelSpecError(f"variables={variables!r} must list at least 2 columns, "
                             "e.g. ['trust', 'use']")
    variables = list(variables)
    if not isinstance(marker, str) or marker not in data.columns:
        raise ModelSpecError(f"marker={marker!r} is not a column of data"
                             f"{_did_you_mean(str(marker), list(map(str, data.columns)))}")
    if marker in variables:
        raise ModelSpecError(f"marker {marker!r} is also in variables; the marker must be a "
                             "separate, theoretically unrelated column")
    frame = item_frame(data, [*variables, marker], min_items=3,
                       what="the marker-variable correction").dropna()
    n = int(frame.shape[0])
    if n < 5:
        raise InsufficientDataError(f"the marker-variable correction needs at least 5 complete "
                                    f"cases of {[*variables, marker]}; found {n}")
    r = frame.corr().to_numpy(copy=True)
    p = len(variables)
    if isinstance(r_m, str):
        check_choice("r_m", r_m, ("min",))
        rm = max(float(r[:p, p].min()), 0.0)
    else:
        if not isinstance(r_m, (int, float)) or not 0 <= float(r_m) < 1:
            raise ModelSpecError(f"r_m={r_m!r} must be 'min' or a number in [0, 1)")
        rm = float(r_m)
    rows = []
    for i in range(p):
        for j in range(i + 1, p):
            ru = float(r[i, j])
            ra = (ru - rm) / (1 - rm)
            _tu, pu = _corr_t(ru, n - 2)
            ta, pa = _corr_t(ra, n - 3)
            rows.append({"var1": variables[i], "var2": variables[j], "r_unadjusted": ru,
                         "p_unadjusted": float(pu), "r_adjusted": ra, "statistic": float(ta),
                         "df": n - 3, "p_value": float(pa), "significant": bool(pu < alpha),
                         "still_significant": bool(pa < alpha)})
    return MarkerResult(table=pd.DataFrame(rows), marker=marker, r_m=rm, n=n, alpha=alpha)


# --------------------------------------------------------------------------- Kock VIF
@dataclass(frozen=True)
class FullCollinearityResult:
    """Kock's full collinearity VIFs (see :func:`full_collinearity_vif`)."""

    table: pd.DataFrame
    n: int
    threshold: float = KOCK_THRESHOLD

    def tidy(self) -> pd.DataFrame:
        """Columns ``construct, r_squared, vif, cmb_flag``."""
        return self.table.copy()

    def verdict(self, lang: Lang = "en") -> str:
        """One-sentence verdict in English or Bahasa Indonesia."""
        _check_lang(lang)
        t = self.table
        flagged = t.loc[t["cmb_flag"], "construct"].tolist()
        vmax = f"{t['vif'].max():.2f}"
        lim = f"{self.threshold:g}"
        if lang == "id":
            vmax, lim = vmax.replace(".", ","), lim.replace(".", ",")
            if flagged:
                return (f"Uji full collinearity (Kock, 2015) menghasilkan VIF di atas {lim} pada "
                        f"{', '.join(flagged)} (VIF maksimum {vmax}), sehingga bias metode umum "
                        "patut diwaspadai.")
            return (f"Uji full collinearity (Kock, 2015) menghasilkan semua VIF di bawah {lim} "
                    f"(VIF maksimum {vmax}), sehingga model bebas dari bias metode umum.")
        if flagged:
            return (f"The full collinearity test (Kock, 2015) gives VIFs above {lim} for "
                    f"{', '.join(flagged)} (largest VIF {vmax}), so common-method bias is a "
                    "concern.")
        return (f"The full collinearity test (Kock, 2015) gives all VIFs below {lim} (largest "
                f"VIF {vmax}), so the model can be considered free of common-method bias.")

    def summary(self) -> str:
        """Plain-text summary with the verdict."""
        return (f"Full collinearity VIFs (Kock, 2015), n = {self.n}\n"
                f"{self.table.to_string(index=False)}\n{self.verdict()}")

    def _repr_html_(self) -> str:
        return html_table("Full collinearity VIFs", self.tidy(), self.verdict())


def full_collinearity_vif(scores: Any, constructs: Sequence[str] | None = None, *,
                          threshold: float = KOCK_THRESHOLD) -> FullCollinearityResult:
    """Kock's (2015) full collinearity VIF of every construct score.

    Each construct score is regressed on all the others; ``VIF = 1 / (1 - R^2)``.
    A VIF above ``threshold`` (3.3) suggests the model is contaminated by
    common-method bias (or pathological collinearity).

    Parameters
    ----------
    scores : PLSResult or pandas.DataFrame
        A result of :func:`egovstudy.pls_sem` (its ``scores`` are used) or a frame of
        construct scores (one column per construct).
    constructs : sequence of str, optional
        Constructs to use (default: all).
    threshold : float
        VIF above which a construct is flagged.

    Returns
    -------
    FullCollinearityResult

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> s = pd.DataFrame(rng.normal(size=(100, 3)), columns=["A", "B", "C"])
    >>> bool(full_collinearity_vif(s).tidy()["cmb_flag"].any())
    False
    """
    frame = getattr(scores, "scores", scores)
    if not isinstance(frame, pd.DataFrame):
        raise DataFormatError(f"scores is a {type(scores).__name__}; pass a pls_sem result or a "
                              "DataFrame of construct scores")
    cons = [str(c) for c in frame.columns] if constructs is None else list(constructs)
    for c in cons:
        if c not in frame.columns:
            raise ModelSpecError(f"construct {c!r} is not a column of the scores"
                                 f"{_did_you_mean(c, list(map(str, frame.columns)))}")
    x = item_frame(frame, cons, min_items=2, what="the full collinearity test").dropna()
    if x.shape[0] <= len(cons):
        raise InsufficientDataError(f"the full collinearity test needs more complete cases "
                                    f"({x.shape[0]}) than constructs ({len(cons)})")
    z = x.to_numpy()
    rows = []
    for j, c in enumerate(cons):
        # R^2 of the regression of construct j on the others (with intercept) by least squares
        others = np.column_stack([np.ones(len(z)), np.delete(z, j, axis=1)])
        beta, *_ = np.linalg.lstsq(others, z[:, j], rcond=None)
        resid = z[:, j] - others @ beta
        tss = float(((z[:, j] - z[:, j].mean()) ** 2).sum())
        r2 = 1 - float(resid @ resid) / tss
        vif = float("inf") if r2 >= 1 else 1 / (1 - r2)
        rows.append({"construct": c, "r_squared": r2, "vif": vif, "cmb_flag": vif > threshold})
    return FullCollinearityResult(table=pd.DataFrame(rows), n=len(z),
                                  threshold=float(threshold))


# --------------------------------------------------------------------------- CLF
@dataclass(frozen=True)
class CLFResult:
    """Common latent factor comparison (see :func:`clf_comparison`)."""

    fit: pd.DataFrame
    loadings: pd.DataFrame
    n: int
    threshold: float = 0.20

    @property
    def delta_chisq(self) -> float:
        """Chi-square difference (without minus with the CLF)."""
        return float(self.fit["chisq"].iloc[0] - self.fit["chisq"].iloc[1])

    @property
    def delta_df(self) -> int:
        """Degrees-of-freedom difference (1: the common loading)."""
        return int(self.fit["df"].iloc[0] - self.fit["df"].iloc[1])

    @property
    def p_value(self) -> float:
        """p value of the chi-square difference test."""
        from scipy import stats

        return float(stats.chi2.sf(self.delta_chisq, self.delta_df))

    def tidy(self) -> pd.DataFrame:
        """Per-item standardized loadings without and with the CLF and their difference."""
        return self.loadings.copy()

    def verdict(self, lang: Lang = "en") -> str:
        """One-sentence verdict in English or Bahasa Indonesia."""
        _check_lang(lang)
        flagged = self.loadings.loc[self.loadings["flagged"], "item"].tolist()
        chi = f"{self.delta_chisq:.2f}"
        pv = f"{self.p_value:.3f}" if self.p_value >= 0.001 else "< .001"
        pv = pv if pv.startswith("<") else f"= {pv}"
        lim = f"{self.threshold:.2f}"
        if lang == "id":
            chi, pv, lim = chi.replace(".", ","), pv.replace(".", ","), lim.replace(".", ",")
            tail = (f"dan loading terstandar butir {', '.join(flagged)} berubah lebih dari {lim}, "
                    "sehingga bias metode umum patut diwaspadai" if flagged else
                    f"tetapi tidak ada loading terstandar yang berubah lebih dari {lim}, "
                    "sehingga bias metode umum tidak mengubah model pengukuran")
            return (f"Penambahan faktor laten umum (CLF) mengubah chi-square sebesar {chi} "
                    f"(df = {self.delta_df}, p {pv}) {tail}.")
        tail = (f"and the standardized loadings of {', '.join(flagged)} change by more than "
                f"{lim}, so common-method bias is a concern" if flagged else
                f"but no standardized loading changes by more than {lim}, so common-method "
                "bias does not distort the measurement model")
        return (f"Adding a common latent factor (CLF) changes the chi-square by {chi} "
                f"(df = {self.delta_df}, p {pv}) {tail}.")

    def summary(self) -> str:
        """Plain-text summary with the verdict."""
        return (f"Common latent factor comparison, n = {self.n}\n"
                f"{self.fit.to_string(index=False)}\n"
                f"{self.loadings.to_string(index=False)}\n{self.verdict()}")

    def _repr_html_(self) -> str:
        return html_table("Common latent factor", self.tidy(), self.verdict())


def _fit_ml(s: np.ndarray, blocks: list[list[int]], clf: bool) -> tuple[float, np.ndarray]:
    """ML fit (lavaan's F_ML, divisor N) of a simple-structure CFA, optionally with a method
    factor (variance 1) loading equally on every item and uncorrelated with the traits.

    We fit this ourselves because semopy (behind ``egovstudy.cfa``) does not finish on the
    equal-loading method factor; the parameters are unbounded, as lavaan's, so improper
    solutions are reported as lavaan reports them. Returns the minimum and the std. loadings
    (columns: trait loading, method loading).
    """
    from scipy.optimize import minimize

    p, k = s.shape[0], len(blocks)
    free = [(i, c) for c, blk in enumerate(blocks) for i in blk[1:]]
    tri = np.tril_indices(k)
    _, logdet_s = np.linalg.slogdet(s)

    def unpack(th: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
        lam = np.zeros((p, k))
        for c, blk in enumerate(blocks):
            lam[blk[0], c] = 1.0
        for j, (i, c) in enumerate(free):
            lam[i, c] = th[j]
        m = len(free)
        phi = np.zeros((k, k))
        phi[tri] = th[m:m + len(tri[0])]
        phi = phi + np.tril(phi, -1).T
        m += len(tri[0])
        return lam, phi, th[m:m + p], (float(th[-1]) if clf else 0.0)

    def sigma(th: np.ndarray) -> np.ndarray:
        lam, phi, theta, a = unpack(th)
        return np.asarray(lam @ phi @ lam.T + np.diag(theta) + a * a)

    def fml(th: np.ndarray) -> float:
        sg = sigma(th)
        sign, logdet = np.linalg.slogdet(sg)
        if sign <= 0:
            return 1e10
        return float(logdet - logdet_s + np.trace(s @ np.linalg.inv(sg)) - p)

    th0 = np.r_[np.ones(len(free)), 0.5 * np.eye(k)[tri], np.diag(s) / 2, [0.3] if clf else []]
    res = minimize(fml, th0, method="L-BFGS-B",
                   options={"ftol": 1e-15, "gtol": 1e-9, "maxiter": 20000, "maxfun": 200000})
    res = minimize(fml, res.x, method="BFGS", options={"gtol": 1e-10})
    fmin = fml(res.x)
    if not np.isfinite(fmin) or fmin >= 1e10:
        raise ConvergenceError("the CFA with a common latent factor did not converge; check "
                               "that every construct has at least 2 items that correlate")
    lam, phi, _theta, a = unpack(res.x)
    sd = np.sqrt(np.diag(sigma(res.x)))
    with np.errstate(invalid="ignore"):
        trait = (lam * np.sqrt(np.diag(phi))).sum(axis=1) / sd
    return fmin, np.column_stack([trait, abs(a) / sd])


def clf_comparison(data: pd.DataFrame, measurement: Mapping[str, Sequence[str]], *,
                   threshold: float = 0.20) -> CLFResult:
    """Common latent factor (CLF) comparison: the CFA with and without a method factor.

    The measurement model (each item on one construct, first loading fixed to 1,
    correlated constructs) is fitted by maximum likelihood, then again with a method
    factor loading equally on every item, with variance 1 and uncorrelated with the
    constructs (lavaan: ``CLF =~ a*x1 + a*x2 + ...; CLF ~~ 0*F1 + 0*F2``). The
    chi-square difference test (1 df) and the change of every standardized loading are
    reported; a change above ``threshold`` (.20) is flagged.

    Parameters
    ----------
    data : pandas.DataFrame
        Items; rows with a missing item are dropped (listwise, as lavaan).
    measurement : mapping
        Construct -> its items (at least 2 per construct).
    threshold : float
        Change of the standardized loading that is flagged.

    Returns
    -------
    CLFResult
        ``fit`` (model, chisq, df), ``delta_chisq``, ``delta_df``, ``p_value``,
        ``tidy()`` (construct, item, std_without, std_with, difference, clf_loading,
        flagged) and ``verdict(lang)``.

    Notes
    -----
    Checked against lavaan 0.6 on HolzingerSwineford1939 (chi-squares 85.30552 and
    54.89683). A significant difference is common in large samples; the loading changes
    say whether the method factor matters.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(4)
    >>> f = rng.normal(size=(300, 2))
    >>> df = pd.DataFrame(np.repeat(f, 3, axis=1) + rng.normal(size=(300, 6)),
    ...                   columns=[f"q{i}" for i in range(6)])
    >>> res = clf_comparison(df, {"A": ["q0", "q1", "q2"], "B": ["q3", "q4", "q5"]})
    >>> res.delta_df
    1
    """
    if not isinstance(measurement, Mapping) or not measurement:
        raise ModelSpecError("measurement must be a mapping construct -> items, e.g. "
                             "{'trust': ['tr1', 'tr2', 'tr3']}")
    items: list[str] = []
    blocks: list[list[int]] = []
    for con, its in measurement.items():
        its = [its] if isinstance(its, str) else list(its)
        if len(its) < 2:
            raise ModelSpecError(f"construct {con!r} has {len(its)} item(s); the CLF comparison "
                                 "needs at least 2 items per construct")
        for it in its:
            if it not in data.columns:
                raise ModelSpecError(f"item {it!r} of construct {con!r} is not a column of data"
                                     f"{_did_you_mean(str(it), list(map(str, data.columns)))}")
            if it in items:
                raise ModelSpecError(f"item {it!r} is listed under two constructs; give each "
                                     "item one construct")
        blocks.append(list(range(len(items), len(items) + len(its))))
        items += its
    if not 0 < threshold < 1:
        raise ModelSpecError(f"threshold={threshold!r} must lie in (0, 1), e.g. 0.20")
    frame = item_frame(data, items, min_items=3, what="the CLF comparison").dropna()
    n = int(frame.shape[0])
    p, k = len(items), len(blocks)
    if n <= p:
        raise InsufficientDataError(f"the CLF comparison needs more complete cases ({n}) than "
                                    f"items ({p})")
    s = np.cov(frame.to_numpy(), rowvar=False, bias=True)
    f0, std0 = _fit_ml(s, blocks, clf=False)
    f1, std1 = _fit_ml(s, blocks, clf=True)
    npar0 = (p - k) + k * (k + 1) // 2 + p
    moments = p * (p + 1) // 2
    fit = pd.DataFrame({"model": ["without CLF", "with CLF"], "chisq": [n * f0, n * f1],
                        "df": [moments - npar0, moments - npar0 - 1]})
    cons = [c for c, blk in zip(measurement, blocks) for _ in blk]
    diff = std0[:, 0] - std1[:, 0]
    loadings = pd.DataFrame({"construct": cons, "item": items, "std_without": std0[:, 0],
                             "std_with": std1[:, 0], "difference": diff,
                             "clf_loading": std1[:, 1], "flagged": np.abs(diff) > threshold})
    return CLFResult(fit=fit, loadings=loadings, n=n, threshold=float(threshold))
