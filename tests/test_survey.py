"""load_survey on the default study: the quality report finds exactly what was planted."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from egovstudy.errors import DataFormatError, DataQualityWarning
from egovstudy.survey import Survey, _plain_strings, _take_wrapped, load_survey

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


# ---------------------------------------------------------------------------------
# the memory-lean load path (issue 3, item 8) against plain pandas
# ---------------------------------------------------------------------------------
_AGREE = ["Sangat Tidak Setuju", "Tidak Setuju", "Netral", "Setuju", "Sangat Setuju"]


def _random_export(tmp_path: Path, n: int = 400, k: int = 6, seed: int = 7) -> tuple[Path, Path]:
    """A CSV with text labels, spelling variants, blanks and a declared missing code 9."""
    rng = np.random.default_rng(seed)
    codes = rng.integers(1, 6, size=(n, k))
    text = np.array(_AGREE, dtype=object)[codes - 1]
    text[rng.random((n, k)) < 0.05] = ""                # blanks
    text[rng.random((n, k)) < 0.02] = "  sangat SETUJU "  # a spelling variant of code 5
    text[rng.random((n, k)) < 0.02] = "9"                # declared missing code
    frame = pd.DataFrame(text, columns=[f"Q{j}" for j in range(1, k + 1)])
    frame.insert(0, "NIP", [f"{19700101 + i:018d}" for i in range(n)])
    csv = tmp_path / "export.csv"
    frame.to_csv(csv, index=False)
    spec = {"columns": {"id": "NIP"},
            "items": [{"name": f"q{j}", "column": f"Q{j}", "construct": "a" if j <= 3 else "b",
                       "reverse": j in (2, 5), "missing": [9]}
                      for j in range(1, k + 1)],
            "constructs": [{"name": "a", "min_items": 2}, {"name": "b", "min_items": 2}]}
    book = tmp_path / "codebook.yaml"
    book.write_text(yaml.safe_dump(spec), encoding="utf-8")
    return csv, book


def test_item_codes_match_plain_pandas(tmp_path: Path) -> None:
    # Independent check: the same mapping done with pandas.read_csv and a dict.
    csv, book = _random_export(tmp_path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        s = load_survey(csv, book)
    plain = pd.read_csv(csv, dtype=str, keep_default_na=False)
    lookup = {lab.casefold(): i + 1 for i, lab in enumerate(_AGREE)}
    for j in range(1, 7):
        raw = plain[f"Q{j}"].str.strip().str.casefold().map(lookup)  # blanks and 9 -> NaN
        expected = (6 - raw) if j in (2, 5) else raw
        got = s.data[f"q{j}"]
        assert str(got.dtype) == "Int8"
        np.testing.assert_array_equal(got.isna().to_numpy(), expected.isna().to_numpy())
        np.testing.assert_array_equal(got.dropna().to_numpy(dtype=float),
                                      expected.dropna().to_numpy(dtype=float))
    # construct scores: pandas row means with min_items, computed on the expected codes
    items = s.data[["q1", "q2", "q3"]].astype("float64")
    mean = items.mean(axis=1).where(items.notna().sum(axis=1) >= 2)
    np.testing.assert_allclose(s.data["a"].to_numpy(), mean.to_numpy(), equal_nan=True)
    assert s.data["a"].dtype == np.float64


def test_item_columns_are_independent(tmp_path: Path) -> None:
    # items share one int8 block internally: writing one column must not touch another
    csv, book = _random_export(tmp_path, n=50)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        s = load_survey(csv, book)
    before = s.data["q2"].copy()
    s.data.loc[0:9, "q1"] = pd.NA
    s.data.loc[10:19, "q1"] = 3
    pd.testing.assert_series_equal(s.data["q2"], before)
    assert s.data["q1"].iloc[:10].isna().all() and (s.data["q1"].iloc[10:20] == 3).all()


def test_raw_is_read_again_on_demand(tmp_path: Path) -> None:
    csv, book = _random_export(tmp_path, n=30)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        s = load_survey(csv, book)
        assert s._raw is None  # not kept by load_survey
        plain = pd.read_csv(csv, dtype=str, keep_default_na=False)
        assert list(s.raw.columns) == list(plain.columns)
        assert len(s.raw) == len(plain) == s.quality.n_in
        got = s.raw["Q1"].astype("string").fillna("").tolist()
        assert got == plain["Q1"].tolist()
    s2 = load_survey(csv, book)
    with open(csv, "a", encoding="utf-8") as fh:
        fh.write("19999999," + ",".join(["Setuju"] * 6) + "\n")
    with pytest.raises(DataFormatError, match=r"export\.csv: changed since it was loaded"):
        _ = s2.raw
    assert len(s.raw) == 30  # already read: kept


def test_quality_rules_match_a_row_by_row_count(tmp_path: Path) -> None:
    # longest run, blanks per row and duplicate answer patterns counted with plain
    # Python loops over the same codes (an independent implementation)
    csv, book = _random_export(tmp_path, n=300, seed=11)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        s = load_survey(csv, book, thresholds={"straight_lining_share": 0.5})
    plain = pd.read_csv(csv, dtype=str, keep_default_na=False)
    lookup = {lab.casefold(): i + 1 for i, lab in enumerate(_AGREE)}
    rows = [[lookup.get(plain.at[r, f"Q{j}"].strip().casefold(), -1) for j in range(1, 7)]
            for r in range(len(plain))]

    def run(row: list[int]) -> int:
        best = cur = 0
        for i, v in enumerate(row):
            cur = (cur + 1 if i and v >= 0 and v == row[i - 1] else (1 if v >= 0 else 0))
            best = max(best, cur)
        return best

    flags = s.quality.flags
    assert flags["longest_run"].tolist() == [run(r) for r in rows]
    assert flags["n_missing"].tolist() == [sum(v < 0 for v in r) for r in rows]
    seen: dict[tuple[int, ...], int] = {}
    expected_dup = []
    for r in rows:
        key = tuple(r)
        ok = sum(v >= 0 for v in r) >= 3 and max(r) > min(v for v in r if v >= 0) if any(
            v >= 0 for v in r) else False
        expected_dup.append(bool(ok and key in seen))
        if ok:
            seen.setdefault(key, 1)
    assert flags["duplicate_submission"].tolist() == expected_dup


def test_label_tables_applied_as_np_take() -> None:
    # category codes -> item codes and blank flags: a few categories are applied by
    # comparisons in 1-byte arithmetic, more by np.take; both as np.take(mode="wrap")
    rng = np.random.default_rng(2)
    for _ in range(300):
        n_cat = int(rng.integers(0, 13))
        table = [rng.integers(-128, 128, n_cat + 1).astype(np.int8),
                 rng.random(n_cat + 1) < 0.5,
                 rng.integers(0, 256, n_cat + 1).astype(np.uint8)][int(rng.integers(0, 3))]
        codes = rng.integers(-1, max(n_cat, 0), int(rng.integers(0, 60))).astype(np.int8)
        out = np.empty(len(codes), dtype=table.dtype)
        _take_wrapped(table, codes, out)
        want = np.take(table, codes, mode="wrap")
        assert np.array_equal(out, want) and out.view(np.uint8).tolist() == want.view(
            np.uint8).tolist()


def test_id_edges_read_off_the_buffers_as_the_regex() -> None:
    # the first and last byte of each id tell whether an id is empty or padded (the
    # regex that the strip of pandas mirrors), or that the regex must decide (non-ASCII)
    import pyarrow as pa
    import pyarrow.compute as pc

    space = r"[\s\pZ\x1c-\x1f\x85]"
    edges = [" ", "\t", "\n", "\x0b", "\x0c", "\r", "\x1c", "\x1f", "\x85", "\xa0",
             "\u3000", "\u2028", "é", "\x00", "a", "7"]
    rng = np.random.default_rng(8)
    decided = 0
    for _ in range(1500):
        values: list[str | None] = []
        for _ in range(int(rng.integers(0, 6))):
            r = rng.random()
            body = "".join(rng.choice(list("ab19"), int(rng.integers(1, 4))))
            if r < 0.3:
                body = str(rng.choice(edges)) + body
            elif r < 0.6:
                body += str(rng.choice(edges))
            values.append(None if r > 0.92 else "" if r > 0.88 else body)
        kind = pa.large_string() if rng.random() < 0.5 else pa.string()
        arr = pa.array(values, type=kind)
        cut = int(rng.integers(0, len(values) + 1))
        chunked = pa.chunked_array([arr.slice(cut), arr.slice(0, cut)], type=kind)
        want = not pc.any(pc.match_substring_regex(chunked, f"^{space}|{space}$")).as_py() \
            and not pc.any(pc.equal(chunked, "")).as_py()
        got = _plain_strings(chunked)
        if got is not None:
            assert got == want, values
            decided += 1
        else:
            assert any(v and (ord(v[0]) > 127 or ord(v[-1]) > 127) for v in values)
    assert decided > 1000
