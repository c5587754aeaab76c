"""Codebook reading and validation (YAML and Excel)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from egovstudy.codebook import BUILTIN_SCALES, Codebook, read_codebook
from egovstudy.errors import CodebookError

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CB = ROOT / "data" / "raw" / "default_study" / "codebook.yaml"

BASE = """
columns: {id: NIP}
constructs:
  - {name: hr, items: [hrq1, hrq2, hrq3, hrq4], min_items: 3}
items:
  - {name: hrq1, column: Q1, construct: hr, scale: agree5}
  - {name: hrq2, column: Q2, construct: hr, scale: agree5}
  - {name: hrq3, column: Q3, construct: hr, scale: agree5}
  - {name: hrq4, column: Q4, construct: hr, scale: SCALE4, reverse: true}
"""


def _write(tmp_path: Path, text: str, name: str = "cb.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_valid_yaml(tmp_path: Path) -> None:
    cb = read_codebook(_write(tmp_path, BASE.replace("SCALE4", "agree5")))
    assert cb.construct_items() == {"hr": ["hrq1", "hrq2", "hrq3", "hrq4"]}
    assert cb.items["hrq4"].reverse and not cb.items["hrq1"].reverse
    assert cb.constructs["hr"].min_items == 3
    assert cb.sha256 is not None and len(cb.sha256) == 64


def test_builtin_scales_in_both_languages() -> None:
    for name in ("agree5", "agree7", "freq5", "satisfaction5", "quality5"):
        scale = BUILTIN_SCALES[name]
        assert set(scale.labels) == {"id", "en"}
        assert len(scale.labels["id"]) == len(scale.labels["en"]) == len(scale.values)
    assert BUILTIN_SCALES["agree7"].values == list(range(1, 8))


def test_unknown_scale_names_entry_and_fix(tmp_path: Path) -> None:
    path = _write(tmp_path, BASE.replace("SCALE4", "agree9"))
    with pytest.raises(CodebookError, match=r"items\[3\] 'hrq4': unknown scale 'agree9'.*known:"
                                            r".*agree5.*Fix:"):
        read_codebook(path)


@pytest.mark.parametrize(("edit", "pattern"), [
    (("construct: hr, scale: agree5}", "construct: hx, scale: agree5}"),
     r"items\[0\] 'hrq1': unknown construct 'hx'"),
    (("items: [hrq1, hrq2, hrq3, hrq4]", "items: [hrq1, hrq2, hrq3, hrq9]"),
     r"constructs\[0\] 'hr': unknown item 'hrq9'"),
    (("min_items: 3", "min_items: 7"), r"min_items 7 outside 1..4"),
    (("name: hrq2,", "name: 2hrq,"), r"not a valid identifier"),
    (("name: hrq2,", "name: hrq1,"), r"duplicate item name 'hrq1'"),
])
def test_validation_errors(tmp_path: Path, edit: tuple[str, str], pattern: str) -> None:
    text = BASE.replace("SCALE4", "agree5").replace(*edit, 1)
    with pytest.raises(CodebookError, match=pattern):
        read_codebook(_write(tmp_path, text))


def test_custom_scale_lengths_checked(tmp_path: Path) -> None:
    text = BASE.replace("SCALE4", "my4") + """
scales:
  my4:
    values: [1, 2, 3, 4]
    labels: {id: [Tidak pernah, Jarang, Sering], en: [Never, Rarely, Often, Always]}
"""
    with pytest.raises(CodebookError, match=r"scales 'my4' labels.id: 3 labels for 4 values"):
        read_codebook(_write(tmp_path, text))


def test_unordered_range(tmp_path: Path) -> None:
    text = BASE.replace("SCALE4", "agree5") + """
variables:
  - {name: mbps, column: Mbps, type: numeric, range: [1000, 0]}
"""
    with pytest.raises(CodebookError, match=r"variables\[0\] 'mbps': range .* not ordered"):
        read_codebook(_write(tmp_path, text))


def test_python_tag_is_never_executed(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    text = f"study: !!python/object/apply:os.system ['touch {marker}']\n" + BASE
    with pytest.raises(CodebookError, match=r"invalid YAML.*python/object"):
        read_codebook(_write(tmp_path, text))
    assert not marker.exists()


def test_excel_codebook_matches_yaml(tmp_path: Path) -> None:
    path = tmp_path / "cb.xlsx"
    with pd.ExcelWriter(path) as xw:
        pd.DataFrame({"key": ["id"], "value": ["NIP"]}).to_excel(xw, sheet_name="columns",
                                                                 index=False)
        pd.DataFrame({"name": ["hrq1", "hrq2", "hrq3", "hrq4"],
                      "column": ["Q1", "Q2", "Q3", "Q4"], "construct": ["hr"] * 4,
                      "text_id": ["a", "b", "c", "d"], "text_en": ["A", "B", "C", "D"],
                      "scale": ["agree5", "agree5", "agree5", "my4"],
                      "reverse": [False, False, False, True]}).to_excel(
            xw, sheet_name="items", index=False)
        pd.DataFrame({"name": ["hr"], "items": ["hrq1, hrq2, hrq3, hrq4"], "score": ["mean"],
                      "min_items": [3], "label_en": ["HR"]}).to_excel(xw, sheet_name="constructs",
                                                                      index=False)
        pd.DataFrame({"name": ["my4"] * 4, "value": [1, 2, 3, 4],
                      "label_id": ["Tidak pernah", "Jarang", "Sering", "Selalu"],
                      "label_en": ["Never", "Rarely", "Often", "Always"]}).to_excel(
            xw, sheet_name="scales", index=False)
    cb = read_codebook(path)
    assert cb.construct_items() == {"hr": ["hrq1", "hrq2", "hrq3", "hrq4"]}
    assert cb.items["hrq4"].scale.labels["en"] == ["Never", "Rarely", "Often", "Always"]
    assert cb.items["hrq4"].reverse and cb.items["hrq1"].text == {"id": "a", "en": "A"}
    assert cb.constructs["hr"].label == {"en": "HR"}


def test_second_order_and_cycle() -> None:
    spec = {"items": [{"name": "a", "column": "A", "construct": "x"},
                      {"name": "b", "column": "B", "construct": "y"}],
            "constructs": [{"name": "x"}, {"name": "y"},
                           {"name": "z", "dimensions": ["x", "y"]}]}
    cb = Codebook.from_dict(spec)
    assert cb.constructs["z"].second_order and cb.constructs["z"].min_items == 2
    assert "z" not in cb.construct_items()
    spec["constructs"][2] = {"name": "z", "dimensions": ["x", "q"]}
    with pytest.raises(CodebookError, match=r"constructs\[2\] 'z': unknown dimension 'q'"):
        Codebook.from_dict(spec)


def test_default_study_codebook() -> None:
    if not DEFAULT_CB.is_file():
        pytest.skip("default study not generated")
    cb = read_codebook(DEFAULT_CB)
    assert len(cb.items) == 42
    assert [i for i, it in cb.items.items() if it.reverse] == ["hrq4", "perf5"]
    assert cb.constructs["digitalisation"].dimensions == [
        "planning", "organising", "implementation", "monitoring", "evaluation"]
