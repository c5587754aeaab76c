"""Factor structure: KMO, Bartlett's sphericity test and exploratory factor analysis.

The computations follow R's ``psych`` package: correlations are pairwise-complete
(``cor(x, use="pairwise")``), ``fm="minres"`` minimises the squared off-diagonal
residuals, ``fm="ml"`` is the Lawley-Maxwell likelihood of ``stats::factanal``,
``varimax``/``promax`` follow ``stats::varimax``/``stats::promax`` (Kaiser
normalisation, ``m = 4``) and ``oblimin`` is the gradient-projection algorithm of
``GPArotation::oblimin`` (``gamma = 0``, no normalisation). Parallel analysis follows
``psych::fa.parallel``.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from egovstudy.errors import (
    ConvergenceError,
    InsufficientDataError,
    ModelSpecError,
    StatisticalWarning,
)
from egovstudy.measurement._common import (
    check_choice,
    html_table,
    item_frame,
    pairwise_cor,
)

__all__ = ["BartlettResult", "EFAResult", "KMOResult", "bartlett", "efa", "kmo"]

Method = Literal["minres", "ml"]
Rotation = Literal["oblimin", "promax", "varimax", "none"]
_METHODS = ("minres", "ml")
_ROTATIONS = ("oblimin", "promax", "varimax", "none")
#: Largest communality of an extracted solution (psych::fa's lower bound .005 on the
#: uniquenesses); reaching it is a Heywood case and raises a StatisticalWarning.
_H2_BOUND = 0.995
_PSI_LOWER = 0.005


# --------------------------------------------------------------------------- helpers
def _cor(data: Any, items: Sequence[str] | None, what: str) -> tuple[np.ndarray, list[str], int,
                                                                     pd.DataFrame]:
    frame = item_frame(data, items, min_items=2, what=what)
    r = pairwise_cor(frame)
    return r, list(frame.columns), int(frame.shape[0]), frame


def _smc(r: np.ndarray) -> np.ndarray:
    """Squared multiple correlations 1 - 1/diag(R^-1) (pseudo-inverse if singular)."""
    try:
        inv = np.linalg.inv(r)
    except np.linalg.LinAlgError:
        inv = np.linalg.pinv(r)
    return np.clip(1.0 - 1.0 / np.diag(inv), 0.0, 1.0)


def _loadings_from_psi(r: np.ndarray, psi: np.ndarray, k: int, method: str) -> np.ndarray:
    if method == "ml":
        sc = 1.0 / np.sqrt(psi)
        vals, vecs = np.linalg.eigh(r * sc[:, None] * sc[None, :])
        order = np.argsort(vals)[::-1][:k]
        lam = vecs[:, order] * np.sqrt(np.maximum(vals[order] - 1.0, 0.0))
        return np.asarray(lam * np.sqrt(psi)[:, None])
    reduced = r - np.diag(psi)
    vals, vecs = np.linalg.eigh(reduced)
    order = np.argsort(vals)[::-1][:k]
    return np.asarray(vecs[:, order] * np.sqrt(np.maximum(vals[order], 0.0)))


def _ml_objective(psi: np.ndarray, r: np.ndarray, k: int) -> float:
    sc = 1.0 / np.sqrt(psi)
    vals = np.sort(np.linalg.eigvalsh(r * sc[:, None] * sc[None, :]))[::-1][k:]
    return float(-(np.sum(np.log(vals) - vals) - k + r.shape[0]))


def _minres_objective(lam: np.ndarray, r: np.ndarray) -> float:
    resid = r - lam @ lam.T
    np.fill_diagonal(resid, 0.0)
    return float(np.sum(resid**2))


def _gradient_from(lam: np.ndarray, psi: np.ndarray, r: np.ndarray, method: str) -> np.ndarray:
    g = lam @ lam.T + np.diag(psi) - r
    if method == "ml":
        return np.asarray(np.diag(g) / psi**2)
    # minres (psych's FAgr.minres): derivative of the residual sum of squares
    return np.asarray(np.diag(g))


def _objective(psi: np.ndarray, r: np.ndarray, k: int, method: str) -> float:
    if method == "ml":
        return _ml_objective(psi, r, k)
    return _minres_objective(_loadings_from_psi(r, psi, k, method), r)


def _gradient(psi: np.ndarray, r: np.ndarray, k: int, method: str) -> np.ndarray:
    return _gradient_from(_loadings_from_psi(r, psi, k, method), psi, r, method)


def _objective_and_gradient(psi: np.ndarray, r: np.ndarray, k: int,
                            method: str) -> tuple[float, np.ndarray]:
    """:func:`_objective` and :func:`_gradient` with one eigendecomposition for both
    (the same arithmetic, so the optimiser takes exactly the same path)."""
    lam = _loadings_from_psi(r, psi, k, method)
    f = _ml_objective(psi, r, k) if method == "ml" else _minres_objective(lam, r)
    return f, _gradient_from(lam, psi, r, method)


def extract_factors(r: np.ndarray, k: int, method: str = "minres") -> tuple[np.ndarray, float]:
    """Unrotated loadings (p x k) and the minimised objective for ``k`` factors."""
    from scipy.optimize import minimize

    p = r.shape[0]
    if k < 1 or k >= p:
        raise ModelSpecError(f"n_factors={k}: choose between 1 and {p - 1} for {p} items")
    start = 1.0 - _smc(r)
    start = np.clip(start, _PSI_LOWER, _H2_BOUND)
    lower = _PSI_LOWER
    res = minimize(_objective_and_gradient, start, args=(r, k, method), jac=True,
                   method="L-BFGS-B",
                   bounds=[(lower, 1.0)] * p,
                   options={"maxiter": 2000, "ftol": 1e-14, "gtol": 1e-10})
    if not np.all(np.isfinite(res.x)):
        raise ConvergenceError(f"the {method} factor extraction with {k} factor(s) did not "
                               "converge; try fewer factors or method='minres'")
    lam = _loadings_from_psi(r, np.asarray(res.x), k, method)
    return lam, float(res.fun)


def _varimax(a: np.ndarray, normalize: bool = True, eps: float = 1e-5,
             maxit: int = 1000) -> tuple[np.ndarray, np.ndarray]:
    """``stats::varimax``: returns rotated loadings and rotation matrix."""
    p, k = a.shape
    if k < 2:
        return a.copy(), np.eye(k)
    x = a.copy()
    if normalize:
        sc = np.sqrt(np.sum(x**2, axis=1))
        x = x / sc[:, None]
    tmat = np.eye(k)
    d = 0.0
    for _ in range(maxit):
        z = x @ tmat
        b = x.T @ (z**3 - z @ np.diag(np.sum(z**2, axis=0)) / p)
        u, s, vt = np.linalg.svd(b)
        tmat = u @ vt
        dpast = d
        d = float(np.sum(s))
        if d < dpast * (1 + eps):
            break
    z = x @ tmat
    if normalize:
        z = z * sc[:, None]
    return z, tmat


def _promax(a: np.ndarray, m: int = 4) -> tuple[np.ndarray, np.ndarray]:
    """``psych::fa(rotate = "promax")``: rotated loadings and factor correlations.

    psych rotates through ``kaiser(loadings, rotate = "Promax")``: each row is divided by
    the square root of its communality, rotated by ``Promax`` (varimax, then the power-4
    target of ``stats::promax``) and multiplied back. Without that row normalisation the
    loadings differ from psych's by up to .01.
    """
    k = a.shape[1]
    if k < 2:
        return a.copy(), np.eye(k)
    weight = np.sqrt(np.sum(a**2, axis=1))
    z, phi = _promax_raw(a / weight[:, None], m)
    return z * weight[:, None], phi


def _promax_raw(a: np.ndarray, m: int = 4) -> tuple[np.ndarray, np.ndarray]:
    """``stats::promax`` (on varimax-rotated loadings): rotated loadings and factor corr."""
    x, tv = _varimax(a)
    q = x * np.abs(x) ** (m - 1)
    u = np.linalg.lstsq(x, q, rcond=None)[0]
    d = np.diag(np.linalg.inv(u.T @ u))
    u = u @ np.diag(np.sqrt(d))
    z = x @ u
    u_full = tv @ u
    ui = np.linalg.inv(u_full)
    phi = ui @ ui.T
    return z, phi


def _oblimin(a: np.ndarray, gamma: float = 0.0, eps: float = 1e-5,
             maxit: int = 1000) -> tuple[np.ndarray, np.ndarray]:
    """``GPArotation::oblimin`` via ``GPFoblq``: rotated loadings and factor corr."""
    p, k = a.shape
    if k < 2:
        return a.copy(), np.eye(k)
    n_mat = np.ones((k, k)) - np.eye(k)

    def vgq(lam: np.ndarray) -> tuple[np.ndarray, float]:
        l2 = lam**2
        x = l2 @ n_mat
        if gamma != 0:
            x = x - gamma / p * np.ones((p, p)) @ x
        return lam * x, float(np.sum(l2 * x) / 4)

    tmat = np.eye(k)
    al = 1.0
    lam = a @ np.linalg.inv(tmat).T
    gq, f = vgq(lam)
    g = -(lam.T @ gq @ np.linalg.inv(tmat)).T
    for _ in range(maxit + 1):
        gp = g - tmat @ np.diag(np.sum(tmat * g, axis=0))
        s = float(np.sqrt(np.sum(np.diag(gp.T @ gp))))
        if s < eps:
            break
        al *= 2
        for _i in range(11):
            xm = tmat - al * gp
            v = 1.0 / np.sqrt(np.sum(xm**2, axis=0))
            tmatt = xm @ np.diag(v)
            lam = a @ np.linalg.inv(tmatt).T
            gqt, ft = vgq(lam)
            if f - ft > 0.5 * s**2 * al:
                break
            al /= 2
        tmat = tmatt
        f = ft
        g = -(lam.T @ gqt @ np.linalg.inv(tmatt)).T
    phi = tmat.T @ tmat
    return lam, phi


def rotate(lam: np.ndarray, rotation: str) -> tuple[np.ndarray, np.ndarray]:
    """Rotate loadings; returns (loadings, factor correlation matrix)."""
    check_choice("rotation", rotation, _ROTATIONS)
    k = lam.shape[1]
    if rotation == "none" or k == 1:
        return lam.copy(), np.eye(k)
    if rotation == "varimax":
        return _varimax(lam)[0], np.eye(k)
    if rotation == "promax":
        return _promax(lam)
    return _oblimin(lam)


def _sort_and_sign(lam: np.ndarray, phi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Order factors by variance explained (psych) and make column sums positive."""
    signs = np.where(lam.sum(axis=0) < 0, -1.0, 1.0)
    lam = lam * signs
    phi = phi * signs[:, None] * signs[None, :]
    ss = np.diag(phi @ lam.T @ lam) if phi.shape[0] > 1 else np.sum(lam**2, axis=0)
    order = np.argsort(-ss, kind="stable")
    return lam[:, order], phi[np.ix_(order, order)]


# --------------------------------------------------------------------------- KMO
@dataclass(frozen=True)
class KMOResult:
    """Kaiser-Meyer-Olkin measure of sampling adequacy (overall and per item)."""

    overall: float
    per_item: pd.Series
    n: int

    @staticmethod
    def label(value: float) -> str:
        """Kaiser's (1974) labels: marvelous ... unacceptable."""
        cuts = [(0.9, "marvelous"), (0.8, "meritorious"), (0.7, "middling"),
                (0.6, "mediocre"), (0.5, "miserable")]
        for cut, name in cuts:
            if value >= cut:
                return name
        return "unacceptable"

    def tidy(self) -> pd.DataFrame:
        """One row per item plus an ``overall`` row: term, estimate, label."""
        terms = [*map(str, self.per_item.index), "overall"]
        est = [*self.per_item.to_numpy(dtype=float), self.overall]
        return pd.DataFrame({"term": terms, "estimate": est,
                             "label": [self.label(v) for v in est]})

    def summary(self) -> str:
        """Text summary."""
        lines = [f"Kaiser-Meyer-Olkin factor adequacy (n = {self.n})",
                 f"Overall MSA = {self.overall:.2f} ({self.label(self.overall)})",
                 "MSA for each item:"]
        lines += [f"  {k:<12} {v:.2f}" for k, v in self.per_item.items()]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        return html_table(f"KMO: overall MSA = {self.overall:.3f}", self.tidy())


def kmo(data: pd.DataFrame, items: Sequence[str] | None = None) -> KMOResult:
    """Kaiser-Meyer-Olkin measure of sampling adequacy, overall and per item.

    Parameters
    ----------
    data : pandas.DataFrame
        Item responses (numeric codes).
    items : list of str, optional
        Columns to use; all columns by default.

    Returns
    -------
    KMOResult
        ``overall`` and ``per_item`` MSA (Kaiser & Rice 1974), as ``psych::KMO``.

    Notes
    -----
    With ``R`` the pairwise correlation matrix and ``Q`` the partial (anti-image)
    correlations from ``R^-1``, MSA = sum r^2 / (sum r^2 + sum q^2) over off-diagonal
    elements. Checked against ``psych::KMO(bfi[, 1:25])`` (overall 0.85).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(1)
    >>> f = rng.normal(size=(200, 1))
    >>> df = pd.DataFrame(f + rng.normal(size=(200, 4)), columns=list("abcd"))
    >>> round(kmo(df).overall, 2) > 0.6
    True
    """
    r, names, n, _ = _cor(data, items, "KMO")
    try:
        inv = np.linalg.inv(r)
    except np.linalg.LinAlgError as exc:
        raise InsufficientDataError("the correlation matrix is singular (an item is a linear "
                                    "combination of others); drop redundant items") from exc
    d = 1.0 / np.sqrt(np.diag(inv))
    q = -inv * d[:, None] * d[None, :]
    r0 = r.copy()
    np.fill_diagonal(r0, 0.0)
    np.fill_diagonal(q, 0.0)
    r2, q2 = r0**2, q**2
    overall = float(r2.sum() / (r2.sum() + q2.sum()))
    per = r2.sum(axis=0) / (r2.sum(axis=0) + q2.sum(axis=0))
    return KMOResult(overall=overall, per_item=pd.Series(per, index=names, name="msa"), n=n)


# --------------------------------------------------------------------------- Bartlett
@dataclass(frozen=True)
class BartlettResult:
    """Bartlett's test that the correlation matrix is an identity matrix."""

    statistic: float
    df: int
    p_value: float
    n: int

    def tidy(self) -> pd.DataFrame:
        """One row: term, statistic, df, p_value, n."""
        return pd.DataFrame({"term": ["bartlett_sphericity"], "statistic": [self.statistic],
                             "df": [self.df], "p_value": [self.p_value], "n": [self.n]})

    def summary(self) -> str:
        """Text summary."""
        return (f"Bartlett's test of sphericity: chi2({self.df}) = {self.statistic:.2f}, "
                f"p = {self.p_value:.3g}, n = {self.n}")

    def _repr_html_(self) -> str:
        return html_table("Bartlett's test of sphericity", self.tidy())


def bartlett(data: pd.DataFrame, items: Sequence[str] | None = None) -> BartlettResult:
    """Bartlett's (1951) test of sphericity, as ``psych::cortest.bartlett``.

    chi2 = -(n - 1 - (2p + 5)/6) ln|R| with p(p - 1)/2 degrees of freedom, where ``R``
    is the pairwise correlation matrix and ``n`` the number of rows.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(1)
    >>> f = rng.normal(size=(100, 1))
    >>> res = bartlett(pd.DataFrame(f + rng.normal(size=(100, 3)), columns=list("abc")))
    >>> res.df, res.p_value < 0.001
    (3, True)
    """
    from scipy.stats import chi2

    r, names, n, _ = _cor(data, items, "Bartlett's test")
    p = len(names)
    sign, logdet = np.linalg.slogdet(r)
    if sign <= 0:
        raise InsufficientDataError("the correlation matrix is singular or not positive "
                                    "definite; drop redundant items before Bartlett's test")
    stat = float(-logdet * (n - 1 - (2 * p + 5) / 6))
    df = p * (p - 1) // 2
    return BartlettResult(statistic=stat, df=df, p_value=float(chi2.sf(stat, df)), n=n)


# --------------------------------------------------------------------------- EFA
@dataclass(frozen=True)
class EFAResult:
    """Exploratory factor analysis: loadings, communalities, factor correlations."""

    loadings: pd.DataFrame
    communalities: pd.Series
    phi: pd.DataFrame
    eigenvalues: pd.DataFrame
    n_factors: int
    method: str
    rotation: str
    n: int
    parallel: pd.DataFrame | None = None
    suggested: dict[str, int] = field(default_factory=dict)

    @property
    def uniquenesses(self) -> pd.Series:
        """1 - communality."""
        return 1.0 - self.communalities

    def tidy(self) -> pd.DataFrame:
        """Long table: item, factor, loading (plus communality)."""
        long = self.loadings.reset_index(names="item").melt(id_vars="item", var_name="factor",
                                                             value_name="loading")
        long["communality"] = long["item"].map(self.communalities)
        return long

    def variance_table(self) -> pd.DataFrame:
        """SS loadings and proportion of variance per factor (as psych prints)."""
        lam = self.loadings.to_numpy()
        phi = self.phi.to_numpy()
        ss = np.diag(phi @ lam.T @ lam)
        p = lam.shape[0]
        return pd.DataFrame({"ss_loadings": ss, "proportion_var": ss / p,
                             "cumulative_var": np.cumsum(ss) / p},
                            index=self.loadings.columns)

    def summary(self) -> str:
        """Text summary."""
        lines = [f"Factor analysis: method = {self.method}, rotation = {self.rotation}, "
                 f"{self.n_factors} factor(s), n = {self.n}"]
        if self.suggested:
            lines.append("Parallel analysis suggests " + ", ".join(
                f"{v} {k}" for k, v in self.suggested.items()))
        tab = self.loadings.copy()
        tab["h2"] = self.communalities
        lines.append(tab.round(2).to_string())
        lines.append(self.variance_table().round(2).to_string())
        if self.n_factors > 1 and self.rotation in ("oblimin", "promax"):
            lines.append("Factor correlations:\n" + self.phi.round(2).to_string())
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        tab = self.loadings.copy()
        tab["h2"] = self.communalities
        return html_table(f"EFA ({self.method}, {self.rotation})", tab)


def _warn_heywood(lam: np.ndarray, names: list[str], method: str, k: int) -> None:
    """Warn (naming the items) when a communality reaches the bound 0.995."""
    h2 = np.sum(lam**2, axis=1)
    hit = [f"{names[i]!r} (communality {h2[i]:.3f})" for i in range(len(names))
           if h2[i] >= _H2_BOUND - 1e-6]
    if hit:
        warnings.warn(
            f"Heywood case in the {k}-factor {method} solution: item(s) {', '.join(hit)} have "
            f"a communality of {_H2_BOUND} or more, their uniqueness held at the lower bound "
            f"{_PSI_LOWER}: the solution is improper. The values are reported as "
            "psych::fa reports them (it warns of an ultra-Heywood case). Try fewer factors, "
            "drop a redundant item or collect more data.",
            StatisticalWarning, stacklevel=3)


def _reduced_eigen(r: np.ndarray) -> np.ndarray:
    """Eigenvalues of R with one-factor minres communalities on the diagonal (psych)."""
    lam, _ = extract_factors(r, 1, "minres")
    red = r.copy()
    np.fill_diagonal(red, np.sum(lam**2, axis=1))
    return np.sort(np.linalg.eigvalsh(red))[::-1]


#: Bound (bytes) on one block of simulated data in :func:`parallel_analysis`.
_SIM_BLOCK_BYTES = 1 << 26


def parallel_analysis(r: np.ndarray, n: int, *, n_iter: int = 20, quantile: float = 0.95,
                      seed: int | np.random.SeedSequence | None = 0) -> tuple[pd.DataFrame,
                                                                             dict[str, int]]:
    """Horn's parallel analysis as ``psych::fa.parallel`` (simulated normal data).

    Returns a table of observed and simulated eigenvalues (components and factors)
    and the suggested numbers of factors and components: the count of leading
    observed eigenvalues above the ``quantile`` of the simulated ones.
    """
    from egovstudy._blas import single_thread_blas

    p = r.shape[0]
    ss = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
    rng = np.random.default_rng(ss)
    # Simulated data sets are drawn a block at a time (the same stream as one draw per
    # data set); their correlation matrices are stacked so that the eigenvalues come
    # from one stacked eigvalsh call. BLAS runs single-threaded: the products are
    # small and threads only add overhead (10x on a busy 2-core machine).
    per_block = max(1, _SIM_BLOCK_BYTES // (8 * n * p))
    rs = np.empty((n_iter, p, p))
    with single_thread_blas():
        obs_pc = np.sort(np.linalg.eigvalsh(r))[::-1]
        obs_fa = _reduced_eigen(r)
        for s in range(0, n_iter, per_block):
            x = rng.standard_normal((min(per_block, n_iter - s), n, p))
            for i in range(x.shape[0]):
                rs[s + i] = np.corrcoef(x[i], rowvar=False)
        sim_pc = np.sort(np.linalg.eigvalsh(rs), axis=1)[:, ::-1]
        sim_fa = np.array([_reduced_eigen(ri) for ri in rs]).reshape(n_iter, p)
    q_pc = np.quantile(sim_pc, quantile, axis=0)
    q_fa = np.quantile(sim_fa, quantile, axis=0)

    def leading(obs: np.ndarray, sim: np.ndarray) -> int:
        below = np.where(~(obs > sim))[0]
        return int(below[0]) if below.size else len(obs)

    table = pd.DataFrame({"observed_pc": obs_pc, "simulated_pc": q_pc,
                          "observed_fa": obs_fa, "simulated_fa": q_fa},
                         index=pd.RangeIndex(1, p + 1, name="number"))
    return table, {"factors": leading(obs_fa, q_fa), "components": leading(obs_pc, q_pc)}


def efa(data: pd.DataFrame, items: Sequence[str] | None = None,
        n_factors: int | None = None, *, method: Method = "minres",
        rotation: Rotation = "oblimin", n_iter: int = 20,
        seed: int | np.random.SeedSequence | None = 0) -> EFAResult:
    """Exploratory factor analysis with the number of factors from parallel analysis.

    Parameters
    ----------
    data : pandas.DataFrame
        Item responses.
    items : list of str, optional
        Columns to analyse (all by default).
    n_factors : int, optional
        Number of factors. By default the number suggested by parallel analysis
        (``psych::fa.parallel``: factors whose reduced-matrix eigenvalue exceeds the
        95th percentile of those of ``n_iter`` random normal data sets); at least 1.
    method : {"minres", "ml"}
        Minimum residual (psych's default) or maximum likelihood.
    rotation : {"oblimin", "promax", "varimax", "none"}
        Rotation; oblique rotations also give factor correlations ``phi``.
    n_iter : int
        Simulated data sets for parallel analysis.
    seed : int or numpy.random.SeedSequence
        Seed of the parallel analysis.

    Returns
    -------
    EFAResult

    Notes
    -----
    Correlations are pairwise-complete as in ``psych::fa``. Uniquenesses are bounded
    below by 0.005 as in ``psych::fa``; a Heywood case (a communality reaching 0.995, the
    unbounded solution being improper) raises a :class:`StatisticalWarning` naming the
    items. Eigenvalues (of ``R``
    and of the reduced matrix) and the parallel-analysis table are kept in the
    result. Checked against ``psych::fa.parallel(bfi[, 1:25])`` (6 factors, 6
    components) and ``psych::fa`` on the Holzinger-Swineford tests.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(3)
    >>> f = rng.normal(size=(300, 2))
    >>> x = np.hstack([f[:, [0]] + 0.6 * rng.normal(size=(300, 3)),
    ...                f[:, [1]] + 0.6 * rng.normal(size=(300, 3))])
    >>> res = efa(pd.DataFrame(x, columns=list("abcdef")), rotation="varimax")
    >>> res.n_factors
    2
    """
    from egovstudy._blas import single_thread_blas

    check_choice("method", method, _METHODS)
    check_choice("rotation", rotation, _ROTATIONS)
    r, names, n, _ = _cor(data, items, "EFA")
    p = len(names)
    if n_iter < 1:
        raise ModelSpecError(f"n_iter={n_iter}: use at least 1 simulated data set")
    if n_factors is None:
        table, suggested = parallel_analysis(r, n, n_iter=n_iter, seed=seed)
        k = max(1, suggested["factors"])
    else:
        k = int(n_factors)
        suggested = {}
        table = pd.DataFrame({"observed_pc": np.sort(np.linalg.eigvalsh(r))[::-1]},
                             index=pd.RangeIndex(1, p + 1, name="number"))
    if k < 1 or k >= p:
        raise ModelSpecError(f"n_factors={k}: choose between 1 and {p - 1} for {p} items")
    dof = ((p - k) ** 2 - (p + k)) / 2
    if method == "ml" and dof < 0:
        raise ModelSpecError(f"n_factors={k} is too many for {p} items (negative degrees of "
                             "freedom); use fewer factors")
    with single_thread_blas():    # small matrices: BLAS threads only add overhead
        lam0, _ = extract_factors(r, k, method)
    _warn_heywood(lam0, names, method, k)
    with single_thread_blas():
        lam, phi = rotate(lam0, rotation)
        lam, phi = _sort_and_sign(lam, phi)
    cols = [f"{'ML' if method == 'ml' else 'MR'}{i + 1}" for i in range(k)]
    loadings = pd.DataFrame(lam, index=names, columns=cols)
    h2 = pd.Series(np.diag(lam @ phi @ lam.T), index=names, name="communality")
    return EFAResult(loadings=loadings, communalities=h2,
                     phi=pd.DataFrame(phi, index=cols, columns=cols), eigenvalues=table,
                     n_factors=k, method=method, rotation=rotation, n=n,
                     parallel=table if suggested else None,
                     suggested=suggested)
