"""Full SEM, measurement invariance and higher-order factors against lavaan.

Reference values: R 4.2.2, lavaan 0.6.14 (Rosseel 2012), printed with
``sprintf("%.8g", ...)`` from ``parameterEstimates(fit, standardized = TRUE)``,
``fitMeasures(fit)`` and ``inspect(fit, "r2")``; the R code is beside each table and in
``crosscheck/r/sem.R``. The published numbers of the lavaan tutorial are checked first.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from egovstudy.errors import InsufficientDataError, ModelSpecError, StatisticalWarning
from egovstudy.measurement import invariance, sem

PD_MODEL = """
  ind60 =~ x1 + x2 + x3
  dem60 =~ y1 + y2 + y3 + y4
  dem65 =~ y5 + y6 + y7 + y8
  dem60 ~ a*ind60
  dem65 ~ c*ind60 + b*dem60
  y1 ~~ y5
  y2 ~~ y4 + y6
  y3 ~~ y7
  y4 ~~ y8
  y6 ~~ y8
  ab := a*b
  total := c + a*b
"""
HS_MODEL = """visual =~ x1 + x2 + x3
textual =~ x4 + x5 + x6
speed =~ x7 + x8 + x9"""
HO3_MODEL = HS_MODEL + "\ng =~ visual + textual + speed"
HO4_MODEL = """f1 =~ y1 + y2
f2 =~ y3 + y4
f3 =~ y5 + y6
f4 =~ y7 + y8
g =~ f1 + f2 + f3 + f4"""

# In R (lavaan 0.6.14): fit <- sem(PD_MODEL, data = PoliticalDemocracy)
# pe <- parameterEstimates(fit, standardized = TRUE); (est, se, std.all) per row
PD_REF = {
    ("ind60", "=~", "x1"): (1, 0, 0.91985292),
    ("ind60", "=~", "x2"): (2.1803677, 0.13850928, 0.97303256),
    ("ind60", "=~", "x3"): (1.8185113, 0.15195812, 0.87213856),
    ("dem60", "=~", "y1"): (1, 0, 0.85042586),
    ("dem60", "=~", "y2"): (1.2567465, 0.18243963, 0.71712207),
    ("dem60", "=~", "y3"): (1.0577168, 0.15138317, 0.72234963),
    ("dem60", "=~", "y4"): (1.2647865, 0.14500622, 0.84570951),
    ("dem65", "=~", "y5"): (1, 0, 0.80801752),
    ("dem65", "=~", "y6"): (1.1856963, 0.16881042, 0.74600706),
    ("dem65", "=~", "y7"): (1.2795122, 0.15990163, 0.82367343),
    ("dem65", "=~", "y8"): (1.265947, 0.15811113, 0.82784127),
    ("dem60", "~", "ind60"): (1.4830005, 0.39914861, 0.44671298),
    ("dem65", "~", "ind60"): (0.57233619, 0.22131379, 0.18225933),
    ("dem65", "~", "dem60"): (0.83734481, 0.098350958, 0.88522897),
    ("y1", "~~", "y5"): (0.62367107, 0.35832023, 0.29576095),
    ("y2", "~~", "y4"): (1.3131126, 0.70198327, 0.27256678),
    ("y2", "~~", "y6"): (2.1528613, 0.73377593, 0.35622239),
    ("y3", "~~", "y7"): (0.79496028, 0.60769805, 0.19064093),
    ("y4", "~~", "y8"): (0.34822604, 0.44224006, 0.10880178),
    ("y6", "~~", "y8"): (1.3561671, 0.56828609, 0.33777086),
    ("x1", "~~", "x1"): (0.081549345, 0.019489739, 0.15387061),
    ("x2", "~~", "x2"): (0.11980648, 0.06972064, 0.053207637),
    ("x3", "~~", "x3"): (0.46670258, 0.090156495, 0.23937433),
    ("y1", "~~", "y1"): (1.8913955, 0.44442379, 0.27677586),
    ("y2", "~~", "y2"): (7.3728685, 1.3738927, 0.48573594),
    ("y3", "~~", "y3"): (5.0674621, 0.95172708, 0.47821102),
    ("y4", "~~", "y4"): (3.1479048, 0.73878412, 0.28477542),
    ("y5", "~~", "y5"): (2.3509705, 0.48023861, 0.34710769),
    ("y6", "~~", "y6"): (4.9539678, 0.91424676, 0.44347346),
    ("y7", "~~", "y7"): (3.4313739, 0.7128434, 0.32156208),
    ("y8", "~~", "y8"): (3.254085, 0.6946042, 0.31467883),
    ("ind60", "~~", "ind60"): (0.44843715, 0.086691709, 1),
    ("dem60", "~~", "dem60"): (3.9560331, 0.92118471, 0.80044751),
    ("dem65", "~~", "dem65"): (0.17248133, 0.21480459, 0.039004758),
    ("ab", ":=", "a*b"): (1.2417828, 0.35542235, 0.39544327),
    ("total", ":=", "c+a*b"): (1.814119, 0.37358842, 0.5777026),
}
# fitMeasures(fit)
PD_FIT = {"npar": 31, "chisq": 38.125218, "df": 35, "pvalue": 0.32918035,
          "baseline_chisq": 730.65409, "baseline_df": 55, "cfi": 0.99537453, "tli": 0.9927314,
          "rmsea": 0.034504483, "rmsea_ci_lower": 0, "rmsea_ci_upper": 0.092232676,
          "srmr": 0.044417546, "logl": -1547.7909, "unrestricted_logl": -1528.7283,
          "aic": 3157.5819, "bic": 3229.424, "bic2": 3131.7202}
# inspect(fit, "r2")
PD_R2 = {"x1": 0.84612939, "x2": 0.94679236, "x3": 0.76062567, "y1": 0.72322414, "y2": 0.51426406,
         "y3": 0.52178898, "y4": 0.71522458, "y5": 0.65289231, "y6": 0.55652654, "y7": 0.67843792,
         "y8": 0.68532117, "dem60": 0.19955249, "dem65": 0.96099524 }

# In R: cfa(HS_MODEL, data = HolzingerSwineford1939, group = "school",
#   group.equal = c() / "loadings" / c("loadings", "intercepts") /
#   c("loadings", "intercepts", "residuals")); fitMeasures(fit)
INV_FIT = [
    {"npar": 60, "chisq": 115.85134, "df": 48, "pvalue": 1.5452831e-07,
     "baseline_chisq": 957.76905, "baseline_df": 72, "cfi": 0.92339838, "tli": 0.88509757,
     "rmsea": 0.096914857, "rmsea_ci_lower": 0.074505287, "rmsea_ci_upper": 0.11958283,
     "srmr": 0.067864012, "logl": -3682.1975, "unrestricted_logl": -3624.2718, "aic": 7484.395,
     "bic": 7706.8216, "bic2": 7516.5358},
    {"npar": 54, "chisq": 124.04354, "df": 54, "pvalue": 1.9627982e-07,
     "baseline_chisq": 957.76905, "baseline_df": 72, "cfi": 0.92092347, "tli": 0.89456462,
     "rmsea": 0.092836536, "rmsea_ci_lower": 0.071396132, "rmsea_ci_upper": 0.1144111,
     "srmr": 0.071651584, "logl": -3686.2936, "unrestricted_logl": -3624.2718, "aic": 7480.5872,
     "bic": 7680.7712, "bic2": 7509.5139},
    {"npar": 48, "chisq": 164.10283, "df": 60, "pvalue": 1.296141e-11, "baseline_chisq": 957.76905,
     "baseline_df": 72, "cfi": 0.88247181, "tli": 0.85896618, "rmsea": 0.1073711,
     "rmsea_ci_lower": 0.087903859, "rmsea_ci_upper": 0.12719438, "srmr": 0.082447059,
     "logl": -3706.3233, "unrestricted_logl": -3624.2718, "aic": 7508.6465, "bic": 7686.5878,
     "bic2": 7534.3591},
    {"npar": 39, "chisq": 181.51135, "df": 69, "pvalue": 4.6463944e-12,
     "baseline_chisq": 957.76905, "baseline_df": 72, "cfi": 0.87297892, "tli": 0.86745626,
     "rmsea": 0.10408913, "rmsea_ci_lower": 0.085774984, "rmsea_ci_upper": 0.12268137,
     "srmr": 0.08826265, "logl": -3715.0275, "unrestricted_logl": -3624.2718, "aic": 7508.055,
     "bic": 7652.6323, "bic2": 7528.9465},
]
# lavTestLRT(f1, f2, f3, f4): Chisq diff, Df diff, RMSEA, Pr(>Chisq)
INV_LRT = [(8.19220030, 6, 0.04927155193, 0.22436), (40.05928675, 6, 0.19421103347, 4.4346e-07),
           (17.40851431, 9, 0.07878982375, 0.04269)]
# scalar model, group 2 (Grant-White; lavaan's group order is the order of appearance):
# parameterEstimates(f3, standardized = TRUE)[op == "~1" & group == 2 & lhs is latent]
INV_SCALAR_MEANS = {"visual": (-0.14769906, 0.12196814), "textual": (0.57636315, 0.11719028),
                    "speed": (-0.17735025, 0.090135201)}

# In R: fit <- cfa(HO3_MODEL, data = HolzingerSwineford1939); parameterEstimates; fitMeasures
HO3_REF = {
    ("visual", "=~", "x1"): (1, 0, 0.77188001),
    ("visual", "=~", "x2"): (0.55350013, 0.099665279, 0.42360019),
    ("visual", "=~", "x3"): (0.72937007, 0.1091098, 0.58113166),
    ("textual", "=~", "x4"): (1, 0, 0.85158246),
    ("textual", "=~", "x5"): (1.1130762, 0.065420048, 0.8550654),
    ("textual", "=~", "x6"): (0.92614596, 0.055448803, 0.83801016),
    ("speed", "=~", "x7"): (1, 0, 0.5695139),
    ("speed", "=~", "x8"): (1.1799516, 0.16498686, 0.723044),
    ("speed", "=~", "x9"): (1.0815325, 0.15116792, 0.66500974),
    ("g", "=~", "visual"): (1, 0, 0.87315011),
    ("g", "=~", "textual"): (0.66162704, 0.1729088, 0.52512225),
    ("g", "=~", "speed"): (0.42498903, 0.11799938, 0.53889374),
    ("x1", "~~", "x1"): (0.54905483, 0.11360094, 0.40420126),
    ("x2", "~~", "x2"): (1.1338423, 0.10172363, 0.82056288),
    ("x3", "~~", "x3"): (0.8443257, 0.09062328, 0.66228599),
    ("x4", "~~", "x4"): (0.37117265, 0.04771778, 0.27480731),
    ("x5", "~~", "x5"): (0.44625544, 0.058392778, 0.26886316),
    ("x6", "~~", "x6"): (0.35620262, 0.043034957, 0.29773898),
    ("x7", "~~", "x7"): (0.79939286, 0.081381608, 0.67565392),
    ("x8", "~~", "x8"): (0.48769768, 0.074194097, 0.47720737),
    ("x9", "~~", "x9"): (0.56613069, 0.070736998, 0.55776205),
    ("visual", "~~", "visual"): (0.19230046, 0.17040685, 0.23760889),
    ("textual", "~~", "textual"): (0.70939413, 0.10706733, 0.72424662),
    ("speed", "~~", "speed"): (0.27230415, 0.068870189, 0.70959353),
    ("g", "~~", "g"): (0.61701464, 0.1829885, 1),
}
HO3_FIT = {"npar": 21, "chisq": 85.305522, "df": 24, "pvalue": 8.5025531e-09,
           "baseline_chisq": 918.85159, "baseline_df": 36, "cfi": 0.93055965, "tli": 0.89583948,
           "rmsea": 0.092121485, "rmsea_ci_lower": 0.07141849, "rmsea_ci_upper": 0.11367802,
           "srmr": 0.065205028, "logl": -3737.7449, "unrestricted_logl": -3695.0922,
           "aic": 7517.4899, "bic": 7595.3392, "bic2": 7528.7391}
# In R: fit <- cfa(HO4_MODEL, data = PoliticalDemocracy) (lavaan warns: negative lv variances)
HO4_REF = {
    ("f1", "=~", "y1"): (1, 0, 0.81597152),
    ("f1", "=~", "y2"): (1.3649822, 0.1820189, 0.74006478),
    ("f2", "=~", "y3"): (1, 0, 0.70045018),
    ("f2", "=~", "y4"): (1.2663506, 0.18163613, 0.86885493),
    ("f3", "=~", "y5"): (1, 0, 0.74834312),
    ("f3", "=~", "y6"): (1.3019743, 0.18236793, 0.75473513),
    ("f4", "=~", "y7"): (1, 0, 0.82968285),
    ("f4", "=~", "y8"): (1.0213116, 0.11410819, 0.85797688),
    ("g", "=~", "f1"): (1, 0, 1.0407345),
    ("g", "=~", "f2"): (1.006672, 0.15026713, 0.97562461),
    ("g", "=~", "f3"): (0.93668481, 0.11158557, 1.0670464),
    ("g", "=~", "f4"): (1.183963, 0.13937142, 0.96714301),
    ("y1", "~~", "y1"): (2.2681009, 0.50163222, 0.33419047),
    ("y2", "~~", "y2"): (6.9528584, 1.298632, 0.45230412),
    ("y3", "~~", "y3"): (5.4098737, 0.98370979, 0.50936954),
    ("y4", "~~", "y4"): (2.7129988, 0.82328198, 0.24509111),
    ("y5", "~~", "y5"): (2.9631421, 0.57749198, 0.43998257),
    ("y6", "~~", "y6"): (4.8303785, 0.95273593, 0.43037488),
    ("y7", "~~", "y7"): (3.3204968, 0.70720144, 0.31162637),
    ("y8", "~~", "y8"): (2.7425704, 0.65179291, 0.26387567),
    ("f1", "~~", "f1"): (-0.37563592, 0.34812209, -0.083128282),
    ("f2", "~~", "f2"): (0.25093694, 0.44099091, 0.048156613),
    ("f3", "~~", "f3"): (-0.52269015, 0.33041651, -0.13858805),
    ("f4", "~~", "f4"): (0.4740857, 0.48109066, 0.064634406),
    ("g", "~~", "g"): (4.8943859, 1.0880406, 1),
}
HO4_FIT = {"npar": 20, "chisq": 41.779355, "df": 16, "pvalue": 0.00042561776,
           "baseline_chisq": 461.11145, "baseline_df": 28, "cfi": 0.9404787, "tli": 0.89583773,
           "rmsea": 0.14657011, "rmsea_ci_lower": 0.092946613, "rmsea_ci_upper": 0.20177111,
           "srmr": 0.048004962, "logl": -1333.4618, "unrestricted_logl": -1312.5721,
           "aic": 2706.9236, "bic": 2753.2733, "bic2": 2690.2386}

FIT_KEYS = ["npar", "chisq", "df", "pvalue", "baseline_chisq", "baseline_df", "cfi", "tli",
            "rmsea", "rmsea_ci_lower", "rmsea_ci_upper", "srmr", "logl", "unrestricted_logl",
            "aic", "bic", "bic2"]


@pytest.fixture(scope="module")
def pd_data(reference_data):
    return pd.read_csv(reference_data / "lavaan" / "pd_data.csv", index_col=0)


@pytest.fixture(scope="module")
def hs_data(reference_data):
    return pd.read_csv(reference_data / "lavaan" / "holzinger_swineford39_data.csv",
                       index_col=0)


@pytest.fixture(scope="module")
def pd_fit(pd_data):
    return sem(PD_MODEL, pd_data)


@pytest.fixture(scope="module")
def hs_inv(hs_data):
    return invariance(HS_MODEL, hs_data, "school")


def _check_fit(fit, ref, tol=1e-4):
    for k in FIT_KEYS:
        assert fit[k] == pytest.approx(ref[k], rel=tol, abs=1e-6), k


def _check_rows(est, ref, tol=1e-4):
    table = est.set_index(["lhs", "op", "rhs"])
    for (lhs, op, rhs), (e, se, std) in ref.items():
        key = (lhs, op, rhs.replace("+", " + ")) if op == ":=" else (lhs, op, rhs)
        row = table.loc[key]
        assert row["estimate"] == pytest.approx(e, rel=tol, abs=1e-6), key
        if se == 0:
            assert np.isnan(row["std_error"]), key
        else:
            assert row["std_error"] == pytest.approx(se, rel=tol), key
        assert row["std_estimate"] == pytest.approx(std, rel=tol, abs=1e-6), key


def test_sem_political_democracy_matches_lavaan_tutorial(pd_fit):
    # lavaan tutorial "SEM" (lavaan.ugent.be/tutorial/sem.html): Test statistic 38.125,
    # Degrees of freedom 35, P-value (Chi-square) 0.329; dem60 ~ ind60 1.483 (0.399),
    # dem65 ~ ind60 0.572 (0.221), dem65 ~ dem60 0.837 (0.098)
    f = pd_fit.fit
    assert round(f["chisq"], 3) == 38.125
    assert f["df"] == 35
    assert round(f["pvalue"], 3) == 0.329
    paths = pd_fit.paths.set_index(["lhs", "rhs"])
    assert round(paths.loc[("dem60", "ind60"), "estimate"], 3) == 1.483
    assert round(paths.loc[("dem60", "ind60"), "std_error"], 3) == 0.399
    assert round(paths.loc[("dem65", "dem60"), "std_error"], 3) == 0.098


def test_sem_every_estimate_se_std_and_fit_match_lavaan(pd_fit):
    _check_rows(pd_fit.estimates, PD_REF)
    _check_fit(pd_fit.fit, PD_FIT)
    r2 = pd_fit.r_squared.set_index("variable")["r_squared"]
    for var, val in PD_R2.items():
        assert r2[var] == pytest.approx(val, rel=1e-4), var


def test_indirect_argument_equals_defined_parameter(pd_data, pd_fit):
    model = PD_MODEL.replace("ab := a*b", "").replace("total := c + a*b", "")
    res = sem(model, pd_data, indirect={"ind": ["ind60", "dem60", "dem65"]})
    ours = res.defined.set_index("lhs").loc["ind"]
    # lavaan: ab := a*b -> est 1.2417828, se 0.35542235, std.all 0.39544327
    assert ours["estimate"] == pytest.approx(1.2417828, rel=1e-5)  # lavaan: nlminb rel.tol
    assert ours["std_error"] == pytest.approx(0.35542235, rel=1e-5)
    assert ours["std_estimate"] == pytest.approx(0.39544327, rel=1e-5)


def test_invariance_matches_lavaan_tutorial_and_lavtestlrt(hs_inv):
    # lavaan tutorial "Multiple groups" (lavaan.ugent.be/tutorial/groups.html): configural
    # chi-square 115.851 (48 df), metric 124.044 (54 df), scalar 164.103 (60 df);
    # lavTestLRT(fit1, fit2) Chisq diff 8.1922, Pr 0.2244; (fit2, fit3) 40.059, 4.435e-07
    t = hs_inv.table
    assert list(t["chisq"].round(3)[:3]) == [115.851, 124.044, 164.103]
    assert list(t["df"][:3]) == [48, 54, 60]
    assert round(t["delta_chisq"][1], 4) == 8.1922
    assert round(t["p_delta"][1], 4) == 0.2244
    assert round(t["delta_chisq"][2], 3) == 40.059
    for row, ref in zip(t.itertuples(), INV_FIT, strict=True):
        for k in ("npar", "chisq", "df", "pvalue", "cfi", "tli", "rmsea", "srmr", "aic", "bic"):
            assert getattr(row, k) == pytest.approx(ref[k], rel=1e-4), (row.level, k)
    for i, (dchi, ddf, rmsea_d, p) in enumerate(INV_LRT, start=1):
        assert t["delta_chisq"][i] == pytest.approx(dchi, rel=1e-5)
        assert t["delta_df"][i] == ddf
        assert t["rmsea_delta"][i] == pytest.approx(rmsea_d, rel=1e-4)
        assert t["p_delta"][i] == pytest.approx(p, rel=1e-3)


def test_invariance_decision_follows_the_stated_cutoffs(hs_inv):
    t = hs_inv.table
    # metric: dCFI = 0.92092347 - 0.92339838 = -0.0025 > -0.010 -> retained;
    # scalar: dCFI = 0.88247181 - 0.92092347 = -0.0385 -> not retained (values from lavaan)
    assert t["delta_cfi"][1] == pytest.approx(0.92092347 - 0.92339838, abs=1e-6)
    assert list(t["supported"][:3]) == [True, True, False]
    assert hs_inv.highest_level == "metric"
    assert "metric" in hs_inv.sentence("en")
    assert "metrik" in hs_inv.sentence("id")
    assert hs_inv.groups == ("Pasteur", "Grant-White")


def test_scalar_model_latent_means_match_lavaan(hs_data):
    res = sem(HS_MODEL, hs_data, group="school", group_equal=["loadings", "intercepts"])
    est = res.estimates
    for lv, (e, se) in INV_SCALAR_MEANS.items():
        row = est[(est["lhs"] == lv) & (est["op"] == "~1") & (est["group"] == "Grant-White")]
        assert float(row["estimate"].iloc[0]) == pytest.approx(e, rel=1e-4)
        assert float(row["std_error"].iloc[0]) == pytest.approx(se, rel=1e-4)
    first = est[(est["lhs"] == "visual") & (est["op"] == "~1") & (est["group"] == "Pasteur")]
    assert float(first["estimate"].iloc[0]) == 0.0


def test_second_order_with_three_factors_is_just_identified(hs_data):
    # three first-order factors: the second-order part has 3 loadings/variances for 3
    # covariances (just-identified), so the fit equals the first-order CFA (chi2 85.306, 24 df)
    res = sem(HO3_MODEL, hs_data)
    _check_rows(res.estimates, HO3_REF)
    _check_fit(res.fit, HO3_FIT)
    assert round(res.fit["chisq"], 3) == 85.306 and res.fit["df"] == 24


def test_second_order_with_four_factors_matches_lavaan(pd_data):
    # four first-order factors: the second order is over-identified (2 df of its own);
    # lavaan reports negative variances of f1 and f3 (Heywood), and so do we, with a warning
    with pytest.warns(StatisticalWarning, match=r"Heywood case.*'f1' \(-0\.376\)"):
        res = sem(HO4_MODEL, pd_data)
    _check_rows(res.estimates, HO4_REF)
    _check_fit(res.fit, HO4_FIT)


def test_bootstrap_matches_ols_products_on_the_same_resamples():
    # a saturated path model x -> m -> y (+ x -> y): the ML paths are the OLS slopes, so on
    # every resample the refitted a*b equals the OLS product; the same seed gives the same
    # resamples in egovstudy.bootstrap, so the percentile intervals must agree
    from egovstudy.bootstrap import bootstrap

    rng = np.random.default_rng(11)
    x = rng.normal(size=120)
    m = 0.5 * x + rng.normal(size=120)
    y = 0.4 * m + 0.2 * x + rng.normal(size=120)
    df = pd.DataFrame({"x": x, "m": m, "y": y})
    res = sem("m ~ a*x\ny ~ b*m + x\nab := a*b", df, n_boot=400, seed=5)
    row = res.defined.iloc[0]
    design = np.column_stack([np.ones(120), x, m])

    def ols_ab(counts):
        out = []
        for w in counts:
            xa = design[:, :2] * w[:, None]
            a = np.linalg.solve(design[:, :2].T @ xa, xa.T @ m)[1]
            xb = design * w[:, None]
            b = np.linalg.solve(design.T @ xb, xb.T @ y)[2]
            out.append([a * b])
        return np.array(out)

    ref = bootstrap(ols_ab, 120, n_boot=400, seed=5)
    lo, hi = ref.ci(0.95)
    assert row["boot_ci_low"] == pytest.approx(lo[0], abs=1e-6)
    assert row["boot_ci_high"] == pytest.approx(hi[0], abs=1e-6)
    again = sem("m ~ a*x\ny ~ b*m + x\nab := a*b", df, n_boot=400, seed=5, n_jobs=1)
    assert again.defined["boot_ci_low"][0] == row["boot_ci_low"]


def test_unknown_variable_names_it_with_did_you_mean(pd_data):
    with pytest.raises(ModelSpecError, match=r"'y9'.*did you mean"):
        sem("f =~ y1 + y2 + y9", pd_data)


def test_unknown_label_in_defined_parameter(pd_data):
    with pytest.raises(ModelSpecError, match=r"'ax'.*did you mean 'a'"):
        sem("f =~ y1 + y2 + y3\nf ~ a*x1\nind := ax*2", pd_data)


def test_defined_parameter_rejects_code(pd_data):
    with pytest.raises(ModelSpecError, match=r"'bad'.*only labels, numbers"):
        sem("f =~ y1 + y2 + y3\nf ~ a*x1\nbad := __import__('os')", pd_data)


def test_group_column_with_one_group(hs_data):
    one = hs_data.assign(one="A")
    with pytest.raises(InsufficientDataError, match=r"group column 'one' has 1 group"):
        invariance(HS_MODEL, one, "one")


def test_group_with_too_few_cases(hs_data):
    small = pd.concat([hs_data[hs_data["school"] == "Pasteur"],
                       hs_data[hs_data["school"] == "Grant-White"].head(6)])
    with pytest.raises(InsufficientDataError, match=r"group 'Grant-White' of column 'school' "
                                                    "has 6 complete cases"):
        invariance(HS_MODEL, small, "school")


def test_unknown_group_column(hs_data):
    with pytest.raises(ModelSpecError, match=r"group column 'schol'.*did you mean 'school'"):
        invariance(HS_MODEL, hs_data, "schol")


def test_non_identified_model(pd_data):
    # a factor with two indicators and both loadings free: more parameters than moments
    with pytest.raises(ModelSpecError, match=r"not identified"):
        sem("f =~ NA*y1 + y2", pd_data)
    with pytest.raises(ModelSpecError, match=r"5 free parameters but only 3 sample moments"):
        sem("f =~ NA*y1 + y2", pd_data)
    # enough moments, but a latent variable with no scale: singular information
    with pytest.raises(ModelSpecError,
                       match=r"not identified: parameter 'f .*' cannot be estimated"):
        sem("f =~ NA*y1 + y2 + y3 + y4", pd_data)


def test_bad_group_equal_and_levels(hs_data):
    with pytest.raises(ModelSpecError, match=r"'loading'.*did you mean 'loadings'"):
        sem(HS_MODEL, hs_data, group="school", group_equal=["loading"])
    with pytest.raises(ModelSpecError, match=r"levels=.*prefix"):
        invariance(HS_MODEL, hs_data, "school", levels=["metric"])


def test_summary_and_sentences(pd_fit):
    assert "chi2(35) = 38.125" in pd_fit.summary()
    assert pd_fit.sentence("en").startswith("Fit of the structural model: chi-square(35)")
    assert pd_fit.sentence("id").startswith("Kecocokan model struktural")
    assert "term" in pd_fit.tidy()


def test_observed_exogenous_regressor_is_fixed_x_as_lavaan(hs_data):
    # In R (lavaan 0.6.14): fit <- sem('visual =~ x1 + x2 + x3; textual =~ x4 + x5 + x6;
    #   speed =~ x7 + x8 + x9; textual ~ visual + ageyr; speed ~ visual',
    #   data = HolzingerSwineford1939)  # fixed.x = TRUE: ageyr's variance is not a parameter
    model = HS_MODEL + "\ntextual ~ visual + ageyr\nspeed ~ visual"
    res = sem(model, hs_data)
    ref = {"npar": 22, "chisq": 106.65415, "df": 32, "baseline_chisq": 961.22808,
           "baseline_df": 45, "cfi": 0.91852012, "rmsea": 0.088037711, "srmr": 0.07273677,
           "aic": 7498.462}
    for k, v in ref.items():
        assert res.fit[k] == pytest.approx(v, rel=1e-4), k
    _check_rows(res.estimates, {
        ("textual", "~", "visual"): (0.4984127, 0.09258646, 0.44178442),
        ("textual", "~", "ageyr"): (-0.24886863, 0.052459383, -0.26186561),
        ("speed", "~", "visual"): (0.33155664, 0.072339475, 0.4718998)})
    r2 = res.r_squared.set_index("variable")["r_squared"]
    assert r2["textual"] == pytest.approx(0.26374708, rel=1e-4)
    assert r2["speed"] == pytest.approx(0.22268942, rel=1e-4)


def test_invariance_changes_match_semtools_comparefit(hs_inv):
    # In R (semTools 0.5.6): fits <- lapply(list("", "loadings", c("loadings", "intercepts"),
    #   c("loadings", "intercepts", "residuals")), function(g) measEq.syntax(HS_MODEL,
    #   data = HolzingerSwineford1939, group = "school", group.equal = g, return.fit = TRUE))
    # summary(compareFit(fits[[1]], fits[[2]], fits[[3]], fits[[4]])): the same chi-squares
    # as lavaan's group.equal (115.851, 124.044, 164.103, 181.511) and the changes
    #   rmsea -0.004, 0.015, -0.003; cfi -0.002, -0.038, -0.009
    t = hs_inv.table
    assert list(t["delta_rmsea"][1:].round(3)) == [-0.004, 0.015, -0.003]
    assert list(t["delta_cfi"][1:].round(3)) == [-0.002, -0.038, -0.009]
    assert round(t["chisq"][3], 3) == 181.511


def test_defined_parameter_may_use_an_earlier_one_only(pd_data):
    model = "f =~ y1 + y2 + y3\nf ~ a*x1\nd2 := 2*d1\nd1 := a*a"
    with pytest.raises(ModelSpecError, match=r"'d2' uses 'd1'"):
        sem(model, pd_data)
    ok = sem("f =~ y1 + y2 + y3\nf ~ a*x1\nd1 := a*a\nd2 := 2*d1", pd_data)
    d = ok.defined.set_index("lhs")["estimate"]
    assert d["d2"] == pytest.approx(2 * d["d1"], rel=1e-12)


def test_single_group_mean_structure_matches_lavaan(pd_data):
    # In R (lavaan 0.6.14): fit <- sem('ind60 =~ x1 + x2 + x3; dem60 =~ y1 + y2 + y3 + y4;
    #   dem60 ~ ind60', data = PoliticalDemocracy, meanstructure = TRUE)
    model = "ind60 =~ x1 + x2 + x3\ndem60 =~ y1 + y2 + y3 + y4\ndem60 ~ ind60"
    res = sem(model, pd_data, meanstructure=True)
    ref = {"npar": 22, "chisq": 23.737977, "df": 13, "cfi": 0.97217279, "srmr": 0.045944401,
           "aic": 1920.1653, "bic": 1971.15}
    for k, v in ref.items():
        assert res.fit[k] == pytest.approx(v, rel=1e-4), k
    _check_rows(res.estimates, {("x1", "~1", ""): (5.0543838, 0.084062419, 6.9428168),
                                ("x2", "~1", ""): (4.7921946, 0.17326969, 3.1936052),
                                ("x3", "~1", ""): (3.5576898, 0.16123181, 2.5479255)})


def test_multigroup_structural_model_with_equal_regressions(hs_data):
    # In R (lavaan 0.6.14): fit <- sem('visual =~ x1 + x2 + x3; textual =~ x4 + x5 + x6;
    #   textual ~ visual', data = HolzingerSwineford1939, group = "school",
    #   group.equal = c("loadings", "regressions")); fitMeasures; parameterEstimates
    res = sem("visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\ntextual ~ visual", hs_data,
              group="school", group_equal=["loadings", "regressions"])
    ref = {"npar": 33, "chisq": 39.31068, "df": 21, "cfi": 0.97145378, "rmsea": 0.076115715,
           "srmr": 0.059451906}
    for k, v in ref.items():
        assert res.fit[k] == pytest.approx(v, rel=1e-4), k
    paths = res.paths.set_index("group")
    for group, std in (("Pasteur", 0.50871496), ("Grant-White", 0.508724)):
        assert paths.loc[group, "estimate"] == pytest.approx(0.57034402, rel=1e-5)
        assert paths.loc[group, "std_error"] == pytest.approx(0.096454601, rel=1e-5)
        assert paths.loc[group, "std_estimate"] == pytest.approx(std, rel=1e-5)


def test_invariance_table_in_indonesian(hs_inv):
    t = hs_inv.tidy("id")
    assert list(t["level"]) == ["Konfigural", "Metrik (loading)", "Skalar (+ intersep)",
                                "Ketat (+ varians residual)"]
    assert t["supported"][2] == "invariansi tidak terpenuhi"


def test_non_numeric_item_and_non_frame_data(pd_data):
    from egovstudy.errors import DataFormatError

    bad = pd_data.assign(y2=["x"] * len(pd_data))
    with pytest.raises(DataFormatError, match=r"item column 'y2' has dtype"):
        sem("f =~ y1 + y2 + y3", bad)
    with pytest.raises(ModelSpecError, match=r"data is a dict"):
        sem("f =~ y1 + y2 + y3", {"y1": [1.0]})
