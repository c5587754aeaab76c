"""The harmonised country panel shipped in the package (egovstudy.public.panel)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from egovstudy.errors import DataSourceError
from egovstudy.public.analysis import country_panel, egdi_headlines
from egovstudy.public.panel import PANEL_COLUMNS, PANEL_FILE, load_panel, write_panel


def test_shipped_panel_reproduces_the_un_2024_headlines() -> None:
    panel = country_panel(source="shipped")
    assert panel.attrs["source"] == "shipped"
    h = egdi_headlines(panel).set_index("year").loc[2024]
    # UN DESA, E-Government Survey 2024, chapter 1: world average EGDI 0.6382 (0.638 in
    # the INTOSAI summary, https://intosairussia.org/news-media/brief-reviews/
    # un-e-government-survey-2024.html), 76 countries in the very-high group (EGDI >= 0.75);
    # Denmark first with 0.9847 (Statista, "EGDI 2024, by country")
    assert round(h["mean_egdi"], 4) == 0.6382
    assert h["n_very_high"] == 76
    assert h["n"] == 193
    assert (h["top_iso3"], round(h["top_egdi"], 4)) == ("DNK", 0.9847)


def test_shipped_panel_shape_columns_and_size() -> None:
    panel = load_panel()
    assert tuple(panel.columns) == PANEL_COLUMNS
    # 191 countries assessed in 2005, 192 in 2008 and 2010, 193 from 2012 (UN Member States)
    counts = panel.groupby("year").size().to_dict()
    assert counts[2005] == 191 and counts[2008] == 192 and counts[2012] == 193
    assert not panel.duplicated(["iso3", "year"]).any()
    assert PANEL_FILE.stat().st_size < 3_000_000
    # GTMI only for its editions (World Bank GovTech dataset 2020 and 2022)
    assert sorted(panel.dropna(subset=["gtmi"])["year"].unique()) == [2020, 2022]


def test_panel_rebuilds_byte_for_byte_from_the_raw_files(data_mirror: Path,
                                                         tmp_path: Path) -> None:
    csv, note = write_panel(tmp_path, mirror=data_mirror)
    assert csv.read_bytes() == PANEL_FILE.read_bytes()
    assert note.read_bytes() == (PANEL_FILE.parent / "egdi_panel.md").read_bytes()
    shipped = hashlib.sha256(PANEL_FILE.read_bytes()).hexdigest()
    assert shipped in note.read_text()
    mirror_hashes = {hashlib.sha256(p.read_bytes()).hexdigest()
                     for p in data_mirror.rglob("*") if p.is_file()}
    assert shipped not in mirror_hashes  # not a byte copy of any raw file


def test_shipped_and_raw_panels_agree(data_mirror: Path) -> None:
    raw = country_panel(mirror=data_mirror, source="raw")
    shipped = country_panel(source="shipped")
    assert raw.attrs["source"] == "raw"
    cols = ["egdi", "osi", "hci", "tii", "epart", "internet_pct", "gdppc_ppp",
            "gov_effectiveness"]
    merged = raw.merge(shipped, on=["iso3", "year"], suffixes=("_raw", "_shipped"))
    assert len(merged) == len(raw) == len(shipped)
    for col in cols:
        assert merged[f"{col}_raw"].to_numpy() == pytest.approx(
            merged[f"{col}_shipped"].to_numpy(), rel=1e-9, nan_ok=True), col


def test_shipped_panel_refuses_another_lag() -> None:
    with pytest.raises(DataSourceError, match=r"lag=2: the shipped panel has lag=1 only.*"
                                              r"egovstudy data fetch"):
        country_panel(lag=2, source="shipped")


def test_bad_source_and_missing_panel_file_are_named(tmp_path: Path) -> None:
    with pytest.raises(DataSourceError, match=r"source='mirror': use 'auto', 'raw'"):
        country_panel(source="mirror")
    with pytest.raises(DataSourceError, match=r"nope\.csv\.gz is missing; rebuild it with "
                                              r"python -m egovstudy\.public\.panel build"):
        load_panel(tmp_path / "nope.csv.gz")


def test_build_without_raw_files_names_the_fetch_command(
        no_public_data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from egovstudy.public.panel import main

    assert main(["build", "--output", str(no_public_data / "out")]) == 2
    assert "egovstudy data fetch un_egdi_2005_2024" in capsys.readouterr().err
    assert not (no_public_data / "out" / "egdi_panel.csv.gz").exists()
