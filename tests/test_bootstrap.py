"""Tests of the resampling engine (egovstudy.bootstrap).

Interval functions are checked against independent computations (numpy percentiles,
Efron's bias-corrected formula evaluated by hand with scipy's normal distribution);
the seeding contract is checked directly.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from egovstudy import bootstrap as bt
from egovstudy.bootstrap import (
    bc_ci,
    bootstrap,
    count_duplicates,
    percentile_ci,
    resample_counts,
)
from egovstudy.errors import InsufficientDataError, ModelSpecError, StatisticalWarning


def test_counts_shape_dtype_and_row_sums() -> None:
    c = resample_counts(40, 1234, seed=1)
    assert c.shape == (1234, 40)
    assert c.dtype == np.int32
    assert (c.sum(axis=1) == 40).all()
    assert (c >= 0).all()


def test_counts_are_multinomial_uniform() -> None:
    # every case is drawn n_boot * 1 times on average; mean count per case is 1
    c = resample_counts(50, 4000, seed=3)
    assert np.abs(c.mean(axis=0) - 1).max() < 0.08
    # variance of a multinomial(n, 1/n) count: (1 - 1/n)
    assert c.var(axis=0).mean() == pytest.approx(1 - 1 / 50, rel=0.05)


def test_same_seed_same_counts_different_seed_differs() -> None:
    a = resample_counts(30, 700, seed=11)
    b = resample_counts(30, 700, seed=11)
    c = resample_counts(30, 700, seed=12)
    assert (a == b).all()
    assert not (a == c).all()
    ss = np.random.SeedSequence(11)
    assert (resample_counts(30, 700, seed=ss) == a).all()


def test_no_duplicated_resamples_across_batches() -> None:
    c = resample_counts(60, 5000, seed=5)
    assert count_duplicates(c) == 0
    # the batches use different streams: batch 0 and batch 1 differ
    assert not (c[: bt.BATCH_SIZE] == c[bt.BATCH_SIZE: 2 * bt.BATCH_SIZE]).all()


def test_count_duplicates_detects_copies() -> None:
    c = resample_counts(20, 100, seed=2)
    c2 = np.vstack([c, c[:7]])
    assert count_duplicates(c2) == 7


def test_compiled_duplicate_count_equals_the_sorted_count() -> None:
    # the hash table of _countcore.repeated_rows against the NumPy path (sorting), on
    # fingerprints with copies (one row three times), rows that tie on the first
    # projection only, 0.0 against -0.0 and rows holding NaN (equal to nothing)
    from egovstudy._draws import _compiled_module

    kernel = getattr(_compiled_module(), "repeated_rows", None)
    if kernel is None:
        pytest.skip("egovstudy._countcore was not built (no C compiler at install time)")
    rng = np.random.default_rng(8)
    fp = np.round(rng.normal(size=(3000, 3)) * 30, 8)
    fp[100] = fp[7]
    fp[2999] = fp[7]                                  # three of a kind: two repeats
    fp[200:260] = fp[300:360]                         # 60 more
    fp[400, 0] = fp[401, 0]                           # a tie on the first projection only
    fp[500], fp[501] = [0.0, -0.0, 1.0], [-0.0, 0.0, 1.0]   # equal
    fp[600] = fp[601] = [np.nan, 1.0, 2.0]            # NaN: never equal
    expected = 2 + 60 + 1
    assert bt._duplicates_sorted(fp) == expected
    assert kernel(np.ascontiguousarray(fp), 3) == expected
    assert bt._duplicates_from_fingerprints(fp) == expected
    assert kernel(np.ascontiguousarray(fp[:, :1]), 1) == bt._duplicates_sorted(fp[:, :1])
    with pytest.raises(ValueError, match="repeated_rows"):
        kernel(np.zeros(5), 2)


def test_linear_quantiles_are_numpys() -> None:
    # the bias-corrected interval's quantiles, written out, against np.quantile itself
    # (the same bits): lengths 1 to 6,000, ties, the levels 0, 1 and exact order statistics
    rng = np.random.default_rng(12)
    for it in range(3000):
        n = int(rng.integers(1, 60)) if it % 2 else int(rng.integers(1, 6000))
        x = rng.normal(size=n)
        if it % 3 == 0:
            x = np.round(x, 1)                        # many ties
        q = np.concatenate([rng.uniform(size=3), [0.0, 1.0, 0.5, 1 / max(n - 1, 1)]])
        got = bt._linear_quantiles(np.vstack([x, x[::-1]]), np.vstack([q, q[::-1]]))
        assert np.array_equal(got, [np.quantile(x, q), np.quantile(x, q[::-1])]), (it, n)


def test_reused_stream_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    # simulate a bug that hands every batch the same stream: the engine must notice
    orig = bt._batches

    def same_stream(n_boot: int, batch_size: int, ss: np.random.SeedSequence):  # type: ignore[no-untyped-def]
        out = orig(n_boot, batch_size, ss)
        return [(start, size, out[0][2]) for start, size, _ in out]

    monkeypatch.setattr(bt, "_batches", same_stream)
    x = np.arange(30.0)
    with pytest.warns(StatisticalWarning, match="identical"):
        res = bootstrap(lambda c: c @ x / 30, 30, n_boot=1000, seed=1)
    assert res.n_duplicates == 500


def test_cluster_bootstrap_draws_whole_clusters() -> None:
    clusters = np.repeat(["a", "b", "c", "d", "e", "f"], [3, 5, 2, 4, 6, 1])
    c = resample_counts(21, 300, seed=4, clusters=clusters)
    for g in np.unique(clusters):
        block = c[:, clusters == g]
        assert (block == block[:, :1]).all()       # same count within a cluster
    # cluster counts sum to the number of clusters drawn (6)
    first = np.array([c[:, np.flatnonzero(clusters == g)[0]] for g in np.unique(clusters)]).T
    assert (first.sum(axis=1) == 6).all()


def test_percentile_ci_matches_numpy() -> None:
    rng = np.random.default_rng(0)
    s = rng.normal(size=(4001, 3))
    lo, hi = percentile_ci(s, 0.9)
    assert np.allclose(lo, np.percentile(s, 5, axis=0))
    assert np.allclose(hi, np.percentile(s, 95, axis=0))


def test_percentile_ci_ignores_failed_resamples() -> None:
    s = np.concatenate([np.arange(1001.0), [np.nan] * 50])
    lo, hi = percentile_ci(s, 0.9)
    assert (lo, hi) == pytest.approx((50.0, 950.0))


def test_bc_ci_matches_efron_formula() -> None:
    # Efron (1987): z0 = Phi^-1(#{theta* < theta_hat} / B); limits at Phi(2 z0 -/+ z)
    from scipy.stats import norm

    rng = np.random.default_rng(1)
    s = rng.gamma(2.0, size=20001)
    est = 1.5
    z0 = norm.ppf((s < est).mean())
    z = norm.ppf(0.975)
    lo_ref = np.quantile(s, norm.cdf(2 * z0 - z))
    hi_ref = np.quantile(s, norm.cdf(2 * z0 + z))
    lo, hi = bc_ci(s, est, 0.95)
    assert lo == pytest.approx(lo_ref, rel=1e-6)
    assert hi == pytest.approx(hi_ref, rel=1e-6)
    # median estimate: no bias correction, the percentile interval
    lo2, hi2 = bc_ci(s, np.median(s), 0.95)
    plo, phi = percentile_ci(s, 0.95)
    assert lo2 == pytest.approx(plo, rel=1e-3)
    assert hi2 == pytest.approx(phi, rel=1e-3)



@pytest.mark.parametrize("failed", [False, True])
def test_bc_ci_of_many_columns_is_each_columns_own(failed: bool) -> None:
    """All columns at once (one quantile call when nothing failed) give, bit for bit,
    Efron's formula applied to each column alone: ties counted half, failed (NaN) and
    infinite resamples left out."""
    from scipy.special import ndtr, ndtri

    rng = np.random.default_rng(11)
    s = np.column_stack([rng.normal(size=3000), rng.gamma(2.0, size=3000),
                         np.round(rng.normal(size=3000), 1), rng.uniform(size=3000)])
    est = np.array([0.1, 1.7, 0.0, 0.5])
    if failed:
        s[::9, 1] = np.nan
        s[5, 3] = np.inf
    lo, hi = bc_ci(s, est, 0.95)
    for j in range(s.shape[1]):
        col = s[np.isfinite(s[:, j]), j]
        share = ((col < est[j]).sum() + 0.5 * (col == est[j]).sum()) / col.size
        z0, z = ndtri(share), ndtri(0.975)
        want = np.quantile(col, [ndtr(2 * z0 - z), ndtr(2 * z0 + z)])
        assert (lo[j], hi[j]) == (want[0], want[1])

def test_bootstrap_mean_standard_error() -> None:
    # bootstrap SE of a mean ~ sd * sqrt((n-1)/n) / sqrt(n) (plug-in closed form)
    rng = np.random.default_rng(7)
    x = rng.normal(size=200)
    res = bootstrap(lambda c: (c @ x) / c.sum(axis=1), 200, n_boot=5000, seed=8)
    expected = x.std(ddof=0) / np.sqrt(200)
    assert res.std_error()[0] == pytest.approx(expected, rel=0.05)
    assert res.estimate[0] == pytest.approx(x.mean())


def test_failed_resamples_are_counted_and_reported() -> None:
    x = np.arange(25.0)

    def stat(c: np.ndarray) -> np.ndarray:
        out = (c @ x) / c.sum(axis=1)
        out[c[:, 0] == 0] = np.nan     # "fails" whenever case 0 is not drawn
        return out

    with pytest.warns(StatisticalWarning, match="failed"):
        res = bootstrap(stat, 25, n_boot=2000, seed=3)
    counts = resample_counts(25, 2000, seed=3)
    assert res.n_failed == int((counts[:, 0] == 0).sum())
    assert np.isnan(res.samples).any(axis=1).sum() == res.n_failed


def test_all_failed_raises() -> None:
    with pytest.raises(InsufficientDataError, match="all 100 bootstrap resamples failed"), \
            warnings.catch_warnings():
        warnings.simplefilter("ignore")
        bootstrap(lambda c: np.full(c.shape[0], np.nan), 10, n_boot=100, seed=1)


def test_parallel_batches_equal_serial() -> None:
    # joblib's threading backend keeps the test fast; the batches, their streams and
    # the code path are those of any joblib backend (loky, dask)
    import joblib

    x = np.linspace(0, 1, 40) ** 2
    stat = _Mean(x)
    serial = bootstrap(stat, 40, n_boot=1200, seed=9, n_jobs=1)
    with joblib.parallel_backend("threading"):
        parallel = bootstrap(stat, 40, n_boot=1200, seed=9, n_jobs=2)
    assert np.array_equal(serial.samples, parallel.samples)


def test_default_threads_equal_one_thread_and_processes() -> None:
    # n_jobs=None runs the batches on threads; the moments path (PROCESS) as well
    x = np.linspace(0, 1, 600) ** 2
    mom = np.column_stack([x, np.ones(600)])
    stat = _Mean(x)
    runs = [bootstrap(stat, 600, n_boot=2100, seed=4, n_jobs=j) for j in (None, 1, 2)]
    for other in runs[1:]:
        assert np.array_equal(runs[0].samples, other.samples)
    sums = [bootstrap(lambda s: s[:, 0] / s[:, 1], 600, n_boot=2100, seed=4, n_jobs=j,
                      moments=mom) for j in (None, 1)]
    assert np.array_equal(sums[0].samples, sums[1].samples)
    assert np.allclose(sums[0].samples, runs[0].samples, rtol=1e-12)


@pytest.mark.parametrize("path", ["compiled", "numpy"])
@pytest.mark.parametrize(("units", "size"), [(5, 3), (40, 300), (999, 500), (1000, 500),
                                             (4096, 60), (65535, 4), (65536, 4), (70001, 3)])
def test_counts_are_those_of_numpy_integers(units: int, size: int, path: str,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    # Reference: NumPy's own Generator.integers (PCG64, Lemire's rejection method) on the
    # batch's SeedSequence, counted with bincount row by row. Both implementations, the
    # compiled kernel and the NumPy fallback, must give exactly these counts.
    from egovstudy import _draws

    if path == "compiled" and not _draws.compiled_kernel_available():
        pytest.skip("egovstudy._countcore was not built (no C compiler at install time) or "
                    "does not reproduce this NumPy's integers (then NumPy's path is used)")
    if path == "numpy":
        monkeypatch.setenv("EGOVSTUDY_NO_EXTENSION", "1")
        assert not _draws.compiled_kernel_available()
    ss = np.random.SeedSequence([units, size])
    dtype = np.uint16 if units <= 65535 else np.int32
    idx = np.random.default_rng(ss).integers(0, units, size=(size, units), dtype=dtype)
    expected = np.stack([np.bincount(row, minlength=units) for row in idx]).astype(float)
    got = np.concatenate([c.copy() for _, c in _draws.count_chunks(units, size, ss)])
    assert np.array_equal(got, expected)


def test_kernel_that_disagrees_with_numpy_is_switched_off(monkeypatch: pytest.MonkeyPatch
                                                           ) -> None:
    # A NumPy release that changes how Generator.integers maps raw words to draws must
    # switch the kernel off (the NumPy path gives NumPy's numbers), not change the counts.
    from egovstudy import _draws

    def shifted(ext: object, units: int, size: int, ss: np.random.SeedSequence):  # type: ignore[no-untyped-def]
        for start, counts in _draws._count_chunks_numpy(units, size, ss):
            yield start, np.roll(counts, 1, axis=1)

    monkeypatch.setattr(_draws, "_count_chunks_compiled", shifted)
    _draws._kernel_agrees_with_numpy.cache_clear()
    try:
        assert not _draws._kernel_agrees_with_numpy(object())
    finally:
        _draws._kernel_agrees_with_numpy.cache_clear()
    monkeypatch.setattr(_draws, "_count_chunks_compiled", lambda ext, units, size, ss:
                        _draws._count_chunks_numpy(units, size, ss))
    assert _draws._kernel_agrees_with_numpy(object())
    _draws._kernel_agrees_with_numpy.cache_clear()


def test_compiled_raw_words_are_those_of_numpy_pcg64() -> None:
    # Reference: NumPy's own PCG64.random_raw (O'Neill's PCG XSL-RR 128/64) on the same
    # SeedSequence; the compiled generator must give the same words, fetched in pieces
    # of every length the four interleaved chains can end on (below 8 words: one chain).
    from egovstudy import _draws

    ext = _draws._extension()
    if ext is None or not hasattr(ext, "pcg64_words"):
        pytest.skip("egovstudy._countcore was not built with 128-bit integers")
    for entropy in (0, 1, 2026, 2**100 + 7):
        ss = np.random.SeedSequence(entropy)
        expected = np.random.PCG64(ss).random_raw(12_001)
        raw = _draws._raw_words(ext, ss)
        pieces = (1, 3, 4, 7, 8, 9, 13, 7_000, 4_956)
        assert sum(pieces) == 12_001
        got = np.concatenate([raw(k) for k in pieces])
        assert np.array_equal(got, expected), entropy
    with pytest.raises(ValueError, match="state must hold 4 uint64"):
        ext.pcg64_words(np.zeros(3, dtype=np.uint64), np.empty(2, dtype=np.uint64))


def test_compiled_kernel_checks_its_arguments() -> None:
    from egovstudy import _draws

    if not _draws.compiled_kernel_available():
        pytest.skip("egovstudy._countcore was not built (no C compiler at install time)")
    from egovstudy import _countcore

    words = np.zeros(8, dtype=np.uint16)
    with pytest.raises(ValueError, match="inconsistent arguments"):
        _countcore.fill_counts(words, 0, 10, 6, 16, np.zeros((2, 9)), 2, 0, 0)
    with pytest.raises(ValueError, match="inconsistent arguments"):
        _countcore.fill_counts(words, 0, 10, 6, 12, np.zeros((2, 10)), 2, 0, 0)
    # 65536 mod 10 = 6: word 0 gives m mod 2**16 = 0 < 6 and is rejected; word 60000
    # gives m = 600000 = 9 * 65536 + 10176, accepted, draw 9. When the words run out,
    # the position and the draw reached are returned.
    words = np.array([60000, 0, 60000, 60000], dtype=np.uint16)
    out = np.zeros((2, 10))
    assert _countcore.fill_counts(words, 0, 10, 6, 16, out, 2, 0, 0) == (4, 0, 3)
    assert out[0, 9] == 3 and out.sum() == 3


@pytest.mark.parametrize(("units", "sizes"), [(5, (3,)), (999, (500, 500, 37)),
                                              (1000, (65, 66, 1)), (70001, (2, 3))])
def test_compiled_batches_are_the_counts_times_the_moments(units: int,
                                                           sizes: tuple[int, ...]) -> None:
    # Reference: NumPy's own Generator.integers on each batch's SeedSequence, counted
    # row by row, times the moments. The whole-batch kernel (several batches, one call)
    # must give these sums: the same draws, multiplied by BLAS.
    from egovstudy import _draws

    ext = _draws._extension()
    if getattr(ext, "batch_moments", None) is None or _draws._dgemm_capsule() is None:
        pytest.skip("egovstudy._countcore was built without batch_moments (no 128-bit ints)")
    rng = np.random.default_rng(units)
    moments = rng.normal(size=(units, 7))
    seqs = [np.random.SeedSequence([units, i]) for i in range(len(sizes))]
    got = _draws.batch_moments(units, list(zip(sizes, seqs)), moments, gemm_rows=38)
    dtype = np.uint16 if units <= 65535 else np.int32
    expected = []
    for size, ss in zip(sizes, seqs):
        idx = np.random.default_rng(ss).integers(0, units, size=(size, units), dtype=dtype)
        counts = np.stack([np.bincount(row, minlength=units) for row in idx]).astype(float)
        expected.append(counts @ moments)
    assert got is not None and got.shape == (sum(sizes), 7)
    np.testing.assert_allclose(got, np.vstack(expected), rtol=1e-12, atol=1e-9)


def test_compiled_batches_check_their_arguments() -> None:
    from egovstudy import _draws

    ext = _draws._extension()
    if getattr(ext, "batch_moments", None) is None or _draws._dgemm_capsule() is None:
        pytest.skip("egovstudy._countcore was built without batch_moments (no 128-bit ints)")
    cap = _draws._dgemm_capsule()
    st = np.zeros((1, 4), dtype=np.uint64)
    mom = np.ones((10, 2))
    sizes = np.array([3], dtype=np.intp)
    calls = [
        (st, sizes, 10, 6, 16, mom, np.empty((4, 2)), cap, 5, 5),        # out too big
        (st, sizes, 10, 6, 16, np.ones((9, 2)), np.empty((3, 2)), cap, 5, 5),
        (st, np.array([0], dtype=np.intp), 10, 6, 16, mom, np.empty((0, 2)), cap, 5, 5),
        (np.zeros((2, 4), dtype=np.uint64), sizes, 10, 6, 16, mom, np.empty((3, 2)), cap,
         5, 5),
        (st, sizes, 10, 6, 12, mom, np.empty((3, 2)), cap, 5, 5),         # 12-bit words
        (st, sizes, 10, 6, 16, mom, np.empty((3, 2)), object(), 5, 5),    # no capsule
        (st, sizes, 10, 6, 16, mom, np.empty((3, 2)), cap, 0, 5),
        # claiming: a counter of the wrong size, a list too short, no limit, done flags
        # for the wrong number of batches
        (st, sizes, 10, 6, 16, mom, np.empty((3, 2)), cap, 5, 5, np.zeros(2, np.int64),
         np.empty(1, np.intp), 1),
        (st, sizes, 10, 6, 16, mom, np.empty((3, 2)), cap, 5, 5, np.zeros(1, np.int64),
         np.empty(0, np.intp), 1),
        (st, sizes, 10, 6, 16, mom, np.empty((3, 2)), cap, 5, 5, np.zeros(1, np.int64),
         np.empty(1, np.intp), 0),
        (st, sizes, 10, 6, 16, mom, np.empty((3, 2)), cap, 5, 5, np.zeros(1, np.int64),
         np.empty(1, np.intp), 1, np.zeros(2, np.uint8)),
    ]
    for args in calls:
        with pytest.raises(ValueError, match="inconsistent arguments"):
            ext.batch_moments(*args)


def test_default_threads_run_grouped_batches_with_the_same_numbers(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # Batches are grouped per compiled call (and per thread); the groups must not change
    # a number: every grouping, the chunk-by-chunk path and the NumPy path agree.
    import egovstudy.bootstrap as boot

    x = np.linspace(0, 1, 300) ** 2
    mom = np.column_stack([x, np.ones(300)])

    def run() -> np.ndarray:
        return bootstrap(lambda s: s[:, 0] / s[:, 1], 300, n_boot=2300, seed=8,
                         moments=mom, batch_size=200).samples

    ref = run()                       # threads take the batches from a shared counter
    monkeypatch.setattr(boot, "_CALL_DRAWS", 200 * 300)  # one batch per call
    assert np.array_equal(run(), ref)
    monkeypatch.setattr(boot.SharedBatches, "create", lambda *a, **k: None)
    groups = boot._groups(boot._batches(2300, 200, np.random.SeedSequence(8)), 300, 2)
    assert [len(g) for g in groups] == [1] * 12          # fixed groups, one batch per call
    assert np.array_equal(run(), ref)
    monkeypatch.setattr(boot, "_CALL_DRAWS", 4_000_000)
    groups = boot._groups(boot._batches(2300, 200, np.random.SeedSequence(8)), 300, 2)
    assert [len(g) for g in groups] == [6, 6]           # ceil(12 batches / 2 threads)
    assert np.array_equal(run(), ref)
    monkeypatch.setattr(boot, "batch_moments", lambda *a, **k: None)  # chunk by chunk
    assert np.array_equal(run(), ref)
    monkeypatch.setenv("EGOVSTUDY_NO_EXTENSION", "1")                 # NumPy's draws
    np.testing.assert_allclose(run(), ref, rtol=1e-12)


def test_batches_taken_by_racing_threads_are_each_done_once() -> None:
    # four threads take the batches of one SharedBatches at once, two per call: every
    # batch is done by exactly one of them, and the sums are those of one call doing all
    import threading

    from egovstudy._draws import SharedBatches, batch_moments

    rng = np.random.default_rng(3)
    mom = rng.normal(size=(250, 4))
    seqs = np.random.SeedSequence(21).spawn(15)
    sizes = [40] * 14 + [17]
    shared = SharedBatches.create(250, list(zip(sizes, seqs)), mom, gemm_rows=9)
    if shared is None:
        pytest.skip("egovstudy._countcore was built without batch_moments (no 128-bit ints)")
    assert shared.finished() == []
    taken: list[list[int]] = [[] for _ in range(4)]

    def work(i: int) -> None:
        while True:
            got = shared.claim(2).tolist()
            taken[i] += got
            if len(got) < 2:
                break

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(b for mine in taken for b in mine) == list(range(15))
    assert shared.finished() == list(range(15))      # each flagged once its rows are in
    ref = batch_moments(250, list(zip(sizes, np.random.SeedSequence(21).spawn(15))), mom,
                        gemm_rows=9)
    assert ref is not None and np.array_equal(shared.out, ref)
    assert shared.rows([1, 14]).tolist() == [*range(40, 80), *range(560, 577)]
    stopped = SharedBatches.create(250, list(zip(sizes, seqs)), mom, gemm_rows=9)
    assert stopped is not None and stopped.claim(1).tolist() == [0]
    stopped.stop()                                   # an error in the caller: no more
    assert stopped.claim(5).tolist() == [] and stopped.finished() == [0]


def test_a_helper_leaves_the_callers_processor_and_keeps_its_affinity() -> None:
    # _countcore.leave_cpu: a thread on the given processor moves off it (when it may run
    # elsewhere) and gets its own affinity mask back at once; elsewhere it stays
    import os
    import threading

    from egovstudy._draws import _compiled_module

    module = _compiled_module()
    if module is None or not hasattr(module, "leave_cpu"):
        pytest.skip("egovstudy._countcore was not built (no C compiler at install time)")
    if not hasattr(os, "sched_getaffinity"):
        assert module.current_cpu() == -1 and module.leave_cpu(0) is False
        return
    out: dict[str, object] = {}

    def helper() -> None:
        mask = os.sched_getaffinity(0)
        here = module.current_cpu()
        out["here_allowed"] = here in mask
        out["moved"] = module.leave_cpu(here)
        out["mask_kept"] = os.sched_getaffinity(0) == mask
        out["elsewhere"] = module.leave_cpu(max(mask) + 1)   # a processor it never uses
        out["several"] = len(mask) > 1

    t = threading.Thread(target=helper)
    t.start()
    t.join(timeout=30)
    assert out["here_allowed"] and out["mask_kept"]
    assert out["moved"] is out["several"]           # alone on one processor: no move
    assert out["elsewhere"] is False                 # not on that processor: no move


def test_a_kernel_built_before_shared_batches_splits_them_beforehand(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # an extension built by an earlier version (batch_moments, no batches_done): the
    # threads get fixed groups of batches, with the same numbers
    import types

    import egovstudy._draws as draws

    ext = draws._extension()
    if ext is None or getattr(ext, "batch_moments", None) is None:
        pytest.skip("egovstudy._countcore was built without batch_moments (no 128-bit ints)")
    x = np.linspace(0, 1, 80) ** 2
    kw: dict = {"n_boot": 1000, "seed": 2, "batch_size": 100,
                "moments": np.column_stack([x, np.ones(80)])}
    ref = bootstrap(lambda s: s[:, 0] / s[:, 1], 80, **kw)
    old = types.SimpleNamespace(batch_moments=ext.batch_moments, fill_counts=ext.fill_counts,
                                pcg64_words=ext.pcg64_words)
    monkeypatch.setattr(draws, "_extension", lambda: old)
    assert draws.SharedBatches.create(80, [(10, np.random.SeedSequence(1))], kw["moments"],
                                      gemm_rows=4) is None
    assert np.array_equal(bootstrap(lambda s: s[:, 0] / s[:, 1], 80, **kw).samples,
                          ref.samples)


@pytest.mark.parametrize("path", ["moments", "counts"])
def test_the_progress_bar_counts_every_batch(monkeypatch: pytest.MonkeyPatch,
                                             path: str) -> None:
    # progress=True: one bar, moved once for each of the 12 batches whoever did them,
    # closed at the end; the numbers are those of a run without a bar
    import egovstudy.bootstrap as boot

    bars: list[list[int]] = []

    class Bar:
        def __init__(self, total: int) -> None:
            self.moves: list[int] = []
            bars.append(self.moves)
            assert total == 12

        def update(self, k: int) -> None:
            self.moves.append(k)

        def close(self) -> None:
            self.moves.append(-1)

    monkeypatch.setattr(boot, "_progress_bar", Bar)
    x = np.arange(60.0)
    if path == "moments":
        stat, extra = (lambda s: s[:, 0] / s[:, 1]), {"moments": np.column_stack([x, np.ones(60)])}
    else:
        stat, extra = _Mean(x), {}
    kw: dict = {"n_boot": 1200, "seed": 6, "batch_size": 100}
    res = bootstrap(stat, 60, progress=True, **kw, **extra)
    assert len(bars) == 1 and bars[0][-1] == -1 and sum(bars[0][:-1]) == 12
    quiet = bootstrap(stat, 60, progress=False, **kw, **extra)
    assert len(bars) == 1 and np.array_equal(res.samples, quiet.samples)


class _Mean:
    def __init__(self, x: np.ndarray) -> None:
        self.x = x

    def __call__(self, c: np.ndarray) -> np.ndarray:
        return (c @ self.x) / c.sum(axis=1)


def test_bad_input_messages() -> None:
    with pytest.raises(InsufficientDataError, match="n=3 cases"):
        resample_counts(3, 10, seed=1)
    with pytest.raises(ModelSpecError, match="n_boot=0"):
        resample_counts(30, 0, seed=1)
    with pytest.raises(ModelSpecError, match="seed=-1"):
        resample_counts(30, 10, seed=-1)
    with pytest.raises(ModelSpecError, match="clusters has shape"):
        resample_counts(30, 10, seed=1, clusters=np.arange(29))
    with pytest.raises(InsufficientDataError, match="only 2 distinct clusters"):
        resample_counts(30, 10, seed=1, clusters=np.repeat([1, 2], 15))
    with pytest.raises(ModelSpecError, match=r"level=1\.5"):
        percentile_ci(np.arange(10.0), 1.5)


def test_threads_are_kept_between_calls_and_a_nested_bootstrap_does_not_wait() -> None:
    """The bootstrap's threads are made once per process (``shared_pool``); a bootstrap
    run inside a bootstrap's statistic (a thread of that pool) gets a pool of its own,
    so it finishes instead of waiting for the threads busy running it."""
    import threading

    from egovstudy import bootstrap as bs

    x = np.arange(40.0)
    mean = lambda c: (c @ x) / c.sum(axis=1)  # noqa: E731
    first = bootstrap(mean, 40, n_boot=2000, seed=1, batch_size=250, n_jobs=None)
    with bs.shared_pool("egovstudy-boot", 2) as kept:
        pass
    again = bootstrap(mean, 40, n_boot=2000, seed=1, batch_size=250, n_jobs=None)
    with bs.shared_pool("egovstudy-boot", 2) as kept_again:
        pass
    assert kept is kept_again and np.array_equal(first.samples, again.samples)

    def nested(c: np.ndarray) -> np.ndarray:
        inner = bootstrap(mean, 40, n_boot=60, seed=2, batch_size=20, n_jobs=None)
        return mean(c) + 0 * inner.samples[0, 0]

    done: list[bs.BootstrapResult] = []
    runner = threading.Thread(target=lambda: done.append(
        bootstrap(nested, 40, n_boot=100, seed=3, batch_size=25, n_jobs=None)), daemon=True)
    runner.start()
    runner.join(timeout=60)
    assert done and np.allclose(done[0].samples[:, 0],
                                bootstrap(mean, 40, n_boot=100, seed=3, batch_size=25,
                                          n_jobs=1).samples[:, 0])


def test_a_forked_child_starts_without_the_parents_threads() -> None:
    """A child forked after a bootstrap has no copy of the parent's pool (whose threads
    do not exist there): its own bootstrap makes new threads and finishes."""
    import multiprocessing

    if "fork" not in multiprocessing.get_all_start_methods():
        pytest.skip("no fork on this platform")
    x = np.arange(30.0)
    bootstrap(lambda c: (c @ x) / c.sum(axis=1), 30, n_boot=400, seed=1, batch_size=100)
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(1) as pool:
        got = pool.apply_async(_child_bootstrap_mean).get(timeout=60)
    want = bootstrap(lambda c: (c @ x) / c.sum(axis=1), 30, n_boot=400, seed=5,
                     batch_size=100, n_jobs=1)
    assert np.array_equal(got, want.samples)


def _child_bootstrap_mean() -> np.ndarray:
    x = np.arange(30.0)
    return bootstrap(lambda c: (c @ x) / c.sum(axis=1), 30, n_boot=400, seed=5,
                     batch_size=100, n_jobs=None).samples


@pytest.mark.parametrize("k", [1, 3, 8])
def test_row_checks_column_by_column_equal_numpys(k: int) -> None:
    """The column-by-column forms of the duplicate and failed-resample checks give
    NumPy's ``.all(axis=1)`` answers, with ties, NaN and infinities."""
    from egovstudy import bootstrap as bs

    rng = np.random.default_rng(k)
    fp = np.round(rng.normal(size=(3000, k)), 1)          # many ties
    srt = fp[np.argsort(fp[:, 0], kind="stable")]
    assert np.array_equal(bs._rows_equal_to_previous(srt), (srt[1:] == srt[:-1]).all(axis=1))
    s = rng.normal(size=(3000, k))
    s[::13, k - 1] = np.nan
    s[7, 0] = np.inf
    assert np.array_equal(bs._finite_rows(s), np.isfinite(s).all(axis=1))


@pytest.mark.parametrize("path", ["moments", "counts", "joblib"])
def test_on_running_is_called_once_before_the_results(path: str) -> None:
    """``on_running`` fires once per run: on the moments path when every thread is in
    the compiled kernel (or the chunked fallback), on the others as batches are handed
    out; the numbers do not depend on it."""
    import threading

    x = np.arange(50.0)
    calls: list[str] = []
    kw: dict = {"n_boot": 1200, "seed": 4, "batch_size": 200,
                "n_jobs": 2 if path == "joblib" else None}
    if path == "counts":
        stat, extra = (lambda c: (c @ x) / c.sum(axis=1)), {}
    else:
        stat = lambda s: s[:, 0] / s[:, 1]  # noqa: E731
        extra = {"moments": np.column_stack([x, np.ones(50)])}
    res = bootstrap(stat, 50, on_running=lambda: calls.append(threading.current_thread().name),
                    **kw, **extra)
    plain = bootstrap(stat, 50, **kw, **extra)
    assert len(calls) == 1
    assert np.array_equal(res.samples, plain.samples)
