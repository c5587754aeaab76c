"""Missing answers by label or code, wording variants, aliases and value labels (issue #15.6).

One small 7-point survey with "Don't know" (code 8) and "Refused" (code 9) answers
is written as a KoboToolbox label export (``.xlsx``), an SPSS ``.sav`` and a Stata
``.dta`` (value labels through pyreadstat); all three must load to the same
``Survey.data`` and the same descriptive and reliability tables, with the means
computed by hand below.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from egovstudy.codebook import BUILTIN_SCALES, MISSING_LABELS, SCALE_SYNONYMS, Codebook
from egovstudy.errors import CodebookError, DataQualityError, DataQualityWarning, LabelError
from egovstudy.labels import normalise_label
from egovstudy.survey import load_survey

pyreadstat = pytest.importorskip("pyreadstat")

EN7 = ["Strongly disagree", "Disagree", "Somewhat disagree", "Neither agree nor disagree",
       "Somewhat agree", "Agree", "Strongly agree"]
DK, REF = 8, 9
# respondent x (sq1, sq2, sq3); sq3 is reverse-keyed; 8 = Don't know, 9 = Refused
CODES = np.array([[7, 6, 2], [5, DK, 3], [4, 4, REF], [2, 1, 7], [DK, DK, 4], [6, 7, 1]])
IDS = ["r1", "r2", "r3", "r4", "r5", "r6"]
OFFICE = [7, 4, 7, 2, 4, 7]                      # coded unit column (SPSS/Stata labels)
OFFICE_LABELS = {2: "Kantor B", 4: "Kantor C", 7: "Kantor A"}
DEPT = ["Dinas Kominfo", "diskominfo ", "Diskominfo", "Bappeda", "BAPPEDA", "Dinas  Kominfo"]

# Hand computation (sq3 reversed as 1 + 7 - x; 8 and 9 never enter a score):
#   r1 (7, 6, 8-2=6) -> 19/3;  r2 (5, -, 8-3=5) -> 5;  r3 (4, 4, -) -> 4
#   r4 (2, 1, 8-7=1) -> 4/3;   r5 (-, -, 8-4=4) -> 4;  r6 (6, 7, 8-1=7) -> 20/3
SQ = [19 / 3, 5.0, 4.0, 4 / 3, 4.0, 20 / 3]
SQ_MEAN = 82 / 18          # 4.5556; read as answers (10 - x) 8 and 9 would give 5.5556
ITEM_MEANS = {"sq1": 24 / 5, "sq2": 18 / 4, "sq3": 23 / 5}


def _codebook(scale: str = "agree7x", **extra: object) -> dict:
    spec: dict = {
        "study": {"name": "dk", "language": "en"},
        "columns": {"id": "rid", "agency": "office"},   # a coded unit column
        "scales": {"agree7x": {"values": list(range(1, 10)),
                               "labels": {"en": [*EN7, "Don't know", "Refused"]},
                               "missing": ["Don't know", "Refused", DK, REF]}},
        "items": [{"name": f"sq{j}", "column": f"sq{j}", "construct": "sq", "scale": scale,
                   "reverse": j == 3} for j in (1, 2, 3)],
        "constructs": [{"name": "sq"}],
        "variables": [{"name": "office", "column": "office", "type": "categorical"},
                      {"name": "department", "column": "dept", "type": "categorical"}],
        "aliases": {"department": {"Dinas Kominfo": "Diskominfo", "bappeda": "Bappeda"}},
    }
    spec.update(extra)
    return spec


def _write_cb(folder: Path, spec: dict) -> Path:
    path = folder / "codebook.yaml"
    path.write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    return path


def _label(code: int) -> str:
    return {DK: "Don't know", REF: "Refused"}.get(code) or EN7[code - 1]


def _write_kobo(path: Path) -> Path:
    """A Kobo 'labels' export: group paths as headers, answers as choice labels."""
    df = pd.DataFrame({"_id": range(1, 7), "meta/rid": IDS,
                       "unit/office": [OFFICE_LABELS[o] for o in OFFICE], "unit/dept": DEPT})
    for j in range(3):
        df[f"sq/sq{j + 1}"] = [_label(int(c)) for c in CODES[:, j]]
    df["_uuid"] = [f"u{i}" for i in range(6)]
    df.to_excel(path, index=False)
    return path


def _code_frame() -> pd.DataFrame:
    df = pd.DataFrame({"rid": IDS, "office": np.array(OFFICE, dtype=float), "dept": DEPT})
    for j in range(3):
        df[f"sq{j + 1}"] = CODES[:, j].astype(float)
    return df


def _value_labels() -> dict:
    scale = {float(i + 1): lab for i, lab in enumerate(EN7)}
    scale.update({float(DK): "Don't know", float(REF): "Refused"})
    return {"office": {float(k): v for k, v in OFFICE_LABELS.items()},
            **{f"sq{j}": scale for j in (1, 2, 3)}}


def _write_sav(path: Path) -> Path:
    pyreadstat.write_sav(_code_frame(), str(path), variable_value_labels=_value_labels())
    return path


def _write_dta(path: Path) -> Path:
    labels = {k: {int(c): v for c, v in lab.items()} for k, lab in _value_labels().items()}
    pyreadstat.write_dta(_code_frame(), str(path), variable_value_labels=labels)
    return path


def _check_scores(data: pd.DataFrame) -> None:
    assert data["sq"].tolist() == pytest.approx(SQ)
    assert data["sq"].mean() == pytest.approx(SQ_MEAN)
    for item, mean in ITEM_MEANS.items():
        assert data[item].mean() == pytest.approx(mean)
    assert data["sq1"].isna().sum() == 1 and data["sq2"].isna().sum() == 2
    assert data["sq3"].isna().sum() == 1


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> dict:
    folder = tmp_path_factory.mktemp("dk")
    cb = _write_cb(folder, _codebook())
    with warnings.catch_warnings():
        warnings.simplefilter("error", DataQualityWarning)  # nothing out of range
        return {
            "kobo": load_survey(_write_kobo(folder / "kobo_labels.xlsx"), cb, source="kobo"),
            "spss": load_survey(_write_sav(folder / "survey.sav"), cb),
            "stata": load_survey(_write_dta(folder / "survey.dta"), cb),
        }


@pytest.mark.parametrize("fmt", ["kobo", "spss", "stata"])
def test_dont_know_and_refused_are_missing_with_hand_computed_scores(loaded: dict,
                                                                     fmt: str) -> None:
    survey = loaded[fmt]
    _check_scores(survey.data)
    scale = survey.codebook.items["sq3"].scale
    assert (scale.values, scale.min, scale.max) == (list(range(1, 8)), 1, 7)
    notes = survey.info["notes"]
    assert any(n.startswith("sq2: 2 answers") and "Don't know" in n for n in notes), notes
    assert any(n.startswith("sq3: 1 answer ") and "Refused" in n for n in notes), notes
    by_item = survey.quality.missing_by_item.set_index("item")["n_declared_missing"]
    assert by_item.to_dict() == {"sq1": 1, "sq2": 2, "sq3": 1}
    assert "Load notes:" in survey.summary()


@pytest.mark.filterwarnings("ignore:only 3 respondents answered all:UserWarning")
@pytest.mark.filterwarnings("ignore:invalid value encountered in log:RuntimeWarning")
def test_kobo_sav_dta_give_identical_tables(loaded: dict) -> None:
    import egovstudy as eg
    from egovstudy.report.tables import describe

    base = loaded["kobo"].data
    assert base["office"].astype(str).tolist() == [OFFICE_LABELS[o] for o in OFFICE]
    assert base["agency"].tolist() == [OFFICE_LABELS[o] for o in OFFICE]  # not '7.0'
    assert base["department"].astype(str).tolist() == ["Diskominfo"] * 3 + ["Bappeda"] * 2 + [
        "Diskominfo"]
    items = ["sq1", "sq2", "sq3"]
    for fmt in ("spss", "stata"):
        data = loaded[fmt].data
        pd.testing.assert_frame_equal(data[base.columns].reset_index(drop=True),
                                      base.reset_index(drop=True), check_categorical=False)
        pd.testing.assert_frame_equal(describe(data, [*items, "sq"]),
                                      describe(base, [*items, "sq"]))
        assert eg.reliability(data, items).tidy().equals(eg.reliability(base, items).tidy())


def test_builtin_agree7_reads_the_same_kobo_export(tmp_path: Path) -> None:
    # no scale declared: the built-in agree7 knows the Kobo midpoint wording and reads
    # "Don't know" / "Refused" as missing by default
    cb = _write_cb(tmp_path, _codebook(scale="agree7", scales={}))
    survey = load_survey(_write_kobo(tmp_path / "k.xlsx"), cb, source="kobo")
    _check_scores(survey.data)
    # the SPSS file: codes 8 and 9 are labelled "Don't know" / "Refused" in the file
    _check_scores(load_survey(_write_sav(tmp_path / "s.sav"), cb).data)


def test_undeclared_code_outside_the_scale_is_reported_and_can_raise(tmp_path: Path) -> None:
    spec = _codebook(scale="agree7", scales={})
    df = _code_frame()
    df.loc[2, "sq3"] = 10.0  # row 3 (case 3): no label, not declared missing
    path = tmp_path / "bad.sav"
    pyreadstat.write_sav(df, str(path))
    cb = _write_cb(tmp_path, spec)
    with pytest.warns(DataQualityWarning, match=r"row 3 column 'sq3' value 10"):
        load_survey(path, cb)
    with pytest.raises(DataQualityError, match=r"out_of_range.*row 3.*outside scale agree7"):
        load_survey(path, cb, policies={"out_of_range": "raise"})


def test_undeclared_label_on_a_custom_scale_raises(tmp_path: Path) -> None:
    spec = _codebook()
    spec["scales"]["agree7x"] = {"values": list(range(1, 8)), "labels": {"en": EN7}}
    cb = _write_cb(tmp_path, spec)
    with pytest.raises(LabelError, match=r"column 'sq/sq2'.*'Don't know' \(rows 3, 6.*"
                                         r"'missing'"):
        load_survey(_write_kobo(tmp_path / "k.xlsx"), cb, source="kobo")


def test_generated_english_survey_with_other_column_names(tmp_path: Path) -> None:
    # built-in agree7, English wording variants, curly apostrophes, odd case and spaces
    answers = {
        "Q5_ease": ["Strongly Agree", "agree somewhat", "Neither agree nor disagree",
                    "  slightly   DISAGREE", "Don\u2019t know", "Neither disagree nor agree"],
        "Q6_speed": ["Agree", "Prefer not to say", "Somewhat agree", "Disagree strongly",
                     "Neutral", "Slightly agree"],
        "Q7_errors": ["Disagree", "Strongly disagree", "N/A", "Agree", "Refused",
                      "Agree strongly"],
    }
    pd.DataFrame({"Respondent": [f"e{i}" for i in range(6)], **answers}).to_csv(
        tmp_path / "en.csv", index=False)
    spec = {"columns": {"id": "Respondent"}, "constructs": [{"name": "use"}],
            "items": [{"name": n, "column": c, "construct": "use", "scale": "agree7",
                       "reverse": n == "errors"}
                      for n, c in (("ease", "Q5_ease"), ("speed", "Q6_speed"),
                                   ("errors", "Q7_errors"))]}
    survey = load_survey(tmp_path / "en.csv", _write_cb(tmp_path, spec))
    data = survey.data
    # codes by hand (agree7: 4 = midpoint, "agree somewhat" = 5, "slightly disagree" = 3)
    assert data["ease"].tolist() == [7, 5, 4, 3, pd.NA, 4]
    assert data["speed"].tolist() == [6, pd.NA, 5, 1, 4, 5]
    assert data["errors"].tolist() == [6, 7, pd.NA, 2, pd.NA, 1]   # 8 - code
    assert data["use"].tolist() == pytest.approx([19 / 3, 6.0, 4.5, 2.0, 4.0, 10 / 3])
    assert survey.quality.missing_by_item.set_index("item")["n_declared_missing"].tolist() == [
        1, 1, 2]


def test_unknown_label_suggests_the_closest_wording(tmp_path: Path) -> None:
    pd.DataFrame({"id": ["a", "b"], "Q1": ["Neither agree or disagre", "Agree"]}).to_csv(
        tmp_path / "x.csv", index=False)
    spec = {"columns": {"id": "id"}, "constructs": [{"name": "c"}],
            "items": [{"name": "q1", "column": "Q1", "construct": "c", "scale": "agree7"}]}
    with pytest.raises(LabelError, match=r"'Neither agree or disagre' \(rows 2; nearest known "
                                         r"label 'Neither agree (or|nor) disagree'\)"):
        load_survey(tmp_path / "x.csv", _write_cb(tmp_path, spec))


def test_item_missing_removes_codes_from_the_items_scale() -> None:
    cb = Codebook.from_dict({
        "scales": {"nine": {"values": list(range(1, 10)), "labels": [str(i) for i in range(9)]}},
        "items": [{"name": "a", "column": "A", "construct": "c", "scale": "nine",
                   "missing": [8, "Refused", 9]},
                  {"name": "b", "column": "B", "construct": "c", "scale": "agree5",
                   "missing": ["Tidak tahu", 99]}],
        "constructs": [{"name": "c"}]})
    a, b = cb.items["a"], cb.items["b"]
    assert (a.scale.min, a.scale.max) == (1, 7)            # reverse would be 8 - x
    assert a.missing == (8.0, 9.0) and "Refused" in a.missing_labels
    assert cb.scales["nine"].max == 9                      # the shared scale is unchanged
    assert b.scale.values == [1, 2, 3, 4, 5] and b.missing == (99.0,)
    assert "Don't know" in b.missing_labels                # built-in default kept


@pytest.mark.parametrize(("edit", "pattern"), [
    # the codebook schema answers these two before the scale is built
    ({"missing": [True]}, r"scales\.x\.missing\[0\]: expected text or a number, got True"),
    ({"mising": [9]}, r"scales\.x\.mising: unknown key \(did you mean 'missing'\?\)"),
    ({"missing": [1, 2]}, r"scales 'x': fewer than two answers left"),
    ({"labels": ["a", "b", "Don\u2019t know"]},   # scored as 3: the reviewer's wrong means
     r"scales 'x': code 3 is labelled 'Don\u2019t know', which means no answer.*Fix: add "
     r"missing: \['Don\u2019t know'\]"),
])
def test_bad_scale_missing_names_the_entry(edit: dict, pattern: str) -> None:
    body = {"values": [1, 2, 3], "labels": ["a", "b", "c"], **edit}
    with pytest.raises(CodebookError, match=pattern):
        Codebook.from_dict({"scales": {"x": body}, "constructs": [{"name": "c"}],
                            "items": [{"name": "q", "column": "Q", "construct": "c",
                                       "scale": "x"}]})


@pytest.mark.parametrize(("aliases", "pattern"), [
    ({"departmnt": {"a": "b"}}, r"aliases 'departmnt': unknown column 'departmnt' \(did you "
                                r"mean 'department'\?\)"),
    ({"age": {"a": "b"}}, r"aliases 'age': variable 'age' has type 'numeric'"),
    ({"sex": {"cewek": "femal"}}, r"aliases 'sex' 'cewek': unknown category 'femal' \(did "
                                  r"you mean 'female'\?\)"),
])
def test_bad_alias_column_names_it(aliases: dict, pattern: str) -> None:
    spec = _codebook(aliases=aliases)
    spec["variables"].append({"name": "age", "column": "age", "type": "numeric"})
    spec["variables"].append({"name": "sex", "column": "sex", "type": "categorical",
                              "categories": {"Laki-laki": "male", "Perempuan": "female"}})
    with pytest.raises(CodebookError, match=pattern):
        Codebook.from_dict(spec)


def test_alias_by_header_and_folding_reported_in_notes(tmp_path: Path) -> None:
    spec = _codebook(aliases={"dept": {"Dinas Kominfo": "Diskominfo", "bappeda": "Bappeda"}})
    survey = load_survey(_write_sav(tmp_path / "s.sav"), _write_cb(tmp_path, spec))
    assert set(survey.data["department"].astype(str)) == {"Diskominfo", "Bappeda"}
    note = next(n for n in survey.info["notes"] if n.startswith("department:"))
    assert "'Dinas Kominfo' -> 'Diskominfo' (alias, 2 rows)" in note
    assert "'diskominfo' -> 'Diskominfo' (folded, 1 row)" in note


def test_builtin_wordings_are_unambiguous() -> None:
    for name, scale in BUILTIN_SCALES.items():
        codes: dict[str, int] = {}
        for label, code in [*scale.label_map().items(),
                            *SCALE_SYNONYMS.get(name, {}).items()]:
            key = normalise_label(label)
            assert codes.setdefault(key, code) == code, (name, label)
            assert code in scale.values, (name, label)
        clash = {normalise_label(m) for m in MISSING_LABELS} & set(codes)
        assert not clash, (name, clash)
    assert set(SCALE_SYNONYMS) <= set(BUILTIN_SCALES)


def test_docs_list_every_builtin_scale() -> None:
    from egovstudy.codebook import builtin_scales_markdown

    doc = (Path(__file__).resolve().parents[1] / "docs" / "codebook.md").read_text("utf-8")
    assert builtin_scales_markdown() in doc, ("docs/codebook.md is out of date: paste "
                                              "egovstudy.codebook.builtin_scales_markdown()")


def test_variable_missing_labels_and_codes(tmp_path: Path) -> None:
    pd.DataFrame({"id": ["a", "b", "c", "d"], "Q1": ["Setuju", "Netral", "Setuju", "Setuju"],
                  "Mbps": ["12,5", "Tidak tahu", "30", "99"],
                  "Sex": ["Perempuan", "Menolak menjawab", "laki-laki", "Perempuan"]}).to_csv(
        tmp_path / "v.csv", index=False, sep=";")
    spec = {"columns": {"id": "id"}, "constructs": [{"name": "c"}],
            "items": [{"name": "q1", "column": "Q1", "construct": "c"}],
            "variables": [{"name": "mbps", "column": "Mbps", "type": "numeric",
                           "missing": ["Tidak tahu", 99]},
                          {"name": "sex", "column": "Sex", "type": "categorical",
                           "categories": {"Laki-laki": "male", "Perempuan": "female"},
                           "missing": ["Menolak menjawab"]}]}
    with warnings.catch_warnings():
        warnings.simplefilter("error", DataQualityWarning)  # "Tidak tahu" is not "not a number"
        survey = load_survey(tmp_path / "v.csv", _write_cb(tmp_path, spec))
    assert survey.data["mbps"].tolist()[::2] == [12.5, 30.0]
    assert survey.data["mbps"].isna().tolist() == [False, True, False, True]
    assert survey.data["sex"].astype(object).tolist() == ["female", np.nan, "male", "female"]
    notes = survey.info["notes"]
    assert "sex: 1 answer 'Menolak menjawab' set missing" in " ".join(notes)
    assert "mbps: 1 answer 'Tidak tahu' set missing" in " ".join(notes)


def test_excel_codebook_missing_labels_and_scale_rows(tmp_path: Path) -> None:
    from egovstudy.codebook import read_codebook

    path = tmp_path / "cb.xlsx"
    scale_rows = [{"name": "agree7x", "value": v, "label_en": lab, "missing": v > 7}
                  for v, lab in enumerate([*EN7, "Don't know", "Refused"], start=1)]
    with pd.ExcelWriter(path) as xl:
        pd.DataFrame({"key": ["id"], "value": ["rid"]}).to_excel(xl, sheet_name="columns",
                                                                 index=False)
        pd.DataFrame(scale_rows).to_excel(xl, sheet_name="scales", index=False)
        pd.DataFrame({"name": ["sq1", "sq2"], "column": ["sq1", "sq2"],
                      "construct": ["sq", "sq"], "scale": ["agree7x", "agree5"],
                      "missing": [None, "Tidak tahu, 9"]}).to_excel(xl, sheet_name="items",
                                                                    index=False)
        pd.DataFrame({"name": ["sq"]}).to_excel(xl, sheet_name="constructs", index=False)
    cb = read_codebook(path)
    assert cb.scales["agree7x"].values == list(range(1, 8))
    assert cb.scales["agree7x"].missing_labels == ("Don't know", "Refused")
    assert cb.items["sq2"].missing == (9.0,) and "Tidak tahu" in cb.items["sq2"].missing_labels


def test_spss_unit_column_user_missing_and_unlabelled_codes(tmp_path: Path) -> None:
    df = _code_frame()
    df["office"] = [7.0, 4.0, 99.0, 5.0, 4.0, 7.0]   # 99: user-missing; 5: no label
    path = tmp_path / "u.sav"
    pyreadstat.write_sav(df, str(path), variable_value_labels={
        **_value_labels(), "office": {7.0: "Kantor A", 4.0: "Kantor C", 99.0: "Tidak menjawab"}},
        missing_ranges={"office": [99]})
    survey = load_survey(path, _write_cb(tmp_path, _codebook(scale="agree7", scales={})))
    assert survey.data["agency"].tolist() == ["Kantor A", "Kantor C", pd.NA, "5", "Kantor C",
                                              "Kantor A"]


@pytest.mark.parametrize(("scale", "answers", "codes"), [
    ("agree7", ["Ragu-ragu", "kurang  setuju", "Sedikit Setuju", "Tidak tahu",
                "MENOLAK menjawab", "Netral"], [4, 3, 5, None, None, 4]),
    ("agree5", ["Cukup Setuju", "Kurang Setuju", "Undecided", "tidak_tahu", "SS", "N/A"],
     [3, 2, 3, None, 5, None]),
    ("satisfaction5", ["Neither satisfied nor dissatisfied", "Kurang Puas", "Puas",
                       "Prefer not to say", "Very unsatisfied", "Extremely satisfied"],
     [3, 2, 4, None, 1, 5]),
    ("freq5", ["Kadang kadang", "Terkadang", "Seldom", "Tidak berlaku", "Selalu", "Often"],
     [3, 3, 2, None, 5, 4]),
    ("quality5", ["Kurang Baik", "Sedang", "Average", "Don't know", "Sangat Baik", "Bad"],
     [2, 3, 3, None, 5, 2]),
])
def test_builtin_wording_variants(tmp_path: Path, scale: str, answers: list[str],
                                  codes: list[int | None]) -> None:
    # each wording read as the point the scale table in docs/codebook.md lists
    pd.DataFrame({"id": list("abcdef"), "Q": answers}).to_csv(tmp_path / "w.csv", index=False)
    spec = {"columns": {"id": "id"}, "constructs": [{"name": "c"}],
            "items": [{"name": "q", "column": "Q", "construct": "c", "scale": scale}]}
    data = load_survey(tmp_path / "w.csv", _write_cb(tmp_path, spec)).data
    assert data["q"].tolist() == [pd.NA if c is None else c for c in codes]
