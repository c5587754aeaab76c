"""One small exception hierarchy for everything a user can get wrong.

Every message names the file, column, row or argument at fault and says how
to fix it. Tests check these classes with ``pytest.raises``.
"""

from __future__ import annotations

__all__ = [
    "CodebookError",
    "ConvergenceError",
    "DataFormatError",
    "DataQualityError",
    "DataQualityWarning",
    "DataSourceError",
    "EgovStudyError",
    "EgovStudyWarning",
    "IncompleteResultsError",
    "InsufficientDataError",
    "LabelError",
    "MissingDependencyError",
    "ModelSpecError",
    "OutputError",
    "ResourceLimitError",
    "StatisticalWarning",
]


class EgovStudyError(Exception):
    """Base class of every error egovstudy raises on purpose."""


class CodebookError(EgovStudyError, ValueError):
    """The codebook (YAML or Excel) is malformed or disagrees with the data."""


class DataFormatError(EgovStudyError, ValueError):
    """A data file cannot be read as the format it claims to be."""


class ResourceLimitError(DataFormatError):
    """A file declares or holds more than a reader's resource limit (see ``docs/limits.md``)."""


class LabelError(DataFormatError):
    """A Likert or category label in the data is not known to the codebook."""


class DataQualityError(EgovStudyError, ValueError):
    """A respondent-quality rule with policy ``"raise"`` found offending rows."""


class ModelSpecError(EgovStudyError, ValueError):
    """A model, formula or column specification cannot be estimated as given."""


class InsufficientDataError(EgovStudyError, ValueError):
    """Too few cases, items, clusters or resamples for the requested statistic."""


class ConvergenceError(EgovStudyError, RuntimeError):
    """An iterative estimator did not converge within its iteration cap."""


class OutputError(EgovStudyError, OSError):
    """An export cannot be written (existing file, unknown format, ...)."""


class IncompleteResultsError(EgovStudyError, RuntimeError):
    """A requested section of the results cannot be produced (partial output not allowed)."""


class MissingDependencyError(EgovStudyError, ImportError):
    """An optional dependency needed for this call is not installed."""


class DataSourceError(EgovStudyError, FileNotFoundError):
    """A public data file was not found in any of the places searched."""


class EgovStudyWarning(UserWarning):
    """Base class of egovstudy's documented warnings."""


class DataQualityWarning(EgovStudyWarning):
    """Respondent-quality or data-cleaning issue that was reported, not raised."""


class StatisticalWarning(EgovStudyWarning):
    """A statistic was computed but should be read with care (e.g. alpha < 0)."""
