"""Regression models: OLS with the classical assumption tests, hypotheses, logit/ordinal,
mixed and panel models. Every result offers ``.tidy()`` with broom column names,
``.summary()`` and ``_repr_html_``.

Heavy dependencies (scipy, statsmodels, linearmodels) are imported inside the functions.
"""

from __future__ import annotations

from egovstudy.models.design import Design, build_design
from egovstudy.models.design_effect import DesignEffect, design_effect
from egovstudy.models.diagnostics import AssumptionTests, assumption_tests
from egovstudy.models.fast import fast_diagnostics
from egovstudy.models.glm import brant_test, logit, ordinal_logit
from egovstudy.models.hypotheses import (
    HierarchicalResult,
    HypothesisResult,
    hierarchical_regression,
    partial_f,
    test_hypotheses,
)
from egovstudy.models.mixed import mixed_model
from egovstudy.models.ols import ols
from egovstudy.models.panel import panel_regression
from egovstudy.models.results import OLSResult, TidyResult
from egovstudy.models.survey_design import SurveyDesign, SurveyEstimate
from egovstudy.models.wild_bootstrap import WildBootstrapResult, wild_cluster_bootstrap

__all__ = [
    "AssumptionTests",
    "Design",
    "DesignEffect",
    "HierarchicalResult",
    "HypothesisResult",
    "OLSResult",
    "SurveyDesign",
    "SurveyEstimate",
    "TidyResult",
    "WildBootstrapResult",
    "assumption_tests",
    "brant_test",
    "build_design",
    "design_effect",
    "fast_diagnostics",
    "hierarchical_regression",
    "logit",
    "mixed_model",
    "ols",
    "ordinal_logit",
    "panel_regression",
    "partial_f",
    "test_hypotheses",
    "wild_cluster_bootstrap",
]
