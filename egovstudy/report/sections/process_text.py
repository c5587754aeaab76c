"""Chapter sentences for the PROCESS models other than simple mediation (model 4).

Every number comes from the :class:`~egovstudy.mediation.ProcessResult` (the same rows the
chapter's effects table shows, at the table's three decimals); every word comes from the
message catalogues (``egovstudy/report/messages``). The functions take the chapter's
document builder (``t``, ``num``, ``p``, ``para``, ``figure``; see ``report/chapter.py``)
so that the sentences follow its language and decimal mark.

What is written, by model (Hayes 2022):

* moderation (1, 2, 3): the test of the highest-order interaction (ΔR², F with its df, p),
  the conditional effects of X at the moderator values (mean - 1 SD, mean, mean + 1 SD, or
  every category), the Johnson-Neyman region and its figure;
* moderated mediation (7, 8, 14, 15, 21, 58, 59, 74): the conditional indirect effects with
  their bootstrap intervals and the index of moderated mediation with its interval,
  "moderated mediation is / is not supported" when the interval excludes / includes zero
  (Hayes 2015); 58 and 59 have no index (W on both paths): the sentence says so;
* serial (6) and parallel mediation: every specific indirect effect and, when the engine
  gives them, the pairwise contrasts;
* a multicategorical X: the omnibus F test of its relative effects in every equation.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from itertools import pairwise
from typing import Any

__all__ = ["describe_process", "jn_figure", "jn_regions"]

_PERCENTILE = re.compile(r"\bp(16|50|84)\b")
_NO_MED = (1, 2, 3)


def _lab(labels: Mapping[str, str], name: Any) -> str:
    return str(labels.get(str(name), name))


def _ci(doc: Any, level: float, lo: float, hi: float) -> str:
    return (f"{doc.t('ci_label', level=round(level * 100))} "
            f"[{doc.num(lo, 3)}, {doc.num(hi, 3)}]")


def _at(doc: Any, res: Any, row: Mapping[str, Any], labels: Mapping[str, str]) -> str:
    """``W = 3.12`` (and ``, Z = 1``) from a probe row; the category name when W is
    categorical (its value is then missing)."""
    import math

    v = res.variables
    label = str(row["term"]).split(" | ", 1)[1] if " | " in str(row["term"]) else ""
    parts = []
    for role, col in (("w", "w_value"), ("z", "z_value")):
        name = v.get(role)
        if not name:
            continue
        if role == "w" and res.model == 74:
            continue
        val = row.get(col)
        if val is not None and not (isinstance(val, float) and math.isnan(val)):
            parts.append(f"{_lab(labels, name)} = {doc.num(float(val), 2)}")
        else:
            found = re.search(re.escape(str(name)) + r"=(\S+)", label)
            if found:
                parts.append(f"{_lab(labels, name)} = {found.group(1)}")
    return ", ".join(parts) if parts else label


def _probe_rows(frame: Any) -> Any:
    """Rows at mean - 1 SD, mean, mean + 1 SD (the percentile probes are in the table)."""
    keep = [not _PERCENTILE.search(str(t).split(" | ", 1)[-1]) for t in frame["term"]]
    return frame.loc[frame.index[keep]] if keep else frame


def jn_regions(jn: Any, level: float) -> list[tuple[float, float]]:
    """Intervals of W (original scale) where the conditional effect is significant.

    ``jn`` is a :class:`~egovstudy.mediation.JohnsonNeyman`; its grid includes the
    transition points, so each stretch between consecutive points is significant or not
    as a whole.

    Examples
    --------
    >>> import pandas as pd
    >>> from egovstudy.mediation import JohnsonNeyman
    >>> tab = pd.DataFrame({"w": [1.0, 2.0, 2.5, 3.0, 4.0],
    ...                     "p_value": [0.4, 0.2, 0.05, 0.01, 0.001]})
    >>> jn_regions(JohnsonNeyman([2.5], [40.0], tab), 0.95)
    [(2.5, 4.0)]
    """
    tab = jn.table
    w = tab["w"].to_numpy(dtype=float)
    p = tab["p_value"].to_numpy(dtype=float)
    alpha = 1 - level
    cuts = [float(w.min()), *[float(x) for x in jn.points], float(w.max())]
    out: list[tuple[float, float]] = []
    for lo, hi in pairwise(cuts):
        inside = (w > lo) & (w < hi)
        if not inside.any():
            mid = (lo + hi) / 2
            inside = abs(w - mid) == abs(w - mid).min()
        if bool((p[inside] < alpha).all()):
            if out and abs(out[-1][1] - lo) < 1e-12:
                out[-1] = (out[-1][0], hi)
            else:
                out.append((lo, hi))
    return out


def _jn_sentence(doc: Any, jn: Any, x: str, y: str, w: str, level: float) -> str:
    regions = jn_regions(jn, level)
    wmin, wmax = float(jn.table["w"].min()), float(jn.table["w"].max())
    if not jn.points:
        key = "sent_jn_all" if regions else "sent_jn_none"
        return doc.t(key, x=x, y=y, w=w, lo=doc.num(wmin, 2), hi=doc.num(wmax, 2))
    ranges = f" {doc.t('word_and')} ".join(
        doc.t("jn_range", lo=doc.num(a, 2), hi=doc.num(b, 2)) for a, b in regions)
    points = "; ".join(doc.t("jn_point", w=w, v=doc.num(v, 2), pct=doc.num(pct, 1))
                       for v, pct in zip(jn.points, jn.pct_below))
    return doc.t("sent_jn_region", x=x, y=y, w=w, alpha=doc.num(1 - level, 2),
                 ranges=ranges or doc.t("jn_nowhere"), points=points)


def jn_figure(jn: Any, *, x: str, y: str, w: str, level: float, language: str,
              ax: Any = None) -> Any:
    """Conditional effect of X across W with its interval and the significant region.

    Drawn from the result's Johnson-Neyman grid: ``ProcessResult`` keeps the grid, not
    the coefficients' covariance that :func:`egovstudy.report.figures.johnson_neyman_plot`
    needs, so this plots the same numbers the sentence cites.

    Examples
    --------
    >>> import matplotlib; _ = matplotlib.use("Agg")
    >>> import pandas as pd
    >>> from egovstudy.mediation import JohnsonNeyman
    >>> tab = pd.DataFrame({"w": [1.0, 2.0, 3.0], "estimate": [0.1, 0.3, 0.5],
    ...                     "p_value": [0.4, 0.05, 0.01], "ci_low": [-0.1, 0.0, 0.2],
    ...                     "ci_high": [0.3, 0.6, 0.8]})
    >>> ax = jn_figure(JohnsonNeyman([2.0], [33.3], tab), x="X", y="Y", w="W",
    ...                level=0.95, language="en")
    >>> ax.get_xlabel()
    'W'
    """
    import matplotlib.pyplot as plt

    from egovstudy.report.figures import GREY, OKABE_ITO
    from egovstudy.report.language import text

    if ax is None:
        _, ax = plt.subplots(figsize=(5.5, 3.6))
    tab = jn.table
    wv = tab["w"].to_numpy(dtype=float)
    lo, hi = tab["ci_low"].to_numpy(dtype=float), tab["ci_high"].to_numpy(dtype=float)
    ax.fill_between(wv, lo, hi, color=OKABE_ITO[1], alpha=0.3, linewidth=0)
    ax.plot(wv, tab["estimate"].to_numpy(dtype=float), color=OKABE_ITO[3])
    ymin, ymax = float(lo.min()), float(hi.max())
    for a, b in jn_regions(jn, level):
        ax.axvspan(a, b, color=OKABE_ITO[2], alpha=0.12, linewidth=0)
    for point in jn.points:
        ax.axvline(point, color=OKABE_ITO[2], linestyle="--", linewidth=1)
    ax.set_ylim(ymin - 0.05 * (ymax - ymin), ymax + 0.05 * (ymax - ymin))
    ax.axhline(0, color=GREY, linewidth=0.8)
    ax.set_xlabel(w)
    ax.set_ylabel(text("conditional_effect", language, x=x, y=y))
    return ax


def _interaction(doc: Any, res: Any, labels: Mapping[str, str], level: float) -> None:
    """ΔR², F(df1, df2) and p of the highest-order product block on Y (models 1-3)."""
    v = res.variables
    y = v["y"]
    tests = res.tests[(res.tests["outcome"] == y) & res.tests["term"].str.contains(":")]
    if tests.empty:
        return
    top = tests.loc[tests["term"].str.count(":").idxmax()]
    fit = res.model_fit[res.model_fit["outcome"] == y].iloc[0]
    dr2 = ""
    if res.options.get("vcov", "classical") == "classical":
        # the Wald F of a block equals the nested-model F test: ΔR² = F df1 (1 - R²) / df2
        d = float(top["f"]) * float(top["df1"]) * (1 - float(fit["r2"])) / float(top["df2"])
        dr2 = f"ΔR² = {doc.num(d, 3)}, "
    names = [_lab(labels, name) for name in str(top["term"]).split(":")]
    sig = float(top["p_value"]) < 1 - level
    doc.para(doc.t("sent_interaction", terms=" × ".join(names), y=_lab(labels, y), dr2=dr2,
                   df1=f"{int(top['df1'])}", df2=f"{int(top['df2'])}",
                   f=doc.num(float(top["f"]), 2), p=doc.p(float(top["p_value"])),
                   x=_lab(labels, v["x"]), w=" × ".join(names[1:]) or names[0],
                   verdict=doc.t("moderation_yes" if sig else "moderation_no")))


def _conditional_effects(doc: Any, res: Any, labels: Mapping[str, str], part: str,
                         key: str) -> None:
    eff = _probe_rows(res.effects[res.effects["part"] == part])
    if eff.empty:
        return
    v = res.variables
    items = [f"{_at(doc, res, r, labels)}: b = {doc.num(float(r['estimate']), 3)}, "
             f"{doc.p(float(r['p_value']))}" for _, r in eff.iterrows()]
    doc.para(doc.t(key, x=_lab(labels, v["x"]), y=_lab(labels, v["y"]),
                   items="; ".join(items)))


def _chain_label(term: str, labels: Mapping[str, str]) -> str:
    path = str(term).split(" | ", 1)[0]
    return " → ".join(_lab(labels, p) for p in path.split(" -> "))


def _indirect(doc: Any, res: Any, labels: Mapping[str, str], level: float) -> None:
    v = res.variables
    eff = res.effects
    ind = eff[eff["part"].isin(["indirect", "relative_indirect"])]
    x, y = _lab(labels, v["x"]), _lab(labels, v["y"])
    if len(ind) > 1 or res.model == 6:
        items = []
        for _, r in ind.iterrows():
            name = (doc.t("total_indirect") if str(r["term"]).startswith("total")
                    else _chain_label(r["term"], labels))
            items.append(f"{name}: {doc.num(float(r['estimate']), 3)}, "
                         f"{_ci(doc, level, float(r['ci_low']), float(r['ci_high']))}")
        doc.para(doc.t("sent_specific_indirect", x=x, y=y, items="; ".join(items)))
    con = eff[eff["part"] == "contrast"]
    if not con.empty:
        items = [f"{_lab(labels, str(r['term']).split(' minus ')[0])} − "
                 f"{_lab(labels, str(r['term']).split(' minus ')[1])}: "
                 f"{doc.num(float(r['estimate']), 3)}, "
                 f"{_ci(doc, level, float(r['ci_low']), float(r['ci_high']))}"
                 for _, r in con.iterrows()]
        doc.para(doc.t("sent_contrasts", items="; ".join(items)))


def _moderated_mediation(doc: Any, res: Any, labels: Mapping[str, str], level: float
                         ) -> list[dict[str, Any]]:
    """Conditional indirect effects and the index; returns one decision per index."""
    v = res.variables
    eff = res.effects
    cond = _probe_rows(eff[eff["part"].isin(["conditional_indirect",
                                             "relative_conditional_indirect"])])
    for path, grp in cond.groupby(cond["term"].str.split(" | ", n=1, regex=False).str[0],
                                  sort=False):
        items = [f"{_at(doc, res, r, labels)}: {doc.num(float(r['estimate']), 3)}, "
                 f"{_ci(doc, level, float(r['ci_low']), float(r['ci_high']))}"
                 for _, r in grp.iterrows()]
        doc.para(doc.t("sent_cond_indirect", path=_chain_label(path, labels),
                       items="; ".join(items)))
    decisions: list[dict[str, Any]] = []
    idx = eff[eff["part"].isin(["index_modmed", "conditional_index_modmed"])]
    if idx.empty and res.model != 6 and res.model not in _NO_MED and res.model not in (4, 5):
        mod = _lab(labels, v.get("w") or v["x"])
        doc.para(doc.t("sent_index_none", w=mod))
        return decisions
    for _, r in idx.iterrows():
        term = str(r["term"])
        head, _, cond_on = term.partition(" | ")
        path, _, by = head.partition(" by ")
        lo, hi = float(r["ci_low"]), float(r["ci_high"])
        supported = lo > 0 or hi < 0
        at = _at(doc, res, r, labels) if cond_on else ""
        doc.para(doc.t("sent_index_modmed", w=_lab(labels, by), path=_chain_label(path, labels),
                       at=f" ({at})" if at else "", b=doc.num(float(r["estimate"]), 3),
                       ci=_ci(doc, level, lo, hi),
                       verdict=doc.t("excludes" if supported else "includes"),
                       decision=doc.t("modmed_yes" if supported else "modmed_no")))
        decisions.append({"term": term, "estimate": float(r["estimate"]), "ci_low": lo,
                          "ci_high": hi, "supported": supported})
    return decisions


def _omnibus(doc: Any, res: Any, labels: Mapping[str, str]) -> None:
    v = res.variables
    tests = res.tests[res.tests["term"] == v["x"]]
    for _, r in tests.iterrows():
        outcome = str(r["outcome"]).replace(" (total effect model)", "")
        doc.para(doc.t("sent_omnibus", x=_lab(labels, v["x"]), k=f"{int(r['df1'])}",
                       y=_lab(labels, outcome), df1=f"{int(r['df1'])}",
                       df2=f"{int(r['df2'])}", f=doc.num(float(r["f"]), 2),
                       p=doc.p(float(r["p_value"]))))


def describe_process(doc: Any, res: Any, labels: Mapping[str, str], *, level: float,
                     add_figure: Callable[[str, Any], Any] | None = None
                     ) -> list[dict[str, Any]]:
    """Write the sentences (and the Johnson-Neyman figure) of one PROCESS result.

    Parameters
    ----------
    doc : chapter document builder
        Has ``t(key, **fields)``, ``num(x, digits)``, ``p(x)``, ``para(text)`` and
        ``language``.
    res : ProcessResult
        Any model; model 4 with a numeric X writes nothing here (the chapter has its
        own sentences for it).
    labels : mapping
        Printed names of the variables.
    level : float
        Confidence level of the intervals (the study's ``ci``).
    add_figure : callable, optional
        ``add_figure(title, matplotlib_figure)`` puts a figure in the chapter; ``None``
        writes no figure.

    Returns
    -------
    list of dict
        One entry per index of moderated mediation: term, estimate, ci_low, ci_high,
        supported.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from egovstudy.mediation import process
    >>> class Doc:
    ...     language, paras = "en", []
    ...     def t(self, key, **kw):
    ...         from egovstudy.report.language import text
    ...         return text(key, "en", **kw)
    ...     def num(self, x, digits=2): return f"{x:.{digits}f}"
    ...     def p(self, x): return f"p = {x:.3f}"
    ...     def para(self, s): self.paras.append(s)
    >>> rng = np.random.default_rng(1)
    >>> d = pd.DataFrame({"x": rng.normal(size=200), "w": rng.normal(size=200)})
    >>> d["y"] = d.x + 0.5 * d.x * d.w + rng.normal(size=200)
    >>> doc = Doc()
    >>> _ = describe_process(doc, process(d, model=1, x="x", w="w", y="y"), {}, level=0.95)
    >>> doc.paras[0].startswith("The interaction x × w on y")
    True
    """
    v = res.variables
    multi = bool(res.options.get("x_coding"))
    if res.model == 4 and not multi:
        return []
    if multi:
        _omnibus(doc, res, labels)
    decisions: list[dict[str, Any]] = []
    if res.model in _NO_MED:
        _interaction(doc, res, labels, level)
        _conditional_effects(doc, res, labels, "relative_conditional_effect" if multi
                             else "conditional_effect", "sent_cond_effects")
    else:
        _conditional_effects(doc, res, labels, "relative_conditional_direct" if multi
                             else "conditional_direct", "sent_cond_direct")
        _indirect(doc, res, labels, level)
        decisions = _moderated_mediation(doc, res, labels, level)
    first = True
    for key, jn in res.johnson_neyman_paths.items():
        focal, _, rest = key.partition(" -> ")
        outcome, _, mod = rest.partition(" by ")
        if focal not in (v["x"], *v["m"]):
            continue            # a code of a multicategorical X: no single region
        names = {"x": _lab(labels, focal), "y": _lab(labels, outcome), "w": _lab(labels, mod)}
        doc.para(_jn_sentence(doc, jn, level=level, **names))
        if first and add_figure is not None:
            import matplotlib.pyplot as plt

            from egovstudy.report.style import house_style

            first = False
            with house_style():
                fig, ax = plt.subplots(figsize=(5.5, 3.6))
                jn_figure(jn, level=level, language=doc.language, ax=ax, **names)
                fig.tight_layout()
            add_figure(doc.t("fig_jn", **names), fig)
    return decisions
