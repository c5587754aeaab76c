"""Respondent-quality rules on small hand-made data (expected flags worked out by hand)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

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
