"""Thresholds and polychoric correlations of ordinal (Likert) items, two-step as lavaan.

Step 1: each item's thresholds are the normal quantiles of its cumulative category
proportions (the univariate ML estimates). Step 2: each pair's correlation maximises the
bivariate-normal likelihood of the pair's contingency table with the thresholds held fixed
(lavaan ``lavCor(x, ordered = ...)``; ``psych::polychoric(x, correct = 0)`` gives the same
when no cell is empty: psych adds 0.5 to empty cells by default).

Written here, not taken from ``semopy.polycorr``: semopy loops over the cells in Python with
a bounded scalar search stopping at 1e-5, has no asymptotic covariance (needed by WLSMV), and
is slow for 25 items. Here the cell probabilities of a whole table come at once from Owen's T
function (``scipy.special.owens_t``, double precision), the correlation from a bounded
search to 1e-12 on the analytic log-likelihood, and the casewise scores give the asymptotic
covariance of thresholds and correlations (Muthen 1984; lavaan's ``NACOV``).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from egovstudy.errors import DataFormatError, InsufficientDataError, StatisticalWarning

__all__ = ["PolychoricResult", "bivariate_normal_cdf", "polychoric", "polychoric_acov"]

_BIG = 38.0  # Phi(-38) is 0 in double precision: stands in for -inf/+inf thresholds


@dataclass(frozen=True)
class PolychoricResult:
    """Polychoric correlation matrix, thresholds (item, threshold, estimate) and N."""

    correlation: pd.DataFrame
    thresholds: pd.DataFrame
    n: int
    #: per-item category codes and per-case category index, for WLSMV
    codes: dict[str, Any]

    def tidy(self) -> pd.DataFrame:
        """Correlations as rows: item1, item2, estimate."""
        c = self.correlation
        rows = [(a, b, float(c.loc[a, b])) for i, a in enumerate(c.index)
                for b in c.columns[i + 1:]]
        return pd.DataFrame(rows, columns=["item1", "item2", "estimate"])


def bivariate_normal_cdf(h: np.ndarray, k: np.ndarray, rho: float) -> np.ndarray:
    """P(X <= h, Y <= k) of a standard bivariate normal with correlation ``rho``.

    Owen's T formula (Owen 1956): Phi2 = (Phi(h) + Phi(k)) / 2 - T(h, a_h) - T(k, a_k) - beta.
    Infinite limits are allowed.

    Examples
    --------
    >>> import numpy as np
    >>> float(np.round(bivariate_normal_cdf(np.array([0.0]), np.array([0.0]), 0.5)[0], 12))
    0.333333333333
    """
    from scipy.special import ndtr, owens_t

    h = np.clip(np.asarray(h, dtype=float), -_BIG, _BIG)
    k = np.clip(np.asarray(k, dtype=float), -_BIG, _BIG)
    h = np.where(h == 0, 1e-300, h)
    k = np.where(k == 0, 1e-300, k)
    s = np.sqrt(1 - rho * rho)
    with np.errstate(over="ignore"):
        ah = (k - rho * h) / (h * s)
        ak = (h - rho * k) / (k * s)
    beta = np.where(h * k > 0, 0.0, 0.5)
    beta = np.where((h * k < 0) | ((h + k) < 0), beta, 0.0)
    out = 0.5 * (ndtr(h) + ndtr(k)) - owens_t(h, ah) - owens_t(k, ak) - beta
    return np.clip(out, 0.0, 1.0)


def _bvn_density(h: np.ndarray, k: np.ndarray, rho: float) -> np.ndarray:
    h = np.clip(h, -_BIG, _BIG)
    k = np.clip(k, -_BIG, _BIG)
    s2 = 1 - rho * rho
    return np.exp(-(h * h - 2 * rho * h * k + k * k) / (2 * s2)) / (2 * np.pi * np.sqrt(s2))


def _cell_probs(ta: np.ndarray, tb: np.ndarray, rho: float) -> np.ndarray:
    """Cell probabilities of a (Ka, Kb) table; ta, tb include -inf and +inf."""
    hh, kk = np.meshgrid(ta, tb, indexing="ij")
    f = bivariate_normal_cdf(hh.ravel(), kk.ravel(), rho).reshape(hh.shape)
    return np.diff(np.diff(f, axis=0), axis=1)


def _cell_dens(ta: np.ndarray, tb: np.ndarray, rho: float) -> np.ndarray:
    hh, kk = np.meshgrid(ta, tb, indexing="ij")
    f = _bvn_density(hh, kk, rho)
    return np.diff(np.diff(f, axis=0), axis=1)


def _pair_rho(table: np.ndarray, ta: np.ndarray, tb: np.ndarray) -> float:
    from scipy.optimize import minimize_scalar

    def negll(r: float) -> float:
        p = np.maximum(_cell_probs(ta, tb, r), 1e-300)
        return -float(np.sum(table * np.log(p)))

    res = minimize_scalar(negll, bounds=(-0.9999, 0.9999), method="bounded",
                          options={"xatol": 1e-12})
    return float(res.x)


def _codes(x: pd.Series, name: str) -> tuple[np.ndarray, np.ndarray]:
    """Sorted category values and each case's category index."""
    vals = pd.to_numeric(x, errors="coerce")
    if vals.isna().any():
        bad = x[vals.isna()].iloc[0]
        raise DataFormatError(f"ordered item {name!r} has a non-numeric answer {bad!r}; "
                              "recode the answers to numbers (1, 2, 3, ...)")
    cats, idx = np.unique(vals.to_numpy(dtype=float), return_inverse=True)
    return cats, np.asarray(idx).ravel()


def polychoric(data: pd.DataFrame, items: list[str] | None = None, *,
               min_count: int = 2) -> PolychoricResult:
    """Thresholds and polychoric correlations of ordinal items (two-step, as lavaan).

    Parameters
    ----------
    data : pandas.DataFrame
        Answers coded as ordered numbers (e.g. 1-6); rows with a missing answer among
        ``items`` are dropped (listwise, as lavaan's default).
    items : list of str, optional
        Columns to use (default: all columns).
    min_count : int
        Fewest cases a category may have; a rarer category raises
        :class:`~egovstudy.errors.InsufficientDataError` naming the item (merge it with
        its neighbour). Default 2.

    Returns
    -------
    PolychoricResult
        ``correlation`` (items x items), ``thresholds`` (item, threshold, estimate: lavaan's
        ``A1|t1`` ...), ``n``.

    Notes
    -----
    Matches ``lavaan::lavCor(x, ordered = names(x))`` (thresholds and correlations to 1e-6);
    see ``tests/test_measurement_polychoric.py``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(1)
    >>> z = rng.multivariate_normal([0, 0], [[1, .5], [.5, 1]], size=2000)
    >>> df = pd.DataFrame(np.digitize(z, [-1, 0, 1]) + 1, columns=["a", "b"])
    >>> r = polychoric(df)
    >>> bool(abs(r.correlation.loc["a", "b"] - 0.5) < 0.05)
    True
    """
    items = list(data.columns) if items is None else list(items)
    missing = [c for c in items if c not in data.columns]
    if missing:
        import difflib

        near = difflib.get_close_matches(str(missing[0]), [str(c) for c in data.columns], n=1,
                                          cutoff=0.5)
        hint = f"; did you mean {near[0]!r}?" if near else ""
        raise DataFormatError(f"ordered item {missing[0]!r} is not a column of the data{hint}")
    frame = data[items].dropna()
    n = int(frame.shape[0])
    if n < 2:
        raise InsufficientDataError(f"polychoric correlations need complete answers; {n} "
                                    f"case(s) answer all of {items}")
    cats: dict[str, np.ndarray] = {}
    index: dict[str, np.ndarray] = {}
    taus: dict[str, np.ndarray] = {}
    from scipy.special import ndtri

    for c in items:
        cv, idx = _codes(frame[c], str(c))
        counts = np.bincount(idx, minlength=len(cv))
        if len(cv) < 2:
            raise InsufficientDataError(
                f"ordered item {c!r} has a single answer category ({cv[0]:g}) in the "
                f"{n} complete cases: it carries no information; drop it from the model")
        rare = np.flatnonzero(counts < min_count)
        if rare.size:
            j = int(rare[0])
            raise InsufficientDataError(
                f"category {cv[j]:g} of ordered item {c!r} has {counts[j]} case(s) (fewer "
                f"than min_count={min_count}); merge it with a neighbouring category")
        if len(cv) > 10:
            warnings.warn(f"ordered item {c!r} has {len(cv)} categories: treat it as "
                          "continuous instead", StatisticalWarning, stacklevel=2)
        cats[c], index[c] = cv, idx
        taus[c] = ndtri(np.cumsum(counts)[:-1] / n)
    p = len(items)
    r = np.eye(p)
    for i in range(p):
        ta = np.concatenate([[-np.inf], taus[items[i]], [np.inf]])
        for j in range(i + 1, p):
            tb = np.concatenate([[-np.inf], taus[items[j]], [np.inf]])
            table = np.zeros((len(ta) - 1, len(tb) - 1))
            np.add.at(table, (index[items[i]], index[items[j]]), 1)
            r[i, j] = r[j, i] = _pair_rho(table, ta, tb)
            if abs(r[i, j]) > 0.995:
                warnings.warn(
                    f"the polychoric correlation of {items[i]!r} and {items[j]!r} is at the "
                    f"bound ({r[i, j]:+.4f}): their table has empty cells or the items are "
                    "redundant; merge sparse categories or drop one item",
                    StatisticalWarning, stacklevel=2)
    th = pd.DataFrame([(c, f"t{k + 1}", float(t)) for c in items for k, t in enumerate(taus[c])],
                      columns=["item", "threshold", "estimate"])
    return PolychoricResult(correlation=pd.DataFrame(r, index=items, columns=items),
                            thresholds=th, n=n,
                            codes={"categories": cats, "index": index, "tau": taus})


def polychoric_acov(res: PolychoricResult) -> np.ndarray:
    """Asymptotic covariance ``Gamma`` of sqrt(N) (thresholds, correlations), as lavaan's
    ``NACOV`` (``lavInspect(fit, "gamma")``; Muthen 1984): the two-step sandwich
    ``A^-1 B A^-T`` with ``A`` and ``B`` from the casewise scores of the univariate (threshold)
    and bivariate (correlation) likelihoods. Order: all thresholds item by item, then the
    correlations column by column below the diagonal (lavaan's ``vech(R, diagonal = FALSE)``).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(1)
    >>> z = rng.multivariate_normal([0, 0], [[1, .5], [.5, 1]], size=500)
    >>> r = polychoric(pd.DataFrame(np.digitize(z, [-1, 0, 1]) + 1, columns=["a", "b"]))
    >>> polychoric_acov(r).shape  # 3 + 3 thresholds and 1 correlation
    (7, 7)
    """
    from scipy.special import ndtr

    items = list(res.correlation.columns)
    r = res.correlation.to_numpy()
    idx = res.codes["index"]
    taus = res.codes["tau"]
    n = res.n
    p = len(items)
    full = {c: np.concatenate([[-np.inf], taus[c], [np.inf]]) for c in items}
    # univariate threshold scores: d log P_c / d tau_k
    th_cols: list[np.ndarray] = []
    th_start = [0]
    for c in items:
        t = full[c]
        phi = np.exp(-0.5 * np.clip(t, -_BIG, _BIG) ** 2) / np.sqrt(2 * np.pi)
        prob = np.diff(ndtr(t))
        k = len(taus[c])
        sc = np.zeros((n, k))
        cat = idx[c]
        rows = np.arange(n)
        up = cat < k  # tau_cat is the upper limit
        sc[rows[up], cat[up]] = phi[cat[up] + 1] / prob[cat[up]]
        lo = cat > 0
        sc[rows[lo], cat[lo] - 1] = -phi[cat[lo]] / prob[cat[lo]]
        th_cols.append(sc)
        th_start.append(th_start[-1] + k)
    sc_th = np.hstack(th_cols)
    n_th = sc_th.shape[1]
    pairs = [(i, j) for j in range(p) for i in range(j + 1, p)]
    sc_rho = np.zeros((n, len(pairs)))
    a21 = np.zeros((len(pairs), n_th))
    for q, (i, j) in enumerate(pairs):
        ta, tb = full[items[i]], full[items[j]]
        rho = r[i, j]
        prob = np.maximum(_cell_probs(ta, tb, rho), 1e-300)
        d_rho = _cell_dens(ta, tb, rho) / prob
        s = np.sqrt(1 - rho * rho)
        ca, cb = np.clip(ta, -_BIG, _BIG), np.clip(tb, -_BIG, _BIG)
        hh, kk = np.meshgrid(ca, cb, indexing="ij")
        # dF/dh = phi(h) Phi((k - rho h)/s), dF/dk = phi(k) Phi((h - rho k)/s)
        fh = np.exp(-0.5 * hh ** 2) / np.sqrt(2 * np.pi) * ndtr((kk - rho * hh) / s)
        fk = np.exp(-0.5 * kk ** 2) / np.sqrt(2 * np.pi) * ndtr((hh - rho * kk) / s)
        gh = np.diff(fh, axis=1)  # (Ka+1, Kb): d/dh of F(h, b_j) - F(h, b_{j-1})
        gk = np.diff(fk, axis=0)  # (Ka, Kb+1)
        ia, ib = idx[items[i]], idx[items[j]]
        sc_rho[:, q] = d_rho[ia, ib]
        srho = sc_rho[:, q]
        ka, kb = len(taus[items[i]]), len(taus[items[j]])
        rows = np.arange(n)
        sa = np.zeros((n, ka))
        up = ia < ka
        sa[rows[up], ia[up]] = gh[ia[up] + 1, ib[up]] / prob[ia[up], ib[up]]
        lo = ia > 0
        sa[rows[lo], ia[lo] - 1] = -gh[ia[lo], ib[lo]] / prob[ia[lo], ib[lo]]
        sb = np.zeros((n, kb))
        up = ib < kb
        sb[rows[up], ib[up]] = gk[ia[up], ib[up] + 1] / prob[ia[up], ib[up]]
        lo = ib > 0
        sb[rows[lo], ib[lo] - 1] = -gk[ia[lo], ib[lo]] / prob[ia[lo], ib[lo]]
        a21[q, th_start[i]:th_start[i + 1]] = srho @ sa
        a21[q, th_start[j]:th_start[j + 1]] = srho @ sb
    sc_all = np.hstack([sc_th, sc_rho])
    inner = sc_all.T @ sc_all
    a11_inv = np.zeros((n_th, n_th))
    for i in range(p):
        b = slice(th_start[i], th_start[i + 1])
        a11_inv[b, b] = np.linalg.inv(inner[b, b])
    a22_inv = np.diag(1 / np.sum(sc_rho ** 2, axis=0))
    b_inv = np.block([[a11_inv, np.zeros((n_th, len(pairs)))],
                      [-a22_inv @ a21 @ a11_inv, a22_inv]])
    return n * (b_inv @ inner @ b_inv.T)
