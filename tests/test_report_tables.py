"""Table builders (egovstudy.report.tables): statistics against published R output, layout."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from egovstudy.errors import ModelSpecError, OutputError
from egovstudy.report.tables import (
    assumption_table,
    correlation_table,
    describe,
    descriptives_table,
    hypothesis_table,
    interpretation_category,
    mediation_table,
    pls_table,
    regression_table,
    reliability_table,
    validity_table,
)

# R datasets::mtcars (Henderson & Velleman 1981), columns mpg, hp, wt, in row order.
MPG = [21.0, 21.0, 22.8, 21.4, 18.7, 18.1, 14.3, 24.4, 22.8, 19.2, 17.8, 16.4, 17.3, 15.2,
       10.4, 10.4, 14.7, 32.4, 30.4, 33.9, 21.5, 15.5, 15.2, 13.3, 19.2, 27.3, 26.0, 30.4,
       15.8, 19.7, 15.0, 21.4]
HP = [110, 110, 93, 110, 175, 105, 245, 62, 95, 123, 123, 180, 180, 180, 205, 215, 230, 66,
      52, 65, 97, 150, 150, 245, 175, 66, 91, 113, 264, 175, 335, 109]
WT = [2.620, 2.875, 2.320, 3.215, 3.440, 3.460, 3.570, 3.190, 3.150, 3.440, 3.440, 4.070,
      3.730, 3.780, 5.250, 5.424, 5.345, 2.200, 1.615, 1.835, 2.465, 3.520, 3.435, 3.840,
      3.845, 1.935, 2.140, 1.513, 3.170, 2.770, 3.570, 2.780]


@pytest.fixture()
def mtcars() -> pd.DataFrame:
    return pd.DataFrame({"mpg": MPG, "hp": HP, "wt": WT})


def test_describe_matches_psych_describe_type3(mtcars: pd.DataFrame) -> None:
    # psych::describe(mtcars[c("mpg","hp","wt")]) (type = 3, psych's default), output printed
    # at https://cnblogs.com/qianheng/p/10825271.html:
    #       n   mean    sd median   min    max  range skew kurtosis
    # mpg  32  20.09  6.03  19.20 10.40  33.90  23.50 0.61    -0.37
    # hp   32 146.69 68.56 123.00 52.00 335.00 283.00 0.73    -0.14
    # wt   32   3.22  0.98   3.33  1.51   5.42   3.91 0.42    -0.02
    ref = {"mpg": (20.09, 6.03, 19.20, 23.50, 0.61, -0.37),
           "hp": (146.69, 68.56, 123.00, 283.00, 0.73, -0.14),
           "wt": (3.22, 0.98, 3.33, 3.91, 0.42, -0.02)}
    d = describe(mtcars, skew_type=3).set_index("variable")
    for var, (m, sd, med, rng, sk, ku) in ref.items():
        got = d.loc[var]
        assert got["n"] == 32
        # R prints 2 decimals: the unrounded value lies within half a unit of the last digit
        for key, want in (("mean", m), ("sd", sd), ("median", med), ("range", rng),
                          ("skew", sk), ("kurtosis", ku)):
            assert abs(got[key] - want) <= 0.005 + 1e-9, (var, key, got[key])


def test_describe_spss_type2_equals_scipy_unbiased(mtcars: pd.DataFrame) -> None:
    # Independent check (no published SPSS output at hand): type 2 (SPSS/Excel G1, G2) is
    # scipy.stats.skew/kurtosis with bias=False (Joanes & Gill 1998, eqs. for G1, G2).
    d = describe(mtcars, skew_type=2).set_index("variable")
    for var in mtcars:
        assert d.loc[var, "skew"] == pytest.approx(stats.skew(mtcars[var], bias=False))
        assert d.loc[var, "kurtosis"] == pytest.approx(stats.kurtosis(mtcars[var], bias=False))
    d1 = describe(mtcars, skew_type=1).set_index("variable")
    assert d1.loc["mpg", "skew"] == pytest.approx(stats.skew(mtcars["mpg"]))


def test_interpretation_category_interval_rule() -> None:
    # Closed form: class width (5 - 1) / 5 = 0.8 -> boundaries 1.8, 2.6, 3.4, 4.2.
    got = [interpretation_category(v) for v in (1.0, 1.8, 1.80001, 2.6, 2.61, 3.4, 3.41,
                                                 4.2, 4.21, 5.0)]
    assert got == ["sangat buruk", "sangat buruk", "buruk", "buruk", "cukup", "cukup", "baik",
                   "baik", "sangat baik", "sangat baik"]
    # a 4-point scale in 4 classes: width 0.75
    assert interpretation_category(2.5, low=1, high=4, n_classes=4, language="en") == "poor"
    with pytest.raises(OutputError, match="outside the scale"):
        interpretation_category(5.5)
    with pytest.raises(OutputError, match="labels has 2 entries but n_classes=5"):
        interpretation_category(3, labels=["a", "b"])


def test_descriptives_table_layout_and_distribution() -> None:
    df = pd.DataFrame({"a1": [1, 2, 3, 4, 5, 5, 5, 4], "a2": [2, 2, 3, 3, 4, 4, 5, 5],
                       "b1": [1, 1, 1, 2, 2, 3, 3, 3]})
    t = descriptives_table(df, {"A": ["a1", "a2"], "B": ["b1"]}, language="id", decimal=",")
    assert t.title == "Statistik Deskriptif Butir dan Konstruk"
    assert t.display.iloc[:, 0].tolist() == ["A", "a1", "a2", "B", "b1"]
    assert t.bold_rows == (0, 3) and t.indent_rows == (1, 2, 4)
    a1 = t.display.iloc[1]
    assert a1["% 5"] == "37,5" and a1["% 1"] == "12,5"  # 3/8 and 1/8 of the answers
    assert a1["M"] == "3,63"  # mean 29/8 = 3.625 with a decimal comma
    assert a1["Kategori"] == "baik"  # 3.625 in (3.40, 4.20]
    # construct row: the mean of the item means when no score column exists
    assert t.data is not None
    assert t.data.loc[0, "mean"] == pytest.approx((29 / 8 + 28 / 8) / 2)
    assert "panjang kelas" in t.notes[0] and "0,80" in t.notes[0]
    with pytest.raises(ModelSpecError, match=r"\['zz'\].*'A'"):
        descriptives_table(df, {"A": ["a1", "zz"]})


def test_correlation_table_matches_cor_test(mtcars: pd.DataFrame) -> None:
    # R: cor.test(mtcars$mpg, mtcars$hp) -> cor = -0.7761684, t = -6.7424, df = 30,
    # p-value = 1.788e-07 (printed at
    # https://rstudio-pubs-static.s3.amazonaws.com/1361319_35825748ab244e6f95825595564afb5c.html)
    t = correlation_table(mtcars, ["mpg", "hp", "wt"])
    assert t.data is not None
    assert t.data.set_index("variable").loc["hp", "mpg"] == pytest.approx(-0.7761684, abs=1e-7)
    assert t.display.iloc[1, 3] == "-.78***"
    assert t.display.iloc[0, 3] == "—" and t.display.iloc[0, 4] == ""
    assert t.display.iloc[0, 1:3].tolist() == ["20.09", "6.03"]  # psych::describe above
    assert "* p < .05" in " ".join(t.notes)


def _tidy(terms: list[str], est: list[float], p: list[float]) -> pd.DataFrame:
    return pd.DataFrame({"term": terms, "estimate": est, "std_error": [0.1] * len(terms),
                         "statistic": [e / 0.1 for e in est], "p_value": p,
                         "ci_low": [e - 0.2 for e in est], "ci_high": [e + 0.2 for e in est],
                         "std_estimate": [np.nan] + [e / 2 for e in est[1:]]})


class _Result:
    def __init__(self, tidy: pd.DataFrame, fit: dict[str, float]) -> None:
        self._t, self._f = tidy, fit

    def tidy(self) -> pd.DataFrame:
        return self._t

    def fit_stats(self) -> dict[str, float]:
        return self._f


def test_regression_table_side_by_side() -> None:
    m1 = _Result(_tidy(["Intercept", "x"], [1.0, 0.5], [0.2, 0.0004]),
                 {"r2": 0.25, "adj_r2": 0.24, "f": 30.0, "f_p_value": 0.0004, "n": 92})
    m2 = _Result(_tidy(["Intercept", "x", "z"], [0.9, 0.45, -0.2], [0.3, 0.001, 0.04]),
                 {"r2": 0.3, "adj_r2": 0.28, "f": 18.0, "f_p_value": 0.00001, "n": 92})
    t = regression_table({"(1)": m1, "(2)": m2}, labels={"z": "Budget"}, language="id")
    assert t.header_rows()[0][1:] == [("(1)", 3), ("(2)", 3)]
    body = t.display.to_numpy().tolist()
    assert body[0][0] == "Konstanta"
    assert body[1][1:4] == ["0.50***", "0.10", ".25"]
    assert body[2][0] == "Budget" and body[2][1:4] == ["", "", ""]
    assert body[2][4] == "-0.20*"
    assert [r[0] for r in body[3:]] == ["R²", "R² disesuaikan", "F", "n"]
    assert body[3][1] == ".250" and body[5][4] == "18.00***" and body[6][1] == "92"
    t_stat = regression_table([m1], stat="t", beta=False)
    assert t_stat.header_rows()[-1] == [("Predictor", 1), ("b", 1), ("t", 1)]
    assert t_stat.display.iloc[1, 2] == "5.00"
    with pytest.raises(ModelSpecError, match=r"missing column.*std_error"):
        regression_table({"m": pd.DataFrame({"term": ["x"], "estimate": [1.0], "p_value": [0.1]})})
    with pytest.raises(OutputError, match="stat='z'"):
        regression_table([m1], stat="z")  # type: ignore[arg-type]


def test_assumption_validity_reliability_translate() -> None:
    tests = pd.DataFrame({"test": ["Shapiro-Wilk", "Breusch-Pagan"], "statistic": [0.98, 6.0],
                          "df": [np.nan, 5], "p_value": [0.0001, 0.30],
                          "threshold": ["p > .05", "p > .05"], "verdict": ["violated", "met"],
                          "sentence_en": ["a", "b"], "sentence_id": ["c", "d"]})
    t = assumption_table(tests, language="id")
    assert t.title == "Uji Asumsi Klasik"
    assert list(t.display.columns) == ["Uji", "Statistik", "df", "p", "Kriteria", "Kesimpulan"]
    assert t.display["Kesimpulan"].tolist() == ["Tidak terpenuhi", "Terpenuhi"]
    assert t.display["p"].tolist() == ["< .001", ".300"]
    v = validity_table(pd.DataFrame({"item": ["a"], "r": [0.12], "valid": [False]}))
    assert v.display.iloc[0].tolist() == ["a", ".120", "Not valid"]
    r = reliability_table(pd.DataFrame({"construct": ["A"], "alpha": [0.7], "reliable": [True]}),
                          language="id")
    assert r.display.iloc[0].tolist() == ["A", ".700", "Reliabel"]


def test_mediation_pls_hypothesis_tables() -> None:
    eff = pd.DataFrame({"term": ["a", "indirect"], "estimate": [0.5, 0.2], "std_error": [0.1, 0.05],
                        "statistic": [5.0, np.nan], "p_value": [0.00001, np.nan],
                        "ci_low": [0.3, 0.11], "ci_high": [0.7, 0.31]})
    m = mediation_table(eff, n_boot=5000, language="id")
    assert list(m.display.columns) == ["Efek", "b", "SE", "t", "p", "LLCI", "ULCI"]
    assert m.display.iloc[1].tolist() == ["indirect", "0.200", "0.050", "", "", "0.110", "0.310"]
    assert any("5000 sampel ulang" in n for n in m.notes)
    pls = pls_table(eff.assign(term=["X -> Y", "X -> M"]))
    assert pls.display.columns[1] == "β"
    h = hypothesis_table(pd.DataFrame({"hypothesis": ["H1", "H2"], "term": ["x", "z"],
                                       "estimate": [0.3, 0.1], "p_value": [0.01, 0.2],
                                       "decision": ["supported", "not supported"]}))
    assert h.display["Decision"].tolist() == ["Supported", "Not supported"]
    h2 = hypothesis_table(pd.DataFrame({"term": ["x"], "estimate": [0.3], "p_value": [0.01]}),
                          language="id")
    assert h2.display.iloc[0, 0] == "H1" and h2.display["Keputusan"].tolist() == ["Diterima"]
    with pytest.raises(ModelSpecError, match="'path' or 'term'"):
        hypothesis_table(pd.DataFrame({"estimate": [0.3], "p_value": [0.01]}))


def test_table_renderers_and_numbering() -> None:
    t = correlation_table(pd.DataFrame({"x": MPG, "y": WT}), ["x", "y"],
                          language="id").with_number("4.3")
    assert t.caption() == "Tabel 4.3. Rata-rata, Simpangan Baku dan Korelasi"
    md = t.to_markdown()
    assert "**Tabel 4.3**" in md and "---:" in md and "*Catatan.*" in md
    tex = t.to_latex()
    assert r"\toprule" in tex and r"\midrule" in tex and r"\bottomrule" in tex
    assert "|" not in tex.split(r"\begin{tabular}")[1].split("}")[0]  # no vertical rules
    html = t.to_html()
    assert "<caption><b>Tabel 4.3</b>" in html
    assert "Tabel 4.3" in str(t)


def test_code_names_are_printed_names() -> None:
    import pandas as pd

    from egovstudy.report.tables import assumption_table, frame_table

    rules = pd.DataFrame({"rule": ["duplicate_id", "straight_lining"],
                          "policy": ["drop", "report"], "n_flagged": [1, 2]})
    t = frame_table(rules, title="Screening", language="id", kind="quality")
    assert t.display.iloc[:, 0].tolist() == ["ID responden ganda",
                                             "Jawaban seragam (straight-lining)"]
    assert t.display.iloc[:, 1].tolist() == ["dikeluarkan", "dilaporkan"]
    tests = pd.DataFrame({"test": ["Shapiro-Wilk", "VIF: hr_quality"], "statistic": [0.99, 1.2],
                          "p_value": [0.2, None], "threshold": ["p > 0.050", "VIF < 10"],
                          "verdict": ["met", "met"]})
    a = assumption_table(tests, labels={"hr_quality": "HR quality"})
    assert a.display.iloc[:, 0].tolist() == ["Shapiro-Wilk", "VIF: HR quality"]
    assert a.display["Criterion"].tolist()[0] == "p > .05"  # APA: no leading zero for p
