"""Pembahasan: one paragraph per tested hypothesis, with placeholders for the literature."""

from __future__ import annotations

from egovstudy.report.sections.context import Context

__all__ = ["TITLE", "build"]

TITLE = "ch_discussion"


def build(ctx: Context) -> None:
    """A paragraph per hypothesis citing its table, its figure and its statistics."""
    doc = ctx.doc
    if not ctx.discussion:
        return
    doc.heading(doc.t("ch_discussion"))
    number = ctx.tables.get("hypotheses") or ctx.tables.get("regression")
    for d in ctx.discussion:
        fig = ctx.figures.get("path:" + str(d["id"])) or ctx.figures.get("coefs")
        doc.para(doc.t("sent_discussion", hypothesis=d["id"], path=d["path"], table=number,
                       decision=doc.t("supported" if d["decision"] == "supported"
                                      else "not_supported").lower(),
                       stats=d["stats"],
                       figure=doc.t("discussion_figure", figure=fig) if fig else ""))
    doc.para(doc.t("discussion_note"))
