"""Every word a report prints, in English (``"en"``) and Bahasa Indonesia (``"id"``).

One setting, ``language="en" | "id"``, selects the labels, captions, verdicts and
sentence templates of every table, figure and chapter. Indonesian output may use
the decimal comma (``decimal=","``).

The words are data, not code: ``egovstudy/report/messages/<language>.yaml`` holds every
string, column header, interpretation category and Likert label of one language under
the same keys, so a new language is one more catalogue file.

Examples
--------
>>> text("table", "id")
'Tabel'
>>> text("supported", "en"), text("supported", "id")
('Supported', 'Diterima')
>>> text("sent_hypothesis", "en", hypothesis="H1", path="X -> Y", decision="supported",
...      stats="b = 0.42, p < .001")
'Hypothesis H1 (X -> Y) is supported (b = 0.42, p < .001).'
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, Literal, get_args

from egovstudy.errors import OutputError

__all__ = [
    "LANGUAGES",
    "STRINGS",
    "Language",
    "category_labels",
    "check_decimal",
    "check_language",
    "column_label",
    "likert_labels",
    "text",
]

Language = Literal["en", "id"]
LANGUAGES: tuple[str, ...] = get_args(Language)

_MESSAGES = Path(__file__).with_name("messages")


@functools.cache
def _catalogue(language: str) -> dict[str, Any]:
    """Read ``messages/<language>.yaml`` once (a packaged file, read with the safe loader)."""
    import yaml

    path = _MESSAGES / f"{language}.yaml"
    with path.open(encoding="utf-8") as handle:
        doc = yaml.safe_load(handle)
    if not isinstance(doc, dict) or doc.get("language") != language:
        raise OutputError(f"{path} is not the {language!r} report catalogue")
    return doc


def _table(section: str) -> dict[Any, dict[str, Any]]:
    """Return ``section`` of every catalogue as ``key -> {language: value}``."""
    merged: dict[Any, dict[str, Any]] = {}
    for language in LANGUAGES:
        for key, value in _catalogue(language)[section].items():
            merged.setdefault(key, {})[language] = value
    return merged


class _Strings(Mapping[str, dict[str, str]]):
    """Read-only view ``key -> {"en": ..., "id": ...}`` over the catalogues (read on first use)."""

    def __getitem__(self, key: str) -> dict[str, str]:
        return _table("strings")[key]

    def __iter__(self) -> Iterator[str]:
        return iter(_table("strings"))

    def __len__(self) -> int:
        return len(_table("strings"))


#: key -> {"en": ..., "id": ...}, read from ``messages/<language>.yaml``.
#: Templates use ``str.format`` fields.
STRINGS: Mapping[str, dict[str, str]] = _Strings()


def check_language(language: str) -> str:
    """Return ``language`` if it is ``"en"`` or ``"id"``, else raise :class:`OutputError`.

    Examples
    --------
    >>> check_language("id")
    'id'
    """
    if language not in LANGUAGES:
        raise OutputError(
            f"language={language!r} is not supported; use one of {', '.join(LANGUAGES)}"
        )
    return language


def check_decimal(decimal: str | None, language: str) -> str:
    """Resolve the decimal mark: ``None`` means ``"."`` (APA); ``","`` is the Indonesian option.

    Examples
    --------
    >>> check_decimal(None, "id"), check_decimal(",", "id")
    ('.', ',')
    """
    check_language(language)
    if decimal is None:
        return "."
    if decimal not in (".", ","):
        raise OutputError(f"decimal={decimal!r} is not supported; use '.' or ','")
    return decimal


def text(key: str, language: str = "en", /, **fields: object) -> str:
    """Return the string ``key`` in ``language``, formatted with ``fields``.

    Raises :class:`OutputError` for an unknown key or language.
    """
    check_language(language)
    try:
        template = _catalogue(language)["strings"][key]
    except KeyError:
        raise OutputError(f"no report string named {key!r}; known keys include "
                          f"{', '.join(sorted(STRINGS)[:8])}, ...") from None
    return template.format(**fields) if fields else template


def column_label(name: str, language: str = "en") -> str:
    """Return the printed header of a tidy column (``"p_value"`` -> ``"p"``); unknown names pass.

    Examples
    --------
    >>> column_label("std_estimate"), column_label("max", "id"), column_label("foo")
    ('β', 'Maks', 'foo')
    """
    check_language(language)
    label = _catalogue(language)["columns"].get(name)
    return str(label) if label is not None else name


def category_labels(n_classes: int = 5, language: str = "id") -> list[str]:
    """Return the interpretation categories, lowest first ("sangat buruk" .. "sangat baik").

    Examples
    --------
    >>> category_labels(5, "id")[-1], category_labels(5, "en")[0]
    ('sangat baik', 'very poor')
    """
    check_language(language)
    categories = _catalogue(language)["categories"]
    if n_classes not in categories:
        raise OutputError(f"n_classes={n_classes} has no default category labels; use 3, 4 or 5 "
                          "or pass labels=[...] explicitly")
    return list(categories[n_classes])




def likert_labels(k: int = 5, language: str = "en") -> list[str]:
    """Return agreement labels for a ``k``-point scale (numbers for other lengths).

    Examples
    --------
    >>> likert_labels(5, "id")[0]
    'Sangat tidak setuju'
    >>> likert_labels(7)[:2]
    ['1', '2']
    """
    check_language(language)
    labels = _catalogue(language)["likert"].get(k)
    return list(labels) if labels else [str(i + 1) for i in range(k)]
