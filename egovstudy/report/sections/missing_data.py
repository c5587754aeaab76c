"""The missing-data statement: method, shares of cases and answers missing, Little's MCAR
test, share imputed, and (``missing.method: mi``) the pooled models.

Numbers come from the :class:`egovstudy.survey_methods.MissingCheck` that
``egovstudy missing`` prints.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["write_missing"]


def write_missing(doc: Any, check: Any, label: Callable[[str], str]) -> None:
    """Heading, sentences and (with MI) the pooled-estimates table of the missing data."""
    from egovstudy.report.tables import frame_table

    doc.heading(doc.t("ch_missing"))
    rep = check.report
    doc.para(doc.t("mis_share", n=rep.n, rows=doc.num(100 * rep.share_rows, 1),
                   k=len(rep.by_column), cells=doc.num(100 * rep.share_cells, 1),
                   pat=len(rep.patterns)))
    lit = rep.little
    if lit is not None and lit.df > 0:
        key = "mis_little_mcar" if lit.p_value >= 0.05 else "mis_little_not"
        doc.para(doc.t(key, stat=doc.num(lit.statistic), df=int(lit.df),
                       p=doc.p(lit.p_value)))
    if rep.imputed is None:
        doc.para(doc.t("mis_listwise" if rep.share_cells > 0 else "mis_complete"))
        return
    imp = rep.imputed
    doc.para(doc.t("mis_mi", m=imp.m, share=doc.num(100 * imp.share_imputed, 1),
                   seed=imp.seed))
    for y, pooled in check.pooled.items():
        frame = pooled.tidy()
        frame = frame.assign(term=frame["term"].map(
            lambda t: doc.t("intercept") if t == "Intercept" else label(t)))
        cols = [c for c in ("term", "estimate", "std_error", "statistic", "df", "p_value",
                            "fmi") if c in frame.columns]
        doc.table(frame_table(frame, title=doc.t("cap_mi", y=label(y), m=imp.m), columns=cols,
                              language=doc.language, decimal=doc.decimal, kind="mi_pooled"))


def section(doc: Any, inp: Any, memo: Callable[[str, Callable[[], Any]], Any],
            label: Callable[[str], str]) -> None:
    """The chapter's missing-data part (results shared by every language)."""
    from types import SimpleNamespace

    from egovstudy.survey_methods import study_missing

    model = (SimpleNamespace(predictors=inp.predictors, outcome=inp.outcome,
                             mediator=inp.mediator, covariates=inp.covariates)
             if inp.outcome else None)
    check = memo("missing_check", lambda: study_missing(
        inp.survey, inp.survey_options.get("missing"), constructs=inp.constructs,
        model=model, seed=inp.seed))
    write_missing(doc, check, label)
