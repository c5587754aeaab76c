"""Google Forms CSV/XLSX, Excel-CSV, SPSS, Stata, Kobo and Parquet load into one clean shape."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pyreadstat
import pytest

from egovstudy.survey import load_survey

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _survey_factory import (
    CODEBOOK,
    COMPARE,
    HEAD,
    KOBO,
    LABELS,
    TIMES,
    code_frame,
    expected,
    label_frame,
    sav_labels,
    write_codebook,
)


def _check(survey, with_time: bool = True) -> None:  # type: ignore[no-untyped-def]
    got = survey.data[COMPARE].copy()
    got["respondent_id"] = got["respondent_id"].astype(str)
    got["agency"] = got["agency"].astype(str)
    pd.testing.assert_frame_equal(got, expected()[COMPARE], check_dtype=False)
    assert all(str(survey.data[k].dtype) == "Int8" for k in HEAD)
    if with_time:
        assert survey.data["submitted_at"].tolist() == list(TIMES)


def test_google_forms_csv(tmp_path: Path) -> None:
    path = tmp_path / "gf.csv"
    label_frame().to_csv(path, index=False)
    _check(load_survey(path, write_codebook(tmp_path)))


def test_google_forms_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "gf.xlsx"
    df = label_frame()
    df["Timestamp"] = TIMES  # real Excel dates
    df.to_excel(path, index=False)
    _check(load_survey(path, write_codebook(tmp_path)))


def test_google_forms_legacy_xls(tmp_path: Path) -> None:
    # the old Excel 97-2003 format (.xls), still produced by some office installations;
    # written here with xlwt, read by calamine
    import xlwt

    df = label_frame()
    path = tmp_path / "gf.xls"
    wb = xlwt.Workbook()
    ws = wb.add_sheet("Form Responses 1")
    date_style = xlwt.easyxf(num_format_str="yyyy-mm-dd hh:mm:ss")
    for j, col in enumerate(df.columns):
        ws.write(0, j, col)
        for i, v in enumerate(df[col].tolist(), start=1):
            if col == "Timestamp":
                ws.write(i, j, TIMES[i - 1].to_pydatetime(), date_style)
            elif v is not None and not (isinstance(v, float) and v != v):
                ws.write(i, j, v)
    wb.save(str(path))
    _check(load_survey(path, write_codebook(tmp_path)))


def test_indonesian_excel_csv(tmp_path: Path) -> None:
    """Semicolons, decimal comma, cp1252 bytes (an accented agency alias)."""
    df = label_frame()
    df["Nama OPD"] = df["Nama OPD"].replace({"dinkes": "Dinkés"})
    df["Kecepatan (Mbps)"] = [f"{v:.2f}".replace(".", ",") for v in df["Kecepatan (Mbps)"]]
    path = tmp_path / "excel.csv"
    df.to_csv(path, index=False, sep=";", encoding="cp1252")
    s = load_survey(path, write_codebook(tmp_path))
    _check(s)
    assert (s.info["delimiter"], s.info["decimal"], s.info["encoding"]) == (";", ",", "cp1252")


@pytest.mark.parametrize("bom", [True, False])
def test_utf8_bom_and_tabs(tmp_path: Path, bom: bool) -> None:
    path = tmp_path / "tab.csv"
    label_frame().to_csv(path, index=False, sep="\t",
                         encoding="utf-8-sig" if bom else "utf-8")
    s = load_survey(path, write_codebook(tmp_path))
    _check(s)
    assert s.info["encoding"] == ("utf-8-sig" if bom else "utf-8")


def test_spss_value_labels_and_user_missing(tmp_path: Path) -> None:
    path = tmp_path / "x.sav"
    df = code_frame()
    # value labels in English, with the codes of q3 stored in reverse order (5 = STS):
    # the loader must go through the labels, not trust the codes
    en = ["Strongly disagree", "Disagree", "Neutral", "Agree", "Strongly agree"]
    df["q3"] = df["q3"].where(df["q3"] == 9, 6 - df["q3"])
    vlabels = {k: {float(i + 1): en[i] for i in range(5)} for k in ("q1", "q2", "q4")}
    vlabels["q3"] = {float(5 - i): en[i] for i in range(5)}
    pyreadstat.write_sav(df, str(path), column_labels=sav_labels(),
                         variable_value_labels=vlabels,
                         missing_ranges={k: [9] for k in HEAD})
    cb = dict(CODEBOOK, items=[dict(i, missing=None) for i in CODEBOOK["items"]])
    cb["study"] = {"name": "mini", "source": "spss"}
    s = load_survey(path, write_codebook(tmp_path, cb))
    _check(s)


def test_stata(tmp_path: Path) -> None:
    path = tmp_path / "x.dta"
    pyreadstat.write_dta(code_frame(), str(path), column_labels=sav_labels())
    _check(load_survey(path, write_codebook(tmp_path)))  # 9 declared missing in the codebook


def test_stata_extended_missing_kept(tmp_path: Path) -> None:
    # Stata marks "refused" / "don't know" as extended missing values (.a, .b, ...):
    # they are missing for the analysis, and which letter each row had is not lost.
    from egovstudy.io.spss import read_stata

    df = code_frame()
    letters = iter("abab" * 10)
    for k in HEAD:
        df[k] = [next(letters) if v == 9 else v for v in df[k]]
    path = tmp_path / "ext.dta"
    pyreadstat.write_dta(df, str(path), column_labels=sav_labels(),
                         missing_user_values={k: ["a", "b"] for k in HEAD})
    raw = read_stata(path)
    nines = {k: [i for i, v in enumerate(code_frame()[k]) if v == 9] for k in HEAD}
    coded = {k: v for k, v in nines.items() if v}
    assert set(raw.extended_missing) == set(coded)
    for k, rows in coded.items():
        assert raw.extended_missing[k].index.tolist() == rows
        assert set(raw.extended_missing[k]) <= {"a", "b"}
        assert raw.frame[k].dtype == "float64" and raw.frame[k].iloc[rows].isna().all()
        assert any(note.startswith(f"{k}: {len(rows)} Stata extended missing") for note in
                   raw.notes)
    cb = dict(CODEBOOK, items=[dict(i, missing=None) for i in CODEBOOK["items"]])
    survey = load_survey(path, write_codebook(tmp_path, cb))
    _check(survey)                          # the same numbers as with code 9 declared missing
    assert any("extended missing" in note for note in survey.info["notes"])


def test_kobo_value_export(tmp_path: Path) -> None:
    df = label_frame()
    out = pd.DataFrame({"start": [(t - pd.Timedelta(minutes=10)).isoformat() + "+07:00"
                                  for t in TIMES],
                        "_submission_time": [t.isoformat() for t in TIMES],
                        "identitas/nip": df["NIP"], "identitas/opd": df["Nama OPD"]})
    for k in HEAD:
        out[f"layanan/{k}"] = df[HEAD[k]].map(dict(zip(LABELS, KOBO)))
    out["infra/mbps"] = df["Kecepatan (Mbps)"]
    out["_uuid"] = [f"u{i}" for i in range(len(out))]
    path = tmp_path / "kobo.csv"
    out.to_csv(path, index=False, sep=";")
    cb = dict(CODEBOOK)
    cb["study"] = {"name": "mini", "source": "kobo"}
    cb["columns"] = {"id": "nip", "timestamp": "_submission_time", "agency": "opd",
                     "start_time": "start"}
    cb["items"] = [dict(i, column=f"layanan/{i['name']}") for i in CODEBOOK["items"]]
    cb["variables"] = [dict(CODEBOOK["variables"][0], column="mbps")]
    s = load_survey(path, write_codebook(tmp_path, cb), source="kobo")
    _check(s)
    assert s.data["duration_seconds"].tolist() == [600.0] * 6


def test_parquet(tmp_path: Path) -> None:
    path = tmp_path / "x.parquet"
    label_frame().to_parquet(path)
    _check(load_survey(path, write_codebook(tmp_path)))
