"""Common-method bias (CMB) checks: Harman, marker variable, full collinearity VIF.

Three checks a reviewer asks for when every construct comes from one questionnaire:

* :func:`harman_test` - Harman's single-factor test: the share of item variance one
  unrotated factor explains (the classic rule: below 50% no single factor dominates).
* :func:`marker_correction` - Lindell & Whitney's (2001) marker-variable correction of
  every construct correlation, with its t test.
* :func:`full_collinearity_vif` - Kock's (2015) full collinearity VIFs of construct
  (PLS) scores; a VIF above 3.3 suggests common-method bias.

The common latent factor (CLF) comparison in CFA is not offered yet: ``egovstudy.cfa``
(semopy) does not finish on a model with an equal-loading method factor; fit it in
lavaan (``docs/cmb.md`` gives the syntax).

Each result has ``tidy()``, ``summary()``, ``_repr_html_`` and ``verdict(lang)`` giving
a one-sentence verdict in English (``"en"``) or Bahasa Indonesia (``"id"``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from egovstudy.errors import DataFormatError, InsufficientDataError, ModelSpecError
from egovstudy.measurement._common import check_choice, html_table, item_frame, pairwise_cor

__all__ = [
    "FullCollinearityResult",
    "HarmanResult",
    "MarkerResult",
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
    r = frame.corr().to_numpy()
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
