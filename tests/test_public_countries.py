"""Country names to ISO3: library, overrides, unmatched names reported, nothing dropped."""

from __future__ import annotations

import pandas as pd
import pytest

from egovstudy.errors import DataQualityWarning
from egovstudy.public.countries import add_iso3, to_iso3


def test_official_spellings_match():
    # ISO 3166-1 alpha-3 codes (ISO 3166 Maintenance Agency) for UN / IMF / WB spellings
    names = ["United Kingdom of Great Britain and Northern Ireland", "Viet Nam",
             "Iran (Islamic Republic of)", "Afghanistan, Islamic Republic of",
             "Congo", "Democratic Republic of the Congo", "Korea, Republic of",
             "Republic of Korea", "Democratic People's Republic of Korea", "Türkiye",
             "Côte d'Ivoire", "Kosovo, Republic of", "Bolivia (Plurinational State of)"]
    codes = to_iso3(names).codes.tolist()
    assert codes == ["GBR", "VNM", "IRN", "AFG", "COG", "COD", "KOR", "KOR", "PRK", "TUR",
                     "CIV", "XKX", "BOL"]


def test_unmatched_names_are_reported_and_kept():
    s = pd.Series(["Indonesia", "Atlantis", "Republika Srpska"], index=[10, 11, 12])
    with pytest.warns(DataQualityWarning, match=r"'Atlantis'.*'Republika Srpska'"):
        m = to_iso3(s, source="demo")
    assert m.codes.index.tolist() == [10, 11, 12]
    assert m.codes.isna().tolist() == [False, True, True]
    assert m.unmatched == ["Atlantis", "Republika Srpska"]
    assert "unmatched" in m.summary()


def test_aggregates_get_no_code_without_warning(recwarn):
    m = to_iso3(["World", "Upper middle income", "Denmark"])
    assert m.codes.tolist()[:2] == [pd.NA, pd.NA]
    assert m.report["method"].tolist() == ["aggregate", "aggregate", "library"]
    assert not [w for w in recwarn if issubclass(w.category, DataQualityWarning)]


def test_user_overrides_win_and_empty_means_no_code():
    m = to_iso3(["Congo", "Somaliland"], overrides={"congo": "COD", "Somaliland": ""},
                warn=False)
    assert m.codes.tolist() == ["COD", pd.NA]
    assert m.unmatched == []


def test_add_iso3_keeps_rows():
    df = pd.DataFrame({"country": ["Denmark", "Nowhere"], "v": [1, 2]})
    with pytest.warns(DataQualityWarning):
        out = add_iso3(df, "country")
    assert len(out) == 2 and out["iso3"].tolist()[0] == "DNK"
