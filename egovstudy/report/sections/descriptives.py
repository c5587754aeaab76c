"""Descriptive statistics: item and construct means, Likert charts, correlations."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from egovstudy.report.sections.context import Context

__all__ = ["TITLE", "build", "item_scales", "scale_labels"]

TITLE = "ch_descriptives"


def build(ctx: Context) -> None:
    """The descriptives table with a sentence per construct, Likert bars, correlations."""
    from egovstudy.report.tables import correlation_table, descriptives_table

    doc, data, citems = ctx.doc, ctx.data, ctx.citems
    # items by their code ("HRQ1"), constructs by their label
    labels = {**{c: ctx.item_label(c) for its in citems.values() for c in its}, **ctx.labels}
    language, decimal = ctx.language, ctx.decimal
    plt, F, house_style = ctx.plot()
    doc.heading(doc.t("ch_descriptives"))
    scales = item_scales(ctx.cb, citems)
    values = sorted({v for sc in scales.values() for v in sc.values}) or [1, 2, 3, 4, 5]
    t = doc.table(descriptives_table(
        data, citems, values=values, labels=labels, language=language, decimal=decimal,
        item_values={c: sc.values for c, sc in scales.items()}))
    frame = t.data
    if frame is None:  # descriptives_table always keeps its frame
        return
    doc.para(doc.t("sent_descriptive_table", table=t.number))
    for _, r in frame[frame["level"] == "construct"].iterrows():
        doc.para(doc.t("sent_descriptive_t", table=t.number, construct=r["variable"],
                       mean=doc.num(r["mean"]), sd=doc.num(r["sd"]), category=r["category"]))
    # one diverging bar chart per answer scale, with that scale's own labels
    by_scale: dict[str, dict[str, list[str]]] = {}
    for construct, its in citems.items():
        for c in its:
            name = scales[c].name if c in scales else ""
            by_scale.setdefault(name, {}).setdefault(construct, []).append(c)
    for name, groups in by_scale.items():
        scale = next((scales[c] for its in groups.values() for c in its if c in scales), None)
        vals = list(scale.values) if scale is not None else values
        n_items = sum(len(its) for its in groups.values())
        with house_style():
            fig, ax = plt.subplots(figsize=(6.5, min(9.0, 1.6 + 0.3 * n_items
                                                     + 0.3 * len(groups))))
            F.likert_bars(data, groups, values=vals, level="item", labels=labels,
                          language=language, ax=ax,
                          category_labels=scale_labels(scale, language, len(vals)))
            fig.tight_layout()
        doc.figure(doc.t("fig_likert") + ("" if len(by_scale) == 1 else f" ({name})"), fig)
    scores = [c for c in citems if c in data.columns]
    mediator = ctx.inp.mediator
    if mediator and mediator in data.columns and mediator not in scores:
        scores.append(mediator)
    doc.table(correlation_table(data, scores, labels=labels, language=language,
                                decimal=decimal))
    with house_style():
        fig, ax = plt.subplots(figsize=(7.0, 6.0))
        F.correlation_heatmap(data, scores, labels=labels, language=language, ax=ax)
        fig.tight_layout()
    doc.figure(doc.t("fig_heatmap"), fig)


def item_scales(cb: Any, citems: Mapping[str, Sequence[str]]) -> dict[str, Any]:
    """The codebook scale of every item shown (never the first scale the codebook knows)."""
    items = getattr(cb, "items", {}) or {}
    return {c: items[c].scale for its in citems.values() for c in its
            if c in items and getattr(items[c], "scale", None) is not None}


def scale_labels(scale: Any, language: str, k: int) -> list[str] | None:
    """The scale's own answer labels in ``language`` (English, then the codes, as fallback).

    Examples
    --------
    >>> from types import SimpleNamespace as NS
    >>> scale_labels(NS(labels={"en": ["No", "Yes"]}), "id", 2)
    ['No', 'Yes']
    """
    labels = getattr(scale, "labels", {}) or {}
    for lang in (language, "en", "id"):
        labs = labels.get(lang)
        if labs and len(labs) == k:
            return [str(s) for s in labs]
    return None
