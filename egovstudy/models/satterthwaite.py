"""REML/ML deviance of a linear mixed model as lme4 defines it, and Satterthwaite df.

The model is ``y = X beta + Z b + e`` with one grouping factor, ``b_g ~ N(0, s2 L L')``
and ``e ~ N(0, s2 I)``, where ``L`` is the lower-triangular *relative covariance factor*
whose column-wise lower triangle is lme4's ``theta`` (diagonal entries bounded below by
0, so singular fits such as a correlation of -1 are reachable). :func:`profiled_deviance`
is ``lme4``'s objective (Bates, Maechler, Bolker & Walker 2015, JSS 67(1), eqs. 34 and
41): ``s2`` and ``beta`` profiled out, the REML criterion at the optimum is what
``summary(lmer(...))`` prints as "REML criterion at convergence".

:func:`satterthwaite_df` follows ``lmerTest`` (Kuznetsova, Brockhoff & Christensen
2017, JSS 82(13), section 3.1 and the function ``devfun_vp``): the variance parameters
are ``varpar = (theta, sigma)``; their asymptotic covariance is ``A = 2 H^-1`` with ``H``
the Hessian of the (unprofiled) deviance in ``varpar`` (eigenvalues below 1e-6 dropped,
as lmerTest does); for a contrast ``c = Var(beta_j) = s2 [(X'V^-1X)^-1]_jj`` with
gradient ``g`` in ``varpar``, ``df = 2 c^2 / (g' A g)``. Derivatives are central finite
differences with one Richardson extrapolation step (lmerTest uses ``numDeriv``'s
Richardson scheme).

All quantities come from per-group sums (``Z_g'Z_g``, ``Z_g'X_g``, ``Z_g'y_g``) and
``q x q`` algebra, so each evaluation costs ``O(groups q^3)`` and no ``n x n`` matrix is
formed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

__all__ = ["GroupSums", "profiled_deviance", "satterthwaite_df", "theta_to_lambda"]


class GroupSums:
    """Per-group sufficient statistics of ``(X, y, Z)``: the likelihood needs nothing else."""

    def __init__(self, X: np.ndarray, y: np.ndarray, Z: np.ndarray, groups: np.ndarray
                 ) -> None:
        X = np.asarray(X, dtype=float)
        y = np.asarray(y, dtype=float)
        Z = np.asarray(Z, dtype=float)
        if np.all(X[0:1] == X, axis=0).any():
            # with a constant column shifting y changes only beta_0, not the likelihood;
            # centring keeps the sums of squares small (less cancellation)
            y = y - y.mean()
        _, codes = np.unique(np.asarray(groups), return_inverse=True)
        n_groups = int(codes.max()) + 1

        def per_group(a: np.ndarray, b: np.ndarray) -> np.ndarray:
            prod = np.einsum("ni,nj->nij", a, b).reshape(len(a), -1)
            out = np.zeros((n_groups, prod.shape[1]))
            np.add.at(out, codes, prod)
            return out.reshape(n_groups, a.shape[1], b.shape[1])

        self.zz = per_group(Z, Z)
        self.zx = per_group(Z, X)
        self.zy = per_group(Z, y[:, None])[:, :, 0]
        self.xx = X.T @ X
        self.xy = X.T @ y
        self.yy = float(y @ y)
        self.n = len(y)
        self.p = X.shape[1]
        self.q = Z.shape[1]
        self.n_groups = n_groups


def theta_to_lambda(theta: np.ndarray, q: int) -> np.ndarray:
    """Lower-triangular ``L`` (q x q) from lme4's ``theta`` (column-wise lower triangle).

    Examples
    --------
    >>> theta_to_lambda(np.array([1.0, 0.5, 2.0]), 2)
    array([[1. , 0. ],
           [0.5, 2. ]])
    """
    lam = np.zeros((q, q))
    rows, cols = np.tril_indices(q)
    order = np.lexsort((rows, cols))          # column-major order, as lme4
    lam[rows[order], cols[order]] = theta
    return lam


def lower_bounds(q: int) -> list[tuple[float | None, float | None]]:
    """Bounds of ``theta``: 0 on the diagonal of ``L``, free elsewhere (lme4's ``lower``)."""
    rows, cols = np.tril_indices(q)
    order = np.lexsort((rows, cols))
    return [(0.0, None) if rows[k] == cols[k] else (None, None) for k in order]


@dataclass(frozen=True)
class _Pieces:
    logdet_m: float       # log|I + L'Z'ZL| summed over groups
    xvx: np.ndarray       # X' (I + Z L L' Z')^-1 X
    beta: np.ndarray
    r2: float             # penalised residual sum of squares


def _pieces(sums: GroupSums, theta: np.ndarray) -> _Pieces:
    q = sums.q
    lam = theta_to_lambda(np.asarray(theta, dtype=float), q)
    M = np.eye(q) + lam.T @ sums.zz @ lam                        # (groups, q, q)
    chol = np.linalg.cholesky(M)                                 # M is SPD for any theta
    logdet_m = 2.0 * float(np.log(np.diagonal(chol, axis1=1, axis2=2)).sum())
    lzx = lam.T @ sums.zx                                        # (groups, q, p)
    lzy = np.einsum("ij,gj->gi", lam.T, sums.zy)                 # (groups, q)
    m_lzx = np.linalg.solve(M, lzx)
    m_lzy = np.linalg.solve(M, lzy[:, :, None])[:, :, 0]
    xvx = sums.xx - np.einsum("gqi,gqj->ij", lzx, m_lzx)
    xvy = sums.xy - np.einsum("gqi,gq->i", lzx, m_lzy)
    yvy = sums.yy - float(np.einsum("gq,gq->", lzy, m_lzy))
    beta = np.linalg.solve(xvx, xvy)
    r2 = float(yvy - beta @ xvy)
    return _Pieces(logdet_m, xvx, beta, max(r2, 1e-300))


def profiled_deviance(sums: GroupSums, theta: np.ndarray, reml: bool = True) -> float:
    """lme4's profiled deviance (REML criterion when ``reml``) at ``theta``.

    ``d(theta) = log|M| + log|X'V^-1X| + (n - p)(1 + log(2 pi r2 / (n - p)))`` for REML,
    ``log|M| + n (1 + log(2 pi r2 / n))`` for ML (Bates et al. 2015, eqs. 34, 41).
    """
    pc = _pieces(sums, theta)
    if reml:
        nu = sums.n - sums.p
        _, logdet_x = np.linalg.slogdet(pc.xvx)
        return float(pc.logdet_m + logdet_x + nu * (1 + np.log(2 * np.pi * pc.r2 / nu)))
    return float(pc.logdet_m + sums.n * (1 + np.log(2 * np.pi * pc.r2 / sums.n)))


def estimates(sums: GroupSums, theta: np.ndarray, reml: bool = True
              ) -> tuple[np.ndarray, np.ndarray, float]:
    """``beta``, ``Var(beta) = s2 (X'V^-1X)^-1`` (lme4's ``vcov``) and ``s2`` at ``theta``."""
    pc = _pieces(sums, theta)
    s2 = pc.r2 / (sums.n - sums.p if reml else sums.n)
    return pc.beta, s2 * np.linalg.inv(pc.xvx), s2


def _varpar_deviance(sums: GroupSums, varpar: np.ndarray, reml: bool) -> float:
    """Deviance at ``(theta, sigma)`` with nothing profiled (lmerTest's ``devfun_vp``)."""
    pc = _pieces(sums, varpar[:-1])
    s2 = float(varpar[-1]) ** 2
    dev = pc.logdet_m + pc.r2 / s2 + sums.n * np.log(2 * np.pi * s2)
    if reml:
        _, logdet_x = np.linalg.slogdet(pc.xvx)
        dev += logdet_x - sums.p * np.log(2 * np.pi * s2)
    return float(dev)


def _vcov_beta(sums: GroupSums, varpar: np.ndarray) -> np.ndarray:
    pc = _pieces(sums, varpar[:-1])
    return np.asarray(float(varpar[-1]) ** 2 * np.linalg.inv(pc.xvx))


def _richardson(f: Callable[[float], np.ndarray], h: float) -> np.ndarray:
    """Richardson-extrapolated central difference of ``f`` at 0 with steps ``h, h/2``."""
    d1 = (f(h) - f(-h)) / (2 * h)
    d2 = (f(h / 2) - f(-h / 2)) / h
    return np.asarray((4 * d2 - d1) / 3)


def _steps(x: np.ndarray) -> np.ndarray:
    return 1e-3 * np.maximum(np.abs(x), 1e-2 * max(float(np.max(np.abs(x))), 1e-8))


def _gradient(f: Callable[[np.ndarray], float], x: np.ndarray, h: np.ndarray) -> np.ndarray:
    out = np.empty(len(x))
    for i in range(len(x)):
        def fi(t: float, i: int = i) -> np.ndarray:
            e = np.zeros(len(x))
            e[i] = t
            return np.array(f(x + e))
        out[i] = float(_richardson(fi, h[i]))
    return out


def _hessian(f: Callable[[np.ndarray], float], x: np.ndarray) -> np.ndarray:
    """Hessian as the Richardson-extrapolated derivative of the gradient."""
    k = len(x)
    h = _steps(x)
    H = np.empty((k, k))
    for j in range(k):
        def grad_at(t: float, j: int = j) -> np.ndarray:
            e = np.zeros(k)
            e[j] = t
            return _gradient(f, x + e, h)
        H[:, j] = _richardson(grad_at, h[j])
    return (H + H.T) / 2


def satterthwaite_df(sums: GroupSums, theta: np.ndarray, *, reml: bool = True,
                     tol: float = 1e-6) -> np.ndarray:
    """Satterthwaite df of every fixed effect, as ``lmerTest`` computes them.

    Parameters
    ----------
    sums : GroupSums
        Per-group sums of the fixed design ``X``, the response and the random design ``Z``.
    theta : numpy.ndarray
        lme4's relative covariance parameters at the optimum (see :func:`theta_to_lambda`).
    reml : bool
        Whether ``theta`` is the REML (default) or ML optimum; the curvature is taken of the
        same deviance, as lmerTest does.
    tol : float
        Eigenvalues of the Hessian below ``tol`` are dropped before inverting (lmerTest).

    Returns
    -------
    numpy.ndarray
        ``(p,)`` degrees of freedom; ``NaN`` where they cannot be computed.

    Examples
    --------
    Balanced random-intercept design: at the REML optimum a within-group effect gets
    the exact ``n - groups - 1`` residual degrees of freedom (72 - 12 - 1 = 59).

    >>> from scipy.optimize import minimize_scalar
    >>> rng = np.random.default_rng(1)
    >>> g = np.repeat(np.arange(12), 6)
    >>> x = np.tile(np.arange(6.0), 12)
    >>> y = 2 + 0.5 * x + rng.normal(size=12)[g] + rng.normal(size=72)
    >>> X = np.column_stack([np.ones(72), x])
    >>> sums = GroupSums(X, y, np.ones((72, 1)), g)
    >>> t = minimize_scalar(lambda t: profiled_deviance(sums, np.array([t])),
    ...                     bounds=(0, 10), method="bounded", options={"xatol": 1e-10}).x
    >>> round(float(satterthwaite_df(sums, np.array([t]))[1]), 2)
    59.0
    """
    theta = np.asarray(theta, dtype=float)
    _, _, s2 = estimates(sums, theta, reml)
    varpar = np.append(theta, np.sqrt(s2))
    try:
        H = _hessian(lambda v: _varpar_deviance(sums, v, reml), varpar)
        vals, vecs = np.linalg.eigh(H)
        pos = vals > tol
        A = 2 * (vecs[:, pos] / vals[pos]) @ vecs[:, pos].T
        C = _vcov_beta(sums, varpar)
        h = _steps(varpar)
        grads = np.empty((len(varpar), sums.p))
        for i in range(len(varpar)):
            def diag_at(t: float, i: int = i) -> np.ndarray:
                e = np.zeros(len(varpar))
                e[i] = t
                return np.diag(_vcov_beta(sums, varpar + e))
            grads[i] = _richardson(diag_at, h[i])
    except np.linalg.LinAlgError:
        return np.full(sums.p, np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        denom = np.einsum("ij,ik,kj->j", grads, A, grads)
        df = 2 * np.diag(C) ** 2 / denom
    return np.where(np.isfinite(df) & (df > 0), df, np.nan)
