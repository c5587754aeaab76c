"""Writes that cannot hurt: output folders, atomic files, locks, owned outputs, escaping.

Issue #15 points 4 and 5. Every bad input raises OutputError naming the path and the
fix; every write goes to a temporary file and is moved over its final name; a run
records what it owns and ``overwrite`` removes exactly the stale files it listed.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd
import pytest

from egovstudy._output import (
    LOCK_NAME,
    TMP_PREFIX,
    OutputRun,
    atomic_path,
    atomic_write_text,
    check_name,
    check_output_dir,
)
from egovstudy._paths import project_root
from egovstudy.cli import main
from egovstudy.datasets import default_study_dir
from egovstudy.errors import EgovStudyError, EgovStudyWarning, OutputError
from egovstudy.report.tables import frame_table
from egovstudy.report.writers import write_table
from egovstudy.study import run_study


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _tree(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): _sha(p) for p in sorted(folder.rglob("*"))
            if p.is_file()}


@pytest.fixture()
def study(tmp_path: Path) -> Path:
    """A copy of the default study, trimmed to a quick run (OLS only, PNG, 200 resamples)."""
    folder = tmp_path / "my_study"
    shutil.copytree(default_study_dir(), folder)
    path = folder / "study.yaml"
    text = path.read_text(encoding="utf-8")
    for old, new in (("process: true", "process: false"), ("pls_sem: true", "pls_sem: false"),
                     ("n_boot: 5000", "n_boot: 200"), ("figures: [png, svg, pdf]",
                                                       "figures: [png]")):
        assert old in text, old
        text = text.replace(old, new)
    # without PROCESS the mediated hypotheses cannot be tested (validate refuses them)
    text = "\n".join(ln for ln in text.splitlines() if "via:" not in ln) + "\n"
    path.write_text(text, encoding="utf-8")
    return path


def _set_name(study: Path, name: str) -> None:
    text = study.read_text(encoding="utf-8")
    study.write_text(text.replace("name: default_study", f"name: {json.dumps(name)}", 1),
                     encoding="utf-8")


# ---------------------------------------------------------------------------- folders and names
@pytest.mark.parametrize("name", ["../../x", "/tmp/abs", "a/b", "..", ".hidden", "x;rm -rf"])
def test_study_name_that_is_a_path_is_refused(study: Path, tmp_path: Path, name: str,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    _set_name(study, name)
    with pytest.raises(EgovStudyError, match=r"name.*Fix"):
        run_study(study)
    assert not (tmp_path / "reports").exists() and not Path("/tmp/abs").exists()
    assert not (tmp_path.parent / "x").exists()


def test_check_name_suggests_a_clean_name() -> None:
    assert check_name("Studi_2026-v1.0") == "Studi_2026-v1.0"
    with pytest.raises(OutputError, match=r"'\.\./\.\./x'.*Fix: use e\.g\. 'x'"):
        check_name("../../x")


def test_output_inside_data_raw_or_the_input_folder_is_refused(study: Path) -> None:
    raw = project_root() / "data" / "raw"
    with pytest.raises(OutputError, match=r"data/raw: raw data is never written"):
        check_output_dir(raw / "default_study" / "out")
    with pytest.raises(OutputError, match=r"data/raw"):
        check_output_dir(study.parent.parent / "data" / "raw" / "x")
    with pytest.raises(OutputError, match=r"folder holding the input file survei_asn_opd\.csv"):
        check_output_dir(study.parent / "reports", inputs=[study.parent / "survei_asn_opd.csv"])
    with pytest.raises(OutputError, match=r"is a file"):
        check_output_dir(study, inputs=[])


def test_validate_and_describe_output_into_raw_are_refused(
        study: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = _tree(study.parent)
    target = project_root() / "data" / "raw" / "default_study" / "qc"
    assert main(["validate", str(study), "--output", str(target)]) == 2
    assert "data/raw" in capsys.readouterr().err and not target.exists()
    inside = study.parent / "describe_out"
    assert main(["describe", str(study), "--output", str(inside)]) == 2
    err = capsys.readouterr().err
    assert "folder holding the input file" in err and not inside.exists()
    assert _tree(study.parent) == before  # raw files' sha256 unchanged


def test_validate_output_elsewhere_is_written_once(study: Path, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "qc"
    assert main(["validate", str(study), "--output", str(out)]) == 0
    frame = pd.read_csv(out / "quality.csv")
    assert len(frame) > 0 and not list(out.glob(TMP_PREFIX + "*"))
    capsys.readouterr()
    assert main(["validate", str(study), "--output", str(out)]) == 2
    assert "quality.csv already exists" in capsys.readouterr().err
    with pytest.raises(OutputError, match=r"quality\.csv already exists.*--overwrite"), \
            atomic_path(out / "quality.csv", overwrite=False):
        pass


# ---------------------------------------------------------------------------- symbolic links
def _table() -> object:
    return frame_table(pd.DataFrame({"construct": ["A"], "alpha": [0.81]}), title="T")


@pytest.mark.parametrize("suffix", [".csv", ".md", ".xlsx", ".docx"])
def test_symlink_at_an_output_path_is_not_followed(tmp_path: Path, suffix: str) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("precious", encoding="utf-8")
    link = tmp_path / "out" / f"t{suffix}"
    link.parent.mkdir()
    link.symlink_to(victim)
    for overwrite in (False, True):
        with pytest.raises(OutputError, match=rf"t\{suffix} is a symbolic link.*Fix"):
            write_table(_table(), link, overwrite=overwrite)  # type: ignore[arg-type]
    assert victim.read_text(encoding="utf-8") == "precious" and link.is_symlink()


def test_symlink_at_a_figure_path_is_not_followed(tmp_path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from egovstudy.report.save import save_figure

    victim = tmp_path / "victim.png"
    victim.write_bytes(b"precious")
    (tmp_path / "fig.png").symlink_to(victim)
    fig, _ = plt.subplots()
    with pytest.raises(OutputError, match=r"fig\.png is a symbolic link"):
        save_figure(fig, tmp_path / "fig", formats="png", overwrite=True)
    plt.close(fig)
    assert victim.read_bytes() == b"precious"


def test_symlinked_subfolder_inside_the_output_folder_is_refused(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    root = tmp_path / "out"
    root.mkdir()
    (root / "chapter_files").symlink_to(elsewhere, target_is_directory=True)
    with OutputRun(root) as run, pytest.raises(OutputError,
                                               match=r"chapter_files inside the output folder "
                                                     r"is a symbolic link"):
        atomic_write_text(run.root / "chapter_files" / "t.md", "x")
    assert list(elsewhere.iterdir()) == []
    with OutputRun(root) as run, pytest.raises(OutputError, match=r"outside the output folder"):
        atomic_write_text(tmp_path / "escape.md", "x")
    assert not (tmp_path / "escape.md").exists()


# ---------------------------------------------------------------------------- owned outputs
def test_overwrite_removes_exactly_the_stale_files_of_the_previous_manifest(
        tmp_path: Path) -> None:
    root = tmp_path / "out"
    with OutputRun(root) as run:
        atomic_write_text(root / "a.md", "a1")
        atomic_write_text(root / "sub" / "b.md", "b1")
        run.write_manifest({"run": 1})
    (root / "user_notes.txt").write_text("mine", encoding="utf-8")
    outside = tmp_path / "outside.txt"
    outside.write_text("not yours", encoding="utf-8")
    # a hand-edited manifest cannot make a run delete outside its folder
    manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    manifest["outputs_sha256"]["../outside.txt"] = "x"
    (root / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    with OutputRun(root) as run, pytest.raises(OutputError, match=r"a\.md already exists"):
        atomic_write_text(root / "a.md", "a2", overwrite=False)
    with OutputRun(root, overwrite=True) as run:
        atomic_write_text(root / "a.md", "a2")
        run.write_manifest({"run": 2})
    assert run.removed == [root / "sub" / "b.md"]
    assert not (root / "sub" / "b.md").exists()
    assert (root / "a.md").read_text() == "a2"
    assert (root / "user_notes.txt").read_text() == "mine"  # never listed: never touched
    assert outside.read_text() == "not yours"
    listed = json.loads((root / "manifest.json").read_text())["outputs_sha256"]
    assert listed == {"a.md": hashlib.sha256(b"a2").hexdigest()}
    assert not (root / LOCK_NAME).exists()


# ---------------------------------------------------------------------------- lock
def test_a_held_lock_stops_a_second_run(study: Path, tmp_path: Path) -> None:
    import socket

    root = tmp_path / "out"
    root.mkdir()
    lock = root / LOCK_NAME
    lock.write_text(json.dumps({"pid": os.getpid(), "host": socket.gethostname(),
                                "time": "2026-12-04T00:00:00+00:00"}), encoding="utf-8")
    with pytest.raises(OutputError, match=rf"in use by another egovstudy run \(lock file "
                                          rf".*{LOCK_NAME}: pid {os.getpid()}.*Fix: wait"):
        run_study(study, root)
    assert lock.exists() and sorted(p.name for p in root.iterdir()) == [LOCK_NAME]
    with OutputRun(tmp_path / "other") as first, \
            pytest.raises(OutputError, match="already active"):
        OutputRun(first.root).__enter__()


def test_a_stale_lock_of_a_dead_process_is_taken_over(tmp_path: Path) -> None:
    import socket

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    root = tmp_path / "out"
    root.mkdir()
    (root / LOCK_NAME).write_text(json.dumps({"pid": int(dead.stdout), "time": "earlier",
                                              "host": socket.gethostname()}), encoding="utf-8")
    with pytest.warns(EgovStudyWarning, match=rf"stale lock .*{int(dead.stdout)}"), \
            OutputRun(root) as run:
        held = json.loads((root / LOCK_NAME).read_text(encoding="utf-8"))
        assert held["pid"] == os.getpid()
        atomic_write_text(run.root / "x.md", "x")
    assert not (root / LOCK_NAME).exists()


# ---------------------------------------------------------------------------- killed runs
def test_a_writer_failing_halfway_leaves_the_old_file(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    import egovstudy.report.writers as writers

    table = _table()
    out = write_table(table, tmp_path / "t.xlsx")  # type: ignore[arg-type]
    before = _sha(out)

    def half(table: object, p: Path, prov: str) -> None:
        p.write_bytes(b"PK\x03\x04 truncated")
        raise OSError("disk full")

    monkeypatch.setattr(writers, "_write_xlsx", half)
    with pytest.raises(OSError, match="disk full"):
        write_table(table, out, overwrite=True)  # type: ignore[arg-type]
    assert _sha(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.xlsx"]


def test_a_process_killed_mid_write_leaves_no_truncated_file(tmp_path: Path) -> None:
    """SIGKILL while a file is half written: the final name keeps the old complete file."""
    target = tmp_path / "out" / "data.parquet"
    target.parent.mkdir()
    target.write_bytes(b"old complete file")
    script = textwrap.dedent(f"""
        import os, signal
        from pathlib import Path
        from egovstudy._output import atomic_path
        with atomic_path(Path({str(target)!r})) as tmp:
            with open(tmp, "wb") as fh:
                fh.write(b"PAR1")
                fh.flush()
                os.kill(os.getpid(), signal.SIGKILL)
    """)
    env = {**os.environ, "PYTHONPATH": str(project_root())}
    res = subprocess.run([sys.executable, "-c", script], env=env, check=False,
                         capture_output=True)
    assert res.returncode == -signal.SIGKILL
    assert target.read_bytes() == b"old complete file"
    leftovers = [p for p in target.parent.iterdir() if p.name.startswith(TMP_PREFIX)]
    assert len(leftovers) == 1  # the half-written temporary, never under the final name
    with OutputRun(target.parent, overwrite=True):  # the next run clears it
        pass
    assert [p.name for p in target.parent.iterdir()] == ["data.parquet"]


@pytest.mark.slow
def test_study_run_escapes_payloads_owns_its_files_and_survives_a_crash(
        study: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """One study run whose construct label and hypothesis id carry injection payloads."""
    codebook = study.parent / "codebook.yaml"
    cb = codebook.read_text(encoding="utf-8")
    label = "=HYPERLINK(\"http://x\",\"y\")"
    html_label = "<img src=x onerror=alert(1)>"
    for old, new in (("en: HR quality", f"en: {json.dumps(label)}"),
                     ("en: Budget adequacy", f"en: {json.dumps(html_label)}")):
        assert old in cb, old
        cb = cb.replace(old, new, 1)
    codebook.write_text(cb, encoding="utf-8")
    text = study.read_text(encoding="utf-8")
    study.write_text(text.replace("{id: H1,", "{id: '@SUM(A1)',", 1)
                     .replace("tables: [csv, xlsx, docx, tex, md, html]",
                              "tables: [csv, xlsx, md, html, tex]"), encoding="utf-8")
    raw_before = _tree(study.parent)
    out = tmp_path / "out"
    run_study(study, out)
    assert _tree(study.parent) == raw_before  # input files' sha256 unchanged

    csv_cells = []
    for path in out.rglob("*.csv"):
        with open(path, encoding="utf-8", newline="") as fh:
            csv_cells += [c for row in csv.reader(fh) for c in row]
    assert "'" + label in csv_cells and "'@SUM(A1)" in csv_cells  # defused, not dropped
    assert not [c for c in csv_cells if c[:1] in ("=", "+", "@")]
    from openpyxl import load_workbook

    xl_values = []
    for path in out.rglob("*.xlsx"):
        for ws in load_workbook(path).worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", (path.name, cell.coordinate, cell.value)
                    xl_values.append(cell.value)
    assert "'" + label in xl_values
    for path in [*out.rglob("*.md"), *out.rglob("*.html")]:
        body = path.read_text(encoding="utf-8").lower()
        assert "<img src=x" not in body and "<script" not in body, path.name
    assert "&lt;img src=x onerror=alert(1)&gt;" in (out / "chapter.html").read_text("utf-8")
    import docx

    doc = docx.Document(str(out / "chapter.docx"))
    words = "\n".join(c.text for t in doc.tables for r in t.rows for c in r.cells)
    assert label in words  # Word shows the text; it is no field or formula

    # (1) the user's file and a crash in a rerun: old manifest and its files stay consistent
    manifest = out / "manifest.json"
    first = manifest.read_bytes()
    listed = json.loads(first)["outputs_sha256"]
    assert any(k.endswith(".csv.json") for k in listed)  # sidecars are owned too
    (out / "my_notes.txt").write_text("keep me", encoding="utf-8")
    from matplotlib.figure import Figure

    calls = {"n": 0}
    original = Figure.savefig

    def crash(self: Figure, fname: object, **kw: object) -> None:
        calls["n"] += 1
        if calls["n"] == 2:  # half a file, on disk or in the buffer the PDF is drawn to
            if hasattr(fname, "write"):
                fname.write(b"%PDF-1.4 truncated")
            else:
                Path(str(fname)).write_bytes(b"\x89PNG truncated")
            raise OSError("killed")
        original(self, fname, **kw)

    monkeypatch.setattr(Figure, "savefig", crash)
    monkeypatch.setattr("egovstudy.report.background._default_jobs", lambda: 1)  # here
    with pytest.raises(OSError, match="killed"):
        run_study(study, out, overwrite=True)
    monkeypatch.setattr(Figure, "savefig", original)
    assert manifest.read_bytes() == first
    assert {k: _sha(out / k) for k in listed} == listed  # every listed file complete
    assert not [p for p in out.rglob("*") if p.name.startswith(TMP_PREFIX)]
    assert not (out / LOCK_NAME).exists()

    # (2) --overwrite with fewer formats removes the stale files, keeps the user's file
    study.write_text(study.read_text(encoding="utf-8").replace(
        "tables: [csv, xlsx, md, html, tex]", "tables: [md]"), encoding="utf-8")
    assert main(["run", str(study), "--output", str(out), "--overwrite"]) == 0
    assert not list(out.rglob("*.csv")) and not list(out.rglob("*.xlsx"))
    assert (out / "my_notes.txt").read_text(encoding="utf-8") == "keep me"
    second = json.loads(manifest.read_text(encoding="utf-8"))["outputs_sha256"]
    assert {k: _sha(out / k) for k in second} == second
    md_tables = {k for k in listed if k.endswith(".md")}
    assert md_tables <= set(second)
    assert {k: second[k] for k in md_tables} == {k: listed[k] for k in md_tables}  # identical


def test_a_path_climbing_out_of_the_run_folder_is_refused(tmp_path: Path) -> None:
    with OutputRun(tmp_path / "out") as run, pytest.raises(OutputError,
                                                          match="outside the output folder"):
        atomic_write_text(run.root / "a" / ".." / ".." / "escape.md", "x")
    assert not (tmp_path / "escape.md").exists()


@pytest.mark.slow
def test_export_lists_its_files_and_refuses_the_input_folder(
        study: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = study.parent / "survei_asn_opd.csv"
    codebook = study.parent / "codebook.yaml"
    before = _tree(study.parent)
    args = ["export", "--data", str(data), "--codebook", str(codebook), "--formats", "csv"]
    assert main([*args, "--output", str(study.parent / "exported")]) == 2
    assert "folder holding the input file" in capsys.readouterr().err
    assert _tree(study.parent) == before
    out = tmp_path / "exported"
    assert main([*args, "--output", str(out)]) == 0
    listed = json.loads((out / "export_manifest.json").read_text())["outputs_sha256"]
    assert listed and {k: _sha(out / k) for k in listed} == listed
    assert any(k.endswith(".csv") for k in listed) and not (out / LOCK_NAME).exists()


@pytest.mark.parametrize(("cell", "expected"), [
    # purely numeric text stays (OWASP "CSV Injection": numeric cells may pass)
    ("-0.52", "-0.52"), ("-.02", "-.02"), ("\u2212.31", "\u2212.31"), ("-1,234.5", "-1,234.5"),
    ("-0.52***", "-0.52***"), ("+3.1e-05", "+3.1e-05"), ("-12%", "-12%"), ("-", "-"),
    # anything else starting with = + - @ tab CR gets the quote
    ("-2+3", "'-2+3"), ("-0.5*cmd|x", "'-0.5*cmd|x"), ("-A1", "'-A1"), (" =1", "' =1"),
    ("=1", "'=1"), ("\t=1", "'\t=1"), ("\r=1", "'\r=1"), ("@SUM(A1)", "'@SUM(A1)"),
    ("plain = text", "plain = text"),
])
def test_neutralise_cell_keeps_numbers_and_defuses_formulas(cell: str, expected: str) -> None:
    from egovstudy._output import neutralise_cell

    assert neutralise_cell(cell) == expected


@pytest.mark.slow
def test_egovstudy_run_killed_with_sigkill_leaves_the_previous_run_consistent(
        study: Path, tmp_path: Path) -> None:
    """``python -m egovstudy run`` SIGKILLed while rewriting: no truncated file, old manifest."""
    import time

    out = tmp_path / "out"
    run_study(study, out)
    manifest = out / "manifest.json"
    first = manifest.read_bytes()
    listed = json.loads(first)["outputs_sha256"]
    start = time.time_ns()
    env = {**os.environ, "PYTHONPATH": str(project_root()), "MPLBACKEND": "Agg"}
    proc = subprocess.Popen([sys.executable, "-m", "egovstudy", "run", str(study), "--output",
                             str(out), "--overwrite"], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and proc.poll() is None:
            rewritten = [k for k in listed if (out / k).stat().st_mtime_ns > start]
            if rewritten:  # some files exist anew: kill it in the middle of the writes
                proc.send_signal(signal.SIGKILL)
                break
            time.sleep(0.02)
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == -signal.SIGKILL, "the run ended before it could be killed"
    assert manifest.read_bytes() == first  # the old manifest, whole
    assert {k: _sha(out / k) for k in listed} == listed  # no listed file truncated
    finals = {str(p.relative_to(out)) for p in out.rglob("*") if p.is_file()
              and not p.name.startswith(TMP_PREFIX)}
    assert finals - set(listed) <= {"manifest.json", LOCK_NAME}
    # the dead run's lock is taken over with a warning; its temporary files are cleared
    with pytest.warns(EgovStudyWarning, match="stale lock"):
        run_study(study, out, overwrite=True)
    assert json.loads(manifest.read_bytes())["outputs_sha256"] == listed
    assert not [p for p in out.rglob("*") if p.name.startswith(TMP_PREFIX)]
    assert not (out / LOCK_NAME).exists()


def test_the_study_files_own_folder_may_hold_the_reports(tmp_path: Path) -> None:
    """README layout: my_study.yaml in the project root, its data under data/raw/<study>/."""
    from egovstudy.study import _check_output, read_study

    raw = tmp_path / "data" / "raw" / "mine"
    shutil.copytree(default_study_dir(), raw)
    text = (raw / "study.yaml").read_text(encoding="utf-8")
    text = text.replace("data: survei_asn_opd.csv", "data: data/raw/mine/survei_asn_opd.csv")
    text = text.replace("codebook: codebook.yaml", "codebook: data/raw/mine/codebook.yaml")
    (tmp_path / "my_study.yaml").write_text(text, encoding="utf-8")
    spec = read_study(tmp_path / "my_study.yaml")
    assert _check_output(tmp_path / "reports" / "mine", spec) == tmp_path / "reports" / "mine"
    with pytest.raises(OutputError, match="data/raw"):
        _check_output(raw / "out", spec)


def test_pipeline_and_notebook_runner_refuse_bad_names_and_raw_folders(
        study: Path, tmp_path: Path) -> None:
    from egovstudy.notebooks import run_notebooks
    from egovstudy.pipeline import build_processed

    with pytest.raises(OutputError, match=r"name '\.\./escape' cannot name an output"):
        build_processed(study.parent, tmp_path / "processed", name="../escape")
    assert not (tmp_path / "escape.parquet").exists()
    target = project_root() / "data" / "raw" / "notebook_out"
    with pytest.raises(OutputError, match=r"data/raw: raw data is never written"):
        run_notebooks(target, only=["01"])
    assert not target.exists()
