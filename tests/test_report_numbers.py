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


# ---------------------------------------------------------------------------- APA 7 formatter
@pytest.mark.parametrize(
    ("value", "stat", "expected"),
    # APA Publication Manual, 7th ed., sec. 6.36: no zero before the decimal point for a
    # statistic that cannot exceed 1 (correlations, proportions, p, alpha, beta...), a zero
    # before it otherwise (M = 0.72); p to 3 decimals and "< .001"; most statistics to 2
    # decimals. The APA style sample tables (apastyle.apa.org, "Sample tables") print
    # "r = .72", "alpha = .86", "M = 3.14, SD = 0.80", "t(98) = 2.31", "p = .023".
    [(0.7234, "r", ".723"), (0.864, "alpha", ".864"), (0.812, "omega_total", ".812"),
     (0.52, "ave", ".520"), (0.73, "rho_c", ".730"), (0.91, "htmt", ".910"),
     (1.04, "htmt", "1.040"), (0.41, "R²", ".410"), (-0.25, "β", "-.250"),
     (0.62, "r_rest", ".620"), (0.7, "loading", ".700"),
     (3.14159, "M", "3.14"), (0.8, "SD", "0.80"), (0.5, "b", "0.50"), (0.104, "SE", "0.10"),
     (2.3149, "t", "2.31"), (29.476, "F", "29.48"), (3.75, "Mdn", "3.75"),
     (0.0234, "p", ".023"), (0.0004, "p", "< .001"), (None, "p", "")],
)
def test_fmt_stat_follows_apa7(value: float | None, stat: str, expected: str) -> None:
    from egovstudy.report.numbers import fmt_stat

    assert fmt_stat(value, stat) == expected


def test_fmt_stat_digits_and_decimal_comma() -> None:
    from egovstudy.report.numbers import fmt_stat

    assert fmt_stat(0.7234, "alpha", digits=2, decimal=",") == ",72"
    assert fmt_stat(3.14159, "M", decimal=",") == "3,14"


def test_typeset_signs_and_italic_symbols() -> None:
    from egovstudy.report.symbols import html_italic, latex_italic, split_italic, typeset

    # APA 7 sec. 6.44-6.46: symbols of statistics in italics, Greek letters upright,
    # a true minus sign and the relational signs set as characters
    assert typeset("alpha >= .70 and <= 1, b = -0.42, range 1-5") == \
        "alpha ≥ .70 and ≤ 1, b = \u22120.42, range 1-5"
    s = "F(2, 97) = 4.10, p < .001, R² = .41, n = 120, SD = 0.8, β = .25, a b c"
    italic = [piece for piece, it in split_italic(s) if it]
    assert italic == ["F", "p", "R", "n", "SD"]  # not β (Greek), not the bare "b"
    assert [p for p, it in split_italic("Model 1: SE", header=True) if it] == ["SE"]
    assert [p for p, it in split_italic("Sebaran", header=True) if it] == []
    assert html_italic("p < .05") == "<i>p</i> &lt; .05"
    assert latex_italic("p >= .05") == "\\textit{p} ≥ .05"
