"""Common-method bias in the instrument part: Harman's single-factor share, Kock's full
collinearity VIFs and the marker-variable correction, with their verdicts.

Numbers come from the :class:`egovstudy.survey_methods.MethodBias` that
``egovstudy method-bias`` prints.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["write_method_bias"]


def write_method_bias(doc: Any, bias: Any, label: Callable[[str], str]) -> None:
    """Heading, VIF table and verdict sentences of the common-method-bias checks."""
    from egovstudy.report.tables import frame_table

    doc.heading(doc.t("ch_method_bias"), 2)
    h = bias.harman
    if h is not None:
        doc.para(doc.t("cmb_harman_high" if h.dominant else "cmb_harman_low",
                       share=doc.num(100 * h.variance_explained, 1), k=h.n_items,
                       limit=doc.num(100 * h.threshold, 0)))
    f = bias.full_vif
    if f is not None:
        frame = f.tidy()
        frame = frame.assign(construct=frame["construct"].map(label))
        t = doc.table(frame_table(frame, title=doc.t("cap_full_vif"),
                                  columns=["construct", "r_squared", "vif", "cmb_flag"],
                                  headers={"cmb_flag": doc.t("cmb_flag", cut=doc.num(3.3, 1)),
                                           "r_squared": "R²"},
                                  verdict_columns={"cmb_flag": ("cmb_yes", "cmb_no")},
                                  language=doc.language, decimal=doc.decimal, kind="full_vif"))
        flagged = frame.loc[frame["cmb_flag"], "construct"].tolist()
        vmax = doc.num(float(frame["vif"].max()))
        limit = doc.num(f.threshold, 1)
        if flagged:
            doc.para(doc.t("cmb_vif_high", table=t.number, limit=limit, vmax=vmax,
                           constructs=", ".join(flagged)))
        else:
            doc.para(doc.t("cmb_vif_low", table=t.number, limit=limit, vmax=vmax))
    m = bias.marker
    if m is not None:
        tab = m.table
        sig = int(tab["significant"].sum())
        kept = int((tab["significant"] & tab["still_significant"]).sum())
        doc.para(doc.t("cmb_marker_ok" if kept == sig else "cmb_marker_bias",
                       marker=label(m.marker), rm=doc.num(m.r_m, 3), kept=kept, sig=sig))


def section(doc: Any, inp: Any, memo: Callable[[str, Callable[[], Any]], Any],
            label: Callable[[str], str]) -> None:
    """The chapter's common-method-bias part (results shared by every language)."""
    from egovstudy.survey_methods import study_method_bias

    bias = memo("method_bias", lambda: study_method_bias(
        inp.survey, inp.survey_options.get("method_bias"), constructs=inp.constructs))
    write_method_bias(doc, bias, label)


TITLE = "ch_method_bias"


def build(ctx: Any) -> None:
    """The section in the chapter's order (:data:`egovstudy.report.chapter.SECTIONS`)."""
    section(ctx.doc, ctx.inp, ctx.memo, ctx.unit_label)
