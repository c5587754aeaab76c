"""The missing-data statement: method, shares of cases and answers missing, Little's MCAR
test, share imputed, and (``missing.method: mi``) the pooled models.

Numbers come from the :class:`egovstudy.survey_methods.MissingCheck` that
``egovstudy missing`` prints.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["write_missing"]


def _hyp(h: Any) -> dict[str, Any]:
    """A hypothesis (study-file object or mapping) as ``{source, via, target}``."""
    if isinstance(h, dict):
        return {"source": h.get("source", h.get("from")), "via": h.get("via"),
                "target": h.get("target", h.get("to"))}
    return {"source": h.source, "via": h.via, "target": h.target}


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
    rows = [tab.tidy().query("part == 'indirect'").assign(path=path)
            for path, tab in check.pooled_process.items()]
    if rows:
        import pandas as pd

        ind = pd.concat(rows, ignore_index=True)
        ind = ind.assign(path=ind["path"].map(
            lambda p: " → ".join(label(v) for v in p.split(" -> "))))
        t = doc.table(frame_table(ind[["path", "estimate", "std_error", "ci_low", "ci_high"]],
                                  title=doc.t("cap_mi_indirect", m=imp.m),
                                  headers={"path": doc.t("path")}, language=doc.language,
                                  decimal=doc.decimal, kind="mi_indirect"))
        doc.para(doc.t("mis_mi_indirect", table=t.number, m=imp.m,
                       k=int(((ind["ci_low"] > 0) | (ind["ci_high"] < 0)).sum()), n=len(ind)))


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
        model=model, seed=inp.seed, n_boot=inp.n_boot, ci=inp.ci,
        mediation=[(h["source"], h["via"], h["target"]) for h in map(_hyp, inp.hypotheses)
                   if h["via"]]))
    write_missing(doc, check, label)


TITLE = "ch_missing"


def build(ctx: Any) -> None:
    """The section in the chapter's order (:data:`egovstudy.report.chapter.SECTIONS`)."""
    section(ctx.doc, ctx.inp, ctx.memo, ctx.unit_label)
