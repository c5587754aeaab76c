"""One conclusion and the remedy taken per classical assumption, from the test rows."""

from __future__ import annotations

import dataclasses
import functools
from typing import Any

from egovstudy.report.sections.context import Context, joined

__all__ = ["build_model", "conclusions", "influential_rows", "split_tests"]


def build_model(ctx: Context, y: str, res: Any) -> Any:
    """Assumption table, sentences, conclusions and residual plots of the fit of ``y``.

    Returns the fit used from here on (refitted with HC3 errors when heteroskedastic).
    """
    from egovstudy._text import localize
    from egovstudy.models import assumption_tests
    from egovstudy.report.tables import assumption_table
    from egovstudy.report.verdicts import local_terms, translate_verdict

    doc, language, labels = ctx.doc, ctx.language, ctx.labels
    plt, F, house_style = ctx.plot()
    at = ctx.memo(f"assumptions:{y}", functools.partial(assumption_tests, res))
    raw_tidy = at.tidy()
    tidy = raw_tidy.copy()
    tidy["verdict"] = tidy["verdict"].map(lambda v: translate_verdict(v, language))
    for col in ("test", "threshold"):  # test names and rules the analysis prints in English
        if col in tidy.columns:
            tidy[col] = tidy[col].map(lambda v: localize(local_terms(v, language), language)
                                      if isinstance(v, str) else v)
    t = assumption_table(tidy, language=language, decimal=ctx.decimal, labels=labels)
    t = dataclasses.replace(t, title=f"{t.title}: {ctx.lab(y)}")
    doc.table(t)
    for s in at.sentences(language):
        doc.para(local_terms(str(s), language))
    res = conclusions(ctx, y, res, at, raw_tidy)
    with house_style():
        fig, axes = plt.subplots(2, 2, figsize=(7.5, 6.2))
        F.residual_diagnostics(res, language=language, axes=axes)
        fig.tight_layout()
    doc.figure(doc.t("fig_residuals", y=ctx.lab(y)), fig)
    return res


def conclusions(ctx: Context, y: str, res: Any, at: Any, tidy: Any) -> Any:
    """One conclusion and remedy per assumption; returns the fit used from here on."""
    from egovstudy.models import ols
    from egovstudy.report.verdicts import local_terms

    doc, inp, data = ctx.doc, ctx.inp, ctx.data
    groups = {k: ([local_terms(t, ctx.language) for t in tests],
                  [local_terms(t, ctx.language) for t in bad])
              for k, (tests, bad) in split_tests(tidy).items()}
    tests, bad = groups["normality"]
    if tests:
        doc.para(doc.t("concl_normal_bad", tests=joined(bad), n=int(res.n)) if bad
                 else doc.t("concl_normal_ok", tests=joined(tests)))
    tests, bad = groups["heteroskedasticity"]
    if tests and not bad:
        doc.para(doc.t("concl_hetero_ok", tests=joined(tests)))
    elif bad:
        if inp.cluster:
            remedy = doc.t("remedy_cluster", unit=ctx.unit_label(inp.cluster))
        else:  # the remedy is applied: the model is refitted with HC3 errors
            remedy = doc.t("remedy_hc3")
            fit = res
            res = ctx.memo(f"ols_hc3:{y}", lambda: ols(fit.formula, data, vcov="HC3"))
        doc.para(doc.t("concl_hetero_bad", tests=joined(bad), remedy=remedy))
    vif = at.vif
    if vif is not None and len(vif):
        high = vif[vif["vif"] >= 10]
        if high.empty:
            top = vif.loc[vif["vif"].idxmax()]
            doc.para(doc.t("concl_vif_ok", vif=doc.num(top["vif"], 3), term=ctx.lab(top["term"])))
        else:
            doc.para(doc.t("concl_vif_bad", terms=joined(map(ctx.lab, high["term"]))))
    tests, bad = groups["autocorrelation"]
    if tests:
        doc.para(doc.t("concl_autocorr", tests=joined(tests),
                       verdict=doc.t("autocorr_yes" if bad else "autocorr_no")))
    rows_out = influential_rows(at.influence, int(res.n))
    if not rows_out:
        doc.para(doc.t("concl_influence_none"))
        return res
    hetero_bad = bool(groups["heteroskedasticity"][1])
    vcov_used: Any = {"cluster": inp.cluster} if inp.cluster else (
        "HC3" if hetero_bad else "classical")
    fit = res
    refit = ctx.memo(f"sensitivity:{y}", lambda: ols(fit.formula, data.drop(index=rows_out),
                                                      vcov=vcov_used))
    full = res.tidy().set_index("term")
    new = refit.tidy().set_index("term")
    terms = [t for t in full.index if t in new.index and str(t) != "Intercept"]
    delta = {t: abs(float(full.loc[t, "estimate"]) - float(new.loc[t, "estimate"]))
             for t in terms}
    worst = max(delta, key=lambda t: delta[t])
    changed = [ctx.lab(t) for t in terms
               if (full.loc[t, "p_value"] < 0.05) != (new.loc[t, "p_value"] < 0.05)]
    doc.para(doc.t("concl_influence", k=len(rows_out), delta=doc.num(delta[worst], 3),
                   term=ctx.lab(worst),
                   b_full=doc.num(full.loc[worst, "estimate"], 3),
                   b_refit=doc.num(new.loc[worst, "estimate"], 3),
                   sig=doc.t("sig_changed", terms=joined(changed)) if changed
                   else doc.t("sig_same")))
    return res


def split_tests(tidy: Any) -> dict[str, tuple[list[str], list[str]]]:
    """Group assumption-test rows by assumption: ``name -> (tests, tests that flag it)``.

    Reads the English verdicts of ``assumption_tests(...).tidy()``.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"test": ["Shapiro-Wilk", "Jarque-Bera", "White"],
    ...                   "verdict": ["not normal", "normal", "homoskedastic"]})
    >>> split_tests(t)["normality"]
    (['Shapiro-Wilk', 'Jarque-Bera'], ['Shapiro-Wilk'])
    >>> split_tests(t)["heteroskedasticity"]
    (['White'], [])
    """
    groups: dict[str, tuple[list[str], list[str]]] = {
        "normality": ([], []), "heteroskedasticity": ([], []), "autocorrelation": ([], [])}
    flags = {"not normal": "normality", "normal": "normality",
             "heteroskedastic": "heteroskedasticity", "homoskedastic": "heteroskedasticity",
             "autocorrelation": "autocorrelation", "no autocorrelation": "autocorrelation",
             "positive autocorrelation": "autocorrelation",
             "negative autocorrelation": "autocorrelation"}
    bad = {"not normal", "heteroskedastic", "autocorrelation", "positive autocorrelation",
           "negative autocorrelation"}
    for test, verdict in zip(tidy["test"], tidy["verdict"]):
        v = str(verdict).strip()
        if v in flags:
            tests, flagged = groups[flags[v]]
            tests.append(str(test))
            if v in bad:
                flagged.append(str(test))
    return groups


def influential_rows(influence: Any, n: int) -> list[Any]:
    """Row labels (the fit's data index) of the cases with Cook's distance above 4/n.

    Examples
    --------
    >>> import pandas as pd
    >>> influential_rows(pd.DataFrame({"row": [0, 1, 2], "cooks_d": [.01, 2.0, .3]}), 10)
    [1]
    """
    cut = 4.0 / n
    return [r for r, d in zip(influence["row"], influence["cooks_d"]) if d > cut]
