"""Study planning: sample size and power for thesis proposals.

Precision formulas for surveys (Slovin, Cochran, Krejcie-Morgan), analytic power for
multiple regression (G*Power's fixed model) and correlations (exact or Fisher's z),
minimum samples for PLS-SEM (inverse square root method, 10-times rule) and Monte
Carlo power for simple mediation. Every function returns a :class:`PlanningResult`
with ``.tidy()``, ``.summary()`` and ``.sentence(lang)`` (``"en"`` or ``"id"``) for the
methods chapter; :func:`planning_table` compares several and
:func:`plot_power_curve` draws power against N.

Examples
--------
>>> from egovstudy import planning
>>> planning.slovin(1200).n, planning.krejcie_morgan(1200).n
(300, 291)
>>> planning.regression_sample_size(f2=0.15, n_predictors=4).n
85
"""

from __future__ import annotations

from egovstudy.planning._result import PlanningResult, planning_table
from egovstudy.planning.mediation import mediation_power
from egovstudy.planning.plot import plot_power_curve
from egovstudy.planning.pls import pls_minimum_sample
from egovstudy.planning.power import (
    correlation_power,
    correlation_sample_size,
    regression_power,
    regression_sample_size,
)
from egovstudy.planning.survey import (
    KREJCIE_MORGAN_TABLE,
    cochran,
    krejcie_morgan,
    margin_of_error,
    slovin,
)

__all__ = [
    "KREJCIE_MORGAN_TABLE",
    "PlanningResult",
    "cochran",
    "correlation_power",
    "correlation_sample_size",
    "krejcie_morgan",
    "margin_of_error",
    "mediation_power",
    "planning_table",
    "plot_power_curve",
    "pls_minimum_sample",
    "regression_power",
    "regression_sample_size",
    "slovin",
]
