"""Hayes' PROCESS models for mediation, moderation and conditional process analysis.

Models 1 (simple moderation), 4 (simple and parallel mediation), 6 (serial mediation,
2-3 mediators), 7, 8 and 14 (moderated mediation), estimated by OLS as in Hayes (2022),
*Introduction to Mediation, Moderation, and Conditional Process Analysis*, 3rd ed.

All bootstrap fits are vectorized: for a batch of resamples given as counts ``C``
(see :mod:`egovstudy.bootstrap`), every cross-product matrix ``D' diag(c) D`` comes from
one product ``C @ P`` where ``P`` holds the pairwise products of the design columns
(computed by the engine chunk by chunk, ``moments=P``), and the regressions of every
resample are solved at once by a Cholesky factorization vectorized over resamples.
"""

from __future__ import annotations

import difflib
import threading
import warnings
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from itertools import combinations, pairwise
from typing import Any, Literal

import numpy as np
import pandas as pd

from egovstudy.bootstrap import BATCH_SIZE, BootstrapResult, _Run, _usable_cores, seed_sequence
from egovstudy.errors import (
    DataQualityError,
    DataQualityWarning,
    InsufficientDataError,
    ModelSpecError,
)

__all__ = ["MODELS", "JohnsonNeyman", "ProcessResult", "process"]

Center = Literal["none", "all", "continuous"]
BootCI = Literal["percentile", "bc"]
Vcov = Literal["classical", "HC0", "HC1", "HC2", "HC3", "HC4"]
Missing = Literal["listwise", "raise"]
Coding = Literal["indicator", "sequential", "helmert"]

#: Every supported PROCESS model as its paths: which moderators enter the X -> M path
#: ("a"), the M -> Y path ("b") and the X -> Y path ("c"); "wz" adds the three-way
#: product (model 3), "x" makes X moderate its own mediator's effect (model 74).
#: ``mediators`` says whether the model has M (model 6 chains them serially).
MODELS: dict[int, dict[str, tuple[str, ...]]] = {
    1: {"c": ("w",)},
    2: {"c": ("w", "z")},
    3: {"c": ("w", "z", "wz")},
    4: {},
    5: {"c": ("w",)},
    6: {},
    7: {"a": ("w",)},
    8: {"a": ("w",), "c": ("w",)},
    14: {"b": ("w",)},
    15: {"b": ("w",), "c": ("w",)},
    21: {"a": ("w",), "b": ("z",)},
    58: {"a": ("w",), "b": ("w",)},
    59: {"a": ("w",), "b": ("w",), "c": ("w",)},
    74: {"b": ("x",)},
}
_MODELS = tuple(MODELS)
_NO_MED = (1, 2, 3)
_MED_MODELS = tuple(k for k in MODELS if k not in _NO_MED)


def _uses(model: int, v: str) -> bool:
    return any(v in mods for mods in MODELS[model].values())


_W_MODELS = tuple(k for k in MODELS if _uses(k, "w"))
_Z_MODELS = tuple(k for k in MODELS if _uses(k, "z"))


def _choice(name: str, value: Any, allowed: Sequence[Any]) -> None:
    if value not in allowed:
        raise ModelSpecError(f"{name}={value!r}: choose one of {', '.join(map(repr, allowed))}")


# --------------------------------------------------------------------------- coding
def code_matrix(k: int, coding: str) -> np.ndarray:
    """Codes of a ``k``-category variable, ``(k, k - 1)``: row ``i`` codes category ``i``.

    Indicator (dummy) coding against the first category, sequential coding (each code
    compares a category with the one before it) and Helmert coding (each code compares
    a category with the mean of the later ones), as in Hayes (2022), tables 10.1 and 10.4.

    Examples
    --------
    >>> code_matrix(3, "helmert").round(3).tolist()
    [[-0.667, 0.0], [0.333, -0.5], [0.333, 0.5]]
    >>> code_matrix(3, "sequential").tolist()
    [[0.0, 0.0], [1.0, 0.0], [1.0, 1.0]]
    """
    i = np.arange(k)[:, None]
    j = np.arange(k - 1)[None, :]
    if coding == "indicator":
        return (i == j + 1).astype(float)
    if coding == "sequential":
        return (i >= j + 1).astype(float)
    if coding == "helmert":
        return np.where(i < j, 0.0, np.where(i == j, -(k - 1 - j) / (k - j), 1.0 / (k - j)))
    raise ModelSpecError(f"coding={coding!r}: choose one of 'indicator', 'sequential', "
                         "'helmert'")


# --------------------------------------------------------------------------- specification
@dataclass(frozen=True)
class _Spec:
    model: int
    x: str
    y: str
    m: list[str]
    w: str | None
    z: str | None
    covariates: list[str]
    cols: dict[str, list[str]]            # variable role ("x", "w", "z") -> design columns
    columns: list[str]                    # design columns (incl. "const" and products)
    equations: dict[str, list[str]]       # outcome label -> predictor columns
    outcome_col: dict[str, str]           # outcome label -> column


def _prod(a: str, b: str) -> str:
    return f"{a}:{b}"


def _path_terms(focal: list[str], mods: tuple[str, ...], cols: dict[str, list[str]]
                ) -> list[str]:
    """Terms of one path: the focal columns, the moderators and their products."""
    terms = list(focal)
    ms = [v for v in mods if v != "wz"]
    for v in ms:
        terms += cols[v]
    for v in ms:
        terms += [_prod(f, c) for f in focal for c in cols[v]]
    if "wz" in mods:
        terms += [_prod(a, b) for a in cols["w"] for b in cols["z"]]
        terms += [_prod(_prod(f, a), b) for f in focal for a in cols["w"] for b in cols["z"]]
    return terms


def _unique(seq: Sequence[str]) -> list[str]:
    out: list[str] = []
    for c in seq:
        if c not in out:
            out.append(c)
    return out


def _build_spec(model: int, x: str, y: str, m: list[str], w: str | None, z: str | None,
                covariates: list[str], cols: dict[str, list[str]]) -> _Spec:
    """Equations of a model from its table entry in :data:`MODELS`."""
    paths = MODELS[model]
    cov = list(covariates)
    xc = cols["x"]
    eqs: dict[str, list[str]] = {}
    for j, mj in enumerate(m):
        prev = m[:j] if model == 6 else []
        eqs[mj] = _unique(["const", *_path_terms(xc, paths.get("a", ()), cols), *prev, *cov])
    # PROCESS's printed order: constant, X, the mediators, then moderators and products
    c_terms = _path_terms(xc, paths.get("c", ()), cols)
    b_terms = [t for mj in m for t in _path_terms([mj], paths.get("b", ()), cols)]
    eqs[y] = _unique(["const", *xc, *m, *c_terms, *b_terms, *cov])
    if m and not paths:
        eqs[f"{y} (total effect model)"] = ["const", *xc, *cov]
    columns = _unique(["const", *[c for p in eqs.values() for c in p], *m, y])
    outcome_col = {k: (y if k.endswith("(total effect model)") else k) for k in eqs}
    return _Spec(model, x, y, list(m), w, z, cov, cols, columns, eqs, outcome_col)


# --------------------------------------------------------------------------- vectorized OLS
class _Engine:
    """Design matrix, pair products and the batched solver for one specification."""

    def __init__(self, spec: _Spec, design: dict[str, np.ndarray],
                 weights: np.ndarray | None = None) -> None:
        self.spec = spec
        self.D = np.column_stack([design[c] for c in spec.columns]).astype(float)
        q = self.D.shape[1]
        self.q = q
        iu, ju = np.triu_indices(q)
        self.iu, self.ju = iu, ju
        self.P = self.D[:, iu] * self.D[:, ju]
        if weights is not None:  # WLS: a resampled row brings its weight with it
            self.P *= weights[:, None]
        self.pos = {c: i for i, c in enumerate(spec.columns)}
        orig = self.D.var(axis=0)
        self.var_floor = np.where(orig > 0, orig * 1e-10, np.inf)
        self.var_floor[self.pos["const"]] = -np.inf
        tri = np.empty((q, q), dtype=np.intp)
        tri[iu, ju] = np.arange(len(iu))
        tri[ju, iu] = np.arange(len(iu))
        self.tri = tri
        # the total-effect model enters no bootstrapped effect (its predictors are a
        # subset of Y's, so it is singular only when Y's equation is): not solved here
        self.eqs = [(label, np.array([self.pos[c] for c in preds], dtype=np.intp),
                     self.pos[spec.outcome_col[label]])
                    for label, preds in spec.equations.items()
                    if not label.endswith("(total effect model)")]
        self.first_cols = np.ascontiguousarray(tri[0])   # const x column: the sums
        self.diag_cols = np.ascontiguousarray(np.diag(tri))  # each column squared

    def cross_products(self, counts: np.ndarray) -> np.ndarray:
        """Upper-triangle cross-products ``D' diag(c) D`` of each resample, ``(b, q(q+1)/2)``."""
        return np.asarray(counts, dtype=float) @ self.P

    def solve(self, flat: np.ndarray) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray],
                                                np.ndarray]:
        """Coefficients of the equations the bootstrapped effects use, and the moments
        (mean, sd) of every column.

        ``flat`` holds the cross-products of ``b`` resamples (:meth:`cross_products`).
        The normal equations of all resamples are solved by a Cholesky factorization,
        in the compiled kernel one resample after another (``_countcore.chol_solve``,
        about ten times faster), else vectorized over the resamples in NumPy
        (:func:`_chol_solve`); a resample with a constant column or a (numerically)
        singular system is failed (``NaN``).
        """
        flat = np.ascontiguousarray(flat, dtype=float)                  # (b, T)
        tri = self.tri
        # the moments from the columns they need only (no transposed copy of flat)
        first = np.ascontiguousarray(flat[:, self.first_cols].T)         # (q, b)
        diag = np.ascontiguousarray(flat[:, self.diag_cols].T)
        N = first[0]
        mean = first / N
        with np.errstate(divide="ignore", invalid="ignore"):
            var = (diag - N * mean**2) / (N - 1)
        bad = (var <= self.var_floor[:, None]).any(axis=0)
        coefs: dict[str, np.ndarray] = {}
        kernel = _chol_kernel()
        for label, idx, out in self.eqs:
            if kernel is not None and len(idx) <= _CHOL_MAX:
                beta_t = np.empty((flat.shape[0], len(idx)))
                singular = np.zeros(flat.shape[0], dtype=bool)   # bytes of 0 and 1
                kernel(flat, tri, self.q, idx, out, beta_t, singular)
                bad |= singular
                coefs[label] = beta_t
                continue
            G = flat[:, tri[np.ix_(idx, idx)]].transpose(1, 2, 0)        # (p, p, b)
            h = flat[:, tri[idx, out]].T                                 # (p, b)
            beta, singular_ = _chol_solve(G, h)
            bad |= singular_
            coefs[label] = beta.T
        if bad.any():
            for label in coefs:
                coefs[label][bad] = np.nan
        sd_all = np.sqrt(np.maximum(var, 0))
        sd = {c: sd_all[i] for c, i in self.pos.items()}
        return coefs, sd, bad


#: Most predictors of one equation the compiled solver takes (``CHOL_MAX`` in the kernel).
_CHOL_MAX = 48


def _chol_kernel() -> Any:
    """The compiled batched Cholesky solver (``egovstudy._countcore.chol_solve``), or
    ``None`` (not built, or switched off with ``EGOVSTUDY_NO_EXTENSION=1``): then
    :func:`_chol_solve` does the same factorization with NumPy (tested to agree)."""
    from egovstudy._draws import _compiled_module

    return getattr(_compiled_module(), "chol_solve", None)


def _chol_solve(G: np.ndarray, h: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Solve ``G[:, :, r] beta = h[:, r]`` for every ``r`` (symmetric positive definite).

    Cholesky factorization written over the last (resample) axis, so every step is one
    vector operation across all resamples. Returns ``(beta (p, b), singular (b,))``;
    a pivot below ``1e-12`` of its diagonal entry (a predictor collinear with the
    earlier ones in that resample) marks the resample singular.
    """
    p, b = h.shape
    L = np.zeros((p, p, b))
    singular = np.zeros(b, dtype=bool)
    with np.errstate(divide="ignore", invalid="ignore"):
        for j in range(p):
            d = G[j, j] - np.einsum("kb,kb->b", L[j, :j], L[j, :j])
            singular |= ~(d > 1e-12 * G[j, j])
            ljj = np.sqrt(np.where(d > 0, d, np.nan))
            L[j, j] = ljj
            if j + 1 < p:
                L[j + 1:, j] = (G[j + 1:, j] - np.einsum("ikb,kb->ib", L[j + 1:, :j],
                                                          L[j, :j])) / ljj
        z = np.empty((p, b))
        for i in range(p):
            z[i] = (h[i] - np.einsum("kb,kb->b", L[i, :i], z[:i])) / L[i, i]
        beta = np.empty((p, b))
        for i in range(p - 1, -1, -1):
            beta[i] = (z[i] - np.einsum("kb,kb->b", L[i + 1:, i], beta[i + 1:])) / L[i, i]
    return beta, singular


# --------------------------------------------------------------------------- effects
@dataclass
class _EffDef:
    """One bootstrapped effect: a product of linear forms ``coefs[eq] @ g`` (a path
    coefficient conditional on moderator values), or a linear combination of earlier
    effects; ``scale`` multiplies by the SD of one column and divides by another's."""

    name: str
    part: str
    term: str
    w_value: float = np.nan
    z_value: float = np.nan
    factors: list[tuple[str, np.ndarray]] = field(default_factory=list)
    combo: list[tuple[int, float]] = field(default_factory=list)
    scale: tuple[str | None, str | None] = (None, None)


# (label, centered column values, raw W value, raw Z value)
_Point = tuple[str, dict[str, float], float, float]


def _grad(preds: list[str], focal: str, point: dict[str, float]) -> np.ndarray:
    """Weights ``g`` with ``g @ beta`` = the coefficient of ``focal`` conditional on the
    moderator values in ``point`` (centered scale)."""
    g = np.zeros(len(preds))
    for i, t in enumerate(preds):
        parts = t.split(":")
        if focal not in parts:
            continue
        others = list(parts)
        others.remove(focal)
        g[i] = float(np.prod([point[o] for o in others])) if others else 1.0
    return g


def _unit(preds: list[str], term: str) -> np.ndarray:
    g = np.zeros(len(preds))
    g[preds.index(term)] = 1.0
    return g


def _points(probe: dict[str, list[_Point]], roles: Sequence[str]) -> list[_Point]:
    """Every combination of the probe values of the moderators in ``roles``."""
    out: list[_Point] = [("", {}, np.nan, np.nan)]
    for r in roles:
        out = [(f"{lab} {lab2}".strip(), {**pt, **pt2},
                wv2 if r != "z" and np.isnan(wv) else wv, wv2 if r == "z" else zv)
               for lab, pt, wv, zv in out for lab2, pt2, wv2, _ in probe[r]]
    return out


def _chains(m: list[str]) -> list[tuple[str, ...]]:
    out: list[tuple[str, ...]] = []
    for r in range(1, len(m) + 1):
        out.extend(combinations(m, r))
    return out


def _effect_defs(spec: _Spec, probe: dict[str, list[_Point]]) -> list[_EffDef]:
    """The bootstrapped effects of a model (indirect, conditional indirect, indices of
    moderated mediation, contrasts, standardized effects), built from its paths."""
    x, y, m, eqs = spec.x, spec.y, spec.m, spec.equations
    paths = MODELS[spec.model]
    xcols = spec.cols["x"]
    multi = xcols != [x]
    a_mods, b_mods = paths.get("a", ()), paths.get("b", ())
    mod_roles = [r for r in ("w", "z", "x") if r in a_mods or r in b_mods]
    chains = _chains(m) if spec.model == 6 else [(mj,) for mj in m]
    defs: list[_EffDef] = []
    for xc in xcols:
        plain: dict[tuple[str, ...], int] = {}
        for chain in chains:
            pstr = " -> ".join((xc, *chain, y))
            key = pstr if (multi or spec.model == 6) else chain[0]
            for label, pt, wv, zv in _points(probe, mod_roles):
                factors = [(chain[0], _grad(eqs[chain[0]], xc, pt))]
                for prev, nxt in pairwise(chain):
                    factors.append((nxt, _grad(eqs[nxt], prev, pt)))
                factors.append((y, _grad(eqs[y], chain[-1], pt)))
                if label:
                    defs.append(_EffDef(f"cond_indirect:{key}|{label}", "conditional_indirect",
                                        f"{pstr} | {label}", wv, zv, factors))
                else:
                    plain[chain] = len(defs)
                    defs.append(_EffDef(f"indirect:{key}", "indirect", pstr, factors=factors))
        if plain and len(chains) > 1:
            tkey = f"total:{xc}" if multi else "total"
            total_i = len(defs)
            defs.append(_EffDef(f"indirect:{tkey}", "indirect",
                                f"total {xc}" if multi else "total",
                                combo=[(i, 1.0) for i in plain.values()]))
            if spec.model == 4:
                for ma, mb in combinations(m, 2):
                    term = f"{ma} minus {mb}" + (f" ({xc})" if multi else "")
                    defs.append(_EffDef(f"contrast:{term}", "contrast", term,
                                        combo=[(plain[(ma,)], 1.0), (plain[(mb,)], -1.0)]))
            plain[("total",)] = total_i
        if plain and not multi:
            for chain, i in plain.items():
                key = chain[0] if (spec.model != 6 or chain == ("total",)) else defs[i].term
                term = defs[i].term
                defs.append(_EffDef(f"std_partial:{key}", "indirect_std_partial", term,
                                    combo=[(i, 1.0)], scale=(None, y)))
                defs.append(_EffDef(f"std_complete:{key}", "indirect_std_complete", term,
                                    combo=[(i, 1.0)], scale=(x, y)))
        # indices of moderated mediation: the indirect effect is linear in the moderator
        # only when the moderator enters one of the two paths (not 58/59, Hayes 2022, 12.2)
        if spec.model == 6:
            continue
        for mj in m:
            for role in ("w", "z", "x"):
                in_a, in_b = role in a_mods, role in b_mods
                if in_a == in_b:
                    continue
                rest = [r for r in mod_roles if r != role]
                single = not multi and len(spec.cols[role]) == 1
                for vc in spec.cols[role]:
                    for label, pt, wv, zv in _points(probe, rest):
                        if in_a:
                            factors = [(mj, _unit(eqs[mj], _prod(xc, vc))),
                                       (y, _grad(eqs[y], mj, pt))]
                        else:
                            factors = [(mj, _grad(eqs[mj], xc, pt)),
                                       (y, _unit(eqs[y], _prod(mj, vc)))]
                        name = (f"index:{mj}" if single and not label
                                else f"index:{xc}:{mj}:{vc}" + (f"|{label}" if label else ""))
                        term = f"{xc} -> {mj} -> {y} by {vc}" + (f" | {label}" if label else "")
                        part = "conditional_index_modmed" if label else "index_modmed"
                        defs.append(_EffDef(name, part, term, wv, zv, factors))
    if multi:
        for d in defs:
            if d.part in ("indirect", "conditional_indirect"):
                d.part = f"relative_{d.part}"
    return defs


def _evaluate(defs: list[_EffDef], coefs: dict[str, np.ndarray], sd: dict[str, np.ndarray]
              ) -> list[np.ndarray]:
    """Values of every effect for every resample (``coefs[eq]`` is ``(b, p)``)."""
    vals: list[np.ndarray] = []
    for d in defs:
        if d.factors:
            v = coefs[d.factors[0][0]] @ d.factors[0][1]
            for eq, g in d.factors[1:]:
                v = v * (coefs[eq] @ g)
        else:
            v = sum((c * vals[i] for i, c in d.combo[1:]), d.combo[0][1] * vals[d.combo[0][0]])
        num, den = d.scale
        if num is not None:
            v = v * sd[num]
        if den is not None:
            v = v / sd[den]
        vals.append(v)
    return vals


# --------------------------------------------------------------------------- OLS inference
@dataclass(frozen=True)
class _Fit:
    beta: np.ndarray
    cov: np.ndarray
    df_resid: int
    r2: float
    mse: float
    f: float
    f_p: float


def _ols(X: np.ndarray, yv: np.ndarray, vcov: str, w: np.ndarray | None = None) -> _Fit:
    """OLS (WLS with weights ``w``, as R ``lm(weights = w)``) with its inference."""
    from scipy import special

    n, p = X.shape
    ybar = float(yv.mean()) if w is None else float(w @ yv / w.sum())
    sst = float(((yv - ybar) ** 2).sum() if w is None else w @ (yv - ybar) ** 2)
    if w is not None:  # WLS = OLS of sqrt(w) y on sqrt(w) X
        sw = np.sqrt(w)
        X, yv = X * sw[:, None], yv * sw
    XtX_inv = np.linalg.inv(X.T @ X)
    beta = XtX_inv @ X.T @ yv
    e = yv - X @ beta
    df = n - p
    sse = float(e @ e)
    mse = sse / df
    if vcov == "classical":
        cov = XtX_inv * mse
    else:
        h = np.einsum("ij,jk,ik->i", X, XtX_inv, X)
        if vcov == "HC4":   # Cribari-Neto (2004): exponent min(4, n h / p)
            w = e**2 / (1 - h) ** np.minimum(4.0, n * h / p)
        else:
            w = {"HC0": e**2, "HC1": e**2 * n / df, "HC2": e**2 / (1 - h),
                 "HC3": e**2 / (1 - h) ** 2}[vcov]
        cov = XtX_inv @ (X.T * w) @ X @ XtX_inv
    r2 = 1 - sse / sst
    k = p - 1
    f = (r2 / k) / ((1 - r2) / df) if k > 0 and r2 < 1 else np.nan
    if vcov != "classical" and k > 0:
        b = beta[1:]
        f = float(b @ np.linalg.solve(cov[1:, 1:], b)) / k
    f_p = float(special.fdtrc(k, df, f)) if k > 0 else np.nan     # = stats.f.sf
    return _Fit(beta, cov, df, r2, mse, float(f), f_p)


# --------------------------------------------------------------------------- results
@dataclass(frozen=True)
class JohnsonNeyman:
    """Johnson-Neyman region of significance for the effect of X as a function of W.

    Attributes
    ----------
    points : list of float
        Values of W (original scale) where the conditional effect is exactly
        significant at ``1 - level``, within the observed range of W.
    pct_below : list of float
        Percentage of cases with W below each point.
    table : pandas.DataFrame
        Conditional effect over a grid of W (w, estimate, std_error, statistic,
        p_value, ci_low, ci_high).
    """

    points: list[float]
    pct_below: list[float]
    table: pd.DataFrame

    def summary(self) -> str:
        """One line per transition point."""
        if not self.points:
            return "Johnson-Neyman: no transition point within the observed range of W"
        return "\n".join(f"Johnson-Neyman point: W = {p:.4f} ({b:.2f}% of cases below)"
                         for p, b in zip(self.points, self.pct_below))


@dataclass(frozen=True)
class ProcessResult:
    """Result of :func:`process`.

    Attributes
    ----------
    model : int
        PROCESS model number.
    n : int
        Cases used (after listwise deletion).
    coefficients : pandas.DataFrame
        One row per coefficient: outcome, term, estimate, std_error, statistic,
        p_value, ci_low, ci_high (t-based intervals).
    model_fit : pandas.DataFrame
        One row per equation: outcome, r2, mse, f, df1, df2, p_value.
    effects : pandas.DataFrame
        Direct, total, indirect, conditional (relative, for a multicategorical X) and
        standardized effects, indices of
        moderated mediation, Sobel tests: part, term, w_value, estimate, std_error,
        statistic, p_value, ci_low, ci_high, ci_method.
    johnson_neyman : JohnsonNeyman or None
        Region of significance of the first moderated path (the only one in model 1).
    boot : BootstrapResult or None
        The bootstrap draws (``None`` for models 1-3).
    tests : pandas.DataFrame
        Omnibus F tests per equation (outcome, term, f, df1, df2, p_value): the k - 1
        codes of a multicategorical X or W, and each block of products (e.g.
        ``sexism:protest`` = all X-code x W products).
    johnson_neyman_paths : dict of str to JohnsonNeyman
        Johnson-Neyman regions of every path moderated by one continuous moderator,
        keyed ``"<focal> -> <outcome> by <moderator>"``.
    """

    model: int
    n: int
    variables: dict[str, Any]
    coefficients: pd.DataFrame
    model_fit: pd.DataFrame
    effects: pd.DataFrame
    johnson_neyman: JohnsonNeyman | None
    boot: BootstrapResult | None
    options: dict[str, Any] = field(default_factory=dict)
    tests: pd.DataFrame = field(default_factory=pd.DataFrame)
    johnson_neyman_paths: dict[str, JohnsonNeyman] = field(default_factory=dict)

    def tidy(self) -> pd.DataFrame:
        """Coefficients and effects in one tidy frame (broom column names).

        Columns: part ("coefficient", "direct", "total", "indirect", ...), outcome,
        term, w_value, estimate, std_error, statistic, p_value, ci_low, ci_high,
        ci_method.
        """
        coef = self.coefficients.assign(part="coefficient", w_value=np.nan, ci_method="t")
        eff = self.effects.assign(outcome=self.variables["y"])
        cols = ["part", "outcome", "term", "w_value", "estimate", "std_error", "statistic",
                "p_value", "ci_low", "ci_high", "ci_method"]
        return pd.concat([coef[cols], eff[cols]], ignore_index=True)

    def bootstrap_text(self, language: str = "en", *, unit: str | None = None) -> str:
        """What the bootstrap was, in words: kind (ordinary or cluster by <unit>), B, seed.

        ``unit`` is the printed name of the cluster column (default: the column name).

        Examples
        --------
        >>> import numpy as np, pandas as pd
        >>> rng = np.random.default_rng(0)
        >>> d = pd.DataFrame({"x": rng.normal(size=80), "m": rng.normal(size=80)})
        >>> d["y"] = d.m + rng.normal(size=80)
        >>> process(d, model=4, x="x", m="m", y="y", n_boot=500, seed=1).bootstrap_text()
        'ordinary (case) bootstrap, 500 resamples, seed 1, percentile intervals'
        """
        o = self.options
        if self.boot is None:
            return ""
        if o.get("clusters"):
            name = unit or o["clusters"]
            kind = {"en": f"cluster bootstrap by {name} ({o.get('n_clusters')} "
                          "clusters resampled whole)",
                    "id": f"bootstrap klaster menurut {name} ({o.get('n_clusters')} "
                          "klaster diambil utuh)"}[language]
        else:
            kind = {"en": "ordinary (case) bootstrap",
                    "id": "bootstrap biasa (per responden)"}[language]
        seed = o.get("seed")
        seed_txt = (f", seed {seed}" if seed is not None
                    else f", seed entropy {o.get('seed_entropy')}")
        method = {"percentile": {"en": "percentile", "id": "persentil"},
                  "bc": {"en": "bias-corrected", "id": "terkoreksi bias"}}[
            str(o.get("boot_ci", "percentile"))][language]
        resamples = {"en": "resamples", "id": "sampel ulang"}[language]
        intervals = {"en": f"{method} intervals", "id": f"interval {method}"}[language]
        return f"{kind}, {self.boot.n_boot} {resamples}{seed_txt}, {intervals}"

    def summary(self) -> str:
        """A PROCESS-style text report."""
        v = self.variables
        lines = [f"PROCESS model {self.model}  (n = {self.n})",
                 f"  Y = {v['y']}   X = {v['x']}"
                 + (f"   M = {', '.join(v['m'])}" if v["m"] else "")
                 + (f"   W = {v['w']}" if v["w"] else "")
                 + (f"   Z = {v['z']}" if v.get("z") else "")
                 + (f"   covariates = {', '.join(v['covariates'])}" if v["covariates"] else "")]
        for outcome, grp in self.coefficients.groupby("outcome", sort=False):
            fit = self.model_fit[self.model_fit["outcome"] == outcome].iloc[0]
            lines.append("")
            lines.append(f"Outcome: {outcome}   R2 = {fit['r2']:.4f}, F({fit['df1']:.0f}, "
                         f"{fit['df2']:.0f}) = {fit['f']:.4f}, p = {fit['p_value']:.4f}")
            lines.append(grp.drop(columns="outcome").to_string(index=False,
                                                                float_format="%.4f"))
        if not self.tests.empty:
            lines.append("")
            lines.append("Omnibus tests (codes of a multicategorical variable, product blocks)")
            lines.append(self.tests.to_string(index=False, float_format="%.4f"))
        lines.append("")
        lines.append("Effects")
        lines.append(self.effects.to_string(index=False, float_format="%.4f"))
        for key, jn in self.johnson_neyman_paths.items():
            lines.append("")
            lines.append(f"{key}: {jn.summary()}")
        if self.boot is not None:
            lines.append("")
            lines.append(f"Bootstrap: {self.bootstrap_text()}; {self.boot.n_failed} failed, "
                         f"{self.boot.n_duplicates} duplicated; level {self.options.get('ci')}")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        head = f"<h4>PROCESS model {self.model} (n = {self.n})</h4>"
        return (head + "<h5>Coefficients</h5>"
                + self.coefficients.to_html(index=False, float_format="%.4f")
                + "<h5>Effects</h5>" + self.effects.to_html(index=False, float_format="%.4f"))


# --------------------------------------------------------------------------- main
def _as_list(v: str | Sequence[str] | None, name: str) -> list[str]:
    if v is None:
        return []
    if isinstance(v, str):
        return [v]
    out = list(v)
    if not all(isinstance(s, str) for s in out):
        raise ModelSpecError(f"{name}={v!r}: pass a column name or a list of column names")
    return out


def _is_dichotomous(values: np.ndarray) -> bool:
    return len(np.unique(values)) == 2


def process(data: pd.DataFrame, *, model: int, x: str, y: str,
            m: str | Sequence[str] | None = None, w: str | None = None,
            z: str | None = None, covariates: Sequence[str] = (), n_boot: int = 5000,
            seed: int | np.random.SeedSequence | None = None, ci: float = 0.95,
            boot_ci: BootCI = "percentile", center: Center = "none",
            w_values: Sequence[float] | None = None, z_values: Sequence[float] | None = None,
            x_coding: Coding | None = None, w_coding: Coding | None = None,
            vcov: Vcov = "classical",
            clusters: str | None = None, missing: Missing = "listwise",
            n_jobs: int | None = None,
            progress: bool | None = None, weights: str | None = None) -> ProcessResult:
    """Estimate a PROCESS model (Hayes) with a vectorized bootstrap.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per case.
    model : {1, 2, 3, 4, 5, 6, 7, 8, 14, 15, 21, 58, 59, 74}
        PROCESS model number (see :data:`MODELS` for the moderated paths): 1 W moderates
        X -> Y; 2 W and Z moderate X -> Y; 3 three-way X x W x Z; 4 simple/parallel
        mediation; 5 model 4 with W moderating X -> Y; 6 serial mediation (2-3
        mediators); 7 W moderates X -> M; 8 X -> M and X -> Y; 14 M -> Y; 15 M -> Y and
        X -> Y; 21 W moderates X -> M and Z moderates M -> Y; 58 W moderates X -> M and
        M -> Y; 59 all three paths; 74 X moderates M -> Y (one mediator).
    x, y : str
        Antecedent and consequent columns.
    m : str or list of str
        Mediator column(s) (every model but 1-3; model 6 in causal order).
    w, z : str
        Moderator columns (z: models 2, 3 and 21).
    covariates : list of str
        Covariates, entered in every equation (the PROCESS default).
    n_boot : int
        Bootstrap resamples for indirect effects (models 1-3 have none).
    seed : int or numpy.random.SeedSequence
        Seed of the bootstrap; ``None`` draws fresh entropy (reported in ``boot``).
    ci : float
        Confidence level.
    boot_ci : {"percentile", "bc"}
        Percentile or bias-corrected bootstrap intervals.
    center : {"none", "all", "continuous"}
        Mean-center the numeric variables that form products: all of them, or only the
        non-dichotomous ones (PROCESS ``center=1`` / ``center=2``). Codes of a
        multicategorical variable are never centered. Conditional effects are always
        reported at moderator values on the original scale.
    w_values, z_values : list of float, optional
        Values of W (Z) at which to probe; default: both sides of a dichotomous
        moderator, else mean - 1 SD, mean, mean + 1 SD and the 16th, 50th and 84th
        percentiles; every category of a multicategorical W.
    x_coding, w_coding : {"indicator", "sequential", "helmert"}, optional
        Treat X (W) as multicategorical with k categories (sorted), coded by k - 1
        codes (Hayes 2022, ch. 10 and 12; :func:`code_matrix`); effects of X are then
        *relative* effects, one per code, and ``tests`` holds the omnibus F test of the
        codes in every equation.
    vcov : {"classical", "HC0", "HC1", "HC2", "HC3", "HC4"}
        Standard errors of the regression coefficients (PROCESS ``hc=``; HC4 is
        Cribari-Neto, 2004).
    clusters : str, optional
        Column of cluster labels (e.g. ``"agency"``) for a cluster bootstrap.
    weights : str, optional
        Column of positive case (sampling) weights: every path is estimated by weighted
        least squares (R ``lm(..., weights = w)``; weights rescaled to mean 1, which changes
        no estimate), the bootstrap resamples rows keeping their weights, and standardized
        effects use weighted SDs. Moderator probe values and centering use the unweighted
        sample.
    missing : {"listwise", "raise"}
        Drop incomplete cases with a warning, or raise.
    n_jobs : int, optional
        Bootstrap workers: ``None`` (default) threads on every core, the bootstrap
        running while the point estimates and tables are made; ``1`` one thread, other
        values joblib workers (see :func:`egovstudy.bootstrap.bootstrap`). The numbers do
        not depend on it.
    progress : bool, optional
        Progress bar (default: only for runs longer than ~2 s).

    Returns
    -------
    ProcessResult

    Notes
    -----
    Every model is built from its paths (:data:`MODELS`). Indices of moderated
    mediation are reported where the indirect effect is linear in a moderator (models
    7, 8, 14, 15, 74; for 21 conditional on the other moderator); in models 58 and 59
    it is quadratic in W and no index exists (Hayes 2022, sec. 12.2), so only
    conditional indirect effects are given. Checked against Hayes (2022), the PROCESS
    output printed for the ``pmi`` data (model 4) and the ``protest`` data (models 1
    and 7), and against R ``lm`` for the other models; see ``tests/test_process.py``.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> d = pd.DataFrame({"x": rng.normal(size=200)})
    >>> d["m"] = 0.5 * d["x"] + rng.normal(size=200)
    >>> d["y"] = 0.4 * d["m"] + rng.normal(size=200)
    >>> res = process(d, model=4, x="x", m="m", y="y", n_boot=1000, seed=1)
    >>> ind = res.effects[res.effects.part == "indirect"].iloc[0]
    >>> ind.term, round(float(ind.estimate), 2), bool(ind.ci_low > 0)
    ('x -> m -> y', 0.09, True)
    >>> res.boot.n_failed
    0
    """
    _choice("model", model, _MODELS)
    _choice("boot_ci", boot_ci, ("percentile", "bc"))
    _choice("center", center, ("none", "all", "continuous"))
    _choice("vcov", vcov, ("classical", "HC0", "HC1", "HC2", "HC3", "HC4"))
    _choice("missing", missing, ("listwise", "raise"))
    for name, cv in (("x_coding", x_coding), ("w_coding", w_coding)):
        if cv is not None:
            _choice(name, cv, ("indicator", "sequential", "helmert"))
    if not 0 < ci < 1:
        raise ModelSpecError(f"ci={ci!r}: pass a confidence level between 0 and 1, e.g. 0.95")
    if not isinstance(data, pd.DataFrame):
        raise ModelSpecError(f"data is a {type(data).__name__}; pass a pandas DataFrame")
    ms = _as_list(m, "m")
    covs = _as_list(covariates, "covariates")
    if model in _MED_MODELS and not ms:
        raise ModelSpecError(f"model {model} needs a mediator: pass m='column' "
                             "(or a list of mediators)")
    if model in _NO_MED and ms:
        raise ModelSpecError(f"model {model} has no mediator; drop m= or choose a mediation "
                             "model (4, 5, 6, 7, 8, 14, 15, 21, 58, 59, 74)")
    if model == 6 and not 2 <= len(ms) <= 3:
        raise ModelSpecError(f"model 6 (serial mediation) takes 2 or 3 mediators; got m={ms}")
    if model == 74 and len(ms) != 1:
        raise ModelSpecError(f"model 74 takes one mediator here; got m={ms}")
    if model == 74 and x_coding is not None:
        raise ModelSpecError("model 74 needs a numeric X (X moderates M -> Y); drop x_coding")
    for role, val, used_by in (("w", w, _W_MODELS), ("z", z, _Z_MODELS)):
        if model in used_by and val is None:
            raise ModelSpecError(f"model {model} needs a moderator: pass {role}='column'")
        if model not in used_by and val is not None:
            raise ModelSpecError(f"model {model} has no {role} moderator; drop {role}={val!r} "
                                 f"or choose one of models {', '.join(map(str, used_by))}")
    if w_coding is not None and w is None:
        raise ModelSpecError("w_coding is set but there is no w; drop w_coding")
    if w_coding is not None and w_values is not None:
        raise ModelSpecError("w_values cannot be combined with a multicategorical W "
                             "(w_coding): every category is probed")
    roles = {"x": [x], "y": [y], "m": ms, "w": [w] if w else [], "z": [z] if z else [],
             "covariates": covs}
    used: list[str] = []
    for role, names in roles.items():
        for c in names:
            if c not in data.columns:
                hint = difflib.get_close_matches(str(c), [str(k) for k in data.columns], 1)
                raise ModelSpecError(f"{role}={c!r} is not a column of data"
                                     + (f"; did you mean {hint[0]!r}?" if hint else
                                        f"; available: {', '.join(map(str, data.columns[:20]))}"))
            if c in used:
                raise ModelSpecError(f"column {c!r} is given twice ({role} and another role); "
                                     "each variable plays one role")
            used.append(c)
    categorical = {v: cod for v, cod in ((x, x_coding), (w, w_coding))
                   if cod is not None and v is not None}
    weight_col = None
    if weights is not None:
        if weights not in data.columns:
            hint = difflib.get_close_matches(str(weights), [str(k) for k in data.columns], 1)
            raise ModelSpecError(f"weights={weights!r} is not a column of data"
                                 + (f"; did you mean {hint[0]!r}?" if hint else ""))
        if weights in used:
            raise ModelSpecError(f"weights={weights!r} is also a variable of the model; "
                                 "pass the column of case weights")
        weight_col = weights
    cluster_col = None
    if clusters is not None:
        if clusters not in data.columns:
            raise ModelSpecError(f"clusters={clusters!r} is not a column of data")
        cluster_col = clusters
    # the model's columns one by one, as arrays (selecting a sub-DataFrame, checking it
    # and converting it cost a tenth of a model-4 run at n = 1,000)
    selected = _unique(used + ([cluster_col] if cluster_col else [])
                       + ([weight_col] if weight_col else []))
    series: dict[str, pd.Series] = {}
    for c in selected:
        col = data[c]
        if isinstance(col, pd.DataFrame):
            raise ModelSpecError(f"data has {col.shape[1]} columns named {c!r}; rename them "
                                 "so that each name is used once")
        series[c] = col
    if weight_col is not None:  # a missing or bad weight is an error, not a dropped row
        from egovstudy.models.survey_design import check_weights

        check_weights(series[weight_col], weight_col)
    for c in used:
        if c in categorical:
            continue
        dtype = series[c].dtype
        if not pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype):
            try:
                series[c] = pd.to_numeric(series[c])
            except (ValueError, TypeError) as exc:
                fix = ("; or pass x_coding='indicator' for a multicategorical X" if c == x
                       else "; or pass w_coding='indicator' for a multicategorical W"
                       if c == w else "")
                raise ModelSpecError(f"column {c!r} is not numeric; code it as numbers "
                                     f"(e.g. 0/1 for a dichotomous X){fix}") from exc
    missing_in = {c: _missing(series[c]) for c in selected}
    incomplete = np.logical_or.reduce(list(missing_in.values()))
    keep: slice | np.ndarray = slice(None)
    if incomplete.any():
        bad_cols = [c for c in selected if missing_in[c].any()]
        msg = (f"{int(incomplete.sum())} of {len(data)} rows have missing values in "
               f"{', '.join(bad_cols)}")
        if missing == "raise":
            raise DataQualityError(msg + "; impute them or pass missing='listwise'")
        warnings.warn(msg + "; they are dropped (listwise deletion)", DataQualityWarning,
                      stacklevel=2)
        keep = ~incomplete
    numeric = [c for c in used if c not in categorical]
    n = len(data) - int(incomplete.sum())
    # one float array per column, and a Series of one where pandas is needed (made
    # only then: a Series for every column cost about 0.1 ms a model 4 run)
    arr = {c: np.array(series[c].to_numpy(dtype=float)[keep]) for c in numeric}

    def as_series(c: str) -> pd.Series:
        return pd.Series(arr[c], copy=False)
    wts = None
    if weight_col is not None:
        wts = series[weight_col].to_numpy(dtype=float)[keep]
        wts = wts / wts.mean()
    sd_all = {c: _weighted_sd(arr[c], wts) if n > 1 else np.nan for c in numeric}
    for c in numeric:
        if n and sd_all[c] == 0:
            raise ModelSpecError(f"column {c!r} has zero variance (every value is "
                                 f"{arr[c][0]:g}); it cannot enter a regression")
    for mj in ms:
        if x in arr and np.allclose(arr[mj], arr[x]):
            raise ModelSpecError(f"mediator {mj!r} is identical to x={x!r}; a variable cannot "
                                 "mediate its own effect")
        if np.allclose(arr[mj], arr[y]):
            raise ModelSpecError(f"mediator {mj!r} is identical to y={y!r}")

    # design columns of X, W, Z (codes for a multicategorical variable)
    cols: dict[str, list[str]] = {"x": [x], "w": [w] if w else [], "z": [z] if z else []}
    design: dict[str, np.ndarray] = {}
    levels: dict[str, list[Any]] = {}
    codings: dict[str, pd.DataFrame] = {}
    for role, v in (("x", x), ("w", w)):
        if v is None or v not in categorical:
            continue
        raw = series[v].to_numpy()[keep]
        cats = sorted(pd.unique(raw).tolist(), key=lambda t: (str(type(t)), t))
        k = len(cats)
        if not 2 <= k <= 10:
            raise ModelSpecError(f"{role}={v!r} has {k} categories; a multicategorical "
                                 f"{role} needs 2 to 10 (Hayes' PROCESS allows up to 9 codes)")
        cm = code_matrix(k, categorical[v])
        names = [f"{v}[D{j + 1}]" for j in range(k - 1)]
        idx = pd.Index(cats).get_indexer(raw)
        for j, nm in enumerate(names):
            design[nm] = cm[idx, j]
        cols[role] = names
        levels[v] = cats
        codings[v] = pd.DataFrame(cm, index=pd.Index(cats, name=v), columns=names)
    if model == 74:
        cols["x"] = [x]
    spec = _build_spec(model, x, y, ms, w, z, covs, cols)
    n_par = max(len(p) for p in spec.equations.values())
    if n < n_par + 3 or n < 10:
        raise InsufficientDataError(f"only {n} complete cases for {n_par} coefficients per "
                                    f"equation; PROCESS model {model} needs at least "
                                    f"{max(n_par + 3, 10)}")

    # centering of the numeric variables that form products
    prod_vars = _unique([p for c in spec.columns if ":" in c for p in c.split(":")
                         if p in arr])
    shift = dict.fromkeys(numeric, 0.0)
    if center != "none":
        for c in prod_vars:
            if center == "all" or not _is_dichotomous(arr[c]):
                shift[c] = float(as_series(c).mean())
    for c in numeric:
        design[c] = arr[c] - shift[c]
    design["const"] = np.ones(n)
    for c in spec.columns:
        if ":" in c:
            factors = c.split(":")
            col = design[factors[0]]
            for f in factors[1:]:
                col = col * design[f]
            design[c] = col

    # probe values of each moderator: (label, centered column values, raw value)
    def numeric_probe(v: str, values: Sequence[float] | None) -> list[_Point]:
        ser = as_series(v)
        if values is not None:
            vals = [(f"{float(t):g}", float(t)) for t in values]
        elif _is_dichotomous(arr[v]):
            vals = [(f"{t:g}", float(t)) for t in sorted(ser.unique())]
        else:
            mu, sdv = float(ser.mean()), float(ser.std())
            vals = [("mean-1SD", mu - sdv), ("mean", mu), ("mean+1SD", mu + sdv)]
            vals += [(f"p{p}", float(np.percentile(ser, p))) for p in (16, 50, 84)]
        return [(f"{v} {lab}", {v: val - shift[v]}, val, np.nan) for lab, val in vals]

    probe: dict[str, list[_Point]] = {}
    for role, v, vals in (("w", w, w_values), ("z", z, z_values)):
        if v is None:
            continue
        if v in categorical:
            cm = codings[v].to_numpy()
            probe[role] = [(f"{v}={lev}", dict(zip(cols[role], cm[i])),
                            float(lev) if isinstance(lev, int | float | np.number) else np.nan,
                            np.nan) for i, lev in enumerate(levels[v])]
        else:
            probe[role] = numeric_probe(v, vals)
    if model == 74:
        probe["x"] = numeric_probe(x, None)
        probe["m"] = numeric_probe(ms[0], None)

    # the bootstrap: every resample's equations solved at once from its cross-products
    run_boot: Any = None
    if model in _MED_MODELS:
        engine = _Engine(spec, design, wts)
        defs = _effect_defs(spec, probe)

        def statistic(flat: np.ndarray) -> np.ndarray:
            coefs, sd, _ = engine.solve(flat)
            return np.column_stack(_evaluate(defs, coefs, sd))

        ones = np.ones((1, n), dtype=np.int32)
        coefs0, sd0, _ = engine.solve(engine.cross_products(ones))
        est0 = np.array([v[0] for v in _evaluate(defs, coefs0, sd0)])
        names = [d.name for d in defs]
        clus = series[cluster_col].to_numpy()[keep] if cluster_col else None
        run_boot = _Run(statistic, n, n_boot=n_boot, seed=seed_sequence(seed), clusters=clus,
                        estimate=est0, names=names, n_jobs=n_jobs, progress=progress,
                        batch_size=BATCH_SIZE, moments=engine.P)

    # by default it runs on threads of its own while the point estimates and tables are
    # made (not for n_jobs=1, one thread; nor through joblib, whose backend, e.g. Dask, the
    # caller sets for the calling thread only); this thread then takes the batches left
    with _BootJob(run_boot, background=n_jobs is None and _usable_cores() > 1) as job:
        # checked while the bootstrap's threads start (its resamples are then discarded)
        for label, preds in spec.equations.items():
            X = np.column_stack([design[c] for c in preds])
            if np.linalg.matrix_rank(X) < X.shape[1]:
                raise ModelSpecError(f"the equation for {label!r} has collinear predictors "
                                     f"({', '.join(preds[1:])}); drop a redundant covariate")
        # point estimates with OLS inference
        from scipy import special

        coef_rows: list[dict[str, Any]] = []
        fit_rows: list[dict[str, Any]] = []
        test_rows: list[dict[str, Any]] = []
        fits: dict[str, _Fit] = {}
        role_of = {c: v for v, cs in ((x, cols["x"]), (w or "", cols["w"]), (z or "", cols["z"]))
                   for c in cs}
        for label, preds in spec.equations.items():
            X = np.column_stack([design[c] for c in preds])
            yv = design[spec.outcome_col[label]]
            fit = _ols(X, yv, vcov, wts)
            fits[label] = fit
            se = np.sqrt(np.diag(fit.cov))
            t = fit.beta / se
            p = 2 * special.stdtr(fit.df_resid, -np.abs(t))              # = stats.t.sf
            q = special.stdtrit(fit.df_resid, 0.5 + ci / 2)              # = stats.t.ppf
            for j, term in enumerate(preds):
                coef_rows.append({"outcome": label, "term": "constant" if term == "const" else term,
                                  "estimate": fit.beta[j], "std_error": se[j], "statistic": t[j],
                                  "p_value": p[j], "ci_low": fit.beta[j] - q * se[j],
                                  "ci_high": fit.beta[j] + q * se[j]})
            fit_rows.append({"outcome": label, "r2": fit.r2, "mse": fit.mse, "f": fit.f,
                             "df1": len(preds) - 1, "df2": fit.df_resid, "p_value": fit.f_p})
            # omnibus tests: the codes of a multicategorical X (W), and each block of
            # products with the same variables (Hayes' test of the interaction)
            blocks: dict[str, list[int]] = {}
            for j, term in enumerate(preds):
                sig = ":".join(role_of.get(part, part) for part in term.split(":"))
                if ":" in term or (term in role_of and len(cols["x" if role_of[term] == x
                                                                else "w"]) > 1):
                    blocks.setdefault(sig, []).append(j)
            for sig, idx in blocks.items():
                b = fit.beta[idx]
                fstat = float(b @ np.linalg.solve(fit.cov[np.ix_(idx, idx)], b)) / len(idx)
                test_rows.append({"outcome": label, "term": sig, "f": fstat, "df1": len(idx),
                                  "df2": fit.df_resid,
                                  "p_value": float(special.fdtrc(len(idx), fit.df_resid, fstat))})
        coefficients = _frame(coef_rows)
        model_fit = _frame(fit_rows)
        tests = _frame(test_rows, ["outcome", "term", "f", "df1", "df2", "p_value"])

        tcrit: dict[int, float] = {}

        def lin(eq: str, g: np.ndarray) -> tuple[float, float, float, float, float, float]:
            fit = fits[eq]
            est = float(g @ fit.beta)
            se = float(np.sqrt(g @ fit.cov @ g))
            t = est / se
            p = float(2 * special.stdtr(fit.df_resid, -abs(t)))
            if fit.df_resid not in tcrit:
                tcrit[fit.df_resid] = float(special.stdtrit(fit.df_resid, 0.5 + ci / 2))
            q = tcrit[fit.df_resid]
            return est, se, t, p, est - q * se, est + q * se

        rows: list[dict[str, Any]] = []
        multi = cols["x"] != [x]
        rel = "relative_" if multi else ""

        def add(part: str, term: str, vals: Sequence[float], wv: float = np.nan,
                zv: float = np.nan, method: str = "t") -> None:
            est, se, t, p, lo, hi = vals
            rows.append({"part": part, "term": term, "w_value": wv, "z_value": zv,
                         "estimate": est, "std_error": se, "statistic": t, "p_value": p,
                         "ci_low": lo, "ci_high": hi, "ci_method": method})

        # direct (or conditional direct) effects of X, and conditional effects in 1-3
        c_roles: list[str] = [r for r in ("w", "z") if r in MODELS[model].get("c", ())]
        if model == 74:
            c_roles = ["m"]
        for xc in cols["x"]:
            for label, pt, wv, zv in _points(probe, c_roles):
                g = _grad(spec.equations[y], xc, pt)
                if model in _NO_MED:
                    add(f"{rel}conditional_effect", f"{xc} | {label}", lin(y, g), wv, zv)
                elif label:
                    add(f"{rel}conditional_direct", f"{xc} -> {y} | {label}", lin(y, g),
                        np.nan if model == 74 else wv, zv)
                else:
                    add(f"{rel}direct", f"{xc} -> {y}", lin(y, g))
        tot = f"{y} (total effect model)"
        if tot in spec.equations:
            for xc in cols["x"]:
                add(f"{rel}total", f"{xc} -> {y}", lin(tot, _unit(spec.equations[tot], xc)))
            if not multi:
                for part, eq in (("direct", y), ("total", tot)):
                    est = lin(eq, _unit(spec.equations[eq], x))[0]
                    for kind, sval in (("std_partial", est / sd_all[y]),
                                       ("std_complete", est * sd_all[x] / sd_all[y])):
                        rows.append({"part": f"{part}_{kind}", "term": f"{x} -> {y}",
                                     "w_value": np.nan, "z_value": np.nan, "estimate": sval,
                                     "std_error": np.nan, "statistic": np.nan, "p_value": np.nan,
                                     "ci_low": np.nan, "ci_high": np.nan, "ci_method": ""})

        # Johnson-Neyman for every path moderated by one continuous moderator
        jn_all: dict[str, JohnsonNeyman] = {}
        for label, preds in spec.equations.items():
            for term in preds:
                parts = term.split(":")
                if len(parts) != 2:
                    continue
                focal, mod = parts
                if focal in cols["w"] + cols["z"] and mod not in cols["w"] + cols["z"]:
                    focal, mod = mod, focal
                if mod not in arr or _is_dichotomous(arr[mod]) or focal not in (*arr, *cols["x"]):
                    continue
                if sum(focal in t.split(":") for t in preds if ":" in t) != 1:
                    continue       # the focal effect depends on more than one moderator
                jn_all[f"{focal} -> {label} by {mod}"] = _johnson_neyman(
                    fits[label], preds, focal, term, arr[mod], shift[mod], ci)
        jn = next(iter(jn_all.values())) if jn_all else None

        boot: BootstrapResult | None = None
        if model in _MED_MODELS:
            boot = job.result()
            lo, hi = boot.ci(ci, boot_ci)
            bse = boot.std_error()
            method = f"boot {boot_ci}"
            for j, d in enumerate(defs):
                rows.append({"part": d.part, "term": d.term, "w_value": d.w_value,
                             "z_value": d.z_value, "estimate": est0[j], "std_error": bse[j],
                             "statistic": np.nan, "p_value": np.nan, "ci_low": lo[j],
                             "ci_high": hi[j], "ci_method": method})
            if model == 4 and not multi:
                from scipy.special import ndtr, ndtri  # normal cdf and quantile

                for mj in ms:
                    ja, jb = spec.equations[mj].index(x), spec.equations[y].index(mj)
                    pa, sa = float(fits[mj].beta[ja]), float(np.sqrt(fits[mj].cov[ja, ja]))
                    pb, sb = float(fits[y].beta[jb]), float(np.sqrt(fits[y].cov[jb, jb]))
                    se_ab = float(np.sqrt(pa**2 * sb**2 + pb**2 * sa**2))
                    ab = pa * pb
                    zval = ab / se_ab
                    q = float(ndtri(0.5 + ci / 2))
                    add("sobel", f"{x} -> {mj} -> {y}",
                        (ab, se_ab, zval, float(2 * ndtr(-abs(zval))), ab - q * se_ab,
                         ab + q * se_ab), method="normal")
    effects = _frame(rows, ["part", "term", "w_value", "z_value", "estimate", "std_error",
                            "statistic", "p_value", "ci_low", "ci_high", "ci_method"])
    variables = {"x": x, "y": y, "m": ms, "w": w, "z": z, "covariates": covs,
                 "coding": codings}
    options = {"n_boot": n_boot if boot is not None else 0, "ci": ci, "boot_ci": boot_ci,
               "center": center, "vcov": vcov, "clusters": clusters, "weights": weights,
               "x_coding": x_coding, "w_coding": w_coding,
               "n_clusters": (int(series[cluster_col][keep].nunique())
                              if cluster_col and boot is not None else None),
               "seed": seed if isinstance(seed, int | np.integer) else None,
               "seed_entropy": boot.seed_entropy if boot is not None else None}
    return ProcessResult(model=model, n=n, variables=variables, coefficients=coefficients,
                         model_fit=model_fit, effects=effects, johnson_neyman=jn, boot=boot,
                         options=options, tests=tests, johnson_neyman_paths=jn_all)


class _BootJob:
    """The bootstrap of :func:`process` (a :class:`~egovstudy.bootstrap._Run`), run
    beside the calling thread when ``background``.

    The point estimates, tables and Johnson-Neyman regions (about a third of a
    5,000-resample model 4 run at n = 1,000, all in Python and pandas) are computed
    meanwhile. On the compiled moments path the bootstrap's helper threads start at
    ``__enter__`` and the calling thread joins them in :meth:`result`, taking the
    batches still left (``_Run.begin`` / ``_Run.end``); otherwise the whole bootstrap
    runs on a thread of its own, and the block starts once its threads are in the
    compiled kernel (``on_running`` of :func:`~egovstudy.bootstrap.bootstrap`). BLAS is
    held to one thread from the start to the end of the block (by this thread), so the
    limit never depends on which thread finishes first and every number is the same as
    in a serial run.
    """

    def __init__(self, run: _Run | None, *, background: bool) -> None:
        self._run = run
        self._background = background and run is not None
        self._future: Any = None
        self._begun = False
        self._held = ExitStack()  # the BLAS limit and the pool, released in reverse

    def __enter__(self) -> _BootJob:
        if self._run is not None:
            from egovstudy._blas import single_thread_blas

            self._held.enter_context(single_thread_blas())
        if self._background and self._run is not None and self._run.shares_batches:
            try:
                self._run.begin()
            except BaseException as exc:  # e.g. Ctrl-C: no `with` body, so clean up here
                self.__exit__(type(exc), exc, exc.__traceback__)
                raise
            self._begun = True
        elif self._background and self._run is not None:
            from egovstudy.bootstrap import _usable_cores, shared_pool

            # kept from call to call (threads of its own: the bootstrap's pool runs the
            # batches this thread waits for)
            pool = self._held.enter_context(shared_pool("egovstudy-process", _usable_cores()))
            running = threading.Event()
            self._future = pool.submit(self._run.run, running.set)
            self._future.add_done_callback(lambda _: running.set())  # also if it fails
            # this thread's Python work starts once the bootstrap's threads are in the
            # compiled kernel: until then they need the GIL, which busy Python code here
            # would hand over only every sys.getswitchinterval() (5 ms)
            try:
                running.wait()
            except BaseException as exc:  # e.g. Ctrl-C: no `with` body, so clean up here
                self.__exit__(type(exc), exc, exc.__traceback__)
                raise
        return self

    def result(self) -> BootstrapResult:
        """The bootstrap (waiting for it; its errors and warnings are raised here)."""
        assert self._run is not None
        if self._begun:
            self._begun = False
            return self._run.end()
        if self._future is not None:
            res: BootstrapResult = self._future.result()
            return res
        return self._run.run()

    def __exit__(self, *exc: Any) -> None:
        if self._begun and self._run is not None:
            self._run.close()                    # the helpers finish what they took
        if self._future is not None:
            from concurrent.futures import wait

            self._future.cancel()
            wait([self._future])                 # never leave the bootstrap running
        self._held.__exit__(*exc)


def _missing(col: pd.Series) -> np.ndarray:
    """``col.isna()`` as a NumPy array; by NumPy for a float column (2.5 against 15 us
    for 1,000 values: pandas' ``isna`` was 0.07 ms of a model 4 call)."""
    if isinstance(col.dtype, np.dtype) and col.dtype.kind == "f":
        return np.isnan(col.to_numpy())
    return col.isna().to_numpy()


def _weighted_sd(x: np.ndarray, w: np.ndarray | None) -> float:
    """SD with ddof 1; with weights (mean 1) the weighted SD the bootstrap engine uses."""
    if w is None:
        return float(x.std(ddof=1))
    m = float(w @ x / w.sum())
    return float(np.sqrt(w @ (x - m) ** 2 / (w.sum() - 1)))


def _frame(rows: list[dict[str, Any]], columns: list[str] | None = None) -> pd.DataFrame:
    """DataFrame from row dicts, the dtypes ``from_records`` gives (tested).

    Built column by column from typed arrays -- text as object arrays, numbers as one
    NumPy array -- so pandas infers nothing value by value: 15-25% cheaper than
    ``from_records`` (0.16 against 0.20 ms for the effects of model 4), which matters
    for a PROCESS run of about ten milliseconds that makes four tables.
    """
    cols = columns if columns is not None else (list(rows[0]) if rows else [])
    if not rows:
        return pd.DataFrame({c: [] for c in cols})
    data: dict[str, np.ndarray] = {}
    for c in cols:
        values = [r[c] for r in rows]
        arr = None
        if not any(isinstance(v, str) for v in values):
            arr = np.asarray(values)
        if arr is None or arr.dtype.kind not in "biuf":
            arr = np.empty(len(values), dtype=object)
            arr[:] = values
        data[c] = arr
    return pd.DataFrame(data, copy=False)


def _johnson_neyman(fit: _Fit, preds: list[str], x: str, xw: str, wdata: np.ndarray,
                    wshift: float, ci: float) -> JohnsonNeyman:
    """Region of significance of the coefficient of ``x`` moderated through ``xw``."""
    from scipy import stats

    i1, i3 = preds.index(x), preds.index(xw)
    b1, b3 = fit.beta[i1], fit.beta[i3]
    v11, v33, v13 = fit.cov[i1, i1], fit.cov[i3, i3], fit.cov[i1, i3]
    t2 = float(stats.t.ppf(0.5 + ci / 2, fit.df_resid)) ** 2
    qa = b3**2 - t2 * v33
    qb = 2 * (b1 * b3 - t2 * v13)
    qc = b1**2 - t2 * v11
    pts: list[float] = []
    if abs(qa) > 1e-300:
        disc = qb**2 - 4 * qa * qc
        if disc >= 0:
            roots = sorted(((-qb - np.sqrt(disc)) / (2 * qa), (-qb + np.sqrt(disc)) / (2 * qa)))
            pts = [float(r + wshift) for r in roots]
    lo_w, hi_w = float(np.min(wdata)), float(np.max(wdata))
    pts = [p for p in pts if lo_w <= p <= hi_w]
    below = [float((wdata < p).mean() * 100) for p in pts]
    grid = np.unique(np.concatenate([np.linspace(lo_w, hi_w, 21), pts]))
    g = grid - wshift
    est = b1 + b3 * g
    se = np.sqrt(v11 + 2 * g * v13 + g**2 * v33)
    t = est / se
    q = np.sqrt(t2)
    table = pd.DataFrame({"w": grid, "estimate": est, "std_error": se, "statistic": t,
                          "p_value": 2 * stats.t.sf(np.abs(t), fit.df_resid),
                          "ci_low": est - q * se, "ci_high": est + q * se})
    return JohnsonNeyman(points=pts, pct_below=below, table=table)
