"""Satterthwaite degrees of freedom for the fixed effects of a linear mixed model.

For a fixed effect ``beta_j`` with variance ``c(theta) = [(X' V(theta)^-1 X)^-1]_jj``,
where ``theta`` holds the random-effect covariance and the residual variance, the
Satterthwaite approximation gives the t statistic ``df = 2 c^2 / (g' A g)``, with
``g`` the gradient of ``c`` in ``theta`` and ``A`` the asymptotic covariance of the
REML estimate of ``theta`` (the inverse of the negative Hessian of the REML
log-likelihood). This is what ``lmerTest`` (Kuznetsova, Brockhoff & Christensen 2017)
reports for ``lme4::lmer`` fits and SAS ``PROC MIXED`` with ``ddfm=satterthwaite``.
The value does not depend on how ``theta`` is parameterised, so the variances and
covariances are used directly; the derivatives are central finite differences (the
REML likelihood is evaluated from per-group sums in q x q algebra, so a few dozen
evaluations cost little even on large data).

statsmodels' ``MixedLM`` reports Wald z tests only; this module is why egovstudy's
mixed models give t tests with the degrees of freedom readers of lmerTest output expect.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

__all__ = ["satterthwaite_df"]


class _Sums:
    """Per-group sufficient statistics: the likelihood needs nothing else."""

    def __init__(self, X: np.ndarray, y: np.ndarray, Z: np.ndarray, groups: np.ndarray
                 ) -> None:
        _, codes = np.unique(groups, return_inverse=True)
        n_groups = int(codes.max()) + 1

        def per_group(a: np.ndarray, b: np.ndarray) -> np.ndarray:
            prod = np.einsum("ni,nj->nij", a, b).reshape(len(a), -1)
            out = np.zeros((n_groups, prod.shape[1]))
            np.add.at(out, codes, prod)
            return out.reshape(n_groups, a.shape[1], b.shape[1])

        y2 = y[:, None]
        self.zz = per_group(Z, Z)
        self.zx = per_group(Z, X)
        self.zy = per_group(Z, y2)[:, :, 0]
        self.xx = X.T @ X
        self.xy = X.T @ y
        self.yy = float(y @ y)
        self.n = len(y)
        self.q = Z.shape[1]


def _loglik_and_cov(sums: _Sums, theta: np.ndarray, reml: bool = True
                    ) -> tuple[float, np.ndarray]:
    """REML (or ML) log-likelihood, up to a constant, and ``(X'V^-1X)^-1`` at ``theta``.

    With ``V_g = s2 I + Z_g G Z_g'`` the push-through identity gives
    ``V_g^-1 = (I - Z_g K_g Z_g') / s2`` with ``K_g = (s2 I + G Z_g'Z_g)^-1 G`` and
    ``log|V_g| = n_g log s2 + log|I + G Z_g'Z_g / s2|``: q x q work per group, no
    ``n_g x n_g`` matrix, and no inverse of ``G`` (which may be singular).
    """
    q = sums.q
    iu = np.triu_indices(q)
    G = np.zeros((q, q))
    G[iu] = theta[:-1]
    G = G + G.T - np.diag(np.diag(G))
    s2 = float(theta[-1])
    if not s2 > 0:
        raise np.linalg.LinAlgError("residual variance not positive")
    GS = G @ sums.zz                                        # (groups, q, q)
    K = np.linalg.solve(s2 * np.eye(q) + GS, np.broadcast_to(G, GS.shape))
    sign, logdet_q = np.linalg.slogdet(np.eye(q) + GS / s2)
    if (sign <= 0).any():
        raise np.linalg.LinAlgError("random-effect covariance not positive semi-definite")
    KZx = K @ sums.zx                                       # (groups, q, p)
    KZy = np.einsum("gij,gj->gi", K, sums.zy)
    xvx = (sums.xx - np.einsum("gqi,gqj->ij", sums.zx, KZx)) / s2
    xvy = (sums.xy - np.einsum("gqi,gq->i", sums.zx, KZy)) / s2
    yvy = (sums.yy - float(np.einsum("gq,gq->", sums.zy, KZy))) / s2
    logdet = sums.n * np.log(s2) + float(logdet_q.sum())
    C = np.linalg.inv(xvx)
    beta = C @ xvy
    _, logdet_x = np.linalg.slogdet(xvx)
    loglik = -0.5 * (logdet + (logdet_x if reml else 0.0) + yvy - float(beta @ xvy))
    return loglik, C


def _steps(theta: np.ndarray, q: int) -> np.ndarray:
    """Finite-difference steps: 1e-3 of each parameter's natural scale (small enough for
    the truncation error, large enough that rounding in the likelihood does not swamp
    second differences)."""
    iu, ju = np.triu_indices(q)
    var = np.empty(q)
    var[:] = [theta[k] for k in range(len(iu)) if iu[k] == ju[k]]
    scale = np.array([np.sqrt(abs(var[i] * var[j])) for i, j in zip(iu, ju)] + [theta[-1]])
    return 1e-3 * np.maximum(scale, 1e-8 * max(abs(theta[-1]), 1.0))


def _hessian(f: Callable[[np.ndarray], float], x: np.ndarray, h: np.ndarray) -> np.ndarray:
    k = len(x)
    H = np.empty((k, k))
    f0 = f(x)
    for i in range(k):
        ei = np.zeros(k)
        ei[i] = h[i]
        H[i, i] = (f(x + ei) - 2 * f0 + f(x - ei)) / h[i] ** 2
        for j in range(i + 1, k):
            ej = np.zeros(k)
            ej[j] = h[j]
            H[i, j] = H[j, i] = (f(x + ei + ej) - f(x + ei - ej) - f(x - ei + ej)
                                 + f(x - ei - ej)) / (4 * h[i] * h[j])
    return H


def satterthwaite_df(X: np.ndarray, y: np.ndarray, Z: np.ndarray, groups: np.ndarray,
                     cov_re: np.ndarray, sigma2: float, *, reml: bool = True) -> np.ndarray:
    """Satterthwaite df of every fixed effect of a linear mixed model.

    Parameters
    ----------
    X, y : numpy.ndarray
        Fixed-effects design ``(n, p)`` and response ``(n,)``.
    Z : numpy.ndarray
        Random-effects design ``(n, q)`` (intercept and random slopes).
    groups : numpy.ndarray
        Group label of each row.
    cov_re, sigma2 : numpy.ndarray, float
        Estimates of the random-effect covariance ``(q, q)`` and residual variance.
    reml : bool
        Whether they are REML (default) or ML estimates; the curvature is taken of the
        same likelihood, as lmerTest does.

    Returns
    -------
    numpy.ndarray
        ``(p,)`` degrees of freedom; ``NaN`` where they cannot be computed (an estimate
        on the boundary, e.g. a zero variance, makes the Hessian singular).

    Examples
    --------
    Balanced random-intercept design: at the REML estimates a within-group effect gets
    the exact ``n - groups - 1`` residual degrees of freedom (72 - 12 - 1 = 59).

    >>> import pandas as pd
    >>> import statsmodels.formula.api as smf
    >>> rng = np.random.default_rng(1)
    >>> g = np.repeat(np.arange(12), 6)
    >>> x = np.tile(np.arange(6.0), 12)
    >>> y = 2 + 0.5 * x + rng.normal(size=12)[g] + rng.normal(size=72)
    >>> fit = smf.mixedlm("y ~ x", pd.DataFrame({"y": y, "x": x}), groups=g).fit(reml=True)
    >>> d = satterthwaite_df(fit.model.exog, y, np.ones((72, 1)), g,
    ...                      np.asarray(fit.cov_re), fit.scale)
    >>> round(float(d[1]), 2)
    59.0
    """
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    Z = np.asarray(Z, dtype=float)
    q = Z.shape[1]
    if np.all(X[0:1] == X, axis=0).any():
        # with a constant column the residuals, hence the likelihood, do not change when
        # y is shifted; centring y keeps the sums of squares small (less cancellation)
        y = y - y.mean()
    sums = _Sums(X, y, Z, np.asarray(groups))
    theta = np.append(np.asarray(cov_re, dtype=float)[np.triu_indices(q)], float(sigma2))
    h = _steps(theta, q)
    try:
        _, C = _loglik_and_cov(sums, theta, reml)
        H = _hessian(lambda t: _loglik_and_cov(sums, t, reml)[0], theta, h)
        A = np.linalg.inv(-H)
        grads = np.empty((len(theta), C.shape[0]))
        for i in range(len(theta)):
            e = np.zeros(len(theta))
            e[i] = h[i]
            up = np.diag(_loglik_and_cov(sums, theta + e, reml)[1])
            down = np.diag(_loglik_and_cov(sums, theta - e, reml)[1])
            grads[i] = (up - down) / (2 * h[i])
    except np.linalg.LinAlgError:
        return np.full(X.shape[1], np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        denom = np.einsum("ij,ik,kj->j", grads, A, grads)
        df = 2 * np.diag(C) ** 2 / denom
    return np.where(np.isfinite(df) & (df > 0), df, np.nan)
