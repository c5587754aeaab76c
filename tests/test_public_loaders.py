"""Every public source loads from the mirror into tidy frames with ISO3 codes and years;
renamed columns and duplicate country-years are reported clearly."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from egovstudy.errors import DataFormatError, DataQualityError, DataQualityWarning
from egovstudy.public import (
    isora_indicators,
    load_country_metadata,
    load_egdi,
    load_egdi_edition,
    load_egdi_unu,
    load_gtmi,
    load_id_apbn_spending,
    load_id_digital_literacy,
    load_id_hdi,
    load_id_internet_access,
    load_internet_use,
    load_isora,
    load_oecd_dgi,
    load_ookla_global_index,
    load_ookla_speed,
    load_wdi,
    load_wdi_metadata,
    load_wgi,
)

EGDI_COLS = ["iso3", "country", "year", "egdi", "osi", "hci", "tii", "epart"]


@pytest.fixture(scope="module")
def egdi(data_mirror: Path) -> pd.DataFrame:
    return load_egdi(mirror=data_mirror)


def _merged_csv(tmp_path: Path, rows: list[str], *, stem: str = "E-Government Index") -> Path:
    header = (f"Country Name,E-Government Rank 2022,{stem} 2022,E-Participation Index 2022,"
              "Online Service Index 2022,Human Capital Index 2022,"
              "Telecommunication Infrastructure Index 2022")
    path = tmp_path / "merged.csv"
    path.write_text("\n".join([header, *rows]) + "\n")
    return path


# --- schema checks and duplicates (no mirror needed) ---------------------------------------

def test_renamed_column_names_expected_and_found(tmp_path):
    path = _merged_csv(tmp_path, ["Denmark,1,0.97,0.9,0.98,0.96,0.98"],
                       stem="EGDI Score")
    with pytest.raises(DataFormatError, match=r"expected columns .*E-Government Index 2022.*"
                                              r"found columns .*EGDI Score 2022"):
        load_egdi(path)


def test_duplicate_country_years_reported(tmp_path):
    path = _merged_csv(tmp_path, ["Denmark,1,0.97,0.9,0.98,0.96,0.98",
                                  "Denmark ,2,0.96,0.9,0.98,0.96,0.98"])
    with pytest.warns(DataQualityWarning, match=r"2 rows share the same \['iso3', 'year'\]"
                                                r".*DNK"):
        out = load_egdi(path)
    assert len(out) == 2  # reported, not dropped
    with pytest.raises(DataQualityError, match="DNK"):
        load_egdi(path, duplicates="raise")
    with pytest.raises(DataFormatError, match="duplicates='drop' is not allowed"):
        load_egdi(path, duplicates="drop")


def test_unmatched_country_reported_and_kept(tmp_path):
    path = _merged_csv(tmp_path, ["Atlantis,1,0.97,0.9,0.98,0.96,0.98"])
    with pytest.warns(DataQualityWarning, match="Atlantis"):
        out = load_egdi(path)
    assert out["iso3"].isna().all() and len(out) == 1


def test_single_year_edition_renamed_columns(tmp_path):
    path = tmp_path / "e.csv"
    path.write_text("Survey Year,Country,Rank,EGDI,E_Participation,Online_Service,"
                    "Human_Capital,Tele_Infra\n2024,Denmark,1,0.98,1,0.99,0.97,0.99\n")
    with pytest.raises(DataFormatError, match=r"\['E_Index'\] not found.*found columns.*EGDI"):
        load_egdi_edition(2024, path)
    with pytest.raises(DataFormatError, match="year=2019"):
        load_egdi_edition(2019, path)


def test_wdi_file_for_another_indicator_is_refused(tmp_path):
    path = tmp_path / "w.csv"
    path.write_text('"Data Source","WDI",\n\n"Last Updated Date","2024",\n\n'
                    '"Country Name","Country Code","Indicator Name","Indicator Code","2020",\n'
                    '"Indonesia","IDN","GDP","NY.GDP.MKTP.CD","1",\n')
    with pytest.raises(DataFormatError, match=r"NY\.GDP\.MKTP\.CD.*not 'NY\.GDP\.PCAP\.CD'"):
        load_wdi("NY.GDP.PCAP.CD", path)


# --- the real files ------------------------------------------------------------------------

def test_load_egdi_one_row_per_country_year(egdi):
    assert list(egdi.columns[:8]) == EGDI_COLS
    # UN membership: 191 in 2005, 192 from 2006 (Montenegro), 193 from 2011 (South Sudan)
    assert egdi.groupby("year").size().to_dict() == {
        2005: 191, 2008: 192, 2010: 192,
        **dict.fromkeys((2012, 2014, 2016, 2018, 2020, 2022, 2024), 193)}
    assert not egdi.duplicated(["iso3", "year"]).any()
    assert egdi["iso3"].notna().all() and egdi["iso3"].nunique() == 193
    assert egdi[["egdi", "osi", "hci", "tii", "epart"]].stack().between(0, 1).all()


def test_single_year_files_agree_with_merged_table(egdi, data_mirror):
    # independent copies of the 2022 and 2024 UN Data Center files
    for year in (2022, 2024):
        single = load_egdi_edition(year, mirror=data_mirror)
        both = single.merge(egdi[egdi["year"] == year], on=["iso3", "year"])
        assert len(both) == 193
        for col in ("egdi", "osi", "hci", "tii", "epart"):
            np.testing.assert_allclose(both[f"{col}_x"], both[f"{col}_y"], atol=1e-9)
        assert (both["egdi_rank_x"] == both["egdi_rank_y"]).all()


def test_unu_files_with_iso3_agree_with_name_matching(egdi, data_mirror):
    # UNU files carry ISO3 codes: the merged table's name matching must give the same codes
    unu = load_egdi_unu(mirror=data_mirror)
    both = unu.merge(egdi, on=["iso3", "year"])
    assert len(unu) == 5 * 193 and len(both) == len(unu) - 1  # SSD 2010: not assessed
    np.testing.assert_allclose(both["egdi_x"], both["egdi_y"], atol=1e-9)


def test_country_metadata(data_mirror):
    meta = load_country_metadata(mirror=data_mirror)
    assert {"iso3", "region", "income", "status"} <= set(meta.columns)
    assert meta.set_index("iso3").loc["IDN", "region"] == "Asia"
    assert not meta["iso3"].duplicated().any()


def test_internet_use(data_mirror):
    net = load_internet_use(mirror=data_mirror)
    assert net["year"].between(2005, 2024).all()
    assert net.dropna(subset=["iso3"])["iso3"].nunique() >= 205
    assert net["internet_pct"].dropna().between(0, 100).all()


def test_wdi_gdp_per_capita_equals_gdp_over_population_identity(data_mirror):
    pc = load_wdi("NY.GDP.PCAP.CD", mirror=data_mirror)
    gdp = load_wdi("NY.GDP.MKTP.CD", mirror=data_mirror)
    both = pc.merge(gdp, on=["iso3", "year"])
    pop = both["value_y"] / both["value_x"]  # population implied
    idn = pop[(both["iso3"] == "IDN") & (both["year"] == 2020)].iloc[0]
    assert 2.6e8 < idn < 2.8e8  # Indonesia's 2020 census counted 270.2 million (BPS 2021)
    meta = load_wdi_metadata(mirror=data_mirror)
    assert meta.set_index("iso3").loc["IDN", "income_group"] == "Upper middle income"


def test_wgi(data_mirror):
    wgi = load_wgi(mirror=data_mirror)
    assert wgi["year"].min() == 1996 and wgi["year"].max() == 2019
    assert not wgi.duplicated(["iso3", "year"]).any()
    assert wgi["government_effectiveness"].dropna().between(-2.6, 2.6).all()
    long = load_wgi(mirror=data_mirror, wide=False, indicators=["rule_of_law"])
    assert set(long["indicator"]) == {"rule_of_law"}
    with pytest.raises(DataFormatError, match="indicators=\\['bogus'\\]"):
        load_wgi(mirror=data_mirror, indicators=["bogus"])


def test_gtmi(data_mirror):
    g = load_gtmi(mirror=data_mirror)
    assert len(g) == 396 and g.groupby("year").size().to_dict() == {2020: 198, 2022: 198}
    assert set(g["gtmi_group"]) == {"A", "B", "C", "D"}
    assert g["gtmi"].between(0, 1).all()
    assert "i_48" in g and g.loc[g["year"] == 2020, "i_48"].isna().all()  # "New" in 2020


def test_oecd_dgi(data_mirror):
    dgi = load_oecd_dgi(mirror=data_mirror)
    assert len(dgi) == 38 and dgi["composite_rank"].min() == 1
    top = dgi.sort_values("composite_rank").iloc[0]
    # OECD (2024) 2023 Digital Government Index, figure 1: Korea first with 0.935
    assert top["iso3"] == "KOR" and top["composite_index"] == pytest.approx(0.935)


def test_isora_long_and_panel(data_mirror):
    with pytest.warns(DataQualityWarning, match="Republika Srpska"):  # reported, kept
        long = load_isora("D", mirror=data_mirror)
    assert set(long["form"]) == {"D"} and set(long["year"]) == {2018, 2019, 2020, 2021}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        panel = isora_indicators(mirror=data_mirror)
    assert not panel.duplicated(["administration", "year"]).any()
    shares = panel[["staff_degree_share", "ict_share", "efile", "epay_number", "epay_value"]]
    assert shares.stack().dropna().between(0, 1).all()  # pandas 3 stack keeps NaN
    # staff with degrees cannot exceed staff (independent check of the two questions)
    ok = panel.dropna(subset=["staff_masters", "staff_bachelors", "staff_degree_share"])
    assert (ok["staff_masters"] + ok["staff_bachelors"] >= 0).all()
    assert panel["administration"].nunique() > 150
    assert "Republika Srpska" in set(panel.loc[panel["iso3"].isna(), "administration"])


def test_ookla(data_mirror):
    with warnings.catch_warnings():
        warnings.simplefilter("error", DataQualityWarning)  # overrides resolve all names
        speed = load_ookla_speed(mirror=data_mirror)
        wide = load_ookla_speed(mirror=data_mirror, wide=True)
    assert set(speed["connection"]) == {"fixed", "mobile"}
    assert speed["year"].between(2019, 2024).all()
    assert not wide.duplicated(["iso3", "year"]).any()
    fixed = load_ookla_global_index("fixed", mirror=data_mirror)
    assert len(fixed) == 161 and fixed["iso3"].notna().all()
    with pytest.raises(DataFormatError, match="connection='dsl'"):
        load_ookla_global_index("dsl", mirror=data_mirror)  # type: ignore[arg-type]


def test_indonesia_tables_join_on_province(data_mirror):
    lit = load_id_digital_literacy(mirror=data_mirror)
    net = load_id_internet_access(mirror=data_mirror)
    spend = load_id_apbn_spending(mirror=data_mirror)
    hdi = load_id_hdi(mirror=data_mirror)
    provinces = set(lit["province"])
    assert len(provinces) == 34
    assert provinces <= set(net["province"]) and provinces == set(spend["province"])
    assert provinces <= set(hdi["province"])
    assert lit["digital_literacy"].between(1, 5).all()
    assert set(spend["year"]) == set(range(2010, 2022)) and spend["function"].nunique() == 11
    national = net.set_index("province").loc["INDONESIA", "internet_total"]
    assert 50 < national < 100
