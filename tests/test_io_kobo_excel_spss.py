"""Kobo select_multiple, Excel header detection, SPSS user-missing ranges."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyreadstat
import pytest

from egovstudy.errors import DataQualityWarning
from egovstudy.io.excel import read_excel
from egovstudy.io.kobo import expand_select_multiple, last_segment
from egovstudy.io.spss import read_spss

OPTIONS = {"email": "E-mail", "srikandi": "Srikandi", "lapor": "SP4N Lapor"}


def test_select_multiple_both_layouts_agree() -> None:
    one = pd.DataFrame({"g/apps": ["email lapor", "srikandi", None, "SP4N Lapor"]})
    per = pd.DataFrame({"g/apps/email": [1, 0, 0, 0], "g/apps/srikandi": [0, 1, 0, 0],
                        "g/apps/lapor": [1, 0, 0, 1]})
    a = expand_select_multiple(one, "g/apps", OPTIONS, name="apps")
    b = expand_select_multiple(per, "g/apps", OPTIONS, name="apps")
    pd.testing.assert_frame_equal(a, b)
    assert a.sum().to_dict() == {"apps__email": 1, "apps__srikandi": 1, "apps__lapor": 2}
    assert last_segment("grp_a/grp_b/q1") == "q1"


def test_select_multiple_label_export_joined_by_spaces() -> None:
    # Kobo's label export joins the chosen labels with spaces, and labels contain spaces:
    # "SP4N Lapor E-mail" is split into known labels, whole labels first
    from egovstudy.errors import LabelError

    opts = {**OPTIONS, "srikandi_mobile": "Srikandi Mobile"}
    one = pd.DataFrame({"g/apps": ["SP4N Lapor E-mail", "Srikandi Mobile",
                                   "Srikandi Srikandi Mobile", "email srikandi_mobile"]})
    got = expand_select_multiple(one, "g/apps", opts, name="apps").astype(int)
    assert got.to_dict("list") == {"apps__email": [1, 0, 0, 1], "apps__srikandi": [0, 0, 1, 0],
                                   "apps__lapor": [1, 0, 0, 0],
                                   "apps__srikandi_mobile": [0, 1, 1, 1]}
    with pytest.raises(LabelError, match="'Koran'"):
        expand_select_multiple(pd.DataFrame({"g/apps": ["E-mail Koran"]}), "g/apps", opts)


def test_excel_likert_rows_are_not_taken_for_a_header(tmp_path: Path) -> None:
    path = tmp_path / "x.xlsx"
    pd.DataFrame({"NIP": ["1", "2", "3"], "Q1": ["Setuju", "Setuju", "Netral"],
                  "": [None, None, None]}).to_excel(path, index=False)
    raw = read_excel(path)
    assert raw.first_row == 2 and raw.frame["Q1"].tolist() == ["Setuju", "Setuju", "Netral"]


def test_excel_merged_header(tmp_path: Path) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["NIP", "Penilaian", None])
    ws.append([None, "Cepat", "Ramah"])
    ws.merge_cells("B1:C1")
    ws.append(["1", "Setuju", "Netral"])
    ws.append(["2", "Setuju", "Setuju"])
    path = tmp_path / "m.xlsx"
    wb.save(path)
    with pytest.warns(DataQualityWarning, match="two-row"):
        raw = read_excel(path)
    assert list(raw.frame.columns) == ["NIP", "Penilaian [Cepat]", "Penilaian [Ramah]"]
    assert raw.first_row == 3
    assert list(read_excel(path, header_rows=1).frame.columns)[:2] == ["NIP", "Penilaian"]


def test_spss_missing_ranges(tmp_path: Path) -> None:
    path = tmp_path / "x.sav"
    pyreadstat.write_sav(pd.DataFrame({"q1": [1.0, 97.0, 99.0, 3.0]}), str(path),
                         missing_ranges={"q1": [{"lo": 97, "hi": 99}]})
    raw = read_spss(path)
    assert raw.user_missing["q1"] == [(97.0, 99.0)]
    assert raw.frame["q1"].tolist() == [1.0, 97.0, 99.0, 3.0]  # kept; applied by load_survey
