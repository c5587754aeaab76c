"""What a hypothesis decision says agrees with the interval and the test beside it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import egovstudy.models as models


@pytest.mark.parametrize("vcov", ["classical", "HC3", {"cluster": "office"}])
@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_decision_agrees_with_the_two_sided_interval(vcov: object, seed: int) -> None:
    # the reviewer's case: H5 "Supported" at one-sided p = .026 beside a 95% CI [-0.0005,
    # 0.146] that contains zero. Two-sided by default, a supported directional hypothesis is
    # exactly one whose interval lies on the expected side of zero.
    rng = np.random.default_rng(seed)
    n = 240
    df = pd.DataFrame({"x": rng.normal(size=n), "z": rng.normal(size=n),
                       "office": rng.integers(0, 24, size=n)})
    df["y"] = 0.12 * df.x - 0.05 * df.z + rng.normal(size=n)
    fit = models.ols("y ~ x + z", df, vcov=vcov)
    hr = models.test_hypotheses(fit, [("x", "positive"), ("z", "positive"),
                                      ("z", "negative"), ("x", "two-sided")]).tidy()
    ci = fit.tidy().set_index("term")
    for _, row in hr.iterrows():
        lo, hi = ci.loc[row.term, ["ci_low", "ci_high"]]
        expect = {"positive": lo > 0, "negative": hi < 0, "two-sided": lo > 0 or hi < 0}
        assert (row.decision == "supported") == expect[row.direction], row.sentence_en
        assert row.df == fit.df_inference
        assert f"t({fit.df_inference})" in row.sentence_en
        assert "two-sided" in row.sentence_en and "dua arah" in row.sentence_id


def test_sentences_state_sign_and_significance() -> None:
    rng = np.random.default_rng(11)
    n = 300
    df = pd.DataFrame({"hr_quality": rng.normal(size=n), "budget": rng.normal(size=n)})
    df["performance"] = 0.5 * df.hr_quality - 0.4 * df.budget + rng.normal(size=n)
    fit = models.ols("performance ~ hr_quality + budget", df)
    hr = models.test_hypotheses(fit, [("hr_quality", "positive"),
                                      ("budget", "positive")]).tidy()
    # the field's standard Indonesian form
    assert hr.loc[0, "sentence_id"].startswith(
        "H1: hr_quality berpengaruh positif dan signifikan terhadap performance (b = 0,")
    assert "hipotesis diterima" in hr.loc[0, "sentence_id"]
    # a significant effect of the wrong sign is not support, and the text says why
    assert hr.loc[1, "decision"] == "not supported"
    assert "berpengaruh negatif dan signifikan" in hr.loc[1, "sentence_id"]
    assert "berlawanan" in hr.loc[1, "sentence_id"]
    assert "against the expected positive sign" in hr.loc[1, "sentence_en"]
