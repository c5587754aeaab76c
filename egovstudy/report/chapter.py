"""The results chapter: one call turns a study into DOCX, Markdown and HTML.

:func:`results_chapter` runs the instrument tests, descriptives, regression
models with their classical assumption tests, the hypothesis tests, mediation
(PROCESS model 4) and PLS-SEM on a :class:`~egovstudy.survey.Survey` or a study
file, and writes numbered tables ("Table 4.1" / "Tabel 4.1"), numbered figures
and generated sentences in English or Indonesian. A section whose analysis
cannot run is skipped with a note in the document (and a warning).
"""

from __future__ import annotations

import dataclasses
import functools
import html as _html
import re
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from egovstudy._output import atomic_write_text
from egovstudy.errors import (
    EgovStudyError,
    IncompleteResultsError,
    OutputError,
    StatisticalWarning,
)
from egovstudy.report.language import check_decimal, check_language, text
from egovstudy.report.numbers import fmt_num, fmt_p_expr
from egovstudy.report.tables import (
    Table,
    _md_escape,
    assumption_table,
    correlation_table,
    descriptives_table,
    frame_table,
    hypothesis_table,
    mediation_table,
    pls_table,
    regression_table,
)
from egovstudy.report.writers import _comment, check_writable, save_docx, write_table

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["ChapterResult", "results_chapter"]

_CHAPTER_FORMATS = ("docx", "md", "html")


@dataclass
class _Figure:
    number: str
    title: str
    fig: Figure
    files: dict[str, Path] = field(default_factory=dict)


@dataclass
class ChapterResult:
    """What :func:`results_chapter` wrote.

    Attributes
    ----------
    documents : dict
        ``(language, format) -> Path`` of the chapter files.
    tables : dict
        ``language -> list of Table`` in chapter order.
    table_files, figure_files : list of Path
        Every table and figure file written.
    skipped : list of str
        Sections skipped and why.
    """

    documents: dict[tuple[str, str], Path] = field(default_factory=dict)
    tables: dict[str, list[Table]] = field(default_factory=dict)
    figures: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    table_files: list[Path] = field(default_factory=list)
    figure_files: list[Path] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """One line per document plus counts of tables, figures and skipped sections."""
        lines = [f"{lang}/{fmt}: {p}" for (lang, fmt), p in self.documents.items()]
        for lang, tabs in self.tables.items():
            lines.append(f"{lang}: {len(tabs)} tables, {len(self.figures.get(lang, []))} figures")
        lines.append(f"{len(self.table_files)} table files, {len(self.figure_files)} figure files")
        lines += [f"skipped: {s}" for s in self.skipped]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        return "<pre>" + _html.escape(self.summary()) + "</pre>"


# ---------------------------------------------------------------------------- assembly
_VERDICTS_ID = [
    (r"^not normal$", "tidak normal"), (r"^normal$", "normal"),
    (r"^homoskedastic$", "homoskedastis"), (r"^heteroskedastic$", "heteroskedastis"),
    (r"^no multicollinearity$", "tidak ada multikolinearitas"),
    (r"^multicollinearity$", "multikolinearitas"),
    (r"^no autocorrelation$", "tidak ada autokorelasi"),
    (r"^positive autocorrelation$", "autokorelasi positif"),
    (r"^negative autocorrelation$", "autokorelasi negatif"),
    (r"^autocorrelation$", "autokorelasi"), (r"^inconclusive$", "tidak dapat disimpulkan"),
    (r"^correctly specified$", "spesifikasi tepat"), (r"^misspecified$", "salah spesifikasi"),
    (r"^(\d+) influential cases?$", r"\1 kasus berpengaruh"),
    (r"^(\d+) high-leverage cases?$", r"\1 kasus leverage tinggi"),
    (r"^(\d+) outliers?$", r"\1 pencilan"), (r"^no outliers$", "tidak ada pencilan"),
    (r"^no influential cases$", "tidak ada kasus berpengaruh"),
    (r"^no high-leverage cases$", "tidak ada kasus leverage tinggi"),
    (r"^reliable$", "reliabel"), (r"^acceptable$", "cukup reliabel"),
    (r"^unreliable$", "tidak reliabel"),
]


def _translate_verdict(value: Any, language: str) -> Any:
    if language != "id" or not isinstance(value, str):
        return value
    for pattern, repl in _VERDICTS_ID:
        if re.match(pattern, value.strip()):
            return re.sub(pattern, repl, value.strip())
    return value


class _Doc:
    """Ordered blocks of a chapter, numbered as they are added."""

    def __init__(self, language: str, decimal: str, chapter: int | str) -> None:
        self.language = language
        self.decimal = decimal
        self.chapter = str(chapter)
        self.blocks: list[tuple[str, Any]] = []
        self.tables: list[Table] = []
        self.figures: list[_Figure] = []
        self.skipped: list[str] = []

    def t(self, key: str, **kw: Any) -> str:
        if kw:  # the cut-offs a sentence cites ({c50} = 0,50), in the chapter's decimal mark
            kw = {**{f"c{v:02d}": fmt_num(v / 100, 2, decimal=self.decimal)
                     for v in (5, 50, 60, 70, 85, 90)}, **kw}
        return text(key, self.language, **kw)

    def heading(self, txt: str, level: int = 1) -> None:
        self.blocks.append(("heading", (level, txt)))

    def para(self, txt: str) -> None:
        if txt:
            self.blocks.append(("para", txt))

    def table(self, table: Table) -> Table:
        numbered = table.with_number(f"{self.chapter}.{len(self.tables) + 1}")
        self.tables.append(numbered)
        self.blocks.append(("table", numbered))
        return numbered

    def figure(self, title: str, fig: Figure) -> _Figure:
        f = _Figure(f"{self.chapter}.{len(self.figures) + 1}", title, fig)
        self.figures.append(f)
        self.blocks.append(("figure", f))
        return f

    def skip(self, section: str, reason: str) -> None:
        msg = f"{section}: {reason}"
        self.skipped.append(msg)
        self.blocks.append(("note", self.t("note_skipped", reason=msg)))
        warnings.warn(f"results_chapter skipped {msg}", StatisticalWarning, stacklevel=3)

    def num(self, x: Any, digits: int = 2, **kw: Any) -> str:
        return fmt_num(x, digits, decimal=self.decimal, **kw)

    def p(self, x: Any) -> str:
        return fmt_p_expr(x, decimal=self.decimal)


def _section(doc: _Doc, name: str, fn: Callable[[], None]) -> None:
    try:
        fn()
    except (ImportError, AttributeError, EgovStudyError, KeyError) as exc:
        # the chapter gets the user-facing reason; internal errors only a pointer to the log
        if isinstance(exc, EgovStudyError):
            reason = " ".join(str(exc).split())
        elif isinstance(exc, ImportError):
            reason = f"the optional package {exc.name or ''} is not installed".replace("  ", " ")
        else:
            reason = "it could not be computed from these inputs (internal error; see the log)"
            warnings.warn(f"results_chapter: {name}: {type(exc).__name__}: {exc}",
                          StatisticalWarning, stacklevel=2)
        doc.skip(name, reason)


# ---------------------------------------------------------------------------- inputs
@dataclass
class _Inputs:
    survey: Any
    predictors: list[str]
    outcome: str | None
    mediator: str | None
    covariates: list[str]
    cluster: str | None
    hypotheses: list[Any]
    title: dict[str, str]
    n_boot: int
    ci: float
    seed: int
    pls: bool
    process: bool
    pls_options: dict[str, Any] = field(default_factory=dict)
    process_options: dict[str, Any] = field(default_factory=dict)
    invalid_items: str = "keep"
    sem_options: dict[str, Any] = field(default_factory=dict)
    invariance_options: dict[str, Any] = field(default_factory=dict)


def _resolve(source: Any, *, model: Any, hypotheses: Any, n_boot: int | None,
             seed: int | None, pls: bool | None) -> _Inputs:
    from egovstudy.study import StudySpec, read_study

    spec = None
    if isinstance(source, str | Path):
        p = Path(source)
        if p.is_dir():
            p = p / "study.yaml"
        spec = read_study(p)
    elif isinstance(source, StudySpec):
        spec = source
    if spec is not None:
        from egovstudy.study import load_study_survey

        _, survey = load_study_survey(spec)
        if model is None and hypotheses is None:
            from egovstudy.resolve import check_study_names

            check_study_names(spec, survey)
        m = model or spec.model
        hyps = list(hypotheses) if hypotheses is not None else list(spec.hypotheses)
        est = spec.estimators
        return _Inputs(survey, list(m.predictors), m.outcome, m.mediator, list(m.covariates),
                       m.cluster, hyps, dict(spec.title), n_boot or spec.n_boot, spec.ci,
                       spec.seed if seed is None else seed,
                       est.get("pls_sem", True) if pls is None else pls,
                       est.get("process", True), dict(spec.pls), dict(spec.process),
                       getattr(spec, "invalid_items", "keep"),
                       dict(getattr(spec, "sem", {})), dict(getattr(spec, "invariance", {})))
    if not hasattr(source, "data") or not hasattr(source, "codebook"):
        raise OutputError("results_chapter needs a Survey, a StudySpec or the path of a study "
                          f"file, got {type(source).__name__}")
    if model is None:
        return _Inputs(source, [], None, None, [], None, list(hypotheses or []), {},
                       n_boot or 5000, 0.95, 2026 if seed is None else seed, bool(pls), True)
    return _Inputs(source, list(model.predictors), model.outcome, model.mediator,
                   list(model.covariates), model.cluster, list(hypotheses or []), {},
                   n_boot or 5000, 0.95, 2026 if seed is None else seed,
                   True if pls is None else pls, True)


def _hyp(h: Any) -> dict[str, Any]:
    if isinstance(h, Mapping):
        return {"id": h.get("id"), "source": h.get("source", h.get("from")),
                "target": h.get("target", h.get("to")), "via": h.get("via"),
                "direction": h.get("direction", "positive"),
                "tail": h.get("tail", "two-sided")}
    return {"id": h.id, "source": h.source, "target": h.target, "via": h.via,
            "direction": h.direction, "tail": getattr(h, "tail", "two-sided")}


# ---------------------------------------------------------------------------- the chapter
def _build(inp: _Inputs, language: str, decimal: str, chapter: int | str,
           cache: dict[str, Any]) -> _Doc:
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    from egovstudy.report import figures as F
    from egovstudy.report.style import house_style

    doc = _Doc(language, decimal, chapter)
    survey = inp.survey

    def memo(key: str, thunk: Callable[[], Any]) -> Any:
        """Analyses run once; every language formats the same results."""
        if key not in cache:
            with warnings.catch_warnings():
                if cache.get("_seen_" + key):
                    warnings.simplefilter("ignore")
                cache[key] = thunk()
        return cache[key]

    data = survey.data
    cb = survey.codebook

    def lab(name: str) -> str:
        con = cb.constructs.get(name)
        if con is not None and isinstance(con.label, Mapping):
            return str(con.label.get(language) or con.label.get("en") or name)
        return name

    labels = {c: lab(c) for c in cb.constructs}

    def unit_label(column: str) -> str:
        """The cluster column as the codebook labels it (no column name is assumed)."""
        var = cb.variables.get(column)
        if var is not None and var.label:
            return str(var.label.get(language) or var.label.get("en") or column)
        if column in ("agency", "region"):  # the codebook's columns.agency / columns.region
            return doc.t(f"unit_{column}")
        return labels.get(column, column)

    citems = survey.construct_items()
    doc.heading(f"{chapter}. {doc.t('ch_title')}", 0)
    title = inp.title.get(language)
    if title:
        doc.para(title)

    # -- respondents
    def respondents() -> None:
        doc.heading(doc.t("ch_respondents"))
        n = len(data)
        dropped = survey.quality.n_in - n if hasattr(survey, "quality") else 0
        if inp.cluster and inp.cluster in data.columns:
            doc.para(doc.t("sent_n", n=n, k=data[inp.cluster].nunique(),
                           unit=unit_label(inp.cluster), dropped=dropped))
        else:
            doc.para(doc.t("sent_n_nounit", n=n, dropped=dropped))
        rules = survey.quality.rules()
        cols = [c for c in ("rule", "policy", "n_flagged", "n_removed") if c in rules.columns]
        heads = {"en": {"rule": "Rule", "policy": "Policy", "n_flagged": "Flagged",
                        "n_removed": "Removed"},
                 "id": {"rule": "Aturan", "policy": "Kebijakan", "n_flagged": "Ditandai",
                        "n_removed": "Dikeluarkan"}}[language]
        doc.table(frame_table(rules, title=doc.t("cap_quality"), columns=cols, headers=heads,
                              language=language, decimal=decimal, kind="quality"))

    _section(doc, doc.t("ch_respondents"), respondents)

    # -- respondent profile: every categorical variable of the codebook (no names assumed)
    def profile() -> None:
        from egovstudy.report.sections.profile import categorical_variables, profile_frame

        doc.heading(doc.t("ch_profile"))
        variables = categorical_variables(cb, data.columns)
        if not variables:
            doc.para(doc.t("profile_none"))
            return
        frame = profile_frame(data, variables, language)
        heads = {"variable": doc.t("variable"), "category": doc.t("category"),
                 "n": "n", "percent": "%"}
        t = doc.table(frame_table(frame, title=doc.t("cap_profile"), headers=heads,
                                  language=language, decimal=decimal, digits=1,
                                  kind="profile"))
        for _, grp in frame.groupby("variable", sort=False):
            top = grp.loc[grp["n"].idxmax()]
            doc.para(doc.t("sent_profile", table=t.number, variable=top["variable"],
                           group=top["category"], n=int(top["n"]),
                           pct=doc.num(top["percent"], 1)))

    _section(doc, doc.t("ch_profile"), profile)

    # -- instrument tests
    def instrument() -> None:
        from egovstudy.measurement import instrument_report

        doc.heading(doc.t("ch_instrument"))
        ir = memo("instrument", lambda: instrument_report(survey))
        items = ir.items.copy()
        items["construct"] = items["construct"].map(lambda c: labels.get(c, c))
        cols = [c for c in ("construct", "item", "r_rest", "r_critical", "loading",
                            "alpha_if_deleted", "valid") if c in items.columns]
        heads = {"r_rest": column_label_r(language), "r_critical": column_label_rc(language)}
        t = frame_table(items, title=doc.t("cap_validity"), columns=cols, headers=heads,
                        verdict_columns={"valid": ("valid", "invalid")}, language=language,
                        decimal=decimal, kind="validity")
        t = dataclasses.replace(t, notes=({
            "en": f"r = corrected item-total correlation; critical r at α = {ir_alpha(ir)}; "
                  f"an item is valid when r exceeds the critical r and {ir.min_r_rest:.2f}, "
                  f"and its loading is at least {ir.min_loading:.2f}.",
            "id": f"r hitung = korelasi butir-total terkoreksi; r tabel pada α = {ir_alpha(ir)}; "
                  f"butir valid bila r hitung > r tabel dan ≥ {ir.min_r_rest:.2f}, serta "
                  f"loading ≥ {ir.min_loading:.2f}."}[language],))
        vt = doc.table(t)
        doc.para(doc.t("sent_validity_table", table=vt.number))
        weak = ir.weak_items
        if weak:
            doc.para({"en": f"{len(weak)} item(s) did not meet the validity criteria: "
                            f"{', '.join(weak)}.",
                      "id": f"Sebanyak {len(weak)} butir tidak memenuhi kriteria validitas: "
                            f"{', '.join(weak)}."}[language])
            invalid_items_decision(list(weak))
        else:
            doc.para({"en": "All items meet the validity criteria.",
                      "id": "Seluruh butir memenuhi kriteria validitas."}[language])
        cons = ir.constructs.copy()
        cons["construct"] = cons["construct"].map(lambda c: labels.get(c, c))
        cons["verdict"] = cons["verdict"].map(lambda v: _translate_verdict(v, language))
        ccols = [c for c in ("construct", "n_items", "alpha", "omega_total", "rho_c", "ave",
                             "verdict") if c in cons.columns]
        chead = {"n_items": {"en": "Items", "id": "Butir"}[language], "omega_total": "ω",
                 "rho_c": "CR"}
        rt = frame_table(cons, title=doc.t("cap_reliability"), columns=ccols, headers=chead,
                         language=language, decimal=decimal, kind="reliability")
        rt = dataclasses.replace(rt, notes=({
            "en": "α = Cronbach's alpha; ω = McDonald's omega; CR = composite reliability; "
                  "AVE = average variance extracted. Reliable at α ≥ .70, acceptable at "
                  ".60–.70.",
            "id": "α = Cronbach's alpha; ω = omega McDonald; CR = reliabilitas komposit; "
                  "AVE = average variance extracted. Reliabel bila α ≥ .70, cukup reliabel "
                  "bila .60–.70."}[language],))
        rt = doc.table(rt)
        for s in ir.constructs.get(f"sentence_{language}", []):
            doc.para(str(s))
        convergent(ir.constructs, rt.number)
        discriminant()

    def invalid_items_decision(weak: list[str]) -> None:
        """The study's ``instrument.invalid_items`` decision, applied before later sections."""
        nonlocal data, cb, citems
        from egovstudy.report.sections.instrument import drop_invalid_items

        if inp.invalid_items == "drop":
            new = memo("drop_invalid", lambda: drop_invalid_items(data, cb, weak))
            data, cb, dropped = new
            citems = cb.construct_items()
            kept = [w for w in weak if w not in dropped]
            if dropped:
                doc.para(doc.t("sent_invalid_drop", items=", ".join(dropped)))
            if kept:  # the construct's only items: nothing would be left to score
                doc.para(doc.t("sent_invalid_keep", items=", ".join(kept)))
        else:
            doc.para(doc.t("sent_invalid_keep", items=", ".join(weak)))

    def convergent(cons: Any, number: str | None) -> None:
        from egovstudy.report.sections.instrument import low_ave

        low = low_ave(cons)
        if low.empty:
            doc.para(doc.t("sent_convergent_ok", table=number))
            return
        names = ", ".join(f"{labels.get(c, c)} ({doc.num(a, 3, leading_zero=False)})"
                          for c, a in zip(low["construct"], low["ave"]))
        weak_cr = low[low["rho_c"] <= 0.60]
        if weak_cr.empty:
            verdict = doc.t("cr_all_above", crs=", ".join(
                doc.num(v, 3, leading_zero=False) for v in low["rho_c"]))
        else:
            verdict = doc.t("cr_not_all", constructs=", ".join(
                labels.get(c, c) for c in weak_cr["construct"]))
        doc.para(doc.t("sent_convergent_low", table=number, constructs=names, verdict=verdict))

    def discriminant() -> None:
        import pandas as pd

        from egovstudy.measurement import fornell_larcker, htmt
        from egovstudy.report.sections.instrument import fornell_larcker_ok

        groups = {c: its for c, its in survey.construct_items().items() if len(its) >= 2}
        if len(groups) < 2:
            return
        h = memo("htmt", lambda: htmt(survey.data, groups))
        pairs = h.pairs.copy()
        pairs["term"] = [" – ".join(labels.get(p, p) for p in str(t).split(" - "))
                         for t in pairs["term"]]
        ht = doc.table(frame_table(pairs, title=doc.t("cap_htmt"), columns=["term", "estimate"],
                                   headers={"term": doc.t("construct"), "estimate": "HTMT"},
                                   language=language, decimal=decimal, digits=3,
                                   kind="htmt"))
        top = pairs.loc[pairs["estimate"].idxmax()]
        doc.para(doc.t("sent_htmt", table=ht.number,
                       max=doc.num(top["estimate"], 3, leading_zero=False), pair=top["term"],
                       n_over=int((pairs["estimate"] > 0.85).sum()),
                       n_over90=int((pairs["estimate"] > 0.90).sum()), n_pairs=len(pairs)))
        fl = memo("fornell", lambda: fornell_larcker(survey.data, groups))
        ok = fornell_larcker_ok(fl)
        shown = fl.rename(index=labels, columns=labels)
        frame = pd.concat([pd.Series(list(shown.index), index=shown.index, name="construct"),
                           shown], axis=1)
        ft = doc.table(frame_table(frame, title=doc.t("cap_fornell"),
                                   headers={"construct": doc.t("construct")},
                                   language=language, decimal=decimal, digits=3,
                                   kind="fornell_larcker"))
        failed = [labels.get(c, c) for c, good in ok.items() if not good]
        doc.para(doc.t("sent_fornell", table=ft.number, n_ok=sum(ok.values()), n=len(ok),
                       failed=doc.t("fornell_failed", constructs=", ".join(failed))
                       if failed else ""))

    _section(doc, doc.t("ch_instrument"), instrument)

    # -- descriptives
    def descriptives() -> None:
        doc.heading(doc.t("ch_descriptives"))
        item_scales = _item_scales(cb, citems)
        values = sorted({v for sc in item_scales.values() for v in sc.values}) or [1, 2, 3, 4, 5]
        t = doc.table(descriptives_table(
            data, citems, values=values, labels=labels, language=language, decimal=decimal,
            item_values={c: sc.values for c, sc in item_scales.items()}))
        assert t.data is not None
        doc.para(doc.t("sent_descriptive_table", table=t.number))
        for _, r in t.data[t.data["level"] == "construct"].iterrows():
            doc.para(doc.t("sent_descriptive_t", table=t.number, construct=r["variable"],
                           mean=doc.num(r["mean"]), sd=doc.num(r["sd"]), category=r["category"]))
        # one diverging bar chart per answer scale, with that scale's own labels
        by_scale: dict[str, dict[str, list[str]]] = {}
        for construct, its in citems.items():
            for c in its:
                name = item_scales[c].name if c in item_scales else ""
                by_scale.setdefault(name, {}).setdefault(construct, []).append(c)
        for name, groups in by_scale.items():
            scale = next((item_scales[c] for its in groups.values() for c in its
                          if c in item_scales), None)
            vals = list(scale.values) if scale is not None else values
            n_items = sum(len(its) for its in groups.values())
            with house_style():
                fig, ax = plt.subplots(figsize=(6.5, min(9.0, 1.6 + 0.3 * n_items
                                                         + 0.3 * len(groups))))
                F.likert_bars(data, groups, values=vals, level="item", labels=labels,
                              language=language, ax=ax,
                              category_labels=_scale_labels(scale, language, len(vals)))
                fig.tight_layout()
            doc.figure(doc.t("fig_likert") + ("" if len(by_scale) == 1 else f" ({name})"), fig)
        scores = [c for c in citems if c in data.columns]
        if inp.mediator and inp.mediator in data.columns and inp.mediator not in scores:
            scores.append(inp.mediator)
        doc.table(correlation_table(data, scores, labels=labels, language=language,
                                    decimal=decimal))
        with house_style():
            fig, ax = plt.subplots(figsize=(7.0, 6.0))
            F.correlation_heatmap(data, scores, labels=labels, language=language, ax=ax)
            fig.tight_layout()
        doc.figure(doc.t("fig_heatmap"), fig)

    _section(doc, doc.t("ch_descriptives"), descriptives)

    # -- regression models and assumptions
    models: dict[str, Any] = {}

    def regression() -> None:
        from egovstudy.models import assumption_tests, ols

        if not inp.predictors or not inp.outcome:
            raise OutputError("no model given (predictors and outcome): pass a study file or "
                              "model=ModelSpec(...)")
        vcov: Any = {"cluster": inp.cluster} if inp.cluster else "classical"
        rhs = inp.predictors + inp.covariates
        if inp.mediator:
            models[inp.mediator] = memo(f"ols:{inp.mediator}", lambda: ols(
                f"{inp.mediator} ~ {' + '.join(rhs)}", data, vcov=vcov))
            rhs_y = [*inp.predictors, inp.mediator, *inp.covariates]
        else:
            rhs_y = rhs
        models[inp.outcome] = memo(f"ols:{inp.outcome}", lambda: ols(
            f"{inp.outcome} ~ {' + '.join(rhs_y)}", data, vcov=vcov))
        doc.heading(doc.t("ch_assumptions"))
        for y, res in list(models.items()):
            at = memo(f"assumptions:{y}", functools.partial(assumption_tests, res))
            raw_tidy = at.tidy()
            tidy = raw_tidy.copy()
            tidy["verdict"] = tidy["verdict"].map(lambda v: _translate_verdict(v, language))
            if language == "id" and "threshold" in tidy.columns:
                tidy["threshold"] = tidy["threshold"].map(
                    lambda v: _id_terms(v) if isinstance(v, str) else v)
            t = assumption_table(tidy, language=language, decimal=decimal, labels=labels)
            t = dataclasses.replace(t, title=f"{t.title}: {labels.get(y, y)}")
            doc.table(t)
            for s in at.sentences(language):
                doc.para(_id_terms(str(s)) if language == "id" else str(s))
            models[y] = conclusions(y, res, at, raw_tidy)
            with house_style():
                fig, axes = plt.subplots(2, 2, figsize=(7.5, 6.2))
                F.residual_diagnostics(res, language=language, axes=axes)
                fig.tight_layout()
            doc.figure(doc.t("fig_residuals", y=labels.get(y, y)), fig)
        doc.heading(doc.t("ch_hypotheses"))
        named = {f"{doc.t('model')} {i + 1}: {labels.get(y, y)}": r
                 for i, (y, r) in enumerate(models.items())}
        reg = regression_table(named, labels=labels, language=language, decimal=decimal)
        if inp.cluster:
            reg = dataclasses.replace(reg, notes=(*reg.notes, {
                "en": f"Standard errors are cluster-robust by {unit_label(inp.cluster)}.",
                "id": f"Galat baku dihitung dengan kovarians klaster menurut "
                      f"{unit_label(inp.cluster)}."
            }[language]))
        reg = doc.table(reg)
        tables["regression"] = reg.number
        for y, res in models.items():
            regression_text(y, res, reg.number)
            fs = res.fit_stats()
            sentence = doc.t("sent_regression", r2pct=doc.num(100 * fs["r2"], 1),
                             y=labels.get(y, y), df1=int(fs["f_df1"]), df2=int(fs["f_df2"]),
                             f=doc.num(fs["f"]), p=doc.p(fs["f_p_value"]))
            if inp.cluster:
                # the robust Wald F and its df come from the same covariance as the t tests
                sentence += " " + doc.t("sent_wald_f", cluster=unit_label(inp.cluster),
                                        g=int(fs["f_df2"]) + 1, df2=int(fs["f_df2"]))
            doc.para(sentence)
        with house_style():
            fig, ax = plt.subplots(figsize=(6.5, 4.2))
            F.coefficient_plot(named, labels=labels, language=language, ax=ax)
            fig.tight_layout()
        figures["coefs"] = doc.figure(doc.t("fig_coefs"), fig).number

    def conclusions(y: str, res: Any, at: Any, tidy: Any) -> Any:
        """One conclusion and remedy per assumption; returns the fit used from here on."""
        from egovstudy.models import ols
        from egovstudy.report.sections.assumptions import influential_rows, split_tests

        groups = split_tests(tidy)
        tests, bad = groups["normality"]
        if tests:
            doc.para(doc.t("concl_normal_bad", tests=", ".join(bad), n=int(res.n)) if bad
                     else doc.t("concl_normal_ok", tests=", ".join(tests)))
        tests, bad = groups["heteroskedasticity"]
        if tests and not bad:
            doc.para(doc.t("concl_hetero_ok", tests=", ".join(tests)))
        elif bad:
            if inp.cluster:
                remedy = doc.t("remedy_cluster", unit=unit_label(inp.cluster))
            else:  # the remedy is applied: the model is refitted with HC3 errors
                remedy = doc.t("remedy_hc3")
                res = memo(f"ols_hc3:{y}", lambda: ols(res.formula, data, vcov="HC3"))
            doc.para(doc.t("concl_hetero_bad", tests=", ".join(bad), remedy=remedy))
        vif = at.vif
        if vif is not None and len(vif):
            high = vif[vif["vif"] >= 10]
            if high.empty:
                top = vif.loc[vif["vif"].idxmax()]
                doc.para(doc.t("concl_vif_ok", vif=doc.num(top["vif"], 3),
                               term=labels.get(str(top["term"]), str(top["term"]))))
            else:
                doc.para(doc.t("concl_vif_bad", terms=", ".join(
                    labels.get(str(t), str(t)) for t in high["term"])))
        tests, bad = groups["autocorrelation"]
        if tests:
            doc.para(doc.t("concl_autocorr", tests=", ".join(tests),
                           verdict=doc.t("autocorr_yes" if bad else "autocorr_no")))
        rows_out = influential_rows(at.influence, int(res.n))
        if not rows_out:
            doc.para(doc.t("concl_influence_none"))
            return res
        drop = rows_out  # the fit's own row labels (diagnostics: "row" = data index)
        vcov_used: Any = {"cluster": inp.cluster} if inp.cluster else (
            "HC3" if bad else "classical")
        refit = memo(f"sensitivity:{y}", lambda: ols(res.formula, data.drop(index=drop),
                                                      vcov=vcov_used))
        full = res.tidy().set_index("term")
        new = refit.tidy().set_index("term")
        terms = [t for t in full.index if t in new.index and str(t) != "Intercept"]
        delta = {t: abs(float(full.loc[t, "estimate"]) - float(new.loc[t, "estimate"]))
                 for t in terms}
        worst = max(delta, key=lambda t: delta[t])
        changed = [labels.get(str(t), str(t)) for t in terms
                   if (full.loc[t, "p_value"] < 0.05) != (new.loc[t, "p_value"] < 0.05)]
        doc.para(doc.t("concl_influence", k=len(rows_out), delta=doc.num(delta[worst], 3),
                       term=labels.get(str(worst), str(worst)),
                       b_full=doc.num(full.loc[worst, "estimate"], 3),
                       b_refit=doc.num(new.loc[worst, "estimate"], 3),
                       sig=doc.t("sig_changed", terms=", ".join(changed)) if changed
                       else doc.t("sig_same")))
        return res

    def regression_text(y: str, res: Any, number: str | None) -> None:
        """Equation, t tabel and F tabel of one fit, from its own df (Indonesian theses)."""
        from egovstudy.report.sections.regression import critical_values, equation

        fs = res.fit_stats()
        t_tab, f_tab = critical_values(res.df_inference, fs["f_df1"], fs["f_df2"])
        doc.para(doc.t("sent_equation", table=number, y=labels.get(y, y),
                       equation=equation(res.tidy(), labels.get(y, y), labels,
                                         lambda v, d: doc.num(v, d))))
        doc.para(doc.t("sent_t_table", df=int(res.df_inference), t=doc.num(t_tab, 3)))
        above = fs["f"] > f_tab
        doc.para(doc.t("sent_f_table", df1=int(fs["f_df1"]), df2=int(fs["f_df2"]),
                       f_tab=doc.num(f_tab, 3), f=doc.num(fs["f"], 3),
                       verdict=doc.t("f_exceeds" if above else "f_below"),
                       joint=doc.t("joint_yes" if above else "joint_no"), y=labels.get(y, y)))

    tables: dict[str, str | None] = {}
    figures: dict[str, str] = {}
    _section(doc, doc.t("ch_hypotheses"), regression)

    # -- hypotheses (direct) + mediation
    rows: list[dict[str, Any]] = []

    def hypotheses() -> None:
        from egovstudy.models import test_hypotheses

        if not inp.hypotheses:
            raise OutputError("no hypotheses given")
        direct = [_hyp(h) for h in inp.hypotheses if not _hyp(h)["via"]]
        for h in direct:
            res = models.get(h["target"])
            if res is None:
                doc.skip(f"{h['id']}", f"no model of {h['target']} was estimated")
                continue
            hr = test_hypotheses(res, [{"id": h["id"], "term": h["source"],
                                        "direction": h["direction"],
                                        "tail": h["tail"]}]).tidy().iloc[0]
            std = res.tidy().set_index("term").loc[h["source"], "std_estimate"]
            rows.append({"hypothesis": h["id"],
                         "path": f"{labels.get(h['source'], h['source'])} → "
                                 f"{labels.get(h['target'], h['target'])}",
                         "estimate": hr["estimate"], "std_estimate": std,
                         "statistic": hr["statistic"], "p_value": hr["p_value"],
                         "tail": hr["tail"],
                         "supported": hr["decision"] == "supported"})
            discussion.append({"id": h["id"], "decision": hr["decision"],
                               "path": f"{labels.get(h['source'], h['source'])} → "
                                       f"{labels.get(h['target'], h['target'])}",
                               "stats": f"b = {doc.num(hr['estimate'], 3)}, "
                                        f"t({int(hr['df'])}) = {doc.num(hr['statistic'])}, "
                                        f"{doc.p(hr['p_value'])}"})
            if language == "id":
                doc.para("Hipotesis " + _with_labels(str(hr["sentence_id"]), labels))
                continue
            doc.para(doc.t("sent_hypothesis", hypothesis=h["id"],
                           path=f"{labels.get(h['source'], h['source'])} → "
                                f"{labels.get(h['target'], h['target'])}",
                           decision=doc.t("supported" if hr["decision"] == "supported"
                                          else "not_supported").lower(),
                           stats=f"b = {doc.num(hr['estimate'], 3)}, "
                                 f"t({int(hr['df'])}) = {doc.num(hr['statistic'])}, "
                                 f"{doc.p(hr['p_value'])} "
                                 f"({doc.t('tail_' + hr['tail'].replace('-', '_'))})"))

    discussion: list[dict[str, Any]] = []
    if models:
        _section(doc, doc.t("ch_hypotheses"), hypotheses)

    def mediation() -> None:
        from egovstudy.mediation import process
        from egovstudy.report.sections.process_text import describe_process

        popts = dict(inp.process_options)          # the study file's process: entry
        pmodel = int(popts.pop("model", 4))
        med = [_hyp(h) for h in inp.hypotheses if _hyp(h)["via"]]
        if pmodel in (1, 2, 3):                    # moderation of each direct hypothesis
            med = [h for h in map(_hyp, inp.hypotheses) if not h["via"] and not
                   {h["source"], h["target"]} & {popts.get("w"), popts.get("z")}]
        if not med:
            return
        doc.heading(doc.t("ch_moderation" if pmodel in (1, 2, 3) else "ch_mediation"))
        effect_rows = []
        boot_text = ""
        first = True
        for h in med:
            x, m, y = h["source"], h["via"], h["target"]
            covs = [c for c in inp.predictors + inp.covariates
                    if c not in (x, m, y, popts.get("w"), popts.get("z"))]
            res = memo(f"process:{x}:{m}:{y}", functools.partial(
                process, data, model=pmodel, x=x, m=m if pmodel > 3 else None, y=y,
                covariates=covs,
                n_boot=inp.n_boot, seed=inp.seed, ci=inp.ci, clusters=inp.cluster,
                progress=False, **popts))
            coef = res.coefficients
            eff = res.effects
            boot_text = res.bootstrap_text(language)
            if pmodel != 4 or popts.get("x_coding"):
                # the chapter's sentences are written for model 4 with a numeric X; other
                # models give their effects (with intervals) in the table only
                for _, e in eff[eff["ci_low"].notna()].iterrows():
                    effect_rows.append({"term": f"{h['id']}: {e['part']}: {e['term']}",
                                        "estimate": e["estimate"],
                                        "std_error": e["std_error"],
                                        "statistic": e["statistic"], "p_value": e["p_value"],
                                        "ci_low": e["ci_low"], "ci_high": e["ci_high"]})
                def add_fig(title: str, fig: Any, _h: str = h["id"]) -> None:
                    doc.figure(f"{title} ({_h})", fig)

                describe_process(doc, res, labels, level=inp.ci,
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
            for name, r in ((f"a ({labels.get(x, x)} → {labels.get(m, m)})", a),
                            (f"b ({labels.get(m, m)} → {labels.get(y, y)})", b),
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
            discussion.append({
                "id": h["id"], "decision": "supported" if supported else "not supported",
                "path": f"{labels.get(x, x)} → {labels.get(m, m)} → {labels.get(y, y)}",
                "stats": f"a × b = {doc.num(ind['estimate'], 3)}, "
                         f"{doc.t('ci_label', level=round(inp.ci * 100))} "
                         f"[{doc.num(lo, 3)}, {doc.num(hi, 3)}]"})
            boot_text = res.bootstrap_text(language, unit=unit_label(inp.cluster)
                                           if inp.cluster else None)
            doc.para(doc.t("sent_indirect", x=labels.get(x, x), y=labels.get(y, y),
                           m=labels.get(m, m), b=doc.num(ind["estimate"], 3),
                           ci_label=doc.t("ci_label", level=round(inp.ci * 100)),
                           lo=doc.num(lo, 3), hi=doc.num(hi, 3),
                           verdict=doc.t("excludes" if excludes else "includes")))
            # the type of mediation from the same effects as the table (Zhao, Lynch & Chen
            # 2010): indirect CI excluding zero, and whether the direct effect is significant
            direct_sig = float(direct["p_value"]) < 1 - inp.ci
            if not excludes:
                kind = "mediation_none"
            elif not direct_sig:
                kind = "mediation_full"
            elif float(direct["estimate"]) * float(ind["estimate"]) > 0:
                kind = "mediation_partial"
            else:
                kind = "mediation_competitive"
            doc.para(doc.t(kind, m=labels.get(m, m), p=doc.p(float(direct["p_value"]))))
            rows.append({"hypothesis": h["id"],
                         "path": f"{labels.get(x, x)} → {labels.get(m, m)} → {labels.get(y, y)}",
                         "estimate": ind["estimate"], "std_estimate": float("nan"),
                         "statistic": float("nan"), "p_value": float("nan"),
                         "supported": supported})
            if first:
                first = False
                paths = [{"source": x, "target": m, "estimate": a["estimate"],
                          "p_value": a["p_value"]},
                         {"source": m, "target": y, "estimate": b["estimate"],
                          "p_value": b["p_value"]},
                         {"source": x, "target": y, "estimate": direct["estimate"],
                          "p_value": direct["p_value"]}]
                import pandas as pd

                fit = res.model_fit.set_index("outcome")["r2"]
                with house_style():
                    fig, ax = plt.subplots(figsize=(6.5, 3.0))
                    F.path_diagram(pd.DataFrame(paths), labels=labels,
                                   r2={m: fit.get(m), y: fit.get(y)}, ax=ax)
                figures["path:" + h["id"]] = doc.figure(doc.t("fig_path") + f" ({h['id']})",
                                                        fig).number
                if res.boot is not None:
                    with house_style():
                        fig, ax = plt.subplots(figsize=(5.5, 3.4))
                        F.bootstrap_distribution(res.boot.samples[:, 0],
                                                 estimate=float(ind["estimate"]), ci=(lo, hi),
                                                 level=inp.ci, language=language, ax=ax)
                        fig.tight_layout()
                    doc.figure(doc.t("fig_boot") + f" ({h['id']})", fig)
        import pandas as pd

        vc = popts.get("vcov", "classical")
        path_note = doc.t("note_process_se",
                          vcov=doc.t("vcov_classical") if vc == "classical" else vc)
        if inp.cluster:
            path_note += " " + doc.t("note_process_se_cluster")
        mt = mediation_table(pd.DataFrame(effect_rows), language=language,
                             decimal=decimal, level=inp.ci, n_boot=inp.n_boot,
                             bootstrap=boot_text, extra_notes=(path_note,))
        if language == "id":
            mt = dataclasses.replace(mt, notes=tuple(_id_terms(n) for n in mt.notes))
        doc.table(mt)

    if inp.process:
        _section(doc, doc.t("ch_mediation"), mediation)

    if rows:
        import pandas as pd

        tables["hypotheses"] = doc.table(hypothesis_table(
            pd.DataFrame(rows), language=language, decimal=decimal)).number
        note = {"en": "Indirect effects (hypotheses through a mediator) are supported when "
                      "the bootstrap confidence interval excludes zero.",
                "id": "Efek tidak langsung (hipotesis melalui mediator) diterima bila interval "
                      "kepercayaan bootstrap tidak memuat nol."}[language]
        doc.para(note)

    if inp.sem_options.get("enabled"):              # study key sem: (wire19)
        from egovstudy.report.sections.sem import sem_section

        _section(doc, doc.t("ch_sem"), lambda: sem_section(doc, inp, labels, memo))
    if inp.invariance_options.get("by"):            # study key invariance: (wire19)
        from egovstudy.report.sections.invariance import invariance_section

        glabel = unit_label(str(inp.invariance_options["by"]))
        _section(doc, doc.t("ch_invariance", group=glabel),
                 lambda: invariance_section(doc, inp, glabel, memo))

    def pls() -> None:
        from egovstudy.pls import pls_sem
        from egovstudy.report.sections.pls_mga import pls_sem_options

        if not inp.pls or not inp.predictors or not inp.outcome:
            return
        meas: dict[str, list[str]] = {}
        wanted = [*inp.predictors, *( [inp.mediator] if inp.mediator else []), inp.outcome]
        for c in wanted:
            con = cb.constructs.get(c)
            if con is None:
                raise OutputError(f"construct {c!r} is not in the codebook")
            its = list(con.items) or [i for d in con.dimensions for i in citems.get(d, [])]
            meas[c] = its
        structural = [(p, inp.mediator) for p in inp.predictors] if inp.mediator else []
        structural += [(p, inp.outcome) for p in inp.predictors]
        if inp.mediator:
            structural.append((inp.mediator, inp.outcome))
        # the study's B and seed, and the same resampling unit as the mediation bootstrap
        res = memo("pls", lambda: pls_sem(data, measurement=meas, structural=structural,
                                          n_boot=inp.n_boot, seed=inp.seed,
                                          clusters=inp.cluster, progress=False,
                                          **pls_sem_options(inp.pls_options)))
        doc.heading(doc.t("cap_pls") + (" (PLSc)" if inp.pls_options.get("consistent")
                                        else ""))
        pls_measurement(res)
        doc.heading(doc.t("ch_pls_structural"), 2)
        paths = res.paths.copy()
        paths["term"] = [f"{labels.get(a, a)} → {labels.get(b, b)}"
                         for a, b in zip(paths["from"], paths["to"])]
        o = res.options
        kind = (doc.t("boot_cluster", unit=unit_label(inp.cluster)) if inp.cluster
                else doc.t("boot_ordinary"))
        ptab = pls_table(paths, language=language, decimal=decimal, n_boot=inp.n_boot,
                         bootstrap=f"{kind}, {inp.n_boot} {doc.t('resamples')}, "
                                   f"seed {inp.seed}")
        if language == "id":
            ptab = dataclasses.replace(ptab, notes=tuple(_id_terms(n) for n in ptab.notes))
        pt = doc.table(ptab)
        pls_structural(res, paths, pt.number)
        if o.get("n_missing_values"):
            doc.para(doc.t("pls_missing_" + str(o.get("missing", "mean")),
                           values=o["n_missing_values"], rows=o["n_rows_with_missing"],
                           n=o["n_input"]))
        r2 = dict(zip(res.r2["construct"], res.r2["r2"]))
        with house_style():
            fig, ax = plt.subplots(figsize=(7.0, 4.2))
            F.path_diagram(res.paths.rename(columns={"from": "source", "to": "target"}),
                           labels=labels, r2=r2, ax=ax)
        doc.figure({"en": "PLS-SEM Structural Model", "id": "Model Struktural PLS-SEM"}[language],
                   fig)
        if inp.pls_options.get("mga"):
            pls_groups(meas, structural)

    def pls_groups(meas: dict[str, list[str]], structural: list[tuple[str, str]]) -> None:
        """PLS multigroup analysis with MICOM by the study's ``pls.mga`` column."""
        from egovstudy.pls_mga import pls_mga
        from egovstudy.report.sections.pls_mga import group_names, mga_path_frame, micom_frame

        col, perms = inp.pls_options["mga"], int(inp.pls_options.get("permutations", 5000))
        opts = {k: v for k, v in inp.pls_options.items()
                if k in ("scheme", "consistent", "missing")}
        res = memo("pls_mga", lambda: pls_mga(data, group=col, measurement=meas,
                                              structural=structural, n_perm=perms,
                                              n_boot=inp.n_boot, seed=inp.seed, **opts))
        names = group_names(cb, col, list(res.groups["group"]))
        glabel = unit_label(col)
        doc.heading(doc.t("ch_pls_mga", group=glabel), 2)
        mt = doc.table(frame_table(micom_frame(res.micom, labels, names, doc.t),
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
        frame = mga_path_frame(res.paths, labels, names, doc.t)
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

    def pls_measurement(res: Any) -> None:
        """Outer loadings, CR/AVE and HTMT of the PLS-SEM fit, each with its sentence."""
        import pandas as pd

        doc.heading(doc.t("ch_pls_measurement"), 2)
        lo = res.outer_loadings.copy()
        lo["construct"] = lo["construct"].map(lambda c: labels.get(c, c))
        lt = doc.table(frame_table(lo, title=doc.t("cap_pls_loadings"),
                                   columns=["construct", "indicator", "estimate"],
                                   headers={"indicator": doc.t("item"),
                                            "estimate": "Loading"},
                                   language=language, decimal=decimal, digits=3,
                                   kind="pls_loadings"))
        low = lo.loc[lo["estimate"].idxmin()]
        doc.para(doc.t("sent_pls_loadings", table=lt.number,
                       n_ok=int((lo["estimate"] >= 0.70).sum()), n=len(lo),
                       item=low["indicator"],
                       value=doc.num(low["estimate"], 3, leading_zero=False)))
        rel = res.reliability.copy()
        rel["construct"] = rel["construct"].map(lambda c: labels.get(c, c))
        cols = [c for c in ("construct", "alpha", "rho_a", "rho_c", "ave") if c in rel.columns]
        rt = doc.table(frame_table(rel, title=doc.t("cap_pls_reliability"), columns=cols,
                                   headers={"rho_a": "ρA", "rho_c": "CR"}, language=language,
                                   decimal=decimal, digits=3, kind="pls_reliability"))
        bad = rel[(rel["rho_c"] < 0.70) | (rel["ave"] < 0.50)]["construct"].tolist()
        doc.para(doc.t("sent_pls_reliability", table=rt.number,
                       n_cr=int((rel["rho_c"] >= 0.70).sum()),
                       n_ave=int((rel["ave"] >= 0.50).sum()), n=len(rel),
                       failed=doc.t("pls_failed", constructs=", ".join(bad)) if bad else ""))
        m = res.htmt
        pairs = [{"term": f"{labels.get(a, a)} – {labels.get(b, b)}",
                  "estimate": float(m.loc[b, a]) if pd.notna(m.loc[b, a])
                  else float(m.loc[a, b])}
                 for i, a in enumerate(m.columns) for b in list(m.index)[i + 1:]]
        if pairs:
            hp = pd.DataFrame(pairs)
            ht = doc.table(frame_table(hp, title=doc.t("cap_pls_htmt"),
                                       headers={"term": doc.t("construct"),
                                                "estimate": "HTMT"},
                                       language=language, decimal=decimal, digits=3,
                                       kind="pls_htmt"))
            top = hp.loc[hp["estimate"].idxmax()]
            doc.para(doc.t("sent_htmt", table=ht.number,
                           max=doc.num(top["estimate"], 3, leading_zero=False),
                           pair=top["term"], n_over=int((hp["estimate"] > 0.85).sum()),
                           n_over90=int((hp["estimate"] > 0.90).sum()), n_pairs=len(hp)))

    def pls_structural(res: Any, paths: Any, number: str | None) -> None:
        """A sentence per path, then R² and Q² of every endogenous construct."""
        import pandas as pd

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
        shown = fit.assign(construct=fit["construct"].map(lambda c: labels.get(c, c)))
        ft = doc.table(frame_table(shown, title=doc.t("cap_pls_fit"),
                                   columns=["construct", "r2", "adj_r2", "q2_min", "q2_max"],
                                   headers={"r2": "R²", "adj_r2": "R² adj",
                                            "q2_min": "Q² min", "q2_max": "Q² max"},
                                   language=language, decimal=decimal, digits=3,
                                   kind="pls_fit"))
        for _, r in fit.iterrows():
            r2 = float(r["r2"])
            strength = ("r2_substantial" if r2 >= 0.75 else "r2_moderate" if r2 >= 0.50
                        else "r2_weak" if r2 >= 0.25 else "r2_very_weak")
            doc.para(doc.t("sent_pls_r2", table=ft.number,
                           construct=labels.get(r["construct"], r["construct"]),
                           r2=doc.num(r2, 3, leading_zero=False), strength=doc.t(strength),
                           q_lo=doc.num(r["q2_min"], 3), q_hi=doc.num(r["q2_max"], 3),
                           q_verdict=doc.t("q2_relevant" if r["q2_min"] > 0 else "q2_not")))

    _section(doc, doc.t("cap_pls"), pls)

    def pembahasan() -> None:
        """One paragraph per tested hypothesis, with placeholders for the literature."""
        if not discussion:
            return
        doc.heading(doc.t("ch_discussion"))
        number = tables.get("hypotheses") or tables.get("regression")
        for d in discussion:
            fig = figures.get("path:" + str(d["id"])) or figures.get("coefs")
            doc.para(doc.t("sent_discussion", hypothesis=d["id"], path=d["path"], table=number,
                           decision=doc.t("supported" if d["decision"] == "supported"
                                          else "not_supported").lower(),
                           stats=d["stats"],
                           figure=doc.t("discussion_figure", figure=fig) if fig else ""))
        doc.para(doc.t("discussion_note"))

    _section(doc, doc.t("ch_discussion"), pembahasan)
    return doc


def _id_terms(sentence: str) -> str:
    """English statistical words left in generated Indonesian sentences, translated."""
    sentence = re.sub(r"\btolerance\b", "toleransi", sentence)
    return re.sub(r"\bCI = ", "IK = ", sentence)


def _with_labels(sentence: str, labels: Mapping[str, str]) -> str:
    """Construct names in a generated sentence replaced by their labels (whole words)."""
    for name in sorted(labels, key=len, reverse=True):
        sentence = re.sub(rf"(?<![\w.]){re.escape(name)}(?![\w])", labels[name], sentence)
    return sentence


def column_label_r(language: str) -> str:
    return {"en": "r", "id": "r hitung"}[language]


def column_label_rc(language: str) -> str:
    return {"en": "r critical", "id": "r tabel"}[language]


def ir_alpha(ir: Any) -> str:
    return ".05"


def _item_scales(cb: Any, citems: Mapping[str, Sequence[str]]) -> dict[str, Any]:
    """The codebook scale of every item shown (never the first scale the codebook knows)."""
    items = getattr(cb, "items", {}) or {}
    return {c: items[c].scale for its in citems.values() for c in its
            if c in items and getattr(items[c], "scale", None) is not None}


def _scale_labels(scale: Any, language: str, k: int) -> list[str] | None:
    """The scale's own answer labels in ``language`` (English, then the codes, as fallback)."""
    labels = getattr(scale, "labels", {}) or {}
    for lang in (language, "en", "id"):
        labs = labels.get(lang)
        if labs and len(labs) == k:
            return [str(s) for s in labs]
    return None


# ---------------------------------------------------------------------------- renderers
def _render_docx(doc: _Doc, path: Path, fig_png: Mapping[str, Path], prov: str) -> None:
    import docx
    from docx.enum.text import WD_BREAK
    from docx.shared import Cm

    from egovstudy.report.writers import (
        LANDSCAPE_CM,
        PORTRAIT_CM,
        _apa_document,
        _orient,
        _set_core,
        add_caption,
        add_rich_text,
        add_table_to_docx,
        needs_landscape,
    )

    d = docx.Document()
    _apa_document(d, doc.language)  # headings and captions keep with next, PAGE footer
    _orient(d, False, new_section=False)
    blocks = list(doc.blocks)
    wide_at = {i for i, (kind, payload) in enumerate(blocks)
               if kind == "table" and needs_landscape(payload)}
    # a landscape page starts before the headings leading to its table (never a heading
    # alone at the bottom of the portrait page before the section break)
    turn_at = set(wide_at)
    for i in sorted(wide_at):
        k = i
        while k > 0 and blocks[k - 1][0] == "heading":
            k -= 1
        turn_at.discard(i)
        turn_at.add(k)
    landscape = False
    for i, (kind, payload) in enumerate(blocks):
        if i in turn_at and not landscape:
            _orient(d, True)
            landscape = True
        if kind == "heading":
            level, txt = payload
            d.add_heading(txt, level=level).paragraph_format.keep_with_next = True
        elif kind == "para":
            p = d.add_paragraph()
            add_rich_text(p, payload)  # p, t, F, r, M, SD, n ... in italics
            p.paragraph_format.first_line_indent = Cm(1.27)
        elif kind == "note":
            p = d.add_paragraph()
            add_rich_text(p, payload, italic=True)
        elif kind == "table":
            # landscape only for a table that cannot fit even with its text wrapped at spaces
            add_table_to_docx(d, payload, available_cm=LANDSCAPE_CM if landscape
                              else PORTRAIT_CM)
            if landscape:
                _orient(d, False)
                landscape = False
            else:
                d.add_paragraph()
        elif kind == "figure":
            add_caption(d, doc.t("figure"), payload.number, payload.title)
            w, h = payload.fig.get_size_inches()
            width = min(PORTRAIT_CM, w * 2.54)
            if h / w * width > 20:
                width = 20 * w / h
            d.add_picture(str(fig_png[payload.number]), width=Cm(width))
            d.add_paragraph().add_run().add_break(WD_BREAK.LINE)
    _set_core(d, title=doc.t("ch_title"), prov=prov, language=doc.language)
    save_docx(d, path)


def _render_md(doc: _Doc, path: Path, fig_png: Mapping[str, Path], prov: str) -> None:
    from egovstudy.report.symbols import markdown_italic

    out = [f"<!-- egovstudy provenance: {_comment(prov)} -->", ""]
    h = _html_only
    for kind, payload in doc.blocks:
        if kind == "heading":
            level, txt = payload
            out += ["#" * (level + 1) + " " + h(txt), ""]
        elif kind == "para":
            out += [markdown_italic(payload, escape=h), ""]  # *p* = .023
        elif kind == "note":
            out += [f"> *{h(payload)}*", ""]
        elif kind == "table":
            out += [payload.to_markdown(), ""]
        elif kind == "figure":
            rel = fig_png[payload.number].relative_to(path.parent).as_posix()
            title = _md_escape(payload.title)
            out += [f"**{doc.t('figure')} {payload.number}**", "", f"*{title}*", "",
                    f"![{title}]({rel})", ""]
    atomic_write_text(path, "\n".join(out))


def _html_only(s: str) -> str:
    """Prose for Markdown: no live HTML tags, Markdown emphasis left as written."""
    from egovstudy.report.tables import md_html_escape

    return md_html_escape(str(s))


def _render_html(doc: _Doc, path: Path, fig_png: Mapping[str, Path], prov: str) -> None:
    from egovstudy.report.symbols import html_italic
    from egovstudy.report.tables import HTML_STYLE

    e = _html.escape
    out = ["<!DOCTYPE html>", f'<html lang="{doc.language}"><head><meta charset="utf-8">',
           f'<meta name="egovstudy-provenance" content="{e(prov, quote=True)}">',
           f"<title>{e(doc.t('ch_title'))}</title>", HTML_STYLE,
           "<style>body{font-family:'Times New Roman',serif;max-width:50em;margin:2em auto;"
           "line-height:1.5}figure{margin:1.5em 0}figure img{max-width:100%}</style>",
           "</head><body>"]
    for kind, payload in doc.blocks:
        if kind == "heading":
            level, txt = payload
            out.append(f"<h{level + 1}>{e(txt)}</h{level + 1}>")
        elif kind == "para":
            out.append(f"<p>{html_italic(payload)}</p>")  # <i>p</i> = .023
        elif kind == "note":
            out.append(f'<p class="egov-note"><i>{e(payload)}</i></p>')
        elif kind == "table":
            out.append(payload.to_html())
        elif kind == "figure":
            rel = fig_png[payload.number].relative_to(path.parent).as_posix()
            out.append(f"<figure><figcaption><b>{e(doc.t('figure'))} {e(payload.number)}</b>"
                       f"<br><i>{e(payload.title)}</i></figcaption>"
                       f'<img src="{e(rel)}" alt="{e(payload.title)}"></figure>')
    out.append("</body></html>")
    atomic_write_text(path, "\n".join(out) + "\n")


# ---------------------------------------------------------------------------- public
def results_chapter(
    survey_or_study: Any,
    path: str | Path,
    *,
    language: str | Sequence[str] = "en",
    decimal: str | None = None,
    formats: Sequence[str] = _CHAPTER_FORMATS,
    table_formats: Sequence[str] = (),
    figure_formats: Sequence[str] = ("png",),
    chapter: int | str = 4,
    model: Any = None,
    hypotheses: Sequence[Any] | None = None,
    n_boot: int | None = None,
    seed: int | None = None,
    pls: bool | None = None,
    dpi: int = 300,
    overwrite: bool = False,
    allow_partial: bool = True,
) -> ChapterResult:
    """Write the results chapter of a study as DOCX (and its Markdown / HTML twins).

    Parameters
    ----------
    survey_or_study : Survey, StudySpec, or path of a study file / folder
        A study file supplies the model, the hypotheses, the bootstrap settings
        and the title; with a bare Survey, pass ``model=`` and ``hypotheses=`` or
        the model sections are skipped with a note.
    path : str or Path
        The chapter file; its suffix is replaced per format (``chapter.docx``,
        ``chapter.md``, ``chapter.html``). With several languages the language
        is appended to the name (``chapter_en.docx``, ``chapter_id.docx``).
        Figures (and tables, if requested) go to ``<name>_files/``.
    language : "en", "id" or a sequence of both
        Language(s) of the chapter.
    decimal : {".", ","}, optional
        Decimal mark; default "." (APA) — "," for Indonesian house styles.
    formats : subset of ("docx", "md", "html")
        Chapter formats.
    table_formats : subset of ("csv", "xlsx", "docx", "tex", "md", "html")
        Also write every table to its own file in these formats.
    figure_formats : subset of ("png", "svg", "pdf")
        Figure files (PNG is always written: the documents embed it).
    chapter : int or str
        Chapter number used in "Table 4.1" / "Figure 4.1".
    model, hypotheses : optional
        Override the study's model (a ``ModelSpec``) and hypotheses (``Hypothesis``
        objects or dicts with id, from/source, to/target, via, direction).
    n_boot, seed : int, optional
        Override the study's bootstrap resamples and seed.
    pls : bool, optional
        Run the PLS-SEM section (default: the study's ``estimators.pls_sem``).
    dpi : int, default 300
        Resolution of the PNG figures (also the ones embedded in the documents).
    overwrite : bool, default False
        Replace existing files; otherwise an existing chapter file raises OutputError.
    allow_partial : bool, default True
        Write the chapter even when a section cannot be produced (a note in the
        chapter says which and why). ``False`` raises ``IncompleteResultsError``
        instead, before anything is written (``egovstudy run`` without
        ``--allow-partial``).

    Returns
    -------
    ChapterResult
    """
    import matplotlib.pyplot as plt

    from egovstudy.provenance import make_provenance
    from egovstudy.report.save import save_figure

    langs = [language] if isinstance(language, str) else list(language)
    if not langs:
        raise OutputError("language: give 'en', 'id' or both")
    for lang in langs:
        check_language(lang)
    fmts = [f.lower().lstrip(".") for f in formats]
    bad = [f for f in fmts if f not in _CHAPTER_FORMATS]
    if bad or not fmts:
        raise OutputError(f"formats {bad or fmts} not supported; use any of "
                          f"{', '.join(_CHAPTER_FORMATS)}")
    figure_formats = list(dict.fromkeys(["png", *[f.lower() for f in figure_formats]]))
    base = Path(path)
    stem = base.with_suffix("") if base.suffix.lower().lstrip(".") in _CHAPTER_FORMATS else base
    targets = {}
    for lang in langs:
        name = stem.name + (f"_{lang}" if len(langs) > 1 else "")
        for f in fmts:
            targets[(lang, f)] = check_writable(stem.with_name(f"{name}.{f}"),
                                                overwrite=overwrite)
    inp = _resolve(survey_or_study, model=model, hypotheses=hypotheses, n_boot=n_boot,
                   seed=seed, pls=pls)
    data_hash = getattr(inp.survey, "source_hash", None)
    result = ChapterResult()
    cache: dict[str, Any] = {}
    for lang in langs:
        dec = check_decimal(decimal, lang)
        doc = _build(inp, lang, dec, chapter, cache)
        if doc.skipped and not allow_partial:
            raise IncompleteResultsError(
                f"results chapter {stem}: {len(doc.skipped)} section(s) cannot be produced: "
                f"{'; '.join(doc.skipped)}. Fix: correct the study file or the data, or pass "
                "--allow-partial (allow_partial=True) to write the chapter without them")
        name = stem.name + (f"_{lang}" if len(langs) > 1 else "")
        files_dir = stem.with_name(f"{name}_files")
        files_dir.mkdir(parents=True, exist_ok=True)
        options = {"language": lang, "decimal": dec, "n_boot": inp.n_boot, "seed": inp.seed,
                   "chapter": str(chapter)}
        prov_rec = make_provenance(data_hash=data_hash, options=options)
        import json

        prov = json.dumps(prov_rec, sort_keys=True, ensure_ascii=False, default=str)
        fig_png: dict[str, Path] = {}
        for fg in doc.figures:
            fname = files_dir / f"figure_{fg.number.replace('.', '_')}"
            written = save_figure(fg.fig, fname, formats=figure_formats, provenance=prov_rec,
                                  dpi=dpi, decimal=dec,
                                  overwrite=overwrite, title=f"{text('figure', lang)} "
                                                            f"{fg.number}. {fg.title}")
            fg.files = {p.suffix.lstrip("."): p for p in written}
            fig_png[fg.number] = fg.files["png"]
            result.figure_files.extend(written)
            plt.close(fg.fig)
        for t in doc.tables:
            t2 = t.with_provenance(data_sha256=data_hash)
            for tf in table_formats:
                out = write_table(t2, files_dir / f"table_{t.number.replace('.', '_')}.{tf}"
                                  if t.number else files_dir / f"table.{tf}",
                                  overwrite=overwrite)
                result.table_files.append(out)
        for f in fmts:
            target = targets[(lang, f)]
            {"docx": _render_docx, "md": _render_md, "html": _render_html}[f](
                doc, target, fig_png, prov)
            result.documents[(lang, f)] = target
        result.tables[lang] = list(doc.tables)
        result.figures[lang] = [(f.number, f.title) for f in doc.figures]
        result.skipped.extend(f"[{lang}] {s}" for s in doc.skipped)
    return result
