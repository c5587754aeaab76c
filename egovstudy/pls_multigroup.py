"""PLS multigroup analysis: MICOM and group comparisons of path coefficients.

Two or more groups are compared pairwise. For every pair the cases of both groups are
pooled and the group labels permuted (group sizes fixed); every permutation gives

* the path coefficients of both groups and their difference (the permutation test of
  Chin & Dibbern 2010),
* MICOM step 2 (Henseler, Ringle & Sarstedt 2016): the correlation ``c`` between the
  composite scores of the pooled data computed with the weights of group 1 and with
  those of group 2,
* MICOM step 3: the difference of the composite means and of the log composite
  variances between the groups, the composites scored with the pooled weights.

Each group is also bootstrapped on its own, for Henseler's PLS-MGA (Henseler, Ringle &
Sinkovics 2009; the one-sided p as seminr's ``estimate_pls_mga`` and SmartPLS report
it) and for the parametric (Keil et al. 2000) and Welch-Satterthwaite tests, which use
the groups' bootstrap standard errors (formulas as in Sarstedt, Henseler & Ringle 2011
and the SmartPLS documentation).

Speed: a permutation only changes which cases are summed into each group, so the
indicator correlation matrices of both groups follow from one matrix product
``membership @ P`` (``P``: the pairwise products of the pooled standardized indicators,
as in :mod:`egovstudy.pls`), and the PLS algorithm then runs on all permutations of a
batch at once (:func:`egovstudy.pls._pls_core`). No library does MICOM or PLS-MGA in
Python with batched resampling, hence our own code. Permutations and bootstraps draw
from :class:`numpy.random.SeedSequence` children in fixed batches
(:data:`egovstudy.bootstrap.BATCH_SIZE`), so the numbers do not depend on ``n_jobs``.

p values of permutation tests are ``(1 + #{as or more extreme}) / (1 + R)`` for ``R``
successful permutations (Phipson & Smyth 2010), never exactly zero.
"""

from __future__ import annotations

import difflib
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

import numpy as np
import pandas as pd

from egovstudy.errors import (
    ConvergenceError,
    DataQualityError,
    DataQualityWarning,
    InsufficientDataError,
    ModelSpecError,
    StatisticalWarning,
)
from egovstudy.pls import _corr_from_sums, _moments

__all__ = ["MGAResult", "MICOMResult", "pls_mga"]

#: Minimum number of permutations (MICOM's 5% quantile needs a tail to read).
MIN_PERMUTATIONS = 20


# --------------------------------------------------------------------------- helpers
def _near(name: Any, known: Sequence[Any]) -> str:
    near = difflib.get_close_matches(str(name), [str(k) for k in known], n=1)
    return f"; did you mean {near[0]!r}?" if near else ""


def _run_permutations(statistic: Callable[[np.ndarray], np.ndarray], first: np.ndarray,
                      n_perm: int, ss: np.random.SeedSequence,
                      n_jobs: int | None) -> np.ndarray:
    """``statistic(membership)`` for ``n_perm`` random relabellings of ``first``.

    Same batching and seeding as :func:`egovstudy.bootstrap.bootstrap`: batch ``i``
    draws from the ``i``-th spawned child of ``ss``, so any number of threads gives the
    same numbers.
    """
    from egovstudy._blas import single_thread_blas
    from egovstudy.bootstrap import BATCH_SIZE, _batches, _thread_pool, _usable_cores

    base = first.astype(float)

    def one(batch: tuple[int, int, np.random.SeedSequence]) -> np.ndarray:
        _, size, child = batch
        rng = np.random.default_rng(child)
        m = rng.permuted(np.tile(base, (size, 1)), axis=1)
        return np.asarray(statistic(m), dtype=float)

    batches = _batches(int(n_perm), BATCH_SIZE, ss)
    cores = _usable_cores() if n_jobs is None or n_jobs == -1 else int(n_jobs)
    with single_thread_blas(), _thread_pool(min(cores, len(batches))) as pool:
        return np.concatenate(list(pool.map(one, batches)), axis=0)


def _perm_p(orig: np.ndarray, perm: np.ndarray) -> np.ndarray:
    """Two-sided permutation p of every column: (1 + #|perm| >= |orig|) / (1 + R)."""
    ok = np.isfinite(perm)
    hits = ((np.abs(perm) >= np.abs(orig) - 1e-12) & ok).sum(axis=0)
    return (1 + hits) / (1 + ok.sum(axis=0))


def henseler_p(boot_1: np.ndarray, boot_2: np.ndarray) -> float:
    """Henseler's PLS-MGA p value for ``H1: theta_1 > theta_2`` (one-sided).

    ``p = 1 - #{(j, i): 2 mean_1 - b1_j - 2 mean_2 + b2_i > 0} / (J_1 J_2)`` over all
    pairs of bootstrap estimates (Henseler, Ringle & Sinkovics 2009, as implemented
    in seminr's ``estimate_pls_mga``). A value below 0.05 says group 1's coefficient
    is larger, above 0.95 that it is smaller. Counted by sorting (``O(J log J)``)
    instead of forming the ``J_1 x J_2`` grid.

    Examples
    --------
    >>> round(henseler_p(np.array([0.5, 0.6, 0.7]), np.array([0.1, 0.2, 0.3])), 4)
    0.0
    >>> round(henseler_p(np.array([0.1, 0.2]), np.array([0.1, 0.2])), 4)
    0.75
    """
    b1 = np.asarray(boot_1, dtype=float)
    b2 = np.asarray(boot_2, dtype=float)
    b1, b2 = b1[np.isfinite(b1)], b2[np.isfinite(b2)]
    u = 2 * b1.mean() - b1                    # count pairs with u_j > v_i
    v = np.sort(2 * b2.mean() - b2)
    hits = np.searchsorted(v, u, side="left").sum()
    return float(1 - hits / (len(u) * len(v)))


def _parametric(b1: np.ndarray, b2: np.ndarray, se1: np.ndarray, se2: np.ndarray,
                n1: int, n2: int) -> tuple[np.ndarray, np.ndarray]:
    """Two-sided p of the parametric (equal variances; Keil et al. 2000) and the
    Welch-Satterthwaite (unequal variances) tests of ``b1 - b2``.

    Parametric: ``t = (b1 - b2) / (sqrt((n1-1)^2/(n1+n2-2) se1^2 + (n2-1)^2/(n1+n2-2)
    se2^2) sqrt(1/n1 + 1/n2))``, ``df = n1 + n2 - 2``. Welch: ``t = (b1 - b2) /
    sqrt((n1-1)/n1 se1^2 + (n2-1)/n2 se2^2)``, ``df = ((n1-1)/n1 se1^2 + (n2-1)/n2
    se2^2)^2 / ((n1-1)/n1^2 se1^4 + (n2-1)/n2^2 se2^4) - 2`` (Sarstedt, Henseler &
    Ringle 2011; SmartPLS documentation). ``se``: the groups' bootstrap standard errors.
    """
    from scipy import stats

    d = b1 - b2
    df_p = n1 + n2 - 2
    s_p = np.sqrt((n1 - 1) ** 2 / df_p * se1**2 + (n2 - 1) ** 2 / df_p * se2**2) \
        * np.sqrt(1 / n1 + 1 / n2)
    p_par = 2 * stats.t.sf(np.abs(d / s_p), df_p)
    a1, a2 = (n1 - 1) / n1 * se1**2, (n2 - 1) / n2 * se2**2
    df_w = (a1 + a2) ** 2 / ((n1 - 1) / n1**2 * se1**4 + (n2 - 1) / n2**2 * se2**4) - 2
    p_w = 2 * stats.t.sf(np.abs(d / np.sqrt(a1 + a2)), np.maximum(df_w, 1))
    return p_par, p_w


# --------------------------------------------------------------------------- results
@dataclass(frozen=True)
class MICOMResult:
    """Measurement invariance of composite models (Henseler, Ringle & Sarstedt 2016).

    Attributes
    ----------
    configural : pandas.DataFrame
        Step 1, a check list (check, met, note).
    compositional : pandas.DataFrame
        Step 2 per group pair and construct: ``c`` (correlation of the composite scores
        from the two groups' weights), ``q05`` (5% quantile of ``c`` over the
        permutations), ``p_value`` (share of permutations with ``c`` at most the
        original) and ``invariant`` (``p_value >= 0.05``, i.e. ``c`` not below ``q05``).
    equality : pandas.DataFrame
        Step 3 per group pair and construct: ``mean_diff`` (group 1 - group 2 composite
        mean, pooled weights and pooled standardization), ``logvar_diff``
        (``log var_1 - log var_2``), their permutation ``ci_low``/``ci_high`` (95%) and
        two-sided ``p`` values, and ``equal_means``/``equal_variances`` (``p >= 0.05``,
        i.e. the difference inside its interval).
    verdict : pandas.DataFrame
        Per group pair and construct: ``"full"``, ``"partial"`` (step 2 holds, step 3
        does not) or ``"none"`` (step 2 fails) measurement invariance.
    """

    configural: pd.DataFrame
    compositional: pd.DataFrame
    equality: pd.DataFrame
    verdict: pd.DataFrame

    @property
    def overall(self) -> str:
        """The weakest construct verdict over all pairs (``full``/``partial``/``none``)."""
        order = {"none": 0, "partial": 1, "full": 2}
        return min(self.verdict["verdict"], key=order.__getitem__)

    def summary(self) -> str:
        """Text report of the three MICOM steps and the verdict."""
        f = "%.3f"
        return "\n".join([
            "MICOM step 1 (configural invariance)", self.configural.to_string(index=False),
            "", "MICOM step 2 (compositional invariance)",
            self.compositional.to_string(index=False, float_format=f), "",
            "MICOM step 3 (equal composite means and variances)",
            self.equality.to_string(index=False, float_format=f), "",
            f"Measurement invariance: {self.overall}",
            self.verdict.to_string(index=False)])


@dataclass(frozen=True)
class MGAResult:
    """Result of :func:`pls_mga`.

    Attributes
    ----------
    groups : pandas.DataFrame
        group, n.
    paths : pandas.DataFrame
        One row per group pair and path: ``group_1``, ``group_2``, ``term``, ``from``,
        ``to``, ``estimate_1``, ``estimate_2``, ``std_error_1``, ``std_error_2``
        (bootstrap), ``difference`` (group 1 - group 2), ``p_permutation`` (Chin &
        Dibbern), ``p_mga_one_sided`` (Henseler, ``H1: group 1 > group 2``),
        ``p_mga`` (two-sided, ``2 min(p, 1 - p)``), ``p_parametric``, ``p_welch`` and
        ``verdict`` (``"different"`` when ``p_permutation < alpha``, else
        ``"not different"``).
    micom : MICOMResult
    boot : dict
        Group -> bootstrap path estimates (one column per path, ``NaN`` rows failed).
    options : dict
        Permutations, resamples, seed entropy, failed resamples.
    """

    groups: pd.DataFrame
    paths: pd.DataFrame
    micom: MICOMResult
    boot: dict[Any, pd.DataFrame] = field(default_factory=dict)
    options: dict[str, Any] = field(default_factory=dict)

    def tidy(self) -> pd.DataFrame:
        """The path comparisons (one row per pair and path)."""
        return self.paths.copy()

    def summary(self) -> str:
        """Text report: groups, path comparisons, MICOM."""
        return "\n".join([
            "PLS multigroup analysis", self.groups.to_string(index=False), "",
            self.paths.drop(columns=["from", "to"]).to_string(index=False, float_format="%.3f"),
            "", self.micom.summary(), "",
            f"{self.options.get('n_perm')} permutations, {self.options.get('n_boot')} bootstrap "
            f"resamples per group; seed entropy {self.options.get('seed_entropy')}"])

    def _repr_html_(self) -> str:
        f = "%.3f"
        return ("<h4>PLS multigroup analysis</h4>"
                + self.paths.to_html(index=False, float_format=f)
                + "<h5>MICOM step 2</h5>"
                + self.micom.compositional.to_html(index=False, float_format=f)
                + "<h5>MICOM step 3</h5>"
                + self.micom.equality.to_html(index=False, float_format=f))


# --------------------------------------------------------------------------- checks
def _group_labels(data: pd.DataFrame, group: str, rows: pd.Index,
                  groups: Sequence[Any] | None) -> tuple[pd.Series, list[Any], list[Any]]:
    if not isinstance(group, str) or group not in data.columns:
        raise ModelSpecError(f"group={group!r} is not a column of data"
                             f"{_near(group, list(data.columns))}")
    g = data.loc[rows, group]
    nmiss = int(g.isna().sum())
    if nmiss:
        warnings.warn(f"group column {group!r} is missing for {nmiss} cases; they are left "
                      "out of the multigroup analysis", DataQualityWarning, stacklevel=3)
        g = g.dropna()
    present = list(g.cat.categories[g.cat.categories.isin(g.unique())]) \
        if isinstance(g.dtype, pd.CategoricalDtype) else sorted(g.unique(), key=str)
    if groups is None:
        chosen = present
    else:
        if isinstance(groups, str) or not isinstance(groups, Sequence):
            raise ModelSpecError(f"groups={groups!r}: pass a list of labels of column "
                                 f"{group!r}, e.g. {present[:2]!r}")
        chosen = []
        for lab in groups:
            hit = [x for x in present if x == lab or str(x) == str(lab)]
            if not hit:
                raise ModelSpecError(f"groups names {lab!r}, which is not a value of column "
                                     f"{group!r}{_near(lab, present)}")
            chosen.append(hit[0])
        if len({str(x) for x in chosen}) != len(chosen):
            raise ModelSpecError(f"groups={list(groups)!r} names a group twice")
    if len(chosen) < 2:
        raise InsufficientDataError(f"group column {group!r} has {len(chosen)} group(s) "
                                    f"({', '.join(map(str, chosen))}); a multigroup analysis "
                                    "needs at least two")
    return g[g.isin(chosen)], chosen, present


def _check_group(Xg: pd.DataFrame, label: Any, group: str, p: int) -> None:
    n = len(Xg)
    need = max(p + 1, 10)
    if n < need:
        raise InsufficientDataError(f"group {label!r} of column {group!r} has {n} cases, "
                                    f"fewer than the {need} needed for {p} indicators; merge "
                                    "it with another group or leave it out with groups=[...]")
    sd = Xg.std()
    const = [c for c in Xg.columns if not sd[c] > 0]
    if const:
        raise DataQualityError(f"indicator(s) {', '.join(map(repr, const))} are constant within "
                               f"group {label!r} of column {group!r}; the group's weights cannot "
                               "be estimated: drop the indicator or leave the group out")


# --------------------------------------------------------------------------- main
def pls_mga(data: pd.DataFrame, *, group: str, measurement: Mapping[str, Sequence[str]],
            structural: Sequence[tuple[str, str]] | Mapping[str, Sequence[str]],
            mode: Mapping[str, str] | None = None, groups: Sequence[Any] | None = None,
            n_perm: int = 5000, n_boot: int = 5000,
            seed: int | np.random.SeedSequence | None = None, alpha: float = 0.05,
            scheme: str = "path", consistent: bool = False, missing: str = "mean",
            na_values: Sequence[float] = (), max_iter: int = 300, tol: float = 1e-7,
            n_jobs: int | None = None) -> MGAResult:
    """PLS multigroup analysis with MICOM for two or more groups (pairwise).

    Parameters
    ----------
    data : pandas.DataFrame
        Indicators and the group column, one row per case.
    group : str
        Column holding the group of each case (e.g. ``"gender"``).
    measurement, structural, mode :
        The PLS model, as in :func:`egovstudy.pls.pls_sem`.
    groups : sequence, optional
        Which groups to compare, in this order (default: all, in category or sorted
        order). Pairs are ``(groups[i], groups[j])`` for ``i < j``; differences are
        group 1 - group 2.
    n_perm : int
        Permutations per pair (5,000 as SmartPLS recommends; at least 20).
    n_boot : int
        Bootstrap resamples per group for PLS-MGA and the parametric tests
        (0 skips them; their columns are then ``NaN``).
    seed : int or numpy.random.SeedSequence
        Root seed; the same seed gives the same numbers for any ``n_jobs``.
    alpha : float
        Level of the verdicts (MICOM's quantiles are fixed at 5% and 95% intervals).
    scheme, consistent, missing, na_values, max_iter, tol :
        As in :func:`egovstudy.pls.pls_sem` (missing values are handled on the pooled
        data before the split).
    n_jobs : int, optional
        Threads (``None`` or ``-1``: every core). The numbers do not depend on it.

    Returns
    -------
    MGAResult

    Notes
    -----
    MICOM step 3 scores the composites on the pooled data (standardized over the pair
    of groups) with the weights of the pooled model; those do not depend on the labels,
    so only the group means and variances change from one permutation to the next.
    The verdict per construct follows Henseler et al. (2016): no invariance when
    ``c`` is below its 5% permutation quantile, partial invariance when step 2 holds
    but a mean or log-variance difference lies outside its 95% permutation interval,
    full invariance otherwise. Each decision is read from the permutation p value
    reported beside it (``p < 0.05``), so a table never shows a p above .05 next to a
    failed step; the quantiles and intervals are reported as well.

    Examples
    --------
    >>> rng = np.random.default_rng(5)
    >>> f = rng.normal(size=(400, 1))
    >>> grp = np.repeat(["a", "b"], 200)
    >>> g = np.where(grp == "a", 0.7, 0.1)[:, None] * f + 0.7 * rng.normal(size=(400, 1))
    >>> d = pd.DataFrame(np.hstack([f + 0.6 * rng.normal(size=(400, 3)),
    ...                             g + 0.6 * rng.normal(size=(400, 3))]),
    ...                  columns=["x1", "x2", "x3", "y1", "y2", "y3"]).assign(grp=grp)
    >>> res = pls_mga(d, group="grp", measurement={"X": ["x1", "x2", "x3"],
    ...               "Y": ["y1", "y2", "y3"]}, structural=[("X", "Y")],
    ...               n_perm=500, n_boot=500, seed=1)
    >>> row = res.paths.iloc[0]
    >>> bool(row["difference"] > 0.3), row["verdict"], bool(row["p_mga_one_sided"] < 0.05)
    (True, 'different', True)
    """
    from egovstudy.bootstrap import bootstrap, seed_sequence
    from egovstudy.pls import (
        _check_consistent,
        _estimates,
        _fit_point,
        _parse_model,
        _pls_core,
        _prepare,
    )

    if not isinstance(data, pd.DataFrame):
        raise ModelSpecError(f"data is a {type(data).__name__}; pass a pandas DataFrame")
    for name, val, low in (("n_perm", n_perm, MIN_PERMUTATIONS), ("n_boot", n_boot, 0)):
        if isinstance(val, bool) or not isinstance(val, int | np.integer) or val < low:
            raise ModelSpecError(f"{name}={val!r}: pass an integer >= {low} (e.g. 5000)")
    if not 0 < alpha < 0.5:
        raise ModelSpecError(f"alpha={alpha!r}: pass a level between 0 and 0.5, e.g. 0.05")
    if scheme not in ("path", "factorial", "centroid"):
        raise ModelSpecError(f"scheme={scheme!r}: choose one of 'path', 'factorial', "
                             "'centroid'")
    if missing not in ("mean", "listwise", "raise"):
        raise ModelSpecError(f"missing={missing!r}: choose one of 'mean', 'listwise', 'raise'")
    if n_jobs is not None and (isinstance(n_jobs, bool) or not isinstance(n_jobs, int)
                               or n_jobs == 0 or n_jobs < -1):
        raise ModelSpecError(f"n_jobs={n_jobs!r}: pass None (every core), a positive int "
                             "or -1")
    model = _parse_model(measurement, structural, mode)
    X, _ = _prepare(data, model.indicators, missing, na_values)
    labels, chosen, present = _group_labels(data, group, X.index, groups)
    X = X.loc[labels.index]
    p = len(model.indicators)
    K = len(model.constructs)
    cidx = {c: j for j, c in enumerate(model.constructs)}
    path_idx = [(cidx[f], cidx[t]) for f, t in model.paths]
    terms = [f"{f} -> {t}" for f, t in model.paths]
    members = {lab: (labels == lab).to_numpy() for lab in chosen}
    Xv = X.to_numpy()
    root = seed_sequence(seed)
    pairs = list(combinations(range(len(chosen)), 2))
    # one stream per group and per unordered pair of the column's groups, so that
    # choosing or reordering groups=[...] leaves every group's and pair's draws alone
    G = len(present)
    kids = root.spawn(G + G * (G - 1) // 2)
    pos = {str(x): i for i, x in enumerate(present)}
    pair_pos = {pr: G + k for k, pr in enumerate(combinations(range(G), 2))}

    def paths_of(S: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        W, _, conv = _pls_core(S, model, max_iter, tol, scheme)
        B = _estimates(S, W, model, consistent)[2]
        return W, np.column_stack([B[:, i, j] for i, j in path_idx]), conv

    # ---- group fits and bootstraps
    est: dict[Any, np.ndarray] = {}
    boots: dict[Any, np.ndarray] = {}
    n_failed: dict[str, int] = {}
    for lab in chosen:
        Xg = X[members[lab]]
        _check_group(Xg, lab, group, p)
        Wg, _, conv, Sg = _fit_point(Xg.to_numpy(), model, max_iter, tol, scheme)
        if not conv:
            raise ConvergenceError(f"the PLS algorithm did not converge in group {lab!r} of "
                                   f"column {group!r} within max_iter={max_iter}; raise "
                                   "max_iter or check that group's indicators")
        if consistent:   # pls_sem's PLSc admissibility checks, naming the group
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                try:
                    _check_consistent(Sg, Wg, model)
                except ModelSpecError as exc:
                    raise ModelSpecError(f"group {lab!r} of column {group!r}: {exc}") from exc
            for w in caught:
                warnings.warn(f"group {lab!r} of column {group!r}: {w.message}",
                              StatisticalWarning, stacklevel=2)
        est[lab] = paths_of(Sg[None])[1][0]
        if n_boot:
            Zg = Xg.to_numpy()
            Zg = (Zg - Zg.mean(axis=0)) / Zg.std(axis=0, ddof=1)

            Pg = _moments(Zg)

            # counts, not the engine's ``moments`` mode: each batch of 500 then runs the
            # PLS algorithm in its own thread instead of all resamples in one call
            def stat(counts: np.ndarray, Pg: np.ndarray = Pg) -> np.ndarray:
                S, bad = _corr_from_sums(counts @ Pg, p)
                _, B, conv = paths_of(S)
                B[bad | ~conv] = np.nan
                return B

            with warnings.catch_warnings():
                warnings.simplefilter("ignore", StatisticalWarning)
                br = bootstrap(stat, len(Zg), n_boot=n_boot, seed=kids[pos[str(lab)]],
                               estimate=est[lab],
                               names=terms, n_jobs=n_jobs, progress=False)
            boots[lab] = br.samples
            n_failed[f"boot:{lab}"] = br.n_failed

    # ---- permutations per pair
    path_rows: list[dict[str, Any]] = []
    comp_rows: list[dict[str, Any]] = []
    eq_rows: list[dict[str, Any]] = []
    verdict_rows: list[dict[str, Any]] = []
    for a, b in pairs:
        la, lb = chosen[a], chosen[b]
        keep = members[la] | members[lb]
        first = members[la][keep]
        Xp = Xv[keep]
        n1, n2 = int(first.sum()), int((~first).sum())
        Zp = (Xp - Xp.mean(axis=0)) / Xp.std(axis=0, ddof=1)
        Sp = np.corrcoef(Zp, rowvar=False)
        Wp, _, conv_p = _pls_core(Sp[None], model, max_iter, tol, scheme)
        if not conv_p[0]:
            raise ConvergenceError(f"the PLS algorithm did not converge on groups {la!r} and "
                                   f"{lb!r} pooled; raise max_iter")
        scores = Zp @ Wp[0]
        P = _moments(Zp, np.hstack([scores, scores**2]))
        total = P.sum(axis=0)
        mq = 1 + p + p * (p + 1) // 2

        def perm_stat(m: np.ndarray, P: np.ndarray = P, total: np.ndarray = total,
                      Sp: np.ndarray = Sp, n1: int = n1, n2: int = n2,
                      mq: int = mq) -> np.ndarray:
            M1 = m @ P
            M2 = total[None] - M1
            bsz = m.shape[0]
            S, bad = _corr_from_sums(np.vstack([M1[:, :mq], M2[:, :mq]]), p)
            W, B, conv = paths_of(S)
            W1, W2 = W[:bsz], W[bsz:]
            num = np.einsum("bpk,pq,bqk->bk", W1, Sp, W2)
            v1 = np.einsum("bpk,pq,bqk->bk", W1, Sp, W1)
            v2 = np.einsum("bpk,pq,bqk->bk", W2, Sp, W2)
            c = num / np.sqrt(v1 * v2)
            s1, s2 = M1[:, mq:mq + K], M2[:, mq:mq + K]
            q1, q2 = M1[:, mq + K:], M2[:, mq + K:]
            mean1, mean2 = s1 / n1, s2 / n2
            var1 = (q1 - n1 * mean1**2) / (n1 - 1)
            var2 = (q2 - n2 * mean2**2) / (n2 - 1)
            with np.errstate(divide="ignore", invalid="ignore"):
                logv = np.log(var1) - np.log(var2)
            out = np.hstack([B[:bsz] - B[bsz:], c, mean1 - mean2, logv])
            fail = bad[:bsz] | bad[bsz:] | ~conv[:bsz] | ~conv[bsz:]
            out[fail] = np.nan
            return out

        orig = perm_stat(first[None].astype(float))[0]
        ia, ib = pos[str(la)], pos[str(lb)]
        perm = _run_permutations(perm_stat, first, n_perm,
                                 kids[pair_pos[(min(ia, ib), max(ia, ib))]], n_jobs)
        failed_rows = ~np.isfinite(perm).all(axis=1)
        perm[failed_rows] = np.nan
        n_failed[f"perm:{la}|{lb}"] = int(failed_rows.sum())
        if failed_rows.all():
            raise InsufficientDataError(f"all {n_perm} permutations of groups {la!r} and {lb!r} "
                                        "failed (constant indicators or no convergence)")
        if failed_rows.any():
            warnings.warn(f"{int(failed_rows.sum())} of {n_perm} permutations of groups {la!r} "
                          f"and {lb!r} failed and are left out", StatisticalWarning,
                          stacklevel=2)
        npth = len(path_idx)
        d_orig, d_perm = orig[:npth], perm[:, :npth]
        p_perm = _perm_p(d_orig, d_perm)
        c_orig, c_perm = orig[npth:npth + K], perm[:, npth:npth + K]
        rest_o, rest_p = orig[npth + K:], perm[:, npth + K:]
        q05 = np.nanquantile(c_perm, 0.05, axis=0)
        ok = np.isfinite(c_perm)
        p_c = (1 + ((c_perm <= c_orig + 1e-12) & ok).sum(axis=0)) / (1 + ok.sum(axis=0))
        lo = np.nanquantile(rest_p, 0.025, axis=0)
        hi = np.nanquantile(rest_p, 0.975, axis=0)
        p_rest = _perm_p(rest_o, rest_p)
        # parametric and PLS-MGA from the group bootstraps
        if n_boot:
            se1 = np.nanstd(boots[la], axis=0, ddof=1)
            se2 = np.nanstd(boots[lb], axis=0, ddof=1)
            p_par, p_w = _parametric(est[la], est[lb], se1, se2, n1, n2)
            p_one = np.array([henseler_p(boots[la][:, k], boots[lb][:, k])
                              for k in range(npth)])
        else:
            se1 = se2 = p_par = p_w = p_one = np.full(npth, np.nan)
        for k, (f, t) in enumerate(model.paths):
            path_rows.append({
                "group_1": la, "group_2": lb, "term": terms[k], "from": f, "to": t,
                "estimate_1": est[la][k], "estimate_2": est[lb][k],
                "std_error_1": se1[k], "std_error_2": se2[k], "difference": d_orig[k],
                "p_permutation": p_perm[k], "p_mga_one_sided": p_one[k],
                "p_mga": 2 * min(p_one[k], 1 - p_one[k]), "p_parametric": p_par[k],
                "p_welch": p_w[k],
                "verdict": "different" if p_perm[k] < alpha else "not different"})
        for j, con in enumerate(model.constructs):
            # decided on the permutation p values printed beside them (the same as the
            # original value inside the permutation interval, up to the quantiles' grid)
            step2 = bool(p_c[j] >= 0.05)
            eq_m = bool(p_rest[j] >= 0.05)
            eq_v = bool(p_rest[K + j] >= 0.05)
            comp_rows.append({"group_1": la, "group_2": lb, "construct": con,
                              "c": c_orig[j], "q05": q05[j], "p_value": p_c[j],
                              "invariant": step2})
            eq_rows.append({"group_1": la, "group_2": lb, "construct": con,
                            "mean_diff": rest_o[j], "mean_ci_low": lo[j],
                            "mean_ci_high": hi[j], "mean_p": p_rest[j], "equal_means": eq_m,
                            "logvar_diff": rest_o[K + j], "var_ci_low": lo[K + j],
                            "var_ci_high": hi[K + j], "var_p": p_rest[K + j],
                            "equal_variances": eq_v})
            verdict_rows.append({"group_1": la, "group_2": lb, "construct": con,
                                 "verdict": "none" if not step2 else
                                 "full" if eq_m and eq_v else "partial"})
    configural = pd.DataFrame([
        {"check": "identical indicators per construct in every group", "met": True,
         "note": "one measurement model is fitted to every group"},
        {"check": "identical data treatment", "met": True,
         "note": f"missing={missing!r} on the pooled data; indicators standardized per group"},
        {"check": "identical algorithm settings", "met": True,
         "note": f"scheme={scheme!r}, max_iter={max_iter}, tol={tol:g}"},
        {"check": "the PLS algorithm converges in every group", "met": True,
         "note": ", ".join(f"{lab}: n = {int(members[lab].sum())}" for lab in chosen)}])
    micom = MICOMResult(configural=configural, compositional=pd.DataFrame(comp_rows),
                        equality=pd.DataFrame(eq_rows), verdict=pd.DataFrame(verdict_rows))
    return MGAResult(
        groups=pd.DataFrame({"group": chosen, "n": [int(members[x].sum()) for x in chosen]}),
        paths=pd.DataFrame(path_rows), micom=micom,
        boot={lab: pd.DataFrame(v, columns=terms) for lab, v in boots.items()},
        options={"group": group, "n_perm": n_perm, "n_boot": n_boot, "alpha": alpha,
                 "scheme": scheme, "consistent": consistent, "missing": missing,
                 "seed": seed if isinstance(seed, int | np.integer) else None,
                 "seed_entropy": root.entropy, "n_failed": n_failed})
