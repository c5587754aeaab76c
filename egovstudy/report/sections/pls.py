"""PLS-SEM: the measurement model (loadings, CR/AVE, HTMT) and the structural model."""

from __future__ import annotations

from typing import Any

from egovstudy.report.sections.context import Context, joined

__all__ = ["TITLE", "build"]

TITLE = "cap_pls"


def build(ctx: Context) -> None:
    """Fit the study's model by PLS-SEM with the study's bootstrap; both models' tables."""
    import dataclasses

    from egovstudy.errors import OutputError
    from egovstudy.report.sections.pls_assessment import (
        assessment_tables,
        fit_pls,
        split_options,
    )
    from egovstudy.report.sections.pls_mga import pls_sem_options
    from egovstudy.report.tables import frame_table, pls_table
    from egovstudy.report.verdicts import local_terms

    doc, inp, data, lab = ctx.doc, ctx.inp, ctx.data, ctx.lab
    if not inp.pls or not inp.predictors or not inp.outcome:
        return
    meas: dict[str, list[str]] = {}
    wanted = [*inp.predictors, *([inp.mediator] if inp.mediator else []), inp.outcome]
    for c in wanted:
        con = ctx.cb.constructs.get(c)
        if con is None:
            raise OutputError(f"construct {c!r} is not in the codebook")
        meas[c] = list(con.items) or [i for d in con.dimensions for i in ctx.citems.get(d, [])]
    structural = [(p, inp.mediator) for p in inp.predictors] if inp.mediator else []
    structural += [(p, inp.outcome) for p in inp.predictors]
    if inp.mediator:
        structural.append((inp.mediator, inp.outcome))
    # the estimator's options; the assessment (predict, fit, ipma, ...) and the multigroup
    # keys (mga, permutations) are handled below
    core, assess = split_options(pls_sem_options(inp.pls_options))
    dims = {c: {d: ctx.citems.get(d, []) for d in ctx.cb.constructs[c].dimensions} for c in meas
            if not ctx.cb.constructs[c].items and ctx.cb.constructs[c].dimensions}
    # the study's B and seed, and the same resampling unit as the mediation bootstrap
    res = ctx.memo("pls", lambda: fit_pls(data, measurement=meas, structural=structural,
                                          core=core, dimensions=dims, n_boot=inp.n_boot,
                                          seed=inp.seed, clusters=inp.cluster,
                                          progress=False))
    plt, F, house_style = ctx.plot()
    doc.heading(doc.t("cap_pls") + (" (PLSc)" if inp.pls_options.get("consistent") else ""))
    measurement(ctx, res)
    doc.heading(doc.t("ch_pls_structural"), 2)
    paths = res.paths.copy()
    paths["term"] = [f"{lab(a)} → {lab(b)}" for a, b in zip(paths["from"], paths["to"])]
    o = res.options
    kind = (doc.t("boot_cluster", unit=ctx.unit_label(inp.cluster)) if inp.cluster
            else doc.t("boot_ordinary"))
    ptab = pls_table(paths, language=ctx.language, decimal=ctx.decimal, n_boot=inp.n_boot,
                     bootstrap=f"{kind}, {inp.n_boot} {doc.t('resamples')}, seed {inp.seed}")
    ptab = dataclasses.replace(ptab, notes=tuple(local_terms(n, ctx.language)
                                                 for n in ptab.notes))
    pt = doc.table(ptab)
    structural_text(ctx, res, paths, pt.number)
    if o.get("n_missing_values"):
        doc.para(doc.t("pls_missing_" + str(o.get("missing", "mean")),
                       values=o["n_missing_values"], rows=o["n_rows_with_missing"],
                       n=o["n_input"]))
    r2 = dict(zip(res.r2["construct"], res.r2["r2"]))
    with house_style():
        fig, ax = plt.subplots(figsize=(7.0, 4.2))
        F.path_diagram(res.paths.rename(columns={"from": "source", "to": "target"}),
                       labels=ctx.labels, r2=r2, ax=ax)
    doc.figure(doc.t("fig_pls_structural"), fig)
    # assessment asked for in the study file's pls: block (predict, fit, ipma)
    for title, frame, sentences in assessment_tables(
            data, measurement=meas, structural=structural, options=assess, core=core,
            seed=inp.seed, language=ctx.language, decimal=ctx.decimal, labels=ctx.labels,
            n_boot=inp.n_boot, clusters=inp.cluster):
        doc.table(frame_table(frame, title=title, language=ctx.language, decimal=ctx.decimal,
                              digits=3, kind="pls_assessment"))
        for sentence in sentences:
            doc.para(sentence)
    if inp.pls_options.get("mga"):
        groups(ctx, meas, structural)


def groups(ctx: Context, meas: dict[str, list[str]], structural: list[tuple[str, str]]) -> None:
    """PLS multigroup analysis with MICOM by the study's ``pls.mga`` column."""
    from egovstudy.pls_multigroup import pls_mga
    from egovstudy.report.sections.pls_mga import group_names, mga_path_frame, micom_frame
    from egovstudy.report.tables import frame_table

    doc, inp = ctx.doc, ctx.inp
    language, decimal = ctx.language, ctx.decimal
    col, perms = inp.pls_options["mga"], int(inp.pls_options.get("permutations", 5000))
    opts = {k: v for k, v in inp.pls_options.items() if k in ("scheme", "consistent", "missing")}
    res = ctx.memo("pls_mga", lambda: pls_mga(ctx.data, group=col, measurement=meas,
                                              structural=structural, n_perm=perms,
                                              n_boot=inp.n_boot, seed=inp.seed, **opts))
    names = group_names(ctx.cb, col, list(res.groups["group"]))
    glabel = ctx.unit_label(col)
    doc.heading(doc.t("ch_pls_mga", group=glabel), 2)
    mt = doc.table(frame_table(micom_frame(res.micom, ctx.labels, names, doc.t),
                               title=doc.t("cap_micom", group=glabel),
                               headers={"groups": doc.t("mga_groups"), "c": "c",
                                        "q05": "c 5%", "mean_diff": doc.t("mga_mean_diff"),
                                        "mean_p_value": doc.t("mga_p_mean"),
                                        "logvar_diff": doc.t("mga_logvar_diff"),
                                        "var_p_value": doc.t("mga_p_var")},
                               language=language, decimal=decimal, digits=3,
                               kind="pls_micom"))
    doc.para(doc.t("sent_micom", table=mt.number, perms=perms,
                   verdict=doc.t("micom_" + res.micom.overall)))
    frame = mga_path_frame(res.paths, ctx.labels, names, doc.t)
    gt = doc.table(frame_table(frame, title=doc.t("cap_pls_mga", group=glabel),
                               headers={"groups": doc.t("mga_groups"),
                                        "estimate_1": doc.t("mga_beta_1"),
                                        "estimate_2": doc.t("mga_beta_2"),
                                        "difference": doc.t("mga_difference"),
                                        "perm_p_value": doc.t("mga_p_perm"),
                                        "mga_p_value": doc.t("mga_p_mga")},
                               notes=(doc.t("note_pls_mga", boots=inp.n_boot, perms=perms),),
                               language=language, decimal=decimal, digits=3,
                               kind="pls_mga"))
    diff = frame.loc[res.paths["verdict"].eq("different").to_numpy(), "term"].tolist()
    doc.para(doc.t("sent_pls_mga", table=gt.number, n_paths=len(frame), n_diff=len(diff),
                   groups=", ".join(names.values()),
                   which=doc.t("mga_which", paths=", ".join(diff)) if diff else ""))


def measurement(ctx: Context, res: Any) -> None:
    """Outer loadings, CR/AVE and HTMT of the PLS-SEM fit, each with its sentence."""
    import pandas as pd

    from egovstudy.report.tables import frame_table

    doc, lab = ctx.doc, ctx.lab
    language, decimal = ctx.language, ctx.decimal
    doc.heading(doc.t("ch_pls_measurement"), 2)
    lo = res.outer_loadings.copy()
    lo["construct"] = lo["construct"].map(lab)
    # an item prints as its code ("HRQ1"); a dimension of a higher-order construct (a
    # construct itself) by its label
    lo["indicator"] = [lab(i) if i in ctx.cb.constructs else ctx.item_label(i)
                       for i in lo["indicator"]]
    lt = doc.table(frame_table(lo, title=doc.t("cap_pls_loadings"),
                               columns=["construct", "indicator", "estimate"],
                               headers={"indicator": doc.t("item"), "estimate": "Loading"},
                               language=language, decimal=decimal, digits=3,
                               kind="pls_loadings"))
    low = lo.loc[lo["estimate"].idxmin()]
    doc.para(doc.t("sent_pls_loadings", table=lt.number,
                   n_ok=int((lo["estimate"] >= 0.70).sum()), n=len(lo),
                   item=low["indicator"],
                   value=doc.num(low["estimate"], 3, leading_zero=False)))
    rel = res.reliability.copy()
    rel["construct"] = rel["construct"].map(lab)
    cols = [c for c in ("construct", "alpha", "rho_a", "rho_c", "ave") if c in rel.columns]
    rt = doc.table(frame_table(rel, title=doc.t("cap_pls_reliability"), columns=cols,
                               headers={"rho_a": "ρA", "rho_c": "CR"}, language=language,
                               decimal=decimal, digits=3, kind="pls_reliability"))
    bad = rel[(rel["rho_c"] < 0.70) | (rel["ave"] < 0.50)]["construct"].tolist()
    doc.para(doc.t("sent_pls_reliability", table=rt.number,
                   n_cr=int((rel["rho_c"] >= 0.70).sum()),
                   n_ave=int((rel["ave"] >= 0.50).sum()), n=len(rel),
                   failed=doc.t("pls_failed", constructs=joined(bad)) if bad else ""))
    m = res.htmt
    pairs = [{"term": f"{lab(a)} – {lab(b)}",
              "estimate": float(m.loc[b, a]) if pd.notna(m.loc[b, a]) else float(m.loc[a, b])}
             for i, a in enumerate(m.columns) for b in list(m.index)[i + 1:]]
    if pairs:
        hp = pd.DataFrame(pairs)
        ht = doc.table(frame_table(hp, title=doc.t("cap_pls_htmt"),
                                   headers={"term": doc.t("construct"), "estimate": "HTMT"},
                                   language=language, decimal=decimal, digits=3,
                                   kind="pls_htmt"))
        top = hp.loc[hp["estimate"].idxmax()]
        doc.para(doc.t("sent_htmt", table=ht.number,
                       max=doc.num(top["estimate"], 3, leading_zero=False),
                       pair=top["term"], n_over=int((hp["estimate"] > 0.85).sum()),
                       n_over90=int((hp["estimate"] > 0.90).sum()), n_pairs=len(hp)))


def structural_text(ctx: Context, res: Any, paths: Any, number: str | None) -> None:
    """A sentence per path, then R² and Q² of every endogenous construct."""
    import pandas as pd

    from egovstudy.report.tables import frame_table

    doc = ctx.doc
    f2 = {(a, b): v for a, b, v in zip(res.f2["from"], res.f2["to"], res.f2["f2"])}
    for _, r in paths.iterrows():
        sig = bool(pd.notna(r["p_value"]) and r["p_value"] < 0.05)
        doc.para(doc.t("sent_pls_path", table=number, path=r["term"],
                       sig=doc.t("significant" if sig else "not_significant"),
                       beta=doc.num(r["estimate"], 3), p=doc.p(r["p_value"]),
                       f2=doc.num(f2.get((r["from"], r["to"]), float("nan")), 3)))
    q2 = res.q2.groupby("construct")["q2_predict"].agg(["min", "max"])
    fit = res.r2.copy()
    fit["q2_min"] = fit["construct"].map(q2["min"])
    fit["q2_max"] = fit["construct"].map(q2["max"])
    shown = fit.assign(construct=fit["construct"].map(ctx.lab))
    ft = doc.table(frame_table(shown, title=doc.t("cap_pls_fit"),
                               columns=["construct", "r2", "adj_r2", "q2_min", "q2_max"],
                               headers={"r2": "R²", "adj_r2": "R² adj",
                                        "q2_min": "Q² min", "q2_max": "Q² max"},
                               language=ctx.language, decimal=ctx.decimal, digits=3,
                               kind="pls_fit"))
    for _, r in fit.iterrows():
        r2 = float(r["r2"])
        strength = ("r2_substantial" if r2 >= 0.75 else "r2_moderate" if r2 >= 0.50
                    else "r2_weak" if r2 >= 0.25 else "r2_very_weak")
        doc.para(doc.t("sent_pls_r2", table=ft.number, construct=ctx.lab(r["construct"]),
                       r2=doc.num(r2, 3, leading_zero=False), strength=doc.t(strength),
                       q_lo=doc.num(r["q2_min"], 3), q_hi=doc.num(r["q2_max"], 3),
                       q_verdict=doc.t("q2_relevant" if r["q2_min"] > 0 else "q2_not")))
