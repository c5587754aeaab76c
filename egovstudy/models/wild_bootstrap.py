"""Wild cluster restricted (WCR) bootstrap for one OLS coefficient with few clusters.

Cameron, Gelbach & Miller (2008) and MacKinnon & Webb (2017): impose the null
``beta_j = r``, multiply the restricted residuals of each cluster by one draw ``v_g``
(Rademacher ``+-1`` or Webb's six-point ``+-sqrt(1/2), +-1, +-sqrt(3/2)``), refit and recompute
the cluster-robust (CR1) t statistic. The symmetric p value is the share of bootstrap
``|t*|`` at least as large as ``|t|``. With Rademacher draws and ``2^G <= n_boot`` all
``2^G`` sign vectors are enumerated, so the p value is exact and needs no seed.

Every bootstrap t is linear-algebra in the ``G`` draws (Roodman et al. 2019, "Fast and wild"):
with ``A = (X'X)^-1``, ``q`` the row ``j`` of ``A`` and restricted residuals ``u``, the
numerator is ``c . v`` with ``c_h = q X_h' u_h`` and the cluster scores are ``S v`` with
``S[g, h] = 1(g = h) sum_{i in g} (X_i q) u_i - (sum_{i in g} (X_i q) X_i) A X_h' u_h``; one
``G x G`` matrix serves every draw. ``u`` is linear in ``r``, so the confidence interval is
found by inverting the test (bisection on ``r``) with the same draws. We write it ourselves:
no maintained Python package implements the WCR bootstrap (wildboottest is unmaintained).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from itertools import product
from typing import Literal

import numpy as np
import pandas as pd

from egovstudy.errors import InsufficientDataError, ModelSpecError, StatisticalWarning

__all__ = ["WildBootstrapResult", "wild_cluster_bootstrap"]

_MAX_CLUSTERS = 1000
_WEBB = np.array([-np.sqrt(1.5), -1.0, -np.sqrt(0.5), np.sqrt(0.5), 1.0, np.sqrt(1.5)])


@dataclass(frozen=True)
class WildBootstrapResult:
    """Result of :func:`wild_cluster_bootstrap`."""

    term: str
    estimate: float
    null: float
    t_stat: float
    p_value: float
    ci_low: float
    ci_high: float
    conf_level: float
    n_boot: int
    n_clusters: int
    draws: str
    enumerated: bool

    def __str__(self) -> str:
        how = "all 2^G sign vectors" if self.enumerated else f"{self.n_boot} draws"
        return (f"WCR wild cluster bootstrap ({self.draws}, {how}, G = {self.n_clusters}): "
                f"{self.term} = {self.estimate:.4g}, t = {self.t_stat:.3f}, "
                f"p = {self.p_value:.4f} (H0: {self.term} = {self.null:g}), "
                f"{self.conf_level:.0%} CI [{self.ci_low:.4g}, {self.ci_high:.4g}]")


def _draws(kind: str, g: int, n_boot: int, seed: object) -> tuple[np.ndarray, bool]:
    from egovstudy.bootstrap import seed_sequence

    if kind == "rademacher" and 2 ** g <= n_boot:
        return np.array(list(product((1.0, -1.0), repeat=g))).T, True
    rng = np.random.default_rng(seed_sequence(seed))  # type: ignore[arg-type]
    if kind == "rademacher":
        return rng.choice(np.array([-1.0, 1.0]), size=(g, n_boot)), False
    return rng.choice(_WEBB, size=(g, n_boot)), False


class _WCR:
    """The pieces of the bootstrap t statistics that do not depend on the draws."""

    def __init__(self, X: np.ndarray, y: np.ndarray, codes: np.ndarray, g: int, j: int) -> None:
        n, k = X.shape
        self.A = np.linalg.inv(X.T @ X)
        self.q = self.A[j]
        self.b = self.A @ (X.T @ y)
        self.kc = g / (g - 1) * (n - 1) / (n - k)
        xr = X @ self.q
        self.X, self.y, self.codes, self.g, self.j, self.xr = X, y, codes, g, j, xr
        # R_g = sum_{i in g} (X_i q) X_i   (G x k)
        self.Rg = np.zeros((g, k))
        np.add.at(self.Rg, codes, X * xr[:, None])
        others = np.delete(np.arange(k), j)
        Xo = X[:, others]
        self._proj = Xo @ np.linalg.pinv(Xo)
        self.se = float(np.sqrt(self.kc * self._meat(y - X @ self.b)))

    def _meat(self, e: np.ndarray) -> float:
        s = np.bincount(self.codes, weights=self.xr * e, minlength=self.g)
        return float(s @ s)

    def pieces(self, r: float) -> tuple[np.ndarray, np.ndarray]:
        """``c`` (numerator coefficients) and ``S`` (score matrix) under ``beta_j = r``."""
        yr = self.y - r * self.X[:, self.j]
        u = yr - self._proj @ yr
        W = np.zeros((self.g, self.X.shape[1]))
        np.add.at(W, self.codes, self.X * u[:, None])
        c = W @ self.q
        S = -(self.Rg @ self.A @ W.T)
        S[np.diag_indices(self.g)] += np.bincount(self.codes, weights=self.xr * u,
                                                  minlength=self.g)
        return c, S

    def p_value(self, r: float, V: np.ndarray) -> float:
        c, S = self.pieces(r)
        t_hat = abs(self.b[self.j] - r) / self.se
        hits = 0
        for start in range(0, V.shape[1], 4096):  # bounded memory: G x 4096 per block
            Vb = V[:, start:start + 4096]
            num = np.abs(c @ Vb)
            SV = S @ Vb
            den = np.sqrt(self.kc * np.einsum("gb,gb->b", SV, SV))
            with np.errstate(divide="ignore", invalid="ignore"):
                t_star = np.where(den > 0, num / den, 0.0)
            hits += int(np.sum(t_star >= t_hat * (1 - 1e-12)))
        return hits / V.shape[1]


def wild_cluster_bootstrap(formula: str, data: pd.DataFrame, *, term: str, cluster: str,
                           null: float = 0.0, n_boot: int = 9999,
                           draws: Literal["rademacher", "webb"] = "rademacher",
                           seed: int | None = None, conf_level: float = 0.95,
                           weights: str | None = None, ci: bool = True) -> WildBootstrapResult:
    """WCR wild cluster bootstrap p value and test-inversion CI for one OLS coefficient.

    Parameters
    ----------
    formula, data
        As for :func:`egovstudy.models.ols`.
    term : str
        The coefficient tested (a name of ``ols(...).terms``).
    cluster : str
        The cluster column.
    null : float
        Value of the coefficient under H0.
    n_boot : int
        Number of bootstrap draws; with Rademacher draws and ``2^G <= n_boot`` every sign
        vector is enumerated instead (exact).
    draws : {"rademacher", "webb"}
        Auxiliary distribution (Webb's six-point one for fewer than about 12 clusters).
    seed : int, optional
        Seed of the draws (unused under full enumeration).
    conf_level : float
        Level of the interval (the set of ``r`` whose p value exceeds ``1 - conf_level``).
    weights : str, optional
        Column of analytic/probability weights (the bootstrap runs on the weighted fit).
    ci : bool
        Invert the test for the interval (``ci_low``/``ci_high`` are NaN when False).

    Returns
    -------
    WildBootstrapResult

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> df = pd.DataFrame({"g": np.repeat(np.arange(8), 10), "x": rng.normal(size=80)})
    >>> df["y"] = 0.3 * df["x"] + np.repeat(rng.normal(size=8), 10) + rng.normal(size=80)
    >>> res = wild_cluster_bootstrap("y ~ x", df, term="x", cluster="g")
    >>> res.enumerated, res.n_boot
    (True, 256)
    """
    from egovstudy.models.ols import ols

    if draws not in ("rademacher", "webb"):
        raise ModelSpecError(f"draws={draws!r} is not allowed; use 'rademacher' or 'webb'")
    if isinstance(n_boot, bool) or not isinstance(n_boot, int) or n_boot < 99:
        raise ModelSpecError(f"n_boot={n_boot!r}: pass an int of at least 99 (9999 is usual)")
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"only \d+ clusters",
                                category=StatisticalWarning)
        fit = ols(formula, data, vcov={"cluster": cluster}, weights=weights)
    if term not in fit.terms:
        import difflib

        close = difflib.get_close_matches(term, fit.terms, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise ModelSpecError(f"term={term!r} is not a coefficient of {formula!r}{hint} "
                             f"(terms: {fit.terms})")
    codes, uniques = pd.factorize(fit.data[cluster], sort=True)
    g = len(uniques)
    if g < 3:
        raise InsufficientDataError(
            f"the wild cluster bootstrap needs at least 3 clusters of {cluster!r}, got {g}")
    if g > _MAX_CLUSTERS:
        raise ModelSpecError(
            f"{g} clusters of {cluster!r}: the wild cluster bootstrap is meant for few "
            f"clusters (at most {_MAX_CLUSTERS} here); with this many the cluster-robust t "
            "test of ols(vcov={'cluster': ...}) is reliable")
    if g * min(n_boot, 2 ** g) > 50_000_000:
        raise ModelSpecError(
            f"n_boot={n_boot} draws for {g} clusters would hold {g * n_boot:,} draws in memory "
            "(limit 50,000,000); use n_boot=9999")
    j = fit.terms.index(term)
    wcr = _WCR(np.asarray(fit.X, dtype=float), np.asarray(fit.y, dtype=float),
               np.asarray(codes), g, j)
    V, enumerated = _draws(draws, g, n_boot, seed)
    b_j = float(wcr.b[j])
    p = wcr.p_value(null, V)
    alpha = 1 - conf_level
    lo, hi = _invert(wcr, V, b_j, alpha) if ci else (float("nan"), float("nan"))
    return WildBootstrapResult(
        term=term, estimate=b_j, null=null, t_stat=(b_j - null) / wcr.se, p_value=p,
        ci_low=lo, ci_high=hi, conf_level=conf_level, n_boot=V.shape[1], n_clusters=g,
        draws=draws, enumerated=enumerated)


def _invert(wcr: _WCR, V: np.ndarray, b_j: float, alpha: float) -> tuple[float, float]:
    """Bounds of ``{r : p(r) > alpha}`` by bisection outward from the estimate."""
    ends = []
    for sign in (-1.0, 1.0):
        inside, step = b_j, wcr.se
        outside = b_j + sign * step
        for _ in range(60):
            if wcr.p_value(outside, V) <= alpha:
                break
            inside, step = outside, step * 2
            outside = b_j + sign * step
        else:
            ends.append(sign * np.inf)
            continue
        for _ in range(60):
            mid = (inside + outside) / 2
            if wcr.p_value(mid, V) > alpha:
                inside = mid
            else:
                outside = mid
            if abs(outside - inside) <= 1e-10 * max(1.0, abs(b_j), wcr.se):
                break
        ends.append((inside + outside) / 2)
    return float(ends[0]), float(ends[1])
