"""Verdicts of the analysis modules ("not normal", "3 outliers") in the report's language.

The analyses return English verdict words; the catalogues' ``verdicts:`` section maps each
to the language's own (a count is the field ``{n}``), so no translation lives in code.

Examples
--------
>>> translate_verdict("not normal", "id"), translate_verdict("3 outliers", "id")
('tidak normal', '3 pencilan')
>>> translate_verdict("reliable", "en"), translate_verdict(0.5, "id")
('reliable', 0.5)
"""

from __future__ import annotations

import re
from typing import Any

from egovstudy.report.language import _catalogue, check_language

__all__ = ["local_terms", "translate_verdict"]


def local_terms(sentence: str, language: str) -> str:
    """English test names and words left in a generated sentence, in ``language``.

    The catalogue's ``terms:`` section maps each (whole words, longest first); English
    has none.

    Examples
    --------
    >>> local_terms("VIF = 1.2 (tolerance 0.83); 95% CI = [0.1, 0.2]", "id")
    'VIF = 1.2 (toleransi 0.83); 95% IK = [0.1, 0.2]'
    """
    check_language(language)
    terms = _catalogue(language).get("terms") or {}
    for english in sorted(terms, key=len, reverse=True):
        sentence = re.sub(rf"(?<!\w){re.escape(english)}(?!\w)", str(terms[english]),
                          sentence)
    return sentence


def translate_verdict(value: Any, language: str) -> Any:
    """The verdict ``value`` in ``language``; anything not a known verdict passes unchanged."""
    check_language(language)
    if not isinstance(value, str):
        return value
    words = value.strip()
    m = re.match(r"^(\d+) (.+)$", words)
    key, n = (f"{{n}} {m.group(2)}", m.group(1)) if m else (words, None)
    table = _catalogue(language).get("verdicts", {})
    if key not in table:
        return value
    return str(table[key]).format(n=n) if n is not None else str(table[key])
