"""Full-information maximum likelihood (FIML) for CFA with missing values.

``cfa(..., missing="fiml")`` lands here. semopy has an ``obj="FIML"`` objective, but it
stops early (SLSQP) and gives neither lavaan's fit measures nor observed-information
standard errors, so the casewise likelihood is written here over missing-data patterns
(as lavaan ``missing = "fiml"``): semopy still parses the model and builds Sigma(theta);
the means are free (saturated mean structure); the minimum is found with L-BFGS-B and an
analytic gradient; standard errors come from the observed information (the Hessian of
-logL, by central differences of the analytic gradient), lavaan's default for FIML.
The unrestricted (H1) model is the EM estimate (:func:`egovstudy.missing.em_normal`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from egovstudy.errors import ConvergenceError, InsufficientDataError


class _Patterns:
    """Sufficient statistics of each missing-data pattern: rows, observed mask, mean, cov."""

    def __init__(self, x: np.ndarray) -> None:
        miss = np.isnan(x)
        pats, inv = np.unique(miss, axis=0, return_inverse=True)
        inv = np.asarray(inv).ravel()
        self.groups: list[tuple[np.ndarray, int, np.ndarray, np.ndarray]] = []
        for g, pat in enumerate(pats):
            obs = ~pat
            if not obs.any():
                continue
            xo = x[np.ix_(inv == g, obs)]
            mean = xo.mean(axis=0)
            # the divisor-n covariance by hand: np.cov of a pattern with a single row
            # returns a scalar on numpy 2.0 and a matrix later
            dev = xo - mean
            cov = dev.T @ dev / len(xo)
            self.groups.append((obs, xo.shape[0], mean, cov))
        self.n = sum(g[1] for g in self.groups)

    def minus2ll(self, sigma: np.ndarray, mu: np.ndarray,
                 grad: bool = False) -> tuple[float, np.ndarray, np.ndarray]:
        """-2 logL and its gradient with respect to Sigma (full matrix) and mu."""
        p = len(mu)
        total = 0.0
        g_sig = np.zeros((p, p))
        g_mu = np.zeros(p)
        for obs, n_j, mean, cov in self.groups:
            s = sigma[np.ix_(obs, obs)]
            sign, logdet = np.linalg.slogdet(s)
            if sign <= 0:
                return np.inf, g_sig, g_mu
            inv = np.linalg.inv(s)
            d = mean - mu[obs]
            a = cov + np.outer(d, d)
            total += n_j * (obs.sum() * np.log(2 * np.pi) + logdet + np.sum(inv * a))
            if grad:
                g_sig[np.ix_(obs, obs)] += n_j * (inv - inv @ a @ inv)
                g_mu[obs] += -2 * n_j * (inv @ d)
        return float(total), g_sig, g_mu


def _sigma_derivatives(m: Any, theta: np.ndarray) -> np.ndarray:
    """dSigma/dtheta_k (k, p, p); Sigma is quadratic in theta, so central differences are
    exact up to rounding."""
    out = []
    h = 1e-4
    for k in range(len(theta)):
        e = np.zeros_like(theta)
        e[k] = h
        m.update_matrices(theta + e)
        up, _ = m.calc_sigma()
        m.update_matrices(theta - e)
        down, _ = m.calc_sigma()
        out.append((up - down) / (2 * h))
    m.update_matrices(theta)
    return np.array(out)


def fit_cfa_fiml(m: Any, frame: pd.DataFrame, obs: list[str]) -> dict[str, Any]:
    """Fit a parsed semopy model by FIML; return estimates, means, SEs and log-likelihoods.

    ``frame`` holds the observed variables in the order ``obs`` (the order of semopy's
    Sigma), with NaN for missing values; rows entirely missing are dropped by the caller.
    """
    from scipy.optimize import minimize

    from egovstudy.missing import em_normal

    x = frame[obs].to_numpy(dtype=float)
    pats = _Patterns(x)
    n = pats.n
    if n <= len(obs):
        raise InsufficientDataError(f"FIML CFA: {n} cases with an answer for {len(obs)} "
                                    "items; collect more cases than items")
    p = len(obs)
    mu1, sig1, _ = em_normal(x)
    ll1 = -0.5 * pats.minus2ll(sig1, mu1)[0]
    n_theta = len(m.param_vals)

    def split(z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return z[:n_theta], z[n_theta:]

    def objective(z: np.ndarray) -> tuple[float, np.ndarray]:
        theta, mu = split(z)
        m.update_matrices(theta)
        sigma, _ = m.calc_sigma()
        f, g_sig, g_mu = pats.minus2ll(sigma, mu, grad=True)
        if not np.isfinite(f):
            return 1e20, np.zeros_like(z)
        ds = _sigma_derivatives(m, theta)
        g_theta = np.einsum("kij,ij->k", ds, g_sig)
        return f / n, np.concatenate([g_theta, g_mu]) / n

    z0 = np.concatenate([np.asarray(m.param_vals, dtype=float), mu1])
    res = minimize(objective, z0, jac=True, method="L-BFGS-B",
                   options={"ftol": 1e-15, "gtol": 1e-10, "maxiter": 10000})
    if not np.all(np.isfinite(res.x)) or res.fun >= 1e19:
        raise ConvergenceError("the FIML CFA could not be estimated (Sigma not positive "
                               "definite); check the model and the items")
    z = np.asarray(res.x)
    f_min = objective(z)[0] * n
    ll0 = -0.5 * f_min
    # observed information: Hessian of -logL = n/2 * d(gradient of F/n)
    h = 1e-5
    k = len(z)
    hess = np.empty((k, k))
    for i in range(k):
        e = np.zeros(k)
        e[i] = h
        hess[:, i] = (objective(z + e)[1] - objective(z - e)[1]) / (2 * h)
    hess = (hess + hess.T) / 2 * n / 2
    try:
        vcov = np.linalg.inv(hess)
    except np.linalg.LinAlgError as exc:  # pragma: no cover - identified models only
        raise ConvergenceError("the FIML information matrix is singular: the model is "
                               "not identified") from exc
    theta, mu = split(z)
    m.param_vals = theta
    m.update_matrices(theta)
    se = np.sqrt(np.clip(np.diag(vcov), 0, None))
    # independence (baseline) model: each variable's own observed mean and variance
    base_ll = 0.0
    for j in range(p):
        v = x[~np.isnan(x[:, j]), j]
        base_ll += -0.5 * len(v) * (np.log(2 * np.pi) + np.log(v.var()) + 1)
    return {"theta": theta, "mu": mu, "se_theta": se[:n_theta], "se_mu": se[n_theta:],
            "logl": ll0, "unrestricted_logl": ll1, "baseline_logl": base_ll, "n": n,
            "sigma1": sig1}


def parameter_rows(m: Any, se_theta: np.ndarray) -> dict[tuple[str, str, str], float]:
    """Standard error of each free parameter keyed like the estimates table:
    (latent, op, item) for loadings, and both orders for (co)variances."""
    out: dict[tuple[str, str, str], float] = {}
    active = [prm for prm in m.parameters.values() if prm.active]
    for prm, s in zip(active, se_theta, strict=True):
        for loc in prm.locations:
            i, j = loc.indices
            if loc.matrix is m.mx_lambda:
                rows, cols = m.names_lambda
                out[(cols[j], "=~", rows[i])] = float(s)
            elif loc.matrix is m.mx_psi:
                names = m.names_psi[0]
                out[(names[i], "~~", names[j])] = float(s)
                out[(names[j], "~~", names[i])] = float(s)
            elif loc.matrix is m.mx_theta:
                names = m.names_theta[0]
                out[(names[i], "~~", names[j])] = float(s)
                out[(names[j], "~~", names[i])] = float(s)
    return out
