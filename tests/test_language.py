"""The report catalogues: every language has the same keys and the same template fields."""

from __future__ import annotations

import re
import string
from typing import Any

import pytest

from egovstudy.errors import OutputError
from egovstudy.report import language
from egovstudy.report.language import LANGUAGES, _catalogue, text


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@pytest.mark.parametrize("section", ["strings", "columns", "categories", "likert",
                                     "verdicts"])
def test_every_language_has_the_same_keys(section: str) -> None:
    keys = {lang: set(_catalogue(lang)[section]) for lang in LANGUAGES}
    english = keys["en"]
    for lang, own in keys.items():
        assert own == english, (lang, sorted(own ^ english))


#: The chapter offers every sentence the cut-offs it may cite in its own decimal mark
#: ({c50} = "0,50"); a language may use them or write the number in its own style.
_CUTOFFS = {f"{kind}{v:02d}" for kind in "ca" for v in (5, 50, 60, 70, 85, 90)}


def test_templates_take_the_same_fields_in_every_language() -> None:
    for key, english in _catalogue("en")["strings"].items():
        wanted = _fields(english) - _CUTOFFS
        for lang in LANGUAGES:
            assert _fields(_catalogue(lang)["strings"][key]) - _CUTOFFS == wanted, (lang, key)


def test_category_and_likert_lists_have_their_length() -> None:
    for lang in LANGUAGES:
        for n, labels in _catalogue(lang)["categories"].items():
            assert len(labels) == n
        for k, labels in _catalogue(lang)["likert"].items():
            assert len(labels) == k


def test_text_reads_the_catalogue_and_names_an_unknown_key() -> None:
    assert text("supported", "id") == "Diterima"
    assert language.STRINGS["table"] == {"en": "Table", "id": "Tabel"}
    with pytest.raises(OutputError, match="no report string named 'tabel'"):
        text("tabel", "en")
    with pytest.raises(OutputError, match="language='fr'"):
        text("table", "fr")


def _glossary() -> dict[str, Any]:
    import yaml

    path = language._MESSAGES / "glossary.yaml"
    return yaml.safe_load(path.read_text(encoding="utf-8"))["terms"]


def _has(term: str, s: str, suffixes: str = "") -> bool:
    s = re.sub(r"\{[^{}]*\}", "", s)  # a template's fields ({items}) are not words
    return re.search(rf"(?<!\w){re.escape(term)}(?:{suffixes})?(?!\w)", s,
                     re.IGNORECASE) is not None


def test_indonesian_uses_the_glossary_terms() -> None:
    # the field's terms (glossary.yaml): where English says "reliability" Indonesian says
    # "reliabilitas", "hypothesis" -> "hipotesis", "confidence interval" -> "IK" ...
    terms = _glossary()
    assert {"reliability", "hypothesis", "significant", "respondent", "heteroskedasticity",
            "confidence interval"} <= set(terms)
    english = _catalogue("en")["strings"]
    indonesian = _catalogue("id")["strings"]
    missing = []
    for key, en in english.items():
        for term, entry in terms.items():
            # Indonesian suffixes stay on the word ("butirnya" is "butir")
            if _has(term, str(en)) and not any(_has(t, str(indonesian[key]), "nya|lah|kan")
                                               for t in entry["id"]):
                missing.append((key, term, indonesian[key]))
    assert not missing, missing


def test_glossary_entries_have_a_term_and_a_note() -> None:
    for term, entry in _glossary().items():
        assert entry["id"] and all(isinstance(t, str) and t for t in entry["id"]), term
        assert isinstance(entry.get("note"), str) and entry["note"], term
