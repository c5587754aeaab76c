"""The default study is deterministic and its documented truth matches the export."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from egovstudy.datasets import (
    TRUE_PATHS,
    default_study_dir,
    load_truth,
    simulate_egov_survey,
    write_default_study,
)
from egovstudy.datasets.simulate import population_covariance
from egovstudy.errors import InsufficientDataError
from egovstudy.provenance import file_sha256

STUDY = default_study_dir()


def test_regenerating_gives_the_committed_files(tmp_path: Path) -> None:
    truth = load_truth()
    write_default_study(tmp_path, population=truth["population_score_level"])
    for name in ("survei_asn_opd.csv", "codebook.yaml", "truth.yaml"):
        assert file_sha256(tmp_path / name) == file_sha256(STUDY / name), name


def test_same_seed_same_export_other_seed_differs() -> None:
    a = simulate_egov_survey(n_agencies=10, n_per_agency=10, seed=7).export
    b = simulate_egov_survey(n_agencies=10, n_per_agency=10, seed=7).export
    c = simulate_egov_survey(n_agencies=10, n_per_agency=10, seed=8).export
    pd.testing.assert_frame_equal(a, b)
    assert not a.equals(c)


def test_export_looks_like_google_forms() -> None:
    raw = pd.read_csv(STUDY / "survei_asn_opd.csv", dtype=str, keep_default_na=False)
    assert raw.columns[0] == "Timestamp"
    assert pd.to_datetime(raw["Timestamp"], format="%d/%m/%Y %H:%M:%S").notna().all()
    likert = {"Sangat Tidak Setuju", "Tidak Setuju", "Netral", "Setuju", "Sangat Setuju", ""}
    codebook = yaml.safe_load((STUDY / "codebook.yaml").read_text(encoding="utf-8"))
    for item in codebook["items"]:
        assert set(raw[item["column"]]) <= likert, item["name"]
    assert 300 <= len(raw) <= 1000


def test_planted_problems_are_where_truth_says() -> None:
    raw = pd.read_csv(STUDY / "survei_asn_opd.csv", dtype=str, keep_default_na=False)
    truth = load_truth()
    planted = truth["planted"]
    dup = planted["duplicate_submission"]
    assert (raw["NIP"] == dup["nip"]).sum() == 2
    assert raw["NIP"].duplicated().sum() == 1
    codebook = yaml.safe_load((STUDY / "codebook.yaml").read_text(encoding="utf-8"))
    cols = [i["column"] for i in codebook["items"]]
    row = raw.iloc[planted["straight_liner"]["export_rows"][0] - 1]
    assert set(row[cols]) == {"Setuju"}
    blank = raw.iloc[planted["blank_performance_block"]["export_rows"][0] - 1]
    perf = [i["column"] for i in codebook["items"] if i["construct"] == "performance"]
    assert set(blank[perf]) == {""}
    ts = pd.to_datetime(raw["Timestamp"], format="%d/%m/%Y %H:%M:%S")
    start = pd.to_datetime(raw["Waktu mulai mengisi"], format="%d/%m/%Y %H:%M:%S")
    minutes = (ts - start).dt.total_seconds() / 60
    speeder = planted["speeder"]["export_rows"][0] - 1
    assert minutes.iloc[speeder] < 0.25 * minutes.median()
    assert int(np.argmin(minutes.to_numpy())) == speeder


def test_population_covariance_has_unit_variances() -> None:
    cov = population_covariance()
    np.testing.assert_allclose(np.diag(cov.to_numpy()), 1.0)
    # implied correlation digitalisation-performance from the path model
    beta = pd.Series(TRUE_PATHS["performance"])
    implied = float(cov.loc["digitalisation", beta.index] @ beta)
    assert implied == pytest.approx(cov.loc["digitalisation", "performance"])


def test_latent_model_recovered_in_a_large_clean_draw() -> None:
    """The latent paths are what the generator draws: regression on latent scores recovers them."""
    big = simulate_egov_survey(n_agencies=200, n_per_agency=100, seed=3, messy=False).latent
    preds = list(TRUE_PATHS["digitalisation"])
    x = np.column_stack([np.ones(len(big)), big[preds].to_numpy()])
    coef = np.linalg.lstsq(x, big["digitalisation"].to_numpy(), rcond=None)[0][1:]
    np.testing.assert_allclose(coef, [TRUE_PATHS["digitalisation"][p] for p in preds], atol=0.02)


@pytest.mark.parametrize("bad", [{"n_agencies": 2}, {"n_per_agency": 1}])
def test_bad_sizes_raise(bad: dict[str, int]) -> None:
    with pytest.raises(InsufficientDataError, match="at least"):
        simulate_egov_survey(**bad)
