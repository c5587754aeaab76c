"""Fast large-n path: OLS plus VIF, Breusch-Pagan, White, Durbin-Watson, Jarque-Bera and RESET
from cross-products computed once, in row chunks.

Memory: besides the input, only a few n-vectors (residuals, fitted values) and one chunk of
White's product columns (``chunk x k(k+1)/2``) are held; no ``n x k^2`` design and no ``n x n``
matrix is ever formed. All auxiliary regressions are solved from centred cross-product
matrices (``Z'Z``, ``Z'u``), which for the centred designs used here lose no more than a few
digits relative to a QR of the full matrix. The main fit is refined once by the corrected
semi-normal equations (Bjorck 1987): ``b += (X'X)^{-1} X'(y - Xb)``.

Use :func:`egovstudy.models.ols` for NIST-grade accuracy on ill-conditioned designs; this path
is for big, well-conditioned data (e.g. 1,000,000 x 6 in well under a second).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from egovstudy.errors import InsufficientDataError, ModelSpecError

__all__ = ["fast_diagnostics"]


def _solve_sym(A: np.ndarray, b: np.ndarray) -> np.ndarray:
    d = np.sqrt(np.diag(A))
    d[d == 0] = 1
    As = A / np.outer(d, d)
    evals, evecs = np.linalg.eigh(As)
    keep = evals > evals.max() * 1e-13
    return (evecs[:, keep] @ ((evecs[:, keep].T @ (b / d[:, None] if b.ndim == 2 else b / d))
                               / (evals[keep][:, None] if b.ndim == 2 else evals[keep]))) / (
        d[:, None] if b.ndim == 2 else d)


def fast_diagnostics(y: np.ndarray, X: np.ndarray, *, chunk: int = 1 << 16,
                     reset_power: int = 3) -> dict[str, Any]:
    """OLS and the benchmark set of diagnostics from chunked cross-products.

    Parameters
    ----------
    y : array, shape (n,)
    X : array, shape (n, k)
        Design matrix whose first column is the constant 1.
    chunk : int
        Rows per chunk for White's product columns.
    reset_power : int
        Highest power of the fitted values in RESET (2..reset_power).

    Returns
    -------
    dict
        ``params, bse, ssr, r2, vif (per non-constant column), bp_lm, bp_pvalue, bp_f,
        bp_f_pvalue, white_lm, white_pvalue, white_f, white_f_pvalue, white_df, dw, jb,
        jb_pvalue, skew, kurtosis, reset_f, reset_f_pvalue, reset_chi2, reset_chi2_pvalue``.
        The definitions are those of statsmodels' ``het_breuschpagan`` (Koenker),
        ``het_white``, ``durbin_watson``, ``jarque_bera`` and ``linear_reset`` (fitted values).

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> X = np.column_stack([np.ones(500), rng.normal(size=(500, 2))])
    >>> y = X @ [1.0, 2.0, -1.0] + rng.normal(size=500)
    >>> out = fast_diagnostics(y, X)
    >>> np.round(out["params"]).tolist()
    [1.0, 2.0, -1.0]
    """
    from scipy import stats

    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    n, k = X.shape
    if not np.all(X[:, 0] == 1.0):
        raise ModelSpecError("fast_diagnostics needs X with a first column of ones (constant)")
    if n <= k + reset_power:
        raise InsufficientDataError(f"n = {n} is too small for k = {k} columns")
    p = k - 1
    # -- centred cross-products of X, and X'y -------------------------------------------------
    mx = X[:, 1:].mean(axis=0)
    my = float(y.mean())
    S = np.zeros((p, p))
    sxy = np.zeros(p)
    for s in range(0, n, chunk):
        xc = X[s:s + chunk, 1:] - mx
        S += xc.T @ xc
        sxy += xc.T @ (y[s:s + chunk] - my)
    slopes = _solve_sym(S, sxy)
    b = np.r_[my - mx @ slopes, slopes]
    e = y - X @ b
    # one step of refinement (corrected semi-normal equations)
    me = float(e.mean())
    g = np.zeros(p)
    for s in range(0, n, chunk):
        g += (X[s:s + chunk, 1:] - mx).T @ (e[s:s + chunk] - me)
    ds = _solve_sym(S, g)
    b = b + np.r_[me - mx @ ds, ds]
    e = y - X @ b
    ssr = float(e @ e)
    yc2 = float(np.sum((y - my) ** 2))
    df_resid = n - k
    Sinv = _solve_sym(S, np.eye(p))
    s2 = ssr / df_resid
    cov_slopes = s2 * Sinv
    var_b0 = s2 / n + mx @ cov_slopes @ mx
    bse = np.sqrt(np.r_[var_b0, np.diag(cov_slopes)])
    out: dict[str, Any] = {"params": b, "bse": bse, "ssr": ssr, "r2": 1 - ssr / yc2}
    # -- VIF ----------------------------------------------------------------------------------
    dsd = np.sqrt(np.diag(S))
    out["vif"] = np.diag(Sinv) * dsd ** 2
    # -- moments of e: DW, JB ------------------------------------------------------------------
    de = np.diff(e)
    out["dw"] = float(de @ de) / ssr
    del de
    ec = e - me
    e2 = e * e
    m2 = float(np.mean(ec * ec))
    m3 = float(np.mean(ec * ec * ec))
    m4 = float(np.mean(e2 * e2)) if abs(me) < 1e-300 else float(np.mean((ec * ec) ** 2))
    skew = m3 / m2 ** 1.5
    kurt = m4 / m2 ** 2
    jb = n / 6 * (skew ** 2 + (kurt - 3) ** 2 / 4)
    out.update(jb=jb, jb_pvalue=float(stats.chi2.sf(jb, 2)), skew=skew, kurtosis=kurt)
    # -- Breusch-Pagan (Koenker): e^2 on X --------------------------------------------------
    mu = float(e2.mean())
    tss_u = float(np.sum((e2 - mu) ** 2))
    gx = np.zeros(p)
    for s in range(0, n, chunk):
        gx += (X[s:s + chunk, 1:] - mx).T @ (e2[s:s + chunk] - mu)
    ess = float(gx @ _solve_sym(S, gx))
    r2 = ess / tss_u
    out["bp_lm"] = n * r2
    out["bp_pvalue"] = float(stats.chi2.sf(n * r2, p))
    fbp = (r2 / p) / ((1 - r2) / (n - p - 1))
    out["bp_f"] = fbp
    out["bp_f_pvalue"] = float(stats.f.sf(fbp, p, n - p - 1))
    # -- White: e^2 on X, squares and cross-products (centred X spans the same space) -------
    iu, ju = np.triu_indices(p)
    q = p + len(iu)
    Zs = np.zeros(q)
    ZZ = np.zeros((q, q))
    Zu = np.zeros(q)
    buf = np.empty((min(chunk, n), q))
    for s in range(0, n, chunk):
        xc = X[s:s + chunk, 1:] - mx
        m = xc.shape[0]
        z = buf[:m]
        z[:, :p] = xc
        np.multiply(xc[:, iu], xc[:, ju], out=z[:, p:])
        Zs += z.sum(axis=0)
        ZZ += z.T @ z
        Zu += z.T @ (e2[s:s + chunk] - mu)
    zm = Zs / n
    ZZc = ZZ - n * np.outer(zm, zm)
    dz = np.sqrt(np.diag(ZZc))
    A = ZZc / np.outer(dz, dz)
    evals, evecs = np.linalg.eigh(A)
    keep = evals > evals.max() * 1e-12
    c = Zu / dz
    ess_w = float(c @ (evecs[:, keep] @ ((evecs[:, keep].T @ c) / evals[keep])))
    r2w = ess_w / tss_u
    dfw = int(keep.sum())
    out["white_lm"] = n * r2w
    out["white_df"] = dfw
    out["white_pvalue"] = float(stats.chi2.sf(n * r2w, dfw))
    fw = (r2w / dfw) / ((1 - r2w) / (n - dfw - 1))
    out["white_f"] = fw
    out["white_f_pvalue"] = float(stats.f.sf(fw, dfw, n - dfw - 1))
    del e2
    # -- RESET: y on X and fitted^2..fitted^power -------------------------------------------
    fitted = y - e
    sf = float(np.std(fitted))
    mf = float(fitted.mean())
    powers = list(range(2, reset_power + 1))
    r = len(powers)
    WX = np.zeros((r, p))
    WW = np.zeros((r, r))
    We = np.zeros(r)
    Ws = np.zeros(r)
    for s in range(0, n, chunk):
        f = (fitted[s:s + chunk] - mf) / sf
        W = np.column_stack([f ** j for j in powers])
        xc = X[s:s + chunk, 1:] - mx
        Ws += W.sum(axis=0)
        WX += W.T @ xc
        WW += W.T @ W
        We += W.T @ e[s:s + chunk]
    wm = Ws / n
    WWc = WW - n * np.outer(wm, wm)
    # residualise W on the centred X: W_perp' W_perp = WWc - WX S^-1 XW
    Wp = WWc - WX @ _solve_sym(S, WX.T)
    ess_r = float(We @ np.linalg.solve(Wp, We))
    ssr_u = ssr - ess_r
    df_u = n - k - r
    f_reset = (ess_r / r) / (ssr_u / df_u)
    out.update(reset_f=f_reset, reset_f_pvalue=float(stats.f.sf(f_reset, r, df_u)),
               reset_chi2=r * f_reset, reset_chi2_pvalue=float(stats.chi2.sf(r * f_reset, r)))
    return out
