"""load_survey on the default study: the quality report finds exactly what was planted."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from egovstudy.errors import DataQualityWarning
from egovstudy.survey import Survey, load_survey

ROOT = Path(__file__).resolve().parent.parent
STUDY = ROOT / "data" / "raw" / "default_study"
CSV = STUDY / "survei_asn_opd.csv"


@pytest.fixture(scope="module")
def truth() -> dict:
    if not (STUDY / "truth.yaml").is_file():
        pytest.skip("default study not generated")
    return yaml.safe_load((STUDY / "truth.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def survey(truth: dict) -> Survey:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        return load_survey(CSV, STUDY / "codebook.yaml")


def _flagged(survey: Survey, rule: str) -> set[str]:
    flags = survey.quality.flags
    return set(flags.loc[flags[rule], "respondent_id"])


def test_planted_problems_found_exactly(survey: Survey, truth: dict) -> None:
    planted = truth["planted"]
    assert survey.quality.n_in == truth["n_export_rows"]
    assert _flagged(survey, "straight_lining") == {planted["straight_liner"]["nip"]}
    assert _flagged(survey, "speeders") == {planted["speeder"]["nip"]}
    assert _flagged(survey, "attention") == {planted["failed_attention_check"]["nip"]}
    assert _flagged(survey, "missing") == {planted["blank_performance_block"]["nip"]}
    assert _flagged(survey, "out_of_range") == {planted["out_of_range_mbps"]["nip"]}
    assert _flagged(survey, "duplicate_id") == {planted["duplicate_submission"]["nip"]}
    assert not survey.quality.flags["duplicate_submission"].any()
    # truth rows are 1-based data rows; findings use spreadsheet rows (header = row 1)
    table = survey.quality.table
    dup_rows = planted["duplicate_submission"]["export_rows"]
    assert table.loc[table.rule == "duplicate_id", "row"].tolist() == [dup_rows[0] + 1]
    assert dup_rows[1] + 1 in survey.kept_rows  # the later submission is kept
    assert table.loc[table.rule == "speeders", "row"].tolist() == [
        planted["speeder"]["export_rows"][0] + 1]
    flags = survey.quality.flags.set_index("respondent_id")
    assert flags.loc[planted["speeder"]["nip"], "duration_seconds"] == pytest.approx(70)
    assert len(survey.data) == truth["n_respondents"]


def test_blank_answers_and_out_of_range(survey: Survey, truth: dict) -> None:
    planted = truth["planted"]
    data = survey.data.set_index("respondent_id")
    block = planted["blank_performance_block"]
    assert data.loc[block["nip"], block["items"]].isna().all()
    assert np.isnan(data.loc[block["nip"], "performance"])
    assert np.isnan(data.loc[planted["out_of_range_mbps"]["nip"], "mbps"])
    # blank cells: the scattered blanks plus the 5-item block, counted independently with
    # pandas on the raw export (the removed earlier duplicate excluded)
    raw = pd.read_csv(CSV, dtype=str)
    headers = [it.column for it in survey.codebook.items.values()]
    kept = raw.iloc[survey.kept_rows - 2]
    assert int(survey.data[survey.items()].isna().sum().sum()) == int(
        kept[headers].isna().sum().sum())
    n_blank = int(kept[headers].isna().sum().sum())
    assert planted["scattered_blank_answers"] <= n_blank <= planted[
        "scattered_blank_answers"] + len(block["items"])
    assert data["mbps"].isna().sum() == planted["missing_mbps"] + 1


def test_agency_names_harmonised(survey: Survey, truth: dict) -> None:
    assert survey.data["agency"].nunique() == truth["n_agencies"]
    assert survey.data["region"].nunique() == 5
    raw_names = survey.raw["Nama OPD / Instansi"].astype(str).str.strip().nunique()
    assert raw_names > truth["n_agencies"]  # the export really is messy
    assert set(survey.data["agency"]) <= set(survey.codebook.aliases["agency"].values())


def test_interface_shape(survey: Survey, truth: dict) -> None:
    d = survey.data
    for col in ("respondent_id", "submitted_at", "agency", "region", *survey.items(),
                *survey.codebook.variables, *survey.codebook.constructs):
        assert col in d.columns, col
    assert all(str(d[i].dtype) == "Int8" for i in survey.items())
    assert d["submitted_at"].dtype.kind == "M"
    assert all(d[c].dtype == float for c in survey.codebook.constructs)
    assert survey.construct_items()["performance"] == ["perf1", "perf2", "perf3", "perf4",
                                                       "perf5"]
    assert "digitalisation" not in survey.construct_items()
    assert len(survey.source_hash) == 64
    assert survey.labelled()["hrq1"].cat.categories[0] == "Sangat Tidak Setuju"


def test_reverse_keyed_items_are_reversed(survey: Survey, truth: dict) -> None:
    raw = pd.read_csv(CSV, dtype=str)
    header = survey.codebook.items["hrq4"].column
    labels = ["Sangat Tidak Setuju", "Tidak Setuju", "Netral", "Setuju", "Sangat Setuju"]
    raw_codes = raw[header].map({lab: i + 1 for i, lab in enumerate(labels)})
    expected = (6 - raw_codes.iloc[survey.kept_rows - 2]).astype("Int8").reset_index(drop=True)
    pd.testing.assert_series_equal(survey.data["hrq4"], expected, check_names=False)


def test_policies_drop(truth: dict) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        s = load_survey(CSV, STUDY / "codebook.yaml",
                        policies={"straight_lining": "drop", "speeders": "drop",
                                  "attention": "drop"})
    rules = s.quality.rules().set_index("rule")["n_removed"]
    assert rules[["duplicate_id", "straight_lining", "speeders", "attention"]].tolist() == [
        1, 1, 1, 1]
    assert len(s.data) == truth["n_export_rows"] - 4
