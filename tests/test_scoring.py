"""Reverse keying, construct scores and MSI against published worked examples."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from egovstudy import scoring
from egovstudy.codebook import Codebook
from egovstudy.errors import CodebookError, InsufficientDataError
from egovstudy.scoring import msi, reverse_items, score_constructs


def _series(freqs: list[int]) -> pd.Series:
    return pd.Series(np.repeat(np.arange(1, len(freqs) + 1), freqs), name="x")


# Budi Setiawan, "Contoh cara hitung manual dengan Excel: konversi data ordinal menjadi
# interval dengan teknik MSI" (spreadsheet table, n = 30), first item:
# frequencies 3, 4, 13, 6, 4 -> Z -1.28155, -0.72791, 0.430727, 1.110772;
# d(Z) 0.175498, 0.306093, 0.3636, 0.215274; scores 1, 1.775526, 2.622275, 3.496614, 4.369536
# (https://id.scribd.com/document/435240858/MSI-Manual-xlsx).
def test_msi_setiawan_item1() -> None:
    tab = msi(_series([3, 4, 13, 6, 4])).table
    np.testing.assert_allclose(tab["z"].iloc[:4], [-1.28155, -0.72791, 0.430727, 1.110772],
                               atol=5e-6)
    np.testing.assert_allclose(tab["density"].iloc[:4], [0.175498, 0.306093, 0.3636, 0.215274],
                               atol=5e-6)
    np.testing.assert_allclose(tab["score"], [1, 1.775526, 2.622275, 3.496614, 4.369536],
                               atol=5e-6)


# Same source, second item: frequencies 6, 4, 9, 7, 4 -> scale values -1.39981, -0.62728,
# -0.04283, 0.690748, 1.614552(last); scores 1, 1.772526, 2.356982, 3.090557, 4.014362.
def test_msi_setiawan_item2() -> None:
    tab = msi(_series([6, 4, 9, 7, 4])).table
    np.testing.assert_allclose(tab["scale_value"].iloc[:4], [-1.39981, -0.62728, -0.04283,
                                                             0.690748], atol=5e-6)
    np.testing.assert_allclose(tab["score"], [1, 1.772526, 2.356982, 3.090557, 4.014362],
                               atol=5e-6)


# "Contoh perhitungan manual Method of Successive Interval", item 1 variable X, n = 156:
# frequencies 10, 64, 51, 19, 12 -> Z -1.521, -0.064, 0.846, 1.426; density 0.125, 0.398,
# 0.279, 0.144; scaled 1.000, 2.292, 3.321, 4.062, 4.833 (printed to 3 decimals)
# (https://id.scribd.com/document/341033169/Contoh-Perhitungan-MSI-doc).
def test_msi_contoh_perhitungan() -> None:
    tab = msi(_series([10, 64, 51, 19, 12])).table
    np.testing.assert_allclose(tab["z"].iloc[:4], [-1.521, -0.064, 0.846, 1.426], atol=6e-4)
    np.testing.assert_allclose(tab["density"].iloc[:4], [0.125, 0.398, 0.279, 0.144], atol=6e-4)
    np.testing.assert_allclose(tab["score"], [1.000, 2.292, 3.321, 4.062, 4.833], atol=6e-4)


def test_msi_transforms_data_and_pools() -> None:
    df = pd.DataFrame({"a": _series([3, 4, 13, 6, 4]).to_numpy(),
                       "b": _series([6, 4, 9, 7, 4]).to_numpy()}).astype("Int8")
    df.loc[0, "a"] = pd.NA
    res = msi(df)
    assert res.data["a"].isna().sum() == 1
    # each code maps to its item's score (table above with one fewer '1')
    assert res.data.loc[29, "b"] == pytest.approx(4.014362, abs=1e-6)
    pooled = msi(df, pooled=True)
    assert list(pooled.table["item"].unique()) == ["(pooled)"]
    assert pooled.table["frequency"].sum() == 59
    assert pooled.table["score"].min() == pytest.approx(1.0)
    # unused categories get no score; scores increase with the category
    res3 = msi(pd.Series([1, 1, 2, 5, 5, 5]))
    assert res3.table["category"].tolist() == [1, 2, 5]
    assert np.all(np.diff(res3.table["score"]) > 0)
    with pytest.raises(InsufficientDataError, match="no answered values"):
        msi(pd.Series([np.nan, np.nan]))
    with pytest.raises(CodebookError, match=r"items \['zz'\]"):
        msi(df, ["zz"])


CB = Codebook.from_dict({
    "items": [{"name": "a1", "column": "A1", "construct": "a"},
              {"name": "a2", "column": "A2", "construct": "a", "reverse": True},
              {"name": "a3", "column": "A3", "construct": "a"},
              {"name": "b1", "column": "B1", "construct": "b", "scale": "agree7"},
              {"name": "b2", "column": "B2", "construct": "b", "scale": "agree7"}],
    "constructs": [{"name": "a", "min_items": 2, "score": "mean"},
                   {"name": "b", "min_items": 1, "score": "sum"},
                   {"name": "ab", "dimensions": ["a", "b"], "min_items": 2}],
})


def test_reverse_and_scores_by_hand() -> None:
    raw = pd.DataFrame({"a1": [5, 4, None], "a2": [1, 5, None], "a3": [3, None, 2],
                        "b1": [7, 1, None], "b2": [None, 3, None]}, dtype="Int8")
    rev = reverse_items(raw, CB)
    assert rev["a2"].tolist()[:2] == [5, 1]  # 1 + 5 - x on agree5
    s = score_constructs(rev, CB)
    # a: mean of answered items, at least 2 answered
    assert s["a"].tolist()[:2] == [pytest.approx(13 / 3), pytest.approx(2.5)]
    assert np.isnan(s.loc[2, "a"])  # one item answered < min_items 2
    # b: prorated sum (mean x 2 items)
    assert s["b"].tolist()[:2] == [14.0, 4.0]
    assert np.isnan(s.loc[2, "b"])
    # second order: mean of the dimension scores, both needed
    assert s.loc[0, "ab"] == pytest.approx((13 / 3 + 14) / 2)
    assert np.isnan(s.loc[2, "ab"])
    assert list(s.columns) == ["a", "b", "ab"]
    with pytest.raises(CodebookError, match="unknown construct 'zz'"):
        score_constructs(rev, CB, constructs=["zz"])


@pytest.mark.parametrize("dtype", ["Int8", "Int16", "UInt8"])
def test_integer_items_score_as_through_float(dtype: str,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    # 1- and 2-byte nullable items are summed in int32 a block of rows at a time; the
    # scores equal, bit for bit, those of the same answers held as float64
    rng = np.random.default_rng(4)
    n = 500
    codes = rng.integers(1, 8, size=(n, 5)).astype(float)
    codes[rng.random((n, 5)) < 0.2] = np.nan
    codes[:, 0] = rng.integers(1, 8, n)  # an item without blanks
    frame = pd.DataFrame(codes, columns=["a1", "a2", "a3", "b1", "b2"])
    want = score_constructs(frame, CB)
    for rows in (7, 1 << 16):
        monkeypatch.setattr(scoring, "_SUM_ROWS", rows)
        got = score_constructs(frame.astype(dtype), CB)
        pd.testing.assert_frame_equal(got, want, check_exact=True)
    assert want["a"].isna().any() and want["b"].notna().any()
