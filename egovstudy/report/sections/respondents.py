"""Respondents: the sample size, the clusters and the screening rules applied."""

from __future__ import annotations

from egovstudy.report.sections.context import Context

__all__ = ["TITLE", "build"]

TITLE = "ch_respondents"


def build(ctx: Context) -> None:
    """The n (and clusters) after screening, and the table of screening rules."""
    from egovstudy.report.tables import frame_table

    doc, inp, survey, data = ctx.doc, ctx.inp, ctx.survey, ctx.data
    doc.heading(doc.t("ch_respondents"))
    n = len(data)
    dropped = survey.quality.n_in - n if hasattr(survey, "quality") else 0
    if inp.cluster and inp.cluster in data.columns:
        doc.para(doc.t("sent_n", n=n, k=data[inp.cluster].nunique(),
                       unit=ctx.unit_label(inp.cluster), dropped=dropped))
    else:
        doc.para(doc.t("sent_n_nounit", n=n, dropped=dropped))
    rules = survey.quality.rules()
    cols = [c for c in ("rule", "policy", "n_flagged", "n_removed") if c in rules.columns]
    heads = {c: doc.t("col_quality_" + c) for c in cols}
    doc.table(frame_table(rules, title=doc.t("cap_quality"), columns=cols, headers=heads,
                          language=ctx.language, decimal=ctx.decimal, kind="quality"))
