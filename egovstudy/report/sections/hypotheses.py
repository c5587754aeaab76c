"""Direct hypotheses (one sentence each) and the summary table of every hypothesis."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from egovstudy.report.sections.context import Context

__all__ = ["TITLE", "build", "hypothesis", "summary"]

TITLE = "ch_hypotheses"


def hypothesis(h: Any) -> dict[str, Any]:
    """A hypothesis of the study file (object or mapping) as one dict.

    Examples
    --------
    >>> hypothesis({"id": "H1", "from": "x", "to": "y"})["source"]
    'x'
    """
    if isinstance(h, Mapping):
        return {"id": h.get("id"), "source": h.get("source", h.get("from")),
                "target": h.get("target", h.get("to")), "via": h.get("via"),
                "direction": h.get("direction", "positive"),
                "tail": h.get("tail", "two-sided")}
    return {"id": h.id, "source": h.source, "target": h.target, "via": h.via,
            "direction": h.direction, "tail": getattr(h, "tail", "two-sided")}


def build(ctx: Context) -> None:
    """One sentence per direct hypothesis, from the fit of its target."""
    from egovstudy.models import test_hypotheses

    if not ctx.models:  # the regression section was skipped: it said why
        return
    from egovstudy.errors import OutputError

    doc, inp = ctx.doc, ctx.inp
    if not inp.hypotheses:
        raise OutputError("no hypotheses given")
    direct = [hypothesis(h) for h in inp.hypotheses if not hypothesis(h)["via"]]
    for h in direct:
        res = ctx.models.get(h["target"])
        if res is None:
            doc.skip(f"{h['id']}", f"no model of {h['target']} was estimated")
            continue
        hr = test_hypotheses(res, [{"id": h["id"], "term": h["source"],
                                    "direction": h["direction"],
                                    "tail": h["tail"]}]).tidy().iloc[0]
        std = res.tidy().set_index("term").loc[h["source"], "std_estimate"]
        path = f"{ctx.lab(h['source'])} → {ctx.lab(h['target'])}"
        stats = (f"b = {doc.num(hr['estimate'], 3)}, t({int(hr['df'])}) = "
                 f"{doc.num(hr['statistic'])}, {doc.p(hr['p_value'])}")
        ctx.rows.append({"hypothesis": h["id"], "path": path, "estimate": hr["estimate"],
                         "std_estimate": std, "statistic": hr["statistic"],
                         "p_value": hr["p_value"], "tail": hr["tail"],
                         "supported": hr["decision"] == "supported"})
        ctx.discussion.append({"id": h["id"], "decision": hr["decision"], "path": path,
                               "stats": stats})
        decision = doc.t("supported" if hr["decision"] == "supported" else "not_supported")
        tail = doc.t("tail_" + hr["tail"].replace("-", "_"))
        # the catalogue names the sentence its language's theses use: a path and a verdict
        # ("Hypothesis H1 (X → Y) is supported") or the effect ("X berpengaruh positif ...")
        style = doc.t("hypothesis_sentence")
        if style == "sent_hypothesis_effect":
            doc.para(doc.t(style, hypothesis=h["id"], effect=_effect(ctx, h, hr),
                           stats=doc.sep.join(stats.split(", ")), tail=tail,
                           decision=decision.lower(), why=_why(ctx, h, hr)))
        else:
            doc.para(doc.t("sent_hypothesis", hypothesis=h["id"], path=path,
                           decision=decision.lower(), stats=f"{stats} ({tail})"))


def _sign_ok(h: dict[str, Any], estimate: float) -> bool:
    return {"positive": estimate > 0, "negative": estimate < 0}.get(h["direction"], True)


def _effect(ctx: Context, h: dict[str, Any], hr: Any) -> str:
    """"X berpengaruh positif dan signifikan terhadap Y" from the test's own row."""
    doc, est = ctx.doc, float(hr["estimate"])
    sig = doc.t("significant" if float(hr["p_value"]) < float(hr["alpha"])
                else "not_significant")
    direction = h["direction"] if _sign_ok(h, est) else ("negative" if est < 0 else "positive")
    x, y = ctx.lab(h["source"]), ctx.lab(h["target"])
    if direction in ("positive", "negative"):
        return doc.t("effect_directed", x=x, y=y, sig=sig, direction=doc.t("dir_" + direction))
    return doc.t("effect_undirected", x=x, y=y, sig=sig)


def _why(ctx: Context, h: dict[str, Any], hr: Any) -> str:
    return "" if _sign_ok(h, float(hr["estimate"])) else ctx.doc.t("hyp_sign_against")


def summary(ctx: Context) -> None:
    """The table of every hypothesis (direct and through a mediator) and its decision."""
    import pandas as pd

    from egovstudy.report.tables import hypothesis_table

    if not ctx.rows:
        return
    doc = ctx.doc
    ctx.tables["hypotheses"] = doc.table(hypothesis_table(
        pd.DataFrame(ctx.rows), language=ctx.language, decimal=ctx.decimal)).number
    doc.para(doc.t("note_indirect_supported"))
