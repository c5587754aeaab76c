"""Instrument decisions: invalid items kept or dropped, convergent and discriminant validity."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

from egovstudy.report.sections.context import Context, joined

__all__ = ["TITLE", "build", "drop_invalid_items", "fornell_larcker_ok", "low_ave"]

TITLE = "ch_instrument"


def build(ctx: Context) -> None:
    """Item validity (r hitung vs r tabel), reliability, convergent and discriminant validity."""
    import dataclasses

    from egovstudy.measurement import instrument_report
    from egovstudy.report.tables import frame_table
    from egovstudy.report.verdicts import translate_verdict

    doc, language, decimal = ctx.doc, ctx.language, ctx.decimal
    doc.heading(doc.t("ch_instrument"))
    survey = ctx.survey
    ir = ctx.memo("instrument", lambda: instrument_report(survey))
    items = ir.items.copy()
    items["construct"] = items["construct"].map(ctx.lab)
    items["item"] = items["item"].map(ctx.item_label)
    cols = [c for c in ("construct", "item", "r_rest", "r_critical", "loading",
                        "alpha_if_deleted", "valid") if c in items.columns]
    heads = {"r_rest": doc.t("col_r_hitung"), "r_critical": doc.t("col_r_tabel")}
    t = frame_table(items, title=doc.t("cap_validity"), columns=cols, headers=heads,
                    verdict_columns={"valid": ("valid", "invalid")}, language=language,
                    decimal=decimal, kind="validity")
    t = dataclasses.replace(t, notes=(doc.t(
        "note_validity", alpha=doc.num(0.05, 2, leading_zero=False),
        min_r=doc.num(ir.min_r_rest, 2), min_loading=doc.num(ir.min_loading, 2)),))
    vt = doc.table(t)
    doc.para(doc.t("sent_validity_table", table=vt.number))
    weak = list(ir.weak_items)
    if weak:
        doc.para(doc.t("sent_items_invalid", k=len(weak),
                       items=joined(ctx.item_label(w) for w in weak)))
        invalid_items_decision(ctx, weak)
    else:
        doc.para(doc.t("sent_items_all_valid"))
    cons = ir.constructs.copy()
    cons["construct"] = cons["construct"].map(ctx.lab)
    cons["verdict"] = cons["verdict"].map(lambda v: translate_verdict(v, language))
    ccols = [c for c in ("construct", "n_items", "alpha", "omega_total", "rho_c", "ave",
                         "verdict") if c in cons.columns]
    chead = {"n_items": doc.t("col_items"), "omega_total": "ω", "rho_c": "CR"}
    rt = frame_table(cons, title=doc.t("cap_reliability"), columns=ccols, headers=chead,
                     language=language, decimal=decimal, kind="reliability")
    rt = dataclasses.replace(rt, notes=(doc.t(
        "note_reliability", a70=doc.num(0.70, 2, leading_zero=False),
        a60=doc.num(0.60, 2, leading_zero=False)),))
    rt = doc.table(rt)
    for s in ir.constructs.get(f"sentence_{language}", []):
        doc.para(str(s))
    convergent(ctx, ir.constructs, rt.number)
    discriminant(ctx)


def invalid_items_decision(ctx: Context, weak: list[str]) -> None:
    """The study's ``instrument.invalid_items`` decision, applied before later sections."""
    doc = ctx.doc
    if ctx.inp.invalid_items == "drop":
        data, cb = ctx.data, ctx.cb
        ctx.data, ctx.cb, dropped = ctx.memo("drop_invalid",
                                             lambda: drop_invalid_items(data, cb, weak))
        ctx.citems = ctx.cb.construct_items()
        kept = [w for w in weak if w not in dropped]
        if dropped:
            doc.para(doc.t("sent_invalid_drop", items=joined(map(ctx.item_label, dropped))))
        if kept:  # the construct's only items: nothing would be left to score
            doc.para(doc.t("sent_invalid_keep", items=joined(map(ctx.item_label, kept))))
    else:
        doc.para(doc.t("sent_invalid_keep", items=joined(map(ctx.item_label, weak))))


def convergent(ctx: Context, cons: Any, number: str | None) -> None:
    """AVE of every construct; below .50 is accepted when CR exceeds .60 (Fornell-Larcker)."""
    doc = ctx.doc
    low = low_ave(cons)
    if low.empty:
        doc.para(doc.t("sent_convergent_ok", table=number))
        return
    names = joined(f"{ctx.lab(c)} ({doc.num(a, 3, leading_zero=False)})"
                   for c, a in zip(low["construct"], low["ave"]))
    weak_cr = low[low["rho_c"] <= 0.60]
    if weak_cr.empty:
        verdict = doc.t("cr_all_above", crs=joined(
            doc.num(v, 3, leading_zero=False) for v in low["rho_c"]))
    else:
        verdict = doc.t("cr_not_all", constructs=joined(map(ctx.lab, weak_cr["construct"])))
    doc.para(doc.t("sent_convergent_low", table=number, constructs=names, verdict=verdict))


def discriminant(ctx: Context) -> None:
    """HTMT pairs and the Fornell-Larcker table, each with its sentence."""
    import pandas as pd

    from egovstudy.measurement import fornell_larcker, htmt
    from egovstudy.report.tables import frame_table

    doc, survey = ctx.doc, ctx.survey
    groups = {c: its for c, its in survey.construct_items().items() if len(its) >= 2}
    if len(groups) < 2:
        return
    h = ctx.memo("htmt", lambda: htmt(survey.data, groups))
    pairs = h.pairs.copy()
    pairs["term"] = [" – ".join(ctx.lab(p) for p in str(t).split(" - "))
                     for t in pairs["term"]]
    ht = doc.table(frame_table(pairs, title=doc.t("cap_htmt"), columns=["term", "estimate"],
                               headers={"term": doc.t("construct"), "estimate": "HTMT"},
                               language=ctx.language, decimal=ctx.decimal, digits=3,
                               kind="htmt"))
    top = pairs.loc[pairs["estimate"].idxmax()]
    doc.para(doc.t("sent_htmt", table=ht.number,
                   max=doc.num(top["estimate"], 3, leading_zero=False), pair=top["term"],
                   n_over=int((pairs["estimate"] > 0.85).sum()),
                   n_over90=int((pairs["estimate"] > 0.90).sum()), n_pairs=len(pairs)))
    fl = ctx.memo("fornell", lambda: fornell_larcker(survey.data, groups))
    ok = fornell_larcker_ok(fl)
    shown = fl.rename(index=ctx.labels, columns=ctx.labels)
    frame = pd.concat([pd.Series(list(shown.index), index=shown.index, name="construct"),
                       shown], axis=1)
    ft = doc.table(frame_table(frame, title=doc.t("cap_fornell"),
                               headers={"construct": doc.t("construct")},
                               language=ctx.language, decimal=ctx.decimal, digits=3,
                               kind="fornell_larcker"))
    failed = [ctx.lab(c) for c, good in ok.items() if not good]
    doc.para(doc.t("sent_fornell", table=ft.number, n_ok=sum(ok.values()), n=len(ok),
                   failed=doc.t("fornell_failed", constructs=joined(failed)) if failed else ""))


def drop_invalid_items(data: Any, codebook: Any, invalid: Sequence[str]
                       ) -> tuple[Any, Any, list[str]]:
    """Remove ``invalid`` items from their constructs and recompute every construct score.

    A construct keeps an item when dropping would leave it with none; its ``min_items``
    drops by the number of items removed, so a respondent may still skip as many items
    as before (3 of 4 answered -> 2 of 3). The scores come
    from :func:`egovstudy.scoring.score_constructs` (the codebook's own scoring rule),
    so a dropped item changes exactly the scores of the constructs that held it.

    Returns
    -------
    tuple
        ``(data, codebook, dropped)``: a copy of ``data`` with recomputed scores, the
        codebook without the dropped items, and the items actually dropped.

    Examples
    --------
    >>> import pandas as pd
    >>> from egovstudy.codebook import Construct
    >>> from types import SimpleNamespace as NS
    >>> cb = NS(constructs={"A": Construct("A", {}, ["a1", "a2"], [])}, items={})
    >>> df = pd.DataFrame({"a1": [1.0, 5.0], "a2": [3.0, 3.0], "A": [2.0, 4.0]})
    >>> out, _, dropped = drop_invalid_items(df, cb, ["a2"])
    >>> dropped, out["A"].tolist()
    (['a2'], [1.0, 5.0])
    """
    from egovstudy.scoring import score_constructs

    bad = set(invalid)
    constructs = dict(codebook.constructs)
    dropped: list[str] = []
    for name, con in constructs.items():
        keep = [i for i in con.items if i not in bad]
        if con.items and keep and len(keep) < len(con.items):
            dropped += [i for i in con.items if i in bad]
            # the same number of unanswered items stays allowed (3 of 4 -> 2 of 3)
            n_out = len(con.items) - len(keep)
            constructs[name] = dataclasses.replace(
                con, items=keep, min_items=max(1, min(con.min_items - n_out, len(keep))))
    if not dropped:
        return data, codebook, []
    new_cb: Any
    if dataclasses.is_dataclass(codebook) and not isinstance(codebook, type):
        new_cb = dataclasses.replace(codebook, constructs=constructs)
    else:  # a plain namespace (doctest): copy its attributes
        new_cb = type(codebook)(**{**vars(codebook), "constructs": constructs})
    scores = score_constructs(data, new_cb)
    out = data.copy()
    for c in scores.columns:
        out[c] = scores[c]
    return out, new_cb, dropped


def low_ave(constructs: Any, threshold: float = 0.50) -> Any:
    """Rows of an instrument report's construct frame with AVE below ``threshold``.

    Examples
    --------
    >>> import pandas as pd
    >>> f = pd.DataFrame({"construct": ["A", "B"], "ave": [.436, .61], "rho_c": [.73, .8]})
    >>> low_ave(f)["construct"].tolist()
    ['A']
    """
    return constructs[constructs["ave"] < threshold]


def fornell_larcker_ok(table: Any) -> dict[str, bool]:
    """Per construct: is sqrt(AVE) (diagonal) above its correlations with every other?

    ``table`` is :func:`egovstudy.measurement.fornell_larcker` output (diagonal sqrt(AVE),
    correlations below the diagonal).

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame([[.8, None], [.5, .6]], index=["A", "B"], columns=["A", "B"])
    >>> fornell_larcker_ok(t)
    {'A': True, 'B': True}
    >>> t.loc["B", "A"] = .7
    >>> fornell_larcker_ok(t)
    {'A': True, 'B': False}
    """
    import numpy as np

    names = list(table.index)
    m = table.to_numpy(dtype=float)
    low = np.tril(np.nan_to_num(m, nan=0.0), -1)
    full = np.abs(low + low.T)
    return {n: bool(np.all(full[i, np.arange(len(names)) != i] < m[i, i]))
            for i, n in enumerate(names)}
