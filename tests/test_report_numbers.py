"""APA number formatting and the en/id language layer (egovstudy.report.numbers, .language)."""

from __future__ import annotations

import pytest

from egovstudy.errors import OutputError
from egovstudy.report.language import (
    STRINGS,
    category_labels,
    check_decimal,
    check_language,
    likert_labels,
    text,
)
from egovstudy.report.numbers import align_decimals, fmt_num, fmt_p, fmt_p_expr, stars


@pytest.mark.parametrize(
    ("p", "expected"),
    # APA 7 (Publication Manual, sec. 6.36): exact p to 2-3 decimals, no leading zero,
    # "p < .001" below .001.
    [(0.0004, "< .001"), (0.001, ".001"), (0.0234, ".023"), (0.5, ".500"), (1.0, "1.000"),
     (0.04999, ".050")],
)
def test_fmt_p_apa(p: float, expected: str) -> None:
    assert fmt_p(p) == expected


def test_fmt_p_expr_and_decimal_comma() -> None:
    assert fmt_p_expr(0.00001) == "p < .001"
    assert fmt_p_expr(0.0312) == "p = .031"
    assert fmt_p(0.0312, decimal=",") == ",031"
    assert fmt_num(3.14159, 2, decimal=",") == "3,14"


def test_leading_zero_rules() -> None:
    assert fmt_num(0.456, 2, leading_zero=False) == ".46"
    assert fmt_num(-0.456, 2, leading_zero=False) == "-.46"
    assert fmt_num(1.456, 2, leading_zero=False) == "1.46"  # only a leading 0 is dropped
    assert fmt_num(-0.0001, 2) == "0.00"  # no negative zero
    assert fmt_num(None) == "" and fmt_num(float("nan"), missing="—") == "—"


def test_stars_thresholds() -> None:
    assert [stars(p) for p in (0.051, 0.05, 0.0499, 0.0099, 0.00099)] == ["", "", "*", "**", "***"]


def test_align_decimals_pads_marks_and_integers() -> None:
    cells = align_decimals(["0.52***", "-0.10", "12.3", "600"], pad="_")
    # every decimal mark sits at the same distance from the right edge
    assert cells[0] == "0.52***"
    assert cells[1] == "-0.10___"
    tail = [len(c) - c.index(".") for c in cells[:3]]
    assert len(set(tail)) == 1
    assert cells[3] == "600" + "_" * 6  # an integer ends where the decimal mark would be


def test_every_string_has_both_languages() -> None:
    for key, entry in STRINGS.items():
        assert set(entry) == {"en", "id"}, key
        assert entry["en"].strip() and entry["id"].strip(), key


def test_language_switch_and_bad_values() -> None:
    assert text("table", "en") == "Table" and text("table", "id") == "Tabel"
    assert text("figure", "id") == "Gambar"
    assert category_labels(5, "id") == ["sangat buruk", "buruk", "cukup", "baik", "sangat baik"]
    assert likert_labels(5, "id")[-1] == "Sangat setuju"
    with pytest.raises(OutputError, match=r"language='fr'.*en, id"):
        check_language("fr")
    with pytest.raises(OutputError, match="decimal=';'"):
        check_decimal(";", "id")
    with pytest.raises(OutputError, match="no report string named 'nope'"):
        text("nope", "en")


def test_round_half_up_like_spss() -> None:
    # Python's float formatting rounds 3.625 (exact in binary) half-to-even -> "3.62"; reports
    # round half up on the decimal value, as SPSS and Excel print it.
    assert fmt_num(3.625) == "3.63"
    assert fmt_num(2.675) == "2.68"
    assert fmt_num(-0.125, 2, leading_zero=False) == "-.13"
