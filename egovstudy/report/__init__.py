"""Publication outputs: tables, figures, writers, language strings (en/id), results chapter.

Public entry points: :func:`write_table`, :func:`save_figure`, :func:`results_chapter`;
table builders in :mod:`egovstudy.report.tables`, plots in :mod:`egovstudy.report.figures`,
the house style in :mod:`egovstudy.report.style`. Submodules are imported on first use so
that ``import egovstudy.report`` stays light (no matplotlib, scipy or python-docx).
"""

from __future__ import annotations

import importlib
from typing import Any

_LAZY: dict[str, str] = {
    "write_table": "egovstudy.report.writers",
    "read_docx_provenance": "egovstudy.report.writers",
    "save_figure": "egovstudy.report.save",
    "read_png_provenance": "egovstudy.report.save",
    "decimal_mark": "egovstudy.report.decimal_mark",
    "results_chapter": "egovstudy.report.chapter",
    "ChapterResult": "egovstudy.report.chapter",
    "Table": "egovstudy.report.tables",
    "descriptives_table": "egovstudy.report.tables",
    "validity_table": "egovstudy.report.tables",
    "reliability_table": "egovstudy.report.tables",
    "correlation_table": "egovstudy.report.tables",
    "regression_table": "egovstudy.report.tables",
    "assumption_table": "egovstudy.report.tables",
    "mediation_table": "egovstudy.report.tables",
    "pls_table": "egovstudy.report.tables",
    "hypothesis_table": "egovstudy.report.tables",
    "frame_table": "egovstudy.report.tables",
    "interpretation_category": "egovstudy.report.tables",
    "house_style": "egovstudy.report.style",
    "OKABE_ITO": "egovstudy.report.style",
    "likert_bars": "egovstudy.report.figures",
    "item_distributions": "egovstudy.report.figures",
    "correlation_heatmap": "egovstudy.report.figures",
    "coefficient_plot": "egovstudy.report.figures",
    "residual_diagnostics": "egovstudy.report.figures",
    "path_diagram": "egovstudy.report.figures",
    "simple_slopes": "egovstudy.report.figures",
    "johnson_neyman_plot": "egovstudy.report.figures",
    "johnson_neyman": "egovstudy.report.figures",
    "bootstrap_distribution": "egovstudy.report.figures",
    "indicator_trends": "egovstudy.report.figures",
    "text": "egovstudy.report.language",
}

__all__ = sorted(_LAZY)


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'egovstudy.report' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
