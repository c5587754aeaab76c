"""Group comparisons against R's ``stats``: ``t.test`` (``var.equal`` TRUE and FALSE),
``oneway.test`` (classical and Welch), ``TukeyHSD(aov())``, ``chisq.test`` and
``kruskal.test`` (R Core Team, ``stats`` package), on every crosscheck survey: the
outcome ``y`` by the binary ``yb`` (two groups) and by the region ``h`` (six groups)."""

from __future__ import annotations

import warnings
from typing import Any

import pandas as pd
import pytest

from crosscheck._support import CLOSED, DATASET_NAMES, Comparer, Dataset, r_section
from egovstudy import compare


@pytest.fixture(autouse=True)
def _quiet() -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def _frame(ds: Dataset) -> pd.DataFrame:
    s = ds.spec
    return ds.frame[[s["y"], s["binary"], s["cluster2"]]].dropna()


@pytest.mark.parametrize("name", DATASET_NAMES)
def test_t_tests_and_oneway_match_r(name: str, datasets: dict[str, Dataset]) -> None:
    ds = datasets[name]
    s, d, cmp = ds.spec, _frame(ds), Comparer(name)
    for eq, label in ((True, "student"), (False, "welch")):
        r = r_section(ds, "compare", f"t_test:{label}")
        res = compare.t_test(d, s["y"], s["binary"], equal_var=eq)
        cmp(f"t {label}", res.statistic, r["t"], CLOSED)
        cmp(f"df {label}", res.df, r["df"], CLOSED)
        cmp(f"p {label}", res.p_value, r["p"], CLOSED)
        cmp(f"ci {label}", [res.ci_low, res.ci_high], r["ci"], CLOSED)
        label2 = "classical" if eq else "welch"
        r = r_section(ds, "compare", f"oneway:{label2}")
        res = compare.anova_oneway(d, s["y"], s["cluster2"], welch=not eq)
        cmp(f"F {label2}", res.statistic, r["f"], CLOSED)
        cmp(f"df1 {label2}", res.df, r["df1"], CLOSED)
        cmp(f"df2 {label2}", res.df2, r["df2"], CLOSED)
        cmp(f"p {label2}", res.p_value, r["p"], CLOSED)
    cmp.finish()


@pytest.mark.parametrize("name", DATASET_NAMES)
def test_tukey_chisq_kruskal_match_r(name: str, datasets: dict[str, Dataset]) -> None:
    ds = datasets[name]
    s, d, cmp = ds.spec, _frame(ds), Comparer(name)
    r = r_section(ds, "compare", "tukey")
    tab = compare.tukey_hsd(d, s["y"], s["cluster2"])
    cmp("tukey diff", tab["estimate"], r["diff"], CLOSED)
    cmp("tukey lwr", tab["ci_low"], r["lwr"], CLOSED)
    cmp("tukey upr", tab["ci_high"], r["upr"], CLOSED)
    cmp("tukey p", tab["p_adj"], r["p"], 1e-5)  # ptukey is an iterative integral
    r = r_section(ds, "compare", "chisq")
    res = compare.chi_square(d, s["cluster2"], s["binary"])
    cmp("chi2", res.statistic, r["x2"], CLOSED)
    cmp("chi2 df", res.df, r["df"], CLOSED)
    cmp("chi2 p", res.p_value, r["p"], CLOSED)
    r = r_section(ds, "compare", "kruskal")
    res = compare.kruskal_wallis(d, s["y"], s["cluster2"])
    cmp("H", res.statistic, r["h"], CLOSED)
    cmp("H df", res.df, r["df"], CLOSED)
    cmp("H p", res.p_value, r["p"], CLOSED)
    cmp.finish()
