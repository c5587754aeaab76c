"""Where public files come from: project folder, mirror, else a helpful DataSourceError."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from egovstudy.errors import DataSourceError
from egovstudy.public import sources
from egovstudy.public.sources import (
    SOURCES,
    fetch,
    find_file,
    find_glob,
    require_sources,
    source_status,
)


def test_missing_file_error_names_official_source_and_destination(monkeypatch, tmp_path):
    monkeypatch.delenv("EGOVSTUDY_DATA_MIRROR", raising=False)
    monkeypatch.setattr(sources, "project_root", lambda: tmp_path)
    with pytest.raises(DataSourceError, match=r"EGOV_MERGED_2005_2024\.csv") as info:
        find_file("un_egdi_2005_2024")
    text = str(info.value)
    assert "publicadministration.un.org/egovkb" in text  # official source
    assert "data/raw/un_egdi_2005_2024/EGOV_MERGED_2005_2024.csv" in text  # where to put it
    assert "EGOVSTUDY_DATA_MIRROR" in text


def test_require_sources_lists_every_missing_file(tmp_path, monkeypatch):
    monkeypatch.setattr(sources, "project_root", lambda: tmp_path)
    with pytest.raises(DataSourceError) as info:
        require_sources("indonesia_province_2022", "ookla_sgi_aug2024", mirror=tmp_path)
    text = str(info.value)
    for name in ("indeks_literasi_digital-2022.csv", "akses_internet-2022.csv",
                 "sgi_fb_aug_2024_upd.csv", "sgi_mob_aug_2024.csv"):
        assert name in text


def test_unknown_source_is_named():
    with pytest.raises(DataSourceError, match="unknown data source 'nope'"):
        find_file("nope")


def test_project_folder_wins_over_mirror(tmp_path, monkeypatch):
    project = tmp_path / "proj"
    mirror = tmp_path / "mirror"
    for root in (project / "data" / "raw", mirror):
        (root / "ookla_sgi_aug2024").mkdir(parents=True)
        (root / "ookla_sgi_aug2024" / "sgi_mob_aug_2024.csv").write_text("x")
    monkeypatch.setattr(sources, "project_root", lambda: project)
    got = find_file("ookla_sgi_aug2024", "sgi_mob_aug_2024.csv", mirror=mirror)
    assert got == project / "data" / "raw" / "ookla_sgi_aug2024" / "sgi_mob_aug_2024.csv"
    (got).unlink()
    got = find_file("ookla_sgi_aug2024", "sgi_mob_aug_2024.csv", mirror=mirror)
    assert got == mirror / "ookla_sgi_aug2024" / "sgi_mob_aug_2024.csv"


def test_env_mirror_is_used(tmp_path, monkeypatch):
    (tmp_path / "wb_wdi_gdp").mkdir()
    target = tmp_path / "wb_wdi_gdp" / "API_NY.GDP.PCAP.CD_DS2_en_csv_v2_1.csv"
    target.write_text("x")
    monkeypatch.setenv("EGOVSTUDY_DATA_MIRROR", str(tmp_path))
    monkeypatch.setattr(sources, "project_root", lambda: tmp_path / "none")
    assert find_glob("wb_wdi_gdp", "API_NY.GDP.PCAP.CD_DS2_*.csv") == target


def test_source_status_reports_found_files(data_mirror: Path):
    status = source_status(mirror=data_mirror)
    assert len(status) == sum(len(s.files) for s in SOURCES.values())
    assert status["found"].all(), status.loc[~status["found"], ["source", "file"]]


def test_fetch_checks_checksum_and_caches(tmp_path):
    payload = tmp_path / "payload.csv"
    payload.write_bytes(b"a,b\n1,2\n")
    good = hashlib.sha256(payload.read_bytes()).hexdigest()
    cache = tmp_path / "cache"
    got = fetch("ookla_sgi_aug2024", "x.csv", payload.as_uri(), sha256=good, cache_dir=cache)
    assert got.read_bytes() == b"a,b\n1,2\n"
    payload.unlink()  # cached copy is reused without reading the url again
    assert fetch("ookla_sgi_aug2024", "x.csv", "file:///gone", sha256=good,
                 cache_dir=cache) == got
    payload.write_bytes(b"changed")
    with pytest.raises(DataSourceError, match="checksum mismatch"):
        fetch("ookla_sgi_aug2024", "y.csv", payload.as_uri(), sha256=good, cache_dir=cache)
    assert not (cache / "ookla_sgi_aug2024" / "y.csv").exists()
