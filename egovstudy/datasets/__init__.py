"""Datasets shipped with egovstudy: the simulated default study and its truth."""

from egovstudy.datasets.default_study import (
    default_study_codebook,
    default_study_dir,
    load_truth,
    population_estimands,
    write_default_study,
)
from egovstudy.datasets.simulate import TRUE_PATHS, SimulatedStudy, simulate_egov_survey

__all__ = [
    "TRUE_PATHS",
    "SimulatedStudy",
    "default_study_codebook",
    "default_study_dir",
    "load_truth",
    "population_estimands",
    "simulate_egov_survey",
    "write_default_study",
]
