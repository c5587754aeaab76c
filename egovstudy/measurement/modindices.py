"""Modification indices of a CFA, as ``lavaan::modindices(fit)``.

lavaan's score-test recipe (``modindices``, information = "expected"), written here because
semopy has no modification indices: every parameter that a CFA could add (a cross-loading
``f =~ y`` or a residual covariance ``y1 ~~ y2``) is freed at 0 in an extended model; with
``g`` the gradient of F_ML / 2 and ``I`` the expected information per case of the extended
model, ``V = I11 - I12 I22^-1 I21`` (1: added, 2: model parameters),
``mi = N g^2 / V`` (a 1-df chi-square), ``epc = -g / V`` the expected parameter change,
``sepc.lv`` and ``sepc.all`` the EPC standardized with the fitted model's latent (and
observed) standard deviations; a residual covariance is standardized by the residual
standard deviations (lavaan ``cov.std = TRUE``). MLR/MLM fits give the ML indices, as lavaan.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from egovstudy.errors import ConvergenceError, ModelSpecError

if TYPE_CHECKING:
    from egovstudy.measurement.cfa import CFAResult

__all__ = ["modindices"]


def modindices(result: CFAResult, *, sort: bool = False,
               minimum_value: float = 0.0) -> pd.DataFrame:
    """Modification indices with expected parameter changes, as ``lavaan::modindices``.

    Parameters
    ----------
    result : CFAResult
        A listwise ML, MLR or MLM fit from :func:`~egovstudy.measurement.cfa`.
    sort : bool
        Largest index first (lavaan ``sort. = TRUE``); default the model's order.
    minimum_value : float
        Keep only indices above this value (lavaan ``minimum.value``).

    Returns
    -------
    pandas.DataFrame
        ``lhs, op, rhs, mi, epc, sepc_lv, sepc_all`` (lavaan's ``sepc.lv``, ``sepc.all``)
        and ``p_value`` of ``mi`` as a 1-df chi-square.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from egovstudy.measurement import cfa
    >>> rng = np.random.default_rng(5)
    >>> f = rng.normal(size=(300, 2))
    >>> x = np.hstack([f[:, [0]] + rng.normal(size=(300, 3)),
    ...                f[:, [1]] + rng.normal(size=(300, 3))])
    >>> df = pd.DataFrame(x, columns=["a1", "a2", "a3", "b1", "b2", "b3"])
    >>> mi = modindices(cfa("A =~ a1 + a2 + a3\\nB =~ b1 + b2 + b3", df))
    >>> len(mi), list(mi.columns[:4])
    (21, ['lhs', 'op', 'rhs', 'mi'])
    """
    from scipy.stats import chi2

    from egovstudy.measurement.robust import _delta, _jacobian, _normal_gamma

    state = getattr(result, "fitted", None)
    if state is None:
        raise ModelSpecError("modindices needs a listwise ML, MLR or MLM fit from cfa(); "
                             "FIML and WLSMV fits have no modification indices here")
    m, theta, s, n, obs = (state[k] for k in ("model", "theta", "s", "n", "obs"))
    m.update_matrices(theta)
    lam, psi, th = (np.asarray(a, dtype=float) for a in (m.mx_lambda, m.mx_psi, m.mx_theta))
    if m.mx_beta.size and np.any(m.mx_beta != 0):
        raise ModelSpecError("modindices covers measurement models (=~ and ~~ lines) only; "
                             "drop the regression lines ('~') or fit the model in lavaan")
    rows, lats = m.names_lambda
    if list(rows) != list(obs):
        raise ModelSpecError("modindices covers measurement models (=~ and ~~ lines) only")
    sigma = lam @ psi @ lam.T + th
    p, k_lat = lam.shape
    free_lam: set[tuple[int, int]] = set()
    free_th: set[tuple[int, int]] = set()
    for prm in m.parameters.values():
        for loc in prm.locations:
            i, j = loc.indices
            if loc.matrix is m.mx_lambda:
                free_lam.add((i, j))
            elif loc.matrix is m.mx_theta:
                free_th.add((min(i, j), max(i, j)))
    fixed_lam = {(i, j) for i in range(p) for j in range(k_lat) if lam[i, j] != 0}
    # lavaan's order: latents and items as the model lists them
    lat_order = list(dict.fromkeys(result.loadings["latent"]))
    item_order = [v for v in dict.fromkeys(result.loadings["item"]) if v in rows]
    item_order += [v for v in rows if v not in item_order]
    cand: list[tuple[str, str, str, np.ndarray]] = []
    lpl = lam @ psi  # (p, k): d Sigma / d lambda_ij = e_i (Lambda Psi)_j' + (Lambda Psi)_j e_i'
    for lat in lat_order:
        j = list(lats).index(lat)
        for item in item_order:
            i = list(rows).index(item)
            if (i, j) in free_lam or (i, j) in fixed_lam:
                continue
            d = np.zeros((p, p))
            d[i, :] += lpl[:, j]
            d[:, i] += lpl[:, j]
            cand.append((lat, "=~", item, d))
    for a, ya in enumerate(item_order):
        for yb in item_order[a + 1:]:
            i, j = list(rows).index(ya), list(rows).index(yb)
            if (min(i, j), max(i, j)) in free_th:
                continue
            d = np.zeros((p, p))
            d[i, j] = d[j, i] = 1.0
            cand.append((ya, "~~", yb, d))
    cols = ["lhs", "op", "rhs", "mi", "epc", "sepc_lv", "sepc_all", "p_value"]
    if not cand:
        return pd.DataFrame(columns=cols)

    def sigma_fn(t: np.ndarray) -> np.ndarray:
        m.update_matrices(t)
        return np.asarray(m.calc_sigma()[0])

    d_model = _jacobian(sigma_fn, np.asarray(theta, dtype=float))
    m.update_matrices(theta)
    d_extra = np.array([c[3] for c in cand])
    delta1, delta2 = _delta(d_extra), _delta(d_model)
    try:
        w = np.linalg.inv(_normal_gamma(sigma))
        i22_inv = np.linalg.inv(delta2.T @ w @ delta2)
    except np.linalg.LinAlgError as exc:
        raise ConvergenceError("modification indices: the information matrix is singular "
                               "(the model is not identified)") from exc
    wd1 = w @ delta1
    i12 = wd1.T @ delta2
    v = np.einsum("ka,ka->a", delta1, wd1) - np.einsum("ak,kl,al->a", i12, i22_inv, i12)
    v = np.where(v < np.finfo(float).eps ** (1 / 3), np.nan, v)
    si = np.linalg.inv(sigma)
    g_mat = 0.5 * (si - si @ s @ si)
    g = np.einsum("kij,ij->k", d_extra, g_mat)
    mi = n * g ** 2 / v
    epc = -g / v
    sd_obs = np.sqrt(np.diag(sigma))
    sd_lat = np.sqrt(np.diag(psi))
    sepc_lv, sepc_all = [], []
    for (lhs, op, rhs, _), e in zip(cand, epc, strict=True):
        if op == "=~":
            j, i = list(lats).index(lhs), list(rows).index(rhs)
            sepc_lv.append(e * sd_lat[j])
            sepc_all.append(e * sd_lat[j] / sd_obs[i])
        else:
            i, j = list(rows).index(lhs), list(rows).index(rhs)
            sepc_lv.append(e)
            sepc_all.append(e / np.sqrt(th[i, i] * th[j, j]))
    out = pd.DataFrame({"lhs": [c[0] for c in cand], "op": [c[1] for c in cand],
                        "rhs": [c[2] for c in cand], "mi": mi, "epc": epc,
                        "sepc_lv": sepc_lv, "sepc_all": sepc_all,
                        "p_value": chi2.sf(mi, 1)})
    out = out[out["mi"].notna()]
    if minimum_value > 0:
        out = out[out["mi"] > minimum_value]
    if sort:
        out = out.sort_values("mi", ascending=False, kind="stable")
    return out.reset_index(drop=True)


