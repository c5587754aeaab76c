"""The one number formatter of every sentence, table cell and figure label.

Every analysis step may import it (it imports nothing of the package):
``egovstudy.report.numbers`` (tables, the chapter), ``compare``, ``models`` (hypotheses,
diagnostics), ``measurement`` and ``planning`` all format through :func:`number`, so a
number reads the same everywhere: fixed decimals rounded half up on the shortest decimal
representation (3.625 -> 3.63, as SPSS and Excel), APA ``p`` values, and one style per
decimal mark: with a decimal point the thousands separator is "," and two numbers are
separated by ", " (``[0.050, 0.136]``); with a decimal comma the thousands separator is
"." and the separator ";" (``[0,050; 0,136]``).

Sentences in Indonesian use the decimal comma unless a report sets the mark for all its
sentences with :func:`sentence_decimal` (the results chapter does, so its prose matches
its tables).

Examples
--------
>>> number(1234.5, 1, decimal=",", thousands=True), number(0.456, 2, leading_zero=False)
('1.234,5', '.46')
>>> interval(0.05, 0.1364, 3, decimal=",")
'[0,050; 0,136]'
>>> with sentence_decimal("."):
...     fmt(1.5, 1, "id")
'1.5'
"""

from __future__ import annotations

import contextlib
import contextvars
import math
from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal

__all__ = ["decimal_for", "fmt", "fmt_p", "interval", "list_separator", "localize", "number",
           "sentence_decimal"]

Lang = Literal["en", "id"]

_SENTENCE_DECIMAL: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "egovstudy_sentence_decimal", default=None)


def number(x: Any, digits: int = 2, *, decimal: str = ".", leading_zero: bool = True,
           sign: bool = False, thousands: bool = False) -> str:
    """Format a finite number (the caller handles missing values).

    ``leading_zero=False`` drops the zero of a statistic bounded by 1 (APA: ``.46``);
    ``thousands=True`` groups the integer digits ("," with a decimal point, "." with a
    decimal comma).

    Examples
    --------
    >>> number(-0.05, 3, leading_zero=False), number(2, 1, sign=True), number(-0.001, 2)
    ('-.050', '+2.0', '0.00')
    >>> number(1100, 0, thousands=True), number(1100, 0, decimal=",", thousands=True)
    ('1,100', '1.100')
    """
    x = float(x)
    if math.isinf(x):
        return "∞" if x > 0 else "-∞"
    # round half up on the shortest decimal representation (3.625 -> 3.63, as SPSS/Excel)
    q = Decimal(repr(x)).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
    out = f"{q:{'+' if sign else ''}{',' if thousands else ''}.{digits}f}"
    if out.lstrip("+-").replace(",", "").strip("0.") == "" and out.startswith("-"):
        out = out[1:]  # no "-0.00"
    if not leading_zero and out.lstrip("+-").startswith("0."):
        out = out.replace("0.", ".", 1)
    if decimal != ".":
        out = out.replace(",", "\0").replace(".", decimal).replace("\0", ".")
    return out


def list_separator(decimal: str) -> str:
    """The separator between two numbers: ``"; "`` under a decimal comma, else ``", "``.

    Examples
    --------
    >>> list_separator(","), list_separator(".")
    ('; ', ', ')
    """
    return "; " if decimal == "," else ", "


def interval(lo: Any, hi: Any, digits: int = 3, *, decimal: str = ".") -> str:
    """``[lo, hi]`` in the style of ``decimal``.

    Examples
    --------
    >>> interval(-0.1, 0.25, 2)
    '[-0.10, 0.25]'
    """
    return (f"[{number(lo, digits, decimal=decimal)}{list_separator(decimal)}"
            f"{number(hi, digits, decimal=decimal)}]")


@contextlib.contextmanager
def sentence_decimal(decimal: str) -> Iterator[None]:
    """Within the block every sentence (any language) uses ``decimal`` ("." or ",")."""
    token = _SENTENCE_DECIMAL.set(decimal)
    try:
        yield
    finally:
        _SENTENCE_DECIMAL.reset(token)


def decimal_for(lang: str) -> str:
    """The decimal mark of sentences in ``lang``: the :func:`sentence_decimal` in force,
    else a comma in Indonesian and a point in English.

    Examples
    --------
    >>> decimal_for("id"), decimal_for("en")
    (',', '.')
    """
    forced = _SENTENCE_DECIMAL.get()
    if forced is not None:
        return forced
    return "," if lang == "id" else "."


def localize(stat_text: str, lang: str) -> str:
    """A statistic written with decimal points (``"W = 0.9876"``) in the mark of ``lang``.

    Examples
    --------
    >>> localize("W = 0.9876, df = 2", "id")
    'W = 0,9876; df = 2'
    """
    dec = decimal_for(lang)
    if dec == ".":
        return stat_text
    return stat_text.replace(", ", "\0").replace(".", dec).replace("\0", list_separator(dec))


def fmt(x: float, digits: int = 2, lang: str = "en", *, leading_zero: bool = True,
        thousands: bool = False) -> str:
    """Format a number for a sentence in ``lang`` (``"NA"`` when missing).

    Examples
    --------
    >>> fmt(1.2345), fmt(1.2345, 2, "id"), fmt(0.456, 2, leading_zero=False)
    ('1.23', '1,23', '.46')
    """
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "NA"
    return number(x, digits, decimal=decimal_for(lang), leading_zero=leading_zero,
                  thousands=thousands)


def fmt_p(p: float, lang: str = "en") -> str:
    """``p = .023`` or ``p < .001`` (APA), with a decimal comma in Indonesian.

    Examples
    --------
    >>> fmt_p(0.0604), fmt_p(0.0604, "id"), fmt_p(1e-9)
    ('p = .060', 'p = ,060', 'p < .001')
    """
    if p is None or (isinstance(p, float) and math.isnan(p)):
        return "p = NA"
    if p < 0.001:
        return "p < " + fmt(0.001, 3, lang, leading_zero=False)
    return "p = " + fmt(min(p, 1.0), 3, lang, leading_zero=False)
