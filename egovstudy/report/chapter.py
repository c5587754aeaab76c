"""The results chapter: one call turns a study into DOCX, Markdown and HTML.

:func:`results_chapter` runs the instrument tests, descriptives, regression
models with their classical assumption tests, the hypothesis tests, mediation
(PROCESS model 4) and PLS-SEM on a :class:`~egovstudy.survey.Survey` or a study
file, and writes numbered tables ("Table 4.1" / "Tabel 4.1"), numbered figures
and generated sentences in English or Indonesian. A section whose analysis
cannot run is skipped with a note in the document (and a warning).
"""

from __future__ import annotations

import functools
import html as _html
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from egovstudy._output import atomic_write_text, staged_writes
from egovstudy._text import sentence_decimal
from egovstudy.errors import IncompleteResultsError, OutputError
from egovstudy.report.document import ChapterFigure, Document, run_section
from egovstudy.report.formats import CHAPTER_FORMATS, FIGURE_FORMATS
from egovstudy.report.language import check_decimal, check_language, text
from egovstudy.report.sections import (
    comparisons,
    descriptives,
    discussion,
    hypotheses,
    instrument,
    invariance,
    mediation,
    method_bias,
    missing_data,
    pls,
    profile,
    regression,
    respondents,
    sem,
)
from egovstudy.report.sections.context import Context, construct_labels
from egovstudy.report.sections.hypotheses import hypothesis
from egovstudy.report.tables import Table, _md_escape
from egovstudy.report.verdicts import local_terms, translate_verdict
from egovstudy.report.writers import _comment, check_writable, save_docx

__all__ = ["SECTIONS", "ChapterResult", "results_chapter"]

_CHAPTER_FORMATS = CHAPTER_FORMATS


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
# the document builder and the section runner live in report/document.py (their old names
# stay importable from here)
_Doc = Document
_Figure = ChapterFigure
_section = run_section
_translate_verdict = translate_verdict


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
    survey_options: dict[str, Any] = field(default_factory=dict)  # comparisons, missing, ...
    constructs: list[str] | None = None
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
                       {k: dict(getattr(spec, k, {}) or {}) for k in
                        ("comparisons", "nonresponse", "missing", "method_bias", "design")},
                       spec.constructs,
                       dict(getattr(spec, "sem", {}) or {}),
                       dict(getattr(spec, "invariance", {}) or {}))
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


_hyp = hypothesis


# ---------------------------------------------------------------------------- the chapter
#: The chapter's sections in order: ``(catalogue key of the section's name, build)``. A new
#: section is one module of ``egovstudy/report/sections`` with a ``build(ctx)`` function and
#: one line here; ``build`` adds its blocks through ``ctx.doc`` and returns early when it has
#: nothing to say. An error it raises becomes a note in the chapter (see ``run_section``).
SECTIONS: list[tuple[str, Callable[[Context], None]]] = [
    (respondents.TITLE, respondents.build),
    (profile.TITLE, profile.build),
    (comparisons.TITLE, comparisons.build),      # group comparisons, non-response, ICC/DEFF
    (missing_data.TITLE, missing_data.build),
    (instrument.TITLE, instrument.build),
    (method_bias.TITLE, method_bias.build),
    (descriptives.TITLE, descriptives.build),
    (regression.TITLE, regression.build),        # models, classical assumptions, table
    (hypotheses.TITLE, hypotheses.build),
    (mediation.TITLE, mediation.build),
    (hypotheses.TITLE, hypotheses.summary),      # every hypothesis and its decision
    (sem.TITLE, sem.build),                      # study key sem: {enabled: true}
    (invariance.TITLE, invariance.build),        # study key invariance: {by: ...}
    (pls.TITLE, pls.build),
    (discussion.TITLE, discussion.build),
]


def _build(inp: _Inputs, language: str, decimal: str, chapter: int | str,
           cache: dict[str, Any], *, on_table: Callable[[Table], None] | None = None,
           on_figure: Callable[[ChapterFigure], None] | None = None) -> Document:
    """One language's chapter: the title, then every section of :data:`SECTIONS` in order.

    ``on_table`` / ``on_figure`` are called with each table and figure as it is added.
    """
    doc = Document(language, decimal, chapter, on_table=on_table, on_figure=on_figure)
    survey = inp.survey
    ctx = Context(doc=doc, inp=inp, cache=cache, data=survey.data, cb=survey.codebook,
                  citems=survey.construct_items(),
                  labels=construct_labels(survey.codebook, language))
    doc.heading(f"{chapter}. {doc.t('ch_title')}", 0)
    title = inp.title.get(language)
    if title:
        doc.para(title)
    for key, build in SECTIONS:
        run_section(doc, doc.t(key), functools.partial(build, ctx))
    return doc


def column_label_r(language: str) -> str:
    """The header of the corrected item-total correlation ("r hitung" in Indonesian)."""
    return text("col_r_hitung", language)


def column_label_rc(language: str) -> str:
    """The header of the critical r ("r tabel" in Indonesian)."""
    return text("col_r_tabel", language)


def ir_alpha(ir: Any) -> str:
    """The significance level of the critical r (kept for callers of the old chapter)."""
    return ".05"


def _id_terms(sentence: str) -> str:
    """English words left in a generated Indonesian sentence, in Indonesian (catalogue)."""
    return local_terms(sentence, "id")


def _with_labels(sentence: str, labels: Mapping[str, str]) -> str:
    """Construct names in a generated sentence replaced by their labels (whole words)."""
    import re

    for name in sorted(labels, key=len, reverse=True):
        sentence = re.sub(rf"(?<![\w.]){re.escape(name)}(?![\w])", labels[name], sentence)
    return sentence


_item_scales = descriptives.item_scales
_scale_labels = descriptives.scale_labels


# ---------------------------------------------------------------------------- renderers
def _render_docx(doc: _Doc, path: Path, fig_png: Mapping[str, Path], prov: str,
                 png_source: Callable[[str], Path] | None = None) -> None:
    """The chapter as DOCX; ``png_source(number)`` gives where a figure's PNG can be read
    now (a staged file not yet under its final name ``fig_png[number]``), waiting for it."""
    import io

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
            final = fig_png[payload.number]
            source = png_source(payload.number) if png_source is not None else final
            shape = d.add_picture(io.BytesIO(Path(source).read_bytes()), width=Cm(width))
            # the picture is named after its file, wherever its bytes were read from
            shape._inline.graphic.graphicData.pic.nvPicPr.cNvPr.name = final.name
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
    figure_formats: Sequence[str] = FIGURE_FORMATS,
    chapter: int | str = 4,
    model: Any = None,
    hypotheses: Sequence[Any] | None = None,
    n_boot: int | None = None,
    seed: int | None = None,
    pls: bool | None = None,
    dpi: int = 300,
    overwrite: bool = False,
    allow_partial: bool = True,
    n_jobs: int | None = None,
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
    figure_formats : subset of ("png", "svg", "pdf"), default all three
        Figure files (PNG is always written: the documents embed it); the same default
        as ``egovstudy run`` (:data:`egovstudy.report.formats.FIGURE_FORMATS`).
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
    n_jobs : int, optional
        Worker processes writing each table and figure while the next sections are
        computed (:class:`~egovstudy.report.background.FigureWriter`); default every
        usable core, ``1`` writes them in this process. Nothing reaches its final name
        before the chapter is complete. The files are the same whatever the number.

    Returns
    -------
    ChapterResult
    """
    import matplotlib.pyplot as plt

    from egovstudy.provenance import make_provenance
    from egovstudy.report.background import FigureWriter

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
    # Figures and tables are written by workers as soon as a section has made them, while
    # the next sections compute; staged, so that nothing reaches its final name before the
    # chapter is known to be complete (allow_partial=False refuses it otherwise).
    writer = FigureWriter(n_jobs, staged=True)
    writer.start()  # the workers start up while the data are read and the statistics run
    try:
        inp = _resolve(survey_or_study, model=model, hypotheses=hypotheses, n_boot=n_boot,
                       seed=seed, pls=pls)
        data_hash = getattr(inp.survey, "source_hash", None)
        result = ChapterResult()
        cache: dict[str, Any] = {}
        for i, lang in enumerate(langs):
            dec = check_decimal(decimal, lang)
            name = stem.name + (f"_{lang}" if len(langs) > 1 else "")
            files_dir = stem.with_name(f"{name}_files")
            new_dir = not files_dir.exists()
            options = {"language": lang, "decimal": dec, "n_boot": inp.n_boot,
                       "seed": inp.seed, "chapter": str(chapter)}
            prov_rec = make_provenance(data_hash=data_hash, options=options)

            def save_table(t: Table, files_dir: Path = files_dir) -> None:
                t2 = t.with_provenance(data_sha256=data_hash)
                stem_t = f"table_{t.number.replace('.', '_')}" if t.number else "table"
                writer.submit_table(t2, [files_dir / f"{stem_t}.{tf}" for tf in table_formats],
                                    overwrite=overwrite)

            handles: dict[str, int] = {}

            def save_fig(fg: ChapterFigure, files_dir: Path = files_dir, lang: str = lang,
                         dec: str = dec, prov_rec: dict[str, Any] = prov_rec,
                         handles: dict[str, int] = handles) -> None:
                handles[fg.number] = writer.submit(
                    fg.fig, files_dir / f"figure_{fg.number.replace('.', '_')}",
                    formats=figure_formats, provenance=prov_rec, dpi=dpi, decimal=dec,
                    overwrite=overwrite, title=f"{text('figure', lang)} {fg.number}. {fg.title}")

            def png_now(number: str, handles: dict[str, int] = handles) -> Path:
                """A figure's PNG where it can be read now (staged), once its worker is done."""
                return next(p for p in writer.current_files(handles[number])
                            if p.name.endswith(".png"))

            try:
                with sentence_decimal(dec):  # the analyses' own sentences in the tables' mark
                    doc = _build(inp, lang, dec, chapter, cache,
                                 on_table=save_table if table_formats else None,
                                 on_figure=save_fig)
                if doc.skipped and not allow_partial:
                    raise IncompleteResultsError(
                        f"results chapter {stem}: {len(doc.skipped)} section(s) cannot be "
                        f"produced: {'; '.join(doc.skipped)}. Fix: correct the study file or "
                        "the data, or pass --allow-partial (allow_partial=True) to write the "
                        "chapter without them")
                prov = json.dumps(prov_rec, sort_keys=True, ensure_ascii=False, default=str)
                fig_png = {fg.number: files_dir / f"figure_{fg.number.replace('.', '_')}.png"
                           for fg in doc.figures}
                # the documents are written while the workers finish the last figures, and
                # staged with them: all of it reaches its final names together, or none
                with staged_writes() as own:
                    for f in fmts:
                        target = targets[(lang, f)]
                        if f == "docx":
                            _render_docx(doc, target, fig_png, prov, png_source=png_now)
                        else:
                            {"md": _render_md, "html": _render_html}[f](doc, target, fig_png,
                                                                       prov)
                writer.adopt(own)
                fig_files = writer.wait(close=i == len(langs) - 1)
            except BaseException:
                writer.discard()
                if new_dir and files_dir.is_dir() and not any(files_dir.iterdir()):
                    files_dir.rmdir()  # made for this language's files: nothing is left
                raise
            for f in fmts:
                result.documents[(lang, f)] = targets[(lang, f)]
            result.table_files.extend(writer.table_files)
            for fg, written in zip(doc.figures, fig_files):
                fg.files = {p.suffix.lstrip("."): p for p in written}
                result.figure_files.extend(written)
                plt.close(fg.fig)
            result.tables[lang] = list(doc.tables)
            result.figures[lang] = [(f.number, f.title) for f in doc.figures]
            result.skipped.extend(f"[{lang}] {s}" for s in doc.skipped)
    finally:
        writer.close()
    return result
