"""Publication tables: a :class:`Table` (formatted body + caption + notes + provenance).

Every builder takes tidy DataFrames with the broom column names (``term, estimate,
std_error, statistic, p_value, ci_low, ci_high, std_estimate``) or result objects
that have ``.tidy()``, and returns a :class:`Table` in English or Indonesian.
Writers (:func:`egovstudy.report.write_table`) turn a Table into CSV, XLSX, DOCX,
LaTeX, Markdown or HTML.

Examples
--------
>>> import pandas as pd
>>> tidy = pd.DataFrame({"term": ["Intercept", "x"], "estimate": [1.2, 0.5],
...                      "std_error": [0.3, 0.1], "statistic": [4.0, 5.0],
...                      "p_value": [0.0001, 0.00001], "std_estimate": [None, 0.45]})
>>> t = regression_table({"Model 1": tidy}, fit_stats={"Model 1": {"r2": 0.2, "adj_r2": 0.19,
...                      "f": 25.0, "f_p_value": 1e-5, "n": 100, "df_model": 1, "df_resid": 98}})
>>> t.display.iloc[1].tolist()
['x', '0.50***', '0.10', '.45']
"""

from __future__ import annotations

import dataclasses
import html as _html
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from egovstudy.errors import InsufficientDataError, ModelSpecError, OutputError
from egovstudy.report.language import (
    category_labels,
    check_decimal,
    check_language,
    column_label,
    text,
)
from egovstudy.report.numbers import (
    BOUNDED_STATISTICS,
    align_decimals,
    fmt_int,
    fmt_num,
    fmt_p,
    fmt_pct,
    fmt_stat,
    is_missing,
    stars,
)
from egovstudy.report.symbols import typeset

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "Table",
    "assumption_table",
    "correlation_table",
    "describe",
    "descriptives_table",
    "frame_table",
    "hypothesis_table",
    "interpretation_category",
    "mediation_table",
    "pls_table",
    "regression_table",
    "reliability_table",
    "validity_table",
]

StatColumn = Literal["se", "t"]


@dataclass(frozen=True)
class Table:
    """A finished publication table.

    Attributes
    ----------
    display : DataFrame
        Formatted cells (strings). Columns may be a two-level MultiIndex: the
        first level is a spanner (e.g. the model name), the second the header.
    title : str
        The caption text ("Descriptive Statistics ...").
    data : DataFrame or None
        The same rows with unrounded values, for CSV/XLSX re-use.
    number : str or None
        Table number ("4.1"); the caption label reads "Table 4.1" / "Tabel 4.1".
    notes : tuple of str
        General and probability notes printed under the table.
    provenance : mapping
        Data hash, package version, commit and options (see
        :func:`egovstudy.provenance.make_provenance`).
    language, decimal : str
        Language of the labels and decimal mark of the numbers.
    numeric_columns : tuple of int
        Positions of the columns right-aligned on the decimal mark.
    bold_rows, indent_rows : tuple of int
        Rows printed in bold (construct rows) and indented (items).
    """

    display: pd.DataFrame
    title: str
    data: pd.DataFrame | None = None
    number: str | None = None
    notes: tuple[str, ...] = ()
    provenance: Mapping[str, Any] = field(default_factory=dict)
    language: str = "en"
    decimal: str = "."
    numeric_columns: tuple[int, ...] = ()
    bold_rows: tuple[int, ...] = ()
    indent_rows: tuple[int, ...] = ()
    kind: str = "table"

    # ------------------------------------------------------------------ helpers
    def label(self, language: str | None = None) -> str:
        """Return "Table 4.1" / "Tabel 4.1" (or just "Table" without a number)."""
        word = text("table", language or self.language)
        return f"{word} {self.number}" if self.number else word

    def caption(self, language: str | None = None) -> str:
        """Return the one-line caption "Table 4.1. Title"."""
        return f"{self.label(language)}. {self.title}"

    def with_number(self, number: str | int | None) -> Table:
        """Return a copy numbered ``number``."""
        return dataclasses.replace(self, number=None if number is None else str(number))

    def with_provenance(self, **extra: Any) -> Table:
        """Return a copy with ``extra`` merged into the provenance record."""
        return dataclasses.replace(self, provenance={**dict(self.provenance), **extra})

    @property
    def shape(self) -> tuple[int, int]:
        return (int(self.display.shape[0]), int(self.display.shape[1]))

    def header_rows(self) -> list[list[tuple[str, int]]]:
        """Header rows as lists of (text, column span): one or two rows."""
        cols = self.display.columns
        if getattr(cols, "nlevels", 1) == 1:
            return [[(str(c), 1) for c in cols]]
        top: list[tuple[str, int]] = []
        for group, _ in cols:
            if top and top[-1][0] == str(group) and group != "":
                top[-1] = (top[-1][0], top[-1][1] + 1)
            else:
                top.append((str(group), 1))
        return [top, [(str(sub), 1) for _, sub in cols]]

    def flat_columns(self) -> list[str]:
        """Column headers flattened ("Model 1 b") for formats without spanners."""
        cols = self.display.columns
        if getattr(cols, "nlevels", 1) == 1:
            return [str(c) for c in cols]
        return [f"{g} {s}".strip() if g else str(s) for g, s in cols]

    def cells(self, *, pad: str = "\u2007") -> list[list[str]]:
        """Body cells as strings, decimal-aligned in the numeric columns.

        Every writer asks for them (six formats, the landscape check): they are made
        once per table and pad, and each call gets its own copy of the rows.
        """
        memo: dict[str, tuple[tuple[str, ...], ...]] = self.__dict__.setdefault("_cells", {})
        if pad not in memo:
            body = self.display.astype(object).where(self.display.notna(), "")
            columns = [[str(v) for v in body.iloc[:, j]] for j in range(body.shape[1])]
            for j in self.numeric_columns:
                columns[j] = align_decimals(columns[j], pad=pad, decimal=self.decimal)
            memo[pad] = tuple(zip(*columns)) if columns else ()
        return [list(row) for row in memo[pad]]

    # ------------------------------------------------------------------ renderers
    def to_markdown(self) -> str:
        """Return a pipe table with the caption above and notes below."""
        from egovstudy.report.symbols import markdown_italic

        # a pipe table has one header row: a spanner joins its columns as "Model 1: b"
        cols = self.display.columns
        heads = ([f"{g}: {sub}" if g else str(sub) for g, sub in cols]
                 if getattr(cols, "nlevels", 1) > 1 else self.flat_columns())
        num = set(self.numeric_columns)
        lines = [f"**{_md_escape(self.label())}**", "", f"*{_md_escape(self.title)}*", ""]
        lines.append("| " + " | ".join(markdown_italic(h, header=True, escape=_md_escape)
                                       for h in heads) + " |")
        rule = ("---:" if j in num else ":---" for j in range(len(heads)))
        lines.append("|" + "|".join(rule) + "|")
        for i, row in enumerate(self.cells()):
            cells = [_md_escape(typeset(c)) if j in num
                     else markdown_italic(c, escape=_md_escape) for j, c in enumerate(row)]
            if i in self.bold_rows and cells and cells[0]:
                cells[0] = f"**{cells[0]}**"
            lines.append("| " + " | ".join(cells) + " |")
        if self.notes:
            lines += ["", f"*{text('note', self.language)}* "
                      + markdown_italic(" ".join(self.notes), escape=_md_escape)]
        return "\n".join(lines) + "\n"

    def to_html(self, *, standalone: bool = False) -> str:
        """Return an HTML table in APA style (rules above, below and under the header)."""
        from egovstudy.report.symbols import html_italic

        e = _html.escape
        num = set(self.numeric_columns)
        out = ['<table class="egov-apa">',
               f'<caption><b>{e(self.label())}</b><br><i>{e(self.title)}</i></caption>', "<thead>"]
        headers = self.header_rows()
        for r, row in enumerate(headers):
            out.append("<tr>")
            for txt, span in row:
                attr = f' colspan="{span}"' if span > 1 else ""
                rule = " egov-span" if len(headers) > 1 and r == 0 and txt else ""
                out.append(f'<th class="egov-h{rule}"{attr}>{html_italic(txt, header=True)}</th>')
            out.append("</tr>")
        out.append("</thead><tbody>")
        for i, body_row in enumerate(self.cells()):
            out.append("<tr>")
            for j, c in enumerate(body_row):
                style = ' style="text-align:right"' if j in num else ""
                content = e(typeset(c)) if j in num else html_italic(c)
                if j == 0 and i in self.bold_rows:
                    content = f"<b>{content}</b>"
                if j == 0 and i in self.indent_rows:
                    content = "&emsp;" + content
                out.append(f"<td{style}>{content}</td>")
            out.append("</tr>")
        out.append("</tbody></table>")
        if self.notes:
            out.append(f'<p class="egov-note"><i>{e(text("note", self.language))}</i> '
                       f'{html_italic(" ".join(self.notes))}</p>')
        body = "\n".join(out)
        if not standalone:
            return body
        return ('<!DOCTYPE html>\n<html><head><meta charset="utf-8">'
                f"{HTML_STYLE}</head><body>\n{body}\n</body></html>\n")

    def to_latex(self) -> str:
        """Return a booktabs table (``\\toprule``, ``\\midrule``, ``\\bottomrule``).

        Needs ``\\usepackage{booktabs,longtable,graphicx,lscape}``. A table of more
        than 30 rows is a ``longtable`` (it breaks across pages, repeating its header;
        a smaller font, then a landscape page when it is too wide); a
        table wider than the text block is scaled to ``\\textwidth`` with
        ``\\resizebox``. Every special character is escaped and the symbols pdflatex
        lacks are mapped (``≥`` -> ``$\\geq$``, ``−`` -> ``$-$``); statistical symbols
        of the headers and notes are set with ``\\textit``.
        """
        from egovstudy.report.symbols import latex_italic

        num = set(self.numeric_columns)
        ncol = self.display.shape[1]
        spec = "".join("r" if j in num else "l" for j in range(ncol))
        body_cells = self.cells(pad="\u2007")
        long = len(body_cells) > 30
        # ~69 characters of 10 pt text fit a 345 pt text block; each column adds 12 pt
        widths = [max([len(h) for h in self.flat_columns()[j:j + 1]]
                      + [len(r[j]) for r in body_cells]) for j in range(ncol)]
        wide = sum(w + 2.4 for w in widths) > 66

        def head(txt: str) -> str:
            return latex_italic(txt, header=True, escape=_tex)

        header: list[str] = []
        headers = self.header_rows()
        if len(headers) == 2:
            cells, rules, col = [], [], 1
            for txt, span in headers[0]:
                cells.append(rf"\multicolumn{{{span}}}{{c}}{{{head(txt)}}}" if span > 1
                             else head(txt))
                if txt:
                    rules.append(rf"\cmidrule(lr){{{col}-{col + span - 1}}}")
                col += span
            header.append(" & ".join(cells) + r" \\")
            header.append(" ".join(rules))
        header.append(" & ".join(head(t) for t, _ in headers[-1]) + r" \\")
        body: list[str] = []
        for i, row in enumerate(body_cells):
            cells = [_tex_number(c) if j in num else latex_italic(c, escape=_tex)
                     for j, c in enumerate(row)]
            if i in self.bold_rows and cells:
                cells[0] = rf"\textbf{{{cells[0]}}}"
            if i in self.indent_rows and cells:
                cells[0] = r"\quad " + cells[0]
            body.append(" & ".join(cells) + r" \\")
        note = []
        if self.notes:
            note.append(r"\par\smallskip{\footnotesize\textit{" + _tex(text("note", self.language))
                        + "} " + latex_italic(" ".join(self.notes), escape=_tex) + "}")
        label = [rf"\label{{tab:{self.number}}}"] if self.number else []
        caption = rf"\caption{{{_tex(self.title)}}}"
        if long:
            # a longtable cannot be scaled: a smaller font (4 pt column gaps), then a
            # landscape page (lscape), then text columns that wrap at spaces, to fit the
            # 345 pt text block (550 pt turned) of a 10 pt article
            tries = [(lim, trn, fs, c) for lim, trn in ((340.0, False), (540.0, True))
                     for fs, c in ((10, ""), (9, r"\small"), (8, r"\footnotesize"),
                                   (7, r"\scriptsize"))]
            limit, turn, pt, cmd = next(
                (t for t in tries if sum(w * 0.52 * t[2] + 8 for w in widths) <= t[0]),
                tries[-1])
            need = sum(w * 0.52 * pt + 8 for w in widths)
            size = ([cmd] if cmd else []) + [r"\setlength{\tabcolsep}{4pt}"]
            if need > limit:
                fixed = sum(widths[j] * 0.52 * pt + 8 for j in num)
                n_text = max(ncol - len(num), 1)
                room = max((limit - fixed) / n_text - 8, 24.0)
                flat = self.flat_columns()
                words = [max((len(x) for c in [flat[j], *(r[j] for r in body_cells)]
                              for x in c.split()), default=1) + (2 if j == 0 else 0)
                         for j in range(ncol)]  # never narrower than a column's longest word
                spec = "".join("r" if j in num else
                               rf"p{{{max(room, words[j] * 0.56 * pt + 2):.0f}pt}}"
                               for j in range(ncol))
            lines = ["{", *size, rf"\begin{{longtable}}{{{spec}}}", caption + "".join(label)
                     + r" \\", r"\toprule", *header, r"\midrule", r"\endfirsthead",
                     r"\toprule", *header, r"\midrule", r"\endhead", r"\bottomrule",
                     r"\endlastfoot", *body, r"\end{longtable}", "}"]
            if note:
                lines += [note[0].replace(r"\par\smallskip", r"\noindent")]
            if turn:
                lines = [r"\begin{landscape}", *lines, r"\end{landscape}"]
            return "\n".join(lines) + "\n"
        lines = [r"\begin{table}[htbp]", r"\centering", caption, *label]
        lines += [r"\resizebox{\textwidth}{!}{%"] if wide else []
        lines += [rf"\begin{{tabular}}{{{spec}}}", r"\toprule", *header, r"\midrule", *body,
                  r"\bottomrule", r"\end{tabular}"]
        lines += ["}"] if wide else []
        lines += [*note, r"\end{table}"]
        return "\n".join(lines) + "\n"

    def __str__(self) -> str:
        heads = self.flat_columns()
        rows = self.cells(pad=" ")
        widths = [max([len(h)] + [len(r[j]) for r in rows]) for j, h in enumerate(heads)]
        num = set(self.numeric_columns)

        def line(cells: Sequence[str]) -> str:
            return "  ".join(c.rjust(w) if j in num else c.ljust(w)
                             for j, (c, w) in enumerate(zip(cells, widths)))

        rule = "-" * (sum(widths) + 2 * (len(widths) - 1))
        out = [self.label(), self.title, rule, line(heads), rule, *(line(r) for r in rows), rule]
        if self.notes:
            out.append(text("note", self.language) + " " + " ".join(self.notes))
        return "\n".join(out)

    def summary(self) -> str:
        """Plain-text rendering."""
        return str(self)

    def _repr_html_(self) -> str:
        return HTML_STYLE + self.to_html()


HTML_STYLE = (
    "<style>table.egov-apa{border-collapse:collapse;font-family:'Times New Roman',serif;"
    "font-size:11pt;border-top:1.5px solid #000;border-bottom:1.5px solid #000;margin:1em 0}"
    "table.egov-apa caption{caption-side:top;text-align:left;padding-bottom:.5em}"
    "table.egov-apa th{border-bottom:1px solid #000;padding:3px 8px;font-weight:normal;"
    "text-align:center}table.egov-apa th.egov-span{border-bottom:1px solid #000}"
    "table.egov-apa td{padding:2px 8px;font-variant-numeric:tabular-nums;white-space:nowrap}"
    "p.egov-note{font-family:'Times New Roman',serif;font-size:10pt;max-width:48em}</style>"
)


_MD_SPECIAL = set("\\`*_[]|#~")


def md_html_escape(s: str) -> str:
    """Neutralise HTML in Markdown text while keeping it readable (``p < .001`` stays so).

    CommonMark reads ``<`` as raw HTML only before a tag name, ``/``, ``!`` or ``?``, and
    ``&`` as an entity only before a name or ``#``; only those are turned into entities, as
    is a ``>`` that could open a block quote at the start of the text. ``<script>`` becomes
    ``&lt;script>``, which no renderer runs.

    Examples
    --------
    >>> md_html_escape("p < .001 & <img src=x onerror=alert(1)> &amp;")
    'p < .001 & &lt;img src=x onerror=alert(1)> &amp;amp;'
    """
    import re

    text = re.sub(r"&(?=[A-Za-z#])", "&amp;", str(s))
    text = re.sub(r"<(?=[A-Za-z/!?])", "&lt;", text)
    return "&gt;" + text[1:] if text.startswith(">") else text


def _md_escape(s: str) -> str:
    """Escape a cell for Markdown: live HTML as entities, Markdown control characters with ``\\``.

    ``<script>`` becomes ``&lt;script>`` (no live HTML, see :func:`md_html_escape`), ``*``,
    ``_``, ``[``, ``]``, backquote, ``|``, ``#`` and ``~`` are backslash-escaped so a label
    cannot open emphasis, a link or a new column; line breaks become spaces. A number
    (``0.25***``, ``-.02``) is left as printed: its stars cannot open emphasis.
    """
    from egovstudy._output import _NUMBER

    if _NUMBER.fullmatch(str(s).strip(" \u2007")):
        return str(s)
    flat = str(s).replace("\r\n", " ").replace("\n", " ").replace("\r", " ")
    out = []
    for ch in md_html_escape(flat):
        out.append("\\" + ch if ch in _MD_SPECIAL else ch)
    return "".join(out)


_TEX_MAP = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#",
            "_": r"\_", "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}",
            "^": r"\textasciicircum{}", "\u2007": r"\phantom{0}", "<": r"$<$", ">": r"$>$",
            "β": r"$\beta$", "α": r"$\alpha$", "ω": r"$\omega$", "ρ": r"$\rho$",
            "χ": r"$\chi$", "η": r"$\eta$", "λ": r"$\lambda$", "σ": r"$\sigma$",
            "μ": r"$\mu$", "Δ": r"$\Delta$", "²": r"\textsuperscript{2}",
            "³": r"\textsuperscript{3}", "−": r"$-$", "√": r"$\surd$", "→": r"$\rightarrow$",
            "←": r"$\leftarrow$", "↔": r"$\leftrightarrow$", "≥": r"$\geq$", "≤": r"$\leq$",
            "≠": r"$\neq$", "≈": r"$\approx$", "×": r"$\times$", "±": r"$\pm$",
            "–": "--", "—": "---", "…": r"\ldots{}", "‘": "`", "’": "'", "“": "``",
            "”": "''", "\u00a0": "~", "\u2009": r"\,", "\u202f": r"\,", "•": r"\textbullet{}",
            "\n": " ", "\r": " ", "\t": " "}


def _tex_char(ch: str) -> str:
    """One character for pdflatex: mapped, kept (ASCII, Latin-1 letters), or decomposed."""
    import unicodedata

    if ch in _TEX_MAP:
        return _TEX_MAP[ch]
    if ch < "\u0080" or ("\u00c0" <= ch <= "\u00ff" and ch not in "×÷"):
        return ch  # pdflatex's utf8 input covers the Latin-1 letters
    base = unicodedata.normalize("NFKD", ch).encode("ascii", "ignore").decode("ascii")
    return _tex(base) if base else rf"\texttt{{[U+{ord(ch):04X}]}}"  # visible, never an error


def _tex_number(s: str) -> str:
    """A numeric cell: a leading hyphen is a minus sign (``$-$``)."""
    body = str(s)
    stripped = body.lstrip("\u2007 ")
    if stripped.startswith("-"):
        body = body[:len(body) - len(stripped)] + "\u2212" + stripped[1:]
    return _tex(body)


def _tex(s: str) -> str:
    return "".join(_tex_char(ch) for ch in str(s))


# ---------------------------------------------------------------------------- inputs
def _tidy(obj: Any, what: str) -> pd.DataFrame:
    """Return a tidy DataFrame from a DataFrame or an object with ``.tidy()``."""
    import pandas as pd

    if isinstance(obj, pd.DataFrame):
        return obj.copy()
    tidy = getattr(obj, "tidy", None)
    if callable(tidy):
        out = tidy()
        if isinstance(out, pd.DataFrame):
            return out.copy()
    raise ModelSpecError(f"{what}: expected a tidy DataFrame or a result with .tidy(), "
                         f"got {type(obj).__name__}")


def _fit_dict(obj: Any) -> dict[str, Any]:
    import pandas as pd

    if obj is None:
        return {}
    if isinstance(obj, Mapping):
        return dict(obj)
    if isinstance(obj, pd.DataFrame):
        return obj.iloc[0].to_dict() if len(obj) else {}
    if isinstance(obj, pd.Series):
        return obj.to_dict()
    fs = getattr(obj, "fit_stats", None)
    if callable(fs):
        return _fit_dict(fs())
    return {}


def _require(frame: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ModelSpecError(f"{what}: missing column(s) {missing}; the frame has "
                             f"{list(frame.columns)}")


def _provenance(data: Any = None, **options: Any) -> dict[str, Any]:
    import pandas as pd

    from egovstudy.provenance import frame_sha256, make_provenance

    data_hash = None
    if isinstance(data, pd.DataFrame):
        try:
            data_hash = frame_sha256(data)
        except TypeError:
            data_hash = frame_sha256(data.astype(str))
    clean = {k: (v if isinstance(v, str | int | float | bool | type(None)) else repr(v))
             for k, v in options.items()}
    return make_provenance(data_hash=data_hash, options=clean)


def _models(models: Any) -> dict[str, Any]:
    if isinstance(models, Mapping):
        return {str(k): v for k, v in models.items()}
    import pandas as pd

    if isinstance(models, pd.DataFrame) or hasattr(models, "tidy"):
        return {f"{text('model', 'en')} 1": models}
    return {f"Model {i + 1}": m for i, m in enumerate(models)}


# ---------------------------------------------------------------------------- descriptives
def interpretation_category(
    value: float,
    *,
    low: float = 1,
    high: float = 5,
    n_classes: int = 5,
    labels: Sequence[str] | None = None,
    language: str = "id",
) -> str:
    """Interpretation category of a mean score by the interval rule.

    The class width is ``(high - low) / n_classes``; class ``k`` covers
    ``(low + k*w, low + (k+1)*w]`` (the first class includes ``low``). On a 1-5
    scale: 1.00-1.80 "sangat buruk", 1.81-2.60 "buruk", 2.61-3.40 "cukup",
    3.41-4.20 "baik", 4.21-5.00 "sangat baik".

    Examples
    --------
    >>> [interpretation_category(v) for v in (1.8, 1.81, 3.4, 3.41, 5.0)]
    ['sangat buruk', 'buruk', 'cukup', 'baik', 'sangat baik']
    >>> interpretation_category(4.5, language="en")
    'very good'
    """
    names = list(labels) if labels is not None else category_labels(n_classes, language)
    if len(names) != n_classes:
        raise OutputError(f"labels has {len(names)} entries but n_classes={n_classes}")
    if not high > low:
        raise OutputError(f"high={high} must exceed low={low}")
    if is_missing(value):
        return ""
    width = (high - low) / n_classes
    if value < low - 1e-9 or value > high + 1e-9:
        raise OutputError(f"value {value} lies outside the scale [{low}, {high}]")
    k = 0
    while k < n_classes - 1 and value > low + (k + 1) * width + 1e-12:
        k += 1
    return names[k]


def _skew_kurt(x: Any, type_: int) -> tuple[float, float]:
    import numpy as np

    from egovstudy._moments import skew_kurt

    x = np.asarray(x, dtype=float)
    if x.size < 4:
        return float("nan"), float("nan")
    d = x - x.mean()
    return skew_kurt(x.size, float((d**2).mean()), float((d**3).mean()),
                     float((d**4).mean()), type_)


def describe(
    data: pd.DataFrame,
    columns: Sequence[str] | None = None,
    *,
    values: Sequence[int] | None = None,
    skew_type: Literal[1, 2, 3] = 2,
    weights: str | None = None,
) -> pd.DataFrame:
    """Descriptive statistics per column (unrounded), one row per column.

    With ``weights`` (a column of positive sampling weights) mean, sd, median and the
    percentages are weighted as R's ``survey`` computes them (``svymean``; ``svyvar``:
    ``sum w (x - m)^2 / sum w * n / (n - 1)``; ``svyquantile`` ``qrule = "math"``); ``n``,
    min and max stay unweighted and skew and kurtosis are NaN (no weighted version here).

    Columns: ``variable, n, mean, sd, median, min, max, range, skew, kurtosis``
    and, when ``values`` (the scale points) are given, ``pct_<v>`` for each.

    ``skew_type`` follows Joanes & Gill (1998) and ``psych::describe``: 1 = g1/g2,
    2 = G1/G2 (SPSS, Excel; the default), 3 = b1/b2 (psych's default).

    Examples
    --------
    >>> import pandas as pd
    >>> d = describe(pd.DataFrame({"x": [1, 2, 2, 3, 5]}), values=[1, 2, 3, 4, 5])
    >>> [float(v) for v in d.loc[0, ["n", "mean", "median", "pct_2"]]]
    [5.0, 2.6, 2.0, 40.0]
    """
    import numpy as np
    import pandas as pd

    if skew_type not in (1, 2, 3):
        raise OutputError(f"skew_type={skew_type!r} is not supported; use 1, 2 or 3")
    cols = list(columns) if columns is not None else list(data.columns)
    missing = [c for c in cols if c not in data.columns]
    if missing:
        raise ModelSpecError(f"describe: column(s) {missing} not in data; available: "
                             f"{list(data.columns)[:12]}...")
    if weights is not None:
        from egovstudy.models.survey_design import _check_column, check_weights

        _check_column(data, weights, "weights")
        wall = pd.Series(check_weights(data[weights], weights), index=data.index)
    rows = []
    for c in cols:
        xs = pd.to_numeric(data[c], errors="coerce").astype(float).dropna()
        x = xs.to_numpy()
        if x.size == 0:
            raise InsufficientDataError(f"describe: column {c!r} has no numeric values")
        if weights is not None:
            rows.append(_weighted_row(c, x, wall.loc[xs.index].to_numpy(), values))
            continue
        sk, ku = _skew_kurt(x, skew_type)
        row: dict[str, Any] = {
            "variable": c, "n": int(x.size), "mean": float(x.mean()),
            "sd": float(x.std(ddof=1)) if x.size > 1 else float("nan"),
            "median": float(np.median(x)), "min": float(x.min()), "max": float(x.max()),
            "range": float(x.max() - x.min()), "skew": sk, "kurtosis": ku,
        }
        if values is not None:
            for v in values:
                row[f"pct_{v}"] = 100.0 * float(np.sum(x == v)) / x.size
        rows.append(row)
    return pd.DataFrame(rows)


def _weighted_row(c: str, x: Any, w: Any, values: Sequence[int] | None) -> dict[str, Any]:
    """One ``describe`` row with survey weights (see ``describe``)."""
    import numpy as np

    n = x.size
    m = float(w @ x / w.sum())
    var = float(w @ (x - m) ** 2 / w.sum() * n / (n - 1)) if n > 1 else float("nan")
    order = np.argsort(x, kind="stable")
    cum = np.cumsum(w[order]) / w.sum()
    median = float(x[order][np.searchsorted(cum, 0.5 - 1e-12)])
    row: dict[str, Any] = {
        "variable": c, "n": int(n), "mean": m, "sd": float(np.sqrt(var)), "median": median,
        "min": float(x.min()), "max": float(x.max()), "range": float(x.max() - x.min()),
        "skew": float("nan"), "kurtosis": float("nan"),
    }
    if values is not None:
        for v in values:
            row[f"pct_{v}"] = 100.0 * float(w[x == v].sum() / w.sum())
    return row


def descriptives_table(
    data: pd.DataFrame,
    items: Mapping[str, Sequence[str]] | Sequence[str],
    *,
    values: Sequence[int] = (1, 2, 3, 4, 5),
    item_values: Mapping[str, Sequence[int]] | None = None,
    n_classes: int = 5,
    category_names: Sequence[str] | None = None,
    labels: Mapping[str, str] | None = None,
    construct_scores: bool = True,
    skew_type: Literal[1, 2, 3] = 2,
    language: str = "en",
    decimal: str | None = None,
    digits: int = 2,
) -> Table:
    """Descriptive statistics of items and constructs with the interpretation category.

    Parameters
    ----------
    data : DataFrame
        One row per respondent; item columns hold the scale codes.
    items : mapping construct -> items, or list of items
        With a mapping, each construct gets a bold row (its score: the column
        named like the construct if present, else the row mean of its items)
        followed by its indented items.
    values : sequence of int
        The scale points; the response distribution is given in % of each.
    item_values : mapping item -> sequence of int, optional
        The scale points of each item when they differ from ``values`` (a codebook's
        ``item.scale.values``): every code of every scale gets a % column, and each row's
        class width and category use its own scale (a construct: the range of its items'
        scales). A 7-point item is never read on a 5-point scale.
    n_classes : int
        Number of interpretation classes of the interval rule
        (width = (max - min) / n_classes).
    labels : mapping, optional
        Printed names of constructs / items.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"a1": [4, 5, 4, 3], "a2": [5, 5, 4, 4]})
    >>> t = descriptives_table(df, {"A": ["a1", "a2"]}, language="id")
    >>> t.display.iloc[0, -1], t.display.iloc[1, 0]
    ('sangat baik', 'a1')
    """
    import pandas as pd

    check_language(language)
    dec = check_decimal(decimal, language)
    groups: dict[str | None, list[str]]
    groups = ({str(k): list(v) for k, v in items.items()} if isinstance(items, Mapping)
              else {None: list(items)})
    lab = dict(labels or {})
    frame = pd.DataFrame(index=data.index)
    order: list[tuple[str, str | None, bool]] = []  # (column in frame, construct, is_construct)
    for construct, its in groups.items():
        missing = [c for c in its if c not in data.columns]
        if missing:
            raise ModelSpecError(f"descriptives_table: item column(s) {missing} of construct "
                                 f"{construct!r} not in data")
        for c in its:
            frame[c] = pd.to_numeric(data[c], errors="coerce").astype(float)
        if construct is not None and construct_scores:
            key = f"__score__{construct}"
            if construct in data.columns:
                frame[key] = pd.to_numeric(data[construct], errors="coerce").astype(float)
            else:
                frame[key] = frame[its].mean(axis=1)
            order.append((key, construct, True))
        order.extend((c, construct, False) for c in its)
    per_item = {str(k): [int(v) for v in vs] for k, vs in (item_values or {}).items()}

    def scale_of(col: str, construct: str | None, is_c: bool) -> list[int]:
        if not is_c:
            return per_item.get(col, [int(v) for v in values])
        codes: set[int] = set()
        for c in groups[construct]:
            codes.update(per_item.get(c, [int(v) for v in values]))
        return sorted(codes)

    scales = [scale_of(*o) for o in order]
    all_values = sorted(set().union(*map(set, scales))) if scales else list(values)
    stats = describe(frame, [o[0] for o in order], values=all_values, skew_type=skew_type)
    ranges = sorted({(min(sc), max(sc)) for sc in scales}) or [(min(values), max(values))]
    disp_rows, raw_rows, bold, indent = [], [], [], []
    for i, ((col, construct, is_c), (_, s)) in enumerate(zip(order, stats.iterrows())):
        name = lab.get(str(construct), str(construct)) if is_c else lab.get(col, col)
        own = scales[i]
        cat = interpretation_category(s["mean"], low=min(own), high=max(own),
                                      n_classes=n_classes, labels=category_names,
                                      language=language)
        raw = {"variable": name, "construct": construct, "level": "construct" if is_c else "item",
               **{k: s[k] for k in stats.columns if k != "variable"},
               "scale_min": min(own), "scale_max": max(own), "category": cat}
        raw_rows.append(raw)
        row = {
            column_label("variable", language): str(name),
            "n": fmt_int(s["n"]),
            "M": fmt_num(s["mean"], digits, decimal=dec),
            "SD": fmt_num(s["sd"], digits, decimal=dec),
            column_label("median", language): fmt_stat(s["median"], "Mdn", decimal=dec),
            column_label("range", language): (
                f"{fmt_num(s['min'], 0)}–{fmt_num(s['max'], 0)}" if not is_c else
                f"{fmt_num(s['min'], 2, decimal=dec)}–{fmt_num(s['max'], 2, decimal=dec)}"),
            column_label("skew", language): fmt_num(s["skew"], digits, decimal=dec),
            column_label("kurtosis", language): fmt_num(s["kurtosis"], digits, decimal=dec),
        }
        for v in all_values:
            row[f"% {v}"] = ("" if is_c or v not in own
                             else fmt_pct(s[f"pct_{v}"], 1, decimal=dec))
        row[column_label("category", language)] = cat
        disp_rows.append(row)
        if is_c:
            bold.append(i)
        elif construct is not None:
            indent.append(i)
    display = pd.DataFrame(disp_rows)
    ncol = display.shape[1]
    widths = [f"{fmt_num((hi - lo) / n_classes, 2, decimal=dec)}"
              + ("" if len(ranges) == 1 else f" ({lo}–{hi})") for lo, hi in ranges]
    span = ", ".join(f"{lo}–{hi}" for lo, hi in ranges)
    notes = [text("note_interval", language, k=n_classes, width="; ".join(widths)),
             text("note_descriptives_pct", language, span=span, skew_type=skew_type)]
    return Table(
        display=display, title=text("cap_descriptives", language), data=pd.DataFrame(raw_rows),
        notes=tuple(notes), language=language, decimal=dec,
        numeric_columns=tuple(j for j in range(1, ncol - 1) if j != 5),
        bold_rows=tuple(bold), indent_rows=tuple(indent), kind="descriptives",
        provenance=_provenance(frame, table="descriptives", n_classes=n_classes,
                               skew_type=skew_type, language=language, decimal=dec),
    )


def _stars_note(language: str, decimal: str | None) -> str:
    """``* p < .05. ** p < .01. *** p < .001.`` in the table's decimal mark."""
    dec = check_decimal(decimal, language)
    return text("note_stars", language, **{
        f"p{str(a)[2:]}": fmt_num(a, len(str(a)) - 2, leading_zero=False, decimal=dec)
        for a in (0.05, 0.01, 0.001)})


# ---------------------------------------------------------------------------- generic frames
_BOUNDED = BOUNDED_STATISTICS  # one list, in report/numbers.py
_P = {"p_value", "p", "f_p_value"}
_INT = {"n", "n_items", "k", "n_boot"}
_VERDICT_WORDS = {
    "supported": "supported", "not supported": "not_supported", "not_supported": "not_supported",
    "valid": "valid", "invalid": "invalid", "not valid": "invalid", "reliable": "reliable",
    "unreliable": "unreliable", "not reliable": "unreliable", "met": "met", "pass": "pass",
    "passed": "pass", "fail": "fail", "failed": "fail", "violated": "violated",
    "not met": "violated", "significant": "significant", "not significant": "not_significant",
    "diterima": "supported", "ditolak": "not_supported",
}


#: The screening rules of :mod:`egovstudy.quality` and their policies: printed by their
#: catalogue names (``rule_<name>``, ``policy_<name>``), never the code names.
RULES: tuple[str, ...] = ("duplicate_id", "duplicate_submission", "straight_lining", "speeders",
                          "attention", "missing", "out_of_range")
_POLICIES: tuple[str, ...] = ("drop", "report", "flag")


def _verdict(value: Any, language: str, *, true_key: str = "met",
             false_key: str = "violated") -> str:
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        return text(true_key if bool(value) else false_key, language)
    if is_missing(value):
        return ""
    key = _VERDICT_WORDS.get(str(value).strip().lower())
    return text(key, language) if key else str(value)


def _fmt_cell(col: str, value: Any, dec: str, digits: int) -> str:
    if is_missing(value):
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        return str(bool(value))
    if col in _P or col.endswith("p_value"):
        return fmt_p(value, decimal=dec)
    if col in _INT or col.startswith("n_") or type(value).__name__.startswith(("int", "uint")):
        return fmt_int(value)
    if col == "df":
        v = float(value)
        return fmt_int(v) if v == int(v) else fmt_num(v, 2, decimal=dec)
    if col in _BOUNDED:  # no leading zero (APA 7): one rule for every bounded statistic
        return fmt_stat(value, col, digits=max(digits, 2) + (1 if col != "std_estimate" else 0),
                        decimal=dec)
    try:
        return fmt_num(float(value), digits, decimal=dec)
    except (TypeError, ValueError):
        return str(value)


def frame_table(
    frame: pd.DataFrame,
    *,
    title: str,
    columns: Sequence[str] | None = None,
    headers: Mapping[str, str] | None = None,
    verdict_columns: Mapping[str, tuple[str, str]] | None = None,
    notes: Sequence[str] = (),
    labels: Mapping[str, str] | None = None,
    language: str = "en",
    decimal: str | None = None,
    digits: int = 2,
    kind: str = "table",
) -> Table:
    """Format any tidy frame by its column names.

    p values get the APA form, bounded statistics (r, α, CR, AVE, β, loadings)
    lose their leading zero, counts print as integers, boolean or verdict words
    are translated. ``labels`` renames the cells of the first column.

    Examples
    --------
    >>> import pandas as pd
    >>> f = pd.DataFrame({"construct": ["A"], "alpha": [0.8123], "ave": [0.51], "n": [300]})
    >>> frame_table(f, title="Reliability").display.iloc[0].tolist()
    ['A', '.812', '.510', '300']
    """
    import pandas as pd

    check_language(language)
    dec = check_decimal(decimal, language)
    cols = list(columns) if columns is not None else list(frame.columns)
    _require(frame, cols, title)
    heads = dict(headers or {})
    verdicts = dict(verdict_columns or {})
    lab = dict(labels or {})
    if kind == "quality":  # screening rules and policies by their printed names
        lab = {**{k: text("rule_" + k, language) for k in RULES}, **lab}
    disp: dict[str, list[str]] = {}
    numeric: list[int] = []
    for j, c in enumerate(cols):
        series = frame[c]
        if kind == "quality" and c == "policy":
            series = series.map(lambda v: text("policy_" + str(v), language)
                                if str(v) in _POLICIES else v)
        if c in verdicts:
            t_key, f_key = verdicts[c]
            cells = [_verdict(v, language, true_key=t_key, false_key=f_key) for v in series]
        elif series.dtype == bool or str(series.dtype) == "boolean":
            cells = [_verdict(v, language) for v in series]
        elif j == 0 and not pd.api.types.is_numeric_dtype(series):
            cells = [lab.get(str(v), str(v)) if not is_missing(v) else "" for v in series]
        elif pd.api.types.is_numeric_dtype(series):
            cells = [_fmt_cell(c, v, dec, digits) for v in series]
            numeric.append(j)
        else:
            cells = [_verdict(v, language) if isinstance(v, str | bool)
                     else _fmt_cell(c, v, dec, digits) for v in series]
        disp[heads.get(c, column_label(c, language))] = cells
    display = pd.DataFrame(disp)
    return Table(display=display, title=title, data=frame[cols].reset_index(drop=True),
                 notes=tuple(notes), language=language, decimal=dec,
                 numeric_columns=tuple(numeric), kind=kind,
                 provenance=_provenance(frame, table=kind, language=language, decimal=dec))


def validity_table(
    frame: pd.DataFrame, *, language: str = "en", decimal: str | None = None,
    labels: Mapping[str, str] | None = None, notes: Sequence[str] = (),
) -> Table:
    """Item validity table (item, r or loading, criterion, verdict) from a tidy frame.

    Boolean columns named ``valid`` print "Valid"/"Not valid" in the chosen language.

    Examples
    --------
    >>> import pandas as pd
    >>> f = pd.DataFrame({"item": ["x1", "x2"], "r": [0.61, 0.08], "r_critical": [0.113, 0.113],
    ...                   "valid": [True, False]})
    >>> validity_table(f, language="id").display.iloc[1].tolist()
    ['x2', '.080', '.113', 'Tidak valid']
    """
    return frame_table(frame, title=text("cap_validity", language), labels=labels,
                       verdict_columns={"valid": ("valid", "invalid")}, notes=notes,
                       language=language, decimal=decimal, kind="validity")


def reliability_table(
    frame: pd.DataFrame, *, language: str = "en", decimal: str | None = None,
    labels: Mapping[str, str] | None = None, notes: Sequence[str] = (),
) -> Table:
    """Construct reliability table (α, ω, CR, AVE, verdict) from a tidy frame.

    Boolean columns named ``reliable`` print "Reliable"/"Not reliable".
    """
    return frame_table(frame, title=text("cap_reliability", language), labels=labels,
                       verdict_columns={"reliable": ("reliable", "unreliable")}, notes=notes,
                       language=language, decimal=decimal, kind="reliability")


# ---------------------------------------------------------------------------- correlations
def correlation_table(
    data: pd.DataFrame,
    columns: Sequence[str],
    *,
    labels: Mapping[str, str] | None = None,
    method: Literal["pearson", "spearman"] = "pearson",
    language: str = "en",
    decimal: str | None = None,
) -> Table:
    """Means, SDs and the lower-triangle correlation matrix with significance stars.

    Correlations use pairwise-complete cases; p values are two-sided.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"x": [1, 2, 3, 4, 5, 6], "y": [2, 1, 4, 3, 6, 5]})
    >>> correlation_table(df, ["x", "y"]).display.iloc[1, 3]
    '.83*'
    """
    import numpy as np
    import pandas as pd
    from scipy import stats as st

    check_language(language)
    dec = check_decimal(decimal, language)
    if method not in ("pearson", "spearman"):
        raise OutputError(f"method={method!r} is not supported; use 'pearson' or 'spearman'")
    cols = list(columns)
    _require(data, cols, "correlation_table")
    if len(cols) < 2:
        raise InsufficientDataError("correlation_table needs at least two columns")
    x = data[cols].apply(pd.to_numeric, errors="coerce").astype(float)
    k = len(cols)
    r = np.full((k, k), np.nan)
    p = np.full((k, k), np.nan)
    for i in range(k):
        r[i, i] = 1.0
        for j in range(i):
            pair = x[[cols[i], cols[j]]].dropna()
            if len(pair) < 3:
                continue
            fn = st.pearsonr if method == "pearson" else st.spearmanr
            res = fn(pair.iloc[:, 0], pair.iloc[:, 1])
            r[i, j] = r[j, i] = float(res[0])
            p[i, j] = p[j, i] = float(res[1])
    lab = dict(labels or {})
    rows = []
    for i, c in enumerate(cols):
        row = {column_label("variable", language): f"{i + 1}. {lab.get(c, c)}",
               "M": fmt_num(x[c].mean(), 2, decimal=dec),
               "SD": fmt_num(x[c].std(ddof=1), 2, decimal=dec)}
        for j in range(k):
            if j < i:
                row[str(j + 1)] = (fmt_num(r[i, j], 2, leading_zero=False, decimal=dec)
                                   + stars(p[i, j]))
            elif j == i:
                row[str(j + 1)] = "—"
            else:
                row[str(j + 1)] = ""
        rows.append(row)
    display = pd.DataFrame(rows)
    raw = pd.DataFrame(r, index=cols, columns=cols).reset_index(names="variable")
    raw.insert(1, "mean", x.mean().to_numpy())
    raw.insert(2, "sd", x.std(ddof=1).to_numpy())
    note = text("note_correlations", language,
                method="Pearson" if method == "pearson" else "Spearman",
                n=int(x.notna().sum().min()))
    return Table(display=display, title=text("cap_correlations", language), data=raw,
                 notes=(note, _stars_note(language, dec)), language=language, decimal=dec,
                 numeric_columns=tuple(range(1, k + 3)), kind="correlations",
                 provenance=_provenance(x, table="correlations", method=method,
                                        language=language, decimal=dec))


# ---------------------------------------------------------------------------- regression
def _term_label(term: str, labels: Mapping[str, str], language: str) -> str:
    if term in labels:
        return labels[term]
    if term.lower() in ("intercept", "const", "(intercept)"):
        return text("intercept", language)
    return term


def regression_table(
    models: Mapping[str, Any] | Sequence[Any] | Any,
    *,
    fit_stats: Mapping[str, Mapping[str, Any]] | None = None,
    stat: StatColumn = "se",
    beta: bool = True,
    labels: Mapping[str, str] | None = None,
    title: str | None = None,
    language: str = "en",
    decimal: str | None = None,
    digits: int = 2,
) -> Table:
    """Several regression models side by side (b with stars, SE or t, β; R², adj. R², F, n).

    Parameters
    ----------
    models : mapping name -> result or tidy frame, or a sequence (named Model 1, 2, ...)
        Each is a tidy DataFrame (broom names) or a result with ``.tidy()`` and,
        optionally, ``.fit_stats()``.
    fit_stats : mapping name -> dict, optional
        Fit statistics for tidy frames (keys r2, adj_r2, f, f_p_value, n, df_model, df_resid).
    stat : {"se", "t"}
        The second column under each model.
    beta : bool
        Add the standardized coefficient column (``std_estimate``).
    """
    import pandas as pd

    check_language(language)
    dec = check_decimal(decimal, language)
    if stat not in ("se", "t"):
        raise OutputError(f"stat={stat!r} is not supported; use 'se' or 't'")
    named = _models(models)
    if not named:
        raise ModelSpecError("regression_table: no models given")
    lab = dict(labels or {})
    fits = {k: _fit_dict((fit_stats or {}).get(k)) or _fit_dict(v) for k, v in named.items()}
    tidies = {}
    for name, m in named.items():
        t = _tidy(m, f"regression_table model {name!r}")
        _require(t, ["term", "estimate", "p_value"], f"regression_table model {name!r}")
        if stat == "se":
            _require(t, ["std_error"], f"regression_table model {name!r}")
        else:
            _require(t, ["statistic"], f"regression_table model {name!r}")
        tidies[name] = t.set_index("term")
    terms: list[str] = []
    for t in tidies.values():
        terms.extend(x for x in t.index if x not in terms)
    terms.sort(key=lambda s: 0 if str(s).lower() in ("intercept", "const", "(intercept)") else 1)
    sub_b, sub_s, sub_beta = "b", ("SE" if stat == "se" else "t"), "β"
    head_first = (" ", text("predictor", language))
    columns = [head_first]
    for name in tidies:
        columns += [(name, sub_b), (name, sub_s)] + ([(name, sub_beta)] if beta else [])
    body: list[list[str]] = []
    raw_rows: list[dict[str, Any]] = []
    for term in terms:
        row = [_term_label(str(term), lab, language)]
        for name, t in tidies.items():
            if term in t.index:
                rec = t.loc[term]
                row.append(fmt_num(rec["estimate"], digits, decimal=dec) + stars(rec["p_value"]))
                val = rec["std_error"] if stat == "se" else rec["statistic"]
                row.append(fmt_num(val, digits, decimal=dec))
                if beta:
                    sb = rec.get("std_estimate") if "std_estimate" in t.columns else None
                    row.append("" if is_missing(sb) else fmt_num(
                        sb, digits, leading_zero=abs(float(sb or 0.0)) >= 1, decimal=dec))
                raw_rows.append({"model": name, "term": term,
                                 **{c: rec[c] for c in t.columns if not isinstance(rec[c], str)}})
            else:
                row += [""] * (3 if beta else 2)
        body.append(row)
    fit_labels = [("r2", text("fit_r2", language)), ("adj_r2", text("fit_adj_r2", language)),
                  ("f", text("fit_f", language)), ("n", text("fit_n", language))]
    any_fit = any(fits.values())
    if any_fit:
        for key, label in fit_labels:
            row = [label]
            for name in tidies:
                fs = fits.get(name, {})
                v = fs.get(key)
                if key in ("r2", "adj_r2"):
                    cell = fmt_num(v, 3, leading_zero=False, decimal=dec)
                elif key == "f":
                    cell = fmt_num(v, digits, decimal=dec) + stars(fs.get("f_p_value"))
                else:
                    cell = fmt_int(v)
                row += [cell, ""] + ([""] if beta else [])
            body.append(row)
    display = pd.DataFrame(body, columns=pd.MultiIndex.from_tuples(columns))
    fit_frame = pd.DataFrame([{"model": k, **v} for k, v in fits.items()])
    raw = pd.DataFrame(raw_rows)
    if any_fit:
        raw = pd.concat([raw, fit_frame.assign(term="(fit)")], ignore_index=True)
    notes = [text("note_regression_se" if stat == "se" else "note_regression_t", language),
             _stars_note(language, dec)]
    return Table(display=display, title=title or text("cap_regression", language), data=raw,
                 notes=tuple(notes), language=language, decimal=dec,
                 numeric_columns=tuple(range(1, display.shape[1])), kind="regression",
                 bold_rows=(), provenance=_provenance(raw.astype(str), table="regression",
                                                      stat=stat, language=language, decimal=dec))


# ---------------------------------------------------------------------------- assumptions
def assumption_table(
    tests: Any, *, language: str = "en", decimal: str | None = None,
    labels: Mapping[str, str] | None = None,
) -> Table:
    """Classical assumption tests (test, statistic, df, p, criterion, verdict).

    Takes ``AssumptionTests`` (``.tidy()``) or its tidy frame with columns
    ``test, statistic, df, p_value, threshold, verdict``; the language-specific
    sentence columns are dropped.

    Examples
    --------
    >>> import pandas as pd
    >>> f = pd.DataFrame({"test": ["Shapiro-Wilk"], "statistic": [0.995], "df": [None],
    ...                   "p_value": [0.21], "threshold": ["p > .05"], "verdict": ["met"]})
    >>> assumption_table(f, language="id").display.iloc[0].tolist()
    ['Shapiro-Wilk', '0.995', '', '.210', 'p > .05', 'Terpenuhi']
    """
    import re

    frame = _tidy(tests, "assumption_table")
    _require(frame, ["test", "verdict"], "assumption_table")
    if "threshold" in frame.columns:  # "p > 0.050" -> "p > .05": one APA style for every p
        dec = check_decimal(decimal, language)

        def apa(m: re.Match[str]) -> str:
            op = {">=": "≥", "<=": "≤"}.get(m.group(2), m.group(2))
            value = fmt_num(float(m.group(3)), 2, leading_zero=False, decimal=dec)
            return f"{m.group(1)} {op} {value}"

        frame = frame.assign(threshold=[
            re.sub(r"\b(p) ?(>=|<=|[<>≤≥]) ?(0?\.\d+)", apa, v) if isinstance(v, str) else v
            for v in frame["threshold"]])
    if labels:  # "VIF: hr_quality" -> "VIF: HR quality" (code names never printed)
        lab = dict(labels)
        frame = frame.assign(test=[
            re.sub(r"^((?:G?VIF): )(.+)$", lambda m: m.group(1) + lab.get(m.group(2), m.group(2)),
                   v) if isinstance(v, str) else v for v in frame["test"]])
    cols = [c for c in ("test", "statistic", "df", "p_value", "threshold", "verdict")
            if c in frame.columns]
    return frame_table(frame, title=text("cap_assumptions", language), columns=cols,
                       labels=labels, verdict_columns={"verdict": ("met", "violated")},
                       headers={"statistic": text("col_statistic", language)},
                       language=language, decimal=decimal, digits=3, kind="assumptions")


# ---------------------------------------------------------------------------- mediation, PLS
def _ci_table(
    tidy: pd.DataFrame, *, title: str, first: str, stat_col: bool, language: str,
    decimal: str | None, labels: Mapping[str, str] | None, notes: Sequence[str], kind: str,
    std: bool = False,
) -> Table:
    import pandas as pd

    check_language(language)
    dec = check_decimal(decimal, language)
    _require(tidy, ["term", "estimate"], title)
    lab = dict(labels or {})
    rows = []
    est_head = "β" if std else "b"
    for _, r in tidy.iterrows():
        row = {column_label(first, language): lab.get(str(r["term"]), str(r["term"])),
               est_head: fmt_num(r["estimate"], 3, decimal=dec) +
               (stars(r["p_value"]) if "p_value" in tidy.columns else "")}
        if "std_error" in tidy.columns:
            row["SE"] = fmt_num(r["std_error"], 3, decimal=dec)
        if stat_col and "statistic" in tidy.columns:
            row["t"] = fmt_num(r["statistic"], 2, decimal=dec)
        if "p_value" in tidy.columns:
            row["p"] = fmt_p(r["p_value"], decimal=dec)
        if "ci_low" in tidy.columns and "ci_high" in tidy.columns:
            row["LLCI"] = fmt_num(r["ci_low"], 3, decimal=dec)
            row["ULCI"] = fmt_num(r["ci_high"], 3, decimal=dec)
        if "f2" in tidy.columns:
            row["f²"] = fmt_num(r["f2"], 3, leading_zero=False, decimal=dec)
        rows.append(row)
    display = pd.DataFrame(rows)
    return Table(display=display, title=title, data=tidy.reset_index(drop=True),
                 notes=tuple(notes), language=language, decimal=dec,
                 numeric_columns=tuple(range(1, display.shape[1])), kind=kind,
                 provenance=_provenance(tidy.astype(str), table=kind, language=language,
                                        decimal=dec))


def mediation_table(
    result: Any, *, language: str = "en", decimal: str | None = None,
    labels: Mapping[str, str] | None = None, level: float = 0.95, n_boot: int | None = None,
    bootstrap: str | None = None, extra_notes: Sequence[str] = (),
) -> Table:
    """Paths and effects of a mediation model (b, SE, t, p, LLCI, ULCI).

    Takes a PROCESS result (``.tidy()``) or a tidy frame whose ``term`` names the
    path ("a", "b", "c'", "indirect", ...). ``bootstrap`` describes the resampling in
    words (``ProcessResult.bootstrap_text(language)``: ordinary or cluster, B, seed); a
    PROCESS result supplies it itself.

    Examples
    --------
    >>> import pandas as pd
    >>> f = pd.DataFrame({"term": ["indirect"], "estimate": [0.1234], "std_error": [0.05],
    ...                   "ci_low": [0.03], "ci_high": [0.22]})
    >>> mediation_table(f).display.iloc[0].tolist()
    ['indirect', '0.123', '0.050', '0.030', '0.220']
    """
    tidy = _tidy(result, "mediation_table")
    if bootstrap is None and hasattr(result, "bootstrap_text"):
        bootstrap = result.bootstrap_text(language)
    n_boot = n_boot if n_boot is not None else getattr(result, "n_boot", None)
    notes = [text("note_ci", language, level=round(level * 100))]
    if bootstrap:
        notes.append(text("note_mediation_boot", language, bootstrap=bootstrap))
    elif n_boot:
        notes.append(text("note_boot_ci", language, n_boot=n_boot))
    notes.extend(extra_notes)
    if "p_value" in tidy.columns:
        notes.append(_stars_note(language, decimal))
    return _ci_table(tidy, title=text("cap_mediation", language), first="effect", stat_col=True,
                     language=language, decimal=decimal, labels=labels, notes=notes,
                     kind="mediation")


def pls_table(
    result: Any, *, language: str = "en", decimal: str | None = None,
    labels: Mapping[str, str] | None = None, n_boot: int | None = None,
    bootstrap: str | None = None,
) -> Table:
    """PLS-SEM structural paths (β, SE, t, p, CI, f²) from a result or tidy frame.

    ``bootstrap`` describes the resampling in words (kind, B, seed) for the table note.
    """
    tidy = _tidy(result, "pls_table")
    n_boot = n_boot if n_boot is not None else getattr(result, "n_boot", None)
    notes = [text("note_ci", language, level=95)]
    if bootstrap:
        notes.append(text("note_pls_boot", language, bootstrap=bootstrap))
    elif n_boot:
        notes.append(text("note_boot_ci", language, n_boot=n_boot))
    if "p_value" in tidy.columns:
        notes.append(_stars_note(language, decimal))
    return _ci_table(tidy, title=text("cap_pls", language), first="path", stat_col=True,
                     language=language, decimal=decimal, labels=labels, notes=notes,
                     kind="pls", std=True)


# ---------------------------------------------------------------------------- hypotheses
def hypothesis_table(
    frame: Any, *, language: str = "en", decimal: str | None = None,
    labels: Mapping[str, str] | None = None, alpha: float = 0.05,
    describe_path: Callable[[Mapping[str, Any]], str] | None = None,
) -> Table:
    """The hypothesis decision table (hypothesis, path, b, β, t, p, decision).

    Takes the output of ``test_hypotheses`` (``.tidy()``) or a frame with
    ``hypothesis``, ``term`` or ``path``, ``estimate``, ``p_value`` and optionally
    ``std_estimate``, ``statistic`` and a boolean ``supported`` (else derived
    from ``p_value < alpha``, which ignores the expected sign).

    Examples
    --------
    >>> import pandas as pd
    >>> f = pd.DataFrame({"hypothesis": ["H1", "H2"], "path": ["X -> Y", "Z -> Y"],
    ...                   "estimate": [0.4, 0.02], "statistic": [5.1, 0.3],
    ...                   "p_value": [1e-6, 0.76], "supported": [True, False]})
    >>> hypothesis_table(f, language="id").display["Keputusan"].tolist()
    ['Diterima', 'Ditolak']
    """
    import pandas as pd

    check_language(language)
    dec = check_decimal(decimal, language)
    t = _tidy(frame, "hypothesis_table")
    _require(t, ["estimate", "p_value"], "hypothesis_table")
    if "hypothesis" not in t.columns:
        t.insert(0, "hypothesis", [f"H{i + 1}" for i in range(len(t))])
    path_col = "path" if "path" in t.columns else ("term" if "term" in t.columns else None)
    if path_col is None:
        raise ModelSpecError("hypothesis_table: need a 'path' or 'term' column naming each effect")
    lab = dict(labels or {})
    rows = []
    for _, r in t.iterrows():
        if "supported" in t.columns:
            sup = bool(r["supported"])
        elif "decision" in t.columns:
            sup = _VERDICT_WORDS.get(str(r["decision"]).strip().lower()) == "supported"
        else:
            sup = float(r["p_value"]) < alpha
        path = describe_path(r.to_dict()) if describe_path else lab.get(str(r[path_col]),
                                                                          str(r[path_col]))
        row = {column_label("hypothesis", language): str(r["hypothesis"]),
               column_label("path", language): path,
               "b": fmt_num(r["estimate"], 3, decimal=dec)}
        if "std_estimate" in t.columns:
            row["β"] = fmt_num(r["std_estimate"], 3, leading_zero=False, decimal=dec)
        if "statistic" in t.columns:
            row["t"] = fmt_num(r["statistic"], 2, decimal=dec)
        row["p"] = fmt_p(r["p_value"], decimal=dec)
        row[column_label("decision", language)] = _verdict(
            bool(sup), language, true_key="supported", false_key="not_supported")
        rows.append(row)
    display = pd.DataFrame(rows)
    tails = set(t["tail"].dropna()) if "tail" in t.columns else set()
    if tails == {"one-sided"}:
        tail = text("note_tail_one_sided", language)
    elif tails == {"two-sided"}:
        tail = text("note_tail_two_sided", language)
    elif tails:
        ones = ", ".join(str(h) for h, tl in zip(t["hypothesis"], t["tail"])
                         if tl == "one-sided")
        tail = text("note_tail_mixed", language, hypotheses=ones)
    else:
        tail = ""
    note = text("note_hypotheses_rule", language,
                alpha=fmt_num(alpha, 2, leading_zero=False, decimal=dec), tail=tail)
    return Table(display=display, title=text("cap_hypotheses", language),
                 data=t.reset_index(drop=True), notes=(note,), language=language, decimal=dec,
                 numeric_columns=tuple(range(2, display.shape[1] - 1)), kind="hypotheses",
                 provenance=_provenance(t.astype(str), table="hypotheses", alpha=alpha,
                                        language=language, decimal=dec))
