"""Regression text of an Indonesian thesis: the equation, t tabel and F tabel."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from egovstudy.report.sections.context import Context

__all__ = ["TITLE", "build", "critical_values", "equation"]

TITLE = "ch_hypotheses"


def build(ctx: Context) -> None:
    """Fit the models, test their assumptions, then the regression table and its text."""
    import dataclasses

    from egovstudy.errors import OutputError
    from egovstudy.models import ols
    from egovstudy.report.sections.assumptions import build_model
    from egovstudy.report.tables import regression_table

    doc, inp, data, labels = ctx.doc, ctx.inp, ctx.data, ctx.labels
    if not inp.predictors or not inp.outcome:
        raise OutputError("no model given (predictors and outcome): pass a study file or "
                          "model=ModelSpec(...)")
    plt, F, house_style = ctx.plot()
    vcov: Any = {"cluster": inp.cluster} if inp.cluster else "classical"
    rhs = inp.predictors + inp.covariates
    models = ctx.models
    if inp.mediator:
        models[inp.mediator] = ctx.memo(f"ols:{inp.mediator}", lambda: ols(
            f"{inp.mediator} ~ {' + '.join(rhs)}", data, vcov=vcov))
        rhs_y = [*inp.predictors, inp.mediator, *inp.covariates]
    else:
        rhs_y = rhs
    models[inp.outcome] = ctx.memo(f"ols:{inp.outcome}", lambda: ols(
        f"{inp.outcome} ~ {' + '.join(rhs_y)}", data, vcov=vcov))
    doc.heading(doc.t("ch_assumptions"))
    for y, res in list(models.items()):
        models[y] = build_model(ctx, y, res)
    doc.heading(doc.t("ch_hypotheses"))
    named = {f"{doc.t('model')} {i + 1}: {ctx.lab(y)}": r
             for i, (y, r) in enumerate(models.items())}
    reg = regression_table(named, labels=labels, language=ctx.language, decimal=ctx.decimal)
    if inp.cluster:
        reg = dataclasses.replace(reg, notes=(
            *reg.notes, doc.t("note_cluster_se", unit=ctx.unit_label(inp.cluster))))
    reg = doc.table(reg)
    ctx.tables["regression"] = reg.number
    for y, res in models.items():
        regression_text(ctx, y, res, reg.number)
        fs = res.fit_stats()
        sentence = doc.t("sent_regression", r2pct=doc.num(100 * fs["r2"], 1),
                         y=ctx.lab(y), df1=int(fs["f_df1"]), df2=int(fs["f_df2"]),
                         f=doc.num(fs["f"]), p=doc.p(fs["f_p_value"]))
        if inp.cluster:
            # the robust Wald F and its df come from the same covariance as the t tests
            sentence += " " + doc.t("sent_wald_f", cluster=ctx.unit_label(inp.cluster),
                                    g=int(fs["f_df2"]) + 1, df2=int(fs["f_df2"]))
        doc.para(sentence)
    with house_style():
        fig, ax = plt.subplots(figsize=(6.5, 4.2))
        F.coefficient_plot(named, labels=labels, language=ctx.language, ax=ax)
        fig.tight_layout()
    ctx.figures["coefs"] = doc.figure(doc.t("fig_coefs"), fig).number


def regression_text(ctx: Context, y: str, res: Any, number: str | None) -> None:
    """Equation, t tabel and F tabel of one fit, from its own df (Indonesian theses)."""
    doc = ctx.doc
    fs = res.fit_stats()
    t_tab, f_tab = critical_values(res.df_inference, fs["f_df1"], fs["f_df2"])
    doc.para(doc.t("sent_equation", table=number, y=ctx.lab(y),
                   equation=equation(res.tidy(), ctx.lab(y), ctx.labels,
                                     lambda v, d: doc.num(v, d))))
    doc.para(doc.t("sent_t_table", df=int(res.df_inference), t=doc.num(t_tab, 3)))
    above = fs["f"] > f_tab
    doc.para(doc.t("sent_f_table", df1=int(fs["f_df1"]), df2=int(fs["f_df2"]),
                   f_tab=doc.num(f_tab, 3), f=doc.num(fs["f"], 3),
                   verdict=doc.t("f_exceeds" if above else "f_below"),
                   joint=doc.t("joint_yes" if above else "joint_no"), y=ctx.lab(y)))


def critical_values(df: float, df1: float, df2: float, alpha: float = 0.05
                    ) -> tuple[float, float]:
    """Two-sided critical t (``t tabel``) and critical F (``F tabel``) at ``alpha``.

    ``df`` is the fit's inference df (``fit.df_inference``: residual df, or G - 1 with
    cluster-robust errors) and ``df1, df2`` those of its F test (``fit_stats()``).
    Same values as R's ``qt(1 - alpha/2, df)`` and ``qf(1 - alpha, df1, df2)``.

    Examples
    --------
    >>> t, f = critical_values(29, 5, 29)
    >>> round(t, 4), round(f, 4)
    (2.0452, 2.5454)
    """
    from scipy import stats

    return (float(stats.t.ppf(1 - alpha / 2, df)), float(stats.f.ppf(1 - alpha, df1, df2)))


def equation(tidy: Any, y: str, labels: Mapping[str, str],
             num: Callable[..., str]) -> str:
    """``Y = a + b1 X1 + ...`` with the estimates of a tidy coefficient frame.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"term": ["Intercept", "x", "z"], "estimate": [1.5, 0.25, -0.1]})
    >>> equation(t, "Y", {"x": "X"}, lambda v, d: f"{v:.{d}f}")
    'Y = 1.500 + 0.250 X − 0.100 z'
    """
    parts: list[str] = []
    for term, est in zip(tidy["term"], tidy["estimate"]):
        est = float(est)
        if str(term).lower() in ("intercept", "(intercept)", "const"):
            parts.insert(0, num(est, 3))
            continue
        sign = "−" if est < 0 else "+"
        parts.append(f"{sign} {num(abs(est), 3)} {labels.get(str(term), str(term))}")
    head = parts[0] if parts and not parts[0].startswith(("+", "−")) else "0"
    rest = parts[1:] if head != "0" else parts
    return f"{y} = {head} " + " ".join(rest) if rest else f"{y} = {head}"
