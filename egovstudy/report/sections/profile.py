"""Respondent profile: n and % of every categorical variable of the codebook."""

from __future__ import annotations

from typing import Any

from egovstudy.report.sections.context import Context

__all__ = ["TITLE", "build", "categorical_variables", "profile_frame"]

TITLE = "ch_profile"


def build(ctx: Context) -> None:
    """Every categorical variable of the codebook (no names assumed): n and %, a sentence each."""
    from egovstudy.report.tables import frame_table

    doc = ctx.doc
    doc.heading(doc.t("ch_profile"))
    variables = categorical_variables(ctx.cb, ctx.data.columns)
    if not variables:
        doc.para(doc.t("profile_none"))
        return
    frame = profile_frame(ctx.data, variables, ctx.language)
    heads = {"variable": doc.t("variable"), "category": doc.t("category"),
             "n": "n", "percent": "%"}
    t = doc.table(frame_table(frame, title=doc.t("cap_profile"), headers=heads,
                              language=ctx.language, decimal=ctx.decimal, digits=1,
                              kind="profile"))
    for _, grp in frame.groupby("variable", sort=False):
        top = grp.loc[grp["n"].idxmax()]
        doc.para(doc.t("sent_profile", table=t.number, variable=top["variable"],
                       group=top["category"], n=int(top["n"]),
                       pct=doc.num(top["percent"], 1)))


def categorical_variables(codebook: Any, columns: Any) -> list[Any]:
    """The codebook's categorical variables present in the data, in codebook order.

    Examples
    --------
    >>> from types import SimpleNamespace as NS
    >>> cb = NS(variables={"g": NS(name="g", type="categorical"), "a": NS(name="a",
    ...         type="integer")})
    >>> [v.name for v in categorical_variables(cb, ["g", "a"])]
    ['g']
    """
    return [v for v in (getattr(codebook, "variables", {}) or {}).values()
            if getattr(v, "type", None) == "categorical" and v.name in columns]


def _label(var: Any, language: str) -> str:
    lab = getattr(var, "label", None) or {}
    return str(lab.get(language) or lab.get("en") or var.name)


def profile_frame(data: Any, variables: list[Any], language: str) -> Any:
    """One row per category of each variable: variable, category, n, percent.

    Categories keep the codebook's order (its ``categories`` mapping, answer text ->
    code) and are printed as the answer text of the questionnaire; percent is of the
    respondents who answered that variable.

    Examples
    --------
    >>> import pandas as pd
    >>> from types import SimpleNamespace as NS
    >>> v = NS(name="g", label={"en": "Gender"}, categories={"Man": "m", "Woman": "w"})
    >>> df = pd.DataFrame({"g": ["m", "w", "w", None]})
    >>> profile_frame(df, [v], "en").round(1).values.tolist()
    [['Gender', 'Man', 1, 33.3], ['Gender', 'Woman', 2, 66.7]]
    """
    import pandas as pd

    rows = []
    for var in variables:
        col = data[var.name]
        counts = col.astype("object").value_counts(dropna=True)
        total = int(counts.sum())
        cats = dict(getattr(var, "categories", {}) or {})
        shown = {str(code): text for text, code in cats.items()}
        order = list(dict.fromkeys([*(str(c) for c in cats.values()),
                                    *(str(k) for k in counts.index)]))
        by_code = {str(k): int(v) for k, v in counts.items()}
        for code in order:
            n = by_code.get(code, 0)
            rows.append({"variable": _label(var, language), "category": shown.get(code, code),
                         "n": n, "percent": 100.0 * n / total if total else float("nan")})
    return pd.DataFrame(rows, columns=["variable", "category", "n", "percent"])
