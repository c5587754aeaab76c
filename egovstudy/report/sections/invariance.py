"""Chapter section: measurement invariance across groups (study key ``invariance``).

The first-order constructs of the hypotheses (codebook items) in a multi-group CFA at
each level (configural, metric, scalar, strict) with
:func:`egovstudy.measurement.invariance.invariance`; the table and the decision sentence
(ΔCFI > -.010, Cheung & Rensvold 2002; ΔRMSEA < .015, Chen 2007) come from its result.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

__all__ = ["first_order", "invariance_section"]


def first_order(measurement: str) -> str:
    """The measurement lines whose indicators are items (second-order lines dropped).

    Examples
    --------
    >>> print(first_order("a =~ a1 + a2\\nb =~ b1 + b2\\nd =~ a + b"))
    a =~ a1 + a2
    b =~ b1 + b2
    """
    latent = set(re.findall(r"^\s*([\w.]+)\s*=~", measurement, flags=re.M))
    return "\n".join(line for line in measurement.splitlines()
                     if not set(re.findall(r"[\w.]+", line.split("=~")[1])) <= latent)


def invariance_section(doc: Any, inp: Any, group_label: str,
                       memo: Callable[[str, Callable[[], Any]], Any]) -> None:
    """Fit the invariance levels (once for every language) and write the section."""
    from egovstudy.measurement.invariance import invariance
    from egovstudy.report.tables import frame_table
    from egovstudy.sem_model import study_sem_model

    opts = inp.invariance_options
    by = str(opts["by"])
    levels = list(opts.get("levels", ("configural", "metric", "scalar", "strict")))
    survey = inp.survey
    model = first_order(study_sem_model(inp.hypotheses, survey.codebook).measurement)
    names = set(re.findall(r"[\w.]+", model))
    data = survey.data[[c for c in survey.data.columns if c in names or c == by]]
    res = memo(f"invariance:{by}", lambda: invariance(model, data, by, levels=levels))
    doc.heading(doc.t("ch_invariance", group=group_label), 2)
    cols = ["level", "chisq", "df", "cfi", "rmsea", "delta_chisq", "delta_df", "p_value",
            "delta_cfi", "delta_rmsea", "supported"]
    frame = res.tidy(doc.language).rename(columns={"p_delta": "p_value"})
    for c in ("df", "delta_df"):
        frame[c] = frame[c].astype("Int64")
    heads = {"level": doc.t("inv_col_level"), "chisq": "χ²", "df": "df", "cfi": "CFI",
             "rmsea": "RMSEA", "delta_chisq": "Δχ²", "delta_df": "Δdf", "p_value": "p",
             "delta_cfi": "ΔCFI", "delta_rmsea": "ΔRMSEA",
             "supported": doc.t("inv_col_supported")}
    doc.table(frame_table(frame[cols],
                          title=doc.t("cap_invariance", group=group_label), headers=heads,
                          language=doc.language, decimal=doc.decimal, digits=3,
                          kind="invariance"))
    doc.para(res.sentence(doc.language).replace(repr(by), group_label).replace(by, group_label))


TITLE = "ch_invariance_plain"


def build(ctx: Any) -> None:
    """The study file's ``invariance: {by: ...}`` section, in the chapter's order."""
    by = ctx.inp.invariance_options.get("by")
    if by:
        invariance_section(ctx.doc, ctx.inp, ctx.unit_label(str(by)), ctx.memo)
