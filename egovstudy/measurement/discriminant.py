"""Discriminant validity: Fornell-Larcker table, HTMT with bootstrap CI, cross-loadings.

HTMT follows Henseler, Ringle & Sarstedt (2015) as implemented in ``seminr``
(absolute item correlations); its confidence interval comes from the shared
bootstrap engine :func:`egovstudy.bootstrap.resample_counts`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from egovstudy.errors import ModelSpecError
from egovstudy.measurement._common import check_constructs, cov2cor, html_table, item_frame

__all__ = ["HTMTResult", "cross_loadings", "fornell_larcker", "htmt"]


def _htmt_from_cor(r: np.ndarray, idx: dict[str, list[int]]) -> np.ndarray:
    names = list(idx)
    m = len(names)
    a = np.abs(r)
    mono = []
    for nm in names:
        ii = idx[nm]
        if len(ii) < 2:
            mono.append(np.nan)
            continue
        sub = a[np.ix_(ii, ii)]
        mono.append(float(sub[np.triu_indices(len(ii), 1)].mean()))
    out = np.full((m, m), np.nan)
    for i in range(m):
        for j in range(i + 1, m):
            het = float(a[np.ix_(idx[names[i]], idx[names[j]])].mean())
            out[i, j] = out[j, i] = het / np.sqrt(mono[i] * mono[j])
    return out


@dataclass(frozen=True)
class HTMTResult:
    """HTMT matrix and, with a bootstrap, percentile intervals per pair."""

    matrix: pd.DataFrame
    pairs: pd.DataFrame
    n_boot: int
    threshold: float

    def tidy(self) -> pd.DataFrame:
        """One row per construct pair: term, estimate, ci_low, ci_high, below_threshold."""
        return self.pairs.copy()

    def summary(self) -> str:
        """Text summary."""
        return (f"HTMT (threshold {self.threshold}; {self.n_boot} bootstrap resamples)\n"
                + self.pairs.round(3).to_string(index=False))

    def _repr_html_(self) -> str:
        return html_table("HTMT", self.pairs)


def htmt(data: pd.DataFrame, constructs: Mapping[str, Sequence[str]], *, n_boot: int = 0,
         level: float = 0.95, threshold: float = 0.85,
         seed: int | np.random.SeedSequence | None = 0, clusters: Any = None) -> HTMTResult:
    """Heterotrait-monotrait ratio of correlations with an optional bootstrap CI.

    Parameters
    ----------
    data : pandas.DataFrame
        Item responses.
    constructs : dict
        ``{construct: [items]}``; constructs need two or more items.
    n_boot : int
        Bootstrap resamples for percentile intervals (0 = none).
    level : float
        Interval level.
    threshold : float
        Discriminant validity holds when the upper bound (or, without a bootstrap,
        the estimate) is below it (0.85 or 0.90 in Henseler et al. 2015).
    seed, clusters
        Passed to :func:`egovstudy.bootstrap.resample_counts` (cluster bootstrap by
        agency when ``clusters`` is given).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> f = rng.normal(size=(200, 2))
    >>> x = np.hstack([f[:, [0]] + rng.normal(size=(200, 2)),
    ...                f[:, [1]] + rng.normal(size=(200, 2))])
    >>> df = pd.DataFrame(x, columns=["a1", "a2", "b1", "b2"])
    >>> res = htmt(df, {"A": ["a1", "a2"], "B": ["b1", "b2"]})
    >>> float(res.pairs["estimate"].iloc[0]) < 0.3
    True
    """
    cons = check_constructs(data, constructs, min_items=2, min_constructs=2)
    items = [i for v in cons.values() for i in v]
    frame = item_frame(data, items, min_items=2, what="HTMT").dropna()
    pos = {c: i for i, c in enumerate(frame.columns)}
    idx = {k: [pos[i] for i in v] for k, v in cons.items()}
    x = frame.to_numpy()
    r = np.corrcoef(x, rowvar=False)
    est = _htmt_from_cor(r, idx)
    names = list(cons)
    iu = np.triu_indices(len(names), 1)
    pairs = pd.DataFrame({"term": [f"{names[i]} - {names[j]}" for i, j in zip(*iu)],
                          "estimate": est[iu]})
    if n_boot:
        from egovstudy.bootstrap import percentile_ci, resample_counts

        if n_boot < 100:
            raise ModelSpecError(f"n_boot={n_boot}: use 0 (no interval) or at least 100")
        cl = None if clusters is None else np.asarray(clusters)[frame.index.map(
            data.index.get_loc)]
        counts = resample_counts(x.shape[0], n_boot, seed=seed, clusters=cl)
        boot = np.full((n_boot, len(pairs)), np.nan)
        for b in range(n_boot):
            cov = np.cov(x, rowvar=False, fweights=counts[b])
            if np.all(np.diag(cov) > 0):
                boot[b] = _htmt_from_cor(cov2cor(cov), idx)[iu]
        lo, hi = percentile_ci(boot, level)
        pairs["ci_low"], pairs["ci_high"] = lo, hi
        pairs["below_threshold"] = pairs["ci_high"] < threshold
    else:
        pairs["ci_low"] = pairs["ci_high"] = np.nan
        pairs["below_threshold"] = pairs["estimate"] < threshold
    return HTMTResult(matrix=pd.DataFrame(est, index=names, columns=names), pairs=pairs,
                      n_boot=n_boot, threshold=threshold)


def _scores(data: pd.DataFrame, cons: dict[str, list[str]]) -> pd.DataFrame:
    return pd.DataFrame({k: data[v].astype(float).mean(axis=1, skipna=True)
                         for k, v in cons.items()})


def cross_loadings(data: pd.DataFrame, constructs: Mapping[str, Sequence[str]],
                   scores: pd.DataFrame | None = None) -> pd.DataFrame:
    """Correlation of every item with every construct score.

    Scores are the item means per construct unless ``scores`` (e.g. PLS construct
    scores) is given. An item should correlate more with its own construct.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"a1": [1, 2, 3, 4, 5], "a2": [2, 2, 3, 5, 5],
    ...                    "b1": [5, 3, 4, 1, 2], "b2": [4, 4, 3, 2, 1]})
    >>> cl = cross_loadings(df, {"A": ["a1", "a2"], "B": ["b1", "b2"]})
    >>> bool(cl.loc["a1", "A"] > abs(cl.loc["a1", "B"]))
    True
    """
    cons = check_constructs(data, constructs, min_items=1, min_constructs=1)
    sc = _scores(data, cons) if scores is None else scores
    items = [i for v in cons.values() for i in v]
    out = pd.DataFrame({k: [float(data[i].astype(float).corr(sc[k])) for i in items]
                        for k in cons}, index=pd.Index(items, name="item"))
    out["construct"] = [k for k, v in cons.items() for _ in v]
    return out


def fornell_larcker(data: pd.DataFrame, constructs: Mapping[str, Sequence[str]],
                    scores: pd.DataFrame | None = None) -> pd.DataFrame:
    """Fornell-Larcker table: sqrt(AVE) on the diagonal, construct correlations below.

    AVE comes from each construct's one-factor ML standardized loadings
    (:func:`reliability`); correlations are between construct scores (item means, or
    ``scores``). Discriminant validity holds when each diagonal value exceeds the
    correlations in its row and column.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> f = rng.normal(size=(300, 2))
    >>> x = np.hstack([f[:, [0]] + 0.7 * rng.normal(size=(300, 3)),
    ...                f[:, [1]] + 0.7 * rng.normal(size=(300, 3))])
    >>> df = pd.DataFrame(x, columns=["a1", "a2", "a3", "b1", "b2", "b3"])
    >>> fl = fornell_larcker(df, {"A": ["a1", "a2", "a3"], "B": ["b1", "b2", "b3"]})
    >>> bool(fl.loc["A", "A"] > abs(fl.loc["B", "A"]))
    True
    """
    from egovstudy.measurement.reliability import reliability

    cons = check_constructs(data, constructs, min_items=2, min_constructs=2)
    sc = _scores(data, cons) if scores is None else scores[list(cons)]
    corr = sc.corr().to_numpy()
    out = np.tril(corr, -1)
    out[np.triu_indices(len(cons), 1)] = np.nan
    for i, v in enumerate(cons.values()):
        out[i, i] = np.sqrt(float(reliability(data, v).scale["ave"]))
    return pd.DataFrame(out, index=list(cons), columns=list(cons))
