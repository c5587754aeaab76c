"""Boundary cases refused with a clear message instead of numbers made of rounding noise."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from egovstudy.bootstrap import min_resamples, percentile_ci
from egovstudy.errors import DataQualityError, InsufficientDataError, ModelSpecError
from egovstudy.mediation import process
from egovstudy.models import assumption_tests, ols


def _frame(rng: np.random.Generator, n: int = 60) -> pd.DataFrame:
    df = pd.DataFrame({"x": rng.normal(size=n), "m": rng.normal(size=n)})
    df["y"] = 1 + 0.4 * df.x + 0.3 * df.m + rng.normal(size=n)
    return df


def test_constant_outcome_is_refused(rng: np.random.Generator) -> None:
    # before: t and p from rounding noise (p = .000143) and "supported"; fit_stats() divided by 0
    df = _frame(rng).assign(perf=4.0)
    with pytest.raises(DataQualityError, match=r"outcome 'perf' is constant: all 60 .* equal 4"):
        ols("perf ~ x + m", df)


def test_exact_fit_gets_no_residual_verdicts(rng: np.random.Generator) -> None:
    # a total score regressed on its own items: R² = 1, residuals are rounding noise, which
    # used to be called "heteroskedastic" and "outlier present"
    df = _frame(rng)
    df["total"] = df.x + df.m + df.y
    fit = ols("total ~ x + m + y", df)
    assert fit.fit_stats()["r2"] == pytest.approx(1.0)
    with pytest.raises(ModelSpecError, match=r"fits the data exactly .* computed from the"):
        assumption_tests(fit)
    # an ordinary fit still gets its tests
    assert len(assumption_tests(ols("y ~ x + m", df)).tidy()) > 5


def test_interval_needs_a_resample_in_each_tail() -> None:
    # a 95% percentile interval takes the 2.5% and 97.5% quantiles: below 2/.05 = 40
    # resamples one tail holds less than one draw
    assert min_resamples(0.95) == 40
    assert min_resamples(0.90) == 20
    assert min_resamples(0.99) == 200
    draws = np.arange(40.0)
    lo, hi = percentile_ci(draws, 0.95)
    assert lo < hi
    with pytest.raises(InsufficientDataError, match=r"95% bootstrap interval needs at least 40 "
                                                    r"successful resamples.* only 39"):
        percentile_ci(draws[:39], 0.95)
    # failed (NaN) resamples do not count
    with pytest.raises(InsufficientDataError, match="only 30"):
        percentile_ci(np.r_[draws[:30], [np.nan] * 20], 0.95)


def test_process_with_one_resample_is_refused(rng: np.random.Generator) -> None:
    # before: n_boot=1 printed a "95% CI" that did not contain its own estimate
    df = _frame(rng)
    with pytest.raises(InsufficientDataError, match="n_boot=5000"):
        process(df, model=4, x="x", m="m", y="y", n_boot=1, seed=1)
