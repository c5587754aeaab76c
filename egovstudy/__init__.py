"""egovstudy: survey and public-index analysis for e-government research.

The public API is imported lazily (PEP 562) so that ``import egovstudy`` stays
fast: statsmodels, scipy and matplotlib load only when a function needs them.

Examples
--------
>>> import egovstudy
>>> callable(egovstudy.load_survey)
True
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from egovstudy import errors as _errors
from egovstudy.errors import *  # noqa: F403  (the exceptions are part of the API)

__version__ = "0.1.0"

# public name -> module that defines it (imported on first access)
_LAZY: dict[str, str] = {
    # ingestion
    "Codebook": "egovstudy.codebook",
    "read_codebook": "egovstudy.codebook",
    "Survey": "egovstudy.survey",
    "load_survey": "egovstudy.survey",
    "quality_report": "egovstudy.quality",
    "score_constructs": "egovstudy.scoring",
    "msi": "egovstudy.scoring",
    "build_processed": "egovstudy.pipeline",
    "read_study": "egovstudy.study",
    "load_study_survey": "egovstudy.study",
    # measurement
    "item_validity": "egovstudy.measurement",
    "r_table": "egovstudy.measurement",
    "reliability": "egovstudy.measurement",
    "fornell_larcker": "egovstudy.measurement",
    "htmt": "egovstudy.measurement",
    "cross_loadings": "egovstudy.measurement",
    "kmo": "egovstudy.measurement",
    "bartlett": "egovstudy.measurement",
    "efa": "egovstudy.measurement",
    "cfa": "egovstudy.measurement",
    "sem": "egovstudy.measurement",
    "invariance": "egovstudy.measurement",
    "instrument_report": "egovstudy.measurement",
    # common-method bias
    **dict.fromkeys(["harman_test", "marker_correction", "full_collinearity_vif",
                     "clf_comparison"],
                    "egovstudy.measurement.cmb"),
    # models
    "ols": "egovstudy.models",
    "SurveyDesign": "egovstudy.models",
    "design_effect": "egovstudy.models",
    "wild_cluster_bootstrap": "egovstudy.models",
    "assumption_tests": "egovstudy.models",
    "test_hypotheses": "egovstudy.models",
    "hierarchical_regression": "egovstudy.models",
    "logit": "egovstudy.models",
    "ordinal_logit": "egovstudy.models",
    "mixed_model": "egovstudy.models",
    "panel_regression": "egovstudy.models",
    # after the model
    **dict.fromkeys(["odds_ratios", "average_marginal_effects", "predicted_probabilities",
                     "interaction_predictions"], "egovstudy.models.margins"),
    # group comparisons ("uji beda")
    **dict.fromkeys(["t_test", "paired_t_test", "anova_oneway", "mann_whitney",
                     "wilcoxon_signed_rank", "kruskal_wallis", "chi_square", "fisher_exact",
                     "compare_groups", "nonresponse_check"], "egovstudy.compare"),
    # mediation, moderation, PLS-SEM
    "process": "egovstudy.mediation",
    "pls_sem": "egovstudy.pls",
    "pls_mga": "egovstudy.pls_multigroup",
    **dict.fromkeys(["outer_vif", "formative_assessment", "pls_predict", "model_fit", "ipma",
                     "ipma_map", "blindfolding"], "egovstudy.pls_assess"),
    **dict.fromkeys(["pls_moderation", "simple_slopes_pls", "pls_higher_order"],
                    "egovstudy.pls_extend"),
    # missing data
    **dict.fromkeys(["little_mcar_test", "impute", "pool", "mi_ols", "mi_logit",
                     "mi_process", "missing_report"], "egovstudy.missing"),
    # outputs
    "save_figure": "egovstudy.report",
    "write_table": "egovstudy.report",
    "results_chapter": "egovstudy.report",
    # out of core (Dask)
    "ols_dask": "egovstudy.scale",
    "descriptives_dask": "egovstudy.scale",
    "reliability_dask": "egovstudy.scale",
    # the simulated default study
    "simulate_egov_survey": "egovstudy.datasets",
    # maps
    **dict.fromkeys(["world_map", "province_map"], "egovstudy.maps"),
}

__all__ = [*_errors.__all__, "__version__", *sorted(_LAZY)]


def __getattr__(name: str) -> Any:
    module_name = _LAZY.get(name)
    if module_name is None:
        raise AttributeError(f"module 'egovstudy' has no attribute {name!r}")
    value = getattr(importlib.import_module(module_name), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs only
    pass
