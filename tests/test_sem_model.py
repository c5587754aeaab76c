"""The study file's structural model (egovstudy.sem_model) and the CLI verbs sem,
invariance and pls-mga (egovstudy.cli_structural).

Reference: R lavaan 0.6.14 on the generated 7-point survey (tests/_generic_survey.py,
seed 7), items as loaded by egovstudy:

    model <- 'system_quality =~ sys1 + sys2 + sys3 + sys4
              satisfaction =~ sat1 + sat2 + sat3
              use =~ use1 + use2 + use3
              benefits =~ ben1 + ben2 + ben3 + ben4
              satisfaction ~ a1*system_quality + use
              benefits ~ a2*satisfaction + system_quality
              H4 := a1*a2'
    f <- lavaan::sem(model, data = d); fitMeasures(f); parameterEstimates(f, standardized = TRUE)
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import pytest

from egovstudy.errors import ModelSpecError
from egovstudy.sem_model import check_group_column, measurement_syntax, study_sem_model

# lhs, rhs, est, se, std.all (lavaan 0.6.14, see the module docstring)
LAVAAN_PATHS = [("satisfaction", "system_quality", 0.46905679, 0.07529152, 0.47724485),
                ("satisfaction", "use", 0.32993708, 0.10095330, 0.25394481),
                ("benefits", "satisfaction", 0.63652311, 0.09672378, 0.60379556),
                ("benefits", "system_quality", -0.04141230, 0.08393196, -0.03996878)]
LAVAAN_H4 = (0.29856549, 0.06406797, 0.28815832)
LAVAAN_FIT = {"chisq": 67.94783992, "df": 72.0, "cfi": 1.0, "rmsea": 0.0, "srmr": 0.03316507}


@pytest.fixture(scope="module")
def generic(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Any, Any]:
    from egovstudy.study import load_study_survey, read_study
    from tests._generic_survey import make_generic_study

    path = make_generic_study(tmp_path_factory.mktemp("generic"), points=7)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        spec, survey = load_study_survey(read_study(path))
    return path, spec, survey


def test_study_sem_matches_lavaan(generic: tuple[Path, Any, Any]) -> None:
    from egovstudy.cli_structural import _items
    from egovstudy.measurement.sem import sem

    _, spec, survey = generic
    model = study_sem_model(spec.hypotheses, survey.codebook)
    assert model.indirect == {"H4": ["system_quality", "satisfaction", "benefits"]}
    res = sem(model.syntax, survey.data[_items(model.syntax, survey.data)],
              indirect=model.indirect)
    for key, value in LAVAAN_FIT.items():
        assert res.fit[key] == pytest.approx(value, abs=1e-4), key
    paths = res.paths.set_index(["lhs", "rhs"])
    for lhs, rhs, est, se, std in LAVAAN_PATHS:
        row = paths.loc[(lhs, rhs)]
        assert row["estimate"] == pytest.approx(est, abs=1e-4)
        assert row["std_error"] == pytest.approx(se, abs=1e-4)
        assert row["std_estimate"] == pytest.approx(std, abs=1e-4)
    h4 = res.defined.set_index("lhs").loc["H4"]
    assert (h4["estimate"], h4["std_error"], h4["std_estimate"]) == pytest.approx(
        LAVAAN_H4, abs=1e-4)


def test_cli_sem_prints_the_lavaan_numbers(generic: tuple[Path, Any, Any],
                                           capsys: pytest.CaptureFixture[str]) -> None:
    from egovstudy.cli import main

    path = generic[0]
    assert main(["sem", str(path), "--n-boot", "0"]) == 0
    out = capsys.readouterr().out
    printed = {tuple(line.split()[:3:2]): [float(v) for v in line.split()[3:5]]
               for line in out.splitlines() if " ~ " in line and "=~" not in line
               and len(line.split()) > 5}
    for lhs, rhs, est, se, _ in LAVAAN_PATHS:
        assert printed[(lhs, rhs)] == pytest.approx([est, se], abs=1e-4)
    h4 = next(line for line in out.splitlines() if line.split()[:2] == ["H4", ":="])
    assert float(h4.split()[3]) == pytest.approx(LAVAAN_H4[0], abs=1e-4)


def test_cli_group_column_is_named_with_did_you_mean(generic: tuple[Path, Any, Any],
                                                     capsys: pytest.CaptureFixture[str]
                                                     ) -> None:
    from egovstudy.cli import main

    path, _, survey = generic
    with pytest.raises(ModelSpecError, match=r"--by 'offce'.*did you mean 'office'"):
        check_group_column(survey.data, "offce")
    for verb in ("invariance", "pls-mga"):
        assert main([verb, str(path), "--by", "offce"]) == 2
        assert "did you mean 'office'" in capsys.readouterr().err


def test_unknown_construct_is_named() -> None:
    from types import SimpleNamespace as NS

    cb = NS(constructs={"benefits": NS(items=["b1", "b2", "b3"], dimensions=[])})
    with pytest.raises(ModelSpecError, match=r"'benefit'.*did you mean 'benefits'"):
        measurement_syntax(["benefit"], cb)
    with pytest.raises(ModelSpecError, match="no hypotheses"):
        study_sem_model([], cb)


# lavaan 0.6.14: cfa(measurement, data = d, group = "sector", group.equal = eq) for eq =
# "", "loadings", c("loadings", "intercepts"); fitMeasures chisq and df
LAVAAN_INVARIANCE = [(127.950289, 142), (134.564991, 152), (143.398957, 162)]


def _study_with_sem(folder: Path, by: str = "sector") -> Path:
    import pandas as pd
    import yaml

    from tests._generic_survey import make_generic_study

    path = make_generic_study(folder, points=7)
    d = pd.read_csv(folder / "data.csv")
    d["Sector"] = ["urban" if int(o[-2:]) % 2 else "rural"
                   for o in d["Which office do you work in?"]]
    d.to_csv(folder / "data.csv", index=False)
    cb = yaml.safe_load((folder / "codebook.yaml").read_text(encoding="utf-8"))
    cb["variables"].append({"name": "sector", "column": "Sector", "type": "categorical",
                            "label": {"en": "Sector", "id": "Sektor"}})
    (folder / "codebook.yaml").write_text(yaml.safe_dump(cb, sort_keys=False), encoding="utf-8")
    study = yaml.safe_load(path.read_text(encoding="utf-8"))
    study["sem"] = {"enabled": True, "n_boot": 100}
    study["invariance"] = {"by": by, "levels": ["configural", "metric", "scalar"]}
    path.write_text(yaml.safe_dump(study, sort_keys=False), encoding="utf-8")
    return path


def test_chapter_sem_and_invariance_sections_match_lavaan(tmp_path: Path) -> None:
    from egovstudy.report.chapter import _build, _resolve

    path = _study_with_sem(tmp_path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        inp = _resolve(path, model=None, hypotheses=None, n_boot=100, seed=1, pls=False)
        cache: dict[str, Any] = {}
        for language, decimal in (("en", "."), ("id", ",")):
            doc = _build(inp, language, decimal, 4, cache)
            titles = {t.title: t.display for t in doc.tables}
            fit = titles[doc.t("cap_sem_fit")].iloc[0]
            assert fit["χ²"] == doc.num(LAVAAN_FIT["chisq"], 3)
            paths = titles[doc.t("cap_sem_paths")]
            for i, (_, _, est, se, _) in enumerate(LAVAAN_PATHS):
                assert paths.iloc[i]["b"] == doc.num(est, 3)
                assert paths.iloc[i]["SE"] == doc.num(se, 3)
            assert paths.iloc[4]["b"] == doc.num(LAVAAN_H4[0], 3)
            sentence = next(b for k, b in doc.blocks if k == "para" and "(72)" in b)
            assert f"= {doc.num(LAVAAN_FIT['chisq'], 2)}" in sentence
            inv = titles[doc.t("cap_invariance", group="Sektor" if language == "id"
                               else "Sector")]
            for i, (chisq, df) in enumerate(LAVAAN_INVARIANCE):
                assert inv.iloc[i]["χ²"] == doc.num(chisq, 3)
                assert inv.iloc[i]["df"] == str(df)
            assert any(k == "para" and {"en": "holds up to the scalar level",
                                        "id": "hingga tingkat skalar"}[language] in b
                       for k, b in doc.blocks)
            assert not doc.skipped


def test_study_file_invariance_column_is_checked(tmp_path: Path) -> None:
    from egovstudy.report.chapter import _resolve
    from egovstudy.study import StudyFileError

    path = _study_with_sem(tmp_path, by="sectr")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(StudyFileError, match=r"invariance\.by: 'sectr'.*did you mean"):
            _resolve(path, model=None, hypotheses=None, n_boot=100, seed=1, pls=False)


def test_cli_invariance_prints_the_lavaan_chisq(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    from egovstudy.cli import main

    path = _study_with_sem(tmp_path)
    assert main(["invariance", str(path), "--by", "sector", "--levels", "configural",
                 "metric", "scalar"]) == 0
    out = capsys.readouterr().out
    for chisq, df in LAVAAN_INVARIANCE:
        assert f"{chisq:.4f}" in out and f"{df}.0" in out
    assert "holds up to the scalar level" in out


def test_cli_pls_mga_prints_the_chapter_numbers(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    # the verb and the chapter's PLS-MGA section use the same model, B, permutations and seed
    import yaml

    from egovstudy.cli import main
    from egovstudy.report.chapter import _build, _resolve

    path = _study_with_sem(tmp_path)
    study = yaml.safe_load(path.read_text(encoding="utf-8"))
    study.pop("sem"), study.pop("invariance")
    study["pls"] = {"mga": "sector", "permutations": 100}
    study["bootstrap"]["n_boot"] = 100
    path.write_text(yaml.safe_dump(study, sort_keys=False), encoding="utf-8")
    assert main(["pls-mga", str(path), "--by", "sector"]) == 0
    out = capsys.readouterr().out
    # group_1 group_2 "from -> to" from to estimate_1 estimate_2 se_1 se_2 difference ...
    rows = [line.split() for line in out.splitlines() if " -> " in line]
    printed = [float(r[r.index("->") + 8]) for r in rows]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        inp = _resolve(path, model=None, hypotheses=None, n_boot=None, seed=None, pls=True)
        doc = _build(inp, "en", ".", 4, {})
    table = next(t for t in doc.tables if t.title.startswith(doc.t("cap_pls_mga",
                                                                   group="Sector")[:12]))
    chapter = table.display[doc.t("mga_difference")].tolist()
    assert len(printed) == len(chapter) == 5
    assert [doc.num(v, 3) for v in printed] == [str(c).rstrip("*") for c in chapter]
