"""A corpus of malformed exports and codebooks: each fails clearly or warns as documented.

Every file is generated into ``tmp_path``. An error must be one of the project's
exceptions and name the file plus the column/row/line at fault and a fix; a
warning must be a documented :class:`DataQualityWarning` and the data must be right.
"""

from __future__ import annotations

import sys
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyreadstat
import pytest

from egovstudy.codebook import read_codebook
from egovstudy.errors import (
    CodebookError,
    DataFormatError,
    DataQualityError,
    DataQualityWarning,
    EgovStudyError,
    LabelError,
)
from egovstudy.survey import load_survey

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _survey_factory import CODEBOOK, HEAD, code_frame, label_frame, sav_labels, write_codebook

Case = Callable[[Path], tuple[Path, dict[str, Any]]]
CASES: dict[str, tuple[Case, type, str]] = {}


def case(name: str, expect: type, pattern: str) -> Callable[[Case], Case]:
    def deco(fn: Case) -> Case:
        CASES[name] = (fn, expect, pattern)
        return fn
    return deco


def _csv(tmp: Path, name: str, text: str | bytes) -> Path:
    path = tmp / name
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return path


def _labels_csv(tmp: Path, name: str = "x.csv", **kw: Any) -> Path:
    path = tmp / name
    label_frame().to_csv(path, index=False, **kw)
    return path


Q3 = HEAD["q3"]


@case("empty file", DataFormatError, r"empty\.csv: the file is empty \(0 bytes\).*Fix")
def _empty(t: Path) -> tuple[Path, dict]:
    return _csv(t, "empty.csv", b""), {}


@case("blank lines only", DataFormatError, r"blank\.csv: contains only blank lines.*Fix")
def _blank(t: Path) -> tuple[Path, dict]:
    return _csv(t, "blank.csv", "\n \n\n"), {}


@case("header only", DataFormatError, r"header\.csv: has a header but no data rows.*Fix")
def _header(t: Path) -> tuple[Path, dict]:
    return _csv(t, "header.csv", ",".join(label_frame().columns) + "\n"), {}


@case("wrong delimiter given", DataFormatError,
      r"semi\.csv: the header has one column when split on ','.*Fix: pass delimiter=';'")
def _wrong_delim(t: Path) -> tuple[Path, dict]:
    return _labels_csv(t, "semi.csv", sep=";"), {"delimiter": ","}


@case("ragged row", DataFormatError, r"ragged\.csv: 1 row\(s\) do not have the header's 8 "
      r"fields \(line 4: 9 fields\).*Fix: check the delimiter")
def _ragged(t: Path) -> tuple[Path, dict]:
    lines = _labels_csv(t, "ragged.csv").read_text(encoding="utf-8").splitlines()
    lines[3] += ",extra"
    return _csv(t, "ragged.csv", "\n".join(lines) + "\n"), {}


@case("truncated csv", DataFormatError, r"trunc\.csv: .*line 7.*truncated.*download the "
      r"export again")
def _truncated(t: Path) -> tuple[Path, dict]:
    text = _labels_csv(t, "trunc.csv").read_text(encoding="utf-8")
    return _csv(t, "trunc.csv", text[: len(text) - 40]), {}


@case("unterminated quote", DataFormatError, r"quote\.csv: .*Fix")
def _quote(t: Path) -> tuple[Path, dict]:
    text = _labels_csv(t, "quote.csv").read_text(encoding="utf-8")
    return _csv(t, "quote.csv", text.rstrip("\n") + ',"unterminated\n'), {}


@case("duplicated column used by the codebook", DataFormatError,
      r"dupcol\.csv: column 'Petugas ramah' \(items\[2\] 'q3'\) appears 2 times \(positions "
      r"6, 9\).*Fix: rename")
def _dupcol(t: Path) -> tuple[Path, dict]:
    df = label_frame()
    df.insert(len(df.columns), "dup", df[Q3])
    path = t / "dupcol.csv"
    df.rename(columns={"dup": Q3}).to_csv(path, index=False)
    return path, {}


@case("duplicated unused column", DataQualityWarning, r"dupextra\.csv: duplicated headers "
      r"\['Catatan'\]")
def _dupextra(t: Path) -> tuple[Path, dict]:
    df = label_frame()
    df["Catatan"] = "a"
    df["Catatan2"] = "b"
    path = t / "dupextra.csv"
    df.rename(columns={"Catatan2": "Catatan"}).to_csv(path, index=False)
    return path, {}


@case("unknown labels", LabelError, r"unk\.csv, column 'Petugas ramah': unknown labels "
      r"'Setuju banget' \(rows 3, 5; nearest known label 'Setuju'\)\. Known labels: "
      r"Sangat Tidak Setuju, Tidak Setuju, Netral, Setuju, Sangat Setuju, Strongly disagree.*Fix")
def _unknown(t: Path) -> tuple[Path, dict]:
    df = label_frame()
    df.loc[[1, 3], Q3] = "Setuju banget"
    path = t / "unk.csv"
    df.to_csv(path, index=False)
    return path, {}


@case("numeric code outside the scale in a label column", LabelError,
      r"code7\.csv, column 'Petugas ramah': unknown labels '7' \(rows 2")
def _code7(t: Path) -> tuple[Path, dict]:
    df = label_frame()
    df.loc[0, Q3] = "7"
    path = t / "code7.csv"
    df.to_csv(path, index=False)
    return path, {}


@case("out-of-range number", DataQualityWarning, r"oor\.csv: 1 out-of-range value\(s\) set to "
      r"missing \(row 3 column 'mbps' value 5000\.0\)")
def _oor(t: Path) -> tuple[Path, dict]:
    df = label_frame()
    df.loc[1, "Kecepatan (Mbps)"] = 5000
    path = t / "oor.csv"
    df.to_csv(path, index=False)
    return path, {}


@case("text in a numeric column", DataQualityWarning, r"text\.csv: 1 out-of-range value\(s\) "
      r"set to missing \(row 4 column 'mbps' value 'cepat'\)")
def _text_num(t: Path) -> tuple[Path, dict]:
    df = label_frame().astype({"Kecepatan (Mbps)": object})
    df.loc[2, "Kecepatan (Mbps)"] = "cepat"
    path = t / "text.csv"
    df.to_csv(path, index=False)
    return path, {}


@case("all-missing item", DataQualityWarning, r"allmiss\.csv: item 'q4' \(column 'Informasi "
      r"mudah didapat'\) is blank in every row")
def _allmiss(t: Path) -> tuple[Path, dict]:
    df = label_frame()
    df[HEAD["q4"]] = None
    path = t / "allmiss.csv"
    df.to_csv(path, index=False)
    return path, {}


@case("missing id column", CodebookError, r"does not match file .*noid\.csv: 1 column\(s\) not "
      r"found: columns\.id: column 'NIP' not found.*fix: set columns\.id")
def _noid(t: Path) -> tuple[Path, dict]:
    path = t / "noid.csv"
    label_frame().drop(columns="NIP").to_csv(path, index=False)
    return path, {}


@case("codebook naming absent columns", CodebookError,
      r"absent\.csv: 1 column\(s\) not found: items\[2\] 'q3': column 'Petugas sangat ramah' "
      r"not found; nearest header 'Petugas ramah'")
def _absent(t: Path) -> tuple[Path, dict]:
    cb = dict(CODEBOOK, items=[dict(i) for i in CODEBOOK["items"]])
    cb["items"][2]["column"] = "Petugas sangat ramah"
    return _labels_csv(t, "absent.csv"), {"codebook": cb}


@case("sav with unlabelled codes", DataQualityWarning, r"unlab\.sav: 1 out-of-range value\(s\) "
      r"set to missing \(row 3 column 'q1' value 8(\.0)?\)")
def _unlabelled(t: Path) -> tuple[Path, dict]:
    df = code_frame()
    df.loc[2, "q1"] = 8.0
    path = t / "unlab.sav"
    labels = {"q1": {1.0: "Sangat Tidak Setuju", 5.0: "Sangat Setuju"}}
    pyreadstat.write_sav(df, str(path), column_labels=sav_labels(),
                         variable_value_labels=labels, missing_ranges={k: [9] for k in HEAD})
    return path, {}


@case("truncated sav", DataFormatError, r"cut\.sav: cannot read as SPSS.*Fix: save the file "
      r"again")
def _cut_sav(t: Path) -> tuple[Path, dict]:
    path = t / "full.sav"
    pyreadstat.write_sav(code_frame(), str(path), column_labels=sav_labels())
    data = path.read_bytes()
    return _csv(t, "cut.sav", data[: len(data) // 3]), {}


@case("sav without cases", DataFormatError, r"nocase\.sav: has variables but no cases")
def _nocase(t: Path) -> tuple[Path, dict]:
    path = t / "nocase.sav"
    pyreadstat.write_sav(code_frame().iloc[:0], str(path), column_labels=sav_labels())
    return path, {}


@case("fractional code in dta", DataQualityWarning, r"frac\.dta: 1 out-of-range value\(s\) "
      r"set to missing \(row 1 column 'q4' value 2\.5\)")
def _frac(t: Path) -> tuple[Path, dict]:
    df = code_frame()
    df.loc[0, "q4"] = 2.5
    path = t / "frac.dta"
    pyreadstat.write_dta(df, str(path), column_labels=sav_labels())
    return path, {}


@case("date column as Excel serials", DataQualityWarning, r"serial\.csv, column 'Timestamp': "
      r"times stored as Excel serial numbers")
def _serial(t: Path) -> tuple[Path, dict]:
    df = label_frame()
    df["Timestamp"] = [46266.3132, 46266.335, 46266.3854, 46267.4173, 46267.573, 46268.68]
    path = t / "serial.csv"
    df.to_csv(path, index=False)
    return path, {}


@case("timestamp in another format", DataFormatError, r"ts\.csv, column 'Timestamp': 1 "
      r"value\(s\) do not match the format '%d/%m/%Y %H:%M:%S' \(rows 4;.*Fix: set "
      r"columns\.timestamp_format")
def _ts(t: Path) -> tuple[Path, dict]:
    df = label_frame()
    df.loc[2, "Timestamp"] = "kemarin sore"
    path = t / "ts.csv"
    df.to_csv(path, index=False)
    cb = dict(CODEBOOK, columns=dict(CODEBOOK["columns"], timestamp_format="%d/%m/%Y %H:%M:%S"))
    return path, {"codebook": cb}


@case("mixed encodings", DataQualityWarning, r"mixed\.csv: mixed text encodings \(UTF-8 on "
      r"lines 2 and cp1252/latin-1 on lines 3\)")
def _mixed(t: Path) -> tuple[Path, dict]:
    df = label_frame().iloc[:2].copy()
    df["Nama OPD"] = ["Dinas Kesehatan Médan", "Dinas Kesehatan Médan"]
    lines = df.to_csv(index=False).splitlines()
    data = (lines[0] + "\n" + lines[1] + "\n").encode("utf-8") + (lines[2] + "\n").encode(
        "cp1252")
    return _csv(t, "mixed.csv", data), {"check": lambda s: set(s.data["agency"]) == {
        "Dinas Kesehatan Médan"}}


@case("latin-1 bytes undefined in cp1252", None, "")
def _latin1(t: Path) -> tuple[Path, dict]:
    df = label_frame()
    df["Nama OPD"] = "Dinas\x81X"
    path = t / "latin.csv"
    df.to_csv(path, index=False, encoding="latin-1")
    return path, {"check": lambda s: s.info["encoding"] == "latin-1"}


@case("UTF-8 BOM before the id header", None, "")
def _bom(t: Path) -> tuple[Path, dict]:
    df = label_frame()[["NIP", *[c for c in label_frame().columns if c != "NIP"]]]
    path = t / "bom.csv"
    df.to_csv(path, index=False, encoding="utf-8-sig")
    return path, {"check": lambda s: s.data["respondent_id"].iloc[0] == "19800101"}


@case("UTF-16 export", None, "")
def _utf16(t: Path) -> tuple[Path, dict]:
    path = t / "u16.csv"
    label_frame().to_csv(path, index=False, encoding="utf-16", sep="\t")
    return path, {"check": lambda s: len(s.data) == 6}


@case("merged Excel header rows", DataQualityWarning, r"merged\.xlsx: rows 1-2 form a two-row "
      r"\(merged\) header")
def _merged(t: Path) -> tuple[Path, dict]:
    import openpyxl

    df = label_frame()
    wb = openpyxl.Workbook()
    ws = wb.active
    top = ["Timestamp", "NIP", "Nama OPD", "Penilaian layanan", None, None, None,
           "Kecepatan (Mbps)"]
    bottom = [None, None, None, *HEAD.values(), None]
    ws.append(top)
    ws.append(bottom)
    ws.merge_cells("D1:G1")
    for row in df.itertuples(index=False):
        ws.append(list(row))
    path = t / "merged.xlsx"
    wb.save(path)
    cb = dict(CODEBOOK, items=[dict(i, column=f"Penilaian layanan [{HEAD[i['name']]}]")
                               for i in CODEBOOK["items"]])
    return path, {"codebook": cb, "check": lambda s: s.data["q1"].tolist() == [4, 5, 2, 3, 1, 4]}


@case("corrupt xlsx", DataFormatError, r"bad\.xlsx: cannot read as a workbook.*Fix")
def _badxlsx(t: Path) -> tuple[Path, dict]:
    return _csv(t, "bad.xlsx", b"PK\x03\x04 this is not really a zip file"), {}


@case("empty sheet", DataFormatError, r"emptysheet\.xlsx: the sheet is empty")
def _emptysheet(t: Path) -> tuple[Path, dict]:
    path = t / "emptysheet.xlsx"
    pd.DataFrame().to_excel(path)
    return path, {}


@case("unknown extension", DataFormatError, r"data\.json: unknown extension '\.json'.*source=")
def _ext(t: Path) -> tuple[Path, dict]:
    return _csv(t, "data.json", "{}"), {}


@case("blank respondent ids", DataQualityWarning, r"noids\.csv: column 'NIP' \(respondent id\) "
      r"is blank in rows 3, 4")
def _noids(t: Path) -> tuple[Path, dict]:
    df = label_frame()
    df.loc[[1, 2], "NIP"] = None
    path = t / "noids.csv"
    df.to_csv(path, index=False)
    return path, {}


@case("unknown category", LabelError, r"cat\.csv, column 'Jenis kelamin': unknown categorys? "
      r"'Pria' \(rows 2")
def _cat(t: Path) -> tuple[Path, dict]:
    df = label_frame()
    df["Jenis kelamin"] = ["Pria", "Perempuan", "Laki-laki", "Perempuan", "Laki-laki", "perempuan"]
    path = t / "cat.csv"
    df.to_csv(path, index=False)
    cb = dict(CODEBOOK, variables=[*CODEBOOK["variables"], {
        "name": "gender", "column": "Jenis kelamin", "type": "categorical",
        "categories": {"Laki-laki": "male", "Perempuan": "female"}}])
    return path, {"codebook": cb}


@case("raise policy", DataQualityError, r"rule 'duplicate_id' flagged 1 row\(s\): row 2 \(id "
      r"19800101\).*Fix")
def _raise(t: Path) -> tuple[Path, dict]:
    df = label_frame()
    df.loc[1, "NIP"] = "19800101"
    path = t / "dupid.csv"
    df.to_csv(path, index=False)
    return path, {"policies": {"duplicate_id": "raise"}}


@case("YAML with a python/object tag", CodebookError, r"evil\.yaml: line 1.*invalid YAML")
def _evil(t: Path) -> tuple[Path, dict]:
    marker = t / "executed"
    cb = t / "evil.yaml"
    cb.write_text(f"study: !!python/object/apply:os.system ['touch {marker}']\n",
                  encoding="utf-8")
    return _labels_csv(t), {"codebook_path": cb, "check_absent": marker}


@case("YAML syntax error", CodebookError, r"syntax\.yaml: line 3, column \d+: invalid YAML")
def _syntax(t: Path) -> tuple[Path, dict]:
    cb = t / "syntax.yaml"
    cb.write_text("columns:\n  id: NIP\n items: [\n", encoding="utf-8")
    return _labels_csv(t), {"codebook_path": cb}


@case("empty codebook", CodebookError, r"emptycb\.yaml: the file is empty")
def _emptycb(t: Path) -> tuple[Path, dict]:
    cb = t / "emptycb.yaml"
    cb.write_text("# nothing yet\n", encoding="utf-8")
    return _labels_csv(t), {"codebook_path": cb}


@case("codebook is a list", CodebookError, r"list\.yaml: top level: expected a mapping")
def _listcb(t: Path) -> tuple[Path, dict]:
    cb = t / "list.yaml"
    cb.write_text("- a\n- b\n", encoding="utf-8")
    return _labels_csv(t), {"codebook_path": cb}


@case("codebook with an unknown section", CodebookError,
      r"section.yaml: top level: unknown section 'itemz' \(did you mean 'items'\?\)")
def _section(t: Path) -> tuple[Path, dict]:
    cb = t / "section.yaml"
    cb.write_text("itemz: []\n", encoding="utf-8")
    return _labels_csv(t), {"codebook_path": cb}


@case("kobo multi-select with an unknown option", LabelError,
      r"kobo\.csv, column 'grp/apps': unknown options 'faks' \(rows 3")
def _kobo(t: Path) -> tuple[Path, dict]:
    df = label_frame()
    df["grp/apps"] = ["email", "email faks", "srikandi", None, "email srikandi", "srikandi"]
    path = t / "kobo.csv"
    df.to_csv(path, index=False)
    cb = dict(CODEBOOK, variables=[*CODEBOOK["variables"], {
        "name": "apps", "column": "grp/apps", "type": "multiple",
        "options": {"email": "E-mail", "srikandi": "Srikandi"}}])
    return path, {"codebook": cb}


def test_corpus_is_large_enough() -> None:
    assert len(CASES) >= 30


@pytest.mark.parametrize("name", sorted(CASES))
def test_malformed(name: str, tmp_path: Path) -> None:
    build, expect, pattern = CASES[name]
    path, opts = build(tmp_path)
    cb_path = opts.pop("codebook_path", None) or write_codebook(
        tmp_path, opts.pop("codebook", None))
    check = opts.pop("check", None)
    absent = opts.pop("check_absent", None)
    if expect is None or issubclass(expect, Warning):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            survey = load_survey(path, cb_path, **opts)
        messages = [str(w.message) for w in caught if issubclass(w.category, DataQualityWarning)]
        if expect is not None:
            assert any(__import__("re").search(pattern, m) for m in messages), messages
        if check is not None:
            assert check(survey)
    else:
        with pytest.raises(expect, match=pattern) as info:
            load_survey(path, cb_path, **opts)
        assert isinstance(info.value, EgovStudyError)
    if absent is not None:
        assert not absent.exists()


def test_yaml_tag_never_runs_via_read_codebook(tmp_path: Path) -> None:
    marker = tmp_path / "executed"
    cb = tmp_path / "evil.yaml"
    cb.write_text(f"!!python/object/apply:os.system ['touch {marker}']\n", encoding="utf-8")
    with pytest.raises(CodebookError):
        read_codebook(cb)
    assert not marker.exists()
    assert np.isfinite(1.0)


def _cli_cases() -> list[str]:
    """Cases whose input the CLI can take as it is (no load_survey options)."""
    import tempfile

    names = []
    for name, (build, _, _) in sorted(CASES.items()):
        with tempfile.TemporaryDirectory() as tmp:
            _, opts = build(Path(tmp))
        if not {k for k in opts if k not in ("check", "check_absent", "codebook",
                                              "codebook_path")}:
            names.append(name)
    return names


@pytest.mark.parametrize("name", _cli_cases())
def test_malformed_through_the_command_line(name: str, tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    # what a user of `egovstudy validate --data ... --codebook ...` sees: a one-block error
    # naming the culprit (exit 2) or a clean run (exit 0), never a traceback
    from egovstudy.cli import main

    build, expect, pattern = CASES[name]
    path, opts = build(tmp_path)
    cb_path = opts.pop("codebook_path", None) or write_codebook(
        tmp_path, opts.pop("codebook", None))
    code = main(["validate", "--data", str(path), "--codebook", str(cb_path)])
    err = capsys.readouterr().err
    assert "Traceback" not in err and "internal error" not in err, err
    if expect is None or issubclass(expect, Warning):
        assert code == 0, err
    else:
        assert code == 2, err
        assert __import__("re").search(pattern, " ".join(err.split())), err
