"""The chapter's document builder: ordered, numbered blocks that the renderers write.

Every section module of :mod:`egovstudy.report.sections` adds its headings, paragraphs,
tables and figures through one :class:`Document` (``doc.heading``, ``doc.para``,
``doc.table``, ``doc.figure``) and reads its words with ``doc.t(key, **fields)`` from the
language catalogues; ``doc.num`` and ``doc.p`` format numbers in the chapter's decimal mark.

Examples
--------
>>> doc = Document("id", ",", 4)
>>> doc.heading(doc.t("ch_title"), 0)
>>> doc.para(doc.t("sent_invalid_keep", items="X1"))
>>> doc.num(12.5, 1), doc.p(0.0234)
('12,5', 'p = ,023')
>>> [kind for kind, _ in doc.blocks]
['heading', 'para']
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from egovstudy.errors import EgovStudyError, StatisticalWarning
from egovstudy.report.language import text
from egovstudy.report.numbers import fmt_num, fmt_p_expr

if TYPE_CHECKING:
    from matplotlib.figure import Figure as MplFigure

    from egovstudy.report.tables import Table

__all__ = ["ChapterFigure", "Document", "run_section"]


@dataclass
class ChapterFigure:
    """A numbered figure of the chapter and the files it was saved to."""

    number: str
    title: str
    fig: MplFigure
    files: dict[str, Path] = field(default_factory=dict)


class Document:
    """Ordered blocks of a chapter, numbered as they are added."""

    def __init__(self, language: str, decimal: str, chapter: int | str, *,
                 on_table: Callable[[Table], None] | None = None,
                 on_figure: Callable[[ChapterFigure], None] | None = None) -> None:
        self.language = language
        self.decimal = decimal
        self.chapter = str(chapter)
        self.blocks: list[tuple[str, Any]] = []
        self.tables: list[Table] = []
        self.figures: list[ChapterFigure] = []
        self.skipped: list[str] = []
        # called with each numbered table / figure as it is added (a table and a figure are
        # finished when added), e.g. to write its files while the next section computes
        self.on_table = on_table
        self.on_figure = on_figure

    def t(self, key: str, **kw: Any) -> str:
        """The catalogue string ``key`` in the chapter's language, formatted with ``kw``."""
        if kw:  # the cut-offs a sentence cites in the chapter's decimal mark: {c50} = 0,50
            # and, without the leading zero (APA, bounded statistics), {a50} = ,50
            cuts = (5, 50, 60, 70, 85, 90)
            kw = {**{f"c{v:02d}": fmt_num(v / 100, 2, decimal=self.decimal) for v in cuts},
                  **{f"a{v:02d}": fmt_num(v / 100, 2, decimal=self.decimal, leading_zero=False)
                     for v in cuts}, **kw}
        return text(key, self.language, **kw)

    def heading(self, txt: str, level: int = 1) -> None:
        """A heading (level 0 is the chapter title)."""
        self.blocks.append(("heading", (level, txt)))

    def para(self, txt: str) -> None:
        """A paragraph (empty text adds nothing)."""
        if txt:
            self.blocks.append(("para", txt))

    def table(self, table: Table) -> Table:
        """Number ``table`` ("4.3") and add it; returns the numbered table."""
        numbered = table.with_number(f"{self.chapter}.{len(self.tables) + 1}")
        self.tables.append(numbered)
        self.blocks.append(("table", numbered))
        if self.on_table is not None:
            self.on_table(numbered)
        return numbered

    def figure(self, title: str, fig: MplFigure) -> ChapterFigure:
        """Number a matplotlib figure and add it."""
        f = ChapterFigure(f"{self.chapter}.{len(self.figures) + 1}", title, fig)
        self.figures.append(f)
        self.blocks.append(("figure", f))
        if self.on_figure is not None:
            self.on_figure(f)
        return f

    def skip(self, section: str, reason: str) -> None:
        """Note in the chapter (and warn) that ``section`` is left out and why."""
        msg = f"{section}: {reason}"
        self.skipped.append(msg)
        self.blocks.append(("note", self.t("note_skipped", reason=msg)))
        warnings.warn(f"results_chapter skipped {msg}", StatisticalWarning, stacklevel=3)

    def num(self, x: Any, digits: int = 2, **kw: Any) -> str:
        """A number in the chapter's decimal mark (:func:`~egovstudy.report.numbers.fmt_num`)."""
        return fmt_num(x, digits, decimal=self.decimal, **kw)

    @property
    def sep(self) -> str:
        """The list separator between numbers: "; " under a decimal comma, else ", "."""
        return "; " if self.decimal == "," else ", "

    def p(self, x: Any) -> str:
        """``p = .023`` / ``p < .001`` in the chapter's decimal mark."""
        return fmt_p_expr(x, decimal=self.decimal)


def run_section(doc: Document, name: str, fn: Callable[[], None]) -> None:
    """Run one section; an analysis that cannot run becomes a note (and a warning)."""
    try:
        fn()
    except (ImportError, AttributeError, EgovStudyError, KeyError) as exc:
        # the chapter gets the user-facing reason; internal errors only a pointer to the log
        if isinstance(exc, EgovStudyError):
            reason = " ".join(str(exc).split())
        elif isinstance(exc, ImportError):
            reason = doc.t("skip_missing_package", package=exc.name or "")
        else:
            reason = doc.t("skip_internal")
            warnings.warn(f"results_chapter: {name}: {type(exc).__name__}: {exc}",
                          StatisticalWarning, stacklevel=2)
        doc.skip(name, reason)
