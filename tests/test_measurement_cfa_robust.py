"""Robust CFA estimators (MLR, MLM) against lavaan."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from egovstudy.errors import ModelSpecError
from egovstudy.measurement import cfa
from tests._lavaan import param_key

HS_MODEL = """visual =~ x1 + x2 + x3
textual =~ x4 + x5 + x6
speed =~ x7 + x8 + x9"""

# Reference values: lavaan 0.6-14 (R 4.x), data = tests/data/lavaan/holzinger_swineford39_data.csv
# (lavaan's HolzingerSwineford1939), run as
#   f <- cfa(HS.model, d, estimator = "MLR")          # and estimator = "MLM"
#   round(unclass(fitMeasures(f, c("chisq.scaled", "scaling.factor", "baseline.chisq.scaled",
#       "baseline.chisq.scaling.factor", "cfi.scaled", "tli.scaled", "rmsea.scaled",
#       "cfi.robust", "tli.robust", "rmsea.robust", "rmsea.ci.lower.robust",
#       "rmsea.ci.upper.robust"))), 6)
#   pe <- parameterEstimates(f); round(pe$se, 6)
# (lavaan prints the same numbers rounded to 3 decimals in summary(f, fit.measures = TRUE).)
FIT_REF = {
    "MLR": {"chisq_scaled": 87.131595, "scaling_factor": 0.979042,
            "baseline_chisq_scaled": 880.081721, "baseline_scaling_factor": 1.044053,
            "cfi_scaled": 0.925207, "tli_scaled": 0.887810, "rmsea_scaled": 0.093483,
            "cfi_robust": 0.929864, "tli_robust": 0.894796, "rmsea_robust": 0.092499,
            "rmsea_ci_lower_robust": 0.072068, "rmsea_ci_upper_robust": 0.113781},
    "MLM": {"chisq_scaled": 80.871783, "baseline_chisq_scaled": 789.297504,
            "baseline_scaling_factor": 1.164138, "cfi_scaled": 0.924503,
            "tli_scaled": 0.886754, "rmsea_scaled": 0.088728, "cfi_robust": 0.931592,
            "tli_robust": 0.897388, "rmsea_robust": 0.091128,
            "rmsea_ci_lower_robust": 0.069711, "rmsea_ci_upper_robust": 0.113396},
}
# parameterEstimates(f)$se, lavaan 0.6-14, same call; order (latent, op, item):
SE_KEYS = [("visual", "=~", "x2"), ("visual", "=~", "x3"), ("textual", "=~", "x5"),
           ("textual", "=~", "x6"), ("speed", "=~", "x8"), ("speed", "=~", "x9"),
           ("x1", "~~", "x1"), ("x2", "~~", "x2"), ("x3", "~~", "x3"), ("x4", "~~", "x4"),
           ("x5", "~~", "x5"), ("x6", "~~", "x6"), ("x7", "~~", "x7"), ("x8", "~~", "x8"),
           ("x9", "~~", "x9"), ("visual", "~~", "visual"), ("textual", "~~", "textual"),
           ("speed", "~~", "speed"), ("textual", "~~", "visual"), ("speed", "~~", "visual"),
           ("textual", "~~", "speed")]
SE_REF = {
    "MLR": [0.132078, 0.141087, 0.065686, 0.061378, 0.130445, 0.266376, 0.156468, 0.111879,
            0.100286, 0.050282, 0.056704, 0.046517, 0.097222, 0.119533, 0.118739, 0.180396,
            0.121298, 0.106705, 0.099317, 0.060060, 0.056307],
    "MLM": [0.103289, 0.114560, 0.066404, 0.059764, 0.152098, 0.132398, 0.138354, 0.107436,
            0.084561, 0.050002, 0.058044, 0.046258, 0.078618, 0.074269, 0.067947, 0.167308,
            0.120797, 0.082802, 0.082210, 0.055072, 0.055279],
}



@pytest.fixture(scope="module")
def hs(reference_data):
    return pd.read_csv(reference_data / "lavaan" / "holzinger_swineford39_data.csv")


@pytest.fixture(scope="module", params=["MLR", "MLM"])
def robust_fit(request, hs):
    return request.param, cfa(HS_MODEL, hs, estimator=request.param)


def test_robust_fit_measures_match_lavaan(robust_fit):
    name, res = robust_fit
    assert res.estimator == name
    assert round(res.fit["chisq"], 3) == 85.306  # ML statistic unchanged (lavaan tutorial)
    for key, ref in FIT_REF[name].items():
        assert res.fit[key] == pytest.approx(ref, rel=1e-5, abs=1e-5), key
    # the scaled statistic is the ML one divided by the scaling factor
    assert res.fit["chisq_scaled"] * res.fit["scaling_factor"] == pytest.approx(
        res.fit["chisq"], rel=1e-12)
    assert f"CFA ({name}," in res.summary() and "Scaling factor" in res.summary()


def test_robust_standard_errors_match_lavaan(robust_fit):
    name, res = robust_fit
    e = res.estimates
    keys = [param_key(*k) for k in zip(e["latent"], e["op"], e["item"])]
    se, est = dict(zip(keys, e["std_error"])), dict(zip(keys, e["estimate"]))
    got = [se[param_key(*k)] for k in SE_KEYS]
    np.testing.assert_allclose(got, SE_REF[name], rtol=1e-4, atol=2e-6)
    # point estimates stay the ML ones (same lavaan run: pe$est 0.553500 and 1.081530)
    assert est[("visual", "=~", "x2")] == pytest.approx(0.553500, abs=1e-5)
    assert est[("speed", "=~", "x9")] == pytest.approx(1.081530, abs=1e-5)


def test_unknown_estimator_names_it_with_a_suggestion(hs):
    with pytest.raises(ModelSpecError, match=r"estimator='MLRR'.*did you mean 'MLR'"):
        cfa(HS_MODEL, hs, estimator="MLRR")  # type: ignore[arg-type]


def test_robust_estimator_with_fiml_is_refused(hs):
    with pytest.raises(ModelSpecError, match=r"estimator='MLR' with missing='fiml'"):
        cfa(HS_MODEL, hs, estimator="MLR", missing="fiml")


def test_estimator_is_case_insensitive(hs):
    res = cfa(HS_MODEL, hs, estimator="mlr")  # type: ignore[arg-type]
    assert res.estimator == "MLR"
    assert res.fit["scaling_factor"] == pytest.approx(0.979042, abs=1e-5)
