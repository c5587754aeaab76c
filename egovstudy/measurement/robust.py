"""Robust (non-normal) standard errors and scaled chi-squares for ML CFA: MLR and MLM.

``cfa(..., estimator="MLR")`` and ``estimator="MLM"`` land here after the ML fit. The
formulas follow lavaan 0.6 (``lav_test_yuan_bentler_mplus_trace``, ``lav_fit_cfi``,
``lav_fit_rmsea``), written out because neither semopy nor statsmodels has them:

* **MLR** (lavaan ``se = "robust.huber.white"``, ``test = "yuan.bentler.mplus"``):
  ``vcov = E^-1 B0 E^-1 / N`` with ``E`` the observed information (Hessian of
  ``F_ML / 2`` by central differences of the analytic gradient, as lavaan) and ``B0`` the
  mean outer product of the casewise scores at the model-implied Sigma; the scaling factor
  is ``c = (tr(A1^-1 B1) - tr(E^-1 B0)) / df`` with ``A1``/``B1`` the expected and
  first-order information of the saturated model at the sample moments.
* **MLM** (``se = "robust.sem"``, ``test = "satorra.bentler"``): expected information
  ``E = Delta' W Delta``, ``vcov = E^-1 Delta' W Gamma W Delta E^-1 / N`` with ``Gamma``
  the ADF covariance of vech(S) (divisor N); ``c = tr(U Gamma) / df`` with
  ``U = W - W Delta E^-1 Delta' W``.

Robust CFI/TLI/RMSEA are Brosseau-Liard and Savalei's (2012, 2014) as lavaan reports them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from egovstudy.errors import ConvergenceError

SigmaFn = Callable[[np.ndarray], np.ndarray]

__all__ = ["robust_fit_measures", "robust_ml"]


def _jacobian(sigma_fn: SigmaFn, theta: np.ndarray) -> np.ndarray:
    """dSigma/dtheta_k as (k, p, p); Sigma is quadratic in theta, so central differences
    are exact up to rounding."""
    h = 1e-4
    out = []
    for k in range(len(theta)):
        e = np.zeros_like(theta)
        e[k] = h
        out.append((sigma_fn(theta + e) - sigma_fn(theta - e)) / (2 * h))
    return np.array(out)


def _gradient(sigma_fn: SigmaFn, theta: np.ndarray, s: np.ndarray) -> np.ndarray:
    """Gradient of F_ML / 2 = (ln|Sigma| + tr(S Sigma^-1) - ln|S| - p) / 2."""
    sigma = sigma_fn(theta)
    si = np.linalg.inv(sigma)
    g = 0.5 * (si - si @ s @ si)
    return np.einsum("kij,ij->k", _jacobian(sigma_fn, theta), g)


def _observed_information(sigma_fn: SigmaFn, theta: np.ndarray, s: np.ndarray) -> np.ndarray:
    """Hessian of F_ML / 2 (lavaan's observed information per case), by a four-point
    central difference of the analytic gradient as lavaan's ``lav_model_hessian``."""
    k = len(theta)
    h = 1e-5
    hess = np.empty((k, k))
    for j in range(k):
        e = np.zeros(k)
        e[j] = h
        hess[:, j] = (_gradient(sigma_fn, theta - 2 * e, s) - 8 * _gradient(sigma_fn, theta - e, s)
                      + 8 * _gradient(sigma_fn, theta + e, s)
                      - _gradient(sigma_fn, theta + 2 * e, s)) / (12 * h)
    return (hess + hess.T) / 2


def _vech_index(p: int) -> tuple[np.ndarray, np.ndarray]:
    # lavaan's vech order: column by column, lower triangle
    rows, cols = [], []
    for j in range(p):
        for i in range(j, p):
            rows.append(i)
            cols.append(j)
    return np.array(rows), np.array(cols)


def _vech_scores(d: np.ndarray, sigma: np.ndarray) -> np.ndarray:
    """Casewise scores of the normal log-likelihood with respect to vech(Sigma) (N, p*):
    G_i = (Sigma^-1 d d' Sigma^-1 - Sigma^-1) / 2, off-diagonal elements counted twice."""
    si = np.linalg.inv(sigma)
    a = d @ si
    r, c = _vech_index(sigma.shape[0])
    g = 0.5 * (a[:, r] * a[:, c] - si[r, c])
    return np.where(r == c, 1.0, 2.0) * g


def _normal_gamma(sigma: np.ndarray) -> np.ndarray:
    """Normal-theory covariance of vech(S): s_ik s_jl + s_il s_jk (= inverse of the
    expected information of the saturated model)."""
    r, c = _vech_index(sigma.shape[0])
    return (sigma[np.ix_(r, r)] * sigma[np.ix_(c, c)]
            + sigma[np.ix_(r, c)] * sigma[np.ix_(c, r)])


def _delta(ds: np.ndarray) -> np.ndarray:
    """Delta = d vech(Sigma) / d theta' (p*, k)."""
    r, c = _vech_index(ds.shape[1])
    return ds[:, r, c].T


def robust_ml(sigma_fn: SigmaFn, theta: np.ndarray, x: np.ndarray,
              estimator: str) -> dict[str, Any]:
    """Robust covariance of the estimates and the scaling factor ``c`` of the chi-square.

    ``sigma_fn`` maps the free parameters to the model-implied Sigma (variables in the
    column order of ``x``); ``theta`` is the ML estimate; ``x`` the complete data (N, p);
    ``estimator`` is ``"MLR"`` or ``"MLM"``. Returns ``vcov`` (k, k) and ``trace``
    (tr(U Gamma); the scaling factor is ``trace / df``).

    Examples
    --------
    >>> import numpy as np
    >>> x = np.random.default_rng(1).normal(size=(200, 3))
    >>> r = robust_ml(np.diag, x.var(axis=0), x, "MLM")  # the independence model
    >>> r["vcov"].shape
    (3, 3)
    """
    n, _ = x.shape
    d = x - x.mean(axis=0)
    s = d.T @ d / n
    sigma = sigma_fn(theta)
    ds = _jacobian(sigma_fn, theta)
    delta = _delta(ds)
    try:
        if estimator == "MLR":
            e_mat = _observed_information(sigma_fn, theta, s)
            e_inv = np.linalg.inv(e_mat)
            sc = _vech_scores(d, sigma) @ delta  # casewise scores of theta at Sigma-hat
            b0 = sc.T @ sc / n
            vcov = e_inv @ b0 @ e_inv / n
            sc1 = _vech_scores(d, s)
            b1 = sc1.T @ sc1 / n
            trace_h1 = float(np.sum(_normal_gamma(s) * b1))  # tr(A1^-1 B1), both symmetric
            trace = trace_h1 - float(np.sum(e_inv * b0))
        else:  # MLM
            w = np.linalg.inv(_normal_gamma(sigma))
            e_mat = delta.T @ w @ delta
            e_inv = np.linalg.inv(e_mat)
            r, c = _vech_index(x.shape[1])
            z = d[:, r] * d[:, c]
            z = z - z.mean(axis=0)
            gamma = z.T @ z / n  # ADF covariance of vech(S), divisor N as lavaan
            wd = w @ delta
            vcov = e_inv @ wd.T @ gamma @ wd @ e_inv / n
            u = w - wd @ e_inv @ wd.T
            trace = float(np.sum(u * gamma.T))
    except np.linalg.LinAlgError as exc:
        raise ConvergenceError(f"the {estimator} information matrix is singular: the model "
                               "is not identified; fix a loading or a variance") from exc
    return {"vcov": vcov, "trace": trace}


def robust_fit_measures(chisq: float, df: int, base_chisq: float, base_df: int, n: int,
                        trace: float, base_trace: float) -> dict[str, float]:
    """Scaled chi-square and the scaled and robust CFI, TLI and RMSEA as lavaan's
    ``fitMeasures`` (``*.scaled``: the indices of the scaled statistics; ``*.robust``:
    Brosseau-Liard and Savalei's population-corrected versions).

    Examples
    --------
    >>> out = robust_fit_measures(85.3, 24, 918.9, 36, 301, trace=24 * 0.98, base_trace=38.0)
    >>> round(out["chisq_scaled"], 2), round(out["scaling_factor"], 2)
    (87.04, 0.98)
    """
    from scipy.stats import chi2

    from egovstudy.measurement.cfa import _rmsea_ci

    nan = float("nan")
    c = trace / df if df > 0 else nan
    c0 = base_trace / base_df
    t = chisq / c if df > 0 else nan
    t0 = base_chisq / c0

    def cfi(x2: float, k: float, x0: float, k0: float) -> float:
        t1 = max(x2 - k, 0.0)
        t2 = max(x2 - k, x0 - k0, 0.0)
        return 1.0 if t1 == 0 and t2 == 0 else 1 - t1 / t2

    def tli(x2: float, k: float, x0: float, k0: float, df_: float, df0: float) -> float:
        a, b = (x2 - k) * df0, (x0 - k0) * df_
        return 1 - a / b if df_ > 0 and abs(b) > 0 else 1.0

    out = {"chisq_scaled": t, "df_scaled": float(df),
           "pvalue_scaled": float(chi2.sf(t, df)) if df > 0 else nan,
           "scaling_factor": c, "baseline_chisq_scaled": t0,
           "baseline_pvalue_scaled": float(chi2.sf(t0, base_df)),
           "baseline_scaling_factor": c0}
    if df > 0:
        out["cfi_scaled"] = cfi(t, df, t0, base_df)
        out["tli_scaled"] = tli(t, df, t0, base_df, df, base_df)
        out["rmsea_scaled"] = float(np.sqrt(max(chisq / n / trace - 1 / n, 0)))
        out["cfi_robust"] = cfi(chisq, c * df, base_chisq, c0 * base_df)
        out["tli_robust"] = tli(chisq, c * df, base_chisq, c0 * base_df, df, base_df)
        out["rmsea_robust"] = float(np.sqrt(max(chisq / n / df - c / n, 0)))
        lo, hi = _rmsea_ci(t, df, n)
        out["rmsea_ci_lower_robust"] = lo * np.sqrt(c)
        out["rmsea_ci_upper_robust"] = hi * np.sqrt(c)
    else:
        for key in ("cfi_scaled", "tli_scaled", "rmsea_scaled", "cfi_robust", "tli_robust",
                    "rmsea_robust", "rmsea_ci_lower_robust", "rmsea_ci_upper_robust"):
            out[key] = nan
    return out
