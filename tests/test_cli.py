"""The command line: every verb has --help, works on the default study, fails cleanly."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from egovstudy.cli import main
from egovstudy.datasets import default_study_dir

STUDY = default_study_dir() / "study.yaml"
VERBS = ["run", "validate", "describe", "reliability", "regress", "mediate", "export"]


@pytest.mark.parametrize("verb", VERBS)
def test_every_verb_has_help(verb: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main([verb, "--help"])
    assert exc.value.code == 0
    assert "study" in capsys.readouterr().out


def test_console_script_runs_as_module() -> None:
    out = subprocess.run([sys.executable, "-m", "egovstudy", "--version"], capture_output=True,
                         text=True, check=False)
    assert out.returncode == 0 and out.stdout.startswith("egovstudy ")


def test_validate_reports_the_planted_problems(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(STUDY)]) == 0
    out = capsys.readouterr().out
    assert "590 rows parsed" in out
    for rule in ("duplicate_id", "straight_lining", "speeders", "attention"):
        line = next(x for x in out.splitlines() if x.strip().startswith(rule))
        assert "flagged     1" in line, line


def test_regress_prints_the_model_and_assumption_tests(capsys: pytest.CaptureFixture[str]
                                                       ) -> None:
    assert main(["regress", str(STUDY), "--formula",
                 "performance ~ digitalisation + hr_quality", "--language", "id"]) == 0
    out = capsys.readouterr().out
    assert "digitalisation" in out and "Durbin-Watson" in out
    assert "cluster-robust by agency" in out


def test_missing_study_file_exits_with_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "no/such/study.yaml"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "not found" in err[0]


def test_bad_study_setting_names_the_entry(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "study"
    shutil.copytree(default_study_dir(), folder)
    text = (folder / "study.yaml").read_text(encoding="utf-8")
    (folder / "study.yaml").write_text(text.replace("language: en", "language: fr"),
                                       encoding="utf-8")
    assert main(["validate", str(folder / "study.yaml")]) == 2
    err = capsys.readouterr().err
    assert "language" in err and "'fr'" in err


def test_no_input_is_an_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["describe"]) == 2
    assert "study file" in capsys.readouterr().err


def test_no_traceback_for_os_errors_or_internal_errors(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    from egovstudy import cli

    def unreadable(args: object) -> int:
        raise PermissionError(13, "Permission denied", str(tmp_path / "secret.csv"))

    def bug(args: object) -> int:
        raise ZeroDivisionError("division by zero")

    monkeypatch.setitem(cli._COMMANDS, "validate", unreadable)
    assert cli.main(["validate", "x.yaml"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "cannot access" in err and "secret.csv" in err
    monkeypatch.setitem(cli._COMMANDS, "validate", bug)
    monkeypatch.delenv("EGOVSTUDY_DEBUG", raising=False)
    assert cli.main(["validate", "x.yaml"]) == 3
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "internal error (ZeroDivisionError" in err
    assert "Traceback" not in err and "EGOVSTUDY_DEBUG=1" in err
    monkeypatch.setenv("EGOVSTUDY_DEBUG", "1")
    with pytest.raises(ZeroDivisionError):
        cli.main(["validate", "x.yaml"])
