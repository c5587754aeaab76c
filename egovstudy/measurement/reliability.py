"""Internal-consistency reliability: alpha, lambda 6, omega, rho_c, rho_A and AVE.

Alpha and its companions follow ``psych::alpha`` (pairwise-complete covariances by
default, standardized coefficients from ``cov2cor`` of them, ``raw.r`` the correlation of
each item with the row mean of the answered items, Feldt confidence interval from
``psych::alpha.ci`` on all rows); ``missing="listwise"`` gives the complete-case values
SPSS RELIABILITY prints. Omega total follows ``psych::omega`` with one factor (minres on
the pairwise correlation matrix ``cor(x, use="pairwise")``,
omega_t = 1 - sum(u^2) / 1'R1). Composite reliability (rho_c) and AVE use the
standardized loadings of a one-factor maximum-likelihood model; rho_A is Dijkstra &
Henseler's (2015) coefficient for the given composite weights.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from egovstudy.errors import ModelSpecError, StatisticalWarning
from egovstudy.measurement._common import (
    check_choice,
    cov2cor,
    html_table,
    item_frame,
    pairwise_cor,
    pairwise_cov,
)
from egovstudy.measurement.factor import extract_factors

__all__ = ["ReliabilityResult", "composite_reliability", "feldt_ci", "reliability", "rho_a"]

Use = Literal["pairwise", "complete"]
Missing = Literal["pairwise", "listwise"]


def feldt_ci(alpha: float, n_obs: int, n_items: int, level: float = 0.95) -> tuple[float, float]:
    """Feldt (1965) confidence interval for alpha, as ``psych::alpha.ci``.

    Examples
    --------
    >>> lo, hi = feldt_ci(0.8, 200, 5)
    >>> round(lo, 3), round(hi, 3)
    (0.753, 0.841)
    """
    from scipy.stats import f

    df1 = n_obs - 1
    df2 = df1 * (n_items - 1)
    p = 1 - level
    low = 1 - (1 - alpha) * f.ppf(1 - p / 2, df1, df2)
    high = 1 - (1 - alpha) * f.ppf(p / 2, df1, df2)
    return float(low), float(high)


def composite_reliability(loadings: Sequence[float] | np.ndarray) -> tuple[float, float]:
    """Composite reliability rho_c and AVE from standardized loadings.

    rho_c = (sum l)^2 / ((sum l)^2 + sum(1 - l^2)) and AVE = mean(l^2) (Fornell &
    Larcker 1981), as ``seminr`` reports them.

    Examples
    --------
    >>> [round(v, 4) for v in composite_reliability([0.7, 0.8, 0.9])]
    [0.8446, 0.6467]
    """
    lam = np.asarray(loadings, dtype=float)
    s = lam.sum()
    rho_c = s**2 / (s**2 + np.sum(1 - lam**2))
    return float(rho_c), float(np.mean(lam**2))


def rho_a(corr: np.ndarray, weights: Sequence[float] | np.ndarray) -> float:
    """Dijkstra-Henseler rho_A of a composite with ``weights`` on standardized items.

    rho_A = (w'w)^2 w'(S - diag S)w / w'(ww' - diag(ww'))w with ``w`` scaled to give
    the composite unit variance. Equal weights give standardized alpha.

    Examples
    --------
    >>> r = np.array([[1, .5, .4], [.5, 1, .3], [.4, .3, 1]])
    >>> round(rho_a(r, [1, 1, 1]), 4)   # = standardized alpha
    0.6667
    """
    s = np.asarray(corr, dtype=float)
    w = np.asarray(weights, dtype=float)
    w = w / np.sqrt(w @ s @ w)
    ww = np.outer(w, w)
    num = (w @ w) ** 2 * (w @ (s - np.diag(np.diag(s))) @ w)
    den = w @ (ww - np.diag(np.diag(ww))) @ w
    return float(num / den)


def _alpha_from_cov(c: np.ndarray) -> float:
    k = c.shape[0]
    return float(k / (k - 1) * (1 - np.trace(c) / c.sum()))


def _std_alpha(r: np.ndarray) -> tuple[float, float, float]:
    k = r.shape[0]
    off = r[np.tril_indices(k, -1)]
    rbar = float(off.mean())
    return k * rbar / (1 + (k - 1) * rbar), rbar, float(np.median(off))


def _lambda6(r: np.ndarray) -> float:
    try:
        inv = np.linalg.inv(r)
    except np.linalg.LinAlgError:
        inv = np.linalg.pinv(r)
    smc = 1 - 1 / np.diag(inv)
    return float(1 - np.sum(1 - smc) / r.sum())


def _ml_loadings(r: np.ndarray) -> np.ndarray:
    """Standardized one-factor ML loadings as lavaan reports them (improper values kept).

    The factor extraction bounds each uniqueness at 0.005 (as psych). When a bound is
    reached the model is refitted with the uniquenesses free, as lavaan's ``cfa`` does,
    so a Heywood case gives a standardized loading above 1 (negative residual variance)
    instead of a silently bounded 0.997; :func:`reliability` warns about it.
    """
    if r.shape[0] < 3:
        return np.sqrt(np.full(2, abs(r[0, 1])))
    lam, _ = extract_factors(r, 1, "ml")
    lam = lam[:, 0]
    lam = lam if lam.sum() >= 0 else -lam
    if np.min(1 - lam**2) > 0.005 + 1e-6:
        return lam
    return _free_ml_loadings(r, lam)


def _free_ml_loadings(r: np.ndarray, start: np.ndarray) -> np.ndarray:
    """One-factor ML fit ``Sigma = l l' + diag(psi)`` with ``psi`` unbounded (lavaan's
    default: Heywood cases are reported, not bounded); standardized loadings."""
    from scipy.optimize import minimize

    p = r.shape[0]
    _, logdet_r = np.linalg.slogdet(r)

    def f_and_grad(x: np.ndarray) -> tuple[float, np.ndarray]:
        lam, psi = x[:p], x[p:]
        sigma = np.outer(lam, lam) + np.diag(psi)
        sign, logdet = np.linalg.slogdet(sigma)
        if sign <= 0:
            return 1e10, np.zeros(2 * p)
        inv = np.linalg.inv(sigma)
        f = logdet + float(np.trace(r @ inv)) - logdet_r - p
        d = inv - inv @ r @ inv               # dF / dSigma
        return float(f), np.concatenate([2 * d @ lam, np.diag(d)])

    x0 = np.concatenate([start, 1 - start**2])
    res = minimize(f_and_grad, x0, jac=True, method="BFGS",
                   options={"gtol": 1e-10, "maxiter": 2000})
    lam, psi = res.x[:p], res.x[p:]
    with np.errstate(invalid="ignore"):
        lam_std = lam / np.sqrt(lam**2 + psi)
    if not (np.isfinite(lam_std).all() and res.fun < f_and_grad(x0)[0] + 1e-12):
        return start           # no better improper solution found: keep the bounded one
    return np.asarray(lam_std if lam_std.sum() >= 0 else -lam_std)


@dataclass(frozen=True)
class ReliabilityResult:
    """Reliability of one scale: scale statistics, alpha-if-deleted and item statistics."""

    scale: pd.Series
    items: pd.DataFrame
    n: int
    n_items: int
    use: str
    level: float
    n_complete: int = -1

    @property
    def alpha(self) -> float:
        """Cronbach's alpha (raw, from covariances)."""
        return float(self.scale["raw_alpha"])

    @property
    def missing(self) -> str:
        """How blanks were handled: ``"pairwise"`` (psych::alpha) or ``"listwise"`` (SPSS)."""
        return "listwise" if self.use == "complete" else "pairwise"

    def tidy(self) -> pd.DataFrame:
        """One row per coefficient: term, estimate, ci_low, ci_high."""
        rows = []
        for term in ["raw_alpha", "std_alpha", "lambda6", "average_r", "median_r",
                     "omega_total", "rho_c", "rho_a", "ave"]:
            lo = self.scale["alpha_ci_low"] if term == "raw_alpha" else np.nan
            hi = self.scale["alpha_ci_high"] if term == "raw_alpha" else np.nan
            rows.append({"term": term, "estimate": float(self.scale[term]),
                         "ci_low": lo, "ci_high": hi})
        return pd.DataFrame(rows)

    def summary(self) -> str:
        """Text summary in the layout of ``psych::alpha``."""
        s = self.scale
        miss = ("pairwise-complete covariances (as psych::alpha, use='pairwise'; "
                f"{self.n_complete} complete cases)"
                if self.use == "pairwise" else "complete cases only (listwise, as SPSS)")
        lines = [
            f"Reliability analysis: {self.n_items} items, n = {self.n}; missing data: {miss}",
            f"  raw_alpha {s['raw_alpha']:.3f}  std_alpha {s['std_alpha']:.3f}  "
            f"G6(smc) {s['lambda6']:.3f}  average_r {s['average_r']:.3f}  "
            f"median_r {s['median_r']:.3f}",
            f"  {self.level:.0%} Feldt interval for alpha: [{s['alpha_ci_low']:.3f}, "
            f"{s['alpha_ci_high']:.3f}]",
            f"  omega_total {s['omega_total']:.3f}  rho_c {s['rho_c']:.3f}  "
            f"rho_A {s['rho_a']:.3f}  AVE {s['ave']:.3f}",
            "Item statistics and reliability if an item is dropped:",
            self.items.round(3).to_string(),
        ]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        return (html_table("Reliability", self.tidy().set_index("term"))
                + html_table("Items", self.items))


def reliability(data: pd.DataFrame, items: Sequence[str] | None = None, *,
                missing: Missing | None = None, use: Use | None = None, level: float = 0.95,
                weights: Sequence[float] | None = None) -> ReliabilityResult:
    """Reliability of a scale: alpha (raw, standardized, Feldt CI) and companions.

    Parameters
    ----------
    data : pandas.DataFrame
        Item responses; reverse-keyed items must already be reversed.
    items : list of str, optional
        Item columns (all columns by default); at least two.
    missing : {"pairwise", "listwise"}
        Blank answers: ``"pairwise"`` (default) uses pairwise-complete covariances and
        gives the numbers ``psych::alpha`` prints; ``"listwise"`` keeps complete cases only
        and gives those SPSS RELIABILITY prints. Without blanks both are the same.
    use : {"pairwise", "complete"}
        The same choice under psych's name (``"complete"`` = ``"listwise"``); kept for
        older callers. Give one of ``missing`` and ``use``.
    level : float
        Level of the Feldt interval for alpha.
    weights : list of float, optional
        Composite weights for rho_A (e.g. PLS outer weights). By default the weights
        of the first principal component of the item correlations (PLS Mode A when the
        composite is its own proxy).

    Returns
    -------
    ReliabilityResult
        ``scale`` (raw_alpha, std_alpha, lambda6, average_r, median_r, alpha_ci_low,
        alpha_ci_high, omega_total, rho_c, rho_a, ave, mean, sd) and ``items``
        (mean, sd, n, r_total, r_rest, loading, alpha_if_deleted,
        std_alpha_if_deleted, lambda6_if_deleted, average_r_if_deleted).

    Notes
    -----
    Matches ``psych::alpha``: alpha, alpha-if-deleted and ``r_rest`` (psych's
    ``r.drop``) come from the covariance matrix ``C``, the standardized coefficients from
    ``cov2cor(C)``; ``r_total`` is psych's ``raw.r``, the correlation of each item with the
    row mean of the answered items (pairwise complete). The reported ``n`` is the number
    of rows the Feldt interval uses: all rows for ``"pairwise"`` (as psych), the complete
    cases for ``"listwise"``; ``scale["n_complete"]`` gives the complete cases either way.
    Omega, rho_c, AVE, rho_A and the loadings use the pairwise correlation matrix
    ``cor(x, use="pairwise")`` as ``psych::omega`` does. A negative average
    covariance makes alpha negative: a :class:`StatisticalWarning` names the items
    that correlate negatively with the rest (probably not reversed). A Heywood case (a
    one-factor loading reaching 1) is not bounded away: the model is refitted with free
    residual variances as lavaan's ``cfa`` does, the improper loading (> 1) and the
    rho_c and AVE computed from it are reported, and a :class:`StatisticalWarning` names
    the items.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(7)
    >>> f = rng.normal(size=(250, 1))
    >>> df = pd.DataFrame(np.round(3 + f + rng.normal(size=(250, 4))), columns=list("abcd"))
    >>> res = reliability(df)
    >>> 0.6 < res.alpha < 0.9
    True
    """
    how = _missing_choice(missing, use)
    if not 0 < level < 1:
        raise ModelSpecError(f"level={level!r}: pass a confidence level between 0 and 1")
    frame = item_frame(data, items, min_items=2, what="reliability")
    names = list(frame.columns)
    n_complete = int(frame.dropna().shape[0])
    if how == "listwise":
        frame = frame.dropna()
    k = len(names)
    c = pairwise_cov(frame)
    r = cov2cor(c)                      # psych::alpha: R <- cov2cor(C)
    r_pair = pairwise_cor(frame)        # psych::omega / fa: cor(x, use = "pairwise")
    n = int(frame.shape[0])             # psych::alpha.ci(alpha, nsub = nrow(x), ...)
    raw = _alpha_from_cov(c)
    std, rbar, rmed = _std_alpha(r)
    lam6 = _lambda6(r)
    lo, hi = feldt_ci(raw, n, k, level)

    # item statistics: raw.r = cor(rowMeans(x, na.rm = TRUE), x, use = "pairwise"),
    # r.drop from the covariance matrix (psych::alpha)
    tot = c.sum()
    csum = c.sum(axis=1)
    var = np.diag(c)
    r_total = frame.corrwith(frame.mean(axis=1, skipna=True)).to_numpy(dtype=float)
    r_rest = (csum - var) / np.sqrt(var * (tot - 2 * csum + var))
    drops: dict[str, list[float]] = {"alpha_if_deleted": [], "std_alpha_if_deleted": [],
                                     "lambda6_if_deleted": [], "average_r_if_deleted": []}
    for i in range(k):
        keep = [j for j in range(k) if j != i]
        sub_c, sub_r = c[np.ix_(keep, keep)], r[np.ix_(keep, keep)]
        if len(keep) >= 2:
            drops["alpha_if_deleted"].append(_alpha_from_cov(sub_c))
            s_std, s_rbar, _ = _std_alpha(sub_r)
            drops["std_alpha_if_deleted"].append(s_std)
            drops["lambda6_if_deleted"].append(_lambda6(sub_r))
            drops["average_r_if_deleted"].append(s_rbar)
        else:
            for key in drops:
                drops[key].append(np.nan)

    # one-factor models: omega total (minres), rho_c/AVE (ML standardized loadings)
    if k >= 3:
        lam_mr, _ = extract_factors(r_pair, 1, "minres")
        u2 = 1 - np.sum(lam_mr**2, axis=1)
        omega = float(1 - u2.sum() / r_pair.sum())
    else:
        # two items: the one-factor model is just identified; omega = standardized alpha
        omega = 2 * r_pair[0, 1] / (1 + r_pair[0, 1])
    lam = _ml_loadings(r_pair)
    # >= 1: lavaan's improper solution; at sqrt(.995): the bounded one (if no better
    # improper solution was found)
    heywood = ([names[i] for i in range(k) if abs(lam[i]) >= np.sqrt(0.995) - 1e-6]
               if k >= 3 else [])
    if heywood:
        warnings.warn(
            "Heywood case: item(s) " + ", ".join(
                f"{names[i]!r} (standardized loading {lam[i]:.3f})" for i in range(k)
                if names[i] in heywood)
            + ": a standardized one-factor loading at or above .9975 (a residual variance "
            "at psych's bound .005 or, above 1, negative): the solution is improper. "
            "The improper values are reported, as lavaan does, "
            "in the loadings, rho_c and AVE; omega uses psych's bounded solution. Check "
            "the items for redundancy or a wrong key, or collect more data.",
            StatisticalWarning, stacklevel=2)
    rho_c, ave = composite_reliability(lam)
    if weights is None:
        vals, vecs = np.linalg.eigh(r_pair)
        w = vecs[:, np.argmax(vals)]
        w = w if w.sum() >= 0 else -w
    else:
        w = np.asarray(weights, dtype=float)
        if w.shape != (k,):
            raise ModelSpecError(f"weights has {w.size} values for {k} items {names}; pass "
                                 "one weight per item")
    rhoa = rho_a(r_pair, w)

    if raw < 0 or rbar < 0:
        neg = [names[i] for i in range(k) if r_rest[i] < 0]
        warnings.warn(f"alpha = {raw:.3f} is negative (negative average covariance); items "
                      f"{neg} correlate negatively with the rest and are probably not "
                      "reverse-coded. The value is reported, not hidden.",
                      StatisticalWarning, stacklevel=2)
    totals = frame.mean(axis=1, skipna=True)
    scale = pd.Series({
        "raw_alpha": raw, "std_alpha": std, "lambda6": lam6, "average_r": rbar,
        "median_r": rmed, "alpha_ci_low": lo, "alpha_ci_high": hi, "omega_total": omega,
        "rho_c": rho_c, "rho_a": rhoa, "ave": ave, "mean": float(totals.mean()),
        "sd": float(totals.std(ddof=1)), "n": n, "n_complete": n_complete, "n_items": k,
    }, name="scale")
    item_tab = pd.DataFrame({
        "mean": frame.mean().to_numpy(), "sd": frame.std(ddof=1).to_numpy(),
        "n": frame.notna().sum().to_numpy(), "r_total": r_total, "r_rest": r_rest,
        "loading": lam, **drops,
    }, index=pd.Index(names, name="item"))
    return ReliabilityResult(scale=scale, items=item_tab, n=n, n_items=k,
                             use="complete" if how == "listwise" else "pairwise",
                             level=level, n_complete=n_complete)


def _missing_choice(missing: str | None, use: str | None) -> str:
    """``"pairwise"`` or ``"listwise"`` from the ``missing`` / ``use`` arguments."""
    if missing is not None:
        check_choice("missing", missing, ("pairwise", "listwise"))
    if use is not None:
        check_choice("use", use, ("pairwise", "complete"))
        from_use = "listwise" if use == "complete" else "pairwise"
        if missing is not None and missing != from_use:
            raise ModelSpecError(f"missing={missing!r} and use={use!r} disagree; pass only "
                                 "missing='pairwise' or missing='listwise'")
        return from_use
    return missing or "pairwise"




