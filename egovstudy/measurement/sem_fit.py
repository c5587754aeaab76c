"""Maximum-likelihood estimation of (multi-group) structural equation models.

The model is written in RAM form (McArdle & McDonald 1984): every observed and latent
variable is a node, ``A`` holds the directed paths (loadings and regressions), ``S`` the
(residual) variances and covariances and ``m`` the intercepts, so that

    Sigma = F (I - A)^-1 S (I - A)^-T F',   mu = F (I - A)^-1 m.

lavaan's ML conventions (``estimator = "ML"``, ``likelihood = "normal"``): sample
covariances with divisor N_g, the discrepancy of group g

    F_g = ln|Sigma_g| - ln|S_g| + tr(S_g Sigma_g^-1) - p
          + (ybar_g - mu_g)' Sigma_g^-1 (ybar_g - mu_g),

chi-square = sum_g N_g F_g (the multi-group likelihood is the N_g-weighted sum), standard
errors from the expected information, RMSEA with lavaan's sqrt(G) multi-group factor.
The analytic gradient and expected information come from the RAM derivatives; the
optimum is found by L-BFGS-B and polished by Fisher scoring.

Why our own code: semopy has neither multi-group models with equality constraints nor a
mean structure across groups; lavaan is R only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from egovstudy.errors import ConvergenceError, InsufficientDataError, ModelSpecError
from egovstudy.measurement.sem_syntax import ModelSpec, ParRow

__all__ = ["FitResult", "GroupData", "fit_ml"]

EQUAL_OPTIONS = ("loadings", "intercepts", "residuals", "residual.covariances",
                 "lv.variances", "lv.covariances", "regressions", "means")


@dataclass
class GroupData:
    """Sample moments of one group (divisor N)."""

    name: str
    n: int
    cov: np.ndarray
    mean: np.ndarray


@dataclass
class Entry:
    """One parameter in one group, placed in A, S or m."""

    lhs: str
    op: str
    rhs: str
    group: int
    index: int          # free parameter index, -1 when fixed
    value: float        # fixed value (or start value when free)
    label: str


@dataclass
class FitResult:
    """Everything the result objects need."""

    entries: list[Entry]
    theta: np.ndarray
    vcov: np.ndarray
    groups: list[GroupData]
    nodes: list[str]
    observed: list[str]
    latent: list[str]
    fit: pd.Series
    implied: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]  # Sigma, mu, V, S
    meanstructure: bool
    fmin: float
    spec: ModelSpec


def _is_var(e: ParRow | Entry) -> bool:
    return e.op == "~~" and e.lhs == e.rhs


def _equal_kind(r: ParRow, spec: ModelSpec) -> str:
    lat = set(spec.latent)
    if r.op == "=~":
        return "loadings"
    if r.op == "~":
        return "regressions"
    if r.op == "~1":
        return "means" if r.lhs in lat else "intercepts"
    if r.lhs in lat and r.rhs in lat:
        return "lv.variances" if r.lhs == r.rhs else "lv.covariances"
    return "residuals" if r.lhs == r.rhs else "residual.covariances"


def build_entries(spec: ModelSpec, groups: list[GroupData], meanstructure: bool,
                  group_equal: tuple[str, ...]) -> tuple[list[Entry], int]:
    """Expand the parameter table over groups and number the free parameters."""
    rows = list(spec.rows)
    lat = set(spec.latent)
    if meanstructure:
        have = {r.lhs for r in rows if r.op == "~1"}
        for v in spec.observed + spec.latent:
            if v not in have:
                rows.append(ParRow(v, "~1", "", 0.0 if v in lat else None, user=False))
    keys: dict[Any, int] = {}
    entries: list[Entry] = []
    for g, gd in enumerate(groups):
        for r in rows:
            if r.lhs in spec.exog_x and (r.op == "~1" or (r.op == "~~" and r.rhs in
                                                          spec.exog_x)):
                continue   # fixed.x moments are added below
            fixed = r.fixed
            kind = _equal_kind(r, spec)
            if r.op == "~1" and r.lhs in lat and not r.user:
                # lavaan: latent means 0, free in groups 2.. once intercepts are equal
                free_mean = g > 0 and "intercepts" in group_equal and "means" not in group_equal
                fixed = None if free_mean else 0.0
            if fixed is not None:
                entries.append(Entry(r.lhs, r.op, r.rhs, g, -1, fixed, r.label))
                continue
            if r.label:
                key: Any = ("label", r.label)
            elif kind in group_equal and not (r.op == "~1" and r.lhs in lat):
                key = (r.lhs, r.op, r.rhs)
            else:
                key = (r.lhs, r.op, r.rhs, g)
            idx = keys.setdefault(key, len(keys))
            entries.append(Entry(r.lhs, r.op, r.rhs, g, idx, np.nan, r.label))
        xs = spec.exog_x
        pos = {v: i for i, v in enumerate(spec.observed)}
        for i, a in enumerate(xs):
            for b in xs[i:]:
                entries.append(Entry(a, "~~", b, g, -1, float(gd.cov[pos[a], pos[b]]), ""))
            if meanstructure:
                entries.append(Entry(a, "~1", "", g, -1, float(gd.mean[pos[a]]), ""))
    return entries, len(keys)


class RAM:
    """Matrices of one group and their derivatives."""

    def __init__(self, entries: list[Entry], group: int, nodes: list[str], n_obs: int,
                 n_par: int) -> None:
        pos = {v: i for i, v in enumerate(nodes)}
        k = len(nodes)
        self.k, self.p, self.n_par = k, n_obs, n_par
        self.A0, self.S0, self.m0 = np.zeros((k, k)), np.zeros((k, k)), np.zeros(k)
        a, s, mm = [], [], []
        for e in entries:
            if e.group != group:
                continue
            if e.op in ("=~", "~"):
                i, j = (pos[e.rhs], pos[e.lhs]) if e.op == "=~" else (pos[e.lhs], pos[e.rhs])
                if e.index < 0:
                    self.A0[i, j] = e.value
                else:
                    a.append((e.index, i, j))
            elif e.op == "~~":
                i, j = pos[e.lhs], pos[e.rhs]
                if e.index < 0:
                    self.S0[i, j] = self.S0[j, i] = e.value
                else:
                    s.append((e.index, i, j))
                    if i != j:
                        s.append((e.index, j, i))
            else:
                i = pos[e.lhs]
                if e.index < 0:
                    self.m0[i] = e.value
                else:
                    mm.append((e.index, i))
        self.a = np.array(a, dtype=int).reshape(-1, 3)
        self.s = np.array(s, dtype=int).reshape(-1, 3)
        self.mi = np.array(mm, dtype=int).reshape(-1, 2)
        # indicator matrices (parameter x matrix entry): summing entry derivatives into
        # parameter derivatives is one matrix product
        self.a_map = np.zeros((n_par, len(self.a)))
        self.a_map[self.a[:, 0], np.arange(len(self.a))] = 1.0
        self.s_map = np.zeros((n_par, len(self.s)))
        self.s_map[self.s[:, 0], np.arange(len(self.s))] = 1.0
        self.m_map = np.zeros((n_par, len(self.mi)))
        self.m_map[self.mi[:, 0], np.arange(len(self.mi))] = 1.0

    def matrices(self, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        A, S, m = self.A0.copy(), self.S0.copy(), self.m0.copy()
        A[self.a[:, 1], self.a[:, 2]] = theta[self.a[:, 0]]
        S[self.s[:, 1], self.s[:, 2]] = theta[self.s[:, 0]]
        m[self.mi[:, 1]] = theta[self.mi[:, 0]]
        return A, S, m

    def implied(self, theta: np.ndarray) -> dict[str, np.ndarray]:
        A, S, m = self.matrices(theta)
        B = np.linalg.inv(np.eye(self.k) - A)
        G = B[: self.p]
        return {"A": A, "S": S, "m": m, "B": B, "G": G, "Sigma": G @ S @ G.T, "mu": G @ m,
                "V": B @ S @ B.T, "Bm": B @ m}

    def jacobian(self, im: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        """dSigma/dtheta (q, p, p) and dmu/dtheta (q, p)."""
        G, B, S = im["G"], im["B"], im["S"]
        H = B @ S @ G.T
        q, p = self.n_par, self.p
        dsig = np.zeros((q, p * p))
        dmu = np.zeros((q, p))
        if len(self.a):
            _, i, j = self.a.T
            ta = np.einsum("pe,eq->epq", G[:, i], H[j, :])
            dsig += self.a_map @ (ta + ta.transpose(0, 2, 1)).reshape(len(i), p * p)
            dmu += self.a_map @ (G[:, i] * im["Bm"][j]).T
        if len(self.s):
            _, i, j = self.s.T
            dsig += self.s_map @ np.einsum("pe,qe->epq", G[:, i], G[:, j]).reshape(len(i), p * p)
        if len(self.mi):
            dmu += self.m_map @ G[:, self.mi[:, 1]].T
        return dsig.reshape(q, p, p), dmu


def _logdet_inv(sig: np.ndarray) -> tuple[float, np.ndarray | None]:
    """log|Sigma| and Sigma^-1 through Cholesky; ``None`` unless positive definite."""
    try:
        chol = np.linalg.cholesky(sig)
    except np.linalg.LinAlgError:
        return np.inf, None
    ld = 2.0 * float(np.sum(np.log(np.diag(chol))))
    ci = np.linalg.inv(chol)
    return ld, ci.T @ ci


class Objective:
    """Sum over groups of (N_g / N) F_g with gradient and expected information."""

    def __init__(self, rams: list[RAM], groups: list[GroupData], meanstructure: bool) -> None:
        self.rams, self.groups, self.ms = rams, groups, meanstructure
        self.ntot = sum(g.n for g in groups)
        self.logdet_s = [np.linalg.slogdet(g.cov)[1] for g in groups]

    def value(self, theta: np.ndarray) -> float:
        total = 0.0
        for ram, gd, lds in zip(self.rams, self.groups, self.logdet_s, strict=True):
            try:
                im = ram.implied(theta)
            except np.linalg.LinAlgError:
                return 1e10
            sig = im["Sigma"]
            ld, inv = _logdet_inv(sig)
            if inv is None:
                return 1e10
            f = ld - lds + float(np.sum(gd.cov * inv)) - ram.p
            if self.ms:
                d = gd.mean - im["mu"]
                f += float(d @ inv @ d)
            total += gd.n / self.ntot * f
        return float(total)

    def grad_info(self, theta: np.ndarray, info: bool = True) -> tuple[float, np.ndarray,
                                                                       np.ndarray]:
        """Value, gradient and expected Hessian of the weighted F."""
        q = len(theta)
        g_all, h_all, total = np.zeros(q), np.zeros((q, q)), 0.0
        for ram, gd, lds in zip(self.rams, self.groups, self.logdet_s, strict=True):
            w = gd.n / self.ntot
            im = ram.implied(theta)
            sig = im["Sigma"]
            ld, inv = _logdet_inv(sig)
            if inv is None:
                return 1e10, np.zeros(q), np.eye(q)
            dsig, dmu = ram.jacobian(im)
            c = gd.cov
            f = ld - lds + float(np.sum(c * inv)) - ram.p
            if self.ms:
                d = gd.mean - im["mu"]
                f += float(d @ inv @ d)
                c = c + np.outer(d, d)
            W = inv - inv @ c @ inv
            grad = np.einsum("kab,ab->k", dsig, W)
            if self.ms:
                grad -= 2 * dmu @ (inv @ d)
            total += w * f
            g_all += w * grad
            if info:
                M = np.einsum("ab,kbc->kac", inv, dsig)
                hess = np.einsum("kab,lba->kl", M, M)
                if self.ms:
                    hess += 2 * dmu @ inv @ dmu.T
                h_all += w * hess
        return total, g_all, h_all


def start_values(entries: list[Entry], spec: ModelSpec, groups: list[GroupData],
                 n_par: int) -> np.ndarray:
    """lavaan-like simple starts: loadings from the marker covariance, variances halved."""
    theta = np.full(n_par, np.nan)
    pos = {v: i for i, v in enumerate(spec.observed)}
    marker = {}
    for r in spec.rows:
        if r.op == "=~" and r.lhs not in marker:
            marker[r.lhs] = r.rhs
    for e in entries:
        if e.index < 0 or not np.isnan(theta[e.index]):
            continue
        gd = groups[e.group]
        val = 0.0
        if e.op == "=~":
            mk = marker.get(e.lhs)
            val = 1.0
            if mk in pos and e.rhs in pos and mk != e.rhs:
                var_m = gd.cov[pos[mk], pos[mk]]
                val = float(gd.cov[pos[e.rhs], pos[mk]] / (0.5 * var_m))
        elif _is_var(e):
            if e.lhs in pos:
                val = 0.5 * float(gd.cov[pos[e.lhs], pos[e.lhs]])
            else:
                mk = marker.get(e.lhs)
                val = 0.5 * float(gd.cov[pos[mk], pos[mk]]) if mk in pos else 0.05
        elif e.op == "~1":
            val = float(gd.mean[pos[e.lhs]]) if e.lhs in pos else 0.0
        theta[e.index] = val
    return np.nan_to_num(theta)


def _scoring(obj: Objective, theta: np.ndarray, max_iter: int = 200, tol: float = 1e-10
             ) -> tuple[np.ndarray, bool]:
    """Fisher scoring with step halving; returns (theta, converged).

    ``tol`` bounds the last step; the gradient must be below ``1000 * tol``.
    """
    f0 = obj.value(theta)
    for _ in range(max_iter):
        f0, g, h = obj.grad_info(theta)
        if f0 >= 1e9:
            return theta, False
        try:
            step = np.linalg.solve(h + 1e-12 * np.eye(len(g)), g)
        except np.linalg.LinAlgError:
            return theta, False
        t = 1.0
        while t > 1e-6:
            cand = theta - t * step
            fc = obj.value(cand)
            if fc <= f0 + 1e-13:
                break
            t /= 2
        else:
            return theta, bool(np.max(np.abs(g)) < 1e-6)
        theta = cand
        if np.max(np.abs(t * step)) < tol and np.max(np.abs(g)) < 1000 * tol:
            return theta, True
    return theta, False


def _minimize(obj: Objective, theta0: np.ndarray) -> np.ndarray:
    from scipy.optimize import minimize

    theta, ok = _scoring(obj, theta0)
    if ok:
        return theta

    def fg(t: np.ndarray) -> tuple[float, np.ndarray]:
        f, g, _ = obj.grad_info(t, info=False)
        return f, g

    # scoring failed from these starts (far from the optimum): quasi-Newton, then polish
    res = minimize(fg, theta0, jac=True, method="L-BFGS-B",
                   options={"ftol": 1e-15, "gtol": 1e-10, "maxiter": 10000})
    theta, ok = _scoring(obj, np.asarray(res.x, dtype=float))
    if not ok:
        raise ConvergenceError("the SEM did not converge (ML fit); check the model for "
                               "latent variables without enough indicators, or simplify it")
    return theta


def _check_identified(info: np.ndarray, entries: list[Entry]) -> None:
    if not len(info):
        return
    eig, vecs = np.linalg.eigh(info)
    if np.all(np.isfinite(info)) and eig.min() > 1e-9 * max(eig.max(), 1.0):
        return
    worst = int(np.argmax(np.abs(vecs[:, 0])))
    e = next(x for x in entries if x.index == worst)
    raise ModelSpecError(f"the model is not identified: parameter '{e.lhs} {e.op} {e.rhs}' "
                         "cannot be estimated from the data (singular information matrix); "
                         "fix a loading to 1 or a latent variance to 1, or drop the path")


def fit_ml(spec: ModelSpec, groups: list[GroupData], *, meanstructure: bool,
           group_equal: tuple[str, ...] = (), theta0: np.ndarray | None = None,
           entries: list[Entry] | None = None, n_par: int | None = None,
           fit_measures: bool = True) -> FitResult:
    """Fit the model by ML to the groups' moments."""
    from scipy.stats import chi2

    if entries is None or n_par is None:
        entries, n_par = build_entries(spec, groups, meanstructure, group_equal)
    nodes = spec.observed + spec.latent
    p = len(spec.observed)
    rams = [RAM(entries, g, nodes, p, n_par) for g in range(len(groups))]
    obj = Objective(rams, groups, meanstructure)
    n_x = len(spec.exog_x)
    per_group = p * (p + 1) // 2 + (p if meanstructure else 0)
    x_mom = n_x * (n_x + 1) // 2 + (n_x if meanstructure else 0)
    df = len(groups) * (per_group - x_mom) - n_par
    if df < 0:
        raise ModelSpecError(f"the model is not identified: it has {n_par} free parameters "
                             f"but only {len(groups) * (per_group - x_mom)} sample moments "
                             f"(df = {df}); fix parameters or add indicators")
    start = start_values(entries, spec, groups, n_par) if theta0 is None else theta0
    if theta0 is None:   # a generic point: a singular information here is non-identification
        _check_identified(obj.grad_info(start)[2], entries)
    theta = _minimize(obj, start)
    fmin, _, hess = obj.grad_info(theta)
    ntot = obj.ntot
    info = ntot / 2 * hess
    _check_identified(info, entries)
    if not np.isfinite(fmin) or fmin >= 1e9:
        raise ConvergenceError("the SEM could not be estimated: the implied covariance "
                               "matrix is not positive definite at the solution")
    vcov = np.linalg.inv(info)
    implied = []
    for ram in rams:
        im = ram.implied(theta)
        implied.append((im["Sigma"], im["mu"], im["V"], im["S"]))
    fit = (_fit_measures(obj, theta, fmin, df, n_par, groups, implied, meanstructure, spec)
           if fit_measures else pd.Series({"chisq": ntot * fmin, "df": float(df)}))
    if fit_measures:
        fit["pvalue"] = float(chi2.sf(fit["chisq"], df)) if df > 0 else np.nan
    return FitResult(entries=entries, theta=theta, vcov=vcov, groups=groups, nodes=nodes,
                     observed=spec.observed, latent=spec.latent, fit=fit,
                     implied=implied, meanstructure=meanstructure, fmin=fmin, spec=spec)


def _rmsea_ci(chisq: float, df: int, n: int, level: float = 0.90) -> tuple[float, float]:
    from egovstudy.measurement.cfa import _rmsea_ci as ci

    return ci(chisq, df, n, level)


def _fit_measures(obj: Objective, theta: np.ndarray, fmin: float, df: int, npar: int,
                  groups: list[GroupData], implied: list[Any], ms: bool,
                  spec: ModelSpec) -> pd.Series:
    ntot = obj.ntot
    ng = len(groups)
    p = len(spec.observed)
    xs = [spec.observed.index(v) for v in spec.exog_x]
    chisq = ntot * fmin
    base, base_df = 0.0, 0
    logl = logl1 = 0.0
    srmr = 0.0
    c = p * np.log(2 * np.pi)
    for gd, (sig, mu, _, _), lds in zip(groups, implied, obj.logdet_s, strict=True):
        s = gd.cov
        sb = np.diag(np.diag(s))
        if xs:
            sb[np.ix_(xs, xs)] = s[np.ix_(xs, xs)]
        base += gd.n * float(np.linalg.slogdet(sb)[1] - lds)
        base_df += p * (p - 1) // 2 - len(xs) * (len(xs) - 1) // 2
        inv = np.linalg.inv(sig)
        d = gd.mean - mu if ms else np.zeros(p)
        logl += -gd.n / 2 * (c + np.linalg.slogdet(sig)[1] + np.sum(s * inv) + d @ inv @ d)
        logl1 += -gd.n / 2 * (c + lds + p)
        if xs:   # fixed.x: lavaan reports the likelihood conditional on the x variables
            sxx = s[np.ix_(xs, xs)]
            lx = -gd.n / 2 * (len(xs) * np.log(2 * np.pi) + np.linalg.slogdet(sxx)[1] + len(xs))
            logl -= lx
            logl1 -= lx
        ds = np.sqrt(np.diag(s))   # lavaan's srmr (Bentler): residuals over observed SDs
        resid = (s - sig) / np.outer(ds, ds)
        sq = float(np.sum(resid[np.tril_indices(p)] ** 2))
        cnt = p * (p + 1) / 2
        if ms:
            sq += float(np.sum(((gd.mean - mu) / ds) ** 2))
            cnt += p
        srmr += gd.n / ntot * np.sqrt(sq / cnt)
    cfi = 1 - max(chisq - df, 0) / max(chisq - df, base - base_df, 0) if base > 0 else np.nan
    tli = ((base / base_df) - (chisq / df)) / ((base / base_df) - 1) if df > 0 else np.nan
    rmsea = float(np.sqrt(max(chisq - df, 0) / (df * ntot)) * np.sqrt(ng)) if df > 0 else 0.0
    lo, hi = _rmsea_ci(chisq, df, ntot) if df > 0 else (0.0, 0.0)
    return pd.Series({
        "npar": float(npar), "chisq": chisq, "df": float(df), "pvalue": np.nan,
        "baseline_chisq": base, "baseline_df": float(base_df), "cfi": cfi, "tli": tli,
        "rmsea": rmsea, "rmsea_ci_lower": lo * np.sqrt(ng), "rmsea_ci_upper": hi * np.sqrt(ng),
        "srmr": srmr, "logl": logl, "unrestricted_logl": logl1,
        "aic": -2 * logl + 2 * npar, "bic": -2 * logl + npar * np.log(ntot),
        "bic2": -2 * logl + npar * np.log((ntot + 2) / 24), "ntotal": float(ntot)})


def group_moments(frame: pd.DataFrame, observed: list[str], group: str | None,
                  min_n: int | None = None) -> list[GroupData]:
    """Listwise-complete sample moments per group (divisor N, lavaan's)."""
    cols = observed + ([group] if group else [])
    data = frame[cols].dropna()
    if group is None:
        parts = [("all", data)]
    else:
        levels = list(pd.unique(data[group]))  # lavaan: order of first appearance
        if len(levels) < 2:
            raise InsufficientDataError(
                f"group column {group!r} has {len(levels)} group(s) among the complete cases "
                f"({levels}); invariance needs at least two groups")
        parts = [(str(lv), data[data[group] == lv]) for lv in levels]
    need = min_n if min_n is not None else len(observed) + 1
    out = []
    for name, part in parts:
        n = int(part.shape[0])
        if n < need:
            where = f"group {name!r} of column {group!r}" if group else "the data"
            raise InsufficientDataError(
                f"{where} has {n} complete cases for {len(observed)} observed variables; at "
                f"least {need} are needed (collect more data or merge small groups)")
        x = part[observed].to_numpy(dtype=float)
        cov = np.cov(x, rowvar=False, bias=True)
        if np.linalg.matrix_rank(cov) < len(observed):
            where = f"group {name!r}" if group else "the data"
            raise InsufficientDataError(f"the covariance matrix of {where} is singular (a "
                                        "constant or duplicated variable); drop it")
        out.append(GroupData(name, n, cov, x.mean(axis=0)))
    return out
