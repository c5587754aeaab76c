"""Mediation (PROCESS): the indirect effect with its bootstrap interval, the type of mediation."""

from __future__ import annotations

import functools
from typing import Any

from egovstudy.report.sections.context import Context
from egovstudy.report.sections.hypotheses import hypothesis

__all__ = ["TITLE", "build", "mediation_kind"]

TITLE = "ch_mediation"


def mediation_kind(excludes: bool, direct_sig: bool, same_sign: bool) -> str:
    """The type of mediation (Zhao, Lynch & Chen 2010) as a catalogue key.

    Examples
    --------
    >>> mediation_kind(True, False, True), mediation_kind(True, True, False)
    ('mediation_full', 'mediation_competitive')
    """
    if not excludes:
        return "mediation_none"
    if not direct_sig:
        return "mediation_full"
    return "mediation_partial" if same_sign else "mediation_competitive"


def build(ctx: Context) -> None:
    """One PROCESS run per hypothesis through a mediator; its sentences, figures and table."""
    import dataclasses

    import pandas as pd

    from egovstudy.mediation import process
    from egovstudy.report.sections.process_text import describe_process
    from egovstudy.report.tables import mediation_table
    from egovstudy.report.verdicts import local_terms

    doc, inp, data, lab = ctx.doc, ctx.inp, ctx.data, ctx.lab
    if not inp.process:
        return
    popts = dict(inp.process_options)          # the study file's process: entry
    pmodel = int(popts.pop("model", 4))
    med = [hypothesis(h) for h in inp.hypotheses if hypothesis(h)["via"]]
    if pmodel in (1, 2, 3):                    # moderation of each direct hypothesis
        med = [h for h in map(hypothesis, inp.hypotheses) if not h["via"] and not
               {h["source"], h["target"]} & {popts.get("w"), popts.get("z")}]
    if not med:
        return
    plt, F, house_style = ctx.plot()
    doc.heading(doc.t("ch_moderation" if pmodel in (1, 2, 3) else "ch_mediation"))
    effect_rows = []
    boot_text = ""
    first = True
    ci_label = doc.t("ci_label", level=round(inp.ci * 100))
    for h in med:
        x, m, y = h["source"], h["via"], h["target"]
        covs = [c for c in inp.predictors + inp.covariates
                if c not in (x, m, y, popts.get("w"), popts.get("z"))]
        res = ctx.memo(f"process:{x}:{m}:{y}", functools.partial(
            process, data, model=pmodel, x=x, m=m if pmodel > 3 else None, y=y,
            covariates=covs,
            n_boot=inp.n_boot, seed=inp.seed, ci=inp.ci, clusters=inp.cluster,
            progress=False, **popts))
        coef = res.coefficients
        eff = res.effects
        boot_text = res.bootstrap_text(ctx.language)
        if pmodel != 4 or popts.get("x_coding"):
            # the chapter's sentences are written for model 4 with a numeric X; other
            # models give their effects (with intervals) in the table only
            for _, e in eff[eff["ci_low"].notna()].iterrows():
                effect_rows.append({"term": f"{h['id']}: {e['part']}: {e['term']}",
                                    "estimate": e["estimate"], "std_error": e["std_error"],
                                    "statistic": e["statistic"], "p_value": e["p_value"],
                                    "ci_low": e["ci_low"], "ci_high": e["ci_high"]})

            def add_fig(title: str, fig: Any, _h: str = h["id"]) -> None:
                doc.figure(f"{title} ({_h})", fig)

            describe_process(doc, res, ctx.labels, level=inp.ci,
                             add_figure=add_fig if first else None)
            first = first and not res.johnson_neyman_paths
            continue

        def pick(outcome: str, term: str, _c: Any = coef) -> Any:
            return _c[(_c["outcome"] == outcome) & (_c["term"] == term)].iloc[0]

        a, b = pick(m, x), pick(y, m)
        direct = eff[eff["part"] == "direct"].iloc[0]
        total = eff[eff["part"] == "total"].iloc[0]
        ind = eff[eff["part"] == "indirect"].iloc[0]
        tag = f"{h['id']}: "
        for name, r in ((f"a ({lab(x)} → {lab(m)})", a), (f"b ({lab(m)} → {lab(y)})", b),
                        (f"c' ({doc.t('direct_effect')})", direct),
                        (f"c ({doc.t('total_effect')})", total),
                        (f"a × b ({doc.t('indirect_effect')})", ind)):
            effect_rows.append({"term": tag + name, "estimate": r["estimate"],
                                "std_error": r["std_error"], "statistic": r["statistic"],
                                "p_value": r["p_value"], "ci_low": r["ci_low"],
                                "ci_high": r["ci_high"]})
        lo, hi = float(ind["ci_low"]), float(ind["ci_high"])
        excludes = lo > 0 or hi < 0
        sign_ok = {"positive": ind["estimate"] > 0, "negative": ind["estimate"] < 0}.get(
            h["direction"], True)
        supported = bool(excludes and sign_ok)
        path = f"{lab(x)} → {lab(m)} → {lab(y)}"
        ctx.discussion.append({
            "id": h["id"], "decision": "supported" if supported else "not supported",
            "path": path,
            "stats": f"a × b = {doc.num(ind['estimate'], 3)}{doc.sep}{ci_label} "
                     f"[{doc.num(lo, 3)}{doc.sep}{doc.num(hi, 3)}]"})
        boot_text = res.bootstrap_text(ctx.language, unit=ctx.unit_label(inp.cluster)
                                       if inp.cluster else None)
        doc.para(doc.t("sent_indirect", x=lab(x), y=lab(y), m=lab(m),
                       b=doc.num(ind["estimate"], 3), ci_label=ci_label,
                       lo=doc.num(lo, 3), hi=doc.num(hi, 3),
                       verdict=doc.t("excludes" if excludes else "includes")))
        # the type of mediation from the same effects as the table (Zhao, Lynch & Chen
        # 2010): indirect CI excluding zero, and whether the direct effect is significant
        kind = mediation_kind(excludes, float(direct["p_value"]) < 1 - inp.ci,
                              float(direct["estimate"]) * float(ind["estimate"]) > 0)
        doc.para(doc.t(kind, m=lab(m), p=doc.p(float(direct["p_value"]))))
        ctx.rows.append({"hypothesis": h["id"], "path": path, "estimate": ind["estimate"],
                         "std_estimate": float("nan"), "statistic": float("nan"),
                         "p_value": float("nan"), "supported": supported})
        if first:
            first = False
            paths = [{"source": x, "target": m, "estimate": a["estimate"],
                      "p_value": a["p_value"]},
                     {"source": m, "target": y, "estimate": b["estimate"],
                      "p_value": b["p_value"]},
                     {"source": x, "target": y, "estimate": direct["estimate"],
                      "p_value": direct["p_value"]}]
            fit = res.model_fit.set_index("outcome")["r2"]
            with house_style():
                fig, ax = plt.subplots(figsize=(6.5, 3.0))
                F.path_diagram(pd.DataFrame(paths), labels=ctx.labels,
                               r2={m: fit.get(m), y: fit.get(y)}, ax=ax)
            ctx.figures["path:" + h["id"]] = doc.figure(
                doc.t("fig_path") + f" ({h['id']})", fig).number
            if res.boot is not None:
                with house_style():
                    fig, ax = plt.subplots(figsize=(5.5, 3.4))
                    F.bootstrap_distribution(res.boot.samples[:, 0],
                                             estimate=float(ind["estimate"]), ci=(lo, hi),
                                             level=inp.ci, language=ctx.language, ax=ax)
                    fig.tight_layout()
                doc.figure(doc.t("fig_boot") + f" ({h['id']})", fig)
    vc = popts.get("vcov", "classical")
    path_note = doc.t("note_process_se",
                      vcov=doc.t("vcov_classical") if vc == "classical" else vc)
    if inp.cluster:
        path_note += " " + doc.t("note_process_se_cluster")
    mt = mediation_table(pd.DataFrame(effect_rows), language=ctx.language,
                         decimal=ctx.decimal, level=inp.ci, n_boot=inp.n_boot,
                         bootstrap=boot_text, extra_notes=(path_note,))
    mt = dataclasses.replace(mt, notes=tuple(local_terms(n, ctx.language) for n in mt.notes))
    doc.table(mt)
