"""Group comparisons of the respondent profile, the non-response check and the design
effect of a clustered sample.

The table and the sentences of each part come from one result object of
:mod:`egovstudy.survey_methods` (the same as ``egovstudy compare`` prints): every
construct across every grouping variable, early versus late respondents
(Armstrong & Overton 1977), and the ICC(1) and Kish design effect of the model's
variables when respondents are nested in clusters.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd

__all__ = ["comparison_frame", "write_comparisons", "write_design_effect",
           "write_design_fits", "write_nonresponse"]

#: Fewer clusters than this make cluster-robust errors unreliable (as models.covariance).
FEW_CLUSTERS = 20


def comparison_frame(tidy: pd.DataFrame, doc: Any, label: Callable[[str], str]) -> pd.DataFrame:
    """The printed columns of a comparison: grouping, construct, test, statistic, p, effect.

    Examples
    --------
    >>> from types import SimpleNamespace as NS
    >>> tidy = pd.DataFrame({"group": ["g"], "outcome": ["y"], "test": ["welch_t"],
    ...                      "statistic": [2.0], "df": [10.0], "p_value": [0.07],
    ...                      "effect": ["cohen_d"], "effect_size": [0.5]})
    >>> doc = NS(t=lambda key, **kw: key)
    >>> comparison_frame(tidy, doc, str.upper)[["group", "construct", "test", "effect"]].values
    array([['G', 'Y', 'cmp_test_welch_t', 'cmp_effect_cohen_d']], dtype=object)
    """
    return pd.DataFrame({
        "group": tidy["group"].map(label), "construct": tidy["outcome"].map(label),
        "test": tidy["test"].map(lambda t: doc.t(f"cmp_test_{t}")),
        "statistic": tidy["statistic"], "df": tidy["df"], "p_value": tidy["p_value"],
        "effect": tidy["effect"].map(lambda e: doc.t(f"cmp_effect_{e}")),
        "effect_size": tidy["effect_size"], "significant": tidy["p_value"] < 0.05})


def _table(doc: Any, frame: pd.DataFrame, title: str, kind: str) -> Any:
    from egovstudy.report.tables import frame_table

    heads = {"group": doc.t("cmp_grouping"), "construct": doc.t("construct"),
             "test": doc.t("test"), "effect": doc.t("cmp_effect"),
             "effect_size": doc.t("cmp_effect_size"), "significant": doc.t("decision")}
    return doc.table(frame_table(frame, title=title, headers=heads, language=doc.language,
                                 decimal=doc.decimal, kind=kind,
                                 verdict_columns={"significant": ("significant",
                                                                  "not_significant")}))


def _stat(doc: Any, row: Any) -> str:
    return doc.t("cmp_stat", test=doc.t(f"cmp_test_{row['test']}"),
                 stat=doc.num(row["statistic"]), p=doc.p(row["p_value"]))


def _open_section(
    doc: Any, result: Any, label: Callable[[str], str], name: str, *, heading: str, none: str,
    caption: str,
) -> tuple[pd.DataFrame, Any, pd.DataFrame] | None:
    """Heading and table of a group-comparison result, or the ``none`` sentence when it
    is None; returns its tidy frame, the table and the rows with p < .05."""
    doc.heading(doc.t(heading))
    if result is None:
        doc.para(doc.t(none))
        return None
    tidy = result.tidy()
    t = _table(doc, comparison_frame(tidy, doc, label), doc.t(caption), name)
    return tidy, t, tidy[tidy["p_value"] < 0.05]


def write_comparisons(doc: Any, comp: Any, label: Callable[[str], str]) -> None:
    """Heading, table and verdict sentences of the group comparisons (``comp`` from
    :func:`egovstudy.survey_methods.study_comparisons`; None: a sentence saying why)."""
    opened = _open_section(doc, comp, label, "comparisons", heading="ch_comparisons",
                           none="cmp_none", caption="cap_comparisons")
    if opened is None:
        return
    tidy, t, sig = opened
    doc.para(doc.t("cmp_summary", table=t.number, n=len(tidy), k=len(sig),
                   groups=", ".join(dict.fromkeys(tidy["group"].map(label)))))
    for _, row in sig.iterrows():
        doc.para(doc.t("cmp_differs", construct=label(row["outcome"]),
                       group=label(row["group"]), stat=_stat(doc, row)))


def write_nonresponse(doc: Any, late: Any, label: Callable[[str], str]) -> None:
    """Heading, table and verdict of the early-versus-late check (``late`` from
    :func:`egovstudy.survey_methods.study_nonresponse`; None: a sentence saying why)."""
    opened = _open_section(doc, late, label, "nonresponse", heading="ch_nonresponse",
                           none="nr_none", caption="cap_nonresponse")
    if opened is None:
        return
    tidy, t, sig = opened
    share = doc.num(100 * late.options["share"], 0)
    doc.para(doc.t("nr_design", table=t.number, share=share, k=late.options["per_wave"]))
    if sig.empty:
        doc.para(doc.t("nr_no_bias"))
    else:
        doc.para(doc.t("nr_bias", k=len(sig), n=len(tidy),
                       constructs=", ".join(f"{label(r['outcome'])} ({_stat(doc, r)})"
                                            for _, r in sig.iterrows())))


def write_design_effect(doc: Any, deff: pd.DataFrame, unit: str,
                        label: Callable[[str], str]) -> None:
    """ICC(1) and design-effect sentences of a clustered sample (``deff`` from
    :func:`egovstudy.survey_methods.design_effects`), with the few-cluster advice."""
    if deff.empty:
        return
    first = deff.iloc[0]
    doc.para(doc.t("deff_nested", k=int(first["n_clusters"]), unit=unit,
                   m=doc.num(first["mean_cluster_size"], 1)))
    for _, row in deff.iterrows():
        doc.para(doc.t("deff_icc", variable=label(row["variable"]), icc=doc.num(row["icc1"], 3),
                       deff=doc.num(row["deff_unequal"]), neff=doc.num(row["effective_n"], 0)))
    if int(first["n_clusters"]) < FEW_CLUSTERS:
        doc.para(doc.t("deff_few", k=int(first["n_clusters"]), limit=FEW_CLUSTERS))


def write_design_fits(doc: Any, fits: dict[str, Any], options: dict[str, Any],
                      label: Callable[[str], str]) -> None:
    """Table and sentence of the design-based estimates of each model equation (``fits``
    from :func:`egovstudy.survey_methods.study_design_fits`)."""
    from egovstudy.report.tables import frame_table

    for y, fit in fits.items():
        frame = fit.tidy()
        frame = frame.assign(term=frame["term"].map(
            lambda t: doc.t("intercept") if t == "Intercept" else label(t)))
        t = doc.table(frame_table(
            frame[["term", "estimate", "std_error", "statistic", "p_value"]],
            title=doc.t("cap_design_fit", y=label(y)), language=doc.language,
            decimal=doc.decimal, kind="design_fit"))
        preds = fit.tidy().iloc[1:]
        doc.para(doc.t("design_fit", weights=options["weights"], table=t.number, y=label(y),
                       k=int((preds["p_value"] < 0.05).sum()), n=len(preds),
                       df=int(fit.df_inference)))


def model_variables(outcome: str | None, mediator: str | None) -> Sequence[str]:
    """The variables whose design effect the chapter reports: the mediator and outcome."""
    return [v for v in (mediator, outcome) if v]


def section(doc: Any, inp: Any, memo: Callable[[str, Callable[[], Any]], Any],
            label: Callable[[str], str]) -> None:
    """The chapter's comparisons part: group comparisons, non-response check and, for a
    clustered study, the ICC and design effect (results shared by every language)."""
    from egovstudy.survey_methods import design_effects, study_comparisons, study_nonresponse

    opts = inp.survey_options
    survey = inp.survey
    comp = memo("cmp_comparisons", lambda: study_comparisons(
        survey, opts.get("comparisons"), constructs=inp.constructs))
    write_comparisons(doc, comp, label)
    from egovstudy.report.sections.profile import categorical_variables
    from egovstudy.survey_methods import uncomparable_groups

    by = (opts.get("comparisons") or {}).get("by") or [
        v.name for v in categorical_variables(survey.codebook, survey.data.columns)]
    for g, info in uncomparable_groups(survey.data, by).items():
        if info["level"] is None:
            doc.para(doc.t("cmp_left_out_levels", group=label(g), k=info["n_levels"]))
        else:
            doc.para(doc.t("cmp_left_out", group=label(g), level=info["level"], n=info["n"]))
    late = memo("cmp_nonresponse", lambda: study_nonresponse(
        survey, opts.get("nonresponse"), constructs=inp.constructs))
    write_nonresponse(doc, late, label)
    variables = [v for v in model_variables(inp.outcome, inp.mediator)
                 if v in survey.data.columns]
    if inp.cluster and inp.cluster in survey.data.columns and variables:
        deff = memo("cmp_deff", lambda: design_effects(survey, inp.cluster, variables))
        write_design_effect(doc, deff, label(inp.cluster), label)
    if opts.get("design", {}).get("weights"):
        from types import SimpleNamespace

        from egovstudy.survey_methods import study_design_fits

        model = SimpleNamespace(predictors=inp.predictors, outcome=inp.outcome,
                                mediator=inp.mediator, covariates=inp.covariates)
        fits = memo("cmp_design_fits", lambda: study_design_fits(
            survey, opts["design"], model=model if inp.outcome else None,
            cluster=inp.cluster))
        write_design_fits(doc, fits, opts["design"], label)


TITLE = "ch_comparisons"


def build(ctx: Any) -> None:
    """The section in the chapter's order (:data:`egovstudy.report.chapter.SECTIONS`)."""
    section(ctx.doc, ctx.inp, ctx.memo, ctx.unit_label)
