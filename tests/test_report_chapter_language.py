"""Issue #16: every word of the chapter from the catalogues and one number style.

Chapters of the default study and of the generated 7-point survey in English, Indonesian
and Indonesian with a decimal comma: no number is written in the other style, no English
word is left in Indonesian, every Indonesian string uses the field's term for the English
one (``messages/glossary.yaml``), and no table prints a snake_case code where the codebook
has a label.
"""

from __future__ import annotations

import dataclasses
import re
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _generic_survey import make_generic_study

pytestmark = pytest.mark.slow  # four chapters (n_boot=100): ~2-4 min on 2 cores

ROOT = Path(__file__).resolve().parent.parent
STUDY = ROOT / "data" / "raw" / "default_study" / "study.yaml"
MESSAGES = ROOT / "egovstudy" / "report" / "messages"


def _prose(md: str) -> list[str]:
    """Paragraphs of a chapter's Markdown that are sentences or notes (no table rows)."""
    out = []
    for block in md.split("\n\n"):
        b = block.strip().replace("*", "").replace("\u2212", "-")
        if b and not b.startswith(("|", "!", "<!--")):
            out.append(b)
    return out


def _cells(table: Any) -> Iterator[str]:
    yield str(table.title)
    yield from (str(n) for n in table.notes)
    yield from (str(c) for c in table.display.columns)
    for row in table.display.astype(object).itertuples(index=False):
        yield from (str(v) for v in row if v is not None and str(v) != "nan")


@pytest.fixture(scope="module")
def chapters(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str, str], Any]:
    """``(study, language, decimal) -> (prose paragraphs, tables)``."""
    if not STUDY.is_file():
        pytest.skip(f"default study not found at {STUDY}")
    from egovstudy.report import results_chapter
    from egovstudy.study import load_study_survey, read_study

    folder = tmp_path_factory.mktemp("chapter_language")
    (folder / "generic").mkdir()
    studies = {"default": STUDY, "generic7": make_generic_study(folder / "generic")}
    out: dict[tuple[str, str, str], Any] = {}
    for name, study in studies.items():
        for langs, dec in ((("en", "id"), "."), (("id",), ",")):
            stem = folder / f"{name}{'_comma' if dec == ',' else ''}" / "bab4.md"
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                res = results_chapter(study, stem, language=langs, decimal=dec, n_boot=100,
                                      pls=True, formats=("md",), figure_formats=("png",),
                                      dpi=30)
            for lang in langs:
                md = res.documents[(lang, "md")].read_text(encoding="utf-8")
                out[(name, lang, dec)] = (_prose(md), res.tables[lang])
        _, survey = load_study_survey(read_study(study))
        out[(name, "items")] = {i for its in survey.construct_items().values() for i in its}
    return out


_CAPTION = re.compile(r"\b(Table|Tabel|Figure|Gambar|Model)\s+\d+(\.\d+)*")


def wrong_style(text: str, decimal: str) -> list[str]:
    """Numbers in ``text`` written with the other decimal mark (or its separators).

    With a decimal point a comma between digits is wrong (no thousands are grouped in the
    chapter) and so is ",023"; with a decimal comma a point between digits (28.4%,
    0.826) or before one (.023) is wrong. Table and figure numbers (4.12) are not numbers.

    Examples
    --------
    >>> wrong_style("b = 0,123 (Table 4.2), p = .023", ".")
    ['0,123']
    >>> wrong_style("28.4% dan 28,4%; p = .023; Tabel 4.2", ",")
    ['28.4', ' .023']
    """
    text = _CAPTION.sub("", text)
    other = "," if decimal == "." else "."
    esc = re.escape(other)
    return re.findall(rf"\d+{esc}\d+|(?:^|[\s=(<\[])[{esc}]\d+", text)


@pytest.mark.parametrize("name", ["default", "generic7"])
@pytest.mark.parametrize("lang,dec", [("en", "."), ("id", "."), ("id", ",")])
def test_every_number_in_one_style(chapters: dict[Any, Any], name: str, lang: str,
                                   dec: str) -> None:
    prose, tables = chapters[(name, lang, dec)]
    bad = [(s[:80], wrong_style(s, dec)) for s in prose if wrong_style(s, dec)]
    for t in tables:
        bad += [(f"{t.number}: {c[:60]}", wrong_style(c, dec)) for c in _cells(t)
                if wrong_style(c, dec)]
    assert not bad, bad[:10]


#: English words an Indonesian chapter must not print ("CI" as a word: LLCI/ULCI stay, as
#: PROCESS and theses print them).
STOPLIST = ("original", "asymptotic", "robust to", "tolerance", "CI", "Supported", "Not")


@pytest.mark.parametrize("name", ["default", "generic7"])
@pytest.mark.parametrize("dec", [".", ","])
def test_indonesian_chapter_has_no_english_words(chapters: dict[Any, Any], name: str,
                                                 dec: str) -> None:
    prose, tables = chapters[(name, "id", dec)]
    texts = list(prose) + [c for t in tables for c in _cells(t)]
    found = [(w, s[:80]) for s in texts for w in STOPLIST if re.search(rf"\b{w}\b", s)]
    assert not found, found[:10]


_SNAKE = re.compile(r"\b[a-z][a-z0-9]*_[a-z0-9_]+\b")


@pytest.mark.parametrize("name", ["default", "generic7"])
@pytest.mark.parametrize("lang", ["en", "id"])
def test_no_snake_case_code_in_a_table(chapters: dict[Any, Any], name: str,
                                       lang: str) -> None:
    _, tables = chapters[(name, lang, ".")]
    found = [(t.number, c) for t in tables for c in _cells(t) if _SNAKE.search(c)]
    assert not found, found[:10]
    # items print as their code in capitals ("BUD4"), never as the data column ("bud4")
    items = chapters[(name, "items")]
    found = [(t.number, c) for t in tables for c in _cells(t) if c in items]
    assert not found, found[:10]
    shown = {c for t in tables if t.kind in ("descriptives", "validity") for c in _cells(t)}
    assert {i.upper() for i in items} <= shown


def test_item_codes_are_printed_as_codes() -> None:
    # a table about items prints the code in capitals, never the data column name
    from egovstudy.report.document import Document
    from egovstudy.report.sections.context import Context

    ctx = Context(doc=Document("en", ".", 4), inp=None, cache={})
    assert ctx.item_label("hrq1") == "HRQ1"


def test_python_and_cli_write_the_same_figure_formats() -> None:
    # results_chapter(...) from Python and `egovstudy run` (the study file's outputs.figures
    # default) share one constant: PNG + SVG + PDF
    import inspect

    from egovstudy.report import results_chapter
    from egovstudy.report.formats import FIGURE_FORMATS
    from egovstudy.study import StudySpec

    default = inspect.signature(results_chapter).parameters["figure_formats"].default
    assert default == FIGURE_FORMATS == ("png", "svg", "pdf")
    field = next(f for f in dataclasses.fields(StudySpec) if f.name == "figures")
    assert tuple(field.default_factory()) == FIGURE_FORMATS  # type: ignore[operator]
