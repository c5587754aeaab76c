"""Schemas of the input files, name resolution, strict `run`, bounded YAML, generated reference.

Every test edits a copy of data/raw/default_study in tmp_path; an autouse fixture checks
that the raw files' sha256 is unchanged after each test.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import textwrap
import time
import warnings
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from egovstudy._paths import project_root
from egovstudy._yaml import load_yaml
from egovstudy.cli import main
from egovstudy.codebook import read_codebook
from egovstudy.datasets import default_study_dir
from egovstudy.errors import (
    CodebookError,
    DataFormatError,
    EgovStudyError,
    IncompleteResultsError,
    InsufficientDataError,
)
from egovstudy.schema import reference_markdown, schema_problems
from egovstudy.study import StudyFileError, read_study, run_study

RAW = project_root() / "data" / "raw"


def _raw_hashes() -> dict[str, str]:
    return {str(p.relative_to(RAW)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(RAW.rglob("*")) if p.is_file()}


@pytest.fixture(autouse=True)
def _raw_files_untouched() -> Iterator[None]:
    before = _raw_hashes()
    yield
    assert _raw_hashes() == before, "a test changed a file under data/raw"


@pytest.fixture()
def study(tmp_path: Path) -> Path:
    folder = tmp_path / "study"
    shutil.copytree(default_study_dir(), folder)
    return folder / "study.yaml"


def _edit(path: Path, *pairs: tuple[str, str]) -> Path:
    text = path.read_text(encoding="utf-8")
    for old, new in pairs:
        assert old in text, old
        text = text.replace(old, new, 1)
    path.write_text(text, encoding="utf-8")
    return path


# ------------------------------------------------------------------ typos: the reviewer's list
@pytest.mark.parametrize(("old", "new", "pattern"), [
    ("  cluster: agency", "  clsuter: agency",
     r"model\.clsuter: unknown key \(did you mean 'cluster'\?\)"),
    ("language: en ", "langauge: id ",
     r"top level: unknown key 'langauge' \(did you mean 'language'\?\)"),
    ("  pls_sem: true", "  plssem: false",
     r"estimators\.plssem: unknown key \(did you mean 'pls_sem'\?\)"),
    ("  n_boot: 5000", "  nboot: 200",
     r"bootstrap\.nboot: unknown key \(did you mean 'n_boot'\?\)"),
    ("hypotheses:", "hypothesis:",
     r"top level: unknown key 'hypothesis' \(did you mean 'hypotheses'\?\)"),
])
def test_study_typo_is_named_with_the_right_key(study: Path, old: str, new: str,
                                                pattern: str) -> None:
    _edit(study, (old, new))
    with pytest.raises(StudyFileError, match=rf"study file .*study\.yaml: {pattern}"):
        read_study(study)


def test_codebook_typo_revrese_is_named(study: Path) -> None:
    codebook = _edit(study.parent / "codebook.yaml", ("  reverse: true", "  revrese: true"))
    # hrq4 is the fourth item (index 3) and the first reverse-keyed one
    with pytest.raises(CodebookError, match=r"codebook .*codebook\.yaml: items\[3\]\.revrese: "
                                            r"unknown key \(did you mean 'reverse'\?\)"):
        read_codebook(codebook)


def test_every_problem_of_a_study_file_is_listed_at_once(study: Path) -> None:
    _edit(study, ("  cluster: agency", "  clsuter: agency"), ("language: en ", "langauge: id "),
          ("  pls_sem: true", "  plssem: false"), ("  n_boot: 5000", "  nboot: 200"),
          ("hypotheses:", "hypothesis:"), ("seed: 2026", "seed: -1"))
    with pytest.raises(StudyFileError) as info:
        read_study(study)
    lines = str(info.value).splitlines()
    assert len(lines) == 6
    assert all(line.startswith(f"study file {study}: ") for line in lines)
    for key in ("bootstrap.nboot", "estimators.plssem", "model.clsuter", "'hypothesis'",
                "'langauge'", "seed: -1 is not >= 0"):
        assert sum(key in line for line in lines) == 1, key


def test_wrong_types_name_the_key_path_and_the_expected_type(study: Path) -> None:
    _edit(study, ("  cluster: agency", "  cluster: [agency, region]"),
          ("ci: 0.95", "ci: 95"))
    with pytest.raises(StudyFileError, match=r"model\.cluster: expected text, got \['agency', "
                                             r"'region'\]") as info:
        read_study(study)
    assert "bootstrap.ci: 95 is not < 1. Fix: use e.g. 0.95" in str(info.value)
    codebook = _edit(study.parent / "codebook.yaml", ("  reverse: true", "  reverse: maybe"))
    with pytest.raises(CodebookError, match=r"items\[3\]\.reverse: expected true or false, got "
                                            r"'maybe'"):
        read_codebook(codebook)


def test_excel_codebook_goes_through_the_same_schema(tmp_path: Path) -> None:
    path = tmp_path / "cb.xlsx"
    with pd.ExcelWriter(path) as xw:
        pd.DataFrame({"name": ["q1", "q2"], "column": ["Q1", "Q2"], "construct": ["c", "c"],
                      "revrese": [None, "ya"]}).to_excel(xw, sheet_name="items", index=False)
        pd.DataFrame({"name": ["c"], "items": ["q1, q2"]}).to_excel(
            xw, sheet_name="constructs", index=False)
    with pytest.raises(CodebookError, match=r"cb\.xlsx: items\[1\]\.revrese: unknown key "
                                            r"\(did you mean 'reverse'\?\)"):
        read_codebook(path)


def test_keys_the_codebook_helper_adds_are_allowed() -> None:
    spec = {"scales": {"agree7x": {"values": [1, 2, 3, 4, 5, 6, 7],
                                   "labels": {"en": list("abcdefg")},
                                   "missing": ["Don't know", "Refused", 8, 9]}},
            "items": [{"name": "q1", "construct": "c", "scale": "agree7x",
                       "missing": ["Tidak tahu", 99]}],
            "aliases": {"department": {"Dinas Kominfo": "Diskominfo"}}}
    assert schema_problems(spec, "codebook") == []


# ------------------------------------------------------------------ names resolved by validate
def test_validate_lists_every_unresolved_name_at_once(
        study: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _edit(study, ("  cluster: agency", "  cluster: office"),
          ("{id: H3, from: budget,", "{id: H3, from: budgett,"),
          ("{id: H8, from: budget, to: performance, via: digitalisation",
           "{id: H8, from: budget, to: performance, via: digitalization"))
    assert main(["validate", str(study)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    block = err[err.index("egovstudy validate: error:"):]
    assert "model.cluster: 'office' is not a column of the data" in block
    assert "hypotheses[2] (H3).from: 'budgett' is not a construct or column of the data " \
           "(did you mean 'budget'?)" in block
    assert "hypotheses[7] (H8).via: 'digitalization' is not a construct or column of the " \
           "data (did you mean 'digitalisation'?)" in block
    assert block.count(f"study file {study}:") == 3
    # the same resolution runs at the start of `run`, before any analysis
    assert main(["run", str(study), "--output", str(study.parent.parent / "out")]) == 2
    err = capsys.readouterr().err
    assert "model.cluster: 'office' is not a column of the data" in err
    assert not (study.parent.parent / "out" / "chapter.md").exists()


def test_hypothesis_the_model_cannot_test_fails_validate(
        study: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _edit(study, ("{id: H6, from: digitalisation, to: performance",
                  "{id: H6, from: digitalisation, to: service_quality"))
    assert main(["validate", str(study)]) == 2
    assert ("hypotheses[5] (H6).to: 'service_quality' is not estimated by the model"
            in capsys.readouterr().err)


def test_estimator_switches_that_would_drop_hypotheses_fail_validate(
        study: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _edit(study, ("  ols: true", "  ols: false"), ("  process: true", "  process: false"))
    assert main(["validate", str(study)]) == 2
    err = capsys.readouterr().err
    assert "estimators.ols: false is not supported" in err
    # H7 and H8 are indirect: without PROCESS they would silently vanish from the chapter
    assert "hypotheses[6] (H7): an indirect-effect hypothesis needs the PROCESS" in err
    assert "hypotheses[7] (H8): an indirect-effect hypothesis needs the PROCESS" in err


def test_codebook_from_dict_uses_the_same_schema() -> None:
    from egovstudy.codebook import Codebook

    with pytest.raises(CodebookError, match=r"^codebook: items\[0\]\.revrese: unknown key "
                                            r"\(did you mean 'reverse'\?\)"):
        Codebook.from_dict({"items": [{"name": "q1", "construct": "c", "revrese": True}],
                            "constructs": [{"name": "c"}]})


def test_skipped_section_states_the_reason_not_the_internal_error() -> None:
    from egovstudy.errors import StatisticalWarning
    from egovstudy.report.chapter import _Doc, _section

    def internal() -> None:
        raise KeyError("std_estimate")

    def user() -> None:
        raise InsufficientDataError("only 1 cluster in 'agency'. Fix: drop cluster:")

    doc = _Doc("en", ".", 4)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        _section(doc, "Regression", internal)
        _section(doc, "PLS-SEM", user)
    logged = [str(w.message) for w in caught if issubclass(w.category, StatisticalWarning)]
    assert any("Regression: KeyError: 'std_estimate'" in m for m in logged)  # the log has it
    assert doc.skipped == [
        "Regression: it could not be computed from these inputs (internal error; see the log)",
        "PLS-SEM: only 1 cluster in 'agency'. Fix: drop cluster:"]
    notes = [b[1] for b in doc.blocks if b[0] == "note"]
    assert notes and not any("KeyError" in n or "InsufficientDataError" in n for n in notes)


# ------------------------------------------------------------------ run: no silent section loss
def _quick(study: Path) -> Path:
    """No PROCESS section, md tables, png figures only: a run in seconds."""
    text = study.read_text(encoding="utf-8")
    keep = [line for line in text.splitlines() if "via: digitalisation" not in line]
    study.write_text("\n".join(keep) + "\n", encoding="utf-8")
    return _edit(study, ("  process: true", "  process: false"),
                 ("tables: [csv, xlsx, docx, tex, md, html]", "tables: [md]"),
                 ("figures: [png, svg, pdf]", "figures: [png]"),
                 ("chapter: true", "chapter: false"))


def _broken_pls(*args: object, **kwargs: object) -> None:
    raise InsufficientDataError("PLS-SEM needs at least 2 items per construct; 'budget' has 1")


@pytest.mark.slow
def test_run_with_a_section_that_cannot_be_produced_exits_non_zero(
        study: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr("egovstudy.pls.pls_sem", _broken_pls)
    out = tmp_path / "out"
    assert main(["run", str(_quick(study)), "--output", str(out), "--n-boot", "200"]) == 2
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert err.startswith("egovstudy run: error: results chapter")
    assert "PLS-SEM Structural Model: PLS-SEM needs at least 2 items per construct" in err
    assert "--allow-partial" in err
    assert not (out / "chapter.md").exists()
    # the tables and figures of the sections before it were written while the statistics
    # ran, staged: none of them is left, under its final name or a temporary one
    assert sorted(p.name for p in out.rglob("*")) == []
    with pytest.raises(IncompleteResultsError, match="PLS-SEM"):
        run_study(study, tmp_path / "out2", n_boot=200)


@pytest.mark.slow
def test_allow_partial_writes_a_chapter_that_states_the_missing_section(
        study: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("egovstudy.pls.pls_sem", _broken_pls)
    out = tmp_path / "out"
    assert main(["run", str(_quick(study)), "--output", str(out), "--n-boot", "200",
                 "--allow-partial"]) == 0
    chapter = (out / "chapter.md").read_text(encoding="utf-8")
    assert ("Section skipped: PLS-SEM Structural Model: PLS-SEM needs at least 2 items per "
            "construct; 'budget' has 1") in chapter
    assert "InsufficientDataError" not in chapter and "Traceback" not in chapter
    # the cluster unit comes from the study file, shown with its codebook label
    assert re.search(r"uses \d+ respondents from \d+ units of agency", chapter)
    assert "cluster-robust by agency" in chapter


# ------------------------------------------------------------------ bounded YAML
LAUGHS = "\n".join(
    [f"{c}: &{c} [" + ", ".join([f"*{p}"] * 10) + "]"
     for p, c in zip("abcdefghi", "bcdefghij")])
BILLION_LAUGHS = 'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n' \
    + LAUGHS + "\n"


def test_billion_laughs_is_refused_fast_under_a_1_gib_memory_limit(tmp_path: Path) -> None:
    path = tmp_path / "laughs.yaml"
    path.write_text(BILLION_LAUGHS, encoding="utf-8")
    assert path.stat().st_size < 2500  # 9 levels x 10 aliases: 10**10 values once expanded
    script = textwrap.dedent(f"""
        import resource, sys, time
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))
        from egovstudy.codebook import read_codebook
        from egovstudy.errors import CodebookError
        start = time.perf_counter()
        try:
            read_codebook({str(path)!r})
        except CodebookError as exc:
            print(round(time.perf_counter() - start, 3), exc)
            sys.exit(0)
        sys.exit(3)
    """)
    env = {**os.environ, "PYTHONPATH": str(project_root())}
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=60, env=env)
    assert done.returncode == 0, done.stderr
    seconds, message = done.stdout.split(" ", 1)
    assert float(seconds) < 1.0 and time.perf_counter() - start < 30
    assert "laughs.yaml: expands to more than 1000000 values" in message
    assert "EGOVSTUDY_MAX_YAML_NODES" in message


def test_more_than_100_aliases_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "study.yaml"
    path.write_text("x: &x 1\ny: [" + ", ".join(["*x"] * 101) + "]\n", encoding="utf-8")
    with pytest.raises(DataFormatError, match=r"study file .*study\.yaml: more than 100 YAML "
                                              r"aliases.*EGOVSTUDY_MAX_YAML_ALIASES"):
        read_study(path)


def test_yaml_limits_are_documented_and_overridable(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "cb.yaml"
    path.write_text("a: &x [1, 2]\nb: *x\nc: *x\n" + "#" * 200 + "\n", encoding="utf-8")
    assert load_yaml(path) == {"a": [1, 2], "b": [1, 2], "c": [1, 2]}
    with pytest.raises(DataFormatError, match=r"cb\.yaml: larger than the limit of 100 bytes.*"
                                              r"EGOVSTUDY_MAX_YAML_BYTES"):
        load_yaml(path, max_bytes=100)
    monkeypatch.setenv("EGOVSTUDY_MAX_YAML_ALIASES", "1")
    with pytest.raises(CodebookError, match=r"codebook .*cb\.yaml: more than 1 YAML aliases"):
        load_yaml(path, what="codebook", error=CodebookError)
    monkeypatch.setenv("EGOVSTUDY_MAX_YAML_ALIASES", "many")
    with pytest.raises(EgovStudyError, match=r"EGOVSTUDY_MAX_YAML_ALIASES='many' is not a "
                                             r"non-negative integer"):
        load_yaml(path)
    monkeypatch.delenv("EGOVSTUDY_MAX_YAML_ALIASES")
    deep = tmp_path / "deep.yaml"
    deep.write_text("[" * 100 + "]" * 100 + "\n", encoding="utf-8")
    with pytest.raises(DataFormatError, match=r"deep\.yaml: nested deeper than 64 levels"):
        load_yaml(deep)


# ------------------------------------------------------------------ the generated reference
def test_reference_page_is_generated_from_the_schemas() -> None:
    page = project_root() / "docs" / "reference.md"
    assert page.read_text(encoding="utf-8") == reference_markdown(), (
        "docs/reference.md is out of date: run python -m egovstudy.schema docs")
    for key in ("`model.cluster`", "`hypotheses[].direction`", "`bootstrap.n_boot`",
                "`items[].reverse`", "`scales.<name>.missing`", "`estimators.pls_sem`"):
        assert f"| {key} |" in page.read_text(encoding="utf-8"), key
