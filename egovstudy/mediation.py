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

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import combinations, pairwise
from typing import Any, Literal

import numpy as np
import pandas as pd

from egovstudy.bootstrap import BootstrapResult, bootstrap, seed_sequence
from egovstudy.errors import (
    DataQualityError,
    DataQualityWarning,
    InsufficientDataError,
    ModelSpecError,
)

__all__ = ["JohnsonNeyman", "ProcessResult", "process"]

Center = Literal["none", "all", "continuous"]
BootCI = Literal["percentile", "bc"]
Vcov = Literal["classical", "HC0", "HC1", "HC2", "HC3"]
Missing = Literal["listwise", "raise"]

_MODELS = (1, 4, 6, 7, 8, 14)
_MED_MODELS = (4, 6, 7, 8, 14)
_W_MODELS = (1, 7, 8, 14)


def _choice(name: str, value: Any, allowed: Sequence[Any]) -> None:
    if value not in allowed:
        raise ModelSpecError(f"{name}={value!r}: choose one of {', '.join(map(repr, allowed))}")


# --------------------------------------------------------------------------- specification
@dataclass(frozen=True)
class _Spec:
    model: int
    x: str
    y: str
    m: list[str]
    w: str | None
    covariates: list[str]
    columns: list[str]                    # design columns (incl. "const" and products)
    equations: dict[str, list[str]]       # outcome label -> predictor columns
    outcome_col: dict[str, str]           # outcome label -> column


def _prod(a: str, b: str) -> str:
    return f"{a}:{b}"


def _build_spec(model: int, x: str, y: str, m: list[str], w: str | None,
                covariates: list[str]) -> _Spec:
    cov = list(covariates)
    eqs: dict[str, list[str]] = {}
    xw = _prod(x, w) if w else ""
    if model == 1:
        assert w is not None
        eqs[y] = ["const", x, w, xw, *cov]
    elif model in (4, 6, 7, 8, 14):
        for j, mj in enumerate(m):
            if model in (4, 14):
                eqs[mj] = ["const", x, *cov]
            elif model == 6:
                eqs[mj] = ["const", x, *m[:j], *cov]
            else:  # 7, 8
                assert w is not None
                eqs[mj] = ["const", x, w, xw, *cov]
        if model in (4, 6, 7):
            eqs[y] = ["const", x, *m, *cov]
        elif model == 8:
            assert w is not None
            eqs[y] = ["const", x, *m, w, xw, *cov]
        else:  # 14
            assert w is not None
            eqs[y] = ["const", x, *m, w, *[_prod(mj, w) for mj in m], *cov]
        if model in (4, 6):
            eqs[f"{y} (total effect model)"] = ["const", x, *cov]
    cols: list[str] = ["const"]
    for preds in eqs.values():
        for c in preds:
            if c not in cols:
                cols.append(c)
    for c in [*m, y]:
        if c not in cols:
            cols.append(c)
    outcome_col = {k: (y if k.endswith("(total effect model)") else k) for k in eqs}
    return _Spec(model, x, y, list(m), w, cov, cols, eqs, outcome_col)


# --------------------------------------------------------------------------- vectorized OLS
class _Engine:
    """Design matrix, pair products and the batched solver for one specification."""

    def __init__(self, spec: _Spec, design: dict[str, np.ndarray]) -> None:
        self.spec = spec
        self.D = np.column_stack([design[c] for c in spec.columns]).astype(float)
        q = self.D.shape[1]
        self.q = q
        iu, ju = np.triu_indices(q)
        self.iu, self.ju = iu, ju
        self.P = self.D[:, iu] * self.D[:, ju]
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
        self.eqs = [(label, [self.pos[c] for c in preds],
                     self.pos[spec.outcome_col[label]])
                    for label, preds in spec.equations.items()
                    if not label.endswith("(total effect model)")]

    def cross_products(self, counts: np.ndarray) -> np.ndarray:
        """Upper-triangle cross-products ``D' diag(c) D`` of each resample, ``(b, q(q+1)/2)``."""
        return np.asarray(counts, dtype=float) @ self.P

    def solve(self, flat: np.ndarray) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray],
                                                np.ndarray]:
        """Coefficients of the equations the bootstrapped effects use, and the moments
        (mean, sd) of every column.

        ``flat`` holds the cross-products of ``b`` resamples (:meth:`cross_products`).
        The normal equations of all resamples are solved at once by a Cholesky
        factorization vectorized over the resamples; a resample with a constant
        column or a (numerically) singular system is failed (``NaN``).
        """
        F = np.ascontiguousarray(np.asarray(flat, dtype=float).T)      # (T, b)
        tri = self.tri
        N = F[tri[0, 0]]
        mean = F[tri[0]] / N
        diag = F[np.diag(tri)]
        with np.errstate(divide="ignore", invalid="ignore"):
            var = (diag - N * mean**2) / (N - 1)
        bad = (var <= self.var_floor[:, None]).any(axis=0)
        coefs: dict[str, np.ndarray] = {}
        for label, idx, out in self.eqs:
            G = F[tri[np.ix_(idx, idx)]]                                 # (p, p, b)
            h = F[tri[idx, out]]                                         # (p, b)
            beta, singular = _chol_solve(G, h)
            bad |= singular
            coefs[label] = beta.T
        for label in coefs:
            coefs[label][bad] = np.nan
        sd = {c: np.sqrt(np.maximum(var[i], 0)) for c, i in self.pos.items()}
        return coefs, sd, bad


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
def _coef(spec: _Spec, coefs: dict[str, np.ndarray], eq: str, term: str) -> np.ndarray:
    return coefs[eq][:, spec.equations[eq].index(term)]


def _chains(m: list[str]) -> list[tuple[str, ...]]:
    out: list[tuple[str, ...]] = []
    for r in range(1, len(m) + 1):
        out.extend(combinations(m, r))
    return out


def _effects(spec: _Spec, coefs: dict[str, np.ndarray], sd: dict[str, np.ndarray],
             wvals: list[tuple[str, float]], wshift: float) -> dict[str, np.ndarray]:
    """Bootstrapped effects (indirect, conditional indirect, index, contrasts, standardized)."""
    x, y, m = spec.x, spec.y, spec.m
    eff: dict[str, np.ndarray] = {}
    if spec.model == 4:
        ind = {mj: _coef(spec, coefs, mj, x) * _coef(spec, coefs, y, mj) for mj in m}
        for mj in m:
            eff[f"indirect:{mj}"] = ind[mj]
        total = sum(ind.values())
        assert isinstance(total, np.ndarray)
        if len(m) > 1:
            eff["indirect:total"] = total
            for ma, mb in combinations(m, 2):
                eff[f"contrast:{ma} minus {mb}"] = ind[ma] - ind[mb]
        for mj in m:
            eff[f"std_partial:{mj}"] = ind[mj] / sd[y]
            eff[f"std_complete:{mj}"] = ind[mj] * sd[x] / sd[y]
        if len(m) > 1:
            eff["std_partial:total"] = total / sd[y]
            eff["std_complete:total"] = total * sd[x] / sd[y]
    elif spec.model == 6:
        paths: dict[str, np.ndarray] = {}
        for chain in _chains(m):
            val = _coef(spec, coefs, chain[0], x)
            for prev, nxt in pairwise(chain):
                val = val * _coef(spec, coefs, nxt, prev)
            val = val * _coef(spec, coefs, y, chain[-1])
            paths[" -> ".join((x, *chain, y))] = val
        total = sum(paths.values())
        assert isinstance(total, np.ndarray)
        for name, v in paths.items():
            eff[f"indirect:{name}"] = v
        eff["indirect:total"] = total
        for name, v in paths.items():
            eff[f"std_partial:{name}"] = v / sd[y]
            eff[f"std_complete:{name}"] = v * sd[x] / sd[y]
        eff["std_partial:total"] = total / sd[y]
        eff["std_complete:total"] = total * sd[x] / sd[y]
    elif spec.model in (7, 8):
        assert spec.w is not None
        xw = _prod(x, spec.w)
        for mj in m:
            a1, a3 = _coef(spec, coefs, mj, x), _coef(spec, coefs, mj, xw)
            b = _coef(spec, coefs, y, mj)
            for label, wv in wvals:
                eff[f"cond_indirect:{mj}|{label}"] = (a1 + a3 * (wv - wshift)) * b
            eff[f"index:{mj}"] = a3 * b
    elif spec.model == 14:
        assert spec.w is not None
        for mj in m:
            a = _coef(spec, coefs, mj, x)
            b1, b3 = _coef(spec, coefs, y, mj), _coef(spec, coefs, y, _prod(mj, spec.w))
            for label, wv in wvals:
                eff[f"cond_indirect:{mj}|{label}"] = a * (b1 + b3 * (wv - wshift))
            eff[f"index:{mj}"] = a * b3
    return eff


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


def _ols(X: np.ndarray, yv: np.ndarray, vcov: str) -> _Fit:
    from scipy import special

    n, p = X.shape
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
        w = {"HC0": e**2, "HC1": e**2 * n / df, "HC2": e**2 / (1 - h),
             "HC3": e**2 / (1 - h) ** 2}[vcov]
        cov = XtX_inv @ (X.T * w) @ X @ XtX_inv
    sst = float(((yv - yv.mean()) ** 2).sum())
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
        Direct, total, indirect, conditional and standardized effects, indices of
        moderated mediation, Sobel tests: part, term, w_value, estimate, std_error,
        statistic, p_value, ci_low, ci_high, ci_method.
    johnson_neyman : JohnsonNeyman or None
        Region of significance (model 1, continuous W).
    boot : BootstrapResult or None
        The bootstrap draws (``None`` for model 1).
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
                 + (f"   covariates = {', '.join(v['covariates'])}" if v["covariates"] else "")]
        for outcome, grp in self.coefficients.groupby("outcome", sort=False):
            fit = self.model_fit[self.model_fit["outcome"] == outcome].iloc[0]
            lines.append("")
            lines.append(f"Outcome: {outcome}   R2 = {fit['r2']:.4f}, F({fit['df1']:.0f}, "
                         f"{fit['df2']:.0f}) = {fit['f']:.4f}, p = {fit['p_value']:.4f}")
            lines.append(grp.drop(columns="outcome").to_string(index=False,
                                                                float_format="%.4f"))
        lines.append("")
        lines.append("Effects")
        lines.append(self.effects.to_string(index=False, float_format="%.4f"))
        if self.johnson_neyman is not None:
            lines.append("")
            lines.append(self.johnson_neyman.summary())
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


def _is_dichotomous(s: pd.Series) -> bool:
    return int(s.nunique()) == 2


def process(data: pd.DataFrame, *, model: int, x: str, y: str,
            m: str | Sequence[str] | None = None, w: str | None = None,
            z: str | None = None, covariates: Sequence[str] = (), n_boot: int = 5000,
            seed: int | np.random.SeedSequence | None = None, ci: float = 0.95,
            boot_ci: BootCI = "percentile", center: Center = "none",
            w_values: Sequence[float] | None = None, vcov: Vcov = "classical",
            clusters: str | None = None, missing: Missing = "listwise",
            n_jobs: int | None = None,
            progress: bool | None = None) -> ProcessResult:
    """Estimate a PROCESS model (Hayes) with a vectorized bootstrap.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per case.
    model : {1, 4, 6, 7, 8, 14}
        PROCESS model number: 1 moderation of X -> Y by W; 4 simple/parallel
        mediation; 6 serial mediation (2-3 mediators); 7 W moderates X -> M; 8 W
        moderates X -> M and X -> Y; 14 W moderates M -> Y.
    x, y : str
        Antecedent and consequent columns.
    m : str or list of str
        Mediator column(s) (models 4, 6, 7, 8, 14; model 6 in causal order).
    w : str
        Moderator column (models 1, 7, 8, 14).
    z : str
        Second moderator; none of the supported models uses one (must be ``None``).
    covariates : list of str
        Covariates, entered in every equation (the PROCESS default).
    n_boot : int
        Bootstrap resamples for indirect effects (model 1 has none).
    seed : int or numpy.random.SeedSequence
        Seed of the bootstrap; ``None`` draws fresh entropy (reported in ``boot``).
    ci : float
        Confidence level.
    boot_ci : {"percentile", "bc"}
        Percentile or bias-corrected bootstrap intervals.
    center : {"none", "all", "continuous"}
        Mean-center the variables that form products: all of them, or only the
        non-dichotomous ones (PROCESS ``center=1`` / ``center=2``). Conditional effects
        are always reported at W values on the original scale.
    w_values : list of float, optional
        Values of W at which to probe; default: both sides of a dichotomous W, else
        mean - 1 SD, mean, mean + 1 SD and the 16th, 50th and 84th percentiles.
    vcov : {"classical", "HC0", "HC1", "HC2", "HC3"}
        Standard errors of the regression coefficients.
    clusters : str, optional
        Column of cluster labels (e.g. ``"agency"``) for a cluster bootstrap.
    missing : {"listwise", "raise"}
        Drop incomplete cases with a warning, or raise.
    n_jobs : int, optional
        Bootstrap workers: ``None`` (default) threads on every core, ``1`` one
        thread, other values joblib workers (see :func:`egovstudy.bootstrap.bootstrap`).
        The numbers do not depend on it.
    progress : bool, optional
        Progress bar (default: only for runs longer than ~2 s).

    Returns
    -------
    ProcessResult

    Notes
    -----
    Checked against Hayes (2022), the PROCESS output printed for the ``pmi`` data
    (model 4) and the ``protest`` data (models 1 and 7); see ``tests/test_process.py``.

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
    _choice("vcov", vcov, ("classical", "HC0", "HC1", "HC2", "HC3"))
    _choice("missing", missing, ("listwise", "raise"))
    if not 0 < ci < 1:
        raise ModelSpecError(f"ci={ci!r}: pass a confidence level between 0 and 1, e.g. 0.95")
    if not isinstance(data, pd.DataFrame):
        raise ModelSpecError(f"data is a {type(data).__name__}; pass a pandas DataFrame")
    ms = _as_list(m, "m")
    covs = _as_list(covariates, "covariates")
    if z is not None:
        raise ModelSpecError(f"z={z!r}: models {_MODELS} have no second moderator; leave z=None")
    if model in _MED_MODELS and not ms:
        raise ModelSpecError(f"model {model} needs a mediator: pass m='column' "
                             "(or a list of mediators)")
    if model == 1 and ms:
        raise ModelSpecError("model 1 has no mediator; drop m= or choose model 4/7/8/14")
    if model == 6 and not 2 <= len(ms) <= 3:
        raise ModelSpecError(f"model 6 (serial mediation) takes 2 or 3 mediators; got m={ms}")
    if model in _W_MODELS and w is None:
        raise ModelSpecError(f"model {model} needs a moderator: pass w='column'")
    if model not in _W_MODELS and w is not None:
        raise ModelSpecError(f"model {model} has no moderator; drop w={w!r} or choose model "
                             "1, 7, 8 or 14")
    roles = {"x": [x], "y": [y], "m": ms, "w": [w] if w else [], "covariates": covs}
    used: list[str] = []
    for role, names in roles.items():
        for c in names:
            if c not in data.columns:
                raise ModelSpecError(f"{role}={c!r} is not a column of data; available: "
                                     f"{', '.join(map(str, data.columns[:20]))}")
            if c in used:
                raise ModelSpecError(f"column {c!r} is given twice ({role} and another role); "
                                     "each variable plays one role")
            used.append(c)
    cluster_col = None
    if clusters is not None:
        if clusters not in data.columns:
            raise ModelSpecError(f"clusters={clusters!r} is not a column of data")
        cluster_col = clusters
    frame = data[used + ([cluster_col] if cluster_col else [])]
    dtypes = frame.dtypes
    for c in used:
        if not pd.api.types.is_numeric_dtype(dtypes[c]) or pd.api.types.is_bool_dtype(dtypes[c]):
            try:
                frame = frame.assign(**{c: pd.to_numeric(frame[c])})
            except (ValueError, TypeError) as exc:
                raise ModelSpecError(f"column {c!r} is not numeric; code it as numbers "
                                     "(e.g. 0/1 for a dichotomous X)") from exc
    incomplete = frame.isna().any(axis=1)
    if incomplete.any():
        bad_cols = [c for c in frame.columns if frame[c].isna().any()]
        msg = (f"{int(incomplete.sum())} of {len(frame)} rows have missing values in "
               f"{', '.join(bad_cols)}")
        if missing == "raise":
            raise DataQualityError(msg + "; impute them or pass missing='listwise'")
        warnings.warn(msg + "; they are dropped (listwise deletion)", DataQualityWarning,
                      stacklevel=2)
        frame = frame.loc[~incomplete]
    df = pd.DataFrame((frame if cluster_col is None else frame[used]).to_numpy(dtype=float),
                      columns=used)
    n = len(df)
    arr = {c: df[c].to_numpy() for c in used}
    sd_all = {c: float(arr[c].std(ddof=1)) if n > 1 else np.nan for c in used}
    for c in used:
        if n and sd_all[c] == 0:
            raise ModelSpecError(f"column {c!r} has zero variance (every value is "
                                 f"{arr[c][0]:g}); it cannot enter a regression")
    for mj in ms:
        if np.allclose(arr[mj], arr[x]):
            raise ModelSpecError(f"mediator {mj!r} is identical to x={x!r}; a variable cannot "
                                 "mediate its own effect")
        if np.allclose(arr[mj], arr[y]):
            raise ModelSpecError(f"mediator {mj!r} is identical to y={y!r}")

    spec = _build_spec(model, x, y, ms, w, covs)
    n_par = max(len(p) for p in spec.equations.values())
    if n < n_par + 3 or n < 10:
        raise InsufficientDataError(f"only {n} complete cases for {n_par} coefficients per "
                                    f"equation; PROCESS model {model} needs at least "
                                    f"{max(n_par + 3, 10)}")

    # centering of the variables that form products
    prod_vars: list[str] = []
    if w is not None:
        prod_vars = [x, w] if model in (1, 7, 8) else [*ms, w]
    shift = dict.fromkeys(used, 0.0)
    if center != "none":
        for c in prod_vars:
            if center == "all" or not _is_dichotomous(df[c]):
                shift[c] = float(df[c].mean())
    design = dict(arr)
    for c in prod_vars:
        design[c] = arr[c] - shift[c]
    design["const"] = np.ones(n)
    for c in spec.columns:
        if ":" in c:
            a, b = c.split(":")
            design[c] = design[a] * design[b]

    # W probe values (original scale)
    wvals: list[tuple[str, float]] = []
    if w is not None:
        wser = df[w]
        if w_values is not None:
            wvals = [(f"w={float(v):g}", float(v)) for v in w_values]
        elif _is_dichotomous(wser):
            wvals = [(f"w={v:g}", float(v)) for v in sorted(wser.unique())]
        else:
            mu, sdw = float(wser.mean()), float(wser.std())
            wvals = [("mean-1SD", mu - sdw), ("mean", mu), ("mean+1SD", mu + sdw)]
            wvals += [(f"p{p}", float(np.percentile(wser, p))) for p in (16, 50, 84)]
    wshift = shift.get(w, 0.0) if w else 0.0
    wmap = dict(wvals)

    # point estimates with OLS inference
    from scipy import special

    tcrit_level = ci
    coef_rows: list[dict[str, Any]] = []
    fit_rows: list[dict[str, Any]] = []
    fits: dict[str, _Fit] = {}
    for label, preds in spec.equations.items():
        X = np.column_stack([design[c] for c in preds])
        yv = design[spec.outcome_col[label]]
        if np.linalg.matrix_rank(X) < X.shape[1]:
            raise ModelSpecError(f"the equation for {label!r} has collinear predictors "
                                 f"({', '.join(preds[1:])}); drop a redundant covariate")
        fit = _ols(X, yv, vcov)
        fits[label] = fit
        se = np.sqrt(np.diag(fit.cov))
        t = fit.beta / se
        p = 2 * special.stdtr(fit.df_resid, -np.abs(t))              # = stats.t.sf
        q = special.stdtrit(fit.df_resid, 0.5 + tcrit_level / 2)     # = stats.t.ppf
        for j, term in enumerate(preds):
            coef_rows.append({"outcome": label, "term": "constant" if term == "const" else term,
                              "estimate": fit.beta[j], "std_error": se[j], "statistic": t[j],
                              "p_value": p[j], "ci_low": fit.beta[j] - q * se[j],
                              "ci_high": fit.beta[j] + q * se[j]})
        fit_rows.append({"outcome": label, "r2": fit.r2, "mse": fit.mse, "f": fit.f,
                         "df1": len(preds) - 1, "df2": fit.df_resid, "p_value": fit.f_p})
    coefficients = _frame(coef_rows)
    model_fit = _frame(fit_rows)

    tcrit: dict[int, float] = {}

    def lin_effect(eq: str, main: str, inter: str | None, wv: float | None
                   ) -> tuple[float, float, float, float, float, float]:
        fit = fits[eq]
        preds = spec.equations[eq]
        g = np.zeros(len(preds))
        g[preds.index(main)] = 1.0
        if inter is not None and wv is not None:
            g[preds.index(inter)] = wv - wshift
        est = float(g @ fit.beta)
        se = float(np.sqrt(g @ fit.cov @ g))
        t = est / se
        p = float(2 * special.stdtr(fit.df_resid, -abs(t)))
        if fit.df_resid not in tcrit:
            tcrit[fit.df_resid] = float(special.stdtrit(fit.df_resid, 0.5 + ci / 2))
        q = tcrit[fit.df_resid]
        return est, se, t, p, est - q * se, est + q * se

    rows: list[dict[str, Any]] = []

    def add(part: str, term: str, vals: Sequence[float], wv: float = np.nan,
            method: str = "t") -> None:
        est, se, t, p, lo, hi = vals
        rows.append({"part": part, "term": term, "w_value": wv, "estimate": est,
                     "std_error": se, "statistic": t, "p_value": p, "ci_low": lo,
                     "ci_high": hi, "ci_method": method})

    jn: JohnsonNeyman | None = None
    xw = _prod(x, w) if w else None
    if model == 1:
        for label, wv in wvals:
            add("conditional_effect", f"{x} | {w} {label}", lin_effect(y, x, xw, wv), wv)
        if w is not None and not _is_dichotomous(df[w]):
            jn = _johnson_neyman(fits[y], spec.equations[y], x, xw or "", df[w].to_numpy(),
                                 wshift, ci)
    if model in (4, 6, 7, 14):
        add("direct", f"{x} -> {y}", lin_effect(y, x, None, None))
    if model == 8:
        for label, wv in wvals:
            add("conditional_direct", f"{x} -> {y} | {w} {label}", lin_effect(y, x, xw, wv), wv)
    if model in (4, 6):
        tot = f"{y} (total effect model)"
        add("total", f"{x} -> {y}", lin_effect(tot, x, None, None))
        for part, eq in (("direct", y), ("total", tot)):
            est = lin_effect(eq, x, None, None)[0]
            rows.append({"part": f"{part}_std_partial", "term": f"{x} -> {y}", "w_value": np.nan,
                         "estimate": est / sd_all[y], "std_error": np.nan, "statistic": np.nan,
                         "p_value": np.nan, "ci_low": np.nan, "ci_high": np.nan,
                         "ci_method": ""})
            rows.append({"part": f"{part}_std_complete", "term": f"{x} -> {y}",
                         "w_value": np.nan, "estimate": est * sd_all[x] / sd_all[y],
                         "std_error": np.nan, "statistic": np.nan, "p_value": np.nan,
                         "ci_low": np.nan, "ci_high": np.nan, "ci_method": ""})

    boot: BootstrapResult | None = None
    if model in _MED_MODELS:
        engine = _Engine(spec, design)

        def statistic(flat: np.ndarray) -> np.ndarray:
            coefs, sd, _ = engine.solve(flat)
            eff = _effects(spec, coefs, sd, wvals, wshift)
            return np.column_stack(list(eff.values()))

        ones = np.ones((1, n), dtype=np.int32)
        coefs0, sd0, _ = engine.solve(engine.cross_products(ones))
        eff0 = _effects(spec, coefs0, sd0, wvals, wshift)
        names = list(eff0)
        est0 = np.array([v[0] for v in eff0.values()])
        clus = frame[cluster_col].to_numpy() if cluster_col else None
        boot = bootstrap(statistic, n, n_boot=n_boot, seed=seed_sequence(seed), clusters=clus,
                         estimate=est0, names=names, n_jobs=n_jobs, progress=progress,
                         moments=engine.P)
        lo, hi = boot.ci(ci, boot_ci)
        bse = boot.std_error()
        method = f"boot {boot_ci}"
        for j, name in enumerate(names):
            kind, term = name.split(":", 1)
            wv = np.nan
            if "|" in term:
                term_m, wlabel = term.split("|")
                wv = wmap[wlabel]
                term = f"{x} -> {term_m} -> {y} | {w} {wlabel}"
            elif kind in ("indirect", "std_partial", "std_complete") and model == 4:
                term = f"{x} -> {term} -> {y}" if term != "total" else "total"
            part = {"cond_indirect": "conditional_indirect", "index": "index_modmed",
                    "std_partial": "indirect_std_partial",
                    "std_complete": "indirect_std_complete"}.get(kind, kind)
            if kind == "index":
                term = f"{x} -> {term} -> {y} by {w}"
            rows.append({"part": part, "term": term, "w_value": wv, "estimate": est0[j],
                         "std_error": bse[j], "statistic": np.nan, "p_value": np.nan,
                         "ci_low": lo[j], "ci_high": hi[j], "ci_method": method})
        if model == 4:
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
    effects = _frame(rows, ["part", "term", "w_value", "estimate", "std_error", "statistic",
                            "p_value", "ci_low", "ci_high", "ci_method"])
    variables = {"x": x, "y": y, "m": ms, "w": w, "covariates": covs}
    options = {"n_boot": n_boot if model != 1 else 0, "ci": ci, "boot_ci": boot_ci,
               "center": center, "vcov": vcov, "clusters": clusters,
               "n_clusters": (int(frame[cluster_col].nunique())
                              if cluster_col and boot is not None else None),
               "seed": seed if isinstance(seed, int | np.integer) else None,
               "seed_entropy": boot.seed_entropy if boot is not None else None}
    return ProcessResult(model=model, n=n, variables=variables, coefficients=coefficients,
                         model_fit=model_fit, effects=effects, johnson_neyman=jn, boot=boot,
                         options=options)


def _frame(rows: list[dict[str, Any]], columns: list[str] | None = None) -> pd.DataFrame:
    """DataFrame from row dicts, built column by column (cheaper than from records)."""
    cols = columns if columns is not None else (list(rows[0]) if rows else [])
    return pd.DataFrame({c: [r[c] for r in rows] for c in cols}, columns=cols)


def _johnson_neyman(fit: _Fit, preds: list[str], x: str, xw: str, wdata: np.ndarray,
                    wshift: float, ci: float) -> JohnsonNeyman:
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
