"""The vectorized HTMT bootstrap and parallel analysis reproduce the loops they replaced.

Independent checks, not published values (those are in test_measurement_cfa.py and
test_measurement_reliability.py): the reference functions below are the former
per-resample / per-data-set loops (``np.cov(..., fweights=counts[b])`` per resample;
one ``minimize`` call with separate objective and gradient per simulated data set),
kept here as private references. Same seed, same numbers to 1e-12.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from egovstudy.bootstrap import percentile_ci, resample_counts
from egovstudy.measurement import discriminant as disc
from egovstudy.measurement import factor as fac
from egovstudy.measurement import htmt
from egovstudy.measurement._common import cov2cor


# --------------------------------------------------------------------------- references
def _htmt_boot_loop(x: np.ndarray, idx: dict[str, list[int]], counts: np.ndarray) -> np.ndarray:
    """The former bootstrap loop of ``htmt``: one ``np.cov`` per resample."""
    iu = np.triu_indices(len(idx), 1)
    boot = np.full((counts.shape[0], len(iu[0])), np.nan)
    for b in range(counts.shape[0]):
        cov = np.cov(x, rowvar=False, fweights=counts[b])
        if np.all(np.diag(cov) > 0):
            with np.errstate(divide="ignore", invalid="ignore"):   # inf when a mono is 0
                boot[b] = disc._htmt_from_cor(cov2cor(cov), idx)[iu]
    return boot


def _extract_ref(r: np.ndarray, k: int, method: str) -> np.ndarray:
    """The former ``extract_factors``: objective and gradient as separate callables."""
    from scipy.optimize import minimize

    p = r.shape[0]
    start = np.clip(1.0 - fac._smc(r), 0.005, 0.995)
    res = minimize(fac._objective, start, args=(r, k, method), jac=fac._gradient,
                   method="L-BFGS-B", bounds=[(0.005, 1.0)] * p,
                   options={"maxiter": 2000, "ftol": 1e-14, "gtol": 1e-10})
    return fac._loadings_from_psi(r, np.asarray(res.x), k, method)


def _reduced_eigen_ref(r: np.ndarray) -> np.ndarray:
    lam = _extract_ref(r, 1, "minres")
    red = r.copy()
    np.fill_diagonal(red, np.sum(lam**2, axis=1))
    return np.sort(np.linalg.eigvalsh(red))[::-1]


def _parallel_ref(r: np.ndarray, n: int, n_iter: int, seed: int) -> tuple[np.ndarray, ...]:
    """The former ``parallel_analysis`` loop: one data set, one fit at a time."""
    p = r.shape[0]
    rng = np.random.default_rng(np.random.SeedSequence(seed))
    sim_pc = np.empty((n_iter, p))
    sim_fa = np.empty((n_iter, p))
    for i in range(n_iter):
        x = rng.standard_normal((n, p))
        rs = np.corrcoef(x, rowvar=False)
        sim_pc[i] = np.sort(np.linalg.eigvalsh(rs))[::-1]
        sim_fa[i] = _reduced_eigen_ref(rs)
    return (np.sort(np.linalg.eigvalsh(r))[::-1], _reduced_eigen_ref(r),
            np.quantile(sim_pc, 0.95, axis=0), np.quantile(sim_fa, 0.95, axis=0))


# --------------------------------------------------------------------------- data
CONS = {"A": ["a1", "a2", "a3"], "B": ["b1", "b2"], "C": ["c1", "c2", "c3", "c4"]}


def _likert(n: int, seed: int) -> pd.DataFrame:
    """Three correlated constructs on 5-point codes (n cases, 9 items)."""
    rng = np.random.default_rng(seed)
    f = rng.normal(size=(n, 3)) @ np.linalg.cholesky(
        np.array([[1, .5, .3], [.5, 1, .4], [.3, .4, 1]])).T
    cols = {}
    for j, items in enumerate(CONS.values()):
        for it in items:
            z = 0.75 * f[:, j] + 0.66 * rng.normal(size=n)
            cols[it] = np.clip(np.round(3 + 1.1 * z), 1, 5)
    return pd.DataFrame(cols)


def _idx(frame: pd.DataFrame) -> dict[str, list[int]]:
    pos = {c: i for i, c in enumerate(frame.columns)}
    return {k: [pos[i] for i in v] for k, v in CONS.items()}


# --------------------------------------------------------------------------- HTMT
@pytest.mark.parametrize("clustered", [False, True])
def test_htmt_bootstrap_matches_reference_loop(clustered):
    df = _likert(150, 1)
    cl = np.repeat(np.arange(15), 10) if clustered else None
    x = df.to_numpy()
    counts = resample_counts(len(df), 300, seed=5, clusters=cl)
    want = _htmt_boot_loop(x, _idx(df), counts)
    got = disc._htmt_boot(x, _idx(df), [counts[:170], counts[170:]], chunk=64)
    assert np.isfinite(want).all()
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-12)
    # and through the public function: same seed, same interval as the loop gives
    res = htmt(df, CONS, n_boot=300, seed=5, clusters=cl, level=0.9)
    lo, hi = percentile_ci(want, 0.9)
    np.testing.assert_allclose(res.pairs["ci_low"], lo, rtol=0, atol=1e-12)
    np.testing.assert_allclose(res.pairs["ci_high"], hi, rtol=0, atol=1e-12)


def test_htmt_bootstrap_uses_complete_cases_like_before():
    # htmt drops incomplete cases (listwise) before resampling; the bootstrap of the
    # data with missing answers equals the loop on the complete cases
    df = _likert(160, 2)
    df.iloc[[3, 17, 40, 41, 99], [0, 4, 7, 2, 8]] = np.nan
    complete = df.dropna()
    assert len(complete) == 155
    counts = resample_counts(len(complete), 200, seed=9)
    want = _htmt_boot_loop(complete.to_numpy(), _idx(df), counts)
    res = htmt(df, CONS, n_boot=200, seed=9)
    lo, hi = percentile_ci(want, 0.95)
    np.testing.assert_allclose(res.pairs["ci_low"], lo, rtol=0, atol=1e-12)
    np.testing.assert_allclose(res.pairs["ci_high"], hi, rtol=0, atol=1e-12)


def test_htmt_degenerate_resamples_fail_as_before():
    # b2 is 1 for only two of 30 cases: many resamples draw neither, b2 is then
    # constant, the reference loop leaves the resample NaN, and so must the fast path
    df = _likert(30, 3)
    df["b2"] = 0.0
    df.loc[[4, 21], "b2"] = 1.0
    x = df.to_numpy()
    counts = resample_counts(len(df), 400, seed=4)
    want = _htmt_boot_loop(x, _idx(df), counts)
    got = disc._htmt_boot(x, _idx(df), [counts])
    failed = np.isnan(want).all(axis=1)
    assert 10 < failed.sum() < 390
    np.testing.assert_array_equal(np.isnan(got), np.isnan(want))
    np.testing.assert_allclose(got[~failed], want[~failed], rtol=0, atol=1e-12)


def test_weighted_cov_equals_np_cov_in_row_blocks(monkeypatch):
    # force several row blocks of the cross-product matrix
    rng = np.random.default_rng(8)
    x = rng.normal(size=(57, 6)) * [1, 2, 3, 0.5, 10, 1] + 4
    w = rng.integers(0, 4, size=(7, 57)).astype(float)
    monkeypatch.setattr(disc, "_BLOCK_BYTES", 8 * 21 * 10)   # 21 pairs x 10 rows
    got = disc._weighted_cov(x - x.mean(axis=0), w)
    for b in range(w.shape[0]):
        np.testing.assert_allclose(got[b], np.cov(x, rowvar=False, fweights=w[b].astype(int)),
                                   rtol=1e-12, atol=1e-12)


def test_htmt_stack_matches_single_matrix_version():
    rng = np.random.default_rng(6)
    idx = {"A": [0, 1, 2], "B": [3], "C": [4, 5, 6, 7]}    # B has one item: NaN ratios
    stack = np.array([np.corrcoef(rng.normal(size=(40, 8)), rowvar=False) for _ in range(4)])
    got, mono = disc._htmt_from_cor_stack(stack, idx)
    for b in range(4):
        np.testing.assert_allclose(got[b], disc._htmt_from_cor(stack[b], idx), rtol=1e-13,
                                   atol=0, equal_nan=True)
    assert np.isnan(got[:, 1]).all() and np.isfinite(got[:, 0, 2]).all()
    assert np.isnan(mono[:, 1]).all() and np.isfinite(mono[:, [0, 2]]).all()


# --------------------------------------------------------------------------- EFA
def test_parallel_analysis_matches_reference_loop(monkeypatch):
    df = _likert(120, 4)
    r, _, n, _ = fac._cor(df, None, "EFA")
    # two data sets per simulation block: the stream must not depend on the blocking
    monkeypatch.setattr(fac, "_SIM_BLOCK_BYTES", 8 * n * r.shape[0] * 2)
    table, suggested = fac.parallel_analysis(r, n, n_iter=5, seed=21)
    want = _parallel_ref(r, n, 5, 21)
    for col, ref in zip(["observed_pc", "observed_fa", "simulated_pc", "simulated_fa"], want):
        np.testing.assert_allclose(table[col], ref, rtol=0, atol=1e-12)
    assert suggested["factors"] >= 1


@pytest.mark.parametrize("method", ["minres", "ml"])
def test_extract_factors_combined_gradient_takes_same_path(method):
    df = _likert(200, 5)
    r, _, _, _ = fac._cor(df, None, "EFA")
    lam, _ = fac.extract_factors(r, 2, method)
    np.testing.assert_allclose(lam, _extract_ref(r, 2, method), rtol=0, atol=1e-12)
