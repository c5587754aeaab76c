"""The toolkit recovers the documented truth of the bundled default study.

The true values are in data/raw/default_study/truth.yaml: latent paths of the
data-generating process, and the population values that OLS on construct mean
scores estimates (computed once from a 200,000-respondent clean draw with the
same loadings; item scores attenuate latent paths, so these are the right
targets for score-level regressions).
"""

from __future__ import annotations

import warnings
from typing import Any

import pytest

import egovstudy as eg
from egovstudy.datasets import default_study_dir, load_truth

STUDY = default_study_dir()
INPUTS = ["hr_quality", "hr_quantity", "budget", "internet", "computers"]


@pytest.fixture(scope="module")
def survey() -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", eg.DataQualityWarning)
        return eg.load_survey(STUDY / "survei_asn_opd.csv", STUDY / "codebook.yaml",
                              policies="drop")


@pytest.fixture(scope="module")
def truth() -> dict[str, Any]:
    return load_truth()


def test_quality_rules_remove_exactly_the_planted_rows(survey: Any, truth: dict[str, Any]
                                                       ) -> None:
    planted = truth["planted"]
    kept = set(survey.data["respondent_id"])
    for rule in ("straight_liner", "speeder", "failed_attention_check",
                 "blank_performance_block", "out_of_range_mbps"):
        assert planted[rule]["nip"] not in kept, rule
    # the duplicate NIP keeps one (the later) submission
    assert (survey.data["respondent_id"] == planted["duplicate_submission"]["nip"]).sum() == 1
    assert len(survey.data) == truth["n_export_rows"] - 6


@pytest.mark.parametrize("outcome", ["digitalisation", "performance"])
def test_score_regressions_cover_the_population_values(survey: Any, truth: dict[str, Any],
                                                       outcome: str) -> None:
    population = truth["population_score_level"][outcome]
    predictors = list(population)
    fit = eg.ols(f"{outcome} ~ {' + '.join(predictors)}", survey.data,
                 vcov={"cluster": "agency"}, conf_level=0.99)
    tidy = fit.tidy().set_index("term")
    # 99% intervals: eleven coefficients are checked jointly across the two equations
    for term in predictors:
        value = population[term]["b"]
        assert tidy.loc[term, "ci_low"] <= value <= tidy.loc[term, "ci_high"], term


def test_hypothesis_decisions_match_the_truth(survey: Any, truth: dict[str, Any]) -> None:
    fit = eg.ols("digitalisation ~ " + " + ".join(INPUTS), survey.data,
                 vcov={"cluster": "agency"})
    p = fit.tidy().set_index("term")["p_value"]
    # effects of .20 to .30 on the latent scale are clearly detected; HR quantity has none
    for x in ("hr_quality", "budget", "internet"):
        assert p[x] < 0.01, x
    assert p["hr_quantity"] > 0.05
    assert truth["no_effect"] == ["hr_quantity"]
