"""CFA of ordinal items by WLSMV (DWLS on polychoric correlations), as lavaan.

``cfa(..., ordered=True, estimator="WLSMV")`` lands here. lavaan's defaults for ordered
indicators (``parameterization = "delta"``): the thresholds and polychoric correlations come
from :mod:`egovstudy.measurement.polychoric` (two-step) with their asymptotic covariance
``Gamma``; the loadings and factor (co)variances minimise the diagonally weighted least
squares ``F = sum_k (r_k - rho_k(theta))^2 / Gamma_kk`` over the correlations (the thresholds
are saturated: their estimates are the sample thresholds); residual variances are
``1 - diag(Lambda Psi Lambda')``. Robust SEs are the sandwich
``(D'VD)^-1 D'V Gamma V D (D'VD)^-1 / N``; the test is ``T = N F`` with the mean-and-variance
adjusted (scaled-shifted) version ``a T + b``, ``a = sqrt(df / tr((U Gamma)^2))``,
``b = df - a tr(U Gamma)`` (lavaan ``test = "scaled.shifted"``), and CFI/TLI/RMSEA from the
standard and the scaled statistics, as lavaan's ``fitMeasures``. semopy parses the model and
builds ``Lambda Psi Lambda'``; it has no DWLS with a robust test, hence this module.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from egovstudy.errors import ConvergenceError


def fit_wlsmv(m: Any, frame: pd.DataFrame, obs: list[str]) -> tuple[pd.Series, pd.DataFrame,
                                                                    int]:
    """Fit the parsed semopy model ``m`` by WLSMV on the ordinal items ``obs`` of ``frame``
    (complete cases). Returns (fit measures, estimates, N)."""
    from scipy.optimize import least_squares
    from scipy.stats import chi2, norm

    from egovstudy.measurement.cfa import _estimates, _rmsea_ci
    from egovstudy.measurement.cfa_fiml import parameter_rows
    from egovstudy.measurement.polychoric import polychoric, polychoric_acov

    poly = polychoric(frame, obs)
    n = poly.n
    p = len(obs)
    r = poly.correlation.to_numpy()
    gamma = polychoric_acov(poly)
    n_th = int(poly.thresholds.shape[0])
    rows, cols = np.array([(i, j) for j in range(p) for i in range(j + 1, p)]).T
    g_rr = gamma[n_th:, n_th:]
    v = 1 / np.diag(g_rr)
    r_vec = r[rows, cols]
    try:  # semopy's start values (its own ML fit is slow and not needed: DWLS follows)
        m.load(cov=pd.DataFrame(r, index=obs, columns=obs), n_samples=n)
    except Exception as exc:
        raise ConvergenceError(f"the WLSMV CFA could not be started: {exc}") from exc
    theta0 = np.asarray(m.param_vals, dtype=float)
    # residual variances are not free under the delta parameterization
    active = [prm for prm in m.parameters.values() if prm.active]
    resvar = np.array([any(loc.matrix is m.mx_theta and loc.indices[0] == loc.indices[1]
                           for loc in prm.locations) for prm in active])
    keep = ~resvar

    def full(t: np.ndarray) -> np.ndarray:
        z = theta0.copy()
        z[keep] = t
        return z

    def rho(t: np.ndarray) -> np.ndarray:
        m.update_matrices(full(t))
        sig = np.asarray(m.calc_sigma()[0])
        return sig[rows, cols]

    sw = np.sqrt(v)
    sol = least_squares(lambda t: sw * (r_vec - rho(t)), theta0[keep], method="lm",
                        xtol=1e-15, ftol=1e-15, gtol=1e-15, max_nfev=20000)
    if not np.all(np.isfinite(sol.x)):
        raise ConvergenceError("the WLSMV CFA did not converge; check the model")
    t_hat = np.asarray(sol.x)
    resid = r_vec - rho(t_hat)
    n1 = n - 1  # lavaan: N - 1 for the (D)WLS statistic and covariance (Mplus convention)
    chisq = float(n1 * np.sum(v * resid ** 2))
    h = 1e-6
    delta = np.column_stack([(rho(t_hat + h * e) - rho(t_hat - h * e)) / (2 * h)
                             for e in np.eye(len(t_hat))])
    vd = delta * v[:, None]
    try:
        bread = np.linalg.inv(delta.T @ vd)
    except np.linalg.LinAlgError as exc:
        raise ConvergenceError("the WLSMV information matrix is singular: the model is not "
                               "identified") from exc
    vcov = bread @ vd.T @ g_rr @ vd @ bread / n1
    u = np.diag(v) - vd @ bread @ vd.T
    ug = u @ g_rr
    df = len(r_vec) - len(t_hat)
    tr1, tr2 = float(np.trace(ug)), float(np.sum(ug * ug.T))
    ug0 = v[:, None] * g_rr  # independence model: no parameter but the thresholds
    base = float(n1 * np.sum(v * r_vec ** 2))
    base_df = len(r_vec)
    b1, b2 = float(np.trace(ug0)), float(np.sum(ug0 * ug0.T))

    def scaled_shifted(t: float, k: int, t1: float, t2: float) -> tuple[float, float, float]:
        a = np.sqrt(k / t2)
        b = k - a * t1
        return float(a * t + b), float(1 / a), float(b)

    nan = float("nan")
    ts, c, shift = scaled_shifted(chisq, df, tr1, tr2) if df > 0 else (nan, nan, nan)
    t0s, c0, _ = scaled_shifted(base, base_df, b1, b2)

    def cfi(x2: float, x0: float) -> float:
        t1 = max(x2 - df, 0.0)
        t2 = max(x2 - df, x0 - base_df, 0.0)
        return 1.0 if t1 == 0 and t2 == 0 else 1 - t1 / t2

    def tli(x2: float, x0: float) -> float:
        return 1 - ((x2 - df) * base_df) / ((x0 - base_df) * df) if df > 0 else 1.0

    def rmsea(x2: float) -> float:
        return float(np.sqrt(max(x2 / n1 / df - 1 / n1, 0))) if df > 0 else 0.0

    lo, hi = _rmsea_ci(chisq, df, n1) if df > 0 else (0.0, 0.0)
    los, his = _rmsea_ci(ts, df, n1) if df > 0 else (0.0, 0.0)
    m.update_matrices(full(t_hat))
    sig = np.asarray(m.calc_sigma()[0])
    res_full = r - sig
    np.fill_diagonal(res_full, 0.0)
    srmr = float(np.sqrt(np.sum(np.tril(res_full, -1) ** 2) / (p * (p + 1) / 2)))
    npar = len(t_hat) + n_th
    fit = pd.Series({
        "npar": float(npar), "chisq": chisq, "df": float(df),
        "pvalue": float(chi2.sf(chisq, df)) if df > 0 else nan,
        "baseline_chisq": base, "baseline_df": float(base_df), "cfi": cfi(chisq, base),
        "tli": tli(chisq, base), "rmsea": rmsea(chisq), "rmsea_ci_lower": lo,
        "rmsea_ci_upper": hi, "srmr": srmr, "chisq_scaled": ts, "df_scaled": float(df),
        "pvalue_scaled": float(chi2.sf(ts, df)) if df > 0 else nan, "scaling_factor": c,
        "shift_parameter": shift, "baseline_chisq_scaled": t0s,
        "baseline_scaling_factor": c0, "cfi_scaled": cfi(ts, t0s), "tli_scaled": tli(ts, t0s),
        "rmsea_scaled": rmsea(ts), "rmsea_ci_lower_scaled": los,
        "rmsea_ci_upper_scaled": his, "ntotal": float(n)})
    # estimates: residual variances 1 - diag(Lambda Psi Lambda') make Sigma* a correlation
    z = full(t_hat)
    m.update_matrices(z)
    common = np.diag(np.asarray(m.calc_sigma()[0])) - np.diag(np.asarray(m.mx_theta))
    for k, prm in enumerate(active):
        if resvar[k]:
            z[k] = 1 - common[prm.locations[0].indices[0]]
    m.param_vals = z
    m.update_matrices(z)
    se_full = np.full(len(z), np.nan)
    se_full[keep] = np.sqrt(np.clip(np.diag(vcov), 0, None))
    est = _estimates(m, np.zeros((2, p)), n, obs)
    ses = parameter_rows(m, se_full)
    est["std_error"] = [ses.get((a, o, b), np.nan)
                        for a, o, b in zip(est["latent"], est["op"], est["item"], strict=True)]
    th = poly.thresholds
    th_se = np.sqrt(np.diag(gamma)[:n_th] / n1)
    ths = pd.DataFrame({"latent": th["item"], "op": "|", "item": th["threshold"],
                        "estimate": th["estimate"], "std_error": th_se,
                        "std_estimate": th["estimate"]})
    est = pd.concat([est, ths], ignore_index=True)
    est["statistic"] = est["estimate"] / est["std_error"]
    est["p_value"] = 2 * norm.sf(np.abs(est["statistic"]))
    return fit, est, n
