"""Array-level statistics of the group comparisons (no pandas, no column names).

Each function takes a list of 1-D float arrays (one per group, no missing values) and
returns plain numbers, so that the single tests and the many-cells table of
:func:`egovstudy.compare.compare_groups` share one implementation. scipy supplies the
distributions; the statistics themselves are a few lines each, written here because the
R conventions we match (Welch ANOVA, R's Yates correction ``min(0.5, |O - E|)``, R's
exact/normal switch of ``wilcox.test``, Games-Howell, Dunn) are not all in scipy.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

FloatArray = np.ndarray


def moments(groups: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sizes, means and (n - 1) variances of the groups."""
    n = np.array([g.size for g in groups], dtype=float)
    m = np.array([g.mean() for g in groups])
    v = np.array([g.var(ddof=1) for g in groups])
    return n, m, v


def p_adjust(p: np.ndarray, method: str) -> np.ndarray:
    """R's ``p.adjust`` for "bonferroni", "holm" and "none" (NaN-free input)."""
    p = np.asarray(p, dtype=float)
    m = p.size
    if method == "none" or m == 0:
        return p.copy()
    if method == "bonferroni":
        return np.minimum(1.0, p * m)
    order = np.argsort(p)
    adj = np.minimum(1.0, np.maximum.accumulate((m - np.arange(m)) * p[order]))
    out = np.empty(m)
    out[order] = adj
    return out


# ----------------------------------------------------------------------- t tests
def two_sample_t(x: np.ndarray, y: np.ndarray, equal_var: bool,
                 level: float) -> dict[str, float]:
    """R's ``t.test(x, y, var.equal = equal_var)``: t, df, p, difference and its CI."""
    from scipy import special

    n1, n2 = x.size, y.size
    m1, m2 = x.mean(), y.mean()
    v1, v2 = x.var(ddof=1), y.var(ddof=1)
    if equal_var:
        df = n1 + n2 - 2.0
        sp2 = ((n1 - 1) * v1 + (n2 - 1) * v2) / df
        se = float(np.sqrt(sp2 * (1 / n1 + 1 / n2)))
    else:
        a, b = v1 / n1, v2 / n2
        se = float(np.sqrt(a + b))
        df = (a + b) ** 2 / (a**2 / (n1 - 1) + b**2 / (n2 - 1))
    diff = m1 - m2
    t = diff / se
    p = 2 * float(special.stdtr(df, -abs(t)))
    q = float(special.stdtrit(df, 0.5 + level / 2))
    return {"t": t, "df": float(df), "p": p, "diff": diff, "se": se,
            "ci_low": diff - q * se, "ci_high": diff + q * se}


def paired_t(d: np.ndarray, level: float) -> dict[str, float]:
    """R's ``t.test(x, y, paired = TRUE)`` on the differences ``d = x - y``."""
    from scipy import special

    n = d.size
    se = float(d.std(ddof=1) / np.sqrt(n))
    df = n - 1.0
    t = float(d.mean() / se)
    q = float(special.stdtrit(df, 0.5 + level / 2))
    return {"t": t, "df": df, "p": 2 * float(special.stdtr(df, -abs(t))),
            "diff": float(d.mean()), "se": se,
            "ci_low": float(d.mean()) - q * se, "ci_high": float(d.mean()) + q * se}


def _bisect(f: Any, lo: np.ndarray, hi: np.ndarray, iters: int = 80) -> np.ndarray:
    """Vectorised bisection for a function decreasing in its argument: f(x) = 0."""
    for _ in range(iters):
        mid = 0.5 * (lo + hi)
        pos = f(mid) > 0
        lo = np.where(pos, mid, lo)
        hi = np.where(pos, hi, mid)
    return 0.5 * (lo + hi)


def nct_ci(t: np.ndarray, df: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    """Confidence limits of the noncentrality parameter of an observed t (vectorised).

    Inverts the noncentral t cdf (Steiger & Fouladi 1997; Cumming & Finch 2001): the
    lower limit is the ncp with ``P(T <= t) = (1 + level) / 2``, the upper the one with
    ``(1 - level) / 2``. This is the MBESS ``conf.limits.nct`` method.
    """
    from scipy.stats import nct

    t = np.atleast_1d(np.asarray(t, dtype=float))
    df = np.broadcast_to(np.asarray(df, dtype=float), t.shape)
    width = 10.0 * np.sqrt(1.0 + t**2 / (2.0 * df)) + 5.0
    lo0, hi0 = t - width, t + width
    a = (1.0 - level) / 2.0
    low = _bisect(lambda ncp: nct.cdf(t, df, ncp) - (1 - a), lo0.copy(), hi0.copy())
    high = _bisect(lambda ncp: nct.cdf(t, df, ncp) - a, lo0.copy(), hi0.copy())
    return low, high


def ncf_eta_ci(f: np.ndarray, df1: np.ndarray | float, df2: np.ndarray | float,
               level: float) -> tuple[np.ndarray, np.ndarray]:
    """CI of eta squared from the noncentral F (Steiger 2004), vectorised.

    Finds the noncentrality λ with ``P(F <= f) = (1 ± level) / 2`` (0 when the cdf at
    λ = 0 is already below the target) and returns ``λ / (λ + df1 + df2 + 1)``.
    """
    from scipy.stats import f as fdist
    from scipy.stats import ncf

    f = np.atleast_1d(np.asarray(f, dtype=float))
    df1 = np.broadcast_to(np.asarray(df1, dtype=float), f.shape)
    df2 = np.broadcast_to(np.asarray(df2, dtype=float), f.shape)
    n = df1 + df2 + 1.0
    a = (1.0 - level) / 2.0
    cdf0 = fdist.cdf(f, df1, df2)
    out = []
    for target in (1 - a, a):
        hi = np.maximum(10.0, 4.0 * f * df1 + 200.0)
        lam = _bisect(lambda x, tg=target: ncf.cdf(f, df1, df2, np.maximum(x, 1e-12)) - tg,
                      np.zeros_like(f), hi)
        lam = np.where(cdf0 <= target, 0.0, lam)
        out.append(lam / (lam + n))
    return out[0], out[1]


def hedges_j(df: np.ndarray | float) -> np.ndarray:
    """Exact small-sample correction J(df) = Γ(df/2) / (√(df/2) Γ((df - 1)/2)) (Hedges 1981)."""
    from scipy.special import gammaln

    df = np.asarray(df, dtype=float)
    return np.exp(gammaln(df / 2) - 0.5 * np.log(df / 2) - gammaln((df - 1) / 2))


def cohen_d(n1: np.ndarray, n2: np.ndarray, m1: np.ndarray, m2: np.ndarray, v1: np.ndarray,
            v2: np.ndarray, level: float) -> dict[str, np.ndarray]:
    """Cohen's d (pooled SD) and Hedges' g with noncentral-t CIs, vectorised over cells."""
    df = n1 + n2 - 2.0
    sp = np.sqrt(((n1 - 1) * v1 + (n2 - 1) * v2) / df)
    d = np.atleast_1d((m1 - m2) / sp)
    scale = np.sqrt(n1 * n2 / (n1 + n2))
    lo, hi = nct_ci(d * scale, df, level)
    j = hedges_j(df)
    return {"d": d, "d_low": lo / scale, "d_high": hi / scale,
            "g": d * j, "g_low": lo / scale * j, "g_high": hi / scale * j}


# ----------------------------------------------------------------------- ANOVA family
def anova(groups: Sequence[np.ndarray]) -> dict[str, float]:
    """Classical one-way ANOVA (R ``aov`` / ``oneway.test(var.equal = TRUE)``) with η², ω²."""
    from scipy import special

    n, m, v = moments(groups)
    N, k = n.sum(), n.size
    grand = float((n * m).sum() / N)
    ssb = float((n * (m - grand) ** 2).sum())
    ssw = float(((n - 1) * v).sum())
    df1, df2 = k - 1.0, N - k
    msw = ssw / df2
    F = (ssb / df1) / msw
    sst = ssb + ssw
    return {"F": F, "df1": df1, "df2": df2, "p": float(special.fdtrc(df1, df2, F)),
            "ssb": ssb, "ssw": ssw, "msw": msw, "eta_sq": ssb / sst,
            "omega_sq": (ssb - df1 * msw) / (sst + msw)}


def welch_anova(groups: Sequence[np.ndarray]) -> dict[str, float]:
    """Welch's (1951) ANOVA, R ``oneway.test(var.equal = FALSE)``."""
    from scipy import special

    n, m, v = moments(groups)
    k = n.size
    w = n / v
    W = w.sum()
    mw = float((w * m).sum() / W)
    tmp = float(((1 - w / W) ** 2 / (n - 1)).sum()) / (k**2 - 1)
    F = float((w * (m - mw) ** 2).sum() / ((k - 1) * (1 + 2 * (k - 2) * tmp)))
    df2 = 1.0 / (3 * tmp)
    return {"F": F, "df1": k - 1.0, "df2": df2, "p": float(special.fdtrc(k - 1.0, df2, F))}


def levene(groups: Sequence[np.ndarray], center: str) -> dict[str, float]:
    """Levene's test (center "mean") or Brown-Forsythe's (center "median"), as car::leveneTest."""
    z = [np.abs(g - (g.mean() if center == "mean" else np.median(g))) for g in groups]
    res = anova(z)
    return {"F": res["F"], "df1": res["df1"], "df2": res["df2"], "p": res["p"]}


def var_ratio(x: np.ndarray, y: np.ndarray, level: float) -> dict[str, float]:
    """R's ``var.test(x, y)``: F = var(x) / var(y), two-sided p, CI of the ratio."""
    from scipy import special

    df1, df2 = x.size - 1.0, y.size - 1.0
    ratio = float(x.var(ddof=1) / y.var(ddof=1))
    cdf = float(special.fdtr(df1, df2, ratio))
    a = (1 - level) / 2
    return {"F": ratio, "df1": df1, "df2": df2, "p": min(1.0, 2 * min(cdf, 1 - cdf)),
            "ci_low": ratio / float(special.fdtri(df1, df2, 1 - a)),
            "ci_high": ratio / float(special.fdtri(df1, df2, a))}


def _pairs(k: int) -> list[tuple[int, int]]:
    return [(i, j) for i in range(k) for j in range(i + 1, k)]


def tukey(groups: Sequence[np.ndarray], level: float) -> dict[str, np.ndarray]:
    """Tukey HSD (Tukey-Kramer for unequal n), as R's ``TukeyHSD(aov(...))``.

    The difference is level j minus level i (R's "1-0.5" row is the second minus the first).
    """
    from scipy.stats import studentized_range

    n, m, _ = moments(groups)
    res = anova(groups)
    k = n.size
    ii, jj = np.array(_pairs(k)).T
    diff = m[jj] - m[ii]
    se = np.sqrt(res["msw"] / 2 * (1 / n[ii] + 1 / n[jj]))
    q = np.abs(diff) / se
    p = studentized_range.sf(q, k, res["df2"])
    crit = studentized_range.ppf(level, k, res["df2"])
    return {"i": ii, "j": jj, "diff": diff, "statistic": q, "df": np.full(q.size, res["df2"]),
            "p": np.minimum(p, 1.0), "ci_low": diff - crit * se, "ci_high": diff + crit * se}


def games_howell(groups: Sequence[np.ndarray], level: float) -> dict[str, np.ndarray]:
    """Games-Howell (1976): Welch se and df per pair, studentized-range p and CI.

    ``t = (m_j - m_i) / sqrt(v_i/n_i + v_j/n_j)``; ``p = P(Q_{k,df} > |t|·√2)``;
    CI ``diff ± q_{level,k,df} / √2 · se`` (the formula rstatix::games_howell_test uses).
    """
    from scipy.stats import studentized_range

    n, m, v = moments(groups)
    k = n.size
    ii, jj = np.array(_pairs(k)).T
    a, b = v[ii] / n[ii], v[jj] / n[jj]
    se = np.sqrt(a + b)
    df = (a + b) ** 2 / (a**2 / (n[ii] - 1) + b**2 / (n[jj] - 1))
    diff = m[jj] - m[ii]
    t = diff / se
    p = studentized_range.sf(np.abs(t) * np.sqrt(2), k, df)
    crit = studentized_range.ppf(level, k, df) / np.sqrt(2)
    return {"i": ii, "j": jj, "diff": diff, "statistic": t, "df": df,
            "p": np.minimum(p, 1.0), "ci_low": diff - crit * se, "ci_high": diff + crit * se}


def pairwise_t(groups: Sequence[np.ndarray], adjust: str, level: float,
               pool_sd: bool = True) -> dict[str, np.ndarray]:
    """R's ``pairwise.t.test`` (pooled SD by default); CIs unadjusted at ``level``."""
    from scipy import special

    n, m, v = moments(groups)
    k = n.size
    ii, jj = np.array(_pairs(k)).T
    diff = m[jj] - m[ii]
    if pool_sd:
        res = anova(groups)
        se = np.sqrt(res["msw"] * (1 / n[ii] + 1 / n[jj]))
        df = np.full(diff.size, res["df2"])
    else:
        a, b = v[ii] / n[ii], v[jj] / n[jj]
        se = np.sqrt(a + b)
        df = (a + b) ** 2 / (a**2 / (n[ii] - 1) + b**2 / (n[jj] - 1))
    t = diff / se
    p = 2 * special.stdtr(df, -np.abs(t))
    q = special.stdtrit(df, 0.5 + level / 2)
    return {"i": ii, "j": jj, "diff": diff, "statistic": t, "df": df, "p": p,
            "p_adj": p_adjust(p, adjust), "ci_low": diff - q * se, "ci_high": diff + q * se}


# ----------------------------------------------------------------------- rank tests
def _tie_sum(ranks_or_values: np.ndarray) -> float:
    """Σ (t³ - t) over tied groups."""
    _, counts = np.unique(ranks_or_values, return_counts=True)
    c = counts.astype(float)
    return float((c**3 - c).sum())


def mann_whitney(x: np.ndarray, y: np.ndarray, exact: bool | None,
                 correct: bool) -> dict[str, Any]:
    """R's ``wilcox.test(x, y)``: W (= U of x), exact p when both n < 50 and no ties.

    Otherwise the normal approximation with the tie-corrected variance and, if
    ``correct``, the continuity correction, exactly as R. ``z`` (for the effect size r)
    is the normal-approximation z of the same W, with the same correction.
    """
    from scipy import special
    from scipy.stats import mannwhitneyu, rankdata

    n1, n2 = x.size, y.size
    both = np.concatenate([x, y])
    r = rankdata(both)
    W = float(r[:n1].sum() - n1 * (n1 + 1) / 2)
    ties = _tie_sum(both)
    N = n1 + n2
    use_exact = (n1 < 50 and n2 < 50) if exact is None else exact
    has_ties = ties > 0
    notes = []
    if use_exact and has_ties:
        notes.append("cannot compute exact p-value with ties: normal approximation used")
        use_exact = False
    mu = n1 * n2 / 2
    sigma = np.sqrt(n1 * n2 / 12 * ((N + 1) - ties / (N * (N - 1))))
    delta = W - mu
    corr = 0.5 * np.sign(delta) if correct else 0.0
    z = float((delta - corr) / sigma)
    if use_exact:
        p = float(mannwhitneyu(x, y, method="exact").pvalue)
    else:
        p = float(2 * special.ndtr(-abs(z)))
    return {"W": W, "z": z, "p": min(p, 1.0), "exact": use_exact, "notes": notes,
            "mean_rank": (float(r[:n1].mean()), float(r[n1:].mean()))}


def wilcoxon_signed(d: np.ndarray, exact: bool | None, correct: bool) -> dict[str, Any]:
    """R's ``wilcox.test(x, y, paired = TRUE)`` on ``d = x - y``: V = Σ positive ranks.

    Zero differences are dropped; exact p when n < 50 with no ties and no zeros, else
    the normal approximation with tie-corrected variance and continuity correction.
    """
    from scipy import special
    from scipy.stats import rankdata, wilcoxon

    zeros = int((d == 0).sum())
    d = d[d != 0]
    n = d.size
    r = rankdata(np.abs(d))
    V = float(r[d > 0].sum())
    ties = _tie_sum(r)
    use_exact = (n < 50) if exact is None else exact
    notes = []
    if use_exact and (ties > 0 or zeros > 0):
        notes.append("cannot compute exact p-value with ties or zeroes: normal approximation "
                     "used")
        use_exact = False
    mu = n * (n + 1) / 4
    sigma = np.sqrt(n * (n + 1) * (2 * n + 1) / 24 - ties / 48)
    delta = V - mu
    corr = 0.5 * np.sign(delta) if correct else 0.0
    z = float((delta - corr) / sigma)
    if use_exact:
        p = float(wilcoxon(d, method="exact").pvalue)
    else:
        p = float(2 * special.ndtr(-abs(z)))
    return {"V": V, "z": z, "p": min(p, 1.0), "n": n, "zeros": zeros, "exact": use_exact,
            "notes": notes}


def kruskal(groups: Sequence[np.ndarray]) -> dict[str, Any]:
    """R's ``kruskal.test``: tie-corrected H, chi-square df k - 1, η²_H = (H - k + 1)/(N - k)."""
    from scipy import special
    from scipy.stats import rankdata

    sizes = np.array([g.size for g in groups])
    allv = np.concatenate(list(groups))
    r = rankdata(allv)
    N, k = allv.size, sizes.size
    bounds = np.concatenate([[0], np.cumsum(sizes)])
    rbar = np.array([r[bounds[i]:bounds[i + 1]].mean() for i in range(k)])
    H = 12 / (N * (N + 1)) * float((sizes * rbar**2).sum()) - 3 * (N + 1)
    ties = _tie_sum(allv)
    H /= 1 - ties / (N**3 - N)
    return {"H": H, "df": k - 1.0, "p": float(special.chdtrc(k - 1.0, H)),
            "eta_sq_h": (H - k + 1) / (N - k), "mean_rank": rbar, "ties": ties, "N": N}


def dunn(groups: Sequence[np.ndarray], adjust: str) -> dict[str, np.ndarray]:
    """Dunn's (1964) z tests of mean-rank differences with the tie correction.

    ``z = (R̄_j - R̄_i) / sqrt((N(N+1)/12 - Σ(t³-t)/(12(N-1))) (1/n_i + 1/n_j))``, two-sided
    normal p, adjusted by ``adjust`` (as dunn.test / rstatix::dunn_test).
    """
    from scipy import special

    kw = kruskal(groups)
    sizes = np.array([g.size for g in groups], dtype=float)
    N = kw["N"]
    k = sizes.size
    ii, jj = np.array(_pairs(k)).T
    diff = kw["mean_rank"][jj] - kw["mean_rank"][ii]
    var = (N * (N + 1) / 12 - kw["ties"] / (12 * (N - 1))) * (1 / sizes[ii] + 1 / sizes[jj])
    z = diff / np.sqrt(var)
    p = 2 * special.ndtr(-np.abs(z))
    return {"i": ii, "j": jj, "diff": diff, "statistic": z, "p": p,
            "p_adj": p_adjust(p, adjust)}


# ----------------------------------------------------------------------- tables
def chi_square(table: np.ndarray, correct: bool) -> dict[str, Any]:
    """R's ``chisq.test(table, correct)``: Yates for 2x2 with ``min(0.5, |O - E|)``.

    Cramér's V is computed from the uncorrected statistic.
    """
    from scipy import special

    obs = np.asarray(table, dtype=float)
    n = obs.sum()
    expected = np.outer(obs.sum(1), obs.sum(0)) / n
    df = float((obs.shape[0] - 1) * (obs.shape[1] - 1))
    raw = float(((obs - expected) ** 2 / expected).sum())
    stat = raw
    yates = bool(correct and obs.shape == (2, 2))
    if yates:
        dev = np.minimum(0.5, np.abs(obs - expected))
        stat = float(((np.abs(obs - expected) - dev) ** 2 / expected).sum())
    q = min(obs.shape) - 1
    return {"chi2": stat, "df": df, "p": float(special.chdtrc(df, stat)), "expected": expected,
            "yates": yates, "chi2_uncorrected": raw, "cramer_v": float(np.sqrt(raw / (n * q))),
            "n": int(n)}


class TooManyTables(Exception):
    """Raised by :func:`fisher_rxc_exact` when the enumeration would exceed its bound."""


def fisher_rxc_exact(table: np.ndarray, limit: int = 200_000) -> float:
    """Exact r x c Fisher p value by full enumeration of the tables with the same margins.

    Sums the hypergeometric probabilities of the tables no more probable than the observed
    one, with R's relative tolerance ``1 + 1e-7`` (``fisher.test``). SciPy's r x c
    ``fisher_exact`` is a Monte Carlo estimate (a different p on every call), hence this
    function; R's network algorithm (FEXACT) is faster on big tables, so the enumeration
    is bounded by ``limit`` tables and raises :class:`TooManyTables` beyond it.
    """
    import math

    t = np.asarray(table, dtype=int)
    rows = [int(v) for v in t.sum(1)]
    cols = [int(v) for v in t.sum(0)]
    n = int(t.sum())
    lf = [math.lgamma(i + 1) for i in range(n + 1)]
    const = sum(lf[r] for r in rows) + sum(lf[c] for c in cols) - lf[n]
    log_obs = const - sum(lf[int(v)] for v in t.ravel())
    cut = log_obs + math.log1p(1e-7)
    r = len(rows)
    total = 0.0
    count = 0

    def compositions(k: int, rem: list[int], i: int) -> Any:
        # vectors x with sum k, 0 <= x[i] <= rem[i] (the rest fit in the remaining rows)
        if i == r - 1:
            if k <= rem[i]:
                yield [k]
            return
        room = sum(rem[i + 1:])
        for x in range(max(0, k - room), min(k, rem[i]) + 1):
            for tail in compositions(k - x, rem, i + 1):
                yield [x, *tail]

    def walk(j: int, rem: list[int], acc: float) -> None:
        nonlocal total, count
        if j == len(cols) - 1:  # the last column is fixed by the remaining row sums
            count += 1
            if count > limit:
                raise TooManyTables
            lp = const + acc - sum(lf[x] for x in rem)
            if lp <= cut:
                total += math.exp(lp)
            return
        for x in compositions(cols[j], rem, 0):
            walk(j + 1, [a - b for a, b in zip(rem, x)], acc - sum(lf[v] for v in x))

    walk(0, rows, 0.0)
    return min(1.0, total)
