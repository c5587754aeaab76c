"""The one resampling engine behind every bootstrap in egovstudy.

Resamples are represented as **counts**: row ``r`` of the ``(n_boot, n)`` array says
how often each case is drawn in resample ``r``. A statistic that is a function of
weighted sums (cross-products, covariance matrices) is then computed for all
resamples at once with one matrix product ``counts @ data``; with ``moments=data``
the engine forms that product itself, chunk by chunk while the counts are in cache.

Seeding goes through :class:`numpy.random.SeedSequence`: the resamples are cut into
fixed-size batches and every batch draws from its own spawned child stream, so the
numbers do not depend on how many workers run the batches (serial and parallel runs
give identical results). By default the batches run on threads, one per core (drawing,
counting and the matrix products release the GIL; see :mod:`egovstudy._draws`); with
an explicit ``n_jobs`` they run through :mod:`joblib`, and a user with a Dask cluster
runs them there with ``joblib.parallel_backend("dask")``.

Failed resamples (a singular system, a non-converging fit) are kept as ``NaN``,
counted and reported; interval functions ignore them explicitly.
"""

from __future__ import annotations

import math
import os
import threading
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, nullcontext
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from egovstudy._blas import single_thread_blas
from egovstudy._draws import SharedBatches, _compiled_module, batch_moments, count_chunks
from egovstudy.errors import InsufficientDataError, ModelSpecError, StatisticalWarning

__all__ = [
    "BATCH_SIZE",
    "BootstrapResult",
    "bc_ci",
    "bootstrap",
    "count_duplicates",
    "iter_count_batches",
    "percentile_ci",
    "resample_counts",
    "seed_sequence",
]

#: Resamples per batch. Fixed (not derived from the number of workers) so that the
#: random streams, and therefore the results, are the same for any ``n_jobs``.
BATCH_SIZE = 500

#: Minimum number of cases (or clusters) for a bootstrap.
MIN_UNITS = 5

SeedLike = int | np.random.SeedSequence | None
CIMethod = Literal["percentile", "bc"]


def seed_sequence(seed: SeedLike) -> np.random.SeedSequence:
    """Return a :class:`numpy.random.SeedSequence` from an int, a sequence or ``None``.

    Examples
    --------
    >>> seed_sequence(1).entropy
    1
    """
    if isinstance(seed, np.random.SeedSequence):
        return seed
    if seed is None:
        return np.random.SeedSequence()
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or int(seed) < 0:
        raise ModelSpecError(f"seed={seed!r}: pass a non-negative int or a "
                             "numpy.random.SeedSequence")
    return np.random.SeedSequence(int(seed))


def _cluster_codes(clusters: Any, n: int) -> tuple[np.ndarray, int]:
    arr = np.asarray(clusters)
    if arr.ndim != 1 or arr.shape[0] != n:
        raise ModelSpecError(f"clusters has shape {arr.shape}; pass one cluster label per case "
                             f"(length {n})")
    if pd.isna(pd.Series(arr)).any():
        raise ModelSpecError("clusters contains missing labels; drop those cases or give "
                             "them a cluster")
    codes, uniques = pd.factorize(pd.Series(arr), sort=True)
    return codes.astype(np.intp), len(uniques)


def _batch_counts(n: int, size: int, ss: np.random.SeedSequence,
                  cluster_codes: np.ndarray | None, n_clusters: int) -> np.ndarray:
    """Counts of one batch as float64 (whole numbers), shape ``(size, n)``."""
    units = n if cluster_codes is None else n_clusters
    counts = np.empty((size, units))
    for s, c in count_chunks(units, size, ss):
        counts[s:s + c.shape[0]] = c
    if cluster_codes is not None:
        counts = counts[:, cluster_codes]
    return counts


#: Largest ``rows * units * k`` of one matrix product of the moments path. OpenBLAS
#: multiplies products up to about a million multiply-adds with its small-matrix
#: kernels, without packing: measured 1.6-1.8x faster on the project's machine for
#: 1,000 and 5,000 cases (e.g. 40 rows x 1,000 cases x 24 moments against 65 rows).
_GEMM_SMALL = 960_000


#: Most resamples per matrix product of the compiled moments path, whose counts are
#: also made this many rows at a time. Measured on the project's machine (5,000
#: resamples, 23 moments, one thread): 10.9 against 11.3-11.5 ms at 1,000 cases (41 or
#: 65 rows before), 23.0 against 23.5 ms at 2,000, 62 against 72 ms at 5,000 (8 rows,
#: counted 8 instead of 13 at a time), the same at 50-300 cases; and the counts take
#: 96 kB instead of 520 kB of cache, which the Python work after the products shares.
#: The products are the same bits (BLAS's small-matrix kernels sum each product alike).
_GEMM_ROWS = 12


def _gemm_rows(units: int, k: int) -> int:
    """Resamples per matrix product of the compiled moments path (see ``_GEMM_SMALL``)."""
    rows = _GEMM_SMALL // (units * k)
    return min(rows, _GEMM_ROWS) if rows >= 4 else _GEMM_SMALL


def _batch_moments(units: int, batches: list[tuple[int, np.random.SeedSequence]],
                   moments: np.ndarray, entering: Callable[[], None] | None = None
                   ) -> np.ndarray:
    """``counts @ moments`` of consecutive batches ``(size, seed sequence)``: one call of
    the compiled kernel, else batch by batch and chunk by chunk (the counts never leave
    cache); the same numbers either way. ``entering`` is called as the work starts."""
    gemm = _gemm_rows(units, moments.shape[1])
    whole = batch_moments(units, batches, moments, gemm, entering)
    if whole is not None:
        return whole
    if entering is not None:
        entering()
    out = np.empty((sum(size for size, _ in batches), moments.shape[1]))
    first = 0
    for size, ss in batches:
        for s, c in count_chunks(units, size, ss):
            k = c.shape[0]
            step = gemm if gemm < _GEMM_SMALL else k      # else one product per chunk
            for r in range(0, k, step):
                np.matmul(c[r:r + step], moments,
                          out=out[first + s + r:first + s + min(r + step, k)])
        first += size
    return out


def _check_units(n: int, n_boot: int, cluster_codes: np.ndarray | None, n_clusters: int) -> None:
    if isinstance(n_boot, bool) or not isinstance(n_boot, int | np.integer) or n_boot < 1:
        raise ModelSpecError(f"n_boot={n_boot!r}: pass a positive integer (e.g. 5000)")
    if cluster_codes is None and n < MIN_UNITS:
        raise InsufficientDataError(f"n={n} cases is too few for a bootstrap; at least "
                                    f"{MIN_UNITS} are needed")
    if cluster_codes is not None and n_clusters < MIN_UNITS:
        raise InsufficientDataError(f"clusters has only {n_clusters} distinct clusters; a cluster "
                                    f"bootstrap needs at least {MIN_UNITS}")


def _batches(n_boot: int, batch_size: int, ss: np.random.SeedSequence
             ) -> list[tuple[int, int, np.random.SeedSequence]]:
    n_batches = -(-n_boot // batch_size)
    children = ss.spawn(n_batches)
    return [(i * batch_size, min(batch_size, n_boot - i * batch_size), children[i])
            for i in range(n_batches)]


def iter_count_batches(n: int, n_boot: int, *, seed: SeedLike, clusters: Any = None,
                       batch_size: int = BATCH_SIZE) -> Iterator[np.ndarray]:
    """Yield the resample counts batch by batch (same numbers as :func:`resample_counts`).

    Examples
    --------
    >>> sum(b.shape[0] for b in iter_count_batches(10, 1200, seed=1))
    1200
    """
    codes, g = (None, 0) if clusters is None else _cluster_codes(clusters, n)
    _check_units(n, n_boot, codes, g)
    for _, size, child in _batches(int(n_boot), batch_size, seed_sequence(seed)):
        yield _batch_counts(n, size, child, codes, g).astype(np.int32)


def resample_counts(n: int, n_boot: int, *, seed: SeedLike, clusters: Any = None,
                    batch_size: int = BATCH_SIZE) -> np.ndarray:
    """Draw bootstrap resamples as counts.

    Parameters
    ----------
    n : int
        Number of cases.
    n_boot : int
        Number of resamples.
    seed : int or numpy.random.SeedSequence
        Seed; each batch of ``batch_size`` resamples uses its own spawned stream.
    clusters : array-like, optional
        One cluster label per case (e.g. the agency). Whole clusters are then drawn
        with replacement and every case counts as often as its cluster is drawn.
    batch_size : int
        Resamples per random stream (keep the default for reproducible numbers).

    Returns
    -------
    numpy.ndarray
        ``int32`` array of shape ``(n_boot, n)``; each row sums to ``n`` (to the total
        size of the drawn clusters in a cluster bootstrap).

    Examples
    --------
    >>> c = resample_counts(6, 3, seed=42)
    >>> c.shape, c.dtype.name, c.sum(axis=1).tolist()
    ((3, 6), 'int32', [6, 6, 6])
    >>> (resample_counts(6, 3, seed=42) == c).all()
    np.True_
    """
    return np.concatenate(list(iter_count_batches(n, n_boot, seed=seed, clusters=clusters,
                                                  batch_size=batch_size)), axis=0)


#: Projections per fingerprint. Two distinct resamples of 1,000 cases share a rounded
#: projection with probability about 3e-9, so one projection would report a false
#: duplicate in about 4% of 5,000-resample runs; two make it about 1e-10. A third
#: (the number until the tenth session) cost 4% of the moments path's products.
_FP_DIM = 2
_FP_CACHE: dict[int, np.ndarray] = {}


def _fp_matrix(units: int) -> np.ndarray:
    """Fixed random projection ``(units, 2)`` used to fingerprint count rows."""
    v = _FP_CACHE.get(units)
    if v is None:
        v = np.random.default_rng(918273645).standard_normal((units, _FP_DIM))
        if len(_FP_CACHE) > 16:
            _FP_CACHE.clear()
        _FP_CACHE[units] = v
    return v


def _fingerprint(counts: np.ndarray) -> np.ndarray:
    """Two fixed random projections of each row: identical rows give identical
    fingerprints; distinct rows practically never do (candidates are re-checked
    exactly by :func:`count_duplicates`)."""
    return np.asarray(counts, dtype=float) @ _fp_matrix(counts.shape[1])


def count_duplicates(counts: np.ndarray) -> int:
    """Number of resamples identical to an earlier one (rows of ``counts``).

    Examples
    --------
    >>> count_duplicates(np.array([[1, 0, 2], [2, 1, 0], [1, 0, 2]]))
    1
    """
    counts = np.asarray(counts)
    _, first, inverse = np.unique(np.round(_fingerprint(counts), 8), axis=0,
                                  return_index=True, return_inverse=True)
    inverse = np.asarray(inverse).reshape(-1)
    # exact check of every candidate against the first row with its fingerprint
    same = (counts == counts[first[inverse]]).all(axis=1)
    return int(same.sum() - len(first))


def _duplicates_from_fingerprints(fp: np.ndarray) -> int:
    """Resamples whose fingerprint (rounded to 8 decimals) equals an earlier one's: in
    one pass of the compiled kernel (``_countcore.repeated_rows``, a hash table) where
    it is built, else by sorting (the same count: tested)."""
    if fp.shape[0] < 2:
        return 0
    rounded = np.round(fp, 8)
    kernel = getattr(_compiled_module(), "repeated_rows", None)
    if kernel is not None:
        return int(kernel(np.ascontiguousarray(rounded), rounded.shape[1]))
    return _duplicates_sorted(rounded)


def _duplicates_sorted(rounded: np.ndarray) -> int:
    """The NumPy path of :func:`_duplicates_from_fingerprints`: rows equal to the row
    before them once sorted."""
    # sorting on the first projection is enough unless two different rows tie on it
    # (practically never); then all projections are sorted (lexsort, 4x slower)
    srt = rounded[np.argsort(rounded[:, 0], kind="stable")]
    same = _rows_equal_to_previous(srt)
    if ((srt[1:, 0] == srt[:-1, 0]) & ~same).any():
        srt = rounded[np.lexsort(rounded.T[::-1])]
        same = _rows_equal_to_previous(srt)
    return int(np.count_nonzero(same))


def _rows_equal_to_previous(a: np.ndarray) -> np.ndarray:
    """Whether each row of ``a`` (after the first) equals the row before it, compared
    column by column (for a few columns 3-5x faster than ``.all(axis=1)``)."""
    same = a[1:, 0] == a[:-1, 0]
    for j in range(1, a.shape[1]):
        same &= a[1:, j] == a[:-1, j]
    return same


def _finite_rows(a: np.ndarray) -> np.ndarray:
    """Whether every value of each row of ``a`` is finite, column by column."""
    ok = np.isfinite(a[:, 0]) if a.shape[1] else np.ones(a.shape[0], dtype=bool)
    for j in range(1, a.shape[1]):
        ok &= np.isfinite(a[:, j])
    return ok


def _expected_duplicates(n_units: int, n_boot: int) -> float:
    """Upper bound on the expected number of duplicated resamples by pure chance.

    Two multinomial(n, 1/n) draws coincide with probability sum_k P(k)^2 <= max_k P(k),
    where the most likely count vector is (1,...,1) with probability n!/n^n.
    """
    from math import lgamma, log

    log_p = lgamma(n_units + 1) - n_units * log(n_units)
    pairs = n_boot * (n_boot - 1) / 2
    return float(pairs * np.exp(log_p))


def percentile_ci(samples: Any, level: float = 0.95) -> tuple[Any, Any]:
    """Percentile bootstrap interval, ignoring failed (``NaN``) resamples.

    Parameters
    ----------
    samples : array-like
        Bootstrap estimates, shape ``(n_boot,)`` or ``(n_boot, k)``.
    level : float
        Confidence level in (0, 1).

    Returns
    -------
    tuple
        ``(low, high)``: floats for 1-D input, arrays of length ``k`` otherwise.

    Examples
    --------
    >>> lo, hi = percentile_ci(np.arange(1001.0), level=0.9)
    >>> float(lo), float(hi)
    (50.0, 950.0)
    """
    _check_level(level)
    arr = np.asarray(samples, dtype=float)
    complete = bool(np.isfinite(arr).all())
    _check_enough(arr, level, np.full(arr.shape[1:], arr.shape[0]) if complete and arr.ndim
                  else None)
    alpha = (1 - level) / 2
    # np.quantile where nothing failed: nanquantile's numbers without its NaN handling
    q = (np.quantile if complete else np.nanquantile)(arr, [alpha, 1 - alpha], axis=0)
    return _unpack(q[0]), _unpack(q[1])


def bc_ci(samples: Any, estimate: Any, level: float = 0.95) -> tuple[Any, Any]:
    """Bias-corrected bootstrap interval (Efron 1987), ignoring failed resamples.

    The bias correction is ``z0 = Phi^-1(share of resamples below the estimate, ties
    counted half)``; the interval takes the ``Phi(2 z0 +/- z_{1-alpha/2})`` quantiles.

    Examples
    --------
    >>> s = np.linspace(-1.0, 1.0, 2001)
    >>> lo, hi = bc_ci(s, 0.0, level=0.9)    # unbiased: same as the percentile interval
    >>> round(float(lo), 3), round(float(hi), 3)
    (-0.9, 0.9)
    """
    from scipy.special import ndtr, ndtri

    _check_level(level)
    arr = np.asarray(samples, dtype=float)
    one_d = arr.ndim == 1
    if one_d:
        arr = arr[:, None]
    est = np.broadcast_to(np.asarray(estimate, dtype=float), (arr.shape[1],))[:, None]
    # the counts run along the rows of a transposed copy: counting down the columns of
    # a (5,000, 3) array took 100 us a comparison, along rows 10 us (same integers)
    cols = np.ascontiguousarray(arr.T)
    valid = np.isfinite(cols)
    complete = bool(valid.all())
    if complete:  # every resample counts (the same numbers as the general branch)
        b = arr.shape[0]
        _check_enough(arr, level, np.array([b]))
        below = (np.count_nonzero(cols < est, axis=1)
                 + 0.5 * np.count_nonzero(cols == est, axis=1))
        prop = np.clip(below / b, 0.5 / b, 1 - 0.5 / b)
    else:  # a comparison with NaN is False: the masks only matter for infinities
        n_valid = np.count_nonzero(valid, axis=1)
        _check_enough(arr, level, n_valid)
        below = (np.count_nonzero((cols < est) & valid, axis=1)
                 + 0.5 * np.count_nonzero((cols == est) & valid, axis=1))
        with np.errstate(divide="ignore", invalid="ignore"):
            prop = np.clip(below / np.maximum(n_valid, 1), 0.5 / np.maximum(n_valid, 1),
                           1 - 0.5 / np.maximum(n_valid, 1))
    z0 = ndtri(prop)
    z = ndtri(1 - (1 - level) / 2)
    lo_q = ndtr(2 * z0 - z)
    hi_q = ndtr(2 * z0 + z)
    k = arr.shape[1]
    if complete:
        ends = _linear_quantiles(cols, np.column_stack([lo_q, hi_q]))
        lows, highs = ends[:, 0], ends[:, 1]
    else:
        # the finite resamples of each column: an infinite one is left out here as in
        # the share below the estimate (nanquantile would keep it)
        ends = np.array([np.quantile(cols[j, valid[j]], [lo_q[j], hi_q[j]]) if n_valid[j]
                         else [np.nan, np.nan] for j in range(k)]).reshape(-1, 2)
        lows, highs = ends[:, 0], ends[:, 1]
    if one_d:
        return float(lows[0]), float(highs[0])
    return lows, highs


def _linear_quantiles(cols: np.ndarray, q: np.ndarray) -> np.ndarray:
    """``np.quantile(cols[j], q[j])`` for every row ``j`` of a 2-D array without NaN
    and levels in [0, 1]: NumPy's default rule (``method="linear"``) written out, on
    one partition of each row at the order statistics it needs (the same numbers:
    tested).

    One ``np.quantile`` call for the two levels of every column of a (5,000, 3) array
    partitioned each column at all six levels, down a strided axis; inside a PROCESS
    run it took 0.34 ms, most of the interval's time. The arithmetic on the few levels
    is done on Python floats (IEEE doubles, as NumPy's): a NumPy call per step on
    arrays of two or three values cost more than the step.

    Examples
    --------
    >>> x = np.array([[4.0, 1.0, 3.0, 2.0]])
    >>> _linear_quantiles(x, np.array([[0.0, 0.5, 0.9, 1.0]])).tolist()
    [[1.0, 2.5, 3.7, 4.0]]
    """
    n = cols.shape[1]
    out = np.empty(q.shape)
    for j, levels in enumerate(q.tolist()):
        spots: list[tuple[int, int, float]] = []
        for p in levels:
            virtual = (n - 1) * p                  # where the quantile falls, 0 .. n - 1
            if virtual >= n - 1:                   # the largest value (NumPy's index -1)
                spots.append((n - 1, n - 1, virtual + 1.0))
            else:
                prev = math.floor(virtual)
                spots.append((prev, prev + 1, virtual - prev))
        part = np.partition(cols[j], sorted({i for lo, hi, _ in spots for i in (lo, hi)}))
        for m, (lo, hi, gamma) in enumerate(spots):
            a, b = float(part[lo]), float(part[hi])
            diff = b - a
            # NumPy's _lerp: from the nearer end, so the result stays between a and b
            out[j, m] = b - diff * (1 - gamma) if gamma >= 0.5 else a + diff * gamma
    return out


def _check_level(level: float) -> None:
    if not 0 < float(level) < 1:
        raise ModelSpecError(f"level={level!r}: pass a confidence level between 0 and 1, "
                             "e.g. 0.95")


def min_resamples(level: float) -> int:
    """Fewest successful resamples for which a ``level`` interval has a resample in each tail.

    A percentile interval takes the ``(1 - level) / 2`` and ``(1 + level) / 2`` quantiles; with
    fewer than ``2 / (1 - level)`` resamples each tail holds less than one resample and the
    "interval" is only the range of the draws (with ``n_boot=1`` it need not even contain the
    estimate).

    Examples
    --------
    >>> min_resamples(0.95), min_resamples(0.99)
    (40, 200)
    """
    _check_level(level)
    return math.ceil(round(2 / (1 - float(level)), 9))


def _check_enough(arr: np.ndarray, level: float, n_valid: np.ndarray | None = None) -> None:
    """Refuse an interval from too few successful resamples (``n_valid``: per column)."""
    need = min_resamples(level)
    if arr.size == 0:
        have = 0
    else:
        counts = n_valid if n_valid is not None else np.count_nonzero(np.isfinite(arr),
                                                                      axis=0)
        have = int(np.min(counts))
    if have < need:
        raise InsufficientDataError(
            f"a {level:.0%} bootstrap interval needs at least {need} successful resamples (one "
            f"in each {(1 - level) / 2:.1%} tail); only {have} are available. Fix: pass "
            f"n_boot=5000 (Hayes' recommendation) or at least n_boot={need}")


def _unpack(x: np.ndarray) -> Any:
    return float(x) if np.ndim(x) == 0 else np.asarray(x)


@dataclass(frozen=True)
class BootstrapResult:
    """Bootstrap estimates with their bookkeeping.

    Attributes
    ----------
    estimate : numpy.ndarray
        Statistic on the original sample, shape ``(k,)``.
    samples : numpy.ndarray
        Bootstrap estimates, shape ``(n_boot, k)``; failed resamples are ``NaN`` rows.
    names : list of str
        Names of the ``k`` statistics.
    n_failed : int
        Resamples for which the statistic could not be computed.
    n_duplicates : int
        Resamples identical to an earlier one.
    seed_entropy : int
        Entropy of the root SeedSequence (re-run with ``seed=SeedSequence(entropy)``).
    clustered : bool
        Whether whole clusters were resampled.
    """

    estimate: np.ndarray
    samples: np.ndarray
    names: list[str]
    n_failed: int
    n_duplicates: int
    seed_entropy: Any
    clustered: bool = False
    elapsed: float = field(default=0.0, compare=False)

    @property
    def n_boot(self) -> int:
        """Number of resamples drawn (failed ones included)."""
        return int(self.samples.shape[0])

    def std_error(self) -> np.ndarray:
        """Bootstrap standard errors (standard deviation over successful resamples)."""
        # along the rows of a transposed copy: down the columns of a (5,000, 3) array
        # np.std took 190 us, along rows 20 us (and sums pairwise, as along any row)
        cols = np.ascontiguousarray(self.samples.T)
        if self.n_failed == 0:                       # no NaN to skip: the cheaper std
            return np.std(cols, axis=1, ddof=1)
        return np.nanstd(cols, axis=1, ddof=1)

    def ci(self, level: float = 0.95, method: CIMethod = "percentile"
           ) -> tuple[np.ndarray, np.ndarray]:
        """Bootstrap interval for every statistic (``method`` ``"percentile"`` or ``"bc"``)."""
        _check_method(method)
        if method == "percentile":
            lo, hi = percentile_ci(self.samples, level)
        else:
            lo, hi = bc_ci(self.samples, self.estimate, level)
        return np.atleast_1d(np.asarray(lo, dtype=float)), np.atleast_1d(np.asarray(hi,
                                                                                   dtype=float))

    def tidy(self, level: float = 0.95, method: CIMethod = "percentile") -> pd.DataFrame:
        """One row per statistic: term, estimate, std_error, ci_low, ci_high."""
        lo, hi = self.ci(level, method)
        return pd.DataFrame({"term": self.names, "estimate": self.estimate,
                             "std_error": self.std_error(), "ci_low": lo, "ci_high": hi})

    def summary(self) -> str:
        """Text summary with the resampling bookkeeping."""
        head = (f"Bootstrap: {self.n_boot} resamples ({'cluster' if self.clustered else 'case'}"
                f" resampling), {self.n_failed} failed, {self.n_duplicates} duplicated, "
                f"seed entropy {self.seed_entropy}")
        return head + "\n" + self.tidy().to_string(index=False, float_format="%.4f")

    def _repr_html_(self) -> str:
        return (f"<p>{self.summary().splitlines()[0]}</p>"
                + self.tidy().to_html(index=False, float_format="%.4f"))


def _check_method(method: str) -> None:
    if method not in ("percentile", "bc"):
        raise ModelSpecError(f"boot_ci={method!r}: choose one of 'percentile', 'bc'")


def _run_batch(statistic: Callable[[np.ndarray], np.ndarray], n: int, size: int,
               ss: np.random.SeedSequence, codes: np.ndarray | None, g: int,
               moments: np.ndarray | None = None, limit_blas: bool = True
               ) -> tuple[np.ndarray, np.ndarray]:
    # same arithmetic in every worker as in serial runs (the serial loop limits BLAS once)
    with single_thread_blas() if limit_blas else nullcontext():
        if moments is None:
            counts = _batch_counts(n, size, ss, codes, g)
            out = _as_columns(statistic(counts))
            fp = _fingerprint(counts)
        else:
            # moments carries the fingerprint projection in its last columns; the
            # statistic is applied to the sums of all batches at once afterwards (the
            # joblib path; threads apply it per group in _run_moments_group)
            flat = _batch_moments(n if codes is None else g, [(size, ss)], moments)
            return flat[:, :-_FP_DIM], flat[:, -_FP_DIM:]
    return out, fp


class _Countdown:
    """Calls ``done`` once, when :meth:`step` has been called ``count`` times (from any
    thread)."""

    def __init__(self, count: int, done: Callable[[], None]) -> None:
        self._left = count
        self._done = done
        self._lock = threading.Lock()

    def step(self) -> None:
        with self._lock:
            self._left -= 1
            fire = self._left == 0
        if fire:
            self._done()


#: Draws per call of the compiled kernel when consecutive batches are grouped (about
#: 5-10 ms of work): few enough calls that threads seldom wait for the GIL between them.
_CALL_DRAWS = 4_000_000

_Batch = tuple[int, int, np.random.SeedSequence]


def _groups(batches: list[_Batch], units: int, threads: int) -> list[list[_Batch]]:
    """Consecutive batches in as many groups as threads, or more where a group would
    exceed ``_CALL_DRAWS`` draws (one compiled call each on the moments path).

    Examples
    --------
    >>> b = _batches(5000, 500, np.random.SeedSequence(1))
    >>> [len(g) for g in _groups(b, 1000, 2)], [len(g) for g in _groups(b, 20000, 2)]
    ([5, 5], [1, 1, 1, 1, 1, 1, 1, 1, 1, 1])
    """
    size = max(b[1] for b in batches)
    per = max(1, min(-(-len(batches) // threads), _CALL_DRAWS // max(1, size * units)))
    return [batches[i:i + per] for i in range(0, len(batches), per)]


def _run_moments_group(statistic: Callable[[np.ndarray], np.ndarray], group: list[_Batch],
                       units: int, moments: np.ndarray,
                       entering: Callable[[], None] | None = None
                       ) -> tuple[np.ndarray, np.ndarray]:
    """The moments path of :func:`_run_batch` for consecutive batches, the statistic
    applied: one compiled call draws and sums all of them (the same numbers: each batch
    still draws from its own stream), and the statistic is applied to the group's sums
    on this thread, side by side with the other groups."""
    flat = _batch_moments(units, [(size, ss) for _, size, ss in group], moments, entering)
    return _as_columns(statistic(flat[:, :-_FP_DIM])), flat[:, -_FP_DIM:]


def _as_columns(out: Any) -> np.ndarray:
    arr = np.asarray(out, dtype=float)
    return arr[:, None] if arr.ndim == 1 else arr


def bootstrap(statistic: Callable[[np.ndarray], np.ndarray], n: int, *, n_boot: int = 5000,
              seed: SeedLike, clusters: Any = None, estimate: Any = None,
              names: Sequence[str] | None = None, n_jobs: int | None = None,
              progress: bool | None = None, batch_size: int = BATCH_SIZE,
              moments: Any = None, on_running: Callable[[], None] | None = None
              ) -> BootstrapResult:
    """Run a vectorized bootstrap of ``statistic``.

    Parameters
    ----------
    statistic : callable
        ``statistic(counts) -> array (b, k)``: the statistic for a batch of ``b``
        resamples given their ``(b, n)`` count matrix (float64 holding whole numbers,
        ready for ``counts @ data``). Return ``NaN`` for resamples on
        which it fails; they are counted in ``n_failed``. It is called with a row of
        ones to obtain the estimate when ``estimate`` is not given.
    n : int
        Number of cases.
    n_boot : int
        Number of resamples (5,000 is the PROCESS / SmartPLS default).
    seed : int or numpy.random.SeedSequence
        Seed of the root SeedSequence; each batch gets an independent spawned stream.
    clusters : array-like, optional
        Cluster label per case for a cluster (e.g. agency-level) bootstrap.
    estimate : array-like, optional
        Statistic on the original sample.
    names : sequence of str, optional
        Names of the statistics.
    n_jobs : int, optional
        ``None`` (default): the batches run on threads in this process, one per
        available core (the heavy steps -- drawing, counting, matrix products --
        release the GIL, so threads scale without copying data to workers; on the
        moments path with the compiled kernel the calling thread and a helper thread
        per other core take the batches one by one from a shared counter, and
        ``statistic`` is applied to the sums of the batches done, one worker at a
        time, by whichever worker is free).
        ``1``: one thread. Any other value: workers through :class:`joblib.Parallel`
        (``-1``: all cores); inside ``with joblib.parallel_backend("dask"):`` the
        batches then run on a Dask cluster. The numbers are the same for every
        choice, because each batch draws from its own stream; ``statistic`` must
        therefore not modify shared state.
    progress : bool, optional
        Show a tqdm progress bar; by default only when the run is expected to last
        more than two seconds.
    batch_size : int
        Resamples per batch and random stream.
    moments : array-like, optional
        A ``(n, k)`` matrix of per-case terms (e.g. pairwise products of the design
        columns) for a statistic that depends on the resample only through weighted
        sums. ``statistic`` is then called with ``counts @ moments`` (shape ``(b, k)``),
        computed chunk by chunk while the counts are in cache; the ``(b, n)`` count
        matrix is never formed. Same draws, same seeding contract.
    on_running : callable, optional
        Called at most once, from the calling thread or a bootstrap thread, when the
        run no longer needs the GIL to go on: on the moments path when every helper
        thread has entered the compiled kernel (which releases it), otherwise as the
        batches are handed out. A caller
        that computes in Python beside the bootstrap (:func:`egovstudy.mediation.process`)
        waits for it first: a thread waiting for the GIL behind busy Python code waits
        up to ``sys.getswitchinterval()`` (5 ms), which delayed the second bootstrap
        thread by about 2.5 ms of an 18 ms PROCESS run.

    Returns
    -------
    BootstrapResult

    Examples
    --------
    >>> x = np.arange(20.0)
    >>> mean = lambda c: (c @ x) / c.sum(axis=1)
    >>> res = bootstrap(mean, 20, n_boot=1000, seed=7, names=["mean"])
    >>> float(res.estimate[0]), res.n_boot, res.n_failed, res.n_duplicates
    (9.5, 1000, 0, 0)
    >>> lo, hi = res.ci()
    >>> bool(lo[0] < 9.5 < hi[0])
    True
    >>> sums = bootstrap(lambda s: s[:, 0] / s[:, 1], 20, n_boot=1000, seed=7,
    ...                  moments=np.column_stack([x, np.ones(20)]))
    >>> bool(np.allclose(sums.samples, res.samples))
    True
    """
    run = _Run(statistic, n, n_boot=n_boot, seed=seed, clusters=clusters, estimate=estimate,
               names=names, n_jobs=n_jobs, progress=progress, batch_size=batch_size,
               moments=moments)
    return run.run(on_running)


class _Run:
    """One :func:`bootstrap`: the arguments checked and the batches made on creation.

    :meth:`run` does the whole bootstrap. On the moments path with the compiled kernel
    (:attr:`shares_batches`), :meth:`begin` and :meth:`end` split it instead, so that
    the caller can compute in between (:func:`egovstudy.mediation.process` makes its
    point estimates and tables meanwhile): :meth:`begin` starts one helper thread per
    core but one, which take batches from a shared counter
    (:class:`~egovstudy._draws.SharedBatches`), and does a first batch meanwhile;
    :meth:`end` makes the calling thread take the batches still left. Every worker then
    applies the statistic to the sums of the batches done that no worker has taken up
    (:meth:`_work`), into the resamples' own rows. The calling thread is one of the
    workers, so there are never more busy threads than cores: with a helper on every
    core and the caller beside them (the design before), the caller waited up to 4 ms
    for a core after the helpers started, then slowed one of them.
    """

    def __init__(self, statistic: Callable[[np.ndarray], np.ndarray], n: int, *,
                 n_boot: int, seed: SeedLike, clusters: Any, estimate: Any,
                 names: Sequence[str] | None, n_jobs: int | None, progress: bool | None,
                 batch_size: int, moments: Any) -> None:
        self.statistic, self.n, self.n_boot = statistic, n, n_boot
        self.names, self.n_jobs, self.progress = names, n_jobs, progress
        self.ss = ss = seed_sequence(seed)
        self.codes: np.ndarray | None = None
        self.g = 0
        if clusters is not None:
            self.codes, self.g = _cluster_codes(clusters, n)
        _check_units(n, n_boot, self.codes, self.g)
        if n_jobs is not None and (isinstance(n_jobs, bool) or not isinstance(n_jobs, int)
                                   or n_jobs == 0):
            raise ModelSpecError(f"n_jobs={n_jobs!r}: pass None (threads on every core), a "
                                 "positive int or -1 (all cores)")
        self.t0 = time.perf_counter()
        mom: np.ndarray | None = None
        if moments is not None:
            mom = np.asarray(moments, dtype=float)
            if mom.ndim != 2 or mom.shape[0] != n:
                raise ModelSpecError(f"moments has shape {mom.shape}; pass an (n, k) array "
                                     f"with one row per case (n = {n})")
        if estimate is None:
            ones = np.ones((1, n))
            self.est = np.asarray(statistic(ones if mom is None else ones @ mom),
                                  dtype=float).reshape(-1)
        else:
            self.est = np.asarray(estimate, dtype=float).reshape(-1)
        self.batches = _batches(int(n_boot), int(batch_size), ss)
        if mom is not None:
            if self.codes is not None:       # sums of the terms within each cluster
                agg = np.zeros((self.g, mom.shape[1]))
                np.add.at(agg, self.codes, mom)
                mom = agg
            mom = np.ascontiguousarray(np.column_stack([mom, _fp_matrix(mom.shape[0])]))
        self.mom = mom
        self.units = n if self.codes is None else self.g
        self.threads = min(_usable_cores(), len(self.batches)) if n_jobs is None else 1
        self.shared = (SharedBatches.create(self.units,
                                            [(size, s) for _, size, s in self.batches], mom,
                                            _gemm_rows(self.units, mom.shape[1]))
                       if mom is not None and (n_jobs is None or n_jobs == 1) else None)
        self._held: ExitStack | None = None
        self._helpers: list[Any] = []
        self._lock = threading.Lock()        # one statistic at a time; _taken, _samples
        self._taken = np.zeros(len(self.batches), dtype=bool)  # statistic taken up
        self._samples: np.ndarray | None = None
        self._bar: list[Any] = []            # created by the first worker back, if long

    @property
    def shares_batches(self) -> bool:
        """Whether :meth:`begin` and :meth:`end` apply (the compiled moments path in
        this process)."""
        return self.shared is not None

    # -- the shared batches: begin, the caller's own work, end
    def begin(self, on_running: Callable[[], None] | None = None) -> None:
        """Start the helper threads; return once they are in the compiled kernel (which
        releases the GIL), so the caller's Python work does not hold them up.

        Meanwhile the calling thread does a first batch itself: a helper idle for a
        while (e.g. between the calls of a benchmark) can take a fraction of a
        millisecond to wake up, which the caller spent waiting before. A helper woken
        on the caller's processor moves off it (``_countcore.leave_cpu``), and the
        caller polls for the helpers' start instead of being woken by them. After the
        machine had been idle the system put the two on one processor in 2 of 5 calls,
        for 3-12 ms; with both measures, in none of 5. The PROCESS benchmark, whose
        calls follow pingouin's: 105.3x and 107.8x against 87.8x and 93.3x."""
        self._held = ExitStack()
        self._held.enter_context(single_thread_blas())
        helpers = self.threads - 1
        if helpers:
            assert self.shared is not None
            pool = self._held.enter_context(_thread_pool(helpers + 1))
            entered = threading.Event()
            step = _Countdown(helpers, entered.set).step
            module = _compiled_module()
            here = module.current_cpu() if hasattr(module, "current_cpu") else -1
            self._helpers = [pool.submit(self._work, step, here) for _ in range(helpers)]
            for f in self._helpers:
                f.add_done_callback(lambda _: entered.set())     # also if one fails
            try:
                if len(self.shared.claim(1)):
                    self._advance(1)
                # polled, not waited for: woken by a helper, this thread was placed by
                # the system on the helper's processor (after idleness, 2 of 5 calls)
                while not entered.is_set():
                    time.sleep(_POLL_SECONDS)
            except BaseException:    # e.g. Ctrl-C: the helpers end what they took
                self.close()
                raise
        if on_running is not None:
            on_running()

    def end(self) -> BootstrapResult:
        """Take the batches still left, wait for the helpers, and finish the bootstrap."""
        try:
            self._work(None)
            for f in self._helpers:
                f.result()
        finally:
            self.close()
        assert self.shared is not None and self._samples is not None
        return self._finish(self._samples, self.shared.out[:, -_FP_DIM:])

    def close(self) -> None:
        """Stop handing out batches, wait for the helpers (they end the batch they are
        doing) and release the BLAS limit and the pool: for a caller that stops between
        begin and end (an error in its own work), so the run ends within a batch."""
        if self._held is None:
            return
        from concurrent.futures import wait

        if self.shared is not None:
            self.shared.stop()
        wait(self._helpers)
        self._held.close()
        self._held = None
        if self._bar and self._bar[0] is not None:
            self._bar[0].close()

    def _work(self, entering: Callable[[], None] | None, leave: int = -1) -> None:
        """A worker: take batches until none is left, then apply the statistic to the
        sums of every batch that is done and that no worker has taken up yet, its own
        or another's, until none is left; a batch another worker is still doing is
        left to it. So the worker that ends first does most of the statistic, and the
        last one only that of its last batches (the run ended up to a batch later
        when each worker did the statistic of its own batches)."""
        shared = self.shared
        assert shared is not None
        if leave >= 0:         # a helper woken on the caller's processor moves off it
            _compiled_module().leave_cpu(leave)
        size = max(b[1] for b in self.batches)
        # batches per compiled call: for large samples the call returns, and the bar
        # moves, every ~5-10 ms of work
        per_call = max(1, _CALL_DRAWS // max(1, size * self.units))
        # batches per statistic: a worker's share, as when each did its own (its arrays
        # stay small enough to be reused; for 4,500 resamples of model 4 the statistic
        # took 1.5 ms instead of 0.4, most of it first touching freshly mapped memory)
        most = -(-len(self.batches) // self.threads)
        while True:
            got = shared.claim(per_call, entering)
            entering = None                  # once per worker, whatever it gets
            if len(got):
                self._advance(len(got))
            if len(got) < per_call:          # nothing left to take
                break
        while True:
            # one worker at a time: two statistics in Python side by side handed the GIL
            # to and fro at every compiled call and took 1.5 ms instead of 0.3
            with self._lock:
                ready = [b for b in shared.finished() if not self._taken[b]][:most]
                if not ready:
                    return
                self._taken[ready] = True
                rows = shared.rows(ready)
                # whole rows taken, then the columns: NumPy's take of whole rows copies
                # them block by block (a fancy index over rows and a column slice went
                # element by element: 0.6 ms for 5,000 resamples of model 4 in a run)
                sums = shared.out.take(rows, axis=0)[:, :-_FP_DIM]
                stat = _as_columns(self.statistic(sums))
                if self._samples is None:
                    self._samples = np.empty((shared.out.shape[0], stat.shape[1]))
                self._samples[rows] = stat

    def _advance(self, count: int) -> None:
        with _BAR_LOCK:
            if not self._bar:
                projected = ((time.perf_counter() - self.t0) * len(self.batches)
                             / (count * self.threads))
                long_run = self.progress is None and projected > 2.0
                self._bar.append(_progress_bar(len(self.batches))
                                 if self.progress or long_run else None)
            if self._bar[0] is not None:
                self._bar[0].update(count)

    # -- every other path: batches split beforehand, or joblib workers
    def run(self, on_running: Callable[[], None] | None = None) -> BootstrapResult:
        """The whole bootstrap in this call."""
        if self.shared is not None:
            self.begin(on_running)
            return self.end()
        from joblib import Parallel, delayed

        statistic, n, codes, g = self.statistic, self.n, self.codes, self.g
        batches, mom, units, threads = self.batches, self.mom, self.units, self.threads
        n_jobs, progress = self.n_jobs, self.progress
        results: list[tuple[np.ndarray, np.ndarray]] = []
        bar = None
        if n_jobs is None or n_jobs == 1:
            # BLAS is limited once for the whole run: threadpoolctl's limit is process-wide;
            # the moments path (NumPy only, here) groups batches per call; a statistic of
            # the counts (e.g. PLS, seconds a batch) keeps one batch a task: the threads
            # share the work batch by batch and the progress bar moves with every batch
            groups = (_groups(batches, units, threads) if mom is not None
                      else [[b] for b in batches])
            entering = None
            if on_running is not None and mom is not None:
                entering = _Countdown(min(threads, len(groups)), on_running).step
            elif on_running is not None:
                on_running()

            def task(grp: list[_Batch]) -> tuple[np.ndarray, np.ndarray]:
                if mom is not None:
                    return _run_moments_group(statistic, grp, units, mom, entering)
                return _run_batch(statistic, n, grp[0][1], grp[0][2], codes, g,
                                  limit_blas=False)

            with single_thread_blas(), _thread_pool(threads) as pool:
                outs = pool.map(task, groups)
                for i, res in enumerate(outs):
                    results.append(res)
                    if i == 0 and bar is None and len(groups) > 1:
                        projected = (time.perf_counter() - self.t0) * len(groups) / threads
                        if progress or (progress is None and projected > 2.0):
                            bar = _progress_bar(len(batches))
                            bar.update(len(groups[0]))
                    elif bar is not None:
                        bar.update(len(groups[i]))
        else:
            if on_running is not None:
                on_running()
            if progress:
                bar = _progress_bar(len(batches))
            with single_thread_blas():
                gen = Parallel(n_jobs=n_jobs, return_as="generator")(
                    delayed(_run_batch)(statistic, n, size, child, codes, g, mom)
                    for _, size, child in batches)
                for res in gen:
                    results.append(res)
                    if bar is not None:
                        bar.update(1)
        if bar is not None:
            bar.close()
        samples = np.concatenate([r[0] for r in results], axis=0)
        fps = np.concatenate([r[1] for r in results], axis=0)
        if mom is not None and not (n_jobs is None or n_jobs == 1):
            # through joblib the workers return sums; the statistic is applied here
            with single_thread_blas():
                samples = _as_columns(statistic(samples))
        return self._finish(samples, fps)

    def _finish(self, samples: np.ndarray, fps: np.ndarray) -> BootstrapResult:
        """Failed resamples and duplicates counted (with their warnings): the result."""
        n_boot = self.n_boot
        failed_rows = ~_finite_rows(samples)
        samples[failed_rows] = np.nan
        n_failed = int(failed_rows.sum())
        n_dup = _duplicates_from_fingerprints(fps)
        if n_dup and _expected_duplicates(self.units, int(n_boot)) < 0.01:
            warnings.warn(f"{n_dup} of {n_boot} bootstrap resamples are identical to another "
                          "one, which is practically impossible by chance: check that the seed "
                          "streams are not reused", StatisticalWarning, stacklevel=4)
        if n_failed:
            warnings.warn(f"{n_failed} of {n_boot} bootstrap resamples failed (e.g. a singular "
                          "system) and are excluded from the intervals; they are reported as "
                          "n_failed", StatisticalWarning, stacklevel=4)
        if n_failed == n_boot:
            raise InsufficientDataError(f"all {n_boot} bootstrap resamples failed; the model "
                                        "cannot be estimated on resampled data (too few or "
                                        "constant cases?)")
        k = samples.shape[1]
        labels = list(self.names) if self.names is not None else [f"stat{j}" for j in range(k)]
        if len(labels) != k:
            raise ModelSpecError(f"names has {len(labels)} entries but the statistic returns "
                                 f"{k}")
        return BootstrapResult(estimate=self.est, samples=samples, names=labels,
                               n_failed=n_failed, n_duplicates=n_dup,
                               seed_entropy=self.ss.entropy, clustered=self.codes is not None,
                               elapsed=time.perf_counter() - self.t0)


#: How often the calling thread looks whether the helpers have started.
_POLL_SECONDS = 50e-6

#: Guards the progress bar shared by the workers of a bootstrap.
_BAR_LOCK = threading.Lock()


def _usable_cores() -> int:
    """Cores this process may run on (the affinity mask where the OS has one)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - macOS and Windows
        return max(1, os.cpu_count() or 1)


class _SerialPool:
    """The ``map`` of an executor, run lazily in the calling thread."""

    def map(self, fn: Callable[[Any], Any], items: Sequence[Any]) -> Iterator[Any]:
        return (fn(item) for item in items)

    def __enter__(self) -> _SerialPool:
        return self

    def __exit__(self, *exc: object) -> None:
        return None


#: Thread pools kept for the life of the process, by (name, threads): see shared_pool.
_POOLS: dict[tuple[str, int], Any] = {}
_POOLS_LOCK = threading.Lock()
#: Set in the threads of a shared pool: a pool used from within one of its own tasks
#: could wait for itself, so such a caller gets a pool of its own.
_POOL_THREAD = threading.local()


def _mark_pool_thread() -> None:
    _POOL_THREAD.inside = True


class _Kept:
    """A shared executor as a context manager that leaves it running on exit."""

    def __init__(self, pool: Any) -> None:
        self._pool = pool

    def __enter__(self) -> Any:
        return self._pool

    def __exit__(self, *exc: object) -> None:
        return None


def shared_pool(name: str, threads: int) -> Any:
    """A thread pool kept for the next call (``with shared_pool(...) as pool``).

    Starting a pool's threads and joining them took about 0.3 ms a call, a tenth of a
    PROCESS model 4 run at n = 1,000 beyond its compiled bootstrap; so the pools of the
    bootstrap are made once per process and name. A caller running inside a thread of
    a shared pool (a bootstrap within a bootstrap's statistic) gets a new pool that is
    closed on exit, so no task ever waits for the pool that runs it. After a fork the
    child starts with no pools (their threads are not copied).
    """
    from concurrent.futures import ThreadPoolExecutor

    if getattr(_POOL_THREAD, "inside", False):  # its threads are marked too: any depth
        return ThreadPoolExecutor(max_workers=threads, thread_name_prefix=name,
                                  initializer=_mark_pool_thread)
    with _POOLS_LOCK:
        pool = _POOLS.get((name, threads))
        if pool is None:
            pool = _POOLS[(name, threads)] = ThreadPoolExecutor(
                max_workers=threads, thread_name_prefix=name, initializer=_mark_pool_thread)
    return _Kept(pool)


if hasattr(os, "register_at_fork"):  # POSIX
    os.register_at_fork(after_in_child=_POOLS.clear)


def _thread_pool(threads: int) -> Any:
    """A thread pool for ``threads > 1``, else the calling thread (no pool overhead)."""
    if threads <= 1:
        return _SerialPool()
    return shared_pool("egovstudy-boot", threads)


def _progress_bar(total: int) -> Any:
    from tqdm.auto import tqdm

    return tqdm(total=total, desc="bootstrap", unit="batch", leave=False)
