"""The ISORA tax-administration panel shipped in the package (egovstudy.public.isora_panel)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd
import pytest

from egovstudy.errors import DataQualityWarning, DataSourceError
from egovstudy.public.analysis import tax_admin_panel
from egovstudy.public.isora_panel import (
    ISORA_PANEL_COLUMNS,
    ISORA_PANEL_FILE,
    load_isora_panel,
    write_isora_panel,
)

# Blavatnik Index of Public Administration 2024, source data documentation
# (github.com/blavatnik-index/bipa2024_sourcedata @088271d0,
# data_raw/ISORA_2021/ISORA_2021.md, "Variable summary statistics"): countries with a
# value 2018-2021 -- isora_electronic_corporate 143, isora_electronic_personal 137
BLAVATNIK_COUNTRIES = {"efile_cit": 143, "efile_pit": 137}


def test_shipped_panel_matches_the_blavatnik_documentation_counts() -> None:
    tax = load_isora_panel()
    for col, published in BLAVATNIK_COUNTRIES.items():
        assert tax.dropna(subset=[col])["iso3"].nunique() == published, col


def test_shipped_panel_shape_columns_and_size() -> None:
    tax = load_isora_panel()
    assert tuple(tax.columns) == ISORA_PANEL_COLUMNS
    # ISORA forms 2018-2021: every administration has a row for each of the four years
    assert tax.groupby("year").size().to_dict() == dict.fromkeys((2018, 2019, 2020, 2021), 174)
    assert not tax.duplicated(["administration", "year"]).any()
    # Republika Srpska reports on its own: no ISO3 code, kept
    assert tax.loc[tax["iso3"].isna(), "administration"].unique().tolist() == \
        ["Republika Srpska"]
    shares = tax[["staff_degree_share", "ict_share", "efile_cit", "efile_pit", "efile_vat",
                  "efile", "epay_number"]]
    values = shares.stack().dropna()  # pandas 3's stack keeps the missing shares
    assert ((values >= 0) & (values <= 1)).all()
    assert ISORA_PANEL_FILE.stat().st_size < 1_000_000
    # the Ookla speeds (CC BY-NC-SA 4.0) are not shipped
    assert not any("mbps" in c for c in tax.columns)


def test_shipped_e_filing_equals_the_blavatnik_outputs(data_mirror: Path) -> None:
    # data_out/isora_2021.csv of the Blavatnik source data (CC BY 4.0): the index's own
    # e-filing shares computed by its R script (ISORA_2021.R), latest year per country
    out = pd.read_csv(data_mirror / "bipa2024_public_admin" / "data_out" / "isora_2021.csv")
    out["iso3"] = out["cc_iso3c"].replace({"XKK": "XKX"})  # Kosovo: our code is XKX
    tax = load_isora_panel()
    for col, variable in (("efile_cit", "isora_electronic_corporate"),
                          ("efile_pit", "isora_electronic_personal")):
        ref = out[out["variable"] == variable].rename(columns={"ref_year": "year"})
        merged = ref.merge(tax, on=["iso3", "year"], how="left")
        assert len(merged) == BLAVATNIK_COUNTRIES[col]
        assert merged[col].to_numpy() == pytest.approx(merged["value"].to_numpy(), abs=1e-9)


def test_isora_panel_rebuilds_byte_for_byte_from_the_raw_forms(data_mirror: Path,
                                                               tmp_path: Path) -> None:
    csv, note = write_isora_panel(tmp_path, mirror=data_mirror)
    assert csv.read_bytes() == ISORA_PANEL_FILE.read_bytes()
    assert note.read_bytes() == (ISORA_PANEL_FILE.parent / "isora_panel.md").read_bytes()
    text = note.read_text()
    shipped = hashlib.sha256(ISORA_PANEL_FILE.read_bytes()).hexdigest()
    assert shipped in text
    for form in "CDG":
        raw = data_mirror / "bipa2024_public_admin" / "raw" / "ISORA_2021" / \
            f"ISORA_Form_{form}_2018_to_2021.xlsx"
        assert hashlib.sha256(raw.read_bytes()).hexdigest() in text
    assert "python -m egovstudy.public.isora_panel build" in text
    assert "CC BY-NC-SA 4.0) is not shipped" in text


def test_shipped_and_raw_tax_panels_agree(data_mirror: Path) -> None:
    with pytest.warns(DataQualityWarning, match=r"ISORA: 1 country names not matched.*"
                                                r"Republika Srpska"):
        raw = tax_admin_panel(mirror=data_mirror, source="raw", speed="yes")
    shipped = tax_admin_panel(source="shipped", speed="no")
    assert (raw.attrs, shipped.attrs) == ({"source": "raw", "speed": True},
                                          {"source": "shipped", "speed": False})
    assert raw["fixed_mbps"].notna().sum() > 300 and shipped["fixed_mbps"].isna().all()
    cols = [c for c in ISORA_PANEL_COLUMNS if c not in ("iso3", "administration", "year")]
    cols += ["log_staff", "log_opex", "log_ict_exp", "pandemic"]
    assert raw["administration"].tolist() == shipped["administration"].tolist()
    for col in cols:
        assert raw[col].to_numpy(dtype=float) == pytest.approx(
            shipped[col].to_numpy(dtype=float), rel=1e-9, nan_ok=True), col


def test_bad_arguments_and_a_missing_panel_are_named(tmp_path: Path) -> None:
    with pytest.raises(DataSourceError, match=r"source='mirror': use 'auto', 'raw'"):
        tax_admin_panel(source="mirror")
    with pytest.raises(DataSourceError, match=r"speed='maybe': use 'auto', 'yes' or 'no'"):
        tax_admin_panel(source="shipped", speed="maybe")
    with pytest.raises(DataSourceError, match=r"nope\.csv\.gz is missing; rebuild it with "
                                              r"python -m egovstudy\.public\.isora_panel "
                                              r"build .*egovstudy data fetch "
                                              r"bipa2024_public_admin"):
        load_isora_panel(tmp_path / "nope.csv.gz")


def test_speed_without_the_ookla_file_names_the_fetch_command(no_public_data: Path) -> None:
    auto = tax_admin_panel()  # nothing found: shipped panel, no speed
    assert auto.attrs == {"source": "shipped", "speed": False}
    with pytest.raises(DataSourceError, match=r"(?s)ookla_speed_2019_2024.*egovstudy data fetch "
                                              r"ookla_speed_2019_2024"):
        tax_admin_panel(speed="yes")


def test_build_without_raw_forms_names_the_fetch_command(
        no_public_data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from egovstudy.public.isora_panel import main

    assert main(["build", "--output", str(no_public_data / "out")]) == 2
    assert "egovstudy data fetch bipa2024_public_admin" in capsys.readouterr().err
    assert not (no_public_data / "out" / "isora_panel.csv.gz").exists()
