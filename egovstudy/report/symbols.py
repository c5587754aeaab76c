"""APA 7 statistical symbols in italics, in every output format.

The sentences and notes stay plain strings; the renderers find the symbols with
two regular expressions and set them in italics (DOCX runs, ``*p*`` in Markdown,
``<i>p</i>`` in HTML, ``\\textit{p}`` in LaTeX), so no sentence needs a markup of
its own. Greek letters (β, α, ω) stay upright, as APA 7 (sec. 6.45) asks.

* In running text a symbol is italic when an operator or a bracket follows it
  (``p = .023``, ``F(2, 97)``, ``R² = .41``, ``n = 120``): a bare word "b" or "t"
  in a sentence is left alone.
* A column header is a short label: a symbol standing as a whole word is italic
  (``SE``, ``p``, ``t hitung``, ``Model 1: b``).

Examples
--------
>>> split_italic("F(2, 97) = 4.10, p < .001")
[('F', True), ('(2, 97) = 4.10, ', False), ('p', True), (' < .001', False)]
>>> markdown_italic("R² = .41, p = .002")
'*R*² = .41, *p* = .002'
>>> split_italic("SE", header=True)
[('SE', True)]
"""

from __future__ import annotations

import html as _html
import re
from collections.abc import Callable

__all__ = ["html_italic", "latex_italic", "markdown_italic", "split_italic", "typeset"]

# the letters set in italics (APA 7, sec. 6.45 and Table 6.5); "R" carries a following "²"
_SYMBOLS = r"SD|SE|df|Mdn|M|N|n|p|t|F|r|b|z|R|d|U|f|q"
_TEXT = re.compile(rf"(?<![\w.\\])({_SYMBOLS})(?=²? ?[=<>≤≥(])")
_HEADER = re.compile(rf"(?<![\w.\\])({_SYMBOLS})(?=²?(?![\w]))")


_MINUS = re.compile(r"(?<![\w.,)\]])-(?=[.,]?\d)")


def typeset(text: str) -> str:
    """Print signs the APA way: ``>=`` -> ``≥``, ``<=`` -> ``≤``, a negative sign -> ``−``.

    A hyphen between two numbers (a range such as ``1-5``) stays a hyphen.

    Examples
    --------
    >>> typeset("alpha >= .70, b = -0.42, range 1-5, x <= -.3")
    'alpha ≥ .70, b = −0.42, range 1-5, x ≤ −.3'
    """
    out = str(text).replace(">=", "≥").replace("<=", "≤")
    return _MINUS.sub("\u2212", out)


def split_italic(text: str, *, header: bool = False) -> list[tuple[str, bool]]:
    """Split ``text`` into (piece, italic) pairs; the symbols are the italic pieces.

    Parameters
    ----------
    text : str
        A sentence, a note or (``header=True``) a column header.
    header : bool
        Column-header rule: a symbol standing as a whole word is italic.

    Examples
    --------
    >>> split_italic("t hitung", header=True)
    [('t', True), (' hitung', False)]
    >>> split_italic("a b c")
    [('a b c', False)]
    """
    rx = _HEADER if header else _TEXT
    text = typeset(text)
    if header and text.strip() in ("R", "r"):
        return [(text, True)]
    out: list[tuple[str, bool]] = []
    pos = 0
    for m in rx.finditer(text):
        if m.start() > pos:
            out.append((text[pos:m.start()], False))
        out.append((m.group(1), True))
        pos = m.end()
    if pos < len(text) or not out:
        out.append((text[pos:], False))
    return out


def _wrap(text: str, italic: Callable[[str], str], plain: Callable[[str], str],
          header: bool) -> str:
    return "".join(italic(plain(s)) if it else plain(s)
                   for s, it in split_italic(text, header=header))


def markdown_italic(text: str, *, header: bool = False,
                    escape: Callable[[str], str] = str) -> str:
    """Markdown with the symbols as ``*p*``; ``escape`` is applied to every piece.

    Examples
    --------
    >>> markdown_italic("SD", header=True)
    '*SD*'
    """
    return _wrap(text, lambda s: f"*{s}*", escape, header)


def html_italic(text: str, *, header: bool = False) -> str:
    """HTML-escaped text with the symbols as ``<i>p</i>``.

    Examples
    --------
    >>> html_italic("p < .05 & b")
    '<i>p</i> &lt; .05 &amp; b'
    """
    return _wrap(text, lambda s: f"<i>{s}</i>", _html.escape, header)


def latex_italic(text: str, *, header: bool = False,
                 escape: Callable[[str], str] = str) -> str:
    """LaTeX with the symbols as ``\\textit{p}``; ``escape`` is applied to every piece.

    Examples
    --------
    >>> latex_italic("p < .05")
    '\\\\textit{p} < .05'
    """
    return _wrap(text, lambda s: rf"\textit{{{s}}}", escape, header)
