"""The study file and `egovstudy run`: a user's copy of the default study, one setting changed."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from egovstudy.cli import main
from egovstudy.datasets import default_study_dir
from egovstudy.errors import OutputError
from egovstudy.study import StudyFileError, read_study, run_study


@pytest.fixture()
def study_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "my_study"
    shutil.copytree(default_study_dir(), folder)
    path = folder / "study.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("language: en ", "language: id "),
                    encoding="utf-8")
    return path


def test_read_study_resolves_paths_relative_to_the_file(study_copy: Path) -> None:
    spec = read_study(study_copy)
    assert spec.language == "id"
    assert spec.data == (study_copy.parent / "survei_asn_opd.csv").resolve()
    assert [h.id for h in spec.hypotheses][:2] == ["H1", "H2"]
    assert spec.hypotheses[6].via == "digitalisation"


@pytest.mark.parametrize(("old", "new", "entry"), [
    ("direction: positive}", "direction: upward}", "direction"),
    ("n_boot: 5000", "n_boot: 10", "bootstrap.n_boot"),
    ("straight_lining: drop", "straight_lining: delete", "quality.straight_lining"),
    ("tables: [csv, xlsx, docx, tex, md, html]", "tables: [csv, pptx]", "outputs.tables"),
    ("{id: H2,", "{id: H1,", "duplicate hypothesis"),
])
def test_bad_study_entries_are_named(study_copy: Path, old: str, new: str, entry: str) -> None:
    text = study_copy.read_text(encoding="utf-8")
    assert old in text
    study_copy.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(StudyFileError, match=entry.replace(".", r"\.")):
        read_study(study_copy)


def test_pls_settings_of_the_study_file(study_copy: Path) -> None:
    text = study_copy.read_text(encoding="utf-8")
    study_copy.write_text(text + "\npls: {consistent: true, scheme: factorial}\n",
                          encoding="utf-8")
    assert read_study(study_copy).pls == {"consistent": True, "scheme": "factorial"}
    for bad, entry in (("{scheme: mode_a}", "pls.scheme"), ("{consistent: yes please}",
                                                             "pls.consistent"),
                       ("{weights: path}", "pls.weights"), ("[path]", "pls")):
        study_copy.write_text(text + f"\npls: {bad}\n", encoding="utf-8")
        with pytest.raises(StudyFileError, match=entry.replace(".", r"\.")):
            read_study(study_copy)
    # the chapter's PLS-SEM section receives them
    from egovstudy.report.chapter import _resolve

    study_copy.write_text(text + "\npls: {consistent: true}\n", encoding="utf-8")
    inp = _resolve(study_copy, model=None, hypotheses=None, n_boot=None, seed=None, pls=None)
    assert inp.pls_options == {"consistent": True}


def test_output_inside_data_raw_is_refused(study_copy: Path) -> None:
    with pytest.raises(OutputError, match="data/raw"):
        run_study(study_copy, default_study_dir() / "out")


@pytest.mark.slow
def test_run_writes_the_whole_report_in_indonesian_and_reruns_identically(
        study_copy: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    code = main(["run", str(study_copy), "--output", str(out), "--n-boot", "200"])
    assert code == 0
    for name in ("chapter.docx", "chapter.md", "chapter.html", "manifest.json"):
        assert (out / name).is_file(), name
    chapter = (out / "chapter.md").read_text(encoding="utf-8")
    assert "Tabel 4.1" in chapter and "Hasil Penelitian" in chapter
    first = json.loads((out / "manifest.json").read_text())["outputs_sha256"]
    tables = {k: v for k, v in first.items() if k.endswith((".csv", ".tex", ".md", ".docx"))}
    assert len(tables) >= 10
    assert any(k.endswith(".png") for k in first) and any(k.endswith(".pdf") for k in first)
    # a rerun without --overwrite refuses; with it, every table is byte-identical
    assert main(["run", str(study_copy), "--output", str(out), "--n-boot", "200"]) == 2
    assert main(["run", str(study_copy), "--output", str(out), "--n-boot", "200",
                 "--overwrite"]) == 0
    second = json.loads((out / "manifest.json").read_text())["outputs_sha256"]
    assert {k: second[k] for k in tables} == tables
