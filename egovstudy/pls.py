"""PLS-SEM (partial least squares path modelling) with a vectorized bootstrap.

The PLS algorithm (Wold; Lohmöller 1989) is run on the indicator correlation matrix:
with standardized indicators every step (construct correlations ``W' S W``, inner
weights, Mode A covariances ``S W E'``, Mode B regressions) needs only ``S``. The
bootstrap therefore computes the correlation matrices of all resamples at once from
``counts @ P`` (``P``: pairwise products of the indicators; see
:mod:`egovstudy.bootstrap`) and iterates the algorithm for all resamples together.

Inner weighting: path (default), factorial or centroid. Consistent PLS (PLSc,
Dijkstra & Henseler 2015) corrects the Mode A blocks for attenuation with rho_A.

Checked against seminr (Ray, Danks & Calero Valdez) on the ``mobi`` and corporate
reputation data of Hair et al. (2021), *Partial Least Squares Structural Equation
Modeling (PLS-SEM) Using R* (open access), including its PLSc fixtures, and against
SmartPLS 2.0 results for the full ECSI model under all three weighting schemes; see
``tests/test_pls.py``.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any, Literal

import numpy as np
import pandas as pd

from egovstudy.bootstrap import BootstrapResult, bootstrap, seed_sequence
from egovstudy.errors import (
    ConvergenceError,
    DataQualityError,
    DataQualityWarning,
    InsufficientDataError,
    ModelSpecError,
    StatisticalWarning,
)

__all__ = ["PLSResult", "pls_sem"]

Mode = Literal["A", "B"]
Scheme = Literal["path", "factorial", "centroid"]
Missing = Literal["mean", "listwise", "raise"]
BootCI = Literal["percentile", "bc"]


# --------------------------------------------------------------------------- moments
def _moments(Z: np.ndarray, extra: np.ndarray | None = None) -> np.ndarray:
    """Per-case terms whose weighted sums give a subset's (or a resample's) correlation
    matrix: ``[1, z, z_i z_j (i <= j), extra]``."""
    p = Z.shape[1]
    iu, ju = np.triu_indices(p)
    parts = [np.ones((Z.shape[0], 1)), Z, Z[:, iu] * Z[:, ju]]
    if extra is not None:
        parts.append(extra)
    return np.ascontiguousarray(np.hstack(parts))


def _corr_from_sums(M: np.ndarray, p: int) -> tuple[np.ndarray, np.ndarray]:
    """Correlation matrices (b, p, p) from weighted sums of :func:`_moments` terms, and a
    flag per row for a constant indicator (its matrix is then the identity)."""
    iu, ju = np.triu_indices(p)
    N = M[:, 0]
    mean = M[:, 1:p + 1] / N[:, None]
    cross = np.empty((M.shape[0], p, p))
    q = p + 1 + len(iu)
    cross[:, iu, ju] = M[:, p + 1:q]
    cross[:, ju, iu] = M[:, p + 1:q]
    cov = cross / N[:, None, None] - mean[:, :, None] * mean[:, None, :]
    sd = np.sqrt(np.maximum(np.einsum("bii->bi", cov), 0))
    bad = (sd < 1e-10).any(axis=1)
    sd[bad] = 1.0
    S = cov / sd[:, :, None] / sd[:, None, :]
    S[bad] = np.eye(p)
    return S, bad


# --------------------------------------------------------------------------- model
@dataclass(frozen=True)
class _Model:
    constructs: list[str]
    blocks: dict[str, list[str]]
    modes: dict[str, str]
    indicators: list[str]
    paths: list[tuple[str, str]]
    preds: dict[str, list[str]]          # endogenous -> predecessors
    mask: np.ndarray                     # (p, K) block membership
    adj: np.ndarray                      # (K, K) adj[i, j] = 1 if i -> j

    @property
    def endogenous(self) -> list[str]:
        return [c for c in self.constructs if self.preds.get(c)]



# --------------------------------------------------------------------------- model
def _parse_model(measurement: Mapping[str, Sequence[str]], structural: Any,
                 mode: Mapping[str, str] | None) -> _Model:
    if not isinstance(measurement, Mapping) or not measurement:
        raise ModelSpecError("measurement must map each construct to its indicator columns, "
                             "e.g. {'COMP': ['comp_1', 'comp_2', 'comp_3']}")
    constructs = list(measurement)
    blocks: dict[str, list[str]] = {}
    seen: dict[str, str] = {}
    for c, items in measurement.items():
        its = [items] if isinstance(items, str) else list(items)
        if not its:
            raise ModelSpecError(f"construct {c!r} has no indicators in measurement")
        for it in its:
            if it in seen:
                raise ModelSpecError(f"indicator {it!r} is assigned to both {seen[it]!r} and "
                                     f"{c!r}; each indicator measures one construct")
            seen[it] = c
        blocks[c] = its
    modes = dict.fromkeys(constructs, "A")
    for c, md in (mode or {}).items():
        if c not in blocks:
            raise ModelSpecError(f"mode names construct {c!r}, which is not in measurement")
        if md not in ("A", "B"):
            raise ModelSpecError(f"mode[{c!r}]={md!r}: choose 'A' (reflective) or "
                                 "'B' (formative)")
        modes[c] = md
    pairs: list[tuple[str, str]] = []
    if isinstance(structural, Mapping):
        for to, frm in structural.items():
            for f in ([frm] if isinstance(frm, str) else list(frm)):
                pairs.append((f, to))
    else:
        for pr in structural:
            if not (isinstance(pr, tuple | list) and len(pr) == 2):
                raise ModelSpecError(f"structural entry {pr!r}: give (from, to) pairs or a "
                                     "mapping {to: [from, ...]}")
            pairs.append((str(pr[0]), str(pr[1])))
    if not pairs:
        raise ModelSpecError("structural has no paths; give at least one (from, to) pair")
    for f, t in pairs:
        for c in (f, t):
            if c not in blocks:
                raise ModelSpecError(f"structural path {f} -> {t} names {c!r}, which has no "
                                     "indicators in measurement")
        if f == t:
            raise ModelSpecError(f"structural path {f} -> {t} points a construct at itself")
    if len(set(pairs)) != len(pairs):
        raise ModelSpecError("structural lists the same path twice")
    K = len(constructs)
    idx = {c: i for i, c in enumerate(constructs)}
    adj = np.zeros((K, K))
    for f, t in pairs:
        adj[idx[f], idx[t]] = 1
    # acyclicity
    reach = adj.copy()
    for _ in range(K):
        reach = np.minimum(1, reach + reach @ adj)
    if np.trace(reach) > 0:
        raise ModelSpecError("structural model has a feedback loop; PLS-SEM needs a recursive "
                             "(acyclic) model")
    linked = set(np.flatnonzero(adj.sum(axis=0) + adj.sum(axis=1)))
    for c in constructs:
        if idx[c] not in linked:
            raise ModelSpecError(f"construct {c!r} is in measurement but in no structural path")
    indicators = [it for c in constructs for it in blocks[c]]
    mask = np.zeros((len(indicators), K))
    r = 0
    for j, c in enumerate(constructs):
        for _ in blocks[c]:
            mask[r, j] = 1
            r += 1
    preds = {c: [f for f, t in pairs if t == c] for c in constructs}
    preds = {c: sorted(v, key=constructs.index) for c, v in preds.items() if v}
    return _Model(constructs, blocks, modes, indicators, pairs, preds, mask, adj)


# --------------------------------------------------------------------------- algorithm
def _pls_core(S: np.ndarray, model: _Model, max_iter: int, tol: float,
              scheme: str = "path") -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Run PLS on a batch of correlation matrices ``S`` (b, p, p).

    ``scheme`` is the inner weighting (Lohmöller 1989): ``"path"`` (successors weighted
    by correlations, predecessors by multiple-regression weights), ``"factorial"``
    (every adjacent construct by its correlation) or ``"centroid"`` (by the sign of
    the correlation). Returns outer weights (b, p, K) scaled to unit-variance scores,
    the number of iterations used and a boolean convergence flag per resample.
    """
    b, p, _ = S.shape
    K = len(model.constructs)
    mask = model.mask
    cidx = {c: j for j, c in enumerate(model.constructs)}
    rows = {c: np.flatnonzero(mask[:, j]) for j, c in enumerate(model.constructs)}

    def normalize(W: np.ndarray) -> np.ndarray:
        var = (W * (S @ W)).sum(axis=1)
        return W / np.sqrt(np.maximum(var, 1e-300))[:, None, :]

    W = normalize(np.broadcast_to(mask, (b, p, K)).copy())
    # inverse of Mode B blocks, once
    inv_blocks = {c: np.linalg.pinv(S[:, rows[c]][:, :, rows[c]])
                  for c in model.constructs if model.modes[c] == "B" and len(rows[c]) > 1}
    adj = model.adj
    succ = adj  # i -> j
    neighbours = ((adj + adj.T) > 0).astype(float)
    converged = np.zeros(b, dtype=bool)
    iters = np.full(b, max_iter)
    for it in range(1, max_iter + 1):
        SW = S @ W
        C = W.transpose(0, 2, 1) @ SW
        E = np.zeros((b, K, K))    # E[:, j, i]: weight of construct i in proxy of j
        if scheme == "factorial":
            E = C * neighbours
        elif scheme == "centroid":
            E = np.sign(C) * neighbours
        # path: successors of j get correlation weights, predecessors regression weights
        for j, c in enumerate(model.constructs if scheme == "path" else ()):
            sj = np.flatnonzero(succ[j])
            if sj.size:
                E[:, j, sj] = C[:, j, sj]
            pj = [cidx[q] for q in model.preds.get(c, [])]
            if pj:
                G = C[:, pj][:, :, pj]
                h = C[:, pj, j]
                E[:, j, pj] = np.linalg.solve(G, h[:, :, None])[:, :, 0]
        Z = SW @ E.transpose(0, 2, 1)              # cov(x_p, inner proxy of j)
        Wn = Z * mask
        for c, inv in inv_blocks.items():
            j = cidx[c]
            r = rows[c]
            Wn[:, r, j] = (inv @ Z[:, r, j][:, :, None])[:, :, 0]
        Wn = normalize(Wn)
        diff = np.abs(Wn - W).max(axis=(1, 2))
        newly = (diff < tol) & ~converged
        iters[newly] = it
        converged |= diff < tol
        W = np.where(converged[:, None, None] & ~newly[:, None, None], W, Wn)
        if converged.all():
            break
    return W, iters, converged


@dataclass(frozen=True)
class _Estimates:
    W: np.ndarray          # (p, K)
    C: np.ndarray          # (K, K) construct correlations
    L: np.ndarray          # (p, K) loadings (block entries) / cross-loadings
    B: np.ndarray          # (K, K) path coefficients i -> j
    r2: np.ndarray         # (K,)


def _multi_item_blocks(model: _Model, mode_a_only: bool = False
                       ) -> list[tuple[int, np.ndarray]]:
    """(construct index, indicator rows) of the blocks with two or more indicators (only
    the Mode A ones -- those PLSc corrects -- with ``mode_a_only``)."""
    return [(j, np.flatnonzero(model.mask[:, j])) for j, c in enumerate(model.constructs)
            if model.mask[:, j].sum() > 1 and (model.modes[c] == "A" or not mode_a_only)]


def _rho_a(S: np.ndarray, W: np.ndarray, model: _Model, mode_a_only: bool = False
           ) -> np.ndarray:
    """Dijkstra-Henseler rho_A of every construct for a batch, (b, K); 1 for a single
    indicator (and, with ``mode_a_only``, for Mode B blocks, which PLSc leaves as they are).

    With weights ``w`` scaled to unit-variance scores, ``rho_A = (w'w)^2 *
    w'(S - diag S)w / w'(ww' - diag ww')w`` (Dijkstra & Henseler 2015, eq. 17).
    """
    b = S.shape[0]
    rho = np.ones((b, len(model.constructs)))
    for j, r in _multi_item_blocks(model, mode_a_only):
        w = W[:, r, j]
        blk = S[:, r][:, :, r]
        ww = (w * w).sum(axis=1)
        num = np.einsum("bi,bij,bj->b", w, blk, w) - np.einsum("bi,bi,bii->b", w, w, blk)
        den = ww**2 - (w**4).sum(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            rho[:, j] = ww**2 * num / den
    return rho


def _estimates(S: np.ndarray, W: np.ndarray, model: _Model, consistent: bool = False
               ) -> tuple[np.ndarray, ...]:
    """Batched construct correlations, cross-loadings, paths and R2.

    With ``consistent`` (PLSc, Dijkstra & Henseler 2015) the correlations between
    constructs are divided by ``sqrt(rho_A_i rho_A_j)`` and the loadings of the
    corrected blocks are ``sqrt(rho_A) / (w'w) * w``; paths and R2 then come from the
    corrected correlations. A resample with ``rho_A <= 0`` gets ``NaN``.
    """
    K = len(model.constructs)
    cidx = {c: j for j, c in enumerate(model.constructs)}
    L = S @ W
    C = W.transpose(0, 2, 1) @ L
    if consistent:
        rho = _rho_a(S, W, model, mode_a_only=True)
        q = np.sqrt(np.where(rho > 0, rho, np.nan))
        C = C / (q[:, :, None] * q[:, None, :])
        C[:, np.arange(K), np.arange(K)] = 1.0
        L = L.copy()
        for j, r in _multi_item_blocks(model, mode_a_only=True):
            w = W[:, r, j]
            L[:, r, j] = (q[:, j] / (w * w).sum(axis=1))[:, None] * w
    b = S.shape[0]
    B = np.zeros((b, K, K))
    r2 = np.full((b, K), np.nan)
    for c, pr in model.preds.items():
        j = cidx[c]
        pj = [cidx[q] for q in pr]
        G = C[:, pj][:, :, pj]
        h = C[:, pj, j]
        beta = np.linalg.solve(G, h[:, :, None])[:, :, 0]
        B[:, pj, j] = beta
        r2[:, j] = (beta * h).sum(axis=1)
    return C, L, B, r2


def _indirect_paths(model: _Model) -> list[list[int]]:
    K = len(model.constructs)
    out: list[list[int]] = []

    def walk(path: list[int]) -> None:
        last = path[-1]
        for nxt in np.flatnonzero(model.adj[last]):
            new = [*path, int(nxt)]
            if len(new) >= 3:
                out.append(new)
            walk(new)

    for i in range(K):
        walk([i])
    return out


def _htmt(S: np.ndarray, model: _Model) -> np.ndarray:
    """HTMT (Henseler, Ringle & Sarstedt 2015) for a batch (b, p, p).

    A single-item block has no monotrait correlations; its monotrait term is taken as 1
    (as SmartPLS and seminr report HTMT for single-item constructs).
    """
    K = len(model.constructs)
    rows = [np.flatnonzero(model.mask[:, j]) for j in range(K)]
    b = S.shape[0]
    out = np.full((b, K, K), np.nan)
    mono = np.ones((b, K))
    for j, r in enumerate(rows):
        if len(r) > 1:
            blk = S[:, r][:, :, r]
            iu = np.triu_indices(len(r), 1)
            mono[:, j] = blk[:, iu[0], iu[1]].mean(axis=1)
    for i in range(K):
        for j in range(i + 1, K):
            het = S[:, rows[i]][:, :, rows[j]].mean(axis=(1, 2))
            with np.errstate(invalid="ignore"):
                out[:, i, j] = out[:, j, i] = het / np.sqrt(mono[:, i] * mono[:, j])
    return out


# --------------------------------------------------------------------------- result
@dataclass(frozen=True)
class PLSResult:
    """Result of :func:`pls_sem`.

    Attributes
    ----------
    paths : pandas.DataFrame
        Structural paths (from, to, estimate, bootstrap std_error, statistic, p_value,
        ci_low, ci_high).
    outer_loadings, outer_weights : pandas.DataFrame
        One row per indicator (construct, indicator, estimate and bootstrap columns).
    cross_loadings : pandas.DataFrame
        Indicator x construct correlations.
    r2 : pandas.DataFrame
        construct, r2, adj_r2.
    f2, vif : pandas.DataFrame
        Effect sizes and inner-model VIF per path.
    reliability : pandas.DataFrame
        construct, alpha, rho_c, rho_a, ave.
    htmt : pandas.DataFrame
        Heterotrait-monotrait ratio matrix (lower triangle).
    q2 : pandas.DataFrame
        PLSpredict Q²_predict for endogenous indicators and constructs.
    total_effects, indirect_effects : pandas.DataFrame
        Total (and total indirect) effects; specific indirect effects, with bootstrap
        intervals.
    """

    n: int
    iterations: int
    paths: pd.DataFrame
    outer_loadings: pd.DataFrame
    outer_weights: pd.DataFrame
    cross_loadings: pd.DataFrame
    construct_correlations: pd.DataFrame
    r2: pd.DataFrame
    f2: pd.DataFrame
    vif: pd.DataFrame
    reliability: pd.DataFrame
    htmt: pd.DataFrame
    q2: pd.DataFrame
    total_effects: pd.DataFrame
    indirect_effects: pd.DataFrame
    scores: pd.DataFrame
    boot: BootstrapResult | None
    options: dict[str, Any] = field(default_factory=dict)

    def tidy(self) -> pd.DataFrame:
        """Paths, effects, loadings and weights in one frame (broom column names)."""
        cols = ["part", "term", "estimate", "std_error", "statistic", "p_value", "ci_low",
                "ci_high"]
        parts = [
            self.paths.assign(part="path", term=self.paths["from"] + " -> " + self.paths["to"]),
            self.total_effects.assign(part="total_effect"),
            self.indirect_effects.assign(part="specific_indirect"),
            self.outer_loadings.assign(part="loading", term=self.outer_loadings["construct"]
                                       + " =~ " + self.outer_loadings["indicator"]),
            self.outer_weights.assign(part="weight", term=self.outer_weights["construct"]
                                      + " <~ " + self.outer_weights["indicator"]),
        ]
        return pd.concat([p[cols] for p in parts if len(p)], ignore_index=True)

    def summary(self) -> str:
        """Text report: paths, R², reliability and validity, bootstrap bookkeeping."""
        f = "%.3f"
        method = "PLSc" if self.options.get("consistent") else "PLS"
        out = [f"PLS-SEM ({method}, {self.options.get('scheme', 'path')} weighting), n = "
               f"{self.n}, converged in {self.iterations} iterations", "", "Structural paths",
               self.paths.to_string(index=False, float_format=f), "", "R²",
               self.r2.to_string(index=False, float_format=f), "", "Reliability and validity",
               self.reliability.to_string(index=False, float_format=f), "", "HTMT",
               self.htmt.to_string(float_format=f, na_rep="")]
        if self.boot is not None:
            out += ["", f"Bootstrap: {self.boot.n_boot} resamples, {self.boot.n_failed} failed "
                    f"(not converged or singular), {self.boot.n_duplicates} duplicated; seed "
                    f"entropy {self.boot.seed_entropy}"]
        return "\n".join(out)

    def _repr_html_(self) -> str:
        f = "%.3f"
        return ("<h4>PLS-SEM</h4><h5>Paths</h5>" + self.paths.to_html(index=False, float_format=f)
                + "<h5>R²</h5>" + self.r2.to_html(index=False, float_format=f)
                + "<h5>Reliability</h5>" + self.reliability.to_html(index=False, float_format=f))


# --------------------------------------------------------------------------- main
def _prepare(data: pd.DataFrame, indicators: list[str], missing: str,
             na_values: Sequence[float]) -> tuple[pd.DataFrame, dict[str, int]]:
    for it in indicators:
        if it not in data.columns:
            raise ModelSpecError(f"indicator {it!r} is not a column of data")
    X = data[indicators].copy()
    for it in indicators:
        if not pd.api.types.is_numeric_dtype(X[it]):
            try:
                X[it] = pd.to_numeric(X[it])
            except (ValueError, TypeError) as exc:
                raise ModelSpecError(f"indicator {it!r} is not numeric; recode its labels as "
                                     "numbers") from exc
    X = X.astype(float)
    if na_values:
        X = X.mask(X.isin(list(na_values)))
    nmiss = int(X.isna().sum().sum())
    rows = int(X.isna().any(axis=1).sum())
    info = {"n_input": len(X), "n_missing_values": nmiss, "n_rows_with_missing": rows}
    if nmiss:
        cols = [c for c in indicators if X[c].isna().any()]
        msg = f"{nmiss} missing values in {rows} rows (indicators: {', '.join(cols[:8])})"
        if missing == "raise":
            raise DataQualityError(msg + "; pass missing='mean' or 'listwise', or impute them")
        if missing == "mean":
            warnings.warn(msg + "; replaced by the indicator means (missing='mean')",
                          DataQualityWarning, stacklevel=3)
            X = X.fillna(X.mean())
        else:
            warnings.warn(msg + "; those rows are dropped (missing='listwise')",
                          DataQualityWarning, stacklevel=3)
            X = X.dropna()
    sd = X.std()
    zero = [c for c in indicators if not sd[c] > 0]
    if zero:
        raise ModelSpecError(f"indicator(s) {', '.join(zero)} have zero variance; drop them "
                             "from measurement")
    return X, info


def _fit_point(Xv: np.ndarray, model: _Model, max_iter: int, tol: float,
               scheme: str = "path") -> tuple[np.ndarray, int, bool, np.ndarray]:
    mu = Xv.mean(axis=0)
    sd = Xv.std(axis=0, ddof=1)
    Z = (Xv - mu) / sd
    S = np.corrcoef(Z, rowvar=False)[None]
    W, it, conv = _pls_core(S, model, max_iter, tol, scheme)
    return W[0], int(it[0]), bool(conv[0]), S[0]


def _check_consistent(S: np.ndarray, W: np.ndarray, model: _Model) -> None:
    """PLSc needs rho_A > 0 in every corrected block; corrected correlations above 1
    (a Heywood case) are inadmissible and reported."""
    rho = _rho_a(S[None], W[None], model, mode_a_only=True)[0]
    bad = [model.constructs[j] for j, _ in _multi_item_blocks(model, mode_a_only=True)
           if not rho[j] > 0]
    if bad:
        raise ModelSpecError(f"rho_A of {', '.join(bad)} is not positive, so PLSc cannot "
                             "correct it; check the indicators' signs and loadings, or fit "
                             "PLS (consistent=False) or declare the block Mode B")
    C = _estimates(S[None], W[None], model, consistent=True)[0][0]
    K = len(model.constructs)
    off = np.abs(C[~np.eye(K, dtype=bool)])
    if (off > 1).any():
        warnings.warn("PLSc gives a construct correlation above 1 in absolute value (a "
                      "Heywood case): the corrected estimates are inadmissible; check "
                      "low-rho_A constructs or use PLS (consistent=False)",
                      StatisticalWarning, stacklevel=3)


def pls_sem(data: pd.DataFrame, *, measurement: Mapping[str, Sequence[str]],
            structural: Sequence[tuple[str, str]] | Mapping[str, Sequence[str]],
            mode: Mapping[str, Mode] | None = None, n_boot: int = 5000,
            seed: int | np.random.SeedSequence | None = None, ci: float = 0.95,
            boot_ci: BootCI = "percentile", missing: Missing = "mean",
            na_values: Sequence[float] = (), max_iter: int = 300, tol: float = 1e-7,
            q2_folds: int = 10, clusters: str | None = None, n_jobs: int | None = None,
            progress: bool | None = None, scheme: Scheme = "path",
            consistent: bool = False) -> PLSResult:
    """Estimate a PLS path model (PLS or consistent PLSc) and bootstrap it.

    Parameters
    ----------
    data : pandas.DataFrame
        Indicator data, one row per case.
    measurement : mapping
        Construct name -> list of indicator columns.
    structural : list of (from, to) pairs, or mapping to -> list of from
        The (recursive) structural model.
    mode : mapping, optional
        Construct -> ``"A"`` (reflective / correlation weights, the default) or ``"B"``
        (formative / regression weights).
    n_boot : int
        Bootstrap resamples (0 to skip the bootstrap).
    seed : int or numpy.random.SeedSequence
        Bootstrap seed (also used for the PLSpredict folds).
    ci : float
        Confidence level of the bootstrap intervals.
    boot_ci : {"percentile", "bc"}
        Interval type.
    missing : {"mean", "listwise", "raise"}
        Missing indicator values: mean replacement (the SmartPLS / seminr default),
        listwise deletion or an error. A warning reports how many were handled.
    na_values : sequence of float
        Codes meaning missing (e.g. ``[-99]``).
    max_iter, tol : int, float
        Iteration cap and convergence tolerance (largest weight change). Not
        converging within the cap raises :class:`~egovstudy.errors.ConvergenceError`;
        bootstrap resamples that do not converge are counted as failed.
    q2_folds : int
        Folds of PLSpredict for Q²_predict (0 to skip).
    clusters : str, optional
        Column of cluster labels for a cluster bootstrap.
    n_jobs : int, optional
        Bootstrap workers: ``None`` (default) threads on every core, ``1`` one
        thread, other values joblib workers (see :func:`egovstudy.bootstrap.bootstrap`).
        The numbers do not depend on it.
    progress : bool, optional
        Progress bar (default: only for long runs).
    scheme : {"path", "factorial", "centroid"}
        Inner weighting scheme (``"path"``: the SmartPLS and seminr default).
    consistent : bool
        Consistent PLS (PLSc; Dijkstra & Henseler 2015): the Mode A blocks with two or
        more indicators are treated as common factors -- construct correlations are
        corrected for attenuation with ``rho_A``, loadings become
        ``sqrt(rho_A) / (w'w) * w`` -- and paths, R², f², inner VIF, total and
        indirect effects, rho_c and AVE follow from the corrected estimates (as in
        SmartPLS's PLSc and seminr's ``reflective()`` constructs). Weights, HTMT,
        cross-loadings and Q²_predict stay those of PLS.

    Returns
    -------
    PLSResult

    Examples
    --------
    >>> rng = np.random.default_rng(3)
    >>> f = rng.normal(size=(300, 1))
    >>> g = 0.6 * f + 0.8 * rng.normal(size=(300, 1))
    >>> d = pd.DataFrame(np.hstack([f + 0.6 * rng.normal(size=(300, 3)),
    ...                             g + 0.6 * rng.normal(size=(300, 3))]),
    ...                  columns=["x1", "x2", "x3", "y1", "y2", "y3"])
    >>> res = pls_sem(d, measurement={"X": ["x1", "x2", "x3"], "Y": ["y1", "y2", "y3"]},
    ...               structural=[("X", "Y")], n_boot=500, seed=1, q2_folds=0)
    >>> bool(0.4 < res.paths.loc[0, "estimate"] < 0.7), res.boot.n_failed
    (True, 0)
    """
    from scipy import stats

    if not isinstance(data, pd.DataFrame):
        raise ModelSpecError(f"data is a {type(data).__name__}; pass a pandas DataFrame")
    if missing not in ("mean", "listwise", "raise"):
        raise ModelSpecError(f"missing={missing!r}: choose one of 'mean', 'listwise', 'raise'")
    if boot_ci not in ("percentile", "bc"):
        raise ModelSpecError(f"boot_ci={boot_ci!r}: choose one of 'percentile', 'bc'")
    if not 0 < ci < 1:
        raise ModelSpecError(f"ci={ci!r}: pass a confidence level between 0 and 1")
    if scheme not in ("path", "factorial", "centroid"):
        raise ModelSpecError(f"scheme={scheme!r}: choose one of 'path', 'factorial', "
                             "'centroid'")
    model = _parse_model(measurement, structural, mode)
    X, missing_info = _prepare(data, model.indicators, missing, na_values)
    n = len(X)
    p = len(model.indicators)
    if n < max(10, p // 2):
        raise InsufficientDataError(f"only {n} complete cases for {p} indicators; PLS-SEM "
                                    "needs more cases")
    Xv = X.to_numpy()
    W, iters, conv, S = _fit_point(Xv, model, max_iter, tol, scheme)
    if not conv:
        raise ConvergenceError(f"the PLS algorithm did not converge within max_iter={max_iter} "
                               f"iterations (tol={tol:g}); raise max_iter or check the "
                               "measurement model (e.g. near-collinear Mode B indicators)")
    if consistent:
        _check_consistent(S, W, model)
    C, L, B, r2 = (a[0] for a in _estimates(S[None], W[None], model, consistent))
    cons = model.constructs
    K = len(cons)
    cidx = {c: j for j, c in enumerate(cons)}
    rows = {c: np.flatnonzero(model.mask[:, j]) for j, c in enumerate(cons)}
    ind_paths = _indirect_paths(model)
    tot = np.linalg.inv(np.eye(K) - B) - np.eye(K)
    # total effects for every pair linked by a directed path
    reach = model.adj.copy()
    for _ in range(K):
        reach = np.minimum(1, reach + reach @ model.adj)
    total_pairs = [(i, j) for i in range(K) for j in range(K) if reach[i, j]]
    path_idx = [(cidx[f], cidx[t]) for f, t in model.paths]
    ind_rows = np.array([int(np.flatnonzero(model.mask[r])[0]) for r in range(p)])

    def stat_from_S(Sb: np.ndarray) -> np.ndarray:
        Wb, _, cv = _pls_core(Sb, model, max_iter, tol, scheme)
        _, Lb, Bb, r2b = _estimates(Sb, Wb, model, consistent)
        bsz = Sb.shape[0]
        eye = np.broadcast_to(np.eye(K), (bsz, K, K))
        Tb = np.linalg.inv(eye - Bb) - eye
        cols = [Bb[:, i, j] for i, j in path_idx]
        cols += [Lb[:, r, ind_rows[r]] for r in range(p)]
        cols += [Wb[:, r, ind_rows[r]] for r in range(p)]
        cols += [Tb[:, i, j] for i, j in total_pairs]
        for chain in ind_paths:
            v = np.ones(bsz)
            for a, c in pairwise(chain):
                v = v * Bb[:, a, c]
            cols.append(v)
        cols += [r2b[:, cidx[c]] for c in model.endogenous]
        H = _htmt(Sb, model)
        cols += [H[:, i, j] for i in range(K) for j in range(i + 1, K)]
        out = np.column_stack(cols)
        out[~cv] = np.nan
        return out

    # pair products of standardized data for weighted correlation matrices
    Z = (Xv - Xv.mean(axis=0)) / Xv.std(axis=0, ddof=1)
    P = _moments(Z)

    def statistic(counts: np.ndarray) -> np.ndarray:
        Sb, bad = _corr_from_sums(np.asarray(counts, dtype=float) @ P, p)
        out = stat_from_S(Sb)
        out[bad] = np.nan
        return out

    est = stat_from_S(S[None])[0]
    names = ([f"path:{f} -> {t}" for f, t in model.paths]
             + [f"loading:{model.indicators[r]}" for r in range(p)]
             + [f"weight:{model.indicators[r]}" for r in range(p)]
             + [f"total:{cons[i]} -> {cons[j]}" for i, j in total_pairs]
             + ["indirect:" + " -> ".join(cons[k] for k in ch) for ch in ind_paths]
             + [f"r2:{c}" for c in model.endogenous]
             + [f"htmt:{cons[i]}|{cons[j]}" for i in range(K) for j in range(i + 1, K)])
    boot: BootstrapResult | None = None
    if n_boot:
        clus = data.loc[X.index, clusters].to_numpy() if clusters else None
        if clusters and clusters not in data.columns:
            raise ModelSpecError(f"clusters={clusters!r} is not a column of data")
        boot = bootstrap(statistic, n, n_boot=n_boot, seed=seed_sequence(seed), clusters=clus,
                         estimate=est, names=names, n_jobs=n_jobs, progress=progress)
        lo, hi = boot.ci(ci, boot_ci)
        se = boot.std_error()
        tval = est / se
        pval = 2 * stats.t.sf(np.abs(tval), df=max(boot.n_boot - boot.n_failed - 1, 1))
    else:
        lo = hi = se = tval = pval = np.full(len(names), np.nan)
    pos = {nm: k for k, nm in enumerate(names)}

    def cols_for(keys: list[str]) -> dict[str, Any]:
        k = [pos[x] for x in keys]
        return {"estimate": est[k], "std_error": se[k], "statistic": tval[k],
                "p_value": pval[k], "ci_low": lo[k], "ci_high": hi[k]}

    paths = pd.DataFrame({"from": [f for f, _ in model.paths], "to": [t for _, t in model.paths],
                          **cols_for([f"path:{f} -> {t}" for f, t in model.paths])})
    ind_cons = [cons[ind_rows[r]] for r in range(p)]
    loadings = pd.DataFrame({"construct": ind_cons, "indicator": model.indicators,
                             **cols_for([f"loading:{i}" for i in model.indicators])})
    weights = pd.DataFrame({"construct": ind_cons, "indicator": model.indicators,
                            **cols_for([f"weight:{i}" for i in model.indicators])})
    tot_keys = [f"total:{cons[i]} -> {cons[j]}" for i, j in total_pairs]
    total_effects = pd.DataFrame({"term": [k.split(":", 1)[1] for k in tot_keys],
                                  **cols_for(tot_keys)})
    total_effects["total_indirect"] = [tot[i, j] - B[i, j] for i, j in total_pairs]
    ind_keys = ["indirect:" + " -> ".join(cons[k] for k in ch) for ch in ind_paths]
    indirect = pd.DataFrame({"term": [k.split(":", 1)[1] for k in ind_keys],
                             **cols_for(ind_keys)}) if ind_keys else pd.DataFrame(
        columns=["term", "estimate", "std_error", "statistic", "p_value", "ci_low", "ci_high"])
    # cross-loadings are those of the PLS composites (PLSc changes only own loadings)
    L_pls = _estimates(S[None], W[None], model)[1][0] if consistent else L
    cross = pd.DataFrame(L_pls, index=model.indicators, columns=cons)
    ccor = pd.DataFrame(C, index=cons, columns=cons)

    # R2, adjusted R2, f2, VIF
    r2_rows, f2_rows, vif_rows = [], [], []
    for c, pr in model.preds.items():
        j = cidx[c]
        k = len(pr)
        r2_rows.append({"construct": c, "r2": r2[j],
                        "adj_r2": 1 - (1 - r2[j]) * (n - 1) / (n - k - 1)})
        pj = [cidx[q] for q in pr]
        Cinv = np.linalg.inv(C[np.ix_(pj, pj)])
        for a, q in enumerate(pr):
            rest = [x for x in pj if x != cidx[q]]
            if rest:
                G = C[np.ix_(rest, rest)]
                h = C[rest, j]
                r2_ex = float(h @ np.linalg.solve(G, h))
            else:
                r2_ex = 0.0
            f2_rows.append({"from": q, "to": c, "f2": (r2[j] - r2_ex) / (1 - r2[j])})
            vif_rows.append({"from": q, "to": c, "vif": float(Cinv[a, a])})
    # reliability
    rel_rows = []
    rho_all = _rho_a(S[None], W[None], model)[0]
    for c in cons:
        r = rows[c]
        lam = L[r, cidx[c]]
        Sb = S[np.ix_(r, r)]
        kk = len(r)
        if kk > 1:
            rbar = (Sb.sum() - kk) / (kk * (kk - 1))
            alpha = kk * rbar / (1 + (kk - 1) * rbar)
        else:
            alpha = 1.0
        rho_c = lam.sum() ** 2 / (lam.sum() ** 2 + (1 - lam**2).sum())
        rel_rows.append({"construct": c, "mode": model.modes[c], "alpha": alpha,
                         "rho_c": rho_c, "rho_a": float(rho_all[cidx[c]]),
                         "ave": float((lam**2).mean())})
    H = _htmt(S[None], model)[0]
    htmt = pd.DataFrame(H, index=cons, columns=cons).where(np.tril(np.ones((K, K)), -1) > 0)
    scores = pd.DataFrame(Z @ W, index=X.index, columns=cons)
    q2 = _plspredict(Xv, model, B, q2_folds, seed, max_iter, tol, scheme) if q2_folds else \
        pd.DataFrame(columns=["construct", "indicator", "q2_predict", "rmse", "mae"])
    return PLSResult(
        n=n, iterations=iters, paths=paths, outer_loadings=loadings, outer_weights=weights,
        cross_loadings=cross, construct_correlations=ccor, r2=pd.DataFrame(r2_rows),
        f2=pd.DataFrame(f2_rows), vif=pd.DataFrame(vif_rows),
        reliability=pd.DataFrame(rel_rows), htmt=htmt, q2=q2, total_effects=total_effects,
        indirect_effects=indirect, scores=scores, boot=boot,
        options={"n_boot": n_boot, "ci": ci, "boot_ci": boot_ci, "missing": missing,
                 **missing_info, "clusters": clusters, "seed": seed if isinstance(
                     seed, int | np.integer) else None,
                 "max_iter": max_iter, "tol": tol, "q2_folds": q2_folds,
                 "scheme": scheme, "consistent": consistent,
                 "seed_entropy": boot.seed_entropy if boot is not None else None})


def _plspredict(Xv: np.ndarray, model: _Model, B_full: np.ndarray, folds: int, seed: Any,
                max_iter: int, tol: float, scheme: str = "path") -> pd.DataFrame:
    """PLSpredict (Shmueli et al. 2016), earliest-antecedent predictions, k folds.

    Q²_predict = 1 - SSE / SS around the training-fold mean, per endogenous indicator
    and (on construct scores computed with the training weights) per endogenous
    construct.
    """
    n, p = Xv.shape
    if folds < 2 or folds > n // 2:
        raise ModelSpecError(f"q2_folds={folds}: pass 0 (skip) or 2..{n // 2}")
    cons = model.constructs
    K = len(cons)
    exo = [j for j, c in enumerate(cons) if c not in model.preds]
    endo = [j for j, c in enumerate(cons) if c in model.preds]
    ind_con = np.array([int(np.flatnonzero(model.mask[r])[0]) for r in range(p)])
    rng = np.random.default_rng(seed_sequence(seed).spawn(1)[0] if seed is not None else 0)
    fold_of = rng.permutation(np.arange(n) % folds)
    pred = np.zeros_like(Xv)
    base = np.zeros_like(Xv)
    sc_pred = np.zeros((n, K))
    sc_true = np.zeros((n, K))
    for f in range(folds):
        tr, te = fold_of != f, fold_of == f
        W, _, conv, S = _fit_point(Xv[tr], model, max_iter, tol, scheme)
        if not conv:
            raise ConvergenceError(f"PLSpredict fold {f + 1} did not converge within "
                                   f"max_iter={max_iter}")
        _, L, B, _ = (a[0] for a in _estimates(S[None], W[None], model))
        T = np.linalg.inv(np.eye(K) - B)
        mu, sd = Xv[tr].mean(axis=0), Xv[tr].std(axis=0, ddof=1)
        Zte = (Xv[te] - mu) / sd
        Y = Zte @ W
        Yhat = Y[:, exo] @ T[np.ix_(exo, range(K))]
        sc_pred[te] = Yhat
        sc_true[te] = Y
        lam = L[np.arange(p), ind_con]
        pred[te] = (Yhat[:, ind_con] * lam) * sd + mu
        base[te] = mu
    rows = []
    for r in range(p):
        if ind_con[r] in endo:
            e = Xv[:, r] - pred[:, r]
            rows.append({"construct": cons[ind_con[r]], "indicator": model.indicators[r],
                         "q2_predict": 1 - (e**2).sum() / ((Xv[:, r] - base[:, r]) ** 2).sum(),
                         "rmse": float(np.sqrt((e**2).mean())), "mae": float(np.abs(e).mean())})
    for j in endo:
        e = sc_true[:, j] - sc_pred[:, j]
        rows.append({"construct": cons[j], "indicator": "",
                     "q2_predict": 1 - (e**2).sum() / (sc_true[:, j] ** 2).sum(),
                     "rmse": float(np.sqrt((e**2).mean())), "mae": float(np.abs(e).mean())})
    return pd.DataFrame(rows)
