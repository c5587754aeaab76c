"""Past one machine's memory: OLS, descriptives and reliability on a Dask DataFrame.

Every statistic here is computed from **sufficient statistics per partition**, combined
by a tree reduction, so no more than a few partitions are ever in memory and the driver
(the process that calls the function) holds only ``k x k`` matrices:

* **pass 1** per partition: the count, the column means and the *centred* cross-product
  matrix of ``[X, y]`` (or of the items). Partitions are merged with the pairwise update of
  Chan, Golub & LeVeque (1979) -- ``C = C_a + C_b + d d' n_a n_b / n`` with ``d`` the
  difference of the means -- which never forms the raw sums of squares and so keeps the
  precision of a two-pass algorithm. Univariate third and fourth moments merge by
  Pébay's (2008) formulas.
* **pass 2** (robust errors only), with the coefficients known: ``sum x_i x_i' e_i^2`` for
  HC0/HC1 (divided by ``1 - h_ii`` or its square for HC2/HC3, ``h_ii`` from ``(X'X)^{-1}``),
  and the per-cluster score sums ``sum_{i in g} x_i e_i`` for one- and two-way
  cluster-robust errors, merged across partitions by cluster label.

The results are the numbers the in-memory functions give (:func:`egovstudy.models.ols`,
:func:`egovstudy.measurement.reliability`, :func:`egovstudy.report.tables.describe`), to
~1e-10 on designs of ordinary conditioning. The slopes are solved from the centred,
equilibrated cross-product (correlation) matrix: when the predictors' correlation matrix
has a condition number above ``1e10`` a :class:`~egovstudy.errors.StatisticalWarning`
says so, because normal equations lose about ``log10(cond)`` digits that a QR fit on the
full data keeps.

Input: a ``dask.dataframe.DataFrame``, a path (or ``s3://``-style URL) to a Parquet file
or a folder of Parquet files (read with :func:`dask.dataframe.read_parquet`, only the
needed columns), or a pandas DataFrame (split into partitions). The computation runs on
Dask's current scheduler: after ``dask.distributed.Client("tcp://scheduler:8786")`` it
runs on that cluster.

Formulas follow the grammar of ``docs/formula.md`` (read by :mod:`egovstudy.models.formula`,
never evaluated as Python code), with one limit that a partitioned computation imposes:
stateful transforms that learn from the data (``center``, ``standardize``, ``scale``) are
refused.
"""

from __future__ import annotations

import functools
import html
import math
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from egovstudy._moments import skew_kurt
from egovstudy.errors import (
    DataFormatError,
    DataQualityWarning,
    InsufficientDataError,
    ModelSpecError,
    StatisticalWarning,
)
from egovstudy.models.formula import ParsedFormula, design_matrices, parse_formula
from egovstudy.models.results import LinearFitMixin

__all__ = [
    "DaskOLSResult",
    "DaskReliabilityResult",
    "descriptives_dask",
    "ols_dask",
    "reliability_dask",
]

#: partitions merged per node of the reduction tree
SPLIT_EVERY = 8
#: rows per partition when a pandas DataFrame is handed in
PANDAS_PARTITION_ROWS = 250_000
#: a column with at most this many distinct integer values gets a response distribution
MAX_DISTRIBUTION_VALUES = 101


# ----------------------------------------------------------------------------------------
# input
# ----------------------------------------------------------------------------------------
def _open(data: Any, *, what: str) -> Any:
    """Return ``data`` as a (lazy) Dask DataFrame."""
    import dask.dataframe as dd

    if isinstance(data, str) and "://" in data:  # remote storage (s3://, gs://, ...)
        return dd.read_parquet(data)
    if isinstance(data, str | Path):
        path = Path(data)
        if not path.exists():
            raise DataFormatError(
                f"{what}: Parquet path {str(path)!r} does not exist; pass a Parquet file, a "
                "folder of Parquet files or a Dask DataFrame")
        try:
            return dd.read_parquet(str(path))
        except Exception as exc:  # pyarrow raises many types for a non-Parquet file
            raise DataFormatError(
                f"{what}: cannot read {str(path)!r} as Parquet ({type(exc).__name__}: {exc}); "
                "write the data with DataFrame.to_parquet or pass a Dask DataFrame") from exc
    if isinstance(data, pd.DataFrame):
        nparts = max(1, math.ceil(len(data) / PANDAS_PARTITION_ROWS))
        return dd.from_pandas(data, npartitions=nparts, sort=False)
    if isinstance(data, dd.DataFrame):
        return data
    raise DataFormatError(
        f"{what}: data must be a Dask DataFrame, a Parquet file or folder, or a pandas "
        f"DataFrame; got {type(data).__name__}")


def _select(ddf: Any, columns: Sequence[str], *, what: str) -> Any:
    """Columns of a Dask DataFrame, with an error naming the absent ones."""
    cols = list(dict.fromkeys(columns))
    present = [str(c) for c in ddf.columns]
    missing = [c for c in cols if c not in present]
    if missing:
        import difflib

        hints = {c: difflib.get_close_matches(c, present, n=2) for c in missing}
        hint = "; ".join(f"{c!r} (did you mean {', '.join(map(repr, h))}?)" if h else repr(c)
                         for c, h in hints.items())
        raise ModelSpecError(f"{what}: column(s) not in the data: {hint}. Available columns "
                             f"start with {present[:8]}")
    return ddf[cols]


def _to_dask(data: Any, columns: Sequence[str], *, what: str) -> Any:
    """Return a Dask DataFrame holding ``columns`` of ``data`` (checked)."""
    return _select(_open(data, what=what), columns, what=what)


def _float_block(part: pd.DataFrame, cols: Sequence[str]) -> np.ndarray:
    """Columns of one partition as a float64 array with NaN for missing values."""
    out = np.empty((len(part), len(cols)), dtype=np.float64, order="F")
    for j, c in enumerate(cols):
        s = part[c]
        if not (pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s)):
            raise ModelSpecError(f"column {c!r} is not numeric (dtype {s.dtype}); recode it to "
                                 "numbers before computing item statistics")
        out[:, j] = s.to_numpy(dtype=np.float64, na_value=np.nan)
    return out


def _tree_reduce(parts: list[Any], combine: Callable[[Any, Any], Any]) -> Any:
    """Merge delayed partition results pairwise in a tree of fan-in ``SPLIT_EVERY``."""
    from dask import delayed

    if not parts:
        raise InsufficientDataError("the Dask DataFrame has no partitions")
    level = list(parts)
    while len(level) > 1:
        level = [delayed(_combine_many)(combine, level[i:i + SPLIT_EVERY])
                 for i in range(0, len(level), SPLIT_EVERY)]
    return level[0]


def _combine_many(combine: Callable[[Any, Any], Any], items: list[Any]) -> Any:
    acc = items[0]
    for item in items[1:]:
        acc = combine(acc, item)
    return acc


def _compute(obj: Any) -> Any:
    import dask

    return dask.compute(obj)[0]


# ----------------------------------------------------------------------------------------
# centred cross-products (Chan, Golub & LeVeque) and univariate moments (Pébay)
# ----------------------------------------------------------------------------------------
@dataclass
class _Comoments:
    n: int
    mean: np.ndarray
    C: np.ndarray  # centred cross-products sum (Z - mean)'(Z - mean)
    extra: dict[str, Any] = field(default_factory=dict)


def _comoments(Z: np.ndarray) -> _Comoments:
    n = Z.shape[0]
    p = Z.shape[1]
    if n == 0:
        return _Comoments(0, np.zeros(p), np.zeros((p, p)))
    mean = Z.mean(axis=0)
    Zc = Z - mean
    return _Comoments(n, mean, Zc.T @ Zc)


def _merge_comoments(a: _Comoments, b: _Comoments) -> _Comoments:
    if a.n == 0:
        out = _Comoments(b.n, b.mean, b.C)
    elif b.n == 0:
        out = _Comoments(a.n, a.mean, a.C)
    else:
        n = a.n + b.n
        d = b.mean - a.mean
        out = _Comoments(n, a.mean + d * (b.n / n), a.C + b.C + np.outer(d, d) * (a.n * b.n / n))
    out.extra = {k: a.extra.get(k, 0) + b.extra.get(k, 0) for k in set(a.extra) | set(b.extra)}
    return out


@dataclass
class _Univariate:
    n: np.ndarray
    mean: np.ndarray
    m2: np.ndarray
    m3: np.ndarray
    m4: np.ndarray
    vmin: np.ndarray
    vmax: np.ndarray
    dist: list[dict[float, int] | None]


def _univariate_column(x: np.ndarray, integer: bool
                       ) -> tuple[int, float, float, float, float, float, float,
                                  dict[float, int] | None]:
    """n, mean, M2, M3, M4, min, max and value counts of one column without NaN."""
    n = int(x.size)
    if n == 0:
        return 0, 0.0, 0.0, 0.0, 0.0, np.inf, -np.inf, {}
    lo, hi = float(x.min()), float(x.max())
    if hi - lo < MAX_DISTRIBUTION_VALUES and (integer or bool(np.all(x == np.round(x)))):
        counts = np.bincount((x - lo).astype(np.int64))
        values = lo + np.arange(counts.size, dtype=np.float64)
        w = counts.astype(np.float64)
        mean = float(w @ values) / n
        d = values - mean
        d2 = d * d
        dist = {float(v): int(c) for v, c in zip(values, counts) if c}
        return (n, mean, float(w @ d2), float(w @ (d2 * d)), float(w @ (d2 * d2)), lo, hi,
                dist)
    mean = float(x.mean())
    d = x - mean
    d2 = d * d
    return n, mean, float(d2.sum()), float((d2 * d).sum()), float((d2 * d2).sum()), lo, hi, None


def _part_univariate(part: pd.DataFrame, cols: list[str]) -> _Univariate:
    stats = []
    for c in cols:
        s = part[c]
        if not (pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s)):
            raise ModelSpecError(f"column {c!r} is not numeric (dtype {s.dtype}); recode it to "
                                 "numbers before computing item statistics")
        x = s.to_numpy(dtype=np.float64, na_value=np.nan)
        x = x[~np.isnan(x)]
        integer = pd.api.types.is_integer_dtype(s) or pd.api.types.is_bool_dtype(s)
        stats.append(_univariate_column(x, integer))
    cols_: list[Any] = list(zip(*stats)) if stats else [() for _ in range(8)]
    return _Univariate(n=np.asarray(cols_[0], dtype=np.int64),
                       mean=np.asarray(cols_[1], dtype=np.float64),
                       m2=np.asarray(cols_[2], dtype=np.float64),
                       m3=np.asarray(cols_[3], dtype=np.float64),
                       m4=np.asarray(cols_[4], dtype=np.float64),
                       vmin=np.asarray(cols_[5], dtype=np.float64),
                       vmax=np.asarray(cols_[6], dtype=np.float64),
                       dist=list(cols_[7]))


def _merge_univariate(a: _Univariate, b: _Univariate) -> _Univariate:
    na = a.n.astype(np.float64)
    nb = b.n.astype(np.float64)
    n = na + nb
    safe = np.where(n > 0, n, 1.0)
    d = b.mean - a.mean
    mean = a.mean + d * nb / safe
    m2 = a.m2 + b.m2 + d**2 * na * nb / safe
    m3 = (a.m3 + b.m3 + d**3 * na * nb * (na - nb) / safe**2
          + 3 * d * (na * b.m2 - nb * a.m2) / safe)
    m4 = (a.m4 + b.m4 + d**4 * na * nb * (na**2 - na * nb + nb**2) / safe**3
          + 6 * d**2 * (na**2 * b.m2 + nb**2 * a.m2) / safe**2
          + 4 * d * (na * b.m3 - nb * a.m3) / safe)
    dists: list[dict[float, int] | None] = []
    for da, db in zip(a.dist, b.dist):
        if da is None or db is None:
            dists.append(None)
            continue
        merged = dict(da)
        for v, c in db.items():
            merged[v] = merged.get(v, 0) + c
        dists.append(merged if len(merged) <= MAX_DISTRIBUTION_VALUES else None)
    return _Univariate(n=a.n + b.n, mean=mean, m2=m2, m3=m3, m4=m4,
                       vmin=np.minimum(a.vmin, b.vmin), vmax=np.maximum(a.vmax, b.vmax),
                       dist=dists)


def _part_items(part: pd.DataFrame, cols: list[str]) -> _Comoments:
    X = _float_block(part, cols)
    complete = ~np.isnan(X).any(axis=1)
    out = _comoments(X[complete])
    out.extra = {"n_input": len(X)}
    return out


# ----------------------------------------------------------------------------------------
# descriptives
# ----------------------------------------------------------------------------------------
def descriptives_dask(data: Any, columns: Sequence[str], *, values: Sequence[int] | None = None,
                      skew_type: Literal[1, 2, 3] = 2) -> pd.DataFrame:
    """Descriptive statistics per column of a Dask DataFrame or Parquet folder, in one pass.

    Parameters
    ----------
    data : dask.dataframe.DataFrame, str, pathlib.Path or pandas.DataFrame
        The data (a path or URL names a Parquet file or folder; only ``columns`` are read).
    columns : sequence of str
        Numeric columns (items, scores).
    values : sequence of int, optional
        Scale points; adds ``pct_<v>``, the percentage of answers equal to ``v``.
    skew_type : {1, 2, 3}
        Skewness and excess-kurtosis estimator (Joanes & Gill 1998): 1 = g1/g2,
        2 = G1/G2 (SPSS, Excel, pandas; the default), 3 = b1/b2 (``psych::describe``).

    Returns
    -------
    pandas.DataFrame
        One row per column: ``variable, n, mean, sd, median, min, max, range, skew,
        kurtosis`` (the columns of :func:`egovstudy.report.tables.describe`), ``pct_<v>``
        when ``values`` are given, and ``distribution`` (dict value -> count) for columns
        of at most 101 distinct integer values. Missing values are skipped per column.

    Notes
    -----
    The median is exact for integer-valued columns (from the response distribution) and
    ``NaN`` otherwise: a median needs the sorted data, which a one-pass computation does
    not keep.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"q1": [1, 2, 2, 3, 5], "q2": [4, 4, 5, 5, 3]})
    >>> d = descriptives_dask(df, ["q1", "q2"], values=[1, 2, 3, 4, 5])
    >>> d[["variable", "n", "mean", "median", "pct_2"]]
      variable  n  mean  median  pct_2
    0       q1  5   2.6     2.0   40.0
    1       q2  5   4.2     4.0    0.0
    """
    if skew_type not in (1, 2, 3):
        raise ModelSpecError(f"skew_type={skew_type!r} is not supported; use 1, 2 or 3")
    cols = [str(c) for c in columns]
    if not cols:
        raise ModelSpecError("descriptives_dask: columns is empty; name at least one column")
    ddf = _to_dask(data, cols, what="descriptives_dask")
    from dask import delayed

    parts = [delayed(_part_univariate)(p, cols) for p in ddf.to_delayed()]
    u: _Univariate = _compute(_tree_reduce(parts, _merge_univariate))
    rows = []
    for j, c in enumerate(cols):
        n = int(u.n[j])
        if n == 0:
            raise InsufficientDataError(f"descriptives_dask: column {c!r} has no values")
        m2, m3, m4 = u.m2[j] / n, u.m3[j] / n, u.m4[j] / n
        sk, ku = skew_kurt(n, m2, m3, m4, skew_type)
        dist = u.dist[j]
        row: dict[str, Any] = {
            "variable": c, "n": n, "mean": float(u.mean[j]),
            "sd": float(np.sqrt(u.m2[j] / (n - 1))) if n > 1 else float("nan"),
            "median": _median_from_counts(dist, n) if dist is not None else float("nan"),
            "min": float(u.vmin[j]), "max": float(u.vmax[j]),
            "range": float(u.vmax[j] - u.vmin[j]), "skew": sk, "kurtosis": ku,
        }
        if values is not None:
            for v in values:
                row[f"pct_{v}"] = (100.0 * dist.get(float(v), 0) / n if dist is not None
                                   else float("nan"))
        row["distribution"] = ({int(k) if float(k).is_integer() else k: v
                                for k, v in sorted(dist.items())} if dist is not None else None)
        rows.append(row)
    return pd.DataFrame(rows)


def _median_from_counts(dist: dict[float, int], n: int) -> float:
    keys = sorted(dist)
    cum = np.cumsum([dist[k] for k in keys])
    if n % 2:
        return float(keys[int(np.searchsorted(cum, n // 2 + 1))])
    lo = keys[int(np.searchsorted(cum, n // 2))]
    hi = keys[int(np.searchsorted(cum, n // 2 + 1))]
    return float((lo + hi) / 2)


# ----------------------------------------------------------------------------------------
# reliability
# ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class DaskReliabilityResult:
    """Cronbach's alpha and item statistics computed from partition sums.

    Attributes: ``items``, ``n`` (rows used), ``n_dropped`` (rows without any usable
    answer, or incomplete rows when ``use="complete"``), ``use``, ``mean`` and ``cov``
    of the items (ddof=1). Properties ``alpha`` (raw), ``std_alpha``, ``average_r``;
    ``scale_stats()`` and ``tidy()`` (one row per item) use the names of
    :func:`egovstudy.measurement.reliability`.
    """

    items: list[str]
    n: int
    n_dropped: int
    use: str
    mean: np.ndarray
    cov: np.ndarray
    raw_r: np.ndarray | None = None    # psych's raw.r with blanks (pairwise only)

    @property
    def k(self) -> int:
        """Number of items."""
        return len(self.items)

    @staticmethod
    def _alpha(S: np.ndarray) -> float:
        k = S.shape[0]
        return float(k / (k - 1) * (1 - np.trace(S) / S.sum()))

    @staticmethod
    def _std_alpha(R: np.ndarray) -> float:
        k = R.shape[0]
        rbar = (R.sum() - k) / (k * (k - 1))
        return float(k * rbar / (1 + (k - 1) * rbar))

    @property
    def corr(self) -> np.ndarray:
        """Inter-item correlation matrix."""
        sd = np.sqrt(np.diag(self.cov))
        return np.asarray(self.cov / np.outer(sd, sd))

    @property
    def alpha(self) -> float:
        """Cronbach's alpha from the covariances (psych's ``raw_alpha``)."""
        return self._alpha(self.cov)

    @property
    def std_alpha(self) -> float:
        """Standardized alpha from the correlations (psych's ``std.alpha``)."""
        return self._std_alpha(self.corr)

    @property
    def average_r(self) -> float:
        """Mean inter-item correlation."""
        k = self.k
        return float((self.corr.sum() - k) / (k * (k - 1)))

    def scale_stats(self) -> dict[str, Any]:
        """raw_alpha, std_alpha, average_r, n, n_items, n_dropped, use."""
        return {"raw_alpha": self.alpha, "std_alpha": self.std_alpha,
                "average_r": self.average_r, "n": self.n, "n_items": self.k,
                "n_dropped": self.n_dropped, "use": self.use}

    def tidy(self) -> pd.DataFrame:
        """One row per item: ``item, mean, sd, r_total, r_rest, alpha_if_deleted,
        std_alpha_if_deleted`` (psych's ``raw.r``, ``r.drop``, ``raw_alpha`` and
        ``std.alpha`` of ``alpha.drop``)."""
        S, R = self.cov, self.corr
        k = self.k
        row = S.sum(axis=1)
        var_t = S.sum()
        var_j = np.diag(S)
        r_total = row / np.sqrt(var_j * var_t) if self.raw_r is None else self.raw_r
        r_rest = (row - var_j) / np.sqrt(var_j * (var_t - 2 * row + var_j))
        a_del, a_std_del = [], []
        for j in range(k):
            keep = [i for i in range(k) if i != j]
            a_del.append(self._alpha(S[np.ix_(keep, keep)]) if k > 2 else float("nan"))
            a_std_del.append(self._std_alpha(R[np.ix_(keep, keep)]) if k > 2 else float("nan"))
        return pd.DataFrame({"item": self.items, "mean": self.mean, "sd": np.sqrt(var_j),
                             "r_total": r_total, "r_rest": r_rest,
                             "alpha_if_deleted": a_del, "std_alpha_if_deleted": a_std_del})

    def summary(self) -> str:
        """Plain-text summary."""
        miss = ("pairwise-complete covariances" if self.use == "pairwise"
                else "complete cases only")
        head = (f"Reliability ({self.k} items, n = {self.n}, {miss}): "
                f"alpha = {self.alpha:.4f}, standardized alpha = {self.std_alpha:.4f}, "
                f"average r = {self.average_r:.4f}")
        return head + "\n" + self.tidy().to_string(index=False, float_format="%.4f")

    def __str__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        head = html.escape(self.summary().splitlines()[0])
        return f"<p>{head}</p>" + self.tidy().to_html(index=False, float_format="{:.4f}".format)


def _part_pairwise(part: pd.DataFrame, cols: list[str], shift: np.ndarray) -> dict[str, Any]:
    X = _float_block(part, cols) - shift
    M = ~np.isnan(X)
    Xz = np.where(M, X, 0.0)
    Mf = M.astype(np.float64)
    # psych's raw.r = cor(rowMeans(x, na.rm = TRUE), x, use = "pairwise"): sums of the row
    # mean of the answered items (shifted by the mean shift) over each item's rows
    cnt = M.sum(axis=1)
    t = np.where(cnt > 0, (Xz + np.where(M, shift, 0.0)).sum(axis=1) / np.maximum(cnt, 1)
                 - shift.mean(), 0.0)
    return {"nij": Mf.T @ Mf, "S": Xz.T @ Mf, "Q": Xz.T @ Xz,
            "tS": Mf.T @ t, "tQ": Mf.T @ (t * t), "tX": Xz.T @ t,
            "n_any": int(M.any(axis=1).sum()), "n_input": len(X)}


def _merge_sums(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    return {key: a[key] + b[key] for key in a}


def reliability_dask(data: Any, items: Sequence[str], *,
                     use: Literal["pairwise", "complete"] = "pairwise"
                     ) -> DaskReliabilityResult:
    """Cronbach's alpha (raw and standardized) and item statistics from partition sums.

    Parameters
    ----------
    data : dask.dataframe.DataFrame, str, pathlib.Path or pandas.DataFrame
        The data (a path or URL names a Parquet file or folder; only ``items`` are read).
    items : sequence of str
        Item columns of one scale, reverse-keyed items already reversed.
    use : {"pairwise", "complete"}
        Missing data as in :func:`egovstudy.measurement.reliability`: pairwise-complete
        covariances (``psych::alpha``'s default) or complete cases only.

    Returns
    -------
    DaskReliabilityResult
        ``alpha``, ``std_alpha``, ``average_r``; ``tidy()`` with item-total and item-rest
        correlations and alpha if the item is deleted.

    Notes
    -----
    Everything follows from the item means and covariance matrix. ``"complete"`` merges
    centred cross-products across partitions (Chan et al.); ``"pairwise"`` adds, per pair
    of items, the count, sums and cross-products over the rows answering both, after
    shifting every item by its mean in the first rows (exact for integer Likert codes).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"a": [1, 2, 3, 4, 5], "b": [2, 2, 3, 5, 5], "c": [1, 3, 3, 4, 4]})
    >>> round(reliability_dask(df, ["a", "b", "c"]).alpha, 4)
    0.9538
    """
    if use not in ("pairwise", "complete"):
        raise ModelSpecError(f"use={use!r} is not supported; use one of 'pairwise', 'complete'")
    cols = [str(c) for c in items]
    if len(cols) < 2:
        raise InsufficientDataError(
            f"reliability_dask: needs at least 2 items, got {cols}; name the items of one scale")
    if len(set(cols)) != len(cols):
        raise ModelSpecError(f"reliability_dask: items {cols} name a column twice")
    ddf = _to_dask(data, cols, what="reliability_dask")
    from dask import delayed

    parts = ddf.to_delayed()
    raw_r: np.ndarray | None = None
    if use == "complete":
        m: _Comoments = _compute(_tree_reduce([delayed(_part_items)(p, cols) for p in parts],
                                              _merge_comoments))
        n_input = int(m.extra.get("n_input", m.n))
        n, mean = m.n, m.mean
        cov = m.C / (n - 1) if n > 1 else np.full((len(cols), len(cols)), np.nan)
        n_pair = np.full((len(cols), len(cols)), n)
    else:
        head = _head(ddf)
        shift = np.nan_to_num(np.nanmean(_float_block(head, cols), axis=0)) if len(head) else \
            np.zeros(len(cols))
        t = _compute(_tree_reduce([delayed(_part_pairwise)(p, cols, shift) for p in parts],
                                  _merge_sums))
        n_pair, S, Q = t["nij"], t["S"], t["Q"]
        n, n_input = int(t["n_any"]), int(t["n_input"])
        with np.errstate(invalid="ignore", divide="ignore"):
            cov = (Q - S * S.T / n_pair) / (n_pair - 1)
            mean = np.diag(S) / np.diag(n_pair) + shift
            ni, sx, sxx = np.diag(n_pair), np.diag(S), np.diag(Q)
            raw_r = (ni * t["tX"] - t["tS"] * sx) / np.sqrt(
                (ni * sxx - sx**2) * (ni * t["tQ"] - t["tS"] ** 2))
    bad = [(cols[i], cols[j]) for i, j in zip(*np.where(n_pair < 2)) if i <= j]
    if bad or n <= 1:
        raise InsufficientDataError(
            f"reliability_dask: item pairs {bad[:5]} share fewer than 2 respondents; their "
            "covariance cannot be computed")
    const = [c for c, v in zip(cols, np.diag(cov)) if v <= 0]
    if const:
        raise ModelSpecError(f"reliability_dask: item(s) {const} are constant; drop them")
    if n_input > n:
        why = "a missing item" if use == "complete" else "no answer to any item"
        warnings.warn(f"reliability_dask: {n_input - n} of {n_input} rows with {why} were "
                      f"dropped; n = {n}", DataQualityWarning, stacklevel=2)
    return DaskReliabilityResult(items=cols, n=n, n_dropped=n_input - n, use=use,
                                 mean=np.asarray(mean, dtype=float), cov=np.asarray(cov),
                                 raw_r=raw_r)


# ----------------------------------------------------------------------------------------
# OLS
# ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Spec:
    """Everything a worker needs to build one partition's design matrix."""

    formula: str
    columns: list[str]
    levels: dict[str, list[Any]]
    terms: list[str]
    clusters: list[str]


@functools.lru_cache(maxsize=32)
def _parsed(formula: str, columns: tuple[str, ...]) -> ParsedFormula:
    """The formula checked against the whitelisted grammar (cached: each partition asks)."""
    return parse_formula(formula, columns)


def _prepare(part: pd.DataFrame, spec: _Spec) -> tuple[pd.DataFrame, np.ndarray, int]:
    """Complete rows of one partition, with categorical levels fixed; NA counts per column."""
    sub = part[spec.columns]
    na = sub.isna()
    counts = na.sum().to_numpy(dtype=np.int64)
    clean = sub.loc[~na.any(axis=1).to_numpy()].copy()
    for c in spec.columns:
        if c in spec.levels:
            clean[c] = pd.Categorical(clean[c], categories=spec.levels[c])
        elif isinstance(clean[c].dtype, pd.api.extensions.ExtensionDtype) and \
                pd.api.types.is_numeric_dtype(clean[c]):
            clean[c] = clean[c].to_numpy(dtype=np.float64)
    return clean, counts, len(sub)


def _design(clean: pd.DataFrame, spec: _Spec) -> tuple[np.ndarray, np.ndarray]:
    y_df, x_df = design_matrices(_parsed(spec.formula, tuple(spec.columns)), clean)
    terms = [str(c) for c in x_df.columns]
    if terms != spec.terms:
        raise ModelSpecError(f"a partition produced design columns {terms}, expected "
                             f"{spec.terms}; make categorical columns explicit with C()")
    return (np.asarray(x_df, dtype=np.float64), np.asarray(y_df, dtype=np.float64).ravel())


def _ols_pass1(part: pd.DataFrame, spec: _Spec) -> _Comoments:
    clean, na_counts, n_input = _prepare(part, spec)
    k = len(spec.terms)
    if len(clean) == 0:
        out = _Comoments(0, np.zeros(k + 1), np.zeros((k + 1, k + 1)))
    else:
        X, y = _design(clean, spec)
        out = _comoments(np.column_stack([X, y]))
    out.extra = {"n_input": n_input, "na": na_counts}
    return out


def _ols_pass2(part: pd.DataFrame, spec: _Spec, coef: np.ndarray, xtx_inv: np.ndarray,
               kind: str) -> dict[str, Any]:
    clean, _, _ = _prepare(part, spec)
    k = len(spec.terms)
    out: dict[str, Any] = {"ssr": 0.0, "meat": np.zeros((k, k)), "h_max": 0.0, "sums": []}
    if len(clean) == 0:
        return out
    X, y = _design(clean, spec)
    e = y - X @ coef
    out["ssr"] = float(e @ e)
    if kind in ("HC0", "HC1", "HC2", "HC3"):
        w = e * e
        if kind in ("HC2", "HC3"):
            h = np.einsum("ij,ij->i", X @ xtx_inv, X)
            out["h_max"] = float(h.max())
            w = w / (1 - h) if kind == "HC2" else w / (1 - h) ** 2
        out["meat"] = X.T @ (X * w[:, None])
    elif kind == "cluster":
        scores = pd.DataFrame(X * e[:, None])
        keys = [clean[c].to_numpy() for c in spec.clusters]
        sums = [scores.groupby(key, sort=False).sum() for key in keys]
        if len(keys) == 2:
            sums.append(scores.groupby(keys, sort=False).sum())
        out["sums"] = sums
    return out


def _merge_pass2(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    if not a["sums"]:
        sums = b["sums"]
    elif not b["sums"]:
        sums = a["sums"]
    else:
        sums = []
        for sa, sb in zip(a["sums"], b["sums"]):
            both = pd.concat([sa, sb])
            sums.append(both.groupby(level=list(range(both.index.nlevels)), sort=False).sum())
    return {"ssr": a["ssr"] + b["ssr"], "meat": a["meat"] + b["meat"],
            "h_max": max(a["h_max"], b["h_max"]), "sums": sums}


def _head(ddf: Any, n: int = 1000, npartitions: int = 1) -> pd.DataFrame:
    """First rows without dask's warning when the first partition is shorter."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Insufficient elements for `head`")
        return ddf.head(n, npartitions=npartitions, compute=True)


def _sample_for_design(ddf: Any, columns: list[str]) -> pd.DataFrame:
    sample = _head(ddf)
    if sample[columns].dropna().empty:
        sample = _head(ddf, npartitions=-1)
    if sample[columns].dropna().empty:
        raise InsufficientDataError(
            f"no complete row among the first rows of the data for columns {columns}")
    return sample


def _part_levels(part: pd.DataFrame, cols: list[str]) -> dict[str, set[Any]]:
    return {c: set(pd.unique(part[c].dropna()).tolist()) for c in cols}


def _merge_levels(a: dict[str, set[Any]], b: dict[str, set[Any]]) -> dict[str, set[Any]]:
    return {c: a[c] | b[c] for c in a}


def _global_levels(ddf: Any, sample: pd.DataFrame, formula: str, used: list[str]
                   ) -> dict[str, list[Any]]:
    """Levels over the whole data of every column that enters the formula as categorical."""
    import dask

    clean = sample[used].dropna()
    for c in used:
        if isinstance(clean[c].dtype, pd.api.extensions.ExtensionDtype) and \
                pd.api.types.is_numeric_dtype(clean[c]):
            clean[c] = clean[c].to_numpy(dtype=np.float64)
    parsed = _parsed(formula, tuple(used))
    info = design_matrices(parsed, clean)[1].design_info
    cat_cols: list[str] = []
    for factor, finfo in info.factor_infos.items():
        if finfo.type == "categorical":
            found_cols = parsed.factor_columns(factor.name())
            cat_cols += [c for c in sorted(found_cols) if c in used and c not in cat_cols]
    if not cat_cols:
        return {}
    from dask import delayed

    parts = [delayed(_part_levels)(p, cat_cols) for p in ddf[cat_cols].to_delayed()]
    found: dict[str, set[Any]] = dask.compute(_tree_reduce(parts, _merge_levels))[0]
    levels: dict[str, list[Any]] = {}
    for c in cat_cols:
        vals = list(found[c])
        try:
            levels[c] = sorted(vals)
        except TypeError:
            levels[c] = sorted(vals, key=str)
    return levels


@dataclass(frozen=True)
class DaskOLSResult(LinearFitMixin):
    """An OLS fit computed from partition sums. Build with :func:`ols_dask`.

    ``tidy()`` and ``fit_stats()`` have the columns and keys of
    :class:`egovstudy.models.OLSResult`; residuals and fitted values are not kept (they
    have as many rows as the data): compute them lazily with ``predict_dask``-style code
    ``y - X @ params`` if needed.
    """

    formula: str
    response: str
    terms: list[str]
    coef: np.ndarray
    cov: np.ndarray
    vcov_type: str
    vcov_note: str
    df_inference: int
    n: int
    ssr: float
    tss: float
    xtx_inv: np.ndarray
    sd_x: np.ndarray
    sd_y: float
    has_intercept: bool
    n_dropped: int
    dropped_by: dict[str, int]
    n_partitions: int
    n_clusters: tuple[int, ...] = ()
    conf_level: float = 0.95

    @property
    def k(self) -> int:
        """Number of coefficients."""
        return len(self.terms)

    @property
    def std_estimate(self) -> np.ndarray:
        """Standardized coefficients ``b_j sd(x_j) / sd(y)``; NaN for the intercept."""
        out = self.coef * self.sd_x / self.sd_y
        out[self.sd_x == 0] = np.nan
        return out

    @property
    def _title_prefix(self) -> str:  # type: ignore[override]
        return f"OLS (Dask, {self.n_partitions} partitions)"

    def _extra_stats(self) -> dict[str, Any]:
        return {"n_partitions": self.n_partitions}

def _solve_normal(C: np.ndarray, terms: list[str]) -> np.ndarray:
    """Inverse of a symmetric positive-definite cross-product matrix, equilibrated."""
    d = np.sqrt(np.diag(C))
    R = C / np.outer(d, d)
    evals, evecs = np.linalg.eigh(R)
    if evals[0] <= evals[-1] * len(terms) * 1e-13:
        v = np.abs(evecs[:, 0])
        involved = [t for t, w in zip(terms, v) if w > 0.1]
        raise ModelSpecError(
            f"the design is rank deficient: terms {involved} are (close to) an exact linear "
            "combination of each other; drop one of them")
    cond = evals[-1] / evals[0]
    if cond > 1e10:
        warnings.warn(f"the predictors' correlation matrix has condition number {cond:.2g}: the "
                      "Dask path solves normal equations and may lose about "
                      f"{int(np.log10(cond))} digits; fit in memory with egovstudy.ols if possible",
                      StatisticalWarning, stacklevel=3)
    Rinv = (evecs / evals) @ evecs.T
    return Rinv / np.outer(d, d)


def ols_dask(formula: str, data: Any, *, vcov: str | dict[str, Any] = "classical",
             conf_level: float = 0.95) -> DaskOLSResult:
    """OLS on a Dask DataFrame or a folder of Parquet files, from partition sums.

    Parameters
    ----------
    formula : str
        Formula in the grammar of ``docs/formula.md``, e.g. ``"perf ~ hrq + bud + C(region)"``
        (no stateful transforms).
    data : dask.dataframe.DataFrame, str, pathlib.Path or pandas.DataFrame
        The data (a path or URL names a Parquet file or folder; only the used columns are read).
    vcov : {"classical", "HC0", "HC1", "HC2", "HC3"} or {"cluster": col or [col1, col2]}
        As in :func:`egovstudy.models.ols` (same small-sample corrections). Everything but
        ``"classical"`` takes a second pass over the data.
    conf_level : float
        Level of the confidence intervals in ``tidy()``.

    Returns
    -------
    DaskOLSResult
        ``tidy()`` and ``fit_stats()`` as :class:`egovstudy.models.OLSResult`.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"y": [1.0, 3.1, 4.9, 7.2, 8.8], "x": [0.0, 1, 2, 3, 4]})
    >>> res = ols_dask("y ~ x", df)
    >>> res.tidy()[["term", "estimate"]].round(3)
            term  estimate
    0  Intercept      1.06
    1          x      1.97
    """
    from dask import delayed

    from egovstudy.models.covariance import parse_vcov
    from egovstudy.models.design import _check_types

    kind, cluster_cols = parse_vcov(vcov)
    if not 0 < conf_level < 1:
        raise ModelSpecError(f"conf_level must lie in (0, 1), got {conf_level!r}")
    if not isinstance(formula, str) or "~" not in formula:
        raise ModelSpecError(f"formula must be a string 'response ~ predictors', got {formula!r}")
    full = _open(data, what="ols_dask")
    parsed = parse_formula(formula, [str(c) for c in full._meta.columns])
    if parsed.stateful:
        raise ModelSpecError(
            f"formula {formula!r} uses the stateful transform {parsed.stateful[0]}(), which "
            "learns from the data and would differ between partitions; create the transformed "
            "column first (e.g. ddf['x_c'] = ddf['x'] - ddf['x'].mean()) and use it instead")
    _check_types(parsed, full._meta)
    response, used = parsed.response, list(parsed.columns)
    columns = list(dict.fromkeys([*used, *cluster_cols]))
    ddf = _select(full, columns, what="ols_dask")
    sample = _sample_for_design(ddf, columns)
    levels = _global_levels(ddf, sample, formula, used)
    spec0 = _Spec(formula, columns, levels, [], cluster_cols)
    clean, _, _ = _prepare(sample, spec0)
    x_df = design_matrices(_parsed(formula, tuple(columns)), clean)[1]
    terms = [str(c) for c in x_df.columns]
    spec = _Spec(formula, columns, levels, terms, cluster_cols)
    k = len(terms)

    parts = ddf.to_delayed()
    m: _Comoments = _compute(_tree_reduce([delayed(_ols_pass1)(p, spec) for p in parts],
                                          _merge_comoments))
    n = m.n
    n_input = int(m.extra.get("n_input", n))
    na = np.asarray(m.extra.get("na", np.zeros(len(columns))))
    dropped_by = {c: int(v) for c, v in zip(columns, na) if v}
    n_dropped = n_input - n
    if n == 0:
        raise InsufficientDataError(f"no complete rows left for formula {formula!r} after "
                                    f"listwise deletion (missing values per column: {dropped_by})")
    if n_dropped:
        detail = ", ".join(f"{c}: {v}" for c, v in dropped_by.items())
        warnings.warn(f"listwise deletion dropped {n_dropped} of {n_input} rows with missing "
                      f"values ({detail}); the model uses n = {n}", DataQualityWarning,
                      stacklevel=2)
    if n - k < 1:
        raise InsufficientDataError(f"n = {n} complete cases is not above k = {k} coefficients "
                                    f"({', '.join(terms)}); collect more data or use fewer "
                                    "predictors")
    has_int = "Intercept" in terms
    mean_x, mean_y = m.mean[:k], float(m.mean[k])
    Cxx, Cxy, Cyy = m.C[:k, :k], m.C[:k, k], float(m.C[k, k])
    var_x = np.diag(Cxx) / (n - 1)
    for j, t in enumerate(terms):
        if t != "Intercept" and var_x[j] <= 1e-14 * max(1.0, mean_x[j] ** 2) and \
                (has_int or mean_x[j] == 0):
            raise ModelSpecError(f"predictor {t!r} is constant (every one of the {n} complete "
                                 f"cases has the value {mean_x[j]:g}); drop it from the formula")
    if has_int:
        i0 = terms.index("Intercept")
        sl = [j for j in range(k) if j != i0]
        A = _solve_normal(Cxx[np.ix_(sl, sl)], [terms[j] for j in sl]) if sl else \
            np.zeros((0, 0))
        b = A @ Cxy[sl]
        coef = np.empty(k)
        coef[sl] = b
        coef[i0] = mean_y - mean_x[sl] @ b
        xtx_inv = np.empty((k, k))
        ms = mean_x[sl]
        xtx_inv[np.ix_(sl, sl)] = A
        xtx_inv[i0, sl] = xtx_inv[sl, i0] = -(A @ ms)
        xtx_inv[i0, i0] = 1.0 / n + ms @ A @ ms
        ssr = Cyy - float(Cxy[sl] @ b)
        tss = Cyy
    else:
        XtX = Cxx + n * np.outer(mean_x, mean_x)
        Xty = Cxy + n * mean_x * mean_y
        yty = Cyy + n * mean_y**2
        xtx_inv = _solve_normal(XtX, terms)
        coef = xtx_inv @ Xty
        ssr = yty - float(Xty @ coef)
        tss = yty
    df_resid = n - k
    second = kind != "classical" or ssr <= 1e-8 * tss
    n_clusters: tuple[int, ...] = ()
    if second:
        p2 = _compute(_tree_reduce(
            [delayed(_ols_pass2)(p, spec, coef, xtx_inv, kind) for p in parts], _merge_pass2))
        ssr = float(p2["ssr"])
    if kind == "classical":
        cov = ssr / df_resid * xtx_inv
        note = "classical (homoskedastic) standard errors"
        df_inf = df_resid
    elif kind in ("HC0", "HC1", "HC2", "HC3"):
        if kind in ("HC2", "HC3") and p2["h_max"] > 1 - 1e-10:
            raise ModelSpecError(f"{kind} standard errors are undefined: some cases have "
                                 "leverage 1 (a dummy that picks out a single case); use HC1 or "
                                 "drop that term")
        cov = xtx_inv @ p2["meat"] @ xtx_inv
        if kind == "HC1":
            cov = cov * n / df_resid
        note = {"HC0": "heteroskedasticity-robust (HC0, White 1980), no small-sample correction",
                "HC1": "heteroskedasticity-robust (HC1 = HC0 x n/(n-k), Stata 'robust')",
                "HC2": "heteroskedasticity-robust (HC2, residuals scaled by 1/(1-h))",
                "HC3": "heteroskedasticity-robust (HC3, residuals scaled by 1/(1-h)^2)"}[kind]
        df_inf = df_resid
    else:
        cov, note, df_inf, n_clusters = _cluster_cov(p2["sums"], cluster_cols, xtx_inv, n, k)
    sd_x = np.sqrt(np.diag(Cxx) / (n - 1))
    vtype = kind if kind != "cluster" else f"cluster({', '.join(cluster_cols)})"
    return DaskOLSResult(
        formula=formula, response=response, terms=terms, coef=coef, cov=cov, vcov_type=vtype,
        vcov_note=note, df_inference=df_inf, n=n, ssr=ssr, tss=tss, xtx_inv=xtx_inv,
        sd_x=sd_x, sd_y=float(np.sqrt(Cyy / (n - 1))), has_intercept=has_int,
        n_dropped=n_dropped, dropped_by=dropped_by, n_partitions=len(parts),
        n_clusters=n_clusters, conf_level=conf_level)


def _cluster_cov(sums: list[pd.DataFrame], names: list[str], xtx_inv: np.ndarray, n: int,
                 k: int) -> tuple[np.ndarray, str, int, tuple[int, ...]]:
    from egovstudy.models.covariance import combine_cluster_pieces

    df_resid = n - k
    sizes = [len(s) for s in sums]
    for g, name in zip(sizes, names):
        if g < 2:
            raise InsufficientDataError(
                f"cluster variable {name!r} has {g} cluster among the complete cases; "
                "cluster-robust errors need at least 2 (and ideally 30 or more) clusters")

    def piece(s: pd.DataFrame) -> np.ndarray:
        g = len(s)
        S = s.to_numpy(dtype=np.float64)
        return g / (g - 1) * (n - 1) / df_resid * (xtx_inv @ (S.T @ S) @ xtx_inv)

    out_sizes = tuple(sizes[:len(names)])
    pieces = [piece(s) for s in sums[:1 if len(names) == 1 else 3]]
    V, note, df_inf = combine_cluster_pieces(pieces, names, list(out_sizes))
    return V, note, df_inf, out_sizes
