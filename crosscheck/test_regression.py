"""OLS and its assumption tests against R: ``stats::lm``, ``sandwich::vcovHC`` /
``vcovCL`` (Zeileis 2004/2020; sandwich 3.0-2), ``lmtest::bptest``/``bgtest``/``dwtest``/
``resettest``, ``car::vif``/``outlierTest``, ``shapiro.test``, ``nortest::lillie.test``,
``ks.test``, ``cooks.distance``/``hatvalues``/``rstudent``."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd
import pytest

import egovstudy
from crosscheck._support import (
    CLOSED,
    DATASET_NAMES,
    Comparer,
    Dataset,
    r_section,
)


def _formula(ds: Dataset) -> str:
    return f"{ds.spec['y']} ~ {' + '.join(ds.spec['x'])}"


def _fit(ds: Dataset, vcov: Any = "classical") -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return egovstudy.ols(_formula(ds), ds.frame, vcov=vcov)


def _tests(ds: Dataset) -> tuple[pd.DataFrame, Any]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a = egovstudy.assumption_tests(_fit(ds))
    return a.table.set_index("test"), a


@pytest.mark.parametrize("name", DATASET_NAMES)
def test_lm(name: str, datasets: dict[str, Dataset]) -> None:
    """lm(): coefficients, classical SE, t, p, CI, R2, F, sigma, logLik, AIC, BIC."""
    ds = datasets[name]
    check = Comparer(name)
    r = r_section(ds, "regression", "lm")
    res = _fit(ds)
    tab = res.tidy()
    for col, key in [("estimate", "coef"), ("std_error", "se"), ("statistic", "t"),
                     ("p_value", "p"), ("ci_low", "ci_low"), ("ci_high", "ci_high")]:
        check(col, tab[col], r[key], CLOSED)
    st = res.fit_stats()
    for ours, theirs in [("r2", "r2"), ("adj_r2", "adj_r2"), ("f", "f"), ("f_p_value", "f_p"),
                         ("sigma", "sigma"), ("loglik", "loglik"), ("n", "n")]:
        check(ours, st[ours], r[theirs], CLOSED)
    check.finish()


@pytest.mark.parametrize("name", DATASET_NAMES)
def test_lm_information_criteria(name: str, datasets: dict[str, Dataset], request: Any) -> None:
    """AIC(lm) and BIC(lm): R counts sigma as a parameter (k + 1); egovstudy documents the
    statsmodels convention (the k coefficients), so R's values are 2 and log(n) higher."""
    ds = datasets[name]
    check = Comparer(name)
    r = r_section(ds, "regression", "lm")
    st = _fit(ds).fit_stats()
    check("aic", st["aic"] + 2, r["aic"], CLOSED)
    check("bic", st["bic"] + np.log(st["n"]), r["bic"], CLOSED)
    check.finish()


@pytest.mark.parametrize("name", DATASET_NAMES)
def test_robust_se(name: str, datasets: dict[str, Dataset]) -> None:
    """sandwich::vcovHC HC0-HC3; vcovCL one-way and two-way (type HC1, cadjust, multi0=FALSE)."""
    ds = datasets[name]
    check = Comparer(name)
    r = r_section(ds, "regression", "hc")
    for kind in ("HC0", "HC1", "HC2", "HC3"):
        check(kind, _fit(ds, kind).bse, r[kind], CLOSED)
    r = r_section(ds, "regression", "cluster")
    check("cluster one-way", _fit(ds, {"cluster": ds.spec["cluster"]}).bse, r["one"], CLOSED)
    two = _fit(ds, {"cluster": [ds.spec["cluster"], ds.spec["cluster2"]]}).bse
    check("cluster two-way", two, r["two"], CLOSED)
    check.finish()


@pytest.mark.parametrize("name", DATASET_NAMES)
def test_heteroskedasticity_serial_reset(name: str, datasets: dict[str, Dataset]) -> None:
    """lmtest::bptest (studentized, not, White form), bgtest(order=1), dwtest, resettest;
    the Glejser F from lm(|e| ~ X)."""
    ds = datasets[name]
    check = Comparer(name)
    tab, _ = _tests(ds)
    bp = r_section(ds, "regression", "bp")
    for row, key in [("Breusch-Pagan (Koenker)", "koenker"),
                     ("Breusch-Pagan (original)", "original"), ("White", "white")]:
        check(f"{row} LM", tab.loc[row, "statistic"], bp[key][0], CLOSED)
        check(f"{row} df", float(tab.loc[row, "df"]), bp[key][1], CLOSED)
        check(f"{row} p", tab.loc[row, "p_value"], bp[key][2], CLOSED)
    se = r_section(ds, "regression", "serial")
    check("BG LM", tab.loc["Breusch-Godfrey", "statistic"], se["bg"][0], CLOSED)
    check("BG p", tab.loc["Breusch-Godfrey", "p_value"], se["bg"][2], CLOSED)
    check("DW d", tab.loc["Durbin-Watson", "statistic"], se["dw"], CLOSED)
    rs = r_section(ds, "regression", "reset")
    check("RESET F", tab.loc["Ramsey RESET", "statistic"], rs["f"], CLOSED)
    check("RESET df", [float(v) for v in str(tab.loc["Ramsey RESET", "df"]).split(",")],
          rs["df"], CLOSED)
    check("RESET p", tab.loc["Ramsey RESET", "p_value"], rs["p"], CLOSED)
    gl = r_section(ds, "regression", "glejser")
    check("Glejser F", tab.loc["Glejser", "statistic"], gl["f"], CLOSED)
    check("Glejser p", tab.loc["Glejser", "p_value"], gl["p"], CLOSED)
    check.finish()


@pytest.mark.parametrize("name", DATASET_NAMES)
def test_vif_influence(name: str, datasets: dict[str, Dataset]) -> None:
    """car::vif; cooks.distance, hatvalues, rstudent per case; car::outlierTest."""
    ds = datasets[name]
    check = Comparer(name)
    _, a = _tests(ds)
    check("VIF", a.vif["vif"], r_section(ds, "regression", "vif")["vif"], CLOSED)
    r = r_section(ds, "regression", "influence")
    inf = a.influence.sort_values("row")
    check("cooks.distance", inf["cooks_d"], r["cooks"], CLOSED)
    check("hatvalues", inf["leverage"], r["hat"], CLOSED)
    check("rstudent", inf["student_resid"], r["rstudent"], CLOSED)
    row = a.table.set_index("test").loc["Studentized residual (max |t|)"]
    check("max |rstudent|", row["statistic"], r["max_rstudent"], CLOSED)
    check("Bonferroni p", row["p_value"], r["bonf_p"], CLOSED)
    check.finish()


@pytest.mark.parametrize("name", DATASET_NAMES)
def test_normality(name: str, datasets: dict[str, Dataset]) -> None:
    """shapiro.test, ks.test(exact=FALSE) and the lillie.test statistic of the residuals."""
    ds = datasets[name]
    check = Comparer(name)
    tab, _ = _tests(ds)
    r = r_section(ds, "regression", "normality")
    check("Shapiro-Wilk W", tab.loc["Shapiro-Wilk", "statistic"], r["sw"][0], CLOSED)
    check("Shapiro-Wilk p", tab.loc["Shapiro-Wilk", "p_value"], r["sw"][1], CLOSED)
    ks = tab.loc["Kolmogorov-Smirnov (SPSS asymptotic)"]
    check("KS D", ks["statistic"], r["ks"][0], CLOSED)
    li = tab.loc["Kolmogorov-Smirnov (Lilliefors)"]
    check("Lilliefors D", li["statistic"], r["lillie"][0], CLOSED)
    # 1e-5: scipy and R sum the asymptotic Kolmogorov series to different lengths (observed
    # differences up to 2e-6)
    check("KS asymptotic p", ks["p_value"], r["ks"][1], 1e-5)
    check.finish()


@pytest.mark.parametrize("name", DATASET_NAMES)
def test_lilliefors(name: str, datasets: dict[str, Dataset], request: Any) -> None:
    """nortest::lillie.test of the residuals: the Dallal-Wilkinson p."""
    ds = datasets[name]
    check = Comparer(name)
    tab, _ = _tests(ds)
    r = r_section(ds, "regression", "normality")
    li = tab.loc["Kolmogorov-Smirnov (Lilliefors)"]
    check("Lilliefors p", li["p_value"], r["lillie"][1], CLOSED)
    check.finish()
