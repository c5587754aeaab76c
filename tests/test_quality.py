"""Respondent-quality rules on small hand-made data (expected flags worked out by hand)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from egovstudy import quality
from egovstudy.codebook import Codebook
from egovstudy.errors import DataQualityError
from egovstudy.quality import RULES, longest_run, quality_report, resolve_policies

CB = Codebook.from_dict({
    "columns": {"id": "id"},
    "items": [{"name": f"q{i}", "column": f"Q{i}", "construct": "a" if i <= 5 else "b"}
              for i in range(1, 11)],
    "constructs": [{"name": "a", "min_items": 3}, {"name": "b", "min_items": 3}],
    "variables": [{"name": "mbps", "column": "Mbps", "type": "numeric", "range": [0, 1000]}],
    "attention_checks": [{"column": "Att", "expected": "Setuju", "name": "att"}],
})


def _frame() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    codes = rng.integers(1, 6, size=(8, 10)).astype(float)
    codes[2] = 4  # straight-liner: 10 identical answers
    codes[3] = codes[1]  # same answers as row 1 under another id
    codes[5, 5:] = np.nan  # construct b skipped entirely
    codes[6, 0] = 9  # out of the 1..5 scale
    df = pd.DataFrame(codes, columns=[f"q{i}" for i in range(1, 11)]).astype("Int16")
    df.insert(0, "respondent_id", ["r1", "r2", "r3", "r4", "r5", "r6", "r7", "r1"])
    df["submitted_at"] = pd.date_range("2026-01-01", periods=8, freq="h")
    df["duration_seconds"] = [600, 620, 580, 610, 100, 640, 590, 605.0]
    df["att"] = pd.array([4, 4, 4, 4, 4, 4, 2, 4], dtype="Int16")
    df["mbps"] = [10, 20, 30, 40, 50, 60, 70, 5000.0]
    return df


@pytest.mark.parametrize("blank", [1, 3])
def test_a_copied_answer_pattern_with_a_blank_id_is_a_duplicate_submission(
        blank: int) -> None:
    # either side's id blank: pandas' NA once made the comparison itself fail
    df = _frame()
    ids = df["respondent_id"].astype("string")
    ids.iloc[blank] = pd.NA
    df["respondent_id"] = ids
    rep = quality_report(df, CB)
    assert rep.flags.index[rep.flags["duplicate_submission"]].tolist() == [3]


def test_each_rule_flags_the_planted_row() -> None:
    rep = quality_report(_frame(), CB)
    flagged = {r: rep.flags.index[rep.flags[r]].tolist() for r in
               ("duplicate_id", "duplicate_submission", "straight_lining", "speeders",
                "attention", "missing", "out_of_range")}
    assert flagged == {"duplicate_id": [0],          # r1 again in row 7 (kept: the later)
                       "duplicate_submission": [3],   # copy of row 1's answers
                       "straight_lining": [2],
                       "speeders": [4],               # 100 s < 0.3 x median 607.5 s
                       "attention": [6],
                       "missing": [5],
                       "out_of_range": [6, 7]}        # code 9; mbps 5000
    assert rep.flags.loc[2, "longest_run"] == 10
    removed_by = rep.flags["removed_by"]  # categorical over RULES, missing when kept
    assert removed_by.iloc[0] == "duplicate_id" and removed_by.iloc[1:].isna().all()
    assert list(removed_by.cat.categories) == list(RULES)
    assert rep.n_in == 8 and rep.n_out == 7
    rules = rep.rules().set_index("rule")
    assert rules.loc["duplicate_id", "n_removed"] == 1
    assert rules.loc["speeders", "n_removed"] == 0
    # rows in the findings table are spreadsheet rows (header = row 1)
    assert rep.table.loc[rep.table.rule == "speeders", "row"].tolist() == [6]
    assert "Respondent quality: 8 rows parsed, 7 kept" in rep.summary()


def test_drop_counts_each_row_once_in_rule_order() -> None:
    df = _frame()
    df.loc[4, "att"] = 1  # the speeder also fails the attention check
    rep = quality_report(df, CB, policies={"speeders": "drop", "attention": "drop"})
    removed = rep.rules().set_index("rule")["n_removed"]
    assert removed["speeders"] == 1 and removed["attention"] == 1  # rows 4 then 6
    assert rep.n_out == 5


def test_raise_policy_names_rows() -> None:
    with pytest.raises(DataQualityError, match=r"rule 'speeders' flagged 1 row\(s\): row 6 "
                                               r"\(id r5\).*Fix:"):
        quality_report(_frame(), CB, policies={"speeders": "raise"})
    with pytest.raises(DataQualityError, match="unknown policy 'delete'"):
        resolve_policies({"speeders": "delete"})
    with pytest.raises(DataQualityError, match="unknown rule 'speed'"):
        resolve_policies({"speed": "drop"})


def test_keep_first_and_thresholds() -> None:
    rep = quality_report(_frame(), CB, thresholds={"duplicate_keep": "first",
                                                   "speeder_ratio": 0.1})
    assert rep.flags.index[rep.flags["duplicate_id"]].tolist() == [7]
    assert not rep.flags["speeders"].any()


def test_longest_run_by_hand() -> None:
    codes = np.array([[1, 1, 1, 2, 2], [5, -1, 5, 5, 5], [-1, -1, -1, -1, -1]])
    assert longest_run(codes).tolist() == [3, 3, 0]


def test_missing_by_item() -> None:
    rep = quality_report(_frame(), CB)
    by_item = rep.missing_by_item.set_index("item")
    assert by_item.loc["q6", "n_missing"] == 1 and by_item.loc["q1", "n_missing"] == 0
    assert by_item.loc["q6", "share_missing"] == pytest.approx(1 / 8)


def test_flags_are_stored_compactly() -> None:
    # memory budget of issue 3 item 8: numpy bool flags, int32 rows, no all-missing column
    df = _frame().drop(columns="duration_seconds")
    rep = quality_report(df, CB)
    flags = rep.flags
    assert flags["row"].dtype == np.int32 and flags["row"].tolist() == list(range(2, 10))
    assert all(flags[r].dtype == np.bool_ for r in RULES)
    assert "duration_seconds" not in flags  # no completion times: nothing to show
    assert "speeders" in rep.skipped and not flags["speeders"].any()
    assert flags["longest_run"].tolist()[2] == 10 and flags["n_missing"].tolist()[5] == 5
    assert flags["share_missing"].tolist()[5] == 0.5  # 5 of 10 items: unchanged float64


def _plain_run(row: list[int]) -> int:
    best = cur = 0
    for i, v in enumerate(row):
        cur = cur + 1 if i and v >= 0 and v == row[i - 1] else (1 if v >= 0 else 0)
        best = max(best, cur)
    return best


@pytest.mark.parametrize("dtype", ["Int8", "Int16", "UInt8", "float64"])
def test_item_scan_in_blocks_matches_a_plain_count(dtype: str,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    # the rules scan the items a block of rows at a time (1-byte hash lanes, blanks skipped
    # by unsigned minima): any block size gives what plain row-by-row loops count, with
    # blanks, negative and out-of-scale codes, columns without blanks, copies and
    # straight-liners; UInt8 columns take the mixed-width path, float64 the general one
    rng = np.random.default_rng(3)
    n, k = 150, 10
    codes = rng.integers(1, 6, size=(n, k)).astype(float)
    codes[rng.random((n, k)) < 0.15] = np.nan
    odd = rng.random((n, k)) < 0.05
    codes[odd] = rng.choice([0, 7, 9, 200 if dtype == "UInt8" else -2], size=int(odd.sum()))
    codes[:, :3] = np.where(np.isnan(codes[:, :3]) | (codes[:, :3] > 5), 2, codes[:, :3])
    codes[30:36] = codes[5]
    codes[40:44] = 3
    codes[50, 5:] = np.nan
    df = pd.DataFrame(codes, columns=[f"q{i}" for i in range(1, 11)]).astype(dtype)
    df.insert(0, "respondent_id", [f"r{i}" for i in range(n)])
    reports = []
    for rows in (7, 64, 1 << 16):
        monkeypatch.setattr(quality, "_SCAN_ROWS", rows)
        reports.append(quality_report(df, CB))
    for rep in reports[1:]:
        pd.testing.assert_frame_equal(rep.flags, reports[0].flags)
        pd.testing.assert_frame_equal(rep.table, reports[0].table)
    flags = reports[0].flags
    rows_ = [[-1 if np.isnan(v) or v < 0 else int(v) for v in r] for r in codes]
    assert flags["longest_run"].tolist() == [_plain_run(r) for r in rows_]
    assert flags["n_missing"].tolist() == [sum(v < 0 for v in r) for r in rows_]
    blocks = ([sum(v >= 0 for v in r[:5]) for r in rows_],
              [sum(v >= 0 for v in r[5:]) for r in rows_])
    assert flags["n_constructs_unscored"].tolist() == [
        int(a < 3) + int(b < 3) for a, b in zip(*blocks)]
    assert flags["missing"].tolist() == [
        sum(v < 0 for v in r) / 10 > 0.2 or a == 0 or b == 0
        for r, a, b in zip(rows_, *blocks)]
    assert flags["out_of_range"].tolist() == [
        any(not np.isnan(v) and v not in (1, 2, 3, 4, 5) for v in r) for r in codes]
    seen: set[tuple[int, ...]] = set()
    expected = []
    for r in rows_:
        answers = [v for v in r if v >= 0]
        eligible = len(answers) >= 5 and max(answers) > min(answers)
        expected.append(eligible and tuple(r) in seen)
        if eligible:
            seen.add(tuple(r))
    assert flags["duplicate_submission"].tolist() == expected
    assert sum(expected) >= 5


@pytest.mark.parametrize("dtype", [np.int8, np.uint8, np.int16, np.int64])
@pytest.mark.parametrize("values", [[1, 2, 3, 4, 5], [0, 1], [-3, -2, -1], [1, 2, 4],
                                    [5, 3, 4, 1, 2], [1.5, 2], [True, False], [7], []])
def test_codes_outside_the_scale_as_np_isin(dtype: type, values: list) -> None:
    # consecutive integer codes are tested against the bounds, anything else by np.isin
    info = np.iinfo(dtype)
    codes = np.random.default_rng(5).integers(info.min, int(info.max) + 1, 5000).astype(dtype)
    codes[:200] = np.arange(-100, 100).astype(dtype)
    got = quality._not_among(codes, values)
    assert got.dtype == np.bool_
    assert np.array_equal(got, ~np.isin(codes, values))


def test_shared_hashes_as_duplicated_keep_false() -> None:
    # two steps (low 32 bits, then the full hash of the rows whose low half repeats)
    # flag exactly the hashes that occur more than once
    rng = np.random.default_rng(9)
    hashed = rng.integers(0, 2**63, 20_000, dtype=np.uint64)
    hashed[100:110] = hashed[5]  # shared full hashes
    hashed[200:260] = (hashed[200:260] & np.uint64(0xFFFFFFFF00000000)) | np.uint64(77)
    hashed[300] = hashed[200]  # a full repeat among low-half repeats
    want = pd.Series(hashed).duplicated(keep=False).to_numpy()
    assert np.array_equal(quality._shared_hashes(hashed), want)
    assert want.sum() == 13
    assert not quality._shared_hashes(hashed[:0]).size
